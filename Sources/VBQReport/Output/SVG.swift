/// An SVG figure made safe to inline in a page: read into tokens and written again through an
/// allow-list of the elements and attributes a plot needs (those gnuplot writes, and the usual
/// shapes, text, gradients and clip paths). Scripts, styles, foreign objects, images,
/// animations and links go; a reference (`href`, `url(…)`) may only name an element of the
/// figure itself, so nothing is fetched from elsewhere; no attribute can be an event handler.
package enum SVG {
    /// The figure written again, its root carrying `role="img"` and `label` as its name; nil
    /// when `text` has no `<svg>` element.
    package static func sanitised(_ text: String, label: String) -> String? {
        let tokens = Markup.tokens(text)
        guard let root = tokens.firstIndex(where: { if case let .start(name, _, _) = $0 { return name.lowercased() == "svg" }; return false }) else {
            return nil
        }
        let body = policy.write(Array(tokens[root...]), oneElement: true)
        guard body.hasPrefix("<svg") else { return nil }
        return "<svg role=\"img\" aria-label=\"\(Markup.escape(label))\"" + body.dropFirst(4)
    }

    /// A reference to an element of the figure: `#id`.
    static func local(_ v: String) -> Bool {
        v.hasPrefix("#") && v.count > 1 && v.dropFirst().unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || "_-.:".unicodeScalars.contains($0) }
    }

    /// A presentation value: any text without a reference to anything but the figure's own
    /// elements (`url(#id)`, unquoted), and without characters that only an attack needs.
    static func value(_ v: String) -> Bool {
        let lower = v.lowercased()
        // As a browser reads an address: without the white space and controls it skips.
        let bare = String(lower.unicodeScalars.filter { $0.value > 0x20 })
        guard v.count <= 100_000, !bare.contains("javascript:"), !bare.contains("vbscript:"), !bare.contains("data:"),
              !bare.contains("expression("), !v.contains("\\"),
              !v.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r" }) else { return false }
        // Read without white space too: `url (x)` is not a reference to a browser, but a value
        // that could be one is refused rather than judged.
        var rest = Substring(bare)
        // Only the plain form `url(#id)`: a quoted one (`url('#…`) is refused too, as a quote
        // left open makes it a reference no reader can judge.
        while let u = rest.range(of: "url(") {
            let after = rest[u.upperBound...]
            guard after.hasPrefix("#") else { return false }
            rest = after
        }
        return true
    }

    static let policy: Markup.Policy = {
        let presentation = ["class", "id", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "dx", "dy", "d", "points", "width",
                            "height", "viewbox", "transform", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-dasharray",
                            "stroke-dashoffset", "stroke-linecap", "stroke-linejoin", "stroke-opacity", "stroke-miterlimit", "opacity", "color",
                            "font-family", "font-size", "font-weight", "font-style", "text-anchor", "dominant-baseline", "shape-rendering",
                            "clip-path", "clippathunits", "filterunits", "flood-color", "flood-opacity", "in", "in2", "operator", "result",
                            "offset", "stop-color", "stop-opacity", "preserveaspectratio", "visibility", "display", "gradientunits",
                            "gradienttransform", "version", "role", "aria-label"]
        // SVG's attribute and element names are case-sensitive; the reader lowers attribute
        // names, so the few camel-case ones are written in their proper case here.
        let proper = ["viewbox": "viewBox", "clippathunits": "clipPathUnits", "filterunits": "filterUnits",
                      "preserveaspectratio": "preserveAspectRatio", "gradientunits": "gradientUnits", "gradienttransform": "gradientTransform"]
        var attributes: [String: Markup.Policy.Check] = [:]
        for a in presentation { attributes[a] = value }
        attributes["xmlns"] = { $0 == "http://www.w3.org/2000/svg" }
        attributes["xmlns:xlink"] = { $0 == "http://www.w3.org/1999/xlink" }
        attributes["href"] = local
        attributes["xlink:href"] = local
        var elements: [String: (name: String, attributes: [String: Markup.Policy.Check])] = [:]
        for name in ["svg", "g", "defs", "title", "desc", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan",
                     "use", "filter", "feFlood", "feComposite", "clipPath", "linearGradient", "radialGradient", "stop", "symbol", "marker"] {
            elements[name.lowercased()] = (name, attributes)
        }
        return Markup.Policy(elements: elements, attributeNames: proper, droppedWithContent: [
            "script", "style", "foreignobject", "image", "iframe", "object", "embed", "animate", "set", "animatemotion",
            "animatetransform", "animatecolor", "discard", "handler", "listener", "feimage", "html", "body", "math",
        ])
    }()
}
