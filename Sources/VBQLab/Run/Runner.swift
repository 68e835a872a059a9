import Foundation

/// What `vbqlab run` does, as a library call: load → expand → truth → simulate → summarise.
public struct RunRequest: Sendable {
    public var scenario: Scenario
    /// Overrides of the scenario's own values.
    public var replicates: Int?
    public var seed: UInt64?
    public var threads: Int
    /// Few replicates (min(scenario's, 200)), for demonstrations and tests.
    public var quick: Bool
    /// The run folder whose checkpoint an interrupted run is resumed from (nil: start afresh).
    public var resumeFrom: URL?

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
    /// Patients per class in a simulated truth: 10⁶, or 2·10⁵ with --quick (its error is stated either way).
    public var truthPerClass: Int { quick ? 200_000 : TruthSolver.simulatedPerClass }
}

/// The result of a run, ready for the writers.
public struct RunResult: Sendable {
    public let scenario: Scenario
    public let design: Design
    public let truths: [Truth]
    public let table: ReplicateTable
    public let summaries: [CellSummary]
    public let histograms: [CutoffHistogram]
    /// The reference cell's true ROC and pointwise band of cohort ROCs.
    public let referenceROC: ROCBand?
    /// Factors ranked by how far they move c* (single-factor contrasts against the reference).
    public let factorDrift: [FactorDrift]
    public let replicates: Int
    public let seed: UInt64
    public let threads: Int
    public let status: String
    public let started: Date
    public let wallSeconds: Double
    /// Identifies what determines the rows (for checkpoints).
    let fingerprint: String
}

public enum Runner {
    public static let quickReplicates = 200
    public static var defaultThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    public static func run(_ request: RunRequest, progress: Simulation.Progress? = nil, control: RunControl? = nil) throws -> RunResult {
        let started = Date()
        let clock = ContinuousClock.now
        let design = try Design(request.scenario)
        let truths = try design.cells.map { cell -> Truth in
            do {
                // The truth depends only on the cell's model and the seed: every cell's truth
                // simulation uses the same streams, so identical models have identical truths and
                // differences between cells are not blurred by simulation noise.
                return try TruthSolver.truth(for: cell.model, tree: SeedTree(root: request.effectiveSeed),
                                             cellKey: 0, threads: max(1, request.threads),
                                             perClass: request.truthPerClass)
            } catch var e as VBQError {
                e.file = request.scenario.file
                e.key = e.key.map { "\($0) (cell \(cell.id): \(cell.label))" }
                throw e
            }
        }
        let reps = request.effectiveReplicates
        let layout = ReplicateLayout(design: design)
        let fingerprint = Checkpoint.fingerprint(request.scenario, seed: request.effectiveSeed, replicates: reps,
                                                 truthPerClass: request.truthPerClass, layout: layout)
        let resume = try request.resumeFrom.map {
            try Checkpoint.read(from: $0.appendingPathComponent(Checkpoint.fileName), fingerprint: fingerprint,
                                layout: layout, cells: design.cells.count, replicates: reps)
        }
        let table = Simulation.run(design: design, truths: truths, replicates: reps, seed: request.effectiveSeed,
                                   threads: max(1, request.threads), progress: progress, resume: resume, control: control)
        guard table.isComplete else {
            let elapsed = ContinuousClock.now - clock
            return RunResult(scenario: request.scenario, design: design, truths: truths, table: table, summaries: [],
                             histograms: [], referenceROC: nil, factorDrift: [], replicates: reps, seed: request.effectiveSeed,
                             threads: request.threads, status: "incomplete", started: started,
                             wallSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18,
                             fingerprint: fingerprint)
        }
        let summaries = Summarise.cells(design: design, truths: truths, table: table)
        let histograms = table.layout.methods.compactMap { CutoffHistogram(method: $0, table: table, cells: design.cells.count) }
        let refIndex = design.cells.firstIndex(where: \.isReference)!
        let roc = ROCBand(table: table, truth: truths[refIndex])
        let elapsed = ContinuousClock.now - clock
        return RunResult(scenario: request.scenario, design: design, truths: truths, table: table, summaries: summaries,
                         histograms: histograms, referenceROC: roc,
                         factorDrift: FactorDrift.rank(design: design, summaries: summaries), replicates: reps, seed: request.effectiveSeed, threads: request.threads,
                         status: "complete", started: started,
                         wallSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18,
                         fingerprint: fingerprint)
    }
}
