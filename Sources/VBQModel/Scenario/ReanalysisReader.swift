import Foundation
import VBQCore
import VBQEstimate

/// Reads a scenario's `reanalysis:` section (docs/model.md §9). Every error names the file, line and
/// key and says what is accepted.
///
///     reanalysis:
///       covariates: [age, female, bmi, chronic_disease, steroids, segments]
///       cohorts: 1000                       # the first 1000 cohorts of each cell
///       logistic: {cutoff: 3.3, methods: [ml, firth]}   # cutoff: estimated = the cohort's own
///       correlations: true
///       covariate_auc: true
///       observed:                           # what a paper reports, placed in the distributions
///         source: Wu et al. 2025, Tables 2, 4, 5
///         odds_ratio: {steroids: [22.85, 1.57, 331.96]}   # OR, or [OR, lower, upper]
///         correlation: {age: 0.230, failure: 0.549}
///         auc: {score: 0.859}
///         significant: [steroids]
package enum ReanalysisReader {
    static let keys = ["covariates", "cohorts", "logistic", "correlations", "covariate_auc", "truth_patients", "observed"]
    /// Re-analysed cohorts over all cells (each keeps a row of about 100 numbers until written).
    package static let maxRows = 1_000_000
    static let maxTruthPatients = 5_000_000

    static func decode(_ entry: YEntry, reader r: NodeReader, mechanistic: Bool, cells: Int, replicates: Int) throws -> (ReanalysisSpec, YNode) {
        guard mechanistic else {
            throw VBQError(file: r.file, line: entry.line ?? entry.value.line, key: "reanalysis",
                           "needs the mechanistic family, whose patients have covariates (age, sex, chronic disease, steroids, BMI, segments); this scenario's generator is class_conditional")
        }
        let m = try r.mapping(entry.value, "reanalysis", allowed: keys)
        var covariates = ReanalysisSpec.Covariate.allCases
        if let e = m["covariates"] {
            let items = try r.list(e.value, "reanalysis.covariates")
            guard !items.isEmpty else { throw r.error(e.value, "reanalysis.covariates", "the list is empty; name at least one of \(names)") }
            covariates = []
            for (i, item) in items.enumerated() {
                let c = try covariate(item, "reanalysis.covariates[\(i)]", r)
                if covariates.contains(c) { throw r.error(item, "reanalysis.covariates[\(i)]", "'\(c.rawValue)' is listed twice") }
                covariates.append(c)
            }
        }
        let cohorts = try m["cohorts"].map {
            try r.int($0.value, "reanalysis.cohorts", min: 10, max: maxRows / max(1, cells),
                      beyond: "\(cells) cell\(cells == 1 ? "" : "s") × this many cohorts is more than the \(maxRows) re-analysed cohorts a run keeps; re-analyse fewer cohorts per cell")
        }
        if cohorts == nil, cells * replicates > maxRows, m["cohorts"] == nil {
            throw r.error(entry.value, "reanalysis.cohorts", "missing: \(cells) cell\(cells == 1 ? "" : "s") × \(replicates) replicates is more than the \(maxRows) re-analysed cohorts a run keeps; say how many cohorts of each cell to re-analyse")
        }
        var logistic = true
        var cutoff = ReanalysisSpec.OutcomeCutoff.fixed(3.3)
        var methods = LogisticMethod.allCases
        if let e = m["logistic"] {
            if let s = e.value.scalar {
                logistic = try flag(e.value, s, "reanalysis.logistic", r)
            } else {
                let l = try r.mapping(e.value, "reanalysis.logistic", allowed: ["cutoff", "methods"])
                if let c = l["cutoff"] {
                    let text = try r.string(c.value, "reanalysis.logistic.cutoff").trimmingCharacters(in: .whitespaces)
                    if text == "estimated" { cutoff = .estimated } else {
                        guard NumberText.double(text) != nil else {
                            throw r.error(c.value, "reanalysis.logistic.cutoff", "'\(text)' is not a number; give a cutoff such as 3.3, or `estimated` for each cohort's own empirical Youden cutoff")
                        }
                        cutoff = .fixed(try r.double(c.value, "reanalysis.logistic.cutoff", positive: true, in: 1e-6...1e3))
                    }
                }
                if let e = l["methods"] {
                    let items = try r.list(e.value, "reanalysis.logistic.methods")
                    guard !items.isEmpty else { throw r.error(e.value, "reanalysis.logistic.methods", "the list is empty; name ml, firth or both") }
                    methods = []
                    for (i, item) in items.enumerated() {
                        let method = try r.choice(item, "reanalysis.logistic.methods[\(i)]", LogisticMethod.self)
                        if methods.contains(method) { throw r.error(item, "reanalysis.logistic.methods[\(i)]", "'\(method.rawValue)' is listed twice") }
                        methods.append(method)
                    }
                }
            }
        }
        let correlations = try m["correlations"].map { try flag($0.value, try r.string($0.value, "reanalysis.correlations"), "reanalysis.correlations", r) } ?? true
        let auc = try m["covariate_auc"].map { try flag($0.value, try r.string($0.value, "reanalysis.covariate_auc"), "reanalysis.covariate_auc", r) } ?? true
        guard logistic || correlations || auc else {
            throw r.error(entry.value, "reanalysis", "switches every analysis off; keep at least one of logistic, correlations, covariate_auc")
        }
        let truthPatients = try m["truth_patients"].map {
            try r.int($0.value, "reanalysis.truth_patients", min: 10_000, max: maxTruthPatients,
                      beyond: "the population values' error is stated in the report; 5·10⁶ patients make it negligible")
        } ?? ReanalysisSpec.defaultTruthPatients

        var spec = ReanalysisSpec(covariates: covariates, cohorts: cohorts, logistic: logistic, outcomeCutoff: cutoff, methods: methods,
                                  correlations: correlations, covariateAUC: auc, truthPatients: truthPatients, source: nil,
                                  observedOddsRatios: [], observedCorrelations: [], observedAUCs: [], significant: nil)
        var observedNode: YNode? = nil
        if let e = m["observed"] {
            try decodeObserved(e, into: &spec, reader: r)
            observedNode = e.value
        }

        var resolved: [YEntry] = [
            YEntry(key: "covariates", value: .seq(covariates.map { .scalar($0.rawValue, line: nil) }, line: nil)),
        ]
        if let cohorts { resolved.append(YEntry(key: "cohorts", value: .scalar(String(cohorts), line: nil))) }
        if logistic {
            let c: String
            switch cutoff { case let .fixed(x): c = Format.exact(x); case .estimated: c = "estimated" }
            resolved.append(YEntry(key: "logistic", value: .map([
                YEntry(key: "cutoff", value: .scalar(c, line: nil)),
                YEntry(key: "methods", value: .seq(methods.map { .scalar($0.rawValue, line: nil) }, line: nil)),
            ], line: nil)))
        } else {
            resolved.append(YEntry(key: "logistic", value: .scalar("false", line: nil)))
        }
        resolved += [
            YEntry(key: "correlations", value: .scalar(correlations ? "true" : "false", line: nil)),
            YEntry(key: "covariate_auc", value: .scalar(auc ? "true" : "false", line: nil)),
            YEntry(key: "truth_patients", value: .scalar(String(truthPatients), line: nil)),
        ]
        if let observedNode { resolved.append(YEntry(key: "observed", value: observedNode)) }
        return (spec, .map(resolved, line: entry.value.line))
    }

    static var names: String { ReanalysisSpec.Covariate.allCases.map(\.rawValue).joined(separator: ", ") }

    static func covariate(_ node: YNode, _ key: String, _ r: NodeReader) throws -> ReanalysisSpec.Covariate {
        let s = try r.string(node, key)
        guard let c = ReanalysisSpec.Covariate(rawValue: s) else {
            throw r.error(node, key, "unknown covariate '\(s)'\(suggestion(for: s, among: ReanalysisSpec.Covariate.allCases.map(\.rawValue))); the mechanistic population has \(names)")
        }
        return c
    }

    static func flag(_ node: YNode, _ s: String, _ key: String, _ r: NodeReader) throws -> Bool {
        switch s {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw r.error(node, key, "'\(s)' is not true or false")
        }
    }

    static func decodeObserved(_ entry: YEntry, into spec: inout ReanalysisSpec, reader r: NodeReader) throws {
        let o = try r.mapping(entry.value, "reanalysis.observed", allowed: ["source", "odds_ratio", "correlation", "auc", "significant"])
        if let s = o["source"] {
            let text = try r.string(s.value, "reanalysis.observed.source")
            guard text.count <= 200, !text.contains(where: { $0.isNewline }), !ControlCharacter.contains(text) else {
                throw r.error(s.value, "reanalysis.observed.source", "must be one line of at most 200 printable characters")
            }
            spec.source = text
        }
        let covariateNames = spec.covariates.map(\.rawValue)
        func values(_ key: String, terms: [String], what: String, range: ClosedRange<Double>) throws -> [(String, ReanalysisSpec.Observed)] {
            guard let e = o[key] else { return [] }
            let path = "reanalysis.observed.\(key)"
            guard let entries = e.value.entries else { throw r.error(e.value, path, "must map terms to values, e.g. {steroids: 22.85}") }
            var out: [(String, ReanalysisSpec.Observed)] = []
            for t in entries {
                let k = "\(path).\(t.key)"
                guard terms.contains(t.key) else {
                    throw VBQError(file: r.file, line: t.line, key: k, "'\(t.key)' is not one of this re-analysis's \(what) terms\(suggestion(for: t.key, among: terms)) (\(terms.joined(separator: ", ")))")
                }
                guard !out.contains(where: { $0.0 == t.key }) else { throw VBQError(file: r.file, line: t.line, key: k, "is given twice") }
                let observed: ReanalysisSpec.Observed
                if let items = t.value.items {
                    guard items.count == 3 else { throw r.error(t.value, k, "give the value alone or [value, lower, upper] (its 95% CI)") }
                    let v = try items.enumerated().map { try r.double($0.element, "\(k)[\($0.offset)]", in: range) }
                    guard v[1] <= v[0], v[0] <= v[2] else { throw r.error(t.value, k, "the CI [\(Format.exact(v[1])), \(Format.exact(v[2]))] does not contain \(Format.exact(v[0]))") }
                    observed = .init(value: v[0], lower: v[1], upper: v[2])
                } else {
                    observed = .init(value: try r.double(t.value, k, in: range), lower: nil, upper: nil)
                }
                out.append((t.key, observed))
            }
            return out
        }
        if spec.logistic {
            spec.observedOddsRatios = try values("odds_ratio", terms: covariateNames, what: "odds-ratio", range: 1e-6...1e6)
        } else if let e = o["odds_ratio"] {
            throw r.error(e.value, "reanalysis.observed.odds_ratio", "needs the logistic regression, which this re-analysis switches off")
        }
        if spec.correlations {
            spec.observedCorrelations = try values("correlation", terms: spec.correlationTerms, what: "correlation", range: -1...1)
        } else if let e = o["correlation"] {
            throw r.error(e.value, "reanalysis.observed.correlation", "needs the correlations, which this re-analysis switches off")
        }
        if spec.covariateAUC {
            spec.observedAUCs = try values("auc", terms: spec.aucTerms, what: "AUC", range: 0...1)
        } else if let e = o["auc"] {
            throw r.error(e.value, "reanalysis.observed.auc", "needs the covariate AUCs, which this re-analysis switches off")
        }
        if let e = o["significant"] {
            guard spec.logistic else { throw r.error(e.value, "reanalysis.observed.significant", "needs the logistic regression, which this re-analysis switches off") }
            let items = try r.list(e.value, "reanalysis.observed.significant")
            var chosen: [ReanalysisSpec.Covariate] = []
            for (i, item) in items.enumerated() {
                let c = try covariate(item, "reanalysis.observed.significant[\(i)]", r)
                guard spec.covariates.contains(c) else { throw r.error(item, "reanalysis.observed.significant[\(i)]", "'\(c.rawValue)' is not among reanalysis.covariates") }
                if chosen.contains(c) { throw r.error(item, "reanalysis.observed.significant[\(i)]", "'\(c.rawValue)' is listed twice") }
                chosen.append(c)
            }
            spec.significant = chosen
        }
    }
}
