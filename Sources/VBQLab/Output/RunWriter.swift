import Foundation

/// Writes a run directory. Every file goes through `AtomicFile`; `summary.json` is written
/// last, so a directory whose summary.json says `complete` has every other file in place.
public enum RunWriter {
    public static let version = "0.1.0"

    /// Writes the run and returns a note about the plots when they could not be rendered.
    @discardableResult
    public static func write(_ r: RunResult, to dir: URL, commandLine: [String]) throws -> String? {
        let fm = FileManager.default
        let plots = dir.appendingPathComponent("plots")
        do {
            try fm.createDirectory(at: plots, withIntermediateDirectories: true)
        } catch {
            throw VBQError(file: dir.path, "cannot create the output folder: \(error.localizedDescription)")
        }
        // A previous summary.json would claim completeness while files are replaced.
        try? fm.removeItem(at: dir.appendingPathComponent("summary.json"))
        if r.status != "complete" { return try writeIncomplete(r, to: dir) }

        let resolved = "# \(r.scenario.name): the scenario as run, every default filled in (from \(r.scenario.file))\n"
            + asRun(r).emitted()
        try AtomicFile.write(resolved, to: dir.appendingPathComponent("scenario.resolved.yaml"))
        try AtomicFile.write(to: dir.appendingPathComponent("replicates.csv")) { write in try ReplicatesCSV.write(r, write) }
        try AtomicFile.write(SummaryCSV.make(r), to: dir.appendingPathComponent("summary.csv"))
        try AtomicFile.write(Report.make(r), to: dir.appendingPathComponent("report.md"))
        let plotFiles = Plots.files(r)
        for (name, text) in plotFiles { try AtomicFile.write(text, to: plots.appendingPathComponent(name)) }
        let note = Plots.render(in: plots, scripts: plotFiles.map(\.0).filter { $0.hasSuffix(".gp") })
        try AtomicFile.write(provenance(r, commandLine: commandLine, plotNote: note).rendered(),
                             to: dir.appendingPathComponent("provenance.json"))
        try AtomicFile.write(SummaryJSON.make(r).rendered(), to: dir.appendingPathComponent("summary.json"))
        try? fm.removeItem(at: dir.appendingPathComponent(Checkpoint.fileName))
        return note
    }

    /// A run stopped early: its rows go to the checkpoint, stale results from an earlier run are
    /// removed, and summary.json says `incomplete` and how to finish.
    static func writeIncomplete(_ r: RunResult, to dir: URL) throws -> String? {
        for f in ["summary.csv", "replicates.csv", "report.md", "provenance.json", "scenario.resolved.yaml"] {
            try? FileManager.default.removeItem(at: dir.appendingPathComponent(f))
        }
        try? FileManager.default.removeItem(at: dir.appendingPathComponent("plots"))
        try Checkpoint.write(r.table, fingerprint: r.fingerprint, to: dir.appendingPathComponent(Checkpoint.fileName))
        let total = r.table.completed.count
        try AtomicFile.write(JSON.object([
            ("scenario", .string(r.scenario.name)),
            ("seed", .uint(r.seed)),
            ("replicates", .int(r.replicates)),
            ("status", .string("incomplete")),
            ("cohorts_done", .int(r.table.completedCount)),
            ("cohorts_total", .int(total)),
            ("resume", .string("run the same command again with --resume")),
        ]).rendered(), to: dir.appendingPathComponent("summary.json"))
        return nil
    }

    /// The resolved scenario with the seed and replicates actually used (command-line overrides).
    static func asRun(_ r: RunResult) -> YNode {
        guard case let .map(entries, line) = r.scenario.resolvedNode else { return r.scenario.resolvedNode }
        return .map(entries.map { e in
            switch e.key {
            case "seed": return YEntry(key: e.key, value: .scalar(String(r.seed), line: nil))
            case "replicates": return YEntry(key: e.key, value: .scalar(String(r.replicates), line: nil))
            default: return e
            }
        }, line: line)
    }

    static func provenance(_ r: RunResult, commandLine: [String], plotNote: String?) -> JSON {
        let iso = ISO8601DateFormatter()
        return .object([
            ("vbqlab_version", .string(version)),
            ("gsl_version", .string(GSL.version)),
            ("scenario", .string(r.scenario.name)),
            ("scenario_file", .string(r.scenario.file)),
            ("seed", .uint(r.seed)),
            ("replicates", .int(r.replicates)),
            ("threads", .int(r.threads)),
            ("random_generator", .string("xoshiro256** registered as a gsl_rng_type; stream (cell, replicate) keyed by a SplitMix64 seed tree")),
            ("start_time", .string(iso.string(from: r.started))),
            ("compute_seconds", .num((r.wallSeconds * 1000).rounded() / 1000)),
            ("wall_seconds", .num((Date().timeIntervalSince(r.started) * 1000).rounded() / 1000)),
            ("command_line", .array(commandLine.map(JSON.string))),
            ("plots", .string(plotNote ?? "rendered with gnuplot")),
        ])
    }
}
