import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// Can a second study see a drift? Two independent studies, one under each protocol, each
/// report their own Youden cutoff; a two-sided z-test of equal cutoffs at level α, with each
/// cutoff's sampling SD known, rejects with probability
///
///     power = Φ(Δ/s − z₁₋α/₂) + Φ(−Δ/s − z₁₋α/₂),   s = √(σ₁² + σ₂²),
///
/// where Δ is the difference of the expected estimates (the drift of mean ĉ, which is Δc* plus
/// any difference in bias). It assumes ĉ is close to normal with the simulated SDs — true for
/// the binormal and kernel cutoffs, roughly so for the empirical one (its distribution is
/// lumpier); `simulated` checks it on the simulated cohorts themselves.
public enum TwoStudy {
    public static func power(difference: Double, sd1: Double, sd2: Double, alpha: Double = 0.05) -> Double {
        let s = (sd1 * sd1 + sd2 * sd2).squareRoot()
        guard s > 0, difference.isFinite else { return .nan }
        let z = Numerics.phiInverse(1 - alpha / 2)
        return Numerics.phi(abs(difference) / s - z) + Numerics.phi(-abs(difference) / s - z)
    }

    /// The same probability counted on simulated cohorts: cohort r < R/2 of one cell against
    /// cohort r + R/2 of the other (never the same stream, so common random numbers do not pair a
    /// cohort with its twin, and no cohort is in two pairs: the R/2 pairs are independent and the
    /// share's MCSE is a binomial one), rejecting when |ĉ₂ − ĉ₁| > z₁₋α/₂ · s. The share of
    /// pairs (both cutoffs finite) that reject.
    public static func simulated(_ a: [Double], _ b: [Double], sd1: Double, sd2: Double, alpha: Double = 0.05) -> Proportion {
        let s = (sd1 * sd1 + sd2 * sd2).squareRoot()
        let z = Numerics.phiInverse(1 - alpha / 2)
        let r = min(a.count, b.count)
        guard r > 1, s > 0 else { return Proportion(count: 0, n: 0) }
        var rejected = 0, pairs = 0
        for i in 0..<(r / 2) {
            let x = a[i], y = b[i + r / 2]
            guard x.isFinite, y.isFinite else { continue }
            pairs += 1
            if abs(y - x) > z * s { rejected += 1 }
        }
        return Proportion(count: rejected, n: pairs)
    }
}

/// How the sampling SD of an estimate shrinks with the cohort size: the slope b of
/// log SD = a + b·log n, fitted by weighted least squares with each log SD weighted by its
/// Monte Carlo variance ((MCSE of SD / SD)²). Its 95% CI widens by √(χ²/df) when the points
/// scatter more than their MCSEs allow (the rate is not an exact power law at small n).
public struct SpreadRate: Sendable {
    public let slope: Double
    public let lower: Double
    public let upper: Double

    public init?(n: [Double], sd: [Double], mcse: [Double]) {
        var xs: [Double] = [], ys: [Double] = [], ws: [Double] = []
        for i in n.indices where n[i] > 0 && sd[i] > 0 && mcse[i] > 0 && sd[i].isFinite && mcse[i].isFinite {
            xs.append(log(n[i])); ys.append(log(sd[i])); ws.append(1 / ((mcse[i] / sd[i]) * (mcse[i] / sd[i])))
        }
        guard xs.count >= 3 else { return nil }
        let sw = ws.reduce(0, +)
        let mx = zip(ws, xs).map { $0 * $1 }.reduce(0, +) / sw
        let my = zip(ws, ys).map { $0 * $1 }.reduce(0, +) / sw
        var sxx = 0.0, sxy = 0.0
        for i in xs.indices { sxx += ws[i] * (xs[i] - mx) * (xs[i] - mx); sxy += ws[i] * (xs[i] - mx) * (ys[i] - my) }
        guard sxx > 0 else { return nil }
        let b = sxy / sxx, a = my - b * mx
        var chi2 = 0.0
        for i in xs.indices { let r = ys[i] - a - b * xs[i]; chi2 += ws[i] * r * r }
        let inflate = max(1, chi2 / Double(xs.count - 2)).squareRoot()
        let se = inflate / sxx.squareRoot()
        slope = b
        lower = b - 1.959963984540054 * se
        upper = b + 1.959963984540054 * se
    }
}
