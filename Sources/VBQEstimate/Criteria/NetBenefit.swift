import Foundation
import VBQCore

/// The cutoff of largest net benefit at a threshold probability p_t (decision-curve analysis,
/// Vickers and Elkin 2006): NB = π·Se − (1 − π)·(1 − Sp)·p_t/(1 − p_t) per patient.
///
/// Decision-curve analysis treats a patient when the predicted risk is at least p_t, so its
/// estimate on a cohort needs a risk model: the score's logistic regression fitted by maximum
/// likelihood, whose fitted risk reaches p_t at ĉ = (logit p_t − β₀)/β₁. In the population the
/// net benefit is largest where the true risk P(failure | score = c) equals p_t. The two agree
/// when the log odds of failure is linear in the score; where it is not, the logistic estimate
/// is biased for c\*, and the summaries show by how much.
public enum NetBenefit: EmpiricalCriterion {
    public static let criterionID = "net_benefit"
    public static let criterionWords = "largest net benefit"
    public static func criterionWords(_ k: CriterionParameters) -> String { "largest net benefit (p_t = \(Format.number(k.thresholdProbability, digits: 3)))" }
    public static let words = "logistic cutoff of largest net benefit"
    public static let formula = "π·Se − (1 − π)·(1 − Sp)·p_t/(1 − p_t), largest"
    public static let colour = "#aa4499"
    public static let reportsTies = false
    /// A logistic fit has no AUC of its own worth reporting beside the cohort's.
    public static let reportedAUC = EstimatorAUC.none
    public static let needsSortedClasses = false
    /// The logistic fit's IRLS, measured as `EmpiricalCriterion`'s cost is: about 86 µs a cohort of 256.
    public static let secondsPerPatient = 340e-9
    public static let secondsPerPatientResampled = 340e-9
    public static let parameters: [CriterionParameters.Key] = [.thresholdProbability]

    public static func value(at p: OperatingPoint, _ k: CriterionParameters) -> Double {
        let t = k.thresholdProbability
        return p.prevalence * p.se - (1 - p.prevalence) * (1 - p.sp) * t / (1 - t)
    }
    public static let population = PopulationOptimum.stationary { p, k in
        let t = k.thresholdProbability
        return (p.prevalence, (1 - p.prevalence) * t / (1 - t))
    }

    /// The score's logistic fit (the score centred at its mean, for the fit's conditioning) and
    /// the score at which its risk is p_t.
    public static func estimate(positives x: UnsafeBufferPointer<Double>, negatives y: UnsafeBufferPointer<Double>,
                                pass: JointPass?, parameters: CriterionParameters) -> CutoffResult {
        let n = x.count + y.count
        let mean = (x.reduce(0, +) + y.reduce(0, +)) / Double(n)
        var rows: [Double] = []
        rows.reserveCapacity(2 * n)
        for s in x { rows.append(1); rows.append(s - mean) }
        for s in y { rows.append(1); rows.append(s - mean) }
        let outcome = [Bool](repeating: true, count: x.count) + [Bool](repeating: false, count: y.count)
        let fit = LogisticFit.ml(LogisticFit.Data(n: n, p: 2, x: rows, y: outcome))
        guard fit.status == .converged else {
            return CutoffResult(failure: fit.status == .separation ? "the score separates the classes: the logistic fit has no finite estimate"
                                                                  : "the logistic fit did not converge")
        }
        let b0 = fit.coefficients[0], b1 = fit.coefficients[1]
        guard b1 > 0 else { return CutoffResult(failure: "the fitted risk does not rise with the score") }
        let t = parameters.thresholdProbability
        let c = mean + (log(t / (1 - t)) - b0) / b1
        return CutoffResult(cutoff: c)
    }
}
