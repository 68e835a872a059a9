import VBQLab

extension CohortAnalysis {
    /// The plain analysis that the production path (`CohortRecorder`: the classes sorted
    /// together, one joint pass for the AUC, its SE and the Youden search) is checked against:
    /// the Mann–Whitney AUC with DeLong's SE computed on its own, and each estimator running its
    /// own search on the sorted classes.
    public init(plainPositives x: UnsafeBufferPointer<Double>, negatives y: UnsafeBufferPointer<Double>,
                methods: [EstimationMethod], fixedCutoffs: [Double], truth: Truth?) {
        if let d = Degeneracy(positives: x, negatives: y) {
            self.init(nPositive: x.count, nNegative: y.count, degenerate: d, auc: nil, estimates: [], fixed: [])
            return
        }
        let auc = AUCEstimate(positives: x, negatives: y)
        let pass = JointPass(auc: auc, searchedYouden: false, youden: nil)
        self.init(nPositive: x.count, nNegative: y.count, degenerate: nil, auc: auc,
                  estimates: methods.map { CutoffEstimate(method: $0, positives: x, negatives: y, pass: pass, truth: truth) },
                  fixed: fixedCutoffs.map { Confusion(cutoff: $0, positives: x, negatives: y) })
    }
}

extension ReplicateLayout {
    /// Writes one analysis into a row, field by field: the plain path that the run's compact
    /// records are checked against.
    public func write(_ a: CohortAnalysis, acceptance: Double, into row: UnsafeMutableBufferPointer<Double>) {
        for (k, field) in fields.enumerated() { row[k] = Self.value(a, acceptance: acceptance, field) }
    }

    static func value(_ a: CohortAnalysis, acceptance: Double, _ field: CohortField) -> Double {
        switch field {
        case .cohort(.acceptance): return acceptance
        case .cohort(.nEvents): return Double(a.nPositive)
        case .cohort(.nNonEvents): return Double(a.nNegative)
        case .cohort(.degenerate): return Double(a.degenerate?.rawValue ?? 0)
        case .cohort(.auc): return a.auc?.auc ?? .nan
        case .cohort(.aucSE): return a.auc?.standardError ?? .nan
        case .cohort(.aucLower): return a.auc?.ci.lower ?? .nan
        case .cohort(.aucUpper): return a.auc?.ci.upper ?? .nan
        case let .method(m, v):
            guard let e = a.estimate(m) else { return .nan }
            let ap = e.apparent
            switch v {
            case .cutoff: return e.cutoff
            case .sensitivity: return ap?.sensitivity ?? .nan
            case .specificity: return ap?.specificity ?? .nan
            case .ppv: return ap?.ppv ?? .nan
            case .npv: return ap?.npv ?? .nan
            case .accuracy: return ap?.accuracy ?? .nan
            case .youdenJ: return ap?.youden ?? .nan
            case .trueSensitivity: return e.trueSensitivity
            case .trueSpecificity: return e.trueSpecificity
            case .trueYoudenJ: return e.cutoff.isFinite ? e.trueYouden : .nan
            case .optimism: return e.cutoff.isFinite ? e.optimism : .nan
            case .auc: return e.auc
            case .tiedThresholds: return e.cutoff.isFinite ? Double(e.tiedThresholds) : .nan
            }
        case let .fixed(c, v):
            guard let f = a.fixed.first(where: { $0.cutoff == c }) else { return .nan }
            switch v {
            case .sensitivity: return f.sensitivity
            case .specificity: return f.specificity
            case .ppv: return f.ppv
            case .npv: return f.npv
            }
        }
    }
}
