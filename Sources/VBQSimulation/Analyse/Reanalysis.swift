import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// Where each quantity of one cohort's re-analysis sits in its row of doubles.
public struct ReanalysisLayout: Sendable {
    public let spec: ReanalysisSpec
    public let k: Int
    /// Share of the cohort with score ≥ the cutoff, the cutoff used, failures.
    public static let positiveShare = 0, cutoff = 1, events = 2
    /// Per covariate: how many have it (binary covariates), else NaN.
    public let counts: Int
    /// Per AUC term: AUC, DeLong SE, p (H₀: AUC = 0.5).
    public let auc: Int?
    /// Per method: status code, then per covariate: log OR (±∞ where ML separation sends it
    /// there), lower, upper, p.
    public let logistic: [LogisticFit.Method: Int]
    /// Per correlation term: r, lower, upper, p.
    public let correlation: Int?
    public let width: Int

    public init(_ spec: ReanalysisSpec) {
        self.spec = spec
        k = spec.covariates.count
        var w = 3
        counts = w; w += k
        if spec.covariateAUC { auc = w; w += 3 * (k + 1) } else { auc = nil }
        var l: [LogisticFit.Method: Int] = [:]
        if spec.logistic { for m in spec.methods { l[m] = w; w += 1 + 4 * k } }
        logistic = l
        if spec.correlations { correlation = w; w += 4 * (k + 1) } else { correlation = nil }
        width = w
    }

    static func code(_ s: LogisticFit.Status) -> Double {
        switch s {
        case .converged: return 0
        case .separation: return 1
        case .notConverged: return 2
        case .singular: return 3
        }
    }
    package static func status(_ code: Double) -> LogisticFit.Status {
        switch code {
        case 0: return .converged
        case 1: return .separation
        case 3: return .singular
        default: return .notConverged
        }
    }
}

extension LogisticFit.Data {
    /// An intercept and the covariate columns centred on their means: the same odds ratios as
    /// the raw columns, with a better-conditioned X'WX (age in years beside the intercept).
    init(centring columns: [[Double]], y: [Bool]) {
        let n = y.count, k = columns.count
        var x = [Double](repeating: 1, count: n * (k + 1))
        for j in 0..<k {
            let mean = columns[j].reduce(0, +) / Double(max(1, n))
            for i in 0..<n { x[i * (k + 1) + 1 + j] = columns[j][i] - mean }
        }
        self.init(n: n, p: k + 1, x: x, y: y)
    }
}

extension AUCEstimate {
    /// The AUC of `values` for `events` (a higher value counts towards the event).
    init(values: [Double], events: [Bool]) {
        var pos: [Double] = [], neg: [Double] = []
        for i in values.indices { if events[i] { pos.append(values[i]) } else { neg.append(values[i]) } }
        Numerics.sort(&pos); Numerics.sort(&neg)
        self = pos.withUnsafeBufferPointer { p in neg.withUnsafeBufferPointer { q in AUCEstimate(positives: p, negatives: q) } }
    }
}

/// One cohort's re-analysis.
public enum CohortReanalysis {
    /// Analyses `patients` with the outcome 1{score ≥ cutoff}; writes `layout.width` values into `out`.
    public static func analyse(_ patients: [MechanisticPatient], cutoff: Double, layout: ReanalysisLayout,
                               into out: UnsafeMutableBufferPointer<Double>) {
        let spec = layout.spec, k = layout.k, n = patients.count
        for i in 0..<layout.width { out[i] = .nan }
        let columns = spec.covariates.map { c in patients.map { c.value($0) } }
        let a = CovariateAnalysis.make(score: patients.map(\.score), failure: patients.map(\.event), columns: columns, cutoff: cutoff,
                                       parts: .init(auc: layout.auc != nil, methods: layout.logistic.isEmpty ? [] : spec.methods,
                                                    correlations: layout.correlation != nil))
        write(a, binary: spec.covariates.map(\.isBinary), columns: columns, n: n, k: k, layout: layout, into: out)
    }

    /// Packs one sample's analysis into its row of `layout.width` values.
    static func write(_ a: CovariateAnalysis, binary: [Bool], columns: [[Double]], n: Int, k: Int, layout: ReanalysisLayout,
                      into out: UnsafeMutableBufferPointer<Double>) {
        out[ReanalysisLayout.positiveShare] = Double(a.positives) / Double(max(1, n))
        out[ReanalysisLayout.cutoff] = a.cutoff
        out[ReanalysisLayout.events] = Double(a.events)
        for j in 0..<k where binary[j] { out[layout.counts + j] = columns[j].reduce(0, +) }
        if let base = layout.auc {
            for (t, term) in a.aucs.enumerated() {
                out[base + 3 * t] = term.estimate.auc
                out[base + 3 * t + 1] = term.estimate.standardError
                out[base + 3 * t + 2] = term.p
            }
        }
        for fit in a.fits {
            guard let base = layout.logistic[fit.method] else { continue }
            out[base] = ReanalysisLayout.code(fit.status)
            for j in 0..<k {
                // A coefficient that runs off under separation is kept as ±∞ (so it counts
                // as beyond any published OR on its side); the summaries count it apart.
                let direction = fit.diverging.isEmpty ? 0 : fit.diverging[j + 1]
                out[base + 1 + 4 * j] = direction == 0 ? fit.coefficients[j + 1] : Double(direction) * .infinity
                out[base + 2 + 4 * j] = fit.lower[j + 1]
                out[base + 3 + 4 * j] = fit.upper[j + 1]
                out[base + 4 + 4 * j] = fit.pValues[j + 1]
            }
        }
        if let base = layout.correlation {
            for (t, r) in a.correlations.enumerated() {
                guard let r else { continue }
                out[base + 4 * t] = r.r
                out[base + 4 * t + 1] = r.lower
                out[base + 4 * t + 2] = r.upper
                out[base + 4 * t + 3] = r.pValue
            }
        }
    }
}

extension ReanalysisSpec.Covariate {
    /// The value entered into the regression: years, 1 = yes / 0 = no, kg/m², fused segments.
    @inline(__always)
    func value(_ p: MechanisticPatient) -> Double {
        switch self {
        case .age: return p.age
        case .female: return p.female ? 1 : 0
        case .chronicDisease: return p.chronicDisease ? 1 : 0
        case .steroids: return p.steroids ? 1 : 0
        case .bmi: return p.bmi
        case .segments: return Double(p.segments)
        }
    }
}
