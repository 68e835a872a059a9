import Foundation
import Dispatch
import Synchronization
import VBQCore
import VBQEstimate
import VBQModel

/// Runs every cell × replicate of a design: stream(cell, rep) → Generate → Analyse → row.
///
/// Results are stored by (cell, replicate) index, so the table — and every file written from
/// it — is byte-identical whatever the number of threads or the order in which work finishes.
public enum Simulation {
    /// Called now and then with (cohorts done, cohorts in all), from a worker thread.
    public typealias Progress = @Sendable (Int, Int) -> Void

    /// Runs the cohorts not yet in `resume` (all of them without it), or only those of the rows
    /// `resume` holds (a shard's part of the design). When `control` is cancelled the workers stop
    /// after their current chunk and the table says which rows are done. `truths` needs only the
    /// cells of those rows.
    public static func run(design: Design, truths: [Truth?], replicates: Int, seed: UInt64,
                           threads: Int, progress: Progress? = nil, resume: ReplicateTable? = nil,
                           control: RunControl? = nil, checkpoint: CheckpointLog? = nil) -> ReplicateTable {
        let layout = ReplicateLayout(design: design)
        var table = resume ?? ReplicateTable(layout: layout, cells: design.cells.count, replicates: replicates)
        var completed = table.completed
        let rows = table.rows
        precondition(checkpoint == nil || rows.lowerBound == 0, "a checkpoint logs whole runs")
        let alreadyDone = completed[rows].filter { $0 }.count
        control?.markStarted()
        let total = rows.count
        let rl = table.record
        let stride = rl.stride
        let tree = SeedTree(root: seed)
        let cells = design.cells
        let generators = cells.map { CohortGenerator(model: $0.model) }
        let next = WorkCounter()
        let done = WorkCounter()
        _ = done.add(alreadyDone)
        // Chunks of at most ~2·10⁶ patients, so Ctrl-C is answered within a fraction of a second
        // whatever the cohort size.
        let largest = design.cells.map { $0.model.cohort.size }.max() ?? 1
        let chunk = max(1, min(256, total / max(1, threads * 64), 2_000_000 / max(1, largest)))
        let refIndex = cells.firstIndex(where: \.isReference) ?? -1
        let rocWidth = ReplicateTable.rocGrid.count
        let workers = max(1, threads)
        // Each worker counts its reference-cell ROC curves; the counts are added at the end.
        let rocParts = Mutex<[ROCCounts]>([])

        completed.withUnsafeMutableBufferPointer { completedBuffer in
        let doneRows = SendableFlags(completedBuffer)
        let store = table.store
        do {
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                // A chunk's records are written here, then to the store in one piece.
                let chunkRecords = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, chunk * stride), alignment: 16)
                chunkRecords.initializeMemory(as: UInt8.self, repeating: 0)   // a record's padding stays zero
                defer { chunkRecords.deallocate() }
                let rng = RandomStream()
                var recorder = CohortRecorder()
                var roc = ROCCounts()
                var computedRows: [Int] = []
                computedRows.reserveCapacity(chunk)
                var chunkROC: [Int32] = []
                chunkROC.reserveCapacity(chunk * rocWidth)
                while true {
                    if control?.isCancelled == true { break }
                    let start = rows.lowerBound + next.add(chunk)
                    if start >= rows.upperBound { break }
                    let end = min(start + chunk, rows.upperBound)
                    computedRows.removeAll(keepingCapacity: true)
                    chunkROC.removeAll(keepingCapacity: true)
                    // A chunk's cohorts are mostly of one cell: its parts are fetched when the cell
                    // changes, not copied for every cohort.
                    var cell = -1, streamKey: UInt64 = 0
                    var generator: CohortGenerator? = nil, model: ModelSpec? = nil, truth: Truth? = nil
                    for index in start..<end where !doneRows.flags[index] {
                        computedRows.append(index)
                        let c = index / replicates, r = index % replicates
                        if c != cell {
                            cell = c; streamKey = cells[c].streamKey
                            generator = generators[c]; model = cells[c].model; truth = truths[c]!
                        }
                        rng.reset(to: tree.cohortState(cell: streamKey, replicate: UInt64(r)))
                        let acceptance = generator!.generate(rng, events: &recorder.events, nonEvents: &recorder.nonEvents)
                        recorder.sortClasses()
                        let record = Record(base: chunkRecords.baseAddress! + (index - start) * stride)
                        let analysed = recorder.analyse(into: record, rl, cell: model!, layoutCutoffs: layout.fixedCutoffs,
                                                        truth: truth!, acceptance: acceptance, withROC: c == refIndex)
                        if c == refIndex {
                            if analysed {
                                recorder.rocNumerators.withUnsafeBufferPointer { roc.add(numerators: $0, events: recorder.events.count) }
                                chunkROC += recorder.rocNumerators
                            } else {
                                chunkROC += [Int32](repeating: -1, count: rocWidth)
                            }
                        }
                        doneRows.flags[index] = true
                    }
                    // Each run of consecutive new rows goes to the store (rows kept from a resumed
                    // run are left as they are), and the chunk to the checkpoint.
                    var runStart = 0
                    for k in computedRows.indices where k + 1 == computedRows.count || computedRows[k + 1] != computedRows[k] + 1 {
                        let first = computedRows[runStart], count = k + 1 - runStart
                        store.write(UnsafeRawBufferPointer(rebasing: chunkRecords[((first - start) * stride)..<((first - start + count) * stride)]),
                                    at: (first - rows.lowerBound) * stride)
                        runStart = k + 1
                    }
                    checkpoint?.append(computedRows, records: UnsafeRawBufferPointer(chunkRecords), first: start, roc: chunkROC)
                    // Rows a resumed run copied in from its checkpoint are handed back as they pass.
                    if alreadyDone > 0 { store.release(((start - rows.lowerBound) * stride)..<((end - rows.lowerBound) * stride)) }
                    let computed = computedRows.count
                    let finished = done.add(computed) + computed
                    progress?(finished, total)
                    if let stop = control?.stopAfter, finished - alreadyDone >= stop { control?.cancel() }
                }
                roc.settle()
                rocParts.withLock { $0.append(roc) }
            }
        }
        }
        checkpoint?.sync()
        for part in rocParts.withLock({ $0 }) { table.referenceROC.merge(part) }
        table.referenceROC.settle()
        table.completed = completed
        return table
    }

    /// Sorts both classes in place and analyses them.
    @inline(__always)
    static func analyse(_ events: inout [Double], _ nonEvents: inout [Double], methods: [EstimationMethod],
                        fixedCutoffs: [Double], truth: Truth?) -> CohortAnalysis {
        events.withUnsafeMutableBufferPointer { e in
            nonEvents.withUnsafeMutableBufferPointer { n in
                e.sort()
                n.sort()
                return CohortAnalysis(positives: UnsafeBufferPointer(e), negatives: UnsafeBufferPointer(n),
                                      methods: methods, fixedCutoffs: fixedCutoffs, truth: truth)
            }
        }
    }
}

/// Lets a run be stopped early (Ctrl-C, or after a number of cohorts for tests and demos).
public final class RunControl: Sendable {
    private let cancelled = Atomic<Bool>(false)
    private let simulating = Atomic<Bool>(false)
    /// Stop once this many cohorts have been simulated in this call.
    public let stopAfter: Int?

    public init(stopAfter: Int? = nil) { self.stopAfter = stopAfter }
    public func cancel() { cancelled.store(true, ordering: .relaxed) }
    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
    /// True once cohorts are being simulated (before that, there is nothing to keep).
    public var hasStarted: Bool { simulating.load(ordering: .relaxed) }
    func markStarted() { simulating.store(true, ordering: .relaxed) }
}

struct SendableFlags: @unchecked Sendable {
    let flags: UnsafeMutableBufferPointer<Bool>
    init(_ flags: UnsafeMutableBufferPointer<Bool>) { self.flags = flags }
}

/// A shared atomic counter.
final class WorkCounter: Sendable {
    private let value = Atomic<Int>(0)
    /// Adds `n` and returns the value before the addition.
    func add(_ n: Int) -> Int { value.wrappingAdd(n, ordering: .relaxed).oldValue }
}

/// Lets workers write disjoint rows of one buffer.
struct SendableBuffer: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Double>
    init(_ buffer: UnsafeMutableBufferPointer<Double>) { self.buffer = buffer }
}
