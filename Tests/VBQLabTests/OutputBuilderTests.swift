import Testing
import VBQLab

/// The builders every report and figure file is written with: their layout, byte for byte.
@Suite struct OutputBuilderTests {
    @Test func markdownDocumentSeparatesBlocksAndEndsWithOneLineBreak() {
        var d = MarkdownDocument()
        #expect(d.markdown == "")
        d.heading(1, "Title")
        d.quote("A **note**.")
        d.paragraph("First sentence. ", "Second.")
        d.list([.init("one", ["a", "b"]), .init("two")])
        var t = MarkdownTable(["x", "y"])
        t.add(["1", ""])
        d.table(t)
        d.figure("plots/f.svg", alt: "short", caption: "Long caption.")
        d.heading(2, "End")
        d.list([.init("last")])
        #expect(d.markdown == """
        # Title

        > A **note**.

        First sentence. Second.

        - one
          - a
          - b
        - two

        | x | y |
        |---|---|
        | 1 | |

        ![short](plots/f.svg)

        *Long caption.*

        ## End

        - last

        """)
        var e = MarkdownDocument()
        e.paragraph("Tail.")
        var whole = MarkdownDocument()
        whole.heading(2, "Head")
        whole.append(e)
        #expect(whole.markdown == "## Head\n\nTail.\n")
    }

    @Test func gnuplotDataWritesNumbersExactlyAndTextAsOneField() {
        var data = GnuplotData(comment: "first\nsecond", "other")
        data.row(["x", .text("cell \"a\"\tb"), "y"])
        data.row([.number(0.1), .int(3), .number(.nan)])
        data.row([2.5, -.infinity])
        data.endBlock()
        data.row([1e-20])
        #expect(data.text == "# first second\n# other\nx\t\"cell 'a' b\"\ty\n0.1\t3\tNA\n2.5\tNA\n\n\n1e-20\n")
    }
}
