import Foundation
import Testing
import VBQLab
import VBQTestSupport

/// The sentences of report.md are held to the numbers: the two-study power against a
/// simulation of pairs of studies, the fitted spread rates against their theory, the rounding
/// artefact against the classification it leaves unchanged.
@Suite struct ReportStatementTests {
    /// A run of the scenario `text` (named `file` in errors) on 2 threads.
    static func run(_ text: String, file: String, quick: Bool = false) throws -> RunResult {
        try Runner.run(RunRequest(scenario: try ScenarioLoader.load(text: text, file: file), threads: 2, quick: quick))
    }

    static let shifted = """
    name: shift
    seed: 31
    replicates: 20000
    cohort: {events: 67, non_events: 189}
    generator:
      event: {distribution: normal, mean: 3.62, sd: 0.46}
      non_event: {distribution: normal, mean: 2.97, sd: 0.43}
    methods: [binormal, empirical]
    vary:
      generator.event.mean: [3.62, 3.69]
      generator.non_event.mean: [2.97, 3.04]
    subset: one_at_a_time

    """

    /// Φ(Δ/s − z) + Φ(−Δ/s − z) against the share of simulated pairs of independent studies
    /// (cohort r of one cell, cohort r + R/2 of the other) whose cutoffs differ significantly.
    @Test func twoStudyPowerMatchesPairsOfSimulatedStudies() throws {
        // Both class means up by 0.07: c* moves by about 0.07, a shift of about 1.5 pooled SDs
        // of the binormal cutoff (power near 0.3, where a wrong formula shows most).
        let text = Self.shifted.replacingOccurrences(of: "subset: one_at_a_time\n", with: "subset: [{generator.event.mean: 3.62, generator.non_event.mean: 2.97}, {generator.event.mean: 3.69, generator.non_event.mean: 3.04}]\n")
        let r = try Self.run(text, file: "shift.yaml")
        for method in [EstimationMethod.binormal, .empirical] {
            let col = try #require(r.table.layout.column(.method(method, .cutoff)))
            let a = r.table.column(col, cell: 0), b = r.table.column(col, cell: 1)
            let sa = r.summaries[0].method(method)!.cutoff!, sb = r.summaries[1].method(method)!.cutoff!
            let formula = TwoStudy.power(difference: sb.mean - sa.mean, sd1: sa.sd, sd2: sb.sd)
            let simulated = TwoStudy.simulated(a, b, sd1: sa.sd, sd2: sb.sd)
            // Independent pairs: no cohort in two of them, so R/2 pairs at most (the binomial MCSE holds).
            #expect(simulated.n <= a.count / 2 && simulated.n >= a.count / 2 - a.count / 20, "\(simulated.n) pairs of \(a.count) cohorts")
            if method == .binormal { #expect(formula > 0.15 && formula < 0.6, "\(method): \(formula)") }
            // The binormal cutoff is close to normal: agreement within 4 MCSE. The empirical
            // cutoff's distribution is lumpier; the normal approximation is allowed 0.03 more.
            let slack = method == .binormal ? 0 : 0.03
            #expect(isClose(formula, simulated.value, .monteCarlo(4 * simulated.mcse + slack)),
                    "\(method): formula \(formula), simulated \(simulated.value) ± \(simulated.mcse)")
        }
        #expect(isClose(TwoStudy.power(difference: 0, sd1: 0.1, sd2: 0.1), 0.05, .rounding(1e-12)))
        // Δ = 1.96·s + 0.8416·s gives 80% (the second tail is negligible).
        let s = (0.1 * 0.1 + 0.2 * 0.2).squareRoot()
        #expect(isClose(TwoStudy.power(difference: (1.959963984540054 + 0.8416212335729143) * s, sd1: 0.1, sd2: 0.2), 0.8, .numerical(1e-6)))
    }

    /// The fitted rate is the slope of log SD on log n; exact power laws are recovered.
    @Test func spreadRateRecoversAPowerLaw() throws {
        let n = [64.0, 128, 256, 512, 1024]
        let sd = n.map { 0.9 * pow($0, -1.0 / 3) }
        let rate = try #require(SpreadRate(n: n, sd: sd, mcse: sd.map { $0 * 0.01 }))
        #expect(isClose(rate.slope, -1.0 / 3, .rounding(1e-12)))
        #expect(rate.lower < -1.0 / 3 && rate.upper > -1.0 / 3)
        #expect(rate.upper - rate.lower < 0.05)
    }

    /// The seed paper's baseline: the empirical cutoff's spread shrinks near n^(−1/3), the
    /// binormal cutoff's at n^(−1/2); the report says so, and ranks no factor.
    @Test func sizeSweepReportStatesTheRates() throws {
        let text = DefaultScenarios.all["wu2025-baseline"]!.replacingOccurrences(of: "replicates: 10000", with: "replicates: 4000")
        let r = try Self.run(text, file: "b.yaml")
        let report = Report.make(r)
        #expect(report.contains("## How the spread shrinks with the cohort size"))
        #expect(!report.contains("## Which factor moves the cutoff most"))
        func rate(_ m: EstimationMethod) throws -> SpreadRate {
            let rows = r.summaries.map { ($0.cell.model.cohort.size, $0.method(m)!.cutoff!) }
            return try #require(SpreadRate(n: rows.map { Double($0.0) }, sd: rows.map(\.1.sd), mcse: rows.map(\.1.mcseSD)))
        }
        let binormal = try rate(.binormal), empirical = try rate(.empirical)
        #expect(binormal.lower <= -0.5 && -0.5 <= binormal.upper, "binormal \(binormal)")
        #expect(empirical.upper < -0.25 && empirical.lower > -0.45, "empirical \(empirical)")
        #expect(empirical.slope > binormal.slope)
        #expect(report.contains("- **binormal**: b = "))
        #expect(report.contains("Close to n^(−1/2)"))
        // Close to −1/3 in slope; the report says whether −1/3 itself lies in the CI.
        #expect(report.contains(empirical.lower <= -1.0 / 3 && -1.0 / 3 <= empirical.upper ? "Close to n^(−1/3)" : "Near, though not exactly at, n^(−1/3)"))
    }

    /// Rounding to 0.1 moves c* only to a midpoint of the 0.1 grid: flagged, counted as no shift.
    @Test func roundingArtefactIsFlagged() throws {
        let text = """
        name: r
        seed: 5
        replicates: 300
        cohort: {size: 256}
        generator: {family: mechanistic}
        methods: [empirical]
        vary:
          measurement.rounding: [0, 0.1]
        reference: {measurement.rounding: 0}

        """
        let r = try Self.run(text, file: "r.yaml", quick: true)
        let rounded = r.summaries[1].truth, reference = r.summaries[0].truth
        #expect(rounded.cutoff != reference.cutoff)
        #expect(FactorDrift.isThresholdArtefact(rounded, reference: reference))
        #expect(!FactorDrift.isThresholdArtefact(reference, reference: rounded), "a continuous score has no flat stretch of J")
        let d = try #require(r.factorDrift.first)
        #expect(d.largest.shift == 0 && d.largest.thresholdArtefact && d.levels[1].thresholdArtefact && !d.largest.isResolved)
        let report = Report.make(r)
        #expect(report.contains("(grid of rounded scores: no shift)"))
        #expect(report.contains("It is counted as no shift of the cutoff. The measurement itself does change the test"))
        #expect(report.contains("No factor varied here moves the population-optimal cutoff beyond Monte Carlo error anywhere in this design"))
        // 300 cohorts: the report warns.
        #expect(report.contains("> **Few cohorts:** this report rests on 200 simulated cohorts per cell (`--quick`)"))
    }

    // A change of c* that the truths resolve but that is below 0.001 (what c* is printed to) is
    // neither ranked nor headed with: the steroid effect moves c* by about 0.0005 in the
    // mechanistic reference, with a numerical SE below 0.0001.
    @Test func resolvedButSmallShiftIsNotRanked() throws {
        let text = """
        seed: 5
        cohort: {size: 256}
        generator: {family: mechanistic}
        methods: [empirical]
        vary:
          bone_quality.steroids: [0.3, 1.0]
        reference: {bone_quality.steroids: 0.3}

        """
        let r = try Self.run(text, file: "s.yaml", quick: true)
        let d = try #require(r.factorDrift.first)
        #expect(d.largest.isResolved && !d.largest.isFinding, "Δc* \(d.largest.shift) (SE \(d.largest.error))")
        #expect(abs(d.largest.shift) < MonteCarloRule.smallestShift)
        let report = Report.make(r)
        #expect(report.contains("No factor varied here moves the population-optimal cutoff by 0.001 or more anywhere in this design (the largest |Δc\\*| is 0.000"))
        #expect(report.contains("| – | effect of long-term steroids on true VBQ"))
    }

    // MARK: the headline rules (MonteCarloRule, FactorDrift, TwoStudyCheck)

    /// 2 SE for one comparison; the largest of k must clear the Bonferroni z for k
    /// (R: qnorm(1 - 0.025 / 8) = 2.734369).
    @Test func aShiftMustClearItsError() {
        #expect(!MonteCarloRule.resolves(0.0019, error: 0.001))
        #expect(MonteCarloRule.resolves(-0.0021, error: 0.001))
        #expect(!MonteCarloRule.resolves(0.002, error: .nan))
        #expect(MonteCarloRule.bound(comparisons: 1) == 2)
        #expect(isClose(MonteCarloRule.bound(comparisons: 8), 2.734369, .numerical(1e-6)))
        #expect(!MonteCarloRule.resolves(0.0027, error: 0.001, comparisons: 8))
        #expect(MonteCarloRule.resolves(0.0028, error: 0.001, comparisons: 8))
    }

    /// A reader SD changed by 0.0005 moves c* by far less than the truth simulation's error:
    /// the report headlines no factor and ranks none as moving the cutoff (0.2.0 said
    /// "readers.sd moves the cutoff most: by 0.002").
    @Test func aFactorWithinItsErrorIsNotHeadlined() throws {
        let text = """
        name: inert
        seed: 9
        replicates: 400
        streams: common
        cohort: {size: 256}
        generator: {family: mechanistic}
        methods: [empirical]
        vary:
          measurement.readers.sd: [0.15, 0.1505]
        reference: {measurement.readers.sd: 0.15}
        question: "Does a reader SD of 0.1505 move the cutoff?"

        """
        let r = try Self.run(text, file: "inert.yaml")
        let d = try #require(r.factorDrift.first)
        #expect(abs(d.largest.shift) <= 2 * d.largest.error, "shift \(d.largest.shift), SE \(d.largest.error)")
        #expect(d.largest.error > 0)
        let report = Report.make(r)
        #expect(report.contains("**Does a reader SD of 0.1505 move the cutoff?** No factor varied here moves the population-optimal cutoff beyond Monte Carlo error"))
        #expect(!report.contains("moves the population-optimal cutoff most"))
        #expect(report.contains(": none beyond MC error |"))
    }

    /// The 1.5 T factor does nothing when no scan is at 1.5 T (the reference), and the share of
    /// 1.5 T scans does nothing when 1.5 T reads like 3.0 T (factor 1): measured only at the
    /// reference, neither moves c*, and 0.2.0's report said so. Measured where they act, each
    /// moves it by c*(1, 1.26) − c*(0 or 1.0 partner), which the ranking names with its cell.
    @Test func anInertAtReferenceFactorIsRankedByItsLargestEffect() throws {
        let text = """
        name: inert-at-reference
        seed: 12
        replicates: 400
        streams: common
        cohort: {size: 256}
        generator: {family: mechanistic}
        methods: [empirical]
        fixed_cutoffs: [3.3]
        vary:
          measurement.field.share_1_5T: [0, 1]
          measurement.field.factor_1_5T: [1.0, 1.26]
        reference: {measurement.field.share_1_5T: 0, measurement.field.factor_1_5T: 1.0}

        """
        let r = try Self.run(text, file: "i.yaml")
        let t = r.scenario.cellLevels.map { levels in r.summaries[r.scenario.cellLevels.firstIndex(of: levels)!].truth }
        func cell(_ share: Int, _ factor: Int) -> Int { r.scenario.cellLevels.firstIndex(of: [share, factor])! }
        let both = r.summaries[cell(1, 1)].truth.cutoff
        #expect(t.count == 4)
        for fd in r.factorDrift {
            #expect(!fd.atReference.isResolved, "\(fd.factor) at the reference: \(fd.atReference.shift)")
            #expect(fd.largest.isResolved && fd.largest.cell == cell(1, 1))
            let partner = fd.factor.hasSuffix("share_1_5T") ? cell(0, 1) : cell(1, 0)
            #expect(fd.largest.partner == partner)
            #expect(isClose(fd.largest.shift, both - r.summaries[partner].truth.cutoff, .rounding(1e-12)))
            #expect(fd.largest.shift > 0.3)
        }
        let report = Report.make(r)
        #expect(!report.contains("No factor varied here moves"))
        #expect(report.contains("moves the population-optimal cutoff most"))
        // At the reference the top factor changes nothing at all: said as such, not as an estimate.
        #expect(report.contains("At the reference protocol it changes nothing (by construction): it acts only together with"))
        #expect(report.contains("is larger than any factor's effect at the reference protocol"))
        #expect(report.contains(", in c4 ("), "the ranking names the cell where the factor acts")
        // The 1.5 T factor with no scan at 1.5 T changes no simulated value: that cell has the
        // reference's numbers and the factor's effect there is 0 by construction, with no SE. In
        // the interaction c*(both) − c*(share) − c*(factor) + c*(ref) the last two are one
        // estimate and cancel, so its SE is √(SE(both)² + SE(share)²), not a sum over four cells.
        #expect(r.sameNumbers[cell(0, 1)] == r.sameNumbers[cell(0, 0)])
        #expect(r.sameNumbers[cell(1, 1)] != r.sameNumbers[cell(0, 0)])
        let factor = try #require(r.factorDrift.first { $0.factor.hasSuffix("factor_1_5T") })
        #expect(factor.atReference.identical && factor.atReference.shift == 0 && factor.atReference.error == 0)
        #expect(report.contains("0 (by construction: changes no simulated value here)"))
        let inter = try #require(r.interactions.first)
        let ab = r.summaries[cell(1, 1)].truth, a = r.summaries[cell(1, 0)].truth
        #expect(isClose(inter.error, (ab.cutoffError * ab.cutoffError + a.cutoffError * a.cutoffError).squareRoot(), .rounding(1e-12)), "\(inter.error)")
    }

    /// A bias against an estimated c* carries c*'s own error: its MCSE is √(MCSE(mean)² + SE(c*)²).
    @Test func theBiasErrorCountsTheTruthsError() throws {
        let s = try #require(Stat([1, 2, 3, 6], target: 2, targetError: 0.3))
        // mean 3, SD √(14/3), MCSE of the mean √(14/3)/2 = 1.0801234.
        #expect(isClose(s.bias, 1, .rounding(1e-12)))
        #expect(isClose(s.mcseBias, (14.0 / 12 + 0.09).squareRoot(), .rounding(1e-12)))
        #expect(Stat([1, 2, 3, 6], target: 2)!.mcseBias == Stat([1, 2, 3, 6], target: 2)!.mcseMean)
    }

    /// The probability that two studies differ is counted on pairs of simulated cohorts, with
    /// the test's actual level (both studies from one cell) beside it: near 5% for the
    /// binormal cutoff, whose distribution is close to normal; the probability agrees with the
    /// normal formula Φ(Δ/s − z) + Φ(−Δ/s − z).
    @Test func theTwoStudyProbabilityComesWithItsLevel() throws {
        let r = try Self.run(Self.shifted.replacingOccurrences(of: "methods: [binormal, empirical]", with: "methods: [binormal]"), file: "shift.yaml")
        let fd = try #require(r.factorDrift.first)
        let check = try #require(fd.largest.twoStudy)
        // 20,000 pairs: MCSE 0.0015; the binormal cutoff is near normal but not exactly (0.047 here).
        #expect(isClose(check.level.value, 0.05, .monteCarlo(4 * check.level.mcse + 0.005)), "level \(check.level.value)")
        let a = r.summaries[fd.largest.partner].method(.binormal)!.cutoff!, b = r.summaries[fd.largest.cell].method(.binormal)!.cutoff!
        let formula = TwoStudy.power(difference: b.mean - a.mean, sd1: a.sd, sd2: b.sd)
        #expect(isClose(check.probability.value, formula, .monteCarlo(4 * check.probability.mcse)))
        #expect(check.exceedsLevel)
        let report = Report.make(r)
        #expect(report.contains("| P(two studies differ), where Δc\\* is largest | its level |"))
        let p = { (x: Proportion) in "\(Format.percent(x.value)) (\(Format.percent(x.mcse)))" }
        #expect(report.contains("with probability \(p(check.probability)), against \(p(check.level)) when nothing differs (the test's actual level)"))
    }
}
