import Foundation

/// A small RFC 4180 reader: quoted fields, doubled quotes, CRLF or LF, with the 1-based line
/// number where each record starts.
public struct CSVTable: Sendable {
    public let header: [String]
    /// (line number, fields) per data record.
    public let rows: [(line: Int, fields: [String])]

    /// The field separator used (`,`, `;` or a tab).
    public var separator: Character = ","

    /// `separator` nil: detected from the header line (the most frequent of `,` `;` and tab
    /// outside quotes; `,` when none occurs).
    public static func read(path: String, separator: Character? = nil) throws -> CSVTable {
        try parse(try InputFile.text(path: path, limit: Limits.csvBytes, kind: InputFile.data), file: path, separator: separator)
    }

    /// The separator a file's first line suggests.
    public static func detectSeparator(_ text: String) -> Character {
        var counts: [Character: Int] = [",": 0, ";": 0, "\t": 0]
        var quoted = false
        for ch in text {
            if ch == "\"" { quoted.toggle(); continue }
            if !quoted && (ch == "\n" || ch == "\r") { break }
            if !quoted, counts[ch] != nil { counts[ch]! += 1 }
        }
        var best: Character = ","
        for c in [";", "\t"] as [Character] where counts[c]! > counts[best]! { best = c }
        return best
    }

    /// The 1-based line of the first byte sequence that is not UTF-8.
    public static func firstNonUTF8Line(_ data: Data) -> Int? {
        var line = 1
        for piece in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            if String(data: Data(piece), encoding: .utf8) == nil { return line }
            line += 1
        }
        return nil
    }

    /// A first line `sep=X`, which Excel writes to name the separator: X and the text after the
    /// line, or nil when the file has no such line. A separator vbqlab does not read is refused.
    static func excelSeparator(_ text: String, file: String) throws -> (Character, Substring.UnicodeScalarView)? {
        let scalars = text.unicodeScalars
        guard text.hasPrefix("sep=") else { return nil }
        let afterPrefix = scalars.index(scalars.startIndex, offsetBy: 4)
        let end = scalars[afterPrefix...].firstIndex { $0 == "\n" || $0 == "\r" } ?? scalars.endIndex
        let value = String(scalars[afterPrefix..<end])
        let named: [String: Character] = [",": ",", ";": ";", "\t": "\t"]
        guard let sep = named[value] else {
            throw VBQError(file: file, line: 1, "'sep=\(ControlCharacter.escaped(value))' names a field separator vbqlab does not read (comma, semicolon or tab)")
        }
        var rest = end
        if rest < scalars.endIndex && scalars[rest] == "\r" { rest = scalars.index(after: rest) }
        if rest < scalars.endIndex && scalars[rest] == "\n" { rest = scalars.index(after: rest) }
        return (sep, Substring(text).unicodeScalars[rest...])
    }

    public static func parse(_ text: String, file: String, separator: Character? = nil) throws -> CSVTable {
        // Excel's `sep=` line names the separator; the header is the line after it.
        let excel = try excelSeparator(text, file: file)
        if let excel, let separator, separator != excel.0 {
            throw VBQError(file: file, line: 1, "says sep=\(excel.0 == "\t" ? "tab" : String(excel.0)), but the separator asked for is \(separator == "\t" ? "tab" : String(separator))")
        }
        let body = excel?.1 ?? Substring(text).unicodeScalars
        let sep = (excel?.0 ?? separator ?? detectSeparator(String(body))).unicodeScalars.first!
        var records: [(Int, [String])] = []
        var field = "", fields: [String] = []
        var inQuotes = false, line = excel == nil ? 1 : 2, fieldStarted = false
        var recordLine = line
        var chars = body.makeIterator()
        var pending: Unicode.Scalar? = nil
        func nextChar() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return chars.next()
        }
        var tooMany = false
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) {
                if records.count > Limits.csvRows { tooMany = true } else { records.append((recordLine, fields)) }
            }
            field = ""; fields = []; fieldStarted = false
        }
        while let ch = nextChar() {
            if inQuotes {
                if ch == "\"" {
                    if let n = nextChar() {
                        if n == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = n }
                    } else { inQuotes = false }
                } else {
                    if ch == "\n" { line += 1 }
                    field.unicodeScalars.append(ch)
                }
                continue
            }
            switch ch {
            case "\"" where !fieldStarted || field.isEmpty:
                inQuotes = true; fieldStarted = true
            case sep:
                fields.append(field); field = ""; fieldStarted = false
            case "\r":
                if let n = nextChar(), n != "\n" { pending = n }
                endRecord(); line += 1; recordLine = line
            case "\n":
                endRecord(); line += 1; recordLine = line
            default:
                field.unicodeScalars.append(ch); fieldStarted = true
            }
        }
        if inQuotes { throw VBQError(file: file, line: recordLine, "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        if tooMany { throw VBQError(file: file, "has more than \(Limits.csvRows) rows, the limit for a data file") }
        guard let first = records.first else { throw VBQError(file: file, line: line, "the file is empty; expected a header row") }
        let header = first.1.map { $0.trimmingCharacters(in: .whitespaces) }
        var seen: [String: Int] = [:]
        for (i, name) in header.enumerated() where !name.isEmpty {
            if let j = seen[name] {
                throw VBQError(file: file, line: first.0, "column '\(name)' appears twice (columns \(j + 1) and \(i + 1)); rename one so it is clear which is meant")
            }
            seen[name] = i
        }
        guard records.count > 1 else { throw VBQError(file: file, line: first.0, "has a header but no data rows") }
        var rows: [(line: Int, fields: [String])] = []
        for (l, f) in records.dropFirst() {
            guard f.count == header.count else {
                throw VBQError(file: file, line: l, "has \(f.count) fields, the header has \(header.count)")
            }
            rows.append((l, f))
        }
        var table = CSVTable(header: header, rows: rows)
        table.separator = Character(sep)
        return table
    }
}
