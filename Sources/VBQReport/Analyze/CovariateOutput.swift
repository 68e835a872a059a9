import Foundation
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

/// What `analyze --covariates` prints: the seed paper's three tables of a dataset, as text,
/// markdown (the HTML report) and JSON.
public enum CovariateOutput {
    /// A p-value with two significant digits, computed in the upper tail ("3.1e-12"); "< 1e-300"
    /// where even that underflows.
    public static func p(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        return x == 0 ? "< 1e-300" : Format.number(x, digits: 2)
    }

    static func f(_ x: Double, _ d: Int = 3) -> String { Format.fixed(x, d) }

    /// An odds ratio: 3 decimals, or 3 significant digits when large ("22.9", "1.2e+03").
    static func or(_ logOR: Double) -> String {
        guard !logOR.isNaN else { return "–" }
        if logOR == .infinity { return "∞" }
        if logOR == -.infinity { return "0" }
        let x = exp(logOR)
        return x >= 100 ? Format.number(x, digits: 3) : f(x)
    }

    /// "a–b", or one dash when either end is missing.
    static func range(_ a: String, _ b: String) -> String { a == "–" || b == "–" ? "–" : "\(a)–\(b)" }

    static func cutoffWords(_ r: CovariateReport) -> String {
        switch r.rule {
        case let .fixed(x): return "score ≥ \(Format.exact(x))"
        case .estimated: return "score ≥ \(Format.number(r.analysis.cutoff, digits: 6)), the analysed rows' empirical Youden cutoff"
        }
    }

    /// The three tables as rows of cells (header first), shared by the text and markdown forms.
    static func tables(_ r: CovariateReport) -> (auc: [[String]], logistic: [[String]], correlation: [[String]]) {
        let a = r.analysis
        var auc = [["term", "AUC", "95% CI (DeLong)", "p (AUC = 0.5, Wald)"]]
        for (name, t) in zip(r.aucTerms, a.aucs) {
            auc.append([name, f(t.estimate.auc), range(f(t.estimate.ci.lower), f(t.estimate.ci.upper)), p(t.p)])
        }
        var logistic = [["covariate"] + a.fits.flatMap { fit -> [String] in
            let m = fit.method == .ml ? "ML" : "Firth"
            return ["\(m) OR", fit.method == .ml ? "95% CI (Wald)" : "95% CI (profile)", "p"]
        }]
        for (j, c) in r.data.covariates.enumerated() {
            var row = [c.name]
            for fit in a.fits {
                let off = fit.diverging.isEmpty ? 0 : fit.diverging[j + 1]
                if off != 0 {
                    row += [off > 0 ? "∞ (separation)" : "0 (separation)", "–", "–"]
                } else {
                    row += [or(fit.coefficients[j + 1]), range(or(fit.lower[j + 1]), or(fit.upper[j + 1])), p(fit.pValues[j + 1])]
                }
            }
            logistic.append(row)
        }
        var correlation = [["score with", "r", "95% CI (Fisher z)", "p"]]
        for (name, c) in zip(r.correlationTerms, a.correlations) {
            correlation.append(c.map { [name, f($0.r), range(f($0.lower), f($0.upper)), p($0.pValue)] } ?? [name, "–", "(constant)", "–"])
        }
        return (auc, logistic, correlation)
    }

    static func header(_ r: CovariateReport) -> String {
        let d = r.data, a = r.analysis
        var o = "The seed paper's analysis applied to this dataset: \(a.n) rows (\(a.events) events)"
        if !d.incompleteLines.isEmpty {
            let l = d.incompleteLines
            o += "; \(l.count) row\(l.count == 1 ? "" : "s") with a missing covariate left out of it (line\(l.count == 1 ? "" : "s") \(l.prefix(10).map(String.init).joined(separator: ", "))\(l.count > 10 ? ", ..." : ""))"
        }
        return o
    }

    public static func text(_ r: CovariateReport) -> String { printout(r).text }

    static func table(_ rows: [[String]], rightFrom: Int = 1) -> TextTable {
        var t = TextTable(rows[0], rightAligned: Set(rightFrom..<rows[0].count))
        for row in rows.dropFirst() { t.add(row) }
        return t
    }

    public static func printout(_ r: CovariateReport) -> Printout {
        let t = tables(r), a = r.analysis
        var o = Printout()
        o += "\n" + header(r) + ":\n\nAUC of each for the outcome (higher values count towards an event; DeLong's SE, and its z test of AUC = 0.5):\n"
        o += table(t.auc)
        o += "\nlogistic regression of \(cutoffWords(r)) on the covariates (\(a.positives) of \(a.n) rows at or above it): who scores high, not who fails. Odds ratios per unit of each covariate as coded in the file (1 vs 0 for a binary one); ML with Wald CIs and p, Firth's penalised likelihood with profile CIs and likelihood-ratio p:\n"
        o += table(t.logistic)
        for n in r.notes { o += "note: \(n)\n" }
        o += "\nPearson correlation of the score (Fisher-z CIs):\n"
        o += table(t.correlation)
        return o
    }

    public static func json(_ r: CovariateReport) -> JSON {
        let a = r.analysis
        let rule: JSON
        switch r.rule {
        case .fixed: rule = .string("fixed")
        case .estimated: rule = .string("estimated: the analysed rows' empirical Youden cutoff")
        }
        return .object([
            ("n", .int(a.n)), ("events", .int(a.events)),
            ("incomplete_rows", .int(r.data.incompleteLines.count)),
            ("covariates", .array(r.data.covariates.enumerated().map { j, c in
                .object([("name", .string(c.name)), ("column", .string(c.column)), ("level", c.level.map(JSON.string) ?? .null),
                         ("binary", .bool(r.data.isBinary(j)))])
            })),
            ("auc", .array(zip(r.aucTerms, a.aucs).map { name, t in
                .object([("term", .string(name)), ("auc", .num(t.estimate.auc)), ("se", .num(t.estimate.standardError)),
                         ("ci", .array([.num(t.estimate.ci.lower), .num(t.estimate.ci.upper)])), ("p", .num(t.p))])
            })),
            ("logistic", .object([
                ("outcome", .string(cutoffWords(r))), ("cutoff", .num(a.cutoff)), ("cutoff_rule", rule),
                ("at_or_above", .int(a.positives)),
                ("covariates_centred", .bool(true)),
                ("fits", .array(a.fits.map { fit in
                    .object([("method", .string(fit.method.rawValue)), ("status", .string(fit.status.rawValue)),
                             ("iterations", .int(fit.iterations)),
                             ("largest_modified_score", fit.method == .firth ? .num(fit.finalScore) : .null),
                             ("ci", .string(fit.method == .ml ? "Wald" : "profile penalised likelihood")),
                             ("p", .string(fit.method == .ml ? "Wald" : "penalised likelihood ratio")),
                             ("terms", .array(r.data.covariates.enumerated().map { j, c in
                                 let off = fit.diverging.isEmpty ? 0 : fit.diverging[j + 1]
                                 return .object([("covariate", .string(c.name)),
                                                 ("log_or", off == 0 ? .num(fit.coefficients[j + 1]) : .string(off > 0 ? "Inf" : "-Inf")),
                                                 ("se", .num(fit.standardErrors[j + 1])),
                                                 ("or", off == 0 ? .num(exp(fit.coefficients[j + 1])) : .string(off > 0 ? "Inf" : "0")),
                                                 ("or_ci", .array([.num(exp(fit.lower[j + 1])), .num(exp(fit.upper[j + 1]))])),
                                                 ("p", .num(fit.pValues[j + 1]))])
                             }))])
                })),
                ("notes", .array(r.notes.map(JSON.string))),
            ])),
            ("correlations", .array(zip(r.correlationTerms, a.correlations).map { name, c in
                .object([("term", .string(name)), ("r", .num(c?.r ?? .nan)), ("ci", .array([.num(c?.lower ?? .nan), .num(c?.upper ?? .nan)])),
                         ("p", .num(c?.pValue ?? .nan))])
            })),
        ])
    }
}

extension CovariateOutput {
    /// A placed value as the tables show it: an odds ratio from its log, else 3 decimals.
    static func shown(_ x: Double, _ analysis: CovariateAgainst.Analysis) -> String { analysis.isOddsRatio ? or(x) : f(x) }

    static func againstRows(_ a: CovariateAgainst) -> [[String]] {
        var rows = [["statistic", "term", "observed"] + a.cells.flatMap { ["\($0.cell.id) 95% range", "percentile"] }]
        for t in a.terms {
            var row = [t.analysis.words, t.term, shown(t.placements.first?.observed ?? .nan, t.analysis)]
            for p in t.placements {
                row += [range(shown(p.q025, t.analysis), shown(p.q975, t.analysis)), "\(Format.fixed(p.percentile, 1))%" + (p.inside ? "" : " *")]
            }
            rows.append(row)
        }
        return rows
    }

    static func againstIntro(_ a: CovariateAgainst) -> String {
        let rule: String
        switch a.cutoffRule {
        case let .fixed(x): rule = "score ≥ \(Format.exact(x))"
        case .estimated: rule = "score ≥ each cohort's own empirical Youden cutoff"
        }
        return "against \(a.scenario.name), the same analysis on simulated cohorts of \(a.events) events and \(a.nonEvents) non-events, \(a.replicates) per cell (seed \(a.seed); regression outcome \(rule))"
    }

    static func againstNotes(_ a: CovariateAgainst) -> [String] {
        var notes: [String] = []
        if let share = a.terms.first(where: { $0.analysis == .share }) {
            let apart = zip(a.cells, share.placements).filter { !$0.1.inside }.map(\.0.cell.id)
            if !apart.isEmpty {
                let p = share.placements[0]
                notes.append("the regression's outcome takes in \(Format.percent(p.observed)) of this dataset's rows but a share outside that in the simulated cohorts of \(apart.joined(separator: ", ")): there its odds ratios split the patients elsewhere, and their placement says little about the covariates\(a.cutoffRule == .estimated ? "" : " (--logistic-cutoff estimated compares each at its own cutoff)")")
            }
        }
        let r = Double(a.replicates)
        let near = 100 * (0.025 * 0.975 / r).squareRoot(), middle = 100 * (0.25 / r).squareRoot()
        notes.append("each percentile carries Monte Carlo error: with \(a.replicates) cohorts about ±\(Format.fixed(near, 1)) points near 2.5% or 97.5% and ±\(Format.fixed(middle, 1)) near 50%; 0.0% or 100.0% means beyond every simulated cohort. A percentile is a flag to look at, not a test: of \(a.terms.count) values placed, some fall outside their 95% ranges by chance alone")
        for c in a.cells {
            if c.separated > 0 { notes.append("\(c.cell.id): \(c.separated) of \(a.replicates) simulated ML fits separated; the coefficient that ran off counts at ±∞, the others as fitted") }
            if c.unfilled > 0 { notes.append("\(c.cell.id): \(c.unfilled) simulated cohorts could not be filled to these class counts and are left out") }
        }
        return notes
    }

    public static func text(_ a: CovariateAgainst) -> String { printout(a).text }

    public static func printout(_ a: CovariateAgainst) -> Printout {
        var o = Printout()
        o += "\n\(againstIntro(a));\nthe 95% range of each value in the simulated cohorts and the percentile of this dataset's (* outside the range); odds ratios placed on the log scale:\n"
        o += table(againstRows(a), rightFrom: 2)
        o += a.cells.map { "\($0.cell.id): \($0.contrast)\n" }.joined()
        for n in againstNotes(a) { o += "note: \(n)\n" }
        return o
    }

    public static func json(_ a: CovariateAgainst) -> JSON {
        .object([("scenario", .string(a.scenario.name)), ("events", .int(a.events)), ("non_events", .int(a.nonEvents)),
                 ("replicates", .int(a.replicates)), ("seed", .uint(a.seed)),
                 ("cells", .array(a.cells.map { c in
                     .object([("id", .string(c.cell.id)), ("label", .string(c.cell.label)), ("contrast", .string(c.contrast)),
                              ("unfilled_cohorts", .int(c.unfilled)), ("ml_separated", .int(c.separated))])
                 })),
                 ("terms", .array(a.terms.map { t in
                     .object([("analysis", .string(t.analysis.rawValue)), ("term", .string(t.term)),
                              ("scale", .string(t.analysis.isOddsRatio ? "log odds ratio" : "value")),
                              ("cells", .array(t.placements.map(AnalyzeOutput.placement)))])
                 }))])
    }
}
