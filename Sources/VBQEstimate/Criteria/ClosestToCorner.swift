/// The cutoff closest to the ROC curve's top-left corner (0, 1): the smallest
/// (1 − Se)² + (1 − Sp)². OptimalCutpoints' "ROC01", cutpointr's `roc01`.
public enum ClosestToCorner: EmpiricalCriterion {
    public static let criterionID = "roc01"
    public static let criterionWords = "closest to (0, 1)"
    public static let words = "cutoff closest to (0, 1)"
    public static let formula = "(1 − Se)² + (1 − Sp)², smallest"
    public static let isMinimised = true
    public static let colour = "#56b4e9"
    public static func value(at p: OperatingPoint, _ k: CriterionParameters) -> Double {
        -((1 - p.se) * (1 - p.se) + (1 - p.sp) * (1 - p.sp))
    }
    public static let population = PopulationOptimum.stationary { p, _ in (2 * (1 - p.se), 2 * (1 - p.sp)) }
}
