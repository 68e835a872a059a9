import Foundation
import Ink
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

/// One self-contained HTML page from markdown (Ink): a small readable stylesheet, a table of
/// contents from the headings, and every SVG figure the markdown names inlined, so the page
/// needs no other file. Raw HTML in the markdown is shown as text, never interpreted, and a link
/// goes only to a web address, an anchor of the page or a file beside it: a report or notebook
/// built from someone else's scenario can run nothing in a browser.
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

    /// The page for `markdown`; figures are looked up relative to `base` (and must lie below it).
    public static func render(markdown: String, title: String, base: URL) -> String {
        var headings: [(level: Int, id: String, text: String)] = []
        var used: [String: Int] = [:]
        var parser = MarkdownParser()
        parser.addModifier(Modifier(target: .headings) { html, markdown in
            let level = markdown.prefix { $0 == "#" }.count
            let text = stripTags(html)
            var id = slug(text)
            if let n = used[id] { used[id] = n + 1; id += "-\(n + 1)" } else { used[id] = 1 }
            headings.append((level, id, text))
            guard let close = html.firstIndex(of: ">") else { return html }
            return String(html[..<close]) + " id=\"\(id)\"" + String(html[close...])
        })
        parser.addModifier(Modifier(target: .images) { html, markdown in
            inlineFigure(html, base: base)
        })
        parser.addModifier(Modifier(target: .links) { html, _ in safeLink(html) })
        let body = parser.html(from: escapingRawHTML(markdown))
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
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
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

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
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

    /// Every '<' outside fenced blocks written as &lt;, so Ink treats no text as HTML (a '<' in
    /// an inline code span then shows as "&lt;", a small price); lines that are one HTML comment
    /// (a rendered notebook's markers) are dropped rather than passed through.
    static func escapingRawHTML(_ markdown: String) -> String {
        var out = ""
        var fenced = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { fenced.toggle(); out += line + "\n"; continue }
            if fenced { out += line + "\n"; continue }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("<!--") && trimmed.hasSuffix("-->") { out += "\n"; continue }
            var inCode = false
            var previous: Character = " "
            let chars = Array(line)
            for (i, ch) in chars.enumerated() {
                let next: Character = i + 1 < chars.count ? chars[i + 1] : " "
                if ch == "`" { inCode.toggle(); out.append(ch) }
                else if ch == "<" { out += "&lt;" }
                // An underscore inside a word (share_1_5T) is a character, not emphasis.
                else if ch == "_" && !inCode && (previous.isLetter || previous.isNumber) && (next.isLetter || next.isNumber) { out += "\\_" }
                else { out.append(ch) }
                previous = ch
            }
            out += "\n"
        }
        return String(out.dropLast())
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
        guard html.hasPrefix(prefix), let close = html.range(of: "\">"), html.hasSuffix("</a>") else { return stripTags(html).isEmpty ? "" : escape(stripTags(html)) }
        let target = String(html[html.index(html.startIndex, offsetBy: prefix.count)..<close.lowerBound])
        let text = String(html[close.upperBound..<html.index(html.endIndex, offsetBy: -4)])
        guard safeTarget(target) else { return escape(stripTags(text)) }
        return html
    }

    /// Ink's `<img src="x.svg" alt="…"/>` → the SVG itself inside a figure, when x.svg is a file
    /// below `base` that holds no script; any other image becomes its caption in words (a page
    /// that needs no other file, and an attribute smuggled into an address does nothing).
    static func inlineFigure(_ html: String, base: URL) -> String {
        func attribute(_ name: String) -> String? {
            guard let a = html.range(of: "\(name)=\""), let b = html[a.upperBound...].firstIndex(of: "\"") else { return nil }
            return String(html[a.upperBound..<b])
        }
        let alt = escape(HTMLPage.unescape(attribute("alt") ?? ""))
        let words = "<p class=\"figure-missing\"><em>[figure: \(alt)]</em></p>"
        // Exactly <img src="…" alt="…"/> with no other attribute.
        guard let src = attribute("src"), html.components(separatedBy: "=\"").count <= 3, safeTarget(src), src.hasSuffix(".svg"),
              !src.hasPrefix("http"), !src.contains("#"), !src.contains("?") else { return words }
        let file = base.appendingPathComponent(src)
        guard let data = try? Data(contentsOf: file), data.count <= 4 << 20, var svg = String(data: data, encoding: .utf8),
              let open = svg.range(of: "<svg") else { return words }
        svg = String(svg[open.lowerBound...])
        // Scripts, event handlers, script addresses and foreign HTML have no place in a figure.
        let lower = svg.lowercased()
        guard !lower.contains("<script"), !lower.contains("javascript:"), !lower.contains("<foreignobject"), !lower.contains("&#"),
              !containsHandler(svg) else { return words }
        svg = svg.replacingOccurrences(of: "<svg ", with: "<svg role=\"img\" aria-label=\"\(alt)\" ", options: [], range: svg.range(of: "<svg "))
        return "<div class=\"figure\">\(svg)</div>"
    }

    /// &quot; &amp; &lt; &gt; back to characters (Ink's escaping of an alt text), so it is
    /// escaped once, not twice.
    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Whether an attribute such as onload= or onclick= appears: "on", letters, optional
    /// spaces and '=' right after a space, line break, quote or slash.
    static func containsHandler(_ svg: String) -> Bool {
        let lower = Array(svg.lowercased().unicodeScalars)
        var i = 0
        while i + 2 < lower.count {
            let before = lower[i]
            if (before == " " || before == "\n" || before == "\t" || before == "\r" || before == "\"" || before == "'" || before == "/"),
               lower[i + 1] == "o", lower[i + 2] == "n" {
                var j = i + 3
                var letters = 0
                while j < lower.count, lower[j] >= "a" && lower[j] <= "z" { j += 1; letters += 1 }
                while j < lower.count, lower[j] == " " || lower[j] == "\n" || lower[j] == "\t" || lower[j] == "\r" { j += 1 }
                if letters > 0, j < lower.count, lower[j] == "=" { return true }
            }
            i += 1
        }
        return false
    }
}
