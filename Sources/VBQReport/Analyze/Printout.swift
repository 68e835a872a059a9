import VBQCore

/// What `analyze` prints, kept as text and tables so that one builder gives both the terminal's
/// text (tables aligned in columns) and the report's markdown (text escaped, each line kept as a
/// line, tables as pipe tables).
public struct Printout: Sendable {
    enum Piece: Sendable { case text(String), table(TextTable) }
    var pieces: [Piece] = []

    public init() {}

    static func += (o: inout Printout, text: String) { o.pieces.append(.text(text)) }
    static func += (o: inout Printout, table: TextTable) { o.pieces.append(.table(table)) }

    /// For the terminal.
    public var text: String {
        pieces.map { if case let .text(s) = $0 { return s } else if case let .table(t) = $0 { return t.rendered() }; return "" }.joined()
    }

    /// For report.md: every character of the text escaped (file names, labels and column names
    /// come from the user's files), a line break kept as one, a blank line as a new paragraph,
    /// each table a pipe table of its own.
    public var markdown: String {
        var blocks: [String] = []
        var text = ""
        func flush() {
            var paragraphs: [[String]] = [[]]
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.allSatisfy({ $0 == " " }) {
                    if !paragraphs[paragraphs.count - 1].isEmpty { paragraphs.append([]) }
                } else {
                    paragraphs[paragraphs.count - 1].append(Format.markdownText(String(line)))
                }
            }
            blocks += paragraphs.filter { !$0.isEmpty }.map { $0.joined(separator: "  \n") }
            text = ""
        }
        for piece in pieces {
            switch piece {
            case let .text(s): text += s
            case let .table(t): flush(); blocks.append(t.markdown())
            }
        }
        flush()
        return blocks.joined(separator: "\n\n") + "\n"
    }
}
