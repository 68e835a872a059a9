import Foundation
import VBQCore
import VBQEstimate

/// Reads the mechanistic stages of a scenario against the parameter table (`Schema`), filling
/// every default, into a model.
enum MechanisticReader {
    /// Returns the resolved stage nodes (every key present) and the model.
    static func decode(_ given: [String: YEntry], reader r: NodeReader, modelLine: Int?) throws -> ([YEntry], MechanisticModel) {
        var model = MechanisticModel()
        var user: [(String, FailureDefinition)] = []
        var entries: [YEntry] = []
        for (name, schema) in Schema.stages {
            let node = try walk(given[name]?.value, schema, path: name, reader: r, into: &model, definitions: &user,
                                fallbackLine: given[name]?.line ?? modelLine)
            entries.append(YEntry(key: name, value: node, line: given[name]?.line))
        }
        for (name, schema) in Schema.optionalStages {
            guard let e = given[name] else { continue }
            let node = try walk(e.value, schema, path: name, reader: r, into: &model, definitions: &user, fallbackLine: e.line)
            entries.append(YEntry(key: name, value: node, line: e.line))
        }
        if given["follow_up"] != nil {
            model.timed = true
            try FollowUpRules.check(model, given["follow_up"]!, reader: r)
        }
        // Cross-field rules.
        let names = Schema.builtInDefinitions.map(\.0) + user.map(\.0)
        let def = model.definitionName
        guard let chosen = (Schema.builtInDefinitions + user).first(where: { $0.0 == def }) else {
            let node = given["outcome"]?.value["definition"]
            throw r.error(node ?? given["outcome"]?.value, "outcome.definition", "unknown failure definition '\(def)'\(suggestion(for: def, among: names)); defined: \(names.joined(separator: ", "))")
        }
        model.definition = chosen.1
        if model.ageMin >= model.ageMax {
            throw r.error(given["population"]?.value["age"], "population.age", "min (\(Format.exact(model.ageMin))) must be below max (\(Format.exact(model.ageMax)))")
        }
        return (entries, model)
    }

    private static func walk(_ node: YNode?, _ schema: Schema, path: String, reader r: NodeReader,
                             into model: inout MechanisticModel, definitions: inout [(String, FailureDefinition)],
                             fallbackLine: Int?) throws -> YNode {
        let line = node?.line ?? fallbackLine
        switch schema {
        case let .group(children):
            let given = try node.map { try r.mapping($0, path, allowed: children.map(\.0)) } ?? [:]
            var out: [YEntry] = []
            for (key, child) in children {
                let v = try walk(given[key]?.value, child, path: "\(path).\(key)", reader: r, into: &model, definitions: &definitions,
                                fallbackLine: given[key]?.line ?? line)
                out.append(YEntry(key: key, value: v, line: given[key]?.line))
            }
            return .map(out, line: line)
        case let .parameter(parameter):
            return try read(node, parameter.kind, path: path, line: line, reader: r, into: &model, definitions: &definitions)
        }
    }

    /// Reads one parameter into its field, and returns its resolved node.
    private static func read(_ node: YNode?, _ kind: Schema.Kind, path: String, line: Int?, reader r: NodeReader,
                             into model: inout MechanisticModel, definitions: inout [(String, FailureDefinition)]) throws -> YNode {
        switch kind {
        case let .number(def, rule, range, field):
            var x = def
            if let node {
                let bounds = range ?? rule.range
                switch rule {
                case .real: x = try r.double(node, path, in: bounds)
                case .positive: x = try r.double(node, path, positive: true, in: bounds)
                case .nonNegative: x = try r.double(node, path, nonNegative: true, in: bounds)
                case .probability: x = try r.probability(node, path)
                }
            }
            model[keyPath: field] = x
            return .scalar(Format.exact(x), line: line)
        case let .count(def, max, field):
            var k = def
            if let node { k = try r.int(node, path, min: 1, max: max) }
            model[keyPath: field] = k
            return .scalar(Format.exact(Double(k)), line: line)
        case let .choice(def, options, field):
            var s = def
            if let node {
                s = try r.string(node, path)
                if !options.isEmpty && !options.contains(s) {
                    throw r.error(node, path, "unknown value '\(s)'\(suggestion(for: s, among: options)); choose one of \(options.joined(separator: ", "))")
                }
            }
            model[keyPath: field] = s
            return .scalar(s, line: line)
        case let .flag(def, field):
            var b = def
            if let node {
                let s = try r.string(node, path).lowercased()
                switch s {
                case "true", "yes", "on": b = true
                case "false", "no", "off": b = false
                default: throw r.error(node, path, "'\(s)' must be true or false")
                }
            }
            model[keyPath: field] = b
            return .scalar(b ? "true" : "false", line: line)
        case let .probabilities(def, field):
            var p = def
            if let node {
                let items = try r.list(node, path)
                guard items.count == def.count else { throw r.error(node, path, "needs \(def.count) probabilities (1 to \(def.count) segments), got \(items.count)") }
                p = try items.enumerated().map { try r.probability($0.element, "\(path)[\($0.offset)]") }
                let total = p.reduce(0, +)
                guard abs(total - 1) <= 1e-9 else { throw r.error(node, path, "probabilities sum to \(Format.number(total, digits: 6)), must sum to 1") }
            }
            model[keyPath: field] = p
            return .seq(p.map { .scalar(Format.exact($0), line: nil) }, line: line)
        case let .levels(def, rule, sumsToOne, field):
            var pairs = def
            if let node {
                guard let entries = node.entries else { throw r.error(node, path, "must map CSF levels to numbers, e.g. {L2: 0.5, L4: 0.5}") }
                pairs = sumsToOne ? [] : def
                for e in entries {
                    guard Schema.csfLevels.contains(e.key) else {
                        throw VBQError(file: r.file, line: e.line, key: "\(path).\(e.key)", "CSF level '\(e.key)' does not exist\(suggestion(for: e.key, among: Schema.csfLevels)); levels besides the reference L3: \(Schema.csfLevels.joined(separator: ", "))")
                    }
                    let x = rule == .probability ? try r.probability(e.value, "\(path).\(e.key)") : try r.double(e.value, "\(path).\(e.key)", positive: true, in: 0.01...10)
                    if let i = pairs.firstIndex(where: { $0.0 == e.key }) { pairs[i].1 = x } else { pairs.append((e.key, x)) }
                }
                pairs.sort { Schema.csfLevels.firstIndex(of: $0.0)! < Schema.csfLevels.firstIndex(of: $1.0)! }
                if sumsToOne {
                    let total = pairs.reduce(0) { $0 + $1.1 }
                    guard abs(total - 1) <= 1e-9 else { throw r.error(node, path, "probabilities sum to \(Format.number(total, digits: 6)), must sum to 1") }
                }
            }
            model[keyPath: field] = pairs
            return .map(pairs.map { YEntry(key: $0.0, value: .scalar(Format.exact($0.1), line: nil)) }, line: line)
        case .definitions:
            var defs: [(String, FailureDefinition)] = []
            if let node {
                guard let entries = node.entries else { throw r.error(node, path, "must map names to {modes: [...], revision: true|false, imaging: true|false}") }
                for e in entries {
                    let key = "\(path).\(e.key)"
                    if Schema.builtInDefinitions.contains(where: { $0.0 == e.key }) {
                        throw VBQError(file: r.file, line: e.line, key: key, "'\(e.key)' is a built-in definition; choose another name")
                    }
                    let m = try r.mapping(e.value, key, allowed: ["modes", "revision", "imaging"])
                    guard let modesNode = m["modes"] else { throw r.error(e.value, "\(key).modes", "missing: a list of failure modes") }
                    let modes = try r.list(modesNode.value, "\(key).modes").enumerated().map { i, item -> String in
                        let s = try r.string(item, "\(key).modes[\(i)]")
                        guard Schema.modes.contains(s) else {
                            throw r.error(item, "\(key).modes[\(i)]", "unknown failure mode '\(s)'\(suggestion(for: s, among: Schema.modes)); modes: \(Schema.modes.joined(separator: ", "))")
                        }
                        return s
                    }
                    guard !modes.isEmpty else { throw r.error(modesNode.value, "\(key).modes", "name at least one failure mode") }
                    func bool(_ k: String) throws -> Bool {
                        guard let v = m[k] else { return false }
                        switch try r.string(v.value, "\(key).\(k)").lowercased() {
                        case "true", "yes": return true
                        case "false", "no": return false
                        default: throw r.error(v.value, "\(key).\(k)", "must be true or false")
                        }
                    }
                    let revision = try bool("revision"), imaging = try bool("imaging")
                    defs.append((e.key, FailureDefinition(modes: modes, revision: revision, imaging: imaging)))
                }
            }
            definitions = defs
            return .map(defs.map { name, d in
                YEntry(key: name, value: .map([
                    YEntry(key: "modes", value: .seq(d.modes.map { .scalar($0, line: nil) }, line: nil)),
                    YEntry(key: "revision", value: .scalar(d.revision ? "true" : "false", line: nil)),
                    YEntry(key: "imaging", value: .scalar(d.imaging ? "true" : "false", line: nil)),
                ], line: nil))
            }, line: line)
        }
    }
}

/// The follow-up section's rules across its fields: every cohort can be filled, and every
/// horizon lies within the study.
enum FollowUpRules {
    /// The share of patients who may be excluded for short follow-up before the rule refuses.
    static let smallestKept = 0.05

    static func check(_ m: MechanisticModel, _ e: YEntry, reader r: NodeReader) throws {
        func fail(_ key: String, _ message: String) -> VBQError {
            r.error(e.value[key] ?? e.value, "follow_up.\(key)", message)
        }
        guard m.accrualYears < m.studyYears else {
            throw fail("accrual_years", "the accrual window (\(Format.exact(m.accrualYears)) years) must end before the study does (study_years \(Format.exact(m.studyYears)))")
        }
        guard m.minYears <= m.studyYears - m.accrualYears else {
            throw fail("min_years", "a patient operated on at the end of accrual can be followed only \(Format.exact(m.studyYears - m.accrualYears)) year(s), less than min_years (\(Format.exact(m.minYears))); lengthen study_years or shorten accrual_years")
        }
        guard pow(1 - m.lossPerYear, m.minYears) >= smallestKept else {
            throw fail("loss_per_year", "with \(Format.exact(m.lossPerYear)) lost a year, fewer than \(Int(smallestKept * 100))% of patients would be followed the \(Format.exact(m.minYears)) years min_years asks; lower one of them")
        }
        guard m.horizonYears <= m.studyYears else {
            throw fail("horizon_years", "the horizon (\(Format.exact(m.horizonYears)) years) lies beyond the end of the study (study_years \(Format.exact(m.studyYears))): nobody could be followed to it")
        }
    }
}
