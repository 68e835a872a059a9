import Foundation
import Testing
import VBQLab
import VBQTestSupport

/// Time to failure and follow-up (docs/model.md §2c).
@Suite struct FollowUpTests {
    static func model(_ followUp: String = "{}", _ yaml: String = "") throws -> MechanisticModel {
        try MechanisticTests.model("follow_up: \(followUp)\n" + yaml)
    }

    /// Class moments and prevalence of the observed outcome among enrolled patients.
    static func moments(_ m: MechanisticModel, _ n: Int, seed: UInt64 = 11) -> (eventMean: Double, eventSD: Double, nonEventMean: Double, nonEventSD: Double, prevalence: Double) {
        let ps = MechanisticTests.patients(m, n, seed: seed).patients.filter(\.analysed)
        let e = ps.filter(\.event).map(\.score), ne = ps.filter { !$0.event }.map(\.score)
        func meanSD(_ x: [Double]) -> (Double, Double) {
            let mean = x.reduce(0, +) / Double(x.count)
            return (mean, (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count - 1)).squareRoot())
        }
        let (em, es) = meanSD(e), (nm, ns) = meanSD(ne)
        return (em, es, nm, ns, Double(e.count) / Double(ps.count))
    }

    // The seed's design (operations over 6 years, the study ending 8 years after the first,
    // at least 2 years of follow-up, 3% a year lost, failure = revision observed by the last
    // visit) reproduces Table 1 as the model without follow-up does: 3.62 ± 0.46 with failure,
    // 2.97 ± 0.43 without, prevalence 0.262, on 10⁶ enrolled patients.
    @Test func seedDesignReproducesTableOne() throws {
        let c = Self.moments(try Self.model(), 1_000_000)
        #expect(isClose(c.eventMean, 3.62, .approximation(0.03)), "event mean \(c.eventMean)")
        #expect(isClose(c.eventSD, 0.46, .approximation(0.03)), "event SD \(c.eventSD)")
        #expect(isClose(c.nonEventMean, 2.97, .approximation(0.03)), "non-event mean \(c.nonEventMean)")
        #expect(isClose(c.nonEventSD, 0.43, .approximation(0.03)), "non-event SD \(c.nonEventSD)")
        #expect(isClose(c.prevalence, 67.0 / 256, .approximation(0.01)), "prevalence \(c.prevalence)")
    }

    // Without censoring, the share failed by the horizon among simulated patients is the truth's
    // prevalence at the horizon (the integral with each mode's probability of counting by t):
    // the Weibull times, the revision delay's convolution and the false-positive dating agree.
    @Test(arguments: [("revision_any", 1.0), ("revision_any", 5.0), ("radiographic_loosening", 0.5), ("any_hardware_radiographic", 3.0)])
    func simulatedFailureByHorizonMatchesTheTruth(definition: String, horizon: Double) throws {
        let yaml = "cohort: {size: 256}\ngenerator: {family: mechanistic}\noutcome: {definition: \(definition)}\n"
            + "follow_up: {handling: horizon, horizon_years: \(horizon), accrual_years: 0, study_years: 50, min_years: 0, loss_per_year: 0}\n"
        let s = try ScenarioLoader.load(text: yaml, file: "h.yaml")
        guard case let .mechanistic(m) = s.model.generator else { throw VBQError("not mechanistic") }
        let n = 400_000
        let ps = MechanisticTests.patients(m, n, seed: 3).patients
        #expect(ps.allSatisfy { $0.analysed })
        let share = Double(ps.filter(\.event).count) / Double(n)
        let truth = try TruthSolver.truth(for: s.model, tree: SeedTree(root: 4), threads: 2, points: Runner.quickTruthPoints)
        MechanisticTests.within(share, truth.prevalence, mcse: (truth.prevalence * (1 - truth.prevalence) / Double(n)).squareRoot(),
                                "\(definition) by \(horizon) years")
    }

    // With nobody censored by the horizon, the three handlings that look at the horizon analyse
    // the same cohorts identically: the time-dependent ROC (Kaplan–Meier or weights) gives each
    // cohort the cutoff, AUC, sensitivity and specificity of the two-class analysis, bit for bit.
    @Test func withoutCensoringTheHandlingsAgreeBitForBit() throws {
        let yaml = """
        seed: 5
        streams: common
        cohort: {size: 200}
        generator: {family: mechanistic}
        methods: [empirical]
        follow_up: {horizon_years: 2, accrual_years: 0, study_years: 10, min_years: 0, loss_per_year: 0}
        vary:
          follow_up.handling: [horizon, km, ipcw]
        """
        let r = try Runner.run(RunRequest(scenario: try ScenarioLoader.load(text: yaml, file: "t.yaml"), replicates: 200, threads: 2, quick: true))
        let layout = r.table.layout
        for field in [CohortField.method(.empirical, .cutoff), .method(.empirical, .sensitivity), .method(.empirical, .specificity),
                      .method(.empirical, .youdenJ), .method(.empirical, .tiedThresholds), .cohort(.auc), .cohort(.nEvents), .cohort(.nNonEvents)] {
            let col = try #require(layout.column(field))
            let a = r.table.column(col, cell: 0)
            #expect(a.filter(\.isFinite).count >= 190, "\(field.name)")
            for cell in 1...2 {
                let b = r.table.column(col, cell: cell)
                let differ = zip(a, b).enumerated().filter { !($0.1.0 == $0.1.1 || ($0.1.0.isNaN && $0.1.1.isNaN)) }
                #expect(differ.isEmpty, "\(field.name) of cell \(cell + 1): \(differ.prefix(3))")
            }
        }
        // The same truth: c* at the horizon in the uncensored population.
        #expect(r.summaries[0].truth.cutoff == r.summaries[1].truth.cutoff)
    }

    @Test func censoredCohortsAreAnalysedByEveryHandling() throws {
        let yaml = """
        seed: 8
        streams: common
        cohort: {size: 256}
        generator: {family: mechanistic}
        methods: [empirical]
        follow_up: {horizon_years: 5, loss_per_year: 0.1}
        vary:
          follow_up.handling: [ever_observed, horizon, km, ipcw]
        """
        let r = try Runner.run(RunRequest(scenario: try ScenarioLoader.load(text: yaml, file: "c.yaml"), replicates: 100, threads: 2, quick: true))
        let layout = r.table.layout
        let cut = try #require(layout.column(.method(.empirical, .cutoff))), j = try #require(layout.column(.method(.empirical, .youdenJ)))
        let n1 = layout.column(.nEvents), n0 = layout.column(.nNonEvents)
        for cell in 0..<4 {
            let c = r.table.column(cut, cell: cell)
            #expect(c.filter(\.isFinite).count >= 95, "cell \(cell + 1)")
            let bad = r.table.column(j, cell: cell).filter { $0.isFinite && !($0 > 0 && $0 <= 1) }
            #expect(bad.isEmpty, "cell \(cell + 1): \(bad.prefix(3))")
            let analysed = zip(r.table.column(n1, cell: cell), r.table.column(n0, cell: cell)).map { $0 + $1 }
            // Everyone is analysed when failures observed by the last visit count; the horizon
            // leaves out those censored before 5 years (the weighted curves count them through
            // the weights, the counts do not).
            if cell == 0 { #expect(analysed.allSatisfy { $0 == 256 }) } else { #expect(analysed.allSatisfy { $0 < 256 }) }
        }
    }

    @Test(arguments: [
        ("follow_up: {min_years: 3}", "follow_up.min_years"),
        ("follow_up: {loss_per_year: 0.5, min_years: 5, study_years: 12}", "follow_up.loss_per_year"),
        ("follow_up: {horizon_years: 9}", "follow_up.horizon_years"),
        ("follow_up: {accrual_years: 8}", "follow_up.accrual_years"),
        ("follow_up: {handling: kaplan}", "follow_up.handling"),
        ("follow_up: {handling: km}\nmethods: [empirical, binormal]", "methods"),
        ("follow_up: {handling: ipcw}\nfixed_cutoffs: [3.3]", "fixed_cutoffs"),
        ("follow_up: {modes: {screw_loosening: {shape: 0}}}", "follow_up.modes.screw_loosening.shape"),
    ])
    func badFollowUpIsOneLineNamingTheKey(_ yaml: String, key: String) {
        do {
            _ = try ScenarioLoader.load(text: "cohort: {size: 256}\ngenerator: {family: mechanistic}\n" + yaml, file: "bad.yaml")
            Issue.record("accepted: \(yaml)")
        } catch let e as VBQError {
            #expect(e.key == key, "\(e)")
            #expect(e.line != nil)
            #expect(!e.description.contains("\n"))
        } catch { Issue.record("\(error)") }
    }

    /// The seed paper's re-analysis runs on its own endpoint (failure observed by the last visit),
    /// and is refused, in one line, for a handling that changes who counts as a failure.
    @Test func reanalysisUsesTheSeedsEndpoint() throws {
        let base = "name: re\nreplicates: 20\ncohort: {size: 256}\ngenerator: {family: mechanistic}\nmethods: [empirical]\n"
            + "reanalysis: {covariates: [age, female], logistic: {cutoff: 3.3, methods: [ml]}}\n"
        let ok = try ScenarioLoader.load(text: base + "follow_up: {handling: ever_observed}\n", file: "re.yaml")
        let r = try Runner.run(RunRequest(scenario: ok, replicates: 20, threads: 2, quick: true))
        #expect(r.reanalysis != nil)
        let km = try ScenarioLoader.load(text: base + "follow_up: {handling: km}\n", file: "re.yaml")
        do {
            _ = try Runner.run(RunRequest(scenario: km, replicates: 20, threads: 2, quick: true))
            Issue.record("a re-analysis of a km cell ran")
        } catch let e as VBQError {
            #expect(e.key == "reanalysis" && e.description.contains("ever_observed") && !e.description.contains("\n"), "\(e)")
        }
    }

    @Test func aScenarioWithoutFollowUpListsAndDrawsNone() throws {
        let s = try ScenarioLoader.load(text: "cohort: {size: 256}\ngenerator: {family: mechanistic}\n", file: "n.yaml")
        #expect(!s.resolvedNode.emitted().contains("follow_up"))
        #expect(s.model.followUp == nil)
        let t = try ScenarioLoader.load(text: "cohort: {size: 256}\ngenerator: {family: mechanistic}\nfollow_up: {}\n", file: "y.yaml")
        #expect(t.resolvedNode.emitted().contains("follow_up:"))
        #expect(t.resolvedNode.emitted().contains("ever_shift: 0.23"))
    }
}
