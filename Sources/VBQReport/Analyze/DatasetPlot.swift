import Foundation
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

/// `vbqlab analyze --plot DIR`: the dataset's ROC curve with each method's cutoff, the stretch
/// of the curve its bootstrap interval covers, and each fixed cutoff.
public enum DatasetPlot {
    public static func files(_ r: DatasetReport, title: String) -> [(String, String)] {
        let roc = r.rocPoints
        var data = GnuplotData(comment: "the dataset's empirical ROC (\(r.direction.rule)): threshold, 1 - specificity, sensitivity")
        data.row(["threshold", "fpr", "tpr"])
        for p in roc {
            data.row([p.threshold.isFinite ? .number(p.threshold) : .word(p.threshold > 0 ? "Inf" : "-Inf"), .number(1 - p.specificity), .number(p.sensitivity)])
        }
        /// The ROC point of a threshold (as the curve's step at that score).
        func point(_ c: Double) -> (Double, Double) {
            let t = r.tables.first { $0.cutoff == c }
            if let t { return (1 - t.specificity.value, t.sensitivity.value) }
            let p = r.dataset.positives, q = r.dataset.negatives
            return p.withUnsafeBufferPointer { pb in
                q.withUnsafeBufferPointer { qb in
                    switch r.direction {
                    case .higher:
                        return (Double(q.count - lowerBound(qb, c)) / Double(q.count), Double(p.count - lowerBound(pb, c)) / Double(p.count))
                    case .lower:
                        return (Double(upperBound(qb, c)) / Double(q.count), Double(upperBound(pb, c)) / Double(p.count))
                    }
                }
            }
        }
        let colours = Dictionary(uniqueKeysWithValues: Estimators.all.map { ($0.id, $0.colour) } + [("fixed", "#cc79a7")])
        var gp = Plots.script("ROC of the dataset with its Youden cutoffs. Render: gnuplot roc.gp")
        Plots.rocAxes(&gp)
        let auc = r.auc.map { "AUC \(Format.fixed($0.auc, 3)) (95% CI \(Format.fixed($0.ci.lower, 3))–\(Format.fixed($0.ci.upper, 3)))" } ?? ""
        gp.add("set title ", .text("\(title): \(r.events.n) events, \(r.nonEvents.n) non-events, \(auc)"))
        // The intervals first (widest first, so each shows beneath the next), then the curve, then
        // the cutoffs' points; inline data blocks follow in the same order.
        var intervals: [[GnuplotScript.Part]] = [], intervalData: [[(Double, Double)]] = []
        var points: [[GnuplotScript.Part]] = [], pointData: [(Double, Double)] = []
        for t in r.tables {
            let (x, y) = point(t.cutoff)
            let colour = colours[t.method] ?? "#000000"
            if let b = r.bootstrap.first(where: { t.source == .estimator($0.method) }), b.lower.isFinite, b.upper.isFinite {
                // The stretch of the curve between the interval's ends.
                let inside = roc.filter { $0.threshold >= b.lower && $0.threshold <= b.upper }
                let ends = [point(b.lower), point(b.upper)]
                let pts = (ends + inside.map { (1 - $0.specificity, $0.sensitivity) }).sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                intervals.append(["'-' using 1:2 with steps lw ", .int(max(3, 12 - 4 * intervals.count)), " lc rgb ", .colour(colour), " notitle"])
                intervalData.append(pts)
            }
            let name = t.source == .fixed ? "fixed cutoff \(Format.exact(t.cutoff))" : "\(t.method) \(Format.fixed(t.cutoff, 3))"
                + (r.bootstrap.first { t.source == .estimator($0.method) }.map { " (95% CI \(Format.fixed($0.lower, 2))–\(Format.fixed($0.upper, 2)), thick)" } ?? "")
            points.append(["'-' using 1:2 with points pt ", .int(t.source == .fixed ? 9 : 7), " ps ", .decimal(max(1.2, 2.4 - 0.4 * Double(points.count))),
                           " lc rgb ", .colour(colour), " title ", .text(name)])
            pointData.append((x, y))
        }
        var body = GnuplotScript()
        body.plot(intervals + [[.file("roc.dat"), " skip 2 using 2:3 with steps lw 2 lc rgb '#000000' title 'empirical ROC'"], ["x with lines lc rgb '#aaaaaa' notitle"]] + points)
        for pts in intervalData { body.inline(pts) }
        for p in pointData { body.inline([p]) }
        gp.append(Plots.terminals("roc", body, width: 1000, height: 650))
        return [("roc.dat", data.text), ("roc.gp", gp.text)]
    }
}
