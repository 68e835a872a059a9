import Foundation
import Testing
import VBQLab
import VBQTestSupport

// The cutoff criteria against R.
//
// Empirical estimates: `Tests/VBQLabCLITests/Fixtures/criteria/empirical-reference.R` (its header
// records every call) ran OptimalCutpoints 1.1-5 (`optimal.cutpoints(methods = "Youden",
// "ROC01", "MaxProdSpSe", "SpEqualSe", "MaxEfficiency", "MCT" with CFN = 3 and CFP = 1,
// "MinValueSp" with valueSp = 0.8, "MinValueSe" with valueSe = 0.8; direction = "<")`),
// cutpointr 1.1.2 (`youden`, `roc01`, `prod_sens_spec`, `abs_d_sens_spec`, `accuracy`,
// `misclassification_cost` with cost_fp = 1 and cost_fn = 3, `sens_constrain` and
// `spec_constrain` with min_constrain = 0.8; direction ">=", break_ties = c), a brute force over
// every observed value in plain R (the index of union, which neither package has, is only
// there), and `glm(outcome ~ score, binomial)` for net benefit at p_t = 0.2, on cutpointr's
// `suicide`, OptimalCutpoints' `elas`, a small dataset with ties and a simulated VBQ-like one
// (`sim`: 67 and 189 normal scores rounded to 0.01, set.seed(20261207)). Every package row was
// checked there against the brute force's optimal partition.
//
// Threshold placement: both packages, and the brute force, report an observed score x as the
// cutoff (score ≥ x positive); vbqlab reports pROC's midpoint between x and the next lower
// distinct score, which classifies every patient alike. So the comparison is of the 2×2 table
// of vbqlab's cutoff with that of R's cutpoint. OptimalCutpoints never tries +∞ (every patient
// negative); vbqlab and cutpointr do, and it is optimal in none of these data.
//
// Ties: R reports every tied cutpoint (OptimalCutpoints ascending, cutpointr descending; values
// compared to 10 digits and to 1e-12 respectively); vbqlab counts them and takes the lower
// median, so its cutoff is R's ascending list's element ⌊(k − 1)/2⌋. The constrained criteria
// break ties by the other rate (OptimalCutpoints and vbqlab; cutpointr does not, which matters
// in none of these data).

private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

private func csv(_ path: String) throws -> [[String: String]] {
    let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    var lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) } }
    let header = lines.removeFirst()
    return lines.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
}

private func dataset(_ name: String) throws -> Dataset {
    switch name {
    case "suicide":
        let rows = try csv("VBQLabCLITests/Fixtures/datasets/suicide.csv")
        return Dataset(positives: rows.filter { $0["suicide"] == "yes" }.map { Double($0["dsi"]!)! },
                       negatives: rows.filter { $0["suicide"] == "no" }.map { Double($0["dsi"]!)! })
    case "elas":
        let rows = try csv("VBQLabCLITests/Fixtures/datasets/elas.csv")
        return Dataset(positives: rows.filter { $0["status"] == "1" }.map { Double($0["elas"]!)! },
                       negatives: rows.filter { $0["status"] == "0" }.map { Double($0["elas"]!)! })
    default:
        let rows = try csv("VBQLabCLITests/Fixtures/criteria/\(name).csv")
        return Dataset(positives: rows.filter { $0["outcome"] == "1" }.map { Double($0["score"]!)! },
                       negatives: rows.filter { $0["outcome"] == "0" }.map { Double($0["score"]!)! })
    }
}

private func table(_ d: Dataset, _ c: Double) -> Confusion {
    d.positives.withUnsafeBufferPointer { p in d.negatives.withUnsafeBufferPointer { n in Confusion(cutoff: c, positives: p, negatives: n) } }
}

@Suite struct CriterionTests {
    @Test(arguments: ["suicide", "elas", "ties", "sim"])
    func empiricalCriteriaAgreeWithR(_ name: String) throws {
        let d = try dataset(name)
        let rows = try csv("VBQLabCLITests/Fixtures/criteria/empirical-reference.csv").filter { $0["dataset"] == name }
        let criteria = EstimationMethod.allCases.filter { $0.estimator.criterion.criterionID != "youden" || $0 == .empirical }
        let analysis = d.analyse(methods: criteria)
        for m in criteria {
            let id = m.estimator.criterion.criterionID
            let e = try #require(analysis.estimate(m))
            if m.rawValue == "net_benefit" {
                let r = try #require(rows.first { $0["criterion"] == id && $0["package"] == "glm" })
                let expected = Double(r["cutpoint"]!)!
                #expect(isClose(e.cutoff, expected, .approximation(1e-9)), "\(name) \(id): \(e.cutoff) vs glm \(expected)")
                continue
            }
            let brute = rows.filter { $0["criterion"] == id && $0["package"] == "bruteforce" }.map { Double($0["cutpoint"]!)! }.sorted()
            try #require(!brute.isEmpty, "\(name) \(id) has no reference rows")
            #expect(e.tiedThresholds == brute.count, "\(name) \(id): \(e.tiedThresholds) tied, R \(brute.count)")
            let chosen = brute[(brute.count - 1) / 2]
            let ours = table(d, e.cutoff), theirs = table(d, chosen)
            #expect(ours.tp == theirs.tp && ours.tn == theirs.tn, "\(name) \(id): ĉ = \(e.cutoff) gives \(ours), R's \(chosen) gives \(theirs)")
            // Every package's optimal partitions are among the brute force's, except that
            // cutpointr's constrained metrics do not break a tie of the maximised rate by the
            // other rate: on `sim`, sens_constrain also returns 3.28 (Se 50/67, Sp 152/189) beside
            // 3.31 (Se 50/67, Sp 153/189). Such a row must still reach the best rate and the floor.
            let constrained = ["sens_at_spec", "spec_at_sens"].contains(id)
            for r in rows where r["criterion"] == id && r["package"] != "bruteforce" {
                let t = table(d, Double(r["cutpoint"]!)!)
                let optimal = brute.contains { let b = table(d, $0); return b.tp == t.tp && b.tn == t.tn }
                if constrained && r["package"] == "cutpointr" && !optimal {
                    let best = table(d, chosen)
                    let sameRate = id == "sens_at_spec" ? t.tp == best.tp && t.specificity >= 0.8 : t.tn == best.tn && t.sensitivity >= 0.8
                    #expect(sameRate, "\(name) \(id) cutpointr \(r["cutpoint"]!)")
                } else {
                    #expect(optimal, "\(name) \(id) \(r["package"]!)")
                }
            }
        }
    }

    /// The ties dataset by hand: positives 2.9 3.1 3.4 3.4 3.6 3.8 4.0, negatives 2.2 2.5 2.6 2.7
    /// 2.9 3.0 3.1 3.4 3.6. Accuracy (TP + TN)/16 at the thresholds from 3.05 upwards: 3.05 →
    /// (6 + 6)/16, 3.25 → (5 + 7)/16, 3.5 → (3 + 8)/16; below, 2.95 → (6 + 5)/16. Two tie at
    /// 12/16 (3.05 and 3.25): the lower median of two is the lower, 3.05.
    @Test func accuracyTieTakesTheLowerMedian() throws {
        let d = try dataset("ties")
        let a = d.analyse(methods: [EstimationMethod(rawValue: "accuracy")!])
        let e = try #require(a.estimates.first)
        #expect(e.tiedThresholds == 2)
        #expect(isClose(e.cutoff, 3.05, .rounding(1e-15)))
        #expect(e.apparent?.accuracy == 12.0 / 16)
    }

    /// A constraint nobody meets fails with its reason; an optimum at ±∞ fails too.
    @Test func infeasibleAndInfiniteOptimaGiveNoCutoff() {
        var k = CriterionParameters()
        k.minSpecificity = 1
        // Every threshold with Sp = 1 (+∞ only) gives Se = 0 and is feasible: the optimum is +∞.
        let d = Dataset(positives: [1, 2, 3], negatives: [2.5, 3.5])
        let e = d.analyse(methods: [EstimationMethod(rawValue: "sens_at_spec")!], parameters: k).estimates[0]
        #expect(e.cutoff.isNaN && e.failure != nil)
        // A cost ratio of 100 makes "everyone positive" best.
        var c = CriterionParameters()
        c.costRatio = 100
        let f = d.analyse(methods: [EstimationMethod(rawValue: "cost")!], parameters: c).estimates[0]
        #expect(f.cutoff.isNaN && f.failure?.contains("every patient test-positive") == true)
    }

    // Population optima against `Tests/VBQLabTests/Fixtures/criteria/population-reference.R`:
    // base R's uniroot on each criterion's derivative (f₀/f₁ equations) or balance function,
    // tolerance ≤ 5e-13, for normal, lognormal and mixture classes at prevalence 0.262 with the
    // default parameters (cost ratio 3, floors 0.8, p_t = 0.2).
    static let populations: [String: (ScoreDistribution, ScoreDistribution)] = [
        "normal": (.normal(mean: 3.6, sd: 0.55), .normal(mean: 2.95, sd: 0.45)),
        "lognormal": (.lognormal(meanlog: log(3.5), sdlog: 0.16), .lognormal(meanlog: log(2.9), sdlog: 0.13)),
        "mixture": (.mixture([MixtureComponent(weight: 0.7, distribution: .normal(mean: 3.5, sd: 0.45)),
                              MixtureComponent(weight: 0.3, distribution: .normal(mean: 4.3, sd: 0.5))]),
                    .mixture([MixtureComponent(weight: 0.8, distribution: .normal(mean: 2.9, sd: 0.4)),
                              MixtureComponent(weight: 0.2, distribution: .normal(mean: 3.4, sd: 0.35))])),
    ]

    @Test(arguments: ["normal", "lognormal", "mixture"])
    func populationOptimaAgreeWithRootFinding(_ name: String) throws {
        let (event, nonEvent) = Self.populations[name]!
        let model = ModelSpec(cohort: CohortSpec(size: 256, prevalence: 0.262, sampling: .fixed),
                              generator: .classConditional(event: event, nonEvent: nonEvent),
                              methods: EstimationMethod.allCases, fixedCutoffs: [], precision: 0.1)
        let truth = try TruthSolver.truth(for: model)
        let rows = try csv("VBQLabTests/Fixtures/criteria/population-reference.csv").filter { $0["population"] == name }
        #expect(rows.count == 10)
        for r in rows {
            let id = r["criterion"]!
            let m = try #require(EstimationMethod.allCases.first { $0.estimator.criterion.criterionID == id })
            let target = try #require(truth.target(m), "\(name) \(id) has no target")
            let expected = Double(r["cstar"]!)!
            // The solver's stated error (1e-9; 1e-12 for the analytic binormal Youden c*).
            #expect(abs(target.cutoff - expected) <= max(target.error, 1e-12), "\(name) \(id): \(target.cutoff) vs R \(expected)")
            #expect(isClose(target.value, m.estimator.criterion.value(at: truth.point(at: expected), truth.criteria), .approximation(1e-9)))
        }
        #expect(isClose(truth.auc, Double(rows[0]["auc"]!)!, .approximation(1e-9)))
    }
}

/// Mechanistic cells: every criterion's target is found on the truth's integrated class CDFs.
/// No independent reference exists for these populations, so each optimum is checked by what
/// defines it: a floor's c* meets the floor, Se = Sp's c* balances them, and a stationary
/// optimum is not beaten 0.01 either side of it (beyond the CDFs' own interpolation error).
@Suite struct MechanisticCriterionTests {
    @Test func targetsAreOptimaOfTheIntegratedPopulation() throws {
        let s = try ScenarioLoader.load(text: DefaultScenarios.all["criteria"]!, file: "criteria.yaml")
        let cell = try Design(s).reference
        let truth = try TruthSolver.truth(for: cell.model, tree: SeedTree(root: s.seed), threads: 2)
        for m in cell.model.methods {
            let k = m.estimator.criterion
            let t = try #require(truth.target(m), "\(m)")
            #expect(t.error.isFinite && t.error < 0.01, "\(m): error \(t.error)")
            switch m.rawValue {
            case "sens_at_spec": #expect(abs(truth.specificity(at: t.cutoff) - 0.8) < 1e-9)
            case "spec_at_sens": #expect(abs(truth.sensitivity(at: t.cutoff) - 0.8) < 1e-9)
            case "equal": #expect(abs(truth.sensitivity(at: t.cutoff) - truth.specificity(at: t.cutoff)) < 1e-9)
            default:
                let here = truth.value(of: k, at: t.cutoff)
                for h in [-0.01, 0.01] { #expect(here >= truth.value(of: k, at: t.cutoff + h) - 1e-6, "\(m) at c* \(h)") }
            }
        }
        // Youden's J keeps the truth's own c* and J*.
        let youden = try #require(truth.target(.empirical))
        #expect(youden.cutoff == truth.cutoff && youden.error == truth.cutoffError && youden.value == truth.youdenJ)
    }
}
