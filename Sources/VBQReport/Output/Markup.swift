/// Markup (HTML from the markdown renderer, SVG from gnuplot or a colleague) read into tokens
/// and written again through an allow-list: the page holds only elements and attributes named
/// here, every attribute value quoted and escaped, every text escaped. Whatever the input, what
/// a browser reads is then exactly what this writes, so no text can become a tag, an event
/// handler or a script address by being read differently.
package enum Markup {
    package enum Token: Equatable {
        /// Text between tags, as written (character references not decoded).
        case text(String)
        case start(name: String, attributes: [Attribute], selfClosing: Bool)
        case end(name: String)
    }

    package struct Attribute: Equatable {
        package let name: String
        /// The value with its character references decoded; "" for an attribute without one.
        package let value: String
    }

    /// The tokens of `text`, read as a browser's tokenizer reads tags: a tag opens at `<` followed
    /// by a letter (or `/` and a letter), attributes are separated by white space (tab, line feed,
    /// form feed, carriage return, space) or `/`, values are quoted with `"` or `'` or run to
    /// white space or `>`. Comments, doctypes, processing instructions and CDATA are dropped; a
    /// `<` that opens nothing is text.
    package static func tokens(_ text: String) -> [Token] {
        let s = Array(text.unicodeScalars)
        var out: [Token] = []
        var textStart = 0
        var i = 0
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" }
        func isLetter(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") }
        func flushText(_ end: Int) {
            if end > textStart { out.append(.text(String(String.UnicodeScalarView(s[textStart..<end])))) }
        }
        func skip(past marker: [Unicode.Scalar], from start: Int) -> Int {
            var j = start
            while j + marker.count <= s.count {
                if Array(s[j..<(j + marker.count)]) == marker { return j + marker.count }
                j += 1
            }
            return s.count
        }
        while i < s.count {
            guard s[i] == "<", i + 1 < s.count else { i += 1; continue }
            let next = s[i + 1]
            if next == "!" || next == "?" {
                flushText(i)
                let rest = String(String.UnicodeScalarView(s[(i + 1)..<min(s.count, i + 9)]))
                if rest.hasPrefix("!--") { i = skip(past: ["-", "-", ">"], from: i + 4) }
                else if rest.hasPrefix("![CDATA[") { i = skip(past: ["]", "]", ">"], from: i + 9) }
                else { i = skip(past: [">"], from: i + 2) }
                textStart = i
                continue
            }
            let closing = next == "/"
            let nameStart = closing ? i + 2 : i + 1
            guard nameStart < s.count, isLetter(s[nameStart]) else { i += 1; continue }
            flushText(i)
            var j = nameStart
            while j < s.count, !isSpace(s[j]), s[j] != "/", s[j] != ">" { j += 1 }
            let name = String(String.UnicodeScalarView(s[nameStart..<j]))
            var attributes: [Attribute] = []
            var selfClosing = false
            while j < s.count, s[j] != ">" {
                if isSpace(s[j]) { j += 1; continue }
                if s[j] == "/" { selfClosing = j + 1 < s.count && s[j + 1] == ">"; j += 1; continue }
                let a = j
                j += 1
                while j < s.count, !isSpace(s[j]), s[j] != "/", s[j] != ">", s[j] != "=" { j += 1 }
                let attributeName = String(String.UnicodeScalarView(s[a..<j]))
                var k = j
                while k < s.count, isSpace(s[k]) { k += 1 }
                var value = ""
                if k < s.count, s[k] == "=" {
                    k += 1
                    while k < s.count, isSpace(s[k]) { k += 1 }
                    if k < s.count, s[k] == "\"" || s[k] == "'" {
                        let quote = s[k]
                        let v = k + 1
                        k = v
                        while k < s.count, s[k] != quote { k += 1 }
                        value = String(String.UnicodeScalarView(s[v..<min(k, s.count)]))
                        k += 1
                    } else {
                        let v = k
                        while k < s.count, !isSpace(s[k]), s[k] != ">" { k += 1 }
                        value = String(String.UnicodeScalarView(s[v..<k]))
                    }
                    j = k
                }
                attributes.append(Attribute(name: attributeName.lowercased(), value: decode(value)))
            }
            i = min(j + 1, s.count)
            textStart = i
            out.append(closing ? .end(name: name.lowercased()) : .start(name: name, attributes: attributes, selfClosing: selfClosing))
        }
        flushText(s.count)
        return out
    }

    /// Character references decoded: the five of XML by name, and numeric ones. Any other named
    /// reference is kept as written (escaped again when the text is written).
    package static func decode(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semi = after.prefix(12).firstIndex(of: ";") {
                let body = after[..<semi]
                var scalar: Unicode.Scalar? = nil
                switch body {
                case "amp": scalar = "&"
                case "lt": scalar = "<"
                case "gt": scalar = ">"
                case "quot": scalar = "\""
                case "apos": scalar = "'"
                default:
                    if body.hasPrefix("#x") || body.hasPrefix("#X") { scalar = UInt32(body.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init) }
                    else if body.hasPrefix("#") { scalar = UInt32(body.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init) }
                }
                if let scalar {
                    out.unicodeScalars.append(scalar)
                    rest = after[after.index(after: semi)...]
                    continue
                }
            }
            out += "&"
            rest = after
        }
        return out + rest
    }

    /// Text for an element's content: < and > as references, and & unless it begins a
    /// well-formed reference (which the browser reads as the one character it names, never as
    /// markup).
    package static func escapeText(_ text: String) -> String {
        let s = Array(text.unicodeScalars)
        var out = ""
        var i = 0
        func isAlnum(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") }
        while i < s.count {
            let c = s[i]
            if c == "<" { out += "&lt;" } else if c == ">" { out += "&gt;" }
            else if c == "&" {
                var j = i + 1
                if j < s.count, s[j] == "#" {
                    j += 1
                    let hex = j < s.count && (s[j] == "x" || s[j] == "X")
                    if hex { j += 1 }
                    let start = j
                    while j < s.count, j - start < 8, hex ? s[j].properties.isASCIIHexDigit : (s[j] >= "0" && s[j] <= "9") { j += 1 }
                    out += j > start && j < s.count && s[j] == ";" ? "&" : "&amp;"
                } else {
                    let start = j
                    while j < s.count, j - start < 32, isAlnum(s[j]) { j += 1 }
                    out += j > start && j < s.count && s[j] == ";" ? "&" : "&amp;"
                }
            } else { out.unicodeScalars.append(c) }
            i += 1
        }
        return out
    }

    /// Text for a quoted attribute value: & < > " ' as references.
    package static func escape(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// What may be written: for each element (by its name in lower case), its name as written
    /// and a check for each attribute it may carry; elements whose whole content is dropped with
    /// them; and whether an element not listed keeps its content (HTML) or not.
    package struct Policy: Sendable {
        package typealias Check = @Sendable (String) -> Bool
        let elements: [String: (name: String, attributes: [String: Check])]
        /// Attribute names written in another case than the reader's lower case (viewBox).
        let attributeNames: [String: String]
        let droppedWithContent: Set<String>
        /// Elements that have no end tag (HTML's br and hr).
        let void: Set<String>

        init(elements: [String: (name: String, attributes: [String: Check])], attributeNames: [String: String] = [:],
             droppedWithContent: Set<String>, void: Set<String> = []) {
            self.elements = elements
            self.attributeNames = attributeNames
            self.droppedWithContent = droppedWithContent
            self.void = void
        }

        /// The tokens written again under this policy: allowed elements with their allowed
        /// attributes (values decoded, checked, escaped and quoted), text escaped.
        /// With `oneElement`, the output ends where the first element written is closed (an
        /// SVG figure is its root element and nothing after it).
        package func write(_ tokens: [Token], oneElement: Bool = false) -> String {
            var out = ""
            var skipping: (name: String, depth: Int)? = nil
            // Elements open in the output: an end tag closes the innermost open element of its
            // name (and any opened inside it), an end tag with none open is dropped, and every
            // element still open at the end is closed, so the output is balanced.
            var open: [String] = []
            for token in tokens {
                if var skip = skipping {
                    switch token {
                    case let .start(name, _, selfClosing) where name.lowercased() == skip.name && !selfClosing: skip.depth += 1
                    case let .end(name) where name == skip.name: skip.depth -= 1
                    default: break
                    }
                    skipping = skip.depth == 0 ? nil : skip
                    continue
                }
                switch token {
                case let .text(t):
                    out += Markup.escapeText(t)
                case let .start(name, attributes, selfClosing):
                    let key = name.lowercased()
                    if droppedWithContent.contains(key) {
                        if !selfClosing { skipping = (key, 1) }
                        continue
                    }
                    guard let element = elements[key] else { continue }
                    out += "<" + element.name
                    var seen = Set<String>()
                    for a in attributes where seen.insert(a.name).inserted {
                        guard let check = element.attributes[a.name], check(a.value) else { continue }
                        out += " \(attributeNames[a.name] ?? a.name)=\"\(Markup.escape(a.value))\""
                    }
                    out += selfClosing ? "/>" : ">"
                    if !selfClosing && !void.contains(key) { open.append(key) }
                case let .end(name):
                    guard let element = elements[name], let at = open.lastIndex(of: name) else { continue }
                    for inner in open[(at + 1)...].reversed() { out += "</\(elements[inner]!.name)>" }
                    out += "</\(element.name)>"
                    open.removeSubrange(at...)
                    if oneElement && open.isEmpty { return out }
                }
            }
            for key in open.reversed() { out += "</\(elements[key]!.name)>" }
            return out
        }
    }
}
