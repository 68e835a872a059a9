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
        var tied = [Double](repeating: 0, count: x.count + y.count + 1)
        let found = tied.withUnsafeMutableBufferPointer { EmpiricalYouden.search(x, y, tied: $0.baseAddress!) }
        guard let found else { return nil }
        cutoff = found.cutoff
        youden = found.youden
        tiedThresholds = found.ties
        optimalThresholds = Array(tied[0..<found.ties])
    }

    /// The search in one pass, without allocating: the thresholds tied at the best K so far are
    /// kept in `tied` (room for n₁ + n₀ + 1), and the list restarts when K improves.
    @inline(__always)
    static func search(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>,
                       tied: UnsafeMutablePointer<Double>) -> (cutoff: Double, youden: Double, ties: Int)? {
        let n1 = x.count, n0 = y.count
        guard n1 > 0, n0 > 0 else { return nil }
        var best = n1 * n0          // K at −∞ (all test-positive): J = 0
        var ties = 0
        EmpiricalYouden.walk(x, y) { k, t in
            if k > best { best = k; tied[0] = t; ties = 1 } else if k == best { tied[ties] = t; ties += 1 }
        }
        guard best > n1 * n0, ties > 0 else { return nil }
        return (tied[(ties - 1) / 2], Double(best) / Double(n1 * n0) - 1, ties)
    }

    /// Calls `visit(K, threshold)` for each finite midpoint threshold and +∞, in increasing order.
    @inline(__always)
    static func walk(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>, _ visit: (Int, Double) -> Void) {
        let n1 = x.count, n0 = y.count
        var i = 0, j = 0
        var tp = n1, tn = 0
        while i < n1 || j < n0 {
            let v = i < n1 ? (j < n0 ? min(x[i], y[j]) : x[i]) : y[j]
            while i < n1 && x[i] == v { tp -= 1; i += 1 }
            while j < n0 && y[j] == v { tn += 1; j += 1 }
            let next: Double
            if i < n1 { next = j < n0 ? min(x[i], y[j]) : x[i] } else if j < n0 { next = y[j] } else { next = .infinity }
            let threshold = next.isFinite ? (v + next) / 2 : .infinity
            visit(tp * n0 + tn * n1, threshold)
        }
    }
}
