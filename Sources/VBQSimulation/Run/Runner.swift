import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// What `vbqlab run` does, as a library call: load → expand → truth → simulate → summarise.
public struct RunRequest: Sendable {
    public var scenario: Scenario
    /// Overrides of the scenario's own values.
    public var replicates: Int?
    public var seed: UInt64?
    public var threads: Int
    /// Few replicates (min(scenario's, 200)), for demonstrations and tests.
    public var quick: Bool
    /// The run folder: its checkpoint log records the cohorts as they are simulated (nil: no
    /// checkpoint, as in library use).
    public var folder: RunFolder?
    /// Finish the interrupted run whose checkpoint is in `folder`.
    public var resume = false
    /// Discard an interrupted run's checkpoint in `folder` instead of refusing to start.
    public var fresh = false
    /// Told the run's estimated cost once the design is known, before anything is simulated.
    public var onEstimate: (@Sendable (Runner.Estimate) -> Void)?
    /// Told (cell index, cells) before each cell's truth is computed, and (cells, cells) after
    /// the last.
    public var onTruth: (@Sendable (Int, Int) -> Void)?

    public init(scenario: Scenario, replicates: Int? = nil, seed: UInt64? = nil, threads: Int = Runner.defaultThreads, quick: Bool = false) {
        self.scenario = scenario
        self.replicates = replicates
        self.seed = seed
        self.threads = threads
        self.quick = quick
    }

    public var effectiveReplicates: Int {
        replicates ?? (quick ? min(scenario.replicates, Runner.quickReplicates) : scenario.replicates)
    }
    public var effectiveSeed: UInt64 { seed ?? scenario.seed }
    /// `effectiveReplicates`, refused above the limit.
    func checkedReplicates() throws -> Int {
        let reps = effectiveReplicates
        guard reps <= Limits.replicates else {
            throw VBQError(key: "--replicates", "\(reps) cohorts per cell is more than the limit of \(Limits.replicates)")
        }
        return reps
    }
    /// Sobol points per shift of a mechanistic truth: 8,192, or 2,048 with --quick (its error is stated either way).
    public var truthPoints: Int { quick ? Runner.quickTruthPoints : TruthSolver.integralPoints }
}

/// The result of a run, ready for the writers.
public struct RunResult: Sendable {
    public let scenario: Scenario
    public let design: Design
    public let truths: [Truth]
    /// Per cell with follow-up, its follow-up profile (nil for the others; empty without follow-up).
    public var followUp: [FollowUpProfile?] = []
    public let table: ReplicateTable
    public let summaries: [CellSummary]
    public let histograms: [CutoffHistogram]
    /// The reference cell's true ROC and pointwise band of cohort ROCs.
    public let referenceROC: ROCBand?
    /// Factors ranked by how far they move c* (single-factor contrasts against the reference).
    public let factorDrift: [FactorDrift]
    /// Per cell, the first cell with the same numbers (`SameNumbers`).
    public let sameNumbers: [Int]
    /// Every two-factor interaction on c*, largest first, and how many were left out on a grid of
    /// rounded scores (`Interaction.all`).
    public let interactions: [Interaction]
    public let interactionsSkipped: Int
    public let replicates: Int
    public let seed: UInt64
    public let threads: Int
    public let status: RunStatus
    public let started: Date
    public let wallSeconds: Double
    /// Identifies what determines the rows (for checkpoints).
    package let fingerprint: String
    /// Why the checkpoint could not be written, if it could not (a full disk).
    package var checkpointFailure: String? = nil
    /// A merge of shards: each shard's header (for provenance), in shard order.
    public internal(set) var shards: [ShardFile.Header] = []
    /// A partial merge (`--partial`): the shards that were not there.
    public internal(set) var missingShards: [Int] = []
    /// The seed paper's analysis repeated on each cell's cohorts (a `reanalysis:` section).
    public internal(set) var reanalysis: ReanalysisResult? = nil
}

public enum Runner {
    /// Every cell's truth. It depends only on the cell's model and the seed: every cell's truth
    /// uses the same streams, so identical models have identical truths and differences between
    /// cells are not blurred by numerical noise; a mechanistic model met again is not integrated
    /// twice. With `only`, the truths of those cells alone (a shard's).
    static func truths(_ design: Design, request: RunRequest, only: Set<Int>? = nil) throws -> [Truth?] {
        let tree = SeedTree(root: request.effectiveSeed)
        var truths = [Truth?](repeating: nil, count: design.cells.count)
        var integrated: [(MechanisticModel, Truth)] = []
        for cell in design.cells where only?.contains(cell.index) != false {
            request.onTruth?(cell.index, design.cells.count)
            // Cells of one mechanism share its truth when they also estimate the same criteria.
            let criteria = TruthSolver.criteria(of: cell.model).map { $0.criterionID }
            if case let .mechanistic(m) = cell.model.generator,
               let known = integrated.first(where: { $0.0 == m && $0.1.targets.keys.sorted() == criteria.sorted() && $0.1.criteria == cell.model.criteria }) {
                truths[cell.index] = known.1
                continue
            }
            do {
                let t = try TruthSolver.truth(for: cell.model, tree: tree, cellKey: 0, threads: max(1, request.threads),
                                              points: request.truthPoints)
                truths[cell.index] = t
                if case let .mechanistic(m) = cell.model.generator { integrated.append((m, t)) }
            } catch { throw Runner.attributed(error, cell: cell, scenario: request.scenario) }
        }
        return truths
    }

    public static let quickReplicates = 200
    /// Patients per class of a mechanistic truth with --quick (and in `validate`).
    public static let quickTruthPoints = 2048
    public static var defaultThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// What a run will cost before it starts: memory for its rows, and a rough time.
    public struct Estimate: Sendable {
        public let cohorts: Int
        public let bytes: Double
        public let seconds: Double
    }

    /// Memory of the compact records kept until the summaries (`ReplicateTable.bytesPerCohort`
    /// per cohort, 40–130 bytes) and the working copies of the columns, and time from
    /// measured costs per patient (bench/): drawing, sorting and the empirical cutoff with the
    /// AUC ≈ 30 ns, the binormal cutoff ≈ 5 ns, the kernel cutoff ≈ 55 ns, the mechanistic
    /// stages ≈ 250 ns, plus each mechanistic truth (`integralSecondsPerPoint`).
    public static func estimate(_ design: Design, replicates: Int, threads: Int, truthPoints: Int) -> Estimate {
        let layout = ReplicateLayout(design: design)
        let cohorts = Double(design.cells.count) * Double(replicates)
        // The table, plus about half as much again for the columns the summaries copy and sort
        // (measured: RSS 2.42 GB at 2·10⁶ cohorts of a 55-column cell).
        // Records and completion flags (an upper bound: they normally live in a mapped file and
        // are released as they are used, but stay in memory when no file can be made), the
        // cutoff columns the density curves copy for every cell (twice), one cell's column at a
        // time in the summaries (5 copies), the process. Measured with the file: 70 MB at 10⁶
        // cohorts of one cell, 53 MB for 20 cells × 10⁵ (bench/).
        let bytes = cohorts * Double(RecordLayout(layout).stride + 1 + 16) + 40 * Double(replicates) + 30e6
        let c = costs(design, truthPoints: truthPoints)
        let patientSeconds = design.cells.indices.reduce(0.0) { $0 + Double(replicates) * c.perCohort[$1] + c.truth[$1] }
        return Estimate(cohorts: Int(cohorts), bytes: bytes, seconds: patientSeconds / Double(max(1, min(threads, ProcessInfo.processInfo.activeProcessorCount))))
    }

    /// What a run checks before it simulates anything, and `validate` checks alone: the
    /// re-analysis section against the design, and the memory the run would need. Returns the
    /// run's cost.
    public static func check(_ design: Design, replicates reps: Int, threads: Int, truthPoints: Int) throws -> Estimate {
        try ReanalysisRun.check(design.scenario, design: design, replicates: reps)
        let cost = estimate(design, replicates: reps, threads: threads, truthPoints: truthPoints)
        guard cost.bytes <= Limits.memoryBudget else {
            throw VBQError(file: design.scenario.file, key: "replicates",
                           "\(design.cells.count) cell\(design.cells.count == 1 ? "" : "s") × \(reps) cohorts would need about \(Limits.bytes(cost.bytes)) of memory, more than this machine's limit of \(Limits.bytes(Limits.memoryBudget)); lower the replicates, or split the vary factors over several scenario files")
        }
        return cost
    }

    /// An error found in one cell, named by the scenario file, the key's line and the cell.
    public static func attributed(_ error: Error, cell: Cell, scenario: Scenario) -> Error {
        guard var e = error as? VBQError else { return error }
        e.file = scenario.file
        e.line = e.line ?? scenario.line(of: e.key ?? "generator")
        e.key = e.key.map { "\($0) (cell \(cell.id): \(cell.label))" }
        return e
    }

    public static func run(_ request: RunRequest, progress: Simulation.Progress? = nil, control: RunControl? = nil) throws -> RunResult {
        let started = Date()
        let clock = ContinuousClock.now
        let design = try Design(request.scenario)
        let reps = try request.checkedReplicates()
        let cost = try check(design, replicates: reps, threads: request.threads, truthPoints: request.truthPoints)
        request.onEstimate?(cost)
        let layout = ReplicateLayout(design: design)
        let fingerprint = Checkpoint.fingerprint(request.scenario, seed: request.effectiveSeed, replicates: reps,
                                                 truthPoints: request.truthPoints, layout: layout)
        let refIndex = design.cells.firstIndex(where: \.isReference)!
        // The checkpoint: resume from it, refuse to discard it silently, or start a new one.
        var resume: ReplicateTable? = nil
        var log: CheckpointLog? = nil
        if let folder = request.folder {
            let url = folder.url.appendingPathComponent(CheckpointLog.fileName)
            let existing = CheckpointLog.peek(at: url)
            if request.resume {
                if existing == nil, folder.completeFingerprint == fingerprint, folder.holdsCompleteResults {
                    throw RunAlreadyComplete(folder: folder.url.path)
                }
                var table = ReplicateTable(layout: layout, cells: design.cells.count, replicates: reps, directory: folder.url)
                log = try CheckpointLog.resume(at: url, fingerprint: fingerprint, into: &table, referenceCell: refIndex, design: design)
                resume = table
            } else {
                if !request.fresh, CheckpointLog.isOtherVersion(at: url) {
                    throw VBQError(file: url.path, CheckpointLog.otherVersionMessage)
                }
                if let existing, existing.rows > 0, !request.fresh, existing.fingerprint != folder.completeFingerprint {
                    let same = existing.fingerprint == fingerprint
                    throw VBQError(file: folder.url.path, "holds an interrupted run (\(existing.rows) cohorts kept in \(CheckpointLog.fileName)\(same ? "" : ", from another scenario, seed or number of replicates")); add --resume to finish it\(same ? "" : " with the command that started it"), or --fresh to discard it")
                }
                log = try CheckpointLog.create(at: url, fingerprint: fingerprint, width: RecordLayout(layout).stride,
                                               replicates: reps, referenceCell: refIndex)
            }
        }
        let truths = try Runner.truths(design, request: request).map { $0! }
        request.onTruth?(design.cells.count, design.cells.count)
        if let resume, let folder = request.folder {
            // The kept cohorts' cutoffs, now that each cell's scores are known.
            let rl = RecordLayout(layout)
            for index in resume.completed.indices where resume.completed[index] {
                var b = Checkpoint.Bounds(design.cells[index / reps].model)
                b.scores = truths[index / reps].plausibleScores(sds: Checkpoint.cutoffSDs)
                if let problem = Checkpoint.problem(Record(base: resume.recordBase(index)), rl, b) {
                    throw VBQError(file: folder.url.appendingPathComponent(CheckpointLog.fileName).path, key: "cohort \(index)",
                                   "holds values vbqlab never writes (\(problem)); it was not made by this run: run with --fresh to start again")
                }
            }
        }
        // The records' file goes into the run folder (the user's chosen disk) when there is one.
        let start = resume ?? ReplicateTable(layout: layout, cells: design.cells.count, replicates: reps,
                                             directory: request.folder?.url ?? FileManager.default.temporaryDirectory)
        let table = Simulation.run(design: design, truths: truths, replicates: reps, seed: request.effectiveSeed,
                                   threads: max(1, request.threads), progress: progress, resume: start, control: control,
                                   checkpoint: log)
        guard table.isComplete else {
            let elapsed = ContinuousClock.now - clock
            return RunResult(scenario: request.scenario, design: design, truths: truths, table: table, summaries: [],
                             histograms: [], referenceROC: nil, factorDrift: [], sameNumbers: [], interactions: [], interactionsSkipped: 0, replicates: reps, seed: request.effectiveSeed,
                             threads: request.threads, status: .incomplete, started: started,
                             wallSeconds: elapsed.seconds,
                             fingerprint: fingerprint, checkpointFailure: log?.failure)
        }
        let elapsed = ContinuousClock.now - clock
        return finish(request: request, design: design, truths: truths, table: table, started: started,
                      computeSeconds: elapsed.seconds,
                      fingerprint: fingerprint, checkpointFailure: log?.failure)
    }

    /// The summaries, figures' data and ranking of a table whose rows are all simulated (or, for
    /// a partial merge, all that are there).
    static func finish(request: RunRequest, design: Design, truths: [Truth], table: ReplicateTable, started: Date,
                       computeSeconds: Double, fingerprint: String, checkpointFailure: String? = nil,
                       status: RunStatus = .complete) -> RunResult {
        let refIndex = design.cells.firstIndex(where: \.isReference)!
        let summaries = Summarise.cells(design: design, truths: truths, table: table)
        let histograms = table.layout.methods.compactMap { CutoffHistogram(method: $0, table: table, cells: design.cells.count) }
        let roc = ROCBand(table: table, truth: truths[refIndex])
        let reanalysisClock = ContinuousClock.now
        let reanalysis = request.scenario.reanalysis.map {
            ReanalysisRun.run(spec: $0, design: design, truths: truths, replicates: request.effectiveReplicates, seed: request.effectiveSeed,
                              completed: table.completed, threads: max(1, request.threads), quick: request.quick)
        }
        let same = SameNumbers.classes(summaries: summaries, table: table)
        let interactions = Interaction.all(design: design, summaries: summaries, same: same)
        var result = RunResult(scenario: request.scenario, design: design, truths: truths, table: table, summaries: summaries,
                         histograms: histograms, referenceROC: roc,
                         factorDrift: FactorDrift.rank(design: design, summaries: summaries, table: table, same: same),
                         sameNumbers: same, interactions: interactions.found, interactionsSkipped: interactions.skipped,
                         replicates: request.effectiveReplicates,
                         seed: request.effectiveSeed, threads: request.threads, status: status, started: started,
                         wallSeconds: computeSeconds + (ContinuousClock.now - reanalysisClock).seconds,
                         fingerprint: fingerprint, checkpointFailure: checkpointFailure)
        result.reanalysis = reanalysis
        if design.cells.contains(where: { $0.model.followUp != nil }) {
            result.followUp = FollowUpProfile.all(design: design, truths: truths, seed: request.effectiveSeed, threads: max(1, request.threads))
        }
        return result
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

/// `--resume` on a run that is already complete: nothing to do.
public struct RunAlreadyComplete: Error, Sendable {
    public let folder: String
}

/// Whether every cohort of a run was simulated (and so whether its summaries are final).
public enum RunStatus: String, Sendable {
    case complete, incomplete
}
