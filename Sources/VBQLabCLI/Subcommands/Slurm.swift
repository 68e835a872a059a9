import ArgumentParser
import Foundation
import VBQLab

extension VBQLabCommand {
    /// Writes (and optionally submits) the Slurm jobs of a sharded run.
    ///
    ///     vbqlab slurm drift-overview --tasks 8 --partition short --time 1:00:00 --mem 4G --cpus-per-task 4
    struct Slurm: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the Slurm batch scripts of a sharded run: an array job of N shards and a merge job that waits for them.",
            discussion: """
            Writes OUT/slurm/shards.sbatch (--array=1-N; task i runs vbqlab run SCENARIO --shard i/N \
            --threads $SLURM_CPUS_PER_TASK) and OUT/slurm/merge.sbatch (vbqlab merge OUT), and prints the two \
            sbatch commands that submit them, the merge chained with --dependency=afterok on the array job; \
            --submit runs them. The vbqlab executable, the scenario file and OUT must be on a filesystem every \
            node sees. The merged results are byte-identical to vbqlab run SCENARIO on one machine.
            """)

        @Argument(help: "Scenario file (YAML), or the name of a shipped scenario.")
        var scenario: String

        @Option(help: "Array tasks, one shard each.")
        var tasks: Int

        @Option(help: "Slurm partition (default: the cluster's default).")
        var partition: String?

        @Option(help: "Time limit per task, as sbatch --time takes it (e.g. 30, 2:00:00).")
        var time: String?

        @Option(help: "Memory per task, as sbatch --mem takes it (e.g. 4G).")
        var mem: String?

        @Option(name: .customLong("cpus-per-task"), help: "CPUs per task; each shard uses them all as threads.")
        var cpusPerTask: Int = 1

        @Option(help: "Replicates (simulated cohorts) per cell; overrides the scenario's value.")
        var replicates: Int?

        @Option(help: "Root seed of the random streams; overrides the scenario's value.")
        var seed: UInt64?

        @Flag(help: "Few replicates and a smaller truth simulation (as vbqlab run --quick).")
        var quick = false

        @Option(name: .customLong("out"), help: "Output folder of the run (default: output/ and the scenario's name, made absolute).")
        var out: String?

        @Flag(help: "Submit both jobs with sbatch instead of printing the commands.")
        var submit = false

        func validate() throws {
            if let replicates, replicates < 1 || replicates > Limits.replicates {
                throw ValidationError("--replicates must be between 1 and \(Limits.replicates) (got \(replicates))")
            }
            if quick && replicates != nil { throw ValidationError("give --quick or --replicates, not both") }
            if let out, out.isEmpty { throw ValidationError("--out is an empty path (an unset shell variable?); give a folder name") }
        }

        func run() throws {
            do {
                // The scenario is loaded here, so a bad one is found before anything is queued.
                let loaded = try loadScenario(scenario)
                var st = stat()
                let isFile = stat(scenario, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
                let cwd = FileManager.default.currentDirectoryPath
                let scenarioArgument = isFile ? URL(fileURLWithPath: scenario, relativeTo: URL(fileURLWithPath: cwd, isDirectory: true)).standardizedFileURL.path : scenario
                let path = out ?? "output/\(loaded.name)"
                let absolute = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: cwd, isDirectory: true)).standardizedFileURL.path
                let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                    ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
                let scripts = SlurmScripts(executable: executable, scenario: scenarioArgument, scenarioName: loaded.name,
                                           folder: absolute, workingDirectory: cwd, tasks: tasks, cpusPerTask: cpusPerTask,
                                           partition: partition, time: time, memory: mem, seed: seed, replicates: replicates, quick: quick)
                try scripts.validate()
                do {
                    let folder = try RunFolder(path: absolute, kind: .run, option: out == nil ? "name" : "--out")
                    try scripts.write(into: folder)
                }
                guard submit else {
                    print(printableText("wrote \(scripts.shardScript) (\(tasks) array task\(tasks == 1 ? "" : "s")) and \(scripts.mergeScript)\nsubmit both, the merge after every shard has ended well:\n  \(scripts.commands[0])\n  \(scripts.commands[1])\nthe results appear in \(absolute)/; shard logs in \(scripts.scriptFolder)/\n"), terminator: "")
                    return
                }
                let arrayJob = try Self.sbatch(["--parsable", scripts.shardScript])
                let mergeJob = try Self.sbatch(["--parsable", "--dependency=afterok:\(arrayJob)", scripts.mergeScript])
                print(printableText("submitted array job \(arrayJob) (\(tasks) shard\(tasks == 1 ? "" : "s")) and merge job \(mergeJob) (after every shard ends well)\nthe results appear in \(absolute)/; shard logs in \(scripts.scriptFolder)/\n"), terminator: "")
            } catch {
                throw fail(error)
            }
        }

        /// Runs sbatch (found on PATH, no shell) and returns the job id it prints.
        static func sbatch(_ arguments: [String]) throws -> String {
            guard let path = Subprocess.findExecutable("sbatch") else { throw VBQError(key: "--submit", "sbatch is not on PATH: is this a Slurm login node? (without --submit the commands are printed)") }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: path)
            p.arguments = arguments
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            try p.run()
            let o = out.fileHandleForReading.readDataToEndOfFile()
            let e = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let text = String(decoding: o, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let id = String(text.split(separator: ";").first ?? "")
            guard p.terminationStatus == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
                throw VBQError(key: "sbatch", "failed (exit \(p.terminationStatus)): \(String(decoding: e, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            return id
        }
    }
}

extension VBQLabCommand.Slurm: NotebookRunnable {
    /// Writing the batch scripts stays in the folder; submitting them starts sbatch, which a
    /// notebook never does.
    func notebookPaths() throws -> [String] {
        if submit { throw VBQError(key: "--submit", "a notebook does not submit jobs: slurm --submit starts sbatch; leave --submit out to write and print the scripts") }
        return [scenario] + [out].compactMap { $0 }
    }
}
