import Foundation

/// What a page vbqlab writes must never hold, checked on the page itself as a browser would
/// read its tags (written apart from the renderer's own allow-list, to check it): an element
/// that runs or embeds anything, an event handler, a script or data address, `srcdoc`, a style
/// attribute, a reference to anything outside the page, or a page without its
/// Content-Security-Policy. Used by the tests and by the HTML fuzz target.
public enum HTMLCheck {
    /// Every problem found, each one line; empty for a safe page.
    public static func problems(_ page: String) -> [String] {
        var found: [String] = []
        let lower = page.lowercased()
        if !lower.contains("<meta http-equiv=\"content-security-policy\" content=\"default-src 'none'") {
            found.append("no Content-Security-Policy forbidding scripts")
        }
        let forbidden: Set<String> = ["script", "iframe", "frame", "frameset", "object", "embed", "applet", "foreignobject", "image", "img",
                                      "link", "base", "form", "input", "button", "textarea", "select", "audio", "video", "source", "track",
                                      "animate", "set", "animatemotion", "animatetransform", "feimage", "portal", "template", "math"]
        var styles = 0
        for tag in tags(page) {
            if forbidden.contains(tag.name) { found.append("element <\(tag.name)>") }
            if tag.name == "style" { styles += 1 }
            if tag.name == "meta", !tag.attributes.contains(where: { ["charset", "name", "http-equiv"].contains($0.0) }) {
                found.append("a <meta> that is not charset, viewport or the policy")
            }
            for (name, value) in tag.attributes {
                let v = String(value.lowercased().unicodeScalars.filter { $0.value > 0x20 })
                if name.hasPrefix("on") { found.append("event handler \(name) on <\(tag.name)>") }
                if ["srcdoc", "style", "formaction", "action", "src", "background", "poster", "ping", "codebase", "data"].contains(name) {
                    found.append("attribute \(name) on <\(tag.name)>")
                }
                // Where a value is an address (a label or an id that reads "javascript:" runs
                // nothing).
                // An address runs script when it starts with the scheme ("https://x/javascript:"
                // is a web address); a style can hold one anywhere.
                if ["href", "xlink:href", "src", "action", "formaction", "data", "background", "poster", "ping", "codebase", "srcdoc", "style"].contains(name),
                   v.hasPrefix("javascript:") || v.hasPrefix("vbscript:") || v.hasPrefix("data:") || (name == "style" && v.contains("javascript:")) {
                    found.append("script or data address in \(name) on <\(tag.name)>")
                }
                if name == "href" || name == "xlink:href" {
                    let web = v.hasPrefix("http://") || v.hasPrefix("https://")
                    if tag.name == "a" ? !(web || !v.contains(":")) || v.hasPrefix("//") : !v.hasPrefix("#") {
                        found.append("\(name) \(value) on <\(tag.name)> reaches outside the page")
                    }
                }
                if !["aria-label", "alt", "title"].contains(name), v.contains("url("), v.replacingOccurrences(of: "url(#", with: "").contains("url(") {
                    found.append("url() to outside the page in \(name) on <\(tag.name)>")
                }
            }
        }
        if styles > 1 { found.append("\(styles) <style> elements (the page has one, in its head)") }
        return found
    }

    /// The start tags of `page` with their attributes (names in lower case, values with the
    /// common character references decoded), read as the HTML tokenizer reads them.
    static func tags(_ page: String) -> [(name: String, attributes: [(String, String)])] {
        var result: [(name: String, attributes: [(String, String)])] = []
        let c = Array(page.unicodeScalars)
        let space: Set<Unicode.Scalar> = [" ", "\t", "\n", "\r", "\u{0C}"]
        var i = 0
        while i < c.count {
            if c[i] == "<", i + 3 < c.count, c[i + 1] == "!", c[i + 2] == "-", c[i + 3] == "-" {
                var j = i + 4
                while j + 2 < c.count, !(c[j] == "-" && c[j + 1] == "-" && c[j + 2] == ">") { j += 1 }
                i = j + 3
                continue
            }
            guard c[i] == "<", i + 1 < c.count, c[i + 1].properties.isAlphabetic else { i += 1; continue }
            var j = i + 1
            var name = ""
            while j < c.count, !space.contains(c[j]), c[j] != "/", c[j] != ">" { name.unicodeScalars.append(c[j]); j += 1 }
            var attributes: [(String, String)] = []
            while j < c.count, c[j] != ">" {
                if space.contains(c[j]) || c[j] == "/" { j += 1; continue }
                var attribute = ""
                repeat { attribute.unicodeScalars.append(c[j]); j += 1 } while j < c.count && !space.contains(c[j]) && c[j] != "/" && c[j] != ">" && c[j] != "="
                while j < c.count, space.contains(c[j]) { j += 1 }
                var value = ""
                if j < c.count, c[j] == "=" {
                    j += 1
                    while j < c.count, space.contains(c[j]) { j += 1 }
                    if j < c.count, c[j] == "\"" || c[j] == "'" {
                        let q = c[j]; j += 1
                        while j < c.count, c[j] != q { value.unicodeScalars.append(c[j]); j += 1 }
                        j += 1
                    } else {
                        while j < c.count, !space.contains(c[j]), c[j] != ">" { value.unicodeScalars.append(c[j]); j += 1 }
                    }
                }
                attributes.append((attribute.lowercased(), decoded(value)))
            }
            result.append((name.lowercased(), attributes))
            i = j + 1
        }
        return result
    }

    static func decoded(_ value: String) -> String {
        var v = value
        for (entity, char) in [("&colon;", ":"), ("&Tab;", "\t"), ("&NewLine;", "\n"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""),
                               ("&#39;", "'"), ("&apos;", "'"), ("&lpar;", "("), ("&rpar;", ")")] {
            v = v.replacingOccurrences(of: entity, with: char, options: .caseInsensitive)
        }
        // Numeric references, decimal and hexadecimal.
        var out = ""
        var rest = Substring(v)
        while let amp = rest.range(of: "&#") {
            out += rest[..<amp.lowerBound]
            var after = rest[amp.upperBound...]
            let hex = after.first == "x" || after.first == "X"
            if hex { after = after.dropFirst() }
            let digits = after.prefix { hex ? $0.isHexDigit : $0.isNumber }
            if !digits.isEmpty, let n = UInt32(digits, radix: hex ? 16 : 10), let s = Unicode.Scalar(n) {
                out.unicodeScalars.append(s)
                rest = after.dropFirst(digits.count)
                if rest.first == ";" { rest = rest.dropFirst() }
            } else {
                out += "&#"
                rest = rest[amp.upperBound...]
            }
        }
        out += rest
        return out.replacingOccurrences(of: "&amp;", with: "&", options: .caseInsensitive)
    }
}
