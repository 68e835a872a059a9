import Foundation
import Testing

/// Sharded runs (`run --shard I/N`, `power --shard I/N`), `merge`, and the Slurm scripts.
@Suite(.serialized) struct ShardTests {
    /// The files a run writes that must not depend on how it was split (provenance.json records
    /// hosts and times, and differs by design).
    static func resultFiles(_ dir: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for f in ["summary.json", "summary.csv", "replicates.csv", "report.md", "scenario.resolved.yaml",
                  "power.json", "power.csv", "power.md"] {
            if let d = FileManager.default.contents(atPath: dir.appendingPathComponent(f).path) { out[f] = d }
        }
        let plots = dir.appendingPathComponent("plots")
        for f in (try? FileManager.default.contentsOfDirectory(atPath: plots.path)) ?? [] {
            out["plots/" + f] = FileManager.default.contents(atPath: plots.appendingPathComponent(f).path)
        }
        return out
    }

    /// A fixed shuffle of 1...n (the same on every run of the tests).
    static func shuffled(_ n: Int) -> [Int] { (1...n).sorted { ($0 * 7919) % 13 < ($1 * 7919) % 13 || (($0 * 7919) % 13 == ($1 * 7919) % 13 && $0 > $1) } }

    static let oneCell = """
    name: one-cell
    seed: 4242
    replicates: 90
    cohort: {size: 120, prevalence: 0.3}
    generator:
      family: class_conditional
      event: {distribution: normal, mean: 3.6, sd: 0.45}
      non_event: {distribution: lognormal, meanlog: 1.08, sdlog: 0.15}
    methods: [empirical, binormal, kernel]
    fixed_cutoffs: [3.3]
    """

    static let grid20 = """
    name: grid-twenty
    seed: 99
    replicates: 40
    streams: common
    cohort: {size: 80, prevalence: 0.26}
    generator:
      family: class_conditional
      event: {distribution: normal, mean: 3.62, sd: 0.46}
      non_event: {distribution: normal, mean: 2.97, sd: 0.43}
    methods: [empirical, binormal]
    fixed_cutoffs: [3.3]
    vary:
      cohort.size: [40, 80, 160, 320]
      cohort.prevalence: [0.1, 0.2, 0.26, 0.35, 0.5]
    reference: {cohort.size: 80, cohort.prevalence: 0.26}
    """

    /// Runs the scenario whole, then as N shards (run in a shuffled order, merged from files
    /// listed in another order), and checks every result file is byte-identical.
    func shardsMergeToTheSingleRun(_ scenario: String, _ extra: [String], counts: [Int]) throws {
        let dir = try CLI.tempDir()
        let single = dir.appendingPathComponent("single").path
        let r = try CLI.run(["run", scenario, "--quiet", "--out", single] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        let expected = try Self.resultFiles(URL(fileURLWithPath: single))
        #expect(expected.count > 8)
        for n in counts {
            let shards = dir.appendingPathComponent("shards-\(n)").path
            for i in Self.shuffled(n) {
                let s = try CLI.run(["run", scenario, "--quiet", "--shard", "\(i)/\(n)", "--out", shards, "--threads", i % 2 == 0 ? "1" : "2"] + extra)
                #expect(s.status == 0, "shard \(i)/\(n): \(s.stderr)")
            }
            let files = Self.shuffled(n).reversed().map { i in
                let width = String(n).count, index = String(i)
                return shards + "/shard-" + String(repeating: "0", count: width - index.count) + index + "-of-\(n).vbqshard"
            }
            let merged = dir.appendingPathComponent("merged-\(n)").path
            let m = try CLI.run(["merge"] + files + ["--out", merged, "--quiet"])
            #expect(m.status == 0, "merge of \(n): \(m.stderr)")
            let got = try Self.resultFiles(URL(fileURLWithPath: merged))
            #expect(Set(got.keys) == Set(expected.keys), "\(n) shards: files \(Set(got.keys).symmetricDifference(expected.keys))")
            for (name, data) in expected {
                #expect(got[name] == data, "\(scenario): \(name) differs after merging \(n) shards")
            }
        }
    }

    @Test func classConditionalOneCell() throws {
        let dir = try CLI.tempDir()
        let file = dir.appendingPathComponent("one-cell.yaml")
        try Self.oneCell.write(to: file, atomically: false, encoding: .utf8)
        try shardsMergeToTheSingleRun(file.path, [], counts: [1, 2, 3, 7])
    }

    @Test func classConditionalTwentyCellGrid() throws {
        let dir = try CLI.tempDir()
        let file = dir.appendingPathComponent("grid.yaml")
        try Self.grid20.write(to: file, atomically: false, encoding: .utf8)
        try shardsMergeToTheSingleRun(file.path, [], counts: [1, 2, 3, 7])
    }

    @Test func mechanisticSevenCells() throws {
        try shardsMergeToTheSingleRun("drift-overview", ["--quick"], counts: [1, 2, 3, 7])
    }

    @Test func shippedSizeSweep() throws {
        try shardsMergeToTheSingleRun("wu2025-baseline", ["--replicates", "60", "--seed", "5"], counts: [3])
    }

    /// The seed paper's re-analysis is computed when the shards are merged, from the same
    /// cohorts: reanalysis.csv, its replicates and the figure match the single run byte for byte.
    @Test func shippedReanalysis() throws {
        try shardsMergeToTheSingleRun("seed-tables", ["--replicates", "40"], counts: [3])
    }

    /// Every criterion's c* travels in the shards' truths (with their errors), so the merged
    /// criteria report, figure and summaries equal the single run's.
    @Test func shippedCriteria() throws {
        try shardsMergeToTheSingleRun("criteria", ["--quick"], counts: [2, 3])
    }

    /// Time-dependent cells (their weighted records) and the follow-up profiles, computed again
    /// at the merge from the seed, give the single run's follow-up section, figure and summaries.
    @Test func shippedFollowUp() throws {
        try shardsMergeToTheSingleRun("follow-up", ["--quick"], counts: [3])
    }

    /// A directory argument finds its shard files; the merge writes into that folder by default.
    @Test func mergeOfAFolderWritesIntoIt() throws {
        let dir = try CLI.tempDir()
        let out = dir.appendingPathComponent("run").path
        for i in [2, 1] {
            #expect(try CLI.run(["run", "wu2025-baseline", "--replicates", "30", "--quiet", "--shard", "\(i)/2", "--out", out]).status == 0)
        }
        let m = try CLI.run(["merge", out])
        #expect(m.status == 0, "\(m.stderr)")
        #expect(m.stdout.contains("wrote \(URL(fileURLWithPath: out).standardizedFileURL.path)/"))
        let summary = try CLI.json(URL(fileURLWithPath: out).appendingPathComponent("summary.json"))
        #expect(summary["status"] as? String == "complete")
        #expect(summary["missing_shards"] == nil)
        let prov = try CLI.json(URL(fileURLWithPath: out).appendingPathComponent("provenance.json"))
        let shards = prov["shards"] as? [[String: Any]] ?? []
        #expect(shards.map { $0["shard"] as? String } == ["1/2", "2/2"])
        #expect(shards.allSatisfy { ($0["compute_seconds"] as? Double ?? -1) >= 0 && $0["host"] is String })
    }

    /// Each refusal is one line on stderr naming the file, with a non-zero exit.
    func refused(_ args: [String], _ expected: String) throws {
        let r = try CLI.run(args)
        #expect(r.status != 0)
        #expect(r.stderr.contains(expected), "expected «\(expected)» in «\(r.stderr)»")
        #expect(r.stderr.split(separator: "\n").count == 1, "not one line: \(r.stderr)")
        #expect(!r.stderr.contains("Fatal") && !r.stderr.contains("Backtrac"))
    }

    @Test func mergeRefusesWhatDoesNotBelong() throws {
        let dir = try CLI.tempDir()
        func shard(_ i: Int, _ n: Int, _ name: String, _ extra: [String] = []) throws -> String {
            let out = dir.appendingPathComponent(name).path
            let r = try CLI.run(["run", "wu2025-baseline", "--replicates", "30", "--quiet", "--shard", "\(i)/\(n)", "--out", out] + extra)
            #expect(r.status == 0, "\(r.stderr)")
            let width = String(n).count, index = String(i)
            return out + "/shard-" + String(repeating: "0", count: width - index.count) + index + "-of-\(n).vbqshard"
        }
        let a1 = try shard(1, 3, "a"), a2 = try shard(2, 3, "a"), a3 = try shard(3, 3, "a")
        // Another seed, another number of replicates, another partition, another scenario.
        let seed = try shard(2, 3, "seed", ["--seed", "7"])
        try refused(["merge", a1, seed, a3], "is a shard of another run of scenario wu2025-baseline, seed 7, 30 replicates, 3 shards than")
        let reps = dir.appendingPathComponent("reps").path
        #expect(try CLI.run(["run", "wu2025-baseline", "--replicates", "31", "--quiet", "--shard", "2/3", "--out", reps]).status == 0)
        try refused(["merge", a1, reps + "/shard-2-of-3.vbqshard", a3], "seed 20251012, 31 replicates, 3 shards than shard-1-of-3.vbqshard")
        let n4 = try shard(2, 4, "four")
        try refused(["merge", a1, n4, a3], "4 shards")
        let otherScenario = dir.appendingPathComponent("other")
        let o = try CLI.run(["run", "field-strength", "--quick", "--quiet", "--shard", "2/3", "--out", otherScenario.path])
        #expect(o.status == 0, "\(o.stderr)")
        try refused(["merge", a1, otherScenario.appendingPathComponent("shard-2-of-3.vbqshard").path, a3], "scenario field-strength")
        // A shard given twice (a copy in another folder), and missing shards.
        let copy = dir.appendingPathComponent("copy")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: a2, toPath: copy.appendingPathComponent("shard-2-of-3.vbqshard").path)
        try refused(["merge", a1, a2, a3, copy.path], "shard 2/3 is given twice")
        try refused(["merge", a1], "2 of 3 shards missing: shard-2-of-3.vbqshard, shard-3-of-3.vbqshard (shards 2 and 3); run them, or add --partial")
        // A truncated shard file, and one with a byte changed.
        let data = try Data(contentsOf: URL(fileURLWithPath: a2))
        let cut = dir.appendingPathComponent("cut")
        try FileManager.default.createDirectory(at: cut, withIntermediateDirectories: true)
        try data.prefix(data.count - 100).write(to: cut.appendingPathComponent("shard-2-of-3.vbqshard"))
        try refused(["merge", a1, cut.appendingPathComponent("shard-2-of-3.vbqshard").path, a3], "is truncated or damaged (no end marker)")
        var flipped = data
        flipped[data.count / 2] ^= 0x40
        let bad = dir.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        try flipped.write(to: bad.appendingPathComponent("shard-2-of-3.vbqshard"))
        try refused(["merge", a1, bad.appendingPathComponent("shard-2-of-3.vbqshard").path, a3], "its checksum does not match")
        try Data("not a shard".utf8).write(to: bad.appendingPathComponent("shard-9-of-9.vbqshard"))
        try refused(["merge", bad.appendingPathComponent("shard-9-of-9.vbqshard").path], "is not a vbqlab shard file")
        try refused(["merge", dir.appendingPathComponent("nothing-here").path], "no such file or folder")
        try refused(["run", "wu2025-baseline", "--shard", "4/3"], "shard 4 of 3 does not exist")
        try refused(["run", "wu2025-baseline", "--shard", "x"], "is not I/N")
        // What belongs together still merges.
        #expect(try CLI.run(["merge", a3, a1, a2, "--out", dir.appendingPathComponent("ok").path]).status == 0)
    }

    @Test func partialMergeSaysWhatIsMissing() throws {
        let dir = try CLI.tempDir()
        let out = dir.appendingPathComponent("run").path
        for i in [1, 3] {
            #expect(try CLI.run(["run", "wu2025-baseline", "--replicates", "40", "--quiet", "--shard", "\(i)/4", "--out", out]).status == 0)
        }
        let m = try CLI.run(["merge", out, "--partial"])
        #expect(m.status == 0, "\(m.stderr)")
        #expect(m.stderr.contains("incomplete: shards 2, 4 of 4 missing"))
        let summary = try CLI.json(URL(fileURLWithPath: out).appendingPathComponent("summary.json"))
        #expect(summary["status"] as? String == "incomplete")
        #expect(summary["missing_shards"] as? [Int] == [2, 4])
        let done = summary["cohorts_simulated"] as? Int ?? 0
        #expect(done > 0 && done < 200)
        let report = try String(contentsOf: URL(fileURLWithPath: out).appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("**Status: incomplete.** Shards 2 and 4 of 4 are missing: this report rests on \(done) of the 200 cohorts"))
        // The rows of replicates.csv are the cohorts that are there (one per method and fixed cutoff).
        let rows = try String(contentsOf: URL(fileURLWithPath: out).appendingPathComponent("replicates.csv"), encoding: .utf8)
            .split(separator: "\n").count - 1
        #expect(rows == done * 4)
    }

    /// A shard killed while it runs leaves no shard file; run again, it writes one.
    @Test func killedShardLeavesNothingThatLooksComplete() throws {
        let dir = try CLI.tempDir()
        let out = dir.appendingPathComponent("run")
        let p = try CLI.start(["run", "wu2025-baseline", "--replicates", "200000", "--quiet", "--threads", "1", "--shard", "1/2", "--out", out.path], in: dir)
        Thread.sleep(forTimeInterval: 1.0)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
        #expect(!names.contains { $0.hasPrefix("shard-") }, "\(names)")
        let m = try CLI.run(["merge", out.path])
        #expect(m.status != 0)
        let again = try CLI.run(["run", "wu2025-baseline", "--replicates", "30", "--quiet", "--shard", "1/1", "--out", out.path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("shard-1-of-1.vbqshard").path))
    }

    @Test func powerShardsMergeToTheSingleSweep() throws {
        let dir = try CLI.tempDir()
        let args = ["power", "wu2025-baseline", "--n", "60,120,240", "--replicates", "150", "--quiet",
                    "--target", "auc_above: {null: 0.75}", "--target", "cutoff_precision: {method: empirical, delta: 0.15}"]
        let single = dir.appendingPathComponent("single")
        let r = try CLI.run(args + ["--out", single.path])
        #expect(r.status == 0, "\(r.stderr)")
        let expected = try Self.resultFiles(single)
        #expect(expected["power.json"] != nil && expected["power.md"] != nil)
        for n in [2, 3] {
            let shards = dir.appendingPathComponent("shards-\(n)")
            for i in Self.shuffled(n) {
                let s = try CLI.run(args + ["--shard", "\(i)/\(n)", "--out", shards.path])
                #expect(s.status == 0, "\(s.stderr)")
            }
            let merged = dir.appendingPathComponent("merged-\(n)")
            let m = try CLI.run(["merge", shards.path, "--out", merged.path])
            #expect(m.status == 0, "\(m.stderr)")
            let got = try Self.resultFiles(merged)
            #expect(Set(got.keys) == Set(expected.keys))
            for (name, data) in expected { #expect(got[name] == data, "power: \(name) differs after merging \(n) shards") }
        }
        // A power shard is not a run's.
        let run = dir.appendingPathComponent("run")
        #expect(try CLI.run(["run", "wu2025-baseline", "--replicates", "30", "--quiet", "--shard", "1/2", "--out", run.path]).status == 0)
        try refused(["merge", run.appendingPathComponent("shard-1-of-2.vbqshard").path,
                     dir.appendingPathComponent("shards-2/shard-2-of-2.vbqshard").path], "is a shard of another power sweep")
    }
}

@Suite struct SlurmScriptTests {
    @Test func scriptsRunTheShardsAndTheMerge() throws {
        let dir = try CLI.tempDir()
        let out = dir.appendingPathComponent("run").path
        let r = try CLI.run(["slurm", "drift-overview", "--tasks", "5", "--partition", "short", "--time", "1:30:00", "--mem", "4G",
                             "--cpus-per-task", "2", "--out", out], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("jobid=$(sbatch --parsable \(out)/slurm/shards.sbatch)"))
        #expect(r.stdout.contains("sbatch --dependency=afterok:${jobid%%;*} \(out)/slurm/merge.sbatch"))
        let shards = try String(contentsOfFile: out + "/slurm/shards.sbatch", encoding: .utf8)
        let merge = try String(contentsOfFile: out + "/slurm/merge.sbatch", encoding: .utf8)
        for line in ["#SBATCH --array=1-5", "#SBATCH --cpus-per-task=2", "#SBATCH --partition=short", "#SBATCH --time=1:30:00",
                     "#SBATCH --mem=4G", "#SBATCH --output=\(out)/slurm/shard-%a.out",
                     "run drift-overview --shard \"${SLURM_ARRAY_TASK_ID}/5\" --threads \"${SLURM_CPUS_PER_TASK:-1}\" --out \(out) --quiet"] {
            #expect(shards.contains(line), "shards.sbatch lacks \(line)")
        }
        #expect(merge.contains("merge \(out) --threads \"${SLURM_CPUS_PER_TASK:-1}\" --quiet"))
        #expect(!merge.contains("--array"))
        // Every #SBATCH line comes before the first command, as sbatch requires.
        for script in [shards, merge] {
            let lines = script.split(separator: "\n")
            let lastDirective = lines.lastIndex { $0.hasPrefix("#SBATCH") }!
            #expect(lines[..<lastDirective].allSatisfy { $0.hasPrefix("#") })
            #expect(try CLI.shell("bash -n \(out)/slurm/shards.sbatch && bash -n \(out)/slurm/merge.sbatch") == 0)
        }
    }

    /// A scenario path with quotes, spaces and a command substitution reaches vbqlab as it is,
    /// and nothing in it runs.
    @Test func hostilePathsAreQuoted() throws {
        let dir = try CLI.tempDir()
        let nasty = dir.appendingPathComponent("it's a $(touch PWNED) `touch PWNED2`;.yaml")
        try ShardTests.oneCell.write(to: nasty, atomically: false, encoding: .utf8)
        let out = dir.appendingPathComponent("run").path
        let r = try CLI.run(["slurm", nasty.path, "--tasks", "2", "--out", out], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        // Run the script's command line with the program replaced by printf: the words it gets.
        let script = try String(contentsOfFile: out + "/slurm/shards.sbatch", encoding: .utf8)
        let exec = script.split(separator: "\n").first { $0.hasPrefix("exec ") }!
        let words = exec.split(separator: " ", maxSplits: 2)
        let probe = dir.appendingPathComponent("probe.sh")
        try "SLURM_ARRAY_TASK_ID=2\nSLURM_CPUS_PER_TASK=3\nprintf '%s\\n' \(words[2])\n".write(to: probe, atomically: false, encoding: .utf8)
        #expect(try CLI.shell("cd '\(dir.path)' && bash probe.sh > words.txt") == 0)
        let got = try String(contentsOf: dir.appendingPathComponent("words.txt"), encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(got == ["run", nasty.path, "--shard", "2/2", "--threads", "3", "--out", out, "--quiet"])
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("PWNED").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("PWNED2").path))
    }

    @Test(arguments: [
        (["--partition", "a;rm -rf /"], "--partition: 'a;rm -rf /' is not a partition name"),
        (["--partition", "x\ny"], "--partition: 'x\\u{a}y' is not a partition name"),
        (["--time", "1h"], "--time: '1h' is not a Slurm time limit"),
        (["--time", "$(reboot)"], "--time: '$(reboot)' is not a Slurm time limit"),
        (["--mem", "4GB"], "--mem: '4GB' is not a memory size"),
        (["--mem=-1"], "--mem: '-1' is not a memory size"),
        (["--cpus-per-task", "0"], "--cpus-per-task: must be between 1 and"),
        (["--out", "/tmp/with space"], "must be an absolute path without spaces"),
    ])
    func badOptionsAreRefused(_ extra: [String], _ expected: String) throws {
        let dir = try CLI.tempDir()
        var args = ["slurm", "wu2025-baseline", "--tasks", "2"]
        if !extra.contains("--out") { args += ["--out", dir.appendingPathComponent("run").path] }
        let r = try CLI.run(args + extra, in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.contains(expected), "«\(r.stderr)»")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("run/slurm/shards.sbatch").path))
    }
}
