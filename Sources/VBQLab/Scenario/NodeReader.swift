import Foundation

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

    func double(_ node: YNode, _ key: String, positive: Bool = false, nonNegative: Bool = false) throws -> Double {
        let s = try string(node, key)
        guard let x = Double(s.trimmingCharacters(in: .whitespaces)), x.isFinite else {
            throw error(node, key, "'\(s)' is not a number")
        }
        if positive && !(x > 0) { throw error(node, key, "\(s) must be greater than 0") }
        if nonNegative && x < 0 { throw error(node, key, "\(s) must not be negative") }
        return x
    }

    func probability(_ node: YNode, _ key: String) throws -> Double {
        let x = try double(node, key)
        guard x >= 0, x <= 1 else { throw error(node, key, "\(node.scalar ?? "") is a probability and must lie in [0, 1]") }
        return x
    }

    func int(_ node: YNode, _ key: String, min lower: Int? = nil) throws -> Int {
        let s = try string(node, key).replacingOccurrences(of: "_", with: "")
        guard let x = Int(s) ?? Double(s).flatMap({ $0 == $0.rounded() && abs($0) < 1e15 ? Int($0) : nil }) else {
            throw error(node, key, "'\(s)' is not a whole number")
        }
        if let lower, x < lower { throw error(node, key, "\(x) is too small; it must be at least \(lower)") }
        return x
    }

    func uint64(_ node: YNode, _ key: String) throws -> UInt64 {
        let s = try string(node, key).replacingOccurrences(of: "_", with: "")
        guard let x = UInt64(s) else { throw error(node, key, "'\(s)' is not a whole number in 0 ... \(UInt64.max)") }
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

