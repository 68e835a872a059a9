import ArgumentParser
import Foundation
import VBQLab

extension VBQLabCommand {
    /// Sample size for a VBQ cutoff study: simulated power per target across cohort sizes.
    ///
    ///     vbqlab power scenarios/power-grant.yaml
    ///     vbqlab power wu2025-baseline --n-range 100:400:50 --target 'auc_ci: {half_width: 0.05}' --power 0.9
    struct Power: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Power and sample size: the probability of meeting each target per cohort size, the smallest n, and a paragraph for a grant.",
            discussion: """
            Targets (in the scenario's `power:` section or with --target, written as YAML): \
            auc_above: {null: 0.75, sides: 1} | auc_ci: {half_width: 0.05} | sens_spec: {cutoff: 3.3, half_width: 0.1} | \
            cutoff_precision: {method: empirical, delta: 0.1} | cutoff_range: {method: binormal, width: 0.3} | \
            drift: {method: binormal, compare: {FACTOR: LEVEL}}. Writes power.json, power.csv, power.md and plots/power.svg.
            """)

        @Argument(help: "Scenario file (YAML), or the name of a shipped scenario.")
        var scenario: String

        @Option(help: "Cohort sizes, comma-separated (e.g. 100,200,300).")
        var n: String?

        @Option(name: .customLong("n-range"), help: "Cohort sizes as FROM:TO:STEP (e.g. 100:400:50).")
        var nRange: String?

        @Option(help: "Event counts instead of cohort sizes, comma-separated; n = events / prevalence.")
        var events: String?

        @Option(name: .customLong("target"), help: "A target in YAML (repeatable), e.g. 'auc_above: {null: 0.7}'; given, they replace the scenario's targets.")
        var targets: [String] = []

        @Option(parsing: .unconditional, help: "Requested power (probability of meeting each target), in (0, 1).", transform: number)
        var power: Double?

        @Option(parsing: .unconditional, help: "Significance level of the tests.", transform: number)
        var alpha: Double?

        @Option(help: "Simulated cohorts per n (default 2500: MCSE ≤ 0.01).")
        var replicates: Int?

        @OptionGroup var common: CommonOptions

        @Flag(help: "Finish a sweep that was stopped early (Ctrl-C, a kill, a power cut) in the same output folder, from the sizes it finished; the result is identical to an uninterrupted sweep.")
        var resume = false

        @Flag(help: "Discard the finished sizes of an interrupted sweep kept in the output folder and start again.")
        var fresh = false

        @Flag(help: "No progress line.")
        var quiet = false

        @Option(help: ArgumentHelp("Simulate only part I of N of the sweep (its sizes × cohorts, e.g. 2/4) and write shard-I-of-N.vbqshard into the output folder; vbqlab merge combines the N shards into the sweep's results, byte-identical to an unsharded sweep.", valueName: "I/N"))
        var shard: String?

        func validate() throws {
            if let replicates, replicates < 10 || replicates > Limits.replicates {
                throw ValidationError("--replicates must be between 10 and \(Limits.replicates) (got \(replicates))")
            }
            if [n, nRange, events].compactMap({ $0 }).count > 1 { throw ValidationError("give one of --n, --n-range, --events") }
            if resume && fresh { throw ValidationError("give --resume or --fresh, not both") }
            if shard != nil && (resume || fresh) { throw ValidationError("--resume and --fresh belong to a whole sweep; a shard is run again whole") }
        }

        static func list(_ s: String?, _ option: String) throws -> [Int]? {
            guard let s else { return nil }
            let items = s.split(separator: ",", omittingEmptySubsequences: false).map { NumberText.int($0.trimmingCharacters(in: .whitespaces)) }
            guard !items.isEmpty, items.allSatisfy({ $0 != nil }) else {
                throw VBQError(key: option, "'\(s)' must be whole numbers separated by commas, e.g. 100,200,300")
            }
            guard items.count <= Limits.powerGridPoints else {
                throw VBQError(key: option, "\(items.count) sizes is more than the limit of \(Limits.powerGridPoints)")
            }
            if let big = items.first(where: { $0! > Limits.cohortSize }) {
                throw VBQError(key: option, "\(big!) is more than the limit of \(Limits.cohortSize) patients per cohort")
            }
            return items.map { $0! }
        }

        func run() throws {
            do {
                let scenario = try loadScenario(self.scenario)
                let inputs = PowerInputs(n: try Self.list(n, "--n"), nRange: nRange, events: try Self.list(events, "--events"),
                                         targets: targets, power: power, alpha: alpha, replicates: replicates)
                let spec = try inputs.spec(scenario)
                if let shard {
                    try runShard(scenario, inputs, try ShardSpec(parsing: shard))
                    return
                }
                // The folder is made (or verified as vbqlab's) once the sweep is checked, before
                // anything is simulated.
                var opened: RunFolder? = nil
                let out = common.out
                let resume = self.resume, fresh = self.fresh
                let prepare = {
                    let folder = try RunFolder(path: out ?? "output/\(scenario.name)-power", kind: .power, option: out == nil ? "name" : "--out")
                    // An interrupted sweep's finished sizes are not discarded silently.
                    if !resume && !fresh && PowerCheckpoint.exists(in: folder.url) {
                        throw VBQError(file: folder.url.path, "holds an interrupted sweep (its finished sizes are kept in \(PowerCheckpoint.fileName)); add --resume to finish it with the command that started it, or --fresh to discard it")
                    }
                    opened = folder
                }
                let checkpoint = { opened.map { PowerCheckpoint(folder: $0.url, inputs: inputs, resume: resume) } }
                let status = StatusLine(enabled: !quiet && isatty(STDERR_FILENO) == 1)
                // Ctrl-C or SIGTERM: the sizes done are kept and reported.
                let control = RunControl()
                let stop = StopOnSignal(control: control, before: "interrupted before any cohort size was simulated; nothing to keep")
                defer { stop.restore() }
                let result = try PowerEngine.run(scenario: scenario, spec: spec, seed: common.seed, threads: common.threads,
                                                 progress: status.update, control: control, prepare: prepare, checkpoint: checkpoint)
                status.finish()
                guard let folder = opened else { throw VBQError(key: "--out", "the output folder was not made") }
                let dir = folder.url
                let note = try PowerReport.write(result, to: folder, commandLine: CommandLine.arguments)
                // Complete results are written: the finished sizes need not be kept.
                if result.complete { try folder.removeEntry(dir.appendingPathComponent(PowerCheckpoint.fileName)) }
                printPowerSummary(result, dir: dir)
                if let note { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
                if !result.complete, let last = result.points.last {
                    FileHandle.standardError.write(Data("stopped early: kept the sizes up to n = \(last.n) (\(result.points.count) of \(spec.grid.count)); the answers above and power.md use those; the same command with --resume finishes the sweep\n".utf8))
                    throw ExitCode(130)
                }
            } catch {
                throw fail(error)
            }
        }

        /// One shard of the sweep: simulated and written whole into the output folder, or nothing.
        func runShard(_ scenario: Scenario, _ inputs: PowerInputs, _ shard: ShardSpec) throws {
            let out = common.out
            let folder = try RunFolder(path: out ?? "output/\(scenario.name)-power", kind: .power, option: out == nil ? "name" : "--out", shared: true)
            let status = StatusLine(enabled: !quiet && isatty(STDERR_FILENO) == 1)
            let control = RunControl()
            let stop = StopOnSignal(control: control, before: "interrupted before any cohort was simulated; nothing written")
            defer { stop.restore() }
            let header: ShardFile.Header
            do {
                header = try PowerEngine.runShard(scenario: scenario, inputs: inputs, seed: common.seed, threads: common.threads,
                                                  shard: shard, folder: folder, progress: status.update, control: control)
            } catch is ShardStopped {
                status.finish()
                FileHandle.standardError.write(Data("stopped: shard \(shard) of the sweep was not finished; nothing written (a shard is run again whole)\n".utf8))
                throw ExitCode(130)
            }
            status.finish()
            var o = "\(scenario.name): power shard \(shard): \(header.units.count) cohorts\(CLIOutput.timings ? ", \(String(format: "%.1f", header.computeSeconds)) s on \(header.threads) thread\(header.threads == 1 ? "" : "s")" : "")\n"
            o += "wrote \(displayPath(folder.url))/\(shard.fileName)\n"
            o += "when all \(shard.count) shards are done: vbqlab merge \(Shell.quote(displayPath(folder.url)))\n"
            print(printableText(o), terminator: "")
        }
    }
}

/// What `power` and `merge` print: each target's answer, and the folder.
func printPowerSummary(_ result: PowerResult, dir: URL) {
    let spec = result.spec
    let sizes = result.points.map { String($0.n) }
    let sizeText = sizes.count > 6 ? (sizes.prefix(3) + ["…"] + sizes.suffix(2)).joined(separator: ", ") : sizes.joined(separator: ", ")
    var o = "\(result.scenario.name): \(spec.targets.count) target\(spec.targets.count == 1 ? "" : "s"); cohort sizes \(sizeText); \(spec.replicates) cohorts per size\(CLIOutput.timings ? "; \(String(format: "%.1f", Date().timeIntervalSince(result.started))) s" : "")\n"
    for (k, t) in spec.targets.enumerated() {
        let a = result.answers[k]
        let sim: String
        if let text = PowerReport.answerText(result, k), let c = a.confirmed {
            sim = "n \(text.hasPrefix("≤") ? text : "= " + text) (\(t.isProbability ? "probability" : "range") \(Format.fixed(c.value, 3)), MCSE \(Format.fixed(c.mcse, 3))\(text.hasPrefix("≤") ? "; met already at the smallest size simulated" : ""))"
        } else if let last = result.points.last {
            sim = "not reached up to n = \(last.n) (\(t.isProbability ? "probability" : "range") \(Format.fixed(last.values[k].value, 3)) there)"
        } else { sim = "not reached" }
        let within = PowerReport.intervalText(result, k).map { "; 95% Monte Carlo interval of n \($0)" } ?? ""
        let formula = within + (a.analyticN.map { "; formula n = \(Int($0.rounded(.up)))" } ?? "")
        let level = a.testLevel.map { "; the test's actual level there \(Format.fixed($0.value, 3)) (MCSE \(Format.fixed($0.mcse, 3))), nominal \(Format.exact(spec.alpha))" } ?? ""
        o += "  \(t.description): \(sim)\(formula)\(level)\n"
    }
    for plan in result.plans {
        let together = plan.joint.map { "; all \(plan.targets.count) together in \(Format.fixed($0.value, 3)) (MCSE \(Format.fixed($0.mcse, 3))) of studies" } ?? ""
        o += "  \(plan.twoCentre ? "two-centre plan: \(plan.n) patients per centre" : "single-centre plan: \(plan.n) patients")\(together)\n"
    }
    o += "wrote \(displayPath(dir))/ (power.md, power.html, power.json, power.csv, columns.json, plots/power.svg)\n"
    print(printableText(o), terminator: "")
}

extension VBQLabCommand.Power: NotebookRunnable {
    func notebookPaths() throws -> [String] { [scenario] + [common.out].compactMap { $0 } }

    /// The sweep's estimate (`PowerEngine.estimatedSeconds`; an events sweep's sizes taken at
    /// the scenario's prevalence, or 0.25), or 0 when its scenario does not load yet.
    func notebookSeconds() -> Double {
        guard let loaded = try? ScenarioSource.load(scenario).0,
              let inputs = try? PowerInputs(n: Self.list(n, "--n"), nRange: nRange, events: Self.list(events, "--events"),
                                            targets: targets, power: power, alpha: alpha, replicates: replicates),
              let spec = try? inputs.spec(loaded) else { return 0 }
        let prevalence = loaded.model.cohort.prevalence > 0 ? loaded.model.cohort.prevalence : 0.25
        let sizes = spec.sweep == .size ? spec.grid : spec.grid.map { Int(Double($0) / prevalence) }
        return PowerEngine.estimatedSeconds(spec: spec, sizes: sizes, threads: common.threads)
    }
}
