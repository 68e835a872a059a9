import Foundation
import VBQCore
import VBQEstimate

/// The five-stage mechanistic model (docs/model.md §2b), with every parameter typed.
public struct MechanisticModel: Sendable, Equatable {
    public struct Mode: Sendable, Equatable {
        public var name: String
        public var alpha, gamma, lambda, revision, imagingSensitivity, imagingSpecificity: Double
    }

    // Population
    public var ageMean, ageSD, ageMin, ageMax, female, chronicDisease, steroids, bmiMean, bmiSD: Double
    public var segments: [Double]
    // True bone quality
    public var boneMean, ageEffect, femaleEffect, chronicEffect, steroidEffect, bmiEffect: Double
    public var lognormalResidual: Bool
    public var residualSD: Double
    // Selection
    public var vExclude, q: Double
    // Outcome
    public var vRef: Double
    public var modes: [Mode]
    public var definitionName: String
    public var definition: FailureDefinition
    // Measurement
    public var share15T, factor15T, scannerSDLog: Double
    public var scannersPerField: Int
    public var pStenosis, stenosisOddsRatioPerDecade: Double
    public var fallbackLevels: [String]
    public var fallbackProbabilities: [Double]
    public var levelFactors: [String: Double]
    public var heterogeneitySDLog: Double
    public var readerSD: Double
    public var adjudication: Bool
    public var adjudicationThreshold: Double
    public var rounding: Double

    init(_ v: [String: MechanisticReader.Value]) {
        func n(_ k: String) -> Double { if case let .number(x)? = v[k] { return x }; preconditionFailure("missing \(k)") }
        func s(_ k: String) -> String { if case let .string(x)? = v[k] { return x }; preconditionFailure("missing \(k)") }
        func b(_ k: String) -> Bool { if case let .flag(x)? = v[k] { return x }; preconditionFailure("missing \(k)") }
        func l(_ k: String) -> [(String, Double)] { if case let .levels(x)? = v[k] { return x }; preconditionFailure("missing \(k)") }
        ageMean = n("population.age.mean"); ageSD = n("population.age.sd"); ageMin = n("population.age.min"); ageMax = n("population.age.max")
        female = n("population.female"); chronicDisease = n("population.chronic_disease"); steroids = n("population.steroids")
        bmiMean = n("population.bmi.mean"); bmiSD = n("population.bmi.sd")
        if case let .list(p)? = v["population.segments"] { segments = p } else { segments = [1, 0, 0, 0] }
        boneMean = n("bone_quality.mean"); ageEffect = n("bone_quality.age_per_decade"); femaleEffect = n("bone_quality.female")
        chronicEffect = n("bone_quality.chronic_disease"); steroidEffect = n("bone_quality.steroids"); bmiEffect = n("bone_quality.bmi_per_unit")
        lognormalResidual = s("bone_quality.residual") == "lognormal"; residualSD = n("bone_quality.residual_sd")
        vExclude = n("selection.v_exclude"); q = n("selection.q")
        vRef = n("outcome.v_ref")
        modes = Schema.modes.map { m in
            let p = "outcome.modes.\(m)."
            return Mode(name: m, alpha: n(p + "alpha"), gamma: n(p + "gamma"), lambda: n(p + "lambda"), revision: n(p + "revision"),
                        imagingSensitivity: n(p + "imaging_sensitivity"), imagingSpecificity: n(p + "imaging_specificity"))
        }
        let name = s("outcome.definition")
        var user: [(String, FailureDefinition)] = []
        if case let .definitions(d)? = v["outcome.definitions"] { user = d }
        definitionName = name
        definition = (Schema.builtInDefinitions + user).first { $0.0 == name }!.1
        share15T = n("measurement.field.share_1_5T"); factor15T = n("measurement.field.factor_1_5T")
        scannerSDLog = n("measurement.scanner.sd_log"); scannersPerField = Int(n("measurement.scanner.per_field"))
        pStenosis = n("measurement.csf.p_stenosis"); stenosisOddsRatioPerDecade = n("measurement.csf.stenosis_odds_ratio_per_decade")
        let fb = l("measurement.csf.fallback")
        fallbackLevels = fb.map(\.0); fallbackProbabilities = fb.map(\.1)
        levelFactors = Dictionary(uniqueKeysWithValues: l("measurement.csf.level_factors"))
        heterogeneitySDLog = n("measurement.csf.heterogeneity_sd_log")
        readerSD = n("measurement.readers.sd"); adjudication = b("measurement.readers.adjudication")
        adjudicationThreshold = n("measurement.readers.threshold"); rounding = n("measurement.rounding")
    }

    /// A one-line description for reports.
    public var summary: String {
        "definition \(definitionName); 1.5 T share \(Format.exact(share15T)) (×\(Format.exact(factor15T))); CSF stenosis \(Format.exact(pStenosis)); reader SD \(Format.exact(readerSD)); selection q \(Format.exact(q)) above v \(Format.exact(vExclude))"
    }
}
