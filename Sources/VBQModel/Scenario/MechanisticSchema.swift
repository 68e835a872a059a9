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
indirect enum Schema: Sendable {
    enum Rule: Sendable {
        case real, positive, nonNegative, probability, wholeAtLeastOne
        /// The accepted range when a parameter states none of its own: wide enough for any
        /// plausible model, narrow enough that every intermediate stays finite.
        var range: ClosedRange<Double> {
            switch self {
            case .real: return -1e3...1e3
            case .positive: return 1e-9...1e3
            case .nonNegative: return 0...1e3
            case .probability: return 0...1
            case .wholeAtLeastOne: return 1...Double(Limits.scannersPerField)
            }
        }
    }
    case group([(String, Schema)])
    case number(Double, Rule, ClosedRange<Double>? = nil)
    case choice(String, [String])
    case flag(Bool)
    /// A list of probabilities summing to 1 (fixed length).
    case probabilities([Double])
    /// A mapping of CSF level → value.
    case levels([(String, Double)], Rule, sumsToOne: Bool)
    /// User-defined failure definitions.
    case definitions

    static let csfLevels = ["L1", "L2", "L4", "L5"]
    static let modes = ["screw_loosening", "cage_subsidence", "rod_fracture", "junctional"]
    static let builtInDefinitions: [(String, FailureDefinition)] = [
        ("revision_any", FailureDefinition(modes: modes, revision: true, imaging: false)),
        ("radiographic_loosening", FailureDefinition(modes: ["screw_loosening"], revision: false, imaging: true)),
        ("loosening_or_subsidence", FailureDefinition(modes: ["screw_loosening", "cage_subsidence"], revision: false, imaging: true)),
        ("any_hardware_radiographic", FailureDefinition(modes: modes, revision: false, imaging: true)),
    ]

    static func mode(alpha: Double, gamma: Double, lambda: Double, revision: Double, se: Double, sp: Double) -> Schema {
        .group([("alpha", .number(alpha, .real)), ("gamma", .number(gamma, .real)), ("lambda", .number(lambda, .real)),
                ("revision", .number(revision, .probability)), ("imaging_sensitivity", .number(se, .probability)),
                ("imaging_specificity", .number(sp, .probability))])
    }

    /// The stages, in docs/model.md's order.
    static let stages: [(String, Schema)] = [
        ("population", .group([
            ("age", .group([("mean", .number(68.7, .real, 0...120)),  // seed Table 1 (lit:A1)
                            ("sd", .number(6.3, .positive, 1e-3...50)), // seed Table 1 (lit:A1)
                            ("min", .number(18, .real, 0...120)),       // seed inclusion: age ≥ 18
                            ("max", .number(95, .real, 0...120))])),    // assumed: oldest plausible fusion patient
            ("female", .number(0.74, .probability)),                    // seed Table 1 (lit:A1)
            ("chronic_disease", .number(0.67, .probability)),           // seed Table 1 (lit:A1)
            ("steroids", .number(0.026, .probability)),                 // assumed: near seed Table 1's 6 of 256 = 0.023 (lit:A1)
            ("bmi", .group([("mean", .number(24.5, .real, 5...100)),    // assumed: not reported; typical surgical cohort
                            ("sd", .number(3.5, .positive, 1e-3...50))])), // assumed
            ("segments", .probabilities([0.55, 0.25, 0.12, 0.08])),     // assumed: gives 1.73 ± 0.96 vs seed 1.74 ± 0.95 (lit:A1)
        ])),
        ("bone_quality", .group([
            ("mean", .number(3.14, .positive, 1e-3...100)),              // calibrated (Table 1 reference cell)
            ("age_per_decade", .number(0.2, .real, -100...100)),                     // lit:A3 (+0.2 per decade)
            ("female", .number(0.27, .real, -100...100)),                            // lit:A2: r = 0.23 with sex → β = r·SD(v)/SD(sex)
            ("chronic_disease", .number(0.25, .real, -100...100)),                   // lit:A2: r = 0.229 → β = r·SD(v)/SD(chronic)
            ("steroids", .number(0.3, .real, -100...100)),                           // assumed: steroid-induced marrow fat; rare (2.6%)
            ("bmi_per_unit", .number(0, .real, -10...10)),                         // assumed: no effect (sweep it)
            ("residual", .choice("lognormal", ["lognormal", "normal"])), // lognormal: right skew needed for Table 1's SDs
            ("residual_sd", .number(0.148, .positive, 1e-12...5)),                  // calibrated; SD of log v for lognormal, of v for normal
        ])),
        ("selection", .group([
            ("v_exclude", .number(3.8, .real)),                          // assumed: around the fracture-cohort range (lit:A4)
            ("q", .number(0, .probability)),                             // off in the reference cell (docs/model.md §2b)
        ])),
        ("outcome", .group([
            ("v_ref", .number(3.14, .real)),                             // assumed: centre of the cohort's bone quality
            ("definition", .choice("revision_any", [])),                 // seed paper's endpoint
            ("definitions", .definitions),
            ("modes", .group([
                // alpha = logit P(mode) at v_ref with one fused segment; gamma per VBQ unit; lambda per extra segment.
                ("screw_loosening", mode(alpha: -4.39, gamma: 10.9, lambda: 0.15,    // alpha, gamma calibrated; lambda assumed
                                         revision: 0.45, se: 0.60, sp: 0.95)),       // revision ≈ 40% of loosening (lit:D3); imaging assumed between lit:D4 (24%) and lit:D1
                ("cage_subsidence", mode(alpha: -1.39, gamma: 6.5, lambda: 0.20,     // 20% at v_ref (lit:D5 PLIF 7–32%); gamma 0.6 × loosening's (assumed)
                                         revision: 0.35, se: 0.85, sp: 0.95)),       // assumed
                ("rod_fracture", mode(alpha: -3.18, gamma: 1.6, lambda: 0.30,        // 4% (assumed); weakly bone-dependent
                                      revision: 0.80, se: 0.95, sp: 0.99)),          // assumed: fractures are usually revised and visible
                ("junctional", mode(alpha: -1.73, gamma: 3.8, lambda: 0.25,          // 15% (lit:D6: 10–72% by definition)
                                    revision: 0.25, se: 0.80, sp: 0.90)),            // assumed
            ])),
        ])),
        ("measurement", .group([
            ("field", .group([
                ("share_1_5T", .number(0, .probability)),                // reference: 3.0 T only
                ("factor_1_5T", .number(1.10, .positive, 0.01...10)),               // lit:F1 ×1.26 is an upper bound; within-patient unknown (sweep)
            ])),
            ("scanner", .group([
                ("sd_log", .number(0, .nonNegative, 0...2)),                    // off in the reference; lit:F2 ≈ 0.076
                ("per_field", .number(1, .wholeAtLeastOne)),             // scanners per field strength in one cohort
            ])),
            ("csf", .group([
                ("p_stenosis", .number(0, .probability)),                // reference: CSF at L3 for all
                ("stenosis_odds_ratio_per_decade", .number(1, .positive)), // assumed: sweep (stenosis rises with age)
                ("fallback", .levels([("L2", 0.5), ("L4", 0.5)], .probability, sumsToOne: true)),   // seed §2.2: L2 or L4
                ("level_factors", .levels([("L1", 1), ("L2", 1), ("L4", 1), ("L5", 1)], .positive, sumsToOne: false)), // lit:C2: unknown, sweep (0.01 to 10)
                ("heterogeneity_sd_log", .number(0.07, .nonNegative, 0...2)),   // lit:C1: 6–9%
            ])),
            ("readers", .group([
                ("sd", .number(0.15, .nonNegative, 0...10)),                     // lit:R4 (ICC 0.89–0.91)
                ("adjudication", .flag(true)),                           // seed §2.2: third reader when readers differ > 10%
                ("threshold", .number(0.10, .nonNegative, 0...10)),              // seed §2.2
            ])),
            ("rounding", .number(0, .nonNegative, 0...1)),                      // 0: none; 0.1 or 0.01 creates ties
        ])),
    ]

    static var stageNames: [String] { stages.map(\.0) }
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
