import Foundation
import Testing
import VBQLab
import VBQTestSupport

/// Logistic regression (ML by IRLS, Firth's penalised likelihood) and Pearson's r against R.
///
/// The data (no random numbers): i = 1…40, x1 = (i − 20.5)/10, x2 = 1{i mod 3 = 0},
/// y = 1{x1 + sin(3i) + 0.8·x2 > 0.2}. R 4.2:
///
///     f <- glm(y ~ x1 + x2, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
///     coef(f); sqrt(diag(vcov(f))); confint.default(f); summary(f)$coefficients[, 4]
///     # Firth, independently: maximise l(b) + ½ log|X'WX| with optim (BFGS, Nelder–Mead, BFGS;
///     # reltol 1e-16), and each profile CI end by uniroot of 2(l*max − l*profile(b_j)) − qchisq(0.95, 1)
///     pl <- function(b, X, y) { eta <- as.vector(X %*% b); p <- plogis(eta); w <- p * (1 - p)
///       sum(y * eta - log1p(exp(eta))) + 0.5 * as.numeric(determinant(t(X) %*% (w * X))$modulus) }
///     cor.test(x1, y)
@Suite struct LogisticTests {
    static let data: (x: [[Double]], y: [Bool], x1: [Double]) = {
        var x: [[Double]] = [], y: [Bool] = [], x1: [Double] = []
        for i in 1...40 {
            let a = (Double(i) - 20.5) / 10, b: Double = i % 3 == 0 ? 1 : 0
            x.append([1, a, b]); x1.append(a)
            y.append(a + sin(3 * Double(i)) + 0.8 * b > 0.2)
        }
        return (x, y, x1)
    }()

    func close(_ a: [Double], _ b: [Double], _ tol: Double, _ what: String) {
        #expect(a.count == b.count)
        for (u, v) in zip(a, b) { #expect(isClose(u, v, .numerical(tol)), "\(what): \(u) vs R \(v)") }
    }

    @Test func maximumLikelihoodMatchesGLM() {
        let f = LogisticFit.ml(x: Self.data.x, y: Self.data.y)
        #expect(f.status == .converged)
        close(f.coefficients, [-0.63755815694684, 1.6889427614563, 1.9493007692472], 1e-6, "coef")
        close(f.standardErrors, [0.544215127790822, 0.518967726322003, 1.02382794560372], 1e-6, "se")
        close(f.lower, [-1.70420020725871, 0.671784708726538, -0.0573651305017269], 1e-6, "lower")
        close(f.upper, [0.429083893365035, 2.70610081418607, 3.95596666899614], 1e-6, "upper")
        close(f.pValues, [0.241390376788073, 0.00113621217962498, 0.0569187888303961], 1e-6, "p")
    }

    @Test func firthMatchesAnIndependentPenalisedLikelihood() {
        let f = LogisticFit.firth(x: Self.data.x, y: Self.data.y)
        #expect(f.status == .converged)
        close(f.coefficients, [-0.557528643555302, 1.46411827936318, 1.69021061608456], 1e-5, "firth coef")
        close(f.lower, [-1.64083082457462, 0.684158461067931, -0.0130643960074375], 1e-5, "firth lower")
        close(f.upper, [0.398210813578305, 2.55139107397656, 3.77496859154236], 1e-5, "firth upper")
    }

    /// Complete separation (x = 1…10, y = 0 for x ≤ 5): ML is flagged, never a finite number
    /// (R's glm returns −245.8 and 44.7 with a warning); Firth stays finite. R, as above:
    /// Firth −5.3385726965348, 0.970649586923578; CIs (−30.7818, −0.8313), (0.19616, 5.56424).
    @Test func separationIsDetectedAndFirthStaysFinite() {
        let x = (1...10).map { [1, Double($0)] }, y = (1...10).map { $0 > 5 }
        let ml = LogisticFit.ml(x: x, y: y)
        #expect(ml.status == .separation)
        #expect(ml.coefficients.allSatisfy { $0.isNaN })
        let f = LogisticFit.firth(x: x, y: y)
        #expect(f.status == .converged)
        close(f.coefficients, [-5.3385726965348, 0.970649586923578], 1e-5, "separated firth")
        close(f.lower, [-30.781830439693, 0.196157993048206], 1e-4, "separated firth lower")
        close(f.upper, [-0.831274466850102, 5.56423902088255], 1e-5, "separated firth upper")
    }

    /// cor.test(x1, y): r 0.61940175700862, 95% CI 0.381503244728226–0.780344142232023, p 2.031403771318e-05.
    @Test func pearsonMatchesCorTest() throws {
        let r = try #require(PearsonCorrelation(Self.data.x1, Self.data.y.map { $0 ? 1 : 0 }))
        #expect(isClose(r.r, 0.61940175700862, .rounding(1e-12)))
        #expect(isClose(r.lower, 0.381503244728226, .rounding(1e-12)) && isClose(r.upper, 0.780344142232023, .rounding(1e-12)))
        #expect(isClose(r.pValue, 2.031403771318e-05, .rounding(1e-15)))
    }

    static func simulate(n: Int, seed: UInt64) -> (x: [[Double]], y: [Bool]) {
        let rng = RandomStream()
        rng.reset(to: SeedTree(root: 77).state(for: [seed]))
        var x: [[Double]] = [], y: [Bool] = []
        for _ in 0..<n {
            let a = rng.normal(mean: 0, sd: 1), b: Double = rng.uniform() < 0.3 ? 1 : 0
            let eta = -1 + 0.8 * a + 0 * b
            x.append([1, a, b]); y.append(rng.uniform() < 1 / (1 + exp(-eta)))
        }
        return (x, y)
    }

    /// Monte Carlo: a covariate with no effect is "significant" (Wald p < 0.05) in 5% of cohorts
    /// (2,000 cohorts of 200, within 4 MCSE), and at n = 2,000 the mean ML coefficient of the real
    /// effect (0.8) is within 4 MCSE of it.
    @Test func waldTestHasItsLevelAndMLIsUnbiasedAtLargeN() {
        var rejected = 0, valid = 0
        for k in 0..<2000 {
            let d = Self.simulate(n: 200, seed: UInt64(k))
            let f = LogisticFit.ml(x: d.x, y: d.y)
            guard f.status == .converged else { continue }
            valid += 1
            if f.pValues[2] < 0.05 { rejected += 1 }
        }
        let rate = Double(rejected) / Double(valid)
        #expect(valid > 1990)
        #expect(isClose(rate, 0.05, .monteCarlo(4 * (0.05 * 0.95 / Double(valid)).squareRoot())), "type I error \(rate) over \(valid)")
        var estimates: [Double] = []
        for k in 0..<300 {
            let d = Self.simulate(n: 2000, seed: 10_000 + UInt64(k))
            let f = LogisticFit.ml(x: d.x, y: d.y)
            if f.status == .converged { estimates.append(f.coefficients[1]) }
        }
        let mean = estimates.reduce(0, +) / Double(estimates.count)
        let sd = (estimates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(estimates.count - 1)).squareRoot()
        #expect(isClose(mean, 0.8, .monteCarlo(4 * sd / Double(estimates.count).squareRoot())), "mean \(mean), MCSE \(sd / Double(estimates.count).squareRoot())")
    }
}
