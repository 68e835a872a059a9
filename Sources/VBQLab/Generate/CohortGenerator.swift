/// Draws one simulated cohort of a cell: the measured scores of the events and of the
/// non-events. A generator only draws; it computes no statistic.
public struct CohortGenerator: Sendable {
    public let model: ModelSpec

    public init(model: ModelSpec) { self.model = model }

    /// Fills `events` and `nonEvents` (replacing their contents) from `rng`.
    public func generate(_ rng: RandomStream, events: inout [Double], nonEvents: inout [Double]) {
        let cohort = model.cohort
        let nEvents: Int
        switch cohort.sampling {
        case .fixed: nEvents = cohort.fixedEvents
        case .binomial: nEvents = rng.binomial(n: cohort.size, p: cohort.prevalence)
        }
        events.removeAll(keepingCapacity: true)
        nonEvents.removeAll(keepingCapacity: true)
        switch model.generator {
        case let .classConditional(event, nonEvent):
            for _ in 0..<nEvents { events.append(event.sample(rng)) }
            for _ in 0..<(cohort.size - nEvents) { nonEvents.append(nonEvent.sample(rng)) }
        }
    }
}
