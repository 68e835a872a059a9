/// A plain-text table whose columns are as wide as their widest cell: nothing is ever cut.
///
///     var t = TextTable(["cutoff", "TP"], rightAligned: [1])
///     t.add(["3.3", "22588"])
///     print(t.rendered())
public struct TextTable: Sendable {
    public var header: [String]
    public var rows: [[String]] = []
    /// Columns aligned to the right (numbers).
    public var rightAligned: Set<Int>

    public init(_ header: [String], rightAligned: Set<Int> = []) {
        self.header = header
        self.rightAligned = rightAligned
    }

    public mutating func add(_ row: [String]) { rows.append(row) }

    /// The table in markdown (a pipe table; right-aligned columns marked so), each cell escaped
    /// as plain text.
    public func markdown() -> String {
        let columns = ([header] + rows).map(\.count).max() ?? 0
        func line(_ row: [String]) -> String { "| " + row.map(Format.markdownText).joined(separator: " | ") + " |\n" }
        return line(header) + "|" + (0..<columns).map { rightAligned.contains($0) ? "---:|" : "---|" }.joined() + "\n" + rows.map(line).joined()
    }

    /// The table with two spaces between columns and no trailing spaces.
    public func rendered() -> String {
        let all = [header] + rows
        let columns = all.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in all { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for row in all {
            var line = ""
            for (i, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                line += (i == 0 ? "" : "  ") + (rightAligned.contains(i) ? pad + cell : cell + pad)
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}
