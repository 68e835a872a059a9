import Foundation
import Synchronization
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

/// gnuplot figures: the run writes each figure's data and its `.gp` script into `plots/`,
/// then renders SVG and PNG if gnuplot is installed. A user can edit the script and re-run
/// `gnuplot cutoffs-empirical.gp` in that folder.
///
/// The figures follow what ggplot2 users expect: the key outside the data, at most 8 curves in
/// a panel (small multiples beyond that), numeric levels on a numeric axis and categorical ones
/// as points with interval bars, labels in words, the reference emphasised. Every string from a
/// scenario reaches a script as a `GnuplotScript` text part (quoted) and a data file through
/// `Gnuplot.dataField`.
public enum Plots {
    /// A figure written into plots/ and the one sentence that says what to see in it.
    public struct Figure: Sendable {
        public let name: String
        public let caption: String
    }

    /// Okabe–Ito colours (distinguishable with colour blindness); the reference is black.
    static let palette = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#999999"]
    static let published = "#c0392b"
    static let maxCurves = 8

    /// Files to write (name → contents), and the figures they draw.
    public static func files(_ r: RunResult) -> [(String, String)] { build(r).files }

    /// The figures of a run with their captions (report.md embeds them).
    public static func figures(_ r: RunResult) -> [Figure] { build(r).figures }

    static func build(_ r: RunResult) -> (files: [(String, String)], figures: [Figure]) {
        var files: [(String, String)] = [], figures: [Figure] = []
        for h in r.histograms where r.design.cells.count <= Limits.panels {
            let (f, fig) = cutoffFigure(r, h)
            files += f; figures.append(fig)
        }
        if Report.kind(r) == .sizeSweep, let (f, fig) = spreadFigure(r) {
            files += f; figures.append(fig)
        }
        for d in r.factorDrift {
            let (f, fig) = driftFigure(r, d)
            files += f; figures.append(fig)
        }
        if let (f, fig) = rocFigure(r) { files += f; figures.append(fig) }
        if let (f, fig) = reanalysisFigure(r) { files += f; figures.append(fig) }
        return (files, figures)
    }

    /// Both terminals, each drawing `body`.
    static func terminals(_ name: String, _ body: GnuplotScript, width: Int, height: Int) -> GnuplotScript {
        var s = GnuplotScript()
        s.add("set terminal svg size ", .int(width), ",", .int(height), " dynamic noenhanced font 'Helvetica,13' background rgb 'white'")
        s.add("set output ", .file(name + ".svg"))
        s.append(body)
        s.add("set terminal pngcairo size ", .int(width), ",", .int(height), " noenhanced font 'Helvetica,12' background rgb 'white'")
        s.add("set output ", .file(name + ".png"))
        s.append(body)
        s.add("unset output")
        return s
    }

    /// The square unit axes of an ROC figure, labelled, with the key outside.
    static func rocAxes(_ gp: inout GnuplotScript) {
        gp.add("set size ratio -1")
        gp.add("set xrange [0:1]")
        gp.add("set yrange [0:1]")
        gp.add("set key outside right top vertical Left reverse samplen 2.5 spacing 1.2")
        gp.add("set xlabel '1 − specificity (false-positive rate)'")
        gp.add("set ylabel 'sensitivity (true-positive rate)'")
    }

    /// A script's first lines: its comment, then the settings every figure shares.
    static func script(_ comment: String) -> GnuplotScript {
        var s = GnuplotScript(comment: comment)
        s.add("set datafile separator '\\t'")
        s.add("set datafile missing 'NA'")
        s.add("set border 3 lw 1.2")
        s.add("set tics nomirror out")
        s.add("set grid lc rgb '#dddddd' lw 1")
        return s
    }

    /// The colour of cell i: black for the reference, the palette in order for the others (the
    /// reference takes no palette colour, so 8 cells use 7 distinct colours and black).
    static func colour(_ i: Int, reference: Bool, referenceIndex: Int) -> String {
        reference ? "#000000" : palette[(i > referenceIndex ? i - 1 : i) % palette.count]
    }

    static func cellKey(_ cell: Cell, _ r: RunResult) -> String {
        "\(cell.id): \(Report.cellName(cell, r))"
    }

    /// A small-multiple panel's title: the id and what differs from the reference, shortened to
    /// fit the panel (values without names, then cut) — the report's cell table has it whole.
    static func panelTitle(_ cell: Cell, _ r: RunResult, limit: Int) -> String {
        let full = cellKey(cell, r)
        if full.count <= limit { return full }
        let ref = r.design.reference
        let values = zip(cell.factors, ref.factors).filter { $0.0.level != $0.1.level }.map { $0.0.level.replacingOccurrences(of: " ", with: "") }
        let compact = "\(cell.id): " + values.joined(separator: " · ")
        if compact.count <= limit { return compact }
        return String(compact.prefix(limit - 1)) + "…"
    }

    static func methodWords(_ m: EstimationMethod) -> String { m.estimator.words }

    // MARK: Distribution of ĉ per cell

    static func cutoffFigure(_ r: RunResult, _ h: CutoffHistogram) -> ([(String, String)], Figure) {
        let name = "cutoffs-\(h.method.rawValue)"
        let cells = r.design.cells
        let bandwidths = h.bandwidth.map { $0.isFinite ? Format.number($0, digits: 3) : "NA" }.joined(separator: ", ")
        var data = GnuplotData(comment: "estimated cutoffs (\(h.method.rawValue)): Gaussian kernel density per cell (bandwidths \(bandwidths))")
        data.row(["cutoff"] + cells.map { .text($0.id) })
        for (b, x) in h.grid.enumerated() { data.row([x] + h.density.map { $0[b] }) }
        let fixed = r.design.reference.model.fixedCutoffs
        let refIndex = cells.firstIndex(where: \.isReference) ?? 0
        let title = "\(r.scenario.name): where one cohort's \(methodWords(h.method)) lands (\(r.replicates) cohorts per cell)"
        var gp = script("Distribution of the \(h.method.rawValue) cutoff per cell. Render: gnuplot \(name).gp")
        gp.add("set xlabel ", .text("estimated cutoff ĉ (\(methodWords(h.method)), VBQ score)"))
        gp.add("set ylabel 'density of cohorts'")
        gp.add("set xrange [", .number(h.grid.first!), ":", .number(h.grid.last!), "]")
        gp.add("set yrange [0:*]")
        let caption: String
        if cells.count <= maxCurves {
            gp.add("set title ", .text(title))
            gp.add("set key outside right top vertical Left reverse samplen 2.5 spacing 1.2")
            // Each cell's own c*: a triangle in its colour at the top of the plot.
            for (i, cell) in cells.enumerated() {
                let c = r.summaries[i].truth.cutoff
                gp.add("set label ", .int(i + 1), " '' at ", .number(c), ", graph 1 point pt 11 ps 1.4 lc rgb ",
                       .colour(colour(i, reference: cell.isReference, referenceIndex: refIndex)), " front")
            }
            for (j, fc) in fixed.enumerated() {
                gp.add("set arrow ", .int(j + 1), " from ", .number(fc), ", graph 0 to ", .number(fc), ", graph 0.96 nohead lw 1.5 dt 2 lc rgb ", .colour(published))
                gp.add("set label ", .int(cells.count + j + 1), " ", .text("published \(Format.exact(fc))"), " at ", .number(fc),
                       ", graph 0.02 left offset 0.5,0.3 tc rgb ", .colour(published), " front")
            }
            var parts: [[GnuplotScript.Part]] = []
            for (i, cell) in cells.enumerated() {
                parts.append([.file("\(name).dat"), " skip 2 using 1:", .int(i + 2), " with lines lw ", .decimal(cell.isReference ? 3.5 : 2), " lc rgb ",
                              .colour(colour(i, reference: cell.isReference, referenceIndex: refIndex)), " title ", .text(cellKey(cell, r))])
            }
            parts.append(["NaN with points pt 11 ps 1.4 lc rgb '#555555' title 'population-optimal c* of each cell'"])
            if !fixed.isEmpty { parts.append(["NaN with lines lw 1.5 dt 2 lc rgb ", .colour(published), " title 'published cutoff'"]) }
            var body = GnuplotScript()
            body.plot(parts)
            gp.append(terminals(name, body, width: 1150, height: 600))
            caption = "How far the \(methodWords(h.method)) of one cohort scatters in each cell (the reference in black); the triangles mark each cell's population-optimal c\\* (curves: kernel densities, bandwidth by Silverman's rule for the number of cohorts), so a curve's width is sampling error, the distance from its centre to its triangle is the estimator's bias, and the distance between triangles is systematic drift."
        } else {
            // Small multiples: one panel per cell, the reference's distribution in grey behind each.
            let cols = Int(Double(cells.count).squareRoot().rounded(.up))
            let rows = (cells.count + cols - 1) / cols
            gp.add("set key off")
            gp.add("unset xlabel")
            gp.add("unset ylabel")
            gp.add("set format y ''")
            gp.add("set ytics scale 0")
            var body = GnuplotScript()
            body.add("set multiplot layout ", .int(rows), ",", .int(cols), " title ",
                     .text(title + " — one panel per cell; grey: the reference cell \(cells[refIndex].id); dashed: the panel's own c*; red: the published cutoff"),
                     " font ',14' margins 0.04,0.99,0.06,0.90 spacing 0.025,0.09")
            for (i, cell) in cells.enumerated() {
                let c = r.summaries[i].truth.cutoff
                body.add("set title ", .text(panelTitle(cell, r, limit: max(24, 240 / cols))), " font ',11' noenhanced")
                body.add("unset arrow")
                body.add("set arrow 1 from ", .number(c), ", graph 0 to ", .number(c), ", graph 1 nohead lw 1.8 dt 2 lc rgb '#000000' front")
                for (j, fc) in fixed.enumerated() {
                    body.add("set arrow ", .int(j + 2), " from ", .number(fc), ", graph 0 to ", .number(fc), ", graph 1 nohead lw 1.2 lc rgb ", .colour(published), " front")
                }
                body.plot([[.file("\(name).dat"), " skip 2 using 1:", .int(refIndex + 2), " with filledcurves y1=0 fc rgb '#d9d9d9' fs solid 1.0 notitle"],
                           ["'' skip 2 using 1:", .int(i + 2), " with lines lw 2.2 lc rgb ", .colour(cell.isReference ? "#000000" : palette[3]), " notitle"]])
            }
            body.add("unset multiplot")
            gp.append(terminals(name, body, width: 1500, height: 120 + rows * 230))
            caption = "The \(methodWords(h.method)) of one cohort in each of the \(cells.count) cells (one panel per cell, titled by its id and the levels that differ from the reference, as in the table *Truth per cell*; the reference in grey behind each): a panel whose curve sits off the grey one is a cell whose protocol moves the cutoff; the dashed line is that cell's population-optimal c\\*."
        }
        return ([("\(name).dat", data.text), ("\(name).gp", gp.text)], Figure(name: name, caption: caption))
    }

    // MARK: Spread against n (size sweeps)

    static func spreadFigure(_ r: RunResult) -> ([(String, String)], Figure)? {
        let methods = r.design.reference.model.methods
        let rows = r.summaries.sorted { $0.cell.model.cohort.size < $1.cell.model.cohort.size }
        guard rows.count >= 2 else { return nil }
        let name = "spread-by-n"
        var data = GnuplotData(comment: "SD of the estimated cutoff against the cohort size, per method, with ±1.96 MCSE")
        data.row(["n"] + methods.flatMap { [.word("sd_\($0.rawValue)"), "lower", "upper"] as [GnuplotData.Field] })
        for s in rows {
            data.row([.int(s.cell.model.cohort.size)] + methods.flatMap { m -> [GnuplotData.Field] in
                let c = s.method(m)?.cutoff
                let sd = c?.sd ?? .nan, e = c?.mcseSD ?? .nan
                return [sd, sd - 1.96 * e, sd + 1.96 * e].map(GnuplotData.Field.number)
            })
        }
        let n0 = Double(rows[0].cell.model.cohort.size)
        var gp = script("Spread of the estimated cutoff against n on log–log axes. Render: gnuplot \(name).gp")
        gp.add("set logscale xy")
        gp.add("set xlabel 'patients per cohort (n, log scale)'")
        gp.add("set ylabel 'SD of ĉ between cohorts (log scale)'")
        gp.add("set title ", .text("\(r.scenario.name): how the spread of one study's cutoff shrinks with n (\(r.replicates) cohorts per size)"))
        gp.add("set xtics (", .joined(rows.map { [.int($0.cell.model.cohort.size)] }, by: ", "), ")")
        gp.add("set key outside right top vertical Left reverse samplen 3 spacing 1.2")
        let sds = rows.flatMap { s in methods.compactMap { s.method($0)?.cutoff?.sd } }.filter { $0 > 0 }
        let nMax = Double(rows.last!.cell.model.cohort.size)
        gp.add("set xrange [", .number(n0 / 1.3), ":", .number(nMax * 1.3), "]")
        if let lo = sds.min(), let hi = sds.max() {
            gp.add("set yrange [", .number(lo / 1.4), ":", .number(hi * 1.4), "]")
            let nice = [0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5].filter { $0 >= lo / 1.4 && $0 <= hi * 1.4 }
            if nice.count >= 2 { gp.add("set ytics (", .joined(nice.map { [.number($0)] }, by: ", "), ")") }
        }
        var parts: [[GnuplotScript.Part]] = []
        for (j, m) in methods.enumerated() {
            let col = 2 + 3 * j
            parts.append([.file("\(name).dat"), " skip 2 using 1:", .int(col), ":", .int(col + 1), ":", .int(col + 2),
                          " with yerrorlines lw 2 pt 7 ps 1.2 lc rgb ", .colour(palette[j % palette.count]), " title ", .text(methodWords(m))])
        }
        // Reference slopes through the first point of the first and last method.
        if let first = rows[0].method(methods[0])?.cutoff?.sd {
            parts.append([.number(first), " * (x / ", .number(n0), ")**(-1.0/3) with lines dt 2 lw 1.5 lc rgb '#555555' title 'slope n^(−1/3) (argmax of a step function)'"])
        }
        if let last = rows[0].method(methods.contains(.binormal) ? .binormal : methods[methods.count - 1])?.cutoff?.sd {
            parts.append([.number(last), " * (x / ", .number(n0), ")**(-0.5) with lines dt 4 lw 1.5 lc rgb '#555555' title 'slope n^(−1/2) (a smooth estimator)'"])
        }
        var body = GnuplotScript()
        body.plot(parts)
        gp.append(terminals(name, body, width: 1100, height: 600))
        return ([("\(name).dat", data.text), ("\(name).gp", gp.text)],
                Figure(name: name, caption: "The SD of one study's cutoff against the cohort size on log–log axes, with the n^(−1/3) and n^(−1/2) slopes for comparison: a line parallel to the n^(−1/3) slope needs eight times the patients to halve its spread."))
    }

    // MARK: Drift with one factor

    /// Named by the factor (not its rank), so a link to it holds when the ranking changes.
    static func driftFigure(_ r: RunResult, _ d: FactorDrift) -> ([(String, String)], Figure) {
        let sc = r.scenario
        let fIndex = sc.factors.firstIndex { $0.path == d.factor }!
        let factor = sc.factors[fIndex]
        let methods = r.design.reference.model.methods
        let name = "drift-\(Gnuplot.slug(d.factor))"
        let numbers = factor.labels.map { NumberText.double($0) }
        let numeric = numbers.allSatisfy { $0 != nil }
        let xs: [Double] = numeric ? numbers.map { $0! } : factor.labels.indices.map { Double($0 + 1) }
        let span = numeric ? max((xs.max()! - xs.min()!), 1e-9) : Double(xs.count)
        let dodge = (numeric ? 0.035 * span : 0.12)
        // The reference profile: this factor's levels with the others at reference.
        var data = GnuplotData(comment: "\(Gnuplot.dataField(d.factor)): c* and, per method, mean ĉ and its 2.5%/97.5% points per level (other factors at reference)")
        data.row(["x", "level", "c_star"] + methods.flatMap { m -> [GnuplotData.Field] in
            [.word("mean_\(m.rawValue)"), .word("q025_\(m.rawValue)"), .word("q975_\(m.rawValue)")]
        })
        for lv in d.levels {
            let l = factor.labels.firstIndex(of: lv.level)!
            let s = r.summaries[lv.cell]
            data.row([.number(xs[l]), .text(lv.level), .number(s.truth.cutoff)] + methods.flatMap { m -> [GnuplotData.Field] in
                let c = s.method(m)?.cutoff
                return [c?.mean ?? .nan, c?.q025 ?? .nan, c?.q975 ?? .nan].map(GnuplotData.Field.number)
            })
        }
        // Other profiles (grids): c* of this factor's levels with the other factors elsewhere.
        var profiles: [[Int]] = []
        for cell in sc.cellLevels {
            var key = cell; key[fIndex] = -1
            if key.enumerated().contains(where: { $0.offset != fIndex && $0.element != sc.referenceLevels[$0.offset] }) && !profiles.contains(key) {
                profiles.append(key)
            }
        }
        var profileData = GnuplotData(comment: "c* for every other combination of the other factors (one block per combination)")
        profileData.row(["x", "c_star"])
        var blocks = 0
        var profileLabels: [(Double, Double, String)] = []
        let paths = sc.factors.map(\.path)
        for p in profiles {
            var rows: [(Double, Double)] = []
            var lastCell: Int? = nil
            for l in factor.levels.indices {
                var levels = p; levels[fIndex] = l
                if let c = sc.cellLevels.firstIndex(of: levels) { rows.append((xs[l], r.summaries[c].truth.cutoff)); lastCell = c }
            }
            guard rows.count > 1, let last = lastCell else { continue }
            for (x, y) in rows { profileData.row([x, y]) }
            profileData.endBlock()
            blocks += 1
            let others = zip(r.design.cells[last].factors, r.design.reference.factors).enumerated()
                .filter { $0.offset != fIndex && $0.element.0.level != $0.element.1.level }
                .map { "\(ParameterLabels.short($0.element.0.name) ?? Design.shortName($0.element.0.name, among: paths)) = \($0.element.0.level)" }.joined(separator: ", ")
            profileLabels.append((rows.last!.0, rows.last!.1, others))
        }
        var gp = script("Drift of the cutoff with one factor. Render: gnuplot \(name).gp")
        gp.add("set xlabel ", .text(ParameterLabels.axis(d.factor)))
        gp.add("set ylabel 'cutoff (VBQ score)'")
        gp.add("set title ", .text("\(sc.name): the cutoff against \(ParameterLabels.axis(d.factor))"))
        gp.add("set key outside right top vertical Left reverse samplen 2.5 spacing 1.2")
        if numeric {
            gp.add("set offsets ", .number(0.08 * span), ", ", .number(0.08 * span), ", 0, 0")
            gp.add("set xtics (", .joined(factor.labels.indices.map { [.tic(factor.labels[$0]), " ", .number(xs[$0])] }, by: ", "), ")")
        } else {
            gp.add("set xrange [0.5:", .number(Double(xs.count) + 0.5), "]")
            gp.add("set xtics (", .joined(factor.labels.indices.map { [.tic(factor.labels[$0]), " ", .int($0 + 1)] }, by: ", "), ")")
            if factor.labels.map(\.count).max() ?? 0 > 14 {
                gp.add("set xtics rotate by -20")
                gp.add("set bmargin 9")
            }
        }
        for fc in r.design.reference.model.fixedCutoffs {
            gp.add("set arrow from graph 0, first ", .number(fc), " to graph 1, first ", .number(fc), " nohead lw 1.5 dt 2 lc rgb ", .colour(published))
        }
        // The y span of what is drawn, so labels that would print over one another are dropped.
        var ys: [Double] = profileLabels.map(\.1)
        for lv in d.levels {
            let st = r.summaries[lv.cell]
            ys.append(st.truth.cutoff)
            for m in methods { if let c = st.method(m)?.cutoff { ys += [c.q025, c.q975] } }
        }
        let ySpan = max((ys.filter(\.isFinite).max() ?? 1) - (ys.filter(\.isFinite).min() ?? 0), 1e-9)
        var nextLabel = 1
        for lv in d.levels where lv.thresholdArtefact {
            let l = factor.labels.firstIndex(of: lv.level)!
            gp.add("set label ", .int(nextLabel), " 'no shift: classifies as the reference c* does' at ", .number(xs[l]), ", ",
                   .number(r.summaries[lv.cell].truth.cutoff), " offset -1,-1.3 right tc rgb '#000000' font ',10' front")
            nextLabel += 1
        }
        var longestLabel = 0
        if profileLabels.count <= 8 {
            // Lines ending at the same height share one label ("… and 2 more").
            var groups: [(x: Double, y: Double, text: String, more: Int)] = []
            for l in profileLabels.sorted(by: { $0.1 < $1.1 }) {
                if let g = groups.indices.last, abs(groups[g].y - l.1) < 0.03 * ySpan { groups[g].more += 1 } else { groups.append((l.0, l.1, l.2, 0)) }
            }
            for g in groups {
                let text = g.more > 0 ? "\(g.text) and \(g.more) more" : g.text
                longestLabel = max(longestLabel, text.count)
                gp.add("set label ", .int(nextLabel), " ", .text(text), " at ", .number(g.x), ", ", .number(g.y), " offset 2.5,0 left tc rgb '#777777' font ',10'")
                nextLabel += 1
            }
            // Room on the right for the longest label (about 6.5 px a character in a plot area
            // of about 780 px), so no label runs past the frame.
            if !profileLabels.isEmpty && numeric {
                let share = min(0.6, Double(longestLabel + 4) * 6.5 / 780)
                gp.add("set offsets ", .number(0.08 * span), ", ", .number(max(0.3, share / (1 - share)) * span), ", 0, 0")
            }
        }
        var parts: [[GnuplotScript.Part]] = []
        if blocks > 0 {
            parts.append([.file("\(name)-others.dat"), " skip 2 using 1:2 with linespoints lw 1 pt 6 ps 0.6 lc rgb '#aaaaaa' title 'c*, other factors elsewhere'"])
        }
        let mid = Double(methods.count - 1) / 2
        for (j, m) in methods.enumerated() {
            let col = 4 + 3 * j
            let shift = (Double(j) - mid) * dodge
            parts.append([.file("\(name).dat"), " skip 2 using ($1 + ", .number(shift), "):", .int(col), ":", .int(col + 1), ":", .int(col + 2),
                          " with yerrorbars pt 7 ps 1.1 lw 1.8 lc rgb ", .colour(palette[j % palette.count]), " title ", .text("\(m.rawValue) ĉ: mean, 95% of cohorts")])
        }
        parts.append([.file("\(name).dat"), " skip 2 using 1:3 with ", numeric ? "linespoints" : "points", " lw 3 pt 5 ps 1.3 lc rgb '#000000' title 'c* (truth)'"])
        if !r.design.reference.model.fixedCutoffs.isEmpty {
            parts.append(["NaN with lines lw 1.5 dt 2 lc rgb ", .colour(published), " title 'published cutoff'"])
        }
        var body = GnuplotScript()
        body.plot(parts)
        gp.append(terminals(name, body, width: 1200, height: 620))
        var files = [("\(name).dat", data.text), ("\(name).gp", gp.text)]
        if blocks > 0 { files.append(("\(name)-others.dat", profileData.text)) }
        let joint = blocks > 0 ? " Grey lines are c\\* with the other factors at their other levels: where they fan out, this factor acts together with another." : ""
        return (files, Figure(name: name, caption: "The population-optimal cutoff (black) against \(ParameterLabels.axis(d.factor)), beside how far single cohorts scatter around it (bars: 95% of cohorts, per method), other factors at their reference levels.\(joint)"))
    }

    // MARK: ROC of the reference cell

    static func rocFigure(_ r: RunResult) -> ([(String, String)], Figure)? {
        guard let b = r.referenceROC, let ref = r.summaries.first(where: { $0.cell.isReference }) else { return nil }
        let t = ref.truth
        var data = GnuplotData(comment: "reference cell ROC: true TPR and the 2.5/50/97.5% of cohort TPRs at each FPR")
        data.row(["fpr", "true_tpr", "q025", "median", "q975"])
        for k in b.fpr.indices { data.row([b.fpr[k], b.trueTPR[k], b.q025[k], b.median[k], b.q975[k]]) }
        var gp = script("ROC of the reference cell. Render: gnuplot roc-reference.gp")
        rocAxes(&gp)
        gp.add("set title ", .text("\(r.scenario.name): ROC of the reference cell (\(ref.cell.model.cohort.size) patients, \(r.replicates) cohorts), AUC* = \(Format.fixed(t.auc, 3))"))
        var parts: [[GnuplotScript.Part]] = [
            [.file("roc-reference.dat"), " skip 2 using 1:3:5 with filledcurves fc rgb '#cfe2f3' title 'pointwise 95% of cohort ROCs'"],
            ["'' skip 2 using 1:2 with lines lw 3 lc rgb '#000000' title 'true ROC'"],
            ["'' skip 2 using 1:4 with lines lw 2 dt 2 lc rgb ", .colour(palette[4]), " title 'median cohort ROC'"],
            ["x with lines lc rgb '#aaaaaa' notitle"],
        ]
        // The operating points, inline, on the plot command's last line.
        var pointElements: [[GnuplotScript.Part]] = [["'-' using 1:2 with points pt 7 ps 1.6 lc rgb '#000000' title ", .text("c* = \(Format.fixed(t.cutoff, 3))")]]
        var points: [(Double, Double)] = [(1 - t.specificity(at: t.cutoff), t.sensitivity(at: t.cutoff))]
        gp.add("set label 1 ", .text("c* \(Format.fixed(t.cutoff, 2))"), " at ", .number(points[0].0), ", ", .number(points[0].1), " offset 1,-1 front")
        for (j, fc) in r.design.reference.model.fixedCutoffs.enumerated() {
            let x = 1 - t.specificity(at: fc), y = t.sensitivity(at: fc)
            pointElements.append(["'-' using 1:2 with points pt 9 ps 1.8 lc rgb ", .colour(published), " title ", .text("published \(Format.exact(fc))")])
            points.append((x, y))
            gp.add("set label ", .int(j + 2), " ", .text(Format.exact(fc)), " at ", .number(x), ", ", .number(y), " offset -4,1 tc rgb ", .colour(published), " front")
        }
        parts.append([.joined(pointElements, by: ", ")])
        var body = GnuplotScript()
        body.plot(parts)
        for point in points { body.inline([point]) }
        gp.append(terminals("roc-reference", body, width: 950, height: 650))
        return ([("roc-reference.dat", data.text), ("roc-reference.gp", gp.text)],
                Figure(name: "roc-reference", caption: "The reference cell's true ROC (black) inside the band where 95% of single cohorts' ROC curves fall, with the operating points of c\\* and of the published cutoff: one cohort's curve can sit anywhere in the blue band."))
    }

    // MARK: Rendering

    /// Runs gnuplot on each script in `dir` (a fresh staging folder, so nothing in it is a link
    /// planted beforehand) and checks that every figure the script names was written and is not
    /// empty. Returns a note for the user when gnuplot is not installed; a failure is an error.
    public static func render(in dir: URL, scripts: [String]) throws -> String? {
        guard let gnuplot = Subprocess.findExecutable("gnuplot") else {
            return "gnuplot is not installed, so plots/ holds data and scripts only; install it (apt-get install gnuplot-nox) and run `gnuplot NAME.gp` in plots/."
        }
        // The scripts are independent: they run two at a time, and the first failure in script
        // order is reported, so the error does not depend on which finished first.
        let outcomes = Parallel.map(scripts.count, threads: 2) { k in Result { try Subprocess.run(gnuplot, [scripts[k]], in: dir.path) } }
        for (script, outcome) in zip(scripts, outcomes) {
            let result: Subprocess.Result
            do {
                result = try outcome.get()
            } catch {
                throw VBQError(file: dir.appendingPathComponent(script).path, "could not start gnuplot: \((error as? VBQError)?.message ?? "\(error)")")
            }
            let name = String(script.dropLast(3))
            let message = String(decoding: result.standardError, as: UTF8.self).split(separator: "\n").first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) ?? ""
            guard result.status == 0 else {
                throw VBQError(file: "plots/\(script)", "gnuplot failed (exit \(result.status)): \(message)")
            }
            for ext in ["svg", "png"] {
                var st = stat()
                let figure = dir.appendingPathComponent("\(name).\(ext)")
                guard lstat(figure.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0 else {
                    throw VBQError(file: "plots/\(name).\(ext)", "gnuplot wrote no figure (a full disk?)\(message.isEmpty ? "" : ": \(message)")")
                }
            }
        }
        return nil
    }

}
