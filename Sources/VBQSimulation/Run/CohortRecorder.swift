import VBQCore
import VBQEstimate
import VBQModel
/// A worker's buffers for one cohort at a time — the two classes, sort scratch, tied
/// thresholds — and the analysis written straight into a compact record. Nothing is allocated
/// per cohort once the buffers have grown to the largest cohort. The values written are the
/// ones `CohortAnalysis` computes (a test compares them on many cohorts, with ties).
struct CohortRecorder {
    var events: [Double] = []
    var nonEvents: [Double] = []
    private var scratch: [UInt64] = []
    private var tied: [Double] = []
    private(set) var rocNumerators = [Int32](repeating: 0, count: ReplicateTable.rocGrid.count)
    /// `ReplicateTable.rocAllowed` for the last number of non-events seen.
    private var rocAllowed: [Int32] = []
    private var rocAllowedFor = -1

    init() {
        events.reserveCapacity(2048)
        nonEvents.reserveCapacity(2048)
    }

    /// What sorting the two classes together gave (`JointSortSums.sort`): the merge's sums, or
    /// nil when the classes were sorted alone (ties, an empty class) and the merge must run.
    private var merged: JointSortSums?
    /// With `merged`: how many events lie below each non-event (the ROC band's numerators).
    private var eventsBelow: [Int32] = []

    /// Sorts both classes, together when it can (one radix sort over their joint order, whose
    /// single pass also yields what the AUC, the Youden search and the ROC band need). `analyse`
    /// reads what it found, so it must come next.
    mutating func sortClasses() {
        let n = events.count + nonEvents.count
        if scratch.count < 6 * n + 528 { scratch = [UInt64](repeating: 0, count: max(6 * n + 528, 2 * scratch.count)) }
        if eventsBelow.count < nonEvents.count + 1 { eventsBelow = [Int32](repeating: 0, count: max(nonEvents.count + 1, 2 * eventsBelow.count)) }
        let need = ClassMerge.tiedCapacity(events.count, nonEvents.count)
        if tied.count < need { tied = [Double](repeating: 0, count: max(need, 2 * tied.count)) }
        merged = scratch.withUnsafeMutableBufferPointer { s in
            tied.withUnsafeMutableBufferPointer { t in
                eventsBelow.withUnsafeMutableBufferPointer { b in
                    events.withUnsafeMutableBufferPointer { x in
                        nonEvents.withUnsafeMutableBufferPointer { y in
                            JointSortSums.sort(x, y, scratch: s.baseAddress!, tied: t.baseAddress, below: b.baseAddress)
                        }
                    }
                }
            }
        }
    }

    /// Analyses the sorted classes into `record`. Methods and fixed cutoffs the cell does not
    /// use stay absent (NaN cutoff, −1 counts). Returns false for a degenerate cohort.
    @discardableResult
    mutating func analyse(into r: Record, _ rl: RecordLayout, cell model: ModelSpec, layoutCutoffs: [Double],
                 truth: Truth, acceptance: Double, withROC: Bool) -> Bool {
        let n1 = events.count, n0 = nonEvents.count
        let need = ClassMerge.tiedCapacity(n1, n0)
        if tied.count < need { tied = [Double](repeating: 0, count: max(need, 2 * tied.count)) }
        r.set(RecordLayout.acceptance, acceptance)
        r.set(RecordLayout.auc, Double.nan)
        r.set(RecordLayout.aucSE, Double.nan)
        r.set(rl.nEvents, n1)
        r.set(rl.nNonEvents, n0)
        for mi in 0..<rl.methods.count {
            r.set(rl.cutoff[mi], Double.nan)
            r.set(rl.trueSensitivity[mi], Double.nan)
            r.set(rl.trueSpecificity[mi], Double.nan)
            if let a = rl.methodAUC[mi] { r.set(a, Double.nan) }
            r.set(rl.tp[mi], -1); r.set(rl.tn[mi], -1)
            if let t = rl.ties[mi] { r.set(t, -1) }
        }
        for fi in 0..<rl.fixedCount { r.set(rl.fixedTP[fi], -1); r.set(rl.fixedTN[fi], -1) }
        return events.withUnsafeBufferPointer { x in
            nonEvents.withUnsafeBufferPointer { y in
                tied.withUnsafeMutableBufferPointer { tiedBuffer in
                    var code: UInt8 = 0
                    if n1 == 0 { code = 1 } else if n0 == 0 { code = 2 }
                    else if min(x[0], y[0]) == max(x[n1 - 1], y[n0 - 1]) { code = 3 }
                    r.base.storeBytes(of: code, toByteOffset: rl.degenerate, as: UInt8.self)
                    guard code == 0 else { return false }
                    let wantsYouden = model.methods.contains { $0.estimator.usesYoudenSearch }
                    let (auc, youden): (AUCEstimate, ClassMerge.Youden?)
                    if let m = merged {
                        (auc, youden) = ClassMerge.finish(x, y, tied: wantsYouden ? tiedBuffer.baseAddress! : nil,
                                                          m.halves10, m.squares10, m.halves01, m.squares01,
                                                          best: Int(m.best), ties: Int(m.ties))
                    } else {
                        (auc, youden) = ClassMerge.run(x, y, tied: wantsYouden ? tiedBuffer.baseAddress! : nil)
                    }
                    r.set(RecordLayout.auc, auc.auc)
                    r.set(RecordLayout.aucSE, auc.standardError)
                    let pass = JointPass(auc: auc, searchedYouden: wantsYouden, youden: youden)
                    for method in model.methods {
                        guard let mi = rl.methods.firstIndex(of: method) else { continue }
                        let e = method.estimator.estimate(positives: x, negatives: y, pass: pass)
                        let c = e.cutoff
                        if e.failure == nil {
                            if let t = rl.ties[mi] { r.set(t, e.ties) }
                            if let a = rl.methodAUC[mi] { r.set(a, e.auc) }
                        }
                        guard c.isFinite else { continue }
                        r.set(rl.cutoff[mi], c)
                        r.set(rl.tp[mi], n1 - lowerBound(x, c))
                        r.set(rl.tn[mi], lowerBound(y, c))
                        r.set(rl.trueSensitivity[mi], truth.sensitivity(at: c))
                        r.set(rl.trueSpecificity[mi], truth.specificity(at: c))
                    }
                    for fc in model.fixedCutoffs {
                        guard let fi = layoutCutoffs.firstIndex(of: fc) else { continue }
                        r.set(rl.fixedTP[fi], n1 - lowerBound(x, fc))
                        r.set(rl.fixedTN[fi], lowerBound(y, fc))
                    }
                    if withROC {
                        if rocAllowedFor != n0 { rocAllowed = ReplicateTable.rocAllowed(negatives: n0); rocAllowedFor = n0 }
                        if merged != nil {
                            // Scores all distinct: the events above the (m+1)-th largest non-event
                            // are those not below it.
                            for k in 0..<rocAllowed.count {
                                let m = Int(rocAllowed[k])
                                rocNumerators[k] = m >= n0 ? Int32(n1) : Int32(n1) - eventsBelow[n0 - m - 1]
                            }
                        } else {
                            rocAllowed.withUnsafeBufferPointer { allowed in
                                rocNumerators.withUnsafeMutableBufferPointer {
                                    ReplicateTable.rocNumerators(positives: x, negatives: y, allowed: allowed, into: $0)
                                }
                            }
                        }
                    }
                    return true
                }
            }
        }
    }
}
