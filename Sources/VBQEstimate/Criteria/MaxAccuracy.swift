/// The cutoff of largest accuracy, π·Se + (1 − π)·Sp at the cohort's prevalence π (the
/// population's for c\*): the share of patients classified correctly. OptimalCutpoints'
/// "MaxEfficiency", cutpointr's `accuracy`. At a low prevalence it trades sensitivity away.
public enum MaxAccuracy: EmpiricalCriterion {
    public static let criterionID = "accuracy"
    public static let criterionWords = "largest accuracy"
    public static let words = "cutoff of largest accuracy"
    public static let formula = "π·Se + (1 − π)·Sp at the prevalence π, largest"
    public static let colour = "#882255"
    public static func value(at p: OperatingPoint, _ k: CriterionParameters) -> Double {
        p.prevalence * p.se + (1 - p.prevalence) * p.sp
    }
    public static let population = PopulationOptimum.stationary { p, _ in (p.prevalence, 1 - p.prevalence) }
}
