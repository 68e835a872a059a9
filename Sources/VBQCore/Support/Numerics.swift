import Foundation
internal import CGSL
internal import CGSLShims

/// Swift closures handed to GSL's solvers, which take a C function pointer plus a context.
private final class ClosureBox {
    let f: (Double) -> Double
    init(_ f: @escaping (Double) -> Double) { self.f = f }
}

private func withGSLFunction<R>(_ f: @escaping (Double) -> Double, _ body: (UnsafeMutablePointer<gsl_function>) -> R) -> R {
    let box = ClosureBox(f)
    return withExtendedLifetime(box) {
        var fn = gsl_function(function: { x, params in
            Unmanaged<ClosureBox>.fromOpaque(params!).takeUnretainedValue().f(x)
        }, params: Unmanaged.passUnretained(box).toOpaque())
        return body(&fn)
    }
}

private final class VectorBox {
    let f: ([Double]) -> Double
    init(_ f: @escaping ([Double]) -> Double) { self.f = f }
}

/// Numerical routines on GSL (root finding, minimisation, quadrature), with stated tolerances.
public enum Numerics {
    /// The minimiser of `f` from `start` by GSL's Nelder–Mead simplex (nmsimplex2) with initial
    /// step sizes `steps`, until the simplex's size is below `tolerance` or `maxIterations`.
    public static func minimize(_ f: @escaping ([Double]) -> Double, start: [Double], steps: [Double],
                                tolerance: Double = 1e-4, maxIterations: Int = 500) -> (x: [Double], value: Double, iterations: Int, converged: Bool)? {
        GSL.configure()
        let n = start.count
        let box = VectorBox(f)
        return withExtendedLifetime(box) { () -> (x: [Double], value: Double, iterations: Int, converged: Bool)? in
            var fn = gsl_multimin_function(f: { v, params in
                let p = v!
                let x = (0..<p.pointee.size).map { gsl_vector_get(p, $0) }
                return Unmanaged<VectorBox>.fromOpaque(params!).takeUnretainedValue().f(x)
            }, n: n, params: Unmanaged.passUnretained(box).toOpaque())
            guard let s = gsl_multimin_fminimizer_alloc(vbq_multimin_nmsimplex2(), n),
                  let x0 = gsl_vector_alloc(n), let ss = gsl_vector_alloc(n) else { return nil }
            defer { gsl_multimin_fminimizer_free(s); gsl_vector_free(x0); gsl_vector_free(ss) }
            for i in 0..<n { gsl_vector_set(x0, i, start[i]); gsl_vector_set(ss, i, steps[i]) }
            guard gsl_multimin_fminimizer_set(s, &fn, x0, ss) == GSL_SUCCESS else { return nil }
            var converged = false
            var iterations = 0
            while iterations < maxIterations {
                iterations += 1
                guard gsl_multimin_fminimizer_iterate(s) == GSL_SUCCESS else { break }
                if gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), tolerance) == GSL_SUCCESS { converged = true; break }
            }
            let x = (0..<n).map { gsl_vector_get(s.pointee.x, $0) }
            return (x, s.pointee.fval, iterations, converged)
        }
    }

    /// A root of `f` in [lo, hi], where f(lo) and f(hi) differ in sign (GSL's Brent solver).
    /// Converges to an interval of width ≤ `absTolerance`.
    public static func root(_ f: @escaping (Double) -> Double, in lo: Double, _ hi: Double,
                            absTolerance: Double = 1e-12) -> Double? {
        let flo = f(lo), fhi = f(hi)
        if flo == 0 { return lo }
        if fhi == 0 { return hi }
        guard flo.sign != fhi.sign else { return nil }
        GSL.configure()
        return withGSLFunction(f) { fn -> Double? in
            guard let s = gsl_root_fsolver_alloc(vbq_root_brent()) else { return nil }
            defer { gsl_root_fsolver_free(s) }
            guard gsl_root_fsolver_set(s, fn, lo, hi) == GSL_SUCCESS else { return nil }
            for _ in 0..<200 {
                guard gsl_root_fsolver_iterate(s) == GSL_SUCCESS else { return nil }
                let a = gsl_root_fsolver_x_lower(s), b = gsl_root_fsolver_x_upper(s)
                if gsl_root_test_interval(a, b, absTolerance, 0) == GSL_SUCCESS { return gsl_root_fsolver_root(s) }
            }
            return gsl_root_fsolver_root(s)
        }
    }

    /// The maximiser of `f` in [lo, hi] given an interior point `guess` with
    /// f(guess) > f(lo), f(hi) (GSL's Brent minimiser on −f).
    public static func maximise(_ f: @escaping (Double) -> Double, lo: Double, guess: Double, hi: Double,
                                absTolerance: Double = 1e-10) -> Double {
        GSL.configure()
        return withGSLFunction({ -f($0) }) { fn -> Double in
            guard let s = gsl_min_fminimizer_alloc(vbq_min_brent()) else { return guess }
            defer { gsl_min_fminimizer_free(s) }
            guard gsl_min_fminimizer_set(s, fn, guess, lo, hi) == GSL_SUCCESS else { return guess }
            for _ in 0..<200 {
                guard gsl_min_fminimizer_iterate(s) == GSL_SUCCESS else { break }
                let a = gsl_min_fminimizer_x_lower(s), b = gsl_min_fminimizer_x_upper(s)
                if gsl_min_test_interval(a, b, absTolerance, 0) == GSL_SUCCESS { break }
            }
            return gsl_min_fminimizer_x_minimum(s)
        }
    }

    /// ∫ₐᵇ f with GSL's adaptive QAGS; returns the value and GSL's error estimate.
    public static func integrate(_ f: @escaping (Double) -> Double, from a: Double, to b: Double,
                                 absTolerance: Double = 1e-12, relTolerance: Double = 1e-10) -> (value: Double, error: Double) {
        GSL.configure()
        return withGSLFunction(f) { fn in
            let limit = 2000
            guard let w = gsl_integration_workspace_alloc(limit) else { return (.nan, .infinity) }
            defer { gsl_integration_workspace_free(w) }
            var result = 0.0, abserr = 0.0
            let status = gsl_integration_qags(fn, a, b, absTolerance, relTolerance, limit, w, &result, &abserr)
            return (result, status == GSL_SUCCESS ? abserr : max(abserr, 1e-6))
        }
    }

    /// Standard normal CDF Φ(z).
    @inline(__always) public static func phi(_ z: Double) -> Double { 0.5 * erfc(-z * 0.7071067811865476) }

    /// The two-sided p-value of a standard normal statistic, 2·P(Z > |z|), computed in the upper
    /// tail (erfc), so that it keeps its digits far out: 2(1 − Φ(z)) is 0 beyond |z| ≈ 8.3 and
    /// no smaller than 2.2e-16 before. Also the χ²₁ upper tail of z² (a likelihood-ratio p).
    @inline(__always) public static func twoSidedP(_ z: Double) -> Double { erfc(abs(z) * 0.7071067811865476) }

    /// Sorts finite or infinite doubles (no NaN) ascending: the radix/bucket sort of CGSLShims,
    /// several times faster than a comparison sort on large arrays; equal values are equal.
    public static func sort(_ x: inout [Double]) {
        guard x.count > 1 else { return }
        var scratch = [UInt64](repeating: 0, count: x.count <= 4096 ? 2 * x.count + 4 : x.count)
        scratch.withUnsafeMutableBufferPointer { s in
            x.withUnsafeMutableBufferPointer { vbq_sort_doubles($0.baseAddress, $0.count, s.baseAddress) }
        }
    }

    /// Standard normal quantile Φ⁻¹(p).
    public static func phiInverse(_ p: Double) -> Double { gsl_cdf_ugaussian_Pinv(p) }

    /// Quantile of a sorted sample, R's type 7 (linear interpolation), as `quantile()` in R.
    public static func quantile<C: RandomAccessCollection>(sorted x: C, _ p: Double) -> Double
    where C.Element == Double, C.Index == Int {
        guard !x.isEmpty else { return .nan }
        let h = Double(x.count - 1) * p
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, x.count - 1)
        let base = x.startIndex
        let a = x[base + lo], b = x[base + hi], fraction = h - Double(lo)
        // Equal neighbours, or none to interpolate towards, are the quantile itself; an infinite
        // neighbour (sorted: −∞ below, +∞ above) takes every point strictly between.
        if fraction == 0 || a == b { return a }
        if a.isInfinite { return a }
        if b.isInfinite { return b }
        return a + fraction * (b - a)
    }
}
