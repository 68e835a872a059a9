import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// Which scores count as test-positive.
public enum Direction: String, Sendable, CaseIterable {
    /// score ≥ cutoff is positive: events have higher scores (pROC's direction "<").
    case higher
    /// score ≤ cutoff is positive: events have lower scores (pROC's direction ">").
    case lower

    public var rule: String { self == .higher ? "score ≥ cutoff is positive" : "score ≤ cutoff is positive" }
}

/// A proportion with its Wilson 95% score interval (R's `prop.test(x, n, correct = FALSE)`).
public struct WilsonProportion: Sendable, Equatable {
    public let count: Int
    public let n: Int
    public var value: Double { n > 0 ? Double(count) / Double(n) : .nan }
    public let lower: Double
    public let upper: Double

    public init(_ count: Int, of n: Int, z: Double = 1.959963984540054) {
        self.count = count; self.n = n
        guard n > 0 else { lower = .nan; upper = .nan; return }
        let p = Double(count) / Double(n), nn = Double(n), z2 = z * z
        let centre = (p + z2 / (2 * nn)) / (1 + z2 / nn)
        let half = z / (1 + z2 / nn) * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot()
        lower = max(0, centre - half); upper = min(1, centre + half)
    }
}

/// n, mean, SD, median, minimum and maximum of one class's scores.
public struct ClassSummary: Sendable {
    public let n: Int
    public let mean, sd, median, min, max: Double

    init(_ sorted: [Double]) {
        n = sorted.count
        let m = sorted.reduce(0, +) / Double(Swift.max(1, n))
        mean = n > 0 ? m : .nan
        sd = n > 1 ? (sorted.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)).squareRoot() : .nan
        median = n > 0 ? Numerics.quantile(sorted: sorted, 0.5) : .nan
        self.min = sorted.first ?? .nan
        self.max = sorted.last ?? .nan
    }
}

/// Where a cutoff of `analyze` comes from: an estimator, or the command line.
public enum CutoffSource: Hashable, Sendable {
    case estimator(EstimationMethod)
    case fixed

    public var name: String {
        switch self {
        case let .estimator(m): return m.rawValue
        case .fixed: return "fixed"
        }
    }
}

/// The 2×2 table at one cutoff (in the data's own scale and direction) with Wilson 95% CIs and
/// likelihood ratios.
public struct CutoffTable: Sendable {
    /// Whose cutoff this is.
    public let source: CutoffSource
    /// Its name in outputs: the estimator's id, or "fixed".
    public var method: String { source.name }
    public let cutoff: Double
    public let tp, fn, tn, fp: Int
    public var sensitivity: WilsonProportion { WilsonProportion(tp, of: tp + fn) }
    public var specificity: WilsonProportion { WilsonProportion(tn, of: tn + fp) }
    public var ppv: WilsonProportion { WilsonProportion(tp, of: tp + fp) }
    public var npv: WilsonProportion { WilsonProportion(tn, of: tn + fn) }
    public var accuracy: WilsonProportion { WilsonProportion(tp + tn, of: tp + fn + tn + fp) }
    public var youden: Double { sensitivity.value + specificity.value - 1 }
    /// sensitivity / (1 − specificity); +∞ when no non-event tests positive.
    public var lrPositive: Double { let s = sensitivity.value, f = 1 - specificity.value; return f > 0 ? s / f : (s > 0 ? .infinity : .nan) }
    /// (1 − sensitivity) / specificity.
    public var lrNegative: Double { let m = 1 - sensitivity.value, sp = specificity.value; return sp > 0 ? m / sp : .nan }
}

/// Harrell's optimism bootstrap and the out-of-bag estimate (as cutpointr's `boot_runs`) of one
/// method's J, sensitivity and specificity.
public struct OptimismEstimate: Sendable {
    public let method: EstimationMethod
    /// Resamples with both classes in the bag (the others are drawn again), and of those the
    /// ones whose out-of-bag rows also hold both classes.
    public let resamples: Int, outOfBag: Int
    /// Apparent (the cutoff chosen and judged on the same data) J, sensitivity, specificity.
    public let apparent: (j: Double, sensitivity: Double, specificity: Double)
    /// Mean of (in-bag value − value of the in-bag cutoff on the original data), with its MCSE.
    public let optimism: (j: Stat?, sensitivity: Stat?, specificity: Stat?)
    /// Mean out-of-bag value, with its MCSE.
    public let oob: (j: Stat?, sensitivity: Stat?, specificity: Stat?)
    public var corrected: (j: Double, sensitivity: Double, specificity: Double) {
        (apparent.j - (optimism.j?.mean ?? .nan), apparent.sensitivity - (optimism.sensitivity?.mean ?? .nan),
         apparent.specificity - (optimism.specificity?.mean ?? .nan))
    }
}

/// Everything `vbqlab analyze` reports about one dataset.
public struct DatasetReport: Sendable {
    public let dataset: Dataset
    public let direction: Direction
    /// How the direction was chosen (given, or pROC's automatic rule with the medians).
    public let directionNote: String
    public let events: ClassSummary
    public let nonEvents: ClassSummary
    /// The analysis on the oriented scores (higher = event): cutoffs there are negated for `lower`.
    public let analysis: CohortAnalysis
    public let auc: AUCEstimate?
    /// Each method's and each fixed cutoff's 2×2 table, in the data's own scale.
    public let tables: [CutoffTable]
    public let bootstrap: [BootstrapInterval]
    /// The ROC curve's pointwise 95% bootstrap band (nil without a bootstrap). Orientation does not
    /// change a curve's points, so it holds for the data as given.
    public let rocBand: BootstrapROCBand?
    public let optimism: [OptimismEstimate]
    public let warnings: [String]
    /// The empirical method's tied optimal thresholds, in the data's own scale.
    public let tiedThresholds: [Double]
    public let bootstrapReplicates: Int
    public let seed: UInt64
    /// The criteria's parameters the estimates used.
    public let parameters: CriterionParameters

    /// The smallest class size below which `analyze` warns that intervals are rough.
    public static let smallClass = 10

    /// `direction` nil: pROC's rule — events have higher scores unless the events' median is
    /// below the non-events'.
    /// `methods`: the estimators reported (the defaults, and any criterion `--criterion` adds),
    /// with the criteria's `parameters`.
    public init(_ ds: Dataset, direction choice: Direction?, cutoffs: [Double], bootstrap: Int, seed: UInt64,
                methods chosen: [EstimationMethod] = EstimationMethod.defaults, parameters: CriterionParameters = .defaults) {
        dataset = ds
        self.parameters = parameters
        events = ClassSummary(ds.positives)
        nonEvents = ClassSummary(ds.negatives)
        if let choice {
            direction = choice
            directionNote = "given: \(choice.rule)"
        } else {
            direction = nonEvents.median <= events.median ? .higher : .lower
            directionNote = "auto (pROC's rule): the events' median \(Format.number(events.median, digits: 4)) is \(direction == .higher ? "at or above" : "below") the non-events' \(Format.number(nonEvents.median, digits: 4)), so \(direction.rule)"
        }
        let flip = direction == .lower
        func orient(_ x: [Double]) -> [Double] { flip ? x.reversed().map { -$0 } : x }
        func back(_ c: Double) -> Double { flip ? -c : c }
        let pos = orient(ds.positives), neg = orient(ds.negatives)
        let oriented = Dataset(positives: pos, negatives: neg, positiveLabel: ds.positiveLabel, negativeLabel: ds.negativeLabel)
        let a = oriented.analyse(methods: chosen, cutoffs: cutoffs.map(back), parameters: parameters)
        analysis = a
        auc = a.auc ?? oriented.aucEstimate
        var tables: [CutoffTable] = []
        for e in a.estimates {
            guard let c = e.apparent else { continue }
            tables.append(CutoffTable(source: .estimator(e.method), cutoff: back(c.cutoff), tp: c.tp, fn: c.fn, tn: c.tn, fp: c.fp))
        }
        for c in a.fixed {
            tables.append(CutoffTable(source: .fixed, cutoff: back(c.cutoff), tp: c.tp, fn: c.fn, tn: c.tn, fp: c.fp))
        }
        self.tables = tables
        let empirical = pos.withUnsafeBufferPointer { p in neg.withUnsafeBufferPointer { n in EmpiricalYouden(positives: p, negatives: n) } }
        tiedThresholds = (empirical?.optimalThresholds ?? []).map(back).sorted()
        bootstrapReplicates = bootstrap
        self.seed = seed
        let methods = a.degenerate == nil ? chosen : []
        if bootstrap > 0 && !methods.isEmpty {
            let (intervals, band) = oriented.bootstrapWithBand(methods: methods, replicates: bootstrap, seed: seed, parameters: parameters)
            self.bootstrap = intervals.map { b in
                BootstrapInterval(method: b.method, lower: flip ? -b.upper : b.lower, upper: flip ? -b.lower : b.upper,
                                  sd: b.sd, replicates: b.replicates, failures: b.failures)
            }
            rocBand = band
            optimism = DatasetReport.optimism(positives: pos, negatives: neg, analysis: a, methods: methods, parameters: parameters, replicates: bootstrap, seed: seed)
        } else {
            self.bootstrap = []
            rocBand = nil
            optimism = []
        }
        var warnings: [String] = []
        let small = [(ds.positives.count, "event"), (ds.negatives.count, "non-event")].filter { $0.0 < DatasetReport.smallClass }
        for (n, name) in small {
            warnings.append("only \(n) \(name)\(n == 1 ? "" : "s"): a cutoff from so few is unstable, and Wilson and bootstrap intervals are rough (bootstrap resamples repeat the same few values)")
        }
        if flip && choice == nil {
            warnings.append("lower scores mark events here (\(direction.rule)); give --direction higher to force the usual orientation")
        }
        self.warnings = warnings
    }

    /// Harrell's optimism bootstrap (ordinary resampling of all rows, as cutpointr's default):
    /// in each resample with both classes the method's cutoff is chosen in the bag; optimism is
    /// the mean of (in-bag J − J of that cutoff on the original data), and the out-of-bag J is
    /// that cutoff's J on the rows not drawn. The same for sensitivity and specificity.
    static func optimism(positives pos: [Double], negatives neg: [Double], analysis: CohortAnalysis, methods: [EstimationMethod], parameters: CriterionParameters,
                         replicates: Int, seed: UInt64) -> [OptimismEstimate] {
        let n1 = pos.count, n0 = neg.count, n = n1 + n0
        let tree = SeedTree(root: seed)
        let rng = RandomStream()
        var drawn = [Int](repeating: 0, count: n)
        var inPos: [Double] = [], inNeg: [Double] = [], oobPos: [Double] = [], oobNeg: [Double] = []
        inPos.reserveCapacity(n); inNeg.reserveCapacity(n)
        var opt = [[(Double, Double, Double)]](repeating: [], count: methods.count)
        var oob = [[(Double, Double, Double)]](repeating: [], count: methods.count)
        var usable = 0, attempt = 0
        func metrics(_ c: Double, _ p: [Double], _ q: [Double]) -> (Double, Double, Double) {
            p.withUnsafeBufferPointer { pb in
                q.withUnsafeBufferPointer { qb in
                    let t = Confusion(cutoff: c, positives: pb, negatives: qb)
                    return (t.youden, t.sensitivity, t.specificity)
                }
            }
        }
        while usable < replicates && attempt < 10 * replicates + 100 {
            rng.reset(to: tree.state(.optimism(attempt: UInt64(attempt))))
            attempt += 1
            for i in 0..<n { drawn[i] = 0 }
            inPos.removeAll(keepingCapacity: true); inNeg.removeAll(keepingCapacity: true)
            for _ in 0..<n {
                let i = rng.index(below: n)
                drawn[i] += 1
                if i < n1 { inPos.append(pos[i]) } else { inNeg.append(neg[i - n1]) }
            }
            guard !inPos.isEmpty, !inNeg.isEmpty else { continue }
            usable += 1
            inPos.sort(); inNeg.sort()
            oobPos.removeAll(keepingCapacity: true); oobNeg.removeAll(keepingCapacity: true)
            for i in 0..<n1 where drawn[i] == 0 { oobPos.append(pos[i]) }
            for i in 0..<n0 where drawn[n1 + i] == 0 { oobNeg.append(neg[i]) }
            let cutoffs = inPos.withUnsafeBufferPointer { p in
                inNeg.withUnsafeBufferPointer { q in
                    methods.map { $0.estimator.estimate(positives: p, negatives: q, pass: nil, parameters: parameters).cutoff }
                }
            }
            for (k, c) in cutoffs.enumerated() where c.isFinite {
                let b = metrics(c, inPos, inNeg), o = metrics(c, pos, neg)
                opt[k].append((b.0 - o.0, b.1 - o.1, b.2 - o.2))
                if !oobPos.isEmpty && !oobNeg.isEmpty { oob[k].append(metrics(c, oobPos, oobNeg)) }
            }
        }
        return methods.enumerated().compactMap { k, m in
            guard let e = analysis.estimate(m), let ap = e.apparent else { return nil }
            return OptimismEstimate(method: m, resamples: opt[k].count, outOfBag: oob[k].count,
                                    apparent: (ap.youden, ap.sensitivity, ap.specificity),
                                    optimism: (Stat(opt[k].map(\.0)), Stat(opt[k].map(\.1)), Stat(opt[k].map(\.2))),
                                    oob: (Stat(oob[k].map(\.0)), Stat(oob[k].map(\.1)), Stat(oob[k].map(\.2))))
        }
    }

    /// Every point of the empirical ROC curve, as pROC's `coords(roc, "all")`: thresholds −∞,
    /// the midpoints between consecutive distinct scores, and +∞ (in the data's own scale and
    /// direction), each with its sensitivity and specificity. Ascending in the score.
    public var rocPoints: [(threshold: Double, sensitivity: Double, specificity: Double)] {
        let all = (dataset.positives + dataset.negatives).sorted()
        var distinct: [Double] = []
        for x in all where distinct.last != x { distinct.append(x) }
        var thresholds = [-Double.infinity]
        for i in 1..<max(1, distinct.count) { thresholds.append((distinct[i - 1] + distinct[i]) / 2) }
        thresholds.append(.infinity)
        let p = dataset.positives, q = dataset.negatives
        return p.withUnsafeBufferPointer { pb in
            q.withUnsafeBufferPointer { qb in
                thresholds.map { t -> (Double, Double, Double) in
                    // positives at or above t (direction higher) or at or below t (lower).
                    let pBelow = lowerBound(pb, t), qBelow = lowerBound(qb, t)
                    let pAbove = upperBound(pb, t), qAbove = upperBound(qb, t)
                    switch direction {
                    case .higher:
                        return (t, Double(p.count - pBelow) / Double(p.count), Double(qBelow) / Double(q.count))
                    case .lower:
                        return (t, Double(pAbove) / Double(p.count), Double(q.count - qAbove) / Double(q.count))
                    }
                }
            }
        }
    }
}
