import Foundation
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

/// The report's section on the seed paper's own analysis repeated in every cohort (docs/model.md §9):
/// what a paper's Table 2, 4 and 5 values mean among the simulated studies, ML beside Firth,
/// and a reading in words. Every sentence is built from the summaries and says only what they hold.
enum ReanalysisReport {
    static func f(_ x: Double, _ d: Int = 2) -> String { Format.fixed(x, d) }
    static func pct(_ p: Proportion) -> String { Report.pct(p) }

    /// An odds ratio with sensible digits (0.96, 1.44, 22.9, 1,234).
    static func or(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        if x >= 100 { return Format.fixed(x, 0) }
        if x >= 10 { return Format.fixed(x, 1) }
        return Format.fixed(x, 2)
    }

    static func section(_ r: RunResult, _ d: inout MarkdownDocument) {
        guard let re = r.reanalysis else { return }
        let spec = re.spec
        d.heading(2, "The paper's own tables, re-computed in every simulated study")
        let n = r.design.reference.model.cohort.size
        var intro = ["In each cell the first \(re.cohorts) simulated cohorts of \(n) patients were analysed as the seed paper analysed its one cohort"]
        var parts: [String] = []
        if spec.covariateAUC { parts.append("the AUC of each covariate for failure with a z test of AUC = 0.5 on DeLong's SE (its Table 2)") }
        if spec.logistic {
            let methods = spec.methods.map { $0 == .ml ? "maximum likelihood with Wald CIs" : "Firth's penalised likelihood with profile CIs" }
            parts.append("a logistic regression of **\(spec.outcomeCutoff.words)** on \(spec.covariates.map(\.rawValue).joined(separator: ", ")) by \(methods.joined(separator: " and by ")) (its Table 4)")
        }
        if spec.correlations { parts.append("Pearson's r of the score with each covariate and with failure, with Fisher-z CIs (its Table 5)") }
        intro.append(": " + parts.joined(separator: "; ") + ". ")
        let patients = re.cells.first?.population.patients ?? 0
        intro.append("Each population value comes from one simulation of \(patients) patients of the cell; its numerical error (an SE) is in the tables. ")
        intro.append("Shares carry their Monte Carlo SE in brackets. Continuous covariates enter per unit (age per year, BMI per kg/m², segments per segment), binary ones as 1 = yes.")
        d.paragraph(intro)
        if let source = spec.source { d.paragraph("Values marked *paper* are from: \(Format.markdownText(source)).") }
        headline(r, re, &d)
        reading(r, re, &d)
        for c in re.cells { cellTables(r, re, c, &d) }
    }

    /// The cell whose numbers the headline quotes: the reference.
    static func referenceCell(_ r: RunResult, _ re: ReanalysisResult) -> ReanalysisCell? {
        re.cells.first { $0.cell.isReference } ?? re.cells.first
    }

    /// The report's first answer when the paper's analysis was repeated: how often studies of
    /// this size find the paper's pattern, and which of the paper's values lie outside the
    /// central 95% of what they report (by more than Monte Carlo error).
    static func answer(_ r: RunResult) -> [String] {
        guard let re = r.reanalysis, let c = referenceCell(r, re) else { return [] }
        var out: [String] = []
        let n = r.design.reference.model.cohort.size
        if let pattern = c.pattern, let wanted = re.spec.significant {
            let names = wanted.isEmpty ? "no covariate" : "only " + wanted.map(\.words).joined(separator: " and ")
            out.append("In the reference cell, a study of \(n) finds the paper's pattern (\(names) significant) in \(pct(pattern)) of simulations. ")
        }
        var outside: [String] = [], inside = 0
        func place(_ what: String, _ value: Double, _ p: Proportion) {
            if p.value + 2 * p.mcse < 0.025 || p.value - 2 * p.mcse > 0.975 {
                outside.append("\(what) (\(f(value, 3)), at the \(Format.percent(p.value)) point)")
            } else { inside += 1 }
        }
        for (name, observed) in re.spec.observedAUCs {
            guard let t = c.term(.auc, name), let below = t.atOrBelow else { continue }
            let before = outside.count
            place("the AUC of \(name == "score" ? "the VBQ score" : ReanalysisSpec.Covariate(rawValue: name)!.words)", observed.value, below)
            // An AUC below 0.5 may have been computed in the other direction: say when 1 − AUC fits.
            if outside.count > before, observed.value < 0.5, let e = t.estimate, e.q025 <= 1 - observed.value, 1 - observed.value <= e.q975 {
                outside[outside.count - 1] += ", though 1 − \(f(observed.value, 3)) = \(f(1 - observed.value, 3)) lies inside: the paper may have computed it in the other direction"
                if let or = re.spec.observedOddsRatios.first(where: { $0.0 == name })?.1, or.value < 1 {
                    outside[outside.count - 1] += ", or, as its odds ratio of \(Format.exact(or.value)) also suggests, its patients may differ from this population"
                }
            }
        }
        for (name, observed) in re.spec.observedCorrelations {
            guard let t = c.term(.correlation, name), let below = t.atOrBelow else { continue }
            place("r(score, \(name == "failure" ? "failure" : ReanalysisSpec.Covariate(rawValue: name)!.words))", observed.value, below)
        }
        if !outside.isEmpty || inside > 0 {
            out.append(outside.isEmpty
                ? "Each of the paper's \(inside) AUCs and correlations lies inside the central 95% of what such studies report. "
                : "Of the paper's \(inside + outside.count) AUCs and correlations, \(outside.count == 1 ? "one lies" : "\(outside.count) lie") outside the central 95% of what such studies report: \(outside.joined(separator: "; ")); \(inside == 1 ? "the other lies" : "the other \(inside) lie") inside. ")
        }
        // Covariates analysed with no paper value to compare (the scenario gives none).
        let unpaired = re.spec.covariates.filter { cov in
            !re.spec.observedOddsRatios.contains { $0.0 == cov.rawValue } && !re.spec.observedAUCs.contains { $0.0 == cov.rawValue }
                && !re.spec.observedCorrelations.contains { $0.0 == cov.rawValue }
        }
        if !unpaired.isEmpty, !re.spec.observedOddsRatios.isEmpty || !re.spec.observedAUCs.isEmpty || !re.spec.observedCorrelations.isEmpty {
            out.append("The scenario gives no paper value for \(unpaired.map(\.words).joined(separator: ", ")) (its observed: block says why), so \(unpaired.count == 1 ? "it is" : "they are") simulated but not compared here, whatever the paper reports for \(unpaired.count == 1 ? "it" : "them"). ")
        }
        return out
    }

    static func headline(_ r: RunResult, _ re: ReanalysisResult, _ d: inout MarkdownDocument) {
        guard let c = referenceCell(r, re) else { return }
        let heading = "What a study of \(r.design.reference.model.cohort.size) reports, in the reference cell (\(c.cell.id): \(Report.cellName(c.cell, r)))"
        var sentences: [String] = []
        for (name, observed) in re.spec.observedOddsRatios {
            guard let ml = c.term(.logisticML, name) ?? c.term(.logisticFirth, name), let beyond = ml.beyond else { continue }
            let cov = ReanalysisSpec.Covariate(rawValue: name)!
            let popOR = exp(ml.population)
            let side = observed.value >= popOR ? "at least as large as" : "as small as or smaller than"
            var s = "An odds ratio for \(cov.words) \(side) the paper's \(Format.exact(observed.value)) occurred by \(ml.analysis == .logisticML ? "ML" : "Firth") in **\(pct(beyond))** of cohorts, although the population OR is \(or(popOR))"
            let bySeparation = observed.value >= popOR ? ml.separatedUp : ml.separatedDown
            if ml.analysis == .logisticML, bySeparation > 0 {
                s += " (in \(pct(Proportion(count: bySeparation, n: ml.cohorts))) of cohorts by separation: every patient with it on one side of the cutoff, an infinite ML estimate"
                    + (beyond.n == ml.cohorts ? "; a finite OR that far out in \(pct(Proportion(count: max(0, beyond.count - bySeparation), n: beyond.n)))" : "") + ")"
            }
            if let firth = c.term(.logisticFirth, name), let fb = firth.beyond, ml.analysis == .logisticML {
                s += "; Firth's estimate reached it in \(pct(fb))"
            }
            if let wider = ml.widerCI, let lo = observed.lower, let hi = observed.upper {
                s += ". A 95% CI at least as wide as the paper's (\(Format.exact(lo))–\(Format.exact(hi)), upper/lower = \(or(hi / lo))) came out of \(pct(wider)) of ML fits"
            }
            sentences.append(s + ".")
        }
        if let pattern = c.pattern, let wanted = re.spec.significant {
            let names = wanted.isEmpty ? "no covariate" : "only " + wanted.map(\.words).joined(separator: " and ")
            // What makes the pattern rare: covariates the paper found not significant that this
            // scenario's effects make significant in most studies.
            let drivers = re.spec.covariates.filter { cov in !wanted.contains(cov) && (c.term(.logisticML, cov.rawValue)?.significant.value ?? 0) > 0.5 }
            let why = pattern.value < 0.05 && !drivers.isEmpty
                ? " It is rare chiefly because this scenario's effect\(drivers.count == 1 ? " of" : "s of") \(drivers.map(\.words).joined(separator: ", ")) \(drivers.count == 1 ? "is" : "are") significant in most simulated studies (\(drivers.map { "\($0.words) \(pct(c.term(.logisticML, $0.rawValue)!.significant))" }.joined(separator: ", ")), among fits with an estimate), where the paper found \(drivers.count == 1 ? "it" : "them") not significant: a consequence of the effects the scenario assumes, which the paper's Tables 2 and 4 do not support."
                : ""
            sentences.append("The paper's pattern — \(names) significant at p < 0.05, every other covariate not — came out of **\(pct(pattern))** of the simulated studies (ML; a coefficient that separation sends to infinity counts as not significant, as its Wald test reports it).\(why)")
        }
        for (name, observed) in re.spec.observedCorrelations {
            guard let t = c.term(.correlation, name), let below = t.atOrBelow, let est = t.estimate else { continue }
            let what = name == "failure" ? "failure" : ReanalysisSpec.Covariate(rawValue: name)!.words
            sentences.append("r(score, \(what)): the paper's \(f(observed.value, 3)) sits at the \(Format.percent(below.value)) point of the simulated r (population \(f(t.population, 3)); 95% of studies between \(f(est.q025, 3)) and \(f(est.q975, 3))).")
        }
        for (name, observed) in re.spec.observedAUCs {
            guard let t = c.term(.auc, name), let below = t.atOrBelow, let est = t.estimate else { continue }
            let what = name == "score" ? "the VBQ score" : ReanalysisSpec.Covariate(rawValue: name)!.words
            sentences.append("AUC of \(what) for failure: the paper's \(f(observed.value, 3)) sits at the \(Format.percent(below.value)) point (population \(f(t.population, 3)); 95% of studies between \(f(est.q025, 3)) and \(f(est.q975, 3))).")
        }
        guard !sentences.isEmpty else { return }
        d.heading(3, heading)
        d.list(sentences.map { .init($0) })
    }

    /// The reading in words: rare covariates, real effects called "not significant", ML against
    /// Firth, and what a regression of "score ≥ cutoff" can say about the cutoff.
    static func reading(_ r: RunResult, _ re: ReanalysisResult, _ d: inout MarkdownDocument) {
        guard let c = referenceCell(r, re) else { return }
        var lines: [String] = []
        let spec = re.spec
        for (j, cov) in spec.covariates.enumerated() where cov.isBinary {
            guard let count = c.counts[j], count.q500 < 15 else { continue }
            var s = "**A rare covariate.** A cohort holds a median of \(Format.fixed(count.q500, 0)) patients with \(cov.words) (95% of cohorts: \(Format.fixed(count.q025, 0))–\(Format.fixed(count.q975, 0)))."
            if let ml = c.term(.logisticML, cov.rawValue), let est = ml.estimate {
                s += " With so few, the finite ML odds ratios range over \(or(exp(est.q025)))–\(or(exp(est.q975))) across studies (population \(or(exp(ml.population))))"
                let missing = ml.separation + ml.notConverged + ml.singular
                if missing > 0 { s += ", and in \(pct(Proportion(count: missing, n: ml.cohorts))) of studies ML gave no finite estimate at all (separation or no users)" }
                s += "."
                if let firth = c.term(.logisticFirth, cov.rawValue), let fe = firth.estimate, let mw = ml.ciWidth, let fw = firth.ciWidth {
                    let failed = firth.separation + firth.notConverged + firth.singular
                    s += " Firth's penalised likelihood gives a finite estimate in \(failed == 0 ? "every study" : pct(Proportion(count: firth.cohorts - failed, n: firth.cohorts)) + " of studies") (95% of studies: \(or(exp(fe.q025)))–\(or(exp(fe.q975)))); its median CI spans a factor of \(or(exp(fw.q500))), ML's (over the studies where ML has a finite CI) \(or(exp(mw.q500)))."
                }
            }
            lines.append(s)
        }
        // Real effects that a study of this size usually calls "not significant".
        if let method = spec.methods.first {
            let analysis: ReanalysisTerm.Analysis = method == .ml ? .logisticML : .logisticFirth
            var missed: [String] = [], nulls: [String] = []
            for cov in spec.covariates {
                guard let t = c.term(analysis, cov.rawValue), t.population.isFinite, t.populationSE > 0 else { continue }
                let z = abs(t.population) / t.populationSE
                if z > 5 && t.significant.value < 0.8 {
                    // Over every study: one whose fit separates (no finite estimate) reports it as not significant.
                    missed.append("\(cov.words) (population OR \(or(exp(t.population))), significant in \(pct(Proportion(count: t.significant.count, n: t.cohorts))) of all \(t.cohorts) studies)")
                } else if z < 2 {
                    nulls.append("\(cov.words) (\(pct(t.significant)))")
                }
            }
            if !missed.isEmpty {
                let one = missed.count == 1
                lines.append("**\"Not significant\" is not \"no effect\".** \(one ? "This covariate does" : "These covariates do") change the chance of \(spec.outcomeCutoff.words) in this population, yet a study of \(r.design.reference.model.cohort.size) found \(one ? "it" : "them") significant (\(method == .ml ? "ML, Wald" : "Firth") p < 0.05; a fit that separates counts as not significant) only in the share of studies given: " + missed.joined(separator: "; ") + ".")
            }
            if !nulls.isEmpty {
                lines.append("Covariates without a detectable population effect (population OR within 2 numerical SEs of 1), and how often a study still found them significant (the test's nominal level is 5%): " + nulls.joined(separator: "; ") + ".")
            }
        }
        var outside: [String] = []
        for t in c.terms {
            guard let obs = t.observed, let below = t.atOrBelow, below.n >= 200, (t.analysis != .logisticFirth || !spec.methods.contains(.ml)) else { continue }
            if below.value < 0.025 || below.value > 0.975 {
                let what: String
                switch t.analysis {
                case .auc: what = "AUC of \(t.term == "score" ? "the score" : ReanalysisSpec.Covariate(rawValue: t.term)!.words) \(f(obs.value, 3))"
                case .correlation: what = "r(score, \(t.term == "failure" ? "failure" : ReanalysisSpec.Covariate(rawValue: t.term)!.words)) \(f(obs.value, 3))"
                case .logisticML, .logisticFirth: what = "OR for \(ReanalysisSpec.Covariate(rawValue: t.term)!.words) \(Format.exact(obs.value))"
                }
                let ci = obs.lower.flatMap { l in obs.upper.map { u in ", its own 95% CI \(Format.exact(l))–\(Format.exact(u))" } } ?? ""
                outside.append("\(what) (at the \(Format.percent(below.value)) point\(ci))")
            }
        }
        if !outside.isEmpty {
            lines.append("**Values outside what this population gives 95% of studies.** The paper's " + outside.joined(separator: "; ") + " lie outside the central 95% of the simulated studies of the same size, whose spread is already the sampling error of a study that size: the paper's value, not its CI, is what is compared (its CI, given beside it, describes the same error). With 1 chance in 20 per value, one of many values outside proves little; several, or one far out, do. Chance alone rarely gives such values in a population with this scenario's covariate effects: either those effects or the reported values do not fit the paper's patients.")
        }
        if spec.logistic {
            lines.append("**What the regression asks.** A regression of \(spec.outcomeCutoff.words) on covariates asks which patients score high; it does not test whether the cutoff that best separates failures moves with them. Non-significant odds ratios from one study of \(r.design.reference.model.cohort.size) are therefore no evidence that \"the cutoff is not affected by demographic variables\".")
        }
        guard !lines.isEmpty else { return }
        d.heading(3, "Reading it")
        for line in lines { d.paragraph(line) }
    }

    static func cellTables(_ r: RunResult, _ re: ReanalysisResult, _ c: ReanalysisCell, _ d: inout MarkdownDocument) {
        let spec = re.spec
        d.heading(3, "\(c.cell.id): \(c.cell.label)\(c.cell.isReference ? " (reference)" : "")")
        var estimated = ""
        if case .estimated = spec.outcomeCutoff { estimated = " (c\\* = \(f(c.population.cutoff, 3)))" }
        d.paragraph("\(c.analysed) cohorts re-analysed; in the population \(Format.percent(c.population.positiveShare)) of patients have \(spec.outcomeCutoff.words)", estimated, ".")
        if spec.logistic {
            d.paragraph("Logistic regression of \(spec.outcomeCutoff.words). OR: median over studies with its 2.5–97.5% range; CI ratio: the median of upper/lower; *p < 0.05*: the share of the studies with an estimate whose Wald test gives p < 0.05 (a share of every study is given in the text where it matters); *no estimate*: separation, no convergence or a covariate constant in the cohort (ML only); bias of the log OR against the population value (MCSE).")
            let paper = !spec.observedOddsRatios.isEmpty
            var table = MarkdownTable(["covariate", "method", "population OR (± SE of its log)", "OR: median (2.5–97.5%)", "CI ratio",
                                       "p < 0.05, among fits with an estimate", "no estimate", "bias, log OR"] + (paper ? ["paper", "paper's percentile"] : []))
            for cov in spec.covariates {
                for m in spec.methods {
                    guard let t = c.term(m == .ml ? .logisticML : .logisticFirth, cov.rawValue) else { continue }
                    let est = t.estimate
                    let range = est.map { "\(or(exp($0.q500))) (\(or(exp($0.q025)))–\(or(exp($0.q975))))" } ?? "–"
                    let missing = t.separation + t.notConverged + t.singular
                    var cells = [cov.words, m == .ml ? "ML" : "Firth", "\(or(exp(t.population))) ± \(f(t.populationSE, 3))", range,
                                 t.ciWidth.map { or(exp($0.q500)) } ?? "–", pct(t.significant), pct(Proportion(count: missing, n: t.cohorts)),
                                 est.map { Report.mc($0.bias, $0.mcseBias) } ?? "–"]
                    if paper {
                        if let obs = t.observed, let below = t.atOrBelow {
                            cells += ["\(Format.exact(obs.value))\(obs.lower.map { " (\(Format.exact($0))–\(Format.exact(obs.upper ?? .nan)))" } ?? "")",
                                      Format.percent(below.value)]
                        } else { cells += ["", ""] }
                    }
                    table.add(cells)
                }
            }
            d.table(table)
            if let pattern = c.pattern, let wanted = spec.significant {
                d.paragraph("Studies whose ML regression finds exactly \(wanted.isEmpty ? "no covariate" : wanted.map(\.rawValue).joined(separator: ", ")) significant: \(pct(pattern)).")
            }
        }
        if spec.correlations {
            let paper = !spec.observedCorrelations.isEmpty
            d.paragraph("Pearson's r of the score with each covariate and with failure (bias with its MCSE):")
            var table = MarkdownTable(["with", "population r (± SE)", "r: median (2.5–97.5%)", "median CI width", "p < 0.05", "bias"]
                                      + (paper ? ["paper", "paper's percentile"] : []))
            for name in spec.correlationTerms {
                guard let t = c.term(.correlation, name) else { continue }
                let est = t.estimate
                var cells = [name == "failure" ? "failure" : ReanalysisSpec.Covariate(rawValue: name)!.words,
                             "\(f(t.population, 3)) ± \(f(t.populationSE, 3))",
                             est.map { "\(f($0.q500, 3)) (\(f($0.q025, 3))–\(f($0.q975, 3)))" } ?? "–", t.ciWidth.map { f($0.q500, 3) } ?? "–",
                             pct(t.significant), est.map { Report.mc($0.bias, $0.mcseBias) } ?? "–"]
                if paper { cells += t.observed.map { [f($0.value, 3), Format.percent(t.atOrBelow!.value)] } ?? ["", ""] }
                table.add(cells)
            }
            d.table(table)
        }
        if spec.covariateAUC {
            let paper = !spec.observedAUCs.isEmpty
            d.paragraph("AUC of each variable for failure (higher value = failure; z test of AUC = 0.5 on DeLong's SE):")
            var table = MarkdownTable(["variable", "population AUC (± SE)", "AUC: median (2.5–97.5%)", "p < 0.05"]
                                      + (paper ? ["paper", "paper's percentile"] : []))
            for name in spec.aucTerms {
                guard let t = c.term(.auc, name) else { continue }
                let est = t.estimate
                var cells = [name == "score" ? "VBQ score" : ReanalysisSpec.Covariate(rawValue: name)!.words,
                             "\(f(t.population, 3)) ± \(f(t.populationSE, 3))",
                             est.map { "\(f($0.q500, 3)) (\(f($0.q025, 3))–\(f($0.q975, 3)))" } ?? "–", pct(t.significant)]
                if paper { cells += t.observed.map { [f($0.value, 3), Format.percent(t.atOrBelow!.value)] } ?? ["", ""] }
                table.add(cells)
            }
            d.table(table)
        }
    }
}
