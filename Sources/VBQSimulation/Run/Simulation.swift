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
        let layoutCutoffs = layout.fixedCutoffs
        let tree = SeedTree(root: seed)
        let cells = design.cells
        let generators = cells.map { CohortGenerator(model: $0.model) }
        // Chunks of at most ~2·10⁶ patients, so Ctrl-C is answered within a fraction of a second
        // whatever the cohort size.
        let largest = design.cells.map { $0.model.cohort.size }.max() ?? 1
        let chunk = max(1, min(256, rows.count / max(1, threads * 64), 2_000_000 / max(1, largest)))
        let refIndex = cells.firstIndex(where: \.isReference) ?? -1
        let sink = RecordSink(store: table.store, record: table.record, rows: rows, checkpoint: checkpoint,
                              alreadyDone: alreadyDone, progress: progress, control: control)
        // Each worker counts its reference-cell ROC curves; the counts are added at the end.
        let rocParts = Mutex<[ROCCounts]>([])

        completed.withUnsafeMutableBufferPointer { completedBuffer in
            let doneRows = SendableBuffer(completedBuffer)
            Parallel.forEach(rows.count, chunk: chunk, threads: threads, control: control,
                             worker: { CohortWorker(chunk: chunk, stride: sink.record.stride) }) { w, items in
                let start = rows.lowerBound + items.lowerBound, end = rows.lowerBound + items.upperBound
                w.begin()
                // A chunk's cohorts are mostly of one cell: its parts are fetched when the cell
                // changes, not copied for every cohort.
                var cell = -1, streamKey: UInt64 = 0
                var generator: CohortGenerator? = nil, model: ModelSpec? = nil, truth: Truth? = nil
                for index in start..<end where !doneRows.buffer[index] {
                    let c = index / replicates, r = index % replicates
                    if c != cell {
                        cell = c; streamKey = cells[c].streamKey
                        generator = generators[c]; model = cells[c].model; truth = truths[c]!
                    }
                    w.rng.reset(to: tree.cohortState(cell: streamKey, replicate: UInt64(r)))
                    if model!.timeDependent {
                        let acceptance = generator!.generateSurvival(w.rng, scores: &w.recorder.scores, times: &w.recorder.times,
                                                                     events: &w.recorder.observed)
                        w.recorder.analyseTimeDependent(into: w.record(index - start), sink.record, cell: model!, truth: truth!,
                                                        acceptance: acceptance)
                        // The reference band is of two-class curves; a time-dependent cohort adds none.
                        w.computed(index, referenceCell: c == refIndex, analysed: false)
                        doneRows.buffer[index] = true
                        continue
                    }
                    let acceptance = generator!.generate(w.rng, events: &w.recorder.events, nonEvents: &w.recorder.nonEvents)
                    w.recorder.sortClasses()
                    let analysed = w.recorder.analyse(into: w.record(index - start), sink.record, cell: model!,
                                                      layoutCutoffs: layoutCutoffs, truth: truth!, acceptance: acceptance,
                                                      withROC: c == refIndex)
                    w.computed(index, referenceCell: c == refIndex, analysed: analysed)
                    doneRows.buffer[index] = true
                }
                sink.commit(w, rows: start..<end)
            } finish: { w in
                w.roc.settle()
                w.release()
                let roc = w.roc
                rocParts.withLock { $0.append(roc) }
            }
        }
        checkpoint?.sync()
        for part in rocParts.withLock({ $0 }) { table.referenceROC.merge(part) }
        table.referenceROC.settle()
        table.completed = completed
        return table
    }
}

/// One worker's state in a run: its random stream, its cohort buffers, the records of its
/// current chunk, and its share of the reference cell's ROC curves.
struct CohortWorker {
    let rng = RandomStream()
    var recorder = CohortRecorder()
    var roc = ROCCounts()
    /// The chunk's records, written here and then to the store in one piece.
    let records: UnsafeMutableRawBufferPointer
    let stride: Int
    /// The rows of the chunk this worker computed (rows a resumed run kept are skipped).
    private(set) var rows: [Int] = []
    /// The reference cell's ROC numerators of the chunk, one curve per computed reference row.
    private(set) var chunkROC: [Int32] = []

    init(chunk: Int, stride: Int) {
        self.stride = stride
        records = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, chunk * stride), alignment: 16)
        records.initializeMemory(as: UInt8.self, repeating: 0)   // a record's padding stays zero
        rows.reserveCapacity(chunk)
        chunkROC.reserveCapacity(chunk * ReplicateTable.rocGrid.count)
    }

    mutating func begin() {
        rows.removeAll(keepingCapacity: true)
        chunkROC.removeAll(keepingCapacity: true)
    }

    func release() { records.deallocate() }

    func record(_ k: Int) -> Record { Record(base: records.baseAddress! + k * stride) }

    mutating func computed(_ row: Int, referenceCell: Bool, analysed: Bool) {
        rows.append(row)
        guard referenceCell else { return }
        if analysed {
            recorder.rocNumerators.withUnsafeBufferPointer { roc.add(numerators: $0, events: recorder.events.count) }
            chunkROC += recorder.rocNumerators
        } else {
            chunkROC += [Int32](repeating: -1, count: ReplicateTable.rocGrid.count)
        }
    }
}

/// Where a run's workers hand their finished chunks: the record store, the checkpoint, the
/// progress report and the stop-after count. Workers compute; this writes.
struct RecordSink: @unchecked Sendable {
    let store: RecordStore
    let record: RecordLayout
    let rows: Range<Int>
    let checkpoint: CheckpointLog?
    let alreadyDone: Int
    let progress: Simulation.Progress?
    let control: RunControl?
    private let done = WorkCounter()

    init(store: RecordStore, record: RecordLayout, rows: Range<Int>, checkpoint: CheckpointLog?, alreadyDone: Int,
         progress: Simulation.Progress?, control: RunControl?) {
        self.store = store; self.record = record; self.rows = rows; self.checkpoint = checkpoint
        self.alreadyDone = alreadyDone; self.progress = progress; self.control = control
        _ = done.add(alreadyDone)
    }

    /// Writes the chunk `span` (absolute row numbers) that `w` just computed.
    func commit(_ w: CohortWorker, rows span: Range<Int>) {
        let stride = record.stride, computedRows = w.rows, start = span.lowerBound
        // Each run of consecutive new rows goes to the store (rows kept from a resumed run are
        // left as they are), and the chunk to the checkpoint.
        var runStart = 0
        for k in computedRows.indices where k + 1 == computedRows.count || computedRows[k + 1] != computedRows[k] + 1 {
            let first = computedRows[runStart], count = k + 1 - runStart
            store.write(UnsafeRawBufferPointer(rebasing: w.records[((first - start) * stride)..<((first - start + count) * stride)]),
                        at: (first - rows.lowerBound) * stride)
            runStart = k + 1
        }
        checkpoint?.append(computedRows, records: UnsafeRawBufferPointer(w.records), first: start, roc: w.chunkROC)
        // Rows a resumed run copied in from its checkpoint are handed back as they pass.
        if alreadyDone > 0 { store.release(((start - rows.lowerBound) * stride)..<((span.upperBound - rows.lowerBound) * stride)) }
        let computed = computedRows.count
        let finished = done.add(computed) + computed
        progress?(finished, rows.count)
        if let stop = control?.stopAfter, finished - alreadyDone >= stop { control?.cancel() }
    }
}
