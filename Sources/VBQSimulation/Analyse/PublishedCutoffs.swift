import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// The published VBQ cutoffs (docs/literature.md, rows P1–P11) against what sampling alone gives
/// studies of their sizes: `vbqlab published`.
public enum PublishedCutoffs {
    /// One study as the literature table reports it.
    public struct Study: Sendable {
        public let id: String
        public let endpoint: String
        public let n: Int
        /// Share of events (nil: not reported).
        public let prevalence: Double?
        /// Class means and SDs of the score (events, non-events), when reported.
        public let moments: (eventMean: Double, eventSD: Double, nonEventMean: Double, nonEventSD: Double)?
        public let cutoff: Double?
        public let auc: Double?
        /// First author and year as docs/literature.md gives them (or what it says instead).
        public let source: String
        /// Whether the study's outcome is a failure of the fixation (revision, loosening,
        /// subsidence); only those cutoffs enter the spread (a cutoff for osteoporosis by DXA
        /// answers another question).
        public var fixationOutcome: Bool = true
        /// Whether docs/literature.md states the outcome (lit:P6 gives only "TLIF"): such a study
        /// is counted, and the report says what the spread is without it.
        public var outcomeStated: Bool = true

        /// "Gao 2024 (lit:P2)": how a report names the study.
        public var name: String { "\(source) (lit:\(id))" }
    }

    /// docs/literature.md, table P (primary studies; P9 and P10 are meta-analyses, quoted apart).
    public static let studies: [Study] = [
        Study(id: "P1", endpoint: "fixation failure requiring revision (seed paper)", n: 256, prevalence: 67.0 / 256,
              moments: (3.62, 0.46, 2.97, 0.43), cutoff: 3.3, auc: 0.859, source: "Wu 2025"),
        Study(id: "P2", endpoint: "screw loosening", n: 116, prevalence: 0.19, moments: (3.61, 0.63, 2.86, 0.43), cutoff: 3.055, auc: 0.774, source: "Gao 2024"),
        Study(id: "P3", endpoint: "screw loosening", n: 156, prevalence: 0.35, moments: (3.28, 0.58, 2.82, 0.50), cutoff: nil, auc: nil, source: "Li 2023"),
        Study(id: "P4", endpoint: "screw loosening", n: 174, prevalence: 0.299, moments: (3.1, 0.5, 2.8, 0.4), cutoff: 2.87, auc: 0.744, source: "NASS J 2024 review"),
        Study(id: "P5", endpoint: "TLIF cage subsidence", n: 74, prevalence: 0.57, moments: (2.9, 0.5, 2.5, 0.5), cutoff: nil, auc: nil, source: "Soliman 2022"),
        Study(id: "P6", endpoint: "an outcome after TLIF, not specified (VBQ over L1–4)", n: 165, prevalence: nil, moments: nil, cutoff: 3.585, auc: 0.787, source: "Wang 2025",
              outcomeStated: false),
        Study(id: "P7", endpoint: "TLIF/PLIF subsidence", n: 51, prevalence: 0.27, moments: nil, cutoff: 2.70, auc: 0.812, source: "51-patient cohort"),
        Study(id: "P8", endpoint: "OLIF subsidence", n: 314, prevalence: 0.134, moments: nil, cutoff: 2.67, auc: nil, source: "OLIF cohort"),
        Study(id: "P11", endpoint: "osteoporosis by DXA", n: 100, prevalence: nil, moments: nil, cutoff: 3.05, auc: 0.810, source: "DXA study 2023",
              fixationOutcome: false),
    ]
    /// The meta-analyses' pooled cutoffs (mean ± SD as docs/literature.md quotes them) and outcome.
    public static let metaAnalyses: [(id: String, outcome: String, studies: Int, mean: Double, sd: Double)] = [
        ("P9", "subsidence and loosening", 9, 3.34, 0.45), ("P10", "osteoporosis by DXA", 17, 3.02, 0.38),
    ]

    /// A study's simulated sampling distribution of the empirical Youden cutoff.
    public struct Interval: Sendable {
        public let truth: Double
        public let q025, median, q975, sd: Double
        /// Percentile of the published cutoff among the simulated ones (nil without one).
        public let percentile: Double?
        public let aucQ025: Double, aucQ975: Double
    }

    public struct Row: Sendable {
        public let study: Study
        /// Under the seed paper's population (P1's classes) at the study's size and prevalence.
        public let seedPopulation: Interval
        /// Under the study's own reported classes, when it reports them.
        public let ownPopulation: Interval?
    }

    public struct Result: Sendable {
        public let rows: [Row]
        public let replicates: Int
        public let seed: UInt64
        /// Worker threads used (no result depends on them).
        public let threads: Int
        /// Published primary cutoffs for a fixation outcome: their SD, the SD sampling alone would give them, and the
        /// share of their variance sampling explains (with the range from the 95% CI of the
        /// observed variance, which rests on few studies).
        public let observedSD: Double
        public let observedSDInterval: (Double, Double)
        public let samplingSD: Double
        public let share: Double
        public let shareInterval: (Double, Double)
        public let count: Int
    }

    static func simulate(event: ScoreDistribution, nonEvent: ScoreDistribution, n: Int, prevalence: Double, published: Double?,
                         replicates: Int, tree: SeedTree, key: UInt64, threads: Int) throws -> Interval {
        let events = max(1, min(n - 1, Int((Double(n) * prevalence).rounded())))
        let truth = try TruthSolver.classConditional(event: event, nonEvent: nonEvent, prevalence: Double(events) / Double(n))
        let model = ModelSpec(cohort: CohortSpec(size: n, prevalence: Double(events) / Double(n), sampling: .fixed),
                              generator: .classConditional(event: event, nonEvent: nonEvent), methods: [.empirical], fixedCutoffs: [], precision: 0.1)
        let (values, _) = QuotaCohorts.simulate(CohortGenerator(model: model), quota: (events, n - events), replicates: replicates,
                                                tree: tree, key: key, threads: threads)
        let cut = stride(from: 0, to: values.count, by: 4).map { values[$0] }, auc = stride(from: 1, to: values.count, by: 4).map { values[$0] }
        let c = Placement(observed: published ?? .nan, simulated: cut), a = Placement(observed: .nan, simulated: auc)
        return Interval(truth: truth.cutoff, q025: c.q025, median: c.median, q975: c.q975, sd: Stat(cut)?.sd ?? .nan,
                        percentile: published == nil ? nil : c.percentile, aucQ025: a.q025, aucQ975: a.q975)
    }

    /// The published cutoffs' sample variance and the mean sampling variance of ĉ in the seed
    /// population at the same studies' sizes (the share sampling explains is their ratio).
    public static func spread(_ rows: [Row]) -> (variance: Double, sampling: Double) {
        let cutoffs = rows.compactMap(\.study.cutoff), k = Double(cutoffs.count)
        let mean = cutoffs.reduce(0, +) / k
        let variance = cutoffs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (k - 1)
        return (variance, rows.reduce(0) { $0 + $1.seedPopulation.sd * $1.seedPopulation.sd } / k)
    }

    public static func run(replicates: Int, seed: UInt64, threads: Int) throws -> Result {
        let tree = SeedTree(root: seed)
        let seedStudy = studies[0]
        let sm = seedStudy.moments!
        var rows: [Row] = []
        for (i, s) in studies.enumerated() {
            let prevalence = s.prevalence ?? seedStudy.prevalence!
            let seedInterval = try simulate(event: .normal(mean: sm.eventMean, sd: sm.eventSD), nonEvent: .normal(mean: sm.nonEventMean, sd: sm.nonEventSD),
                                            n: s.n, prevalence: prevalence, published: s.cutoff, replicates: replicates, tree: tree,
                                            key: UInt64(2 * i), threads: threads)
            var own: Interval? = nil
            if let m = s.moments {
                own = try simulate(event: .normal(mean: m.eventMean, sd: m.eventSD), nonEvent: .normal(mean: m.nonEventMean, sd: m.nonEventSD),
                                   n: s.n, prevalence: prevalence, published: s.cutoff, replicates: replicates, tree: tree,
                                   key: UInt64(2 * i + 1), threads: threads)
            }
            rows.append(Row(study: s, seedPopulation: seedInterval, ownPopulation: own))
        }
        let withCutoff = rows.filter { $0.study.cutoff != nil && $0.study.fixationOutcome }
        let (variance, sampling) = spread(withCutoff)
        let k = withCutoff.count
        // 95% CI of a variance from k values: (k − 1)s²/χ²(0.975) to (k − 1)s²/χ²(0.025).
        let lo = Double(k - 1) * variance / Special.chisqPinv(0.975, df: Double(k - 1))
        let hi = Double(k - 1) * variance / Special.chisqPinv(0.025, df: Double(k - 1))
        return Result(rows: rows, replicates: replicates, seed: seed, threads: threads, observedSD: variance.squareRoot(), observedSDInterval: (lo.squareRoot(), hi.squareRoot()),
                      samplingSD: sampling.squareRoot(), share: min(1, sampling / variance),
                      shareInterval: (min(1, sampling / hi), min(1, sampling / lo)), count: k)
    }
}
