import VBQCore
import VBQEstimate

/// The words reports and figures use for a parameter a scenario can vary, keyed by the
/// parameter's path (each one a path the scenario loader accepts; a test checks them). A
/// parameter without words is named by its path.
public enum ParameterLabels {
    public struct Label: Sendable {
        /// A few words for a figure's small labels (nil: the path's last part).
        public let short: String?
        /// Words for an axis or a sentence.
        public let axis: String
    }

    /// The mechanistic parameters' words, from their table (`Schema`), and the class-conditional
    /// family's.
    public static let table: [String: Label] = Dictionary(uniqueKeysWithValues:
        Schema.parameters.compactMap { p in p.parameter.label.map { (p.path, $0) } } + [
            ("cohort.size", Label(short: nil, axis: "patients per cohort (n)")),
            ("cohort.prevalence", Label(short: nil, axis: "prevalence of failure")),
            ("generator.event.mean", Label(short: nil, axis: "mean score with failure")),
            ("generator.non_event.mean", Label(short: nil, axis: "mean score without failure")),
        ])

    /// A few words for a parameter in a figure's small labels (nil: use its short path).
    public static func short(_ path: String) -> String? { table[path]?.short }

    /// Words for a parameter on an axis.
    public static func axis(_ path: String) -> String { table[path]?.axis ?? path }
}
