import VBQCore
import VBQEstimate
import VBQModel
/// The one analysis of a cohort in production: a worker's buffers for one cohort at a time —
/// the two classes, sort scratch, tied thresholds — sorted together in one pass that also gives
/// the AUC, its DeLong SE and the Youden search, then each estimator on that pass. A run writes
/// the result straight into a compact record (`analyse(into:)`); power, `--against` and
/// `analyze` take it as a `CohortAnalysis` value (`analysis`). Nothing is allocated per cohort
/// once the buffers have grown to the largest cohort. The test-support target keeps the plain
/// implementation (each class sorted alone, the Mann–Whitney AUC and each estimator's own
/// search) that this is checked against bit for bit.
package struct CohortRecorder {
    package var events: [Double] = []
    package var nonEvents: [Double] = []
    private var scratch: [UInt64] = []
    private var tied: [Double] = []
    private(set) var rocNumerators = [Int32](repeating: 0, count: ReplicateTable.rocGrid.count)
    /// `ReplicateTable.rocAllowed` for the last number of non-events seen.
    private var rocAllowed: [Int32] = []
    private var rocAllowedFor = -1

    package init() {
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
    package mutating func sortClasses() {
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

    /// Every value of a record absent (NaN values, −1 counts) but its acceptance rate, before an
    /// analysis fills in what it finds: methods and fixed cutoffs a cell does not use, and the
    /// weighted values of a two-class cohort, stay so.
    private static func clear(_ r: Record, _ rl: RecordLayout, acceptance: Double) {
        r.set(RecordLayout.acceptance, acceptance)
        r.set(RecordLayout.auc, Double.nan)
        r.set(RecordLayout.aucSE, Double.nan)
        for mi in 0..<rl.methods.count {
            r.set(rl.cutoff[mi], Double.nan)
            r.set(rl.trueSensitivity[mi], Double.nan)
            r.set(rl.trueSpecificity[mi], Double.nan)
            if let a = rl.methodAUC[mi] { r.set(a, Double.nan) }
            if !rl.weightedSensitivity.isEmpty {
                r.set(rl.weightedSensitivity[mi], Double.nan)
                r.set(rl.weightedSpecificity[mi], Double.nan)
            }
            r.set(rl.tp[mi], -1); r.set(rl.tn[mi], -1)
            if let t = rl.ties[mi] { r.set(t, -1) }
        }
        if let share = rl.failedShare { r.set(share, Double.nan) }
        for fi in 0..<rl.fixedCount { r.set(rl.fixedTP[fi], -1); r.set(rl.fixedTN[fi], -1) }
    }

    /// Analyses the sorted classes into `record`. Methods and fixed cutoffs the cell does not
    /// use stay absent (NaN cutoff, −1 counts). Returns false for a degenerate cohort.
    @discardableResult
    mutating func analyse(into r: Record, _ rl: RecordLayout, cell model: ModelSpec, layoutCutoffs: [Double],
                 truth: Truth, acceptance: Double, withROC: Bool) -> Bool {
        let n1 = events.count, n0 = nonEvents.count, merged = self.merged
        let need = ClassMerge.tiedCapacity(n1, n0)
        if tied.count < need { tied = [Double](repeating: 0, count: max(need, 2 * tied.count)) }
        Self.clear(r, rl, acceptance: acceptance)
        r.set(rl.nEvents, n1)
        r.set(rl.nNonEvents, n0)
        return events.withUnsafeBufferPointer { x in
            nonEvents.withUnsafeBufferPointer { y in
                tied.withUnsafeMutableBufferPointer { tiedBuffer in
                    let degenerate = CohortAnalysis.Degeneracy(positives: x, negatives: y)
                    r.base.storeBytes(of: UInt8(degenerate?.rawValue ?? 0), toByteOffset: rl.degenerate, as: UInt8.self)
                    guard degenerate == nil else { return false }
                    let pass = Self.jointPass(x, y, merged: merged, tied: tiedBuffer, methods: model.methods)
                    r.set(RecordLayout.auc, pass.auc.auc)
                    r.set(RecordLayout.aucSE, pass.auc.standardError)
                    for method in model.methods {
                        guard let mi = rl.methods.firstIndex(of: method) else { continue }
                        let e = method.estimator.estimate(positives: x, negatives: y, pass: pass, parameters: model.criteria)
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

    /// A cohort with follow-up, for a time-dependent cell: every patient's score, observed
    /// follow-up and whether the failure was observed.
    package var scores: [Double] = []
    package var times: [Double] = []
    package var observed: [Bool] = []

    /// Analyses `scores`, `times` and `observed` as the cumulative/dynamic time-dependent ROC at
    /// the cell's horizon (`TimeDependentROC`, by the cell's handling) into `record`: the AUC(t),
    /// and for the empirical method (the only one such a cell runs) the Youden cutoff with its
    /// weighted sensitivity and specificity and the estimated share failed by the horizon. The
    /// event and non-event counts are the failures observed by the horizon and the patients
    /// followed beyond it. Fixed cutoffs are not evaluated on the weighted curve (they stay
    /// absent). Returns false for a degenerate cohort.
    @discardableResult
    mutating func analyseTimeDependent(into r: Record, _ rl: RecordLayout, cell model: ModelSpec, truth: Truth, acceptance: Double) -> Bool {
        guard let m = model.followUp else { preconditionFailure("a time-dependent cell has follow-up") }
        Self.clear(r, rl, acceptance: acceptance)
        let t = m.horizonYears
        var cases = 0, controls = 0
        for i in times.indices { if times[i] > t { controls += 1 } else if observed[i] { cases += 1 } }
        r.set(rl.nEvents, cases)
        r.set(rl.nNonEvents, controls)
        let method: TimeDependentROC.Method = m.handling == .km ? .kaplanMeier : .ipcw
        var code: CohortAnalysis.Degeneracy? = nil
        if let low = scores.min(), low == scores.max() { code = .allTied }
        let roc = code == nil ? TimeDependentROC(scores: scores, times: times, events: observed, horizon: t, method: method) : nil
        if code == nil && roc == nil { code = cases == 0 ? .noEvents : .noNonEvents }
        r.base.storeBytes(of: UInt8(code?.rawValue ?? 0), toByteOffset: rl.degenerate, as: UInt8.self)
        guard let roc, let share = rl.failedShare else { return false }
        r.set(RecordLayout.auc, roc.auc)
        r.set(share, roc.failedShare)
        for method in model.methods {
            guard method == .empirical, let mi = rl.methods.firstIndex(of: method) else { continue }
            guard let y = roc.youden() else { continue }
            r.set(rl.cutoff[mi], y.cutoff)
            if let k = rl.ties[mi] { r.set(k, y.ties) }
            r.set(rl.weightedSensitivity[mi], y.sensitivity)
            r.set(rl.weightedSpecificity[mi], y.specificity)
            r.set(rl.trueSensitivity[mi], truth.sensitivity(at: y.cutoff))
            r.set(rl.trueSpecificity[mi], truth.specificity(at: y.cutoff))
        }
        return true
    }

    /// The AUC, its SE and (when a method uses it) the Youden search, from the sort's sums when
    /// the classes were sorted together, else from a merge of the sorted classes.
    private static func jointPass(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>, merged: JointSortSums?,
                                  tied: UnsafeMutableBufferPointer<Double>, methods: [EstimationMethod]) -> JointPass {
        let wantsYouden = methods.contains { $0.estimator.usesYoudenSearch }
        let (auc, youden): (AUCEstimate, ClassMerge.Youden?)
        if let m = merged {
            (auc, youden) = ClassMerge.finish(x, y, tied: wantsYouden ? tied.baseAddress! : nil,
                                              m.halves10, m.squares10, m.halves01, m.squares01,
                                              best: Int(m.best), ties: Int(m.ties))
        } else {
            (auc, youden) = ClassMerge.run(x, y, tied: wantsYouden ? tied.baseAddress! : nil)
        }
        return JointPass(auc: auc, searchedYouden: wantsYouden, youden: youden)
    }

    /// The sorted classes' analysis as a value: what `analyse(into:)` records, with each cutoff's
    /// 2×2 table and (given the truth) its true performance.
    package mutating func analysis(methods: [EstimationMethod], fixedCutoffs: [Double], truth: Truth? = nil,
                                   parameters: CriterionParameters = .defaults) -> CohortAnalysis {
        let n1 = events.count, n0 = nonEvents.count, merged = self.merged
        let need = ClassMerge.tiedCapacity(n1, n0)
        if tied.count < need { tied = [Double](repeating: 0, count: max(need, 2 * tied.count)) }
        return events.withUnsafeBufferPointer { x in
            nonEvents.withUnsafeBufferPointer { y in
                tied.withUnsafeMutableBufferPointer { tiedBuffer in
                    if let d = CohortAnalysis.Degeneracy(positives: x, negatives: y) {
                        return CohortAnalysis(nPositive: n1, nNegative: n0, degenerate: d, auc: nil, estimates: [], fixed: [])
                    }
                    let pass = Self.jointPass(x, y, merged: merged, tied: tiedBuffer, methods: methods)
                    return CohortAnalysis(nPositive: n1, nNegative: n0, degenerate: nil, auc: pass.auc,
                                          estimates: methods.map { CutoffEstimate(method: $0, positives: x, negatives: y, pass: pass, truth: truth, parameters: parameters) },
                                          fixed: fixedCutoffs.map { Confusion(cutoff: $0, positives: x, negatives: y) })
                }
            }
        }
    }

    /// The analysis of classes already sorted (a dataset's): the merge of the two gives the
    /// joint pass, as for a cohort whose classes the joint sort sorted alone.
    package mutating func analysis(sortedEvents e: [Double], sortedNonEvents n: [Double], methods: [EstimationMethod],
                                   fixedCutoffs: [Double], parameters: CriterionParameters = .defaults) -> CohortAnalysis {
        events = e; nonEvents = n
        merged = nil
        return analysis(methods: methods, fixedCutoffs: fixedCutoffs, parameters: parameters)
    }
}
