import VBQCore
/// The cutoff of largest specificity whose sensitivity is at least s (`min_sensitivity`), and
/// of those the one of largest sensitivity. OptimalCutpoints' "MinValueSe", cutpointr's
/// `spec_constrain`. In the population: the (1 − s)-quantile of the events.
/// (The floor is met within 1e-12, as for `SensitivityAtSpecificity`.)
public enum SpecificityAtSensitivity: EmpiricalCriterion {
    public static let criterionID = "spec_at_sens"
    public static let criterionWords = "largest Sp with Se ≥ s"
    public static func criterionWords(_ k: CriterionParameters) -> String { "largest Sp with Se ≥ \(Format.number(k.minSensitivity, digits: 3))" }
    public static let words = "cutoff of largest Sp with Se ≥ s"
    public static let formula = "Sp where Se ≥ s, largest"
    public static let colour = "#44aa99"
    public static let parameters: [CriterionParameters.Key] = [.minSensitivity]
    public static func value(at p: OperatingPoint, _ k: CriterionParameters) -> Double {
        slack(at: p, k)! >= -1e-12 ? p.sp : -.infinity
    }
    public static func objective(at p: OperatingPoint, _ k: CriterionParameters) -> Double { p.sp }
    public static func slack(at p: OperatingPoint, _ k: CriterionParameters) -> Double? { p.se - k.minSensitivity }
    public static func preference(at p: OperatingPoint, _ k: CriterionParameters) -> Double { p.se }
    public static let population = PopulationOptimum.balance { p, k in slack(at: p, k)! }
}
