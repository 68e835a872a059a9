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

/// A gnuplot script, built line by line, the only way vbqlab writes one. A line is a sequence of
/// parts: fixed words, which can only be string literals (a part has no initialiser from a
/// `String` value, and an interpolated string is not a literal of it), and values, each written
/// by its kind — text shown in the figure always quoted by `Gnuplot.quote`, numbers exactly,
/// colours and file names checked. Text from a scenario, a dataset or a command line therefore
/// cannot reach gnuplot except as a quoted string.
package struct GnuplotScript: Sendable {
    package struct Part: ExpressibleByStringLiteral, Sendable {
        fileprivate let rendered: String
        fileprivate init(rendered: String) { self.rendered = rendered }
        package init(stringLiteral value: String) { rendered = value }

        /// Text shown in the figure: a title, label, key entry.
        package static func text(_ s: String) -> Part { Part(rendered: Gnuplot.quote(s)) }
        /// Text on several lines: each line quoted, joined by gnuplot's string concatenation
        /// with a fixed newline literal.
        package static func lines(_ ls: [String]) -> Part { Part(rendered: ls.map(Gnuplot.quote).joined(separator: " . \"\\n\" . ")) }
        /// A tic label (a format: '%' doubled).
        package static func tic(_ s: String) -> Part { Part(rendered: Gnuplot.ticLabel(s)) }
        /// A number as `Format.exact` writes it (2, 0.5).
        package static func number(_ x: Double) -> Part { Part(rendered: Format.exact(x)) }
        /// A finite number with its decimal point (2.0, 0.5), for line widths and point sizes.
        package static func decimal(_ x: Double) -> Part {
            precondition(x.isFinite, "not a finite number")
            return Part(rendered: x.description)
        }
        package static func int(_ n: Int) -> Part { Part(rendered: String(n)) }
        /// A colour '#rrggbb'.
        package static func colour(_ c: String) -> Part {
            precondition(c.count == 7 && c.first == "#" && c.dropFirst().allSatisfy(\.isHexDigit), "not a colour: \(c)")
            return Part(rendered: "'" + c + "'")
        }
        /// A file in the plot's folder, quoted: letters, digits, '-', '_' and '.' only.
        package static func file(_ name: String) -> Part {
            precondition(!name.isEmpty && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) },
                         "not a plot file name: \(name)")
            return Part(rendered: "'" + name + "'")
        }
        /// Items of parts joined by `separator` (tic lists, the elements of a plot command).
        package static func joined(_ items: [[Part]], by separator: Part) -> Part {
            Part(rendered: items.map { $0.map(\.rendered).joined() }.joined(separator: separator.rendered))
        }
    }

    package private(set) var text = ""

    package init() {}

    /// A script that starts with a comment line (control characters written as spaces).
    package init(comment: String) {
        text = "# " + String(String.UnicodeScalarView(comment.unicodeScalars.map { ControlCharacter.isControl($0) ? " " : $0 })) + "\n"
    }

    /// Appends one line.
    package mutating func add(_ parts: Part...) { text += parts.map(\.rendered).joined() + "\n" }

    /// Appends a plot command with one element per entry, each on its own continued line.
    package mutating func plot(_ elements: [[Part]]) {
        add("plot ", .joined(elements, by: ", \\\n     "))
    }

    /// Appends an inline data block for a '-' element: one point per line, then 'e'.
    package mutating func inline(_ points: [(Double, Double)]) {
        for (x, y) in points { add(.number(x), "\t", .number(y)) }
        add("e")
    }

    package mutating func append(_ other: GnuplotScript) { text += other.text }
}

/// A gnuplot data file (`.dat`), the one way figures write their numbers: comment lines, then
/// rows of tab-separated fields (the first row usually names the columns), with two blank lines
/// between blocks (gnuplot's `index`). A number is written exactly and NA when not finite; text
/// goes through `Gnuplot.dataField`; a word is the program's own (a column name, a study id).
package struct GnuplotData {
    package enum Field: ExpressibleByStringLiteral {
        case number(Double)
        case int(Int)
        case text(String)
        case word(String)

        package init(stringLiteral word: String) { self = .word(word) }

        var rendered: String {
            switch self {
            case let .number(x): Format.exact(x)
            case let .int(n): String(n)
            case let .text(s): Gnuplot.dataField(s)
            case let .word(w): w
            }
        }
    }

    package private(set) var text = ""

    /// A file that starts with comment lines, one per element (control characters written as
    /// spaces).
    package init(comment lines: String...) {
        for line in lines {
            text += "# " + String(String.UnicodeScalarView(line.unicodeScalars.map { ControlCharacter.isControl($0) ? " " : $0 })) + "\n"
        }
    }

    package mutating func row(_ fields: [Field]) { text += fields.map(\.rendered).joined(separator: "\t") + "\n" }

    package mutating func row(_ numbers: [Double]) { row(numbers.map(Field.number)) }

    /// Ends a block: the rows after it are the next `index`.
    package mutating func endBlock() { text += "\n\n" }

    package var isEmpty: Bool { text.isEmpty }
}
