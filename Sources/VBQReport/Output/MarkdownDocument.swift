/// A markdown document built block by block, the one way reports write markdown: every block is
/// followed by a blank line, and the document ends with a single line break. A block's text is
/// markdown the caller writes (numbers formatted, emphasis chosen); text that comes from a
/// scenario or a data file is set with `Format.markdownText` first, so it cannot add markup.
package struct MarkdownDocument {
    private var text = ""

    package init() {}

    /// The document; it ends with one line break (none when it is empty).
    package var markdown: String { text.hasSuffix("\n\n") ? String(text.dropLast()) : text }

    package var isEmpty: Bool { text.isEmpty }

    /// `## text` for level 2.
    package mutating func heading(_ level: Int, _ heading: String) {
        precondition((1...6).contains(level) && !heading.contains("\n"), "a heading is one line at level 1 to 6")
        text += String(repeating: "#", count: level) + " " + heading + "\n\n"
    }

    /// One paragraph, its parts written one after the other (sentences carry their own spaces).
    package mutating func paragraph(_ parts: String...) { paragraph(parts) }

    package mutating func paragraph(_ parts: [String]) {
        text += parts.joined() + "\n\n"
    }

    /// A block quote of one paragraph.
    package mutating func quote(_ parts: String...) {
        text += "> " + parts.joined() + "\n\n"
    }

    /// A bulleted list; an item may have a list of its own one level down.
    package mutating func list(_ items: [ListItem]) {
        for item in items {
            text += "- " + item.text + "\n"
            for sub in item.items { text += "  - " + sub + "\n" }
        }
        text += "\n"
    }

    package struct ListItem {
        let text: String
        let items: [String]

        package init(_ text: String, _ items: [String] = []) {
            self.text = text
            self.items = items
        }
    }

    package mutating func table(_ table: MarkdownTable) {
        text += table.markdown + "\n"
    }

    /// A figure: the image (its alternative text the caption unless given), then the caption in
    /// italics.
    package mutating func figure(_ file: String, alt: String? = nil, caption: String) {
        text += "![\(alt ?? caption)](\(file))\n\n*\(caption)*\n\n"
    }

    /// Another document's blocks, in order, after these.
    package mutating func append(_ other: MarkdownDocument) {
        text += other.text
    }
}
