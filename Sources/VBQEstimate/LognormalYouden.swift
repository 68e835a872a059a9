import Foundation
import VBQCore

/// The lognormal Youden cutoff: the binormal cutoff on the log scale. Normal distributions are
/// fitted to the logarithms of each class's scores (sample mean and SD), their Youden cutoff is
/// found as `BinormalYouden.cutoff` finds it, and the cutoff is taken back to the score scale
/// (the logarithm is monotone, so sensitivity and specificity are unchanged by the transform).
/// Suited to right-skewed scores such as VBQ, which is a ratio of two signals. Its AUC is the
/// binormal AUC of the logarithms.
///
/// `nil` when a score is not positive, when a class has fewer than 2 scores or no spread, or
/// when the events' mean log is not higher.
public struct LognormalYouden: Sendable, Equatable {
    public let cutoff: Double
    public let auc: Double

    public init?(positives x: UnsafeBufferPointer<Double>, negatives y: UnsafeBufferPointer<Double>) {
        guard x.count >= 2, y.count >= 2, x.allSatisfy({ $0 > 0 }), y.allSatisfy({ $0 > 0 }) else { return nil }
        let lx = x.map { log($0) }, ly = y.map { log($0) }
        let (m1, s1) = lx.withUnsafeBufferPointer(meanSD), (m0, s0) = ly.withUnsafeBufferPointer(meanSD)
        guard s1 > 0, s0 > 0, let c = BinormalYouden.cutoff(eventMean: m1, eventSD: s1, nonEventMean: m0, nonEventSD: s0)
        else { return nil }
        cutoff = exp(c)
        auc = Numerics.phi((m1 - m0) / (s1 * s1 + s0 * s0).squareRoot())
    }
}

extension LognormalYouden: CutoffEstimator {
    public static let id = "lognormal"
    public static let words = "lognormal Youden cutoff"
    public static let colour = "#e69f00"
    public static let reportedAUC = EstimatorAUC.own
    public static let needsSortedClasses = false
    public static let secondsPerPatient = 10e-9
    public static let secondsPerPatientResampled = 10e-9

    public static func estimate(positives x: UnsafeBufferPointer<Double>, negatives y: UnsafeBufferPointer<Double>,
                                pass: JointPass?, parameters: CriterionParameters) -> CutoffResult {
        guard let l = LognormalYouden(positives: x, negatives: y) else {
            return CutoffResult(failure: "a score is not positive, a class has < 2 distinct scores, or the events' mean log is not higher")
        }
        return CutoffResult(cutoff: l.cutoff, auc: l.auc)
    }
}
