import Foundation
import VBQCore
import VBQEstimate

/// What a study does with censored follow-up (`follow_up.handling`).
public enum CensoringHandling: String, Sendable, CaseIterable {
    /// Failure observed by the last visit; a patient censored earlier counts as free of failure
    /// (the seed paper's endpoint: "revised by the last follow-up").
    case everObserved = "ever_observed"
    /// Failure by the horizon among the patients followed to it; those censored earlier without
    /// failing are left out.
    case horizon
    /// The cumulative/dynamic time-dependent ROC at the horizon, Kaplan–Meier (Heagerty et al. 2000).
    case km
    /// The same with inverse-probability-of-censoring weights (Uno et al. 2007).
    case ipcw

    /// Whether a cohort is analysed as a time-dependent ROC rather than as two classes.
    public var timeDependent: Bool { self == .km || self == .ipcw }
}

/// The five-stage mechanistic model (docs/model.md §2b), with every parameter typed.
public struct MechanisticModel: Sendable, Equatable {
    public struct Mode: Sendable, Equatable {
        public var name: String
        public var alpha, gamma, lambda, revision, imagingSensitivity, imagingSpecificity: Double
        /// With follow-up: the mode's time from the operation, given that it occurs (Weibull).
        public var medianYears = 1.0, shape = 1.0
    }

    // Every field is set from the scenario (or its default) by the parameter table (`Schema`),
    // through the key path its entry names; the values here are only the blank the reader fills.
    // Population
    public var ageMean = 0.0, ageSD = 0.0, ageMin = 0.0, ageMax = 0.0, female = 0.0, chronicDisease = 0.0, steroids = 0.0
    public var bmiMean = 0.0, bmiSD = 0.0
    public var segments: [Double] = []
    // True bone quality
    public var boneMean = 0.0, ageEffect = 0.0, femaleEffect = 0.0, chronicEffect = 0.0, steroidEffect = 0.0, bmiEffect = 0.0
    public var lognormalResidual = true
    public var residualSD = 0.0
    // Selection
    public var vExclude = 0.0, q = 0.0
    // Outcome
    public var vRef = 0.0
    public var modes: [Mode] = Schema.modes.map { Mode(name: $0, alpha: 0, gamma: 0, lambda: 0, revision: 0, imagingSensitivity: 0, imagingSpecificity: 0) }
    public var definitionName = ""
    public var definition = FailureDefinition(modes: [], revision: false, imaging: false)
    // Measurement
    public var share15T = 0.0, factor15T = 0.0, scannerSDLog = 0.0
    public var scannersPerField = 1
    public var pStenosis = 0.0, stenosisOddsRatioPerDecade = 0.0
    public var fallbackLevels: [String] = []
    public var fallbackProbabilities: [Double] = []
    public var levelFactors: [String: Double] = [:]
    public var heterogeneitySDLog = 0.0
    public var readerSD = 0.0
    public var adjudication = false
    public var adjudicationThreshold = 0.0
    public var rounding = 0.0
    // Follow-up (time to failure): read only from a scenario's `follow_up` section.
    /// Whether the scenario follows patients in time; without it, the outcome is the yes/no
    /// failure of the five stages and none of the fields below is used.
    public var timed = false
    public var handlingName = CensoringHandling.everObserved.rawValue
    public var horizonYears = 0.0, accrualYears = 0.0, studyYears = 0.0, minYears = 0.0, lossPerYear = 0.0
    public var revisionDelayYears = 0.0, everShift = 0.0

    public var handling: CensoringHandling { CensoringHandling(rawValue: handlingName) ?? .everObserved }

    /// The blank the parameter table fills.
    init() {}

    /// `bone_quality.residual` as the scenario names it.
    var residualShape: String {
        get { lognormalResidual ? "lognormal" : "normal" }
        set { lognormalResidual = newValue == "lognormal" }
    }

    /// `measurement.csf.fallback`: the levels measured instead of L3, with their probabilities.
    var fallback: [(String, Double)] {
        get { Array(zip(fallbackLevels, fallbackProbabilities)) }
        set { fallbackLevels = newValue.map(\.0); fallbackProbabilities = newValue.map(\.1) }
    }

    /// `measurement.csf.level_factors`, in the levels' order.
    var levelFactorList: [(String, Double)] {
        get { Schema.csfLevels.compactMap { level in levelFactors[level].map { (level, $0) } } }
        set { levelFactors = Dictionary(uniqueKeysWithValues: newValue) }
    }

    /// A one-line description for reports.
    public var summary: String {
        func phrase(_ path: String, _ x: Double) -> String { ParameterLabels.phrase(path, level: Format.exact(x)) }
        let factors = levelFactorList.filter { $0.1 != 1 }.map { "\($0.0) ×\(Format.exact($0.1))" }
        let fallback = factors.isEmpty ? "the same CSF signal at every level" : "CSF signal " + factors.joined(separator: ", ")
        return [ParameterLabels.phrase("outcome.definition", level: definitionName),
                "\(phrase("measurement.field.share_1_5T", share15T)) (a 1.5 T scan reads ×\(Format.exact(factor15T)))",
                "\(phrase("measurement.csf.p_stenosis", pStenosis)) (\(fallback))",
                phrase("measurement.readers.sd", readerSD) + (adjudication ? ", a third reader on disagreement" : ", the mean of two readers"),
                "\(phrase("selection.q", q)) (poor bone: true VBQ above \(Format.exact(vExclude)))"].joined(separator: "; ")
    }
}

// Time to failure (docs/model.md §2c): one definition of each distribution, which the generator
// samples and the truth integrates.
extension MechanisticModel {
    /// Mode i's α as stage 4 uses it: with follow-up, the log-odds of ever occurring (shifted by
    /// `ever_shift`); without, of occurring within the study.
    @inlinable public func occurrenceAlpha(_ i: Int) -> Double { timed ? modes[i].alpha + everShift : modes[i].alpha }

    /// Mode i's time to event given that it occurs, from a uniform u: the Weibull quantile
    /// M·(log(1/(1 − u))/log 2)^(1/k) with the mode's median M and shape k.
    @inlinable public func modeTime(_ i: Int, _ u: Double) -> Double {
        modes[i].medianYears * pow(-log1p(-u) / M_LN2, 1 / modes[i].shape)
    }

    /// The delay from a failure to its revision, from a uniform u: exponential with median
    /// `revisionDelayYears`.
    @inlinable public func revisionDelay(_ u: Double) -> Double { revisionDelayYears * (-log1p(-u) / M_LN2) }

    /// P(mode i's time ≤ t | it occurs).
    public func modeTimeCDF(_ i: Int, _ t: Double) -> Double {
        t <= 0 ? 0 : -expm1(-M_LN2 * pow(t / modes[i].medianYears, modes[i].shape))
    }

    /// P(mode i counts by t | it counts at all): its time's CDF, or, when the definition asks for
    /// revision, the CDF of its time plus the revision delay,
    /// ∫₀ᵗ g(s)·(1 − e^(−λ(t − s))) ds with g the time's density and λ = log 2 / median delay.
    public func countedBy(_ t: Double, mode i: Int) -> Double {
        guard t > 0 else { return 0 }
        guard definition.revision else { return modeTimeCDF(i, t) }
        let lambda = M_LN2 / revisionDelayYears, k = modes[i].shape, m = modes[i].medianYears
        // In u = G(s), the integrand is 1 − e^(−λ(t − s(u))) over u in [0, G(t)]: smooth, bounded.
        let top = modeTimeCDF(i, t)
        let value = Numerics.integrate({ u in
            let s = m * pow(-log1p(-u) / M_LN2, 1 / k)
            return -expm1(-lambda * max(0, t - s))
        }, from: 0, to: top, absTolerance: 1e-13, relTolerance: 1e-11).value
        return value
    }
}
