import Foundation
import Testing
import VBQTestSupport
import VBQLab

/// The mechanisms that keep hostile text inert: gnuplot quoting, strict numbers, the YAML
/// guard, bounded distributions.
@Suite struct HostileInputTests {
    /// Random strings full of quotes, backquotes, macros, semicolons, line breaks and system()
    /// calls.
    static let fuzzTexts: [String] = {
        let pieces = ["'", "''", "\"", "`touch BQ`", "@GPVAL_PWD", "; system 'touch SYS'", "system(\"touch F\")",
                      "\n", "\r", "\\", "\\\n", "#", "$0", "{", "}", "^", "_", "&", "é", "ĉ", "\u{0}", "\u{1b}[2J", "\t", "print 'x'", "a", " "]
        var rng = SystemRandomNumberGenerator()
        var texts: [String] = ["", "'", "''", "'''", "'; system 'touch LEADING'; print '", "x'; system 'touch INJECTED'; print '"]
        for _ in 0..<2000 {
            texts.append((0..<Int.random(in: 1...8, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined())
        }
        return texts
    }()

    /// Each text survives the data-file and file-name paths.
    @Test func gnuplotQuotingIsInertUnderFuzzing() {
        for t in Self.fuzzTexts {
            let d = Gnuplot.dataField(t)
            #expect(d.hasPrefix("\"") && d.hasSuffix("\"") && !d.dropFirst().dropLast().contains("\"") && !d.contains("\n") && !d.contains("\t"))
            let slug = Gnuplot.slug(t)
            #expect(!slug.isEmpty && slug.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 })
        }
    }

    /// A real gnuplot prints each text quoted by `Gnuplot.quote` exactly (quotes as ’, control
    /// characters as spaces), and no command runs.
    @Test(.enabled(if: Requirements.gnuplot, "needs gnuplot (Debian: gnuplot-nox)"))
    func gnuplotPrintsFuzzedLiteralsAsWritten() throws {
        let gnuplot = try #require(Requirements.which("gnuplot"))
        let texts = Self.fuzzTexts
        let dir = try TestFolder.make("gpfuzz")
        let script = texts.map { "print \(Gnuplot.quote($0))" }.joined(separator: "\n") + "\n"
        try script.write(to: dir.appendingPathComponent("t.gp"), atomically: false, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: gnuplot)
        p.arguments = ["t.gp"]
        p.currentDirectoryURL = dir
        let err = Pipe()
        p.standardError = err          // gnuplot's print writes to stderr
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let printed = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(printed.prefix(400))")
        let expected = texts.map { t in
            String(String.UnicodeScalarView(t.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : ($0 == "'" ? "’" : $0) }))
        }.joined(separator: "\n") + "\n"
        #expect(printed == expected)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["t.gp"], "a command ran")
    }

    /// gnuplot reads tic labels as formats: a level such as "50%" or "%s %d" reaches it through
    /// `Gnuplot.ticLabel` and is drawn as written (a lone '%' stops the figure otherwise).
    /// A script built with `GnuplotScript` holds user text only as quoted strings and its
    /// comment on one line: a hostile title, tic label and comment add no command.
    @Test func scriptBuilderKeepsTextInert() {
        let hostile = "x'\nset output '/tmp/owned'\n`rm -rf ~` @macro\u{85}"
        var gp = GnuplotScript(comment: hostile)
        gp.add("set title ", .text(hostile))
        gp.add("set xtics (", .joined([[.tic(hostile + " 50%"), " ", .int(1)]], by: ", "), ")")
        let lines = gp.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4, "\(gp.text)")
        #expect(lines[0].hasPrefix("# x'"))
        #expect(lines[1] == "set title 'x’ set output ’/tmp/owned’ `rm -rf ~` @macro '")
        #expect(lines[2] == "set xtics ('x’ set output ’/tmp/owned’ `rm -rf ~` @macro  50%%' 1)")
    }

    @Test(.enabled(if: Requirements.gnuplot, "needs gnuplot (Debian: gnuplot-nox)"))
    func percentInTicLabelsIsDrawnAsWritten() throws {
        let gnuplot = try #require(Requirements.which("gnuplot"))
        let dir = try TestFolder.make("gptic")
        let labels = ["50%", "%s %d %%", "a%"]
        let script = "set terminal dumb size 120,20\nset output 'out.txt'\nset xrange [0:4]\nset xtics (" + labels.enumerated().map { "\(Gnuplot.ticLabel($0.element)) \($0.offset + 1)" }.joined(separator: ", ") + ")\nplot x notitle\n"
        try script.write(to: dir.appendingPathComponent("t.gp"), atomically: false, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: gnuplot)
        p.arguments = ["t.gp"]
        p.currentDirectoryURL = dir
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let drawn = try String(contentsOf: dir.appendingPathComponent("out.txt"), encoding: .utf8)
        for label in labels { #expect(drawn.contains(label), "\(label) not drawn: \(drawn)") }
    }

    @Test(arguments: [
        ("3.3", 3.3), ("-0.5", -0.5), ("+2", 2.0), (".5", 0.5), ("5.", 5.0), ("1e3", 1000.0), ("2.5E-1", 0.25),
    ])
    func numbersAsPeopleWriteThem(_ text: String, _ value: Double) {
        #expect(NumberText.double(text) == value)
    }

    @Test(arguments: ["0x1p2", "inf", "-inf", "nan", "NaN", "4.1\u{0}junk", "1e", "e3", ".", "", " 3", "3 ", "1,5", "1e400", "--1", "3.3.3", "٣"])
    func notNumbers(_ text: String) {
        #expect(NumberText.double(text) == nil)
    }

    @Test func wholeNumbers() {
        #expect(NumberText.int("9223372036854775807") == Int.max)
        #expect(NumberText.int("9223372036854775808") == nil)
        #expect(NumberText.int("+42") == 42)
        #expect(NumberText.int("-7") == -7)
        #expect(NumberText.int("4.0") == nil)
        #expect(NumberText.int("0x10") == nil)
    }

    @Test(arguments: [
        ("a: &x 1\nb: *x\n", 1 as Int?),
        ("a: [1, 2]\nb: {c: &y 3}\n", 2),
        ("? *k\n: 1\n", 1),
        ("a: 'it''s & fine'\nb: \"&not\"\n", nil),
        ("a: x & y * z\n# &comment\n", nil),
        ("a: |\n  text\nb: -1\n", nil),
        ("a: [x, *y]\n", 1),
        ("- &a x\n", 1),
    ])
    func anchorsAreFoundBeforeParsing(_ text: String, _ line: Int?) {
        #expect(YAMLGuard.firstAnchorOrAlias(text) == line)
    }

    /// An alias bomb of a few hundred bytes is refused at once, wherever it sits.
    @Test func aliasBombIsRefusedBeforeExpansion() throws {
        var yaml = "name: bomb\ndescription: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n"
        for (k, prev) in zip("bcdefghijk", "abcdefghij") {
            yaml += "\(k): &\(k) [" + Array(repeating: "*\(prev)", count: 9).joined(separator: ",") + "]\n"
        }
        let start = ContinuousClock.now
        #expect(throws: VBQError.self) { try ScenarioLoader.load(text: yaml, file: "bomb.yaml") }
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func oversizedScenarioIsRefused() {
        let text = "name: big\ndescription: \"" + String(repeating: "x", count: Limits.scenarioBytes) + "\"\n"
        do {
            _ = try ScenarioLoader.load(text: text, file: "big.yaml")
            Issue.record("accepted")
        } catch let e as VBQError {
            #expect(e.description.hasPrefix("big.yaml: the file has"), "\(e)")
        } catch { Issue.record("\(error)") }
    }

    /// GSL's handler is off: its failures come back as NaN and the distribution is refused with
    /// a sentence, where they used to abort the process.
    @Test(arguments: [
        ScoreDistribution.gamma(shape: 0.01, scale: 100, shift: 0),
        .gamma(shape: 1e6, scale: 1e-6, shift: 0),
        .studentT(location: 3, scale: 0.4, df: 0.01),
        .lognormal(meanlog: 700, sdlog: 50),
        .normal(mean: 3, sd: 5e-324),
        .normal(mean: 1e300, sd: 1e300),
    ])
    func extremeDistributionsAreRefusedNotFatal(_ d: ScoreDistribution) {
        #expect(d.usabilityProblem != nil)
    }

    @Test func distributionsAtTheAcceptedBoundsWork() throws {
        for d in [ScoreDistribution.gamma(shape: 0.5, scale: 2, shift: 1), .gamma(shape: 1e4, scale: 3.6e-4, shift: 0),
                  .studentT(location: 3.6, scale: 0.4, df: 1), .lognormal(meanlog: 1.2, sdlog: 3)] {
            #expect(d.usabilityProblem == nil, "\(d)")
        }
        let t = try TruthSolver.classConditional(event: .studentT(location: 3.62, scale: 0.4, df: 1),
                                                 nonEvent: .gamma(shape: 0.5, scale: 2, shift: 1.5), prevalence: 0.26)
        #expect(t.cutoff.isFinite && t.auc.isFinite && t.youdenJ > 0)
    }

    @Test func textTablesFitTheirWidestCell() {
        var t = TextTable(["cutoff", "TP"], rightAligned: [0, 1])
        t.add(["34335000", "22588"])
        t.add(["3.3", "5"])
        #expect(t.rendered() == "  cutoff     TP\n34335000  22588\n     3.3      5\n")
    }

    /// A checkpoint record cut short by a kill, or damaged, is dropped with everything after it.
    @Test func checkpointKeepsOnlyWholeRecords() throws {
        let scenario = try ScenarioLoader.load(text: """
        cohort: {events: 10, non_events: 20}
        generator:
          event: {distribution: normal, mean: 3.62, sd: 0.46}
          non_event: {distribution: normal, mean: 2.97, sd: 0.43}
        methods: [empirical]
        replicates: 8

        """, file: "c.yaml")
        let design = try Design(scenario)
        let layout = ReplicateLayout(design: design)
        let url = try TestFolder.make("ck").appendingPathComponent("checkpoint.vbq")
        let truths = try Runner.run(RunRequest(scenario: scenario, threads: 1)).truths
        let empty = ReplicateTable(layout: layout, cells: 1, replicates: 8)
        // One thread, 8 cohorts: one record per cohort, in order.
        let log = try CheckpointLog.create(at: url, fingerprint: "f", width: empty.bytesPerCohort, replicates: 8, referenceCell: 0)
        let full = Simulation.run(design: design, truths: truths, replicates: 8, seed: 7, threads: 1, checkpoint: log)
        log.sync()
        let whole = try Data(contentsOf: url)
        func sameRow(_ a: ReplicateTable, _ b: ReplicateTable, _ r: Int) -> Bool {
            (0..<layout.columns.count).allSatisfy { k in
                let x = a.value(cell: 0, replicate: r, column: k), y = b.value(cell: 0, replicate: r, column: k)
                return x == y || (x.isNaN && y.isNaN)
            }
        }
        // Cut inside the last record: the first seven survive.
        try whole.prefix(whole.count - 10).write(to: url)
        var table = empty
        _ = try CheckpointLog.resume(at: url, fingerprint: "f", into: &table, referenceCell: 0, design: design)
        #expect(table.completed == [true, true, true, true, true, true, true, false])
        #expect((0..<7).allSatisfy { sameRow(table, full, $0) })
        #expect(try Data(contentsOf: url).count < whole.count - 10, "the torn tail is truncated before appending")
        // A flipped byte inside a record drops it and every record after it.
        var damaged = whole
        damaged[damaged.count / 2] ^= 0xFF
        try damaged.write(to: url)
        var t2 = empty
        _ = try CheckpointLog.resume(at: url, fingerprint: "f", into: &t2, referenceCell: 0, design: design)
        #expect(t2.completed.prefix { $0 }.count < 8 && t2.completed.prefix { $0 }.count >= 3)
        #expect(!t2.completed.drop { $0 }.contains(true))
        // A forged record — a valid checksum around a value vbqlab never writes (an infinite
        // acceptance rate, the record's first field) — is refused with a sentence.
        let magicEnd = try #require(whole.firstIndex(of: 0x0A))
        let start = try #require(whole[(magicEnd + 1)...].firstIndex(of: 0x0A)) + 1   // the first record: magic, count, length, body, checksum
        let bodyLength = Int(whole[(start + 8)..<(start + 16)].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        // So is a finite value its field cannot hold (an AUC of 5e299, an acceptance rate above
        // 1, 999,000 events in a cohort of 30): a checksum proves integrity, not validity.
        let body = start + 16 + 8                          // after the record's one index
        let rl = RecordLayout(layout)
        let forgeries: [(Int, [UInt8], String)] = [
            (RecordLayout.acceptance, withUnsafeBytes(of: Double.infinity) { Array($0) }, "acceptance = inf"),
            (RecordLayout.acceptance, withUnsafeBytes(of: -Double.infinity) { Array($0) }, "acceptance = -inf"),
            (RecordLayout.acceptance, withUnsafeBytes(of: 1.5) { Array($0) }, "acceptance = 1.5, outside [0, 1]"),
            (RecordLayout.auc, withUnsafeBytes(of: 5e299) { Array($0) }, "auc = 5e+299, outside [0, 1]"),
            (rl.nEvents, withUnsafeBytes(of: Int32(999_000)) { Array($0) }, "n_events + n_non_events = 999000 + 20, in a cohort of 30"),
            (rl.trueSensitivity[0], withUnsafeBytes(of: -0.25) { Array($0) }, "empirical_true_sensitivity = -0.25"),
            (rl.tp[0], withUnsafeBytes(of: Int32(11)) { Array($0) }, "empirical_tp = 11, in a class of 10"),
        ]
        for (offset, bytes, problem) in forgeries {
            var forged = whole
            let at = body + offset
            forged.replaceSubrange(at..<(at + bytes.count), with: bytes)
            let h = HostileInputTests.checkpointChecksum(Array(forged[(start + 16)..<(start + 16 + bodyLength)]))
            withUnsafeBytes(of: h) { forged.replaceSubrange((start + 16 + bodyLength)..<(start + 24 + bodyLength), with: $0) }
            try forged.write(to: url)
            var t = empty
            let e = #expect(throws: VBQError.self) { _ = try CheckpointLog.resume(at: url, fingerprint: "f", into: &t, referenceCell: 0, design: design) }
            #expect(e?.description.contains("cohort 0: holds values vbqlab never writes (\(problem)") == true, "\(e?.description ?? "")")
        }
        // Another run's checkpoint is refused.
        var t3 = empty
        #expect(throws: VBQError.self) { _ = try CheckpointLog.resume(at: url, fingerprint: "g", into: &t3, referenceCell: 0, design: design) }
        // So is one in an older format, saying so.
        try (Data("VBQCHECKPOINT3\nf\n".utf8) + whole.dropFirst(whole.firstIndex(of: 0x0A)! + 3)).write(to: url)
        var t4 = empty
        let old = #expect(throws: VBQError.self) { _ = try CheckpointLog.resume(at: url, fingerprint: "f", into: &t4, referenceCell: 0, design: design) }
        #expect(old?.message.contains("another version of vbqlab") == true)
    }

    /// The checkpoint's record checksum, written out from its description (FNV-1a's step over
    /// 8-byte words in four lanes, SplitMix64's finaliser to combine, the tail a byte at a time),
    /// as someone forging a record would.
    static func checkpointChecksum(_ bytes: [UInt8]) -> UInt64 {
        func mix(_ v: UInt64) -> UInt64 {
            var z = v
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        func word(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) } }
        let prime: UInt64 = 0x0000_0100_0000_01B3
        var lanes: [UInt64] = [0xCBF2_9CE4_8422_2325, 0xCBF2_9CE4_8422_2325 ^ 1, 0xCBF2_9CE4_8422_2325 ^ 2, 0xCBF2_9CE4_8422_2325 ^ 3]
        var at = 0
        while at + 32 <= bytes.count {
            for l in 0..<4 { lanes[l] = (lanes[l] ^ word(at + 8 * l)) &* prime }
            at += 32
        }
        var h = mix(lanes[0]) ^ mix(lanes[1] &+ 1) ^ mix(lanes[2] &+ 2) ^ mix(lanes[3] &+ 3) ^ UInt64(bytes.count)
        while at < bytes.count { h = (h ^ UInt64(bytes[at])) &* prime; at += 1 }
        return mix(h)
    }
}
