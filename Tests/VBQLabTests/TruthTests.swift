import Foundation
import Testing
import VBQLab
import VBQTestSupport

/// Population truth against analytic results.
@Suite struct TruthTests {
    let baseline = try! TruthSolver.classConditional(
        event: .normal(mean: 3.62, sd: 0.46), nonEvent: .normal(mean: 2.97, sd: 0.43), prevalence: 67.0 / 256)

    // Reference values: the seed paper's Table 1 classes (3.62 ± 0.46 vs 2.97 ± 0.43).
    // c* solves N(3.62, 0.46) pdf = N(2.97, 0.43) pdf between the means; AUC* = Φ(0.65/√(0.46² + 0.43²)).
    // Independently: R> uniroot(function(x) dnorm(x,3.62,.46)-dnorm(x,2.97,.43), c(2.97,3.62))$root  → 3.304524296   (tol = 1e-12)
    //                R> pnorm(0.65/sqrt(.46^2+.43^2)) → 0.8490263146   (options(digits = 10))
    @Test func baselineCutoff() {
        #expect(isClose(baseline.cutoff, 3.3045, .printed(0.0005)))
        #expect(isClose(baseline.cutoff, 3.304524296, .numerical(1e-8)))
    }

    @Test func baselineYoudenAndAUC() {
        #expect(isClose(baseline.youdenJ, 0.5353, .printed(0.00005)))
        #expect(isClose(baseline.auc, 0.8490, .printed(0.00005)))
        #expect(isClose(baseline.auc, 0.8490263146, .numerical(1e-9)))
    }

    // At the published cutoff 3.3: sensitivity = 1 − Φ((3.3 − 3.62)/0.46), specificity = Φ((3.3 − 2.97)/0.43).
    @Test func baselineAtPublishedCutoff() {
        #expect(isClose(baseline.sensitivity(at: 3.3), 0.7567, .printed(0.00005)))
        #expect(isClose(baseline.specificity(at: 3.3), 0.7786, .printed(0.00005)))
    }

    // Equal variances (lit:M1): c* is the midpoint of the means and AUC = Φ(Δμ/(σ√2)).
    @Test(arguments: [(3.0, 2.5, 0.4), (3.62, 2.97, 0.45), (10.0, 1.0, 3.0), (0.2, 0.1, 0.05)])
    func equalVarianceBinormal(_ m1: Double, _ m0: Double, _ sd: Double) throws {
        let t = try TruthSolver.classConditional(event: .normal(mean: m1, sd: sd), nonEvent: .normal(mean: m0, sd: sd), prevalence: 0.3)
        #expect(isClose(t.cutoff, (m1 + m0) / 2, .rounding(1e-12 * max(1, abs(m1)))))
        let expected = 0.5 * erfc(-((m1 - m0) / (sd * 2.0.squareRoot())) / 2.0.squareRoot())
        #expect(isClose(t.auc, expected, .rounding(1e-14)))
        // J* = 2Φ(Δμ/(2σ)) − 1 at the midpoint.
        let j = 2 * (0.5 * erfc(-((m1 - m0) / (2 * sd)) / 2.0.squareRoot())) - 1
        #expect(isClose(t.youdenJ, j, .rounding(1e-14)))
    }

    // The numerical path (grid + GSL root + QAGS) must agree with the analytic path on a
    // pair it does not recognise as binormal: each class as a two-component mixture of itself.
    @Test func numericalPathMatchesAnalytic() throws {
        let e = ScoreDistribution.mixture([MixtureComponent(weight: 0.5, distribution: .normal(mean: 3.62, sd: 0.46)),
                                           MixtureComponent(weight: 0.5, distribution: .normal(mean: 3.62, sd: 0.46))])
        let n = ScoreDistribution.mixture([MixtureComponent(weight: 0.25, distribution: .normal(mean: 2.97, sd: 0.43)),
                                           MixtureComponent(weight: 0.75, distribution: .normal(mean: 2.97, sd: 0.43))])
        let t = try TruthSolver.classConditional(event: e, nonEvent: n, prevalence: 0.26)
        #expect(t.method.hasPrefix("numerical"))
        #expect(isClose(t.cutoff, baseline.cutoff, .numerical(1e-9)))
        #expect(isClose(t.youdenJ, baseline.youdenJ, .rounding(1e-12)))
        #expect(isClose(t.auc, baseline.auc, .numerical(1e-9)))
    }

    // Lognormal classes with equal sdlog: the densities cross where ln x is the midpoint of the
    // meanlogs, so c* = exp((μ₁ + μ₀)/2), and AUC = Φ((μ₁ − μ₀)/(σ√2)).
    @Test func lognormalPair() throws {
        let t = try TruthSolver.classConditional(event: .lognormal(meanlog: 1.28, sdlog: 0.13),
                                                 nonEvent: .lognormal(meanlog: 1.08, sdlog: 0.13), prevalence: 0.3)
        #expect(isClose(t.cutoff, exp((1.28 + 1.08) / 2), .numerical(1e-8)))
        let auc = 0.5 * erfc(-(0.20 / (0.13 * 2.0.squareRoot())) / 2.0.squareRoot())
        #expect(isClose(t.auc, auc, .numerical(1e-9)))
    }

    // Student-t with equal scale and df: symmetric, so c* is the midpoint of the locations.
    @Test func studentTPairIsSymmetric() throws {
        let t = try TruthSolver.classConditional(event: .studentT(location: 3.6, scale: 0.4, df: 5),
                                                 nonEvent: .studentT(location: 3.0, scale: 0.4, df: 5), prevalence: 0.3)
        #expect(isClose(t.cutoff, 3.3, .numerical(1e-8)))
        #expect(t.auc > 0.5 && t.auc < 1)
    }

    // Heavy tails: two Cauchy classes (t, df = 1) of scale s differ by a Cauchy of scale 2s, so
    // AUC = ½ + arctan(Δ/(2s))/π; wide lognormals with equal sdlog: AUC = Φ(Δμ/(σ√2)).
    @Test func heavyTailedClasses() throws {
        let cauchy = try TruthSolver.classConditional(event: .studentT(location: 3.6, scale: 0.4, df: 1),
                                                      nonEvent: .studentT(location: 3.0, scale: 0.4, df: 1), prevalence: 0.25)
        #expect(isClose(cauchy.auc, (0.5 + atan(0.6 / 0.8) / Double.pi), .numerical(1e-8)), "\(cauchy.auc)")
        #expect(isClose(cauchy.cutoff, 3.3, .numerical(1e-8)))
        let wide = try TruthSolver.classConditional(event: .lognormal(meanlog: 1.3, sdlog: 3), nonEvent: .lognormal(meanlog: 1.0, sdlog: 3), prevalence: 0.25)
        #expect(isClose(wide.auc, Numerics.phi(0.3 / (3 * 2.0.squareRoot())), .numerical(1e-8)), "\(wide.auc)")
        #expect(isClose(wide.cutoff, exp(1.15), .numerical(1e-6)))
    }

    @Test func eventClassMustScoreHigher() {
        #expect(throws: VBQError.self) {
            try TruthSolver.classConditional(event: .normal(mean: 2.9, sd: 0.4), nonEvent: .normal(mean: 3.6, sd: 0.4), prevalence: 0.3)
        }
    }

    // Distribution helpers against closed forms.
    @Test func distributionMoments() {
        let ln = ScoreDistribution.lognormal(meanlog: 1.0, sdlog: 0.2)
        #expect(isClose(ln.mean, exp(1.02), .rounding(1e-12)))
        let g = ScoreDistribution.gamma(shape: 4, scale: 0.5, shift: 1)
        #expect(isClose(g.mean, 3, .rounding(1e-12)))
        #expect(isClose(g.sd, 1, .rounding(1e-12)))
        #expect(isClose(g.cdf(g.quantile(0.3)), 0.3, .numerical(1e-10)))
        let m = ScoreDistribution.mixture([MixtureComponent(weight: 0.3, distribution: .normal(mean: 0, sd: 1)),
                                           MixtureComponent(weight: 0.7, distribution: .normal(mean: 4, sd: 1))])
        #expect(isClose(m.cdf(m.quantile(0.42)), 0.42, .numerical(1e-10)))
        #expect(isClose(m.mean, 2.8, .rounding(1e-12)))
    }
}
