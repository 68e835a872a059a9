import Foundation
import Testing
import VBQTestSupport

/// What a hostile scenario, a kill or a reused folder must never do: run a command, touch a
/// file outside the run folder, lose finished cohorts, or leave a folder that mixes two runs.
@Suite(.serialized) struct RobustnessTests {
    static let small = """
    name: small
    seed: 7
    replicates: 300
    cohort: {events: 30, non_events: 90}
    generator:
      event: {distribution: normal, mean: 3.62, sd: 0.46}
      non_event: {distribution: normal, mean: 2.97, sd: 0.43}
    methods: [empirical, binormal]
    fixed_cutoffs: [3.3]
    vary:
      cohort.size: [120, 240]

    """

    static func write(_ text: String, _ name: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: false, encoding: .utf8)
        return url.path
    }

    /// A vary path under a user-defined failure definition reached `set xlabel '…'` unescaped,
    /// and gnuplot's system() ran. Every string is now a quoted gnuplot literal.
    @Test func scenarioStringsCannotRunCommands() throws {
        let dir = try CLI.tempDir()
        let evil = "x'; system 'touch INJECTED'; print '"
        let file = try Self.write("""
        name: inj
        cohort: {size: 128}
        generator: {family: mechanistic}
        outcome:
          definitions:
            "\(evil)": {modes: [screw_loosening]}
        vary:
          "outcome.definitions.\(evil)": [{modes: [screw_loosening]}, {modes: [cage_subsidence]}]

        """, "inj.yaml", in: dir)
        let r = try CLI.run(["run", file, "--quick", "--quiet", "--out", "o"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let found = FileManager.default.enumerator(atPath: dir.path)?.allObjects.compactMap { $0 as? String }.filter { $0.hasSuffix("INJECTED") } ?? []
        #expect(found.isEmpty, "\(found)")
        let plots = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("o/plots").path)
        #expect(plots.contains { $0.hasPrefix("drift-") && $0.hasSuffix(".svg") })
    }

    /// Nothing in a run folder is followed through a link: a planted plots/ link and a planted
    /// summary.csv link are replaced, their targets untouched.
    @Test func linksInTheRunFolderAreReplacedNotFollowed() throws {
        let dir = try CLI.tempDir()
        let file = try Self.write(Self.small, "s.yaml", in: dir)
        #expect(try CLI.run(["run", file, "--quiet", "--out", "o"], in: dir).status == 0)
        let outside = dir.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try "keep".write(to: outside.appendingPathComponent("keep.txt"), atomically: false, encoding: .utf8)
        let o = dir.appendingPathComponent("o")
        try FileManager.default.removeItem(at: o.appendingPathComponent("plots"))
        try FileManager.default.createSymbolicLink(at: o.appendingPathComponent("plots"), withDestinationURL: outside)
        try FileManager.default.removeItem(at: o.appendingPathComponent("summary.csv"))
        try FileManager.default.createSymbolicLink(at: o.appendingPathComponent("summary.csv"), withDestinationURL: outside.appendingPathComponent("keep.txt"))
        let r = try CLI.run(["run", file, "--quiet", "--out", "o"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == ["keep.txt"])
        #expect(try String(contentsOf: outside.appendingPathComponent("keep.txt"), encoding: .utf8) == "keep")
        let attributes = try FileManager.default.attributesOfItem(atPath: o.appendingPathComponent("plots").path)
        #expect(attributes[.type] as? FileAttributeType == .typeDirectory)
        // A symbolic link as the run folder itself is refused.
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("link"), withDestinationURL: outside)
        let linked = try CLI.run(["run", file, "--quiet", "--out", "link"], in: dir)
        #expect(linked.status == 1)
        #expect(linked.stderr.contains("is a symbolic link"), "\(linked.stderr)")
    }

    /// A folder that is not vbqlab's is never written into, and an interrupted run there
    /// deletes nothing.
    @Test func foreignFoldersAreRefused() throws {
        let dir = try CLI.tempDir()
        try "mine".write(to: dir.appendingPathComponent("report.md"), atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("plots"), withIntermediateDirectories: true)
        try "notes".write(to: dir.appendingPathComponent("notes.txt"), atomically: false, encoding: .utf8)
        let file = try Self.write(Self.small, "s.yaml", in: dir)
        for args in [["run", file, "--out", "."], ["run", file, "--out", ".", "--stop-after", "10"], ["power", "power-grant", "--out", "."]] {
            let r = try CLI.run(args, in: dir)
            #expect(r.status == 1, "\(args)")
            #expect(r.stderr.contains("is not a vbqlab output folder"), "\(r.stderr)")
        }
        #expect(try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8) == "mine")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("plots").path))
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["report.md", "plots", "notes.txt", "s.yaml"])
    }

    /// A kill -9 in the middle of a run loses at most the last seconds: --resume finishes it to
    /// the bytes of an uninterrupted run. Leftover temporary files are cleared by the next run.
    @Test func sigkillThenResumeGivesTheSameBytes() throws {
        let dir = try CLI.tempDir()
        let text = Self.small.replacingOccurrences(of: "replicates: 300", with: "replicates: 40000")
        let file = try Self.write(text, "s.yaml", in: dir)
        let p = try CLI.start(["run", file, "--quiet", "--threads", "2", "--out", "killed"], in: dir)
        let log = dir.appendingPathComponent("killed/checkpoint.vbq")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let size = (try? FileManager.default.attributesOfItem(atPath: log.path)[.size] as? Int) ?? 0
            if size > 2_000_000 { break }
            usleep(20_000)
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal, "the run finished before it could be killed")
        // A leftover temporary file, as a kill during writing leaves.
        try "half".write(to: dir.appendingPathComponent("killed/.summary.csv.tmp-99999"), atomically: false, encoding: .utf8)
        // Starting again without --resume would discard the cohorts: refused.
        let again = try CLI.run(["run", file, "--quiet", "--out", "killed"], in: dir)
        #expect(again.status == 1)
        #expect(again.stderr.contains("holds an interrupted run") && again.stderr.contains("--resume"), "\(again.stderr)")
        let resumed = try CLI.run(["run", file, "--quiet", "--threads", "1", "--out", "killed", "--resume"], in: dir)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let whole = try CLI.run(["run", file, "--quiet", "--threads", "2", "--out", "whole"], in: dir)
        #expect(whole.status == 0)
        for f in ["summary.json", "summary.csv", "replicates.csv", "report.md", "scenario.resolved.yaml", "plots/cutoffs-empirical.dat"] {
            let a = try Data(contentsOf: dir.appendingPathComponent("killed/\(f)"))
            let b = try Data(contentsOf: dir.appendingPathComponent("whole/\(f)"))
            #expect(a == b, "\(f) differs after kill -9 and --resume")
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("killed").path)
        #expect(!left.contains { $0.contains(".tmp-") || $0.hasPrefix(".staging-") || $0 == "checkpoint.vbq" }, "\(left)")
        // --resume on a complete run says so.
        let done = try CLI.run(["run", file, "--quiet", "--out", "killed", "--resume"], in: dir)
        #expect(done.status == 0)
        #expect(done.stdout.contains("already holds this run, complete"), "\(done.stdout)")
    }

    /// A new run that is interrupted leaves the previous complete results as they were; --fresh
    /// discards the interrupted cohorts on purpose.
    @Test func interruptedRerunKeepsThePreviousResults() throws {
        let dir = try CLI.tempDir()
        let file = try Self.write(Self.small, "s.yaml", in: dir)
        #expect(try CLI.run(["run", file, "--quiet", "--out", "o"], in: dir).status == 0)
        let before = try Data(contentsOf: dir.appendingPathComponent("o/summary.json"))
        let stopped = try CLI.run(["run", file, "--quiet", "--out", "o", "--seed", "99", "--stop-after", "50"], in: dir)
        #expect(stopped.status == 130)
        #expect(stopped.stderr.contains("the complete results of the earlier run there are unchanged"), "\(stopped.stderr)")
        #expect(try Data(contentsOf: dir.appendingPathComponent("o/summary.json")) == before)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("o/plots/roc-reference.svg").path))
        let fresh = try CLI.run(["run", file, "--quiet", "--out", "o", "--fresh"], in: dir)
        #expect(fresh.status == 0, "\(fresh.stderr)")
        #expect(try Data(contentsOf: dir.appendingPathComponent("o/summary.json")) == before)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o/checkpoint.vbq").path))
    }

    /// Two commands cannot write one folder at once.
    @Test func aFolderInUseIsRefused() throws {
        let dir = try CLI.tempDir()
        let file = try Self.write(Self.small.replacingOccurrences(of: "replicates: 300", with: "replicates: 200000"), "s.yaml", in: dir)
        let p = try CLI.start(["run", file, "--quiet", "--out", "o"], in: dir)
        defer { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        let log = dir.appendingPathComponent("o/checkpoint.vbq")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && !FileManager.default.fileExists(atPath: log.path) { usleep(10_000) }
        let second = try CLI.run(["run", file, "--quiet", "--out", "o", "--fresh"], in: dir)
        #expect(second.status == 1)
        #expect(second.stderr.contains("another vbqlab command is writing this folder"), "\(second.stderr)")
    }

    /// SIGTERM is answered within seconds even with cohorts of a million patients (work is
    /// handed out in chunks of at most ~2·10⁶ patients).
    @Test func sigtermIsAnsweredWithLargeCohorts() throws {
        let dir = try CLI.tempDir()
        let file = try Self.write("""
        name: big
        replicates: 50
        cohort: {events: 500000, non_events: 500000}
        generator:
          event: {distribution: normal, mean: 3.62, sd: 0.46}
          non_event: {distribution: normal, mean: 2.97, sd: 0.43}
        methods: [empirical]

        """, "big.yaml", in: dir)
        let p = try CLI.start(["run", file, "--quiet", "--threads", "2", "--out", "o"], in: dir)
        let log = dir.appendingPathComponent("o/checkpoint.vbq")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && !FileManager.default.fileExists(atPath: log.path) { usleep(10_000) }
        usleep(300_000)
        let sent = Date()
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        #expect(Date().timeIntervalSince(sent) < 10)
        #expect(p.terminationStatus == 130)
    }

    /// Counts and cutoffs of any size print whole in analyze's table.
    @Test func analyzeTablesNeverCutNumbers() throws {
        var csv = "vbq,failure\n"
        for i in 0..<60_000 { csv += "\(34_000_000 + i * 7),\(i % 4 == 0 ? 0 : 1)\n" }
        let dir = try CLI.tempDir()
        let path = try Self.write(csv, "big.csv", in: dir)
        let r = try CLI.run(["analyze", path, "--score", "vbq", "--outcome", "failure", "--cutoff", "34335000", "--cutoff", "34000000"])
        #expect(r.status == 0, "\(r.stderr)")
        for (cutoff, tp) in [(34_335_000, (0..<60_000).filter { $0 % 4 != 0 && 34_000_000 + $0 * 7 >= 34_335_000 }.count), (34_000_000, 45_000)] {
            let row = r.stdout.split(separator: "\n").first { $0.hasPrefix("fixed") && $0.contains(" \(cutoff).000 ") }
            #expect(row?.split(separator: " ").contains(Substring(String(tp))) == true, "\(cutoff): \(row.map(String.init) ?? r.stdout)")
            #expect(String(tp).count >= 4)
        }
    }

    /// A shipped name runs the built-in copy; an edited ./scenarios/NAME.yaml is pointed out.
    @Test func shippedNameBesideAnEditedFile() throws {
        let dir = try CLI.tempDir()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("scenarios"), withIntermediateDirectories: true)
        try "name: readers\n".write(to: dir.appendingPathComponent("scenarios/readers.yaml"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["validate", "readers"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("note: ran the shipped scenario 'readers'; ./scenarios/readers.yaml differs from it"), "\(r.stderr)")
        let list = try CLI.run(["list"])
        #expect(list.stdout.contains("drift-overview") && list.stdout.contains("(default)"))
        #expect(list.stdout.split(separator: "\n").count == 11)
    }
}

/// A full disk: the error names the file that could not be written, no half-written file or
/// staging folder is left, and the simulated cohorts are kept for --resume. Needs a small
/// tmpfs, which only root can mount (CI runs as root).
@Suite(.serialized) struct FullDiskTests {
    @Test(.enabled(if: Requirements.root, "needs root, to mount a small tmpfs"))
    func fullDiskKeepsTheCohorts() throws {
        let mountPoint = try CLI.tempDir()
        let mount = try CLI.shell("mount -t tmpfs -o size=1500k tmpfs '\(mountPoint.path)'")
        try #require(mount == 0, "root could not mount a tmpfs")
        defer { _ = try? CLI.shell("umount '\(mountPoint.path)'") }
        let r = try CLI.run(["run", "wu2025-baseline", "--quick", "--quiet", "--out", "o"], in: mountPoint)
        #expect(r.status == 1)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("error: \(mountPoint.path)/o/"), "\(r.stderr)")
        #expect(r.stderr.contains("No space left on device") || r.stderr.contains("gnuplot wrote no figure"), "\(r.stderr)")
        #expect(r.stderr.contains("--resume"), "\(r.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: mountPoint.appendingPathComponent("o").path)
        #expect(Set(left) == [".vbqlab-run", "checkpoint.vbq"], "\(left)")
        // With room again, --resume writes the results from the kept cohorts.
        #expect(try CLI.shell("mount -o remount,size=50m '\(mountPoint.path)'") == 0)
        let resumed = try CLI.run(["run", "wu2025-baseline", "--quick", "--quiet", "--out", "o", "--resume"], in: mountPoint)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let elsewhere = try CLI.tempDir()
        #expect(try CLI.run(["run", "wu2025-baseline", "--quick", "--quiet", "--out", "o"], in: elsewhere).status == 0)
        for f in ["summary.json", "replicates.csv", "report.md"] {
            #expect(try Data(contentsOf: mountPoint.appendingPathComponent("o/\(f)")) == Data(contentsOf: elsewhere.appendingPathComponent("o/\(f)")), "\(f)")
        }
    }
}

/// Ctrl-C during `vbqlab power` keeps the sizes simulated so far and says so.
@Suite(.serialized) struct PowerInterruptTests {
    @Test func ctrlCKeepsTheSizesDone() throws {
        let dir = try CLI.tempDir()
        // Normal classes: the truth is analytic, so the sweep starts at once whatever the load.
        let file = try RobustnessTests.write("""
        name: pw
        cohort: {size: 300, prevalence: 0.3}
        generator:
          event: {distribution: normal, mean: 3.6, sd: 0.45}
          non_event: {distribution: normal, mean: 3.0, sd: 0.45}
        power:
          targets: [{auc_ci: {half_width: 0.05}}, {cutoff_precision: {method: empirical, delta: 0.1}}]

        """, "pw.yaml", in: dir)
        let p = Process()
        p.executableURL = CLI.binary
        // About 7 s on two cores: long enough to be stopped after 2 s on a fast machine, with the
        // first size done well before then on a slow one.
        p.arguments = ["power", file, "--n", "100,200,400,800,1600,3200,6400,12800,25600,51200", "--replicates", "10000",
                       "--quiet", "--out", "p"]
        p.currentDirectoryURL = dir
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        usleep(2_000_000)
        kill(p.processIdentifier, SIGINT)
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 130, "\(stderr)")
        #expect(stderr.contains("stopped early: kept the sizes up to n = "), "\(stderr)")
        let j = try CLI.json(dir.appendingPathComponent("p/power.json"))
        #expect(j["status"] as? String == "incomplete")
        let md = try String(contentsOf: dir.appendingPathComponent("p/power.md"), encoding: .utf8)
        #expect(md.contains("**Stopped early** (Ctrl-C)"))
        #expect(md.contains("larger sizes were not simulated"))
        #expect(stdout.contains("pw: 2 targets; cohort sizes 100"), "\(stdout)")
        #expect(stderr.contains("the same command with --resume finishes the sweep"), "\(stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("p/checkpoint.vbqpower").path))

        // The interrupted sweep is not discarded silently; --resume finishes it to the bytes of
        // an uninterrupted sweep, from the sizes it kept.
        let args = ["power", file, "--n", "100,200,400,800,1600,3200,6400,12800,25600,51200", "--replicates", "10000", "--quiet"]
        let again = try CLI.run(args + ["--out", "p"], in: dir)
        #expect(again.status == 1 && again.stderr.contains("holds an interrupted sweep"), "\(again.stderr)")
        let resumed = try CLI.run(args + ["--out", "p", "--resume"], in: dir)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try CLI.run(args + ["--out", "whole"], in: dir).status == 0)
        for f in ["power.json", "power.csv", "power.md"] {
            #expect(try Data(contentsOf: dir.appendingPathComponent("p/\(f)")) == Data(contentsOf: dir.appendingPathComponent("whole/\(f)")), "\(f) after --resume")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("p/checkpoint.vbqpower").path))

        // A kill -9 once sizes are kept: --resume gives the same bytes again.
        let k = try CLI.start(args + ["--out", "k"], in: dir)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("k/checkpoint.vbqpower").path) { usleep(20_000) }
        kill(k.processIdentifier, SIGKILL)
        k.waitUntilExit()
        let afterKill = try CLI.run(args + ["--out", "k", "--resume"], in: dir)
        #expect(afterKill.status == 0, "\(afterKill.stderr)")
        for f in ["power.json", "power.csv", "power.md"] {
            #expect(try Data(contentsOf: dir.appendingPathComponent("k/\(f)")) == Data(contentsOf: dir.appendingPathComponent("whole/\(f)")), "\(f) after a kill and --resume")
        }
        // A checkpoint of another sweep is refused.
        let stopped = try CLI.run(args + ["--out", "x"], in: dir)
        #expect(stopped.status == 0)
        let other = try CLI.run(["power", file, "--n", "100,200", "--replicates", "10000", "--quiet", "--out", "k", "--resume"], in: dir)
        #expect(other.status != 0, "\(other.stderr)")
    }
}

/// A gnuplot that fails — with a message, or killed by a signal — fails the run with one line
/// naming the script, and leaves no results that look complete; the cohorts stay for --resume.
@Suite struct FailingGnuplotTests {
    @Test(arguments: [("echo 'boom: bad script' >&2; exit 3", "gnuplot failed (exit 3): boom: bad script"),
                      ("kill -9 $$", "gnuplot failed (exit 137)")])
    func failingGnuplotIsReported(script: String, expected: String) throws {
        let dir = try CLI.tempDir()
        let bin = dir.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let fake = bin.appendingPathComponent("gnuplot")
        try "#!/bin/sh\n\(script)\n".write(to: fake, atomically: false, encoding: .utf8)
        chmod(fake.path, 0o755)
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = "\(bin.path):/usr/bin:/bin"
        let r = try CLI.run(["run", "wu2025-baseline", "--quick", "--quiet", "--out", "o"], in: dir, environment: env)
        #expect(r.status == 1)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains(expected) && r.stderr.contains(".gp"), "\(r.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("o").path)
        #expect(!left.contains("summary.json"), "\(left)")
        #expect(left.contains("checkpoint.vbq"), "\(left)")
    }
}
