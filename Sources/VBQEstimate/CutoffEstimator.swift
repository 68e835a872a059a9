/// A way of estimating a cutoff from one cohort's two classes. Every estimator is a type that
/// conforms to this protocol and is listed once in `Estimators.all`; the scenario keys, the
/// record's fields, the columns, the reports' words and colours, the cost model and the checks
/// all read what they need from here (docs/architecture.md, "Adding an estimator").
public protocol CutoffEstimator: Sendable {
    /// The name in scenario files (`methods:`), on the command line and in column names.
    static var id: String { get }
    /// A few words for a figure's legend or a sentence: "empirical Youden cutoff".
    static var words: String { get }
    /// Its colour wherever estimators are told apart in one figure (#rrggbb).
    static var colour: String { get }
    /// Which AUC its estimate comes with: the cohort's Mann–Whitney AUC, one of its own
    /// (the binormal AUC), or none.
    static var reportedAUC: EstimatorAUC { get }
    /// Whether it reports how many thresholds tied at its optimum (a field of its own in each
    /// cohort's record); the others count as one.
    static var reportsTies: Bool { get }
    /// Whether it reads the classes in sorted order (the bootstrap sorts only for those that do).
    static var needsSortedClasses: Bool { get }
    /// Seconds per patient of one estimate, measured (bench/): the run's cost model and the
    /// shard split use it.
    static var secondsPerPatient: Double { get }
    /// Seconds per patient of one estimate on a bootstrap resample (`power`'s cost model).
    static var secondsPerPatientResampled: Double { get }
    /// Whether a scenario that lists no `methods:` runs it, and `analyze` reports it.
    static var byDefault: Bool { get }
    /// Whether it uses the empirical Youden search of the joint pass over both classes (the
    /// simulation runs that search only when an estimator of the cell asks for it).
    static var usesYoudenSearch: Bool { get }
    /// The criterion its cutoff estimates: the population c\* it is compared with, and the value
    /// whose apparent and true levels the summaries report (Youden's J unless it says otherwise).
    static var criterion: any CutoffCriterion.Type { get }

    /// Estimates on one cohort: classes sorted ascending (when `needsSortedClasses`), both
    /// non-empty and not all tied. `pass`, when given, is what the one pass over both classes
    /// found (the AUC, and the Youden search when `usesYoudenSearch`); an estimator may use it
    /// instead of computing the same again, and must give the same result either way.
    /// `parameters` are the criteria's (a cost ratio, a floor, a threshold probability).
    static func estimate(positives: UnsafeBufferPointer<Double>, negatives: UnsafeBufferPointer<Double>,
                         pass: JointPass?, parameters: CriterionParameters) -> CutoffResult
}

/// Which AUC an estimator reports with its cutoff.
public enum EstimatorAUC: Sendable, Equatable {
    /// The cohort's Mann–Whitney AUC.
    case cohort
    /// An AUC of the estimator's own model (the binormal AUC).
    case own
    /// None (NaN).
    case none
}

/// What one pass over both sorted classes gives: the AUC with DeLong's SE, and, when it was
/// asked for, the empirical Youden search.
public struct JointPass: Sendable {
    public let auc: AUCEstimate
    /// Whether the Youden search ran; `youden` is then its answer (nil: no threshold gives J > 0).
    public let searchedYouden: Bool
    public let youden: (cutoff: Double, youden: Double, ties: Int)?
    public init(auc: AUCEstimate, searchedYouden: Bool, youden: (cutoff: Double, youden: Double, ties: Int)?) {
        self.auc = auc; self.searchedYouden = searchedYouden; self.youden = youden
    }
}

/// One estimator's answer on one cohort.
public struct CutoffResult: Sendable {
    /// NaN when the estimator has no answer on this cohort (`failure` says why).
    public let cutoff: Double
    /// The AUC it reports (see `CutoffEstimator.reportedAUC`); NaN for none.
    public let auc: Double
    /// Thresholds tied at the optimum (1 when unique, or when the estimator does not count them).
    public let ties: Int
    public let failure: String?

    public init(cutoff: Double, auc: Double = .nan, ties: Int = 1) { self.cutoff = cutoff; self.auc = auc; self.ties = ties; failure = nil }
    public init(failure: String) { cutoff = .nan; auc = .nan; ties = 1; self.failure = failure }
}

extension CutoffEstimator {
    public static var reportsTies: Bool { false }
    public static var needsSortedClasses: Bool { true }
    public static var usesYoudenSearch: Bool { false }
    public static var byDefault: Bool { false }
    public static var criterion: any CutoffCriterion.Type { YoudenCriterion.self }
}
