import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// Which cutoff criterion travels best between protocols: per estimator of a run that has more
/// than one criterion, the sampling spread of its cutoff in one study at the reference protocol,
/// the largest systematic shift of its population optimum c\* across the protocols, and what a
/// centre working under that most-shifted protocol loses by using the reference protocol's c\*
/// instead of its own (in J, in net benefit at the criteria's p_t, in sensitivity and
/// specificity). Population quantities come from the cells' truths; the spread carries its MCSE.
public struct CriterionStability: Sendable {
    public struct Row: Sendable {
        public let method: EstimationMethod
        /// SD of ĉ over the reference cell's cohorts and its MCSE.
        public let sd: Double
        public let sdMCSE: Double
        /// The cell whose c\* lies farthest from the reference's, and c\*(cell) − c\*(ref) with
        /// its numerical error.
        public let farthestCell: Int
        public let shift: Double
        public let shiftError: Double
        /// A centre of the farthest cell's protocol, using the reference's c\* instead of its
        /// own: J and net benefit lost (own − transported; positive is a loss), and the change
        /// in sensitivity and specificity (transported − own).
        public let jLoss: Double
        public let netBenefitLoss: Double
        public let sensitivityChange: Double
        public let specificityChange: Double
        /// c\*(cell) − c\*(ref) per cell: 0 for the reference, nil where the criterion has no
        /// target or its c\* calls almost everyone positive or negative (`extremeCells`).
        public let shifts: [Double?]
        /// Cells whose c\* lies below all but 1% of the non-events' scores or above all but 1%
        /// of the events': the criterion calls (almost) every patient positive or negative
        /// there, and a shift to such a c\* is not a distance between cutoffs.
        public let extremeCells: [Int]

        /// The largest |shift| over the cells not in `excluded` (and not extreme), with its cell.
        public func largestShift(excluding excluded: Set<Int> = []) -> (cell: Int, shift: Double)? {
            CriterionStability.largest(shifts, excluding: excluded)
        }
    }

    public let rows: [Row]
    public let reference: Int
    /// The criteria's parameters (the reference cell's); the net benefit the losses are counted
    /// in is at their threshold probability.
    public let parameters: CriterionParameters
    public var thresholdProbability: Double { parameters.thresholdProbability }

    /// nil unless the run has a reference and other cells, and its reference cell runs
    /// estimators of at least two criteria.
    public init?(summaries: [CellSummary], design: Design) {
        guard let ref = design.cells.firstIndex(where: \.isReference), summaries.count > 1 else { return nil }
        let refSummary = summaries[ref]
        let criteria = Set(refSummary.methods.map { $0.method.estimator.criterion.criterionID })
        guard criteria.count >= 2 else { return nil }
        reference = ref
        let k = refSummary.truth.criteria
        parameters = k
        func netBenefit(_ t: Truth, _ c: Double) -> Double { NetBenefit.value(at: t.point(at: c), k) }
        rows = refSummary.methods.compactMap { ms in
            guard let spread = ms.cutoff, ms.target.cutoff.isFinite else { return nil }
            var shifts = [Double?](repeating: nil, count: summaries.count), extreme: [Int] = []
            shifts[ref] = 0
            for (c, s) in summaries.enumerated() where c != ref {
                guard let t = s.method(ms.method)?.target, t.cutoff.isFinite else { continue }
                if Self.isExtreme(s.truth, t.cutoff) { extreme.append(c); continue }
                shifts[c] = t.cutoff - ms.target.cutoff
            }
            // The farthest cell is the first of the largest |shift| (the reference, 0, when none moves).
            let (far, shift) = Self.largest(shifts).flatMap { $0.shift != 0 ? $0 : nil } ?? (ref, 0)
            let error = far == ref ? 0 : MonteCarloRule.differenceError(summaries[far].method(ms.method)!.target, ms.target)
            let centre = summaries[far].truth
            let own = summaries[far].target(ms.method), transported = ms.target.cutoff
            return Row(method: ms.method, sd: spread.sd, sdMCSE: spread.mcseSD, farthestCell: far, shift: shift, shiftError: error,
                       jLoss: centre.youden(at: own) - centre.youden(at: transported),
                       netBenefitLoss: netBenefit(centre, own) - netBenefit(centre, transported),
                       sensitivityChange: centre.sensitivity(at: transported) - centre.sensitivity(at: own),
                       specificityChange: centre.specificity(at: transported) - centre.specificity(at: own),
                       shifts: shifts, extremeCells: extreme)
        }
    }

    /// The first cell of the largest |shift| among those not excluded (nil when none has one).
    static func largest(_ shifts: [Double?], excluding excluded: Set<Int> = []) -> (cell: Int, shift: Double)? {
        var best: (cell: Int, shift: Double)? = nil
        for (c, s) in shifts.enumerated() where !excluded.contains(c) {
            guard let s else { continue }
            if best == nil || abs(s) > abs(best!.shift) { best = (c, s) }
        }
        return best
    }

    /// Whether a cutoff calls almost every patient of a population positive or negative.
    public static func isExtreme(_ t: Truth, _ c: Double) -> Bool { t.specificity(at: c) < 0.01 || t.sensitivity(at: c) < 0.01 }
}
