/// The cutoff where sensitivity equals specificity: the smallest |Se − Sp|. OptimalCutpoints'
/// "SpEqualSe", cutpointr's `abs_d_sens_spec`.
public enum EqualSeSp: EmpiricalCriterion {
    public static let criterionID = "equal"
    public static let criterionWords = "Se = Sp"
    public static let words = "cutoff where Se = Sp"
    public static let formula = "|Se − Sp|, smallest"
    public static let isMinimised = true
    public static let colour = "#999999"
    public static func value(at p: OperatingPoint, _ k: CriterionParameters) -> Double { -abs(p.se - p.sp) }
    public static let population = PopulationOptimum.balance { p, _ in p.se - p.sp }
}
