import Foundation
import VBQCore
import VBQEstimate

/// The five-stage mechanistic model (docs/model.md §2b), with every parameter typed.
public struct MechanisticModel: Sendable, Equatable {
    public struct Mode: Sendable, Equatable {
        public var name: String
        public var alpha, gamma, lambda, revision, imagingSensitivity, imagingSpecificity: Double
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
