import Foundation
import Testing
import VBQTestSupport

/// `run --export-cohorts K`: the patients of the first K cohorts of each cell, the same patients
/// the run analysed, whatever the threads or shards.
@Suite struct ExportCohortsTests {
    static func lines(_ url: URL) throws -> [Substring] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
    }

    /// seed-tables' exported cohorts, re-analysed in R (Fixtures/R/reanalyse-cohorts.R: pROC's
    /// DeLong AUC, glm refitted from its own estimates, brglm2's Firth fit, cor.test), reproduce
    /// reanalysis-replicates.csv row for row: every row R writes has its twin, within the fits'
    /// convergence (ML 1e-9, Firth's estimate 1e-7 relative; AUC and r 1e-10).
    @Test(.enabled(if: Requirements.brglm2 != nil)) func exportedCohortsReanalysedInRReproduceTheRun() throws {
        let dir = try CLI.tempDir()
        let out = dir.appendingPathComponent("run").path
        let r = try CLI.run(["run", "seed-tables", "--quick", "--quiet", "--export-cohorts", "3", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/R/reanalyse-cohorts.R").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Requirements.brglm2!)
        p.arguments = [script, out + "/cohorts.csv", "3.3", "age,female,bmi,chronic_disease,steroids,segments", dir.appendingPathComponent("r.csv").path]
        p.standardError = FileHandle.nullDevice
        try p.run(); p.waitUntilExit()
        try #require(p.terminationStatus == 0)
        func table(_ url: URL, drop: Int) throws -> [String: [String]] {
            var t: [String: [String]] = [:]
            for line in try Self.lines(url).dropFirst() {
                let f = line.split(separator: ",", omittingEmptySubsequences: false).map { String($0).replacingOccurrences(of: "\"", with: "") }
                let row = Array(f.dropFirst(drop))
                t[row[0..<4].joined(separator: "/")] = Array(row[4...])
            }
            return t
        }
        let ours = try table(URL(fileURLWithPath: out + "/reanalysis-replicates.csv"), drop: 1)
        let theirs = try table(dir.appendingPathComponent("r.csv"), drop: 0)
        let analysed = ours.keys.filter { Int($0.split(separator: "/")[1])! <= 3 }
        #expect(theirs.count == analysed.count && theirs.count == 3 * 3 * 32, "R wrote \(theirs.count) rows, the run \(analysed.count)")
        var compared = 0
        for (key, want) in theirs {
            let got = try #require(ours[key], "no row \(key) in reanalysis-replicates.csv")
            let analysis = key.split(separator: "/")[2]
            // A fit that separated is NA in the run (its estimate runs off); R's glm prints a
            // large finite number for it.
            if analysis == "logistic_ml" && got[4] != "converged" { continue }
            let tolerance = analysis == "logistic_ml" ? 1e-9 : analysis == "logistic_firth" ? 1e-7 : 1e-10
            for q in 0..<4 where want[q] != "NA" {
                let a = try #require(Double(got[q]), "\(key) column \(q): '\(got[q])'"), b = Double(want[q])!
                #expect(abs(a - b) <= tolerance * max(abs(b), 1e-300), "\(key) column \(q): \(a) vs R \(b)")
                compared += 1
            }
        }
        #expect(compared > 600)
    }

    /// drift-overview (mechanistic): each exported cohort has 256 patients and replicates.csv's
    /// failures for that cohort; the bytes are the same on 1 thread and 2, and from a merge of 3
    /// shards; columns.json describes every column.
    @Test func exportedCohortsAreTheRunsWhateverTheThreadsAndShards() throws {
        let dir = try CLI.tempDir()
        let one = dir.appendingPathComponent("one").path, two = dir.appendingPathComponent("two").path
        let args = ["run", "drift-overview", "--replicates", "30", "--quiet", "--export-cohorts", "4"]
        #expect(try CLI.run(args + ["--out", one, "--threads", "1"]).status == 0)
        #expect(try CLI.run(args + ["--out", two, "--threads", "2"]).status == 0)
        let shards = dir.appendingPathComponent("shards").path
        for i in 1...3 {
            let s = try CLI.run(["run", "drift-overview", "--replicates", "30", "--quiet", "--shard", "\(i)/3", "--out", shards])
            #expect(s.status == 0, "\(s.stderr)")
        }
        let merged = dir.appendingPathComponent("merged").path
        let m = try CLI.run(["merge", shards, "--out", merged, "--quiet", "--export-cohorts", "4"])
        #expect(m.status == 0, "\(m.stderr)")
        let reference = try Data(contentsOf: URL(fileURLWithPath: one + "/cohorts.csv"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: two + "/cohorts.csv")) == reference)
        #expect(try Data(contentsOf: URL(fileURLWithPath: merged + "/cohorts.csv")) == reference)
        // Per (cell, replicate): the failures, against replicates.csv's n_events.
        var failures: [String: Int] = [:], patients: [String: Int] = [:]
        let rows = try Self.lines(URL(fileURLWithPath: one + "/cohorts.csv"))
        let header = rows[0].split(separator: ",").map(String.init)
        let outcome = header.firstIndex(of: "outcome")!
        for line in rows.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            let key = "\(f[1])/\(f[2])"
            failures[key, default: 0] += Int(f[outcome])!
            patients[key, default: 0] += 1
        }
        #expect(failures.count == 7 * 4 && patients.values.allSatisfy { $0 == 256 })
        let reps = try Self.lines(URL(fileURLWithPath: one + "/replicates.csv"))
        let rh = reps[0].split(separator: ",").map(String.init)
        let cell = rh.firstIndex(of: "cell")!, rep = rh.firstIndex(of: "replicate")!, events = try #require(rh.firstIndex(of: "n_events"))
        var checked = 0
        for line in reps.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard let n = failures["\(f[cell])/\(f[rep])"] else { continue }
            #expect(Int(f[events]) == n, "\(f[cell]) replicate \(f[rep]): \(n) failures exported, \(f[events]) in replicates.csv")
            checked += 1
        }
        #expect(checked >= 7 * 4)
        let columns = try CLI.json(URL(fileURLWithPath: one + "/columns.json"))
        #expect((columns["cohorts.csv"] as? [[String: Any]])?.map { $0["name"] as? String } == header)
    }

    /// An export beyond the limit is refused before anything is simulated, naming the option.
    @Test func anExportBeyondTheLimitIsRefused() throws {
        let dir = try CLI.tempDir()
        let r = try CLI.run(["run", "drift-overview", "--quiet", "--export-cohorts", "4000", "--out", dir.appendingPathComponent("big").path])
        #expect(r.status != 0 && r.stderr.contains("--export-cohorts") && r.stderr.contains("limit"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("big").path))
        let s = try CLI.run(["run", "drift-overview", "--shard", "1/2", "--export-cohorts", "2", "--out", dir.appendingPathComponent("s").path])
        #expect(s.status != 0 && s.stderr.contains("merge"), "\(s.stderr)")
    }
}
