import Foundation
import Dispatch
import VBQCore
import VBQEstimate
import VBQModel

/// The population value of every re-analysed quantity in one cell, from one large simulation
/// of the cell's patients (the same streams in every cell, so cells differ by their models,
/// not by simulation noise).
public struct ReanalysisPopulation: Sendable {
    public let patients: Int
    /// Share of patients with score ≥ the regression's cutoff, and that cutoff.
    public let positiveShare: Double
    public let cutoff: Double
    /// Per covariate: the population's log odds ratio (ML on all patients) and its SE, which is
    /// the simulation's numerical error. NaN when the regression is off.
    public let logOddsRatios: [Double]
    public let logOddsRatioSEs: [Double]
    /// Per correlation term (covariates, failure): r and its SE (1 − r²)/√N.
    public let correlations: [Double]
    public let correlationSEs: [Double]
    /// Per AUC term (score, covariates): AUC and DeLong's SE.
    public let aucs: [Double]
    public let aucSEs: [Double]
    /// Per covariate: its prevalence (binary) or mean.
    public let covariateMeans: [Double]
}

/// One re-analysed quantity of one cell over its cohorts.
public struct ReanalysisTerm: Sendable {
    public enum Analysis: String, Sendable, CaseIterable {
        case auc, logisticML = "logistic_ml", logisticFirth = "logistic_firth", correlation
    }
    public let analysis: Analysis
    public let term: String
    /// The population value (log OR for the regressions) and its numerical error.
    public let population: Double
    public let populationSE: Double
    /// Over the cohorts with a finite estimate: the estimate (log OR for the regressions), with
    /// bias against the population value.
    public let estimate: Stat?
    /// CI width: log(upper/lower) of the OR for the regressions, upper − lower otherwise.
    public let ciWidth: Stat?
    /// Share of cohorts with p < 0.05 among those with a p-value.
    public let significant: Proportion
    /// Cohorts re-analysed, and (regressions) those whose fit did not give a finite estimate.
    public let cohorts: Int
    public let separation: Int
    /// Of those separated: estimates at +∞ and at −∞.
    public let separatedUp: Int
    public let separatedDown: Int
    public let notConverged: Int
    public let singular: Int
    /// The paper's value, where the scenario gives one, and the share of cohorts with an
    /// estimate at or below it (its percentile) and as far or further from the population value
    /// on its side (`beyond`); both over all re-analysed cohorts, an ML estimate that separation
    /// sends to ±∞ counted on its side.
    public let observed: ReanalysisSpec.Observed?
    public let atOrBelow: Proportion?
    public let beyond: Proportion?
    /// Regressions: share of cohorts whose CI is at least as wide as the paper's (on the log scale).
    public let widerCI: Proportion?

    /// Whether the quantity is an odds ratio (shown as exp of the stored log OR).
    public var isOddsRatio: Bool { analysis == .logisticML || analysis == .logisticFirth }
}

/// One cell's re-analysis.
public struct ReanalysisCell: Sendable {
    public let cell: Cell
    public let population: ReanalysisPopulation
    /// Cohorts re-analysed (replicates 0 ..< this; fewer in a partial merge).
    public let analysed: Int
    /// Replicate index of each row, and its values (`layout.width` each).
    public let replicates: [Int]
    public let rows: [Double]
    public let terms: [ReanalysisTerm]
    /// Per binary covariate: how many patients of a cohort have it.
    public let counts: [Stat?]
    /// Share of cohorts whose ML regression finds exactly the paper's significant covariates.
    public let pattern: Proportion?

    public func term(_ analysis: ReanalysisTerm.Analysis, _ name: String) -> ReanalysisTerm? {
        terms.first { $0.analysis == analysis && $0.term == name }
    }
}

public struct ReanalysisResult: Sendable {
    public let spec: ReanalysisSpec
    public let layout: ReanalysisLayout
    /// Cohorts re-analysed per cell (the first this many replicates).
    public let cohorts: Int
    public let cells: [ReanalysisCell]
}

/// Repeats the seed paper's analysis on each cell's first cohorts: the cohorts are drawn again
/// from their own streams (the same patients the run analysed), with their covariates.
public enum ReanalysisRun {
    /// Cohorts re-analysed per cell for `replicates` cohorts per cell.
    public static func cohorts(_ spec: ReanalysisSpec, replicates: Int) -> Int { min(spec.cohorts ?? replicates, replicates) }

    /// How many cells' population simulations run at once (each holds its patients' design matrix).
    static let populationsAtOnce = 2

    /// Refuses a design the re-analysis cannot run (checked before anything is simulated).
    static func check(_ scenario: Scenario, design: Design, replicates: Int) throws {
        guard let spec = scenario.reanalysis else { return }
        for cell in design.cells {
            guard case .mechanistic = cell.model.generator else {
                throw VBQError(file: scenario.file, line: scenario.line(of: "reanalysis"), key: "reanalysis",
                               "needs mechanistic cells; cell \(cell.id) (\(cell.label)) is class_conditional")
            }
            if let m = cell.model.followUp, m.handling != .everObserved {
                throw VBQError(file: scenario.file, line: scenario.line(of: "reanalysis"), key: "reanalysis",
                               "re-analyses the seed paper's endpoint, failure observed by the last visit; cell \(cell.id) (\(cell.label)) handles follow-up as '\(m.handling.rawValue)': use follow_up.handling ever_observed")
            }
        }
        let rows = design.cells.count * cohorts(spec, replicates: replicates)
        // Memory: the rows (twice, while each cell is summarised) and up to `populationsAtOnce`
        // population simulations with their design matrices.
        let k = Double(spec.covariates.count)
        let populations = Double(min(design.cells.count, populationsAtOnce))
        let bytes = Double(rows) * Double(ReanalysisLayout(spec).width) * 8 * 2
            + populations * Double(spec.truthPatients) * (2 * k + 4) * 8 * 2
        guard bytes <= Limits.memoryBudget else {
            throw VBQError(file: scenario.file, line: scenario.line(of: "reanalysis"), key: "reanalysis",
                           "the re-analysis would need about \(Limits.bytes(bytes)) of memory, more than this machine's limit of \(Limits.bytes(Limits.memoryBudget)); lower reanalysis.cohorts or truth_patients")
        }
        guard rows <= ReanalysisReader.maxRows else {
            throw VBQError(file: scenario.file, line: scenario.line(of: "reanalysis"), key: "reanalysis.cohorts",
                           "\(design.cells.count) cells × \(cohorts(spec, replicates: replicates)) cohorts is more than the \(ReanalysisReader.maxRows) re-analysed cohorts a run keeps; set reanalysis.cohorts lower")
        }
    }

    public static func run(spec: ReanalysisSpec, design: Design, truths: [Truth], replicates: Int, seed: UInt64,
                           completed: [Bool], threads: Int, quick: Bool) -> ReanalysisResult {
        let layout = ReanalysisLayout(spec)
        let per = cohorts(spec, replicates: replicates)
        let tree = SeedTree(root: seed)
        let cells = design.cells
        let width = layout.width
        // Every (cell, replicate) row of the first `per` replicates that the run simulated.
        let analysedRows: [(cell: Int, rep: Int)] = cells.indices.flatMap { c in
            (0..<per).filter { completed[c * replicates + $0] }.map { (cell: c, rep: $0) }
        }
        let generators = cells.map { CohortGenerator(model: $0.model) }
        let values = Parallel.rows(analysedRows.count, width: width, threads: threads, worker: { RandomStream() }) { rng, i, out in
            let (c, r) = analysedRows[i]
            rng.reset(to: tree.cohortState(cell: cells[c].streamKey, replicate: UInt64(r)))
            let patients = generators[c].patients(rng)
            CohortReanalysis.analyse(patients, cutoff: spec.outcomeCutoff.cutoff(patients), layout: layout, into: out)
        }
        // The cells' populations side by side (each fit is serial; `populationsAtOnce` bounds the
        // memory), the threads left over drawing each one's patients. Each is the same whatever
        // the threads.
        let patients = quick ? ReanalysisSpec.quickTruthPatients : spec.truthPatients
        let atOnce = max(1, min(threads, cells.count, populationsAtOnce))
        let populations = Parallel.map(cells.count, threads: atOnce) { c in
            population(spec: spec, layout: layout, cell: cells[c], truth: truths[cells[c].index], patients: patients,
                       tree: tree, threads: max(1, threads / atOnce))
        }
        var result: [ReanalysisCell] = []
        var start = 0
        for (cell, population) in zip(cells, populations) {
            let mine = analysedRows[start...].prefix { $0.cell == cell.index }
            let block = Array(values[(start * width)..<((start + mine.count) * width)])
            result.append(summarise(spec: spec, layout: layout, cell: cell, population: population,
                                    replicates: mine.map(\.rep), rows: block))
            start += mine.count
        }
        return ReanalysisResult(spec: spec, layout: layout, cohorts: per, cells: result)
    }

    // MARK: Population

    static func population(spec: ReanalysisSpec, layout: ReanalysisLayout, cell: Cell, truth: Truth, patients: Int,
                           tree: SeedTree, threads: Int) -> ReanalysisPopulation {
        let generator = CohortGenerator(model: cell.model)
        let size = cell.model.cohort.size
        let blocks = (patients + size - 1) / size
        let k = spec.covariates.count
        // Per patient: covariates, score, event (as 0/1).
        let stride = k + 2
        let data = Parallel.rows(blocks, width: size * stride, threads: threads, worker: { RandomStream() }) { rng, b, out in
            rng.reset(to: tree.state(.reanalysisPopulation(batch: UInt64(b))))
            for (i, p) in generator.patients(rng).enumerated() {
                let base = i * stride
                for (j, c) in spec.covariates.enumerated() { out[base + j] = c.value(p) }
                out[base + k] = p.score
                out[base + k + 1] = p.event ? 1 : 0
            }
        }
        let n = blocks * size
        func column(_ j: Int) -> [Double] { (0..<n).map { data[$0 * stride + j] } }
        let score = column(k), event = column(k + 1).map { $0 == 1 }
        let covariates = (0..<k).map(column)
        let cutoff: Double
        switch spec.outcomeCutoff { case let .fixed(x): cutoff = x; case .estimated: cutoff = truth.cutoff }
        let positive = score.map { $0 >= cutoff }
        let nan = [Double](repeating: .nan, count: k)
        var lor = nan, lorSE = nan
        if spec.logistic {
            let fit = LogisticFit.ml(LogisticFit.Data(centring: covariates, y: positive))
            if fit.status == .converged {
                lor = Array(fit.coefficients.dropFirst()); lorSE = Array(fit.standardErrors.dropFirst())
            }
        }
        var r: [Double] = [], rSE: [Double] = []
        if spec.correlations {
            for values in covariates + [event.map { $0 ? 1.0 : 0.0 }] {
                let c = PearsonCorrelation(score, values)?.r ?? .nan
                r.append(c); rSE.append((1 - c * c) / Double(n - 1).squareRoot())
            }
        }
        var auc: [Double] = [], aucSE: [Double] = []
        if spec.covariateAUC {
            for values in [score] + covariates {
                let a = AUCEstimate(values: values, events: event)
                auc.append(a.auc); aucSE.append(a.standardError)
            }
        }
        return ReanalysisPopulation(patients: n, positiveShare: Double(positive.filter { $0 }.count) / Double(n), cutoff: cutoff,
                                    logOddsRatios: lor, logOddsRatioSEs: lorSE, correlations: r, correlationSEs: rSE,
                                    aucs: auc, aucSEs: aucSE, covariateMeans: covariates.map { $0.reduce(0, +) / Double(n) })
    }

    // MARK: Summaries

    static func summarise(spec: ReanalysisSpec, layout: ReanalysisLayout, cell: Cell, population: ReanalysisPopulation,
                          replicates: [Int], rows: [Double]) -> ReanalysisCell {
        let w = layout.width, k = layout.k
        let n = replicates.count
        func col(_ j: Int) -> [Double] { (0..<n).map { rows[$0 * w + j] } }
        var terms: [ReanalysisTerm] = []

        func term(_ analysis: ReanalysisTerm.Analysis, _ name: String, estimate: [Double], lower: [Double], upper: [Double],
                  p: [Double], population: Double, populationSE: Double, observed: ReanalysisSpec.Observed?,
                  status: [Double]? = nil) -> ReanalysisTerm {
            let odds = analysis == .logisticML || analysis == .logisticFirth
            // An estimate at ±∞ (ML separation) has an infinitely wide CI.
            let widths = (0..<n).map { estimate[$0].isInfinite ? .infinity : upper[$0] - lower[$0] }
            func finite(_ x: [Double]) -> [Double] { x.map { $0.isFinite ? $0 : .nan } }
            let withP = p.filter { !$0.isNaN }
            var atOrBelow: Proportion? = nil, beyond: Proportion? = nil, wider: Proportion? = nil
            if let observed {
                let o = odds ? log(observed.value) : observed.value
                atOrBelow = Proportion(count: estimate.filter { !$0.isNaN && $0 <= o }.count, n: n)
                // "As far or further on its side" needs the population value's side.
                if population.isFinite {
                    let up = o >= population
                    beyond = Proportion(count: estimate.filter { !$0.isNaN && (up ? $0 >= o : $0 <= o) }.count, n: n)
                }
                if odds, let lo = observed.lower, let hi = observed.upper, lo > 0 {
                    let ow = log(hi) - log(lo)
                    wider = Proportion(count: widths.filter { !$0.isNaN && $0 >= ow }.count, n: n)
                }
            }
            let codes = status ?? []
            return ReanalysisTerm(analysis: analysis, term: name, population: population, populationSE: populationSE,
                                  estimate: Stat(finite(estimate), target: population), ciWidth: Stat(finite(widths)),
                                  significant: Proportion(count: withP.filter { $0 < 0.05 }.count, n: withP.count),
                                  cohorts: n, separation: zip(codes, estimate).filter { $0 == 1 && !$1.isFinite }.count,
                                  separatedUp: estimate.filter { $0 == .infinity }.count, separatedDown: estimate.filter { $0 == -.infinity }.count,
                                  notConverged: codes.filter { $0 == 2 || $0.isNaN }.count, singular: codes.filter { $0 == 3 }.count,
                                  observed: observed, atOrBelow: atOrBelow, beyond: beyond, widerCI: wider)
        }
        func observed(_ list: [(String, ReanalysisSpec.Observed)], _ name: String) -> ReanalysisSpec.Observed? { list.first { $0.0 == name }?.1 }

        if let base = layout.auc {
            for (t, name) in spec.aucTerms.enumerated() {
                let a = col(base + 3 * t), se = col(base + 3 * t + 1)
                terms.append(term(.auc, name, estimate: a, lower: zip(a, se).map { max(0, $0 - LogisticFit.z975 * $1) },
                                  upper: zip(a, se).map { min(1, $0 + LogisticFit.z975 * $1) }, p: col(base + 3 * t + 2),
                                  population: population.aucs[t], populationSE: population.aucSEs[t],
                                  observed: observed(spec.observedAUCs, name)))
            }
        }
        var pattern: Proportion? = nil
        for m in spec.methods {
            guard let base = layout.logistic[m] else { continue }
            let status = col(base)
            for (j, c) in spec.covariates.enumerated() {
                terms.append(term(m == .ml ? .logisticML : .logisticFirth, c.rawValue, estimate: col(base + 1 + 4 * j),
                                  lower: col(base + 2 + 4 * j), upper: col(base + 3 + 4 * j), p: col(base + 4 + 4 * j),
                                  population: population.logOddsRatios[j], populationSE: population.logOddsRatioSEs[j],
                                  observed: observed(spec.observedOddsRatios, c.rawValue), status: status))
            }
            if m == .ml, let wanted = spec.significant {
                var hits = 0
                // Converged fits, and separated ones (whose infinite coefficient is not significant,
                // as SPSS and glm report it: a huge OR with a huger SE).
                for i in 0..<n where rows[i * w + base] == 0 || rows[i * w + base] == 1 {
                    let found = (0..<k).filter { rows[i * w + base + 4 + 4 * $0] < 0.05 }.map { spec.covariates[$0] }
                    if Set(found) == Set(wanted) { hits += 1 }
                }
                pattern = Proportion(count: hits, n: n)
            }
        }
        if let base = layout.correlation {
            for (t, name) in spec.correlationTerms.enumerated() {
                terms.append(term(.correlation, name, estimate: col(base + 4 * t), lower: col(base + 4 * t + 1),
                                  upper: col(base + 4 * t + 2), p: col(base + 4 * t + 3),
                                  population: population.correlations[t], populationSE: population.correlationSEs[t],
                                  observed: observed(spec.observedCorrelations, name)))
            }
        }
        let counts = (0..<k).map { j in spec.covariates[j].isBinary ? Stat(col(layout.counts + j)) : nil }
        return ReanalysisCell(cell: cell, population: population, analysed: n, replicates: replicates, rows: rows, terms: terms,
                              counts: counts, pattern: pattern)
    }
}
