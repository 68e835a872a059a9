import VBQCore
import VBQEstimate
import VBQModel
/// Draws one simulated cohort of a cell: the measured scores of the events and of the
/// non-events. A generator only draws; it computes no statistic.
public struct CohortGenerator: Sendable {
    public let model: ModelSpec

    let mechanistic: MechanisticGenerator?

    public init(model: ModelSpec) {
        self.model = model
        if case let .mechanistic(m) = model.generator { mechanistic = MechanisticGenerator(m) } else { mechanistic = nil }
    }

    @inline(__always)
    static func draw(_ d: ScoreDistribution, _ count: Int, _ rng: RandomStream, into out: inout [Double]) {
        if case let .normal(m, s) = d { rng.appendNormals(count, mean: m, sd: s, to: &out); return }
        for _ in 0..<count { out.append(d.sample(rng)) }
    }

    /// Fills `events` and `nonEvents` (replacing their contents) from `rng`; returns the
    /// selection acceptance rate (patients kept / patients drawn).
    @discardableResult
    public func generate(_ rng: RandomStream, events: inout [Double], nonEvents: inout [Double]) -> Double {
        let cohort = model.cohort
        events.removeAll(keepingCapacity: true)
        nonEvents.removeAll(keepingCapacity: true)
        switch model.generator {
        case let .classConditional(event, nonEvent):
            let nEvents: Int
            switch cohort.sampling {
            case .fixed: nEvents = cohort.fixedEvents
            case .binomial: nEvents = rng.binomial(n: cohort.size, p: cohort.prevalence)
            }
            CohortGenerator.draw(event, nEvents, rng, into: &events)
            CohortGenerator.draw(nonEvent, cohort.size - nEvents, rng, into: &nonEvents)
            return 1
        case .mechanistic:
            let gen = mechanistic!
            let scanners = gen.scannerFactors(rng)
            var attempts = 0
            for _ in 0..<cohort.size {
                let p = gen.patient(rng, scanners: scanners, attempts: &attempts)
                // With follow-up to a horizon, a patient censored before it without failing is
                // in the cohort but in neither class.
                guard p.analysed else { continue }
                if p.event { events.append(p.score) } else { nonEvents.append(p.score) }
            }
            return Double(cohort.size) / Double(attempts)
        }
    }

    /// A mechanistic cohort with follow-up as the time-dependent ROC reads it: each patient's
    /// score, observed follow-up and whether the failure was observed (the same patients, from
    /// the same stream, as `generate` and `patients` draw). Returns the acceptance rate.
    @discardableResult
    package func generateSurvival(_ rng: RandomStream, scores: inout [Double], times: inout [Double], events: inout [Bool]) -> Double {
        guard let gen = mechanistic, gen.model.timed else { preconditionFailure("generateSurvival needs a mechanistic model with follow-up") }
        scores.removeAll(keepingCapacity: true); times.removeAll(keepingCapacity: true); events.removeAll(keepingCapacity: true)
        let scanners = gen.scannerFactors(rng)
        var attempts = 0
        for _ in 0..<model.cohort.size {
            let p = gen.patient(rng, scanners: scanners, attempts: &attempts)
            scores.append(p.score); times.append(p.followUp); events.append(p.observed)
        }
        return Double(model.cohort.size) / Double(attempts)
    }

    /// The patients of a mechanistic cohort, covariates and all: the same draws as `generate`
    /// makes from the same stream, so the same cohort the run analysed.
    public func patients(_ rng: RandomStream) -> [MechanisticPatient] {
        guard let gen = mechanistic else { preconditionFailure("patients(_:) needs the mechanistic family") }
        let scanners = gen.scannerFactors(rng)
        var attempts = 0
        return (0..<model.cohort.size).map { _ in gen.patient(rng, scanners: scanners, attempts: &attempts) }
    }

    /// A cohort of exactly `quota.events` events and `quota.nonEvents` non-events from the cell's
    /// population (the mechanistic family draws patients until both classes are full, as a study
    /// that recruits to fixed class counts would). False when 200 patients per place did not fill
    /// them (a class too rare in this population).
    public func generate(_ rng: RandomStream, events: inout [Double], nonEvents: inout [Double],
                         quota: (events: Int, nonEvents: Int)) -> Bool {
        events.removeAll(keepingCapacity: true)
        nonEvents.removeAll(keepingCapacity: true)
        switch model.generator {
        case let .classConditional(event, nonEvent):
            CohortGenerator.draw(event, quota.events, rng, into: &events)
            CohortGenerator.draw(nonEvent, quota.nonEvents, rng, into: &nonEvents)
            return true
        case .mechanistic:
            guard let kept = patients(rng, quota: quota) else { return false }
            for p in kept { if p.event { events.append(p.score) } else { nonEvents.append(p.score) } }
            return true
        }
    }

    /// The patients of a mechanistic cohort of exactly `quota.events` events and
    /// `quota.nonEvents` non-events, in the order drawn (nil when 200 patients per place did not
    /// fill them): the same patients whose scores `generate(_:events:nonEvents:quota:)` keeps.
    public func patients(_ rng: RandomStream, quota: (events: Int, nonEvents: Int)) -> [MechanisticPatient]? {
        guard let gen = mechanistic else { preconditionFailure("patients(_:quota:) needs the mechanistic family") }
        let scanners = gen.scannerFactors(rng)
        var attempts = 0, events = 0, nonEvents = 0
        var kept: [MechanisticPatient] = []
        kept.reserveCapacity(quota.events + quota.nonEvents)
        let limit = 200 * (quota.events + quota.nonEvents)
        for _ in 0..<limit {
            if events == quota.events && nonEvents == quota.nonEvents { return kept }
            guard let p = gen.patient(rng, scanners: scanners, attempts: &attempts, maxAttempts: 10_000) else { return nil }
            guard p.analysed else { continue }
            if p.event { if events < quota.events { events += 1; kept.append(p) } }
            else if nonEvents < quota.nonEvents { nonEvents += 1; kept.append(p) }
        }
        return events == quota.events && nonEvents == quota.nonEvents ? kept : nil
    }
}
