import Foundation
import VBQCore

/// The kernel-smoothed Youden cutoff of Fluss, Faraggi & Reiser (Biometrical J 2005;47:458).
///
/// Each class CDF is smoothed with a Gaussian kernel, F̂(c) = (1/n) Σ Φ((c − xᵢ)/h), with
/// **bandwidth** h = 0.9 · min(SD, IQR/1.34) · n^(−1/5) per class (Silverman's rule, the one
/// Fluss et al. use; SD alone when the IQR is 0). J(c) = F̂₀(c) − F̂₁(c) is evaluated on a
/// 41-point grid over the pooled data range to find the global maximum, which is then
/// refined to 1e−9 as the root of dJ/dc = f̂₀ − f̂₁ by Newton's method kept inside the
/// bracketing grid interval (bisection when a step would leave it). Kernel terms more than
/// 8 bandwidths away are taken as exactly 0 or 1 (error < 1e−15).
///
/// Fast without changing the answer: Φ and φ come from `GaussTable` (a Taylor series about the
/// nearest of 513 tabulated points, error below 3·10⁻¹⁶), and the grid search runs twice. First
/// J̃ at all 41 points from `CheapPhi` (a cheap Φ within δ = 7.7·10⁻⁶ of the exact one, terms
/// beyond 5 bandwidths included in δ), so |J̃ − J| ≤ 2δ; then the exact J only at the points
/// with J̃ ≥ max J̃ − 4δ, which must hold the exact maximum — usually one point. The chosen grid
/// point is the one a full exact sweep would choose.
public struct KernelYouden: Sendable, Equatable {
    public let cutoff: Double
    public let youden: Double
    public let eventBandwidth, nonEventBandwidth: Double

    static let gridPoints = 41
    static let reach = 8.0

    /// Classes sorted ascending. `nil` when a class has fewer than 2 scores or no spread,
    /// or when the smoothed J never exceeds 0.
    public init?(positives x: UnsafeBufferPointer<Double>, negatives y: UnsafeBufferPointer<Double>) {
        guard x.count >= 2, y.count >= 2 else { return nil }
        let h1 = KernelYouden.bandwidth(x), h0 = KernelYouden.bandwidth(y)
        guard h1 > 0, h0 > 0 else { return nil }
        let lo = min(x[0], y[0]), hi = max(x[x.count - 1], y[y.count - 1])
        let n = KernelYouden.gridPoints
        let step = (hi - lo) / Double(n - 1)
        func point(_ i: Int) -> Double { lo + step * Double(i) }
        // J̃ by branch and bound — at every 8th point, then at the midpoints of the intervals whose
        // bound F̃₀(right) − F̃₁(left) + 2δ (F̂₀, F̂₁ increase) can reach the best J̃ − 2δ, halving the
        // step — then the exact J where J̃ is within 4δ of its maximum. Values live on the stack.
        let (best, bestJ, start) = withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * n) { buffer -> (Int, Double, Double) in
            let f0 = buffer.baseAddress!, f1 = f0 + n, j = f1 + n
            for i in 0..<n { f0[i] = .nan; f1[i] = .nan; j[i] = -.infinity }
            let delta = CheapPhi.error
            var approxBest = -Double.infinity
            func evaluate(_ i: Int) {
                f0[i] = CheapPhi.smoothedCDF(y, h0, at: point(i))
                f1[i] = CheapPhi.smoothedCDF(x, h1, at: point(i))
                j[i] = f0[i] - f1[i]
                approxBest = max(approxBest, j[i])
            }
            var width = 8
            for i in stride(from: 0, to: n, by: width) { evaluate(i) }
            while width > 1 {
                let half = width / 2
                for left in stride(from: 0, to: n - 1, by: width) {
                    let right = min(left + width, n - 1)
                    guard left + half < right, !f0[left].isNaN, !f0[right].isNaN,
                          f0[right] - f1[left] + 2 * delta + 1e-12 >= approxBest - 2 * delta else { continue }
                    evaluate(left + half)
                }
                width = half
            }
            let floor = approxBest - 4 * delta - 1e-12
            var best = -1, bestJ = -Double.infinity
            for i in 0..<n where j[i] >= floor {
                let exact = KernelYouden.smoothedCDF(y, h0, at: point(i)) - KernelYouden.smoothedCDF(x, h1, at: point(i))
                if exact > bestJ { bestJ = exact; best = i }
            }
            // Newton starts at the vertex of the parabola through J̃ at the best point and its
            // neighbours when both were evaluated (a few steps fewer than from the grid point).
            var start = point(best)
            if best > 0, best < n - 1, j[best - 1].isFinite, j[best + 1].isFinite {
                let curvature = j[best - 1] - 2 * j[best] + j[best + 1]
                if curvature < 0 {
                    let shift = 0.5 * (j[best - 1] - j[best + 1]) / curvature
                    if abs(shift) < 1 { start = point(best) + shift * step }
                }
            }
            return (best, bestJ, start)
        }
        let J: (Double) -> Double = {
            KernelYouden.smoothedCDF(y, h0, at: $0) - KernelYouden.smoothedCDF(x, h1, at: $0)
        }
        var c = point(best), jc = bestJ
        if best > 0, best < n - 1,
           let r = KernelYouden.peak(x, h1, y, h0, between: point(best - 1), point(best + 1), from: start) {
            let jr = J(r)
            if jr >= bestJ { c = r; jc = jr }
        }
        guard jc > 0 else { return nil }
        cutoff = c
        youden = jc
        eventBandwidth = h1
        nonEventBandwidth = h0
    }

    /// The root of dJ/dc = f̂₀ − f̂₁ in [a, b] where it falls from + to − (nil without a sign
    /// change): Newton's method from `start`, with bisection whenever a step leaves the bracket.
    ///
    /// The cheap slope from `CheapPhi` (within `bound` of the exact one) decides the signs at the
    /// ends when it is clearly away from 0, and takes the Newton steps until they are below 10⁻⁷;
    /// exact steps finish.
    static func peak(_ x: UnsafeBufferPointer<Double>, _ h1: Double, _ y: UnsafeBufferPointer<Double>, _ h0: Double,
                     between a0: Double, _ b0: Double, from start: Double) -> Double? {
        func slope(_ c: Double) -> (value: Double, derivative: Double) {
            let d0 = smoothedDensity(y, h0, at: c), d1 = smoothedDensity(x, h1, at: c)
            return (d0.density - d1.density, d0.derivative - d1.derivative)
        }
        func cheapSlope(_ c: Double) -> (value: Double, derivative: Double) {
            let d0 = CheapPhi.smoothedDensity(y, h0, at: c), d1 = CheapPhi.smoothedDensity(x, h1, at: c)
            return (d0.density - d1.density, d0.derivative - d1.derivative)
        }
        let bound = 2 * CheapPhi.densityError * (1 / h0 + 1 / h1)
        func sign(_ c: Double) -> Double {
            let cheap = cheapSlope(c).value
            return abs(cheap) > bound ? cheap : slope(c).value
        }
        var a = a0, b = b0
        let fa = sign(a), fb = sign(b)
        if fa == 0 { return a }
        if fb == 0 { return b }
        guard fa.sign != fb.sign else { return nil }
        let rising = fa < 0        // dJ goes from − to + on [a, b]
        var c = start
        var exact = false
        for _ in 0..<100 {
            let (f, d) = exact ? slope(c) : cheapSlope(c)
            if exact && f == 0 { return c }
            if exact || abs(f) > bound { if (f < 0) == rising { a = c } else { b = c } }
            var next = c - f / d
            if !(next > a && next < b) || !d.isFinite || d == 0 { next = 0.5 * (a + b) }
            let tolerance = (exact ? 1e-9 : 1e-7) * max(1, abs(c))
            if abs(next - c) <= tolerance || b - a <= tolerance {
                if exact { return next }
                exact = true
            }
            c = next
        }
        return c
    }

    /// Silverman's rule of thumb as used by Fluss et al.
    public static func bandwidth(_ sorted: UnsafeBufferPointer<Double>) -> Double {
        let sd = meanSD(sorted).sd
        let iqr = Numerics.quantile(sorted: sorted, 0.75) - Numerics.quantile(sorted: sorted, 0.25)
        let spread = iqr > 0 ? min(sd, iqr / 1.34) : sd
        return 0.9 * spread * pow(Double(sorted.count), -0.2)
    }

    /// (1/n) Σ Φ((c − xᵢ)/h) on a sorted sample; terms beyond `reach`·h are 0 or 1.
    static func smoothedCDF(_ s: UnsafeBufferPointer<Double>, _ h: Double, at c: Double) -> Double {
        let first = lowerBound(s, c - reach * h)       // all before contribute 1
        let last = upperBound(s, c + reach * h)        // all from here contribute 0
        var sum = Double(first)
        let inv = 1 / h
        let table = GaussTable.pointer
        var i = first
        while i < last { sum += GaussTable.cdf((c - s[i]) * inv, table); i += 1 }
        return sum / Double(s.count)
    }

    /// (1/(n·h)) Σ φ((c − xᵢ)/h) on a sorted sample, and its derivative in c.
    static func smoothedDensity(_ s: UnsafeBufferPointer<Double>, _ h: Double, at c: Double) -> (density: Double, derivative: Double) {
        let first = lowerBound(s, c - reach * h), last = upperBound(s, c + reach * h)
        var sum = 0.0, slope = 0.0
        let inv = 1 / h
        let table = GaussTable.pointer
        var i = first
        while i < last {
            let (p, dp) = GaussTable.density((c - s[i]) * inv, table)
            sum += p; slope += dp
            i += 1
        }
        let n = Double(s.count)
        return (sum * inv / n, slope * inv * inv / n)
    }
}

/// Φ(z), φ(z) and φ′(z) on [−8, 8] from a table: at the nearest of the points −8, −8 + 1/32,
/// …, 8 (|d| ≤ 1/64) the Taylor series Φ(z₀ + d) = Φ(z₀) + Σₖ aₖ dᵏ, aₖ = (−1)ᵏ⁻¹ Heₖ₋₁(z₀) φ(z₀)/k!,
/// is summed to k = 6; the truncation error is below 3·10⁻¹⁶ for Φ and 10⁻¹³ for φ, so the
/// results agree with erfc/exp to rounding (Φ) or far below any effect on a cutoff (φ, which
/// only steers the root finder). Outside [−8, 8] Φ is taken as 0 or 1.
package enum GaussTable {
    static let perUnit = 32.0
    static let nodes = 513
    static let order = 6
    /// Per node: Φ(z₀), a₁ … a₆.
    static let table: [Double] = {
        var t: [Double] = []
        t.reserveCapacity(nodes * (order + 1))
        for j in 0..<nodes {
            let z = -8 + Double(j) / perUnit
            let density = 0.3989422804014327 * exp(-0.5 * z * z)
            t.append(Numerics.phi(z))
            var he = [1.0, z]                     // He₀, He₁, …
            while he.count < order { let n = he.count; he.append(z * he[n - 1] - Double(n - 1) * he[n - 2]) }
            var factorial = 1.0
            for k in 1...order {
                factorial *= Double(k)
                let sign: Double = (k - 1) % 2 == 0 ? 1 : -1
                t.append(sign * he[k - 1] * density / factorial)
            }
        }
        return t
    }()

    /// The table's storage, for the inner loops (one lookup of the lazy global per loop);
    /// written once, read-only after, so sharing it between threads is safe.
    nonisolated(unsafe) package static let pointer: UnsafePointer<Double> = {
        let p = UnsafeMutablePointer<Double>.allocate(capacity: table.count)
        p.initialize(from: table, count: table.count)
        return UnsafePointer(p)
    }()

    /// The nearest node to z (z within [−8, 8]) and z's offset from it, without a branch: adding
    /// 1.5·2⁵² rounds to an integer held in the low bits.
    @inline(__always)
    static func node(_ z: Double) -> (Int, Double) {
        let magic = 6_755_399_441_055_744.0
        let t = (z * perUnit + 256) + magic
        let j = min(Int(truncatingIfNeeded: t.bitPattern & 0x3FF), nodes - 1)
        return (j, z - ((t - magic) - 256) / perUnit)
    }

    @inline(__always)
    static func cdf(_ z: Double, _ t: UnsafePointer<Double>) -> Double {
        if z <= -8 { return 0 }
        if z >= 8 { return 1 }
        let (j, d) = node(z)
        let a = t + j * (order + 1)
        var s = a[6]
        s = s * d + a[5]; s = s * d + a[4]; s = s * d + a[3]; s = s * d + a[2]; s = s * d + a[1]
        return a[0] + s * d
    }

    /// φ(z).
    @inline(__always)
    package static func pdf(_ z: Double, _ t: UnsafePointer<Double>) -> Double {
        if z <= -8 || z >= 8 { return 0 }
        let (j, d) = node(z)
        let a = t + j * (order + 1)
        var p = 6 * a[6]
        p = p * d + 5 * a[5]; p = p * d + 4 * a[4]; p = p * d + 3 * a[3]; p = p * d + 2 * a[2]; p = p * d + a[1]
        return p
    }

    /// φ(z) and φ′(z).
    @inline(__always)
    static func density(_ z: Double, _ t: UnsafePointer<Double>) -> (Double, Double) {
        if z <= -8 || z >= 8 { return (0, 0) }
        let (j, d) = node(z)
        let a = t + j * (order + 1)
        var p = 6 * a[6]
        p = p * d + 5 * a[5]; p = p * d + 4 * a[4]; p = p * d + 3 * a[3]; p = p * d + 2 * a[2]; p = p * d + a[1]
        var q = 30 * a[6]
        q = q * d + 20 * a[5]; q = q * d + 12 * a[4]; q = q * d + 6 * a[3]; q = q * d + 2 * a[2]
        return (p, q)
    }
}

/// A cheap Φ and φ for locating the grid maximum and starting Newton's method: a first-order
/// Taylor step from the nearest of the points −5, −5 + 1/64, …, 5 (|d| ≤ 1/128), and 0 or 1
/// (φ: 0) beyond ±5. The error of Φ is at most max|Φ″| d²/2 = φ(1)/2·(1/128)² = 7.4·10⁻⁶ inside
/// and Φ(−5) = 2.9·10⁻⁷ beyond: `error` bounds both (and so the error of a smoothed CDF, an
/// average of such terms); that of φ is at most φ(0)/2·(1/128)² + φ(5) = 1.4·10⁻⁵
/// (`densityError`).
enum CheapPhi {
    static let error = 7.7e-6
    static let densityError = 1.4e-5
    static let perUnit = 64.0
    static let nodes = 641
    /// Per node: Φ(z₀), φ(z₀).
    nonisolated(unsafe) static let pointer: UnsafePointer<Double> = {
        let p = UnsafeMutablePointer<Double>.allocate(capacity: 2 * nodes)
        for j in 0..<nodes {
            let z = -5 + Double(j) / perUnit
            p[2 * j] = Numerics.phi(z)
            p[2 * j + 1] = 0.3989422804014327 * exp(-0.5 * z * z)
        }
        return UnsafePointer(p)
    }()

    /// The nearest node to z (within [−5, 5] by the callers' windows) and z's offset from it,
    /// without a branch: adding 1.5·2⁵² rounds to an integer held in the low bits.
    @inline(__always)
    static func node(_ z: Double) -> (Int, Double) {
        let magic = 6_755_399_441_055_744.0
        let t = (z * perUnit + 320) + magic
        let j = min(Int(truncatingIfNeeded: t.bitPattern & 0x3FF), nodes - 1)
        return (j, z - ((t - magic) - 320) / perUnit)
    }

    /// F̃(c) = (1/n) Σ Φ̃((c − sᵢ)/h) on a sorted sample; terms beyond 5 bandwidths are 0 or 1.
    static func smoothedCDF(_ s: UnsafeBufferPointer<Double>, _ h: Double, at c: Double) -> Double {
        let t = pointer
        let inv = 1 / h
        let first = lowerBound(s, c - 5 * h), last = upperBound(s, c + 5 * h)
        var sum = Double(first)
        var i = first
        while i < last {
            let (j, d) = node((c - s[i]) * inv)
            sum += t[2 * j] + t[2 * j + 1] * d
            i += 1
        }
        return sum / Double(s.count)
    }

    /// (1/(n·h)) Σ φ̃((c − sᵢ)/h) and its derivative in c, from φ̃′(z) = −z φ̃(z).
    static func smoothedDensity(_ s: UnsafeBufferPointer<Double>, _ h: Double, at c: Double) -> (density: Double, derivative: Double) {
        let t = pointer
        let inv = 1 / h
        let first = lowerBound(s, c - 5 * h), last = upperBound(s, c + 5 * h)
        var sum = 0.0, slope = 0.0
        var i = first
        while i < last {
            let z = (c - s[i]) * inv
            let (j, d) = node(z)
            let p = t[2 * j + 1] * (1 - (z - d) * d)
            sum += p; slope -= z * p
            i += 1
        }
        let n = Double(s.count)
        return (sum * inv / n, slope * inv * inv / n)
    }
}

extension KernelYouden: CutoffEstimator {
    public static let id = "kernel"
    public static let words = "kernel-smoothed Youden cutoff"
    public static let colour = "#d55e00"
    public static let reportedAUC = EstimatorAUC.none
    public static let byDefault = true
    public static let secondsPerPatient = 55e-9
    public static let secondsPerPatientResampled = 600e-9

    public static func estimate(positives x: UnsafeBufferPointer<Double>, negatives y: UnsafeBufferPointer<Double>,
                                pass: JointPass?, parameters: CriterionParameters) -> CutoffResult {
        guard let k = KernelYouden(positives: x, negatives: y) else {
            return CutoffResult(failure: "a class has < 2 distinct scores, or the smoothed J is never > 0")
        }
        return CutoffResult(cutoff: k.cutoff)
    }
}
