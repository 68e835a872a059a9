/// The cutoff with the largest product Se·Sp, the concordance probability of the
/// dichotomised score (Liu 2012). OptimalCutpoints' "MaxProdSpSe", cutpointr's `prod_sens_spec`.
public enum ProductSeSp: EmpiricalCriterion {
    public static let criterionID = "product"
    public static let criterionWords = "largest Se·Sp"
    public static let words = "cutoff of largest Se·Sp"
    public static let formula = "Se · Sp, largest"
    public static let colour = "#cc79a7"
    public static func value(at p: OperatingPoint, _ k: CriterionParameters) -> Double { p.se * p.sp }
    public static let population = PopulationOptimum.stationary { p, _ in (p.sp, p.se) }
}
