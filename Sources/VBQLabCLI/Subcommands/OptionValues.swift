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
