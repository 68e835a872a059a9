import Foundation
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

/// `run --export-cohorts K` (and `merge --export-cohorts K`): the patients of the first K
/// cohorts of each cell, one row each, in cohorts.csv. Each cohort is drawn again from its own
/// stream (cell, replicate) of the run's seed tree — the same patients the run analysed, whatever
/// the threads or the shards that ran it.
public enum CohortExport {
    /// The file's name (cohorts.csv.gz with --compress).
    public static let fileName = "cohorts.csv"

    /// Refuses K beyond the run's replicates or an export beyond `Limits.exportedPatients`
    /// (checked before anything is simulated).
    public static func check(_ k: Int, design: Design, replicates: Int) throws {
        guard k >= 1 else { throw VBQError(key: "--export-cohorts", "must be at least 1 (got \(k))") }
        let cohorts = min(k, replicates)
        let patients = design.cells.reduce(0) { $0 + cohorts * $1.model.cohort.size }
        guard patients <= Limits.exportedPatients else {
            throw VBQError(key: "--export-cohorts", "\(cohorts) cohorts of each of \(design.cells.count) cells is \(patients) patient rows, more than the limit of \(Limits.exportedPatients); export fewer cohorts")
        }
    }

    /// The columns: every family's, then the mechanistic family's.
    public static func columns(mechanistic: Bool) -> [Columns.Column] {
        var c: [Columns.Column] = [
            Columns.c("scenario", "string", "scenario name"),
            Columns.c("cell", "string", "cell id (its factor levels are in cells.csv)"),
            Columns.c("replicate", "integer", "simulated cohort, as in replicates.csv (1 = the first)"),
            Columns.c("patient", "integer", "patient within the cohort: the order drawn (mechanistic); events first, then non-events (class_conditional)"),
            Columns.c("score", "number", "the recorded VBQ score (shortest text that reads back as the same double)"),
            Columns.c("outcome", "integer", "1 = failure as the cell's definition counts it, 0 = none"),
        ]
        guard mechanistic else { return c }
        c += [
            Columns.c("age", "number", "age in years"),
            Columns.c("female", "integer", "1 = female"),
            Columns.c("chronic_disease", "integer", "1 = a chronic disease"),
            Columns.c("steroids", "integer", "1 = long-term steroids"),
            Columns.c("bmi", "number", "body-mass index, kg/m²"),
            Columns.c("segments", "integer", "fused segments"),
            Columns.c("true_vbq", "number", "true bone quality: the noiseless score at 3.0 T with CSF at L3"),
            Columns.c("field_strength", "number", "field strength of the patient's scan, tesla (1.5 or 3)"),
            Columns.c("csf_level", "string", "where the CSF signal was measured (L3, or the fallback level used)"),
            Columns.c("third_reader", "integer", "1 = the readers disagreed and a third reader's value was recorded"),
        ]
        for mode in FailureDefinition.allModes {
            c += [Columns.c(mode, "integer", "1 = \(mode.replacingOccurrences(of: "_", with: " ")) occurred"),
                  Columns.c("\(mode)_revised", "integer", "1 = it led to revision surgery"),
                  Columns.c("\(mode)_imaged", "integer", "1 = imaging reported it (possible where it did not occur: a false positive)")]
        }
        return c
    }

    /// Whether any cell of the run is mechanistic (the file then has the mechanistic columns).
    static func mechanistic(_ r: RunResult) -> Bool {
        r.design.cells.contains { if case .mechanistic = $0.model.generator { return true } else { return false } }
    }

    /// The run's file's columns.
    public static func columns(_ r: RunResult) -> [Columns.Column] { columns(mechanistic: mechanistic(r)) }

    /// Writes the header and the rows of the first `k` cohorts of each cell that the run completed.
    public static func write(_ r: RunResult, cohorts k: Int, _ emit: (String) throws -> Void) throws {
        let mechanistic = mechanistic(r)
        try emit(Columns.header(columns(mechanistic: mechanistic)))
        // A class-conditional cell in a file with the mechanistic columns: those are NA.
        let pad = String(repeating: ",NA", count: columns(mechanistic: true).count - columns(mechanistic: false).count)
        let tree = SeedTree(root: r.seed)
        let rng = RandomStream()
        let name = CSVText.field(r.scenario.name)
        let modes = FailureDefinition.allModes.count
        var events: [Double] = [], nonEvents: [Double] = []
        for cell in r.design.cells {
            let generator = CohortGenerator(model: cell.model)
            var levels = ["L3"]
            if case let .mechanistic(m) = cell.model.generator { levels += m.fallbackLevels.map(CSVText.field) }
            for rep in 0..<min(k, r.replicates) where r.table.completed[cell.index * r.replicates + rep] {
                rng.reset(to: tree.cohortState(cell: cell.streamKey, replicate: UInt64(rep)))
                var out = ""
                let head = name + "," + cell.id + "," + String(rep + 1) + ","
                func bit(_ b: Bool) -> String { b ? "1" : "0" }
                if case .mechanistic = cell.model.generator {
                    for (i, p) in generator.patients(rng).enumerated() {
                        out += head + String(i + 1) + "," + Format.exact(p.score) + "," + bit(p.event) + ","
                        out += Format.exact(p.age) + "," + bit(p.female) + "," + bit(p.chronicDisease) + "," + bit(p.steroids) + ","
                        out += Format.exact(p.bmi) + "," + String(p.segments) + "," + Format.exact(p.v) + "," + (p.is15T ? "1.5" : "3") + ","
                        out += levels[p.csfLevelIndex + 1] + "," + bit(p.thirdReader)
                        for m in 0..<modes {
                            let mask = UInt8(1) << m
                            out += "," + bit(p.occurred & mask != 0) + "," + bit(p.revised & mask != 0) + "," + bit(p.imaged & mask != 0)
                        }
                        out += "\n"
                    }
                } else {
                    generator.generate(rng, events: &events, nonEvents: &nonEvents)
                    for (i, s) in (events.map { ($0, "1") } + nonEvents.map { ($0, "0") }).enumerated() {
                        out += head + String(i + 1) + "," + Format.exact(s.0) + "," + s.1 + (mechanistic ? pad : "") + "\n"
                    }
                }
                try emit(out)
            }
        }
    }
}
