import VBQCore
import VBQEstimate
import VBQModel
/// The reference cell's ROC: the true curve, and a pointwise band of the empirical ROC
/// curves of its simulated cohorts (2.5%, 50%, 97.5% of TPR at each false-positive rate).
public struct ROCBand: Sendable {
    public let fpr: [Double]
    public let trueTPR: [Double]
    public let q025: [Double]
    public let median: [Double]
    public let q975: [Double]

    public init?(table: ReplicateTable, truth: Truth) {
        let grid = ReplicateTable.rocGrid
        let w = grid.count
        var lo: [Double] = [], mid: [Double] = [], hi: [Double] = []
        let counts = table.referenceROC
        for k in 0..<w {
            guard !counts.isEmpty(at: k) else { return nil }
            lo.append(counts.quantile(at: k, 0.025))
            mid.append(counts.quantile(at: k, 0.5))
            hi.append(counts.quantile(at: k, 0.975))
        }
        fpr = grid
        q025 = lo; median = mid; q975 = hi
        trueTPR = grid.map { truth.trueTPR(atFPR: $0) }
    }
}

extension Truth {
    /// The true ROC: sensitivity at the cutoff whose specificity is 1 − f (found by bisection).
    public func trueTPR(atFPR f: Double) -> Double {
        if f <= 0 { return 0 }
        if f >= 1 { return 1 }
        var lo = cutoff - 1, hi = cutoff + 1
        while specificity(at: lo) > 1 - f { lo -= 2 * (hi - lo) }
        while specificity(at: hi) < 1 - f { hi += 2 * (hi - lo) }
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if specificity(at: mid) < 1 - f { lo = mid } else { hi = mid }
            if hi - lo < 1e-12 { break }
        }
        return sensitivity(at: (lo + hi) / 2)
    }
}
