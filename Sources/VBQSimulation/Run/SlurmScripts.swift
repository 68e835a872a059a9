import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// The two batch scripts of a sharded run on a Slurm cluster: an array job whose task i runs
/// shard i of N (`vbqlab run --shard i/N`), and a merge job started once every task has ended
/// well (`sbatch --dependency=afterok:<array job>`).
public struct SlurmScripts: Sendable {
    public var executable: String
    /// As given to `vbqlab run`: a scenario file (made absolute) or a shipped name.
    public var scenario: String
    public var scenarioName: String
    public var folder: String
    public var workingDirectory: String
    public var tasks: Int
    public var cpusPerTask: Int
    public var partition: String?
    public var time: String?
    public var memory: String?
    public var seed: UInt64?
    public var replicates: Int?
    public var quick: Bool

    public init(executable: String, scenario: String, scenarioName: String, folder: String, workingDirectory: String, tasks: Int,
                cpusPerTask: Int, partition: String? = nil, time: String? = nil, memory: String? = nil, seed: UInt64? = nil,
                replicates: Int? = nil, quick: Bool = false) {
        self.executable = executable; self.scenario = scenario; self.scenarioName = scenarioName; self.folder = folder
        self.workingDirectory = workingDirectory; self.tasks = tasks; self.cpusPerTask = cpusPerTask; self.partition = partition
        self.time = time; self.memory = memory; self.seed = seed; self.replicates = replicates; self.quick = quick
    }

    public static let maxTasks = ShardSpec.maxCount

    /// Refuses what an `#SBATCH` line or the scheduler would misread: each value must be of the
    /// form Slurm documents, and paths in directives must be plain (sbatch reads them without a shell).
    public func validate() throws {
        func check(_ value: String?, _ option: String, _ allowed: String, _ example: String, _ ok: (String) -> Bool) throws {
            guard let value else { return }
            guard !value.isEmpty, value.count <= 64, ok(value) else {
                throw VBQError(key: option, "'\(Format.plain(value))' is not \(allowed) (e.g. \(example))")
            }
        }
        func chars(_ set: String) -> (String) -> Bool {
            { $0.unicodeScalars.allSatisfy { c in (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || set.unicodeScalars.contains(c) } }
        }
        guard tasks >= 1, tasks <= SlurmScripts.maxTasks else {
            throw VBQError(key: "--tasks", "must be between 1 and \(SlurmScripts.maxTasks) (got \(tasks))")
        }
        guard cpusPerTask >= 1, cpusPerTask <= Limits.threads else {
            throw VBQError(key: "--cpus-per-task", "must be between 1 and \(Limits.threads) (got \(cpusPerTask))")
        }
        try check(partition, "--partition", "a partition name (letters, digits, _ . - and commas between names)", "short or short,long", chars("_.,-"))
        try check(time, "--time", "a Slurm time limit (minutes, MM:SS, HH:MM:SS, D-HH or D-HH:MM:SS)", "30, 2:00:00 or 1-12:00:00") { t in
            chars(":-")(t) && t.first!.isNumber && t.last!.isNumber && t.filter({ $0 == "-" }).count <= 1 && t.filter({ $0 == ":" }).count <= 2
        }
        try check(memory, "--mem", "a memory size (a whole number with an optional unit K, M, G or T)", "4G or 500M") { m in
            let digits = m.last!.isNumber ? m : String(m.dropLast())
            return !digits.isEmpty && digits.allSatisfy(\.isNumber) && (m.last!.isNumber || "KMGT".contains(m.last!))
        }
        for (path, what) in [(folder, "the output folder"), (workingDirectory, "the working folder")] {
            guard path.hasPrefix("/"), !Shell.hasControl(path), !path.contains(where: { $0 == " " || $0 == "\"" || $0 == "'" || $0 == "\\" || $0 == "%" }) else {
                throw VBQError(file: path, "\(what) must be an absolute path without spaces, quotes, backslashes or % for the #SBATCH lines; choose another --out or working folder")
            }
        }
        for (value, what) in [(executable, "the vbqlab executable's path"), (scenario, "SCENARIO")] where Shell.hasControl(value) {
            throw VBQError(key: what, "holds a control character; it cannot go into a batch script")
        }
    }

    var jobName: String {
        let name = String(scenarioName.unicodeScalars.map { c -> Character in
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "-" || c == "_" || c == "." ? Character(c) : "_"
        }.prefix(40))
        return "vbqlab-\(name)"
    }

    public var scriptFolder: String { folder + "/slurm" }
    public var shardScript: String { scriptFolder + "/shards.sbatch" }
    public var mergeScript: String { scriptFolder + "/merge.sbatch" }

    private func directives(_ name: String, output: String, extra: [String]) -> String {
        var o = "#SBATCH --job-name=\(name)\n"
        for e in extra { o += "#SBATCH \(e)\n" }
        o += "#SBATCH --cpus-per-task=\(cpusPerTask)\n"
        o += "#SBATCH --output=\(output)\n"
        o += "#SBATCH --chdir=\(workingDirectory)\n"
        if let partition { o += "#SBATCH --partition=\(partition)\n" }
        if let time { o += "#SBATCH --time=\(time)\n" }
        if let memory { o += "#SBATCH --mem=\(memory)\n" }
        return o
    }

    /// The array job: task i runs shard i of N.
    public var shards: String {
        var run = [Shell.quote(executable), "run", Shell.quote(scenario), "--shard", "\"${SLURM_ARRAY_TASK_ID}/\(tasks)\"",
                   "--threads", "\"${SLURM_CPUS_PER_TASK:-1}\"", "--out", Shell.quote(folder), "--quiet"]
        if let seed { run += ["--seed", String(seed)] }
        if let replicates { run += ["--replicates", String(replicates)] }
        if quick { run.append("--quick") }
        return "#!/bin/bash\n# Shard ${SLURM_ARRAY_TASK_ID} of \(tasks) of the vbqlab run of \(Format.plain(scenarioName)), one per array task (written by vbqlab slurm).\n"
            + directives(jobName, output: scriptFolder + "/shard-%a.out", extra: ["--array=1-\(tasks)"])
            + "set -euo pipefail\n" + "exec " + run.joined(separator: " ") + "\n"
    }

    /// The merge job, started after every array task has ended well.
    public var merge: String {
        let run = [Shell.quote(executable), "merge", Shell.quote(folder), "--threads", "\"${SLURM_CPUS_PER_TASK:-1}\"", "--quiet"]
        return "#!/bin/bash\n# Merges the \(tasks) shards of the vbqlab run of \(Format.plain(scenarioName)) into its results (written by vbqlab slurm).\n"
            + directives(jobName + "-merge", output: scriptFolder + "/merge.out", extra: [])
            + "set -euo pipefail\n" + "exec " + run.joined(separator: " ") + "\n"
    }

    /// The two commands that submit the jobs, chained.
    public var commands: [String] {
        ["jobid=$(sbatch --parsable \(Shell.quote(shardScript)))",
         "sbatch --dependency=afterok:${jobid%%;*} \(Shell.quote(mergeScript))"]
    }

    /// Writes both scripts (atomically) into `folder`/slurm/.
    public func write(into folder: RunFolder) throws {
        let dir = folder.url.appendingPathComponent("slurm")
        var st = stat()
        if lstat(dir.path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFDIR {
            throw VBQError(file: dir.path, "exists and is not a folder (a link, or a file); remove it")
        }
        if mkdir(dir.path, 0o755) != 0 && errno != EEXIST {
            throw VBQError(file: dir.path, "cannot create: \(String(cString: strerror(errno)))")
        }
        try AtomicFile.write(shards, to: dir.appendingPathComponent("shards.sbatch"))
        try AtomicFile.write(merge, to: dir.appendingPathComponent("merge.sbatch"))
    }
}
