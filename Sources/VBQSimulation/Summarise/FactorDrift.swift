import VBQCore
import VBQEstimate
import VBQModel

/// The one rule every headline follows: a simulated difference is a finding only when it lies
/// more than `standardErrors` of its own Monte Carlo (or numerical) standard error from zero.
/// Within that, a report says "no shift beyond Monte Carlo error", never a direction or a rank.
public enum MonteCarloRule {
    public static let standardErrors = 2.0

    /// The smallest change of c* a report ranks or heads with: c* is printed to three decimals,
    /// and a change below 0.001, however precisely the truths are known, is not one a study
    /// could act on (it is a small fraction of any cohort's sampling SD).
    public static let smallestShift = 0.001

    public static func resolves(_ value: Double, error: Double) -> Bool {
        resolves(value, error: error, comparisons: 1)
    }

    /// The same rule for the largest of `comparisons` differences: the bound widens to the
    /// Bonferroni z of that many two-sided comparisons at 5% (never below `standardErrors`), so
    /// that picking the largest of many does not turn noise into a headline.
    public static func resolves(_ value: Double, error: Double, comparisons: Int) -> Bool {
        value.isFinite && abs(value) > bound(comparisons: comparisons) * (error.isFinite ? error : .infinity)
    }

    public static func bound(comparisons: Int) -> Double {
        max(standardErrors, Numerics.phiInverse(1 - 0.025 / Double(max(1, comparisons))))
    }

    /// The standard error of c*(a) − c*(b) for two truths computed apart.
    public static func differenceError(_ a: Truth, _ b: Truth) -> Double {
        (a.cutoffError * a.cutoffError + b.cutoffError * b.cutoffError).squareRoot()
    }
    /// The same for two criterion targets.
    public static func differenceError(_ a: CriterionTarget, _ b: CriterionTarget) -> Double {
        (a.error * a.error + b.error * b.error).squareRoot()
    }
}

/// Would a second study see a drift? Counted on the simulated cohorts themselves: two
/// independent studies, one in each of two cells, each report their cutoff, and a two-sided
/// z-test at 5% with each cutoff's sampling SD (as a study with a bootstrap SE would do, here
/// with the SD known) calls them different. `probability` is how often it does across the two
/// cells; `level` how often it does when both studies come from the same cell — the test's
/// actual false-alarm rate, which is 5% only when ĉ is close to normal.
public struct TwoStudyCheck: Sendable {
    public let probability: Proportion
    public let level: Proportion

    /// Cohorts of `cell` against cohorts of `partner` (cohort r against cohort r + R/2, so common
    /// random numbers never pair a cohort with its twin), and `partner` against itself.
    init?(_ table: ReplicateTable, method: EstimationMethod, cell: Int, partner: Int, summaries: [CellSummary]) {
        guard let col = table.layout.column(.method(method, .cutoff)),
              let sa = summaries[partner].method(method)?.cutoff, let sb = summaries[cell].method(method)?.cutoff else { return nil }
        let a = table.column(col, cell: partner), b = table.column(col, cell: cell)
        let p = TwoStudy.simulated(a, b, sd1: sa.sd, sd2: sb.sd), l = TwoStudy.simulated(a, a, sd1: sa.sd, sd2: sa.sd)
        guard p.n > 1, l.n > 1 else { return nil }
        probability = p
        level = l
    }

    /// Whether the cross-cell probability exceeds the level by more than Monte Carlo error.
    public var exceedsLevel: Bool {
        MonteCarloRule.resolves(probability.value - level.value,
                                error: (probability.mcse * probability.mcse + level.mcse * level.mcse).squareRoot())
    }
}

/// Which cells produced the same numbers. Every cell's truth, and with common random numbers (the
/// default `streams: common`) every cell's cohorts, are drawn from the same random numbers, so
/// two cells agree in their truth and in every cohort's every value only when the factors between
/// them change no simulated value (the CSF level factors when no CSF is measured at L2 or L4):
/// there a factor's effect is 0 by construction, not an estimate. (With independent streams no
/// two cells agree, and such an effect is reported as an estimate within its error.)
public enum SameNumbers {
    /// The weights of a signed sum of cells' c*, Σ wᵢ·c*(cellᵢ), per class of cells with the same
    /// numbers: such cells are one estimate, so their weights add (a cell shared by two
    /// differences cancels instead of counting twice). `same`: from `classes`.
    public static func weights(_ terms: [(cell: Int, weight: Double)], same: [Int]) -> [Int: Double] {
        var weight: [Int: Double] = [:]
        for t in terms { weight[same[t.cell], default: 0] += t.weight }
        return weight
    }

    /// The SE of that sum, from each class's weight and its cell's SE of c* (`errors`).
    public static func error(_ weights: [Int: Double], errors: [Double]) -> Double {
        weights.map { c, w in w * w * errors[c] * errors[c] }.reduce(0, +).squareRoot()
    }

    /// Per cell, the index of the first cell with the same numbers (itself if none).
    public static func classes(summaries: [CellSummary], table: ReplicateTable) -> [Int] {
        func same(_ a: Truth, _ b: Truth) -> Bool {
            a.cutoff == b.cutoff && a.auc == b.auc && a.prevalence == b.prevalence && a.cutoffError == b.cutoffError
        }
        var out = Array(summaries.indices)
        var columns: [Int: [[UInt64]]] = [:]
        func values(_ c: Int) -> [[UInt64]] {
            if let v = columns[c] { return v }
            let v = table.layout.columns.indices.map { table.column($0, cell: c).map(\.bitPattern) }
            columns[c] = v
            return v
        }
        for c in summaries.indices {
            for e in 0..<c where out[e] == e && same(summaries[c].truth, summaries[e].truth) && values(c) == values(e) {
                out[c] = e
                break
            }
        }
        return out
    }
}

/// How far each `vary` factor moves the cutoff. A factor's effect is measured wherever the design
/// lets it be: each cell where the factor is off its reference level, against its partner — the
/// same cell with this factor at its reference level. A factor that does nothing at the reference
/// protocol (the 1.5 T signal factor when no scan is at 1.5 T) is ranked by where it acts.
public struct FactorDrift: Sendable {
    public struct Level: Sendable {
        public let level: String
        public let isReference: Bool
        /// Index into the summaries of the cell at this level with every other factor at its reference level.
        public let cell: Int
        /// c* moved only along a grid of rounded scores: in this cell the reference's c* classifies
        /// every patient exactly as this cell's c* does (the same true sensitivity and
        /// specificity), so the change of threshold is no change of the test.
        public let thresholdArtefact: Bool
    }

    /// One cell against its partner (the same levels but this factor's reference level).
    public struct Contrast: Sendable {
        public let cell: Int
        public let partner: Int
        /// This factor's level in `cell`.
        public let level: String
        /// c*(cell) − c*(partner) (0 when it only moves a threshold between rounded scores), and
        /// the standard error of that difference.
        public let shift: Double
        public let error: Double
        public let thresholdArtefact: Bool
        /// The two cells produced the same numbers (`SameNumbers`): the factor changes no simulated
        /// value here, so its effect is 0 by construction, with no Monte Carlo error.
        public let identical: Bool
        /// Two cells with follow-up and cohorts of one size have the same population and so the
        /// same truth, computed alike: the factor changes only how studies analyse their cohorts
        /// (the handling of censored follow-up), so their Δc\* is 0 by construction, though their
        /// cohorts' analyses differ.
        public let sameTarget: Bool
        /// Whether the partner is the reference cell (the other factors at their reference levels).
        public let atReference: Bool
        /// The two-study check between the cell and its partner, for the report's method.
        public let twoStudy: TwoStudyCheck?
        /// How many contrasts this one was the largest of (1 for a single contrast).
        public internal(set) var comparisons = 1
        public var isResolved: Bool { MonteCarloRule.resolves(shift, error: error, comparisons: comparisons) }
        /// Beyond Monte Carlo error and at least `MonteCarloRule.smallestShift`: ranked and told.
        public var isFinding: Bool { isResolved && abs(shift) >= MonteCarloRule.smallestShift }
    }

    /// Whether `cell`'s c* differs from `reference`'s only as a threshold between the same two
    /// possible (rounded) scores: the true J of the reference's c* in this cell is exactly this
    /// cell's J*.
    public static func isThresholdArtefact(_ cell: Truth, reference: Truth) -> Bool {
        guard cell.cutoff != reference.cutoff else { return false }
        return cell.sensitivity(at: reference.cutoff) == cell.sensitivity(at: cell.cutoff)
            && cell.specificity(at: reference.cutoff) == cell.specificity(at: cell.cutoff)
    }

    public let factor: String
    /// The factor's index among the scenario's factors.
    public let index: Int
    public let levels: [Level]
    /// The largest |shift| with every other factor at its reference level.
    public let atReference: Contrast
    /// The largest |shift| over every contrast the design holds, judged by the rule for the largest
    /// of that many (`MonteCarloRule`); the same as `atReference` when the factor acts alike everywhere.
    public let largest: Contrast
    /// Every contrast the design holds, in cell order.
    public let contrasts: [Contrast]

    /// The method whose drift is ranked and drawn: empirical when the reference cell runs it,
    /// else its first.
    public static func primaryMethod(_ design: Design) -> EstimationMethod {
        let ms = design.reference.model.methods
        return ms.contains(.empirical) ? .empirical : ms[0]
    }

    /// One entry per factor that has single-factor contrasts in the design: factors with an effect
    /// beyond Monte Carlo error first, by their largest |shift|, then the others by theirs.
    public static func rank(design: Design, summaries: [CellSummary], table: ReplicateTable, same: [Int]) -> [FactorDrift] {
        let scenario = design.scenario
        let ref = scenario.referenceLevels
        let method = primaryMethod(design)
        var out: [FactorDrift] = []
        for (f, factor) in scenario.factors.enumerated() {
            var cells: [(label: String, isReference: Bool, cell: Int)] = []
            for l in factor.levels.indices {
                var target = ref
                target[f] = l
                guard let c = scenario.cellLevels.firstIndex(of: target) else { continue }
                cells.append((factor.labels[l], l == ref[f], c))
            }
            guard cells.count > 1, let refCell = cells.first(where: \.isReference)?.cell else { continue }
            let levels = cells.map { lv in
                Level(level: lv.label, isReference: lv.isReference, cell: lv.cell,
                      thresholdArtefact: isThresholdArtefact(summaries[lv.cell].truth, reference: summaries[refCell].truth))
            }
            var contrasts: [Contrast] = []
            for (c, cell) in scenario.cellLevels.enumerated() where cell[f] != ref[f] {
                var partnerLevels = cell
                partnerLevels[f] = ref[f]
                guard let p = scenario.cellLevels.firstIndex(of: partnerLevels) else { continue }
                let t = summaries[c].truth, pt = summaries[p].truth
                let artefact = isThresholdArtefact(t, reference: pt)
                let identical = same[c] == same[p]
                // Cells with follow-up of the same size whose truths are equal: they differ only in
                // what the studies do with censored patients.
                let (mc, mp) = (design.cells[c].model, design.cells[p].model)
                let sameTarget = !identical && mc.followUp != nil && mp.followUp != nil && mc.cohort.size == mp.cohort.size
                    && t.cutoff == pt.cutoff && t.cutoffError == pt.cutoffError && t.auc == pt.auc
                    && t.youdenJ == pt.youdenJ && t.prevalence == pt.prevalence
                contrasts.append(Contrast(cell: c, partner: p, level: factor.labels[cell[f]],
                                          shift: artefact || identical ? 0 : t.cutoff - pt.cutoff,
                                          error: identical || sameTarget ? 0 : MonteCarloRule.differenceError(t, pt),
                                          thresholdArtefact: artefact, identical: identical, sameTarget: sameTarget, atReference: partnerLevels == ref,
                                          twoStudy: identical ? nil : TwoStudyCheck(table, method: method, cell: c, partner: p, summaries: summaries)))
            }
            // The largest |shift| (among equals, the earlier cell), judged as the largest of them all.
            func largest(_ cs: [Contrast]) -> Contrast? {
                guard var top = cs.enumerated().max(by: { a, b in
                    abs(a.element.shift) != abs(b.element.shift) ? abs(a.element.shift) < abs(b.element.shift) : a.offset > b.offset
                })?.element else { return nil }
                top.comparisons = cs.count
                return top
            }
            guard let atRef = largest(contrasts.filter(\.atReference)), let top = largest(contrasts) else { continue }
            out.append(FactorDrift(factor: factor.path, index: f, levels: levels, atReference: atRef, largest: top, contrasts: contrasts))
        }
        return out.enumerated().sorted { a, b in
            let x = a.element.largest, y = b.element.largest
            if x.isFinding != y.isFinding { return x.isFinding }
            if abs(x.shift) != abs(y.shift) { return abs(x.shift) > abs(y.shift) }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// How far two factors together move c* beyond the sum of their separate effects:
/// c*(a, b) − c*(a, ref) − c*(ref, b) + c*(ref, ref), each other factor at its reference level.
public struct Interaction: Sendable {
    /// The two factors' indices and their (non-reference) level indices.
    public let first: (factor: Int, level: Int)
    public let second: (factor: Int, level: Int)
    public let value: Double
    public let error: Double
    /// How many interactions the design holds (the largest is judged as the largest of them).
    public internal(set) var comparisons = 1
    public var isResolved: Bool { MonteCarloRule.resolves(value, error: error, comparisons: comparisons) }
    /// Beyond Monte Carlo error and at least `MonteCarloRule.smallestShift`.
    public var isFinding: Bool { isResolved && abs(value) >= MonteCarloRule.smallestShift }

    /// Every pair of factors and levels the design holds, largest |value| first, and how many
    /// combinations were left out because c* there is a threshold on a grid of rounded scores
    /// (a difference of thresholds need not be a difference of the test).
    public static func all(design: Design, summaries: [CellSummary], same: [Int]) -> (found: [Interaction], skipped: Int) {
        let sc = design.scenario
        let ref = sc.referenceLevels
        func cell(_ levels: [Int]) -> Int? { sc.cellLevels.firstIndex(of: levels) }
        guard let c00 = cell(ref) else { return ([], 0) }
        var found: [Interaction] = [], skipped = 0
        for f in sc.factors.indices {
            for g in sc.factors.indices where g > f {
                for a in sc.factors[f].levels.indices where a != ref[f] {
                    for b in sc.factors[g].levels.indices where b != ref[g] {
                        var lab = ref; lab[f] = a; lab[g] = b
                        var la = ref; la[f] = a
                        var lb = ref; lb[g] = b
                        guard let cab = cell(lab), let ca = cell(la), let cb = cell(lb) else { continue }
                        let tab = summaries[cab].truth, ta = summaries[ca].truth, tb = summaries[cb].truth, t00 = summaries[c00].truth
                        if [(tab, ta), (tab, tb), (ta, t00), (tb, t00)].contains(where: { FactorDrift.isThresholdArtefact($0.0, reference: $0.1) }) {
                            skipped += 1
                            continue
                        }
                        // Cells with the same numbers are one estimate: their signs add before the
                        // errors do, and an interaction whose terms cancel that way is 0 by
                        // construction (one of the factors changes nothing in either pair).
                        let weights = SameNumbers.weights([(cab, 1), (ca, -1), (cb, -1), (c00, 1)], same: same)
                        guard weights.values.contains(where: { $0 != 0 }) else { continue }
                        let error = SameNumbers.error(weights, errors: summaries.map(\.truth.cutoffError))
                        found.append(Interaction(first: (f, a), second: (g, b), value: tab.cutoff - ta.cutoff - tb.cutoff + t00.cutoff, error: error))
                    }
                }
            }
        }
        for i in found.indices { found[i].comparisons = found.count }
        return (found.enumerated().sorted { abs($0.element.value) != abs($1.element.value) ? abs($0.element.value) > abs($1.element.value) : $0.offset < $1.offset }.map(\.element), skipped)
    }
}
