import Foundation
import Dispatch
import VBQCore
import VBQEstimate
import VBQModel

/// Where one observed statistic falls among the values simulated cohorts give.
public struct Placement: Sendable {
    public let observed: Double
    /// Simulated cohorts with a value (a cohort without a cutoff has none).
    public let n: Int
    public let q025, median, q975: Double
    /// Share of simulated values below the observed one, ties counted half, in percent.
    public let percentile: Double
    public var inside: Bool { observed >= q025 && observed <= q975 }

    /// `keepInfinite`: simulated values at ±∞ (an ML estimate under separation) count on their
    /// side instead of being left out.
    init(observed: Double, simulated: [Double], keepInfinite: Bool = false) {
        let v = simulated.filter { keepInfinite ? !$0.isNaN : $0.isFinite }.sorted()
        self.observed = observed
        n = v.count
        q025 = Numerics.quantile(sorted: v, 0.025)
        median = Numerics.quantile(sorted: v, 0.5)
        q975 = Numerics.quantile(sorted: v, 0.975)
        let below = v.filter { $0 < observed }.count, equal = v.filter { $0 == observed }.count
        percentile = v.isEmpty ? .nan : 100 * (Double(below) + 0.5 * Double(equal)) / Double(v.count)
    }
}

/// `vbqlab analyze DATA --against SCENARIO`: a dataset's empirical Youden cutoff, AUC,
/// sensitivity and specificity placed among those of cohorts with the dataset's own numbers of
/// events and non-events, simulated in each cell of a scenario.
public struct AgainstResult: Sendable {
    public struct CellPlacement: Sendable {
        public let cell: Cell
        /// What differs from the scenario's reference cell ("reference" for itself).
        public let contrast: String
        public let cutoff, auc, sensitivity, specificity: Placement
        /// Cohorts that could not be filled (a class too rare in the cell's population).
        public let unfilled: Int
    }
    public let scenario: Scenario
    public let events: Int, nonEvents: Int
    public let replicates: Int
    public let seed: UInt64
    public let cells: [CellPlacement]

    /// Cells where the observed cutoff lies inside the simulated 95% range.
    public var compatible: [CellPlacement] { cells.filter { $0.cutoff.inside } }

    /// The design's cells, or the one with id `id` (refused, naming the cells, when there is none).
    public static func cells(of design: Design, id: String?) throws -> [Cell] {
        guard let id else { return design.cells }
        guard let c = design.cells.first(where: { $0.id == id }) else {
            throw VBQError(key: "--cell", "'\(Format.plain(id))' is not a cell of \(design.scenario.name) (cells c1–c\(design.cells.count); vbqlab validate \(design.scenario.name) lists them)")
        }
        return [c]
    }

    /// Simulates `replicates` cohorts per cell (or of the cell with id `cellID`), each stream keyed
    /// by (seed, cell, replicate) as in a run.
    public static func make(_ report: DatasetReport, scenario: Scenario, cellID: String?, replicates: Int, seed: UInt64,
                            threads: Int) throws -> AgainstResult {
        let design = try Design(scenario)
        let cells = try Self.cells(of: design, id: cellID)
        guard report.direction == .higher else {
            throw VBQError(key: "--against", "the scenarios simulate scores that are higher in events (score ≥ cutoff positive); this dataset's direction is lower — give --direction higher to compare it anyway")
        }
        guard let observed = report.tables.first(where: { $0.source == .estimator(.empirical) }), let auc = report.auc else {
            throw VBQError(key: "--against", "the dataset has no empirical Youden cutoff to place (degenerate data)")
        }
        let n1 = report.events.n, n0 = report.nonEvents.n
        guard n1 + n0 <= Limits.cohortSize else { throw VBQError(key: "--against", "\(n1 + n0) patients is more than the limit of \(Limits.cohortSize) per cohort") }
        let tree = SeedTree(root: seed)
        var placements: [CellPlacement] = []
        for cell in cells {
            let (values, unfilledCount) = QuotaCohorts.simulate(CohortGenerator(model: cell.model), quota: (n1, n0), replicates: replicates,
                                                                tree: tree, key: cell.streamKey, threads: threads)
            func column(_ j: Int) -> [Double] { stride(from: j, to: values.count, by: 4).map { values[$0] } }
            placements.append(CellPlacement(cell: cell, contrast: design.cellName(cell),
                                            cutoff: Placement(observed: observed.cutoff, simulated: column(0)),
                                            auc: Placement(observed: auc.auc, simulated: column(1)),
                                            sensitivity: Placement(observed: observed.sensitivity.value, simulated: column(2)),
                                            specificity: Placement(observed: observed.specificity.value, simulated: column(3)),
                                            unfilled: unfilledCount))
        }
        return AgainstResult(scenario: scenario, events: n1, nonEvents: n0, replicates: replicates, seed: seed, cells: placements)
    }
}

/// Cohorts of fixed class counts simulated from one generator, each analysed by the empirical
/// Youden method: (cutoff, AUC, sensitivity, specificity) per replicate, row-major (NaN where a
/// cohort has no cutoff or could not be filled), and how many could not be filled.
enum QuotaCohorts {
    static func simulate(_ generator: CohortGenerator, quota: (Int, Int), replicates: Int, tree: SeedTree, key: UInt64,
                         threads: Int) -> (values: [Double], unfilled: Int) {
        let unfilled = WorkCounter()
        let values = Parallel.rows(replicates, width: 4, threads: threads, worker: { (rng: RandomStream(), cohort: CohortRecorder()) }) { w, r, out in
            w.rng.reset(to: tree.cohortState(cell: key, replicate: UInt64(r)))
            guard generator.generate(w.rng, events: &w.cohort.events, nonEvents: &w.cohort.nonEvents, quota: quota) else {
                _ = unfilled.add(1); return
            }
            w.cohort.sortClasses()
            let a = w.cohort.analysis(methods: [.empirical], fixedCutoffs: [])
            guard let ap = a.estimate(.empirical)?.apparent else { return }
            out[0] = ap.cutoff
            out[1] = a.auc?.auc ?? .nan
            out[2] = ap.sensitivity
            out[3] = ap.specificity
        }
        return (values, unfilled.add(0))
    }
}
