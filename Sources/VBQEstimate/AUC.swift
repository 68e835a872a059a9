import VBQCore
/// The empirical AUC (Mann–Whitney, ties count ½) with DeLong's standard error, from
/// DeLong's placement values (DeLong, DeLong & Clarke-Pearson 1988), as R's pROC computes them.
public struct AUCEstimate: Sendable, Equatable {
    public let auc: Double
    /// NaN when a class has fewer than 2 members (pROC returns NA there too).
    public let standardError: Double
    /// 95% normal CI, clamped to [0, 1] as pROC's `ci.auc(method = "delong")` does.
    public var ci: (lower: Double, upper: Double) { AUCEstimate.ci(auc: auc, standardError: standardError) }

    package static func ci(auc: Double, standardError: Double) -> (lower: Double, upper: Double) {
        guard standardError.isFinite else { return (.nan, .nan) }
        let z = 1.959963984540054
        return (max(0, auc - z * standardError), min(1, auc + z * standardError))
    }

    public static func == (a: Self, b: Self) -> Bool { a.auc == b.auc && a.standardError == b.standardError }

    /// Classes must be sorted ascending. O(n₁ + n₀).
    public init(positives x: UnsafeBufferPointer<Double>, negatives y: UnsafeBufferPointer<Double>) {
        let n1 = x.count, n0 = y.count
        guard n1 > 0, n0 > 0 else { auc = .nan; standardError = .nan; return }
        self = ClassMerge.run(x, y, tied: nil).0
    }

    /// From the placement values in units of ½: each event's 2·#(y < x) + #(y = x) (their sum
    /// and sum of squares, exact integers), and each non-event's 2·#(x > y) + #(x = y).
    init(n1: Int, n0: Int, halves10 s10: UInt64, squares10 q10: UInt64, halves01 s01: UInt64, squares01 q01: UInt64) {
        let d1 = Double(n1), d0 = Double(n0)
        // The Mann–Whitney AUC: the events' placements summed exactly, divided once.
        let theta = Double(s10) / (2 * d0 * d1)
        auc = theta
        guard n1 > 1, n0 > 1 else { standardError = .nan; return }
        // Sample variances of the placements V10 = s/(2n₀) and V01 = s/(2n₁) (denominators n − 1), as pROC.
        let var10 = max(0, (Double(q10) / (4 * d0 * d0) - d1 * theta * theta) / (d1 - 1))
        let mean01 = Double(s01) / (2 * d1 * d0)
        let var01 = max(0, (Double(q01) / (4 * d1 * d1) - d0 * mean01 * mean01) / (d0 - 1))
        standardError = (var10 / d1 + var01 / d0).squareRoot()
    }
}
