import Foundation

/// Number formatting used by every writer. Machine-readable outputs use the shortest
/// representation that round-trips (`Double.description`), so equal numbers give equal bytes.
public enum Format {
    /// Text with every control character shown as `\u{…}` (it goes into one-line messages).
    public static func plain(_ text: String) -> String { ControlCharacter.escaped(text) }

    /// Text from a scenario file set into markdown as plain words: HTML and markdown's
    /// punctuation escaped, so it can neither format nor inject anything.
    public static func markdownText(_ text: String) -> String {
        var out = ""
        for ch in plain(text) {
            switch ch {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\\", "`", "*", "_", "[", "]", "|", "#", "!": out += "\\" + String(ch)
            default: out.append(ch)
            }
        }
        return out
    }

    /// Shortest round-trip text; "NA" for NaN or infinity (never written as a number).
    public static func exact(_ x: Double) -> String {
        guard x.isFinite else { return "NA" }
        if x == 0 { return "0" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return x.description
    }

    /// Fixed decimals, e.g. fixed(3.30449, 3) == "3.304".
    public static func fixed(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return "–" }
        let s = String(format: "%.\(decimals)f", x)
        return s == "-" + String(format: "%.\(decimals)f", 0.0) ? String(format: "%.\(decimals)f", 0.0) : s
    }

    /// Significant digits, trailing zeros trimmed: number(3.30449, digits: 4) == "3.304".
    public static func number(_ x: Double, digits: Int) -> String {
        guard x.isFinite else { return "–" }
        return String(format: "%.\(digits)g", x)
    }

    /// A percentage with one decimal: percent(0.7567) == "75.7%".
    public static func percent(_ x: Double, _ decimals: Int = 1) -> String {
        guard x.isFinite else { return "–" }
        return fixed(100 * x, decimals) + "%"
    }

    /// A count as a sentence writes it: in words from zero to ten, in digits above.
    public static func count(_ n: Int, capitalised: Bool = false) -> String {
        let words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
        guard words.indices.contains(n) else { return String(n) }
        return capitalised ? words[n].prefix(1).uppercased() + words[n].dropFirst() : words[n]
    }
}
