import Foundation
import VBQCore
import VBQModel

/// The binormal Youden cutoff: normal distributions fitted to each class (sample mean and SD,
/// unequal variances), and the cutoff where their densities cross (`TruthSolver.binormalCutoff`).
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
              let c = TruthSolver.binormalCutoff(eventMean: m1, eventSD: s1, nonEventMean: m0, nonEventSD: s0)
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
