/// The one definition of a control character, used wherever text from a file reaches a
/// terminal, a message, a shell script, a gnuplot script or a scenario's check: the C0 range
/// (U+0000–U+001F), DEL and the C1 range (U+007F–U+009F, NEL among them), and the Unicode line
/// and paragraph separators (U+2028, U+2029), which YAML and some editors read as line breaks.
public enum ControlCharacter {
    /// C0 and C1 controls, line and paragraph separators, and the bidirectional formatting
    /// characters (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069), with which a name in a
    /// hostile file could make a terminal show an error line in another order than it has.
    @inlinable public static func isControl(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029
            || v == 0x061C || v == 0x200E || v == 0x200F || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
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
