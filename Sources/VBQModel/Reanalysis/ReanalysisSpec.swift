import Foundation
import VBQCore
import VBQEstimate

/// The seed paper's own analysis, repeated on every simulated mechanistic cohort (docs/model.md §9):
/// the AUC of each covariate for failure (its Table 2), a binary logistic regression of
/// 1{score ≥ cutoff} on the covariates (Table 4), and Pearson's r of the score with each
/// covariate and with failure (Table 5). A scenario switches it on with a `reanalysis:` section.
public struct ReanalysisSpec: Sendable, Equatable {
    /// The covariates of the mechanistic population, as the paper coded them.
    public enum Covariate: String, Sendable, CaseIterable {
        case age, female, chronicDisease = "chronic_disease", steroids, bmi, segments

        public var isBinary: Bool { self == .female || self == .chronicDisease || self == .steroids }

        /// Words for a table row: what one unit of the odds ratio is.
        public var words: String {
            switch self {
            case .age: return "age (per year)"
            case .female: return "female (vs male)"
            case .chronicDisease: return "chronic disease"
            case .steroids: return "long-term steroids"
            case .bmi: return "BMI (per kg/m²)"
            case .segments: return "fused segments (per segment)"
            }
        }
    }

    /// Which cutoff turns the score into the regression's outcome.
    public enum OutcomeCutoff: Sendable, Equatable {
        /// A published cutoff (the seed paper's 3.3).
        case fixed(Double)
        /// The cohort's own empirical Youden cutoff (the population's c* for the truth).
        case estimated

        public var words: String {
            switch self {
            case let .fixed(c): return "score ≥ \(Format.exact(c))"
            case .estimated: return "score ≥ the cohort's own empirical Youden cutoff"
            }
        }
    }

    /// A value the paper reports, to be placed in the simulated distribution: an estimate with,
    /// optionally, its 95% CI.
    public struct Observed: Sendable, Equatable {
        public var value: Double
        public var lower: Double?
        public var upper: Double?
    }

    public var covariates: [Covariate]
    /// Cohorts re-analysed per cell: the first this many replicates (all when nil).
    public var cohorts: Int?
    public var logistic: Bool
    public var outcomeCutoff: OutcomeCutoff
    public var methods: [LogisticMethod]
    public var correlations: Bool
    public var covariateAUC: Bool
    /// Patients of the population simulation that gives each quantity's population value.
    public var truthPatients: Int
    /// Where the observed values come from (one line, for the report).
    public var source: String?
    /// Published values by term: odds ratios by covariate, correlations by covariate or
    /// `failure`, AUCs by covariate or `score`.
    public var observedOddsRatios: [(String, Observed)]
    public var observedCorrelations: [(String, Observed)]
    public var observedAUCs: [(String, Observed)]
    /// The covariates the paper found significant at 5% in its regression (the rest were not):
    /// how often a simulated study reports the same pattern.
    public var significant: [Covariate]?

    public static func == (a: Self, b: Self) -> Bool {
        a.covariates == b.covariates && a.cohorts == b.cohorts && a.logistic == b.logistic && a.outcomeCutoff == b.outcomeCutoff
            && a.methods == b.methods && a.correlations == b.correlations && a.covariateAUC == b.covariateAUC
            && a.truthPatients == b.truthPatients && a.source == b.source && a.significant == b.significant
            && a.observedOddsRatios.map(\.0) == b.observedOddsRatios.map(\.0) && a.observedOddsRatios.map(\.1) == b.observedOddsRatios.map(\.1)
            && a.observedCorrelations.map(\.0) == b.observedCorrelations.map(\.0) && a.observedCorrelations.map(\.1) == b.observedCorrelations.map(\.1)
            && a.observedAUCs.map(\.0) == b.observedAUCs.map(\.0) && a.observedAUCs.map(\.1) == b.observedAUCs.map(\.1)
    }

    public static let defaultTruthPatients = 500_000
    public static let quickTruthPatients = 100_000

    /// Terms of the AUC table: the score, then the covariates.
    public var aucTerms: [String] { ["score"] + covariates.map(\.rawValue) }
    /// Terms of the correlation table: the covariates, then failure.
    public var correlationTerms: [String] { covariates.map(\.rawValue) + ["failure"] }
}


extension ReanalysisSpec {
    /// Every part of the analysis (covariate AUCs, ML and Firth regressions, correlations) on
    /// `covariates`, with nothing observed to place: what `analyze --covariates --against`
    /// repeats on each simulated cohort.
    public init(whole covariates: [Covariate], outcomeCutoff: OutcomeCutoff) {
        self.init(covariates: covariates, cohorts: nil, logistic: true, outcomeCutoff: outcomeCutoff, methods: LogisticMethod.allCases,
                  correlations: true, covariateAUC: true, truthPatients: Self.defaultTruthPatients, source: nil,
                  observedOddsRatios: [], observedCorrelations: [], observedAUCs: [], significant: nil)
    }
}
