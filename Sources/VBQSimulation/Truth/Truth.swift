import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// The population truth of one cell: the optimal cutoff `c*`, its Youden index `J*` and the
/// AUC of the measured score under the cell's data-generating mechanism (docs/model.md §5), with
/// the numerical error of each.
public struct Truth: Sendable {
    public let cutoff: Double
    public let youdenJ: Double
    public let auc: Double
    /// Bound on |computed − exact| for the cutoff, J and AUC.
    public let cutoffError: Double
    public let youdenError: Double
    public let aucError: Double
    /// How it was computed, for the report ("analytic (binormal)", ...).
    public let method: String
    public let prevalence: Double
    let population: PopulationModel
    /// Class means and SDs of the measured score.
    public let classMoments: ClassMoments
    /// Share of drawn patients who pass selection (1 without selection).
    public let acceptance: Double
    /// The population optimum of each criterion other than Youden's J that the cell's
    /// estimators use, by criterion id (`target(_:)` reads it), and the criteria's parameters.
    public internal(set) var targets: [String: CriterionTarget] = [:]
    public internal(set) var criteria: CriterionParameters = .defaults

    init(cutoff: Double, youdenJ: Double, auc: Double, cutoffError: Double, youdenError: Double, aucError: Double,
         method: String, prevalence: Double, population: PopulationModel, classMoments: ClassMoments, acceptance: Double = 1) {
        self.cutoff = cutoff; self.youdenJ = youdenJ; self.auc = auc
        self.cutoffError = cutoffError; self.youdenError = youdenError; self.aucError = aucError
        self.method = method; self.prevalence = prevalence; self.population = population
        self.classMoments = classMoments; self.acceptance = acceptance
    }

    /// Scores a cohort of this population could hold, with a margin no simulated score comes
    /// near: the class means ± `sds` of the larger class SD. nil when the moments are unknown.
    /// A cutoff read from a checkpoint or shard beyond it was not made by vbqlab.
    func plausibleScores(sds: Double) -> ClosedRange<Double>? {
        let m = classMoments
        let sd = max(m.eventSD, m.nonEventSD)
        guard m.eventMean.isFinite, m.nonEventMean.isFinite, sd.isFinite, sd > 0 else { return nil }
        return (min(m.eventMean, m.nonEventMean) - sds * sd)...(max(m.eventMean, m.nonEventMean) + sds * sd)
    }

    /// P(score ≥ c | event): the true sensitivity of cutoff c.
    public func sensitivity(at c: Double) -> Double { population.sensitivity(at: c) }
    /// P(score < c | no event): the true specificity of cutoff c.
    public func specificity(at c: Double) -> Double { population.specificity(at: c) }
    public func youden(at c: Double) -> Double { sensitivity(at: c) + specificity(at: c) - 1 }
    public func ppv(at c: Double) -> Double {
        let tp = prevalence * sensitivity(at: c), fp = (1 - prevalence) * (1 - specificity(at: c))
        return tp + fp > 0 ? tp / (tp + fp) : .nan
    }
    public func npv(at c: Double) -> Double {
        let tn = (1 - prevalence) * specificity(at: c), fn = prevalence * (1 - sensitivity(at: c))
        return tn + fn > 0 ? tn / (tn + fn) : .nan
    }
}

/// What the truth is computed from.
enum PopulationModel: Sendable {
    case classConditional(event: ScoreDistribution, nonEvent: ScoreDistribution)
    case simulated(EmpiricalCDFs)

    func sensitivity(at c: Double) -> Double {
        switch self {
        case let .classConditional(e, _): return e.survival(c)
        case let .simulated(h): return 1 - h.eventCDF(c)
        }
    }
    func specificity(at c: Double) -> Double {
        switch self {
        case let .classConditional(_, n): return n.cdf(c)
        case let .simulated(h): return h.nonEventCDF(c)
        }
    }
}

public enum TruthSolver {
    /// The truth of a cell: analytic or numerical for the class-conditional family, an integral
    /// over the model's inputs for the mechanistic family (`MechanisticIntegral`, its random
    /// shifts on streams below `cellKey` of `tree`).
    public static func truth(for model: ModelSpec, tree: SeedTree = SeedTree(root: 0), cellKey: UInt64 = 0,
                             threads: Int = Runner.defaultThreads, points: Int = integralPoints) throws -> Truth {
        let criteria = Self.criteria(of: model)
        switch model.generator {
        case let .classConditional(event, nonEvent):
            var t = try classConditional(event: event, nonEvent: nonEvent, prevalence: model.cohort.prevalence)
            t.criteria = model.criteria
            t.targets = classConditionalTargets(criteria, parameters: model.criteria, event: event, nonEvent: nonEvent,
                                                prevalence: t.prevalence, auc: t.auc)
            return t
        case let .mechanistic(m):
            return try integrated(m, tree: tree, cellKey: cellKey, threads: threads, points: points,
                                  criteria: criteria, parameters: model.criteria)
        }
    }

    /// For two normal classes the truth is analytic: AUC = Φ(Δμ/√(σ₁² + σ₀²)) and `c*` is the
    /// root, between the means, of the quadratic from equating the class densities.
    /// Otherwise `c*` is the root of f₀ − f₁ = dJ/dc (GSL Brent) bracketed by a search for the
    /// global maximum of J on a grid of 4,000 class quantiles, and AUC = ∫₀¹ F₀(Q₁(u)) du (GSL QAGS).
    public static func classConditional(event: ScoreDistribution, nonEvent: ScoreDistribution, prevalence: Double) throws -> Truth {
        GSL.configure()
        for (d, key) in [(event, "generator.event"), (nonEvent, "generator.non_event")] {
            if let problem = d.usabilityProblem { throw VBQError(key: key, problem) }
        }
        let population = PopulationModel.classConditional(event: event, nonEvent: nonEvent)
        let J: (Double) -> Double = { nonEvent.cdf($0) - event.cdf($0) }

        if let e = event.normalParameters, let n = nonEvent.normalParameters {
            let auc = Numerics.phi((e.mean - n.mean) / (e.sd * e.sd + n.sd * n.sd).squareRoot())
            guard e.mean > n.mean else { throw notHigher(auc) }
            guard let c = BinormalYouden.cutoff(eventMean: e.mean, eventSD: e.sd, nonEventMean: n.mean, nonEventSD: n.sd), c.isFinite else {
                throw VBQError(key: "generator", "the two normal densities do not cross at a finite score; no Youden cutoff exists")
            }
            return Truth(cutoff: c, youdenJ: J(c), auc: auc, cutoffError: 1e-12, youdenError: 1e-14, aucError: 1e-15,
                         method: "analytic (binormal)", prevalence: prevalence, population: population,
                         classMoments: ClassMoments(eventMean: e.mean, eventSD: e.sd, nonEventMean: n.mean, nonEventSD: n.sd))
        }

        let grid = quantileGrid(event: event, nonEvent: nonEvent)
        guard grid.count >= 3 else {
            throw VBQError(key: "generator", "the class distributions are too extreme for their quantiles to be computed; the truth cannot be found")
        }
        var best = 0, bestJ = -Double.infinity
        for (i, x) in grid.enumerated() {
            let j = J(x)
            if j > bestJ { bestJ = j; best = i }
        }
        let a = grid[max(best - 1, 0)], b = grid[min(best + 1, grid.count - 1)]
        let derivative: (Double) -> Double = { nonEvent.pdf($0) - event.pdf($0) }
        var c = Numerics.root(derivative, in: a, b, absTolerance: 1e-13)
            ?? Numerics.maximise(J, lo: a, guess: grid[best], hi: b, absTolerance: 1e-12)
        if J(c) < bestJ { c = grid[best] }

        // AUC = P(X₁ > X₀) = ∫₀¹ F₀(Q₁(u)) du, on the probability scale (finite whatever the tails).
        let integral = Numerics.integrate({ nonEvent.cdf(event.quantile($0)) }, from: 0, to: 1)
        let auc = integral.value
        guard auc.isFinite, c.isFinite else {
            throw VBQError(key: "generator", "the class distributions are too extreme for the truth to be computed (AUC \(Format.number(auc, digits: 4)), c* \(Format.number(c, digits: 4)))")
        }
        guard auc > 0.5 else { throw notHigher(auc) }
        return Truth(cutoff: c, youdenJ: J(c), auc: auc, cutoffError: 1e-9, youdenError: 1e-12,
                     aucError: integral.error, method: "numerical (GSL Brent root of f₀ − f₁; QAGS for AUC)",
                     prevalence: prevalence, population: population,
                     classMoments: ClassMoments(eventMean: event.mean, eventSD: event.sd, nonEventMean: nonEvent.mean, nonEventSD: nonEvent.sd))
    }

    /// The search grid of a class-conditional optimum: the 0.05%…99.95% points of both classes,
    /// so heavy tails (Student-t with small df, wide lognormals) neither stretch the grid nor
    /// hide the optimum.
    static func quantileGrid(event: ScoreDistribution, nonEvent: ScoreDistribution) -> [Double] {
        var grid: [Double] = []
        let steps = 2000
        for i in 1..<steps {
            let u = Double(i) / Double(steps)
            grid.append(event.quantile(u))
            grid.append(nonEvent.quantile(u))
        }
        return grid.filter(\.isFinite).sorted()
    }

    static func notHigher(_ auc: Double) -> VBQError {
        VBQError(key: "generator", "the event class must score higher than the non-event class (population AUC is \(Format.number(auc, digits: 4))); a higher score means a higher risk")
    }
}
