import Foundation

/// The kernel-smoothed Youden cutoff of Fluss, Faraggi & Reiser (Biometrical J 2005;47:458).
///
/// Each class CDF is smoothed with a Gaussian kernel, F̂(c) = (1/n) Σ Φ((c − xᵢ)/h), with
/// **bandwidth** h = 0.9 · min(SD, IQR/1.34) · n^(−1/5) per class (Silverman's rule, the one
/// Fluss et al. use; SD alone when the IQR is 0). J(c) = F̂₀(c) − F̂₁(c) is evaluated on a
/// 41-point grid over the pooled data range to find the global maximum, which is then
/// refined to 1e−8 as the root of dJ/dc = f̂₀ − f̂₁ (GSL Brent). Kernel terms more than
/// 8 bandwidths away are taken as exactly 0 or 1 (error < 1e−15).
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
        let J: (Double) -> Double = {
            KernelYouden.smoothedCDF(y, h0, at: $0) - KernelYouden.smoothedCDF(x, h1, at: $0)
        }
        let lo = min(x[0], y[0]), hi = max(x[x.count - 1], y[y.count - 1])
        let n = KernelYouden.gridPoints
        let step = (hi - lo) / Double(n - 1)
        var best = 0, bestJ = -Double.infinity
        for i in 0..<n {
            let j = J(lo + step * Double(i))
            if j > bestJ { bestJ = j; best = i }
        }
        let a = lo + step * Double(max(best - 1, 0)), b = lo + step * Double(min(best + 1, n - 1))
        let dJ: (Double) -> Double = {
            KernelYouden.smoothedDensity(y, h0, at: $0) - KernelYouden.smoothedDensity(x, h1, at: $0)
        }
        var c = lo + step * Double(best)
        if best > 0, best < n - 1, let r = Numerics.root(dJ, in: a, b, absTolerance: 1e-8), J(r) >= bestJ {
            c = r
        }
        let jc = J(c)
        guard jc > 0 else { return nil }
        cutoff = c
        youden = jc
        eventBandwidth = h1
        nonEventBandwidth = h0
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
        var i = first
        while i < last { sum += Numerics.phi((c - s[i]) * inv); i += 1 }
        return sum / Double(s.count)
    }

    /// (1/(n·h)) Σ φ((c − xᵢ)/h) on a sorted sample.
    static func smoothedDensity(_ s: UnsafeBufferPointer<Double>, _ h: Double, at c: Double) -> Double {
        let first = lowerBound(s, c - reach * h), last = upperBound(s, c + reach * h)
        var sum = 0.0
        let inv = 1 / h
        var i = first
        while i < last { let z = (c - s[i]) * inv; sum += exp(-0.5 * z * z); i += 1 }
        return sum * 0.3989422804014327 * inv / Double(s.count)
    }
}
