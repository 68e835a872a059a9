import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// The cohorts of a run as they are simulated, so that `vbqlab run --resume` can finish a run
/// that was stopped — by Ctrl-C, SIGTERM, SIGKILL or a power cut — to the identical result.
///
/// `checkpoint.vbq` in the run folder is a log: a header naming the run's fingerprint (the
/// scenario as run, seed, replicates, truth size and columns), then one record per finished
/// chunk of cohorts, appended by the workers as they go. Each record carries its row indices,
/// their values, the reference-cell ROC rows among them, and a checksum; the log is flushed to
/// disk every few seconds and when the run stops. A record cut short by a kill fails its
/// checksum and is dropped with everything after it, so a resumed run loses at most the
/// cohorts of the last few seconds and never reads a half-written row.
enum Checkpoint {
    /// FNV-1a of everything that determines the rows: the scenario as run, seed, replicates, the
    /// truth's simulation size (the true-performance columns depend on it), columns.
    static func fingerprint(_ scenario: Scenario, seed: UInt64, replicates: Int, truthPoints: Int, layout: ReplicateLayout) -> String {
        let text = scenario.resolvedNode.emitted() + "\nseed \(seed)\nreplicates \(replicates)\ntruth \(truthPoints)\n"
            + layout.columns.joined(separator: ",") + "\n" + Release.version
        return String(fnv1a(Data(text.utf8)), radix: 16)
    }

    /// How far from its cell's class means, in SDs, a cohort's cutoff can be: no simulated score
    /// comes near, and no estimator extrapolates that far.
    static let cutoffSDs = 1000.0

    /// What a record of one cell may hold: its cohort size, the events of a fixed-count cohort,
    /// and, once the cell's truth is known, the scores a cutoff can be.
    struct Bounds: Sendable {
        var size: Int
        var fixedEvents: Int?
        var scores: ClosedRange<Double>? = nil
        /// Whether the cell's analysis may leave patients out (follow-up to a horizon: those
        /// censored before it are in neither class).
        var leavesOut = false

        init(_ model: ModelSpec) {
            size = model.cohort.size
            leavesOut = (model.followUp?.handling ?? .everObserved) != .everObserved
            if case .classConditional = model.generator, model.cohort.sampling == .fixed { fixedEvents = model.cohort.fixedEvents }
        }
    }

    /// Why a record does not hold values vbqlab writes, naming the field, or nil. A checkpoint
    /// or shard from elsewhere may hold anything its checksum allows: counts beyond the cohort,
    /// proportions beyond [0, 1], infinities, a cutoff no score of the cell could be.
    static func problem(_ r: Record, _ rl: RecordLayout, _ b: Bounds) -> String? {
        let n1 = r.int(rl.nEvents), n0 = r.int(rl.nNonEvents)
        let code = r.degenerateCode(rl)
        if n1 < 0 || n0 < 0 || n1 + n0 > b.size || (!b.leavesOut && n1 + n0 != b.size) {
            return "n_events + n_non_events = \(n1) + \(n0), in a cohort of \(b.size)"
        }
        if let e = b.fixedEvents, n1 != e { return "n_events = \(n1), where every cohort of the cell has \(e)" }
        if code > 3 { return "degenerate = \(code), not a code vbqlab writes" }
        if code == 0 && (n1 == 0 || n0 == 0) { return "an analysed cohort without \(n1 == 0 ? "events" : "non-events")" }
        func number(_ name: String, _ at: Int, in range: ClosedRange<Double>) -> String? {
            let x = r.double(at)
            return x.isNaN || range.contains(x) ? nil : "\(name) = \(x.isFinite ? Format.exact(x) : "\(x)"), outside [\(Format.exact(range.lowerBound)), \(Format.exact(range.upperBound))]"
        }
        func count(_ name: String, _ at: Int, _ n: Int) -> String? {
            let k = r.int(at)
            return k >= -1 && k <= n ? nil : "\(name) = \(k), in a class of \(n)"
        }
        if let p = number("acceptance", RecordLayout.acceptance, in: 0...1) ?? number("auc", RecordLayout.auc, in: 0...1)
            ?? number("auc_se", RecordLayout.aucSE, in: 0...1) { return p }
        if let at = rl.failedShare, let p = number("failed share", at, in: 0...1) { return p }
        // A Kaplan–Meier curve need not stay within [0, 1], but never strays far.
        for mi in rl.weightedSensitivity.indices {
            if let p = number("\(rl.methods[mi].rawValue) weighted sensitivity", rl.weightedSensitivity[mi], in: -1...2)
                ?? number("\(rl.methods[mi].rawValue) weighted specificity", rl.weightedSpecificity[mi], in: -1...2) { return p }
        }
        let scores = b.scores ?? -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude
        for (mi, m) in rl.methods.enumerated() {
            let name = m.rawValue
            if let p = number("\(name)_cutoff", rl.cutoff[mi], in: scores)
                ?? number("\(name)_true_sensitivity", rl.trueSensitivity[mi], in: 0...1)
                ?? number("\(name)_true_specificity", rl.trueSpecificity[mi], in: 0...1)
                ?? rl.methodAUC[mi].flatMap({ number("\(name)_auc", $0, in: 0...1) })
                ?? count("\(name)_tp", rl.tp[mi], n1) ?? count("\(name)_tn", rl.tn[mi], n0)
                // A time-dependent ROC's thresholds run over every patient, the censored too.
                ?? rl.ties[mi].flatMap({ count("\(name)_tied_thresholds", $0, (b.leavesOut ? b.size : n1 + n0) + 1) }) { return p }
        }
        for fi in 0..<rl.fixedCount {
            if let p = count("fixed cutoff \(fi + 1): tp", rl.fixedTP[fi], n1) ?? count("fixed cutoff \(fi + 1): tn", rl.fixedTN[fi], n0) { return p }
        }
        return nil
    }

    static func fnv1a<C: Sequence>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// A checkpoint record's checksum: FNV-1a's step over 8-byte words in four independent lanes
    /// (a byte at a time, one chain of multiplies, it cost more than the cohorts it guarded),
    /// then the remaining bytes. It finds a record cut short or overwritten, not an attack.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let prime: UInt64 = 0x0000_0100_0000_01B3
        var h0: UInt64 = 0xCBF2_9CE4_8422_2325, h1 = h0 ^ 1, h2 = h0 ^ 2, h3 = h0 ^ 3
        let n = bytes.count
        var at = 0
        while at + 32 <= n {
            h0 = (h0 ^ bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)) &* prime
            h1 = (h1 ^ bytes.loadUnaligned(fromByteOffset: at + 8, as: UInt64.self)) &* prime
            h2 = (h2 ^ bytes.loadUnaligned(fromByteOffset: at + 16, as: UInt64.self)) &* prime
            h3 = (h3 ^ bytes.loadUnaligned(fromByteOffset: at + 24, as: UInt64.self)) &* prime
            at += 32
        }
        var h = SeedTree.mix(h0) ^ SeedTree.mix(h1 &+ 1) ^ SeedTree.mix(h2 &+ 2) ^ SeedTree.mix(h3 &+ 3) ^ UInt64(n)
        while at < n { h = (h ^ UInt64(bytes[at])) &* prime; at += 1 }
        return SeedTree.mix(h)
    }
}

/// The append-only checkpoint log of one run (see `Checkpoint`).
public final class CheckpointLog: @unchecked Sendable {
    public static let fileName = "checkpoint.vbq"
    static let magic = "VBQCHECKPOINT4\n"
    static let recordMagic: UInt32 = 0x5251_4256          // "VBQR"
    /// Seconds between flushes to disk.
    static let syncInterval: Duration = .seconds(3)

    let url: URL
    private let fd: Int32
    private let lock = NSLock()
    private var lastSync = ContinuousClock.now
    /// Bytes per cohort record.
    private let width: Int, replicates: Int, referenceCell: Int
    /// The first error met while appending (a full disk): the run goes on, the stop says so.
    private(set) var failure: String?

    private init(url: URL, fd: Int32, width: Int, replicates: Int, referenceCell: Int) {
        self.url = url; self.fd = fd; self.width = width; self.replicates = replicates; self.referenceCell = referenceCell
    }

    deinit { close(fd) }

    static func header(_ fingerprint: String) -> Data { Data((magic + fingerprint + "\n").utf8) }

    /// Starts a new log, replacing any file of that name.
    public static func create(at url: URL, fingerprint: String, width: Int, replicates: Int, referenceCell: Int) throws -> CheckpointLog {
        unlink(url.path)
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw VBQError(file: url.path, "cannot write the checkpoint: \(String(cString: strerror(errno)))") }
        let log = CheckpointLog(url: url, fd: fd, width: width, replicates: replicates, referenceCell: referenceCell)
        try FileDescriptorIO.writeAll(fd, header(fingerprint), path: url.path)
        fsync(fd)
        return log
    }

    /// Whether `url` is a checkpoint in another version's format (one this version cannot resume).
    static func isOtherVersion(at url: URL) -> Bool {
        let fd = open(url.path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: magic.utf8.count)
        let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        return n == head.count && head.starts(with: Array("VBQCHECKPOINT".utf8)) && head != Array(magic.utf8)
    }

    static let otherVersionMessage = "this checkpoint was written by another version of vbqlab, which cannot resume it; run with --fresh to start again"

    /// What a log holds: the fingerprint it names and how many valid rows it has.
    static func peek(at url: URL) -> (fingerprint: String, rows: Int)? {
        guard let data = RunFolder.readRegular(url, limit: .max), data.starts(with: Data(magic.utf8)),
              let newline = data.dropFirst(magic.utf8.count).firstIndex(of: 0x0A) else { return nil }
        let fingerprint = String(decoding: data[magic.utf8.count..<newline], as: UTF8.self)
        var rows = 0
        _ = scan(data, from: newline + 1, width: nil, replicates: 0, referenceCell: -1) { indices, _, _ in rows += indices.count }
        return (fingerprint, rows)
    }

    /// Reads a log into `table` and reopens it for appending after its last valid record.
    /// Every record is checked against what its cell of `design` allows (`Checkpoint.problem`).
    public static func resume(at url: URL, fingerprint: String, into table: inout ReplicateTable, referenceCell: Int, design: Design) throws -> CheckpointLog {
        let bounds = design.cells.map { Checkpoint.Bounds($0.model) }
        guard let data = RunFolder.readRegular(url, limit: .max) else {
            throw VBQError(file: url.deletingLastPathComponent().path, "no interrupted run to resume here (no \(fileName)); run without --resume")
        }
        let head = header(fingerprint)
        if !data.starts(with: Data(magic.utf8)) && data.starts(with: Data("VBQCHECKPOINT".utf8)) {
            throw VBQError(file: url.path, otherVersionMessage)
        }
        guard data.starts(with: head) else {
            throw VBQError(file: url.path, "this checkpoint is from a different scenario, seed or number of replicates; run without --resume and with --fresh to start again")
        }
        let rl = table.record
        let width = rl.stride, reps = table.replicates
        let rocWidth = ReplicateTable.rocGrid.count
        var roc = table.referenceROC, completed = table.completed
        let total = completed.count
        // A checkpoint from elsewhere (a copied folder) may hold values vbqlab never writes:
        // counts out of range, infinities. Each record is checked before it is used.
        var damaged: (index: Int, problem: String)? = nil
        let end = scan(data, from: head.count, width: width, replicates: reps, referenceCell: referenceCell) { indices, body, rocValues in
            guard damaged == nil else { return }
            for (k, index) in indices.enumerated() {
                let rec = Record(base: UnsafeMutableRawPointer(mutating: body.baseAddress! + k * width))
                guard index < total else { damaged = (index, "a cohort the run does not have"); return }
                if let p = Checkpoint.problem(rec, rl, bounds[index / reps]) { damaged = (index, p); return }
            }
            var rocRow = 0
            for (k, index) in indices.enumerated() {
                table.recordBase(index).copyMemory(from: body.baseAddress! + k * width, byteCount: width)
                if index / reps == referenceCell {
                    let rec = Record(base: UnsafeMutableRawPointer(mutating: body.baseAddress! + k * width))
                    let row = Array(rocValues[(rocRow * rocWidth)..<((rocRow + 1) * rocWidth)])
                    rocRow += 1
                    if rec.degenerateCode(rl) == 0 {
                        let n1 = rec.int(rl.nEvents)
                        guard row.allSatisfy({ $0 >= 0 && Int($0) <= n1 }) else { damaged = (index, "a reference ROC count beyond the cohort's \(n1) events"); return }
                        row.withUnsafeBufferPointer { roc.add(numerators: $0, events: n1) }
                    }
                }
                completed[index] = true
            }
        }
        if let damaged {
            throw VBQError(file: url.path, key: "cohort \(damaged.index)", "holds values vbqlab never writes (\(damaged.problem)); it was not made by this run: run with --fresh to start again")
        }
        table.referenceROC = roc; table.completed = completed
        let fd = open(url.path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0, ftruncate(fd, off_t(end)) == 0, lseek(fd, 0, SEEK_END) >= 0 else {
            throw VBQError(file: url.path, "cannot reopen the checkpoint: \(String(cString: strerror(errno)))")
        }
        return CheckpointLog(url: url, fd: fd, width: width, replicates: reps, referenceCell: referenceCell)
    }

    /// Walks the valid records from `offset`; returns the offset after the last valid one.
    /// With `width` nil (bytes per cohort record), the records are only counted.
    private static func scan(_ data: Data, from offset: Int, width: Int?, replicates: Int, referenceCell: Int,
                             _ visit: ([Int], UnsafeRawBufferPointer, [Int32]) -> Void) -> Int {
        var pos = offset
        let rocWidth = ReplicateTable.rocGrid.count
        return data.withUnsafeBytes { raw -> Int in
            func u64(_ at: Int) -> UInt64 { raw.loadUnaligned(fromByteOffset: at, as: UInt64.self) }
            while pos + 24 <= raw.count {
                guard raw.loadUnaligned(fromByteOffset: pos, as: UInt32.self) == recordMagic else { break }
                let count = Int(raw.loadUnaligned(fromByteOffset: pos + 4, as: UInt32.self))
                let bodyBytes = Int(truncatingIfNeeded: u64(pos + 8))
                guard count > 0, bodyBytes >= 8 * count, bodyBytes <= raw.count, pos + 16 + bodyBytes + 8 <= raw.count else { break }
                let body = UnsafeRawBufferPointer(rebasing: raw[(pos + 16)..<(pos + 16 + bodyBytes)])
                guard Checkpoint.checksum(body) == u64(pos + 16 + bodyBytes) else { break }
                var indices: [Int] = []
                indices.reserveCapacity(count)
                for k in 0..<count { indices.append(Int(truncatingIfNeeded: body.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self))) }
                if let width {
                    let refRows = indices.filter { replicates > 0 && $0 / replicates == referenceCell }.count
                    guard bodyBytes == 8 * count + count * width + 4 * refRows * rocWidth,
                          indices.allSatisfy({ $0 >= 0 }) else { break }
                    // Records are copied to aligned memory before they are read.
                    let recordBytes = UnsafeMutableRawBufferPointer.allocate(byteCount: count * width, alignment: 8)
                    defer { recordBytes.deallocate() }
                    recordBytes.copyMemory(from: UnsafeRawBufferPointer(rebasing: body[(8 * count)..<(8 * count + count * width)]))
                    var rocValues = [Int32](repeating: -1, count: refRows * rocWidth)
                    rocValues.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: body[(8 * count + count * width)...])) }
                    visit(indices, UnsafeRawBufferPointer(recordBytes), rocValues)
                } else {
                    visit(indices, UnsafeRawBufferPointer(start: nil, count: 0), [])
                }
                pos += 16 + bodyBytes + 8
            }
            return pos
        }
    }

    /// Appends the cohorts `indices` (the record of cohort i at `(i − first)` records into
    /// `records`, and for the reference cell their ROC numerators, in order, in `roc`). Called by
    /// any worker; records are whole and in one piece.
    func append(_ indices: [Int], records: UnsafeRawBufferPointer, first: Int, roc: [Int32]) {
        guard !indices.isEmpty else { return }
        // magic, count, body size | indices, records, ROC rows | checksum: one buffer, one write.
        let bodyBytes = 8 * indices.count + indices.count * width + 4 * roc.count
        var record = [UInt8](repeating: 0, count: 16 + bodyBytes + 8)
        record.withUnsafeMutableBytes { out in
            out.storeBytes(of: CheckpointLog.recordMagic.littleEndian, toByteOffset: 0, as: UInt32.self)
            out.storeBytes(of: UInt32(indices.count).littleEndian, toByteOffset: 4, as: UInt32.self)
            out.storeBytes(of: UInt64(bodyBytes).littleEndian, toByteOffset: 8, as: UInt64.self)
            var at = 16
            for i in indices { out.storeBytes(of: UInt64(i).littleEndian, toByteOffset: at, as: UInt64.self); at += 8 }
            for i in indices {
                (out.baseAddress! + at).copyMemory(from: records.baseAddress! + (i - first) * width, byteCount: width)
                at += width
            }
            if !roc.isEmpty { roc.withUnsafeBytes { (out.baseAddress! + at).copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
            let sum = Checkpoint.checksum(UnsafeRawBufferPointer(rebasing: out[16..<(16 + bodyBytes)]))
            out.storeBytes(of: sum.littleEndian, toByteOffset: 16 + bodyBytes, as: UInt64.self)
        }
        // The write is under the lock (records stay whole and in order); the periodic fsync is
        // not, so no worker waits for the disk.
        let due: Bool = lock.withLock {
            guard failure == nil else { return false }
            do {
                try record.withUnsafeBytes { try FileDescriptorIO.writeAll(fd, $0, path: url.path) }
            } catch let e as VBQError {
                failure = e.message
                return false
            } catch { failure = "\(error)"; return false }
            guard ContinuousClock.now - lastSync > CheckpointLog.syncInterval else { return false }
            lastSync = .now
            return true
        }
        if due { fsync(fd) }
    }

    /// Flushes everything appended so far to disk.
    public func sync() {
        lock.lock(); defer { lock.unlock() }
        fsync(fd)
    }
}
