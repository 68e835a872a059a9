import Foundation
import Testing
import VBQLab
import VBQTestSupport

/// `vbqlab calibrate`: parameters that reproduce a reported Table 1.
@Suite struct CalibrationTests {
    /// The seed paper's Table 1 (lit:P1): two normal classes reproduce it exactly, imply
    /// AUC Φ(0.65/√(0.46² + 0.43²)) = 0.849 (reported 0.859), and the scenario written loads with
    /// the same c* as the shipped wu2025-baseline (3.3045).
    @Test func seedPaperTableOneAsTwoNormalClasses() throws {
        let t = TableOne(eventMean: 3.62, eventSD: 0.46, nonEventMean: 2.97, nonEventSD: 0.43, prevalence: 67.0 / 256, auc: 0.859, n: 256)
        let c = try Calibration.run(t, family: .normal, name: "seed-table-1")
        for (k, want, got) in c.fit where k != "AUC" { #expect(want == got, "\(k)") }
        let auc = c.fit.first { $0.0 == "AUC" }!.2
        let spread: Double = (0.46 * 0.46 + 0.43 * 0.43).squareRoot()
        let z: Double = 0.65 / spread
        let analytic: Double = 0.5 * erfc(-z / 2.0.squareRoot())
        #expect(isClose(auc, analytic, .numerical(1e-9)))
        #expect(isClose(auc, 0.849, .printed(0.0005)))
        let s = try ScenarioLoader.load(text: c.scenario, file: "calibrated.yaml")
        let truth = try TruthSolver.truth(for: try Design(s).cells[0].model)
        #expect(isClose(truth.cutoff, 3.3045, .approximation(0.0001)), "\(truth.cutoff)")
        #expect(c.scenario.contains("#   AUC               0.8590      0.8490"))
    }

    /// Lognormal classes: the moment equations give exactly the reported means and SDs.
    @Test func lognormalClassesHaveTheReportedMoments() throws {
        let t = TableOne(eventMean: 3.61, eventSD: 0.63, nonEventMean: 2.86, nonEventSD: 0.43, prevalence: 0.19, n: 116)   // lit:P2
        let c = try Calibration.run(t, family: .lognormal, name: "gao-2024")
        let p = Dictionary(uniqueKeysWithValues: c.parameters)
        for (prefix, m, s) in [("generator.event.", 3.61, 0.63), ("generator.non_event.", 2.86, 0.43)] {
            let ml = p[prefix + "meanlog"]!, sl = p[prefix + "sdlog"]!
            #expect(isClose(exp(ml + sl * sl / 2), m, .rounding(1e-12)))
            #expect(isClose(((exp(sl * sl) - 1) * exp(2 * ml + sl * sl)).squareRoot(), s, .rounding(1e-12)))
        }
        _ = try ScenarioLoader.load(text: c.scenario, file: "x.yaml")
    }

    /// The mechanistic model's bone-quality mean, residual SD and intercept shift are recovered
    /// from a Table 1 simulated with known values (another seed, 4× more patients).
    @Test func mechanisticParametersAreRecovered() throws {
        let known = (mean: 3.30, residual: 0.17, shift: 0.4)
        let defaults = try ScenarioLoader.load(text: "cohort: {size: 256}\ngenerator: {family: mechanistic}\n", file: "d.yaml")
        guard case let .mechanistic(m0) = defaults.model.generator else { Issue.record("not mechanistic"); return }
        var yaml = "cohort: {size: 256}\ngenerator: {family: mechanistic}\nbone_quality: {mean: \(known.mean), residual_sd: \(known.residual)}\noutcome:\n  modes:\n"
        for mode in m0.modes { yaml += "    \(mode.name): {alpha: \(mode.alpha + known.shift)}\n" }
        let truthScenario = try ScenarioLoader.load(text: yaml, file: "known.yaml")
        let gen = CohortGenerator(model: try Design(truthScenario).cells[0].model)
        let rng = RandomStream()
        var events: [Double] = [], nonEvents: [Double] = [], e: [Double] = [], n: [Double] = []
        for k in 0..<1600 {
            rng.reset(to: SeedTree(root: 99).state(for: [7, UInt64(k)]))
            gen.generate(rng, events: &e, nonEvents: &n)
            events += e; nonEvents += n
        }
        func sd(_ x: [Double]) -> Double { let m = x.reduce(0, +) / Double(x.count); return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot() }
        let t = TableOne(eventMean: events.reduce(0, +) / Double(events.count), eventSD: sd(events),
                         nonEventMean: nonEvents.reduce(0, +) / Double(nonEvents.count), nonEventSD: sd(nonEvents),
                         prevalence: Double(events.count) / Double(events.count + nonEvents.count), n: 256)
        let c = try Calibration.run(t, family: .mechanistic, name: "recovered", seed: 5, patients: 100_000)
        let p = Dictionary(uniqueKeysWithValues: c.parameters)
        #expect(isClose(p["bone_quality.mean"]!, known.mean, .approximation(0.03)), "mean \(p["bone_quality.mean"]!)")
        #expect(isClose(p["bone_quality.residual_sd"]!, known.residual, .approximation(0.01)), "residual \(p["bone_quality.residual_sd"]!)")
        let shift = p["outcome.modes.\(m0.modes[0].name).alpha"]! - m0.modes[0].alpha
        #expect(isClose(shift, known.shift, .approximation(0.1)), "shift \(shift)")
        _ = try ScenarioLoader.load(text: c.scenario, file: "recovered.yaml")
    }

    /// Events with the lower mean cannot come from a model whose failure risk rises with VBQ.
    @Test func anUnreachableTableOneIsRefused() throws {
        let t = TableOne(eventMean: 2.6, eventSD: 0.4, nonEventMean: 3.2, nonEventSD: 0.4, prevalence: 0.3, n: 200)
        do {
            _ = try Calibration.run(t, family: .mechanistic, name: "x", patients: 20_000)
            Issue.record("an unreachable Table 1 was calibrated")
        } catch let e as VBQError {
            #expect(e.description.hasPrefix("calibrate: no parameters of the mechanistic model reproduce this Table 1: the best fit still gives"), "\(e)")
            #expect(e.description.contains("events cannot have the lower mean"))
        }
        #expect(throws: VBQError.self) {
            _ = try Calibration.run(TableOne(eventMean: 3, eventSD: 0.4, nonEventMean: 2.5, nonEventSD: 0.4, prevalence: 1.2), family: .normal, name: "x")
        }
    }
}

/// `vbqlab published`: the published cutoffs against sampling.
@Suite struct PublishedCutoffsTests {
    @Test func publishedCutoffsAgainstSampling() throws {
        let r = try PublishedCutoffs.run(replicates: 2000, seed: 11, threads: 2)
        #expect(r.count == 6)
        // The published SD is the sample SD of lit:P1, P2, P4, P6, P7 and P8's cutoffs, each for a
        // failure of the fixation; lit:P11's 3.05, for osteoporosis by DXA, is shown but left out.
        let c = [3.3, 3.055, 2.87, 3.585, 2.70, 2.67]
        let m = c.reduce(0, +) / 6
        let sd = (c.reduce(0) { $0 + ($1 - m) * ($1 - m) } / 5).squareRoot()
        #expect(r.rows.contains { $0.study.id == "P11" && !$0.study.fixationOutcome })
        #expect(PublishedCutoffs.report(r).contains("left out of this spread"))
        #expect(isClose(r.observedSD, sd, .rounding(1e-12)))
        #expect(r.observedSDInterval.0 < sd && sd < r.observedSDInterval.1)
        // Sampling alone: SDs of the empirical cutoff at these sizes are 0.1–0.2.
        #expect(r.samplingSD > 0.09 && r.samplingSD < 0.2, "\(r.samplingSD)")
        #expect(r.share > 0 && r.share < 0.5 && r.shareInterval.0 <= r.share && r.share <= r.shareInterval.1)
        // The seed paper's own cutoff is ordinary in its own population; lit:P8's 2.67 is not.
        let p1 = r.rows.first { $0.study.id == "P1" }!, p8 = r.rows.first { $0.study.id == "P8" }!
        #expect(p1.seedPopulation.percentile! > 20 && p1.seedPopulation.percentile! < 80)
        #expect(isClose(p1.seedPopulation.truth, 3.3045, .approximation(0.001)))
        #expect(p8.seedPopulation.percentile! < 2.5)
        // Same seed, same numbers whatever the threads.
        let again = try PublishedCutoffs.run(replicates: 2000, seed: 11, threads: 1)
        #expect(PublishedCutoffs.report(again) == PublishedCutoffs.report(r))
        #expect(PublishedCutoffs.csv(again) == PublishedCutoffs.csv(r))
    }

    /// scenarios/published/ holds each study with class moments as the scenario calibrate makes
    /// of it: the literature's moments, class counts and published cutoff.
    @Test func publishedStudiesAreCalibratedScenarios() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scenarios/published")
        for study in PublishedCutoffs.studies {
            guard let m = study.moments else { continue }
            let file = folder.appendingPathComponent("\(study.id).yaml")
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(text.hasPrefix("# source: lit:\(study.id) "))
            let s = try ScenarioLoader.load(text: text, file: file.path)
            let model = try Design(s).cells[0].model
            #expect(model.cohort.size == study.n)
            #expect(model.cohort.fixedEvents == Int((Double(study.n) * study.prevalence!).rounded()))
            #expect(model.fixedCutoffs == (study.cutoff.map { [$0] } ?? []))
            guard case let .classConditional(e, n) = model.generator, case let .normal(me, se) = e, case let .normal(mn, sn) = n else {
                Issue.record("\(study.id): not two normal classes"); continue
            }
            #expect(me == m.eventMean && se == m.eventSD && mn == m.nonEventMean && sn == m.nonEventSD, "\(study.id)")
        }
    }
}
