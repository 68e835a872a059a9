import Foundation

/// gnuplot figures: the run writes each figure's data and its `.gp` script into `plots/`,
/// then renders SVG and PNG if gnuplot is installed. A user can edit the script and re-run
/// `gnuplot cutoffs-empirical.gp` in that folder.
public enum Plots {
    /// Files to write (name → contents).
    public static func files(_ r: RunResult) -> [(String, String)] {
        var out: [(String, String)] = []
        let ref = r.summaries.first { $0.cell.isReference }
        for h in r.histograms {
            let name = "cutoffs-\(h.method.rawValue)"
            var data = "# estimated cutoffs (\(h.method.rawValue)): density per cell; first column is the bin centre\n"
            data += "bin_centre\t" + r.design.cells.map { Gnuplot.dataField("\($0.id) \($0.label)") }.joined(separator: "\t") + "\n"
            for b in 0..<(h.edges.count - 1) {
                data += Format.exact((h.edges[b] + h.edges[b + 1]) / 2)
                for c in h.density.indices { data += "\t" + Format.exact(h.density[c][b]) }
                data += "\n"
            }
            out.append(("\(name).dat", data))
            var gp = "# Distribution of the \(h.method.rawValue) Youden cutoff per cell. Render: gnuplot \(name).gp\n"
            gp += "set datafile separator '\\t'\nset key outside right top box\nset grid\n"
            gp += "set xlabel \(Gnuplot.quote("estimated cutoff ĉ (\(h.method.rawValue))"))\nset ylabel 'density'\n"
            gp += "set title \(Gnuplot.quote("\(r.scenario.name): distribution of ĉ over \(r.replicates) cohorts per cell"))\n"
            if let ref {
                gp += "set arrow 1 from \(Format.exact(ref.truth.cutoff)), graph 0 to \(Format.exact(ref.truth.cutoff)), graph 1 nohead lw 2 dt 2 lc rgb 'black'\n"
                gp += "set label 1 sprintf('c* = %.3f', \(Format.exact(ref.truth.cutoff))) at \(Format.exact(ref.truth.cutoff)), graph 0.97 left offset 0.5,0\n"
                for (i, fc) in (ref.cell.model.fixedCutoffs).enumerated() {
                    gp += "set arrow \(i + 2) from \(Format.exact(fc)), graph 0 to \(Format.exact(fc)), graph 1 nohead lw 2 lc rgb '#c0392b'\n"
                    gp += "set label \(i + 2) \(Gnuplot.quote("published \(Format.exact(fc))")) at \(Format.exact(fc)), graph 0.90 right offset -0.5,0 tc rgb '#c0392b'\n"
                }
            }
            let n = r.design.cells.count
            let body = "plot for [i=2:\(n + 1)] '\(name).dat' using 1:i with lines lw 2 title columnheader(i)\n"
            gp += "set terminal svg size 1000,560 dynamic noenhanced font 'Helvetica,12' background rgb 'white'\nset output '\(name).svg'\n" + body
            gp += "set terminal pngcairo size 1000,560 noenhanced font 'Helvetica,11' background rgb 'white'\nset output '\(name).png'\n" + body
            gp += "unset output\n"
            out.append(("\(name).gp", gp))
        }
        out += driftFiles(r)
        out += rocFiles(r)
        return out
    }

    static func terminals(_ name: String, _ body: String) -> String {
        "set terminal svg size 900,520 dynamic noenhanced font 'Helvetica,12' background rgb 'white'\nset output '\(name).svg'\n" + body
            + "set terminal pngcairo size 900,520 noenhanced font 'Helvetica,11' background rgb 'white'\nset output '\(name).png'\n" + body
            + "unset output\n"
    }

    /// Per factor: c*, mean ĉ and the 95% range of ĉ at each level (others at reference).
    static func driftFiles(_ r: RunResult) -> [(String, String)] {
        let m = Report.primaryMethod(r)
        var out: [(String, String)] = []
        for (i, d) in r.factorDrift.enumerated() {
            let name = "drift-\(i + 1)-\(Gnuplot.slug(d.factor))"
            var data = "# \(Gnuplot.dataField(d.factor)): truth and \(m.rawValue) estimates per level (other factors at reference)\n"
            data += "index\tlevel\tc_star\tmean_cutoff\tq025\tq975\n"
            for (k, lv) in d.levels.enumerated() {
                let s = r.summaries[lv.cell]
                let c = s.method(m)?.cutoff
                data += "\(k)\t\(Gnuplot.dataField(lv.level))\t\(Format.exact(s.truth.cutoff))\t\(Format.exact(c?.mean ?? .nan))\t\(Format.exact(c?.q025 ?? .nan))\t\(Format.exact(c?.q975 ?? .nan))\n"
            }
            out.append(("\(name).dat", data))
            var gp = "# Drift of the cutoff with one factor. Render: gnuplot \(name).gp\n"
            gp += "set datafile separator '\\t'\nset datafile missing 'NA'\nset key outside right top box\nset grid\nset offsets 0.3, 0.3, 0, 0\n"
            gp += "set xlabel \(Gnuplot.quote(d.factor))\nset ylabel 'cutoff'\nset title \(Gnuplot.quote("\(r.scenario.name): cutoff against \(d.factor)"))\n"
            for fc in r.design.reference.model.fixedCutoffs {
                gp += "set arrow from graph 0, first \(Format.exact(fc)) to graph 1, first \(Format.exact(fc)) nohead lw 1 dt 3 lc rgb '#c0392b'\n"
            }
            let body = "plot '\(name).dat' skip 2 using 1:5:6 with filledcurves fc rgb '#cfe2f3' title '95% of ĉ (\(m.rawValue))', \\\n"
                + "     '' skip 2 using 1:3:xtic(2) with linespoints lw 2 pt 7 lc rgb 'black' title 'c* (truth)', \\\n"
                + "     '' skip 2 using 1:4 with points pt 9 ps 1.5 lc rgb '#2e86c1' title 'mean ĉ'\n"
            gp += terminals(name, body)
            out.append(("\(name).gp", gp))
        }
        return out
    }

    /// The reference cell's true ROC with the pointwise 95% band of its cohorts' ROC curves.
    static func rocFiles(_ r: RunResult) -> [(String, String)] {
        guard let b = r.referenceROC else { return [] }
        var data = "# reference cell ROC: true TPR and the 2.5/50/97.5% of cohort TPRs at each FPR\nfpr\ttrue_tpr\tq025\tmedian\tq975\n"
        for k in b.fpr.indices {
            data += [b.fpr[k], b.trueTPR[k], b.q025[k], b.median[k], b.q975[k]].map(Format.exact).joined(separator: "\t") + "\n"
        }
        var gp = "# ROC of the reference cell. Render: gnuplot roc-reference.gp\n"
        gp += "set datafile separator '\\t'\nset key bottom right box\nset grid\nset size square\nset xrange [0:1]\nset yrange [0:1]\n"
        gp += "set xlabel '1 − specificity'\nset ylabel 'sensitivity'\n"
        gp += "set title \(Gnuplot.quote("\(r.scenario.name): ROC of the reference cell \(r.design.reference.id), \(r.replicates) cohorts"))\n"
        let body = "plot 'roc-reference.dat' skip 2 using 1:3:5 with filledcurves fc rgb '#cfe2f3' title 'pointwise 95% of cohort ROCs', \\\n"
            + "     '' skip 2 using 1:4 with lines lw 1 dt 2 lc rgb '#2e86c1' title 'median cohort ROC', \\\n"
            + "     '' skip 2 using 1:2 with lines lw 2 lc rgb 'black' title 'true ROC', \\\n"
            + "     x with lines lc rgb 'grey' notitle\n"
        gp += terminals("roc-reference", body)
        return [("roc-reference.dat", data), ("roc-reference.gp", gp)]
    }

    /// Runs gnuplot on each script in `dir` (a fresh staging folder, so nothing in it is a link
    /// planted beforehand) and checks that every figure the script names was written and is not
    /// empty. Returns a note for the user when gnuplot is not installed; a failure is an error.
    public static func render(in dir: URL, scripts: [String]) throws -> String? {
        guard let gnuplot = findExecutable("gnuplot") else {
            return "gnuplot is not installed, so plots/ holds data and scripts only; install it (apt-get install gnuplot-nox) and run `gnuplot NAME.gp` in plots/."
        }
        for script in scripts {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: gnuplot)
            p.arguments = [script]
            p.currentDirectoryURL = dir
            p.standardOutput = FileHandle.nullDevice
            p.standardInput = FileHandle.nullDevice
            let errPipe = Pipe()
            p.standardError = errPipe
            do {
                try p.run()
            } catch {
                throw VBQError(file: dir.appendingPathComponent(script).path, "could not start gnuplot: \(error.localizedDescription)")
            }
            let err = errPipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let name = String(script.dropLast(3))
            let message = String(decoding: err, as: UTF8.self).split(separator: "\n").first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) ?? ""
            guard p.terminationStatus == 0 else {
                throw VBQError(file: "plots/\(script)", "gnuplot failed (exit \(p.terminationStatus)): \(message)")
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

    static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
