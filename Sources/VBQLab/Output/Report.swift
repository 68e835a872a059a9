import Foundation

/// `report.md`: what was simulated, the truth, the distribution of estimated cutoffs per cell,
/// drift against the reference, and where each fixed external cutoff falls. It only formats
/// numbers the summaries hold.
public enum Report {
    public static func make(_ r: RunResult) -> String {
        let s = r.scenario
        var o = "# \(s.name): cutoff sensitivity report\n\n"
        if let d = s.description { o += "> \(d.replacingOccurrences(of: "\n", with: " "))\n\n" }
        o += whatWasSimulated(r)
        o += headline(r)
        o += factorRanking(r)
        o += truthTable(r)
        o += estimateTables(r)
        if s.factors.count > 0 { o += driftTable(r) }
        o += fixedCutoffTables(r)
        o += aucTable(r)
        o += degenerateSection(r)
        o += readingGuide(r)
        return o
    }

    static func f(_ x: Double, _ d: Int = 3) -> String { Format.fixed(x, d) }
    static func pm(_ x: Double, _ e: Double, _ d: Int = 3) -> String {
        e.isFinite ? "\(f(x, d)) ± \(f(e, d))" : f(x, d)
    }

    static func whatWasSimulated(_ r: RunResult) -> String {
        let s = r.scenario, m = s.model
        var o = "## What was simulated\n\n"
        switch m.generator {
        case let .classConditional(e, n):
            o += "- Family: **class-conditional** — each patient's measured score is drawn from the distribution of their outcome class.\n"
            o += "  - events (failure): \(e.summary)\n  - non-events: \(n.summary)\n"
        case let .mechanistic(mm):
            o += "- Family: **mechanistic** — each patient passes through population, true bone quality, selection, failure modes and measurement; the recorded score is what two readers (and, when they disagree, a third) measure.\n"
            o += "  - base cell: \(mm.summary)\n"
        }
        let c = m.cohort
        if case .mechanistic = m.generator {
            o += "- Cohort (base): \(c.size) operated patients; the number of failures follows from the outcome model.\n"
        } else {
        switch c.sampling {
        case .fixed:
            o += "- Cohort (base): \(c.size) patients, \(c.fixedEvents) events and \(c.size - c.fixedEvents) non-events in every cohort (prevalence \(Format.number(c.prevalence, digits: 4))).\n"
        case .binomial:
            o += "- Cohort (base): \(c.size) patients; the number of events is Binomial(\(c.size), \(Format.number(c.prevalence, digits: 4))).\n"
        }
        }
        o += "- \(r.replicates) simulated cohorts per cell, seed \(r.seed), random streams \(s.streams.rawValue) across cells.\n"
        o += "- Cutoff methods: \(m.methods.map(\.rawValue).joined(separator: ", ")); a score at or above a cutoff is test-positive.\n"
        o += "- Precision δ = \(Format.exact(m.precision)) for P(|ĉ − c*| > δ).\n"
        if !s.factors.isEmpty {
            o += "- Factors varied (reference level in bold):\n"
            for (i, factor) in s.factors.enumerated() {
                let levels = factor.labels.enumerated().map { $0.offset == s.referenceLevels[i] ? "**\($0.element)**" : $0.element }
                o += "  - `\(factor.path)`: \(levels.joined(separator: ", "))\n"
            }
            o += "- \(r.design.cells.count) cells; the reference cell is \(r.design.reference.id) (\(r.design.reference.label)).\n"
        }
        return o + "\n"
    }

    static func headline(_ r: RunResult) -> String {
        guard let ref = r.summaries.first(where: { $0.cell.isReference }) else { return "" }
        let t = ref.truth
        var o = "## In one paragraph\n\n"
        let n = ref.cell.model.cohort
        o += "In the reference cell (\(ref.cell.label); \(n.size) patients), the population-optimal cutoff is "
        o += "**c\\* = \(f(t.cutoff, 4))** (J\\* = \(f(t.youdenJ, 4)), AUC\\* = \(f(t.auc, 4))). "
        if let m = ref.methods.first, let c = m.cutoff {
            o += "Across \(c.n) simulated cohorts the \(m.method.rawValue) Youden cutoff had mean \(f(c.mean)) and SD \(f(c.sd)); "
            o += "**95% of the estimates fell between \(f(c.q025)) and \(f(c.q975))**"
            o += ", and \(Format.percent(m.beyondPrecision.value)) missed c\\* by more than \(Format.exact(m.precision)). "
            for rank in m.fixedCutoffRanks {
                o += "The published cutoff \(Format.exact(rank.cutoff)) sits at the \(Format.percent(rank.below.value)) point of that distribution"
                o += " (\(Format.percent(rank.below.value)) of cohorts estimated a cutoff at or below it), "
                o += rank.below.value > 0.025 && rank.below.value < 0.975
                    ? "well inside the range one cohort of this size produces by chance alone. "
                    : "outside the central 95% of what one cohort of this size produces. "
            }
            if let opt = ref.methods.first?.optimism {
                o += "Choosing the cutoff on the same cohort makes it look better than it is: apparent J exceeds the cutoff's true J by \(f(opt.mean)) on average."
            }
        }
        return o + "\n\n"
    }

    /// The method whose drift the ranking and drift plots show: empirical when run, else the first.
    static func primaryMethod(_ r: RunResult) -> EstimationMethod {
        let ms = r.design.reference.model.methods
        return ms.contains(.empirical) ? .empirical : ms[0]
    }

    static func factorRanking(_ r: RunResult) -> String {
        guard !r.factorDrift.isEmpty, let ref = r.summaries.first(where: { $0.cell.isReference }) else { return "" }
        let m = primaryMethod(r)
        var o = "## Which factor moves the cutoff most\n\n"
        o += "Each factor is changed alone, all others at their reference level; **Δc\\*** is the systematic drift of the population-optimal cutoff it causes. "
        if let c = ref.method(m)?.cutoff {
            o += "For scale, plain sampling noise at the reference (\(ref.cell.model.cohort.size) patients, \(m.rawValue) method) moves a single study's cutoff with SD \(f(c.sd)) (95% of studies within \(f(c.q025))–\(f(c.q975))).\n\n"
            o += "| rank | factor | levels (reference in bold) | largest Δc\\* | at level | Δc\\* / sampling SD | Δ mean ĉ at that level | largest \\|Δc\\*\\| with other factors moved too |\n|---|---|---|---|---|---|---|---|\n"
            for (i, d) in r.factorDrift.enumerated() {
                let levels = d.levels.map { $0.isReference ? "**\($0.level)**" : $0.level }.joined(separator: ", ")
                let cell = d.levels.first { $0.level == d.largestLevel }!.cell
                let drift = r.summaries[cell].method(m)?.drift
                o += "| \(i + 1) | `\(d.factor)` | \(levels) | \(pm(d.largestDrift, d.largestDriftError)) | \(d.largestLevel) | \(f(abs(d.largestDrift) / c.sd, 2)) | \(pm(drift?.meanCutoff ?? .nan, drift?.mcse ?? .nan)) | \(f(d.largestAnywhere)) |\n"
            }
            o += "\nThe last column takes every cell where the factor is off its reference level: a factor that matters only together with another (the 1.5 T factor when no scan is at 1.5 T) ranks low on its own but shows there.\n\n"
            if let top = r.factorDrift.first {
                let ratio = abs(top.largestDrift) / c.sd
                o += "**`\(top.factor)`** moves the cutoff most: by \(f(top.largestDrift)) at \(top.largestLevel), "
                o += ratio >= 1 ? "more than one study's sampling SD — a real, systematic shift.\n\n" : "less than one study's sampling SD — easily hidden by sampling noise.\n\n"
            }
        }
        o += "Level by level (\(m.rawValue) method; prevalence and AUC\\* of the population at each level):\n\n"
        for d in r.factorDrift {
            o += "**`\(d.factor)`**\n\n| level | c\\* | Δc\\* | mean ĉ | SD of ĉ | 95% range of ĉ | prevalence | AUC\\* |\n|---|---|---|---|---|---|---|---|\n"
            for lv in d.levels {
                let s = r.summaries[lv.cell]
                let ms = s.method(m)
                o += "| \(lv.isReference ? "**\(lv.level)**" : lv.level) | \(f(s.truth.cutoff, 4)) | \(pm(ms?.drift?.truth ?? .nan, ms?.drift?.truthError ?? .nan, 4)) | \(f(ms?.cutoff?.mean ?? .nan)) | \(f(ms?.cutoff?.sd ?? .nan)) | \(f(ms?.cutoff?.q025 ?? .nan))–\(f(ms?.cutoff?.q975 ?? .nan)) | \(f(s.truth.prevalence)) | \(f(s.truth.auc)) |\n"
            }
            o += "\n"
        }
        o += "Plots: `plots/drift-*.svg` (c\\*, mean ĉ and the 95% range of ĉ per level), `plots/cutoffs-*.svg` (the distribution of ĉ per cell), `plots/roc-reference.svg` (the reference cell's ROC with a pointwise 95% band).\n\n"
        return o
    }

    static func factorCells(_ c: Cell) -> String {
        c.factors.isEmpty ? "–" : c.factors.map { "\($0.level)" }.joined(separator: ", ")
    }

    static func truthTable(_ r: RunResult) -> String {
        var o = "## Truth per cell\n\nThe population values of the measured score in each cell, computed without sampling noise.\n\n"
        o += "| cell | \(r.scenario.factors.isEmpty ? "" : r.scenario.factors.map { "`\($0.path)`" }.joined(separator: " | ") + " | ")c\\* | J\\* | AUC\\* | sensitivity at c\\* | specificity at c\\* | prevalence | score with event | score without | selection acceptance | computed |\n"
        o += "|---|" + String(repeating: "---|", count: r.scenario.factors.count) + "---|---|---|---|---|---|---|---|---|---|\n"
        for s in r.summaries {
            let t = s.truth
            o += "| \(s.cell.id)\(s.cell.isReference ? " (ref)" : "") | " + s.cell.factors.map { $0.level + " | " }.joined()
            let cm = t.classMoments
            o += "\(f(t.cutoff, 4)) | \(f(t.youdenJ, 4)) | \(f(t.auc, 4)) | \(Format.percent(t.sensitivity(at: t.cutoff))) | \(Format.percent(t.specificity(at: t.cutoff))) | \(f(t.prevalence)) | \(f(cm.eventMean, 2)) ± \(f(cm.eventSD, 2)) | \(f(cm.nonEventMean, 2)) ± \(f(cm.nonEventSD, 2)) | \(Format.percent(t.acceptance)) | \(t.method); error (SE) of c\\* \(Format.number(t.cutoffError, digits: 2)) |\n"
        }
        return o + "\n"
    }

    static func estimateTables(_ r: RunResult) -> String {
        var o = "## Estimated cutoffs per cell\n\n"
        o += "Mean ± Monte Carlo SE; SD is the sampling spread of ĉ from cohort to cohort; optimism = apparent J − true J of the same cutoff.\n\n"
        for s in r.summaries {
            o += "### \(s.cell.id): \(s.cell.label)\(s.cell.isReference ? " (reference)" : "")\n\n"
            o += "c\\* = \(f(s.truth.cutoff, 4)), cohort of \(s.cell.model.cohort.size). \n\n"
            o += "| method | mean ĉ | SD | 2.5%–97.5% | bias | RMSE | P(\\|ĉ − c\\*\\| > \(Format.exact(s.cell.model.precision))) | apparent J | true J | optimism | no cutoff |\n"
            o += "|---|---|---|---|---|---|---|---|---|---|---|\n"
            for m in s.methods {
                guard let c = m.cutoff else {
                    o += "| \(m.method.rawValue) | – | – | – | – | – | – | – | – | – | \(m.failures) |\n"
                    continue
                }
                o += "| \(m.method.rawValue) | \(pm(c.mean, c.mcseMean)) | \(f(c.sd)) | \(f(c.q025))–\(f(c.q975)) | \(pm(c.bias, c.mcseBias)) | \(f(c.rmse)) | "
                o += "\(Format.percent(m.beyondPrecision.value)) | \(f(m.youdenJ?.mean ?? .nan)) | \(f(m.trueYoudenJ?.mean ?? .nan)) | \(pm(m.optimism?.mean ?? .nan, m.optimism?.mcseMean ?? .nan)) | \(m.failures) |\n"
            }
            o += "\n"
        }
        return o
    }

    static func driftTable(_ r: RunResult) -> String {
        var o = "## Drift against the reference cell\n\n"
        o += "Systematic drift moves the population-optimal cutoff itself (Δc\\*); sampling spread is how far single cohorts scatter around it (SD and 95% range of ĉ). "
        o += "Δ mean ĉ is the drift of the average estimate, with its Monte Carlo SE.\n\n"
        for m in r.design.reference.model.methods {
            o += "**\(m.rawValue)**\n\n| cell | factors | Δc\\* (systematic) | Δ mean ĉ | SD of ĉ | 95% range of ĉ |\n|---|---|---|---|---|---|\n"
            for s in r.summaries {
                guard let ms = s.method(m), let d = ms.drift, let c = ms.cutoff else { continue }
                o += "| \(s.cell.id)\(s.cell.isReference ? " (ref)" : "") | \(factorCells(s.cell)) | \(f(d.truth, 4)) | \(pm(d.meanCutoff, d.mcse)) | \(f(c.sd)) | \(f(c.q025))–\(f(c.q975)) |\n"
            }
            o += "\n"
        }
        return o
    }

    static func fixedCutoffTables(_ r: RunResult) -> String {
        let cutoffs = r.summaries.flatMap { $0.fixed.map(\.cutoff) }.reduce(into: [Double]()) { if !$0.contains($1) { $0.append($1) } }
        guard !cutoffs.isEmpty else { return "" }
        var o = "## Fixed external cutoffs\n\n"
        for fc in cutoffs {
            o += "### Cutoff \(Format.exact(fc))\n\n"
            o += "Where \(Format.exact(fc)) falls among the estimated cutoffs (share of cohorts whose ĉ is at or below it), and what it does in each cell: "
            o += "true values in the population, and the mean (2.5%–97.5%) a single cohort would report.\n\n"
            let methods = r.design.reference.model.methods
            o += "| cell | factors | " + methods.map { "P(ĉ ≤ \(Format.exact(fc))) \($0.rawValue)" }.joined(separator: " | ")
            o += " | sensitivity: true, cohort | specificity: true, cohort | PPV: true, cohort | NPV: true, cohort |\n"
            o += "|---|---|" + String(repeating: "---|", count: methods.count) + "---|---|---|---|\n"
            for s in r.summaries {
                guard let fs = s.fixed.first(where: { $0.cutoff == fc }) else { continue }
                o += "| \(s.cell.id)\(s.cell.isReference ? " (ref)" : "") | \(factorCells(s.cell)) | "
                o += methods.map { m in
                    s.method(m)?.fixedCutoffRanks.first(where: { $0.cutoff == fc }).map { Format.percent($0.below.value) } ?? "–"
                }.joined(separator: " | ")
                func both(_ truth: Double, _ st: Stat?) -> String {
                    guard let st else { return Format.percent(truth) + ", –" }
                    return "\(Format.percent(truth)), \(Format.percent(st.mean)) (\(Format.percent(st.q025, 0))–\(Format.percent(st.q975, 0)))"
                }
                o += " | \(both(fs.trueSensitivity, fs.sensitivity)) | \(both(fs.trueSpecificity, fs.specificity)) | \(both(fs.truePPV, fs.ppv)) | \(both(fs.trueNPV, fs.npv)) |\n"
            }
            o += "\n"
        }
        return o
    }

    static func aucTable(_ r: RunResult) -> String {
        var o = "## AUC\n\nEmpirical (Mann–Whitney) AUC per cohort against AUC\\*, DeLong's SE against the AUC's actual spread, and how often DeLong's 95% CI covers AUC\\*.\n\n"
        o += "| cell | factors | AUC\\* | mean AUC | SD of AUC | mean DeLong SE | 95% CI coverage |\n|---|---|---|---|---|---|---|\n"
        for s in r.summaries {
            o += "| \(s.cell.id) | \(factorCells(s.cell)) | \(f(s.truth.auc, 4)) | \(pm(s.auc?.mean ?? .nan, s.auc?.mcseMean ?? .nan, 4)) | \(f(s.auc?.sd ?? .nan, 4)) | \(f(s.aucStandardError?.mean ?? .nan, 4)) | \(Format.percent(s.aucCoverage.value)) ± \(Format.percent(s.aucCoverage.mcse)) |\n"
        }
        return o + "\n"
    }

    static func degenerateSection(_ r: RunResult) -> String {
        var o = "## Degenerate cohorts and failures\n\n"
        let total = r.summaries.reduce(0) { $0 + $1.degenerateTotal }
        let failures = r.summaries.flatMap(\.methods).reduce(0) { $0 + $1.failures }
        if total == 0 && failures == 0 {
            return o + "None: every simulated cohort had events and non-events with distinct scores, and every method returned a cutoff.\n\n"
        }
        o += "Counted, not dropped silently: a degenerate cohort (no events, no non-events, or all scores tied) has no estimate; a failure is a non-degenerate cohort where a method has no cutoff.\n\n"
        o += "| cell | no events | no non-events | all tied | " + EstimationMethod.allCases.map { "\($0.rawValue) failures" }.joined(separator: " | ") + " |\n"
        o += "|---|---|---|---|" + String(repeating: "---|", count: EstimationMethod.allCases.count) + "\n"
        for s in r.summaries {
            o += "| \(s.cell.id) | \(s.degenerate[.noEvents] ?? 0) | \(s.degenerate[.noNonEvents] ?? 0) | \(s.degenerate[.allTied] ?? 0) | "
            o += EstimationMethod.allCases.map { m in s.method(m).map { String($0.failures) } ?? "–" }.joined(separator: " | ") + " |\n"
        }
        return o + "\n"
    }

    static func readingGuide(_ r: RunResult) -> String {
        var o = "## How to read this report\n\n"
        o += "- **c\\*** is the cutoff a study would find with infinitely many patients; **ĉ** is what one cohort finds. Their difference is sampling error, not a property of the population.\n"
        o += "- **SD of ĉ** and the **2.5%–97.5%** range say how far two honest studies of the same population can disagree.\n"
        o += "- **Optimism**: sensitivity and specificity reported at a cutoff chosen on the same data are too good; the true J of that cutoff is lower.\n"
        o += "- Every mean carries its Monte Carlo SE (±); with more replicates it shrinks, the sampling spread does not.\n"
        o += "- Files: `summary.json` and `summary.csv` (all numbers, with MCSEs), `replicates.csv` (one row per simulated cohort), `plots/` (gnuplot scripts and data beside each figure), `scenario.resolved.yaml` (the scenario with every default filled in), `provenance.json`.\n"
        return o
    }
}
