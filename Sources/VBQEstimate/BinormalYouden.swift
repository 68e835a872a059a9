import Foundation
import VBQCore

/// The binormal Youden cutoff: normal distributions fitted to each class (sample mean and SD,
/// unequal variances), and the cutoff where their densities cross (`BinormalYouden.cutoff`).
/// Also the binormal AUC, Φ((m₁ − m₀)/√(s₁² + s₀²)).
public struct BinormalYouden: Sendable, Equatable {
    public let cutoff: Double
    public let auc: Double
    public let eventMean, eventSD, nonEventMean, nonEventSD: Double

    /// `nil` when a class has fewer than 2 scores or no spread, or when the event mean is not higher.
    public init?(positives x: UnsafeBufferPointer<Double>, negatives y: UnsafeBufferPointer<Double>) {
        guard x.count >= 2, y.count >= 2 else { return nil }
        let (m1, s1) = meanSD(x), (m0, s0) = meanSD(y)
        guard s1 > 0, s0 > 0,
              let c = BinormalYouden.cutoff(eventMean: m1, eventSD: s1, nonEventMean: m0, nonEventSD: s0)
        else { return nil }
        cutoff = c
        auc = Numerics.phi((m1 - m0) / (s1 * s1 + s0 * s0).squareRoot())
        eventMean = m1; eventSD = s1; nonEventMean = m0; nonEventSD = s0
    }
}

/// Mean and sample SD (denominator n − 1), two-pass for accuracy.
func meanSD(_ a: UnsafeBufferPointer<Double>) -> (mean: Double, sd: Double) {
    let n = Double(a.count)
    var sum = 0.0
    for v in a { sum += v }
    let mean = sum / n
    var ss = 0.0
    for v in a { ss += (v - mean) * (v - mean) }
    return (mean, a.count > 1 ? (ss / (n - 1)).squareRoot() : .nan)
}

extension BinormalYouden {
    /// The Youden-optimal cutoff of two normal classes: where the densities are equal. Of the
    /// quadratic's roots, the one with the larger J (the one between the means in the usual
    /// case); `nil` when the event mean is not higher or the densities never cross.
    public static func cutoff(eventMean m1: Double, eventSD s1: Double, nonEventMean m0: Double, nonEventSD s0: Double) -> Double? {
        guard m1 > m0, s1 > 0, s0 > 0 else { return nil }
        let a = 1 / (s1 * s1) - 1 / (s0 * s0)
        let b = -2 * (m1 / (s1 * s1) - m0 / (s0 * s0))
        let c = m1 * m1 / (s1 * s1) - m0 * m0 / (s0 * s0) - 2 * log(s0 / s1)
        if abs(a) < 1e-12 * max(1 / (s1 * s1), 1 / (s0 * s0)) {
            return -c / b
        }
        let disc = b * b - 4 * a * c
        guard disc >= 0 else { return nil }
        // Stable quadratic formula; of the two roots, the one where J is largest (it is the
        // root between the means whenever the densities cross there).
        let q = -0.5 * (b + (b >= 0 ? 1 : -1) * disc.squareRoot())
        let J: (Double) -> Double = { Numerics.phi(($0 - m0) / s0) - Numerics.phi(($0 - m1) / s1) }
        let r1 = q / a, r2 = c / q
        return J(r1) >= J(r2) ? r1 : r2
    }
}

extension BinormalYouden: CutoffEstimator {
    public static let id = "binormal"
    public static let words = "binormal Youden cutoff"
    public static let colour = "#009e73"
    public static let reportedAUC = EstimatorAUC.own
    public static let needsSortedClasses = false
    public static let byDefault = true
    public static let secondsPerPatient = 5e-9
    public static let secondsPerPatientResampled = 5e-9

    public static func estimate(positives x: UnsafeBufferPointer<Double>, negatives y: UnsafeBufferPointer<Double>,
                                pass: JointPass?, parameters: CriterionParameters) -> CutoffResult {
        guard let b = BinormalYouden(positives: x, negatives: y) else {
            return CutoffResult(failure: "a class has < 2 distinct scores, or the event mean is not higher")
        }
        return CutoffResult(cutoff: b.cutoff, auc: b.auc)
    }
}
