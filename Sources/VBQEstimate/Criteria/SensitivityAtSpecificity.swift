import VBQCore
/// The cutoff of largest sensitivity whose specificity is at least s (`min_specificity`), and
/// of those the one of largest specificity. OptimalCutpoints' "MinValueSp", cutpointr's
/// `sens_constrain`. In the population: the s-quantile of the non-events.
/// (The floor is met within 1e-12, so that the population optimum, where the rate equals the
/// floor up to rounding, counts as meeting it; rates of a cohort are ratios of counts, never
/// that close to a floor without reaching it.)
public enum SensitivityAtSpecificity: EmpiricalCriterion {
    public static let criterionID = "sens_at_spec"
    public static let criterionWords = "largest Se with Sp ≥ s"
    public static func criterionWords(_ k: CriterionParameters) -> String { "largest Se with Sp ≥ \(Format.number(k.minSpecificity, digits: 3))" }
    public static let words = "cutoff of largest Se with Sp ≥ s"
    public static let formula = "Se where Sp ≥ s, largest"
    public static let colour = "#332288"
    public static let parameters: [CriterionParameters.Key] = [.minSpecificity]
    public static func value(at p: OperatingPoint, _ k: CriterionParameters) -> Double {
        slack(at: p, k)! >= -1e-12 ? p.se : -.infinity
    }
    public static func objective(at p: OperatingPoint, _ k: CriterionParameters) -> Double { p.se }
    public static func slack(at p: OperatingPoint, _ k: CriterionParameters) -> Double? { p.sp - k.minSpecificity }
    public static func preference(at p: OperatingPoint, _ k: CriterionParameters) -> Double { p.sp }
    public static let population = PopulationOptimum.balance { p, k in slack(at: p, k)! }
}
