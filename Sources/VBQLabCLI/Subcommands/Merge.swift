import ArgumentParser
import Foundation
import VBQLab

extension VBQLabCommand {
    /// Combines the shards of a sharded run (or power sweep) into its results.
    ///
    ///     vbqlab run drift-overview --shard 1/4      # ... and 2/4, 3/4, 4/4, anywhere
    ///     vbqlab merge output/drift-overview
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Combine the shard files of a sharded run (vbqlab run --shard I/N) or power sweep (vbqlab power --shard I/N) into its results.",
            discussion: """
            The results are byte-identical to those of one unsharded run with the same scenario and seed, \
            whatever the order of the inputs. Shards of another scenario, seed, number of replicates or of \
            shards are refused, as are a shard given twice and a missing shard (unless --partial). \
            A power merge also runs the few cohort sizes that narrow each answer, which depend on the grid's results.
            """)

        @Argument(help: "Shard files, or folders holding them (their shard-*.vbqshard files).")
        var inputs: [String]

        @Option(name: .customLong("out"), help: "Output folder (default: the folder holding the shards, when they are all in one; else under output/, named after the scenario).")
        var out: String?

        @Option(help: "Worker threads (default: all cores, at most \(Limits.threads)). Does not change any result.")
        var threads: Int = Runner.defaultThreads

        @Flag(help: "Merge the shards that are there, into results that say status: incomplete and which shards are missing.")
        var partial = false

        @Flag(name: .customLong("no-replicates"), help: "Do not write replicates.csv.")
        var noReplicates = false

        @Flag(help: "Write replicates.csv.gz (gzip) instead of replicates.csv.")
        var compress = false

        @Option(name: .customLong("export-cohorts"), help: ArgumentHelp("Also write cohorts.csv with every patient of the first K cohorts of each cell (as vbqlab run --export-cohorts; the same bytes).", valueName: "K"))
        var exportCohorts: Int?

        @Flag(help: "No progress line.")
        var quiet = false

        func validate() throws {
            if let exportCohorts, exportCohorts < 1 { throw ValidationError("--export-cohorts must be at least 1 (got \(exportCohorts))") }
            if threads < 1 || threads > Limits.threads {
                throw ValidationError("--threads must be between 1 and \(Limits.threads) (got \(threads))")
            }
            if let out, out.isEmpty { throw ValidationError("--out is an empty path (an unset shell variable?); give a folder name") }
        }

        func run() throws {
            do {
                let started = Date()
                let shards = try ShardMerge.open(inputs, partial: partial)
                let head = shards.header
                let power = head.kind == .power
                let path = out ?? shards.commonFolder ?? (power ? "output/\(head.scenarioName)-power" : "output/\(head.scenarioName)")
                let folder = try RunFolder(path: path, kind: power ? .power : .run, option: out == nil ? "name" : "--out")
                do { try write(shards, to: folder, started: started) } catch {
                    folder.removeIfUnused()
                    throw error
                }
            } catch {
                throw fail(error)
            }
        }

        private func write(_ shards: ShardMerge.Shards, to folder: RunFolder, started: Date) throws {
            let head = shards.header
            let power = head.kind == .power
            if power {
                if exportCohorts != nil { throw VBQError(key: "--export-cohorts", "a power sweep keeps no cohorts to export; --export-cohorts belongs to the merge of a sharded run") }
                let status = StatusLine(enabled: !quiet && isatty(STDERR_FILENO) == 1)
                let result = try PowerMerge.run(shards, threads: threads, progress: status.update)
                status.finish()
                let note = try PowerReport.write(result, to: folder, commandLine: CommandLine.arguments)
                printPowerSummary(result, dir: folder.url)
                if let note { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
            } else {
                let seconds = try ShardMerge.estimatedSeconds(shards, threads: threads)
                if !quiet && seconds > Limits.announceSeconds {
                    FileHandle.standardError.write(Data("this merge: roughly \(ProgressBar.duration(seconds)) (\(head.shard.count) shards; the summaries of every cohort\(shards.missing.isEmpty ? "" : ", and the truths of cells no shard reached"))\n".utf8))
                }
                let result = try ShardMerge.run(shards, threads: threads, directory: folder.url)
                if let exportCohorts { try CohortExport.check(exportCohorts, design: result.design, replicates: result.replicates) }
                let note = try RunWriter.write(result, to: folder, commandLine: CommandLine.arguments, replicatesFile: !noReplicates, compress: compress,
                                               exportCohorts: exportCohorts)
                printRunSummary(result, dir: folder.url, seconds: Date().timeIntervalSince(started),
                                replicatesFile: noReplicates ? nil : (compress ? "replicates.csv.gz" : "replicates.csv"),
                                cohortsFile: exportCohorts.map { _ in CohortExport.fileName + (compress ? ".gz" : "") })
                if let note { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
            }
            if !shards.missing.isEmpty {
                FileHandle.standardError.write(Data("incomplete: shard\(shards.missing.count == 1 ? "" : "s") \(shards.missing.map(String.init).joined(separator: ", ")) of \(head.shard.count) missing; the results say status: incomplete\n".utf8))
            }
        }
    }
}

extension VBQLabCommand.Merge: NotebookRunnable {
    func notebookPaths() throws -> [String] { inputs + [out].compactMap { $0 } }
}
