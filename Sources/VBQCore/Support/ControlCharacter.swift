/// The one definition of a control character, used wherever text from a file reaches a
/// terminal, a message, a shell script, a gnuplot script or a scenario's check: the C0 range
/// (U+0000–U+001F), DEL and the C1 range (U+007F–U+009F, NEL among them), and the Unicode line
/// and paragraph separators (U+2028, U+2029), which YAML and some editors read as line breaks.
public enum ControlCharacter {
    @inlinable public static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (0x7F...0x9F).contains(s.value) || s.value == 0x2028 || s.value == 0x2029
    }

    /// Whether `text` holds a control character.
    public static func contains(_ text: String) -> Bool { text.unicodeScalars.contains(where: isControl) }

    /// `text` with every control character shown as `\u{…}` (for one-line messages).
    public static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}
