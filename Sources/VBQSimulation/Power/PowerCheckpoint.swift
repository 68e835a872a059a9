import Foundation
import VBQCore
import VBQModel

/// The cohort sizes a power sweep has finished, kept in its folder as `checkpoint.vbqpower` so
/// that `vbqlab power --resume` finishes a sweep stopped by Ctrl-C, a kill or a power cut to the
/// identical result, without simulating those sizes again.
///
/// The file is a power shard file (see `ShardFile`): the sweep's inputs and fingerprint, its
/// truths, and every target's value in every cohort of the finished sizes (units 0 to k ×
/// replicates). It is rewritten whole (a temporary file, then a rename) after a size finishes,
/// at most every few seconds, so a kill loses at most the sizes of the last few seconds; it is
/// read back with the checks a merge applies, and removed when the sweep's results are written
/// complete.
public struct PowerCheckpoint: Sendable {
    public static let fileName = "checkpoint.vbqpower"
    /// At most one rewrite in this many seconds.
    static let interval = 2.0

    public let url: URL
    public let inputs: PowerInputs
    /// Continue from the file (`--resume`); else a new sweep starts and the file is replaced.
    public let resume: Bool

    public init(folder: URL, inputs: PowerInputs, resume: Bool) {
        url = folder.appendingPathComponent(Self.fileName)
        self.inputs = inputs
        self.resume = resume
    }

    /// Whether a file of an interrupted sweep is there (a regular file, never read through a link).
    public static func exists(in folder: URL) -> Bool {
        var st = stat()
        return lstat(folder.appendingPathComponent(fileName).path, &st) == 0
    }

    /// Writes the finished sizes' values.
    func save(_ engine: PowerEngine.Engine, scenario: Scenario, seed: UInt64, values: [Double], sizes: Int, started: Date) throws {
        let w = PowerEngine.payload(inputs, engine, values: values)
        let header = ShardFile.Header(kind: .power, scenarioName: scenario.name, scenarioFile: scenario.file,
                                      scenarioSource: scenario.source, fingerprint: inputs.fingerprint(scenario, seed: seed),
                                      seed: seed, replicates: engine.spec.replicates, shard: try ShardSpec(index: 1, count: 1),
                                      units: 0..<(sizes * engine.spec.replicates), host: ShardFile.hostName, threads: engine.threads,
                                      started: started.timeIntervalSince1970, computeSeconds: Date().timeIntervalSince(started))
        try ShardFile.write(header, payload: w, to: url)
    }

    /// The values of the finished sizes, checked as a merge checks a shard: the same sweep
    /// (fingerprint, inputs), the same truths as this run computed, whole sizes, finite values.
    func load(_ engine: PowerEngine.Engine, scenario: Scenario, seed: UInt64) throws -> [Double] {
        var st = stat()
        guard lstat(url.path, &st) == 0 else {
            throw VBQError(file: url.deletingLastPathComponent().path, "no interrupted sweep to resume here (no \(Self.fileName)); run without --resume")
        }
        let opened = try ShardFile.open(url)
        let h = opened.header
        let reps = engine.spec.replicates, width = engine.spec.targets.count
        guard h.kind == .power, h.fingerprint == inputs.fingerprint(scenario, seed: seed), h.seed == seed, h.replicates == reps else {
            throw VBQError(file: url.path, "is the checkpoint of another sweep (another scenario, seed, sizes, targets or version); run with --fresh to start again")
        }
        guard h.units.lowerBound == 0, h.units.count % reps == 0, h.units.count / reps <= engine.spec.grid.count else {
            throw VBQError(file: url.path, "is damaged (it holds part of a cohort size); run with --fresh to start again")
        }
        var r = opened.payload()
        do {
            guard try PowerInputs.read(&r) == inputs else { throw VBQError("its sweep differs") }
            let start = r.offset
            let t = try ShardFile.readTruth(&r, model: engine.cell.model)
            let count = try r.count(8, limit: engine.spec.targets.count)
            for _ in 0..<count {
                let k = try r.int()
                guard let (other, _) = engine.compare[k] else { throw VBQError("a truth for a target that compares no cell") }
                _ = try ShardFile.readTruth(&r, model: other.model)
            }
            // The truths this run computed, byte for byte: the values were simulated against them.
            var mine = ByteWriter()
            PowerEngine.writeTruths(engine, &mine)
            guard Data(UnsafeRawBufferPointer(rebasing: r.buffer[start..<r.offset])) == mine.data, ShardFile.bytes(t) == ShardFile.bytes(engine.truth) else {
                throw VBQError("its truths differ from this run's")
            }
            let values = try r.doubles(limit: Int.max)
            guard values.count == h.units.count * width, r.remaining == 0 else { throw VBQError("its values do not fit its sizes") }
            if let k = values.firstIndex(where: { !($0.isNaN || $0.isFinite) }) {
                throw VBQError("cohort \(k / width), target \(k % width + 1): \(values[k]), a value vbqlab never writes")
            }
            return values
        } catch var e as VBQError {
            if e.file == nil { e.message = "is damaged (\(e.message)); run with --fresh to start again"; e.file = url.path }
            throw e
        }
    }
}
