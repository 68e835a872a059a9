import Foundation
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

/// The CSV files of a run and a power sweep, tidy: one observation per row, the same columns for
/// every scenario (factor levels are in `cells.csv`, long), `NA` the only missing value,
/// booleans `TRUE`/`FALSE`. Every column is described in `Columns` (written as `columns.json`).
public enum Columns {
    public struct Column: Sendable {
        public let name: String
        /// "string", "integer", "number" or "logical".
        public let type: String
        public let description: String
    }

    static func c(_ name: String, _ type: String, _ description: String) -> Column { Column(name: name, type: type, description: description) }

    /// The tidy replicates.csv of a run whose layout holds `methods`: one row per cohort and
    /// cutoff (each estimator's, then each fixed one), the cohort's values repeated on each.
    public static func replicates(methods: [EstimationMethod]) -> [Column] {
        [c("scenario", "string", "scenario name"),
         c("cell", "string", "cell id (c1, c2, ...); its factor levels are in cells.csv"),
         c("replicate", "integer", "simulated cohort, 1 to the number of replicates")]
            + CohortValue.tidy.map { c($0.rawValue, $0.type, $0.meaning) }
            + [c("method", "string", "\(methodNames(methods)): the cohort's estimated Youden cutoff; fixed: a fixed external cutoff (e.g. 3.3)")]
            + MethodValue.tidy.map { c($0.rawValue, $0.type, $0.meaning) }
    }

    /// "empirical, binormal or kernel": the default estimators and any other `methods` holds.
    static func methodNames(_ methods: [EstimationMethod]) -> String {
        let names = EstimationMethod.named(using: methods).map(\.rawValue)
        return names.count < 2 ? names.joined() : names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1]
    }

    public static let cells: [Column] = [
        c("scenario", "string", "scenario name"),
        c("cell", "string", "cell id"),
        c("label", "string", "the cell's factor levels in one string (baseline without factors)"),
        c("contrast", "string", "what differs from the reference cell, in short (e.g. share_1_5T = 1; reference for the reference itself, baseline without factors): for legends"),
        c("reference", "logical", "whether this is the reference cell"),
        c("size", "integer", "patients per cohort"),
        c("prevalence", "number", "share of events in the population (NA for the mechanistic family, where the outcome model sets it; see summary.csv truth_prevalence)"),
        c("factor", "string", "a varied parameter's path (NA for a scenario without factors)"),
        c("level", "string", "its level in this cell"),
    ]

    public static func summary(methods: [EstimationMethod]) -> [Column] { [
        c("scenario", "string", "scenario name"),
        c("cell", "string", "cell id; factor levels in cells.csv"),
        c("reference", "logical", "whether this is the reference cell"),
        c("method", "string", "\(methodNames(methods)); fixed for a fixed external cutoff; NA for quantities of the cell (truth, AUC, degenerate cohorts)"),
        c("cutoff", "number", "the fixed cutoff a row is about (method fixed, and statistic p_at_or_below); NA otherwise"),
        c("quantity", "string", "what is summarised (truth_cutoff, auc, cutoff, youden_j, sensitivity, optimism, ...; see the README)"),
        c("statistic", "string", "value, count, n, mean, sd, q025, q250, q500, q750, q975, target, bias, rmse, proportion, p_beyond_precision or p_at_or_below"),
        c("value", "number", "the statistic's value"),
        c("mcse", "number", "its Monte Carlo standard error (for a truth: its numerical error); NA where none applies"),
    ] }

    public static let power: [Column] = [
        c("scenario", "string", "scenario name"),
        c("target", "string", "auc_above, auc_ci, sensitivity, specificity, cutoff_precision, cutoff_range or drift"),
        c("target_id", "string", "the target with its parameters in one string (as in power.json)"),
        c("method", "string", "the cutoff method a cutoff target is about; NA otherwise"),
        c("cutoff", "number", "the fixed cutoff of a sensitivity or specificity target; NA otherwise"),
        c("null", "number", "auc_above: the AUC under the null hypothesis; NA otherwise"),
        c("sides", "integer", "auc_above: 1 or 2 sided test; NA otherwise"),
        c("half_width", "number", "auc_ci, sensitivity, specificity: the half-width to reach; NA otherwise"),
        c("delta", "number", "cutoff_precision: the distance from c* to stay within; NA otherwise"),
        c("width", "number", "cutoff_range: the width of the 95% range to stay below; NA otherwise"),
        c("compare", "string", "drift: the compared cell's factor levels; NA otherwise"),
        c("n", "integer", "cohort size"),
        c("events", "number", "expected events per cohort"),
        c("value", "number", "probability of meeting the target (cutoff_range: the 95% range of the cutoff)"),
        c("mcse", "number", "Monte Carlo standard error of value"),
        c("analytic", "number", "the formula's value at this n (NA where no formula applies)"),
    ]

    /// `columns.json`: every CSV file's columns, in order, with type and meaning.
    public static func json(_ files: [(String, [Column])]) -> JSON {
        .object(files.map { file, columns in
            (file, .array(columns.map { .object([("name", .string($0.name)), ("type", .string($0.type)), ("description", .string($0.description))]) }))
        })
    }

    static func header(_ columns: [Column]) -> String { CSVText.row(columns.map(\.name)) }
}

/// `cells.csv`: one row per cell × factor (the factor levels, long, so files of any scenarios stack).
public enum CellsCSV {
    public static func make(_ r: RunResult) -> String {
        var out = Columns.header(Columns.cells)
        for cell in r.design.cells {
            let m = cell.model
            let prefix = [r.scenario.name, cell.id, cell.label, r.design.cellName(cell), CSVText.bool(cell.isReference),
                          String(m.cohort.size), Format.exact(m.cohort.prevalence)]
            if cell.factors.isEmpty {
                out += CSVText.row(prefix + ["NA", "NA"])
            } else {
                for f in cell.factors { out += CSVText.row(prefix + [f.name, f.level]) }
            }
        }
        return out
    }
}

/// `summary.csv`: one row per cell × method × quantity × statistic (× fixed cutoff).
public enum SummaryCSV {
    public static func make(_ r: RunResult) -> String {
        var out = Columns.header(Columns.summary(methods: r.table.layout.methods))
        for s in r.summaries {
            let prefix = [r.scenario.name, s.cell.id, CSVText.bool(s.cell.isReference)]
            func add(_ method: String?, _ cutoff: Double?, _ quantity: String, _ statistic: String, _ value: Double, _ mcse: Double = .nan) {
                out += CSVText.row(prefix + [method ?? "NA", cutoff.map(Format.exact) ?? "NA", quantity, statistic, Format.exact(value), Format.exact(mcse)])
            }
            func addStat(_ method: String?, _ cutoff: Double?, _ quantity: String, _ st: Stat?) {
                guard let st else { return }
                add(method, cutoff, quantity, "n", Double(st.n))
                add(method, cutoff, quantity, "mean", st.mean, st.mcseMean)
                add(method, cutoff, quantity, "sd", st.sd, st.mcseSD)
                add(method, cutoff, quantity, "q025", st.q025, st.mcseQ025)
                add(method, cutoff, quantity, "q250", st.q250, st.mcseQ250)
                add(method, cutoff, quantity, "q500", st.q500, st.mcseQ500)
                add(method, cutoff, quantity, "q750", st.q750, st.mcseQ750)
                add(method, cutoff, quantity, "q975", st.q975, st.mcseQ975)
                if st.target.isFinite {
                    add(method, cutoff, quantity, "target", st.target)
                    add(method, cutoff, quantity, "bias", st.bias, st.mcseBias)
                    add(method, cutoff, quantity, "rmse", st.rmse, st.mcseRMSE)
                }
            }
            add(nil, nil, "truth_cutoff", "value", s.truth.cutoff, s.truth.cutoffError)
            add(nil, nil, "truth_youden_j", "value", s.truth.youdenJ, s.truth.youdenError)
            add(nil, nil, "truth_auc", "value", s.truth.auc, s.truth.aucError)
            add(nil, nil, "truth_prevalence", "value", s.truth.prevalence)
            add(nil, nil, "degenerate", "count", Double(s.degenerateTotal))
            addStat(nil, nil, "auc", s.auc)
            addStat(nil, nil, "auc_delong_se", s.aucStandardError)
            add(nil, nil, "auc_ci_coverage", "proportion", s.aucCoverage.value, s.aucCoverage.mcse)
            for m in s.methods {
                let name = m.method.rawValue
                add(name, nil, "failures", "count", Double(m.failures))
                addStat(name, nil, "cutoff", m.cutoff)
                add(name, nil, "cutoff", "p_beyond_precision", m.beyondPrecision.value, m.beyondPrecision.mcse)
                addStat(name, nil, "youden_j", m.youdenJ)
                addStat(name, nil, "sensitivity", m.sensitivity)
                addStat(name, nil, "specificity", m.specificity)
                addStat(name, nil, "true_youden_j", m.trueYoudenJ)
                addStat(name, nil, "optimism", m.optimism)
                addStat(name, nil, "auc", m.auc)
                if let k = m.criterion {
                    // A criterion other than Youden's J: its c*, and its own value at ĉ (negated
                    // for a criterion made smallest, so larger is always better).
                    add(name, nil, "criterion_cutoff", "value", m.target.cutoff, m.target.error)
                    addStat(name, nil, "criterion_value", k.apparent)
                    addStat(name, nil, "true_criterion_value", k.trueValue)
                    addStat(name, nil, "criterion_optimism", k.optimism)
                    if let f = k.floorMet { add(name, nil, "criterion_floor_met", "proportion", f.value, f.mcse) }
                }
                for rank in m.fixedCutoffRanks {
                    add(name, rank.cutoff, "cutoff", "p_at_or_below", rank.below.value, rank.below.mcse)
                }
                if let d = m.drift {
                    add(name, nil, "drift_truth", "value", d.truth, d.truthError)
                    add(name, nil, "drift_mean_cutoff", "value", d.meanCutoff, d.mcse)
                }
            }
            for f in s.fixed {
                addStat("fixed", f.cutoff, "sensitivity", f.sensitivity)
                addStat("fixed", f.cutoff, "specificity", f.specificity)
                addStat("fixed", f.cutoff, "ppv", f.ppv)
                addStat("fixed", f.cutoff, "npv", f.npv)
            }
        }
        return out
    }
}

/// `replicates.csv`: one row per simulated cohort × estimate (each method's cutoff, each fixed
/// cutoff), the cohort's own columns repeated on each of its rows.
public enum ReplicatesCSV {
    /// The whole file as one string (for small runs and tests).
    public static func make(_ r: RunResult) -> String {
        var out = ""
        write(r) { out += $0 }
        return out
    }

    /// The file in pieces of 2,048 cohorts, so a run of millions of cohorts is never held as
    /// text. The pieces are formatted on every core, eight at a time, and emitted in order.
    public static func write(_ r: RunResult, _ emit: (String) throws -> Void) rethrows {
        let t = r.table
        try emit(Columns.header(Columns.replicates(methods: r.table.layout.methods)))
        let rowsPerPiece = 2048
        var pieces: [(cell: Int, reps: Range<Int>)] = []
        for c in r.design.cells.indices {
            for start in stride(from: 0, to: t.replicates, by: rowsPerPiece) {
                pieces.append((c, start..<min(start + rowsPerPiece, t.replicates)))
            }
        }
        for first in stride(from: 0, to: pieces.count, by: 8) {
            let batch = Array(pieces[first..<min(first + 8, pieces.count)])
            let texts = Parallel.map(batch.count, threads: batch.count) { k in text(r, cell: batch[k].cell, reps: batch[k].reps) }
            for text in texts { try emit(text) }
        }
    }

    static func text(_ r: RunResult, cell c: Int, reps: Range<Int>) -> String {
        let t = r.table, layout = t.layout
        let cell = r.design.cells[c], truth = r.truths[c]
        let head = CSVText.field(r.scenario.name) + "," + cell.id + ","
        // The tidy order of the cohort's values: counts and acceptance, the degeneracy as a word, the AUC.
        let base = CohortValue.tidy.prefix { $0 != .degenerate }.map(layout.column)
        let degenerate = layout.column(.degenerate)
        let aucs = CohortValue.tidy.drop { $0 != .degenerate }.dropFirst().map(layout.column)
        // Every method and fixed cutoff of a cell is in the layout (it covers all cells').
        let methods = cell.model.methods.map { m in (m.rawValue, MethodValue.tidy.compactMap { layout.column(.method(m, $0)) }) }
        let fixed = cell.model.fixedCutoffs.map { fc -> (Double, [Int], Double, Double) in
            (fc, FixedValue.allCases.compactMap { layout.column(.fixed(fc, $0)) }, truth.sensitivity(at: fc), truth.specificity(at: fc))
        }
        let names = CohortAnalysis.Degeneracy.allCases
        var out = ""
        out.reserveCapacity(reps.count * (methods.count + fixed.count) * 200)
        t.forEachRow(cell: c, replicates: reps) { rep, row in
            var cohort = head + String(rep + 1)
            for k in base { cohort += "," + Format.exact(row[k]) }
            let code = row[degenerate]
            cohort += "," + (code >= 1 ? (names.first { Double($0.rawValue) == code }?.name ?? "NA") : "NA")
            for k in aucs { cohort += "," + Format.exact(row[k]) }
            for (name, cols) in methods {
                out += cohort
                out += "," + name
                for k in cols { out += ","; out += Format.exact(row[k]) }
                out += "\n"
            }
            let n1 = row[base[0]], n0 = row[base[1]]
            for (fc, cols, trueSens, trueSpec) in fixed {
                let sens = row[cols[0]], spec = row[cols[1]]
                let j = sens + spec - 1, trueJ = trueSens + trueSpec - 1
                let accuracy = n1 + n0 > 0 ? (sens * n1 + spec * n0) / (n1 + n0) : .nan
                out += cohort
                out += ",fixed," + Format.exact(fc)
                for v in [sens, spec, row[cols[2]], row[cols[3]], accuracy, j, trueSens, trueSpec, trueJ, j - trueJ] {
                    out += ","; out += Format.exact(v)
                }
                out += ",NA\n"
            }
        }
        return out
    }
}
