import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// A criterion's population optimum in one cell: the cutoff c\* it defines, the numerical
/// error of c\*, and the criterion's value there (at the population's prevalence and AUC).
public struct CriterionTarget: Sendable, Equatable {
    public let cutoff: Double
    public let error: Double
    public let value: Double
}

extension Truth {
    /// The operating point of cutoff c in the population.
    public func point(at c: Double) -> OperatingPoint {
        OperatingPoint(se: sensitivity(at: c), sp: specificity(at: c), prevalence: prevalence, auc: auc)
    }

    /// A criterion's value at cutoff c in the population.
    public func value(of criterion: any CutoffCriterion.Type, at c: Double) -> Double {
        criterion.value(at: point(at: c), criteria)
    }

    /// The population optimum of a criterion: the cell's c\* and J\* for Youden's J, else the
    /// target computed with the truth (nil when the cell's methods do not use the criterion).
    public func target(_ criterion: any CutoffCriterion.Type) -> CriterionTarget? {
        if criterion.isYouden { return CriterionTarget(cutoff: cutoff, error: cutoffError, value: youdenJ) }
        return targets[criterion.criterionID]
    }

    /// The target of an estimator's criterion.
    public func target(_ method: EstimationMethod) -> CriterionTarget? { target(method.estimator.criterion) }
}

extension TruthSolver {
    /// The criteria other than Youden's J that a cell's estimators estimate, in registry order.
    static func criteria(of model: ModelSpec) -> [any CutoffCriterion.Type] {
        var seen: Set<String> = [], out: [any CutoffCriterion.Type] = []
        for m in EstimationMethod.allCases where model.methods.contains(m) {
            let c = m.estimator.criterion
            if !c.isYouden && seen.insert(c.criterionID).inserted { out.append(c) }
        }
        return out
    }

    /// Targets of class-conditional populations. The optimum is bracketed by the best of a grid
    /// of 4,000 class quantiles (as for Youden's c\*) and then found as a root (GSL Brent): of the
    /// criterion's derivative −f₁·∂v/∂Se + f₀·∂v/∂Sp for a stationary optimum, of its balance
    /// function otherwise. Numerical error ≤ 1e-9.
    static func classConditionalTargets(_ criteria: [any CutoffCriterion.Type], parameters k: CriterionParameters,
                                        event: ScoreDistribution, nonEvent: ScoreDistribution,
                                        prevalence: Double, auc: Double) -> [String: CriterionTarget] {
        guard !criteria.isEmpty else { return [:] }
        let grid = quantileGrid(event: event, nonEvent: nonEvent)
        guard grid.count >= 3 else { return [:] }
        func point(_ c: Double) -> OperatingPoint {
            OperatingPoint(se: event.survival(c), sp: nonEvent.cdf(c), prevalence: prevalence, auc: auc)
        }
        var out: [String: CriterionTarget] = [:]
        for criterion in criteria {
            let value: (Double) -> Double = { criterion.value(at: point($0), k) }
            var c = Double.nan
            switch criterion.population {
            case let .stationary(g):
                var best = 0, bestV = -Double.infinity
                for (i, x) in grid.enumerated() { let v = value(x); if v > bestV { bestV = v; best = i } }
                let a = grid[max(best - 1, 0)], b = grid[min(best + 1, grid.count - 1)]
                let slope: (Double) -> Double = { x in
                    let d = g(point(x), k)
                    return -event.pdf(x) * d.se + nonEvent.pdf(x) * d.sp
                }
                c = Numerics.root(slope, in: a, b, absTolerance: 1e-13)
                    ?? Numerics.maximise(value, lo: a, guess: grid[best], hi: b, absTolerance: 1e-12)
                if value(c) < bestV { c = grid[best] }
            case let .balance(h):
                let hb: (Double) -> Double = { h(point($0), k) }
                for i in 1..<grid.count where hb(grid[i - 1]).sign != hb(grid[i]).sign || hb(grid[i]) == 0 {
                    c = Numerics.root(hb, in: grid[i - 1], grid[i], absTolerance: 1e-13) ?? grid[i]
                    break
                }
            }
            if c.isFinite { out[criterion.criterionID] = CriterionTarget(cutoff: c, error: 1e-9, value: criterion.objective(at: point(c), k)) }
        }
        return out
    }

    /// Targets of a mechanistic population, from the pooled class CDFs; the error is the SD of
    /// the shifts' own optima over √shifts, as for Youden's c\*.
    static func integratedTargets(_ criteria: [any CutoffCriterion.Type], parameters k: CriterionParameters, pooled: EmpiricalCDFs,
                                  prevalence: Double, shifts: [(cdfs: EmpiricalCDFs, prevalence: Double)], window: Double) -> [String: CriterionTarget] {
        var out: [String: CriterionTarget] = [:]
        for criterion in criteria {
            let (c, v) = pooled.optimum(of: criterion, parameters: k, prevalence: prevalence, window: window)
            let each = shifts.map { $0.cdfs.optimum(of: criterion, parameters: k, prevalence: $0.prevalence, window: window).cutoff }
            let error = (Stat(each)?.sd ?? .nan) / Double(max(1, shifts.count)).squareRoot()
            if c.isFinite { out[criterion.criterionID] = CriterionTarget(cutoff: c, error: error, value: v) }
        }
        return out
    }
}

extension EmpiricalCDFs {
    /// The operating point at bin edge k.
    func point(edge k: Int, prevalence: Double, auc: Double) -> OperatingPoint {
        OperatingPoint(se: 1 - cumEvents[k], sp: cumNonEvents[k], prevalence: prevalence, auc: auc)
    }

    /// A criterion's optimum on these CDFs: a stationary optimum as Youden's c\* is found (the
    /// best edge, refined by a cubic through the value near it), a balance root by linear
    /// interpolation between the edges where it changes sign (exact for piecewise-linear CDFs).
    /// Rounded scores: the best edge.
    func optimum(of criterion: any CutoffCriterion.Type, parameters k: CriterionParameters, prevalence: Double,
                 window: Double) -> (cutoff: Double, value: Double) {
        let a = auc()
        let objective: (Double) -> Double = {
            criterion.objective(at: OperatingPoint(se: 1 - eventCDF($0), sp: nonEventCDF($0), prevalence: prevalence, auc: a), k)
        }
        if case let .balance(h) = criterion.population, !discrete {
            var prev = h(point(edge: 0, prevalence: prevalence, auc: a), k)
            for e in 1..<cumEvents.count {
                let cur = h(point(edge: e, prevalence: prevalence, auc: a), k)
                if cur == 0 { let c = lo + Double(e) * width; return (c, objective(c)) }
                if prev.sign != cur.sign && prev != 0 {
                    let c = lo + (Double(e - 1) + prev / (prev - cur)) * width
                    return (c, objective(c))
                }
                prev = cur
            }
            return (.nan, .nan)
        }
        let o = optimum(window: window, edgeValue: { criterion.value(at: point(edge: $0, prevalence: prevalence, auc: a), k) }, at: objective)
        return (o.cutoff, objective(o.cutoff))
    }
}
