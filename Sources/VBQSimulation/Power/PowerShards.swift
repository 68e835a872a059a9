import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// What `vbqlab power` was given on its command line beside the scenario: a power shard
/// carries it, so that `vbqlab merge` rebuilds the identical sweep.
public struct PowerInputs: Sendable, Equatable {
    public var n: [Int]?
    public var nRange: String?
    public var events: [Int]?
    public var targets: [String]
    public var power: Double?
    public var alpha: Double?
    public var replicates: Int?

    public init(n: [Int]? = nil, nRange: String? = nil, events: [Int]? = nil, targets: [String] = [], power: Double? = nil,
                alpha: Double? = nil, replicates: Int? = nil) {
        self.n = n; self.nRange = nRange; self.events = events; self.targets = targets
        self.power = power; self.alpha = alpha; self.replicates = replicates
    }

    public func spec(_ scenario: Scenario) throws -> PowerSpec {
        try PowerSpec.load(scenario: scenario, n: n, nRange: nRange, events: events, targets: targets,
                           power: power, alpha: alpha, replicates: replicates)
    }

    func write(_ w: inout ByteWriter) {
        func ints(_ x: [Int]?) { w.int(x.map(\.count) ?? -1); for v in x ?? [] { w.int(v) } }
        ints(n)
        w.int(nRange == nil ? -1 : 1); if let nRange { w.string(nRange) }
        ints(events)
        w.int(targets.count); for t in targets { w.string(t) }
        w.f64(power ?? .nan); w.f64(alpha ?? .nan); w.int(replicates ?? -1)
    }

    static func read(_ r: inout ByteReader) throws -> PowerInputs {
        func ints() throws -> [Int]? {
            let count = try r.int()
            guard count >= -1, count <= Limits.powerGridPoints else { throw VBQError("impossible power grid") }
            return count < 0 ? nil : try (0..<count).map { _ in try r.int() }
        }
        var p = PowerInputs()
        p.n = try ints()
        p.nRange = try r.int() < 0 ? nil : try r.string()
        p.events = try ints()
        let k = try r.count(8, limit: 1000)
        p.targets = try (0..<k).map { _ in try r.string() }
        let power = try r.f64(), alpha = try r.f64(), reps = try r.int()
        p.power = power.isNaN ? nil : power
        p.alpha = alpha.isNaN ? nil : alpha
        p.replicates = reps < 0 ? nil : reps
        return p
    }

    /// Everything that determines a sweep's results.
    func fingerprint(_ scenario: Scenario, seed: UInt64) -> String {
        var w = ByteWriter()
        write(&w)
        var text = Data((scenario.resolvedNode.emitted() + "\nseed \(seed)\npower\n" + Release.version + "\n").utf8)
        text.append(w.data)
        return String(Checkpoint.fnv1a(text), radix: 16)
    }
}

/// Power sweeps split over machines: the units are (grid point, replicate), grid-major; each
/// shard simulates a contiguous block of about equal cost and keeps every target's value per
/// cohort. `merge` summarises each grid point from all its cohorts, then narrows each answer
/// with the few extra sizes a single sweep runs, so the results are byte-identical.
extension PowerEngine {
    /// The units of shard `shard`.
    static func shardUnits(_ engine: Engine, shard: ShardSpec) -> Range<Int> {
        let sizes = engine.spec.grid.map { engine.size(for: $0) }
        return Partition.ranges(groupSizes: Array(repeating: engine.spec.replicates, count: sizes.count),
                                perUnit: sizes.map { Double($0) * 150e-9 + 1e-6 }, setup: sizes.map { _ in 0 },
                                count: shard.count)[shard.index - 1]
    }

    /// A power shard's payload (and a power checkpoint's): the sweep's inputs, its truths, and
    /// every target's value in each of its cohorts.
    static func payload(_ inputs: PowerInputs, _ engine: Engine, values: [Double]) -> ByteWriter {
        var w = ByteWriter()
        inputs.write(&w)
        writeTruths(engine, &w)
        w.doubles(values)
        return w
    }

    /// The swept cell's truth, then each compared cell's by its target's index.
    static func writeTruths(_ engine: Engine, _ w: inout ByteWriter) {
        ShardFile.write(engine.truth, &w)
        let compared = engine.compare.keys.sorted()
        w.int(compared.count)
        for k in compared { w.int(k); ShardFile.write(engine.compare[k]!.1, &w) }
    }

    /// Simulates shard `shard` of the sweep and writes its shard file into `folder`.
    public static func runShard(scenario: Scenario, inputs: PowerInputs, seed: UInt64? = nil, threads: Int, shard: ShardSpec,
                                folder: RunFolder, progress: (@Sendable (String) -> Void)? = nil,
                                control: RunControl? = nil) throws -> ShardFile.Header {
        let started = Date()
        let clock = ContinuousClock.now
        let seed = seed ?? scenario.seed
        let spec = try inputs.spec(scenario)
        let (engine, _, _) = try makeEngine(scenario: scenario, spec: spec, seed: seed, threads: threads, progress: progress)
        engine.control = control
        control?.markStarted()
        let units = shardUnits(engine, shard: shard)
        let reps = spec.replicates
        var values: [Double] = []
        values.reserveCapacity(units.count * spec.targets.count)
        for (g, grid) in spec.grid.enumerated() {
            let lo = max(units.lowerBound, g * reps), hi = min(units.upperBound, (g + 1) * reps)
            guard lo < hi else { continue }
            let block = lo..<hi
            let n = engine.size(for: grid)
            progress?("n = \(n) (size \(g + 1) of \(spec.grid.count)), cohorts \(block.lowerBound - g * reps + 1)–\(block.upperBound - g * reps)")
            values += engine.values(size: n, replicates: (block.lowerBound - g * reps)..<(block.upperBound - g * reps))
            if control?.isCancelled == true { throw ShardStopped(done: values.count / max(1, spec.targets.count), total: units.count) }
        }
        let w = payload(inputs, engine, values: values)
        let elapsed = ContinuousClock.now - clock
        let header = ShardFile.Header(kind: .power, scenarioName: scenario.name, scenarioFile: scenario.file,
                                      scenarioSource: scenario.source, fingerprint: inputs.fingerprint(scenario, seed: seed),
                                      seed: seed, replicates: reps, shard: shard, units: units, host: ShardFile.hostName,
                                      threads: threads, started: started.timeIntervalSince1970,
                                      computeSeconds: elapsed.seconds)
        try ShardFile.write(header, payload: w, to: folder.url.appendingPathComponent(shard.fileName))
        return header
    }
}

/// `vbqlab merge` of power shards.
public enum PowerMerge {
    public static func run(_ shards: ShardMerge.Shards, threads: Int, progress: (@Sendable (String) -> Void)? = nil) throws -> PowerResult {
        let started = Date()
        let head = shards.header
        let first = shards.opened[0].url.path
        guard head.kind == .power else { throw VBQError(file: first, "is a shard of a run, not of a power sweep") }
        let scenario = try ShardMerge.scenario(head, file: first)
        var probe = shards.opened[0].payload()
        let inputs: PowerInputs
        do { inputs = try PowerInputs.read(&probe) } catch { throw VBQError(file: first, "is damaged (\(error))") }
        guard inputs.fingerprint(scenario, seed: head.seed) == head.fingerprint else {
            throw VBQError(file: first, "was made by another version of vbqlab (its results' fingerprint differs); run the shards again with this one")
        }
        let spec = try inputs.spec(scenario)
        // Every shard carries the truths; the first one's are used, the others must agree.
        var base: Truth? = nil
        var compare: [Int: Truth] = [:]
        var truthBytes: Data? = nil
        let width = spec.targets.count, reps = spec.replicates
        var values = [Double](repeating: .nan, count: spec.grid.count * reps * width)
        var present = [Bool](repeating: false, count: spec.grid.count * reps)
        // The cell models the truths belong to (for a class-conditional population).
        let design = try Design(scenario)
        guard let cell = design.cells.first(where: { scenario.cellLevels[$0.index] == spec.cellLevels }) else {
            throw VBQError(file: scenario.file, key: "power.cell", "the swept cell is not in the design")
        }
        for o in shards.opened {
            let path = o.url.path
            var r = o.payload()
            do {
                guard try PowerInputs.read(&r) == inputs else { throw VBQError(file: path, "is damaged (its sweep differs from the first shard's)") }
                let start = r.offset
                let t = try ShardFile.readTruth(&r, model: cell.model)
                var more: [Int: Truth] = [:]
                let count = try r.count(8, limit: spec.targets.count)
                for _ in 0..<count {
                    let k = try r.int()
                    guard k >= 0, k < spec.targets.count, case let .drift(_, levels, _, _) = spec.targets[k],
                          let other = design.cells.first(where: { scenario.cellLevels[$0.index] == levels }) else {
                        throw VBQError(file: path, "is damaged (a truth for a target that compares no cell)")
                    }
                    more[k] = try ShardFile.readTruth(&r, model: other.model)
                }
                let bytes = Data(UnsafeRawBufferPointer(rebasing: r.buffer[start..<r.offset]))
                if let truthBytes, truthBytes != bytes {
                    throw VBQError(file: path, "holds other truths than an earlier shard; were they made by different versions of vbqlab?")
                }
                if base == nil { base = t; compare = more; truthBytes = bytes }
                let v = try r.doubles(limit: Int.max)
                let units = o.header.units
                guard units.upperBound <= present.count, v.count == units.count * width, r.remaining == 0 else {
                    throw VBQError(file: path, "is damaged (its values do not fit its units)")
                }
                for (k, u) in units.enumerated() {
                    present[u] = true
                    for j in 0..<width {
                        let x = v[k * width + j]
                        guard x.isNaN || x.isFinite else { throw VBQError(file: path, "holds values vbqlab never writes") }
                        values[u * width + j] = x
                    }
                }
            } catch var e as VBQError {
                if e.file == nil { e.file = path; e.message = "is damaged (\(e.message))" }
                throw e
            }
        }
        let (engine, _, _) = try PowerEngine.makeEngine(scenario: scenario, spec: spec, seed: head.seed, threads: threads,
                                                        progress: progress, truths: (base!, compare))
        for o in shards.opened {
            let expected = PowerEngine.shardUnits(engine, shard: o.header.shard)
            guard o.header.units == expected else {
                throw VBQError(file: o.url.path, "holds units \(o.header.units.lowerBound)–\(o.header.units.upperBound) where shard \(o.header.shard) holds \(expected.lowerBound)–\(expected.upperBound): it was not made by this version of vbqlab")
            }
        }
        // The grid points whose cohorts are all there, up to the first that is not (a partial
        // merge reports those, as a sweep stopped early does).
        var points: [PowerPoint] = []
        for (g, grid) in spec.grid.enumerated() {
            guard !present[(g * reps)..<((g + 1) * reps)].contains(false) else { break }
            let p = engine.summarise(size: engine.size(for: grid), values: Array(values[(g * reps * width)..<((g + 1) * reps * width)]))
            engine.remember(p)
            points.append(p)
        }
        guard !points.isEmpty else {
            throw VBQError(key: "merge", "the shards present do not hold every cohort of the smallest size (n = \(engine.size(for: spec.grid[0]))); nothing to report")
        }
        let (answers, plans) = engine.conclude(points: points, refine: points.count == spec.grid.count, progress: progress)
        return PowerResult(scenario: scenario, spec: spec, seed: head.seed, cellLabel: cell.label, truth: base!,
                           points: points, answers: answers, plans: plans, compared: engine.compare.mapValues { (cell: $0.0, truth: $0.1) },
                           wallSeconds: Date().timeIntervalSince(started),
                           started: started, threads: threads, complete: points.count == spec.grid.count)
    }
}
