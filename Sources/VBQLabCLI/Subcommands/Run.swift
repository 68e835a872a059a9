import ArgumentParser
import Foundation
import VBQLab

extension VBQLabCommand {
    /// Runs a scenario and writes its run directory.
    ///
    ///     vbqlab run                                    # built-in default scenario
    ///     vbqlab run scenarios/wu2025-baseline.yaml --replicates 2000 --threads 2 --out /tmp/run
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a scenario and write summary.json, summary.csv, replicates.csv, report.md and plots.",
            discussion: "Without SCENARIO it runs the built-in default scenario (\(DefaultScenarios.defaultName)). Results are byte-identical for any --threads.")

        @Argument(help: "Scenario file (YAML), or the name of a shipped scenario. Default: \(DefaultScenarios.defaultName).")
        var scenario: String?

        @Option(help: "Replicates (simulated cohorts) per cell; overrides the scenario's value.")
        var replicates: Int?

        @OptionGroup var common: CommonOptions

        @Flag(help: "Few replicates (at most \(Runner.quickReplicates) per cell) and a coarser mechanistic truth (2,048 quasi-random points per shift instead of 8,192), for demonstrations and tests.")
        var quick = false

        @Flag(name: .customLong("no-replicates"), help: "Do not write replicates.csv (one row per simulated cohort); the summaries, report and figures are the same.")
        var noReplicates = false

        @Flag(help: "Write replicates.csv.gz (gzip; R and pandas read it as it is) instead of replicates.csv.")
        var compress = false

        @Option(name: .customLong("export-cohorts"), help: ArgumentHelp("Also write cohorts.csv: every patient of the first K cohorts of each cell (score, outcome and, for mechanistic cells, covariates, true VBQ, field strength, CSF level and failure modes), drawn again from the cohorts' own streams.", valueName: "K"))
        var exportCohorts: Int?

        @Flag(help: "No progress bar.")
        var quiet = false

        @Flag(help: "Finish a run that was stopped early (Ctrl-C, a kill, a power cut) in the same output folder; the result is identical to an uninterrupted run.")
        var resume = false

        @Flag(help: "Discard the cohorts of an interrupted run kept in the output folder and start again.")
        var fresh = false

        @Option(help: ArgumentHelp("Run only part I of N of the design (e.g. 2/4) and write shard-I-of-N.vbqshard into the output folder; vbqlab merge combines the N shards into the run, byte-identical to an unsharded one.", valueName: "I/N"))
        var shard: String?

        @Option(name: .customLong("stop-after"), help: ArgumentHelp("Stop after this many cohorts, as if interrupted (for demonstrations and tests).", visibility: .hidden))
        var stopAfter: Int?

        func validate() throws {
            if let replicates, replicates < 1 || replicates > Limits.replicates {
                throw ValidationError("--replicates must be between 1 and \(Limits.replicates) (got \(replicates))")
            }
            if resume && fresh { throw ValidationError("give --resume or --fresh, not both") }
            if quick && replicates != nil { throw ValidationError("give --quick or --replicates, not both") }
            if let stopAfter, stopAfter < 1 { throw ValidationError("--stop-after must be at least 1") }
            if shard != nil && (resume || fresh || stopAfter != nil) {
                throw ValidationError("--shard runs a part whole: give it without --resume, --fresh or --stop-after")
            }
            if shard != nil && (noReplicates || compress) { throw ValidationError("--no-replicates and --compress belong to vbqlab merge, which writes replicates.csv; a shard keeps every cohort") }
            if noReplicates && compress { throw ValidationError("give --no-replicates or --compress, not both") }
            if shard != nil && exportCohorts != nil { throw ValidationError("--export-cohorts belongs to vbqlab merge, which writes the results; a shard writes only its cohorts' records") }
            if let exportCohorts, exportCohorts < 1 { throw ValidationError("--export-cohorts must be at least 1 (got \(exportCohorts))") }
        }

        func run() throws {
            do {
                let scenario = try loadScenario(self.scenario)
                var request = RunRequest(scenario: scenario, replicates: replicates, seed: common.seed, threads: common.threads, quick: quick)
                if let shard {
                    try runShard(request, try ShardSpec(parsing: shard))
                    return
                }
                // The folder is made (or verified as vbqlab's) before anything is simulated.
                if let exportCohorts { try CohortExport.check(exportCohorts, design: try Design(scenario), replicates: request.effectiveReplicates) }
                let folder = try RunFolder(path: common.out ?? "output/\(scenario.name)", kind: .run, option: common.out == nil ? "name" : "--out")
                let dir = folder.url
                request.folder = folder
                request.resume = resume
                request.fresh = fresh
                let quiet = self.quiet
                request.onEstimate = { cost in
                    if !quiet && cost.seconds > 30 {
                        FileHandle.standardError.write(Data("this run: \(cost.cohorts) cohorts, about \(Limits.bytes(cost.bytes)) of memory and roughly \(ProgressBar.duration(cost.seconds)) (Ctrl-C stops it; --resume finishes it later)\n".utf8))
                    }
                }
                let bar = ProgressBar(enabled: !quiet && isatty(STDERR_FILENO) == 1)
                if case .mechanistic = scenario.model.generator {
                    let status = StatusLine(enabled: !quiet && isatty(STDERR_FILENO) == 1)
                    let started = Date()
                    request.onTruth = { i, cells in
                        guard i < cells else { status.finish(); return }
                        let elapsed = Date().timeIntervalSince(started)
                        let eta = i > 0 ? ", about \(ProgressBar.duration(elapsed / Double(i) * Double(cells - i))) left" : ""
                        status.update?("the truth of cell \(i + 1) of \(cells)\(eta)")
                    }
                }
                // Ctrl-C or SIGTERM stops the workers; what is done is kept for --resume.
                let control = RunControl(stopAfter: stopAfter)
                // Before the first cohort (truth, set-up) there is nothing to keep: stop at once.
                let stop = StopOnSignal(control: control, before: "interrupted before any cohort was simulated; nothing to keep")
                defer { stop.restore() }
                let result: RunResult
                do {
                    result = try Runner.run(request, progress: bar.update, control: control)
                } catch let done as RunAlreadyComplete {
                    print("\(done.folder)/ already holds this run, complete; nothing to resume")
                    return
                }
                bar.finish()
                // The cohorts are simulated and logged: from here Ctrl-C stops at once (the results
                // are staged, so nothing half-written is left, and --resume rewrites them).
                stop.restore()
                let kept = folder.holdsCompleteResults
                let note = try RunWriter.write(result, to: folder, commandLine: CommandLine.arguments, replicatesFile: !noReplicates, compress: compress,
                                               exportCohorts: exportCohorts)
                if result.status != .complete {
                    let old = kept ? " (the complete results of the earlier run there are unchanged)" : ""
                    FileHandle.standardError.write(Data("stopped early: \(result.table.completedCount) of \(result.table.completed.count) cohorts done and kept in \(dir.path)/\(CheckpointLog.fileName)\(old); run the same command with --resume to finish\n".utf8))
                    throw ExitCode(130)
                }
                printSummary(result, dir: dir, seconds: Date().timeIntervalSince(result.started))
                if result.replicates < Report.fewReplicates {
                    FileHandle.standardError.write(Data("note: \(result.replicates) cohorts per cell: quantiles and tail probabilities are rough; use at least \(Report.fewReplicates) before quoting them (report.md says so too)\n".utf8))
                }
                if let note { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
            } catch {
                throw fail(error)
            }
        }

        /// One shard of the run: simulated, written whole into the output folder, or nothing.
        func runShard(_ request: RunRequest, _ shard: ShardSpec) throws {
            let scenario = request.scenario
            let path = common.out ?? "output/\(scenario.name)"
            let folder = try RunFolder(path: path, kind: .run, option: common.out == nil ? "name" : "--out", shared: true)
            let bar = ProgressBar(enabled: !quiet && isatty(STDERR_FILENO) == 1)
            let control = RunControl()
            let stop = StopOnSignal(control: control, before: "interrupted before any cohort was simulated; nothing written")
            defer { stop.restore() }
            let header: ShardFile.Header
            do {
                header = try Runner.runShard(request, shard: shard, folder: folder, progress: bar.update, control: control)
            } catch let s as ShardStopped {
                bar.finish()
                FileHandle.standardError.write(Data("stopped: shard \(shard) had \(s.done) of \(s.total) cohorts; nothing written (a shard is run again whole)\n".utf8))
                throw ExitCode(130)
            }
            bar.finish()
            let reps = header.replicates
            let rows = header.units
            let cells = rows.isEmpty ? "no cohorts (more shards than work)" :
                "\(rows.count) cohorts, cells c\(rows.lowerBound / reps + 1)–c\((rows.upperBound - 1) / reps + 1)"
            var o = "\(scenario.name): shard \(shard): \(cells)\(CLIOutput.timings ? ", \(String(format: "%.1f", header.computeSeconds)) s on \(header.threads) thread\(header.threads == 1 ? "" : "s")" : "")\n"
            o += "wrote \(displayPath(folder.url))/\(shard.fileName)\n"
            o += "when all \(shard.count) shards are done: vbqlab merge \(Shell.quote(displayPath(folder.url)))\n"
            print(printableText(o), terminator: "")
        }

        func printSummary(_ r: RunResult, dir: URL, seconds: Double) {
            printRunSummary(r, dir: dir, seconds: seconds, replicatesFile: noReplicates ? nil : (compress ? "replicates.csv.gz" : "replicates.csv"),
                            cohortsFile: exportCohorts.map { _ in CohortExport.fileName + (compress ? ".gz" : "") })
        }
    }
}

/// What `run` and `merge` print: the design, the reference cell's truth and estimates, the folder.
func printRunSummary(_ r: RunResult, dir: URL, seconds: Double, replicatesFile: String?, cohortsFile: String? = nil) {
    let timing = CLIOutput.timings ? ", \(String(format: "%.1f", seconds)) s on \(r.threads) thread\(r.threads == 1 ? "" : "s")" : ""
    var o = "\(r.scenario.name): \(r.design.cells.count) cell\(r.design.cells.count == 1 ? "" : "s") × \(r.replicates) replicates, seed \(r.seed)\(timing)\n"
    if let ref = r.summaries.first(where: { $0.cell.isReference }) {
        let label = ref.cell.label.count <= 60 ? " (\(ref.cell.label))" : ""
        o += "reference \(ref.cell.id)\(label): c* = \(Format.fixed(ref.truth.cutoff, 4)), J* = \(Format.fixed(ref.truth.youdenJ, 4)), AUC* = \(Format.fixed(ref.truth.auc, 4))\n"
        for m in ref.methods {
            guard let c = m.cutoff else { continue }
            o += "  \(m.method.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) mean ĉ \(Format.fixed(c.mean, 3)) (SD \(Format.fixed(c.sd, 3))), 95% of cohorts in \(Format.fixed(c.q025, 3))–\(Format.fixed(c.q975, 3)), \(m.method.estimator.criterion.isYouden ? "optimism" : "J optimism") \(Format.fixed(m.optimism?.mean ?? .nan, 3))\n"
        }
    }
    if let re = r.reanalysis {
        o += "re-analysis as the paper did: \(re.cohorts) cohorts per cell (covariate AUCs, logistic \(re.spec.methods.map(\.rawValue).joined(separator: " + ")), correlations)\n"
    }
    var files = "report.md, summary.json, summary.csv, \(replicatesFile.map { $0 + ", " } ?? "")cells.csv, columns.json"
    if r.reanalysis != nil {
        files += ", reanalysis.csv" + (replicatesFile.map { ", reanalysis-" + $0 } ?? "")
    }
    if let cohortsFile { files += ", " + cohortsFile }
    o += "wrote \(displayPath(dir))/ (\(files), plots/)\n"
    print(printableText(o), terminator: "")
}

/// A one-line progress bar on stderr, redrawn at most 10 times a second.
final class ProgressBar: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var last = Date.distantPast
    private var shown = false

    init(enabled: Bool) { self.enabled = enabled }

    var update: Simulation.Progress? {
        guard enabled else { return nil }
        return { [self] done, total in self.draw(done, total) }
    }

    private let started = Date()
    private var firstDone: Int? = nil

    private func draw(_ done: Int, _ total: Int) {
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard done == total || now.timeIntervalSince(last) > 0.1 else { return }
        last = now
        let width = 30
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let elapsed = now.timeIntervalSince(started)
        // Cohorts already done when resuming do not count towards the rate.
        let base = firstDone ?? done
        if firstDone == nil { firstDone = done }
        let rate = elapsed > 0.5 && done > base ? Double(done - base) / elapsed : 0
        let eta = rate > 0 ? ", about \(ProgressBar.duration(Double(total - done) / rate)) left" : ""
        FileHandle.standardError.write(Data("\r\(bar) \(100 * done / max(total, 1))%  \(done)/\(total) cohorts, \(ProgressBar.duration(elapsed))\(eta)   ".utf8))
        shown = true
    }

    /// "42 s", "3 min 5 s", "2 h 10 min".
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "–" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min \(s % 60) s" }
        return "\(s / 3600) h \(s % 3600 / 60) min"
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// A one-line status on stderr ("simulating n = 200 (size 4 of 10), 12 s"), redrawn at most
/// 10 times a second, with the time since the start.
final class StatusLine: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private let started = Date()
    private var shown = false

    init(enabled: Bool) { self.enabled = enabled }

    var update: (@Sendable (String) -> Void)? {
        guard enabled else { return nil }
        return { [self] text in self.draw(text) }
    }

    private func draw(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        let line = "simulating \(text), \(ProgressBar.duration(Date().timeIntervalSince(started))) so far"
        FileHandle.standardError.write(Data("\r\(line.padding(toLength: max(line.count, 78), withPad: " ", startingAt: 0))".utf8))
        shown = true
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// Ctrl-C and SIGTERM cancel `control` (the work in hand finishes and is kept); before the work
/// has started they end the process with `before` on stderr. `restore` gives the signals back
/// their default meaning.
final class StopOnSignal: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []

    init(control: RunControl, before: String) {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        sources = [SIGINT, SIGTERM].map { sig in
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                guard control.hasStarted else {
                    FileHandle.standardError.write(Data("\n\(before)\n".utf8))
                    Foundation.exit(130)
                }
                control.cancel()
            }
            source.resume()
            return source
        }
    }

    func restore() {
        sources.forEach { $0.cancel() }
        sources = []
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

extension VBQLabCommand.Run: NotebookRunnable {
    func notebookPaths() throws -> [String] { [scenario, common.out].compactMap { $0 } }

    /// The run's estimate (`Runner.estimate`), or 0 when its scenario does not load yet.
    func notebookSeconds() -> Double {
        guard let loaded = try? ScenarioSource.load(scenario).0, let design = try? Design(loaded) else { return 0 }
        let request = RunRequest(scenario: loaded, replicates: replicates, threads: common.threads, quick: quick)
        return Runner.estimate(design, replicates: request.effectiveReplicates, threads: common.threads, truthPoints: request.truthPoints).seconds
    }
}
