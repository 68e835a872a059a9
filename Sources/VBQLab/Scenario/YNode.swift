import Foundation
internal import Yams

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

    /// Parses YAML text into a tree. Errors name the file and line.
    public static func parse(_ text: String, file: String) throws -> YNode {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
            throw VBQError(file: file, line: context.mark.line, key: duplicates.joined(separator: ", "),
                           "appears twice in the same mapping")
        } catch let e as YamlError {
            throw VBQError(file: file, line: YNode.line(of: e), "not valid YAML: \(YNode.reason(of: e))")
        } catch {
            throw VBQError(file: file, "not valid YAML: \(error)")
        }
        guard let node else { throw VBQError(file: file, line: 1, "the file is empty") }
        return try convert(node, file: file)
    }

    private static func convert(_ node: Node, file: String) throws -> YNode {
        let line = node.mark?.line
        switch node {
        case let .scalar(s):
            return .scalar(s.string, line: line)
        case let .mapping(m):
            var entries: [YEntry] = []
            for (k, v) in m {
                guard let key = k.scalar?.string else {
                    throw VBQError(file: file, line: k.mark?.line, "mapping keys must be plain words")
                }
                if entries.contains(where: { $0.key == key }) {
                    throw VBQError(file: file, line: k.mark?.line, key: key, "appears twice in the same mapping")
                }
                entries.append(YEntry(key: key, value: try convert(v, file: file), line: k.mark?.line))
            }
            return .map(entries, line: line)
        case let .sequence(s):
            return .seq(try s.map { try convert($0, file: file) }, line: line)
        case .alias:
            throw VBQError(file: file, line: line, "YAML aliases are not supported")
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
