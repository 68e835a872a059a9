import VBQCore
import VBQEstimate
import VBQModel
/// How far each `vary` factor moves the cutoff: the cells that differ from the reference in
/// that factor alone (one-factor-at-a-time contrasts), level by level.
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

    /// Whether `cell`'s c* differs from `reference`'s only as a threshold between the same two
    /// possible (rounded) scores: the true J of the reference's c* in this cell is exactly this
    /// cell's J*.
    public static func isThresholdArtefact(_ cell: Truth, reference: Truth) -> Bool {
        guard cell.cutoff != reference.cutoff else { return false }
        return cell.sensitivity(at: reference.cutoff) == cell.sensitivity(at: cell.cutoff)
            && cell.specificity(at: reference.cutoff) == cell.specificity(at: cell.cutoff)
    }

    public let factor: String
    public let levels: [Level]
    /// The level with the largest |Δc*| and that drift (systematic), with its numerical error.
    public let largestLevel: String
    public let largestDrift: Double
    public let largestDriftError: Double
    /// The largest |Δc*| over every cell where this factor is off its reference level, whatever the
    /// other factors (shows effects that appear only together with another factor).
    public let largestAnywhere: Double

    /// One entry per factor that has single-factor contrasts in the design, ranked by |largest Δc*|.
    public static func rank(design: Design, summaries: [CellSummary]) -> [FactorDrift] {
        let scenario = design.scenario
        let ref = scenario.referenceLevels
        var out: [FactorDrift] = []
        for (f, factor) in scenario.factors.enumerated() {
            var levels: [Level] = []
            for l in factor.levels.indices {
                var target = ref
                target[f] = l
                guard let c = scenario.cellLevels.firstIndex(of: target) else { continue }
                levels.append(Level(level: factor.labels[l], isReference: l == ref[f], cell: c, thresholdArtefact: false))
            }
            guard levels.count > 1, let refLevel = levels.first(where: { $0.isReference }) else { continue }
            let refTruth = summaries[refLevel.cell].truth
            levels = levels.map { lv in
                Level(level: lv.level, isReference: lv.isReference, cell: lv.cell,
                      thresholdArtefact: isThresholdArtefact(summaries[lv.cell].truth, reference: refTruth))
            }
            // The largest shift among the other levels (a level that only moves the threshold between
            // rounded scores counts as no shift, but is still the level shown when nothing else moves).
            var best = levels.first { !$0.isReference } ?? levels[0], bestD = -1.0, bestE = 0.0
            for lv in levels where !lv.isReference {
                let t = summaries[lv.cell].truth
                let d = lv.thresholdArtefact ? 0 : abs(t.cutoff - refTruth.cutoff)
                if d > bestD { bestD = d; best = lv; bestE = t.cutoffError + refTruth.cutoffError }
            }
            var anywhere = 0.0
            for (c, cell) in scenario.cellLevels.enumerated() where cell[f] != ref[f] {
                guard !isThresholdArtefact(summaries[c].truth, reference: refTruth) else { continue }
                anywhere = max(anywhere, abs(summaries[c].truth.cutoff - refTruth.cutoff))
            }
            out.append(FactorDrift(factor: factor.path, levels: levels, largestLevel: best.level,
                                   largestDrift: best.thresholdArtefact ? 0 : summaries[best.cell].truth.cutoff - refTruth.cutoff,
                                   largestDriftError: bestE, largestAnywhere: anywhere))
        }
        return out.sorted { abs($0.largestDrift) > abs($1.largestDrift) }
    }
}
