import ArgumentParser
import VBQLab

// The closed sets of values an option takes. Each is an enum the argument parser reads, so a
// wrong value is refused with the list of right ones (and shells complete them).

/// `analyze --direction`: which scores are test-positive.
enum DirectionChoice: String, CaseIterable, ExpressibleByArgument {
    case auto, higher, lower

    /// The direction asked for, or nil for pROC's automatic choice.
    var direction: Direction? { Direction(rawValue: rawValue) }
}

/// `analyze --sep`: a CSV file's field separator, by name or as the character itself.
enum FieldSeparator: String, CaseIterable, ExpressibleByArgument {
    case comma, semicolon, tab

    init?(argument: String) {
        switch argument.lowercased() {
        case ",", "comma": self = .comma
        case ";", "semicolon": self = .semicolon
        case "\t", "\\t", "tab": self = .tab
        default: return nil
        }
    }

    var character: Character {
        switch self {
        case .comma: return ","
        case .semicolon: return ";"
        case .tab: return "\t"
        }
    }
}

/// `calibrate --family`.
extension Calibration.Family: ExpressibleByArgument {}

/// A number option read as a person writes it (`NumberText.double`): digits, a point, an
/// exponent, a sign — not hexadecimal (`0x1p2` read as 4), `inf` or `nan`. Options that take one
/// read the next word whatever it starts with, so `--event-sd -0.46` is the number −0.46 (and
/// refused for what it is), not a missing value.
func number(_ text: String) throws -> Double {
    guard let x = NumberText.double(text) else {
        throw ValidationError("'\(text)' is not a number as a paper writes one (digits, a point, an exponent; not hexadecimal, inf or nan)")
    }
    return x
}

/// `--criterion`: a cutoff criterion of the registry other than the Youden estimators, or `all`.
struct CriterionChoice: Sendable {
    let methods: [EstimationMethod]
    static let choices = EstimationMethod.allCases.filter { !$0.estimator.criterion.isYouden }

    /// The option's reader: an unknown name is refused with the list of known ones.
    static func parse(_ argument: String) throws -> CriterionChoice {
        if argument == "all" { return CriterionChoice(methods: choices) }
        guard let m = choices.first(where: { $0.rawValue == argument }) else {
            throw ValidationError("'\(Format.plain(argument))' is not a criterion; choose one of \(choices.map(\.rawValue).joined(separator: ", ")), or all")
        }
        return CriterionChoice(methods: [m])
    }
}

/// The criteria's parameters on the command line, one option per `CriterionParameters.Key`.
struct CriterionOptions: ParsableArguments {
    @Option(name: .customLong("criterion"), help: ArgumentHelp("Also report this cutoff criterion (repeatable; 'all' for every one): \(CriterionChoice.choices.map(\.rawValue).joined(separator: ", ")).", valueName: "NAME"),
            transform: CriterionChoice.parse)
    var criteria: [CriterionChoice] = []

    @Option(name: .customLong("cost-ratio"), help: "Criterion cost: C_FN/C_FP, what a missed failure costs against a needless intervention (default 3).", transform: number)
    var costRatio: Double?
    @Option(name: .customLong("cost-prevalence"), help: ArgumentHelp("Criterion cost: the prevalence the cost is weighed at (default: the data's own).", valueName: "P"))
    var costPrevalence: String?
    @Option(name: .customLong("min-specificity"), help: "Criterion sens_at_spec: the specificity floor (default 0.8).", transform: number)
    var minSpecificity: Double?
    @Option(name: .customLong("min-sensitivity"), help: "Criterion spec_at_sens: the sensitivity floor (default 0.8).", transform: number)
    var minSensitivity: Double?
    @Option(name: .customLong("threshold-probability"), help: "Criterion net_benefit: the threshold probability p_t (default 0.2).", transform: number)
    var thresholdProbability: Double?

    /// The methods chosen, in registry order.
    var methods: [EstimationMethod] {
        let chosen = Set(criteria.flatMap(\.methods))
        return EstimationMethod.allCases.filter { chosen.contains($0) }
    }

    /// The parameters given, each checked against its range.
    func parameters() throws -> CriterionParameters {
        var k = CriterionParameters()
        let given: [(CriterionParameters.Key, Double?)] = [(.costRatio, costRatio), (.minSpecificity, minSpecificity),
                                                           (.minSensitivity, minSensitivity), (.thresholdProbability, thresholdProbability)]
        var prevalence: Double? = nil
        if let costPrevalence {
            guard let x = NumberText.double(costPrevalence) else { throw ValidationError("--cost-prevalence '\(Format.plain(costPrevalence))' is not a number") }
            prevalence = x
        }
        for (key, value) in given + [(.costPrevalence, prevalence)] {
            guard let value else { continue }
            let option = "--" + key.rawValue.replacingOccurrences(of: "_", with: "-")
            guard key.accepts(value) else { throw ValidationError("\(option) \(Format.exact(value)) must be \(key.rule)") }
            k[keyPath: key.keyPath] = value
        }
        return k
    }
}
