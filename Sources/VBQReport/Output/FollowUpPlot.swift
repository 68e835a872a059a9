import Foundation
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

extension Plots {
    /// The reference cell's failures over time by VBQ group: the Kaplan–Meier share failed of the
    /// patients scoring at or above c\*(t) and below it (its follow-up profile), the share of
    /// patients still followed had they not failed, and the design's horizons marked.
    static func followUpFigure(_ r: RunResult) -> ([(String, String)], Figure)? {
        let ref = r.design.cells.firstIndex(where: \.isReference) ?? 0
        guard ref < r.followUp.count, let p = r.followUp[ref], let m = r.design.cells[ref].model.followUp else { return nil }
        let name = "follow-up"
        let end = p.studyYears
        let grid = (0...400).map { end * Double($0) / 400 }
        var data = GnuplotData(comment: "\(r.scenario.name): reference cell, Kaplan–Meier share failed by VBQ group, and share still followed without failing")
        data.row(["years", "failed_above", "failed_below", "followed"])
        for t in grid { data.row([t, p.above.failed(at: t), p.below.failed(at: t), p.stillFollowed(at: t)]) }
        let horizons = Set(r.design.cells.compactMap { $0.model.followUp?.horizonYears }).sorted()
        var gp = script("Failures over time by VBQ group in the reference cell. Render: gnuplot \(name).gp")
        var body = GnuplotScript()
        body.add("set title ", .text("\(r.scenario.name): failure after fusion by VBQ score, reference cell"), " font ',14'")
        body.add("set xlabel 'years since the operation'")
        body.add("set ylabel 'share of patients'")
        body.add("set xrange [0:", .number(end), "]")
        body.add("set yrange [0:1]")
        body.add("set key below vertical Left reverse samplen 2.5 spacing 1.2 maxrows 3")
        body.add("set bmargin 8")
        for (j, h) in horizons.enumerated() {
            body.add("set arrow ", .int(j + 1), " from ", .number(h), ", graph 0 to ", .number(h), ", graph 1 nohead lw 1.2 dt 2 lc rgb '#888888'")
            body.add("set label ", .int(j + 1), " ", .text("t = \(Format.exact(h))"), " at ", .number(h), ", graph 0.97 left offset 0.4,0 font ',11' front")
        }
        let c = Format.fixed(p.cutoff, 2)
        body.plot([[.file("\(name).dat"), " skip 2 using 1:2 with lines lw 2.5 lc rgb ", .colour(palette[1]), " title ", .text("VBQ ≥ \(c) (\(Format.count(p.above.patients)) patients): failed")],
                   ["'' skip 2 using 1:3 with lines lw 2.5 lc rgb ", .colour(palette[0]), " title ", .text("VBQ < \(c) (\(Format.count(p.below.patients)) patients): failed")],
                   ["'' skip 2 using 1:4 with lines lw 1.5 dt 3 lc rgb '#555555' title ", .text("still followed, had they not failed")]])
        gp.append(terminals(name, body, width: pageWidth, height: 600))
        let caption = "The reference cell's patients followed in time (a simulated sample of \(Format.count(FollowUpProfile.patients)) enrolled patients): the Kaplan–Meier share failed (\(Format.markdownText(ParameterLabels.phrase("outcome.definition", level: m.definitionName))), estimated from each patient's observed follow-up) of those scoring at or above the cell's c\\*(t) = \(c) and of those below it, and the share still followed at each time had nobody failed (dotted: operations over \(Format.exact(m.accrualYears)) years, the study ending after \(Format.exact(m.studyYears)), \(Format.percent(m.lossPerYear)) a year lost; it stays at 1 until \(Format.exact(m.minYears)) years because patients lost before then without an observed failure are left out of the study). Dashed lines mark the horizons the scenario counts failure at. A horizon where the dotted line has fallen is one at which many patients are censored before it; late in the study few remain followed, and the curves rest on them."
        return ([("\(name).dat", data.text), ("\(name).gp", gp.text)], Figure(name: name, caption: caption))
    }
}
