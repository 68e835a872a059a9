/// One merge of the two sorted classes, over their distinct values in increasing order, that
/// gives both the AUC with DeLong's placement values and the empirical Youden search: the one
/// pass behind `AUCEstimate`, `EmpiricalYouden` and the simulation (which needs both at once).
enum ClassMerge {
    /// Classes sorted ascending and non-empty. The Youden search runs when `tied` is given (room
    /// for n₁ + n₀ + 1 thresholds): the thresholds tied at the best K so far are kept there, and
    /// the list restarts when K improves.
    ///
    /// V10(xᵢ) = [#(y < xᵢ) + ½ #(y = xᵢ)] / n₀ and V01(yⱼ) = [#(x > yⱼ) + ½ #(x = yⱼ)] / n₁ are
    /// added one score at a time in increasing order. The thresholds are pROC's: midpoints
    /// between consecutive distinct scores, and +∞; K = tp·n₀ + tn·n₁ at each, compared exactly.
    @inline(__always)
    static func run(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>,
                    tied: UnsafeMutablePointer<Double>?) -> (AUCEstimate, (cutoff: Double, youden: Double, ties: Int)?) {
        let n1 = x.count, n0 = y.count
        let dn1 = Double(n1), dn0 = Double(n0)
        var sum10 = 0.0, sumsq10 = 0.0, sum01 = 0.0, sumsq01 = 0.0
        var best = n1 * n0, ties = 0          // K at −∞ (all test-positive): J = 0
        var i = 0, j = 0
        while i < n1 || j < n0 {
            let v = i < n1 ? (j < n0 ? min(x[i], y[j]) : x[i]) : y[j]
            let i0 = i, j0 = j
            while i < n1 && x[i] == v { i += 1 }
            while j < n0 && y[j] == v { j += 1 }
            if i > i0 {
                let p = (Double(j0) + 0.5 * Double(j - j0)) / dn0
                for _ in i0..<i { sum10 += p; sumsq10 += p * p }
            }
            if j > j0 {
                let p = (Double(n1 - i) + 0.5 * Double(i - i0)) / dn1
                for _ in j0..<j { sum01 += p; sumsq01 += p * p }
            }
            if let tied {
                let k = (n1 - i) * n0 + j * n1
                if k >= best {
                    let next: Double
                    if i < n1 { next = j < n0 ? min(x[i], y[j]) : x[i] } else if j < n0 { next = y[j] } else { next = .infinity }
                    let t = next.isFinite ? (v + next) / 2 : .infinity
                    if k > best { best = k; tied[0] = t; ties = 1 } else { tied[ties] = t; ties += 1 }
                }
            }
        }
        let auc = AUCEstimate(n1: n1, n0: n0, sum10: sum10, sumsq10: sumsq10, sum01: sum01, sumsq01: sumsq01)
        guard let tied, best > n1 * n0, ties > 0 else { return (auc, nil) }
        return (auc, (tied[(ties - 1) / 2], Double(best) / Double(n1 * n0) - 1, ties))
    }
}
