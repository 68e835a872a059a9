import Foundation
import VBQCore
import VBQEstimate

/// What `vbqlab power` sweeps and what it aims for (docs/model.md §7).
///
/// ```yaml
/// power:
///   n: [100, 150, 200, 300]        # cohort sizes; or n_range: 100:400:50; or events: [30, 50, 80]
///   power: 0.8                     # the probability each target must reach
///   alpha: 0.05
///   replicates: auto               # auto: 2,500 per n, so every power estimate has MCSE ≤ 0.01
///   bootstrap: 100                 # resamples per cohort for the drift test's SEs
///   cell: {factor: level}          # the cell that is swept (default: the reference)
///   targets:
///     - auc_above: {null: 0.75, sides: 1}
///     - auc_ci: {half_width: 0.05}
///     - sens_spec: {cutoff: 3.3, half_width: 0.1}
///     - cutoff_precision: {method: empirical, delta: 0.1}
///     - cutoff_range: {method: binormal, width: 0.3}
///     - drift: {method: binormal, compare: {measurement.field.share_1_5T: 1}}
/// ```
public struct PowerSpec: Sendable {
    public enum Sweep: String, Sendable { case size, events }

    public var grid: [Int]
    public var sweep: Sweep
    public var power: Double
    public var alpha: Double
    public var replicates: Int
    public var bootstrap: Int
    /// Level indices of the swept cell.
    public var cellLevels: [Int]
    public var targets: [PowerTarget]

    /// Replicates per n for MCSE ≤ 0.01 whatever the power: p(1 − p) ≤ ¼, so R = ⌈¼ / 0.01²⌉.
    public static let autoReplicates = 2500
    static let targetNames = ["auc_above", "auc_ci", "sens_spec", "cutoff_precision", "cutoff_range", "drift"]
    static let keys = ["n", "n_range", "events", "power", "alpha", "replicates", "bootstrap", "cell", "targets"]

    /// The scenario's `power:` section (read once, when the scenario was loaded) with the
    /// command line's overrides applied (each already parsed: grid, extra targets as YAML text,
    /// power level). The command line's targets replace the file's.
    public static func load(scenario: Scenario, n: [Int]?, nRange: String?, events: [Int]?, targets extra: [String],
                            power: Double?, alpha: Double?, replicates: Int?) throws -> PowerSpec {
        let section = scenario.power ?? PowerSection()
        var spec = PowerSpec(grid: section.grid?.values ?? [], sweep: section.grid?.key == "events" ? .events : .size,
                             power: section.power?.value ?? 0.8, alpha: section.alpha?.value ?? 0.05,
                             replicates: section.replicates ?? autoReplicates, bootstrap: section.bootstrap ?? 100,
                             cellLevels: section.cellLevels ?? scenario.referenceLevels, targets: [])
        if let n { spec.grid = n; spec.sweep = .size }
        if let nRange { spec.grid = try parseRange(nRange, key: "--n-range", file: nil, line: nil); spec.sweep = .size }
        if let events { spec.grid = events; spec.sweep = .events }
        if let power { spec.power = power }
        if let alpha { spec.alpha = alpha }
        if let replicates { spec.replicates = replicates }
        // The file's values were checked when the scenario was loaded (`PowerSection`); what
        // is left to check here is the command line's.
        if let power, !(power > 0 && power < 1) { throw VBQError(key: "--power", "\(Format.exact(power)) is outside (0, 1)") }
        if let alpha, !(alpha > 0 && alpha < 0.5) { throw VBQError(key: "--alpha", "\(Format.exact(alpha)) is outside (0, 0.5)") }
        guard !spec.grid.isEmpty else {
            throw VBQError(file: scenario.file, line: section.line, key: "power.n", "the n grid is empty: give n, n_range or events in the file, or --n / --n-range / --events")
        }
        if n != nil || nRange != nil || events != nil, let bad = spec.grid.first(where: { $0 < (spec.sweep == .events ? 2 : 4) }) {
            throw VBQError(key: spec.sweep == .events ? "--events" : (nRange != nil ? "--n-range" : "--n"),
                           "\(bad) is too small for a cohort (at least \(spec.sweep == .events ? 2 : 4))")
        }
        spec.grid = Array(Set(spec.grid)).sorted()

        if extra.isEmpty { spec.targets = section.targets }
        for text in extra {
            let node: YNode
            do { node = try YNode.parse(text, file: "--target") } catch let e as VBQError {
                throw VBQError(key: "--target", "'\(text)' is not a target: \(e.message)")
            }
            do {
                spec.targets += try PowerTarget.decode(node, key: "--target", reader: NodeReader(file: "--target"), scenario: scenario)
            } catch var e as VBQError {
                e.file = nil; e.line = nil      // a command-line value has no file or line
                throw e
            }
        }
        guard !spec.targets.isEmpty else {
            throw VBQError(file: scenario.file, line: section.line, key: "power.targets", "no target: add one to the file or give --target, e.g. --target 'auc_ci: {half_width: 0.05}'")
        }
        return spec
    }

    static func parseRange(_ s: String, key: String, file: String?, line: Int?) throws -> [Int] {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false).map { NumberText.int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, let a = parts[0], let b = parts[1], let step = parts[2], step > 0, a <= b else {
            throw VBQError(file: file, line: line, key: key, "'\(s)' must be FROM:TO:STEP with FROM ≤ TO and STEP > 0, e.g. 100:400:50")
        }
        guard b <= Limits.cohortSize else {
            throw VBQError(file: file, line: line, key: key, "\(b) is more than the limit of \(Limits.cohortSize) patients per cohort")
        }
        guard (b - a) / step + 1 <= Limits.powerGridPoints else {
            throw VBQError(file: file, line: line, key: key, "'\(s)' gives \((b - a) / step + 1) sizes, more than the limit of \(Limits.powerGridPoints); use a larger step")
        }
        return Array(stride(from: a, through: b, by: step))
    }
}

/// A scenario's `power:` section as the file gives it, read and checked when the scenario is
/// loaded; the grid and the targets may be left to the command line of `vbqlab power`.
public struct PowerSection: Sendable {
    /// The section's line, for errors that concern it as a whole.
    public var line: Int?
    var power: (value: Double, line: Int?)?
    var alpha: (value: Double, line: Int?)?
    /// nil: `auto`.
    var replicates: Int?
    var bootstrap: Int?
    var cellLevels: [Int]?
    /// `n`, `n_range` or `events`, with its sizes.
    var grid: (key: String, values: [Int], line: Int?)?
    var targets: [PowerTarget] = []

    init() {}

    /// Reads `entry`, the scenario's `power:` section.
    package init(_ entry: YEntry, scenario: Scenario) throws {
        let r = NodeReader(file: scenario.file)
        let m = try r.mapping(entry.value, "power", allowed: PowerSpec.keys)
        line = entry.line
        if let e = m["power"] { power = (try r.double(e.value, "power.power"), e.value.line) }
        if let e = m["alpha"] { alpha = (try r.double(e.value, "power.alpha"), e.value.line) }
        if let e = m["replicates"], e.value.scalar != "auto" { replicates = try r.int(e.value, "power.replicates", min: 10, max: Limits.replicates) }
        if let e = m["bootstrap"] { bootstrap = try r.int(e.value, "power.bootstrap", min: 10, max: 10_000) }
        if let e = m["cell"] {
            cellLevels = try ScenarioLoader.matchCell(e.value, factors: scenario.factors, key: "power.cell", reader: r)
        }
        let grids = ["n", "n_range", "events"].compactMap { k in m[k].map { (k, $0.value) } }
        if grids.count > 1 { throw r.error(grids[1].1, "power.\(grids[1].0)", "give one of n, n_range, events") }
        if let (k, node) = grids.first {
            switch k {
            case "n_range":
                grid = (k, try PowerSpec.parseRange(try r.string(node, "power.n_range"), key: "power.n_range", file: scenario.file, line: node.line), node.line)
            default:
                let items = try r.list(node, "power.\(k)")
                guard items.count <= Limits.powerGridPoints else {
                    throw r.error(node, "power.\(k)", "\(items.count) sizes is more than the limit of \(Limits.powerGridPoints)")
                }
                grid = (k, try items.enumerated().map { try r.int($0.element, "power.\(k)[\($0.offset)]", min: k == "events" ? 2 : 4, max: Limits.cohortSize) }, node.line)
            }
        }
        if let (value, line) = power, !(value > 0 && value < 1) {
            throw VBQError(file: scenario.file, line: line, key: "power.power", "\(Format.exact(value)) is outside (0, 1)")
        }
        if let (value, line) = alpha, !(value > 0 && value < 0.5) {
            throw VBQError(file: scenario.file, line: line, key: "power.alpha", "\(Format.exact(value)) is outside (0, 0.5)")
        }
        if let grid, let bad = grid.values.first(where: { $0 < (grid.key == "events" ? 2 : 4) }) {
            throw VBQError(file: scenario.file, line: grid.line, key: "power.\(grid.key)",
                           "\(bad) is too small for a cohort (at least \(grid.key == "events" ? 2 : 4))")
        }
        if let t = m["targets"] {
            for (i, item) in try r.list(t.value, "power.targets").enumerated() {
                targets += try PowerTarget.decode(item, key: "power.targets[\(i)]", reader: r, scenario: scenario)
            }
        }
    }
}

/// One target of a power analysis.
public enum PowerTarget: Sendable, Equatable {
    /// The DeLong test of AUC > a₀ (one-sided, or two-sided and in that direction) rejects at α.
    case aucAbove(null: Double, sides: Int)
    /// The DeLong 95% CI half-width 1.96·SE is at most w.
    case aucCI(halfWidth: Double)
    /// |ŝensitivity − sensitivity| ≤ w at a fixed cutoff (and the same for specificity).
    case sensitivity(cutoff: Double, halfWidth: Double)
    case specificity(cutoff: Double, halfWidth: Double)
    /// |ĉ − c*| ≤ δ.
    case cutoffPrecision(method: EstimationMethod, delta: Double)
    /// The 95% range of ĉ (97.5% − 2.5% quantile over cohorts) is at most `width` (not a probability).
    case cutoffRange(method: EstimationMethod, width: Double)
    /// A two-sided z-test of equal cutoffs in two independent cohorts of size n, one from the swept
    /// cell and one from `compare`, with stratified bootstrap SEs, rejects at α.
    /// `label` names the compared cell by its paths (for ids), `words` by the parameters' words.
    case drift(method: EstimationMethod, compare: [Int], label: String, words: String)

    /// The estimator a target is about (nil for the AUC and fixed-cutoff targets).
    public var method: EstimationMethod? {
        switch self {
        case let .cutoffPrecision(m, _), let .cutoffRange(m, _), let .drift(m, _, _, _): return m
        default: return nil
        }
    }

    public var id: String {
        switch self {
        case let .aucAbove(a0, sides): return "auc_above_\(Format.exact(a0))_\(sides)sided"
        case let .aucCI(w): return "auc_ci_\(Format.exact(w))"
        case let .sensitivity(c, w): return "sensitivity_at_\(Format.exact(c))_within_\(Format.exact(w))"
        case let .specificity(c, w): return "specificity_at_\(Format.exact(c))_within_\(Format.exact(w))"
        case let .cutoffPrecision(m, d): return "cutoff_\(m.rawValue)_within_\(Format.exact(d))"
        case let .cutoffRange(m, w): return "cutoff_\(m.rawValue)_range_\(Format.exact(w))"
        case let .drift(m, _, label, _): return "drift_\(m.rawValue)_vs_\(label)"
        }
    }

    public var description: String {
        switch self {
        case let .aucAbove(a0, sides): return "AUC > \(Format.exact(a0)) by a \(sides == 1 ? "one" : "two")-sided DeLong test"
        case let .aucCI(w): return "AUC 95% CI half-width ≤ \(Format.exact(w))"
        case let .sensitivity(c, w): return "sensitivity at \(Format.exact(c)) estimated within ±\(Format.exact(w))"
        case let .specificity(c, w): return "specificity at \(Format.exact(c)) estimated within ±\(Format.exact(w))"
        case let .cutoffPrecision(m, d): return "\(m.rawValue) cutoff within ±\(Format.exact(d)) of c*"
        case let .cutoffRange(m, w): return "95% range of the \(m.rawValue) cutoff ≤ \(Format.exact(w))"
        case let .drift(m, _, _, words): return "detect a shift of the \(m.rawValue) cutoff against \(words) (bootstrap z-test)"
        }
    }

    /// The target as the end of a sentence: "... a probability of 0.8 that <goal>".
    public var goal: String {
        switch self {
        case let .aucAbove(a0, sides): return "a \(sides == 1 ? "one" : "two")-sided DeLong test shows the AUC exceeds \(Format.exact(a0))"
        case let .aucCI(w): return "the 95% confidence interval of the AUC is no wider than ±\(Format.exact(w))"
        case let .sensitivity(c, w): return "the sensitivity at the cutoff \(Format.exact(c)) is estimated within ±\(Format.exact(w))"
        case let .specificity(c, w): return "the specificity at the cutoff \(Format.exact(c)) is estimated within ±\(Format.exact(w))"
        case let .cutoffPrecision(m, d): return "the \(m.rawValue) Youden cutoff lies within ±\(Format.exact(d)) of the population-optimal cutoff"
        case let .cutoffRange(m, w): return "the 95% range of the \(m.rawValue) Youden cutoff is at most \(Format.exact(w))"
        case let .drift(m, _, _, words): return "a bootstrap z-test detects the shift of the \(m.rawValue) cutoff between the reference protocol and \(words), with that many patients in each of the two cohorts"
        }
    }

    /// True for targets whose value is a probability of meeting a criterion.
    public var isProbability: Bool { if case .cutoffRange = self { return false }; return true }

    static func decode(_ node: YNode, key: String, reader r: NodeReader, scenario: Scenario) throws -> [PowerTarget] {
        guard let entries = node.entries, entries.count == 1, let e = entries.first else {
            throw r.error(node, key, "a target is one name with its settings, e.g. auc_ci: {half_width: 0.05}")
        }
        let k = "\(key).\(e.key)"
        func settings(_ allowed: [String]) throws -> [String: YEntry] { try r.mapping(e.value, k, allowed: allowed) }
        func need(_ m: [String: YEntry], _ name: String) throws -> YNode {
            guard let v = m[name] else { throw r.error(e.value, "\(k).\(name)", "missing") }
            return v.value
        }
        func method(_ m: [String: YEntry]) throws -> EstimationMethod {
            guard let v = m["method"] else { return .empirical }
            return try r.choice(v.value, "\(k).method", EstimationMethod.self)
        }
        // Half-widths are of probabilities or an AUC (0.001 to 1); δ and widths are on the score
        // scale. Narrower targets need more patients than any cohort can hold.
        func positive(_ m: [String: YEntry], _ name: String) throws -> Double {
            try r.double(try need(m, name), "\(k).\(name)", positive: true, in: name == "half_width" ? 0.001...1 : 1e-4...1e3)
        }
        switch e.key {
        case "auc_above":
            let m = try settings(["null", "sides"])
            let a0 = try r.double(try need(m, "null"), "\(k).null")
            guard a0 >= 0.5, a0 < 1 else { throw r.error(m["null"]!.value, "\(k).null", "\(Format.exact(a0)) must lie in [0.5, 1)") }
            let sides = try m["sides"].map { try r.int($0.value, "\(k).sides", min: 1) } ?? 1
            guard sides == 1 || sides == 2 else { throw r.error(m["sides"]!.value, "\(k).sides", "must be 1 or 2") }
            return [.aucAbove(null: a0, sides: sides)]
        case "auc_ci":
            return [.aucCI(halfWidth: try positive(try settings(["half_width"]), "half_width"))]
        case "sens_spec", "sensitivity", "specificity":
            let m = try settings(["cutoff", "half_width"])
            let c = try r.double(try need(m, "cutoff"), "\(k).cutoff", in: -1e6...1e6), w = try positive(m, "half_width")
            switch e.key {
            case "sensitivity": return [.sensitivity(cutoff: c, halfWidth: w)]
            case "specificity": return [.specificity(cutoff: c, halfWidth: w)]
            default: return [.sensitivity(cutoff: c, halfWidth: w), .specificity(cutoff: c, halfWidth: w)]
            }
        case "cutoff_precision":
            let m = try settings(["method", "delta"])
            return [.cutoffPrecision(method: try method(m), delta: try positive(m, "delta"))]
        case "cutoff_range":
            let m = try settings(["method", "width"])
            return [.cutoffRange(method: try method(m), width: try positive(m, "width"))]
        case "drift":
            let m = try settings(["method", "compare"])
            let levels = try ScenarioLoader.matchCell(try need(m, "compare"), factors: scenario.factors, key: "\(k).compare", reader: r)
            guard scenario.cellLevels.contains(levels) else { throw r.error(m["compare"]!.value, "\(k).compare", "this cell is not in the scenario's design") }
            let label = scenario.factors.enumerated().filter { levels[$0.offset] != scenario.referenceLevels[$0.offset] }
                .map { "\($0.element.path)=\($0.element.labels[levels[$0.offset]])" }.joined(separator: ",")
            let words = scenario.factors.enumerated().filter { levels[$0.offset] != scenario.referenceLevels[$0.offset] }
                .map { ParameterLabels.phrase($0.element.path, level: $0.element.labels[levels[$0.offset]]) }.joined(separator: ", ")
            return [.drift(method: try method(m), compare: levels, label: label.isEmpty ? "reference" : label, words: words.isEmpty ? "the reference protocol" : "the protocol with \(words)")]
        default:
            throw VBQError(file: r.file, line: e.line, key: k, "unknown target\(suggestion(for: e.key, among: PowerSpec.targetNames)); targets: \(PowerSpec.targetNames.joined(separator: ", "))")
        }
    }
}
