/// The index of union (Unal 2017): the cutoff whose sensitivity and specificity are both
/// closest to the AUC, the smallest |Se − AUC| + |Sp − AUC|, with the cohort's Mann–Whitney AUC
/// (the population's AUC for c\*). Neither OptimalCutpoints nor cutpointr has it.
public enum IndexOfUnion: EmpiricalCriterion {
    public static let criterionID = "union"
    public static let criterionWords = "index of union"
    public static let words = "index-of-union cutoff"
    public static let formula = "|Se − AUC| + |Sp − AUC|, smallest"
    public static let isMinimised = true
    public static let colour = "#f0e442"
    public static func value(at p: OperatingPoint, _ k: CriterionParameters) -> Double {
        -(abs(p.se - p.auc) + abs(p.sp - p.auc))
    }
    /// The derivative has kinks where Se or Sp equals the AUC; the root finder then stops at
    /// the kink, which is the optimum when it lies there.
    public static let population = PopulationOptimum.stationary { p, _ in
        (p.se > p.auc ? -1 : p.se < p.auc ? 1 : 0, p.sp > p.auc ? -1 : p.sp < p.auc ? 1 : 0)
    }
}
