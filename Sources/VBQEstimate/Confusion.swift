import VBQCore
/// The 2×2 table of a cutoff on one cohort. A score at or above the cutoff is test-positive
/// (pROC's convention for `direction = "<"`: cases have higher scores).
public struct Confusion: Sendable, Equatable {
    public let cutoff: Double
    public let tp, fn, tn, fp: Int

    public var sensitivity: Double { ratio(tp, tp + fn) }
    public var specificity: Double { ratio(tn, tn + fp) }
    /// NaN when no patient tests positive (PPV undefined); summaries count such cohorts.
    public var ppv: Double { ratio(tp, tp + fp) }
    /// NaN when no patient tests negative.
    public var npv: Double { ratio(tn, tn + fn) }
    public var accuracy: Double { ratio(tp + tn, tp + fn + tn + fp) }
    public var youden: Double { sensitivity + specificity - 1 }

    private func ratio(_ a: Int, _ b: Int) -> Double { b > 0 ? Double(a) / Double(b) : .nan }

    /// Counts on sorted classes by binary search: O(log n).
    public init(cutoff: Double, positives: UnsafeBufferPointer<Double>, negatives: UnsafeBufferPointer<Double>) {
        self.cutoff = cutoff
        let posBelow = lowerBound(positives, cutoff)     // positives with score < cutoff
        let negBelow = lowerBound(negatives, cutoff)
        tp = positives.count - posBelow
        fn = posBelow
        tn = negBelow
        fp = negatives.count - negBelow
    }

    public init(cutoff: Double, tp: Int, fn: Int, tn: Int, fp: Int) {
        self.cutoff = cutoff
        self.tp = tp; self.fn = fn; self.tn = tn; self.fp = fp
    }
}

/// Index of the first element ≥ x in a sorted buffer.
@inline(__always)
package func lowerBound(_ a: UnsafeBufferPointer<Double>, _ x: Double) -> Int {
    var lo = 0, hi = a.count
    while lo < hi {
        let mid = (lo + hi) >> 1
        if a[mid] < x { lo = mid + 1 } else { hi = mid }
    }
    return lo
}

/// Index of the first element > x in a sorted buffer.
@inline(__always)
package func upperBound(_ a: UnsafeBufferPointer<Double>, _ x: Double) -> Int {
    var lo = 0, hi = a.count
    while lo < hi {
        let mid = (lo + hi) >> 1
        if a[mid] <= x { lo = mid + 1 } else { hi = mid }
    }
    return lo
}
