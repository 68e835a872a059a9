import Foundation
import Testing
import VBQLab
import VBQTestSupport

/// The commit that swaps a run's new results in over an older complete run, stopped after each
/// of its steps as a kill would stop it. Whatever the step, the folder then holds the old
/// complete run, or a journal with which the next command to open the folder finishes the swap:
/// it never stays a mix of both runs' files without summary.json (in 0.2.0 a kill at the wrong
/// moment left the new replicates.csv beside the old summary.csv and no summary.json).
@Suite struct RunFolderCommitTests {
    static let old: [String: String] = ["summary.json": "{\"old\": 1}", "summary.csv": "old", "replicates.csv": "old rows",
                                        "report.md": "old report", "plots/a.svg": "old figure"]
    static let new: [String: String] = ["summary.json": "{\"new\": 1}", "summary.csv": "new", "cells.csv": "new cells",
                                        "report.md": "new report", "plots/b.svg": "new figure"]

    static func write(_ files: [String: String], into dir: URL) throws {
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: false, encoding: .utf8)
        }
    }

    /// Every file below `dir` but vbqlab's own hidden ones, by its path in the folder.
    static func files(_ dir: URL) -> [String: String] {
        var out: [String: String] = [:]
        let e = FileManager.default.enumerator(atPath: dir.path)
        while let name = e?.nextObject() as? String {
            guard !name.split(separator: "/").contains(where: { $0.hasPrefix(".") }) else { continue }
            if let text = try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) { out[name] = text }
        }
        return out
    }

    /// Opens the folder as a new command would. Tests in this process start programs at any
    /// moment, and a child holds a copy of the lock's descriptor between its fork and its exec
    /// (then closes it), so a lock just released may still be held for that instant: retried
    /// for up to a second, far longer than any fork takes and far shorter than a real holder.
    static func open(_ dir: URL) throws -> RunFolder {
        let deadline = Date().addingTimeInterval(1)
        while true {
            do { return try RunFolder(path: dir.path, kind: .run, option: "--out") } catch let e as VBQError where e.message.contains("another vbqlab command") && Date() < deadline {
                usleep(5_000)
            }
        }
    }

    @Test func aKillAtAnyStepLeavesTheOldRunOrOneTheNextCommandFinishes() throws {
        let base = try TestFolder.make("vbqlab-commit")
        var steps = 0
        for k in 0...30 {
            let dir = base.appendingPathComponent("o\(k)")
            do {
                let folder = try Self.open(dir)
                try folder.stage { try Self.write(Self.old, into: $0) }
                try folder.setCompleteFingerprint("old")
            }
            var journal = false
            do {
                let folder = try Self.open(dir)
                let staging = try folder.makeStaging()
                try Self.write(Self.new, into: staging)
                try folder.commit(staging: staging, marker: .complete("new"), steps: k)
                journal = FileManager.default.fileExists(atPath: dir.appendingPathComponent(".vbqlab-commit").path)
                let now = Self.files(dir)
                if journal {
                    // Mid-swap: the old completion file is never beside files of the new run.
                    #expect(now["summary.json"] != Self.old["summary.json"] || now == Self.old, "step \(k): \(now)")
                } else {
                    #expect(now == Self.new, "step \(k): the commit ended, yet the folder holds \(now)")
                    #expect(folder.completeFingerprint == "new")
                }
            }   // the "killed" command's lock is released here
            if !journal && steps == 0 { steps = k }
            let reopened = try Self.open(dir)
            #expect(Self.files(dir) == Self.new, "after a kill at step \(k) and a new command: \(Self.files(dir))")
            #expect(reopened.completeFingerprint == "new")
            let hidden = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
            #expect(hidden == [".vbqlab-run"], "step \(k): \(hidden)")
        }
        // The swap has several steps, and the last k above went past all of them.
        #expect(steps > 5 && steps < 30, "\(steps) steps")
    }

    /// A journal that vbqlab did not write (one naming a folder outside) is refused, not followed.
    @Test func aForgedJournalIsRefused() throws {
        let dir = try TestFolder.make("vbqlab-commit").appendingPathComponent("o")
        do { _ = try Self.open(dir) }
        for forged in ["{\"staging\": \"../../elsewhere\", \"entries\": [\"summary.json\"]}",
                       "{\"staging\": \".staging-x\", \"entries\": [\"../../x\"]}", "not json"] {
            try forged.write(to: dir.appendingPathComponent(".vbqlab-commit"), atomically: false, encoding: .utf8)
            let e = #expect(throws: VBQError.self) { _ = try Self.open(dir) }
            #expect(e?.message.contains("is not a commit journal vbqlab wrote") == true, "\(e?.description ?? "")")
        }
    }
}
