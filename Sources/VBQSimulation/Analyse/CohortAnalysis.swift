import VBQCore
import VBQEstimate
import VBQModel
/// Everything estimated on one cohort (docs/model.md §4): AUC with DeLong SE, each method's
/// cutoff with its apparent and (given the truth) true performance, and the 2×2 table at each
/// fixed external cutoff.
public struct CohortAnalysis: Sendable {
    public enum Degeneracy: Int, Sendable, CaseIterable {
        case noEvents = 1, noNonEvents = 2, allTied = 3
        public var name: String {
            switch self {
            case .noEvents: return "no_events"
            case .noNonEvents: return "no_non_events"
            case .allTied: return "all_scores_tied"
            }
        }

        /// Why sorted classes cannot be analysed, or nil when they can.
        package init?(positives x: UnsafeBufferPointer<Double>, negatives y: UnsafeBufferPointer<Double>) {
            if x.isEmpty { self = .noEvents }
            else if y.isEmpty { self = .noNonEvents }
            else if min(x[0], y[0]) == max(x[x.count - 1], y[y.count - 1]) { self = .allTied }
            else { return nil }
        }
    }

    public let nPositive: Int
    public let nNegative: Int
    public let degenerate: Degeneracy?
    public let auc: AUCEstimate?
    public let estimates: [CutoffEstimate]
    public let fixed: [Confusion]

    /// A cohort's analysis, as `CohortRecorder.analysis` computes it (the one analysis path).
    package init(nPositive: Int, nNegative: Int, degenerate: Degeneracy?, auc: AUCEstimate?, estimates: [CutoffEstimate],
                 fixed: [Confusion]) {
        self.nPositive = nPositive; self.nNegative = nNegative; self.degenerate = degenerate
        self.auc = auc; self.estimates = estimates; self.fixed = fixed
    }

    public func estimate(_ method: EstimationMethod) -> CutoffEstimate? { estimates.first { $0.method == method } }
}

/// One method's cutoff on one cohort.
public struct CutoffEstimate: Sendable {
    public let method: EstimationMethod
    /// NaN when the method has no answer on this cohort (`failure` says why).
    public let cutoff: Double
    public let failure: String?
    /// Apparent performance: the cutoff applied to the cohort it was chosen on.
    public let apparent: Confusion?
    /// True performance of this cutoff in the cell's population (NaN without a truth).
    public let trueSensitivity: Double
    public let trueSpecificity: Double
    /// The AUC this method implies (Mann–Whitney for empirical, binormal for binormal; NaN for kernel).
    public let auc: Double
    /// Empirical method: how many thresholds tied at the maximum J.
    public let tiedThresholds: Int

    public var trueYouden: Double { trueSensitivity + trueSpecificity - 1 }
    /// Apparent J − true J of the same cutoff.
    public var optimism: Double { (apparent?.youden ?? .nan) - trueYouden }

    /// The method's estimate on sorted classes, given the cohort's joint pass.
    package init(method: EstimationMethod, positives: UnsafeBufferPointer<Double>, negatives: UnsafeBufferPointer<Double>,
                 pass: JointPass, truth: Truth?, parameters: CriterionParameters = .defaults) {
        self.method = method
        let e = method.estimator.estimate(positives: positives, negatives: negatives, pass: pass, parameters: parameters)
        let c = e.cutoff
        self.failure = e.failure
        self.auc = e.auc
        self.tiedThresholds = e.ties
        self.cutoff = c
        if c.isFinite {
            apparent = Confusion(cutoff: c, positives: positives, negatives: negatives)
            trueSensitivity = truth?.sensitivity(at: c) ?? .nan
            trueSpecificity = truth?.specificity(at: c) ?? .nan
        } else {
            apparent = nil
            trueSensitivity = .nan
            trueSpecificity = .nan
        }
    }
}
