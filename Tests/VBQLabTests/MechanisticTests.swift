import Foundation
import Testing
import VBQLab
import VBQTestSupport

/// The mechanistic family, stage by stage against its own analytic expectations (within
/// 4 MCSE on large simulations with fixed seeds), and as a whole against the seed paper.
@Suite struct MechanisticTests {
    static func model(_ yaml: String = "") throws -> MechanisticModel {
        let s = try ScenarioLoader.load(text: "cohort: {size: 256}\ngenerator: {family: mechanistic}\n" + yaml, file: "m.yaml")
        guard case let .mechanistic(m) = s.model.generator else { throw VBQError("not mechanistic") }
        return m
    }

    static func patients(_ m: MechanisticModel, _ n: Int, seed: UInt64 = 5) -> (patients: [MechanisticPatient], attempts: Int) {
        let gen = MechanisticGenerator(m)
        let rng = RandomStream(SeedTree(root: seed).state(for: [1]))
        let scanners = gen.scannerFactors(rng)
        var attempts = 0
        let ps = (0..<n).map { _ in gen.patient(rng, scanners: scanners, attempts: &attempts) }
        return (ps, attempts)
    }

    static func within(_ observed: Double, _ expected: Double, mcse: Double, _ what: String) {
        #expect(isClose(observed, expected, .monteCarlo(4 * mcse)), "\(what): \(observed) vs \(expected) ± \(mcse)")
    }

    // Stage 1: covariate frequencies and means (seed Table 1).
    @Test func population() throws {
        let m = try Self.model()
        let n = 200_000
        let ps = Self.patients(m, n).patients
        func share(_ f: (MechanisticPatient) -> Bool, _ p: Double, _ what: String) {
            Self.within(Double(ps.filter(f).count) / Double(n), p, mcse: (p * (1 - p) / Double(n)).squareRoot(), what)
        }
        share({ $0.female }, 0.74, "female")
        share({ $0.chronicDisease }, 0.67, "chronic disease")
        share({ $0.steroids }, 0.026, "steroids")
        for (k, p) in [0.55, 0.25, 0.12, 0.08].enumerated() { share({ $0.segments == k + 1 }, p, "\(k + 1) segments") }
        // Age: normal truncated to [18, 95], ±7.7 SD: the truncation moves the mean by < 1e-12.
        Self.within(ps.map(\.age).reduce(0, +) / Double(n), 68.7, mcse: 6.3 / Double(n).squareRoot(), "mean age")
        Self.within(ps.map(\.bmi).reduce(0, +) / Double(n), 24.5, mcse: 3.5 / Double(n).squareRoot(), "mean BMI")
        // Stage 2: E[v] = bone_quality.mean, since covariates are centred and the lognormal residual has mean 1.
        let v = ps.map(\.v)
        let sdV = Stat(v)!.sd
        Self.within(v.reduce(0, +) / Double(n), 3.14, mcse: sdV / Double(n).squareRoot(), "mean v")
    }

    // Stage 3: acceptance = 1 − q · P(v > v_exclude); with normal v of SD s and no covariate effects,
    // P(v > v_exclude) = 1 − Φ((v_exclude − mean)/s).
    @Test(arguments: [(0.5, 3.4), (0.9, 3.0), (0.0, 3.0)])
    func selectionAcceptance(_ q: Double, _ vExclude: Double) throws {
        let m = try Self.model("""
        bone_quality: {age_per_decade: 0, female: 0, chronic_disease: 0, steroids: 0, residual: normal, residual_sd: 0.4}
        selection: {q: \(q), v_exclude: \(vExclude)}
        """)
        let (ps, attempts) = Self.patients(m, 100_000)
        let above = 1 - Numerics.phi((vExclude - 3.14) / 0.4)
        let expected = 1 - q * above
        let observed = Double(ps.count) / Double(attempts)
        Self.within(observed, expected, mcse: (expected * (1 - expected) / Double(attempts)).squareRoot(), "acceptance")
        // Who is operated on: of the patients above v_exclude only a share 1 − q pass, so among
        // the operated their share is (1 − q)·P(v > v_exclude) / acceptance.
        let shareAbove = Double(ps.filter { $0.v > vExclude }.count) / Double(ps.count)
        let expectedAbove = (1 - q) * above / expected
        Self.within(shareAbove, expectedAbove, mcse: (expectedAbove * (1 - expectedAbove) / Double(ps.count)).squareRoot(),
                    "share above v_exclude among the operated")
    }

    // Stage 4: each mode's incidence against its logistic model, revision and imaging rates.
    @Test func failureModes() throws {
        let m = try Self.model()
        let n = 200_000
        let ps = Self.patients(m, n).patients
        for (i, mode) in m.modes.enumerated() {
            let bit: UInt8 = 1 << UInt8(i)
            let p = ps.map { 1 / (1 + exp(-(mode.alpha + mode.gamma * ($0.v - m.vRef) + mode.lambda * Double($0.segments - 1)))) }
            let expected = p.reduce(0, +) / Double(n)
            let variance = p.reduce(0) { $0 + $1 * (1 - $1) } / Double(n * n)
            let occurred = ps.filter { $0.occurred & bit != 0 }
            Self.within(Double(occurred.count) / Double(n), expected, mcse: variance.squareRoot(), "\(mode.name) incidence")
            let k = Double(occurred.count)
            Self.within(Double(occurred.filter { $0.revised & bit != 0 }.count) / k, mode.revision,
                        mcse: (mode.revision * (1 - mode.revision) / k).squareRoot(), "\(mode.name) revision")
            Self.within(Double(occurred.filter { $0.imaged & bit != 0 }.count) / k, mode.imagingSensitivity,
                        mcse: (mode.imagingSensitivity * (1 - mode.imagingSensitivity) / k).squareRoot(), "\(mode.name) imaging sensitivity")
            let free = ps.filter { $0.occurred & bit == 0 }
            let fp = 1 - mode.imagingSpecificity
            Self.within(Double(free.filter { $0.imaged & bit != 0 }.count) / Double(free.count), fp,
                        mcse: (fp * (1 - fp) / Double(free.count)).squareRoot(), "\(mode.name) imaging false positives")
        }
        // revision_any: the event is exactly "some mode occurred and was revised".
        #expect(ps.allSatisfy { $0.event == ($0.revised != 0) })
    }

    // Stage 5: the third-reader rate. With readers r₁, r₂ ~ N(x, σ²), u = r₁ − r₂ ~ N(0, 2σ²) and
    // w = (r₁ + r₂)/2 ~ N(x, σ²/2) are independent, so P(|u| > t|w|) = E_w[2Φ(−t|w|/(σ√2))].
    @Test(arguments: [0.15, 0.3])
    func adjudicationRate(_ sd: Double) throws {
        let m = try Self.model("""
        bone_quality: {age_per_decade: 0, female: 0, chronic_disease: 0, steroids: 0, residual: normal, residual_sd: 1e-9}
        measurement: {readers: {sd: \(sd)}}
        """)
        let n = 200_000
        let ps = Self.patients(m, n).patients
        let observed = Double(ps.filter(\.thirdReader).count) / Double(n)
        // Simpson's rule over w ∈ 3.14 ± 10·σ/√2.
        let s = sd / 2.0.squareRoot(), steps = 4000
        let a = 3.14 - 10 * s, h = 20 * s / Double(steps)
        var expected = 0.0
        for k in 0...steps {
            let w = a + h * Double(k)
            let density = exp(-0.5 * pow((w - 3.14) / s, 2)) / (s * (2 * Double.pi).squareRoot())
            let value = 2 * Numerics.phi(-0.1 * abs(w) / (sd * 2.0.squareRoot())) * density
            expected += value * (k == 0 || k == steps ? 1 : (k % 2 == 1 ? 4 : 2))
        }
        expected *= h / 3
        Self.within(observed, expected, mcse: (expected * (1 - expected) / Double(n)).squareRoot(), "third-reader rate, SD \(sd)")
    }

    // The reference cell reproduces the seed paper's Table 1: measured score 3.62 ± 0.46 with
    // failure, 2.97 ± 0.43 without, prevalence 0.262 (docs/model.md §2b), on 10⁶ patients per class.
    @Test func calibrationToTheSeedPaper() throws {
        let s = try ScenarioLoader.load(text: "cohort: {size: 256}\ngenerator: {family: mechanistic}\n", file: "ref.yaml")
        let t = try TruthSolver.truth(for: s.model, tree: SeedTree(root: 2025), threads: 2)
        let c = t.classMoments
        #expect(isClose(c.eventMean, 3.62, .approximation(0.03)), "event mean \(c.eventMean)")
        #expect(isClose(c.eventSD, 0.46, .approximation(0.03)), "event SD \(c.eventSD)")
        #expect(isClose(c.nonEventMean, 2.97, .approximation(0.03)), "non-event mean \(c.nonEventMean)")
        #expect(isClose(c.nonEventSD, 0.43, .approximation(0.03)), "non-event SD \(c.nonEventSD)")
        #expect(isClose(t.prevalence, 67.0 / 256, .approximation(0.01)), "prevalence \(t.prevalence)")
        // And the truth is a real optimum: J at c* beats J at c* ± 0.05.
        #expect(t.youdenJ > t.youden(at: t.cutoff - 0.05) && t.youdenJ > t.youden(at: t.cutoff + 0.05))
        #expect(t.cutoffError < 0.005)
    }

    // Scale equivariance: without reader noise or rounding, a field factor k on every scan
    // multiplies c* by k (within its stated error) and every replicate's empirical cutoff by k.
    @Test func scaleEquivariance() throws {
        let yaml = """
        seed: 77
        replicates: 300
        streams: common
        cohort: {size: 200}
        generator: {family: mechanistic}
        methods: [empirical]
        measurement: {readers: {sd: 0}, field: {factor_1_5T: 1.2}}
        vary:
          measurement.field.share_1_5T: [0, 1]
        """
        let r = try Runner.run(RunRequest(scenario: try ScenarioLoader.load(text: yaml, file: "k.yaml"), replicates: 300, threads: 2, quick: true))
        let t0 = r.summaries[0].truth, t1 = r.summaries[1].truth
        // Exactly, not within Monte Carlo error: the same patients, every score × 1.2, the same
        // histogram scaled, the same cubic fit (its window was once 799 bins in one cell and 800 in
        // the other, which moved c* by 1.5e-6).
        #expect(isClose(t1.cutoff, 1.2 * t0.cutoff, .rounding(1e-12 * t1.cutoff)), "c* \(t1.cutoff) vs 1.2 × \(t0.cutoff)")
        #expect(isClose(t1.youdenJ, t0.youdenJ, .rounding(1e-12)), "J* \(t1.youdenJ) vs \(t0.youdenJ)")
        let col = try #require(r.table.layout.column(.method(.empirical, .cutoff)))
        let a = r.table.column(col, cell: 0), b = r.table.column(col, cell: 1)
        #expect(a.count == 300)
        for (x, y) in zip(a, b) { #expect(isClose(y, 1.2 * x, .rounding(1e-12 * y)), "replicate cutoff \(y) vs 1.2 × \(x)") }
        // The AUC is scale-free: identical in every replicate.
        let aucCol = r.table.layout.column(.auc)
        #expect(r.table.column(aucCol, cell: 0) == r.table.column(aucCol, cell: 1))
    }

    // Rounded scores: the population J is a step function, so c* is one of pROC's midpoint
    // thresholds, and a score equal to a cutoff counts as at or above it.
    @Test func roundedScoresHaveAMidpointTruth() throws {
        let s = try ScenarioLoader.load(text: "cohort: {size: 256}\ngenerator: {family: mechanistic}\nmeasurement: {rounding: 0.1}\n", file: "r.yaml")
        let t = try TruthSolver.truth(for: s.model, tree: SeedTree(root: 9), threads: 2, points: Runner.quickTruthPoints)
        let k = t.cutoff / 0.1 - 0.5
        #expect(isClose(k, k.rounded(), .numerical(1e-6)), "c* = \(t.cutoff) is not a midpoint between multiples of 0.1")
        #expect(t.sensitivity(at: 3.26) == t.sensitivity(at: 3.3))
        #expect(t.sensitivity(at: 3.34) == t.sensitivity(at: 3.4))
        #expect(t.sensitivity(at: 3.3) > t.sensitivity(at: 3.34))
        #expect(t.specificity(at: 3.3) == t.specificity(at: 3.25))
    }

    // A cell identical to the reference has zero systematic drift, whatever the stream policy.
    @Test func identicalCellHasZeroDrift() throws {
        let yaml = """
        seed: 3
        replicates: 100
        cohort: {size: 100}
        generator: {family: mechanistic}
        methods: [empirical]
        vary:
          measurement.field.factor_1_5T: [1.1, 1.26]     # no 1.5 T scans: both cells are the reference model
        """
        let r = try Runner.run(RunRequest(scenario: try ScenarioLoader.load(text: yaml, file: "z.yaml"), threads: 2, quick: true))
        let d = try #require(r.summaries[1].method(.empirical)?.drift)
        #expect(d.truth == 0)
        #expect(r.summaries[0].truth.cutoff == r.summaries[1].truth.cutoff)
    }

    // Definitions that use imaging find more events (false positives included) than revision.
    @Test func definitionsChangePrevalence() throws {
        let base = try Self.model()
        let n = 100_000
        let ps = Self.patients(base, n).patients
        let revision = Double(ps.filter(\.event).count) / Double(n)
        let anyImaged = Double(ps.filter { $0.imaged != 0 }.count) / Double(n)
        #expect(anyImaged > revision)
        let imaging = try Self.model("outcome: {definition: any_hardware_radiographic}")
        let ps2 = Self.patients(imaging, n).patients
        #expect(ps2.allSatisfy { $0.event == ($0.imaged != 0) })
        let custom = try Self.model("outcome: {definition: rods, definitions: {rods: {modes: [rod_fracture], revision: true, imaging: true}}}")
        let ps3 = Self.patients(custom, n).patients
        #expect(ps3.allSatisfy { $0.event == ($0.revised & 4 != 0 && $0.imaged & 4 != 0) })
    }

    static let bad: [(String, String)] = [
        ("selection: {q: 1.5}", "m.yaml:3: selection.q: 1.5 is a probability and must lie in [0, 1]"),
        ("outcome:\n  definition: mine\n  definitions:\n    mine: {modes: [screw_lossening], imaging: true}", "m.yaml:6: outcome.definitions.mine.modes[0]: unknown failure mode 'screw_lossening' (did you mean 'screw_loosening'?)"),
        ("measurement:\n  csf:\n    fallback: {L2: 0.5, L6: 0.5}", "m.yaml:5: measurement.csf.fallback.L6: CSF level 'L6' does not exist"),
        ("outcome: {definition: revison_any}", "m.yaml:3: outcome.definition: unknown failure definition 'revison_any' (did you mean 'revision_any'?)"),
        ("population: {female: 0.74, smoker: 0.2}", "m.yaml:3: population.smoker: unknown key"),
        ("measurement: {field: {share_1_5T: -0.1}}", "m.yaml:3: measurement.field.share_1_5T: -0.1 is a probability"),
        ("measurement:\n  csf:\n    fallback: {L2: 0.5, L4: 0.6}", "m.yaml:5: measurement.csf.fallback: probabilities sum to 1.1, must sum to 1"),
        ("population: {segments: [0.5, 0.5, 0.1, 0]}", "m.yaml:3: population.segments: probabilities sum to 1.1, must sum to 1"),
        ("selection: {q: 0}\nselection: {q: 0.5}", "m.yaml:4: selection: appears twice in the same mapping"),
    ]

    @Test(arguments: bad.indices)
    func badParameters(_ i: Int) {
        let (yaml, expected) = Self.bad[i]
        do {
            _ = try Self.model(yaml)
            Issue.record("accepted: \(yaml)")
        } catch let e as VBQError {
            #expect(e.description.hasPrefix(expected), "\(e.description)")
            #expect(!e.description.contains("\n"))
        } catch {
            Issue.record("\(error)")
        }
    }
}

/// Scenarios whose truth cannot be computed, or whose cohorts could not be drawn, are refused with one line, not run for ever.
@Suite struct InfeasibleScenarioTests {
    @Test(arguments: [
        ("selection: {q: 1, v_exclude: 0}", "selection: almost no simulated patient is operated on"),
        ("population: {age: {min: 110, max: 120}}", "selection: almost no simulated patient is operated on"),
        ("outcome:\n  definition: none\n  definitions: {none: {modes: [rod_fracture], revision: true, imaging: true}}\n  modes: {rod_fracture: {revision: 0}}", "outcome: the failure definition 'none' gives no events"),
    ])
    func refused(_ yaml: String, _ expected: String) throws {
        let s = try ScenarioLoader.load(text: "cohort: {size: 100}\ngenerator: {family: mechanistic}\n" + yaml, file: "x.yaml")
        do {
            _ = try TruthSolver.truth(for: s.model, tree: SeedTree(root: 1), threads: 2, points: Runner.quickTruthPoints)
            Issue.record("accepted")
        } catch let e as VBQError {
            #expect(e.description.hasPrefix(expected), "\(e.description)")
        }
    }
}

/// A run integrates each distinct model once and hands the truth to every cell with that
/// model; every truth must be exactly the one the cell gets when integrated alone.
@Suite struct SharedTruthTests {
    @Test func sharedTruthsEqualSeparateOnes() throws {
        let yaml = """
        name: shared
        seed: 31
        cohort: {size: 128}
        generator: {family: mechanistic}
        methods: [empirical]
        measurement: {readers: {sd: 0.2}}
        vary:
          outcome.definition: [revision_any, radiographic_loosening]
          measurement.csf.p_stenosis: [0, 0.4]
          measurement.rounding: [0, 0.1]
          selection.q: [0, 0.5]
        """
        let scenario = try ScenarioLoader.load(text: yaml, file: "shared.yaml")
        let r = try Runner.run(RunRequest(scenario: scenario, replicates: 5, threads: 2, quick: true))
        for cell in r.design.cells {
            guard case let .mechanistic(model) = cell.model.generator else { Issue.record("not mechanistic"); continue }
            let alone = try TruthSolver.integrated(model, tree: SeedTree(root: 31), cellKey: 0, threads: 1,
                                                   points: Runner.quickTruthPoints)
            let shared = r.truths[cell.index]
            #expect(shared.cutoff == alone.cutoff && shared.youdenJ == alone.youdenJ && shared.auc == alone.auc,
                    "cell \(cell.id): c* \(shared.cutoff) vs \(alone.cutoff)")
            #expect(shared.cutoffError == alone.cutoffError && shared.prevalence == alone.prevalence
                    && shared.acceptance == alone.acceptance && shared.method == alone.method, "cell \(cell.id)")
        }
        #expect(r.design.cells.count == 16)
    }
}
