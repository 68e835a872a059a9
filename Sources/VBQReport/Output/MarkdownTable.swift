/// A markdown table, the one way reports write one: a header row, the rule under it, and rows,
/// each cell markdown text (the caller formats numbers and escapes what its text needs). An empty
/// cell is written `| |`.
package struct MarkdownTable {
    private var text: String
    private let width: Int

    package init(_ header: [String]) {
        width = header.count
        text = ""
        add(header)
        text += "|" + String(repeating: "---|", count: header.count) + "\n"
    }

    /// Appends a row; it must have one cell for each column of the header.
    package mutating func add(_ cells: [String]) {
        precondition(cells.count == width, "a table row needs \(width) cells, not \(cells.count)")
        text += "|" + cells.map { $0.isEmpty ? " " : " \($0) " }.joined(separator: "|") + "|\n"
    }

    package var markdown: String { text }
}
