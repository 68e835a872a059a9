import Foundation
import VBQCore
import VBQEstimate

/// Reads and validates scenario files. Every error names the file, line and key path, and
/// states the rule that was broken; unknown keys are errors with a suggestion.
///
///     let scenario = try ScenarioLoader.load(path: "scenarios/wu2025-baseline.yaml")
public enum ScenarioLoader {
    static let topKeys = ["name", "description", "question", "seed", "replicates", "streams", "cohort", "generator",
                          "methods", "criteria", "fixed_cutoffs", "precision", "vary", "reference", "subset", "power", "reanalysis"] + Schema.stageNames
    /// Keys of the model section, which `vary` may override.
    static let modelKeys = ["cohort", "generator", "methods", "criteria", "fixed_cutoffs", "precision"] + Schema.stageNames

    public static func load(path: String) throws -> Scenario {
        try load(text: try InputFile.text(path: path, limit: Limits.scenarioBytes, kind: InputFile.scenario), file: path)
    }

    public static func load(text: String, file: String) throws -> Scenario {
        let root = try YNode.parse(text, file: file)
        let r = NodeReader(file: file)
        let top = try r.mapping(root, "", allowed: topKeys)

        let name = try top["name"].map { try r.string($0.value, "name") } ?? defaultName(file)
        if let problem = nameProblem(name) {
            throw r.error(top["name"]?.value, "name", "'\(name)' \(problem) (it names the output folder)")
        }
        let description = try top["description"].map { try r.string($0.value, "description") }
        let question = try top["question"].map { try r.string($0.value, "question") }
        let seed = try top["seed"].map { try r.uint64($0.value, "seed") } ?? 1
        let replicates = try top["replicates"].map {
            try r.int($0.value, "replicates", min: 1, max: Limits.replicates, beyond: "run several scenarios with different seeds and pool them")
        } ?? 1000
        let streams: StreamPolicy = try top["streams"].map { try r.choice($0.value, "streams", StreamPolicy.self) } ?? .independent

        // The model section, with defaults filled in.
        var modelEntries: [YEntry] = []
        for key in modelKeys {
            if let e = top[key] { modelEntries.append(e) }
        }
        guard top["cohort"] != nil else { throw VBQError(file: file, line: 1, key: "cohort", "missing: give `events` and `non_events`, or `size` and `prevalence`") }
        guard top["generator"] != nil || Schema.stageNames.contains(where: { top[$0] != nil }) else {
            throw VBQError(file: file, line: 1, key: "generator", "missing: say how scores are generated (family: class_conditional or mechanistic)")
        }
        let baseModelNode = YNode.map(modelEntries, line: root.line)
        let (model, resolvedModel) = try decodeModel(baseModelNode, reader: r)

        // The design grid.
        let factors = try decodeFactors(top["vary"], reader: r, base: resolvedModel)
        var cellLevels = try decodeSubset(top["subset"], factors: factors, reader: r)
        let oneAtATime = top["subset"]?.value.scalar == "one_at_a_time"
        let referenceLevels = try decodeReference(top["reference"], factors: factors,
                                                  cells: oneAtATime ? fullCrossProduct(factors) : cellLevels, reader: r)
        if oneAtATime {
            // The reference and every cell that differs from it in exactly one factor.
            cellLevels = cellLevels.filter { zip($0, referenceLevels).filter { $0 != $1 }.count <= 1 }
        }

        // Every cell must decode: a bad level is found now, not halfway through a run. The
        // models are kept for the design.
        let cellModels = try cellLevels.map { try cellModel(levels: $0, factors: factors, base: resolvedModel, reader: r) }

        var resolved: [YEntry] = [
            YEntry(key: "name", value: .scalar(name, line: nil)),
        ]
        if let description { resolved.append(YEntry(key: "description", value: .scalar(description, line: nil))) }
        if let question { resolved.append(YEntry(key: "question", value: .scalar(question, line: nil))) }
        resolved += [
            YEntry(key: "seed", value: .scalar(String(seed), line: nil)),
            YEntry(key: "replicates", value: .scalar(String(replicates), line: nil)),
            YEntry(key: "streams", value: .scalar(streams.rawValue, line: nil)),
        ]
        resolved += resolvedModel.entries ?? []
        if !factors.isEmpty {
            resolved.append(YEntry(key: "vary", value: .map(factors.map {
                YEntry(key: $0.path, value: .seq($0.levels, line: nil))
            }, line: nil)))
            resolved.append(YEntry(key: "reference", value: .map(factors.enumerated().map { i, f in
                YEntry(key: f.path, value: f.levels[referenceLevels[i]])
            }, line: nil)))
            if oneAtATime {
                resolved.append(YEntry(key: "subset", value: .scalar("one_at_a_time", line: nil)))
            } else if top["subset"] != nil {
                resolved.append(YEntry(key: "subset", value: .seq(cellLevels.map { levels in
                    .map(factors.enumerated().map { i, f in YEntry(key: f.path, value: f.levels[levels[i]]) }, line: nil)
                }, line: nil)))
            }
        }

        if let p = top["power"] { resolved.append(p) }
        var reanalysis: ReanalysisSpec? = nil
        if let e = top["reanalysis"] {
            var mechanistic = true
            if case .classConditional = model.generator { mechanistic = false }
            let (spec, node) = try ReanalysisReader.decode(e, reader: r, mechanistic: mechanistic, cells: cellLevels.count, replicates: replicates)
            reanalysis = spec
            resolved.append(YEntry(key: "reanalysis", value: node, line: e.line))
        }
        var scenario = Scenario(file: file, name: name, description: description, question: question, seed: seed, replicates: replicates,
                                streams: streams, model: model, factors: factors, referenceLevels: referenceLevels,
                                cellLevels: cellLevels, resolvedModelNode: resolvedModel,
                                resolvedNode: .map(resolved, line: nil))
        scenario.reanalysis = reanalysis
        scenario.cellModels = cellModels
        scenario.source = text
        // The power: section is read with the rest (the grid and targets may come from the
        // command line of `vbqlab power`).
        if let p = top["power"] { scenario.power = try PowerSection(p, scenario: scenario) }
        return scenario
    }

    /// A scenario name must be a safe folder name: ASCII letters, digits, '-', '_' and '.',
    /// starting with a letter or digit (so never '.', '..' or a hidden name), at most 100 characters.
    public static func nameProblem(_ name: String) -> String? {
        guard !name.isEmpty else { return "is empty" }
        guard name.utf8.count <= 100 else { return "is longer than 100 characters" }
        let allowed = name.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "-" || $0 == "_" || $0 == "." }
        guard allowed else { return "must be ASCII letters, digits, '-', '_' or '.'" }
        guard let first = name.unicodeScalars.first, (first >= "a" && first <= "z") || (first >= "A" && first <= "Z") || (first >= "0" && first <= "9") else {
            return "must start with a letter or a digit"
        }
        return nil
    }

    static func defaultName(_ file: String) -> String {
        let base = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        let slug = String(base.unicodeScalars.map { s -> Character in
            (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") || s == "-" || s == "_" ? Character(s) : "-"
        }).drop { $0 == "-" || $0 == "_" }
        return slug.isEmpty ? "scenario" : String(slug.prefix(100))
    }

    /// The model of one cell: the resolved base with the cell's levels substituted.
    static func cellModel(levels: [Int], factors: [Factor], base: YNode, reader r: NodeReader) throws -> ModelSpec {
        var node = base
        for (i, f) in factors.enumerated() {
            node = try PathSetter.set(path: f.path, in: node, to: f.levels[levels[i]], reader: r, line: f.line)
        }
        return try decodeModel(node, reader: r).0
    }

    static let cohortBeyond = "a cohort that large estimates the cutoff almost without sampling error; the truth (c*) answers that question"

    // MARK: Model

    static func decodeModel(_ node: YNode, reader r: NodeReader) throws -> (ModelSpec, YNode) {
        let m = try r.mapping(node, "", allowed: modelKeys)
        let gm = try m["generator"].map { try r.mapping($0.value, "generator", allowed: ["family", "event", "non_event"]) }
        var family = gm == nil ? "mechanistic" : "class_conditional"
        if let f = gm?["family"] {
            family = try r.string(f.value, "generator.family")
            let families = ["class_conditional", "mechanistic"]
            guard families.contains(family) else {
                throw r.error(f.value, "generator.family", "unknown family '\(family)'\(suggestion(for: family, among: families)); choose class_conditional or mechanistic")
            }
        }
        let mechanistic = family == "mechanistic"
        if !mechanistic, let stage = Schema.stageNames.first(where: { m[$0] != nil }) {
            throw VBQError(file: r.file, line: m[stage]!.line, key: stage, "belongs to the mechanistic family; this scenario's generator is \(family)")
        }
        let (cohort, cohortNode) = try decodeCohort(m["cohort"]!.value, reader: r, mechanistic: mechanistic)
        let generator: GeneratorSpec
        let generatorNode: YNode
        var stageEntries: [YEntry] = []
        if mechanistic {
            if let gm {
                for k in ["event", "non_event"] where gm[k] != nil {
                    throw r.error(gm[k]!.value, "generator.\(k)", "class distributions belong to the class_conditional family; a mechanistic scenario describes the stages (population, bone_quality, selection, outcome, measurement)")
                }
            }
            var given: [String: YEntry] = [:]
            for name in Schema.stageNames { if let e = m[name] { given[name] = e } }
            let (entries, model) = try MechanisticReader.decode(given, reader: r, modelLine: node.line)
            stageEntries = entries
            generator = .mechanistic(model)
            generatorNode = .map([YEntry(key: "family", value: .scalar("mechanistic", line: nil))], line: m["generator"]?.value.line)
        } else {
            (generator, generatorNode) = try decodeGenerator(m["generator"]!.value, reader: r)
        }

        var methods = EstimationMethod.defaults
        if let e = m["methods"] {
            let list = try r.list(e.value, "methods")
            guard !list.isEmpty else { throw r.error(e.value, "methods", "the list is empty; name at least one of \(EstimationMethod.allCases.map(\.rawValue).joined(separator: ", "))") }
            methods = []
            for (i, item) in list.enumerated() {
                let method = try r.choice(item, "methods[\(i)]", EstimationMethod.self)
                if methods.contains(method) { throw r.error(item, "methods[\(i)]", "'\(method.rawValue)' is listed twice") }
                methods.append(method)
            }
        }
        var fixed: [Double] = []
        if let e = m["fixed_cutoffs"] {
            let list: [YNode]
            if e.value.scalar != nil { list = [e.value] } else { list = try r.list(e.value, "fixed_cutoffs") }
            guard list.count <= Limits.fixedCutoffs else {
                throw r.error(e.value, "fixed_cutoffs", "\(list.count) cutoffs is more than the limit of \(Limits.fixedCutoffs); evaluate more cutoffs with analyze --cutoff on the replicates, or in several scenarios")
            }
            for (i, item) in list.enumerated() {
                fixed.append(try r.double(item, "fixed_cutoffs[\(i)]"))
            }
        }
        let precision = try m["precision"].map { try r.double($0.value, "precision", positive: true) } ?? 0.1
        let criteria = try m["criteria"].map { try decodeCriteria($0.value, reader: r) } ?? .defaults

        if case let .mechanistic(mm) = generator, mm.timed, mm.handling.timeDependent {
            // A time-dependent ROC gives one empirical curve: its Youden cutoff is the estimate
            // (and the default method list).
            if m["methods"] == nil { methods = [.empirical] }
            if mm.handling == .km && cohort.size > Limits.kaplanMeierCohort {
                throw r.error(m["follow_up"]?.value["handling"] ?? m["follow_up"]?.value, "follow_up.handling", "km's Kaplan–Meier estimates take time growing with the square of the cohort; at most \(Format.count(Limits.kaplanMeierCohort)) patients per cohort (this one has \(Format.count(cohort.size))), or use ipcw")
            }
            if let other = methods.first(where: { $0 != .empirical }) {
                throw r.error(m["methods"]?.value ?? m["follow_up"]?.value, "methods", "'\(other.rawValue)' needs two classes; follow_up.handling '\(mm.handlingName)' analyses a time-dependent ROC, on which vbqlab estimates the empirical Youden cutoff only: use methods: [empirical]")
            }
            if !fixed.isEmpty {
                throw r.error(m["fixed_cutoffs"]?.value, "fixed_cutoffs", "follow_up.handling '\(mm.handlingName)' analyses a time-dependent ROC, on which fixed cutoffs are not evaluated; remove fixed_cutoffs or choose ever_observed or horizon")
            }
        }
        var spec = ModelSpec(cohort: cohort, generator: generator, methods: methods, fixedCutoffs: fixed, precision: precision)
        spec.criteria = criteria
        let resolved = YNode.map([
            YEntry(key: "cohort", value: cohortNode),
            YEntry(key: "generator", value: generatorNode),
            YEntry(key: "methods", value: .seq(methods.map { .scalar($0.rawValue, line: nil) }, line: m["methods"]?.value.line)),
            YEntry(key: "fixed_cutoffs", value: .seq(fixed.map { .scalar(Format.exact($0), line: nil) }, line: m["fixed_cutoffs"]?.value.line)),
            YEntry(key: "precision", value: .scalar(Format.exact(precision), line: m["precision"]?.value.line)),
        ] + (m["criteria"] == nil ? [] : [YEntry(key: "criteria", value: .map(CriterionParameters.Key.allCases.map { k in
            YEntry(key: k.rawValue, value: .scalar(k == .costPrevalence && criteria.costPrevalence == nil ? "cohort" : Format.exact(criteria[keyPath: k.keyPath]), line: nil))
        }, line: m["criteria"]?.value.line))]) + stageEntries, line: node.line)
        return (spec, resolved)
    }

    /// The criteria's parameters (`criteria:`): each key of `CriterionParameters.Key` with its
    /// range; `cost_prevalence: cohort` (the default) weighs the cost at each cohort's own.
    static func decodeCriteria(_ node: YNode, reader r: NodeReader) throws -> CriterionParameters {
        let m = try r.mapping(node, "criteria", allowed: CriterionParameters.Key.allCases.map(\.rawValue))
        var k = CriterionParameters()
        for key in CriterionParameters.Key.allCases {
            guard let e = m[key.rawValue] else { continue }
            let path = "criteria.\(key.rawValue)"
            let text = e.value.scalar?.trimmingCharacters(in: .whitespaces)
            if key == .costPrevalence, text == "cohort" { k.costPrevalence = nil; continue }
            if key == .costPrevalence, let text, NumberText.double(text) == nil {
                throw r.error(e.value, path, "'\(text)' is neither a number nor 'cohort' (each cohort's own prevalence)")
            }
            let x = try r.double(e.value, path)
            guard key.accepts(x) else { throw r.error(e.value, path, "\(Format.exact(x)) must be \(key.rule)\(key == .costPrevalence ? ", or cohort" : "")") }
            k[keyPath: key.keyPath] = x
        }
        return k
    }

    static func decodeCohort(_ node: YNode, reader r: NodeReader, mechanistic: Bool) throws -> (CohortSpec, YNode) {
        if mechanistic {
            let c = try r.mapping(node, "cohort", allowed: ["size", "events", "non_events", "prevalence", "sampling"])
            for k in ["events", "non_events", "prevalence", "sampling"] where c[k] != nil {
                throw r.error(c[k]!.value, "cohort.\(k)", "in a mechanistic scenario the number of events comes from the outcome model; give only `size`")
            }
            guard let s = c["size"] else { throw r.error(node, "cohort.size", "missing: the number of patients per cohort") }
            let size = try r.int(s.value, "cohort.size", min: 2, max: Limits.cohortSize, beyond: Self.cohortBeyond)
            return (CohortSpec(size: size, prevalence: .nan, sampling: .binomial),
                    .map([YEntry(key: "size", value: .scalar(String(size), line: s.value.line))], line: node.line))
        }
        let c = try r.mapping(node, "cohort", allowed: ["events", "non_events", "size", "prevalence", "sampling"])
        let spec: CohortSpec
        if c["events"] != nil || c["non_events"] != nil {
            for k in ["size", "prevalence"] where c[k] != nil {
                throw r.error(c[k]!.value, "cohort.\(k)", "give either events + non_events or size + prevalence, not both")
            }
            guard let e = c["events"] else { throw r.error(node, "cohort.events", "missing (non_events is given)") }
            guard let ne = c["non_events"] else { throw r.error(node, "cohort.non_events", "missing (events is given)") }
            let events = try r.int(e.value, "cohort.events", min: 1, max: Limits.cohortSize, beyond: Self.cohortBeyond)
            let nonEvents = try r.int(ne.value, "cohort.non_events", min: 1, max: Limits.cohortSize, beyond: Self.cohortBeyond)
            guard events + nonEvents <= Limits.cohortSize else {
                throw r.error(ne.value, "cohort.non_events", "events + non_events = \(events + nonEvents) patients, more than the limit of \(Limits.cohortSize) per cohort; \(Self.cohortBeyond)")
            }
            if let s = c["sampling"], try r.choice(s.value, "cohort.sampling", CohortSpec.Sampling.self) != .fixed {
                throw r.error(s.value, "cohort.sampling", "events + non_events fixes the counts; use size + prevalence for binomial sampling")
            }
            spec = CohortSpec(size: events + nonEvents, prevalence: Double(events) / Double(events + nonEvents), sampling: .fixed)
        } else {
            guard let s = c["size"] else { throw r.error(node, "cohort.size", "missing: give events + non_events, or size + prevalence") }
            guard let p = c["prevalence"] else { throw r.error(node, "cohort.prevalence", "missing: give events + non_events, or size + prevalence") }
            let size = try r.int(s.value, "cohort.size", min: 2, max: Limits.cohortSize, beyond: Self.cohortBeyond)
            let prevalence = try r.double(p.value, "cohort.prevalence")
            guard prevalence > 0, prevalence < 1 else { throw r.error(p.value, "cohort.prevalence", "\(p.value.scalar ?? "") is outside (0, 1)") }
            let sampling = try c["sampling"].map { try r.choice($0.value, "cohort.sampling", CohortSpec.Sampling.self) } ?? .fixed
            spec = CohortSpec(size: size, prevalence: prevalence, sampling: sampling)
            if sampling == .fixed && (spec.fixedEvents < 1 || spec.fixedEvents >= size) {
                throw r.error(s.value, "cohort.size", "size \(size) × prevalence \(Format.exact(prevalence)) gives \(spec.fixedEvents) events and \(size - spec.fixedEvents) non-events; each class needs at least 1")
            }
        }
        let resolved = YNode.map([
            YEntry(key: "size", value: .scalar(String(spec.size), line: c["size"]?.value.line ?? c["events"]?.value.line)),
            YEntry(key: "prevalence", value: .scalar(Format.exact(spec.prevalence), line: c["prevalence"]?.value.line ?? c["events"]?.value.line)),
            YEntry(key: "sampling", value: .scalar(spec.sampling.rawValue, line: c["sampling"]?.value.line)),
        ], line: node.line)
        return (spec, resolved)
    }

    static func decodeGenerator(_ node: YNode, reader r: NodeReader) throws -> (GeneratorSpec, YNode) {
        let g = try r.mapping(node, "generator", allowed: ["family", "event", "non_event"])
        let family = try g["family"].map { try r.string($0.value, "generator.family") } ?? "class_conditional"
        guard family == "class_conditional" else {
            throw r.error(g["family"]?.value ?? node, "generator.family", "unknown family '\(family)'\(suggestion(for: family, among: ["class_conditional"])); this version knows class_conditional")
        }
        guard let ev = g["event"] else { throw r.error(node, "generator.event", "missing: the score distribution of patients with the event") }
        guard let ne = g["non_event"] else { throw r.error(node, "generator.non_event", "missing: the score distribution of patients without the event") }
        let event = try DistributionReader.decode(ev.value, "generator.event", reader: r)
        let nonEvent = try DistributionReader.decode(ne.value, "generator.non_event", reader: r)
        let resolved = YNode.map([
            YEntry(key: "family", value: .scalar(family, line: g["family"]?.value.line)),
            YEntry(key: "event", value: ev.value),
            YEntry(key: "non_event", value: ne.value),
        ], line: node.line)
        return (.classConditional(event: event, nonEvent: nonEvent), resolved)
    }

    // MARK: Design

    static func decodeFactors(_ entry: YEntry?, reader r: NodeReader, base: YNode) throws -> [Factor] {
        guard let entry else { return [] }
        guard let entries = entry.value.entries else {
            throw r.error(entry.value, "vary", "must map parameter paths to lists of levels, e.g. `cohort.size: [128, 256]`")
        }
        guard entries.count <= Limits.factors else {
            throw r.error(entry.value, "vary", "\(entries.count) factors is more than the limit of \(Limits.factors); split the design over several scenario files")
        }
        var factors: [Factor] = []
        var cells = 1
        for e in entries {
            let key = "vary.\(e.key)"
            let root = e.key.split(separator: ".").first.map(String.init) ?? ""
            guard modelKeys.contains(root) else {
                throw VBQError(file: r.file, line: e.line, key: key, "'\(e.key)' is not a model parameter; vary can change \(modelKeys.joined(separator: ", ")) and what is below them\(suggestion(for: root, among: modelKeys))")
            }
            guard let levels = e.value.items, !levels.isEmpty else {
                throw r.error(e.value, key, "must be a non-empty list of levels")
            }
            guard levels.count <= Limits.levelsPerFactor else {
                throw r.error(e.value, key, "\(levels.count) levels is more than the limit of \(Limits.levelsPerFactor) per factor; split the levels over several scenario files")
            }
            // Levels are compared as values: 256 and 256.0 are the same level.
            var seen = Set<String>()
            for level in levels where !seen.insert(canonical(level)).inserted {
                throw r.error(level, key, "level '\(level.flow)' is listed twice (as a value)")
            }
            guard let product = Limits.product(cells, levels.count), product <= Limits.cells else {
                throw r.error(e.value, key, "the vary factors make more than \(Limits.cells) cells in their full cross product (which `subset:` chooses from); use fewer factors or levels, or split the design over several scenario files")
            }
            cells = product
            // The path must name a parameter of this scenario (or a settable key below one).
            _ = try PathSetter.set(path: e.key, in: base, to: levels[0], reader: r, line: e.line)
            factors.append(Factor(path: e.key, levels: levels, line: e.line))
        }
        return factors
    }

    /// A level's value as text, numbers in their shortest form (so 256, 256.0 and 2.56e2 agree).
    static func canonical(_ node: YNode) -> String {
        switch node {
        case let .scalar(s, _):
            if let x = NumberText.double(s.trimmingCharacters(in: .whitespaces)) { return "#" + Format.exact(x) }
            return "'" + s
        case let .map(entries, _):
            return "{" + entries.sorted { $0.key < $1.key }.map { "\($0.key):\(canonical($0.value))" }.joined(separator: ",") + "}"
        case let .seq(items, _):
            return "[" + items.map(canonical).joined(separator: ",") + "]"
        }
    }

    static func fullCrossProduct(_ factors: [Factor]) -> [[Int]] {
        var all: [[Int]] = [[]]
        for f in factors {
            all = all.flatMap { prefix in f.levels.indices.map { prefix + [$0] } }
        }
        return all
    }

    /// `subset:` is a list of cells, or `one_at_a_time` (the reference and each single-factor change).
    static func decodeSubset(_ entry: YEntry?, factors: [Factor], reader r: NodeReader) throws -> [[Int]] {
        let all = fullCrossProduct(factors)
        guard let entry else { return all }
        guard !factors.isEmpty else { throw r.error(entry.value, "subset", "needs a `vary` section to choose cells from") }
        if let word = entry.value.scalar {
            guard word == "one_at_a_time" else {
                throw r.error(entry.value, "subset", "'\(word)' is not a design; give a list of cells or one_at_a_time")
            }
            return all
        }
        guard let items = entry.value.items, !items.isEmpty else {
            throw r.error(entry.value, "subset", "must be a non-empty list of cells, each mapping every factor to one of its levels")
        }
        guard items.count <= Limits.cells else {
            throw r.error(entry.value, "subset", "\(items.count) cells is more than the limit of \(Limits.cells); split the design over several scenario files")
        }
        var chosen = Set<[Int]>()
        for (i, item) in items.enumerated() {
            let levels = try matchCell(item, factors: factors, key: "subset[\(i)]", reader: r)
            if !chosen.insert(levels).inserted { throw r.error(item, "subset[\(i)]", "this cell is listed twice") }
        }
        return all.filter { chosen.contains($0) }
    }

    static func decodeReference(_ entry: YEntry?, factors: [Factor], cells: [[Int]], reader r: NodeReader) throws -> [Int] {
        guard let entry else {
            return cells.first ?? []
        }
        guard !factors.isEmpty else { throw r.error(entry.value, "reference", "needs a `vary` section; without one the single cell is the reference") }
        let levels = try matchCell(entry.value, factors: factors, key: "reference", reader: r)
        guard cells.contains(levels) else { throw r.error(entry.value, "reference", "this cell is not in `subset`") }
        return levels
    }

    /// Matches `{path: level, ...}` to level indices; every factor must be named.
    static func matchCell(_ node: YNode, factors: [Factor], key: String, reader r: NodeReader) throws -> [Int] {
        let m = try r.mapping(node, key, allowed: factors.map(\.path))
        return try factors.map { f in
            guard let e = m[f.path] else { throw r.error(node, "\(key).\(f.path)", "missing: name one level of every factor") }
            let label = e.value.flow
            let wanted = canonical(e.value)
            if let i = f.levels.firstIndex(where: { canonical($0) == wanted }) { return i }
            throw r.error(e.value, "\(key).\(f.path)", "'\(label)' is not one of its levels (\(f.labels.joined(separator: ", ")))")
        }
    }
}

/// Sets the value at a dotted path (`generator.event.mean`, `generator.event.components.0.weight`).
enum PathSetter {
    static func set(path: String, in node: YNode, to value: YNode, reader r: NodeReader, line: Int?) throws -> YNode {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !parts.contains("") else { throw VBQError(file: r.file, line: line, key: "vary.\(path)", "a parameter path has no empty parts") }
        var node = node
        if parts.count == 2, parts[0] == "cohort", parts[1] == "events" || parts[1] == "non_events",
           let cohort = node["cohort"], cohort[parts[1]] == nil {
            node = try countsCohort(node, cohort: cohort, path: path, r: r, line: line)
        }
        return try set(parts[...], in: node, to: value, done: [], r: r, line: line, fullPath: path)
    }

    /// A fixed-count cohort, resolved as size + prevalence, rewritten as events + non_events so
    /// that `vary` can change one of the counts and keep the other.
    private static func countsCohort(_ model: YNode, cohort: YNode, path: String, r: NodeReader, line: Int?) throws -> YNode {
        guard cohort["sampling"]?.scalar == "fixed", let sizeText = cohort["size"]?.scalar, let prevText = cohort["prevalence"]?.scalar,
              let size = NumberText.int(sizeText), let prevalence = NumberText.double(prevText) else {
            throw VBQError(file: r.file, line: line, key: "vary.\(path)", "varies a count of a fixed-count cohort; this cohort draws its events (sampling: binomial, or a mechanistic outcome model); vary cohort.size or cohort.prevalence instead")
        }
        let events = Int((Double(size) * prevalence).rounded())
        let counts = YNode.map([YEntry(key: "events", value: .scalar(String(events), line: cohort.line)),
                                YEntry(key: "non_events", value: .scalar(String(size - events), line: cohort.line))], line: cohort.line)
        guard case let .map(entries, l) = model else { return model }
        return .map(entries.map { $0.key == "cohort" ? YEntry(key: "cohort", value: counts, line: $0.line) : $0 }, line: l)
    }

    private static func set(_ parts: ArraySlice<String>, in node: YNode, to value: YNode, done: [String],
                            r: NodeReader, line: Int?, fullPath: String) throws -> YNode {
        guard let head = parts.first else { return value }
        let here = (done + [head]).joined(separator: ".")
        switch node {
        case let .map(entries, l):
            var entries = entries
            if let i = entries.firstIndex(where: { $0.key == head }) {
                entries[i].value = try set(parts.dropFirst(), in: entries[i].value, to: value, done: done + [head], r: r, line: line, fullPath: fullPath)
            } else if parts.count == 1 {
                // A key the base does not set (an optional parameter): the cell's decoding checks it.
                entries.append(YEntry(key: head, value: value, line: line))
            } else if done.isEmpty, let stage = Schema.optionalStages.first(where: { $0.0 == head }) {
                throw VBQError(file: r.file, line: line, key: "vary.\(fullPath)", "this scenario has no \(stage.0) section, which a scenario names to opt in; add one (\(stage.0): {} keeps its defaults) to vary its parameters")
            } else {
                throw VBQError(file: r.file, line: line, key: "vary.\(fullPath)", "no parameter '\(here)' in this scenario\(suggestion(for: head, among: entries.map(\.key)))")
            }
            return .map(entries, line: l)
        case let .seq(items, l):
            guard let i = Int(head), items.indices.contains(i) else {
                throw VBQError(file: r.file, line: line, key: "vary.\(fullPath)", "'\(here)': a list is indexed by 0 ..< \(items.count)")
            }
            var items = items
            items[i] = try set(parts.dropFirst(), in: items[i], to: value, done: done + [head], r: r, line: line, fullPath: fullPath)
            return .seq(items, line: l)
        case .scalar:
            throw VBQError(file: r.file, line: line, key: "vary.\(fullPath)", "'\(done.joined(separator: "."))' is a single value, it has no '\(head)'")
        }
    }
}
