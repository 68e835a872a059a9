import Foundation
import Testing
import VBQLab
import VBQTestSupport

/// `vbqlab power`: the analytic companions against published values and hand calculations,
/// and the simulated power against them where their assumptions hold.
@Suite struct PowerTests {
    // Obuchowski's one-sample formula as R's pROC 1.18 implements it (pROC writes √2 as 1.414,
    // hence the 2e-4 relative tolerance). The R calls:
    //   power.roc.test(auc=0.7, sig.level=0.05, power=0.9, kappa=1, alternative="one.sided")$ncases  # 32.65396524
    //   power.roc.test(auc=0.7, sig.level=0.05, power=0.9, kappa=1)$ncases                           # 40.21369017
    //   power.roc.test(auc=0.8, sig.level=0.01, power=0.9, kappa=2, alternative="one.sided")$ncases  # 15.99843975
    //   power.roc.test(auc=0.85, ncases=20, ncontrols=56, sig.level=0.05)$power                      # 0.9996027497
    // The first is Obuchowski's (2004) Table 4 entry: about 33 cases for AUC 0.7, one-sided.
    @Test func obuchowskiMatchesPROC() {
        // A true AUC below the null: no n shows AUC > a₀, and the power stays below α.
        #expect(SampleSizeFormulas.obuchowskiCases(auc: 0.85, null: 0.9, kappa: 3, alpha: 0.05, power: 0.8, sides: 1) == .infinity)
        #expect(SampleSizeFormulas.obuchowskiPower(auc: 0.85, null: 0.9, cases: 500, kappa: 3, alpha: 0.05, sides: 1) < 0.05)
        let n1 = SampleSizeFormulas.obuchowskiCases(auc: 0.7, kappa: 1, alpha: 0.05, power: 0.9, sides: 1)
        #expect(isClose(n1 / 32.65396524, 1, .approximation(2e-4)), "\(n1)")
        #expect(Int(n1.rounded(.up)) == 33)
        let n2 = SampleSizeFormulas.obuchowskiCases(auc: 0.7, kappa: 1, alpha: 0.05, power: 0.9, sides: 2)
        #expect(isClose(n2 / 40.21369017, 1, .approximation(2e-4)), "\(n2)")
        let n3 = SampleSizeFormulas.obuchowskiCases(auc: 0.8, kappa: 2, alpha: 0.01, power: 0.9, sides: 1)
        #expect(isClose(n3 / 15.99843975, 1, .approximation(2e-4)), "\(n3)")
        let p = SampleSizeFormulas.obuchowskiPower(auc: 0.85, cases: 20, kappa: 56.0 / 20, alpha: 0.05, sides: 2)
        #expect(isClose(p, 0.9996027497, .approximation(1e-5)), "\(p)")
        // Power and n are inverse: the power at the formula's n is the requested power.
        #expect(isClose(SampleSizeFormulas.obuchowskiPower(auc: 0.8, null: 0.7, cases: SampleSizeFormulas.obuchowskiCases(
            auc: 0.8, null: 0.7, kappa: 3, alpha: 0.05, power: 0.8, sides: 1), kappa: 3, alpha: 0.05, sides: 1), 0.8, .rounding(1e-12)))
    }

    // Buderer (1996) by hand: n = z²·p(1 − p)/w², z = 1.959964.
    // Sensitivity 0.8 within ±0.05: 3.841459 × 0.16 / 0.0025 = 245.853 → 246 cases;
    // at prevalence 0.2, 246/0.2 → 1230 patients. Specificity 0.9 within ±0.05: 138.29 → 139 non-cases.
    @Test func budererByHand() {
        let cases = SampleSizeFormulas.budererCount(proportion: 0.8, halfWidth: 0.05)
        #expect(isClose(cases, 245.853, .approximation(0.001)))
        #expect(Int((cases.rounded(.up) / 0.2).rounded(.up)) == 1230)
        #expect(isClose(SampleSizeFormulas.budererCount(proportion: 0.9, halfWidth: 0.05), 138.292, .approximation(0.001)))
        // At Buderer's n the normal approximation puts the estimate within ±w with probability 0.95.
        #expect(isClose(SampleSizeFormulas.proportionWithin(p: 0.8, halfWidth: 0.05, count: cases), 0.95, .numerical(1e-9)))
    }

    // Hanley & McNeil (1982) by hand: A = 0.8, 50 + 50: Q1 = 0.8/1.2, Q2 = 1.28/1.8,
    // SE² = [0.16 + 49(Q1 − 0.64) + 49(Q2 − 0.64)]/2500 = 4.951111/2500 → SE = 0.0445021.
    @Test func hanleyMcNeilByHand() {
        #expect(isClose(SampleSizeFormulas.hanleyMcNeilSE(auc: 0.8, cases: 50, controls: 50), 0.0445021, .numerical(1e-6)))
    }

    // The delta-method SE of the binormal cutoff at equal variances σ, by implicit differentiation
    // of g(x) = (x − m₁)²/s₁² − (x − m₀)²/s₀² − 2 ln(s₀/s₁) at the midpoint: ∂c/∂m₁ = ∂c/∂m₀ = ½ and
    // ∂c/∂s₁ = −∂c/∂s₀ = k = σ(1 − Δ²/(4σ²))/Δ, so
    // SE² = σ²/(4n₁) + σ²/(4n₀) + k²σ²/(2(n₁ − 1)) + k²σ²/(2(n₀ − 1)).
    @Test func binormalDeltaMethodEqualVariances() {
        let se = SampleSizeFormulas.binormalCutoffSE(eventMean: 3.6, eventSD: 0.45, nonEventMean: 3.0, nonEventSD: 0.45, events: 100, nonEvents: 300)
        let v = 0.45 * 0.45, delta = 0.6
        let k = 0.45 * (1 - delta * delta / (4 * v)) / delta
        let expected = (v / 400 + v / 1200 + k * k * v / 198 + k * k * v / 598).squareRoot()
        #expect(isClose(se, expected, .numerical(1e-6)), "\(se) vs \(expected)")
    }

    static let binormal = """
    name: pw
    seed: 41
    cohort: { size: 300, prevalence: 0.3 }
    generator:
      event: { distribution: normal, mean: 3.6, sd: 0.45 }
      non_event: { distribution: normal, mean: 3.0, sd: 0.45 }
    methods: [empirical, binormal]
    fixed_cutoffs: [3.3]

    """

    static func run(_ targets: [String], n: [Int], replicates: Int = 2500, power: Double = 0.8) throws -> PowerResult {
        let s = try ScenarioLoader.load(text: binormal, file: "pw.yaml")
        let spec = try PowerSpec.load(scenario: s, n: n, nRange: nil, events: nil, targets: targets, power: power, alpha: nil, replicates: replicates)
        return try PowerEngine.run(scenario: s, spec: spec, threads: 2)
    }

    // Where the formulas' assumptions hold (binormal classes), the simulated power at the
    // analytic n is within 3 MCSE of the analytic power there.
    @Test func simulationAgreesWithFormulasWhereTheyHold() throws {
        let r = try Self.run(["cutoff_precision: {method: binormal, delta: 0.08}", "sensitivity: {cutoff: 3.3, half_width: 0.08}"], n: [100, 400])
        for k in 0..<2 {
            let an = try #require(r.answers[k].analyticN)
            let n = Int(an.rounded(.up))
            let again = try Self.run([["cutoff_precision: {method: binormal, delta: 0.08}", "sensitivity: {cutoff: 3.3, half_width: 0.08}"][k]], n: [n])
            let p = again.points[0]
            #expect(isClose(p.values[0].value, p.analytic[0], .monteCarlo(3 * p.values[0].mcse)),
                    "target \(k) at n = \(n): simulated \(p.values[0].value) ± \(p.values[0].mcse), analytic \(p.analytic[0])")
        }
    }

    // Power rises with n (within MCSE), and the minimal-n search brackets its answer.
    @Test func monotoneAndBracketed() throws {
        let r = try Self.run(["auc_above: {null: 0.7}", "auc_ci: {half_width: 0.06}", "cutoff_precision: {method: empirical, delta: 0.15}"],
                             n: [60, 120, 200, 300, 450])
        for k in r.spec.targets.indices {
            for i in 1..<r.points.count {
                let a = r.points[i - 1].values[k], b = r.points[i].values[k]
                #expect(b.value >= a.value - 3 * (a.mcse * a.mcse + b.mcse * b.mcse).squareRoot(), "target \(k) falls from n \(r.points[i - 1].n) to \(r.points[i].n)")
            }
            let answer = r.answers[k]
            let n = try #require(answer.n), bracket = try #require(answer.bracket)
            #expect(bracket.0 < n && n <= bracket.1)
            let below = try #require(r.points.first { $0.n == bracket.0 }).values[k].value
            #expect(below < r.spec.power)
            #expect(try #require(answer.confirmed).value >= r.spec.power)
        }
        // Deterministic: the same spec and seed give the same numbers.
        let again = try Self.run(["auc_above: {null: 0.7}", "auc_ci: {half_width: 0.06}", "cutoff_precision: {method: empirical, delta: 0.15}"],
                                 n: [60, 120, 200, 300, 450])
        #expect(PowerReport.json(r).rendered() == PowerReport.json(again).rendered())
    }

    // The answer's Monte Carlo interval, by hand: the curve 0.746 (MCSE 0.009) at 300, 0.791
    // (0.008) at 400, 0.838 (0.007) at 600, goal 0.8. Optimistic edge (+1.96 MCSE): 0.76364 at
    // 300, 0.80668 at 400, so it meets 0.8 at 300 + 100 × 0.03636 / 0.04304 = 384.48 → 385.
    // Pessimistic edge (−1.96 MCSE): 0.77532 at 400, 0.82428 at 600, so 400 + 200 × 0.02468 /
    // 0.04896 = 500.82 → 501.
    @Test func theAnswersMonteCarloIntervalByHand() throws {
        let curve: [(n: Int, value: Double, mcse: Double)] = [(300, 0.746, 0.009), (400, 0.791, 0.008), (600, 0.838, 0.007)]
        let i = try #require(MinimalN.interval(curve, goal: 0.8, probability: true))
        #expect(i == NInterval(low: 385, high: 501, belowGrid: false))
        // Order does not matter; a pessimistic edge that never meets the goal leaves it open (goal
        // 0.83: optimistic 0.80668 at 400, 0.85172 at 600 → 400 + 200 × 0.02332 / 0.04504 = 503.55 → 504;
        // pessimistic 0.82428 at most).
        #expect(MinimalN.interval(curve.reversed(), goal: 0.8, probability: true) == i)
        #expect(MinimalN.interval(curve, goal: 0.83, probability: true) == NInterval(low: 504, high: nil, belowGrid: false))
        // A range target (a width to fall below): 0.50 (0.02) at 100, 0.40 (0.02) at 200, goal 0.45:
        // optimistic 0.4608 → 0.3608, meets at 100 + 100 × 0.0108 / 0.1 = 110.8 → 111; pessimistic
        // 0.5392 → 0.4392, at 100 + 100 × 0.0892 / 0.1 = 189.2 → 190.
        let range: [(n: Int, value: Double, mcse: Double)] = [(100, 0.50, 0.02), (200, 0.40, 0.02)]
        #expect(MinimalN.interval(range, goal: 0.45, probability: false) == NInterval(low: 111, high: 190, belowGrid: false))
        // Met already at the first size by its optimistic edge: flagged.
        #expect(MinimalN.interval([(20, 0.79, 0.01), (40, 0.9, 0.01)], goal: 0.8, probability: true)?.belowGrid == true)
        // A sweep's answer lies inside its interval.
        let r = try Self.run(["cutoff_precision: {method: empirical, delta: 0.15}"], n: [60, 120, 200, 300, 450])
        let a = r.answers[0], n = try #require(a.n), iv = try #require(a.interval)
        #expect(iv.low <= n && n <= (iv.high ?? .max), "\(n) outside \(iv)")
    }

    // The drift test: power rises with the size of the shift; with no shift it rejects about α of the time.
    @Test func driftTestSize() throws {
        let yaml = Self.binormal + "vary:\n  generator.event.mean: [3.6, 3.6000001]\n"
        let s = try ScenarioLoader.load(text: yaml, file: "pw.yaml")
        let spec = try PowerSpec.load(scenario: s, n: [200], nRange: nil, events: nil,
                                      targets: ["drift: {method: binormal, compare: {generator.event.mean: 3.6000001}}"],
                                      power: 0.8, alpha: 0.05, replicates: 1000)
        let r = try PowerEngine.run(scenario: s, spec: spec, threads: 2)
        let v = r.points[0].values[0]
        #expect(isClose(v.value, 0.05, .monteCarlo(4 * (0.05 * 0.95 / 1000).squareRoot() + 0.02)), "rejection rate \(v.value) without a shift")
    }

    // For a drift target the report measures the test's actual level at the answer's n (both
    // cohorts from the reference protocol); with normal classes it is close to α.
    @Test func driftTestLevelIsMeasured() throws {
        let yaml = Self.binormal + "vary:\n  generator.event.mean: [3.6, 3.9]\n"
        let s = try ScenarioLoader.load(text: yaml, file: "pw.yaml")
        let spec = try PowerSpec.load(scenario: s, n: [150, 300], nRange: nil, events: nil,
                                      targets: ["drift: {method: binormal, compare: {generator.event.mean: 3.9}}"],
                                      power: 0.8, alpha: 0.05, replicates: 1000)
        let r = try PowerEngine.run(scenario: s, spec: spec, threads: 2)
        let level = try #require(r.answers[0].testLevel)
        #expect(isClose(level.value, 0.05, .monteCarlo(4 * level.mcse + 0.015)), "level \(level.value) ± \(level.mcse)")
        #expect(r.points[1].values[0].value > r.points[0].values[0].value)   // more patients, more power
    }

    static let bad: [([String], Double?, [Int]?, String)] = [
        (["auc_ci: {half_width: 0.05}"], 1.5, [100], "--power: 1.5 is outside (0, 1)"),
        (["cutoff_precision: {method: kernal, delta: 0.1}"], nil, [100], "--target.cutoff_precision.method: unknown value 'kernal' (did you mean 'kernel'?)"),
        (["drift: {method: binormal, compare: {cohort.size: 999}}"], nil, [100], "--target.drift.compare"),
        (["auc_ci: {half_width: 0.05}"], nil, [], "pw.yaml: power.n: the n grid is empty"),
        (["auc_abov: {null: 0.7}"], nil, [100], "--target.auc_abov: unknown target (did you mean 'auc_above'?)"),
        (["auc_above: {null: 0.4}"], nil, [100], "--target.auc_above.null: 0.4 must lie in [0.5, 1)"),
    ]

    @Test(arguments: bad.indices)
    func badSpecifications(_ i: Int) throws {
        let (targets, power, n, expected) = Self.bad[i]
        let s = try ScenarioLoader.load(text: Self.binormal, file: "pw.yaml")
        do {
            _ = try PowerSpec.load(scenario: s, n: n, nRange: nil, events: nil, targets: targets, power: power, alpha: nil, replicates: 100)
            Issue.record("accepted \(targets)")
        } catch let e as VBQError {
            #expect(e.description.contains(expected), "\(e.description)")
            #expect(!e.description.contains("\n"))
        }
    }

    @Test func badRange() throws {
        let s = try ScenarioLoader.load(text: Self.binormal, file: "pw.yaml")
        #expect(throws: VBQError.self) {
            try PowerSpec.load(scenario: s, n: nil, nRange: "400:100:50", events: nil, targets: ["auc_ci: {half_width: 0.05}"],
                               power: nil, alpha: nil, replicates: nil)
        }
    }
}

/// What `vbqlab power` says must be true: separated cohorts count as rejections, the grant
/// paragraph names unmet targets and answers below the grid, and --target replaces.
@Suite struct PowerStatementTests {
    /// Normal classes with AUC 0.9 (means 1.81239 apart, SDs 1), five events and five
    /// non-events: many cohorts are perfectly separated (DeLong SE 0). vbqlab's simulated power
    /// of the one-sided DeLong test of AUC > 0.75 must agree with this file's own calculation —
    /// its own normal draws (Box–Muller on Swift's generator), Mann–Whitney AUC and DeLong SE —
    /// in which a separated cohort with AUC 1 rejects (z = +∞).
    @Test func separatedCohortsRejectTheNull() throws {
        let mu = 2.0.squareRoot() * 1.2815515655446004        // Φ(μ/√2) = 0.9
        let text = """
        seed: 8
        cohort: {events: 5, non_events: 5}
        generator:
          event: {distribution: normal, mean: \(mu), sd: 1}
          non_event: {distribution: normal, mean: 0, sd: 1}

        """
        let s = try ScenarioLoader.load(text: text, file: "sep.yaml")
        let spec = try PowerSpec.load(scenario: s, n: [10], nRange: nil, events: nil, targets: ["auc_above: {null: 0.75, sides: 1}"],
                                      power: 0.8, alpha: 0.05, replicates: 20_000)
        let r = try PowerEngine.run(scenario: s, spec: spec, threads: 2)
        let simulated = r.points[0].values[0]

        var rng = SystemRandomNumberGenerator()
        func normal() -> Double {
            let u = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &rng), v = Double.random(in: 0..<1, using: &rng)
            return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
        let draws = 200_000
        var rejected = 0, separated = 0
        for _ in 0..<draws {
            let x = (0..<5).map { _ in mu + normal() }, y = (0..<5).map { _ in normal() }
            func psi(_ a: Double, _ b: Double) -> Double { a > b ? 1 : (a == b ? 0.5 : 0) }
            let v10 = x.map { xi in y.map { psi(xi, $0) }.reduce(0, +) / 5 }
            let v01 = y.map { yj in x.map { psi($0, yj) }.reduce(0, +) / 5 }
            let auc = v10.reduce(0, +) / 5
            func variance(_ v: [Double]) -> Double { let m = v.reduce(0, +) / Double(v.count); return v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1) }
            let se = (variance(v10) / 5 + variance(v01) / 5).squareRoot()
            if se == 0 { separated += 1 }
            if se > 0 ? (auc - 0.75) / se > 1.6448536269514722 : auc > 0.75 { rejected += 1 }
        }
        let p = Double(rejected) / Double(draws), mcse = (p * (1 - p) / Double(draws)).squareRoot()
        #expect(Double(separated) / Double(draws) > 0.1, "separated cohorts must matter in this check")
        #expect(isClose(simulated.value, p, .monteCarlo(3 * (simulated.mcse * simulated.mcse + mcse * mcse).squareRoot())),
                "vbqlab \(simulated.value) ± \(simulated.mcse), independent \(p) ± \(mcse)")
    }

    static func run(_ targets: [String], grid: [Int], replicates: Int = 400) throws -> PowerResult {
        let s = try ScenarioLoader.load(text: PowerTests.binormal, file: "pw.yaml")
        let spec = try PowerSpec.load(scenario: s, n: grid, nRange: nil, events: nil, targets: targets, power: 0.8, alpha: nil, replicates: replicates)
        return try PowerEngine.run(scenario: s, spec: spec, threads: 2)
    }

    /// One target met only above the grid, one met already at its smallest size: the paragraph
    /// says which, never that every target is met, and writes the second as "≤ n".
    @Test func grantParagraphNamesUnmetTargetsAndAnswersBelowTheGrid() throws {
        let r = try Self.run(["specificity: {cutoff: 3.3, half_width: 0.1}", "cutoff_precision: {method: empirical, delta: 0.03}"], grid: [80, 120])
        #expect(r.answers[0].n == 80 && r.answers[0].bracket == nil)
        #expect(r.answers[1].n == nil)
        let p = PowerReport.paragraph(r)
        #expect(p.contains("80 patients (the smallest size simulated; fewer may suffice) give a probability"), "\(p)")
        #expect(p.contains("One target was not met at any size simulated, up to 120 patients"), "\(p)")
        #expect(p.contains("this design does not claim it"))
        #expect(!p.contains("each of the"), "\(p)")
        #expect(!p.contains("(tests at nominal α"), "no test among these targets: \(p)")
        #expect(PowerReport.answerText(r, 0) == "≤ 80")
        let md = PowerReport.markdown(r)
        #expect(md.contains("| ≤ 80 |"))
        #expect(md.contains("| not reached |"))
        // Every target met: the paragraph says each probability is for its own target.
        let all = try Self.run(["specificity: {cutoff: 3.3, half_width: 0.1}", "auc_above: {null: 0.7}"], grid: [40, 80, 160, 320])
        let q = PowerReport.paragraph(all)
        #expect(all.answers.allSatisfy { $0.n != nil })
        #expect(q.contains("each of these 2 targets reaches at least the requested probability of 0.8 on its own (within Monte Carlo error) (tests at nominal α = 0.05); both are met together in"), "\(q)")
        #expect(q.contains("(a hypothesis test)") && q.contains("(a precision goal)"), "\(q)")
    }

    /// The one-sided DeLong test of AUC > 0.75 is simulated at its null too: its actual level at
    /// the answer's n, from binormal classes with the population's SDs and AUC exactly 0.75,
    /// against this file's own simulation of that null (Box–Muller draws, Mann–Whitney AUC,
    /// DeLong SE). At 40 patients the test is liberal (about 0.09 against 0.05), and the report
    /// and the grant paragraph say so.
    @Test func theAUCTestsLevelIsSimulatedAtItsNull() throws {
        let s = try ScenarioLoader.load(text: PowerTests.binormal, file: "pw.yaml")
        let spec = try PowerSpec.load(scenario: s, n: [40], nRange: nil, events: nil, targets: ["auc_above: {null: 0.75, sides: 1}"],
                                      power: 0.3, alpha: 0.05, replicates: 8000)
        let r = try PowerEngine.run(scenario: s, spec: spec, threads: 2)
        let level = try #require(r.answers[0].testLevel)
        let n1 = Int(r.points[0].events.rounded()), n0 = 40 - n1
        #expect(n1 == 12)
        let sd1 = 0.45, sd0 = 0.45
        let mu1 = 3.0 + 0.6744897501960817 * (sd1 * sd1 + sd0 * sd0).squareRoot()   // Φ⁻¹(0.75); R: qnorm(0.75)
        var rng = SystemRandomNumberGenerator()
        func normal() -> Double {
            let u = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &rng), v = Double.random(in: 0..<1, using: &rng)
            return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
        let draws = 40_000
        var rejected = 0
        for _ in 0..<draws {
            let x = (0..<n1).map { _ in mu1 + sd1 * normal() }, y = (0..<n0).map { _ in 3.0 + sd0 * normal() }
            let v10 = x.map { xi in Double(y.filter { xi > $0 }.count) / Double(n0) }
            let v01 = y.map { yj in Double(x.filter { $0 > yj }.count) / Double(n1) }
            let auc = v10.reduce(0, +) / Double(n1)
            func variance(_ v: [Double]) -> Double { let m = v.reduce(0, +) / Double(v.count); return v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1) }
            let se = (variance(v10) / Double(n1) + variance(v01) / Double(n0)).squareRoot()
            if se > 0 ? (auc - 0.75) / se > 1.6448536269514722 : auc > 0.75 { rejected += 1 }
        }
        let p = Double(rejected) / Double(draws), mcse = (p * (1 - p) / Double(draws)).squareRoot()
        #expect(isClose(level.value, p, .monteCarlo(4 * (level.mcse * level.mcse + mcse * mcse).squareRoot())),
                "vbqlab \(level.value) ± \(level.mcse), independent \(p) ± \(mcse)")
        #expect(p > 0.065, "the test is liberal at this size: \(p)")
        let md = PowerReport.markdown(r)
        #expect(md.contains("The test's actual level: with cohorts of 40 from a population whose AUC is exactly 0.75"))
        #expect(md.contains("a test more liberal than nominal"))
        #expect(PowerReport.paragraph(r).contains("so this is the power of a more liberal test than planned"))
    }

    /// Sensitivity and specificity at a fixed cutoff in fixed-count cohorts rest on the events
    /// and the non-events apart, which are drawn independently: the chance of meeting both is
    /// the product of two exact binomial probabilities, P(|X/n₁ − Se| ≤ w) with X ~ Bin(n₁, Se)
    /// and the same for Sp. The plan's joint probability, counted on the simulated studies,
    /// must agree.
    @Test func theJointProbabilityOfAPlanAgreesWithTheProduct() throws {
        let r = try Self.run(["sensitivity: {cutoff: 3.3, half_width: 0.1}", "specificity: {cutoff: 3.3, half_width: 0.05}"],
                             grid: [60, 120, 240], replicates: 4000)
        let plan = try #require(r.plans.first)
        #expect(!plan.twoCentre && plan.targets == [0, 1])
        let joint = try #require(plan.joint)
        let n1 = Int((Double(plan.n) * 0.3).rounded()), n0 = plan.n - n1
        func within(_ p: Double, _ count: Int, _ w: Double) -> Double {
            // Σ over x with |x/count − p| ≤ w of the binomial probability, by logs.
            var sum = 0.0
            for x in 0...count where abs(Double(x) / Double(count) - p) <= w {
                let logC: Double = lgamma(Double(count + 1)) - lgamma(Double(x + 1)) - lgamma(Double(count - x + 1))
                sum += exp(logC + Double(x) * log(p) + Double(count - x) * log(1 - p))
            }
            return sum
        }
        let se = r.truth.sensitivity(at: 3.3), sp = r.truth.specificity(at: 3.3)
        let exact = within(se, n1, 0.1) * within(sp, n0, 0.05)
        #expect(isClose(joint.value, exact, .monteCarlo(4 * joint.mcse)), "joint \(joint.value) ± \(joint.mcse), exact \(exact) at n = \(plan.n)")
        #expect(joint.value < min(r.answers[0].confirmed!.value, r.answers[1].confirmed!.value))
        #expect(PowerReport.paragraph(r).contains("both are met together in \(Format.fixed(joint.value, 2))"))
    }

    /// --target replaces the scenario's targets (they were once added to them).
    @Test func commandLineTargetsReplaceTheScenarios() throws {
        let s = try ScenarioLoader.load(text: DefaultScenarios.all["power-grant"]!, file: "power-grant.yaml")
        let fromFile = try PowerSpec.load(scenario: s, n: nil, nRange: nil, events: nil, targets: [], power: nil, alpha: nil, replicates: nil)
        #expect(fromFile.targets.count == 7)
        let replaced = try PowerSpec.load(scenario: s, n: nil, nRange: nil, events: nil, targets: ["auc_ci: {half_width: 0.05}"],
                                          power: nil, alpha: nil, replicates: nil)
        #expect(replaced.targets.count == 1)
        #expect(replaced.targets[0].id.hasPrefix("auc_ci"))
    }
}
