import Foundation
import Testing
import VBQTestSupport

/// The `vbqlab` executable, run as a user runs it.
enum CLI {
    static let binary: URL = {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                          Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        for dir in candidates {
            let url = dir.appendingPathComponent("vbqlab")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        // Not built next to the tests: every CLI test then fails when it starts the process.
        FileHandle.standardError.write(Data("vbqlab executable not found next to the test bundle (\(candidates.map(\.path)))\n".utf8))
        return candidates[0].appendingPathComponent("vbqlab")
    }()

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    struct Result { let status: Int32; let stdout: String; let stderr: String }

    @discardableResult
    static func run(_ args: [String], in dir: URL? = nil, environment: [String: String]? = nil) throws -> Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        if let dir { p.currentDirectoryURL = dir }
        if let environment { p.environment = environment }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// Starts the executable in the background (output discarded), for tests that signal it.
    static func start(_ args: [String], in dir: URL) throws -> Process {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = dir
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Runs a shell command line (for set-up such as mounting); returns its exit status.
    static func shell(_ command: String) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    static func tempDir() throws -> URL {
        try TestFolder.make("vbqlab-test")
    }

    static func json(_ url: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }
}

@Suite(.serialized) struct RunCommandTests {
    @Test func runWithoutArgumentsWritesTheDefaultScenario() throws {
        let dir = try CLI.tempDir()
        let r = try CLI.run(["run", "--quick", "--threads", "2", "--quiet"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let out = dir.appendingPathComponent("output/drift-overview")
        for f in ["summary.json", "summary.csv", "replicates.csv", "report.md", "scenario.resolved.yaml", "provenance.json",
                  "plots/roc-reference.gp", "plots/roc-reference.dat", "plots/drift-measurement-field-share-1-5T.gp"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(f).path), "missing \(f)")
        }
        let s = try CLI.json(out.appendingPathComponent("summary.json"))
        #expect(s["scenario"] as? String == "drift-overview")
        #expect((s["cells"] as? [[String: Any]])?.count == 7)
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("## Which factor moves the cutoff most"))
        #expect(report.contains("**Which part of how a VBQ study is done moves its cutoff most?** Of the factors varied, **share of scans at 1.5 T** moves the population-optimal cutoff most"))
    }

    @Test func baselineRunsByNameFromAnyFolder() throws {
        let dir = try CLI.tempDir()
        let r = try CLI.run(["run", "wu2025-baseline", "--quick", "--threads", "2", "--quiet"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let out = dir.appendingPathComponent("output/wu2025-baseline")
        for f in ["summary.json", "summary.csv", "replicates.csv", "report.md", "scenario.resolved.yaml", "provenance.json",
                  "plots/cutoffs-empirical.gp", "plots/cutoffs-empirical.dat"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(f).path), "missing \(f)")
        }
        let s = try CLI.json(out.appendingPathComponent("summary.json"))
        #expect(s["scenario"] as? String == "wu2025-baseline")
        #expect(s["status"] as? String == "complete")
        #expect(s["replicates"] as? Int == 200)
        let cells = try #require(s["cells"] as? [[String: Any]])
        #expect(cells.count == 5)
        let ref = try #require(cells.first { $0["reference"] as? Bool == true })
        #expect((ref["factors"] as? [String: String])?["cohort.size"] == "256")
        let truth = try #require(ref["truth"] as? [String: Any])
        #expect(isClose((truth["cutoff"] as! Double), 3.3045, .printed(0.0005)))
        let methods = try #require(ref["methods"] as? [String: Any])
        for m in ["empirical", "binormal", "kernel"] {
            let block = try #require(methods[m] as? [String: Any])
            let cutoff = try #require(block["cutoff"] as? [String: Any])
            for key in ["mean", "sd", "q025", "q250", "q500", "q750", "q975", "bias", "rmse", "mcse_mean", "mcse_sd"] {
                #expect(cutoff[key] is Double, "\(m).cutoff.\(key)")
            }
            for q in ["youden_j", "sensitivity", "specificity"] { #expect(block[q] is [String: Any], "\(m).\(q)") }
            #expect(block["drift"] is [String: Any])
        }
        #expect(ref["degenerate"] as? Int == 0)
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("95% of the estimates fell between"))
        #expect(report.contains("The published cutoff 3.3 sits at"))
        let prov = try CLI.json(out.appendingPathComponent("provenance.json"))
        for key in ["vbqlab_version", "gsl_version", "seed", "threads", "start_time", "wall_seconds", "command_line"] {
            #expect(prov[key] != nil, "provenance.\(key)")
        }
    }

    static func files(_ dir: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for f in ["summary.json", "summary.csv", "replicates.csv", "scenario.resolved.yaml", "report.md"] {
            out[f] = try Data(contentsOf: dir.appendingPathComponent(f))
        }
        return out
    }

    @Test func outputIsByteIdenticalForAnyThreadCount() throws {
        let dir = try CLI.tempDir()
        let scenario = CLI.repository.appendingPathComponent("scenarios/wu2025-baseline.yaml").path
        var runs: [[String: Data]] = []
        for (name, args) in [("t1", ["--threads", "1"]), ("t2", ["--threads", "2"]), ("t2b", ["--threads", "2"]),
                             ("seed", ["--threads", "2", "--seed", "99"])] {
            let r = try CLI.run(["run", scenario, "--replicates", "300", "--quiet", "--out", dir.appendingPathComponent(name).path] + args)
            #expect(r.status == 0, "\(r.stderr)")
            runs.append(try Self.files(dir.appendingPathComponent(name)))
        }
        for f in ["summary.json", "summary.csv", "replicates.csv", "scenario.resolved.yaml", "report.md"] {
            #expect(runs[0][f] == runs[1][f], "\(f) differs between --threads 1 and 2")
            #expect(runs[1][f] == runs[2][f], "\(f) differs between two runs")
        }
        #expect(runs[1]["replicates.csv"] != runs[3]["replicates.csv"])
        // The resolved scenario records what was run, command-line overrides included.
        let resolved = String(decoding: runs[3]["scenario.resolved.yaml"]!, as: UTF8.self)
        #expect(resolved.contains("\nseed: 99\n") && resolved.contains("\nreplicates: 300\n"))
        #expect(runs[1]["summary.json"] != runs[3]["summary.json"])
    }

    // A run stopped early says so, keeps its rows, and --resume finishes it to the same bytes.
    @Test func stoppedRunResumesToTheSameResult() throws {
        let dir = try CLI.tempDir()
        let a = dir.appendingPathComponent("a").path, b = dir.appendingPathComponent("b").path
        let base = ["run", "wu2025-baseline", "--replicates", "200", "--quiet", "--threads", "2"]
        let stopped = try CLI.run(base + ["--out", a, "--stop-after", "300"])
        #expect(stopped.status == 130)
        #expect(stopped.stderr.contains("run the same command with --resume to finish"))
        let partial = try CLI.json(URL(fileURLWithPath: a).appendingPathComponent("summary.json"))
        #expect(partial["status"] as? String == "incomplete")
        #expect(!FileManager.default.fileExists(atPath: a + "/report.md"))
        // A different seed cannot resume this checkpoint.
        let wrong = try CLI.run(base + ["--out", a, "--resume", "--seed", "5"])
        #expect(wrong.status != 0 && wrong.stderr.contains("from a different scenario, seed or number of replicates"))
        // A checkpoint in another version's format is neither resumed nor silently replaced.
        let d = dir.appendingPathComponent("d").path
        try FileManager.default.copyItem(atPath: a, toPath: d)
        var old = try #require(FileManager.default.contents(atPath: d + "/checkpoint.vbq"))
        old.replaceSubrange(0..<14, with: Data("VBQCHECKPOINT3".utf8))
        try old.write(to: URL(fileURLWithPath: d + "/checkpoint.vbq"))
        for extra in [[], ["--resume"]] {
            let refused = try CLI.run(base + ["--out", d] + extra)
            #expect(refused.status != 0 && refused.stderr.contains("written by another version of vbqlab"), "\(extra): \(refused.stderr)")
            #expect(FileManager.default.contents(atPath: d + "/checkpoint.vbq") == old)
        }
        #expect(try CLI.run(base + ["--out", d, "--fresh"]).status == 0)
        let resumed = try CLI.run(base + ["--out", a, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let straight = try CLI.run(base + ["--out", b])
        #expect(straight.status == 0)
        for f in ["summary.json", "summary.csv", "replicates.csv", "report.md"] {
            #expect(FileManager.default.contents(atPath: a + "/" + f) == FileManager.default.contents(atPath: b + "/" + f), "\(f) differs after resuming")
        }
        #expect(!FileManager.default.fileExists(atPath: a + "/checkpoint.vbq"))
        let nothing = try CLI.run(base + ["--out", dir.appendingPathComponent("c").path, "--resume"])
        #expect(nothing.status != 0 && nothing.stderr.contains("no interrupted run to resume here"))
    }

    /// A re-analysis by Firth's method alone draws its figure: the figure's first plot element
    /// names its data file (it once began with '', "the previous file", and gnuplot stopped).
    @Test(.enabled(if: Requirements.gnuplot, "needs gnuplot (Debian: gnuplot-nox)"))
    func firthOnlyReanalysisDrawsItsFigure() throws {
        let dir = try CLI.tempDir()
        let text = try String(contentsOf: CLI.repository.appendingPathComponent("scenarios/seed-tables.yaml"), encoding: .utf8)
        #expect(text.contains("methods: [ml, firth]"))
        try text.replacingOccurrences(of: "methods: [ml, firth]", with: "methods: [firth]")
            .write(to: dir.appendingPathComponent("firth.yaml"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["run", "firth.yaml", "--quick", "--quiet", "--out", "o"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("o/plots/reanalysis.svg").path))
    }

    @Test func headlineOnStdout() throws {
        let dir = try CLI.tempDir()
        let r = try CLI.run(["run", "wu2025-baseline", "--replicates", "20", "--quiet", "--out", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("reference c3 (cohort.size=256): c* = 3.3045"))
    }
}

@Suite struct ErrorTests {
    /// (scenario text, expected stderr prefix after "error: <file>:")
    static let badScenarios: [(String, String)] = [
        ("cohort: {events: 67, non_events: 189}\ngenerator:\n  event: {distribution: normal, mean: 3.62, sd: -0.46}\n  non_event: {distribution: normal, mean: 2.97, sd: 0.43}\n", "3: generator.event.sd: -0.46 must be greater than 0"),
        ("cohort: {size: 256, prevalence: 1.3}\ngenerator:\n  event: {distribution: normal, mean: 3.62, sd: 0.46}\n  non_event: {distribution: normal, mean: 2.97, sd: 0.43}\n", "1: cohort.prevalence: 1.3 is outside (0, 1)"),
        ("cohort: {events: 67, non_events: 189}\ngenerater: {}\n", "2: generater: unknown key (did you mean 'generator'?)"),
        ("cohort: {events: 67, non_events: 189}\ngenerator:\n  event: {distribution: mixture, components: [{weight: 0.6, distribution: normal, mean: 3, sd: 1}, {weight: 0.6, distribution: normal, mean: 4, sd: 1}]}\n  non_event: {distribution: normal, mean: 2.97, sd: 0.43}\n", "3: generator.event.components: mixture weights sum to 1.2, must sum to 1"),
        ("cohort: {events: 67, non_events: 189}\ngenerator:\n  event: {distribution: normal, mean: 2.0, sd: 0.46}\n  non_event: {distribution: normal, mean: 2.97, sd: 0.43}\n", "generator"),
    ]

    @Test(arguments: badScenarios.indices)
    func badScenarioFile(_ i: Int) throws {
        let dir = try CLI.tempDir()
        let file = dir.appendingPathComponent("bad.yaml")
        try Self.badScenarios[i].0.write(to: file, atomically: false, encoding: .utf8)
        for command in [["run", file.path, "--quick", "--quiet", "--out", dir.appendingPathComponent("o").path], ["validate", file.path]] {
            let r = try CLI.run(command)
            #expect(r.status != 0)
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(r.stderr)")
            #expect(r.stderr.hasPrefix("error: \(file.path):" + Self.badScenarios[i].1) || (i == 4 && r.stderr.contains("must score higher")), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o/summary.json").path))
        }
    }

    @Test func missingScenarioFile() throws {
        let r = try CLI.run(["run", "/nonexistent/x.yaml"])
        #expect(r.status != 0)
        #expect(r.stderr.hasPrefix("error: /nonexistent/x.yaml: no such file, and no shipped scenario of that name; shipped: "))
    }

    @Test func badArguments() throws {
        #expect(try CLI.run(["run", "--threads", "0"]).status != 0)
        #expect(try CLI.run(["run", "--replicates", "-3"]).status != 0)
        #expect(try CLI.run(["analyze", "x.csv", "--score", "a"]).status != 0)   // --outcome missing
    }

    static func csv(_ text: String) throws -> String {
        let file = try CLI.tempDir().appendingPathComponent("data.csv")
        try text.write(to: file, atomically: false, encoding: .utf8)
        return file.path
    }

    @Test func csvWithNonNumericScoreIsRefusedByLine() throws {
        let path = try Self.csv("id,vbq,iff\n1,3.1,1\n2,abc,0\n3,2.9,0\n4,,1\n5,3.6,1\n6,2.5,0\n")
        let r = try CLI.run(["analyze", path, "--score", "vbq", "--outcome", "iff"])
        #expect(r.status != 0)
        // The empty score of line 5 is missing (skipped and counted), not invalid.
        #expect(r.stderr == "error: \(path):3: vbq: 'abc' is not a number; fix the data or pass --drop-invalid to skip such rows\n")
        let ok = try CLI.run(["analyze", path, "--score", "vbq", "--outcome", "iff", "--drop-invalid", "--json"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stderr.contains("skipped 1 row with a missing score or outcome (line 5)"))
        #expect(ok.stderr.contains("skipped 1 row whose score is not a number (line 3)"))
        let j = try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as! [String: Any]
        #expect(j["n_positive"] as? Int == 2 && j["n_negative"] as? Int == 2)
    }

    @Test(arguments: [
        ("vbq,iff\n3.1,1\n2.9,0\n", ["--score", "vqb", "--outcome", "iff"], ":1: --score: no column 'vqb' (did you mean 'vbq'?)"),
        ("vbq,iff\n3.1,1\n2.9,0\n3.0,2\n", ["--score", "vbq", "--outcome", "iff", "--positive", "1"], ":1: --outcome: column 'iff' has more than two values"),
        ("vbq,iff\n3.1,a\n2.9,b\n", ["--score", "vbq", "--outcome", "iff"], ":1: --outcome: column 'iff' has values a, b; say which one is the event with --positive"),
        ("vbq,iff\n3.1,1\n2.9,1\n", ["--score", "vbq", "--outcome", "iff"], ":1: --outcome: every row has the event value '1'"),
        ("vbq,iff\n3.1,1\n2.9\n", ["--score", "vbq", "--outcome", "iff"], ":3: has 1 fields, the header has 2"),
        ("vbq,iff\n3.1,1\n2.9,0\n", ["--score", "vbq", "--outcome", "iff", "--positive", "yes"], ":1: --positive: 'yes' does not occur in column 'iff'"),
    ])
    func badCSV(_ text: String, _ args: [String], _ expected: String) throws {
        let path = try Self.csv(text)
        let r = try CLI.run(["analyze", path] + args)
        #expect(r.status != 0)
        #expect(r.stderr.hasPrefix("error: \(path)\(expected)"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }
}

@Suite struct AnalyzeAndValidateTests {
    // Hand-checked: events {3.1, 3.4, 3.8}, non-events {2.5, 2.9, 3.4}. Pairs (x > y, ties ½):
    // 3.1 beats 2 and loses to 3.4 → 2; 3.4 beats 2, ties 1 → 2.5; 3.8 beats 3 → 3. AUC = 7.5/9.
    // Thresholds (sens, spec, J): 2.7 (1, 1/3, 1/3), 3.0 (1, 2/3, 2/3), 3.25 (2/3, 2/3, 1/3), 3.6 (1/3, 1, 1/3):
    // the unique best is 3.0.
    @Test func analyzeJSONOnAHandCase() throws {
        let path = try ErrorTests.csv("score,event\n3.1,yes\n3.4,yes\n3.8,yes\n2.5,no\n2.9,no\n3.4,no\n")
        let r = try CLI.run(["analyze", path, "--score", "score", "--outcome", "event", "--json", "--cutoff", "3.4", "--bootstrap", "200", "--seed", "4"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(j["n_positive"] as? Int == 3 && j["n_negative"] as? Int == 3)
        #expect(isClose((j["auc"] as! Double), 7.5 / 9, .rounding(1e-12)))
        let youden = j["youden"] as! [String: Any]
        #expect(isClose((youden["cutoff"] as! Double), 3.0, .rounding(1e-12)))
        #expect(isClose((youden["j"] as! Double), 2.0 / 3, .rounding(1e-12)))
        #expect(isClose((youden["sensitivity"] as! Double), 1, .rounding(1e-12)))
        #expect(isClose((youden["specificity"] as! Double), 2.0 / 3, .rounding(1e-12)))
        let ci = j["auc_ci"] as! [Double]
        #expect(ci.count == 2 && ci[0] <= 7.5 / 9 && ci[1] >= 7.5 / 9)
        // At 3.4 (a tied score, counted positive): TP 2 (3.4, 3.8), FN 1, TN 2, FP 1.
        let at = (j["cutoffs"] as! [[String: Any]])[0]
        #expect(at["tp"] as? Int == 2 && at["fn"] as? Int == 1 && at["tn"] as? Int == 2 && at["fp"] as? Int == 1)
        let methods = j["methods"] as! [String: Any]
        let emp = methods["empirical"] as! [String: Any]
        let bci = emp["bootstrap_ci"] as! [Double]
        #expect(bci[0] <= bci[1])
        // The same seed gives the same bootstrap; another seed need not.
        let again = try CLI.run(["analyze", path, "--score", "score", "--outcome", "event", "--json", "--cutoff", "3.4", "--bootstrap", "200", "--seed", "4"])
        #expect(again.stdout == r.stdout)
    }

    /// All scores tied: Mann–Whitney gives AUC 0.5 (every pair a tie); no cutoff exists, and the
    /// data are still flagged degenerate. R: pROC::auc(c(1,1,0,0), c(3,3,3,3)) is 0.5.
    @Test func allTiedDataHaveAUCOneHalf() throws {
        let path = try ErrorTests.csv("score,event\n3,1\n3,1\n3,0\n3,0\n")
        let r = try CLI.run(["analyze", path, "--score", "score", "--outcome", "event", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(j["auc"] as? Double == 0.5)
        #expect(j["degenerate"] as? String == "all_scores_tied")
        let text = try CLI.run(["analyze", path, "--score", "score", "--outcome", "event"])
        #expect(text.stdout.contains("AUC 0.5000 (every score is tied"), "\(text.stdout)")
    }

    @Test func analyzeTable() throws {
        let path = try ErrorTests.csv("score,event\n3.1,1\n3.4,1\n3.8,1\n2.5,0\n2.9,0\n3.4,0\n")
        let r = try CLI.run(["analyze", path, "--score", "score", "--outcome", "event", "--cutoff", "3.3"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("AUC 0.8333"))
        #expect(r.stdout.split(separator: "\n").contains { $0.hasPrefix("empirical") && $0.contains(" 3.000 ") })
    }

    @Test func validatePrintsTheDesign() throws {
        let r = try CLI.run(["validate", CLI.repository.appendingPathComponent("scenarios/wu2025-baseline.yaml").path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("ok — wu2025-baseline: 5 cells × 10000 replicates"))
        #expect(r.stdout.contains("c3   cohort.size=256  [reference]  n=256 (67 events)  c*=3.3045 J*=0.5353 AUC*=0.8490"))
    }
}

@Suite struct PowerCommandTests {
    @Test func powerWritesReportAndParagraph() throws {
        let dir = try CLI.tempDir()
        let r = try CLI.run(["power", "power-grant", "--n", "60,150,400", "--replicates", "200", "--out", dir.path, "--threads", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        for f in ["power.md", "power.json", "power.csv", "provenance.json", "plots/power.gp", "plots/power.dat"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(f).path), "missing \(f)")
        }
        let md = try String(contentsOf: dir.appendingPathComponent("power.md"), encoding: .utf8)
        #expect(md.contains("## For the grant proposal"))
        #expect(md.contains("Sample size was determined by Monte Carlo simulation"))
        let j = try CLI.json(dir.appendingPathComponent("power.json"))
        #expect((j["targets"] as? [[String: Any]])?.count == 7)
        #expect(r.stdout.contains("AUC > 0.75 by a one-sided DeLong test: n = "))
    }

    @Test(arguments: [
        (["--power", "1.2"], "error: --power: 1.2 is outside (0, 1)"),
        (["--target", "auc_ci: {halfwidth: 0.05}"], "error: --target.auc_ci.halfwidth: unknown key (did you mean 'half_width'?)"),
        (["--n", "10,x"], "error: --n: '10,x' must be whole numbers separated by commas"),
    ])
    func badPowerArguments(_ extra: [String], _ expected: String) throws {
        let r = try CLI.run(["power", "power-grant", "--replicates", "20"] + extra)
        #expect(r.status != 0)
        #expect(r.stderr.hasPrefix(expected), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }
}
