import VBQCore
import VBQEstimate
import VBQModel

/// The one definition of what is kept of each simulated cohort: every field with its name,
/// type and meaning. The row layout (`ReplicateLayout`), the compact record it is stored in
/// (`RecordLayout`, `ReplicateTable.value`), the checkpoint and shard headers, the tidy
/// `replicates.csv` and its `columns.json` entries, and the summaries' look-ups all derive from
/// these three enums; nothing else names a per-cohort column.
public enum CohortField: Hashable, Sendable {
    /// A value of the cohort as a whole.
    case cohort(CohortValue)
    /// A value of one estimator's cutoff on the cohort.
    case method(EstimationMethod, MethodValue)
    /// A value of a fixed external cutoff on the cohort.
    case fixed(Double, FixedValue)

    /// Its column name in the wide row (and in the checkpoint's and shard's header).
    public var name: String {
        switch self {
        case let .cohort(v): return v.rawValue
        case let .method(m, v): return "\(m.rawValue)_\(v.rawValue)"
        case let .fixed(c, v): return "at_\(Format.exact(c))_\(v.rawValue)"
        }
    }
}

/// Values of a cohort as a whole, in the row's order.
public enum CohortValue: String, CaseIterable, Sendable {
    case nEvents = "n_events", nNonEvents = "n_non_events", degenerate, auc, aucSE = "auc_se",
         aucLower = "auc_lower", aucUpper = "auc_upper", acceptance

    /// The order of these columns in the tidy `replicates.csv`.
    public static let tidy: [CohortValue] = [.nEvents, .nNonEvents, .acceptance, .degenerate, .auc, .aucSE, .aucLower, .aucUpper]

    /// Its type in the tidy file ("string", "integer", "number" or "logical").
    public var type: String {
        switch self {
        case .nEvents, .nNonEvents: return "integer"
        case .degenerate: return "string"
        default: return "number"
        }
    }

    public var meaning: String {
        switch self {
        case .nEvents: return "events (failures) in the cohort"
        case .nNonEvents: return "non-events in the cohort"
        case .acceptance: return "share of drawn patients who passed selection (1 without selection)"
        case .degenerate: return "why no cutoff could be estimated (no_events, no_non_events, all_scores_tied); NA when the cohort was analysed"
        case .auc: return "Mann-Whitney AUC of the cohort"
        case .aucSE: return "DeLong standard error of the AUC"
        case .aucLower: return "lower end of the 95% DeLong CI of the AUC"
        case .aucUpper: return "upper end of the 95% DeLong CI of the AUC"
        }
    }
}

/// Values of one estimator's cutoff on a cohort, in the row's order.
public enum MethodValue: String, CaseIterable, Sendable {
    case cutoff, sensitivity, specificity, ppv, npv, accuracy, youdenJ = "youden_j",
         trueSensitivity = "true_sensitivity", trueSpecificity = "true_specificity", trueYoudenJ = "true_youden_j",
         optimism, auc, tiedThresholds = "tied_thresholds"

    /// The columns the tidy `replicates.csv` has for a cutoff, in order (the estimator's own
    /// AUC is summarised, not written per cohort).
    public static let tidy: [MethodValue] = allCases.filter { $0 != .auc }

    public var type: String { self == .tiedThresholds ? "integer" : "number" }

    /// Its meaning in the tidy file, where a row is an estimator's cutoff or a fixed one.
    public var meaning: String {
        switch self {
        case .cutoff: return "the estimated cutoff, or the fixed cutoff; score >= cutoff is test-positive"
        case .sensitivity: return "apparent sensitivity at the cutoff in the cohort"
        case .specificity: return "apparent specificity at the cutoff in the cohort"
        case .ppv: return "apparent positive predictive value"
        case .npv: return "apparent negative predictive value"
        case .accuracy: return "apparent accuracy"
        case .youdenJ: return "apparent Youden J = sensitivity + specificity - 1"
        case .trueSensitivity: return "sensitivity of the cutoff in the population (the cell's truth)"
        case .trueSpecificity: return "specificity of the cutoff in the population"
        case .trueYoudenJ: return "Youden J of the cutoff in the population"
        case .optimism: return "youden_j - true_youden_j"
        case .auc: return "the AUC the estimator reports with its cutoff"
        case .tiedThresholds: return "how many thresholds tie for the best J (1: a unique optimum; the empirical method reports the lower median of tied thresholds); NA for fixed cutoffs"
        }
    }
}

/// Values of a fixed external cutoff on a cohort, in the row's order.
public enum FixedValue: String, CaseIterable, Sendable {
    case sensitivity, specificity, ppv, npv
}
