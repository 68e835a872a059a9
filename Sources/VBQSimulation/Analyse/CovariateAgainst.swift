import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// `analyze --covariates … --against SCENARIO`: the dataset's covariate AUCs, odds ratios and
/// correlations placed among those of the same analysis repeated on simulated cohorts of the
/// analysed rows' numbers of events and non-events, in each cell (mechanistic cells only: the
/// covariates are the mechanistic population's).
public struct CovariateAgainst: Sendable {
    public enum Analysis: String, Sendable, CaseIterable {
        /// The share of the cohort with score ≥ the regression's cutoff: what its odds ratios split.
        case share = "outcome_share", auc, ml = "logistic_ml", firth = "logistic_firth", correlation

        /// Words for a table row.
        public var words: String {
            switch self {
            case .share: return "share ≥ cutoff"
            case .auc: return "AUC"
            case .ml: return "OR (ML)"
            case .firth: return "OR (Firth)"
            case .correlation: return "r with the score"
            }
        }
        /// Odds ratios are placed on the log scale and shown as ratios.
        public var isOddsRatio: Bool { self == .ml || self == .firth }
    }

    public struct Term: Sendable {
        public let analysis: Analysis
        public let term: String
        /// One per cell, in the cells' order. Odds ratios: log OR, ML's ±∞ under separation kept.
        public let placements: [Placement]
    }

    public struct CellInfo: Sendable {
        public let cell: Cell
        public let contrast: String
        /// Simulated cohorts that could not be filled, and those whose ML fit separated.
        public let unfilled: Int
        public let separated: Int
    }

    public let scenario: Scenario
    public let events: Int, nonEvents: Int
    public let replicates: Int
    public let seed: UInt64
    public let cutoffRule: ReanalysisSpec.OutcomeCutoff
    public let cells: [CellInfo]
    public let terms: [Term]

    /// The model's covariate each of the dataset's covariates is (by its column's name), or an
    /// error naming the ones the simulation has.
    public static func covariates(_ columns: [CovariateColumn]) throws -> [ReanalysisSpec.Covariate] {
        try columns.map { c in
            guard let m = ReanalysisSpec.Covariate(rawValue: c.column) else {
                let names = ReanalysisSpec.Covariate.allCases.map(\.rawValue)
                throw VBQError(key: "--covariates", "with --against each covariate is one the simulated patients have, named as it: '\(Format.plain(c.column))' is not among \(names.joined(separator: ", "))\(suggestion(for: c.column, among: names)); rename the column")
            }
            return m
        }
    }

    public static func make(_ report: CovariateReport, scenario: Scenario, cellID: String?, replicates: Int, seed: UInt64,
                            threads: Int) throws -> CovariateAgainst {
        let design = try Design(scenario)
        let cells = try AgainstResult.cells(of: design, id: cellID)
        for cell in cells {
            guard case .mechanistic = cell.model.generator else {
                throw VBQError(key: "--against", "--covariates needs mechanistic cells, whose patients have covariates; cell \(cell.id) of \(scenario.name) is class_conditional")
            }
        }
        let modelCovariates = try covariates(report.data.covariates)
        let a = report.analysis
        let quota = (events: a.events, nonEvents: a.n - a.events)
        guard a.n <= Limits.cohortSize else { throw VBQError(key: "--against", "\(a.n) patients is more than the limit of \(Limits.cohortSize) per cohort") }
        let spec = ReanalysisSpec(whole: modelCovariates, outcomeCutoff: report.rule)
        let layout = ReanalysisLayout(spec)
        let k = layout.k
        let tree = SeedTree(root: seed)
        var rowsByCell: [[Double]] = [], infos: [CellInfo] = []
        for cell in cells {
            let generator = CohortGenerator(model: cell.model)
            let unfilled = WorkCounter()
            // The same streams as the cutoff's placement: the same simulated cohorts.
            let rows = Parallel.rows(replicates, width: layout.width, threads: threads, worker: { RandomStream() }) { rng, r, out in
                rng.reset(to: tree.cohortState(cell: cell.streamKey, replicate: UInt64(r)))
                guard let patients = generator.patients(rng, quota: quota) else {
                    for i in 0..<layout.width { out[i] = .nan }
                    _ = unfilled.add(1); return
                }
                CohortReanalysis.analyse(patients, cutoff: spec.outcomeCutoff.cutoff(patients), layout: layout, into: out)
            }
            let ml = layout.logistic[.ml]!
            let separated = (0..<replicates).filter { rows[$0 * layout.width + ml] == 1 }.count
            rowsByCell.append(rows)
            infos.append(CellInfo(cell: cell, contrast: design.cellName(cell), unfilled: unfilled.add(0), separated: separated))
        }
        func column(_ c: Int, _ j: Int) -> [Double] { (0..<replicates).map { rowsByCell[c][$0 * layout.width + j] } }
        var terms: [Term] = []
        func add(_ analysis: Analysis, _ name: String, observed: Double, offset: Int) {
            terms.append(Term(analysis: analysis, term: name, placements: cells.indices.map {
                Placement(observed: observed, simulated: column($0, offset), keepInfinite: analysis == .ml)
            }))
        }
        let names = report.data.covariates.map(\.name)
        add(.share, "(regression outcome)", observed: Double(a.positives) / Double(max(1, a.n)), offset: ReanalysisLayout.positiveShare)
        for (t, name) in report.aucTerms.enumerated() { add(.auc, name, observed: a.aucs[t].estimate.auc, offset: layout.auc! + 3 * t) }
        for fit in a.fits {
            let base = layout.logistic[fit.method]!
            for j in 0..<k {
                let off = fit.diverging.isEmpty ? 0 : fit.diverging[j + 1]
                add(fit.method == .ml ? .ml : .firth, names[j], observed: off == 0 ? fit.coefficients[j + 1] : Double(off) * .infinity,
                    offset: base + 1 + 4 * j)
            }
        }
        for (t, name) in report.correlationTerms.enumerated() {
            add(.correlation, name, observed: a.correlations[t]?.r ?? .nan, offset: layout.correlation! + 4 * t)
        }
        return CovariateAgainst(scenario: scenario, events: quota.events, nonEvents: quota.nonEvents, replicates: replicates, seed: seed,
                                cutoffRule: report.rule, cells: infos, terms: terms)
    }
}
