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
        /// A level of the parameter in words ("60% of poor-bone patients not operated on").
        public let phrase: Phrase

        public init(short: String?, axis: String, phrase: Phrase = .named) {
            self.short = short
            self.axis = axis
            self.phrase = phrase
        }
    }

    /// How a level reads. `{}` in a template is the level as written (underscores as spaces),
    /// `{%}` the level as a percentage.
    public enum Phrase: Sendable {
        /// The short words (or the path's last part), " = " and the level.
        case named
        /// A template for every level, with words of its own for a level of 0 and of 1.
        case template(String, zero: String? = nil, one: String? = nil)
        /// Words for a true and a false flag.
        case flag(yes: String, no: String)
    }

    /// The mechanistic parameters' words, from their table (`Schema`), and the class-conditional
    /// family's.
    public static let table: [String: Label] = Dictionary(uniqueKeysWithValues:
        Schema.parameters.compactMap { p in p.parameter.label.map { (p.path, $0) } } + [
            ("cohort.size", Label(short: nil, axis: "patients per cohort (n)", phrase: .template("n = {}"))),
            ("cohort.prevalence", Label(short: nil, axis: "prevalence of failure", phrase: .template("prevalence {}"))),
            ("generator.event.mean", Label(short: nil, axis: "mean score with failure", phrase: .template("mean score with failure {}"))),
            ("generator.non_event.mean", Label(short: nil, axis: "mean score without failure", phrase: .template("mean score without failure {}"))),
        ])

    /// A few words for a parameter in a figure's small labels (nil: use its short path).
    public static func short(_ path: String) -> String? { table[path]?.short }

    /// Words for a parameter on an axis.
    public static func axis(_ path: String) -> String { table[path]?.axis ?? path }

    /// One level of a parameter in words, as figure legends, panel titles, tables and sentences
    /// name a cell: "25% of scans at 1.5 T", "reader SD 0.30", "failure: radiographic loosening".
    /// A parameter without words reads "path = level".
    public static func phrase(_ path: String, level: String) -> String {
        guard let label = table[path] else { return "\(path) = \(level)" }
        let number = NumberText.double(level)
        switch label.phrase {
        case .named:
            return "\(label.short ?? label.axis) = \(level)"
        case let .template(template, zero, one):
            if number == 0, let zero { return zero }
            if number == 1, let one { return one }
            let percent = number.map(percentWords) ?? level
            let plain = level.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")
            return template.replacingOccurrences(of: "{%}", with: percent).replacingOccurrences(of: "{}", with: plain)
        case let .flag(yes, no):
            switch level.lowercased() {
            case "true", "yes": return yes
            case "false", "no": return no
            default: return "\(label.short ?? label.axis) = \(level)"
            }
        }
    }

    /// 0.25 → "25%", 0.125 → "12.5%".
    static func percentWords(_ x: Double) -> String {
        let p = 100 * x
        return (p - p.rounded()).magnitude < 1e-9 ? "\(Int(p.rounded()))%" : Format.fixed(p, 1) + "%"
    }
}
