import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// Which part of a sharded run: the `index`-th (1-based) of `count` disjoint parts.
public struct ShardSpec: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int
    /// Shards of one run, at most.
    public static let maxCount = 10_000

    public init(index: Int, count: Int) throws {
        guard count >= 1, count <= ShardSpec.maxCount else {
            throw VBQError(key: "--shard", "the number of shards must be between 1 and \(ShardSpec.maxCount) (got \(count))")
        }
        guard index >= 1, index <= count else {
            throw VBQError(key: "--shard", "shard \(index) of \(count) does not exist; shards are numbered 1 to \(count)")
        }
        self.index = index; self.count = count
    }

    /// "I/N", as `--shard` takes it.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = NumberText.int(String(parts[0])), let n = NumberText.int(String(parts[1])) else {
            throw VBQError(key: "--shard", "'\(Format.plain(text))' is not I/N (e.g. 2/4: the second of four parts)")
        }
        try self.init(index: i, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    /// `shard-02-of-16.vbqshard`: sorted names sort by index.
    public var fileName: String {
        let width = String(count).count
        let i = String(index)
        return "shard-\(String(repeating: "0", count: width - i.count))\(i)-of-\(count).\(ShardFile.fileExtension)"
    }
}

/// Splits `units` work units, in order, into `count` contiguous ranges of about equal cost:
/// unit u of group g costs `perUnit[g]`, and each group's first unit also carries `setup[g]`
/// (a cell's truth). Range i holds the units whose cumulative cost starts in its share. The
/// split depends only on the costs, so every machine computes the same one.
enum Partition {
    static func ranges(groupSizes: [Int], perUnit: [Double], setup: [Double], count: Int) -> [Range<Int>] {
        let total = groupSizes.indices.reduce(0.0) { $0 + setup[$1] + Double(groupSizes[$1]) * perUnit[$1] }
        let units = groupSizes.reduce(0, +)
        var bounds = [0]
        for k in 1..<max(1, count) {
            let target = total * Double(k) / Double(count)
            var before = 0.0, first = 0, bound = units
            for g in groupSizes.indices {
                let groupCost = setup[g] + Double(groupSizes[g]) * perUnit[g]
                if before + groupCost > target {
                    let into = target - before - setup[g]
                    let r = into <= 0 || perUnit[g] <= 0 ? 0 : Int((into / perUnit[g]).rounded(.up))
                    bound = first + min(groupSizes[g], r)
                    break
                }
                before += groupCost
                first += groupSizes[g]
            }
            bounds.append(max(bounds.last!, bound))
        }
        bounds.append(units)
        return (0..<count).map { bounds[$0]..<bounds[$0 + 1] }
    }
}

/// A shard file: one part of a run (or power sweep) that `vbqlab merge` combines with the
/// others into the identical result.
///
/// Layout: a first line `VBQSHARD2`, a second line a person can read (kind, scenario, seed,
/// replicates, shard, fingerprint), then the binary body (little-endian), then an FNV-1a
/// checksum of everything before it and the line `VBQSHARDEND`. The file is written to a
/// temporary name and renamed, so a shard killed while writing leaves no file of the final
/// name; a truncated or altered file fails the checksum and is refused.
public enum ShardFile {
    public static let fileExtension = "vbqshard"
    static let magic = "VBQSHARD2\n"
    static let endMagic = "VBQSHARDEND\n"

    /// What every shard says about the run it belongs to.
    public struct Header: Sendable, Equatable {
        public var kind: ShardKind
        public var scenarioName: String
        public var scenarioFile: String
        public var scenarioSource: String
        /// Everything that determines the results (see `Checkpoint.fingerprint`).
        public var fingerprint: String
        public var seed: UInt64
        public var replicates: Int
        public var shard: ShardSpec
        /// The units (rows, or grid points × replicates) this shard computed.
        public var units: Range<Int>
        // Provenance: not part of the results.
        public var host: String
        public var threads: Int
        public var started: Double
        public var computeSeconds: Double

        /// Shards of one run agree on all of this.
        func sameRun(_ o: Header) -> Bool {
            kind == o.kind && fingerprint == o.fingerprint && seed == o.seed && replicates == o.replicates && shard.count == o.shard.count
        }
        var runDescription: String {
            "\(kind == .power ? "power sweep" : "run") of scenario \(scenarioName), seed \(seed), \(replicates) replicates, \(shard.count) shard\(shard.count == 1 ? "" : "s")"
        }
    }

    /// Writes `header` and `payload` to `url` atomically.
    static func write(_ header: Header, payload: ByteWriter, to url: URL) throws {
        var w = ByteWriter()
        w.bytes(Data(magic.utf8))
        let human = "\(header.kind.rawValue) scenario=\(header.scenarioName) seed=\(header.seed) replicates=\(header.replicates) shard=\(header.shard) units=\(header.units.lowerBound)-\(header.units.upperBound) fingerprint=\(header.fingerprint)"
        w.bytes(Data((Format.plain(human) + "\n").utf8))
        w.string(header.kind.rawValue); w.string(header.scenarioName); w.string(header.scenarioFile); w.string(header.scenarioSource)
        w.string(header.fingerprint); w.u64(header.seed); w.int(header.replicates)
        w.int(header.shard.index); w.int(header.shard.count)
        w.int(header.units.lowerBound); w.int(header.units.upperBound)
        w.string(header.host); w.int(header.threads); w.f64(header.started); w.f64(header.computeSeconds)
        w.bytes(payload.data)
        let sum = w.data.withUnsafeBytes { Checkpoint.fnv1a($0) }
        w.u64(sum)
        w.bytes(Data(endMagic.utf8))
        try AtomicFile.write(w.data, to: url)
    }

    /// An opened shard file: its header, and a reader at the start of its payload.
    final class Opened: @unchecked Sendable {
        let url: URL
        let header: Header
        private let map: UnsafeRawBufferPointer
        let payloadStart: Int
        let payloadEnd: Int

        fileprivate init(url: URL, header: Header, map: UnsafeRawBufferPointer, payloadStart: Int, payloadEnd: Int) {
            self.url = url; self.header = header; self.map = map; self.payloadStart = payloadStart; self.payloadEnd = payloadEnd
        }
        deinit { munmap(UnsafeMutableRawPointer(mutating: map.baseAddress), map.count) }

        func payload() -> ByteReader {
            ByteReader(UnsafeRawBufferPointer(rebasing: map[payloadStart..<payloadEnd]), file: url.path)
        }
    }

    /// Opens a shard file: a regular file (never through a link) whose checksum holds.
    static func open(_ url: URL) throws -> Opened {
        let path = url.path
        // Non-blocking, so a FIFO or a device cannot hold the open; it is then refused by fstat.
        let fd = Foundation.open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            throw VBQError(file: path, errno == ELOOP ? "is a symbolic link; give the shard file itself" : "cannot read: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw VBQError(file: path, "is not a regular file") }
        let size = Int(st.st_size)
        let minimum = magic.utf8.count + 8 + endMagic.utf8.count
        guard size >= minimum else { throw VBQError(file: path, "is not a vbqlab shard file (too short: truncated, or another file)") }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw VBQError(file: path, "cannot read: \(String(cString: strerror(errno)))")
        }
        let map = UnsafeRawBufferPointer(start: p, count: size)
        func fail(_ message: String) -> VBQError { munmap(p, size); return VBQError(file: path, message) }
        guard map.starts(with: magic.utf8) else { throw fail("is not a vbqlab shard file (no VBQSHARD2 header)") }
        let end = size - endMagic.utf8.count
        guard map[end...].elementsEqual(endMagic.utf8) else {
            throw fail("is truncated or damaged (no end marker): the shard did not finish writing; run it again")
        }
        let sum = map.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self)
        guard Checkpoint.fnv1a(UnsafeRawBufferPointer(rebasing: map[0..<(end - 8)])) == UInt64(littleEndian: sum) else {
            throw fail("is damaged (its checksum does not match): copy it again or run the shard again")
        }
        guard let newline = map[magic.utf8.count...].firstIndex(of: 0x0A) else { throw fail("is damaged (no second header line)") }
        var r = ByteReader(UnsafeRawBufferPointer(rebasing: map[(newline + 1)..<(end - 8)]), file: path)
        do {
            let kindName = try r.string(), name = try r.string(), file = try r.string(), source = try r.string()
            let fingerprint = try r.string(), seed = try r.u64(), replicates = try r.int()
            let index = try r.int(), count = try r.int()
            let lo = try r.int(), hi = try r.int()
            let host = try r.string(), threads = try r.int(), started = try r.f64(), compute = try r.f64()
            guard let kind = ShardKind(rawValue: kindName), lo >= 0, hi >= lo, replicates >= 1, replicates <= Limits.replicates else {
                throw VBQError(file: path, "is damaged (impossible header values)")
            }
            let shard = try ShardSpec(index: index, count: count)
            let header = Header(kind: kind, scenarioName: name, scenarioFile: file, scenarioSource: source, fingerprint: fingerprint,
                                seed: seed, replicates: replicates, shard: shard, units: lo..<hi,
                                host: host, threads: threads, started: started, computeSeconds: compute)
            return Opened(url: url, header: header, map: map, payloadStart: newline + 1 + r.offset, payloadEnd: end - 8)
        } catch var e as VBQError {
            munmap(p, size)
            e.file = path
            throw e
        }
    }

    /// The shard files named by `inputs`: files as given, folders by their `shard-*.vbqshard`
    /// entries (not below them). Sorted by path, so any order of inputs gives the same merge.
    static func collect(_ inputs: [String]) throws -> [URL] {
        var found: [URL] = []
        for input in inputs {
            guard !input.isEmpty else { throw VBQError(key: "merge", "an input is an empty path (an unset shell variable?)") }
            var st = stat()
            guard lstat(input, &st) == 0 else { throw VBQError(file: input, "no such file or folder") }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []
                let shards = names.filter { $0.hasPrefix("shard-") && $0.hasSuffix(".\(fileExtension)") }
                guard !shards.isEmpty else { throw VBQError(file: input, "holds no shard files (shard-*.\(fileExtension)); run vbqlab run SCENARIO --shard I/N --out \(input)") }
                found += shards.map { URL(fileURLWithPath: input).appendingPathComponent($0).standardizedFileURL }
            } else {
                found.append(URL(fileURLWithPath: input).standardizedFileURL)
            }
        }
        var seen = Set<String>()
        return found.filter { seen.insert($0.path).inserted }.sorted { $0.path < $1.path }
    }

    /// Checks that `opened` are the shards of one run, each once, and all of them unless
    /// `partial`; returns the missing shard indices.
    static func check(_ opened: [Opened], partial: Bool) throws -> [Int] {
        guard let first = opened.first else { throw VBQError(key: "merge", "no shard files given") }
        for o in opened.dropFirst() where !o.header.sameRun(first.header) {
            throw VBQError(file: o.url.path, "is a shard of another \(o.header.runDescription) than \(first.url.lastPathComponent) (\(first.header.runDescription)\(o.header.fingerprint != first.header.fingerprint && o.header.seed == first.header.seed && o.header.scenarioName == first.header.scenarioName ? ", another version of the scenario" : "")); merge the shards of one run")
        }
        var byIndex: [Int: URL] = [:]
        for o in opened {
            if let other = byIndex[o.header.shard.index] {
                throw VBQError(file: o.url.path, "shard \(o.header.shard) is given twice (also \(other.path)); give each shard once")
            }
            byIndex[o.header.shard.index] = o.url
        }
        let n = first.header.shard.count
        let missing = (1...n).filter { byIndex[$0] == nil }
        if !missing.isEmpty && !partial {
            let names = missing.prefix(5).map { try! ShardSpec(index: $0, count: n).fileName }.joined(separator: ", ")
            throw VBQError(key: "merge", "\(missing.count) of \(n) shards missing: \(names)\(missing.count > 5 ? ", ..." : "") (shard\(missing.count == 1 ? "" : "s") \(listText(missing))); run \(missing.count == 1 ? "it" : "them"), or add --partial to merge what is there")
        }
        return missing
    }

    /// "2, 5 and 7"
    package static func listText(_ items: [Int]) -> String {
        let s = items.prefix(20).map(String.init)
        if s.count == 1 { return s[0] }
        return s.dropLast().joined(separator: ", ") + (items.count > 20 ? ", ..., " : " and ") + (items.count > 20 ? String(items.last!) : s.last!)
    }

    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return Format.plain(String(decoding: bytes, as: UTF8.self))
    }
}

// MARK: - Truths in a shard

extension ShardFile {
    /// A truth, every bit of it: a class-conditional population is rebuilt from the cell's model
    /// (its distributions are the scenario's), a simulated one is written whole.
    static func write(_ t: Truth, _ w: inout ByteWriter) {
        for x in [t.cutoff, t.youdenJ, t.auc, t.cutoffError, t.youdenError, t.aucError, t.prevalence, t.acceptance,
                  t.classMoments.eventMean, t.classMoments.eventSD, t.classMoments.nonEventMean, t.classMoments.nonEventSD] { w.f64(x) }
        w.string(t.method)
        switch t.population {
        case .classConditional:
            w.u8(0)
        case let .simulated(h):
            w.u8(1)
            w.f64(h.lo); w.f64(h.width); w.u8(h.discrete ? 1 : 0)
            w.doubles(h.cumEvents); w.doubles(h.cumNonEvents)
        }
        // The criteria's targets, in registry order.
        let ids = t.targets.keys.sorted { a, b in criterionOrder(a) < criterionOrder(b) }
        w.int(ids.count)
        for id in ids {
            let x = t.targets[id]!
            w.string(id); w.f64(x.cutoff); w.f64(x.error); w.f64(x.value)
        }
    }

    /// A criterion id's position in the registry (for a deterministic order of targets).
    static func criterionOrder(_ id: String) -> Int {
        EstimationMethod.allCases.firstIndex { $0.estimator.criterion.criterionID == id } ?? Int.max
    }

    static func readTruth(_ r: inout ByteReader, model: ModelSpec) throws -> Truth {
        var x: [Double] = []
        for _ in 0..<12 { x.append(try r.f64()) }
        let method = try r.string()
        let population: PopulationModel
        switch (try r.u8(), model.generator) {
        case let (0, .classConditional(event, nonEvent)):
            population = .classConditional(event: event, nonEvent: nonEvent)
        case (1, .mechanistic):
            let lo = try r.f64(), width = try r.f64(), discrete = try r.u8()
            let e = try r.doubles(limit: 1 << 24), n = try r.doubles(limit: 1 << 24)
            guard lo.isFinite, width.isFinite, width > 0, discrete <= 1, e.count >= 2, e.count == n.count,
                  (e + n).allSatisfy({ $0 >= 0 && $0 <= 1 }) else { throw VBQError("impossible values in a truth") }
            population = .simulated(EmpiricalCDFs(lo: lo, width: width, cumEvents: e, cumNonEvents: n, discrete: discrete == 1))
        default:
            throw VBQError("a truth of another family than its cell's")
        }
        // Every value is checked against what it means, not only against the checksum.
        let names = ["cutoff", "youden_j", "auc", "cutoff_error", "youden_j_error", "auc_error", "prevalence", "acceptance",
                     "event_mean", "event_sd", "non_event_mean", "non_event_sd"]
        func bad(_ i: Int, _ rule: String) -> VBQError { VBQError("a truth's \(names[i]) = \(Format.exact(x[i])), where it must be \(rule)") }
        for i in [1, 2] where !(x[i] >= -1 && x[i] <= 1 && (i != 2 || x[i] >= 0)) { throw bad(i, i == 2 ? "in [0, 1]" : "in [-1, 1]") }
        for i in [3, 4, 5] where !(x[i].isNaN || (x[i] >= 0 && x[i].isFinite)) { throw bad(i, "a finite error ≥ 0") }
        guard x[6] > 0, x[6] < 1 else { throw bad(6, "in (0, 1)") }
        guard x[7] > 0, x[7] <= 1 else { throw bad(7, "in (0, 1]") }
        for i in 8...11 where !(x[i].isFinite && (i % 2 == 0 || x[i] >= 0)) { throw bad(i, "finite\(i % 2 == 0 ? "" : " and ≥ 0")") }
        // The targets must be exactly those of the cell's criteria, each a plausible score.
        let expected = TruthSolver.criteria(of: model).map { $0.criterionID }
        let count = try r.int()
        guard count == expected.count else { throw VBQError("a truth with \(count) criterion targets where its cell has \(expected.count)") }
        var targets: [String: CriterionTarget] = [:]
        for id in expected {
            let name = try r.string()
            guard name == id else { throw VBQError("a truth's criterion target '\(Format.plain(name))' where '\(id)' belongs") }
            let c = try r.f64(), e = try r.f64(), v = try r.f64()
            guard c.isFinite, e.isNaN || (e >= 0 && e.isFinite), v.isFinite else {
                throw VBQError("a truth's \(id) target (\(Format.exact(c)), error \(Format.exact(e))) is not a finite cutoff with a finite error")
            }
            targets[id] = CriterionTarget(cutoff: c, error: e, value: v)
        }
        var truth = Truth(cutoff: x[0], youdenJ: x[1], auc: x[2], cutoffError: x[3], youdenError: x[4], aucError: x[5],
                          method: method, prevalence: x[6], population: population,
                          classMoments: ClassMoments(eventMean: x[8], eventSD: x[9], nonEventMean: x[10], nonEventSD: x[11]),
                          acceptance: x[7])
        guard x[0].isFinite, truth.plausibleScores(sds: 50)?.contains(x[0]) ?? true else {
            throw bad(0, "a score of the cell's population (within 50 SDs of its class means)")
        }
        for (id, t) in targets where !(truth.plausibleScores(sds: 50)?.contains(t.cutoff) ?? true) {
            throw VBQError("a truth's \(id) target = \(Format.exact(t.cutoff)), where it must be a score of the cell's population (within 50 SDs of its class means)")
        }
        truth.targets = targets
        truth.criteria = model.criteria
        return truth
    }

    /// The bytes of a truth (to check that two shards computed the same one).
    static func bytes(_ t: Truth) -> Data {
        var w = ByteWriter()
        write(t, &w)
        return w.data
    }
}

// MARK: - Little-endian bytes

struct ByteWriter {
    private(set) var data = Data()
    mutating func bytes(_ d: Data) { data.append(d) }
    mutating func u8(_ x: UInt8) { data.append(x) }
    mutating func u64(_ x: UInt64) { withUnsafeBytes(of: x.littleEndian) { data.append(contentsOf: $0) } }
    mutating func int(_ x: Int) { u64(UInt64(bitPattern: Int64(x))) }
    mutating func f64(_ x: Double) { u64(x.bitPattern) }
    mutating func string(_ s: String) { let u = Data(s.utf8); int(u.count); data.append(u) }
    mutating func doubles(_ xs: [Double]) { int(xs.count); for x in xs { f64(x) } }
    mutating func raw(_ p: UnsafeRawBufferPointer) { int(p.count); data.append(contentsOf: p) }
}

/// Reads what `ByteWriter` wrote; every length is checked against what is left, so a damaged
/// file is an error, never a crash or a huge allocation.
struct ByteReader {
    let buffer: UnsafeRawBufferPointer
    let file: String
    private(set) var offset = 0

    init(_ buffer: UnsafeRawBufferPointer, file: String) { self.buffer = buffer; self.file = file }

    var remaining: Int { buffer.count - offset }
    private func short() -> VBQError { VBQError(file: file, "is damaged (it ends before its data do)") }

    mutating func u8() throws -> UInt8 {
        guard remaining >= 1 else { throw short() }
        defer { offset += 1 }
        return buffer[offset]
    }
    mutating func u64() throws -> UInt64 {
        guard remaining >= 8 else { throw short() }
        defer { offset += 8 }
        return UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
    mutating func int() throws -> Int { Int(Int64(bitPattern: try u64())) }
    mutating func f64() throws -> Double { Double(bitPattern: try u64()) }
    mutating func count(_ elementSize: Int, limit: Int) throws -> Int {
        let n = try int()
        guard n >= 0, n <= limit, n <= remaining / max(1, elementSize) else { throw short() }
        return n
    }
    mutating func string() throws -> String {
        let n = try count(1, limit: Limits.scenarioBytes * 2)
        defer { offset += n }
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + n)]), as: UTF8.self)
    }
    mutating func doubles(limit: Int) throws -> [Double] {
        let n = try count(8, limit: limit)
        var out = [Double](); out.reserveCapacity(n)
        for _ in 0..<n { out.append(try f64()) }
        return out
    }
    /// A length-prefixed block of bytes, in place.
    mutating func raw(limit: Int) throws -> UnsafeRawBufferPointer {
        let n = try count(1, limit: limit)
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + n)])
    }
}

/// What a shard file holds a part of.
public enum ShardKind: String, Sendable {
    /// A run (`run --shard`).
    case run
    /// A power sweep (`power --shard`).
    case power
}
