import Foundation
import Testing
import VBQLab
import VBQTestSupport

/// A page rendered from someone else's markdown and figures runs nothing: the attacks that got
/// through release 0.2.0's filters (D01–D03, D15, D19), the checker that judges the pages, and
/// what the allow-lists must keep.
@Suite struct HTMLSafetyTests {
    static func page(_ markdown: String, files: [String: String] = [:]) throws -> (html: String, folder: URL) {
        let dir = try TestFolder.make("vbqlab-html")
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: false, encoding: .utf8) }
        return (HTMLPage.render(markdown: markdown, title: "t", base: dir), dir)
    }

    /// The part a browser shows: what follows <body>.
    static func body(_ html: String) -> String {
        html.range(of: "<body>").map { String(html[$0.upperBound...]) } ?? html
    }

    // D01: a quote in a fence's info string closed the class attribute and opened an element.
    @Test(arguments: ["```x\"><img src=x onerror=\"document.title=1\">\ncode\n```\n",
                      "```\" autofocus onfocus=\"document.title=1\nx\n```\n",
                      "```python\" onmouseover=\"document.title=1\nx\n```\n"])
    func fenceInfoStringAddsNoAttribute(_ markdown: String) throws {
        let html = try Self.page(markdown).html
        #expect(HTMLCheck.problems(html).isEmpty, "\(HTMLCheck.problems(html))")
        // The attack's text may show as text; no tag carries it.
        #expect(!Self.body(html).contains("<img"))
    }

    // D02: the escaper and Ink disagreed on where a fence ends.
    @Test(arguments: ["````\nfour\n```\n<img src=x onerror=\"document.title=2\">\n````\n",
                      "```\nx\n```<img src=x onerror=\"document.title=3\">\n\ntext\n",
                      "~~~\n<img src=x onerror=\"document.title=4\">\n~~~\n<svg onload=\"document.title=5\">\n"])
    func fenceDisagreementLetsNoTagThrough(_ markdown: String) throws {
        let html = try Self.page(markdown).html
        #expect(HTMLCheck.problems(html).isEmpty, "\(HTMLCheck.problems(html))")
        #expect(!Self.body(html).contains("<img") && !Self.body(html).contains("<svg"), "\(Self.body(html))")
    }

    // D03: an SVG beside the markdown passed the filter with a form feed, an iframe, an
    // encoded script address, a style or an image from the web.
    @Test(arguments: [
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect\u{0C}onload=\"document.title=1\" width=\"5\"/></svg>",
        "<svg><rect onload\u{0C}=\"document.title=1\"/></svg>",
        "<svg><p><iframe srcdoc=\"&lt;script&gt;document.title=1&lt;/script&gt;\"></iframe></p></svg>",
        "<svg><iframe src=\"javascript&colon;document.title=1\"></iframe></svg>",
        "<svg><style>body { display: none }</style><rect/></svg>",
        "<svg><image href=\"http://example.com/x.png\"/><use xlink:href=\"http://example.com/s.svg#a\"/></svg>",
        "<svg><a href=\"javascript:alert(1)\"><text>t</text></a><rect fill=\"url(http://example.com/p)\"/></svg>",
        "<svg><animate attributeName=\"href\" to=\"javascript:alert(1)\"/><set attributeName=\"onload\" to=\"alert(1)\"/></svg>",
        "<svg><![CDATA[<script>alert(1)</script>]]><!-- <script>alert(2)</script> --><foreignObject><body onload=\"alert(3)\"/></foreignObject></svg>",
        "<svg><g onload=\"&#x61;lert(1)\"><text x=\"1\">&lt;script&gt;</text></g></svg>",
        // Found by the fuzz target: a presentation value that is a data address, or a script
        // address with a line break in it.
        "<svg><path stroke=\"data:21, 221, 20\" fill=\"DATA&#58;x\"/></svg>",
        "<svg viewBox=\"0java\nscript: 0 1 1\"><g fill=\"da\tta:x\"/></svg>",
        // A reference with white space inside: `url (…)` and `url(\n…)` are refused too.
        "<svg width=\"x url (a g\"><rect fill=\"url (http://example.com/p)\" stroke=\"url(\n'http://example.com/q')\"/></svg>",
        // A quoted reference left open (found by the fuzz target after about 200,000 runs):
        // only the plain url(#id) is kept.
        "<svg><rect fill=\"url('#ttp://example.com/)\" stroke=\"url(\"#a\")\"/></svg>",
    ])
    func figureKeepsNoScriptStyleOrForeignAddress(_ svg: String) throws {
        let (html, _) = try Self.page("# F\n\n![the figure](f.svg)\n", files: ["f.svg": svg])
        #expect(HTMLCheck.problems(html).isEmpty, "\(HTMLCheck.problems(html))")
        let body = Self.body(html).lowercased()
        for bad in ["<script", "<style", "<iframe", "<image", "<foreignobject", "<animate", "<set", "srcdoc", "onload", "javascript", "example.com", "data:"] {
            #expect(!body.contains(bad), "\(bad) in \(body)")
        }
        #expect(body.contains("<svg role=\"img\" aria-label=\"the figure\""))
    }

    /// A figure with elements left open or closed twice is written balanced, so the page's
    /// text after it stays outside the figure (found by the fuzz target).
    @Test func figureIsWrittenBalanced() throws {
        let (html, _) = try Self.page("![f](f.svg)\n\nafter\n", files: ["f.svg": "<svg><title>x</g></svg></svg><g><text>t"])
        #expect(Self.body(html).contains("<svg role=\"img\" aria-label=\"f\"><title>x</title></svg></div><p>after</p>"), "\(Self.body(html))")
        #expect(SVG.sanitised("<svg><g><text>t", label: "l") == "<svg role=\"img\" aria-label=\"l\"><g><text>t</text></g></svg>")
    }

    /// Eleven figures (two-digit marker indices) each land in their own place, in order, and a
    /// marker element typed into the markdown stays text.
    @Test func figuresAreInlinedInTheirPlaces() throws {
        var markdown = "Typed: <div class=\"figure\" data-figure=\"3\"></div>\n\n"
        var files: [String: String] = [:]
        for i in 0...10 {
            markdown += "![f\(i)](f\(i).svg)\n\nafter \(i)\n\n"
            files["f\(i).svg"] = "<svg><title>T\(i)</title></svg>"
        }
        let body = Self.body(try Self.page(markdown, files: files).html)
        #expect(body.contains("Typed: &lt;div class=\"figure\" data-figure=\"3\"&gt;&lt;/div&gt;</p>"), "\(body)")
        #expect(body.components(separatedBy: "data-figure").count == 2, "only the typed one is left: \(body)")
        var at = body.startIndex
        for i in 0...10 {
            let expected = "<div class=\"figure\"><svg role=\"img\" aria-label=\"f\(i)\"><title>T\(i)</title></svg></div><p>after \(i)</p>"
            guard let r = body.range(of: expected, range: at..<body.endIndex) else { Issue.record("figure \(i) not in place: \(body)"); return }
            at = r.upperBound
        }
    }

    /// Nested brackets made the markdown renderer try every nesting as a link, in time doubling
    /// with each bracket (found by the fuzz target: 22 took 6 s), and a tag after a code block
    /// made it loop: they now render at once, and links and figures beside them still work.
    /// The time limit only stops a hang. It is generous: in a full parallel run on a loaded
    /// two-core machine this millisecond test has taken more than a minute of wall time, while
    /// the command-line tests (100 races, killed power sweeps) kept the workers busy.
    @Test(.timeLimit(.minutes(10)))
    func nestedBracketsRenderAtOnce() throws {
        let markdown = "# B\n\nx " + String(repeating: "[", count: 64) + " y " + String(repeating: "![", count: 64)
            + "\n\n[a [b] c](d.html) and [e](https://example.org) and \\[f\\]\n"
        let body = Self.body(try Self.page(markdown).html)
        #expect(body.contains("x " + String(repeating: "[", count: 64) + " y"))
        #expect(body.contains("<a href=\"https://example.org\">e</a>"), "\(body)")
        #expect(body.contains("[f]"))
        // A tag after a code block the renderer closed where the escaper did not made it loop
        // for ever; brackets after an unclosed backtick were tried exponentially (both in 0.2.0).
        for hang in ["```\n```\n```\n<p", "`" + String(repeating: "[", count: 64) + "/", "```x\n\n```<p\n",
                     // Front matter left open crashed the renderer (found by the fuzz target; 0.2.0 too).
                     "---", "---\n\n![a](f.svg)\n", "\n\n---\nkey: value\n  \n",
                     // A link whose address starts with '>' made the link filter read a range
                     // backwards and trap (found by the fuzz target).
                     "tesrc=)[x\u{12}f](>i// svg)xT<!&quot;e", "[a](>)", "[](>x)"] {
            #expect(HTMLCheck.problems(try Self.page(hang).html).isEmpty)
        }
        // Brackets the renderer reads inside what it takes for code spans, where this reader
        // saw them closed: 3.6 KB of them ran for minutes (found by the fuzz target). Links
        // beyond eight in one paragraph are now text; as list items they are all links.
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let slow = try String(contentsOf: repository.appendingPathComponent("fuzz/html/seeds/links-in-code-spans.md"), encoding: .utf8)
        #expect(HTMLCheck.problems(try Self.page(slow).html).isEmpty)
        let links = (1...10).map { "[l\($0)](x\($0).html)" }
        let paragraph = Self.body(try Self.page(links.joined(separator: " ") + "\n").html)
        #expect(paragraph.contains("<a href=\"x8.html\">l8</a>") && !paragraph.contains("<a href=\"x9.html\">"), "\(paragraph)")
        let list = Self.body(try Self.page(links.map { "- " + $0 }.joined(separator: "\n") + "\n").html)
        #expect(list.contains("<a href=\"x10.html\">l10</a>"), "\(list)")
        // The renderer reads a link's text up to its ']' across lines, blank ones included: a
        // heading's unclosed '![' took every later '[' (each after a blank line, so each its own
        // paragraph here) as a nested try, and 22 of them ran for minutes (found by the fuzz
        // target; seed fuzz/html/seeds/link-text-across-lines.md). A '[' without its ']' on the
        // same line is now text.
        let across = "# ![x\n" + String(repeating: " \nr>![d\nt\n", count: 22)
        #expect(HTMLCheck.problems(try Self.page(across).html).isEmpty)
        #expect(Self.body(try Self.page(across).html).contains("![d"))
        // An entity-like '&…;' over a ']' hid it the same way: 6 KB of fuzzed text whose links
        // held '&ه;;' ran for seconds (found by the fuzz target; seed
        // fuzz/html/seeds/entity-over-bracket.md). Such a '[' is text too.
        let seed = try Data(contentsOf: repository.appendingPathComponent("fuzz/html/seeds/entity-over-bracket.md"))
        #expect(HTMLCheck.problems(try Self.page(String(decoding: seed.prefix { $0 != 0 }, as: UTF8.self)).html).isEmpty)
        let entity = Self.body(try Self.page("[a &amp; b](x.html) and [c](y.html)\n").html)
        #expect(!entity.contains("href=\"x.html\"") && entity.contains("<a href=\"y.html\">c</a>"), "\(entity)")
        let split = Self.body(try Self.page("[a link\nover two lines](x.html) and [one](y.html)\n").html)
        #expect(split.contains("<a href=\"y.html\">one</a>") && !split.contains("href=\"x.html\""), "\(split)")
    }

    /// A lesson's answer to a "Predict first" question is folded until the reader opens it: up
    /// to the next heading or question; text before the question stays open.
    @Test func predictFirstAnswersAreFolded() throws {
        let md = "# L\n\nIntro.\n\n> **Predict first.** Up or down?\n\nIt goes up.\n\n> **Predict first.** And then?\n\nDown.\n\n## Next\n\nOpen text.\n"
        let body = Self.body(try Self.page(md).html)
        #expect(body.contains("<p>Intro.</p>"))
        #expect(body.contains("Up or down?</p></blockquote>\n<details><summary>Show the answer</summary><p>It goes up.</p>"), "\(body)")
        #expect(body.contains("<p>Down.</p></details>"), "\(body)")
        #expect(body.components(separatedBy: "<details>").count == 3)
        #expect(!body.contains("<details><summary>Show the answer</summary><p>Open text."))
        // Written as text, the tags are text.
        #expect(!Self.body(try Self.page("<details><summary>x</summary>\n").html).contains("<details>"))
    }

    // D19: a figure reached through a symbolic link that leaves the markdown's folder.
    @Test func figureThroughALinkOutOfTheFolderIsNotRead() throws {
        let outside = try TestFolder.make("vbqlab-html-outside")
        try "<svg><text>outside</text></svg>".write(to: outside.appendingPathComponent("o.svg"), atomically: false, encoding: .utf8)
        let dir = try TestFolder.make("vbqlab-html")
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("o.svg"), withDestinationURL: outside.appendingPathComponent("o.svg"))
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("plots"), withDestinationURL: outside)
        try "<svg><text>inside</text></svg>".write(to: dir.appendingPathComponent("i.svg"), atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("l.svg"), withDestinationURL: dir.appendingPathComponent("i.svg"))
        let html = HTMLPage.render(markdown: "![a](o.svg) ![b](plots/o.svg) ![c](l.svg)\n", title: "t", base: dir)
        #expect(!html.contains("outside"))
        #expect(html.contains("[figure: a]") && html.contains("[figure: b]"))
        // A link that stays inside the folder is followed.
        #expect(html.contains("<text>inside</text>"))
    }

    // D15: with CRLF line ends the whole file became the page's title.
    @Test func crlfMarkdownReadsAsLines() throws {
        let text = "# The title\r\n\r\nFirst paragraph.\r\n\r\n```\r\n<b>code</b>\r\n```\r\n"
        #expect(NotebookFiles.title(text) == "The title")
        let html = try Self.page(text).html
        #expect(Self.body(html).contains("<h1 id=\"the-title\">The title</h1><p>First paragraph.</p>"), "\(Self.body(html))")
        #expect(Self.body(html).contains("&lt;b&gt;code&lt;/b&gt;"))
    }

    /// What Ink writes for ordinary markdown survives the allow-list.
    @Test func ordinaryMarkdownIsKept() throws {
        let markdown = """
        # Title

        Some *emphasis*, **strength**, ~~gone~~, `code < 3` and a [link](https://example.org/x?a=1) and [a file](other.html#part).

        > quoted

        3. three
        4. four

        - a
        - b

        | left | right |
        |:---|---:|
        | 1 | 2 |

        ```yaml
        name: x
        ```

        ---
        """
        let body = Self.body(try Self.page(markdown).html)
        for piece in ["<h1 id=\"title\">Title</h1>", "<em>emphasis</em>", "<strong>strength</strong>", "<s>gone</s>", "<code>code &lt; 3</code>",
                      "<a href=\"https://example.org/x?a=1\">link</a>", "<a href=\"other.html#part\">a file</a>", "<blockquote><p>quoted</p></blockquote>",
                      "<ol start=\"3\"><li>three</li><li>four</li></ol>", "<ul><li>a</li><li>b</li></ul>", "<th align=\"left\">left</th>",
                      "<td align=\"right\">2</td>", "<pre><code class=\"language-yaml\">name: x\n</code></pre>", "<hr>"] {
            #expect(body.contains(piece), "\(piece) missing from \(body)")
        }
    }

    /// The SVG allow-list keeps every element and attribute a gnuplot figure uses.
    @Test func gnuplotFigureIsKeptWhole() {
        let svg = """
        <?xml version="1.0" encoding="utf-8"  standalone="no"?>
        <svg\u{20}
         viewBox="0 0 600 400"
         xmlns="http://www.w3.org/2000/svg"
         xmlns:xlink="http://www.w3.org/1999/xlink"
        >
        <title>Gnuplot</title>
        <desc>Produced by GNUPLOT 5.4 patchlevel 4 </desc>
        <g id="gnuplot_canvas">
        <rect x="0" y="0" width="600" height="400" fill="#ffffff"/>
        <defs>
        \t<circle id='gpDot' r='0.5' stroke-width='0.5' stroke='currentColor'/>
        \t<use xlink:href='#gpDot' id='gpPt6' fill='currentColor' stroke='none' transform='rotate(45)'/>
        \t<filter id='textbox' filterUnits='objectBoundingBox' x='0' y='0' height='1' width='1'>
        \t  <feFlood flood-color='#FFFFFF' flood-opacity='1' result='bgnd'/>
        \t  <feComposite in='SourceGraphic' in2='bgnd' operator='atop'/>
        \t</filter>
        </defs>
        <g fill="none" color="white" stroke="currentColor" stroke-width="1.00" stroke-linecap="butt" stroke-linejoin="miter">
        \t<path stroke='black' stroke-dasharray='2,4' d='M54.53,353.56 L575.73,353.56'/>
        \t<g transform="translate(46.14,357.46)" stroke="none" fill="black" font-family="Arial" font-size="12.00" text-anchor="end">
        \t\t<text><tspan font-family="Arial">0.5 &amp; ĉ</tspan></text>
        \t</g>
        \t<polygon fill='rgb(86, 180, 233)' fill-opacity='0.2' points='1,2 3,4 5,6'/>
        </g>
        </g>
        </svg>
        """
        let out = SVG.sanitised(svg, label: "fig")!
        #expect(out.hasPrefix("<svg role=\"img\" aria-label=\"fig\" viewBox=\"0 0 600 400\" xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">"))
        for piece in ["<use xlink:href=\"#gpDot\" id=\"gpPt6\" fill=\"currentColor\" stroke=\"none\" transform=\"rotate(45)\"/>",
                      "<filter id=\"textbox\" filterUnits=\"objectBoundingBox\"", "<feFlood flood-color=\"#FFFFFF\" flood-opacity=\"1\" result=\"bgnd\"/>",
                      "<feComposite in=\"SourceGraphic\" in2=\"bgnd\" operator=\"atop\"/>", "</filter>",
                      "<path stroke=\"black\" stroke-dasharray=\"2,4\" d=\"M54.53,353.56 L575.73,353.56\"/>",
                      "<text><tspan font-family=\"Arial\">0.5 &amp; ĉ</tspan></text>", "points=\"1,2 3,4 5,6\"", "<title>Gnuplot</title>"] {
            #expect(out.contains(piece), "\(piece) missing from \(out)")
        }
        // As many elements out as in (the XML declaration is not an element).
        #expect(out.components(separatedBy: "<").count == svg.components(separatedBy: "<").count - 1)
    }

    /// The checker finds what it is meant to find (a check that cannot fail checks nothing).
    @Test(arguments: [
        "<img src=x onerror=alert(1)>", "<a href=\"javascript:alert(1)\">x</a>", "<a href=\"java&#x09;script&colon;alert(1)\">x</a>",
        "<svg><script>alert(1)</script></svg>", "<rect\u{0C}onload=alert(1)/>", "<iframe srcdoc=x></iframe>",
        "<use xlink:href=\"http://e/x#a\"/>", "<rect style=\"fill:url(http://e/)\"/>", "<p/onclick=alert(1)>x</p>",
    ])
    func checkerFindsEachAttack(_ fragment: String) {
        let page = "<meta http-equiv=\"Content-Security-Policy\" content=\"\(HTMLPage.contentSecurityPolicy)\"><body>\(fragment)</body>"
        #expect(!HTMLCheck.problems(page).isEmpty, "\(fragment)")
        #expect(HTMLCheck.problems("<body>x</body>") == ["no Content-Security-Policy forbidding scripts"])
        #expect(HTMLCheck.problems(page.replacingOccurrences(of: fragment, with: "<p>fine <a href=\"#x\">x</a></p>")).isEmpty)
    }
}
