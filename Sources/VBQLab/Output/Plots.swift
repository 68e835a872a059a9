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
            data += "bin_centre\t" + r.design.cells.map { "\"\($0.id) \($0.label)\"" }.joined(separator: "\t") + "\n"
            for b in 0..<(h.edges.count - 1) {
                data += Format.exact((h.edges[b] + h.edges[b + 1]) / 2)
                for c in h.density.indices { data += "\t" + Format.exact(h.density[c][b]) }
                data += "\n"
            }
            out.append(("\(name).dat", data))
            var gp = "# Distribution of the \(h.method.rawValue) Youden cutoff per cell. Render: gnuplot \(name).gp\n"
            gp += "set datafile separator '\\t'\nset key outside right top box\nset grid\n"
            gp += "set xlabel 'estimated cutoff ĉ (\(h.method.rawValue))'\nset ylabel 'density'\n"
            gp += "set title \"\(r.scenario.name): distribution of ĉ over \(r.replicates) cohorts per cell\"\n"
            if let ref {
                gp += "set arrow 1 from \(Format.exact(ref.truth.cutoff)), graph 0 to \(Format.exact(ref.truth.cutoff)), graph 1 nohead lw 2 dt 2 lc rgb 'black'\n"
                gp += "set label 1 sprintf('c* = %.3f', \(Format.exact(ref.truth.cutoff))) at \(Format.exact(ref.truth.cutoff)), graph 0.97 left offset 0.5,0\n"
                for (i, fc) in (ref.cell.model.fixedCutoffs).enumerated() {
                    gp += "set arrow \(i + 2) from \(Format.exact(fc)), graph 0 to \(Format.exact(fc)), graph 1 nohead lw 2 lc rgb '#c0392b'\n"
                    gp += "set label \(i + 2) 'published \(Format.exact(fc))' at \(Format.exact(fc)), graph 0.90 right offset -0.5,0 tc rgb '#c0392b'\n"
                }
            }
            let n = r.design.cells.count
            let body = "plot for [i=2:\(n + 1)] '\(name).dat' using 1:i with lines lw 2 title columnheader(i)\n"
            gp += "set terminal svg size 1000,560 dynamic enhanced font 'Helvetica,12' background rgb 'white'\nset output '\(name).svg'\n" + body
            gp += "set terminal pngcairo size 1000,560 enhanced font 'Helvetica,11' background rgb 'white'\nset output '\(name).png'\n" + body
            gp += "unset output\n"
            out.append(("\(name).gp", gp))
        }
        return out
    }

    /// Runs gnuplot on each script in `dir`. Returns a note for the user when it cannot.
    public static func render(in dir: URL, scripts: [String]) -> String? {
        guard let gnuplot = findExecutable("gnuplot") else {
            return "gnuplot is not installed, so plots/ holds data and scripts only; install it (apt-get install gnuplot-nox) and run `gnuplot NAME.gp` in plots/."
        }
        for script in scripts {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: gnuplot)
            p.arguments = [script]
            p.currentDirectoryURL = dir
            p.standardOutput = FileHandle.nullDevice
            let errPipe = Pipe()
            p.standardError = errPipe
            do {
                try p.run()
                let err = errPipe.fileHandleForReading.readDataToEndOfFile()
                p.waitUntilExit()
                if p.terminationStatus != 0 {
                    return "gnuplot failed on plots/\(script): \(String(decoding: err, as: UTF8.self).split(separator: "\n").first ?? "")"
                }
            } catch {
                return "could not start gnuplot: \(error.localizedDescription)"
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
