import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// Runs split over machines: `vbqlab run SCENARIO --shard I/N` simulates a contiguous block of
/// rows (cells × replicates, cell-major) chosen so that the N blocks cost about the same, and
/// `vbqlab merge` puts the shards' records back in their places. Every row comes from its own
/// random stream (seed, cell, replicate), so the merged table — and every file written from
/// it — is byte-identical to a single run's.
extension Runner {
    /// Estimated seconds per cohort of each cell, and of each cell's truth, from measured costs
    /// per patient (bench/): drawing, sorting and the AUC ≈ 30 ns, each estimator its own
    /// `secondsPerPatient`, the mechanistic stages ≈ 250 ns; about
    /// 1 µs a cohort whatever its size; a mechanistic truth ≈ 5 µs per quasi-random point.
    static func costs(_ design: Design, truthPoints: Int) -> (perCohort: [Double], truth: [Double]) {
        costs(cells: design.cells, truthPoints: truthPoints)
    }

    static func costs(cells: [Cell], truthPoints: Int) -> (perCohort: [Double], truth: [Double]) {
        var perCohort: [Double] = [], truth: [Double] = []
        for cell in cells {
            let t = isMechanistic(cell.model) ? Double(truthPoints) * integralSecondsPerPoint : 0
            perCohort.append(Double(cell.model.cohort.size) * secondsPerPatient(cell.model, methods: cell.model.methods) + 1e-6)
            truth.append(t)
        }
        return (perCohort, truth)
    }

    static func isMechanistic(_ model: ModelSpec) -> Bool {
        if case .mechanistic = model.generator { return true }
        return false
    }

    /// The mechanistic stages' seconds per simulated patient (covariates, failure modes, scanner,
    /// reader, CSF), beyond drawing and sorting.
    static let mechanisticSecondsPerPatient = 250e-9

    /// A mechanistic truth's seconds per Sobol point (its 16 shifts, the grids and the FFTs
    /// included; bench/: about 40 ms for 8,192 points on one thread).
    static let integralSecondsPerPoint = 5e-6

    /// The Kaplan–Meier time-dependent ROC's seconds per patient and threshold (an upper bound:
    /// both sides of every threshold walk the cohort once).
    static let kaplanMeierSecondsPerPair = 4e-9

    /// Seconds per simulated patient of a cohort of `model` analysed by `methods`: drawing and
    /// sorting, each estimator's `secondsPerPatient`, and the mechanistic stages.
    static func secondsPerPatient(_ model: ModelSpec, methods: [EstimationMethod]) -> Double {
        var perPatient = 30e-9
        for m in methods { perPatient += m.estimator.secondsPerPatient }
        if isMechanistic(model) { perPatient += mechanisticSecondsPerPatient }
        // The Kaplan–Meier time-dependent ROC: two estimates per threshold, each over the cohort.
        if model.followUp?.handling == .km { perPatient += kaplanMeierSecondsPerPair * Double(model.cohort.size) }
        return perPatient
    }

    /// The rows of shard `shard`: the same on every machine.
    public static func shardRows(_ design: Design, replicates: Int, truthPoints: Int, shard: ShardSpec) -> Range<Int> {
        let c = costs(design, truthPoints: truthPoints)
        return Partition.ranges(groupSizes: Array(repeating: replicates, count: design.cells.count),
                                perUnit: c.perCohort, setup: c.truth, count: shard.count)[shard.index - 1]
    }

    /// Simulates shard `shard` of the run and writes its shard file into `folder`. Returns its
    /// header. Stopped early (`control`), it writes nothing: a shard is run again whole.
    public static func runShard(_ request: RunRequest, shard: ShardSpec, folder: RunFolder,
                                progress: Simulation.Progress? = nil, control: RunControl? = nil) throws -> ShardFile.Header {
        let started = Date()
        let clock = ContinuousClock.now
        let design = try Design(request.scenario)
        let reps = try request.checkedReplicates()
        try ReanalysisRun.check(request.scenario, design: design, replicates: reps)
        let rows = shardRows(design, replicates: reps, truthPoints: request.truthPoints, shard: shard)
        let layout = ReplicateLayout(design: design)
        let stride = RecordLayout(layout).stride
        let bytes = Double(rows.count) * Double(2 * stride + 1) + Double(design.cells.count * reps) + 30e6
        guard bytes <= Limits.memoryBudget else {
            throw VBQError(file: request.scenario.file, key: "replicates",
                           "shard \(shard) holds \(rows.count) cohorts, about \(Limits.bytes(bytes)) of memory, more than this machine's limit of \(Limits.bytes(Limits.memoryBudget)); use more shards")
        }
        let fingerprint = Checkpoint.fingerprint(request.scenario, seed: request.effectiveSeed, replicates: reps,
                                                 truthPoints: request.truthPoints, layout: layout)
        let needed = rows.isEmpty ? Set<Int>() : Set((rows.lowerBound / reps)...((rows.upperBound - 1) / reps))
        let truths = try Runner.truths(design, request: request, only: needed)
        request.onTruth?(design.cells.count, design.cells.count)
        let start = ReplicateTable(layout: layout, cells: design.cells.count, replicates: reps, directory: folder.url, rows: rows)
        let table = Simulation.run(design: design, truths: truths, replicates: reps, seed: request.effectiveSeed,
                                   threads: max(1, request.threads), progress: progress, resume: start, control: control)
        guard !table.completed[rows].contains(false) else {
            throw ShardStopped(done: table.completed[rows].filter { $0 }.count, total: rows.count)
        }
        var w = ByteWriter()
        w.int(request.truthPoints)
        let kept = needed.sorted()
        w.int(kept.count)
        for c in kept {
            w.int(c)
            ShardFile.write(truths[c]!, &w)
        }
        w.raw(UnsafeRawBufferPointer(start: table.store.base, count: rows.count * stride))
        let roc = table.referenceROC.sortedEntries
        w.int(roc.count)
        for (key, count) in roc { w.u64(key); w.int(count) }
        let elapsed = ContinuousClock.now - clock
        let header = ShardFile.Header(kind: .run, scenarioName: request.scenario.name, scenarioFile: request.scenario.file,
                                      scenarioSource: request.scenario.source, fingerprint: fingerprint,
                                      seed: request.effectiveSeed, replicates: reps, shard: shard, units: rows,
                                      host: ShardFile.hostName, threads: request.threads, started: started.timeIntervalSince1970,
                                      computeSeconds: elapsed.seconds)
        try ShardFile.write(header, payload: w, to: folder.url.appendingPathComponent(shard.fileName))
        return header
    }
}

/// A shard stopped before all its cohorts were simulated: nothing was written.
public struct ShardStopped: Error, Sendable {
    public let done: Int
    public let total: Int
}

/// `vbqlab merge`: shard files back into one run (or power sweep).
public enum ShardMerge {
    /// The shard files of `inputs` (files, or folders holding them), opened and checked: one
    /// run's, each once, all of them unless `partial`.
    public struct Shards: @unchecked Sendable {
        let opened: [ShardFile.Opened]
        public let missing: [Int]
        public var header: ShardFile.Header { opened[0].header }
        /// The folder holding every shard, when they are all in one.
        public var commonFolder: String? {
            let folders = Set(opened.map { $0.url.deletingLastPathComponent().path })
            return folders.count == 1 ? folders.first : nil
        }
    }

    public static func open(_ inputs: [String], partial: Bool) throws -> Shards {
        let urls = try ShardFile.collect(inputs)
        let opened = try urls.map { try ShardFile.open($0) }
        let missing = try ShardFile.check(opened, partial: partial)
        // The name in a header becomes a folder (the merge's default output): it must be the
        // name of the scenario the shard carries, which the loader has checked like any other.
        var names: [String: String] = [:]     // scenario text → its name, loaded once
        for o in opened {
            let name = o.header.scenarioName
            // The scenario file's name is written into the results (a comment, provenance):
            // a line break in it could add lines to them.
            guard o.header.scenarioFile.count <= 4096, !ControlCharacter.contains(o.header.scenarioFile) else {
                throw VBQError(file: o.url.path, "names its scenario file '\(Format.plain(String(o.header.scenarioFile.prefix(200))))', with a control character or over 4096 characters: it was not made by vbqlab")
            }
            if let problem = ScenarioLoader.nameProblem(name) {
                throw VBQError(file: o.url.path, "names its scenario '\(Format.plain(name))', which \(problem): it was not made by vbqlab")
            }
            let carried = try names[o.header.scenarioSource] ?? scenario(o.header, file: o.url.path).name
            names[o.header.scenarioSource] = carried
            guard carried == name else {
                throw VBQError(file: o.url.path, "names scenario '\(name)' in its header, but the scenario it carries is named '\(carried)': it was not made by vbqlab")
            }
        }
        return Shards(opened: opened.sorted { $0.header.shard.index < $1.header.shard.index }, missing: missing)
    }

    /// Seconds a merge spends per cohort of the run, reading, summarising and drawing: measured
    /// 6.9 s on two threads for the 2·10⁶ cohorts of wu2025-baseline (5 cells × 4·10⁵, three
    /// estimators), 3.4 µs a cohort.
    public static let secondsPerCohort = 3.5e-6

    /// What merging `shards` will cost: the summaries of every cohort, and for a partial merge
    /// the truths of cells no shard reached (a power merge: its grid was paid for by the shards).
    public static func estimatedSeconds(_ shards: Shards, threads: Int) throws -> Double {
        let head = shards.header
        guard head.kind == .run else { return 0 }
        let scenario = try scenario(head, file: shards.opened[0].url.path)
        let design = try Design(scenario)
        var seconds = Double(design.cells.count) * Double(head.replicates) * secondsPerCohort
        if !shards.missing.isEmpty {
            var probe = shards.opened[0].payload()
            let truthPoints = try probe.int()
            let c = Runner.costs(design, truthPoints: truthPoints)
            var reached = Set<Int>()
            for o in shards.opened where !o.header.units.isEmpty {
                reached.formUnion((o.header.units.lowerBound / head.replicates)...((o.header.units.upperBound - 1) / head.replicates))
            }
            seconds += design.cells.indices.filter { !reached.contains($0) }.reduce(0.0) { $0 + c.truth[$1] } / Double(max(1, min(threads, ProcessInfo.processInfo.activeProcessorCount)))
        }
        return seconds
    }

    /// The scenario the shards carry, as loaded by the command that ran them.
    static func scenario(_ header: ShardFile.Header, file: String) throws -> Scenario {
        do {
            return try ScenarioLoader.load(text: header.scenarioSource, file: header.scenarioFile)
        } catch {
            throw VBQError(file: file, "carries a scenario that does not load (\(error)); it was not made by this version of vbqlab")
        }
    }

    /// The run the shards make up. Its records go into a file in `directory`.
    public static func run(_ shards: Shards, threads: Int, directory: URL) throws -> RunResult {
        let started = Date()
        let clock = ContinuousClock.now
        let head = shards.header
        guard head.kind == .run else { throw VBQError(file: shards.opened[0].url.path, "is a shard of a power sweep; merge it with the other power shards") }
        let first = shards.opened[0].url.path
        let scenario = try scenario(head, file: first)
        // The truth size comes from the payload; the fingerprint then proves the rest.
        var probe = shards.opened[0].payload()
        let truthPoints = try probe.int()
        var request = RunRequest(scenario: scenario, replicates: head.replicates, seed: head.seed, threads: threads,
                                 quick: truthPoints == Runner.quickTruthPoints)
        request.replicates = head.replicates
        let design = try Design(scenario)
        let reps = head.replicates
        let layout = ReplicateLayout(design: design)
        let rl = RecordLayout(layout)
        let fingerprint = Checkpoint.fingerprint(scenario, seed: head.seed, replicates: reps, truthPoints: truthPoints, layout: layout)
        guard fingerprint == head.fingerprint, truthPoints == request.truthPoints else {
            throw VBQError(file: first, "was made by another version of vbqlab (its results' fingerprint differs); run the shards again with this one")
        }
        let cost = Runner.estimate(design, replicates: reps, threads: threads, truthPoints: truthPoints)
        guard cost.bytes <= Limits.memoryBudget else {
            throw VBQError(file: first, "the merged run (\(design.cells.count) cells × \(reps) cohorts) would need about \(Limits.bytes(cost.bytes)) of memory, more than this machine's limit of \(Limits.bytes(Limits.memoryBudget))")
        }
        var table = ReplicateTable(layout: layout, cells: design.cells.count, replicates: reps, directory: directory)
        var truths = [Truth?](repeating: nil, count: design.cells.count)
        var truthBytes = [Data?](repeating: nil, count: design.cells.count)
        var roc = ROCCounts()
        var completed = table.completed
        let bounds = design.cells.map { Checkpoint.Bounds($0.model) }
        for o in shards.opened {
            let path = o.url.path
            let h = o.header
            let expected = Runner.shardRows(design, replicates: reps, truthPoints: truthPoints, shard: h.shard)
            guard h.units == expected else {
                throw VBQError(file: path, "holds rows \(h.units.lowerBound)–\(h.units.upperBound) where shard \(h.shard) holds \(expected.lowerBound)–\(expected.upperBound): it was not made by this version of vbqlab")
            }
            var r = o.payload()
            do {
                _ = try r.int()
                let count = try r.count(8, limit: design.cells.count)
                for _ in 0..<count {
                    let c = try r.int()
                    guard c >= 0, c < design.cells.count else { throw VBQError(file: path, "is damaged (a truth of cell \(c), which the design does not have)") }
                    let t = try ShardFile.readTruth(&r, model: design.cells[c].model)
                    let b = ShardFile.bytes(t)
                    if let seen = truthBytes[c], seen != b {
                        throw VBQError(file: path, "holds another truth of cell \(design.cells[c].id) than an earlier shard; were they made by different versions of vbqlab?")
                    }
                    truths[c] = t; truthBytes[c] = b
                }
                let records = try r.raw(limit: Int.max)
                guard records.count == h.units.count * rl.stride else {
                    throw VBQError(file: path, "is damaged (\(records.count) bytes of records for \(h.units.count) cohorts)")
                }
                for (k, index) in h.units.enumerated() {
                    let dest = table.recordBase(index)
                    dest.copyMemory(from: records.baseAddress! + k * rl.stride, byteCount: rl.stride)
                    guard let truth = truths[index / reps] else { throw VBQError(file: path, "is damaged (no truth for cell \(index / reps + 1))") }
                    var b = bounds[index / reps]
                    b.scores = truth.plausibleScores(sds: Checkpoint.cutoffSDs)
                    if let problem = Checkpoint.problem(Record(base: dest), rl, b) {
                        throw VBQError(file: path, key: "cohort \(index)", "holds values vbqlab never writes (\(problem)); it was not made by vbqlab")
                    }
                    completed[index] = true
                }
                if !h.units.isEmpty { table.release(rows: h.units) }
                let entries = try r.count(16, limit: Int.max)
                var list: [(UInt64, Int)] = []
                list.reserveCapacity(entries)
                for _ in 0..<entries { list.append((try r.u64(), try r.int())) }
                roc.merge(try ROCCounts(entries: list))
                guard r.remaining == 0 else { throw VBQError(file: path, "is damaged (bytes after its data)") }
            } catch var e as VBQError {
                if e.file == nil { e.file = path; e.message = "is damaged (\(e.message))" }
                throw e
            }
        }
        roc.settle()
        table.referenceROC = roc
        table.completed = completed
        // A partial merge: the truths of cells no shard reached are computed here.
        let absent = Set(truths.indices.filter { truths[$0] == nil })
        if !absent.isEmpty {
            let more = try Runner.truths(design, request: request, only: absent)
            for c in absent { truths[c] = more[c] }
        }
        let elapsed = ContinuousClock.now - clock
        var result = Runner.finish(request: request, design: design, truths: truths.map { $0! }, table: table, started: started,
                                   computeSeconds: elapsed.seconds,
                                   fingerprint: fingerprint, status: shards.missing.isEmpty ? .complete : .incomplete)
        result.shards = shards.opened.map(\.header)
        result.missingShards = shards.missing
        return result
    }
}
