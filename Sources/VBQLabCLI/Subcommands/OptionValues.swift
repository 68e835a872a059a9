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
