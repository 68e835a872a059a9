import Foundation
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

/// The re-analysis's files: `reanalysis.csv` (per cell and term, long), `reanalysis-replicates.csv`
/// (per cohort and term, long) and the `reanalysis` object of summary.json.
extension Columns {
    public static let reanalysis: [Column] = [
        c("scenario", "string", "scenario name"),
        c("cell", "string", "cell id; factor levels in cells.csv"),
        c("analysis", "string", "auc (a variable's AUC for failure), logistic_ml, logistic_firth (regression of score >= cutoff on the covariates), correlation (Pearson's r with the score), cohort (the studies' make-up)"),
        c("term", "string", "the covariate (age, female, bmi, chronic_disease, steroids, segments), score (auc), failure (correlation); for cohort rows outcome_share, count_<covariate>, paper_pattern"),
        c("statistic", "string", "population, n, mean, sd, q025, q250, q500, q750, q975, bias, ci_width_q500, p_below_05, no_estimate, separation, separation_up, separation_down, observed, observed_lower, observed_upper, observed_percentile, beyond_observed, wider_ci_than_observed; logistic rows are on the log odds-ratio scale"),
        c("value", "number", "the statistic's value"),
        c("mcse", "number", "its Monte Carlo standard error (for population: the population simulation's numerical SE); NA where none applies"),
    ]

    public static let reanalysisReplicates: [Column] = [
        c("scenario", "string", "scenario name"),
        c("cell", "string", "cell id"),
        c("replicate", "integer", "the simulated cohort (the same as in replicates.csv)"),
        c("analysis", "string", "auc, logistic_ml, logistic_firth, correlation, or cohort"),
        c("term", "string", "the covariate, score or failure; for cohort rows outcome_cutoff, outcome_share, failures, count_<covariate>"),
        c("estimate", "number", "AUC, log odds ratio, r, or the cohort quantity; NA where there is none (status says why)"),
        c("lower", "number", "lower end of the 95% CI (DeLong; Wald for ML; profile penalised likelihood for Firth; Fisher z for r)"),
        c("upper", "number", "upper end of the 95% CI"),
        c("p_value", "number", "two-sided p: DeLong z test of AUC = 0.5, Wald (ML), penalised likelihood ratio (Firth), t test (r)"),
        c("status", "string", "regressions: converged, separation (the fit separated on another term), infinite_positive or infinite_negative (this term's ML estimate runs off to +/- infinity), not_converged, singular (a covariate constant in the cohort); NA otherwise"),
    ]
}

public enum ReanalysisCSV {
    static func statuses(_ code: Double) -> String {
        code.isNaN ? "not_converged" : ReanalysisLayout.status(code).rawValue
    }

    /// `reanalysis.csv`.
    public static func summary(_ r: RunResult) -> String {
        guard let re = r.reanalysis else { return "" }
        var out = Columns.header(Columns.reanalysis)
        for c in re.cells {
            let head = CSVText.field(r.scenario.name) + "," + c.cell.id + ","
            func row(_ analysis: String, _ term: String, _ statistic: String, _ value: Double, _ mcse: Double = .nan) {
                out += head + analysis + "," + term + "," + statistic + "," + Format.exact(value) + "," + Format.exact(mcse) + "\n"
            }
            func proportion(_ analysis: String, _ term: String, _ statistic: String, _ p: Proportion?) {
                if let p { row(analysis, term, statistic, p.value, p.mcse) }
            }
            row("cohort", "outcome_share", "population", c.population.positiveShare)
            for (j, cov) in re.spec.covariates.enumerated() {
                if let s = c.counts[j] {
                    row("cohort", "count_\(cov.rawValue)", "mean", s.mean, s.mcseMean)
                    row("cohort", "count_\(cov.rawValue)", "q025", s.q025, s.mcseQ025)
                    row("cohort", "count_\(cov.rawValue)", "q500", s.q500, s.mcseQ500)
                    row("cohort", "count_\(cov.rawValue)", "q975", s.q975, s.mcseQ975)
                }
            }
            proportion("cohort", "paper_pattern", "proportion", c.pattern)
            for t in c.terms {
                let a = t.analysis.rawValue, name = t.term
                row(a, name, "population", t.population, t.populationSE)
                if let s = t.estimate {
                    row(a, name, "n", Double(s.n))
                    row(a, name, "mean", s.mean, s.mcseMean)
                    row(a, name, "sd", s.sd, s.mcseSD)
                    row(a, name, "q025", s.q025, s.mcseQ025)
                    row(a, name, "q250", s.q250, s.mcseQ250)
                    row(a, name, "q500", s.q500, s.mcseQ500)
                    row(a, name, "q750", s.q750, s.mcseQ750)
                    row(a, name, "q975", s.q975, s.mcseQ975)
                    row(a, name, "bias", s.bias, s.mcseBias)
                }
                if let w = t.ciWidth { row(a, name, "ci_width_q500", w.q500, w.mcseQ500) }
                proportion(a, name, "p_below_05", t.significant)
                if t.isOddsRatio {
                    proportion(a, name, "no_estimate", Proportion(count: t.separation + t.notConverged + t.singular, n: t.cohorts))
                    proportion(a, name, "separation", Proportion(count: t.separation, n: t.cohorts))
                    proportion(a, name, "separation_up", Proportion(count: t.separatedUp, n: t.cohorts))
                    proportion(a, name, "separation_down", Proportion(count: t.separatedDown, n: t.cohorts))
                }
                if let o = t.observed {
                    let scale: (Double) -> Double = t.isOddsRatio ? log : { $0 }
                    row(a, name, "observed", scale(o.value))
                    if let lo = o.lower { row(a, name, "observed_lower", scale(lo)) }
                    if let hi = o.upper { row(a, name, "observed_upper", scale(hi)) }
                    proportion(a, name, "observed_percentile", t.atOrBelow)
                    proportion(a, name, "beyond_observed", t.beyond)
                    proportion(a, name, "wider_ci_than_observed", t.widerCI)
                }
            }
        }
        return out
    }

    /// `reanalysis-replicates.csv`, one cell at a time.
    public static func replicates(_ r: RunResult, _ emit: (String) throws -> Void) rethrows {
        guard let re = r.reanalysis else { return }
        try emit(Columns.header(Columns.reanalysisReplicates))
        let layout = re.layout, spec = re.spec, w = layout.width, k = layout.k
        for c in re.cells {
            var out = ""
            let head = CSVText.field(r.scenario.name) + "," + c.cell.id + ","
            for (i, rep) in c.replicates.enumerated() {
                let v = Array(c.rows[(i * w)..<((i + 1) * w)])
                let start = head + String(rep + 1) + ","
                func line(_ analysis: String, _ term: String, _ values: [Double], _ status: String = "NA") {
                    out += start + analysis + "," + term + "," + values.map(Format.exact).joined(separator: ",") + "," + status + "\n"
                }
                line("cohort", "outcome_cutoff", [v[ReanalysisLayout.cutoff], .nan, .nan, .nan])
                line("cohort", "outcome_share", [v[ReanalysisLayout.positiveShare], .nan, .nan, .nan])
                line("cohort", "failures", [v[ReanalysisLayout.events], .nan, .nan, .nan])
                for (j, cov) in spec.covariates.enumerated() where cov.isBinary {
                    line("cohort", "count_\(cov.rawValue)", [v[layout.counts + j], .nan, .nan, .nan])
                }
                if let base = layout.auc {
                    for (t, term) in spec.aucTerms.enumerated() {
                        let a = v[base + 3 * t], se = v[base + 3 * t + 1]
                        let ci = se.isFinite ? AUCEstimate.ci(auc: a, standardError: se) : (lower: Double.nan, upper: Double.nan)
                        line("auc", term, [a, ci.lower, ci.upper, v[base + 3 * t + 2]])
                    }
                }
                for m in spec.methods {
                    guard let base = layout.logistic[m] else { continue }
                    let fitStatus = statuses(v[base])
                    for j in 0..<k {
                        let e = v[base + 1 + 4 * j]
                        let status = e == .infinity ? "infinite_positive" : e == -.infinity ? "infinite_negative" : fitStatus
                        line(m == .ml ? "logistic_ml" : "logistic_firth", spec.covariates[j].rawValue,
                             [e.isFinite ? e : .nan, v[base + 2 + 4 * j], v[base + 3 + 4 * j], v[base + 4 + 4 * j]], status)
                    }
                }
                if let base = layout.correlation {
                    for (t, term) in spec.correlationTerms.enumerated() {
                        line("correlation", term, [v[base + 4 * t], v[base + 4 * t + 1], v[base + 4 * t + 2], v[base + 4 * t + 3]])
                    }
                }
            }
            try emit(out)
        }
    }

    /// The `reanalysis` object of summary.json: per cell, per analysis, per term.
    static func json(_ r: RunResult) -> JSON? {
        guard let re = r.reanalysis else { return nil }
        let spec = re.spec
        let cutoff: JSON
        switch spec.outcomeCutoff { case let .fixed(x): cutoff = .num(x); case .estimated: cutoff = .string("estimated") }
        /// Odds ratios: quantiles and the geometric mean on the OR scale, SD and bias of the log OR.
        func stat(_ s: Stat?, odds: Bool) -> JSON {
            guard let s else { return .null }
            let t: (Double) -> Double = odds ? exp : { $0 }
            return .object([("n", .int(s.n)), (odds ? "geometric_mean" : "mean", .num(t(s.mean))), (odds ? "sd_log" : "sd", .num(s.sd)),
                            ("q025", .num(t(s.q025))), ("q250", .num(t(s.q250))), ("q500", .num(t(s.q500))), ("q750", .num(t(s.q750))),
                            ("q975", .num(t(s.q975))), (odds ? "bias_log" : "bias", .num(s.bias)), (odds ? "mcse_bias_log" : "mcse_bias", .num(s.mcseBias))])
        }
        func prop(_ p: Proportion?) -> JSON { p.map { .object([("value", .num($0.value)), ("mcse", .num($0.mcse))]) } ?? .null }
        return .object([
            ("cohorts_per_cell", .int(re.cohorts)),
            ("outcome_cutoff", cutoff),
            ("covariates", .array(spec.covariates.map { .string($0.rawValue) })),
            ("methods", .array(spec.methods.map { .string($0.rawValue) })),
            ("source", spec.source.map(JSON.string) ?? .null),
            ("cells", .array(re.cells.map { c in
                var analyses: [(String, JSON)] = []
                for a in ReanalysisTerm.Analysis.allCases {
                    let terms = c.terms.filter { $0.analysis == a }
                    guard !terms.isEmpty else { continue }
                    analyses.append((a.rawValue, .object(terms.map { t in
                        let scale: (Double) -> Double = t.isOddsRatio ? exp : { $0 }
                        var pairs: [(String, JSON)] = [
                            ("population", .num(scale(t.population))), (t.isOddsRatio ? "population_se_log" : "population_se", .num(t.populationSE)),
                            ("estimate", stat(t.estimate, odds: t.isOddsRatio)),
                            // Regressions: the median CI ratio upper/lower; otherwise the median width.
                            (t.isOddsRatio ? "ci_ratio_q500" : "ci_width_q500", .num(t.ciWidth.map { scale($0.q500) } ?? .nan)),
                            ("p_below_05", prop(t.significant)),
                        ]
                        if t.isOddsRatio {
                            pairs += [("no_estimate", prop(Proportion(count: t.separation + t.notConverged + t.singular, n: t.cohorts))),
                                      ("separation", prop(Proportion(count: t.separation, n: t.cohorts)))]
                        }
                        if let o = t.observed {
                            pairs += [("observed", .num(o.value)), ("observed_percentile", prop(t.atOrBelow)),
                                      ("beyond_observed", prop(t.beyond)), ("wider_ci_than_observed", prop(t.widerCI))]
                        }
                        return (t.term, .object(pairs))
                    })))
                }
                return .object([
                    ("id", .string(c.cell.id)),
                    ("cohorts", .int(c.analysed)),
                    ("population_patients", .int(c.population.patients)),
                    ("outcome_share", .num(c.population.positiveShare)),
                    ("paper_pattern", prop(c.pattern)),
                ] + analyses)
            })),
        ])
    }
}
