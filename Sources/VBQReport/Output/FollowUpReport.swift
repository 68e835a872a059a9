import Foundation
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

/// The report's section on follow-up, for a run whose cells follow patients in time: what each
/// handling of censoring estimates against the cutoff at its horizon, c\*(t) (docs/model.md §2c).
/// The handling does not move c\* (the truth is failure by t in the uncensored population); it
/// moves what a study's cutoff estimates, so the section compares each handling's mean ĉ with
/// c\*(t), beside the largest shift of c\* by the other factors.
enum FollowUpReport {
    static func hasFollowUp(_ r: RunResult) -> Bool { r.design.cells.contains { $0.model.followUp != nil } }

    /// The cells whose factors other than follow-up's are at their reference levels.
    static func followUpCells(_ r: RunResult) -> [Int] {
        let ref = r.design.reference
        return r.design.cells.indices.filter { i in
            let cell = r.design.cells[i]
            guard cell.model.followUp != nil else { return false }
            return zip(cell.factors, ref.factors).allSatisfy { $0.0.name.hasPrefix("follow_up.") || $0.0.level == $0.1.level }
        }
    }

    static func section(_ r: RunResult, _ d: inout MarkdownDocument) {
        guard hasFollowUp(r) else { return }
        func f(_ x: Double, _ digits: Int = 3) -> String { Report.f(x, digits) }
        let rows = followUpCells(r)
        let n1 = r.table.layout.column(.nEvents), n0 = r.table.layout.column(.nNonEvents)
        d.heading(2, "Follow-up")
        d.paragraph("Each cell's c\\*(t) is the cutoff for failure by its horizon t in the uncensored population, so how a study handles censored patients does not move c\\*(t): it moves what the study's cutoff estimates. ",
                    "The table compares each handling's mean estimated cutoff with c\\*(t) (bias, with its MCSE in parentheses), in the cells whose other factors are at their reference levels. ",
                    "*Failed or followed* is the mean number of patients observed to fail by the horizon or followed beyond it: the horizon handling analyses these and leaves out those censored before it; km also uses the censored, through the Kaplan–Meier estimates; ipcw gives them weight 0, and they count only through the censoring distribution that reweights the observed failures. ",
                    "*Share failed* is the mean share failing as the handling sees it: among the patients analysed for the horizon, by the last visit for ever observed, and the Kaplan–Meier or weighted estimate of the share failed by t for km and ipcw (`follow_up.estimated_failed_share` in `summary.json`). ",
                    "Ever observed does not use the horizon: its rows are the same cohorts and the same cutoffs at every horizon, compared with a different c\\*(t) each time, so its bias is not a property of the handling at that horizon; the population cutoff of what it estimates (failure by each patient's own last visit) is not computed.")
        var table = MarkdownTable(["cell", "horizon t", "handling", "c\\*(t) (error)", "AUC\\*(t)", "failed by t in the population", "failed or followed", "share failed", "mean ĉ (MCSE)", "bias against c\\*(t) (MCSE)", "SD of ĉ (MCSE)"])
        struct Row { let horizon: Double; let handling: CensoringHandling; let bias: Double; let mcse: Double }
        var found: [Row] = []
        for i in rows {
            let s = r.summaries[i], cell = r.design.cells[i]
            guard let m = cell.model.followUp, let ms = s.methods.first(where: { $0.method == .empirical }), let c = ms.cutoff else { continue }
            let analysed = zip(r.table.column(n1, cell: i), r.table.column(n0, cell: i)).map { $0 + $1 }.filter(\.isFinite)
            let meanAnalysed = analysed.isEmpty ? Double.nan : analysed.reduce(0, +) / Double(analysed.count)
            let share = m.handling.timeDependent ? (estimatedShare(r, i).map { f($0) } ?? "–") : (s.prevalence.map { f($0.mean) } ?? "–")
            table.add(["\(cell.id)\(cell.isReference ? " (ref)" : "")", Format.exact(m.horizonYears), Format.markdownText(m.handling.rawValue),
                       "\(f(s.truth.cutoff)) (\(Report.se(s.truth.cutoffError)))", f(s.truth.auc), f(s.truth.prevalence), f(meanAnalysed, 1), share,
                       Report.mc(c.mean, c.mcseMean), Report.mc(c.bias, c.mcseMean), Report.mc(c.sd, c.mcseSD)])
            found.append(Row(horizon: m.horizonYears, handling: m.handling, bias: c.bias, mcse: c.mcseMean))
        }
        d.table(table)
        profiles(r, rows, &d)
        // The answer: per horizon, each handling's bias, beside the largest shift of c* by the
        // factors that are not follow-up's.
        var sentences: [String] = []
        for t in Set(found.map(\.horizon)).sorted() {
            let at = found.filter { $0.horizon == t }
            guard at.count > 1 else { continue }
            let parts = at.map { row -> String in
                let beyond = abs(row.bias) > 2 * row.mcse
                return "\(row.handling.rawValue) \(Report.signed(row.bias, 3)) (\(f(row.mcse)))\(beyond ? "" : ", within 2 MCSE")"
            }
            sentences.append("at \(Format.exact(t)) year\(t == 1 ? "" : "s"): " + parts.joined(separator: "; "))
        }
        if !sentences.isEmpty {
            var text = "Bias of the mean estimated cutoff against c\\*(t), by horizon and handling (\"within 2 MCSE\" for each alone, not adjusted for the \(found.count) compared) — " + sentences.joined(separator: "; ") + "."
            let ref = r.design.reference, refIndex = r.design.cells.firstIndex(where: \.isReference) ?? 0
            let others = r.design.cells.indices.filter { i in
                let cell = r.design.cells[i]
                let differing = zip(cell.factors, ref.factors).filter { $0.0.level != $0.1.level }
                return differing.count == 1 && !differing[0].0.name.hasPrefix("follow_up.")
            }
            if let k = others.max(by: { abs(r.summaries[$0].truth.cutoff - r.summaries[refIndex].truth.cutoff) < abs(r.summaries[$1].truth.cutoff - r.summaries[refIndex].truth.cutoff) }) {
                let shift = r.summaries[k].truth.cutoff - r.summaries[refIndex].truth.cutoff
                text += " For comparison, \(Format.markdownText(r.design.cellWords(r.design.cells[k]))) moves c\\* itself by \(Report.signed(shift, 3)) at the reference protocol."
            }
            d.paragraph(text)
        }
    }

    /// How the patients are followed, per horizon (the profile does not depend on the handling):
    /// from each cell's follow-up profile.
    static func profiles(_ r: RunResult, _ rows: [Int], _ d: inout MarkdownDocument) {
        guard let refHandling = r.design.reference.model.followUp?.handling else { return }
        let shown = rows.filter { r.design.cells[$0].model.followUp?.handling == refHandling && $0 < r.followUp.count && r.followUp[$0] != nil }
        guard !shown.isEmpty else { return }
        func pct(_ x: Double) -> String { Format.percent(x) }
        var table = MarkdownTable(["cell", "horizon t", "left out by the minimum follow-up", "follow-up had they not failed, years: median (10th–90th percentile)", "censored before t", "failed by t: population", "Kaplan–Meier F̂(t)", "failure observed by the last visit", "failed by t among those followed to t"])
        for i in shown {
            let p = r.followUp[i]!, cell = r.design.cells[i]
            table.add(["\(cell.id)\(cell.isReference ? " (ref)" : "")", Format.exact(p.horizon), pct(p.excluded),
                       "\(Format.fixed(p.potentialFollowUp.q50, 1)) (\(Format.fixed(p.potentialFollowUp.q10, 1))–\(Format.fixed(p.potentialFollowUp.q90, 1)))",
                       pct(p.censoredBeforeHorizon), pct(r.summaries[i].truth.prevalence), pct(p.kaplanMeierFailed), pct(p.observedByLastVisit), pct(p.failedAmongFollowed)])
        }
        d.paragraph("The minimum-follow-up rule is a selection that depends on the outcome: a patient lost to follow-up before it is left out (and replaced) unless their failure was observed first, so the enrolled fail slightly more often than the population; compare the Kaplan–Meier column with the population's. ",
                    "How the patients are followed, from a simulated sample of \(Format.count(FollowUpProfile.patients)) enrolled patients per cell (the handling of censoring does not change who is followed how long): the share of operated patients the minimum-follow-up rule leaves out, how long the enrolled would be followed had they not failed, the share censored before the horizon without failing, and the share failing by the horizon as the population has it (without censoring), as the Kaplan–Meier estimate has it, as the last visit shows it, and among the patients followed to the horizon:")
        d.table(table)
    }

    /// A time-dependent cell's mean estimated share failed by the horizon over its analysed cohorts.
    static func estimatedShare(_ r: RunResult, _ i: Int) -> Double? {
        guard r.design.cells[i].model.timeDependent else { return nil }
        let x = r.table.failedShares(cell: i).filter(\.isFinite)
        return x.isEmpty ? nil : x.reduce(0, +) / Double(x.count)
    }
}
