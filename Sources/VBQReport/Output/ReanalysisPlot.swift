import Foundation
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

extension Plots {
    /// The reference cell's re-analysis: per covariate the spread of the odds ratios over the
    /// simulated studies (ML and Firth: median, middle 50%, middle 95%) against the population OR
    /// and the paper's value with its CI; beside it the same for Pearson's r.
    static func reanalysisFigure(_ r: RunResult) -> ([(String, String)], Figure)? {
        guard let re = r.reanalysis, let c = ReanalysisReport.referenceCell(r, re) else { return nil }
        let spec = re.spec
        let name = "reanalysis"
        var files: [(String, String)] = []
        var panels: [GnuplotScript] = []
        let ml = palette[3], firth = palette[0]
        func q(_ s: Stat?, _ transform: (Double) -> Double) -> [Double] {
            guard let s else { return [.nan, .nan, .nan, .nan, .nan] }
            return [s.q025, s.q250, s.q500, s.q750, s.q975].map(transform)
        }
        func ytics(_ labels: [String]) -> GnuplotScript.Part {
            .joined(labels.enumerated().map { [.tic($0.element), " ", .int(labels.count - $0.offset)] }, by: ", ")
        }
        let covariates = spec.covariates

        if spec.logistic {
            var data = GnuplotData(comment: "\(r.scenario.name), cell \(c.cell.id): odds ratios of \(spec.outcomeCutoff.words) over \(c.analysed) studies")
            data.row(["y", "ml_q025", "ml_q25", "ml_q50", "ml_q75", "ml_q975", "firth_q025", "firth_q25", "firth_q50", "firth_q75", "firth_q975",
                      "population", "paper", "paper_lower", "paper_upper"])
            var lo = Double.infinity, hi = 0.0
            for (j, cov) in covariates.enumerated() {
                let m = c.term(.logisticML, cov.rawValue), f = c.term(.logisticFirth, cov.rawValue)
                let mq = q(m?.estimate, exp), fq = q(f?.estimate, exp)
                let pop = exp((m ?? f)?.population ?? .nan)
                let obs = spec.observedOddsRatios.first { $0.0 == cov.rawValue }?.1
                let values = [Double(covariates.count - j)] + mq + fq + [pop, obs?.value ?? .nan, obs?.lower ?? .nan, obs?.upper ?? .nan]
                data.row(values)
                for v in values.dropFirst() where v.isFinite && v > 0 { lo = min(lo, v); hi = max(hi, v) }
            }
            files.append(("\(name)-or.dat", data.text))
            // Under each covariate, in small grey type: the share of studies where ML gives no
            // estimate (separation, no convergence, or a covariate constant in the cohort — the
            // table's "no estimate"; shown from 1%), and the paper's place among the ML estimates,
            // which a log axis spanning small and large odds ratios can hide. (Notes, not tic
            // labels: gnuplot cuts a tic label at 50 characters.)
            let notes = covariates.map { cov -> String in
                guard let m = c.term(.logisticML, cov.rawValue) else { return "" }
                var parts: [String] = []
                if let below = m.atOrBelow { parts.append("paper at the \(Format.percent(below.value, 0)) point") }
                let missing = Double(m.separation + m.notConverged + m.singular) / Double(max(1, m.cohorts))
                if missing >= 0.01 { parts.append("no ML estimate in \(Format.percent(missing, 0))") }
                return parts.joined(separator: "; ")
            }
            let labels = covariates.map(\.words)
            let margin = max(labels.map(\.count).max() ?? 0, (notes.map(\.count).max() ?? 0) * 11 / 13) + 3
            var p = GnuplotScript()
            p.add("set key top right")
            p.add("unset arrow 2")
            p.add("set logscale x")
            p.add("set xrange [", .number(lo / 1.5), ":", .number(hi * 1.5), "]")
            p.add("set yrange [0.4:", .int(covariates.count), ".9]")
            p.add("set ytics (", ytics(labels), ")")
            p.add("set lmargin ", .int(margin))
            for (j, note) in notes.enumerated() where !note.isEmpty {
                p.add("set label ", .int(10 + j), " ", .text(note), " at graph 0, first ", .number(Double(covariates.count - j) - 0.3),
                      " right offset -1.2, 0 font ',11' textcolor rgb '#555555'")
            }
            p.add("set xlabel ", .text("odds ratio of \(spec.outcomeCutoff.words) (log scale)"))
            p.add("set title ", .text("Table 4: logistic regression, \(c.analysed) studies of \(c.cell.model.cohort.size)"))
            p.add("set arrow 1 from 1, graph 0 to 1, graph 1 nohead lc rgb '#999999' dt 2 back")
            // The first element names the data file; the others reuse it ('').
            var parts: [[GnuplotScript.Part]] = []
            func source() -> GnuplotScript.Part { parts.isEmpty ? .file("\(name)-or.dat") : "''" }
            if spec.methods.contains(.ml) {
                parts.append([source(), " skip 2 using 4:($1+0.17):3:5:($1+0.11):($1+0.23) with boxxyerror fs solid 0.35 noborder lc rgb ", .colour(ml), " title 'ML: middle 50% of studies'"])
                parts.append([source(), " skip 2 using 4:($1+0.17):2:6 with xerrorbars pt 7 ps 1.1 lw 1.5 lc rgb ", .colour(ml), " title 'ML: median, 95% of studies'"])
            }
            if spec.methods.contains(.firth) {
                parts.append([source(), " skip 2 using 9:($1-0.17):8:10:($1-0.23):($1-0.11) with boxxyerror fs solid 0.35 noborder lc rgb ", .colour(firth), " title 'Firth: middle 50% of studies'"])
                parts.append([source(), " skip 2 using 9:($1-0.17):7:11 with xerrorbars pt 7 ps 1.1 lw 1.5 lc rgb ", .colour(firth), " title 'Firth: median, 95% of studies'"])
            }
            parts.append([source(), " skip 2 using 12:($1-0.32):(0):(0.64) with vectors nohead lw 3 lc rgb '#000000' title 'population'"])
            if !spec.observedOddsRatios.isEmpty {
                parts.append(["'' skip 2 using 13:1:14:15 with xerrorbars pt 13 ps 1.9 lw 2 lc rgb ", .colour(published), " title 'paper (95% CI)'"])
                parts.append(["'' skip 2 using 13:1 with points pt 13 ps 1.9 lc rgb ", .colour(published), " notitle"])
            }
            p.plot(parts)
            panels.append(p)
        }
        if spec.correlations {
            let terms = spec.correlationTerms
            var data = GnuplotData(comment: "\(r.scenario.name), cell \(c.cell.id): Pearson's r of the score over \(c.analysed) studies")
            data.row(["y", "q025", "q25", "q50", "q75", "q975", "population", "paper"])
            for (j, term) in terms.enumerated() {
                let t = c.term(.correlation, term)
                data.row([Double(terms.count - j)] + q(t?.estimate, { $0 }) + [t?.population ?? .nan,
                                                                               spec.observedCorrelations.first { $0.0 == term }?.1.value ?? .nan])
            }
            files.append(("\(name)-r.dat", data.text))
            let labels = terms.map { $0 == "failure" ? "failure" : ReanalysisSpec.Covariate(rawValue: $0)!.words }
            var p = GnuplotScript()
            p.add("set key top left")
            p.add("unset logscale x")
            p.add("unset arrow 1")
            p.add("set xrange [-0.4:0.8]")
            p.add("set yrange [0.4:", .int(terms.count), ".9]")
            p.add("set ytics (", ytics(labels), ")")
            // The notes under the odds ratios' rows belong to the panel above.
            p.add("unset lmargin")
            for j in covariates.indices { p.add("unset label ", .int(10 + j)) }
            p.add("set xlabel ", .text("Pearson's r with the score"))
            p.add("set title ", .text("Table 5: correlations, \(c.analysed) studies"))
            p.add("set arrow 2 from 0, graph 0 to 0, graph 1 nohead lc rgb '#999999' dt 2 back")
            p.plot([[.file("\(name)-r.dat"), " skip 2 using 4:1:3:5:($1-0.08):($1+0.08) with boxxyerror fs solid 0.35 noborder lc rgb ", .colour(palette[2]), " title 'middle 50% of studies'"],
                    ["'' skip 2 using 4:1:2:6 with xerrorbars pt 7 ps 1.1 lw 1.5 lc rgb ", .colour(palette[2]), " title 'median, 95% of studies'"],
                    ["'' skip 2 using 7:($1-0.3):(0):(0.6) with vectors nohead lw 3 lc rgb '#000000' title 'population r'"],
                    ["'' skip 2 using 8:($1+0.22) with points pt 13 ps 1.9 lc rgb ", .colour(published), " title 'paper'"]])
            panels.append(p)
        }
        guard !panels.isEmpty else { return nil }
        var gp = script("The paper's Tables 4 and 5 against the simulated studies of the reference cell. Render: gnuplot \(name).gp")
        gp.add("set key inside top right vertical Left reverse samplen 1.5 spacing 1.15 box lc rgb '#bbbbbb' opaque")
        gp.add("set grid noytics")
        // Panels one above the other, at the report page's width.
        var body = GnuplotScript()
        if panels.count == 2 {
            body.add("set multiplot layout 2,1 title ", .text("\(r.scenario.name), reference cell \(c.cell.id): the paper's values among simulated studies"), " font ',14'")
        }
        for panel in panels { body.append(panel) }
        if panels.count == 2 { body.add("unset multiplot") }
        gp.append(terminals(name, body, width: pageWidth, height: panels.count == 2 ? 1250 : 650))
        files.append(("\(name).gp", gp.text))
        var caption = "The reference cell's \(c.analysed) simulated studies of \(c.cell.model.cohort.size) patients, analysed as the paper did: "
        if spec.logistic { caption += "per covariate the median odds ratio (dot), the middle 50% (box) and 95% (whiskers) of the estimates by \(spec.methods.map { $0 == .ml ? "ML" : "Firth" }.joined(separator: " and ")), the population OR (black bar) and the paper's OR with its CI (red diamond, between the two methods' rows); ML's spread leaves out the studies where ML gave no estimate (separation, or a covariate constant in the cohort; their share is in the label, with the share of ML estimates at or below the paper's value). " }
        if spec.correlations { caption += "\(spec.logistic ? "Below: the" : "The") same for Pearson's r of the score (the paper's r just above each row). " }
        caption += "A red diamond far outside the whiskers is a value this population rarely produces."
        return (files, Figure(name: name, caption: caption))
    }
}
