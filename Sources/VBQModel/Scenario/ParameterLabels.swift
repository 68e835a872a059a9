import VBQCore
import VBQEstimate

/// The words reports and figures use for a parameter a scenario can vary: one table, keyed by
/// the parameter's path (each one a path the scenario loader accepts; a test checks them). A
/// parameter without an entry is named by its path.
public enum ParameterLabels {
    public struct Label: Sendable {
        /// A few words for a figure's small labels (nil: the path's last part).
        public let short: String?
        /// Words for an axis or a sentence.
        public let axis: String
    }

    public static let table: [String: Label] = [
        "measurement.field.share_1_5T": Label(short: "1.5 T share", axis: "share of scans at 1.5 T"),
        "measurement.field.factor_1_5T": Label(short: "1.5 T factor", axis: "1.5 T signal factor (VBQ at 1.5 T ÷ VBQ at 3.0 T)"),
        "measurement.scanner.sd_log": Label(short: nil, axis: "scanner-to-scanner SD (log scale)"),
        "measurement.csf.p_stenosis": Label(short: "CSF at L2/L4", axis: "share of patients with CSF measured at L2/L4"),
        "measurement.csf.level_factors": Label(short: "CSF level factors", axis: "CSF level factors at L2 and L4"),
        "measurement.csf.heterogeneity_sd_log": Label(short: "CSF heterogeneity", axis: "patient-to-patient CSF heterogeneity (SD, log scale)"),
        "measurement.readers.sd": Label(short: "reader SD", axis: "reader SD (VBQ score)"),
        "measurement.readers.adjudication": Label(short: "third reader", axis: "third reader when the two differ by > 10%"),
        "measurement.rounding": Label(short: "rounding", axis: "rounding of the recorded score"),
        "outcome.definition": Label(short: "definition", axis: "definition of failure"),
        "selection.q": Label(short: "q", axis: "share of poor-bone patients not operated on"),
        "bone_quality.steroids": Label(short: nil, axis: "effect of long-term steroids on true VBQ"),
        "selection.v_exclude": Label(short: "poor-bone threshold", axis: "poor-bone threshold (true VBQ)"),
        "cohort.size": Label(short: nil, axis: "patients per cohort (n)"),
        "cohort.prevalence": Label(short: nil, axis: "prevalence of failure"),
        "generator.event.mean": Label(short: nil, axis: "mean score with failure"),
        "generator.non_event.mean": Label(short: nil, axis: "mean score without failure"),
    ]

    /// A few words for a parameter in a figure's small labels (nil: use its short path).
    public static func short(_ path: String) -> String? { table[path]?.short }

    /// Words for a parameter on an axis.
    public static func axis(_ path: String) -> String { table[path]?.axis ?? path }
}
