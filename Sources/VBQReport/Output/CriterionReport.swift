import Foundation
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

/// The report's section on cutoff criteria, for a run whose estimators aim at more than one
/// criterion: what each criterion is, its population optimum per cell, how its estimate behaves,
/// and which criterion's cutoff travels best between protocols (`CriterionStability`).
enum CriterionReport {
    /// Whether the run's estimators aim at criteria other than Youden's J.
    static func hasCriteria(_ r: RunResult) -> Bool {
        r.design.cells.contains { c in c.model.methods.contains { !$0.estimator.criterion.isYouden } }
    }

    /// The criterion (with its parameters' values) and its method, as markdown text.
    static func label(_ m: EstimationMethod, _ k: CriterionParameters) -> String {
        Format.markdownText(plainLabel(m, k) + " (\(m.rawValue))")
    }
    /// The criterion in words, with its parameters' values.
    static func plainLabel(_ m: EstimationMethod, _ k: CriterionParameters) -> String {
        m.estimator.criterion.isYouden ? "Youden's J" : m.estimator.criterion.criterionWords(k)
    }
    /// Marks a c* so far in a tail that the criterion calls (almost) everyone positive or negative.
    static func extreme(_ t: Truth, _ c: Double) -> String {
        guard CriterionStability.isExtreme(t, c) else { return "" }
        return t.specificity(at: c) < 0.01 ? " (≈ all positive)" : " (≈ all negative)"
    }

    static func section(_ r: RunResult, _ d: inout MarkdownDocument) {
        guard hasCriteria(r) else { return }
        let ref = r.design.cells.firstIndex(where: \.isReference) ?? 0
        let refSummary = r.summaries[ref]
        let k = refSummary.truth.criteria
        func f(_ x: Double, _ digits: Int = 3) -> String { Report.f(x, digits) }
        func mc(_ x: Double, _ e: Double) -> String { Report.mc(x, e) }
        d.heading(2, "Cutoff criteria")
        var used = Set<String>()
        let parameters = r.design.reference.model.methods.flatMap { $0.estimator.criterion.parameters }.filter { used.insert($0.rawValue).inserted }
        d.paragraph("Each estimator aims at the population optimum c\\* of its own criterion, and its bias, spread and optimism are measured against that c\\*. ",
                    parameters.isEmpty ? "" : "Parameters: \(parameters.map { "\($0.words) \(k.written($0))" }.joined(separator: "; ")). ",
                    "A criterion's value at a cutoff is computed at the cohort's prevalence and AUC (apparent) or the population's (true).")
        let floors = refSummary.methods.contains { $0.criterion?.floorMet != nil }
        var what = MarkdownTable(["criterion", "makes best", "c\\* at the reference (error)", "value at c\\*", "mean apparent value", "mean true value", "optimism"]
                                 + (floors ? ["floor met in the population"] : []))
        for m in refSummary.methods {
            let crit = m.method.estimator.criterion
            let apparent = m.criterion?.apparent ?? (crit.isYouden ? m.youdenJ : nil)
            let trueValue = m.criterion?.trueValue ?? (crit.isYouden ? m.trueYoudenJ : nil)
            let optimism = m.criterion?.optimism ?? (crit.isYouden ? m.optimism : nil)
            let sg = sign(crit)
            let c = "\(f(m.target.cutoff)) (\(Report.se(m.target.error)))"
            let a: String = apparent.map { mc(sg * $0.mean, $0.mcseMean) } ?? "–"
            let t: String = trueValue.map { mc(sg * $0.mean, $0.mcseMean) } ?? "–"
            let o: String = optimism.map { mc($0.mean, $0.mcseMean) } ?? "–"
            let floor: String = m.criterion?.floorMet.map { Report.pct($0) } ?? "–"
            what.add([label(m.method, k), Format.markdownText(crit.formula), c, f(sg * m.target.value), a, t, o] + (floors ? [floor] : []))
        }
        d.paragraph("At the reference protocol (\(refSummary.cell.id)); values of criteria made smallest are shown as they are (smaller is better), and optimism is always apparent − true in the direction of *better*. For a criterion with a floor, the value is the rate it makes largest, and the last column says how often a cutoff that meets the floor in its own study meets it in the population:")
        d.table(what)
        guard let st = CriterionStability(summaries: r.summaries, design: r.design) else { return }
        d.heading(3, "Which criterion travels best")
        for sentence in answer(st, r) { d.paragraph(sentence) }
        // When one protocol moves every criterion alike, the shifts without it are what tells
        // the criteria apart.
        let common = commonFarthest(st)
        var table = MarkdownTable(["criterion", "SD of ĉ (MCSE)", "bias of ĉ (MCSE)", "protocol that moves c\\* most", "Δc\\*"]
                                  + (common.map { ["largest Δc\\* without \(r.design.cells[$0].id)"] } ?? [])
                                  + ["J lost using the reference c\\*", "net benefit lost using it", "Se change using it", "Sp change using it"])
        for row in st.rows.sorted(by: { $0.sd < $1.sd }) {
            let bias = refSummary.method(row.method)?.cutoff
            table.add([label(row.method, k), mc(row.sd, row.sdMCSE), bias.map { mc($0.bias, $0.mcseBias) } ?? "–",
                       "\(r.design.cells[row.farthestCell].id): \(Report.cellName(r.design.cells[row.farthestCell], r))",
                       Report.signed(row.shift)]
                      + (common.map { c in [row.largestShift(excluding: [c]).map { "\(Report.signed($0.shift)) (\(r.design.cells[$0.cell].id))" } ?? "–"] } ?? [])
                      + [Report.signed(row.jLoss), Report.signed(row.netBenefitLoss, 4),
                       Report.signed(row.sensitivityChange), Report.signed(row.specificityChange)])
        }
        d.paragraph("SD and bias of ĉ are over the reference cell's \(r.replicates) studies of \(refSummary.cell.model.cohort.size). The other columns are population values for a centre working under the protocol that moves the criterion's c\\* most, using the reference protocol's c\\* instead of its own: the J and the net benefit (per patient, at a threshold probability of \(f(st.thresholdProbability, 2))) it loses (own c\\* − reference c\\*; negative: the reference's c\\* does better on that measure), and how its sensitivity and specificity change (reference c\\* − own c\\*). Criteria that do not make J largest are judged by J here too, so their J lost can be negative.")
        d.table(table)
        var cells = MarkdownTable(["criterion"] + r.summaries.map { $0.cell.id })
        for m in refSummary.methods {
            cells.add([label(m.method, k)] + r.summaries.map { s in s.method(m.method).map { f($0.target.cutoff, 3) + extreme(s.truth, $0.target.cutoff) } ?? "–" })
        }
        d.paragraph("Each criterion's c\\* in every cell (the cells are listed in *Truth per cell*); \"≈ all positive\" marks a c\\* below all but 1% of the non-failures' scores, where the criterion calls almost every patient positive:")
        d.table(cells)
    }

    /// The protocol that moves most of the criteria's c* most, when more than half of them share
    /// it (a change that rescales every score moves every criterion alike).
    static func commonFarthest(_ st: CriterionStability) -> Int? {
        var counts: [Int: Int] = [:]
        for row in st.rows where row.farthestCell != st.reference { counts[row.farthestCell, default: 0] += 1 }
        guard let (cell, n) = counts.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }), 2 * n > st.rows.count else { return nil }
        return cell
    }

    /// +1 for a criterion made largest, −1 for one made smallest (its value is stored negated).
    static func sign(_ c: any CutoffCriterion.Type) -> Double { c.isMinimised ? -1 : 1 }

    /// The answer to "which criterion should a multi-centre study use?", as far as the numbers go.
    static func answer(_ st: CriterionStability, _ r: RunResult) -> [String] {
        let rows = st.rows
        guard let bySD = rows.min(by: { $0.sd < $1.sd }), let byShift = rows.min(by: { abs($0.shift) < abs($1.shift) }) else { return [] }
        func names(_ xs: [CriterionStability.Row]) -> String { xs.map { label($0.method, st.parameters) }.joined(separator: ", ") }
        let sdTies = rows.filter { $0.method != bySD.method && $0.sd - bySD.sd <= 2 * ($0.sdMCSE * $0.sdMCSE + bySD.sdMCSE * bySD.sdMCSE).squareRoot() }
        // Shifts within a tenth of the scenario's precision δ are the same for any practical purpose.
        let margin = r.design.reference.model.precision / 10
        let shiftTies = rows.filter { $0.method != byShift.method && abs($0.shift) - abs(byShift.shift) <= margin }
        var out: [String] = []
        var first = "**Which criterion should a multi-centre VBQ study use?** Under this scenario's assumptions, at the reference protocol, the cutoff that varies least from one study of \(r.design.reference.model.cohort.size) to the next is that of **\(label(bySD.method, st.parameters))** (SD \(Report.f(bySD.sd)))"
        first += sdTies.isEmpty ? ", below the others beyond twice the Monte Carlo error. " : "; \(names(sdTies)) \(sdTies.count == 1 ? "is" : "are") within twice the Monte Carlo error of it. "
        if shiftTies.isEmpty {
            first += "The population optimum that moves least between protocols is that of **\(label(byShift.method, st.parameters))** (at most \(Report.signed(byShift.shift)) VBQ units, under \(r.design.cells[byShift.farthestCell].id))."
        } else {
            first += "The largest shifts of c\\* of \(names([byShift] + shiftTies)) agree within \(Report.f(margin, 3)) (a tenth of the precision δ; from \(Report.signed(byShift.shift)) VBQ units): on this measure they cannot be told apart."
        }
        if let common = commonFarthest(st) {
            let without = rows.compactMap { row in row.largestShift(excluding: [common]).map { (row, $0) } }
            if let least = without.min(by: { abs($0.1.shift) < abs($1.1.shift) }) {
                let cell = r.design.cells[common]
                let close = without.filter { $0.0.method != least.0.method && abs($0.1.shift) - abs(least.1.shift) <= margin }
                first += " Most criteria's c\\* move most under \(cell.id) (\(Report.cellName(cell, r))), and alike. Leaving it out, the largest shift of c\\* is smallest for **\(label(least.0.method, st.parameters))** (\(Report.signed(least.1.shift)), under \(r.design.cells[least.1.cell].id))"
                if !close.isEmpty {
                    first += "; \(close.map { "\(label($0.0.method, st.parameters)) (\(Report.signed($0.1.shift)))" }.joined(separator: ", ")) within \(Report.f(margin, 3))"
                }
                if least.0.method != bySD.method, let sdBest = without.first(where: { $0.0.method == bySD.method }) {
                    first += ", and \(Report.f(abs(sdBest.1.shift)))"
                    first += " for \(label(bySD.method, st.parameters)) (under \(r.design.cells[sdBest.1.cell].id)): the steadiest cutoff from study to study is not the one that travels best"
                }
                first += "."
            }
        }
        let movers = rows.filter { abs($0.shift) - abs(byShift.shift) > margin }.sorted { abs($0.shift) > abs($1.shift) }
        if !movers.isEmpty {
            let protocols = Set(movers.map(\.farthestCell)).sorted().map { "\(r.design.cells[$0].id) (\(Report.cellName(r.design.cells[$0], r)))" }
            first += " The optima of \(names(movers)) move further, up to \(Report.signed(movers[0].shift)), under \(protocols.joined(separator: " and "))."
        }
        for row in rows {
            for c in row.extremeCells {
                let t = r.summaries[c].target(row.method)
                let side = r.summaries[c].truth.specificity(at: t) < 0.01 ? "positive" : "negative"
                first += " Under \(r.design.cells[c].id) the optimum of \(label(row.method, st.parameters)), c\\* = \(Report.f(t)), calls almost every patient \(side), so its shift there is not a distance between cutoffs and is left out."
            }
        }
        out.append(first)
        let smallestShift = abs(byShift.shift), largestSD = rows.map(\.sd).max() ?? .nan
        let sds = rows.map(\.sd).sorted()
        let medianSD = sds.count % 2 == 1 ? sds[sds.count / 2] : (sds[sds.count / 2 - 1] + sds[sds.count / 2]) / 2
        if smallestShift > medianSD {
            out.append("Choosing a criterion does not remove protocol drift: even the least-moving c\\* shifts by \(Report.f(smallestShift)), more than the spread of a typical criterion's cutoff in one study (median SD \(Report.f(medianSD))). If protocols differ as much as this scenario assumes, a multi-centre study gains more from one protocol (or a correction between protocols) than from any criterion.")
        } else if smallestShift < largestSD {
            out.append("For some criteria the largest protocol shift of c\\* (from \(Report.f(smallestShift))) is smaller than the study-to-study spread of others' cutoffs (up to SD \(Report.f(largestSD))): there, the choice of criterion matters as much as the protocol.")
        }
        out.append("Stability is not the whole answer: the criteria weigh a missed failure against a needless intervention differently (see *makes best* above), and a floor on sensitivity or specificity, or a cost ratio, is a clinical decision the numbers here cannot make. Settle the trade-off first; among criteria that express it, prefer the one whose cutoff travels. These rankings hold for the magnitudes this scenario assumes for each protocol factor; other magnitudes can reorder them.")
        return out
    }
}
