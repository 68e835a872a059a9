/// The Kaplan–Meier (product-limit) estimate of P(T > t) from censored follow-up. At a time with
/// both events and censorings, the events come first (the censored are still at risk for them),
/// as in R's `survival::survfit`.
public enum KaplanMeier {
    /// One step of the curve: the survival just after `time`.
    public struct Step: Sendable, Equatable {
        public let time: Double
        public let survival: Double
        /// Followed to this time or beyond (at risk just before it).
        public let atRisk: Int
        public let events: Int
        public let censored: Int
    }

    /// The curve's steps, one per distinct time with an event or a censoring, ascending.
    public static func curve(times: [Double], events: [Bool]) -> [Step] {
        let order = times.indices.sorted { times[$0] < times[$1] }
        var steps: [Step] = []
        var atRisk = times.count, s = 1.0, k = 0
        while k < order.count {
            let t = times[order[k]]
            var d = 0, c = 0
            while k < order.count && times[order[k]] == t { if events[order[k]] { d += 1 } else { c += 1 }; k += 1 }
            s *= 1 - Double(d) / Double(atRisk)
            steps.append(Step(time: t, survival: s, atRisk: atRisk, events: d, censored: c))
            atRisk -= d + c
        }
        return steps
    }

    /// Ŝ(t): the product over event times up to t of (1 − events / at risk); 1 before the first.
    public static func survival(times: [Double], events: [Bool], at t: Double) -> Double {
        curve(times: times, events: events).last { $0.time <= t }?.survival ?? 1
    }
}

/// The cumulative/dynamic time-dependent ROC at a horizon t (Heagerty, Lumley & Pepe 2000):
/// a case failed by t, a control is still free of failure at t, and a higher score means higher
/// risk. Patients censored before t without failing are neither, and the two estimators differ
/// in how they use them:
///
/// - **Kaplan–Meier** (Heagerty et al.'s estimator): Se(c) = [1 − Ŝ(t | X > c)]·P̂(X > c) / [1 − Ŝ(t)]
///   and Sp(c) = Ŝ(t | X ≤ c)·P̂(X ≤ c) / Ŝ(t), each Ŝ the Kaplan–Meier estimate among the patients
///   named. It is computed as Efron's redistribution to the right: within a group, every patient
///   starts with mass 1, and a censored patient's mass is shared equally by those followed beyond
///   it; the mass of the group's failures by t is then n·F̂(t) and the mass beyond t is n·Ŝ(t).
///   Se(c) is the failed mass among X > c over the failed mass of everyone, Sp(c) the mass beyond t
///   among X ≤ c over everyone's. Each threshold uses all n patients. Heagerty et al. note that
///   this estimator need not be monotone in c; it is reported as it is.
/// - **Inverse probability of censoring weights** (Uno et al. 2007; `timeROC`'s "marginal"
///   weights): a failure by t weighs 1/Ĝ(Tᵢ−) and a patient followed beyond t weighs 1/Ĝ(t), Ĝ
///   the Kaplan–Meier estimate of the censoring distribution (a failure at a censoring's time is
///   at risk of that censoring, as when `survfit` is run on 1 − status). Se(c) is the weighted
///   share of failures by t with X > c, Sp(c) the weighted share of patients followed beyond t with
///   X ≤ c (their weights are equal), and the weighted share of failures among both estimates
///   the share failed by t. Patients censored before t count only through Ĝ.
///
/// Thresholds are pROC's, over the patients that count (everyone for Kaplan–Meier, the failures
/// by t and those followed beyond it for the weights): −∞, the midpoints between consecutive
/// distinct scores, and +∞. The AUC(t) is the area under these points by the trapezoid rule
/// (for the weights, Uno's concordance with ties counting ½). With nobody censored by t, every
/// mass and weight is 1, each sum an exact integer, and the curve, its AUC and its Youden cutoff
/// are bit for bit those of the two-class analysis of "failed by t" against "not failed by t".
public struct TimeDependentROC: Sendable {
    public enum Method: String, Sendable, CaseIterable {
        case kaplanMeier = "km"
        case ipcw
    }

    public let horizon: Double
    public let method: Method
    /// Ascending: −∞, midpoints, +∞.
    public let thresholds: [Double]
    /// At each threshold: the cases' mass (or weight) above it and the controls' at or below it.
    public let caseMass: [Double]
    public let controlMass: [Double]
    /// The cases' and the controls' whole mass: for Kaplan–Meier n·F̂(t) and n·Ŝ(t).
    public let totalCaseMass: Double
    public let totalControlMass: Double
    /// Patients who failed by t, and who were followed beyond it, as observed.
    public let observedCases: Int
    public let observedControls: Int
    public let auc: Double

    public func sensitivity(_ k: Int) -> Double { caseMass[k] / totalCaseMass }
    public func specificity(_ k: Int) -> Double { controlMass[k] / totalControlMass }
    /// The estimated share failed by t: F̂(t) for Kaplan–Meier, the weighted share for the weights.
    public var failedShare: Double { totalCaseMass / (totalCaseMass + totalControlMass) }

    /// Nil when there is no case or no control mass at t (every patient's failure comes after t,
    /// or everyone has failed or been censored by it).
    public init?(scores: [Double], times: [Double], events: [Bool], horizon t: Double, method: Method) {
        precondition(scores.count == times.count && times.count == events.count)
        let n = scores.count
        horizon = t
        self.method = method
        let byTime = (0..<n).sorted { times[$0] < times[$1] }
        var isCase = [Bool](repeating: false, count: n), isControl = isCase
        for i in 0..<n {
            if times[i] > t { isControl[i] = true } else if events[i] { isCase[i] = true }
        }
        observedCases = isCase.lazy.filter { $0 }.count
        observedControls = isControl.lazy.filter { $0 }.count
        let counted = method == .kaplanMeier ? Array(0..<n) : (0..<n).filter { isCase[$0] || isControl[$0] }
        let byScore = counted.sorted { scores[$0] < scores[$1] }
        // Distinct scores ascending, each with its patients.
        var groups: [(score: Double, members: ArraySlice<Int>)] = []
        var k = 0
        while k < byScore.count {
            let start = k, v = scores[byScore[k]]
            while k < byScore.count && scores[byScore[k]] == v { k += 1 }
            groups.append((v, byScore[start..<k]))
        }
        var thresholds: [Double] = [-.infinity]
        for g in 0..<groups.count {
            thresholds.append(g + 1 < groups.count ? (groups[g].score + groups[g + 1].score) / 2 : .infinity)
        }
        if groups.isEmpty { thresholds.append(.infinity) }
        var above: [Double] = [], atOrBelow: [Double] = []
        switch method {
        case .kaplanMeier:
            // Patient i lies above threshold k when its score group is at least k.
            var group = [Int](repeating: 0, count: n)
            for (g, members) in groups.enumerated() { for i in members.members { group[i] = g } }
            for k in 0..<thresholds.count {
                above.append(Self.redistributed(byTime, times: times, events: events, horizon: t) { group[$0] >= k }.failed)
                atOrBelow.append(Self.redistributed(byTime, times: times, events: events, horizon: t) { group[$0] < k }.surviving)
            }
        case .ipcw:
            // Ĝ(s−) for each failure by t, and the controls' common weight (which cancels).
            var weight = [Double](repeating: 0, count: n)
            var g = 1.0, atRisk = n, i = 0, gAtHorizon = 1.0
            while i < n {
                let s = times[byTime[i]]
                var c = 0, j = i
                while j < n && times[byTime[j]] == s { if !events[byTime[j]] { c += 1 }; j += 1 }
                for m in i..<j where isCase[byTime[m]] { weight[byTime[m]] = 1 / g }
                g *= 1 - Double(c) / Double(atRisk)
                if s <= t { gAtHorizon = g }
                atRisk -= j - i
                i = j
            }
            // The controls' common weight 1/Ĝ(t) cancels in the specificity, but not in the
            // estimated share failed by t.
            for p in 0..<n where isControl[p] { weight[p] = 1 / gAtHorizon }
            var caseTotal = 0.0
            for p in 0..<n where isCase[p] { caseTotal += weight[p] }
            var casesBelow = 0.0, controlsBelow = 0.0
            above.append(caseTotal); atOrBelow.append(0)
            for members in groups {
                for p in members.members {
                    if isCase[p] { casesBelow += weight[p] } else { controlsBelow += weight[p] }
                }
                above.append(caseTotal - casesBelow); atOrBelow.append(controlsBelow)
            }
            // With no censoring the subtraction is of exact integers; the last point is exactly 0.
            above[above.count - 1] = 0
        }
        guard let a = above.first, let b = atOrBelow.last, a > 0, b > 0 else { return nil }
        self.thresholds = thresholds
        caseMass = above; controlMass = atOrBelow
        totalCaseMass = a; totalControlMass = b
        var area = 0.0
        for k in 0..<(thresholds.count - 1) { area += (above[k] - above[k + 1]) * (atOrBelow[k] + atOrBelow[k + 1]) }
        auc = area / (2 * b * a)
    }

    /// The failed mass by the horizon and the mass beyond it of the patients `member` picks, by
    /// Efron's redistribution to the right (see the type's comment). A censored patient with
    /// nobody followed beyond it keeps its mass, counted beyond the horizon, as the Kaplan–Meier
    /// curve stays at its last value.
    package static func redistributed(_ byTime: [Int], times: [Double], events: [Bool], horizon t: Double,
                              member: (Int) -> Bool) -> (failed: Double, surviving: Double) {
        var remaining = 0
        for i in byTime where member(i) { remaining += 1 }
        var w = 1.0, failed = 0.0, kept = 0.0, k = 0
        while k < byTime.count {
            let s = times[byTime[k]]
            if s > t { break }
            var d = 0, c = 0
            while k < byTime.count && times[byTime[k]] == s {
                let i = byTime[k]
                if member(i) { if events[i] { d += 1 } else { c += 1 } }
                k += 1
            }
            failed += Double(d) * w
            remaining -= d + c
            if c > 0 {
                if remaining > 0 { w *= Double(remaining + c) / Double(remaining) } else { kept += Double(c) * w }
            }
        }
        return (failed, Double(remaining) * w + kept)
    }

    /// The Youden cutoff on this curve, by the two-class search's rule (J values within 10⁻¹⁴
    /// tie; the lower median of the tied thresholds), with J, the number of tied thresholds and
    /// the curve's sensitivity and specificity there. Nil, as for `EmpiricalYouden`, when no
    /// threshold gives J > 0 or the best is at ±∞.
    public func youden() -> (cutoff: Double, j: Double, ties: Int, sensitivity: Double, specificity: Double)? {
        var search = CriterionSearch.Accumulator(criterion: YoudenCriterion.self, parameters: .defaults)
        for k in thresholds.indices {
            search.consider(thresholds[k], OperatingPoint(se: sensitivity(k), sp: specificity(k), prevalence: failedShare, auc: auc))
        }
        let found = search.found
        guard found.cutoff.isFinite, let k = thresholds.firstIndex(of: found.cutoff) else { return nil }
        let se = sensitivity(k), sp = specificity(k)
        guard se + sp - 1 > 0 else { return nil }
        return (found.cutoff, se + sp - 1, found.thresholds.count, se, sp)
    }
}
