import Foundation
import Testing

/// The bad-input corpus: scenario files, data files and arguments that a colleague, a typo or
/// an attacker could hand to vbqlab. Each must give exactly one line naming the file, line and
/// key, and a non-zero exit; never a trap, a hang or a file written outside the run folder.
/// The expected lines are in `Fixtures/bad-inputs/expected-*.tsv` (file name, then the error
/// after "error: FILE").
enum Corpus {
    static let root = CLI.repository.appendingPathComponent("Tests/VBQLabCLITests/Fixtures/bad-inputs")

    static func manifest(_ name: String) -> [(file: String, expected: String)] {
        let text = (try? String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { line in
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
    }

    static let scenarios = manifest("expected-scenarios.tsv")
    static let csvs = manifest("expected-csv.tsv")
}

@Suite struct BadInputCorpusTests {
    @Test func everyFixtureHasAnExpectation() throws {
        let fm = FileManager.default
        let yaml = try fm.contentsOfDirectory(atPath: Corpus.root.appendingPathComponent("scenarios").path).filter { $0.hasSuffix(".yaml") }
        let csv = try fm.contentsOfDirectory(atPath: Corpus.root.appendingPathComponent("csv").path).filter { $0.hasSuffix(".csv") }
        #expect(Set(yaml) == Set(Corpus.scenarios.map(\.file)))
        #expect(Set(csv) == Set(Corpus.csvs.map(\.file)))
        #expect(yaml.count + csv.count + BadArgumentTests.cases.count >= 100)
    }

    /// `validate` and `run` refuse each bad scenario with the same single line.
    @Test(arguments: Corpus.scenarios.indices)
    func badScenario(_ i: Int) throws {
        let (file, expected) = Corpus.scenarios[i]
        let dir = Corpus.root.appendingPathComponent("scenarios")
        let validate = try CLI.run(["validate", file], in: dir)
        #expect(validate.status == 1, "\(file): exit \(validate.status)")
        #expect(validate.stderr == "error: \(file)\(expected)\n", "\(file)")
        let out = try CLI.tempDir()
        let run = try CLI.run(["run", dir.appendingPathComponent(file).path, "--quick", "--quiet", "--out", out.appendingPathComponent("o").path], in: out)
        #expect(run.status == 1, "\(file): exit \(run.status)")
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1 && run.stderr.hasSuffix(expected + "\n"), "\(file): \(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("o/summary.json").path))
    }

    @Test(arguments: Corpus.csvs.indices)
    func badDataFile(_ i: Int) throws {
        let (file, expected) = Corpus.csvs[i]
        let r = try CLI.run(["analyze", file, "--score", "vbq", "--outcome", "failure"], in: Corpus.root.appendingPathComponent("csv"))
        #expect(r.status == 1, "\(file): exit \(r.status)")
        #expect(r.stderr == "error: \(file)\(expected)\n", "\(file)")
        #expect(r.stdout.isEmpty)
    }
}

@Suite struct BadArgumentTests {
    static let data = CLI.repository.appendingPathComponent("Tests/VBQLabCLITests/Fixtures/bad-inputs/good.csv").path
    /// Arguments and the start of the one line they must give.
    static let cases: [([String], String)] = [
        (["run", "--threads", "9223372036854775807"], "Error: --threads must be between 1 and 1024"),
        (["run", "--threads", "0"], "Error: --threads must be between 1 and 1024"),
        (["run", "--replicates", "9223372036854775807"], "Error: --replicates must be between 1 and 100000000"),
        (["run", "--replicates", "0"], "Error: --replicates must be between 1 and 100000000"),
        (["run", "--quick", "--replicates", "5"], "Error: give --quick or --replicates, not both"),
        (["run", "--out", ""], "Error: --out is an empty path"),
        (["run", "--resume", "--fresh"], "Error: give --resume or --fresh, not both"),
        (["run", "--seed", "-1"], "Error: Missing value for '--seed <seed>'"),
        (["run", "--seed", "1.5"], "Error: The value '1.5' is invalid for '--seed <seed>'"),
        (["run", "reader"], "error: reader: no such file, and no shipped scenario of that name (did you mean 'readers'?)"),
        (["run", "wu2025-basline.yaml"], "error: wu2025-basline.yaml: no such file, and no shipped scenario of that name (did you mean 'wu2025-baseline'?)"),
        (["run", "/"], "error: /: is a folder; give a scenario file (.yaml) or the name of a shipped scenario (vbqlab list)"),
        (["run", ""], "error: SCENARIO: is empty"),
        (["run", "wu2025-baseline", "--out", "/etc/passwd/x"], "error: /etc/passwd/x: cannot create the output folder: "),
        (["run", "wu2025-baseline", "--out", "/etc/passwd"], "error: /etc/passwd: exists and is not a folder"),
        (["run", "wu2025-baseline", "--out", "/etc"], "error: /etc: is not a vbqlab output folder"),
        (["power", "power-grant", "--events", "100,9223372036854775807"], "error: --events: 9223372036854775807 is more than the limit of 1000000 patients per cohort"),
        (["power", "power-grant", "--n", "100,abc"], "error: --n: '100,abc' must be whole numbers separated by commas"),
        (["power", "power-grant", "--n", "100,,200"], "error: --n: '100,,200' must be whole numbers separated by commas"),
        (["power", "power-grant", "--n", "100,9223372036854775807"], "error: --n: 9223372036854775807 is more than the limit of 1000000"),
        (["power", "power-grant", "--n-range", "4:9223372036854775807:1"], "error: --n-range: 9223372036854775807 is more than the limit of 1000000"),
        (["power", "power-grant", "--n-range", "4:1000000:1"], "error: --n-range: '4:1000000:1' gives 999997 sizes, more than the limit of 500"),
        (["power", "power-grant", "--n-range", "400:100:50"], "error: --n-range: '400:100:50' must be FROM:TO:STEP"),
        (["power", "power-grant", "--replicates", "5"], "Error: --replicates must be between 10 and 100000000"),
        (["power", "power-grant", "--n", "100,1000000", "--replicates", "20000"], "error: power-grant.yaml (built in):26: power: this sweep would take about"),
        (["power", "power-grant", "--n", "100", "--events", "30"], "Error: give one of --n, --n-range, --events"),
        (["power", "power-grant", "--target", "auc_above: {null: 0.75, sides: &a 1}"], "error: --target: 'auc_above: {null: 0.75, sides: &a 1}' is not a target: YAML anchors"),
        (["analyze", data, "--score", "vbq", "--outcome", "failure", "--bootstrap=-1"], "Error: --bootstrap must be between 0 and 1000000"),
        (["analyze", data, "--score", "vbq", "--outcome", "failure", "--bootstrap", "9223372036854775807"], "Error: --bootstrap must be between 0 and 1000000"),
        (["analyze", "/", "--score", "vbq", "--outcome", "failure"], "error: /: is a folder; give a CSV file"),
        (["analyze", data, "--score", "vbq", "--outcome", "failure", "--positive", "2"], "error: \(data):1: --positive: '2' does not occur in column 'failure'"),
        (["validate"], "Error: Missing expected argument '<scenarios> ...'"),
        // Numbers on the command line are read as in a file: no hexadecimal, inf or nan, and a
        // negative number is a number, refused for what it is.
        (["calibrate", "--event-mean", "3.6", "--event-sd", "362", "--non-event-mean", "3.0", "--non-event-sd", "0.4", "--prevalence", "0.26", "--family", "lognormal"],
         "error: --event-sd: 362 is not an SD of VBQ scores (above 0 and below 50)"),
        (["calibrate", "--event-mean", "inf", "--event-sd", "0.4", "--non-event-mean", "3.0", "--non-event-sd", "0.4", "--prevalence", "0.26"],
         "Error: The value 'inf' is invalid for '--event-mean <event-mean>': 'inf' is not a number as a paper writes one"),
        (["calibrate", "--event-mean", "3.6", "--event-sd", "-0.46", "--non-event-mean", "3.0", "--non-event-sd", "0.4", "--prevalence", "0.26"],
         "error: --event-sd: -0.46 is not an SD of VBQ scores"),
        (["calibrate", "--event-mean", "0x1p2", "--event-sd", "0.4", "--non-event-mean", "3.0", "--non-event-sd", "0.4", "--prevalence", "0.26"],
         "Error: The value '0x1p2' is invalid for '--event-mean <event-mean>'"),
        (["analyze", data, "--score", "vbq", "--outcome", "failure", "--cutoff", "nan"], "Error: The value 'nan' is invalid for '--cutoff <cutoff>'"),
        (["power", "power-grant", "--alpha", "0x1p-4"], "Error: The value '0x1p-4' is invalid for '--alpha <alpha>'"),
    ]

    @Test(arguments: cases.indices)
    func badArguments(_ i: Int) throws {
        let (args, expected) = Self.cases[i]
        let dir = try CLI.tempDir()
        let r = try CLI.run(args, in: dir)
        #expect(r.status != 0 && r.status < 128, "\(args): exit \(r.status)")
        #expect(r.stderr.hasPrefix(expected), "\(args): \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        // Nothing was written in the working folder.
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.isEmpty ?? true, "\(args)")
    }

    /// A negative cutoff needs no `=`.
    @Test func negativeCutoff() throws {
        let r = try CLI.run(["analyze", Self.data, "--score", "vbq", "--outcome", "failure", "--cutoff", "-6.7", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\"cutoff\": -6.7"))
    }

    /// `--roc` and `calibrate --out` replace only a file vbqlab wrote for them, never the input:
    /// `analyze d.csv --roc d.csv` replaced the data in 0.2.0, and `calibrate --out notes.txt`
    /// any file.
    @Test func outputsReplaceOnlyTheirOwnFiles() throws {
        let dir = try CLI.tempDir()
        let data = dir.appendingPathComponent("d.csv")
        try FileManager.default.copyItem(atPath: Self.data, toPath: data.path)
        let before = try Data(contentsOf: data)
        let r = try CLI.run(["analyze", "d.csv", "--score", "vbq", "--outcome", "failure", "--roc", "d.csv"], in: dir)
        #expect(r.status == 1 && r.stderr.contains("--roc: is the command's input d.csv"), "\(r.stderr)")
        #expect(try Data(contentsOf: data) == before)
        try "my notes\n".write(to: dir.appendingPathComponent("notes.txt"), atomically: false, encoding: .utf8)
        let n = try CLI.run(["analyze", "d.csv", "--score", "vbq", "--outcome", "failure", "--roc", "notes.txt"], in: dir)
        #expect(n.status == 1 && n.stderr.contains("exists and is not an ROC table as vbqlab writes it"), "\(n.stderr)")
        // A file that merely starts like vbqlab's is not vbqlab's.
        try "threshold,sensitivity,specificity\nmy,own,data\n".write(to: dir.appendingPathComponent("mine.csv"), atomically: false, encoding: .utf8)
        #expect(try CLI.run(["analyze", "d.csv", "--score", "vbq", "--outcome", "failure", "--roc", "mine.csv"], in: dir).status == 1)
        #expect(try String(contentsOf: dir.appendingPathComponent("mine.csv"), encoding: .utf8).contains("my,own,data"))
        try "# calibrated by vbqlab 0.2.0\nmy: precious\n".write(to: dir.appendingPathComponent("mine.yaml"), atomically: false, encoding: .utf8)
        let calibrate = ["calibrate", "--event-mean", "3.6", "--event-sd", "0.4", "--non-event-mean", "3.0", "--non-event-sd", "0.4", "--prevalence", "0.26"]
        let c = try CLI.run(calibrate + ["--out", "notes.txt"], in: dir)
        #expect(c.status == 1 && c.stderr.contains("exists and is not a calibrated scenario as vbqlab writes it"), "\(c.stderr)")
        #expect(try CLI.run(calibrate + ["--out", "mine.yaml"], in: dir).status == 1)
        #expect(try String(contentsOf: dir.appendingPathComponent("mine.yaml"), encoding: .utf8).contains("my: precious"))
        #expect(try String(contentsOf: dir.appendingPathComponent("notes.txt"), encoding: .utf8) == "my notes\n")
        // Its own files it replaces (a calibrated scenario with a source line too).
        #expect(try CLI.run(["analyze", "d.csv", "--score", "vbq", "--outcome", "failure", "--roc", "roc.csv"], in: dir).status == 0)
        #expect(try CLI.run(["analyze", "d.csv", "--score", "vbq", "--outcome", "failure", "--roc", "roc.csv"], in: dir).status == 0)
        #expect(try CLI.run(calibrate + ["--out", "c.yaml", "--source", "Table 1"], in: dir).status == 0)
        #expect(try CLI.run(calibrate + ["--out", "c.yaml"], in: dir).status == 0)
    }

    /// A right-to-left override in a column name could make the error line read in another
    /// order than it has: it is shown as \u{202e}, like any control character.
    @Test func bidirectionalControlsAreShownEscaped() throws {
        let dir = try CLI.tempDir()
        try "vbq,fail\u{202E}ure\n3.1,1\n2.9,0\n".write(to: dir.appendingPathComponent("d.csv"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["analyze", "d.csv", "--score", "vbq", "--outcome", "failure"], in: dir)
        #expect(r.status == 1)
        #expect(!r.stderr.unicodeScalars.contains { $0.value == 0x202E } && r.stderr.contains("\\u{202e}"), "\(r.stderr)")
    }

    /// A CSV saved by Excel starts with `sep=,` (or `sep=;`): the line names the separator and
    /// the header is the line after it; line numbers stay those of the file.
    @Test func excelSeparatorLine() throws {
        let dir = try CLI.tempDir()
        try "sep=;\r\nvbq;failure\r\n3.6;1\r\n2.9;0\r\n3.4;1\r\n3.0;0\r\n3.1;0\r\n".write(to: dir.appendingPathComponent("e.csv"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["analyze", "e.csv", "--score", "vbq", "--outcome", "failure", "--json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\"n\": 5") || r.stdout.contains("\"events\": 2"), "\(r.stdout.prefix(400))")
        try "sep=,\nvbq,failure\n3.1,1\n2.9\n".write(to: dir.appendingPathComponent("f.csv"), atomically: false, encoding: .utf8)
        let f = try CLI.run(["analyze", "f.csv", "--score", "vbq", "--outcome", "failure"], in: dir)
        #expect(f.stderr.hasPrefix("error: f.csv:4: has 1 fields, the header has 2"), "\(f.stderr)")
        try "sep=|\nvbq|failure\n".write(to: dir.appendingPathComponent("g.csv"), atomically: false, encoding: .utf8)
        let g = try CLI.run(["analyze", "g.csv", "--score", "vbq", "--outcome", "failure"], in: dir)
        #expect(g.stderr.hasPrefix("error: g.csv:1: 'sep=|' names a field separator vbqlab does not read"), "\(g.stderr)")
        let h = try CLI.run(["analyze", "e.csv", "--score", "vbq", "--outcome", "failure", "--sep", "comma"], in: dir)
        #expect(h.stderr.contains("says sep=;, but the separator asked for is ,"), "\(h.stderr)")
    }

    /// `analyze` says what it will cost before it starts and refuses what would take hours
    /// (0.2.0 ran `--bootstrap 10⁶` on 10⁶ rows for about three days, printing nothing).
    @Test func analyzeRefusesHoursOfWork() throws {
        let dir = try CLI.tempDir()
        var text = "vbq,failure\n"
        for i in 0..<100_000 { text += "\(3 + Double(i % 997) / 997),\(i % 4 == 0 ? 1 : 0)\n" }
        try text.write(to: dir.appendingPathComponent("big.csv"), atomically: false, encoding: .utf8)
        let base = ["analyze", "big.csv", "--score", "vbq", "--outcome", "failure"]
        let b = try CLI.run(base + ["--bootstrap", "1000000"], in: dir)
        #expect(b.status == 1 && b.stderr.hasPrefix("error: --bootstrap: 1000000 resamples of 100000 rows would take about") && b.stderr.contains("lower --bootstrap"), "\(b.stderr)")
        let a = try CLI.run(base + ["--against", "drift-overview", "--against-replicates", "1000000"], in: dir)
        #expect(a.status == 1 && a.stderr.contains("lower --against-replicates, or choose one cell with --cell"), "\(a.stderr)")
        #expect(a.stderr.split(separator: "\n").count == 1)
    }
}
