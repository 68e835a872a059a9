import Foundation
import Testing
import VBQLab
import VBQTestSupport

// The estimator registry: every estimator is one type conforming to `CutoffEstimator` and one
// line of `Estimators.all`; everything else reads what it needs from there.
@Suite struct EstimatorRegistryTests {
    @Test func idsAreUniqueAndRoundTrip() {
        let ids = Estimators.all.map { $0.id }
        #expect(Set(ids).count == ids.count)
        for m in EstimationMethod.allCases {
            #expect(EstimationMethod(rawValue: m.rawValue) == m)
            #expect(m.rawValue.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "an id is also a column prefix")
            #expect(m.estimator.colour.count == 7 && m.estimator.colour.hasPrefix("#"))
        }
        #expect(EstimationMethod(rawValue: "youden") == nil)
        #expect(EstimationMethod.allCases.sorted() == EstimationMethod.allCases)
    }

    /// What a scenario without `methods:` runs, and so every shipped output: the three Youden
    /// estimators, in this order.
    @Test func defaultsAreTheThreeYoudenEstimators() {
        #expect(EstimationMethod.defaults.map(\.rawValue) == ["empirical", "binormal", "kernel"])
    }

    /// Every estimator's answer through the protocol equals its own type's (the simulation
    /// reaches them only through the protocol), with and without the joint pass.
    @Test func protocolAnswersEqualTheTypes() {
        let rng = RandomStream(SeedTree(root: 3).state(for: [1]))
        let x = (0..<67).map { _ in rng.normal(mean: 3.62, sd: 0.46) }.sorted()
        let y = (0..<189).map { _ in rng.normal(mean: 2.97, sd: 0.43) }.sorted()
        x.withUnsafeBufferPointer { p in
            y.withUnsafeBufferPointer { q in
                let auc = AUCEstimate(positives: p, negatives: q)
                for m in EstimationMethod.allCases {
                    let alone = m.estimator.estimate(positives: p, negatives: q, pass: nil, parameters: .defaults)
                    let withAUC = m.estimator.estimate(positives: p, negatives: q, pass: JointPass(auc: auc, searchedYouden: false, youden: nil), parameters: .defaults)
                    #expect(alone.cutoff == withAUC.cutoff && alone.ties == withAUC.ties, "\(m)")
                    #expect(alone.auc.isNaN ? withAUC.auc.isNaN : alone.auc == withAUC.auc, "\(m)")
                    switch m.estimator.reportedAUC {
                    case .cohort: #expect(alone.auc == auc.auc)
                    case .none: #expect(alone.auc.isNaN)
                    case .own: #expect(alone.auc.isFinite)
                    }
                }
                #expect(EstimationMethod.empirical.estimator.estimate(positives: p, negatives: q, pass: nil, parameters: .defaults).cutoff
                        == EmpiricalYouden(positives: p, negatives: q)!.cutoff)
                #expect(EstimationMethod.binormal.estimator.estimate(positives: p, negatives: q, pass: nil, parameters: .defaults).cutoff
                        == BinormalYouden(positives: p, negatives: q)!.cutoff)
                #expect(EstimationMethod.kernel.estimator.estimate(positives: p, negatives: q, pass: nil, parameters: .defaults).cutoff
                        == KernelYouden(positives: p, negatives: q)!.cutoff)
            }
        }
    }

    /// The lognormal estimator on large lognormal samples converges to the population Youden
    /// cutoff, which `TruthSolver` finds independently (Brent's method on the exact lognormal
    /// densities, no closed form). With 2·10⁵ scores a class the estimate's SD is about 0.002.
    @Test func lognormalYoudenIsConsistentForLognormalClasses() throws {
        let event = ScoreDistribution.lognormal(meanlog: 1.28, sdlog: 0.13)
        let nonEvent = ScoreDistribution.lognormal(meanlog: 1.08, sdlog: 0.16)
        let truth = try TruthSolver.classConditional(event: event, nonEvent: nonEvent, prevalence: 0.262)
        let rng = RandomStream(SeedTree(root: 11).state(for: [2]))
        let x = (0..<200_000).map { _ in rng.lognormal(meanlog: 1.28, sdlog: 0.13) }
        let y = (0..<200_000).map { _ in rng.lognormal(meanlog: 1.08, sdlog: 0.16) }
        let l = x.withUnsafeBufferPointer { p in y.withUnsafeBufferPointer { q in LognormalYouden(positives: p, negatives: q) } }
        let estimate = try #require(l)
        #expect(isClose(estimate.cutoff, truth.cutoff, .approximation(0.01)), "lognormal ĉ \(estimate.cutoff) against c* \(truth.cutoff)")
        #expect(isClose(estimate.auc, truth.auc, .approximation(0.005)), "lognormal AUC \(estimate.auc) against \(truth.auc)")
    }

    /// A hand-worked case: log scores of events 1, 2, 3 (mean 2, SD 1) and of non-events 0, 1
    /// (mean 0.5, SD √½). On the log scale the fitted densities cross, between the means, at
    /// the maximum of J(t) = Φ((t − 0.5)/√½) − Φ(t − 2); in R:
    ///   f <- function(t) dnorm(t, 2, 1) - dnorm(t, 0.5, sqrt(0.5)); uniroot(f, c(0.5, 2), tol = 1e-12)$root
    ///   # 1.278847775 (optimize(J, c(0.5, 2), maximum = TRUE) agrees)
    /// so the cutoff is exp(1.278847775) = 3.592; the AUC is Φ(1.5 / √1.5) = pnorm(1.5 / sqrt(1.5)) = 0.889664319.
    @Test func lognormalYoudenHandWorked() throws {
        let x = [exp(1.0), exp(2.0), exp(3.0)], y = [exp(0.0), exp(1.0)]
        let l = try #require(x.withUnsafeBufferPointer { p in y.withUnsafeBufferPointer { q in LognormalYouden(positives: p, negatives: q) } })
        #expect(isClose(log(l.cutoff), 1.278847775, .numerical(1e-8)), "log cutoff \(log(l.cutoff))")
        #expect(isClose(l.auc, 0.889664319, .numerical(1e-8)), "AUC \(l.auc)")
        // A score that is not positive has no logarithm: no cutoff.
        let z = [0.0, 1.0]
        #expect(x.withUnsafeBufferPointer { p in z.withUnsafeBufferPointer { q in LognormalYouden(positives: p, negatives: q) } } == nil)
    }
}
