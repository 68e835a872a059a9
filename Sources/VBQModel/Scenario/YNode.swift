import Foundation
internal import Yams
import VBQCore
import VBQEstimate

/// A YAML tree that remembers where each value came from (1-based line), so every
/// validation error can name the file, line and key path.
public indirect enum YNode: Sendable, Equatable {
    case scalar(String, line: Int?)
    case map([YEntry], line: Int?)
    case seq([YNode], line: Int?)

    public var line: Int? {
        switch self {
        case let .scalar(_, l), let .map(_, l), let .seq(_, l): return l
        }
    }

    public var scalar: String? { if case let .scalar(s, _) = self { return s }; return nil }
    public var entries: [YEntry]? { if case let .map(e, _) = self { return e }; return nil }
    public var items: [YNode]? { if case let .seq(i, _) = self { return i }; return nil }

    public subscript(key: String) -> YNode? { entries?.first { $0.key == key }?.value }

    /// Parses YAML text into a tree. Errors name the file and line. Anchors and aliases are
    /// refused before the text reaches the YAML library (a few hundred bytes of nested aliases
    /// expand to billions of nodes), and so is text larger or deeper than `Limits` allows.
    public static func parse(_ text: String, file: String) throws -> YNode {
        GSL.configure()
        guard text.utf8.count <= Limits.scenarioBytes else {
            throw VBQError(file: file, "the file has \(text.utf8.count) bytes, more than the limit of \(Limits.scenarioBytes) for a scenario")
        }
        // Every control character but line breaks and tabs: among them NEL and the Unicode line
        // and paragraph separators, which YAML reads as line breaks where editors do not (text
        // after one in a comment would become live).
        if let bad = text.unicodeScalars.first(where: { $0 != "\n" && $0 != "\r" && $0 != "\t" && ControlCharacter.isControl($0) }) {
            let line = text.prefix { !$0.unicodeScalars.contains(bad) }.filter { $0 == "\n" || $0 == "\r\n" }.count + 1
            throw VBQError(file: file, line: line, "holds the control character U+\(String(format: "%04X", bad.value)); a scenario is plain text")
        }
        if let line = YAMLGuard.firstAnchorOrAlias(text) {
            throw VBQError(file: file, line: line, "YAML anchors (&name) and aliases (*name) are not supported; write each value out (or quote text that starts with & or *)")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
            let key = duplicates.first ?? ""
            throw VBQError(file: file, line: YAMLGuard.secondOccurrence(of: key, in: text, from: context.mark.line) ?? context.mark.line,
                           key: duplicates.joined(separator: ", "), "appears twice in the same mapping")
        } catch let e as YamlError {
            throw VBQError(file: file, line: YNode.line(of: e), "not valid YAML: \(YNode.reason(of: e))")
        } catch {
            throw VBQError(file: file, "not valid YAML: \(error)")
        }
        guard let node else { throw VBQError(file: file, line: 1, "the file is empty") }
        return try convert(node, file: file, depth: 0)
    }

    private static func convert(_ node: Node, file: String, depth: Int) throws -> YNode {
        let line = node.mark?.line
        guard depth <= Limits.nesting else {
            throw VBQError(file: file, line: line, "nested more than \(Limits.nesting) levels deep")
        }
        if node.anchor != nil {
            throw VBQError(file: file, line: line, "YAML anchors (&name) and aliases (*name) are not supported; write each value out")
        }
        switch node {
        case let .scalar(s):
            return .scalar(s.string, line: line)
        case let .mapping(m):
            var entries: [YEntry] = []
            var seen = Set<String>()
            for (k, v) in m {
                guard let key = k.scalar?.string, k.anchor == nil else {
                    throw VBQError(file: file, line: k.mark?.line, "mapping keys must be plain words")
                }
                guard seen.insert(key).inserted else {
                    throw VBQError(file: file, line: k.mark?.line, key: key, "appears twice in the same mapping")
                }
                entries.append(YEntry(key: key, value: try convert(v, file: file, depth: depth + 1), line: k.mark?.line))
            }
            return .map(entries, line: line)
        case let .sequence(s):
            return .seq(try s.map { try convert($0, file: file, depth: depth + 1) }, line: line)
        case .alias:
            throw VBQError(file: file, line: line, "YAML anchors (&name) and aliases (*name) are not supported; write each value out")
        }
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _):
            return mark.line
        default: return nil
        }
    }

    private static func reason(of error: YamlError) -> String {
        switch error {
        case let .scanner(_, problem, _, _), let .parser(_, problem, _, _), let .composer(_, problem, _, _):
            return problem
        default: return "\(error)".split(separator: "\n").first.map(String.init) ?? "parse error"
        }
    }

    // MARK: Emitting

    /// Block-style YAML for the resolved scenario (no anchors, strings quoted when needed).
    public func emitted() -> String {
        var out = ""
        emit(into: &out, indent: 0, inlineFirst: false)
        return out
    }

    private func emit(into out: inout String, indent: Int, inlineFirst: Bool) {
        let pad = String(repeating: " ", count: indent)
        switch self {
        case let .scalar(s, _):
            out += YNode.quoteIfNeeded(s) + "\n"
        case let .map(entries, _):
            if entries.isEmpty { out += "{}\n"; return }
            for (i, e) in entries.enumerated() {
                out += (i == 0 && inlineFirst ? "" : pad) + e.key + ":"
                switch e.value {
                case .scalar: out += " "; e.value.emit(into: &out, indent: indent + 2, inlineFirst: false)
                case let .seq(items, _) where items.isEmpty || items.allSatisfy({ $0.scalar != nil }):
                    out += " [" + items.map { YNode.quoteIfNeeded($0.scalar!) }.joined(separator: ", ") + "]\n"
                case let .map(inner, _) where inner.isEmpty: out += " {}\n"
                default: out += "\n"; e.value.emit(into: &out, indent: indent + 2, inlineFirst: false)
                }
            }
        case let .seq(items, _):
            if items.isEmpty { out += pad + "[]\n"; return }
            for item in items {
                out += pad + "- "
                switch item {
                case .scalar: item.emit(into: &out, indent: indent + 2, inlineFirst: true)
                case .map: item.emit(into: &out, indent: indent + 2, inlineFirst: true)
                case .seq: out += "\n"; item.emit(into: &out, indent: indent + 2, inlineFirst: false)
                }
            }
        }
    }

    /// A one-line flow rendering, used for factor level labels.
    public var flow: String {
        switch self {
        case let .scalar(s, _): return s
        case let .map(entries, _): return "{" + entries.map { "\($0.key): \($0.value.flow)" }.joined(separator: ", ") + "}"
        case let .seq(items, _): return "[" + items.map(\.flow).joined(separator: ", ") + "]"
        }
    }

    static func quoteIfNeeded(_ s: String) -> String {
        if s.isEmpty { return "\"\"" }
        if Double(s) != nil || Int(s) != nil { return s }
        let special = CharacterSet(charactersIn: ":#{}[],&*!|>'\"%@`")
        let lower = s.lowercased()
        let reserved = ["true", "false", "yes", "no", "null", "~", "on", "off"]
        if s.unicodeScalars.contains(where: { special.contains($0) }) || reserved.contains(lower)
            || s.first == " " || s.last == " " || s.first == "-" || s.first == "?" {
            return JSON.quote(s)
        }
        return s
    }
}

public struct YEntry: Sendable, Equatable {
    public var key: String
    public var value: YNode
    public var line: Int?
    public init(key: String, value: YNode, line: Int? = nil) {
        self.key = key
        self.value = value
        self.line = line
    }
}

/// Lexical checks on scenario text before it is parsed.
public enum YAMLGuard {
    /// The line of the first `&anchor` or `*alias` indicator: an `&` or `*` where a YAML node can
    /// start (at the start of a line, after `- `, `: `, `? `, `[`, `{` or `,`), outside quoted
    /// text and comments.
    public static func firstAnchorOrAlias(_ text: String) -> Int? {
        var line = 1
        var quote: Unicode.Scalar? = nil
        var atNodeStart = true
        var previous: Unicode.Scalar = "\n"
        var inComment = false
        var it = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let c = pending ?? it.next() {
            pending = nil
            if c == "\n" {
                line += 1; inComment = false; atNodeStart = quote == nil; previous = c
                continue
            }
            if inComment { continue }
            if let q = quote {
                if q == "\"" && c == "\\" { _ = it.next(); previous = "x"; continue }
                if c == q {
                    if q == "'", let n = it.next() { if n == "'" { continue } else { pending = n } }
                    quote = nil; atNodeStart = false
                }
                previous = c
                continue
            }
            switch c {
            case " ", "\t", "\r":
                break
            case "#" where previous == " " || previous == "\t" || previous == "\n":
                inComment = true
            case "&", "*":
                if atNodeStart { return line }
                atNodeStart = false
            case "\"", "'":
                if atNodeStart { quote = c }
                atNodeStart = false
            case "[", "{", ",":
                atNodeStart = true
            case "-", ":", "?":
                // An indicator when followed by a space; part of a plain scalar otherwise.
                let n = it.next()
                pending = n
                atNodeStart = n == nil || n == " " || n == "\t" || n == "\n" || n == "\r" || (c == ":" && (n == "," || n == "]" || n == "}"))
            default:
                atNodeStart = false
            }
            previous = c
        }
        return nil
    }

    /// The line of the second `key:` at the same indentation (or on the same line, in a flow
    /// mapping) at or after line `from`: where a duplicated key is, rather than where its mapping
    /// starts.
    public static func secondOccurrence(of key: String, in text: String, from: Int) -> Int? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var firstColumn: Int? = nil
        for (i, raw) in lines.enumerated() where i + 1 >= from {
            var searchFrom = raw.startIndex
            while let r = raw[searchFrom...].range(of: key) {
                let before = r.lowerBound == raw.startIndex ? " " : raw[raw.index(before: r.lowerBound)]
                var after = raw[r.upperBound...].drop { $0 == "\"" || $0 == "'" }
                after = after.drop { $0 == " " }
                let column = raw.distance(from: raw.startIndex, to: r.lowerBound)
                if (" {,\"'-".contains(before)) && after.first == ":" {
                    if let first = firstColumn {
                        if column == first || raw.contains("{") { return i + 1 }
                    } else {
                        firstColumn = column
                        searchFrom = r.upperBound
                        continue
                    }
                }
                searchFrom = r.upperBound
            }
        }
        return nil
    }
}
