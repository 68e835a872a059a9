import VBQCore

/// What a cutoff is chosen to make best. Youden's J is one such criterion; the others weigh a
/// missed failure against a needless intervention differently, use the prevalence, or hold one
/// of sensitivity and specificity to a floor. A criterion is defined by its value at an operating
/// point; its empirical estimate on a cohort (`CriterionSearch`) and its population optimum c\*
/// (the truth, `VBQSimulation/Truth/CriterionTruth.swift`) both read that one definition
/// (docs/criteria.md).
public protocol CutoffCriterion: Sendable {
    /// Its name in column names and reports ("youden", "roc01", ...).
    static var criterionID: String { get }
    /// A few words for a table or a figure: "closest to (0, 1)".
    static var criterionWords: String { get }
    /// The same words with the parameters' values ("largest Se with Sp ≥ 0.8").
    static func criterionWords(_ k: CriterionParameters) -> String
    /// Its value written out, with its direction: "(1 − Se)² + (1 − Sp)², smallest".
    static var formula: String { get }
    /// The value to make largest at an operating point (a criterion minimised is negated here);
    /// −∞ where a floor is not met.
    static func value(at p: OperatingPoint, _ k: CriterionParameters) -> Double
    /// What the criterion makes largest, whether or not its floor is met: `value` for every
    /// criterion without a floor; the free rate (Se or Sp) for one with. The summaries report it
    /// as the criterion's apparent and true value.
    static func objective(at p: OperatingPoint, _ k: CriterionParameters) -> Double
    /// How far the operating point is above the criterion's floor (Sp − s or Se − s); nil for a
    /// criterion without one.
    static func slack(at p: OperatingPoint, _ k: CriterionParameters) -> Double?
    /// Among operating points of equal value, the one with the larger preference wins (the
    /// constrained criteria prefer the better other rate); 0 for every other criterion.
    static func preference(at p: OperatingPoint, _ k: CriterionParameters) -> Double
    /// How the population optimum is found. `.stationary(g)`: c\* is where the value stops
    /// rising, the root of −f₁(c)·∂v/∂Se + f₀(c)·∂v/∂Sp (Se′ = −f₁, Sp′ = f₀), with `g` giving
    /// the two partial derivatives. `.balance(h)`: c\* is the root of h, monotone in c (Se − Sp,
    /// or Sp − s for a floor).
    static var population: PopulationOptimum { get }
    /// Whether it uses parameters of `CriterionParameters` (which ones, for reports).
    static var parameters: [CriterionParameters.Key] { get }
    /// Whether the criterion is a quantity made smallest (its `value` is then that quantity
    /// negated), so that reports show it as it is.
    static var isMinimised: Bool { get }
}

extension CutoffCriterion {
    public static func preference(at p: OperatingPoint, _ k: CriterionParameters) -> Double { 0 }
    public static var parameters: [CriterionParameters.Key] { [] }
    public static var isMinimised: Bool { false }
    public static func criterionWords(_ k: CriterionParameters) -> String { criterionWords }
    public static func objective(at p: OperatingPoint, _ k: CriterionParameters) -> Double { value(at: p, k) }
    public static func slack(at p: OperatingPoint, _ k: CriterionParameters) -> Double? { nil }
    /// Whether it is Youden's J (whose truth and summaries are the cell's c\* and J\*).
    public static var isYouden: Bool { criterionID == YoudenCriterion.criterionID }
}

/// How a criterion's population optimum is found (see `CutoffCriterion.population`).
public enum PopulationOptimum: Sendable {
    case stationary(@Sendable (OperatingPoint, CriterionParameters) -> (se: Double, sp: Double))
    case balance(@Sendable (OperatingPoint, CriterionParameters) -> Double)
}

/// Where a cutoff stands: its sensitivity and specificity, with the prevalence and AUC of the
/// cohort (empirically) or of the population (for the truth).
public struct OperatingPoint: Sendable {
    public var se: Double
    public var sp: Double
    public var prevalence: Double
    public var auc: Double
    public init(se: Double, sp: Double, prevalence: Double, auc: Double) {
        self.se = se; self.sp = sp; self.prevalence = prevalence; self.auc = auc
    }
}

/// The parameters of the criteria that have them, set in a scenario's `criteria:` section and
/// on the command line. The defaults are assumptions, stated as such in docs/criteria.md.
public struct CriterionParameters: Sendable, Hashable {
    /// C_FN / C_FP: what a missed failure costs relative to a needless intervention.
    public var costRatio: Double = 3
    /// The prevalence the cost is weighed at; nil: the cohort's own (the population's for c\*).
    public var costPrevalence: Double? = nil
    /// The floor on specificity of `sens_at_spec`.
    public var minSpecificity: Double = 0.8
    /// The floor on sensitivity of `spec_at_sens`.
    public var minSensitivity: Double = 0.8
    /// The threshold probability p_t of net benefit (treat when the risk is at least p_t).
    public var thresholdProbability: Double = 0.2

    public init() {}
    public static let defaults = CriterionParameters()

    /// Each parameter: its key in a scenario's `criteria:` section (and, with dashes, the command
    /// line's option), its range and its words.
    public enum Key: String, CaseIterable, Sendable {
        case costRatio = "cost_ratio", costPrevalence = "cost_prevalence", minSpecificity = "min_specificity",
             minSensitivity = "min_sensitivity", thresholdProbability = "threshold_probability"

        public var words: String {
            switch self {
            case .costRatio: return "cost ratio C_FN/C_FP"
            case .costPrevalence: return "prevalence the cost is weighed at"
            case .minSpecificity: return "specificity floor"
            case .minSensitivity: return "sensitivity floor"
            case .thresholdProbability: return "threshold probability p_t"
            }
        }
        /// The open or closed range a value must lie in, in words, and the check.
        public var rule: String {
            switch self {
            case .costRatio: return "a number in [0.01, 100]"
            case .costPrevalence, .thresholdProbability: return "a number in (0, 1)"
            case .minSpecificity, .minSensitivity: return "a number in [0, 1]"
            }
        }
        public func accepts(_ x: Double) -> Bool {
            switch self {
            case .costRatio: return x >= 0.01 && x <= 100
            case .costPrevalence, .thresholdProbability: return x > 0 && x < 1
            case .minSpecificity, .minSensitivity: return x >= 0 && x <= 1
            }
        }
        public var keyPath: WritableKeyPath<CriterionParameters, Double> {
            switch self {
            case .costRatio: return \.costRatio
            case .costPrevalence: return \.costPrevalenceOrNaN
            case .minSpecificity: return \.minSpecificity
            case .minSensitivity: return \.minSensitivity
            case .thresholdProbability: return \.thresholdProbability
            }
        }
    }

    /// `costPrevalence` as a number, NaN for the cohort's own.
    public var costPrevalenceOrNaN: Double {
        get { costPrevalence ?? .nan }
        set { costPrevalence = newValue.isNaN ? nil : newValue }
    }

    /// The value of a key as written in a report ("cohort's own" for an unset prevalence).
    public func written(_ key: Key) -> String {
        key == .costPrevalence && costPrevalence == nil ? "the cohort's own" : Format.number(self[keyPath: key.keyPath], digits: 4)
    }
}

/// Youden's J = Se + Sp − 1: the criterion of the empirical, binormal, kernel and lognormal
/// estimators. It weighs sensitivity and specificity equally and ignores the prevalence.
public enum YoudenCriterion: CutoffCriterion {
    public static let criterionID = "youden"
    public static let criterionWords = "Youden's J"
    public static let formula = "Se + Sp − 1, largest"
    public static func value(at p: OperatingPoint, _ k: CriterionParameters) -> Double { p.se + p.sp - 1 }
    public static let population = PopulationOptimum.stationary { _, _ in (1, 1) }
}

/// The empirical estimate of a criterion on one cohort: its value at each of pROC's thresholds
/// (−∞, the midpoints between consecutive distinct scores, +∞), a score above the threshold
/// test-positive, the cohort's prevalence and Mann–Whitney AUC in the operating point.
///
/// **Tie rule.** Values within 1e-14 of each other tie (they are ratios of counts computed in
/// floating point, so equal ratios may differ in their last bit; distinct ones differ by far
/// more in cohorts of up to a few thousand patients). Among tied values the larger preference
/// wins (within 1e-14 again), and among thresholds still tied the lower median is chosen, as for
/// the empirical Youden cutoff. An optimum at −∞ or +∞ (every patient positive, or none) is no
/// cutoff: the estimate fails and says so.
package enum CriterionSearch {
    package static let tolerance = 1e-14

    package struct Found: Sendable, Equatable {
        package let cutoff: Double
        /// Every tied optimal threshold, ascending.
        package let thresholds: [Double]
    }

    /// The search's state: the best value so far and every threshold tied with it. Fed the
    /// thresholds in ascending order (each with its operating point), it keeps what the tie rule
    /// needs; both the two-class search (`run`) and the time-dependent ROC use it.
    package struct Accumulator {
        let criterion: any CutoffCriterion.Type
        let parameters: CriterionParameters
        private var bestValue = -Double.infinity, bestPreference = -Double.infinity
        private var tied: [Double] = []

        package init(criterion: any CutoffCriterion.Type, parameters: CriterionParameters) {
            self.criterion = criterion; self.parameters = parameters
        }

        package mutating func consider(_ threshold: Double, _ p: OperatingPoint) {
            let v = criterion.value(at: p, parameters), pref = criterion.preference(at: p, parameters)
            guard v.isFinite else { return }
            if v > bestValue + tolerance || (abs(v - bestValue) <= tolerance && pref > bestPreference + tolerance) {
                bestValue = v; bestPreference = pref; tied = [threshold]
            } else if abs(v - bestValue) <= tolerance && abs(pref - bestPreference) <= tolerance {
                tied.append(threshold)
            }
        }

        /// The lower median of the tied thresholds (NaN when no threshold had a finite value).
        package var found: Found { Found(cutoff: tied.isEmpty ? .nan : tied[(tied.count - 1) / 2], thresholds: tied) }
    }

    /// Classes sorted ascending and non-empty.
    package static func run(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>, auc: Double,
                            criterion: any CutoffCriterion.Type, parameters k: CriterionParameters) -> Found {
        let n1 = x.count, n0 = y.count
        let prevalence = Double(n1) / Double(n1 + n0)
        func point(_ i: Int, _ j: Int) -> OperatingPoint {
            OperatingPoint(se: Double(n1 - i) / Double(n1), sp: Double(j) / Double(n0), prevalence: prevalence, auc: auc)
        }
        var search = Accumulator(criterion: criterion, parameters: k)
        search.consider(-.infinity, point(0, 0))
        var i = 0, j = 0
        while i < n1 || j < n0 {
            let v = i < n1 ? (j < n0 ? min(x[i], y[j]) : x[i]) : y[j]
            while i < n1 && x[i] == v { i += 1 }
            while j < n0 && y[j] == v { j += 1 }
            let next: Double = i < n1 ? (j < n0 ? min(x[i], y[j]) : x[i]) : (j < n0 ? y[j] : .infinity)
            search.consider(next.isFinite ? (v + next) / 2 : .infinity, point(i, j))
        }
        return search.found
    }
}

/// A criterion whose estimator is its empirical search: the criterion and its estimator are
/// one type, registered once in `Estimators.all`.
public protocol EmpiricalCriterion: CutoffCriterion, CutoffEstimator {}

extension EmpiricalCriterion {
    public static var criterion: any CutoffCriterion.Type { Self.self }
    public static var id: String { criterionID }
    public static var reportedAUC: EstimatorAUC { .cohort }
    public static var reportsTies: Bool { true }
    /// Measured as the extra time of 20,000 cohorts of 256 (67 events) on one thread over the
    /// empirical Youden estimator alone (`vbqlab run` of a scenario with `methods: [roc01]`
    /// against `methods: [empirical]`): about 12 µs a cohort.
    public static var secondsPerPatient: Double { 45e-9 }
    public static var secondsPerPatientResampled: Double { 110e-9 }

    public static func estimate(positives x: UnsafeBufferPointer<Double>, negatives y: UnsafeBufferPointer<Double>,
                                pass: JointPass?, parameters: CriterionParameters) -> CutoffResult {
        let auc = pass?.auc.auc ?? ClassMerge.run(x, y, tied: nil).0.auc
        let found = CriterionSearch.run(x, y, auc: auc, criterion: Self.self, parameters: parameters)
        guard found.cutoff.isFinite else {
            if found.cutoff.isNaN { return CutoffResult(failure: "no threshold meets the criterion's constraint") }
            return CutoffResult(failure: found.cutoff < 0 ? "the criterion is best with every patient test-positive: no cutoff"
                                                         : "the criterion is best with no patient test-positive: no cutoff")
        }
        return CutoffResult(cutoff: found.cutoff, auc: auc, ties: found.thresholds.count)
    }
}
