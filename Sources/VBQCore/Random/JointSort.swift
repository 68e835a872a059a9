internal import CGSLShims

/// The C kernel that sorts a cohort's two classes together (CGSLShims/fast.c) behind a Swift
/// signature: what its one pass over the joint order gives, when it could sort them together.
public struct JointSortSums: Sendable {
    /// DeLong's placement sums, in halves.
    public var halves10: UInt64, squares10: UInt64, halves01: UInt64, squares01: UInt64
    /// The Youden search's best K = tp·n0 + tn·n1 and the number of tied thresholds written.
    public var best: Int64, ties: Int64

    /// Sorts `events` and `nonEvents` in place, ascending. Returns the sums when every score was
    /// distinct and the classes were sorted together; nil otherwise (both classes are sorted all
    /// the same). `scratch` holds 6(n1 + n0) + 528 words; `tied`, when not nil, room for
    /// 3(n1 + n0 + 1) values; `below`, when not nil, n0 + 1 counts: the events below each
    /// non-event.
    public static func sort(_ events: UnsafeMutableBufferPointer<Double>, _ nonEvents: UnsafeMutableBufferPointer<Double>,
                            scratch: UnsafeMutablePointer<UInt64>, tied: UnsafeMutablePointer<Double>?,
                            below: UnsafeMutablePointer<Int32>?) -> JointSortSums? {
        var stats = vbq_merge_stats()
        guard vbq_sort_classes(events.baseAddress, events.count, nonEvents.baseAddress, nonEvents.count,
                               scratch, tied, below, &stats) == 1 else { return nil }
        return JointSortSums(halves10: stats.halves10, squares10: stats.squares10, halves01: stats.halves01,
                             squares01: stats.squares01, best: stats.best, ties: stats.ties)
    }
}
