import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// Closed-form sample-size and precision formulas printed beside the simulated power.
public enum SampleSizeFormulas {
    static func z(_ p: Double) -> Double { Numerics.phiInverse(p) }

    /// Obuchowski's variance function for one binormal ROC curve (Obuchowski & McClish 1997;
    /// Obuchowski 2004; literature M5), as in R's pROC `power.roc.test`:
    /// V(A) = 0.0099·e^(−A²/2)·[(5A² + 8) + (A² + 8)/κ], A = √2·Φ⁻¹(AUC), κ = controls/cases.
    public static func obuchowskiVariance(auc: Double, kappa: Double) -> Double {
        let a = 2.0.squareRoot() * Numerics.phiInverse(auc)
        return 0.0099 * exp(-a * a / 2) * ((5 * a * a + 8) + (a * a + 8) / kappa)
    }

    /// Cases needed to show AUC > a₀ (Obuchowski): n₁ = (z_α √V₀ + z_β √V₁)² / (AUC − a₀)²,
    /// with α halved for a two-sided test. pROC fixes a₀ = 0.5; here a₀ is free. Infinite when
    /// AUC ≤ a₀ (no sample size shows an AUC above a null it does not exceed).
    public static func obuchowskiCases(auc: Double, null a0: Double = 0.5, kappa: Double, alpha: Double,
                                       power: Double, sides: Int) -> Double {
        guard auc > a0 else { return .infinity }
        let za = z(1 - alpha / Double(sides)), zb = z(power)
        let v0 = obuchowskiVariance(auc: a0, kappa: kappa), v1 = obuchowskiVariance(auc: auc, kappa: kappa)
        let num = za * v0.squareRoot() + zb * v1.squareRoot()
        return num * num / ((auc - a0) * (auc - a0))
    }

    /// Power of that test with n₁ cases and κ·n₁ controls.
    public static func obuchowskiPower(auc: Double, null a0: Double = 0.5, cases: Double, kappa: Double,
                                       alpha: Double, sides: Int) -> Double {
        let za = z(1 - alpha / Double(sides))
        let v0 = obuchowskiVariance(auc: a0, kappa: kappa), v1 = obuchowskiVariance(auc: auc, kappa: kappa)
        // Signed: an AUC at or below the null gives a power below α, not a mirror image.
        let zb = (cases.squareRoot() * (auc - a0) - za * v0.squareRoot()) / v1.squareRoot()
        return Numerics.phi(zb)
    }

    /// Hanley & McNeil (1982) standard error of the AUC (literature M6).
    public static func hanleyMcNeilSE(auc a: Double, cases n1: Double, controls n0: Double) -> Double {
        let q1 = a / (2 - a), q2 = 2 * a * a / (1 + a)
        return ((a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n0 - 1) * (q2 - a * a)) / (n1 * n0)).squareRoot()
    }

    /// Buderer (1996): cases (or non-cases) so that a proportion p is estimated within ±w with
    /// confidence 1 − α: n = z²·p(1 − p)/w² (literature M7). Divide by the prevalence (or
    /// 1 − prevalence) for the total.
    public static func budererCount(proportion p: Double, halfWidth w: Double, alpha: Double = 0.05) -> Double {
        let zz = z(1 - alpha / 2)
        return zz * zz * p * (1 - p) / (w * w)
    }

    /// Normal-approximation probability that a proportion from m subjects lands within ±w of p.
    public static func proportionWithin(p: Double, halfWidth w: Double, count m: Double) -> Double {
        let se = (p * (1 - p) / m).squareRoot()
        return se > 0 ? 2 * Numerics.phi(w / se) - 1 : 1
    }

    /// Delta-method SE of the binormal Youden cutoff from class means/SDs and class sizes
    /// (Var m̂ = s²/n, Var ŝ ≈ s²/(2(n − 1)), the four estimates independent).
    public static func binormalCutoffSE(eventMean m1: Double, eventSD s1: Double, nonEventMean m0: Double, nonEventSD s0: Double,
                                        events n1: Double, nonEvents n0: Double) -> Double {
        let c: ([Double]) -> Double = {
            BinormalYouden.cutoff(eventMean: $0[0], eventSD: $0[1], nonEventMean: $0[2], nonEventSD: $0[3]) ?? .nan
        }
        let theta = [m1, s1, m0, s0]
        let variances = [s1 * s1 / n1, s1 * s1 / (2 * (n1 - 1)), s0 * s0 / n0, s0 * s0 / (2 * (n0 - 1))]
        var v = 0.0
        for k in 0..<4 {
            let h = 1e-5 * max(1, abs(theta[k]))
            var up = theta, down = theta
            up[k] += h; down[k] -= h
            let g = (c(up) - c(down)) / (2 * h)
            v += g * g * variances[k]
        }
        return v.squareRoot()
    }
}
