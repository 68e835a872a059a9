import VBQCore
/// The cutoff of smallest expected misclassification cost per patient, relative to a false
/// positive: C·π·(1 − Se) + (1 − π)·(1 − Sp), with C = C_FN/C_FP (`cost_ratio`) and π the
/// stated prevalence (`cost_prevalence`) or the cohort's own. OptimalCutpoints' "MCT";
/// cutpointr's `misclassification_cost` (which counts FP + C·FN, n times this).
public enum MinimumCost: EmpiricalCriterion {
    public static let criterionID = "cost"
    public static let criterionWords = "smallest misclassification cost"
    public static func criterionWords(_ k: CriterionParameters) -> String { "smallest cost (C = \(Format.number(k.costRatio, digits: 3)))" }
    public static let words = "cutoff of smallest cost"
    public static let formula = "C·π·(1 − Se) + (1 − π)·(1 − Sp), smallest"
    public static let isMinimised = true
    public static let colour = "#117733"
    public static let parameters: [CriterionParameters.Key] = [.costRatio, .costPrevalence]
    public static func value(at p: OperatingPoint, _ k: CriterionParameters) -> Double {
        let pi = k.costPrevalence ?? p.prevalence
        return -(k.costRatio * pi * (1 - p.se) + (1 - pi) * (1 - p.sp))
    }
    public static let population = PopulationOptimum.stationary { p, k in
        let pi = k.costPrevalence ?? p.prevalence
        return (k.costRatio * pi, 1 - pi)
    }
}
