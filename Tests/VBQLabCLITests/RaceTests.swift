import Foundation
import Testing
import VBQTestSupport

/// Commands started together on one folder: the README's recipe of four shards launched at
/// once into a new folder, and two runs racing for one folder. Each is launched 100 times,
/// because a race shows itself only now and then (in 0.2.0, 13–20 of 20 shard launches failed
/// and 2–14 of 100 run races ended with both runs saying they wrote the folder).
@Suite(.serialized) struct RaceTests {
    static let scenario = TestScenario.normal(name: "race", seed: 3, replicates: 40, sizes: [60, 90, 120, 150])

    /// Starts the executable with its stderr kept.
    static func start(_ args: [String], in dir: URL) throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = args
        p.currentDirectoryURL = dir
        p.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        p.standardError = err
        try p.run()
        return (p, err)
    }

    static func finish(_ launched: (Process, Pipe)) -> (status: Int32, stderr: String) {
        let e = launched.1.fileHandleForReading.readDataToEndOfFile()
        launched.0.waitUntilExit()
        return (launched.0.terminationStatus, String(decoding: e, as: UTF8.self))
    }

    /// Four shards launched at once into a folder that does not exist yet all run, 100 times.
    @Test func fourShardsLaunchedTogetherIntoANewFolder() throws {
        let dir = try CLI.tempDir()
        try Self.scenario.write(to: dir.appendingPathComponent("s.yaml"), atomically: false, encoding: .utf8)
        var failures: [String] = []
        for launch in 1...100 {
            let out = "new-\(launch)"
            let shards = try (1...4).map { try Self.start(["run", "s.yaml", "--shard", "\($0)/4", "--out", out, "--quiet", "--threads", "1"], in: dir) }
            for (i, s) in shards.map(Self.finish).enumerated() where s.status != 0 {
                failures.append("launch \(launch), shard \(i + 1): exit \(s.status): \(s.stderr)")
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(out).path)
            let shardFiles = files.filter { $0.hasSuffix(".vbqshard") }
            if shardFiles.count != 4 { failures.append("launch \(launch): \(files.sorted())") }
        }
        #expect(failures.isEmpty, "\(failures.count) failures; first: \(failures.prefix(3))")
        // The shards of one launch merge into the run.
        let merged = try CLI.run(["merge", "new-100", "--quiet"], in: dir)
        #expect(merged.status == 0, "\(merged.stderr)")
    }

    /// Two runs with different seeds started together into one folder: exactly one writes it,
    /// the other says another command is writing it, and the folder holds the winner's whole
    /// run, 100 times.
    @Test func twoRunsRacingForOneFolder() throws {
        let dir = try CLI.tempDir()
        // Long enough (about 0.2 s) that the two always overlap.
        try Self.scenario.replacingOccurrences(of: "replicates: 40", with: "replicates: 1500")
            .write(to: dir.appendingPathComponent("s.yaml"), atomically: false, encoding: .utf8)
        var failures: [String] = []
        for race in 1...100 {
            let out = "race-\(race)"
            let runs = try [11, 22].map { try Self.start(["run", "s.yaml", "--seed", "\($0)", "--out", out, "--quiet", "--threads", "1", "--no-replicates"], in: dir) }
            let ended = runs.map(Self.finish)
            let winners = ended.indices.filter { ended[$0].status == 0 }
            guard winners.count == 1, let w = winners.first else {
                failures.append("race \(race): exits \(ended.map(\.status)): \(ended.map(\.stderr))"); continue
            }
            let loser = ended[1 - w]
            if !(loser.status == 1 && loser.stderr.contains("another vbqlab command is writing this folder")) {
                failures.append("race \(race): the loser said: \(loser.stderr)")
            }
            let summary = try CLI.json(dir.appendingPathComponent(out).appendingPathComponent("summary.json"))
            if (summary["seed"] as? Int) != [11, 22][w] || (summary["status"] as? String) != "complete" {
                failures.append("race \(race): summary.json has seed \(summary["seed"] ?? "none"), the winner's was \([11, 22][w])")
            }
            let left = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(out).path).filter { $0.hasPrefix(".") && $0 != ".vbqlab-run" }
            if !left.isEmpty { failures.append("race \(race): left \(left)") }
        }
        #expect(failures.isEmpty, "\(failures.count) failures; first: \(failures.prefix(3))")
    }
}
