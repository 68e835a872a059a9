import Foundation
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

extension Plots {
    /// The criteria ranked on what makes a cutoff travel: three panels side by side, one row
    /// per estimator (ordered by the spread of its cutoff, smallest on top) — the SD of ĉ in one
    /// study at the reference protocol with its 95% Monte Carlo interval, the largest shift of
    /// its c\* across the protocols, and the J a centre of that protocol loses with the
    /// reference's c\*.
    static func criterionFigure(_ r: RunResult) -> ([(String, String)], Figure)? {
        guard let st = CriterionStability(summaries: r.summaries, design: r.design) else { return nil }
        let name = "criteria"
        let rows = st.rows.sorted { $0.sd < $1.sd }
        var data = GnuplotData(comment: "\(r.scenario.name): per estimator, the SD of ĉ at the reference, the largest |shift| of c*, and the J lost with the reference's c*")
        data.row(["y", "sd", "sd_lower", "sd_upper", "abs_shift", "j_loss"])
        for (i, row) in rows.enumerated() {
            data.row([Double(rows.count - i), row.sd, row.sd - 1.96 * row.sdMCSE, row.sd + 1.96 * row.sdMCSE, abs(row.shift), row.jLoss])
        }
        let k = r.summaries[st.reference].truth.criteria
        let labels = rows.map { CriterionReport.plainLabel($0.method, k) }
        func ytics(_ show: Bool) -> GnuplotScript.Part {
            .joined(rows.indices.map { [.tic(show ? labels[$0] : ""), " ", .int(rows.count - $0)] }, by: ", ")
        }
        let margin = (labels.map(\.count).max() ?? 10) + 2
        let widths = [0.46, 0.27, 0.27]
        var gp = script("Which criterion's cutoff travels best between protocols. Render: gnuplot \(name).gp")
        gp.add("set grid noytics")
        gp.add("unset key")
        var body = GnuplotScript()
        body.add("set multiplot title ", .text("\(r.scenario.name): how far each criterion's cutoff moves"), " font ',14'")
        body.add("set yrange [0.4:", .number(Double(rows.count) + 0.6), "]")
        body.add("set bmargin 4")
        body.add("set tmargin 3")
        // Each panel's range from zero (or below, for a negative loss) to past its largest value.
        let sdTop = rows.map { $0.sd + 1.96 * $0.sdMCSE }.max() ?? 1
        let shiftTop = rows.map { abs($0.shift) }.max() ?? 1
        let lossLow = min(0, rows.map(\.jLoss).min() ?? 0), lossHigh = max(0, rows.map(\.jLoss).max() ?? 0)
        let panels: [(column: Int, lower: Int?, upper: Int?, title: String, xlabel: String, from: Double, to: Double)] = [
            (2, 3, 4, "spread: SD of ĉ, n = \(r.design.reference.model.cohort.size)", "VBQ units", 0, sdTop * 1.1),
            (5, nil, nil, "largest |Δc*| of a protocol", "VBQ units", 0, shiftTop * 1.1),
            (6, nil, nil, "J lost with the reference c*", "Youden's J", lossLow == 0 ? 0 : lossLow * 1.1, lossHigh * 1.1),
        ]
        var origin = 0.0
        for (k, p) in panels.enumerated() {
            body.add("set origin ", .number(origin), ", 0")
            body.add("set size ", .number(widths[k]), ", 0.94")
            origin += widths[k]
            body.add("set ytics (", ytics(k == 0), ")")
            body.add("set lmargin ", .int(k == 0 ? margin : 2))
            body.add("set rmargin 3")
            body.add("set title ", .text(p.title), " font ',12'")
            body.add("set xlabel ", .text(p.xlabel))
            let to = p.to > p.from ? p.to : p.from + 1
            body.add("set xrange [", .number(p.from), ":", .number(to), "]")
            body.add("set xtics ", .number(ticStep(to - p.from, tics: 3)))
            if let lo = p.lower, let hi = p.upper {
                body.plot([[.file("\(name).dat"), " skip 2 using ", .int(p.column), ":1:", .int(lo), ":", .int(hi), " with xerrorbars pt 7 ps 1.3 lw 1.5 lc rgb ", .colour(palette[0]), " notitle"]])
            } else {
                body.plot([[.file("\(name).dat"), " skip 2 using ", .int(p.column), ":1 with points pt 7 ps 1.3 lc rgb ", .colour(palette[0]), " notitle"],
                           ["'' skip 2 using (0):1:", .int(p.column), ":(0) with vectors nohead lw 2 lc rgb ", .colour(palette[0]), " notitle"]])
            }
        }
        body.add("unset multiplot")
        gp.append(terminals(name, body, width: pageWidth, height: 140 + 34 * rows.count))
        let far = Set(rows.map(\.farthestCell)).map { r.design.cells[$0].id }.sorted()
        let caption = "Each cutoff estimator of the run, ordered by the spread of its cutoff over the reference cell's \(r.replicates) simulated studies (smallest on top). Left: the SD of ĉ with its 95% Monte Carlo interval (bars, hidden by the dot where they are narrower). Middle: how far the criterion's population-optimal c\\* moves under the protocol that moves it most (\(far.joined(separator: ", "))). Right: what a centre working under that protocol loses in Youden's J when it uses the reference protocol's c\\* instead of its own (negative where the criterion's own c\\* is worse for J than the transported one). The middle and right panels are population values (the shifts' numerical SE is at most \(Format.number(rows.map(\.shiftError).filter(\.isFinite).max() ?? 0, digits: 2)))."
        return ([("\(name).dat", data.text), ("\(name).gp", gp.text)], Figure(name: name, caption: caption))
    }
}
