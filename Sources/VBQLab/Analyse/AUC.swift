/// The empirical AUC (Mann–Whitney, ties count ½) with DeLong's standard error, from
/// DeLong's placement values (DeLong, DeLong & Clarke-Pearson 1988), as R's pROC computes them.
public struct AUCEstimate: Sendable, Equatable {
    public let auc: Double
    /// NaN when a class has fewer than 2 members (pROC returns NA there too).
    public let standardError: Double
    /// 95% normal CI, clamped to [0, 1] as pROC's `ci.auc(method = "delong")` does.
    public var ci: (lower: Double, upper: Double) { AUCEstimate.ci(auc: auc, standardError: standardError) }

    static func ci(auc: Double, standardError: Double) -> (lower: Double, upper: Double) {
        guard standardError.isFinite else { return (.nan, .nan) }
        let z = 1.959963984540054
        return (max(0, auc - z * standardError), min(1, auc + z * standardError))
    }

    public static func == (a: Self, b: Self) -> Bool { a.auc == b.auc && a.standardError == b.standardError }

    /// Classes must be sorted ascending. O(n₁ + n₀).
    public init(positives x: UnsafeBufferPointer<Double>, negatives y: UnsafeBufferPointer<Double>) {
        let n1 = x.count, n0 = y.count
        guard n1 > 0, n0 > 0 else { self.init(n1: 0, n0: 0, sum10: .nan, sumsq10: .nan, sum01: .nan, sumsq01: .nan); return }
        self = ClassMerge.run(x, y, tied: nil).0
    }

    /// From the sums of the placement values V10 (events) and V01 (non-events) and their squares.
    init(n1: Int, n0: Int, sum10: Double, sumsq10: Double, sum01: Double, sumsq01: Double) {
        let theta = n1 > 0 ? sum10 / Double(n1) : .nan
        auc = theta
        guard n1 > 1, n0 > 1 else { standardError = .nan; return }
        // Sample variances of the placements (denominators n − 1), as pROC.
        let s10 = max(0, (sumsq10 - Double(n1) * theta * theta) / Double(n1 - 1))
        let mean01 = sum01 / Double(n0)
        let s01 = max(0, (sumsq01 - Double(n0) * mean01 * mean01) / Double(n0 - 1))
        standardError = (s10 / Double(n1) + s01 / Double(n0)).squareRoot()
    }
}
