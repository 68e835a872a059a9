import VBQCore
import VBQEstimate
/// The parameters of the `mechanistic` family (docs/model.md §2b): every key, its default, its rule,
/// and where the default comes from. Scenario files may set any of them; `scenario.resolved.yaml`
/// lists all of them; `vary` can name any of them by path.
///
/// Defaults reproduce the seed paper's Table 1 in the reference cell (3.0 T only, CSF at L3,
/// `revision_any`, no selection): measured score 3.62 ± 0.46 with failure and 2.97 ± 0.43
/// without, prevalence 0.262. The bone-quality and outcome-slope parameters were found by
/// least squares on the expected class moments of 1.5 million simulated patients (weights
/// P(failure | patient) and 1 − P), holding the other parameters at their cited values.
package indirect enum Schema: Sendable {
    enum Rule: Sendable {
        case real, positive, nonNegative, probability
        /// The accepted range when a parameter states none of its own: wide enough for any
        /// plausible model, narrow enough that every intermediate stays finite.
        var range: ClosedRange<Double> {
            switch self {
            case .real: return -1e3...1e3
            case .positive: return 1e-9...1e3
            case .nonNegative: return 0...1e3
            case .probability: return 0...1
            }
        }
    }
    /// Where a parameter's value lives in the model.
    typealias Field<T> = WritableKeyPath<MechanisticModel, T> & Sendable

    /// What a parameter holds, its default and the model field it sets.
    enum Kind: Sendable {
        case number(Double, Rule, ClosedRange<Double>?, Field<Double>)
        /// A whole number from 1 to the limit.
        case count(Int, max: Int, Field<Int>)
        case choice(String, [String], Field<String>)
        case flag(Bool, Field<Bool>)
        /// A list of probabilities summing to 1 (fixed length).
        case probabilities([Double], Field<[Double]>)
        /// A mapping of CSF level → value.
        case levels([(String, Double)], Rule, sumsToOne: Bool, Field<[(String, Double)]>)
        /// User-defined failure definitions (kept beside the model: only the chosen one is in it).
        case definitions
    }

    /// One parameter: what it holds, where its default comes from (a source in
    /// docs/literature.md, "calibrated", or "assumed" with a reason), and the words a figure or
    /// sentence uses for it (nil: it is named by its path).
    package struct Parameter: Sendable {
        let kind: Kind
        package let source: String
        let label: ParameterLabels.Label?
    }

    case group([(String, Schema)])
    case parameter(Parameter)

    static func value(_ value: Double, _ rule: Rule, in range: ClosedRange<Double>? = nil, _ field: Field<Double>,
                      _ source: String, label: ParameterLabels.Label? = nil) -> Schema {
        .parameter(Parameter(kind: .number(value, rule, range, field), source: source, label: label))
    }

    static func of(_ kind: Kind, _ source: String, label: ParameterLabels.Label? = nil) -> Schema {
        .parameter(Parameter(kind: kind, source: source, label: label))
    }

    /// Every parameter by its dotted path, in the schema's order.
    package static var parameters: [(path: String, parameter: Parameter)] {
        func flatten(_ prefix: String, _ node: Schema) -> [(path: String, parameter: Parameter)] {
            switch node {
            case let .group(children): return children.flatMap { flatten(prefix.isEmpty ? $0.0 : "\(prefix).\($0.0)", $0.1) }
            case let .parameter(p): return [(prefix, p)]
            }
        }
        return flatten("", .group(stages + optionalStages))
    }

    static let csfLevels = ["L1", "L2", "L4", "L5"]
    static let modes = ["screw_loosening", "cage_subsidence", "rod_fracture", "junctional"]
    static let builtInDefinitions: [(String, FailureDefinition)] = [
        ("revision_any", FailureDefinition(modes: modes, revision: true, imaging: false)),
        ("radiographic_loosening", FailureDefinition(modes: ["screw_loosening"], revision: false, imaging: true)),
        ("loosening_or_subsidence", FailureDefinition(modes: ["screw_loosening", "cage_subsidence"], revision: false, imaging: true)),
        ("any_hardware_radiographic", FailureDefinition(modes: modes, revision: false, imaging: true)),
    ]

    /// A failure mode's parameters; `source` says where its defaults come from.
    static func mode(_ i: Int, alpha: Double, gamma: Double, lambda: Double, revision: Double, se: Double, sp: Double,
                     _ source: String) -> Schema {
        .group([("alpha", .value(alpha, .real, \M.modes[i].alpha, source)),
                ("gamma", .value(gamma, .real, \M.modes[i].gamma, source)),
                ("lambda", .value(lambda, .real, \M.modes[i].lambda, source)),
                ("revision", .value(revision, .probability, \M.modes[i].revision, source)),
                ("imaging_sensitivity", .value(se, .probability, \M.modes[i].imagingSensitivity, source)),
                ("imaging_specificity", .value(sp, .probability, \M.modes[i].imagingSpecificity, source))])
    }

    typealias M = MechanisticModel

    static let population: [(String, Schema)] = [
        ("age", .group([("mean", .value(68.7, .real, in: 0...120, \M.ageMean, "seed Table 1 (lit:A1)")),
                        ("sd", .value(6.3, .positive, in: 1e-3...50, \M.ageSD, "seed Table 1 (lit:A1)")),
                        ("min", .value(18, .real, in: 0...120, \M.ageMin, "seed inclusion: age ≥ 18")),
                        ("max", .value(95, .real, in: 0...120, \M.ageMax, "assumed: oldest plausible fusion patient"))])),
        ("female", .value(0.74, .probability, \M.female, "seed Table 1 (lit:A1)")),
        ("chronic_disease", .value(0.67, .probability, \M.chronicDisease, "seed Table 1 (lit:A1)")),
        ("steroids", .value(0.026, .probability, \M.steroids, "assumed: near seed Table 1's 6 of 256 = 0.023 (lit:A1)")),
        ("bmi", .group([("mean", .value(24.5, .real, in: 5...100, \M.bmiMean, "assumed: not reported; typical surgical cohort")),
                        ("sd", .value(3.5, .positive, in: 1e-3...50, \M.bmiSD, "assumed"))])),
        ("segments", .of(.probabilities([0.55, 0.25, 0.12, 0.08], \M.segments),
                         "assumed: gives 1.73 ± 0.96 vs seed 1.74 ± 0.95 (lit:A1)")),
    ]

    static let boneQuality: [(String, Schema)] = [
        ("mean", .value(3.14, .positive, in: 1e-3...100, \M.boneMean, "calibrated (Table 1 reference cell)")),
        ("age_per_decade", .value(0.2, .real, in: -100...100, \M.ageEffect, "lit:A3 (+0.2 per decade)")),
        ("female", .value(0.27, .real, in: -100...100, \M.femaleEffect, "lit:A2: r = 0.23 with sex → β = r·SD(v)/SD(sex)")),
        ("chronic_disease", .value(0.25, .real, in: -100...100, \M.chronicEffect, "lit:A2: r = 0.229 → β = r·SD(v)/SD(chronic)")),
        ("steroids", .value(0.3, .real, in: -100...100, \M.steroidEffect, "assumed: steroid-induced marrow fat; rare (2.6%)",
                             label: .init(short: nil, axis: "effect of long-term steroids on true VBQ", phrase: .template("steroids add {} to true VBQ", zero: "no steroid effect")))),
        ("bmi_per_unit", .value(0, .real, in: -10...10, \M.bmiEffect, "assumed: no effect (sweep it)")),
        ("residual", .of(.choice("lognormal", ["lognormal", "normal"], \M.residualShape),
                         "calibrated: the right skew Table 1's SDs need")),
        ("residual_sd", .value(0.148, .positive, in: 1e-12...5, \M.residualSD, "calibrated; SD of log v for lognormal, of v for normal")),
    ]

    static let selection: [(String, Schema)] = [
        ("v_exclude", .value(3.8, .real, \M.vExclude, "assumed: around the fracture-cohort range (lit:A4)",
                              label: .init(short: "poor-bone threshold", axis: "poor-bone threshold (true VBQ)", phrase: .template("poor bone: true VBQ above {}")))),
        ("q", .value(0, .probability, \M.q, "off in the reference cell (docs/model.md §2b)",
                      label: .init(short: "q", axis: "share of poor-bone patients not operated on", phrase: .template("{%} of poor-bone patients not operated on", zero: "every poor-bone patient operated on")))),
    ]

    static let outcome: [(String, Schema)] = [
        ("v_ref", .value(3.14, .real, \M.vRef, "assumed: centre of the cohort's bone quality")),
        ("definition", .of(.choice("revision_any", [], \M.definitionName), "the seed paper's endpoint",
                           label: .init(short: "definition", axis: "definition of failure", phrase: .template("failure: {}")))),
        ("definitions", .of(.definitions, "none built in beyond the four named definitions")),
        ("modes", .group([
            // alpha = logit P(mode) at v_ref with one fused segment; gamma per VBQ unit; lambda per extra segment.
            ("screw_loosening", mode(0, alpha: -4.39, gamma: 10.9, lambda: 0.15, revision: 0.45, se: 0.60, sp: 0.95,
                                     "alpha, gamma calibrated; lambda assumed; revision ≈ 40% of loosening (lit:D3); imaging assumed between lit:D4 (24%) and lit:D1")),
            ("cage_subsidence", mode(1, alpha: -1.39, gamma: 6.5, lambda: 0.20, revision: 0.35, se: 0.85, sp: 0.95,
                                     "20% at v_ref (lit:D5 PLIF 7–32%); gamma 0.6 × loosening's, the rest assumed")),
            ("rod_fracture", mode(2, alpha: -3.18, gamma: 1.6, lambda: 0.30, revision: 0.80, se: 0.95, sp: 0.99,
                                  "assumed: 4%, weakly bone-dependent; fractures are usually revised and visible")),
            ("junctional", mode(3, alpha: -1.73, gamma: 3.8, lambda: 0.25, revision: 0.25, se: 0.80, sp: 0.90,
                                "15% (lit:D6: 10–72% by definition); the rest assumed")),
        ])),
    ]

    static let measurement: [(String, Schema)] = [
        ("field", .group([
            ("share_1_5T", .value(0, .probability, \M.share15T, "reference: 3.0 T only",
                                   label: .init(short: "1.5 T share", axis: "share of scans at 1.5 T", phrase: .template("{%} of scans at 1.5 T", zero: "no scan at 1.5 T", one: "every scan at 1.5 T")))),
            ("factor_1_5T", .value(1.10, .positive, in: 0.01...10, \M.factor15T,
                                    "lit:F1 ×1.26 is an upper bound; within-patient unknown (sweep)",
                                    label: .init(short: "1.5 T factor", axis: "1.5 T signal factor (VBQ at 1.5 T ÷ VBQ at 3.0 T)", phrase: .template("1.5 T factor ×{}")))),
        ])),
        ("scanner", .group([
            ("sd_log", .value(0, .nonNegative, in: 0...2, \M.scannerSDLog, "off in the reference; lit:F2 ≈ 0.076",
                               label: .init(short: nil, axis: "scanner-to-scanner SD (log scale)", phrase: .template("scanner SD {} (log scale)", zero: "one scanner calibration")))),
            ("per_field", .of(.count(1, max: Limits.scannersPerField, \M.scannersPerField),
                              "assumed: one scanner per field strength in a cohort")),
        ])),
        ("csf", .group([
            ("p_stenosis", .value(0, .probability, \M.pStenosis, "reference: CSF at L3 for all",
                                   label: .init(short: "CSF at L2/L4", axis: "share of patients with CSF measured at L2/L4", phrase: .template("{%} with CSF at L2/L4", zero: "CSF at L3 for all")))),
            ("stenosis_odds_ratio_per_decade", .value(1, .positive, \M.stenosisOddsRatioPerDecade,
                                                       "assumed: sweep (stenosis rises with age)")),
            ("fallback", .of(.levels([("L2", 0.5), ("L4", 0.5)], .probability, sumsToOne: true, \M.fallback),
                             "seed §2.2: L2 or L4")),
            ("level_factors", .of(.levels([("L1", 1), ("L2", 1), ("L4", 1), ("L5", 1)], .positive, sumsToOne: false, \M.levelFactorList),
                                  "lit:C2: unknown, sweep (0.01 to 10)",
                                  label: .init(short: "CSF level factors", axis: "CSF level factors at L2 and L4", phrase: .template("CSF level factors {}")))),
            ("heterogeneity_sd_log", .value(0.07, .nonNegative, in: 0...2, \M.heterogeneitySDLog, "lit:C1: 6–9%",
                                             label: .init(short: "L2/L4 CSF heterogeneity", axis: "patient-to-patient heterogeneity of CSF at L2/L4 (SD, log scale)", phrase: .template("L2/L4 CSF heterogeneity SD {}")))),
        ])),
        ("readers", .group([
            ("sd", .value(0.15, .nonNegative, in: 0...10, \M.readerSD, "lit:R4 (ICC 0.89–0.91)",
                           label: .init(short: "reader SD", axis: "reader SD (VBQ score)", phrase: .template("reader SD {}", zero: "no reader error")))),
            ("adjudication", .of(.flag(true, \M.adjudication), "seed §2.2: third reader when readers differ > 10%",
                                 label: .init(short: "third reader", axis: "third reader when the two differ by > 10%", phrase: .flag(yes: "third reader on disagreement", no: "mean of two readers")))),
            ("threshold", .value(0.10, .nonNegative, in: 0...10, \M.adjudicationThreshold, "seed §2.2")),
        ])),
        ("rounding", .value(0, .nonNegative, in: 0...1, \M.rounding, "assumed: 0, none; 0.1 or 0.01 creates ties",
                             label: .init(short: "rounding", axis: "rounding of the recorded score", phrase: .template("scores rounded to {}", zero: "scores not rounded")))),
    ]

    /// A failure mode's time to event given that it occurs: a Weibull with this median and shape.
    static func modeTime(_ i: Int, median: Double, shape: Double, _ source: String) -> Schema {
        .group([("median_years", .value(median, .positive, in: 0.001...100, \M.modes[i].medianYears, source)),
                ("shape", .value(shape, .positive, in: 0.1...20, \M.modes[i].shape, source))])
    }

    /// Time to failure and the study's follow-up (docs/model.md §2c). A scenario opts in by
    /// having a `follow_up` section; without one, none of this is read, listed or drawn.
    static let followUp: [(String, Schema)] = [
        ("handling", .of(.choice(CensoringHandling.everObserved.rawValue, CensoringHandling.allCases.map(\.rawValue), \M.handlingName),
                         "seed §2.3: failure is revision by the last visit",
                         label: .init(short: "handling", axis: "how censored follow-up is handled", phrase: .template("censoring handled as {}")))),
        ("horizon_years", .value(2, .positive, in: 0.01...50, \M.horizonYears, "seed §2.1: every patient followed ≥ 2 years",
                                 label: .init(short: "horizon", axis: "horizon of the failure endpoint (years)", phrase: .template("failure by year {}")))),
        ("accrual_years", .value(6, .nonNegative, in: 0...50, \M.accrualYears, "seed §2.1: operations from January 2017 to December 2022",
                                 label: .init(short: "accrual", axis: "accrual window (years)", phrase: .template("operations over {} years")))),
        ("study_years", .value(8, .positive, in: 0.01...60, \M.studyYears,
                               "assumed: last visits at the end of 2024, the earliest data cut that gives the last patients 2 years",
                               label: .init(short: "study length", axis: "first operation to the end of the study (years)", phrase: .template("study ends {} years after the first operation")))),
        ("min_years", .value(2, .nonNegative, in: 0...50, \M.minYears, "seed §2.1: follow-up ≥ 2 years unless revised before",
                             label: .init(short: "minimum follow-up", axis: "minimum follow-up to be included (years)", phrase: .template("at least {} years of follow-up", zero: "no minimum follow-up")))),
        ("loss_per_year", .value(0.03, .nonNegative, in: 0...0.5, \M.lossPerYear, "assumed: 3% of patients a year stop attending",
                                 label: .init(short: "loss to follow-up", axis: "loss to follow-up per year", phrase: .template("{%} a year lost to follow-up", zero: "nobody lost to follow-up")))),
        ("revision_delay_years", .value(0.5, .positive, in: 0.001...20, \M.revisionDelayYears,
                                        "assumed: median half a year from a failure to its revision (exponential)")),
        ("ever_shift", .value(0.23, .real, in: -10...10, \M.everShift,
                              "calibrated: the logit shift of every mode's probability of ever occurring that makes the seed's design reproduce Table 1 (prevalence 0.262)")),
        ("modes", .group([
            ("screw_loosening", modeTime(0, median: 0.52, shape: 2.1, "lit:T1: mean 6.3 ± 3.4 and 7.3 ± 3.0 months to loosening")),
            ("cage_subsidence", modeTime(1, median: 0.1, shape: 1.5, "lit:T2: mostly within 1 month, none progressing after 3 months")),
            ("rod_fracture", modeTime(2, median: 1.5, shape: 2, "assumed: fatigue fracture, after the first year more often than before")),
            ("junctional", modeTime(3, median: 4, shape: 1.3, "assumed: adjacent-segment failure accrues for years (lit:D6's rates grow with follow-up)")),
        ])),
    ]

    /// The stages, in docs/model.md's order.
    static let stages: [(String, Schema)] = [
        ("population", .group(population)),
        ("bone_quality", .group(boneQuality)),
        ("selection", .group(selection)),
        ("outcome", .group(outcome)),
        ("measurement", .group(measurement)),
    ]

    /// Stages a scenario has only when it names them: their parameters are read, listed in
    /// `scenario.resolved.yaml` and drawn only then, so a scenario without them runs as before.
    static let optionalStages: [(String, Schema)] = [("follow_up", .group(followUp))]

    static var stageNames: [String] { (stages + optionalStages).map(\.0) }
}

/// A failure definition: which modes count, and whether revision and/or imaging detection is required.
public struct FailureDefinition: Sendable, Equatable {
    public var modes: [String]
    public var revision: Bool
    public var imaging: Bool

    /// The failure modes of the outcome stage, in the order of the per-patient bits.
    package static var allModes: [String] { Schema.modes }

    package init(modes: [String], revision: Bool, imaging: Bool) { self.modes = modes; self.revision = revision; self.imaging = imaging }
}
