import Foundation
import VBQCore
import VBQEstimate

/// A distribution of the measured score within one outcome class.
///
/// Parameters are validated when constructed (`ScenarioLoader` does it with file and line);
/// sampling always takes an explicit `RandomStream`.
///
///     let d = ScoreDistribution.normal(mean: 3.62, sd: 0.46)
///     d.cdf(3.3)   // 0.2433...
public indirect enum ScoreDistribution: Sendable, Equatable {
    /// Normal with mean and standard deviation.
    case normal(mean: Double, sd: Double)
    /// Lognormal: log(X) is normal with mean `meanlog` and SD `sdlog`.
    case lognormal(meanlog: Double, sdlog: Double)
    /// Gamma with shape k and scale θ (mean kθ), optionally shifted by `shift`.
    case gamma(shape: Double, scale: Double, shift: Double)
    /// Student-t with `df` degrees of freedom, moved to `location` and stretched by `scale`.
    case studentT(location: Double, scale: Double, df: Double)
    /// Finite mixture; weights sum to 1.
    case mixture([MixtureComponent])

    // MARK: Evaluation

    /// P(X ≤ x).
    public func cdf(_ x: Double) -> Double {
        switch self {
        case let .normal(m, s): return Special.normalP(x - m, sd: s)
        case let .lognormal(ml, sl): return x <= 0 ? 0 : Special.lognormalP(x, meanlog: ml, sdlog: sl)
        case let .gamma(k, th, shift): return x <= shift ? 0 : Special.gammaP(x - shift, shape: k, scale: th)
        case let .studentT(loc, sc, df): return Special.tP((x - loc) / sc, df: df)
        case let .mixture(cs): return cs.reduce(0) { $0 + $1.weight * $1.distribution.cdf(x) }
        }
    }

    /// P(X > x), computed from the upper tail for accuracy.
    public func survival(_ x: Double) -> Double {
        switch self {
        case let .normal(m, s): return Special.normalQ(x - m, sd: s)
        case let .lognormal(ml, sl): return x <= 0 ? 1 : Special.lognormalQ(x, meanlog: ml, sdlog: sl)
        case let .gamma(k, th, shift): return x <= shift ? 1 : Special.gammaQ(x - shift, shape: k, scale: th)
        case let .studentT(loc, sc, df): return Special.tQ((x - loc) / sc, df: df)
        case let .mixture(cs): return cs.reduce(0) { $0 + $1.weight * $1.distribution.survival(x) }
        }
    }

    /// Density at x.
    public func pdf(_ x: Double) -> Double {
        switch self {
        case let .normal(m, s): return Special.normalPDF(x - m, sd: s)
        case let .lognormal(ml, sl): return x <= 0 ? 0 : Special.lognormalPDF(x, meanlog: ml, sdlog: sl)
        case let .gamma(k, th, shift): return x <= shift ? 0 : Special.gammaPDF(x - shift, shape: k, scale: th)
        case let .studentT(loc, sc, df): return Special.tPDF((x - loc) / sc, df: df) / sc
        case let .mixture(cs): return cs.reduce(0) { $0 + $1.weight * $1.distribution.pdf(x) }
        }
    }

    /// The p-quantile for the single families; for a mixture, the p-quantile is found by
    /// bisection on the mixture CDF between the components' extreme quantiles.
    public func quantile(_ p: Double) -> Double {
        switch self {
        case let .normal(m, s): return m + Special.normalPinv(p, sd: s)
        case let .lognormal(ml, sl): return Special.lognormalPinv(p, meanlog: ml, sdlog: sl)
        case let .gamma(k, th, shift): return shift + Special.gammaPinv(p, shape: k, scale: th)
        case let .studentT(loc, sc, df): return loc + sc * Special.tPinv(p, df: df)
        case let .mixture(cs):
            var lo = cs.map { $0.distribution.quantile(p) }.min()!
            var hi = cs.map { $0.distribution.quantile(p) }.max()!
            if lo == hi { return lo }
            for _ in 0..<200 {
                let mid = 0.5 * (lo + hi)
                if cdf(mid) < p { lo = mid } else { hi = mid }
                if hi - lo <= 1e-13 * max(1, abs(mid)) { break }
            }
            return 0.5 * (lo + hi)
        }
    }

    /// The mean (infinite or undefined for Student-t with df ≤ 1 is reported as NaN).
    public var mean: Double {
        switch self {
        case let .normal(m, _): return m
        case let .lognormal(ml, sl): return exp(ml + sl * sl / 2)
        case let .gamma(k, th, shift): return shift + k * th
        case let .studentT(loc, _, df): return df > 1 ? loc : .nan
        case let .mixture(cs): return cs.reduce(0) { $0 + $1.weight * $1.distribution.mean }
        }
    }

    /// The standard deviation (NaN where it does not exist).
    public var sd: Double {
        switch self {
        case let .normal(_, s): return s
        case let .lognormal(ml, sl):
            return (exp(sl * sl) - 1).squareRoot() * exp(ml + sl * sl / 2)
        case let .gamma(k, th, _): return k.squareRoot() * th
        case let .studentT(_, sc, df): return df > 2 ? sc * (df / (df - 2)).squareRoot() : .nan
        case let .mixture(cs):
            let m = mean
            let second = cs.reduce(0.0) { acc, c in
                acc + c.weight * (c.distribution.sd * c.distribution.sd
                                  + (c.distribution.mean - m) * (c.distribution.mean - m))
            }
            return second.squareRoot()
        }
    }

    /// Why this distribution cannot be simulated and solved numerically, or nil when it can:
    /// its 0.1% and 99.9% quantiles must be finite, within ±10⁷, and apart by more than 10⁻⁹
    /// of their size (GSL's quantile functions converge there; wider, narrower or stranger
    /// distributions make the truth's grid and the reports meaningless).
    public var usabilityProblem: String? {
        GSL.configure()
        let lo = quantile(0.001), hi = quantile(0.999), mid = quantile(0.5)
        guard lo.isFinite, hi.isFinite, mid.isFinite else {
            return "its quantiles cannot be computed (the parameters are too extreme)"
        }
        guard abs(lo) <= 1e7, abs(hi) <= 1e7 else {
            return "99.8% of its scores lie between \(Format.number(lo, digits: 3)) and \(Format.number(hi, digits: 3)), beyond the accepted ±10⁷"
        }
        guard hi - lo > 1e-9 * max(1, abs(mid)) else {
            return "it is too narrow to simulate (99.8% of its scores within \(Format.number(hi - lo, digits: 2)))"
        }
        return nil
    }

    /// True for a normal distribution (the binormal analytic truth applies to a pair of these).
    public var normalParameters: (mean: Double, sd: Double)? {
        if case let .normal(m, s) = self { return (m, s) }
        return nil
    }

    // MARK: Sampling

    @inline(__always)
    public func sample(_ rng: RandomStream) -> Double {
        switch self {
        case let .normal(m, s): return rng.normal(mean: m, sd: s)
        case let .lognormal(ml, sl): return rng.lognormal(meanlog: ml, sdlog: sl)
        case let .gamma(k, th, shift): return shift + rng.gamma(shape: k, scale: th)
        case let .studentT(loc, sc, df): return loc + sc * rng.studentT(df: df)
        case let .mixture(cs):
            let u = rng.uniform()
            var acc = 0.0
            for c in cs {
                acc += c.weight
                if u < acc { return c.distribution.sample(rng) }
            }
            return cs[cs.count - 1].distribution.sample(rng)
        }
    }

    /// A one-line description for reports, e.g. `normal(mean 3.62, sd 0.46)`.
    public var summary: String {
        switch self {
        case let .normal(m, s): return "normal(mean \(fmt(m)), sd \(fmt(s)))"
        case let .lognormal(ml, sl): return "lognormal(meanlog \(fmt(ml)), sdlog \(fmt(sl)))"
        case let .gamma(k, th, shift):
            return "gamma(shape \(fmt(k)), scale \(fmt(th))" + (shift != 0 ? ", shift \(fmt(shift)))" : ")")
        case let .studentT(loc, sc, df): return "t(location \(fmt(loc)), scale \(fmt(sc)), df \(fmt(df)))"
        case let .mixture(cs):
            return "mixture(" + cs.map { "\(fmt($0.weight))×\($0.distribution.summary)" }.joined(separator: " + ") + ")"
        }
    }

    private func fmt(_ x: Double) -> String { Format.number(x, digits: 4) }
}

/// One weighted component of a mixture.
public struct MixtureComponent: Sendable, Equatable {
    public var weight: Double
    public var distribution: ScoreDistribution
    public init(weight: Double, distribution: ScoreDistribution) {
        self.weight = weight
        self.distribution = distribution
    }
}

