/// How far each `vary` factor moves the cutoff: the cells that differ from the reference in
/// that factor alone (one-factor-at-a-time contrasts), level by level.
public struct FactorDrift: Sendable {
    public struct Level: Sendable {
        public let level: String
        public let isReference: Bool
        /// Index into the summaries of the cell at this level with every other factor at its reference level.
        public let cell: Int
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
                levels.append(Level(level: factor.labels[l], isReference: l == ref[f], cell: c))
            }
            guard levels.count > 1 else { continue }
            let refTruth = summaries[levels.first { $0.isReference }!.cell].truth
            var best = levels[0], bestD = -1.0, bestE = 0.0
            for lv in levels {
                let t = summaries[lv.cell].truth
                let d = abs(t.cutoff - refTruth.cutoff)
                if d > bestD { bestD = d; best = lv; bestE = t.cutoffError + refTruth.cutoffError }
            }
            var anywhere = 0.0
            for (c, cell) in scenario.cellLevels.enumerated() where cell[f] != ref[f] {
                anywhere = max(anywhere, abs(summaries[c].truth.cutoff - refTruth.cutoff))
            }
            out.append(FactorDrift(factor: factor.path, levels: levels, largestLevel: best.level,
                                   largestDrift: summaries[best.cell].truth.cutoff - refTruth.cutoff, largestDriftError: bestE,
                                   largestAnywhere: anywhere))
        }
        return out.sorted { abs($0.largestDrift) > abs($1.largestDrift) }
    }
}
