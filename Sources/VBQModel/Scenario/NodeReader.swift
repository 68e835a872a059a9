import Foundation
import VBQCore
import VBQEstimate

/// Typed reads from a `YNode` with errors that name file, line and key path.
public struct NodeReader {
    public init(file: String) { self.file = file }
    let file: String

    func error(_ node: YNode?, _ key: String, _ message: String) -> VBQError {
        VBQError(file: file, line: node?.line, key: key, message)
    }

    /// A mapping whose keys must all be in `allowed`; returns its entries by key.
    func mapping(_ node: YNode, _ key: String, allowed: [String]) throws -> [String: YEntry] {
        guard let entries = node.entries else {
            throw error(node, key.isEmpty ? "(top level)" : key, "must be a mapping of keys to values")
        }
        var out: [String: YEntry] = [:]
        for e in entries {
            let path = key.isEmpty ? e.key : "\(key).\(e.key)"
            guard allowed.contains(e.key) else {
                throw VBQError(file: file, line: e.line, key: path, "unknown key\(suggestion(for: e.key, among: allowed)); allowed here: \(allowed.joined(separator: ", "))")
            }
            out[e.key] = e
        }
        return out
    }

    func string(_ node: YNode, _ key: String) throws -> String {
        guard let s = node.scalar else { throw error(node, key, "must be a single value, not a list or mapping") }
        return s
    }

    /// A finite decimal number (no hex, inf or nan), optionally with a sign rule and a range.
    func double(_ node: YNode, _ key: String, positive: Bool = false, nonNegative: Bool = false,
                in range: ClosedRange<Double>? = nil) throws -> Double {
        let s = try string(node, key)
        guard let x = NumberText.double(s.trimmingCharacters(in: .whitespaces)) else {
            throw error(node, key, "'\(s)' is not a number")
        }
        if positive && !(x > 0) { throw error(node, key, "\(s) must be greater than 0") }
        if nonNegative && x < 0 { throw error(node, key, "\(s) must not be negative") }
        if let range, !range.contains(x) {
            throw error(node, key, "\(s) is outside the accepted range \(Format.exact(range.lowerBound)) to \(Format.exact(range.upperBound))")
        }
        return x
    }

    func probability(_ node: YNode, _ key: String) throws -> Double {
        let x = try double(node, key)
        guard x >= 0, x <= 1 else { throw error(node, key, "\(node.scalar ?? "") is a probability and must lie in [0, 1]") }
        return x
    }

    /// A whole number, written with digits (`_` as a separator allowed) or as an exact decimal
    /// such as 1e4; `max` bounds it, with `beyond` saying how to go further.
    func int(_ node: YNode, _ key: String, min lower: Int? = nil, max upper: Int? = nil, beyond: String? = nil) throws -> Int {
        let s = try string(node, key).trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
        let value: Int
        if let x = NumberText.int(s) {
            value = x
        } else if let d = NumberText.double(s), d == d.rounded() {
            guard abs(d) < 9e15 else { throw error(node, key, "\(s) is far too large\(upper.map { "; the limit is \($0)" } ?? "")") }
            value = Int(d)
        } else if NumberText.int(s.hasPrefix("-") ? String(s.dropFirst()) : s) == nil, s.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 43 }), !s.isEmpty {
            throw error(node, key, "\(s) is far too large\(upper.map { "; the limit is \($0)" } ?? "")")
        } else {
            throw error(node, key, "'\(s)' is not a whole number")
        }
        if let lower, value < lower { throw error(node, key, "\(value) is too small; it must be at least \(lower)") }
        if let upper, value > upper {
            throw error(node, key, "\(value) is more than the limit of \(upper)\(beyond.map { "; \($0)" } ?? "")")
        }
        return value
    }

    func uint64(_ node: YNode, _ key: String) throws -> UInt64 {
        let s = try string(node, key).trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
        guard s.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let x = UInt64(s) else { throw error(node, key, "'\(s)' is not a whole number in 0 ... \(UInt64.max)") }
        return x
    }

    func list(_ node: YNode, _ key: String) throws -> [YNode] {
        guard let items = node.items else { throw error(node, key, "must be a list, e.g. [a, b]") }
        return items
    }

    func choice<T: RawRepresentable & CaseIterable>(_ node: YNode, _ key: String, _ type: T.Type) throws -> T where T.RawValue == String {
        let s = try string(node, key)
        if let v = T(rawValue: s) { return v }
        let names = T.allCases.map(\.rawValue)
        throw error(node, key, "unknown value '\(s)'\(suggestion(for: s, among: names)); choose one of \(names.joined(separator: ", "))")
    }
}

