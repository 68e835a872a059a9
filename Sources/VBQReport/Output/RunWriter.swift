import Foundation
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

/// Writes a run directory. Every file goes through `AtomicFile`; `summary.json` is written
/// last, so a directory whose summary.json says `complete` has every other file in place.
public enum RunWriter {

    /// Writes the run into `folder` and returns a note about the plots when they could not be
    /// rendered. Every file is first written into a staging folder; the previous run's files are
    /// replaced only when all the new ones are complete, summary.json last.
    @discardableResult
    /// `compress`: replicates.csv.gz (gzip) instead of replicates.csv.
    /// `exportCohorts`: cohorts.csv with the patients of the first this many cohorts per cell.
    public static func write(_ r: RunResult, to folder: RunFolder, commandLine: [String], replicatesFile: Bool = true,
                             compress: Bool = false, exportCohorts: Int? = nil) throws -> String? {
        // A run stopped early; a partial merge of shards is written whole, and says what it lacks.
        if r.status != .complete && r.missingShards.isEmpty { return try writeIncomplete(r, to: folder) }
        let staging = try folder.makeStaging()
        do {
            let plots = staging.appendingPathComponent("plots")
            guard mkdir(plots.path, 0o755) == 0 else {
                throw VBQError(file: folder.url.appendingPathComponent("plots").path, "cannot create: \(String(cString: strerror(errno)))")
            }
            let resolved = "# \(r.scenario.name): the scenario as run, every default filled in (from \(Format.plain(r.scenario.file)))\n"
                + asRun(r).emitted()
            try AtomicFile.write(resolved, to: staging.appendingPathComponent("scenario.resolved.yaml"))
            // The figures are drawn (gnuplot, two at a time) while the tables and the report are
            // written; the page that inlines them waits for them.
            let plotFiles = Plots.files(r)
            for (name, text) in plotFiles { try AtomicFile.write(text, to: plots.appendingPathComponent(name)) }
            let scripts = plotFiles.map(\.0).filter { $0.hasSuffix(".gp") }
            let rendering = Background { try Plots.render(in: plots, scripts: scripts) }
            let report: String
            do {
                report = try writeTables(r, in: staging, replicatesFile: replicatesFile, compress: compress, exportCohorts: exportCohorts)
            } catch {
                _ = try? rendering.outcome()
                throw error
            }
            let note = try rendering.outcome()
            // The same report as one self-contained page, its figures inlined.
            try HTMLPage.write(markdown: report, title: "\(r.scenario.name): cutoff sensitivity report", name: "report.html", in: staging)
            try AtomicFile.write(provenance(r, commandLine: commandLine, plotNote: note,
                                            replicatesFile: replicatesFile ? (compress ? "replicates.csv.gz" : "replicates.csv") : nil).rendered(),
                                 to: staging.appendingPathComponent("provenance.json"))
            try AtomicFile.write(SummaryJSON.make(r).rendered(), to: staging.appendingPathComponent("summary.json"))
            try folder.commit(staging: staging, marker: .complete(r.status == .complete ? r.fingerprint : nil))
            try folder.removeEntry(folder.url.appendingPathComponent(CheckpointLog.fileName))
            return note
        } catch {
            RunFolder.removeTree(staging)
            guard var e = folder.naming(error, staging: staging) as? VBQError, r.checkpointFailure == nil else {
                throw folder.naming(error, staging: staging)
            }
            // A merge keeps no checkpoint: its shards are where its cohorts are kept.
            e.message += r.shards.isEmpty
                ? "; all \(r.table.completed.count) cohorts are kept in \(CheckpointLog.fileName): fix this and run the same command with --resume to write the results without simulating again"
                : "; the shard files are unchanged: fix this and run the same merge again"
            throw e
        }
    }

    /// The tables, their columns.json and report.md, into `staging`; returns the report.
    private static func writeTables(_ r: RunResult, in staging: URL, replicatesFile: Bool, compress: Bool, exportCohorts: Int?) throws -> String {
        if replicatesFile && compress {
            try AtomicFile.writeGzip(to: staging.appendingPathComponent("replicates.csv.gz")) { write in try ReplicatesCSV.write(r, write) }
        } else if replicatesFile {
            try AtomicFile.write(to: staging.appendingPathComponent("replicates.csv")) { write in try ReplicatesCSV.write(r, write) }
        }
        try AtomicFile.write(SummaryCSV.make(r), to: staging.appendingPathComponent("summary.csv"))
        try AtomicFile.write(CellsCSV.make(r), to: staging.appendingPathComponent("cells.csv"))
        let methods = r.table.layout.methods
        var columns = [("replicates.csv", Columns.replicates(methods: methods)), ("cells.csv", Columns.cells),
                       ("summary.csv", Columns.summary(methods: methods))]
        if r.followUp.contains(where: { $0 != nil }) {
            try AtomicFile.write(Columns.followUpCSV(r), to: staging.appendingPathComponent("follow-up.csv"))
            columns.append(("follow-up.csv", Columns.followUp))
        }
        if r.reanalysis != nil {
            try AtomicFile.write(ReanalysisCSV.summary(r), to: staging.appendingPathComponent("reanalysis.csv"))
            columns.append(("reanalysis.csv", Columns.reanalysis))
            if replicatesFile && compress {
                try AtomicFile.writeGzip(to: staging.appendingPathComponent("reanalysis-replicates.csv.gz")) { write in try ReanalysisCSV.replicates(r, write) }
            } else if replicatesFile {
                try AtomicFile.write(to: staging.appendingPathComponent("reanalysis-replicates.csv")) { write in try ReanalysisCSV.replicates(r, write) }
            }
            if replicatesFile { columns.append(("reanalysis-replicates.csv", Columns.reanalysisReplicates)) }
        }
        if let k = exportCohorts {
            if compress {
                try AtomicFile.writeGzip(to: staging.appendingPathComponent(CohortExport.fileName + ".gz")) { write in try CohortExport.write(r, cohorts: k, write) }
            } else {
                try AtomicFile.write(to: staging.appendingPathComponent(CohortExport.fileName)) { write in try CohortExport.write(r, cohorts: k, write) }
            }
            columns.append((CohortExport.fileName, CohortExport.columns(r)))
        }
        try AtomicFile.write(Columns.json(columns).rendered(), to: staging.appendingPathComponent("columns.json"))
        let report = Report.make(r)
        try AtomicFile.write(report, to: staging.appendingPathComponent("report.md"))
        return report
    }

    /// A run stopped early: its cohorts are in the checkpoint log already. When the folder holds
    /// no complete earlier run, summary.json says `incomplete` and how to finish; a complete
    /// earlier run's files are left as they are until the new run completes.
    static func writeIncomplete(_ r: RunResult, to folder: RunFolder) throws -> String? {
        if let failure = r.checkpointFailure {
            throw VBQError(file: folder.url.appendingPathComponent(CheckpointLog.fileName).path, "the checkpoint could not be written (\(failure)); the cohorts simulated after that are lost")
        }
        guard !folder.holdsCompleteResults else { return nil }
        try AtomicFile.write(JSON.object([
            ("scenario", .string(r.scenario.name)),
            ("seed", .uint(r.seed)),
            ("replicates", .int(r.replicates)),
            ("status", .string(RunStatus.incomplete.rawValue)),
            ("cohorts_done", .int(r.table.completedCount)),
            ("cohorts_total", .int(r.table.completed.count)),
            ("resume", .string("run the same command again with --resume")),
        ]).rendered(), to: folder.url.appendingPathComponent("summary.json"))
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

    static func provenance(_ r: RunResult, commandLine: [String], plotNote: String?, replicatesFile: String?) -> JSON {
        let iso = ISO8601DateFormatter()
        return .object([
            ("vbqlab_version", .string(Release.version)),
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
            ("replicates_file", replicatesFile.map(JSON.string) ?? .null),
        ] + shardProvenance(r))
    }

    /// A merge of shards: which machine ran each shard, when, how long and on how many threads.
    static func shardProvenance(_ r: RunResult) -> [(String, JSON)] {
        guard !r.shards.isEmpty else { return [] }
        let iso = ISO8601DateFormatter()
        return [("shards", .array(r.shards.map { h in
            .object([("shard", .string(h.shard.description)), ("host", .string(h.host)), ("threads", .int(h.threads)),
                     ("start_time", .string(iso.string(from: Date(timeIntervalSince1970: h.started)))),
                     ("compute_seconds", .num((h.computeSeconds * 1000).rounded() / 1000))])
        })), ("missing_shards", .array(r.missingShards.map { .int($0) }))]
    }
}
