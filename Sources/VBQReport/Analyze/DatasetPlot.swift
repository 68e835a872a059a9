import Foundation
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

/// `vbqlab analyze --plot DIR`: the dataset's ROC curve inside its pointwise 95% bootstrap band
/// (with `--bootstrap`), each method's cutoff as a point (its bootstrap interval in the key), and
/// each fixed cutoff.
public enum DatasetPlot {
    public static func files(_ r: DatasetReport, title: String) -> [(String, String)] {
        let roc = r.rocPoints
        var files: [(String, String)] = []
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
        gp.add("set key below left vertical Left reverse samplen 2.5 spacing 1.15 maxcols 1")
        let auc = r.auc.map { "AUC \(Format.fixed($0.auc, 3)) (95% CI \(Format.fixed($0.ci.lower, 3))–\(Format.fixed($0.ci.upper, 3)))" } ?? ""
        gp.add("set title ", .lines(Plots.wrap("\(title): \(r.events.n) events, \(r.nonEvents.n) non-events, \(auc)", width: 70)))
        var elements: [[GnuplotScript.Part]] = []
        if let band = r.rocBand {
            var bandData = GnuplotData(comment: "pointwise 95% stratified bootstrap band of the ROC (\(r.bootstrapReplicates) resamples): 1 - specificity, lower and upper sensitivity")
            bandData.row(["fpr", "lower", "upper"])
            for (g, sp) in BootstrapROCBand.specificities.enumerated().reversed() { bandData.row([1 - sp, band.lower[g], band.upper[g]]) }
            files.append(("roc-band.dat", bandData.text))
            elements.append([.file("roc-band.dat"), " skip 2 using 1:2:3 with filledcurves fc rgb '#cfe2f3' fs solid 1.0 title ",
                             .text("pointwise 95% bootstrap band of the ROC (\(r.bootstrapReplicates) resamples)")])
        }
        elements.append([.file("roc.dat"), " skip 2 using 2:3 with steps lw 2.2 lc rgb '#000000' title 'empirical ROC'"])
        elements.append(["x with lines lc rgb '#aaaaaa' notitle"])
        var pointData: [(Double, Double)] = []
        for (i, t) in r.tables.enumerated() {
            let colour = colours[t.method] ?? "#000000"
            let name = t.source == .fixed ? "fixed cutoff \(Format.exact(t.cutoff))" : "\(t.method) cutoff \(Format.fixed(t.cutoff, 3))"
                + (r.bootstrap.first { t.source == .estimator($0.method) }.map { " (95% CI \(Format.fixed($0.lower, 2))–\(Format.fixed($0.upper, 2)))" } ?? "")
            elements.append(["'-' using 1:2 with points pt ", .int(t.source == .fixed ? 9 : [7, 5, 13][i % 3]), " ps ", .decimal(max(1.6, 2.6 - 0.35 * Double(i))),
                             " lc rgb ", .colour(colour), " title ", .text(name)])
            pointData.append(point(t.cutoff))
        }
        var body = GnuplotScript()
        body.plot(elements)
        for p in pointData { body.inline([p]) }
        gp.append(Plots.terminals("roc", body, width: 720, height: 760 + 20 * r.tables.count))
        return [("roc.dat", data.text), ("roc.gp", gp.text)] + files
    }
}

/// `vbqlab analyze --plot DIR`'s report: what the terminal shows, as report.md and one
/// self-contained report.html with the ROC figure inlined. Every name from the data is escaped.
public enum AnalyzeReport {
    public static func markdown(_ r: DatasetReport, file: String, covariates: CovariateReport?, against: AgainstResult?,
                                covariatesAgainst: CovariateAgainst?) -> String {
        var o = "# Analysis of \(Format.markdownText(file))\n\n"
        o += AnalyzeOutput.printout(r).markdown + "\n"
        o += "![The dataset's ROC curve with its cutoffs](roc.svg)\n\n"
        if let covariates { o += "## The seed paper's analysis\n\n" + CovariateOutput.printout(covariates).markdown + "\n" }
        if against != nil || covariatesAgainst != nil {
            o += "## Placed among simulated studies\n\n"
            if let against { o += AnalyzeOutput.printout(against).markdown + "\n" }
            if let covariatesAgainst { o += CovariateOutput.printout(covariatesAgainst).markdown + "\n" }
        }
        return o
    }

    /// Writes report.md and report.html into `folder` (which holds roc.svg).
    public static func write(_ markdown: String, title: String, in folder: URL) throws {
        try AtomicFile.write(markdown, to: folder.appendingPathComponent("report.md"))
        try HTMLPage.write(markdown: markdown, title: title, name: "report.html", in: folder)
    }
}
