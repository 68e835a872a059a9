import Foundation
import Testing
import VBQLab
import VBQTestSupport

/// Monte Carlo properties of the engine, with fixed seeds and bounds of at least 4 MCSE.
@Suite struct SimulationTests {
    static func baseline(sizes: [Int], replicates: Int, methods: String = "[empirical, binormal, kernel]", seed: Int = 11) throws -> RunResult {
        let yaml = """
        name: mc
        seed: \(seed)
        replicates: \(replicates)
        cohort: { events: 67, non_events: 189 }
        generator:
          event: { distribution: normal, mean: 3.62, sd: 0.46 }
          non_event: { distribution: normal, mean: 2.97, sd: 0.43 }
        methods: \(methods)
        fixed_cutoffs: [3.3]
        vary:
          cohort.size: [\(sizes.map(String.init).joined(separator: ", "))]
        """
        return try Runner.run(RunRequest(scenario: try ScenarioLoader.load(text: yaml, file: "mc.yaml"), threads: 2))
    }

    // At n = 256 the mean empirical AUC is within 4 MCSE of AUC* (the Mann–Whitney AUC is unbiased).
    @Test func meanAUCMatchesTruth() throws {
        let r = try Self.baseline(sizes: [256], replicates: 4000, methods: "[empirical]")
        let s = r.summaries[0]
        let auc = try #require(s.auc)
        #expect(isClose(auc.mean, s.truth.auc, .monteCarlo(4 * auc.mcseMean)), "mean AUC \(auc.mean) vs \(s.truth.auc) ± \(auc.mcseMean)")
        // DeLong's SE is close to the AUC's actual spread, and its CI covers AUC* near 95%.
        let se = try #require(s.aucStandardError)
        #expect(isClose(se.mean / auc.sd, 1, .approximation(0.06)))
        #expect(isClose(s.aucCoverage.value, 0.95, .monteCarlo(4 * s.aucCoverage.mcse + 0.01)))
    }

    // Sampling spread against cohort size. The binormal cutoff is a smooth function of the class
    // means and SDs, so its SD falls as 1/√n (log-log slope −1/2). The empirical Youden cutoff
    // is an argmax of a step function: its SD falls roughly as 1/√n but measurably slower, at
    // the cube-root rate n^(−1/3) of such estimators (Kim & Pollard, Ann Stat 1990).
    @Test func cutoffSpreadShrinksWithN() throws {
        let sizes = [64, 128, 256, 512, 1024]
        let r = try Self.baseline(sizes: sizes, replicates: 3000, methods: "[empirical, binormal]")
        func slope(_ m: EstimationMethod) -> (Double, [Double]) {
            let sds = r.summaries.map { $0.method(m)!.cutoff!.sd }
            let x = sizes.map { log(Double($0)) }, y = sds.map { log($0) }
            let mx: Double = x.reduce(0, +) / 5
            let my: Double = y.reduce(0, +) / 5
            var sxy = 0.0, sxx = 0.0
            for (a, b) in zip(x, y) { sxy += (a - mx) * (b - my); sxx += (a - mx) * (a - mx) }
            let b = sxy / sxx
            return (b, sds)
        }
        let (empirical, sdsE) = slope(.empirical)
        let (binormal, sdsB) = slope(.binormal)
        // Every doubling of n shrinks the spread.
        for i in 1..<sizes.count {
            #expect(sdsE[i] < sdsE[i - 1])
            #expect(sdsB[i] < sdsB[i - 1])
        }
        // SD of an SD estimated from 3000 replicates is ≈ SD/√6000 ≈ 1.3%; the slope's error is ≈ 0.01.
        #expect(isClose(binormal, -0.5, .approximation(0.06)), "binormal slope \(binormal)")
        #expect(empirical < -0.25 && empirical > -0.45, "empirical slope \(empirical)")
    }

    // Choosing the cutoff on the same data is optimistic (lit:M2, M3): apparent J exceeds the
    // true J of the chosen cutoff, and the true J never exceeds J*.
    @Test func optimismIsPositiveAndTrueJIsBounded() throws {
        let r = try Self.baseline(sizes: [64, 256], replicates: 1000, methods: "[empirical, kernel]")
        for s in r.summaries {
            for m in s.methods {
                let opt = try #require(m.optimism)
                #expect(opt.mean > 4 * opt.mcseMean)
                #expect(try #require(m.trueYoudenJ).q975 <= s.truth.youdenJ + 1e-12)
            }
        }
        // Smaller cohorts are more optimistic.
        #expect(r.summaries[0].method(.empirical)!.optimism!.mean > r.summaries[1].method(.empirical)!.optimism!.mean)
    }

    // Fixed cutoff 3.3: the cohort sensitivity is unbiased for the true sensitivity at 3.3.
    @Test func fixedCutoffSensitivityIsUnbiased() throws {
        let r = try Self.baseline(sizes: [256], replicates: 2000, methods: "[empirical]")
        let f = try #require(r.summaries[0].fixed.first)
        let sens = try #require(f.sensitivity)
        #expect(isClose(sens.mean, f.trueSensitivity, .monteCarlo(4 * sens.mcseMean)))
        #expect(isClose(f.trueSensitivity, 0.7567, .approximation(0.0001)))
    }

    // The reference cell has zero drift; a cell with a shifted event mean drifts by exactly Δc*.
    @Test func driftAgainstReference() throws {
        let yaml = """
        seed: 3
        replicates: 300
        cohort: { events: 67, non_events: 189 }
        generator:
          event: { distribution: normal, mean: 3.62, sd: 0.43 }
          non_event: { distribution: normal, mean: 2.97, sd: 0.43 }
        methods: [empirical, binormal]
        vary:
          generator.event.mean: [3.62, 3.82]
        """
        let r = try Runner.run(RunRequest(scenario: try ScenarioLoader.load(text: yaml, file: "d.yaml"), threads: 2))
        let ref = try #require(r.summaries[0].method(.binormal)?.drift)
        #expect(ref.truth == 0 && ref.meanCutoff == 0)
        let moved = try #require(r.summaries[1].method(.binormal)?.drift)
        #expect(isClose(moved.truth, 0.1, .rounding(1e-12)))      // equal SDs: c* is the midpoint, which moves by 0.2/2
        #expect(isClose(moved.meanCutoff, 0.1, .monteCarlo(4 * moved.mcse + 0.002)))
    }

    // Same seed: identical tables whatever the thread count; another seed: different.
    @Test func deterministicAcrossThreads() throws {
        let s = try ScenarioLoader.load(text: ScenarioTests.good, file: "t.yaml")
        let one = try Runner.run(RunRequest(scenario: s, replicates: 200, threads: 1))
        let two = try Runner.run(RunRequest(scenario: s, replicates: 200, threads: 2))
        let again = try Runner.run(RunRequest(scenario: s, replicates: 200, threads: 2))
        let other = try Runner.run(RunRequest(scenario: s, replicates: 200, seed: 6, threads: 2))
        #expect(ReplicatesCSV.make(one) == ReplicatesCSV.make(two))
        #expect(one.table.referenceROC == two.table.referenceROC)
        #expect(SummaryJSON.make(one).rendered() == SummaryJSON.make(two).rendered())
        #expect(ReplicatesCSV.make(two) == ReplicatesCSV.make(again))
        #expect(ReplicatesCSV.make(two) != ReplicatesCSV.make(other))
    }

    // Degenerate cohorts are counted, not dropped: binomial sampling at a tiny prevalence gives
    // cohorts without events, P(0 events) = 0.98^20 ≈ 0.668.
    @Test func degenerateCohortsAreCounted() throws {
        let yaml = """
        seed: 8
        replicates: 2000
        cohort: { size: 20, prevalence: 0.02, sampling: binomial }
        generator:
          event: { distribution: normal, mean: 3.62, sd: 0.46 }
          non_event: { distribution: normal, mean: 2.97, sd: 0.43 }
        methods: [empirical, binormal]
        """
        let r = try Runner.run(RunRequest(scenario: try ScenarioLoader.load(text: yaml, file: "g.yaml"), threads: 2))
        let s = r.summaries[0]
        let p = Double(s.degenerate[.noEvents] ?? 0) / 2000
        let expected: Double = Foundation.pow(0.98, 20.0)
        #expect(isClose(p, expected, .monteCarlo(4 * (expected * (1 - expected) / 2000).squareRoot())))
        // Cohorts with a single event have an empirical cutoff but no binormal one (needs 2 per class).
        let b = try #require(s.method(.binormal))
        #expect(b.failures > 0)
        #expect(b.cutoff!.n + b.failures + s.degenerateTotal == 2000)
        let json = SummaryJSON.make(r).rendered()
        #expect(!json.contains("nan") && !json.contains("NaN"))
    }
}

/// The non-normal families end to end: the numerical truth (grid + GSL root, QAGS) agrees with
/// what the simulation itself measures.
@Suite struct NonNormalFamiliesTests {
    static let yaml = """
    seed: 21
    replicates: 3000
    cohort: { size: 300, prevalence: 0.3 }
    generator:
      event:
        distribution: mixture
        components:
          - { weight: 0.7, distribution: gamma, mean: 3.5, sd: 0.45 }
          - { weight: 0.3, distribution: t, location: 3.9, scale: 0.3, df: 6 }
      non_event: { distribution: lognormal, mean: 2.97, sd: 0.43 }
    methods: [empirical, kernel]
    fixed_cutoffs: [3.3]
    """

    @Test func simulatedAUCAndSensitivityMatchTheNumericalTruth() throws {
        let r = try Runner.run(RunRequest(scenario: try ScenarioLoader.load(text: Self.yaml, file: "nn.yaml"), threads: 2))
        let s = r.summaries[0]
        #expect(s.truth.method.hasPrefix("numerical"))
        let auc = try #require(s.auc)
        #expect(isClose(auc.mean, s.truth.auc, .monteCarlo(4 * auc.mcseMean)), "AUC \(auc.mean) vs \(s.truth.auc)")
        let f = try #require(s.fixed.first)
        let sens = try #require(f.sensitivity), spec = try #require(f.specificity)
        #expect(isClose(sens.mean, f.trueSensitivity, .monteCarlo(4 * sens.mcseMean)))
        #expect(isClose(spec.mean, f.trueSpecificity, .monteCarlo(4 * spec.mcseMean)))
        // J(c*) is the maximum of J: no estimated cutoff does better in the population.
        for m in s.methods { #expect(try #require(m.trueYoudenJ).q975 <= s.truth.youdenJ + 1e-9) }
        // The cutoff estimates centre near c* (the kernel cutoff has small bias at n = 300).
        let kernel = try #require(s.method(.kernel)?.cutoff)
        #expect(isClose(kernel.bias, 0, .approximation(0.05)))
    }
}
