import VBQCore
/// One merge of the two sorted classes that gives both the AUC with DeLong's placement values
/// and the empirical Youden search: the one pass behind `AUCEstimate`, `EmpiricalYouden` and
/// the simulation (which needs both at once).
///
/// The placement values V10(xᵢ) = [#(y < xᵢ) + ½ #(y = xᵢ)] / n₀ and V01(yⱼ) = [#(x > yⱼ) +
/// ½ #(x = yⱼ)] / n₁ are summed as exact integers (in halves), so the AUC is the Mann–Whitney
/// count divided once. The thresholds are pROC's: midpoints between consecutive distinct
/// scores, and +∞; K = tp·n₀ + tn·n₁ at each is compared exactly. The merge goes over groups of
/// equal scores (a group of one score when no score occurs twice). The simulation's joint sort
/// (`JointSortSums`) computes the same sums in C while it sorts; this merge is for classes sorted
/// alone (ties, a joint sort that gave up, a dataset) and for the AUC of any two samples.
package enum ClassMerge {
    package typealias Youden = (cutoff: Double, youden: Double, ties: Int)

    /// Room `tied` needs for classes of n₁ and n₀ scores.
    package static func tiedCapacity(_ n1: Int, _ n0: Int) -> Int { 3 * (n1 + n0 + 1) }

    /// Classes sorted ascending and non-empty. The Youden search runs when `tied` is given (room
    /// for `tiedCapacity`); afterwards its first `ties` entries are the tied optimal thresholds,
    /// ascending.
    package static func run(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>,
                            tied: UnsafeMutablePointer<Double>?) -> (AUCEstimate, Youden?) {
        let n1 = x.count, n0 = y.count
        var s10: UInt64 = 0, q10: UInt64 = 0, s01: UInt64 = 0, q01: UInt64 = 0
        var best = n1 &* n0, ties = 0
        var i = 0, j = 0
        while i < n1 || j < n0 {
            let v = i < n1 ? (j < n0 ? min(x[i], y[j]) : x[i]) : y[j]
            let i0 = i, j0 = j
            while i < n1 && x[i] == v { i &+= 1 }
            while j < n0 && y[j] == v { j &+= 1 }
            let ex = UInt64(i &- i0), ey = UInt64(j &- j0)
            if ex > 0 {
                let t = 2 &* UInt64(j0) &+ ey
                s10 &+= ex &* t; q10 &+= ex &* t &* t
            }
            if ey > 0 {
                let t = 2 &* UInt64(n1 &- i) &+ ex
                s01 &+= ey &* t; q01 &+= ey &* t &* t
            }
            if let tied {
                let k = (n1 &- i) &* n0 &+ j &* n1
                if k >= best {
                    if k > best { best = k; ties = 0 }
                    tied[3 &* ties] = v; tied[3 &* ties &+ 1] = Double(i); tied[3 &* ties &+ 2] = Double(j)
                    ties &+= 1
                }
            }
        }
        return finish(x, y, tied: tied, s10, q10, s01, q01, best: best, ties: ties)
    }

    /// The AUC, and the tied thresholds turned from (score, i, j after it) into midpoints to the
    /// next score (+∞ after the last), written to the front of `tied`.
    @inline(__always)
    package static func finish(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>, tied: UnsafeMutablePointer<Double>?,
                       _ s10: UInt64, _ q10: UInt64, _ s01: UInt64, _ q01: UInt64, best: Int, ties: Int) -> (AUCEstimate, Youden?) {
        let n1 = x.count, n0 = y.count
        let auc = AUCEstimate(n1: n1, n0: n0, halves10: s10, squares10: q10, halves01: s01, squares01: q01)
        guard let tied, best > n1 * n0, ties > 0 else { return (auc, nil) }
        for t in 0..<ties {
            let v = tied[3 * t], i = Int(tied[3 * t + 1]), j = Int(tied[3 * t + 2])
            let next: Double
            if i < n1 { next = j < n0 ? min(x[i], y[j]) : x[i] } else if j < n0 { next = y[j] } else { next = .infinity }
            tied[t] = next.isFinite ? (v + next) / 2 : .infinity
        }
        return (auc, (tied[(ties - 1) / 2], Double(best) / Double(n1 * n0) - 1, ties))
    }
}
