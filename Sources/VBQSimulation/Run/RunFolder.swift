import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// A folder that vbqlab owns: a run directory (`vbqlab run`) or a power directory
/// (`vbqlab power`).
///
/// - It is created with a marker file, `.vbqlab-run`; an existing folder is used only when it
///   has the marker, is empty, or holds nothing but the files a vbqlab run writes (an earlier
///   version's run). Anything else — the current folder, a home directory — is refused before
///   anything in it is touched.
/// - It is never used through a symbolic link, and nothing in it is followed through one:
///   files are replaced by rename (which replaces a link, not its target) and old folders are
///   removed without following links.
/// - New results are written into a fresh staging folder inside it and swapped in only when all
///   of them are complete; the file that says "complete" (`summary.json`, `power.json`) goes
///   first out and last in, so a folder whose completion file exists holds one whole run.
/// - While a command uses it, the marker is locked, so two runs cannot write the same folder.
public final class RunFolder: @unchecked Sendable {
    public enum Kind: String, Sendable {
        case run, power
        /// `vbqlab analyze --plot DIR`: the ROC figure of a dataset and the report that shows it.
        case analyze
        /// `vbqlab published`: the published cutoffs against sampling.
        case published
        /// Everything a run of this kind writes (the completion file among them).
        var entries: Set<String> {
            switch self {
            case .run: return ["summary.json", "summary.csv", "replicates.csv", "replicates.csv.gz", "cells.csv", "columns.json",
                               "reanalysis.csv", "reanalysis-replicates.csv", "reanalysis-replicates.csv.gz", "cohorts.csv", "cohorts.csv.gz", "report.md", "report.html", "scenario.resolved.yaml", "provenance.json", "plots", CheckpointLog.fileName]
            case .power: return ["power.md", "power.html", "power.json", "power.csv", "columns.json", "provenance.json", "plots", PowerCheckpoint.fileName]
            case .analyze: return ["roc.dat", "roc-band.dat", "roc.gp", "roc.svg", "roc.png", "report.md", "report.html"]
            case .published: return ["report.md", "report.html", "published.csv", "published.json", "plots", "provenance.json"]
            }
        }
        /// The checkpoint of an interrupted command, which a commit of results leaves in place
        /// (the command removes it once its results are complete).
        var checkpoint: String? {
            switch self {
            case .run: return CheckpointLog.fileName
            case .power: return PowerCheckpoint.fileName
            case .analyze, .published: return nil
            }
        }
        /// The file written last, whose presence means the results are complete.
        public var completionFile: String {
            switch self {
            case .run: return "summary.json"
            case .power: return "power.json"
            case .analyze: return "roc.svg"
            case .published: return "report.md"
            }
        }
    }

    public static let markerName = ".vbqlab-run"
    public let url: URL
    public let kind: Kind
    private let lockFD: Int32
    /// Whether this command made the folder (it did not exist before).
    public let created: Bool

    /// Opens (creating it if needed) the folder at `path`; `option` names where the path came
    /// from, for errors ("--out", or "name" when it was derived from the scenario's name).
    /// `shared`: for the shards of a run, which write their own files side by side; a run or a
    /// merge of the same folder waits until none is left.
    public init(path: String, kind: Kind, option: String, shared: Bool = false) throws {
        guard !path.isEmpty else {
            throw VBQError(key: option, "the output folder is an empty path (an unset shell variable?); give a folder name")
        }
        let url = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
        self.url = url
        self.kind = kind
        var st = stat()
        if lstat(url.path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFLNK {
                throw VBQError(file: url.path, "is a symbolic link; vbqlab writes only into a real folder (give --out the folder the link points to)")
            }
            guard (st.st_mode & S_IFMT) == S_IFDIR else {
                throw VBQError(file: url.path, "exists and is not a folder; give --out a new or empty folder")
            }
            try RunFolder.verifyOwnership(url, kind: kind)
            created = false
        } else {
            created = true
            var made = ""
            for component in url.pathComponents {
                made = component == "/" ? "/" : (made.hasSuffix("/") ? made : made + "/") + component
                if mkdir(made, 0o755) != 0 && errno != EEXIST {
                    throw VBQError(file: url.path, "cannot create the output folder: \(String(cString: strerror(errno)))")
                }
            }
            guard stat(url.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
                throw VBQError(file: url.path, "cannot create the output folder: \(String(cString: strerror(ENOTDIR)))")
            }
        }
        // The marker is the folder's lock, and the only lock: it is made in one step (never
        // through a temporary file another command could find half-made), never replaced, and
        // rewritten only in place, so every command that opens the folder locks the same file.
        // It is locked before anything else in the folder is read or written: shared by the
        // shards of a run, exclusive for everything else.
        let marker = url.appendingPathComponent(RunFolder.markerName)
        var fd = open(marker.path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        if fd < 0 && errno == EEXIST { fd = open(marker.path, O_RDWR | O_NOFOLLOW | O_CLOEXEC) }
        guard fd >= 0 else {
            if errno == ELOOP { throw VBQError(file: marker.path, "is not a marker vbqlab wrote (a link); this folder cannot be used") }
            throw VBQError(file: marker.path, "cannot open: \(String(cString: strerror(errno)))")
        }
        // A marker that is a hard link to a file elsewhere would be rewritten in place: refused.
        if fstat(fd, &st) != 0 || (st.st_mode & S_IFMT) != S_IFREG || st.st_nlink != 1 || st.st_size > 4096 {
            close(fd)
            throw VBQError(file: marker.path, "is not a marker vbqlab wrote (a link, or not a small regular file); this folder cannot be used")
        }
        if flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0 {
            close(fd)
            throw VBQError(file: url.path, shared
                ? "a run or merge is writing this folder; wait for it, or give the shards another --out"
                : "another vbqlab command is writing this folder; wait for it or choose another --out")
        }
        lockFD = fd
        // A marker just made holds nothing yet: its text is written now. Shards that share the
        // lock write the same bytes at the same place.
        if fstat(fd, &st) == 0 && st.st_size == 0 {
            let text = Data(JSON.object([("folder", .string("vbqlab \(kind.rawValue)"))]).rendered().utf8)
            _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        // Only a command that holds the folder alone finishes an interrupted commit and clears
        // what a killed command left; shards beside each other must not touch each other's files.
        if !shared {
            try finishInterruptedCommit()
            removeLeftovers()
        }
    }

    deinit { close(lockFD) }

    /// A folder this command made and then wrote nothing into (the command was refused after
    /// opening it) is removed again, so a refused command leaves no trace.
    public func removeIfUnused() {
        guard created, let names = try? FileManager.default.contentsOfDirectory(atPath: url.path),
              names.allSatisfy({ $0 == RunFolder.markerName || $0.hasPrefix(".staging-") }) else { return }
        RunFolder.removeTree(url)
    }

    /// The fingerprint of the complete run this folder holds, if any (see `Checkpoint`).
    public var completeFingerprint: String? {
        guard let data = RunFolder.readRegular(url.appendingPathComponent(RunFolder.markerName)),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["complete"] as? String
    }

    /// Whether the completion file of a complete run is present.
    public var holdsCompleteResults: Bool {
        guard let data = RunFolder.readRegular(url.appendingPathComponent(kind.completionFile)),
              let text = String(data: data, encoding: .utf8) else { return false }
        return kind != .run || text.contains("\"status\": \"complete\"")
    }

    package func setCompleteFingerprint(_ fingerprint: String?) throws {
        var pairs: [(String, JSON)] = [("folder", .string("vbqlab \(kind.rawValue)"))]
        if let fingerprint { pairs.append(("complete", .string(fingerprint))) }
        // Rewritten in place through the locked file, never through a link.
        let marker = url.appendingPathComponent(RunFolder.markerName)
        guard ftruncate(lockFD, 0) == 0 else { throw VBQError(file: marker.path, "cannot write: \(String(cString: strerror(errno)))") }
        let data = Data(JSON.object(pairs).rendered().utf8)
        let written = data.withUnsafeBytes { pwrite(lockFD, $0.baseAddress, $0.count, 0) }
        guard written == data.count else { throw VBQError(file: marker.path, "cannot write: \(String(cString: strerror(errno)))") }
    }

    /// The bytes of a regular file of at most `limit` bytes (64 MiB unless given), never read
    /// through a link.
    package static func readRegular(_ file: URL, limit: Int = 64 << 20) -> Data? {
        var st = stat()
        guard lstat(file.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size <= limit else { return nil }
        let fd = open(file.path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: false).readDataToEndOfFile()
    }

    /// A new, empty staging folder inside this one.
    public func makeStaging() throws -> URL {
        var template = Array(url.appendingPathComponent(".staging-XXXXXX").path.utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw VBQError(file: url.path, "cannot write into the output folder: \(String(cString: strerror(errno)))")
        }
        return URL(fileURLWithPath: String(cString: made), isDirectory: true)
    }

    /// Writes a whole new result: `body` fills a new staging folder, which then replaces the
    /// folder's old results (`commit`). On any error the staging folder is removed, the old
    /// results stay as they were, and the error names the file by its place in this folder.
    public func stage<T>(_ body: (URL) throws -> T) throws -> T {
        let staging = try makeStaging()
        do {
            let value = try body(staging)
            try commit(staging: staging)
            return value
        } catch {
            RunFolder.removeTree(staging)
            throw naming(error, staging: staging)
        }
    }

    /// What a commit does to the marker's record of the complete run.
    public enum MarkerUpdate: Sendable {
        case unchanged
        /// The fingerprint of the run now complete in the folder, or nil for none.
        case complete(String?)
    }

    /// The journal of a commit in progress: the staging folder, its entries and the marker's new
    /// record. Written before the first rename and removed after the last.
    static let journalName = ".vbqlab-commit"

    /// Swaps the staged results in: the old completion file is removed first, every other staged
    /// entry replaces its namesake (a folder is swapped whole), results of earlier runs that the
    /// new one did not write are removed, and the new completion file is moved in last.
    ///
    /// A journal naming the staging folder and its entries is written first. A kill at any step
    /// of the swap leaves the journal, and the next command to hold this folder (a run, a merge,
    /// `--resume`) finishes the swap before it reads anything; so the folder holds either the old
    /// complete results (the kill came before the journal) or, once opened again, the new ones.
    /// `steps` is for tests: the swap stops after that many steps, as a kill would stop it.
    public func commit(staging: URL, marker: MarkerUpdate = .unchanged, steps: Int = .max) throws {
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: staging.path)) ?? []).sorted()
        var pairs: [(String, JSON)] = [("staging", .string(staging.lastPathComponent)), ("entries", .array(entries.map { .string($0) }))]
        if case let .complete(fingerprint) = marker { pairs.append(("complete", fingerprint.map { .string($0) } ?? .null)) }
        try AtomicFile.write(JSON.object(pairs).rendered(), to: url.appendingPathComponent(Self.journalName))
        try swap(staging: staging, entries: entries, marker: marker, steps: steps)
    }

    /// The swap of `commit`, from wherever an interrupted one stopped: each step checks whether
    /// it was done already.
    private func swap(staging: URL, entries: [String], marker: MarkerUpdate, steps: Int) throws {
        var left = steps
        func step() -> Bool { left -= 1; return left >= 0 }
        let last = kind.completionFile
        var st = stat()
        let stagedNow = Set((try? FileManager.default.contentsOfDirectory(atPath: staging.path)) ?? [])
        // The old completion file goes first, unless the new one is in already.
        if stagedNow.contains(last) || !entries.contains(last) {
            guard step() else { return }
            try removeEntry(url.appendingPathComponent(last))
        }
        for name in entries where name != last && stagedNow.contains(name) {
            guard step() else { return }
            let target = url.appendingPathComponent(name)
            if lstat(target.path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
                let old = url.appendingPathComponent(".old-\(name)-\(getpid())")
                try renameOrThrow(target, old)
                guard step() else { return }
                try renameOrThrow(staging.appendingPathComponent(name), target)
                RunFolder.removeTree(old)
            } else {
                // A link (or file) where a folder goes is removed, not followed; rename replaces
                // a file or a link by itself.
                if lstat(target.path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK { try removeEntry(target) }
                try renameOrThrow(staging.appendingPathComponent(name), target)
            }
        }
        for name in kind.entries.sorted() where !entries.contains(name) && name != kind.checkpoint {
            guard lstat(url.appendingPathComponent(name).path, &st) == 0 else { continue }
            guard step() else { return }
            try removeEntry(url.appendingPathComponent(name))
        }
        if stagedNow.contains(last) {
            guard step() else { return }
            try renameOrThrow(staging.appendingPathComponent(last), url.appendingPathComponent(last))
        }
        guard step() else { return }
        if case let .complete(fingerprint) = marker { try setCompleteFingerprint(fingerprint) }
        guard step() else { return }
        RunFolder.removeTree(staging)
        try removeEntry(url.appendingPathComponent(Self.journalName))
    }

    /// A commit a killed command left half done (its journal is here): finished now.
    private func finishInterruptedCommit() throws {
        let journal = url.appendingPathComponent(Self.journalName)
        var st = stat()
        guard lstat(journal.path, &st) == 0 else { return }
        guard let data = RunFolder.readRegular(journal, limit: 1 << 20),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let name = object["staging"] as? String, name.hasPrefix(".staging-"), !name.contains("/"),
              let entries = object["entries"] as? [String], entries.allSatisfy({ !$0.contains("/") && $0 != ".." && $0 != "." }) else {
            throw VBQError(file: journal.path, "is not a commit journal vbqlab wrote; remove it, then run again")
        }
        let staging = url.appendingPathComponent(name, isDirectory: true)
        let marker: MarkerUpdate = object.keys.contains("complete") ? .complete(object["complete"] as? String) : .unchanged
        if lstat(staging.path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            try swap(staging: staging, entries: entries, marker: marker, steps: .max)
        } else {
            // The swap had ended; only the journal was left.
            if case let .complete(fingerprint) = marker { try setCompleteFingerprint(fingerprint) }
            try removeEntry(journal)
        }
    }

    /// An error about a staged file, told about the file it was to become.
    public func naming(_ error: Error, staging: URL) -> Error {
        guard var e = error as? VBQError, let file = e.file else { return error }
        if file.hasPrefix(staging.path + "/") { e.file = url.path + file.dropFirst(staging.path.count) }
        else if file.hasPrefix("plots/") { e.file = url.appendingPathComponent(file).path }
        return e
    }

    /// Removes one entry of this folder (a file, a link, or a folder without following links).
    package func removeEntry(_ entry: URL) throws {
        var st = stat()
        guard lstat(entry.path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR { RunFolder.removeTree(entry); return }
        if unlink(entry.path) != 0 && errno != ENOENT {
            throw VBQError(file: entry.path, "cannot remove: \(String(cString: strerror(errno)))")
        }
    }

    private func renameOrThrow(_ from: URL, _ to: URL) throws {
        if rename(from.path, to.path) != 0 {
            throw VBQError(file: to.path, "cannot write: \(String(cString: strerror(errno)))")
        }
    }

    /// Staging folders, half-written temporary files and swapped-out folders that a killed
    /// command left behind.
    private func removeLeftovers() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        for name in names where name.hasPrefix(".staging-") || name.hasPrefix(".old-") || (name.hasPrefix(".") && name.contains(".tmp-")) {
            try? removeEntry(url.appendingPathComponent(name))
        }
    }

    /// An existing folder is vbqlab's if it has the marker, is empty, or holds only what a run
    /// writes, including its completion file or checkpoint (a folder from an earlier version).
    static func verifyOwnership(_ url: URL, kind: Kind) throws {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: url.path) } catch {
            throw VBQError(file: url.path, "cannot read the output folder: \(reason(error))")
        }
        var st = stat()
        if names.contains(markerName) {
            guard lstat(url.appendingPathComponent(markerName).path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
                throw VBQError(file: url.appendingPathComponent(markerName).path, "is not a regular file; this folder cannot be used")
            }
            return
        }
        let ours = kind.entries
        let foreign = names.filter { !ours.contains($0) && !isShardFile($0) && $0 != "slurm" && !($0.hasPrefix(".") && ($0.contains(".tmp-") || $0.hasPrefix(".staging-") || $0.hasPrefix(".old-"))) }
        // An earlier version's run: its completion file is vbqlab's JSON (a user's file of that
        // name is not), or its checkpoint starts with vbqlab's header.
        let completion = readRegular(url.appendingPathComponent(kind.completionFile)).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        let ownCompletion = completion.map { $0["scenario"] is String && ($0["status"] is String || $0["targets"] is [Any]) } ?? false
        let ownCheckpoint = readRegular(url.appendingPathComponent(CheckpointLog.fileName)).map { $0.starts(with: Data("VBQCHECKPOINT".utf8)) } ?? false
        let hasResults = ownCompletion || ownCheckpoint
        // Shard files copied together from elsewhere are a run's too.
        if names.isEmpty || (foreign.isEmpty && (hasResults || names.contains(where: isShardFile))) { return }
        let shown = (foreign.isEmpty ? names : foreign).sorted().prefix(3).joined(separator: ", ")
        throw VBQError(file: url.path, "is not a vbqlab output folder (it holds \(shown)\(names.count > 3 ? ", ..." : "")); give --out a new or empty folder")
    }

    /// `shard-*.vbqshard`: shards of a run (`vbqlab run --shard`), kept beside its results.
    static func isShardFile(_ name: String) -> Bool { name.hasPrefix("shard-") && name.hasSuffix(".\(ShardFile.fileExtension)") }

    /// Removes a folder and everything below it, never following a symbolic link.
    public static func removeTree(_ dir: URL) {
        var st = stat()
        guard lstat(dir.path, &st) == 0 else { return }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { unlink(dir.path); return }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] {
            removeTree(dir.appendingPathComponent(name))
        }
        rmdir(dir.path)
    }

    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        switch ns.code {
        case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return "permission denied"
        case NSFileWriteOutOfSpaceError: return "no space left on the device"
        case NSFileWriteFileExistsError: return "a file of that name is in the way"
        default: return ns.localizedDescription
        }
    }
}
