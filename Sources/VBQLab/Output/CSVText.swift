import Foundation

/// CSV text (RFC 4180 quoting), numbers in their shortest round-trip form, NA for missing.
public enum CSVText {
    public static func field(_ s: String) -> String {
        if s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r") {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    public static func row(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") + "\n" }
}

/// `summary.csv`: tidy, one row per cell × method × quantity × statistic.
public enum SummaryCSV {
    public static func make(_ r: RunResult) -> String {
        let factorNames = r.scenario.factors.map(\.path)
        var out = CSVText.row(["cell"] + factorNames + ["reference", "method", "quantity", "statistic", "value", "mcse"])
        for s in r.summaries {
            let prefix = [s.cell.id] + s.cell.factors.map(\.level) + [s.cell.isReference ? "true" : "false"]
            func add(_ method: String, _ quantity: String, _ statistic: String, _ value: Double, _ mcse: Double = .nan) {
                out += CSVText.row(prefix + [method, quantity, statistic, Format.exact(value), Format.exact(mcse)])
            }
            func addStat(_ method: String, _ quantity: String, _ st: Stat?) {
                guard let st else { return }
                add(method, quantity, "n", Double(st.n))
                add(method, quantity, "mean", st.mean, st.mcseMean)
                add(method, quantity, "sd", st.sd, st.mcseSD)
                add(method, quantity, "q025", st.q025, st.mcseQ025)
                add(method, quantity, "q250", st.q250, st.mcseQ250)
                add(method, quantity, "q500", st.q500, st.mcseQ500)
                add(method, quantity, "q750", st.q750, st.mcseQ750)
                add(method, quantity, "q975", st.q975, st.mcseQ975)
                if st.target.isFinite {
                    add(method, quantity, "target", st.target)
                    add(method, quantity, "bias", st.bias, st.mcseBias)
                    add(method, quantity, "rmse", st.rmse, st.mcseRMSE)
                }
            }
            add("", "truth_cutoff", "value", s.truth.cutoff, s.truth.cutoffError)
            add("", "truth_youden_j", "value", s.truth.youdenJ, s.truth.youdenError)
            add("", "truth_auc", "value", s.truth.auc, s.truth.aucError)
            add("", "degenerate", "count", Double(s.degenerateTotal))
            addStat("", "auc", s.auc)
            addStat("", "auc_delong_se", s.aucStandardError)
            add("", "auc_ci_coverage", "proportion", s.aucCoverage.value, s.aucCoverage.mcse)
            for m in s.methods {
                let name = m.method.rawValue
                add(name, "failures", "count", Double(m.failures))
                addStat(name, "cutoff", m.cutoff)
                add(name, "cutoff", "p_beyond_precision", m.beyondPrecision.value, m.beyondPrecision.mcse)
                addStat(name, "youden_j", m.youdenJ)
                addStat(name, "sensitivity", m.sensitivity)
                addStat(name, "specificity", m.specificity)
                addStat(name, "true_youden_j", m.trueYoudenJ)
                addStat(name, "optimism", m.optimism)
                addStat(name, "auc", m.auc)
                for rank in m.fixedCutoffRanks {
                    add(name, "cutoff", "p_at_or_below_\(Format.exact(rank.cutoff))", rank.below.value, rank.below.mcse)
                }
                if let d = m.drift {
                    add(name, "drift_truth", "value", d.truth, d.truthError)
                    add(name, "drift_mean_cutoff", "value", d.meanCutoff, d.mcse)
                }
            }
            for f in s.fixed {
                let q = "at_\(Format.exact(f.cutoff))"
                addStat("", "\(q)_sensitivity", f.sensitivity)
                addStat("", "\(q)_specificity", f.specificity)
                addStat("", "\(q)_ppv", f.ppv)
                addStat("", "\(q)_npv", f.npv)
            }
        }
        return out
    }
}

/// `replicates.csv`: one row per cell × replicate, every per-cohort estimate.
public enum ReplicatesCSV {
    /// The whole file as one string (for small runs and tests).
    public static func make(_ r: RunResult) -> String {
        var out = ""
        write(r) { out += $0 }
        return out
    }

    /// The file in pieces of 2,048 rows, so a run of millions of cohorts is never held as text.
    /// The pieces are formatted on every core, eight at a time, and emitted in order.
    public static func write(_ r: RunResult, _ emit: (String) throws -> Void) rethrows {
        let t = r.table
        try emit(CSVText.row(["cell", "replicate"] + t.layout.columns))
        let rowsPerPiece = 2048
        var pieces: [(cell: Int, reps: Range<Int>)] = []
        for c in r.design.cells.indices {
            for start in stride(from: 0, to: t.replicates, by: rowsPerPiece) {
                pieces.append((c, start..<min(start + rowsPerPiece, t.replicates)))
            }
        }
        let ids = r.design.cells.map(\.id)
        for first in stride(from: 0, to: pieces.count, by: 8) {
            let batch = Array(pieces[first..<min(first + 8, pieces.count)])
            var texts = [String](repeating: "", count: batch.count)
            texts.withUnsafeMutableBufferPointer { buffer in
                let out = SendableStrings(buffer)
                DispatchQueue.concurrentPerform(iterations: batch.count) { k in
                    out.strings[k] = text(t, cell: batch[k].cell, id: ids[batch[k].cell], reps: batch[k].reps)
                }
            }
            for text in texts { try emit(text) }
        }
    }

    static func text(_ t: ReplicateTable, cell c: Int, id: String, reps: Range<Int>) -> String {
        var out = ""
        out.reserveCapacity(reps.count * 16 * t.layout.columns.count)
        t.forEachRow(cell: c, replicates: reps) { rep, row in
            out += id
            out += ","
            out += String(rep + 1)
            for k in 0..<row.count {
                out += ","
                out += Format.exact(row[k])
            }
            out += "\n"
        }
        return out
    }
}

/// Lets workers fill disjoint slots of one array of strings.
struct SendableStrings: @unchecked Sendable {
    let strings: UnsafeMutableBufferPointer<String>
    init(_ strings: UnsafeMutableBufferPointer<String>) { self.strings = strings }
}
