import Foundation
import Testing
import VBQTestSupport

/// Shard files rewritten as someone forging them would: a field changed and the checksum
/// recomputed. The checksum proves a file is whole, not that its values are vbqlab's; each
/// value is checked against its meaning, and the name in a header against the scenario the
/// shard carries, before anything is written.
@Suite(.serialized) struct ShardForgeryTests {
    static let scenario = TestScenario.normal(name: "forged", seed: 5, replicates: 20, sizes: [60, 90])

    /// A shard file's bytes, walked by its documented layout: `VBQSHARD2`, a readable line,
    /// the header (kind, scenario name, file and text, fingerprint as length-prefixed strings;
    /// seed, replicates, shard, units, host, threads, times), the payload, an FNV-1a checksum
    /// of all before it, `VBQSHARDEND`.
    struct Shard {
        var bytes: [UInt8]
        static let endLength = "VBQSHARDEND\n".utf8.count

        init(_ url: URL) throws { bytes = Array(try Data(contentsOf: url)) }

        func int(at i: Int) -> Int { Int(Int64(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[i + $1]) << (8 * UInt64($1)) })) }
        var headerStart: Int { bytes.indices.filter { bytes[$0] == 0x0A }[1] + 1 }
        /// Where the i-th length-prefixed string of the header starts.
        func string(_ k: Int) -> Int {
            var at = headerStart
            for _ in 0..<k { at += 8 + int(at: at) }
            return at
        }
        /// The first byte of the payload.
        var payload: Int {
            var at = string(5) + 8 * 6                       // seed, replicates, index, count, lo, hi
            at += 8 + int(at: at)                             // host
            return at + 8 * 3                                 // threads, started, compute seconds
        }
        /// The payload of a run shard of a class-conditional scenario: its truths (each a cell
        /// index, 12 numbers, the method's name, a family byte and the count of criterion
        /// targets, none in the scenarios forged here), then its records.
        var firstTruth: Int { payload + 16 + 8 }
        var records: Int {
            var at = payload + 8
            let count = int(at: at); at += 8
            for _ in 0..<count { at += 8 + 96; at += 8 + int(at: at) + 1 + 8 }
            return at + 8                                     // past the records' byte count
        }
        mutating func replaceString(_ k: Int, with text: String) {
            let at = string(k), old = int(at: at)
            let new = Array(text.utf8)
            bytes.replaceSubrange(at..<(at + 8 + old), with: withUnsafeBytes(of: Int64(new.count).littleEndian) { Array($0) } + new)
        }
        mutating func setDouble(at i: Int, _ x: Double) {
            bytes.replaceSubrange(i..<(i + 8), with: withUnsafeBytes(of: x.bitPattern.littleEndian) { Array($0) })
        }
        /// Writes the file with its checksum recomputed.
        func write(to url: URL) throws {
            let end = bytes.count - Self.endLength - 8
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for b in bytes[..<end] { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            var out = bytes
            out.replaceSubrange(end..<(end + 8), with: withUnsafeBytes(of: h.littleEndian) { Array($0) })
            try Data(out).write(to: url)
        }
    }

    /// Two shards of the scenario in `dir/a` and `dir/b`; returns their files.
    static func shards(in dir: URL) throws -> [URL] {
        try scenario.write(to: dir.appendingPathComponent("s.yaml"), atomically: false, encoding: .utf8)
        return try [("a", 1), ("b", 2)].map { folder, i in
            let r = try CLI.run(["run", "s.yaml", "--shard", "\(i)/2", "--out", folder, "--quiet"], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            return dir.appendingPathComponent("\(folder)/shard-\(i)-of-2.vbqshard")
        }
    }

    func refused(_ dir: URL, _ args: [String], _ expected: String) throws {
        let r = try CLI.run(args, in: dir)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains(expected), "expected «\(expected)» in «\(r.stderr)»")
        #expect(r.stderr.split(separator: "\n").count == 1, "not one line: \(r.stderr)")
    }

    /// A header naming '../../../ESCAPED': merged from two folders without --out, the run went
    /// to ../../ESCAPED in 0.2.0 (and the folder was made even when the merge was refused).
    @Test func aHeaderNameIsTheCarriedScenariosName() throws {
        let root = try CLI.tempDir()
        let dir = root.appendingPathComponent("x/y/z")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let files = try Self.shards(in: dir)
        for (k, name) in [(1, "../../../ESCAPED"), (1, "other")] {
            for f in files {
                var s = try Shard(f)
                s.replaceString(k, with: name)
                try s.write(to: f)
            }
            let expected = name == "other" ? "names scenario 'other' in its header, but the scenario it carries is named 'forged'"
                                           : "names its scenario '../../../ESCAPED', which"
            try refused(dir, ["merge", "a", "b"], expected)
            // Where output/NAME would lead: x/ESCAPED.
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("output/../../../ESCAPED").standardizedFileURL.path))
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("output").path))
        }
    }

    /// The scenario file's name in a header is written into the merged run (a comment in
    /// scenario.resolved.yaml): one with a line break could add lines to "the scenario as run".
    @Test func aHeaderFileNameWithALineBreakIsRefused() throws {
        let dir = try CLI.tempDir()
        let files = try Self.shards(in: dir)
        for f in files {
            var s = try Shard(f)
            s.replaceString(2, with: "s.yaml)\nvary:\n  generator.event.mean: [3.6, 5.0]\n#")
            try s.write(to: f)
        }
        try refused(dir, ["merge", "a", "b", "--out", "m"], "names its scenario file 's.yaml)\\u{a}vary:")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("m").path))
    }

    /// A named pipe where a shard file should be made merge wait for ever; it is refused at once.
    /// (The limit stops a hang; it is generous for the reason given in HTMLSafetyTests.)
    @Test(.timeLimit(.minutes(10)))
    func aPipeIsNotAShard() throws {
        let dir = try CLI.tempDir()
        let files = try Self.shards(in: dir)
        try FileManager.default.removeItem(at: files[0])
        #expect(mkfifo(files[0].path, 0o644) == 0)
        try refused(dir, ["merge", "a", "b", "--out", "m"], "is not a regular file")
        try refused(dir, ["merge", files[0].path, "--out", "m"], "is not a regular file")
    }

    /// Truths and records with finite values their fields cannot hold (0.2.0 merged them into
    /// a report: mean AUC 5e299, true J 3.9, c* = 1000; cutoffs of 1e308 failed inside gnuplot
    /// with advice to use --resume, which merge does not have).
    @Test(arguments: [
        ("truth J", 1, 3.9, "a truth's youden_j = 3.9, where it must be in [-1, 1]"),
        ("truth c*", 0, 1000.0, "a truth's cutoff = 1000, where it must be a score of the cell's population"),
        ("truth AUC", 2, -0.5, "a truth's auc = -0.5, where it must be in [0, 1]"),
        ("record AUC", 100 + 8, 5e299, "holds values vbqlab never writes (auc = 5e+299, outside [0, 1])"),
        ("record cutoff", 100 + 24, 1e308, "holds values vbqlab never writes (empirical_cutoff = 1e+308, outside"),
    ])
    func impossibleValuesAreRefused(_ what: String, _ field: Int, _ value: Double, _ expected: String) throws {
        let dir = try CLI.tempDir()
        let files = try Self.shards(in: dir)
        var s = try Shard(files[1])
        // Fields below 100 are a truth's numbers (by index); 100 + k is byte k of the first record.
        s.setDouble(at: field < 100 ? s.firstTruth + 8 * field : s.records + field - 100, value)
        try s.write(to: files[1])
        try refused(dir, ["merge", "a", "b", "--out", "m"], expected)
        // Refused before anything was written: the folder it made is gone again.
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("m").path), "\(what)")
    }
}
