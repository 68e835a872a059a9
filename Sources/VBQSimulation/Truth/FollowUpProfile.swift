import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// What follow-up looks like in a cell with a `follow_up` section (docs/model.md §2c), from one
/// large sample of its operated patients drawn on the cell's own stream
/// (`StreamPurpose.followUpProfile`): how many the minimum-follow-up rule excludes, how long the
/// enrolled would be followed without failing, how many are censored before the horizon, the
/// share failing as each handling sees it, and the Kaplan–Meier curves of failure of the
/// patients scoring at or above the cell's c\*(t) and below it.
public struct FollowUpProfile: Sendable {
    /// Enrolled patients per profile: Kaplan–Meier curves within about ±0.01.
    public static let patients = 20_000

    public struct Curve: Sendable {
        public let patients: Int
        public let steps: [KaplanMeier.Step]
        /// 1 − Ŝ(t): the share failed by t.
        public func failed(at t: Double) -> Double { 1 - (steps.last { $0.time <= t }?.survival ?? 1) }
    }

    public let horizon: Double
    public let studyYears: Double
    /// c\*(t), which splits the two curves.
    public let cutoff: Double
    /// Share of operated patients the minimum-follow-up rule leaves out.
    public let excluded: Double
    /// Follow-up the enrolled would have without failing (years): 10th, 50th and 90th percentiles.
    public let potentialFollowUp: (q10: Double, q50: Double, q90: Double)
    /// Share of the enrolled censored before the horizon without failing.
    public let censoredBeforeHorizon: Double
    /// Share of the enrolled whose failure was observed by the last visit.
    public let observedByLastVisit: Double
    /// Share failed by the horizon among the enrolled followed to it or failing before (the
    /// horizon handling's share).
    public let failedAmongFollowed: Double
    /// The Kaplan–Meier F̂(t) of the enrolled.
    public let kaplanMeierFailed: Double
    /// Patients scoring at or above c\*(t), and below it.
    public let above, below: Curve
    /// The enrolled patients' potential follow-up, sorted.
    private let potential: [Double]

    /// The share of enrolled patients who would still be followed at t had they not failed.
    public func stillFollowed(at t: Double) -> Double {
        var lo = 0, hi = potential.count
        while lo < hi { let mid = (lo + hi) / 2; if potential[mid] <= t { lo = mid + 1 } else { hi = mid } }
        return Double(potential.count - lo) / Double(max(1, potential.count))
    }

    /// The profile of each cell with follow-up (nil for the others).
    public static func all(design: Design, truths: [Truth], seed: UInt64, threads: Int) -> [FollowUpProfile?] {
        let tree = SeedTree(root: seed)
        let cells = design.cells
        return Parallel.map(cells.count, threads: threads) { i -> FollowUpProfile? in
            guard let m = cells[i].model.followUp else { return nil }
            return FollowUpProfile(m, cutoff: truths[i].cutoff, rng: RandomStream(tree.state(.followUpProfile(cell: cells[i].streamKey))))
        }
    }

    init(_ m: MechanisticModel, cutoff: Double, rng: RandomStream) {
        horizon = m.horizonYears
        studyYears = m.studyYears
        self.cutoff = cutoff
        let gen = MechanisticGenerator(m)
        let scanners = gen.scannerFactors(rng)
        var attempts = 0, operated = 0
        var kept: [MechanisticPatient] = []
        kept.reserveCapacity(Self.patients)
        while kept.count < Self.patients {
            let p = gen.operatedPatient(rng, scanners: scanners, attempts: &attempts)
            operated += 1
            if p.enrolled { kept.append(p) }
        }
        excluded = 1 - Double(kept.count) / Double(operated)
        let n = Double(kept.count), t = m.horizonYears
        var c = kept.map(\.censoring)
        Numerics.sort(&c)
        potentialFollowUp = (Numerics.quantile(sorted: c, 0.1), Numerics.quantile(sorted: c, 0.5), Numerics.quantile(sorted: c, 0.9))
        potential = c
        censoredBeforeHorizon = Double(kept.filter { !$0.observed && $0.followUp <= t }.count) / n
        observedByLastVisit = Double(kept.filter(\.observed).count) / n
        let followed = kept.filter { ($0.observed && $0.followUp <= t) || $0.followUp > t }
        failedAmongFollowed = Double(followed.filter { $0.observed && $0.followUp <= t }.count) / Double(max(1, followed.count))
        kaplanMeierFailed = 1 - KaplanMeier.survival(times: kept.map(\.followUp), events: kept.map(\.observed), at: t)
        func curve(_ group: [MechanisticPatient]) -> Curve {
            Curve(patients: group.count, steps: KaplanMeier.curve(times: group.map(\.followUp), events: group.map(\.observed)))
        }
        above = curve(kept.filter { $0.score >= cutoff })
        below = curve(kept.filter { $0.score < cutoff })
    }
}
