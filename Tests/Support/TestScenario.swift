/// Small class-conditional scenarios for tests that need a quick run: two normal classes
/// (events 3.6 ± 0.4, non-events 3.0 ± 0.4, 20 and 40 of them), the empirical method, and a
/// cohort-size factor whose levels give the cells.
public enum TestScenario {
    public static func normal(name: String, seed: Int, replicates: Int, sizes: [Int]) -> String {
        """
        name: \(name)
        seed: \(seed)
        replicates: \(replicates)
        cohort: {events: 20, non_events: 40}
        generator:
          event: {distribution: normal, mean: 3.6, sd: 0.4}
          non_event: {distribution: normal, mean: 3.0, sd: 0.4}
        methods: [empirical]
        vary:
          cohort.size: [\(sizes.map(String.init).joined(separator: ", "))]

        """
    }
}
