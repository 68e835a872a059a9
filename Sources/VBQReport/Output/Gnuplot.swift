import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation
/// Text that goes into gnuplot scripts and data files. Every string a scenario can influence
/// (names, factor paths and levels, labels) reaches gnuplot only through these functions.
///
/// Text is written as a single-quoted gnuplot string, inside which gnuplot interprets nothing:
/// no backquoted command substitution, no `@macro`, no backslash escape. The only way out of
/// such a string is a quote, and gnuplot's reading of doubled quotes is unreliable next to
/// other quotes (a literal holding a'' is a syntax error), so quotes in the text are written
/// as ’, and line breaks and other control characters (which would end the command) as
/// spaces: the literal then holds no character that can end it. Double quotes are never used
/// for text: gnuplot substitutes backquoted commands inside them.
public enum Gnuplot {
    /// A gnuplot string literal showing `text` (with ’ for ' and spaces for control characters).
    public static func quote(_ text: String) -> String { "'" + replaced(text, quote: "'", by: "’") + "'" }

    /// A tic label: gnuplot reads the text of `set xtics ('label' x)` as a format, so a '%' in it
    /// is written as '%%' (a lone one is a "Bad format character" that stops the figure).
    public static func ticLabel(_ text: String) -> String { quote(text.replacingOccurrences(of: "%", with: "%%")) }

    /// A double-quoted field of a tab-separated data file: gnuplot ends such a field at the next
    /// double quote, and a record at a line break, so both (and tabs and other control
    /// characters) are replaced.
    public static func dataField(_ text: String) -> String { "\"" + replaced(text, quote: "\"", by: "'") + "\"" }

    /// `text` with `quote` written as `by` and every `ControlCharacter` as a space.
    private static func replaced(_ text: String, quote: Unicode.Scalar, by: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar == quote { out += by }
            else if ControlCharacter.isControl(scalar) { out += " " }
            else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    /// A file name made from user text: ASCII letters and digits, everything else '-', at most
    /// 60 characters (the names of plot files).
    public static func slug(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            let ok = (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
            out.unicodeScalars.append(ok ? scalar : "-")
            if out.unicodeScalars.count >= 60 { break }
        }
        return out.isEmpty ? "x" : out
    }
}
