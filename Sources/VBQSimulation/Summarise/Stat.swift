import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// Performance measures of one estimated quantity over the replicates of a cell, each with
/// its Monte Carlo standard error (Morris, White & Crowther, Stat Med 2019, Table 6).
///
/// Replicates where the quantity does not exist (NaN: degenerate cohort, method failure,
/// undefined PPV) are left out and counted in `missing`, never averaged in.
public struct Stat: Sendable {
    /// Replicates that contributed.
    public let n: Int
    public let missing: Int
    public let mean, sd: Double
    public let q025, q250, q500, q750, q975: Double
    /// The value bias and RMSE are measured against (NaN when there is none).
    public let target: Double
    public let bias, rmse: Double
    public let mcseMean, mcseSD, mcseRMSE: Double
    public let mcseQ025, mcseQ250, mcseQ500, mcseQ750, mcseQ975: Double

    /// The standard error of `target` itself when it is estimated (a simulated c*), 0 when exact.
    public let targetError: Double
    /// The bias's MCSE: the mean's and, for an estimated target, the target's, combined.
    public var mcseBias: Double { (mcseMean * mcseMean + targetError * targetError).squareRoot() }

    /// `nil` when no replicate has a value. `targetError`: the standard error of an estimated
    /// target, carried into the bias's MCSE (not into the RMSE's).
    public init?(_ values: [Double], target: Double = .nan, targetError: Double = 0) {
        var x = values.filter { !$0.isNaN }
        guard !x.isEmpty else { return nil }
        Numerics.sort(&x)
        let r = Double(x.count)
        n = x.count
        missing = values.count - x.count
        var sum = 0.0
        for v in x { sum += v }
        let m = sum / r
        var ss = 0.0
        for v in x { ss += (v - m) * (v - m) }
        let s = x.count > 1 ? (ss / (r - 1)).squareRoot() : 0
        mean = m
        sd = s
        mcseMean = s / r.squareRoot()
        mcseSD = x.count > 1 ? s / (2 * (r - 1)).squareRoot() : .nan
        let qs = [0.025, 0.25, 0.5, 0.75, 0.975]
        let q = qs.map { Numerics.quantile(sorted: x, $0) }
        let mq = qs.map { Stat.quantileMCSE(sorted: x, $0) }
        (q025, q250, q500, q750, q975) = (q[0], q[1], q[2], q[3], q[4])
        (mcseQ025, mcseQ250, mcseQ500, mcseQ750, mcseQ975) = (mq[0], mq[1], mq[2], mq[3], mq[4])
        self.target = target
        self.targetError = targetError.isFinite ? targetError : 0
        if target.isFinite {
            bias = m - target
            var mse = 0.0
            for v in x { mse += (v - target) * (v - target) }
            mse /= r
            rmse = mse.squareRoot()
            // MCSE of the MSE (Morris et al.), carried to the RMSE by the delta method.
            var dev = 0.0
            for v in x { let d = (v - target) * (v - target) - mse; dev += d * d }
            let mcseMSE = x.count > 1 ? (dev / (r * (r - 1))).squareRoot() : .nan
            mcseRMSE = rmse > 0 ? mcseMSE / (2 * rmse) : 0
        } else {
            bias = .nan; rmse = .nan; mcseRMSE = .nan
        }
    }

    /// MCSE of a sample quantile from the distribution-free order-statistic interval:
    /// the 95% interval (x₍ₗ₎, x₍ᵤ₎) with l, u = Rp ∓ 1.96√(Rp(1−p)), divided by 2 · 1.96.
    static func quantileMCSE(sorted x: [Double], _ p: Double) -> Double {
        let r = Double(x.count)
        guard x.count >= 2 else { return .nan }
        let half = 1.959963984540054 * (r * p * (1 - p)).squareRoot()
        let l = max(0, min(x.count - 1, Int((r * p - half).rounded(.down)) - 1))
        let u = max(0, min(x.count - 1, Int((r * p + half).rounded(.up)) - 1))
        return (x[u] - x[l]) / (2 * 1.959963984540054)
    }
}

/// A proportion over replicates with its MCSE √(p(1−p)/R).
public struct Proportion: Sendable {
    public let count: Int
    public let n: Int
    public var value: Double { n > 0 ? Double(count) / Double(n) : .nan }
    public var mcse: Double { n > 0 ? (value * (1 - value) / Double(n)).squareRoot() : .nan }
    public init(count: Int, n: Int) { self.count = count; self.n = n }
}
