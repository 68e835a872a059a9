import VBQCore
import VBQEstimate
/// A loaded, validated scenario: the base model, and the design grid it is run over.
public struct Scenario: Sendable {
    /// The file it was read from (as given), for error messages and provenance.
    public var file: String
    public var name: String
    public var description: String?
    /// The question the scenario asks, which the report's first paragraph answers.
    public var question: String?
    public var seed: UInt64
    public var replicates: Int
    public var streams: StreamPolicy
    /// The model at the base levels (before any `vary` override).
    public var model: ModelSpec
    /// The `vary` factors, in file order.
    public var factors: [Factor]
    /// The reference cell's level index per factor.
    public var referenceLevels: [Int]
    /// The cells to run, as level indices per factor (the full cross product unless `subset`).
    public var cellLevels: [[Int]]
    /// The base model section as a tree with every default filled in; `vary` overrides apply to it.
    public var resolvedModelNode: YNode
    /// The whole resolved scenario (for `scenario.resolved.yaml`).
    public var resolvedNode: YNode
    /// Each cell's model, in `cellLevels` order, as the loader decoded them (empty for a
    /// scenario built otherwise: `Design` then decodes them itself).
    public var cellModels: [ModelSpec] = []
    /// The `power:` section, read and checked with the rest of the file.
    public var power: PowerSection?
    /// The `reanalysis:` section: the seed paper's own analysis repeated on every cohort.
    public var reanalysis: ReanalysisSpec? = nil
    /// The text it was loaded from: a shard file carries it, so that `vbqlab merge` rebuilds the
    /// identical scenario without the original file.
    public var source: String = ""

    /// The line where a top-level key (`generator`, `outcome`, ...) is given, else where the
    /// model is described (`generator`, `cohort`), else 1: for errors found after loading.
    public func line(of key: String) -> Int {
        let top = key.split(separator: ".").first.map(String.init) ?? key
        let entries = resolvedNode.entries ?? []
        for k in [top, "generator", "cohort"] {
            if let e = entries.first(where: { $0.key == k }), let line = e.line ?? e.value.line { return line }
        }
        return 1
    }
}

/// How random streams are keyed across cells.
public enum StreamPolicy: String, Sendable, CaseIterable {
    /// Each cell has its own streams (root → cell → replicate): cells are independent.
    case independent
    /// Replicate r uses the same stream in every cell (common random numbers): differences
    /// between cells are estimated with less Monte Carlo noise.
    case common
}

/// What a cell simulates and how it is analysed.
public struct ModelSpec: Sendable, Equatable {
    public var cohort: CohortSpec
    public var generator: GeneratorSpec
    public var methods: [EstimationMethod]
    public var fixedCutoffs: [Double]
    /// δ of P(|ĉ − c*| > δ).
    public var precision: Double
    /// The parameters of the cutoff criteria (`criteria:`; `vary` may change them per cell).
    public var criteria: CriterionParameters = .defaults

    package init(cohort: CohortSpec, generator: GeneratorSpec, methods: [EstimationMethod], fixedCutoffs: [Double], precision: Double) {
        self.cohort = cohort; self.generator = generator; self.methods = methods; self.fixedCutoffs = fixedCutoffs; self.precision = precision
    }

    /// The mechanistic model when it follows patients in time (a `follow_up` section).
    public var followUp: MechanisticModel? {
        if case let .mechanistic(m) = generator, m.timed { return m }
        return nil
    }

    /// Whether a cohort of this cell is analysed as a time-dependent ROC (`follow_up.handling`
    /// km or ipcw) rather than as two classes.
    public var timeDependent: Bool { followUp?.handling.timeDependent ?? false }
}

/// Cohort composition.
public struct CohortSpec: Sendable, Equatable {
    public enum Sampling: String, Sendable, CaseIterable {
        /// Exactly round(size × prevalence) events in every cohort.
        case fixed
        /// The number of events is Binomial(size, prevalence).
        case binomial
    }
    public var size: Int
    /// NaN for the mechanistic family, where prevalence comes from the outcome model.
    public var prevalence: Double
    public var sampling: Sampling

    package init(size: Int, prevalence: Double, sampling: Sampling) {
        self.size = size; self.prevalence = prevalence; self.sampling = sampling
    }

    /// Events in a fixed-count cohort.
    public var fixedEvents: Int { Int((Double(size) * prevalence).rounded()) }
}

/// The data-generating family.
public enum GeneratorSpec: Sendable, Equatable {
    /// The score is drawn directly per outcome class (docs/model.md §2a).
    case classConditional(event: ScoreDistribution, nonEvent: ScoreDistribution)
    /// Patients pass through population, bone quality, selection, outcome and measurement (docs/model.md §2b).
    case mechanistic(MechanisticModel)
}

/// One `vary` factor: a parameter path and its levels.
public struct Factor: Sendable, Equatable {
    public var path: String
    public var levels: [YNode]
    public var line: Int?
    /// Printable level labels, e.g. "256" or "{distribution: normal, mean: 3.5, sd: 0.4}".
    public var labels: [String] { levels.map(\.flow) }
}
