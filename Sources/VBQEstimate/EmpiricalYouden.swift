import VBQCore
/// The empirical Youden cutoff: J = sensitivity + specificity − 1 maximised over pROC's
/// thresholds — −∞, the midpoints between consecutive distinct scores, and +∞ — with a score
/// above the threshold test-positive.
///
/// J is compared exactly, as the integer tp·n₀ + tn·n₁, so ties are real ties. **Tie rule:**
/// when several thresholds reach the maximum J, the lower median of them (in increasing
/// order) is chosen — for two tied thresholds the lower one, for three the middle one. The
/// rule is deterministic, favours neither sensitivity nor specificity systematically, and
/// `tiedThresholds` reports how many thresholds tied. When no threshold has J > 0 the
/// estimate is `nil` (no cutoff separates the classes).
public struct EmpiricalYouden: Sendable, Equatable {
    public let cutoff: Double
    public let youden: Double
    /// Number of thresholds that reach the maximum J (1 when it is unique).
    public let tiedThresholds: Int
    /// Every tied optimal threshold, ascending.
    public let optimalThresholds: [Double]

    /// Classes must be sorted ascending and non-empty.
    public init?(positives x: UnsafeBufferPointer<Double>, negatives y: UnsafeBufferPointer<Double>) {
        guard x.count > 0, y.count > 0 else { return nil }
        var tied = [Double](repeating: 0, count: ClassMerge.tiedCapacity(x.count, y.count))
        let found = tied.withUnsafeMutableBufferPointer { ClassMerge.run(x, y, tied: $0.baseAddress!).1 }
        guard let found else { return nil }
        cutoff = found.cutoff
        youden = found.youden
        tiedThresholds = found.ties
        optimalThresholds = Array(tied[0..<found.ties])
    }
}

extension EmpiricalYouden: CutoffEstimator {
    public static let id = "empirical"
    public static let words = "empirical Youden cutoff"
    public static let colour = "#0072b2"
    public static let reportedAUC = EstimatorAUC.cohort
    public static let reportsTies = true
    public static let usesYoudenSearch = true
    public static let byDefault = true
    public static let secondsPerPatient = 5e-9
    public static let secondsPerPatientResampled = 60e-9

    public static func estimate(positives x: UnsafeBufferPointer<Double>, negatives y: UnsafeBufferPointer<Double>,
                                pass: JointPass?, parameters: CriterionParameters) -> CutoffResult {
        let auc: Double, found: ClassMerge.Youden?
        if let pass, pass.searchedYouden {
            auc = pass.auc.auc; found = pass.youden
        } else {
            var tied = [Double](repeating: 0, count: ClassMerge.tiedCapacity(x.count, y.count))
            let (a, y) = tied.withUnsafeMutableBufferPointer { ClassMerge.run(x, y, tied: $0.baseAddress!) }
            auc = pass?.auc.auc ?? a.auc; found = y
        }
        guard let found else { return CutoffResult(failure: "no threshold gives J > 0") }
        return CutoffResult(cutoff: found.cutoff, auc: auc, ties: found.ties)
    }
}
