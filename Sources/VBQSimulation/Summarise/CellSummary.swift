import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// Everything reported about one cell (docs/model.md §6).
public struct CellSummary: Sendable {
    public let cell: Cell
    public let truth: Truth
    public let replicates: Int
    /// Degenerate cohorts by kind (never silently dropped).
    public let degenerate: [CohortAnalysis.Degeneracy: Int]
    public var degenerateTotal: Int { degenerate.values.reduce(0, +) }
    /// Empirical AUC against AUC*.
    public let auc: Stat?
    /// DeLong SE: its mean, to compare with the empirical SD of the AUC.
    public let aucStandardError: Stat?
    /// How often the DeLong 95% CI contains AUC*.
    public let aucCoverage: Proportion
    public let methods: [MethodSummary]
    public let fixed: [FixedCutoffSummary]
    /// Prevalence of the event in the simulated cohorts, and the selection acceptance rate.
    public let prevalence: Stat?
    public let acceptance: Stat?

    public func method(_ m: EstimationMethod) -> MethodSummary? { methods.first { $0.method == m } }
    /// The population optimum a method's cutoff estimates here: its criterion's c\* (the cell's
    /// Youden c\* for a method the cell does not run).
    public func target(_ m: EstimationMethod) -> Double { method(m)?.target.cutoff ?? truth.cutoff }
}

/// One method in one cell.
public struct MethodSummary: Sendable {
    public let method: EstimationMethod
    /// Non-degenerate cohorts where the method gave no cutoff.
    public let failures: Int
    public let cutoff: Stat?
    /// P(|ĉ − c*| > δ).
    public let beyondPrecision: Proportion
    public let precision: Double
    /// Apparent J, sensitivity, specificity (targets: J*, and sensitivity/specificity at c*).
    public let youdenJ: Stat?
    public let sensitivity: Stat?
    public let specificity: Stat?
    /// True J of the estimated cutoff (target J*) and optimism = apparent − true J (target 0).
    public let trueYoudenJ: Stat?
    public let optimism: Stat?
    /// The AUC the method implies, against AUC* (nil for kernel).
    public let auc: Stat?
    /// For each fixed cutoff, P(ĉ ≤ cutoff): where a published cutoff falls among the estimates.
    public let fixedCutoffRanks: [(cutoff: Double, below: Proportion)]
    /// What the method's cutoff estimates: its criterion's population optimum (the cell's c\*
    /// and J\* for Youden's J). The cutoff's, J's, sensitivity's and specificity's targets are
    /// taken at this c\*.
    public let target: CriterionTarget
    /// For a criterion other than Youden's J: its value at the estimated cutoff, apparent (in the
    /// cohort, at its prevalence and AUC) and true (in the population), and the optimism
    /// apparent − true; the targets are the value at c\* and 0.
    public let criterion: CriterionSummary?
    /// Drift against the reference cell (zero, with zero MCSE, for the reference itself).
    public var drift: Drift?
}

/// A criterion's own value at the estimated cutoffs of one method in one cell.
public struct CriterionSummary: Sendable {
    /// The criterion's objective at ĉ (for a criterion with a floor, the free rate).
    public let apparent: Stat?
    public let trueValue: Stat?
    public let optimism: Stat?
    /// For a criterion with a floor on one rate: how often ĉ, which meets the floor in its own
    /// cohort, meets it in the population.
    public let floorMet: Proportion?
}

/// Systematic and estimated drift of a cell against the reference cell.
public struct Drift: Sendable {
    /// c*(cell) − c*(reference), and the standard error of that difference.
    public let truth: Double
    public let truthError: Double
    /// mean ĉ(cell) − mean ĉ(reference), and its MCSE.
    public let meanCutoff: Double
    public let mcse: Double
}

/// A fixed external cutoff (e.g. the published 3.3) applied in one cell.
public struct FixedCutoffSummary: Sendable {
    public let cutoff: Double
    public let trueSensitivity, trueSpecificity, truePPV, trueNPV: Double
    public let sensitivity, specificity, ppv, npv: Stat?
}

public enum Summarise {
    /// Summaries of every cell, with drift against the reference.
    public static func cells(design: Design, truths: [Truth], table: ReplicateTable) -> [CellSummary] {
        var out = design.cells.enumerated().map { c, cell in
            summarise(cell: cell, truth: truths[c], table: table, cellIndex: c)
        }
        guard let refIndex = design.cells.firstIndex(where: \.isReference) else { return out }
        let paired = design.scenario.streams == .common
        for c in out.indices {
            for (mi, ms) in out[c].methods.enumerated() {
                guard let ref = out[refIndex].method(ms.method), let col = table.layout.column(.method(ms.method, .cutoff))
                else { continue }
                let dTruth = ms.target.cutoff - ref.target.cutoff
                let dErr = c == refIndex ? 0 : MonteCarloRule.differenceError(ms.target, ref.target)
                var dMean = Double.nan, mcse = Double.nan
                if let a = ms.cutoff, let b = ref.cutoff {
                    dMean = a.mean - b.mean
                    if c == refIndex {
                        mcse = 0
                    } else if paired {
                        // Common random numbers: the MCSE of the mean paired difference.
                        let x = table.column(col, cell: c), y = table.column(col, cell: refIndex)
                        let d = zip(x, y).map { $0 - $1 }.filter { !$0.isNaN }
                        mcse = Stat(d)?.mcseMean ?? .nan
                    } else {
                        mcse = (a.mcseMean * a.mcseMean + b.mcseMean * b.mcseMean).squareRoot()
                    }
                }
                var m = ms
                m.drift = Drift(truth: dTruth, truthError: dErr, meanCutoff: dMean, mcse: mcse)
                var methods = out[c].methods
                methods[mi] = m
                out[c] = CellSummary(cell: out[c].cell, truth: out[c].truth, replicates: out[c].replicates,
                                     degenerate: out[c].degenerate, auc: out[c].auc,
                                     aucStandardError: out[c].aucStandardError, aucCoverage: out[c].aucCoverage,
                                     methods: methods, fixed: out[c].fixed, prevalence: out[c].prevalence,
                                     acceptance: out[c].acceptance)
            }
        }
        return out
    }

    static func summarise(cell: Cell, truth: Truth, table: ReplicateTable, cellIndex c: Int) -> CellSummary {
        let layout = table.layout
        func col(_ value: CohortValue) -> [Double] { table.column(layout.column(value), cell: c) }
        let degenerateCodes = col(.degenerate)
        var degenerate: [CohortAnalysis.Degeneracy: Int] = [:]
        for kind in CohortAnalysis.Degeneracy.allCases {
            let k = degenerateCodes.filter { $0 == Double(kind.rawValue) }.count
            if k > 0 { degenerate[kind] = k }
        }
        let nonDegenerate = degenerateCodes.filter { $0 == 0 }.count
        let auc = col(.auc), lower = col(.aucLower), upper = col(.aucUpper)
        var covered = 0, withCI = 0
        for i in auc.indices where lower[i].isFinite && upper[i].isFinite {
            withCI += 1
            if lower[i] <= truth.auc && truth.auc <= upper[i] { covered += 1 }
        }
        let delta = cell.model.precision
        let methods: [MethodSummary] = cell.model.methods.map { m in
            // Every method of a cell is in the layout (it covers all cells' methods).
            func mcol(_ q: MethodValue) -> [Double] { table.column(.method(m, q), cell: c) ?? [] }
            let cut = mcol(.cutoff)
            let valid = cut.filter { !$0.isNaN }
            let target = truth.target(m) ?? CriterionTarget(cutoff: .nan, error: .nan, value: .nan)
            // Beyond ±δ with a tolerance of 1e-9: a cutoff on a grid of rounded scores can sit
            // exactly δ from c*, which floating-point subtraction may put a hair beyond it.
            let beyond = valid.filter { abs($0 - target.cutoff) > delta + 1e-9 }.count
            var criterion: CriterionSummary? = nil
            let k = m.estimator.criterion
            if !k.isYouden {
                let se = mcol(.sensitivity), sp = mcol(.specificity), tse = mcol(.trueSensitivity), tsp = mcol(.trueSpecificity)
                let n1 = col(.nEvents), n0 = col(.nNonEvents)
                var apparent: [Double] = [], trueValue: [Double] = [], met = 0, floors = 0
                for i in cut.indices {
                    guard !cut[i].isNaN else { apparent.append(.nan); trueValue.append(.nan); continue }
                    let a = OperatingPoint(se: se[i], sp: sp[i], prevalence: n1[i] / (n1[i] + n0[i]), auc: auc[i])
                    let t = OperatingPoint(se: tse[i], sp: tsp[i], prevalence: truth.prevalence, auc: truth.auc)
                    apparent.append(k.objective(at: a, cell.model.criteria))
                    trueValue.append(k.objective(at: t, cell.model.criteria))
                    if let slack = k.slack(at: t, cell.model.criteria) { floors += 1; if slack >= -1e-12 { met += 1 } }
                }
                criterion = CriterionSummary(apparent: Stat(apparent, target: target.value), trueValue: Stat(trueValue, target: target.value),
                                             optimism: Stat(zip(apparent, trueValue).map { $0 - $1 }, target: 0),
                                             floorMet: floors > 0 ? Proportion(count: met, n: floors) : nil)
            }
            let ranks = cell.model.fixedCutoffs.map { fc in
                (cutoff: fc, below: Proportion(count: valid.filter { $0 <= fc }.count, n: valid.count))
            }
            return MethodSummary(
                method: m, failures: nonDegenerate - valid.count,
                cutoff: Stat(cut, target: target.cutoff, targetError: target.error),
                beyondPrecision: Proportion(count: beyond, n: valid.count), precision: delta,
                youdenJ: Stat(mcol(.youdenJ), target: k.isYouden ? truth.youdenJ : truth.youden(at: target.cutoff)),
                sensitivity: Stat(mcol(.sensitivity), target: truth.sensitivity(at: target.cutoff)),
                specificity: Stat(mcol(.specificity), target: truth.specificity(at: target.cutoff)),
                trueYoudenJ: Stat(mcol(.trueYoudenJ), target: k.isYouden ? truth.youdenJ : truth.youden(at: target.cutoff)),
                optimism: Stat(mcol(.optimism), target: 0),
                auc: m.estimator.reportedAUC == .none ? nil : Stat(mcol(.auc), target: truth.auc),
                fixedCutoffRanks: ranks, target: target, criterion: criterion, drift: nil)
        }
        let fixed: [FixedCutoffSummary] = cell.model.fixedCutoffs.map { fc in
            func fcol(_ q: FixedValue) -> [Double] { table.column(.fixed(fc, q), cell: c) ?? [] }
            return FixedCutoffSummary(
                cutoff: fc,
                trueSensitivity: truth.sensitivity(at: fc), trueSpecificity: truth.specificity(at: fc),
                truePPV: truth.ppv(at: fc), trueNPV: truth.npv(at: fc),
                sensitivity: Stat(fcol(.sensitivity), target: truth.sensitivity(at: fc)),
                specificity: Stat(fcol(.specificity), target: truth.specificity(at: fc)),
                ppv: Stat(fcol(.ppv), target: truth.ppv(at: fc)),
                npv: Stat(fcol(.npv), target: truth.npv(at: fc)))
        }
        return CellSummary(cell: cell, truth: truth, replicates: table.replicates, degenerate: degenerate,
                           auc: Stat(auc, target: truth.auc), aucStandardError: Stat(col(.aucSE)),
                           aucCoverage: Proportion(count: covered, n: withCI), methods: methods, fixed: fixed,
                           prevalence: Stat(zip(col(.nEvents), col(.nNonEvents)).map { $0 / ($0 + $1) }, target: truth.prevalence),
                           acceptance: Stat(col(.acceptance), target: truth.acceptance))
    }
}
