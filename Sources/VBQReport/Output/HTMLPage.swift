import Foundation
import Ink
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

/// One self-contained HTML page from markdown (Ink): a small readable stylesheet, a table of
/// contents from the headings, and every SVG figure the markdown names inlined, so the page
/// needs no other file. A report or notebook built from someone else's scenario or markdown can
/// run nothing in a browser, by three walls: raw HTML in the markdown is shown as text; the
/// page Ink writes is read into tokens and written again through an allow-list of elements and
/// attributes (`Markup`), a link going only to a web address, an anchor of the page or a file
/// beside it; each figure is an SVG file below the markdown's folder written again through an
/// allow-list of its own. And the page's Content-Security-Policy forbids every script.
public enum HTMLPage {
    public static let style = """
    body { font: 16px/1.55 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d2125; max-width: 62rem; margin: 2rem auto; padding: 0 1.25rem; }
    h1 { font-size: 1.9rem; margin-top: 0; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #e3e6e8; padding-bottom: .2rem; } h3 { margin-top: 1.6rem; }
    code { font: .9em/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, monospace; background: #f4f5f6; padding: .05rem .25rem; border-radius: 3px; }
    pre { background: #f4f5f6; padding: .8rem 1rem; overflow-x: auto; border-radius: 4px; } pre code { background: none; padding: 0; }
    pre code.language-text { color: #33383c; } pre code.language-vbqlab { color: #0b4f8a; font-weight: 600; }
    table { border-collapse: collapse; margin: 1rem 0; font-size: .92rem; display: block; overflow-x: auto; }
    th, td { border: 1px solid #d9dde0; padding: .3rem .55rem; text-align: left; vertical-align: top; } th { background: #f4f5f6; }
    blockquote { margin: 1rem 0; padding: .4rem 1rem; border-left: 4px solid #56B4E9; background: #f3f9fd; }
    figure, .figure { margin: 1.2rem 0; } .figure svg { max-width: 100%; height: auto; }
    nav.toc { background: #fafbfb; border: 1px solid #e3e6e8; border-radius: 4px; padding: .6rem 1rem; margin: 1rem 0 2rem; font-size: .95rem; }
    nav.toc ul { margin: .2rem 0; padding-left: 1.2rem; } nav.toc > ul { padding-left: 0; list-style: none; }
    details { margin: .8rem 0; } summary { cursor: pointer; font-weight: 600; }
    """

    /// What the page may load or run: nothing but its own inline styles (and its inline SVG).
    public static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'"

    /// A report as one self-contained page beside its markdown: `name` (e.g. report.html) in
    /// `folder`, its figures (below `folder`) inlined. Every report a command writes has one.
    static func write(markdown: String, title: String, name: String, in folder: URL) throws {
        try AtomicFile.write(render(markdown: markdown, title: title, base: folder), to: folder.appendingPathComponent(name))
    }

    /// The page for `markdown`; figures are looked up relative to `base` (and must lie below it).
    public static func render(markdown source: String, title: String, base: URL) -> String {
        // Line breaks as \n only: a carriage return would hide fences and headings from the
        // escaper and from the title.
        let markdown = source.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var headings: [(level: Int, id: String, text: String)] = []
        var figures: [String] = []
        var used: [String: Int] = [:]
        var parser = MarkdownParser()
        parser.addModifier(Modifier(target: .headings) { html, markdown in
            let level = markdown.prefix { $0 == "#" }.count
            let text = Markup.escapeText(Markup.decode(stripTags(html)))
            var id = slug(text)
            if let n = used[id] { used[id] = n + 1; id += "-\(n + 1)" } else { used[id] = 1 }
            headings.append((level, id, text))
            guard let close = html.firstIndex(of: ">") else { return html }
            return String(html[..<close]) + " id=\"\(id)\"" + String(html[close...])
        })
        // A figure is a placeholder here and its sanitised SVG goes in after the page is
        // sanitised (the page's allow-list has no SVG).
        parser.addModifier(Modifier(target: .images) { html, markdown in
            let (svg, words) = figure(html, base: base)
            guard let svg else { return words }
            figures.append(svg)
            return figureMarker.open + "\(figures.count - 1)" + figureMarker.close
        })
        parser.addModifier(Modifier(target: .links) { html, _ in safeLink(html) })
        // The renderer reads a document that starts with "---" as front matter and crashes on
        // one left open (an index out of bounds; 0.2.0 too): a first fragment of its own, an
        // empty <br/> taken off again, keeps it from trying.
        var body = parser.html(from: "<br/>\n" + escapingRawHTML(markdown))
        if body.hasPrefix("<br/>") { body.removeFirst(5) }
        body = foldingAnswers(body)
        var toc = ""
        let listed = headings.filter { $0.level == 2 || $0.level == 3 }
        if listed.count >= 3 {
            toc = "<nav class=\"toc\"><strong>Contents</strong><ul>"
            var open = false
            for h in listed {
                if h.level == 2 {
                    if open { toc += "</ul></li>" }
                    toc += "<li><a href=\"#\(h.id)\">\(h.text)</a><ul>"
                    open = true
                } else {
                    if !open { toc += "<li><ul>"; open = true }
                    toc += "<li><a href=\"#\(h.id)\">\(h.text)</a></li>"
                }
            }
            if open { toc += "</ul></li>" }
            toc += "</ul></nav>\n"
        }
        // The contents go after the first heading (the title).
        var page = body
        if !toc.isEmpty, let end = page.range(of: "</h1>") { page.insert(contentsOf: "\n" + toc, at: end.upperBound) }
        else { page = toc + page }
        page = inliningFigures(pagePolicy.write(Markup.tokens(restoringStandIns(page))), figures)
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="\(contentSecurityPolicy)">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(Markup.escape(title))</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        \(page)
        </body>
        </html>

        """
    }

    /// Where figure i goes while the page is sanitised: open + "i" + close (the allow-list keeps
    /// a div of class figure with a numeric data-figure, and nothing else of the kind).
    static let figureMarker = (open: "<div class=\"figure\" data-figure=\"", close: "\"></div>")

    /// The sanitised page with each figure's marker element `<div class="figure" data-figure="i"></div>`
    /// replaced by `<div class="figure">` + figures[i] + `</div>`, in one pass over the page's
    /// bytes (a search of the whole page per figure cost more than the rest of the page). Only the
    /// page's own markers can match: raw HTML in the markdown was escaped to text.
    static func inliningFigures(_ page: String, _ figures: [String]) -> String {
        guard !figures.isEmpty else { return page }
        let open = Array(figureMarker.open.utf8), close = Array(figureMarker.close.utf8)
        let bytes = Array(page.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + figures.reduce(0) { $0 + $1.utf8.count })
        var i = 0
        while let at = firstIndex(of: open, in: bytes, from: i) {
            var j = at + open.count
            while j < bytes.count, bytes[j] >= UInt8(ascii: "0"), bytes[j] <= UInt8(ascii: "9") { j += 1 }
            let digits = String(decoding: bytes[(at + open.count)..<j], as: UTF8.self)
            if let k = Int(digits), String(k) == digits, k < figures.count, bytes[j...].starts(with: close) {
                out += bytes[i..<at]
                out += "<div class=\"figure\">".utf8; out += figures[k].utf8; out += "</div>".utf8
                i = j + close.count
            } else {
                out += bytes[i..<(at + open.count)]
                i = at + open.count
            }
        }
        out += bytes[i...]
        return String(decoding: out, as: UTF8.self)
    }

    /// Where `needle` first occurs in `haystack` at or after `from`.
    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, haystack.count - from >= needle.count else { return nil }
        var k = from
        while k <= haystack.count - needle.count {
            if haystack[k] == first && haystack[k..<(k + needle.count)].elementsEqual(needle) { return k }
            k += 1
        }
        return nil
    }

    /// An index page linking each (file, title, one-line summary).
    public static func index(title: String, intro: String, pages: [(file: String, title: String, summary: String)]) -> String {
        var table = MarkdownTable(["", "lesson", "what it shows"])
        for (i, p) in pages.enumerated() { table.add(["\(i + 1)", "[\(p.title)](\(p.file))", p.summary]) }
        var d = MarkdownDocument()
        d.heading(1, title)
        d.paragraph(intro)
        d.table(table)
        return render(markdown: d.markdown, title: title, base: URL(fileURLWithPath: "/nonexistent"))
    }

    static func stripTags(_ html: String) -> String {
        var out = "", inTag = false
        for ch in html {
            if ch == "<" { inTag = true } else if ch == ">" { inTag = false } else if !inTag { out.append(ch) }
        }
        return out
    }

    /// "What a study of 256 reports" → "what-a-study-of-256-reports".
    static func slug(_ text: String) -> String {
        var out = "", dash = false
        for s in text.lowercased().unicodeScalars {
            if (s >= "a" && s <= "z") || (s >= "0" && s <= "9") { out.unicodeScalars.append(s); dash = false }
            else if !dash && !out.isEmpty { out += "-"; dash = true }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "section" : out
    }

    /// Stand-ins the markdown renderer reads as plain text: every '<' (so no text is ever HTML to
    /// it, wherever it thinks a code block or span ends) and every '[' that does not open a
    /// whole link on its line (it tries each nesting of brackets as a link, in time doubling
    /// with each one: 22 took 6 s). `restoringStandIns` turns them back into '&lt;' and '[' in the
    /// rendered page. Two private-use characters, which no text here needs (one in the markdown
    /// shows as what it stands for).
    static let lessThan: Character = "\u{E000}", openBracket: Character = "\u{E001}"
    /// Links (and figures) a paragraph, list item, table row or heading may hold: a second guard
    /// on the renderer's link search, which `wholeLink` in `escapingRawHTML` already keeps to
    /// links it can read at once.
    static let linksPerParagraph = 8

    /// The markdown as the renderer gets it: '<' and every '[' but a whole link's as stand-ins, an underscore
    /// inside a word escaped (share_1_5T is not emphasis), and lines that are one HTML comment
    /// (a rendered notebook's markers) dropped.
    static func escapingRawHTML(_ markdown: String) -> String {
        var out = ""
        var fenced = false
        var brackets = 0
        // Brackets the renderer may read as links, in this paragraph (or list item, table row,
        // heading): beyond `linksPerParagraph`
        // every '[' is a stand-in too. Where the renderer and this reader disagree on where a
        // bracket closes (inside what it takes for code), its tries still double with each
        // bracket; the bound keeps that to a few hundred tries (a fuzzed paragraph of 3.6 KB ran
        // for minutes).
        var opened = 0
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { brackets = 0; opened = 0 }
            // A list item, a table row or a heading is read by the renderer on its own.
            if trimmed.hasPrefix("- ") || trimmed.hasPrefix("* ") || trimmed.hasPrefix("+ ") || trimmed.hasPrefix("|") || trimmed.hasPrefix("#")
                || trimmed.prefix(while: \.isNumber).count > 0 && trimmed.drop(while: \.isNumber).hasPrefix(". ") { opened = 0 }
            if line.hasPrefix("```") { fenced.toggle() }
            if !fenced && trimmed.hasPrefix("<!--") && trimmed.hasSuffix("-->") { out += "\n"; continue }
            var inCode = false
            var previous: Character = " "
            let chars = Array(line)
            // A '[' stays a bracket only when a whole link follows on its own line: text up to an
            // unescaped ']' with no '`' or '&' in it, then '(', then an address of plain
            // characters up to ')'. The renderer tries every '[' inside a link's text as a nested
            // link, its work doubling with each; wherever it would read past the ']' this reader
            // sees (a line break, a code span, an entity '&…;'), those tries ran for minutes. Any
            // other '[' is the stand-in, which the page shows as the same '['.
            func wholeLink(_ i: Int) -> Bool {
                var j = i + 1
                while j < chars.count, chars[j] != "]" || chars[j - 1] == "\\" {
                    if chars[j] == "`" || chars[j] == "&" { return false }
                    j += 1
                }
                guard j + 2 < chars.count, chars[j + 1] == "(" else { return false }
                var k = j + 2
                while k < chars.count, chars[k] != ")" {
                    if chars[k].isWhitespace || "`&[]()\\".contains(chars[k]) || chars[k] == "<" { return false }
                    k += 1
                }
                return k < chars.count && k > j + 2
            }
            for (i, ch) in chars.enumerated() {
                let next: Character = i + 1 < chars.count ? chars[i + 1] : " "
                if ch == "<" { out.append(lessThan) }
                else if ch == "[" && previous != "\\" {
                    if brackets > 0 || opened >= linksPerParagraph || !wholeLink(i) { out.append(openBracket) } else { brackets = 1; opened += 1; out.append(ch) }
                }
                else if ch == "]" && previous != "\\" { brackets = 0; out.append(ch) }
                else if ch == "`" { inCode.toggle(); out.append(ch) }
                else if ch == "_" && !fenced && !inCode && (previous.isLetter || previous.isNumber) && (next.isLetter || next.isNumber) { out += "\\_" }
                else { out.append(ch) }
                previous = ch
            }
            out += "\n"
        }
        return String(out.dropLast())
    }

    /// A lesson's "Predict first" question (a quote that opens with **Predict first.**) keeps its
    /// answer folded: what follows the quote, up to the next heading or question, goes into a
    /// <details> the reader opens after predicting. Only the renderer writes these tags (every
    /// '<' of the markdown is a stand-in by now).
    static func foldingAnswers(_ html: String) -> String {
        let marker = "<blockquote><p><strong>Predict first.</strong>"
        var out = "", rest = Substring(html)
        while let start = rest.range(of: marker), let end = rest.range(of: "</blockquote>", range: start.upperBound..<rest.endIndex) {
            out += rest[..<end.upperBound]
            rest = rest[end.upperBound...]
            let next = ["<h1", "<h2", "<h3", marker].compactMap { rest.range(of: $0)?.lowerBound }.min() ?? rest.endIndex
            out += "\n<details><summary>Show the answer</summary>" + rest[..<next] + "</details>\n"
            rest = rest[next...]
        }
        return out + rest
    }

    /// The stand-ins of `escapingRawHTML` back as what they stand for.
    static func restoringStandIns(_ html: String) -> String {
        html.replacingOccurrences(of: String(lessThan), with: "&lt;").replacingOccurrences(of: String(openBracket), with: "[")
    }

    /// Whether `target` may be a link or image address: http(s) without quotes, spaces or
    /// entities, a #anchor, or a relative path of plain characters without '..'.
    static func safeTarget(_ target: String) -> Bool {
        let plain = target.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || "._/-#%?=+~,".unicodeScalars.contains($0) }
        let lower = target.lowercased()
        if lower.hasPrefix("https://") || lower.hasPrefix("http://") {
            return plain || target.dropFirst(lower.hasPrefix("https://") ? 8 : 7).unicodeScalars.allSatisfy { !"\"'<> &\\`".unicodeScalars.contains($0) && $0.value > 32 }
        }
        guard plain, !target.hasPrefix("/"), !target.split(separator: "/").contains("..") else { return false }
        return true
    }

    /// Ink's `<a href="…">text</a>`, kept only when it is exactly that with a safe address;
    /// otherwise the text alone (a quote in an address cannot add an attribute).
    static func safeLink(_ html: String) -> String {
        let prefix = "<a href=\""
        // The address ends at the first `">` after the prefix (an empty address's quote is the
        // prefix's own: `<a href="">` must not be read from inside it), and the text between
        // that and `</a>` may be empty but never overlaps either.
        let start = html.index(html.startIndex, offsetBy: min(prefix.count, html.count))
        let end = html.count >= prefix.count + 4 ? html.index(html.endIndex, offsetBy: -4) : html.startIndex
        guard html.hasPrefix(prefix), html.hasSuffix("</a>"), let close = html.range(of: "\">", range: start..<html.endIndex),
              close.upperBound <= end else { return Markup.escapeText(Markup.decode(stripTags(html))) }
        let target = String(html[start..<close.lowerBound])
        let text = String(html[close.upperBound..<end])
        guard safeTarget(target) else { return Markup.escapeText(Markup.decode(stripTags(text))) }
        return html
    }

    /// Ink's `<img src="x.svg" alt="…"/>`: the SVG, sanitised, when x.svg is a regular file
    /// that lies below `base` (links resolved) and reads as SVG; else nil and the caption in
    /// words (a page that needs no other file, and an attribute smuggled into an address does
    /// nothing).
    static func figure(_ html: String, base: URL) -> (svg: String?, words: String) {
        var src: String? = nil, alt = ""
        for token in Markup.tokens(html) {
            if case let .start(name, attributes, _) = token, name.lowercased() == "img" {
                src = attributes.first { $0.name == "src" }?.value
                alt = attributes.first { $0.name == "alt" }?.value ?? ""
            }
        }
        let words = "<p class=\"figure-missing\"><em>[figure: \(Markup.escapeText(alt))]</em></p>"
        guard let src, safeTarget(src), src.hasSuffix(".svg"), !src.hasPrefix("http"), !src.contains("#"), !src.contains("?"),
              let data = readBelow(base, src), data.count <= 4 << 20, let text = String(data: data, encoding: .utf8),
              let svg = SVG.sanitised(text, label: String(restoringStandIns(alt).replacingOccurrences(of: "&lt;", with: "<"))) else { return (nil, words) }
        return (svg, words)
    }

    /// The bytes of `relative` below `base` when the file, with every link resolved, is a regular
    /// file inside `base` (a link out of the folder is not followed).
    static func readBelow(_ base: URL, _ relative: String) -> Data? {
        guard let root = realpath(base.path, nil) else { return nil }
        defer { free(root) }
        guard let file = realpath(base.appendingPathComponent(relative).path, nil) else { return nil }
        defer { free(file) }
        let rootPath = String(cString: root), filePath = String(cString: file)
        guard filePath.hasPrefix(rootPath == "/" ? "/" : rootPath + "/") else { return nil }
        return RunFolder.readRegular(URL(fileURLWithPath: filePath), limit: 4 << 20)
    }

    /// The page's allow-list: what Ink writes (headings with their ids, paragraphs, emphasis,
    /// code with a language class, lists, tables with alignment, quotes, rules, links to safe
    /// addresses), the figure placeholders and the contents. Scripts, styles, frames, objects,
    /// forms and foreign markup go with their content; any other element loses its tags.
    static let pagePolicy: Markup.Policy = {
        let digits: Markup.Policy.Check = { !$0.isEmpty && $0.count <= 9 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
        let slugText: Markup.Policy.Check = { !$0.isEmpty && $0.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" } }
        let language: Markup.Policy.Check = { v in
            v.hasPrefix("language-") && v.count <= 60
                && v.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || "-_+.#".unicodeScalars.contains($0) }
        }
        var elements: [String: (name: String, attributes: [String: Markup.Policy.Check])] = [:]
        for name in ["em", "strong", "s", "del", "br", "hr", "blockquote", "ul", "li", "table", "thead", "tbody", "tr", "pre", "details", "summary"] {
            elements[name] = (name, [:])
        }
        elements["p"] = ("p", ["class": { $0 == "figure-missing" }])
        elements["ol"] = ("ol", ["start": digits])
        elements["code"] = ("code", ["class": language])
        for name in ["th", "td"] { elements[name] = (name, ["align": { ["left", "center", "right"].contains($0) }]) }
        for level in 1...6 { elements["h\(level)"] = ("h\(level)", ["id": slugText]) }
        elements["a"] = ("a", ["href": safeTarget])
        elements["div"] = ("div", ["class": { $0 == "figure" }, "data-figure": digits])
        elements["nav"] = ("nav", ["class": { $0 == "toc" }])
        return Markup.Policy(elements: elements, droppedWithContent: [
            "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "template", "noscript",
            "noembed", "noframes", "textarea", "title", "xmp", "plaintext", "select", "form", "button", "link", "meta", "base",
            "audio", "video", "canvas", "portal",
        ], void: ["br", "hr"])
    }()
}
