import Foundation
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

/// `power.json`, `power.csv`, `power.md` and the power-curve figure of `vbqlab power`.
public enum PowerReport {
    public static func json(_ r: PowerResult) -> JSON {
        .object([
            ("scenario", .string(r.scenario.name)),
            ("seed", .uint(r.seed)),
            ("cell", .string(r.cellLabel)),
            ("status", .string((r.complete ? RunStatus.complete : .incomplete).rawValue)),
            ("sweep", .string(r.spec.sweep.rawValue)),
            ("grid", .array(r.spec.grid.map { .int($0) })),
            ("power", .num(r.spec.power)),
            ("alpha", .num(r.spec.alpha)),
            ("replicates_per_n", .int(r.spec.replicates)),
            ("bootstrap", .int(r.spec.bootstrap)),
            // The paragraph of power.md's "For the grant proposal", as one string.
            ("grant_paragraph", .string(paragraph(r).trimmingCharacters(in: .whitespacesAndNewlines))),
            ("truth", .object([("cutoff", .num(r.truth.cutoff)), ("auc", .num(r.truth.auc)), ("prevalence", .num(r.truth.prevalence)),
                               ("cutoff_error", .num(r.truth.cutoffError))])),
            ("targets", .array(r.spec.targets.enumerated().map { k, t in
                let a = r.answers[k]
                return .object([
                    ("id", .string(t.id)),
                    ("description", .string(t.description)),
                    ("kind", .string(t.isProbability ? "probability" : "range_of_cutoff")),
                    ("points", .array(r.points.map { p in
                        .object([("n", .int(p.n)), ("events", .num(p.events)), ("value", .num(p.values[k].value)),
                                 ("mcse", .num(p.values[k].mcse)), ("analytic", .num(p.analytic[k]))])
                    })),
                    ("minimal_n", a.n.map { .int($0) } ?? .null),
                    ("below_grid", .bool(belowGrid(r, k))),
                    ("bracket", a.bracket.map { .array([.int($0.0), .int($0.1)]) } ?? .null),
                    // The approximate 95% Monte Carlo interval of minimal_n (high null: beyond the grid).
                    ("minimal_n_interval", intervalJSON(a.interval)),
                    ("confirmed_value", .num(a.confirmed?.value ?? .nan)),
                    ("confirmed_mcse", .num(a.confirmed?.mcse ?? .nan)),
                    ("note", a.note.map(JSON.string) ?? .null),
                    ("test_level", a.testLevel.map { .object([("value", .num($0.value)), ("mcse", .num($0.mcse))]) } ?? .null),
                    ("analytic_n", .num(a.analyticN.map { $0.rounded(.up) } ?? .nan)),
                    ("analytic_formula", .string(a.formula)),
                ])
            })),
            // Each study design's targets (indices into targets), its n (per centre for the
            // two-centre plan) and the share of simulated studies meeting all of them together.
            ("plans", .array(r.plans.map { p in
                .object([("design", .string(p.twoCentre ? "two_centre" : "single_centre")), ("targets", .array(p.targets.map { .int($0) })),
                         ("n", .int(p.n)), ("joint", p.joint.map { .object([("value", .num($0.value)), ("mcse", .num($0.mcse))]) } ?? .null)])
            })),
        ])
    }

    /// One row per target × cohort size; the target's parameters are columns (NA where a target
    /// has none), so sweeps with other targets stack.
    public static func csv(_ r: PowerResult) -> String {
        var o = Columns.header(Columns.power)
        for (k, t) in r.spec.targets.enumerated() {
            let na = "NA"
            // target, method, cutoff, null, sides, half_width, delta, width, compare
            let p: [String]
            switch t {
            case let .aucAbove(a0, sides): p = ["auc_above", na, na, Format.exact(a0), String(sides), na, na, na, na]
            case let .aucCI(w): p = ["auc_ci", na, na, na, na, Format.exact(w), na, na, na]
            case let .sensitivity(c, w): p = ["sensitivity", na, Format.exact(c), na, na, Format.exact(w), na, na, na]
            case let .specificity(c, w): p = ["specificity", na, Format.exact(c), na, na, Format.exact(w), na, na, na]
            case let .cutoffPrecision(m, d): p = ["cutoff_precision", m.rawValue, na, na, na, na, Format.exact(d), na, na]
            case let .cutoffRange(m, w): p = ["cutoff_range", m.rawValue, na, na, na, na, na, Format.exact(w), na]
            case let .drift(m, _, label, _): p = ["drift", m.rawValue, na, na, na, na, na, na, label]
            }
            for point in r.points {
                o += CSVText.row([r.scenario.name, p[0], t.id] + p.dropFirst() + [String(point.n), Format.exact(point.events),
                                  Format.exact(point.values[k].value), Format.exact(point.values[k].mcse), Format.exact(point.analytic[k])])
            }
        }
        return o
    }

    static func f(_ x: Double, _ d: Int = 3) -> String { Format.fixed(x, d) }

    public static func markdown(_ r: PowerResult) -> String {
        let s = r.spec
        var d = MarkdownDocument()
        d.heading(1, "\(r.scenario.name): power and sample size")
        if let text = r.scenario.description { d.quote(text) }
        d.list([
            .init("Swept cell: \(sweptWords(r)) — population c\\* = \(f(r.truth.cutoff, 4)), AUC\\* = \(f(r.truth.auc, 4)), prevalence \(f(r.truth.prevalence)); the VBQ score averages \(f(r.truth.classMoments.eventMean, 2)) (SD \(f(r.truth.classMoments.eventSD, 2))) with failure and \(f(r.truth.classMoments.nonEventMean, 2)) (SD \(f(r.truth.classMoments.nonEventSD, 2))) without."),
            .init("Cohort sizes: \(r.points.map { String($0.n) }.joined(separator: ", "))\(s.sweep == .events ? " (from event counts \(s.grid.map(String.init).joined(separator: ", ")))" : "")."),
            .init("\(s.replicates) simulated cohorts per cohort size (MCSE of each probability ≤ \(f((0.25 / Double(s.replicates)).squareRoot()))), seed \(r.seed), α = \(Format.exact(s.alpha)), requested probability \(Format.exact(s.power)); each probability is that of meeting its target alone — power for a test, the chance of reaching a precision goal otherwise."),
        ])
        if !r.complete, let last = r.points.last {
            d.quote("**Stopped early** (Ctrl-C) after n = \(last.n): the answers below use the sizes simulated so far.")
        }
        var answers = MarkdownTable(["target", "smallest n (simulation)", "95% Monte Carlo interval of n", "its probability at that n", "bracketing grid points", "formula's n", "formula"])
        for (k, t) in s.targets.enumerated() {
            let a = r.answers[k]
            let nText = answerText(r, k) ?? "not reached"
            let conf = a.confirmed.map { "\(f($0.value)) (MCSE \(f($0.mcse)))" } ?? "–"
            let br = a.bracket.map { "\($0.0)–\($0.1)" } ?? (a.note ?? "–")
            answers.add([t.description, nText, intervalText(r, k) ?? "–", conf, br, a.analyticN.map { String(Int($0.rounded(.up))) } ?? "–", a.formula])
        }
        d.heading(2, "Answers")
        d.table(answers)
        d.paragraph("The interval of n: where the simulated curve's 95% Monte Carlo band (value ± 1.96 MCSE, interpolated between the sizes simulated) first meets the goal at its optimistic and at its pessimistic edge. It is how precisely the simulation locates the answer, not a range of true probabilities; it leaves out the error of interpolating between sizes, and more cohorts per size narrow it. The answer itself comes from runs at sizes between the grid points (not tabulated below), so it can differ from a straight line between the tabulated sizes.")
        for (k, t) in s.targets.enumerated() {
            let a = r.answers[k]
            d.heading(3, t.description)
            var points = MarkdownTable(["n", "events", t.isProbability ? "simulated probability" : "simulated 95% range of ĉ", "MCSE", "analytic"])
            for p in r.points {
                points.add(["\(p.n)", f(p.events, 1), f(p.values[k].value), f(p.values[k].mcse), p.analytic[k].isFinite ? f(p.analytic[k]) : "–"])
            }
            d.table(points)
            if let n = a.n, let an = a.analyticN {
                let diff = (Double(n) - an) / an
                if let iv = a.interval, Double(iv.low) <= an, an <= Double(iv.high ?? .max) {
                    // The formula's n lies inside the simulated answer's Monte Carlo interval.
                    d.paragraph("Simulation: n = \(n); formula: n = \(Int(an.rounded(.up))) — inside the simulation's 95% Monte Carlo interval (\(intervalText(r, k)!)), so they agree within Monte Carlo error. Where they can differ: \(a.explanation).")
                } else {
                    // What the fixed explanation cannot know: a liberal simulated test gains power the
                    // formula's test does not have, and which of two opposing reasons won.
                    var extra = ""
                    if let lv = a.testLevel, isLiberal(lv, alpha: s.alpha) {
                        extra += diff < 0
                            ? "; and the simulated test is itself liberal at this size (its level is below), which adds power the formula's test does not have"
                            : ". The simulated test is liberal at this size (its level is below), which on its own would ask for fewer patients: the difference is despite it"
                    }
                    if case .aucCI = t, diff < 0 { extra += ". Here the simulation asks for fewer, so the first difference outweighs the second" }
                    d.paragraph("Simulation: n = \(n); formula: n = \(Int(an.rounded(.up))) — the simulation asks for \(Format.percent(abs(diff), 0)) \(diff >= 0 ? "more" : "fewer") patients. Why they differ: \(a.explanation)\(extra).")
                }
            } else {
                d.paragraph("\(a.explanation.prefix(1).uppercased() + a.explanation.dropFirst()).")
            }
            if let note = a.note { d.paragraph("Note: \(note).") }
            if case .aucCI = t, let small = r.points.first, small.values[k].value > 0 {
                // DeLong's SE shrinks to 0 as the estimated AUC nears 1: small studies meet a
                // half-width goal by luck, not precision (at n = 20 here, those that met it had AUC ≥ 0.97).
                d.paragraph("At the smallest sizes a few studies still meet this goal (\(f(small.values[k].value)) at n = \(small.n)): DeLong's SE shrinks towards 0 as the estimated AUC nears 1, so a small study can meet it by an extreme AUC rather than by precision.")
            }
            if let lv = a.testLevel, let n = a.n {
                d.paragraph("The test's actual level: \(nullWords(r, k, n)) it rejected in \(f(lv.value)) (MCSE \(f(lv.mcse))) of simulations (nominal α = \(Format.exact(s.alpha)))",
                            liberality(lv, alpha: s.alpha).map { ", so its power above is that of a test \($0) than nominal." } ?? ", within Monte Carlo error of nominal.")
            }
        }
        d.paragraph("The analytic column: for AUC > a₀ the power by Obuchowski's formula; for the CI target 1 when Hanley–McNeil's expected half-width is within w; for sensitivity/specificity the normal-approximation probability of landing within ±w; for the binormal cutoff the delta-method probability (or range); blank where no formula applies.")
        d.heading(2, "Figure")
        d.figure("plots/power.svg", alt: "Power by cohort size",
                 caption: "Each target's simulated probability against the cohort size (bands: ±1.96 MCSE), its formula dotted beside it with open markers of the same shape, the requested probability dashed; a dotted drop line marks each target's answer, which comes from runs between the grid sizes, so it need not fall where the straight line between two grid points crosses. Each curve is one target on its own.")
        d.heading(2, "For the grant proposal")
        d.paragraph(paragraph(r))
        return d.markdown
    }

    /// An answer as a person reads it: "124", "≤ 20" (met at the smallest size simulated), or nil.
    public static func answerText(_ r: PowerResult, _ k: Int) -> String? {
        guard let n = r.answers[k].n else { return nil }
        return belowGrid(r, k) ? "≤ \(n)" : String(n)
    }

    static func intervalJSON(_ i: NInterval?) -> JSON {
        guard let i else { return .null }
        let high: JSON = i.high.map { .int($0) } ?? .null
        return .array([.int(i.low), high])
    }

    /// The answer's Monte Carlo interval as a person reads it: "385–501", "≤ 20–34", "385 to more than 800".
    public static func intervalText(_ r: PowerResult, _ k: Int) -> String? {
        guard let i = r.answers[k].interval else { return nil }
        let low = i.belowGrid ? "≤ \(i.low)" : String(i.low)
        guard let high = i.high else { return "\(low) to more than \(r.points.last?.n ?? i.low)" }
        return high == i.low && !i.belowGrid ? low : "\(low)–\(high)"
    }

    /// Met already at the grid's smallest size: the true minimum may be smaller.
    static func belowGrid(_ r: PowerResult, _ k: Int) -> Bool {
        r.answers[k].n != nil && r.answers[k].bracket == nil && r.answers[k].n == r.points.first?.n
    }

    /// The swept cell's levels in words ("no scan at 1.5 T"), or "the base model".
    static func sweptWords(_ r: PowerResult) -> String {
        let sc = r.scenario
        guard !sc.factors.isEmpty else { return "the base model" }
        return sc.factors.indices.map { ParameterLabels.phrase(sc.factors[$0].path, level: sc.factors[$0].labels[r.spec.cellLevels[$0]]) }.joined(separator: ", ")
    }

    /// Where a test's level was simulated, in words.
    static func nullWords(_ r: PowerResult, _ k: Int, _ n: Int) -> String {
        switch r.spec.targets[k] {
        case let .aucAbove(a0, _):
            return "with cohorts of \(n) from a population whose AUC is exactly \(Format.exact(a0)) (binormal classes with this population's SDs and prevalence)"
        default:
            return "with both cohorts of \(n) from the reference protocol"
        }
    }

    /// "more liberal" / "more conservative" when a simulated level differs from α by more than
    /// Monte Carlo error (`MonteCarloRule`), else nil.
    /// Rejects more often than α at its null, beyond Monte Carlo error.
    static func isLiberal(_ lv: (value: Double, mcse: Double), alpha: Double) -> Bool { liberality(lv, alpha: alpha) != nil && lv.value > alpha }

    static func liberality(_ lv: (value: Double, mcse: Double), alpha: Double) -> String? {
        guard MonteCarloRule.resolves(lv.value - alpha, error: lv.mcse) else { return nil }
        return lv.value > alpha ? "more liberal" : "more conservative"
    }

    /// What kind of target it is, for a reader who must not mistake a precision goal for a test.
    static func kind(_ t: PowerTarget) -> String {
        switch t {
        case .aucAbove, .drift: return "a hypothesis test"
        case .aucCI, .sensitivity, .specificity, .cutoffPrecision: return "a precision goal"
        case .cutoffRange: return "a precision goal (no probability)"
        }
    }

    /// A cell's levels that differ from the swept cell, in words ("every scan at 1.5 T").
    static func difference(_ r: PowerResult, _ other: Cell) -> (words: String, paths: [String]) {
        let sc = r.scenario
        let base = sc.factors.indices.map { f in sc.factors[f].labels[r.spec.cellLevels[f]] }
        var words: [String] = [], paths: [String] = []
        for (f, fl) in other.factors.enumerated() where f >= base.count || fl.level != base[f] {
            words.append(ParameterLabels.phrase(fl.name, level: fl.level))
            paths.append(fl.name)
        }
        return (words.joined(separator: ", "), paths)
    }

    /// The model's other settings beside a varied parameter (its siblings in the resolved
    /// scenario), which the shift between the two cells rests on: "1.5 T signal factor = 1.1".
    static func assumptions(_ r: PowerResult, paths: [String]) -> [String] {
        var out: [String] = []
        for path in paths {
            var parts = path.split(separator: ".").map(String.init)
            let leaf = parts.removeLast()
            var node: YNode? = r.scenario.resolvedModelNode
            for part in parts { node = node?.entries?.first { $0.key == part }?.value }
            for e in node?.entries ?? [] where e.key != leaf {
                guard let v = e.value.scalar else { continue }
                let full = (parts + [e.key]).joined(separator: ".")
                out.append(ParameterLabels.table[full] != nil ? "\(ParameterLabels.axis(full)) = \(v)" : "\(full) = \(v)")
            }
        }
        return out
    }

    /// A paragraph a grant writer can paste. It claims only what the simulation shows: a
    /// single-centre plan and a two-centre plan apart, each target labelled for what it is, the
    /// probability of meeting all of a plan's targets together, every test's actual level, the
    /// effect a two-centre test is sized for and the settings it rests on, answers below the grid
    /// as "≤ n".
    public static func paragraph(_ r: PowerResult) -> String {
        let s = r.spec
        var sentences: [String] = []
        let unreached = s.targets.indices.filter { r.answers[$0].n == nil }
        sentences.append("Sample size was determined by Monte Carlo simulation (vbqlab \(Release.version), scenario '\(r.scenario.name)', \(s.replicates) simulated cohorts per candidate size, seed \(r.seed)) under a model in which \(modelSentence(r)).")
        func targetSentence(_ k: Int, perCentre: Bool) -> String {
            let a = r.answers[k], t = s.targets[k]
            let nText = answerText(r, k)!
            let conf = a.confirmed.map { "\(Format.fixed($0.value, 2)) (Monte Carlo SE \(Format.fixed($0.mcse, 3)))" } ?? "–"
            let within = intervalText(r, k).map { " (95% Monte Carlo interval \($0))" } ?? ""
            let who = (belowGrid(r, k) ? "\(a.n!) patients (the smallest size simulated; fewer may suffice)" : "\(nText) patients\(within)") + (perCentre ? " per centre" : "")
            var line = t.isProbability
                ? "\(who.prefix(1).uppercased() + who.dropFirst()) give a probability of \(conf) that \(t.goal) (\(kind(t)))"
                : "At \(who) \(t.goal) (simulated range \(conf); \(kind(t)))"
            if let an = a.analyticN { line += "; the formula (\(a.formula.components(separatedBy: " (").first ?? a.formula)) gives \(Int(an.rounded(.up)))" }
            // A precision goal met with probability p is no 95% confidence interval of that width:
            // Buderer's size for the interval beside it (share: of events or of non-events).
            func buderer(_ p: Double, _ w: Double, share: Double) -> String {
                "; a 95% confidence interval of half-width \(Format.exact(w)) would need about \(Int((SampleSizeFormulas.budererCount(proportion: p, halfWidth: w, alpha: 0.05) / share).rounded(.up))) patients (Buderer)"
            }
            switch t {
            case let .sensitivity(c, w): line += buderer(r.truth.sensitivity(at: c), w, share: r.truth.prevalence)
            case let .specificity(c, w): line += buderer(r.truth.specificity(at: c), w, share: 1 - r.truth.prevalence)
            default: break
            }
            line += "."
            if let lv = a.testLevel, let n = a.n {
                line += " The test's actual level, simulated \(nullWords(r, k, n)), was \(Format.fixed(lv.value, 3)) (Monte Carlo SE \(Format.fixed(lv.mcse, 3))) against the nominal \(Format.exact(s.alpha))"
                line += liberality(lv, alpha: s.alpha).map { ", so this is the power of a \($0) test than planned: its significance is overstated at this size." } ?? "."
            }
            return line
        }
        let tests = s.targets.contains { if case .aucAbove = $0 { return true }; if case .drift = $0 { return true }; return false }
        let alphaNote = tests ? " (tests at nominal α = \(Format.exact(s.alpha)))" : ""
        for plan in r.plans {
            if plan.twoCentre {
                sentences.append("Two-centre comparison:")
                for k in plan.targets {
                    if let (other, ot) = r.compared[k].map({ ($0.cell, $0.truth) }) {
                        let (words, paths) = difference(r, other)
                        let settings = assumptions(r, paths: paths)
                        var effect = "the comparison is sized for the shift the model puts between the reference protocol and the protocol with \(words): population-optimal cutoffs \(Format.fixed(r.truth.cutoff, 2)) and \(Format.fixed(ot.cutoff, 2)) (Δc* = \(Format.fixed(ot.cutoff - r.truth.cutoff, 2)))"
                        if !settings.isEmpty { effect += ", which rests on a value the scenario assumes rather than one this simulation estimates: \(settings.joined(separator: ", "))" }
                        sentences.append(effect + "; a smaller true shift needs more patients. The two simulated centres differ in nothing else; real centres also differ in their patients, readers, selection and endpoint, which can add to the shift or hide it.")
                    }
                    if case let .drift(m, _, _, _) = s.targets[k] {
                        sentences.append(targetSentence(k, perCentre: true).replacingOccurrences(of: ", with that many patients in each of the two cohorts", with: "")
                                         + " It rests on the \(m.rawValue) Youden cutoff; other estimators, such as the empirical one the seed paper used, spread differently between studies and need their own simulation.")
                    }
                }
                sentences.append("We therefore plan \(plan.n) patients at each of the two centres, \(2 * plan.n) in all, with tests at nominal α = \(Format.exact(s.alpha)).")
                if let note = liberalNote(r, plan) { sentences.append(note) }
            } else {
                sentences.append("Single-centre study:")
                for k in plan.targets { sentences.append(targetSentence(k, perCentre: false)) }
                let events = Double(plan.n) * r.truth.prevalence
                var line = "We therefore plan to enrol \(plan.n) patients (about \(Int(events.rounded())) expected failures at a prevalence of \(Format.fixed(r.truth.prevalence, 2))), "
                    + (plan.targets.count == 1 ? "at which this target is met with about the requested probability of \(Format.exact(s.power)) (within Monte Carlo error)\(alphaNote)"
                       : "a size at which each of these \(plan.targets.count) targets reaches at least the requested probability of \(Format.exact(s.power)) on its own (within Monte Carlo error)\(alphaNote)")
                if let j = plan.joint {
                    let count = plan.targets.filter { s.targets[$0].isProbability }.count
                    line += "; \(count == 2 ? "both are" : "all \(count) are") met together in \(Format.fixed(j.value, 2)) (Monte Carlo SE \(Format.fixed(j.mcse, 3))) of simulated studies of \(plan.n)."
                } else {
                    line += "."
                }
                if let note = liberalNote(r, plan) { line += " " + note }
                if plan.targets.count > 1, let k = plan.targets.first(where: { r.answers[$0].n == plan.n }), let iv = intervalText(r, k) {
                    line += " The size is set by the most demanding target (\(s.targets[k].description)), which the simulation locates only to within \(iv) patients (95% Monte Carlo interval)."
                }
                sentences.append(line)
            }
        }
        if !unreached.isEmpty, let last = r.points.last {
            let goals = unreached.map { s.targets[$0].goal }.joined(separator: "; ")
            let values = unreached.map { k in "\(Format.fixed(last.values[k].value, 2))" }.joined(separator: ", ")
            sentences.append("\(unreached.count == 1 ? "One target was" : "\(unreached.count) targets were") not met at any size simulated, up to \(last.n) patients (\(goals); simulated \(s.targets[unreached[0]].isProbability ? "probabilit\(unreached.count == 1 ? "y" : "ies")" : "value\(unreached.count == 1 ? "" : "s")") \(values) there), and this design does not claim \(unreached.count == 1 ? "it" : "them").")
        }
        sentences.append("Every size above takes the model's population as known (its class means and SDs, AUC and prevalence, and the scenario's other settings); a population with a lower AUC or fewer failures needs more patients, which this simulation did not explore.")
        if !r.complete, let last = r.points.last {
            sentences.append("(The sweep was stopped after n = \(last.n); larger sizes were not simulated.)")
        }
        return sentences.joined(separator: " ")
    }

    /// A plan whose tests reject more often than α at their null: a test held at α needs more
    /// patients, which this simulation did not size.
    static func liberalNote(_ r: PowerResult, _ plan: PowerPlan) -> String? {
        let liberal = plan.targets.filter { k in r.answers[k].testLevel.map { isLiberal($0, alpha: r.spec.alpha) } ?? false }
        guard !liberal.isEmpty else { return nil }
        let alpha = Format.exact(r.spec.alpha)
        // The level was simulated at each test's own answer; the plan may be larger than that.
        let below = liberal.filter { (r.answers[$0].n ?? plan.n) < plan.n }
        if below.count == liberal.count {
            let sizes = below.map { String(r.answers[$0].n!) }.joined(separator: " and ")
            return "A test that holds its level at \(alpha) (a stricter critical value, calibrated by simulation) would need more than the \(sizes) patients given above for \(liberal.count == 1 ? "the test" : "the tests"); the planned \(plan.n) may cover \(liberal.count == 1 ? "it" : "them"), but this simulation did not check that."
        }
        return "Because \(liberal.count == 1 ? "the plan's test rejects" : "the plan's tests reject") more often than \(alpha) when there is nothing to find (the levels above), a test that holds its level at \(alpha) (a stricter critical value, calibrated by simulation) would need more patients than planned here; this simulation did not size one."
    }

    static func modelSentence(_ r: PowerResult) -> String {
        let t = r.truth
        let cm = t.classMoments
        return "the VBQ score averages \(Format.fixed(cm.eventMean, 2)) (SD \(Format.fixed(cm.eventSD, 2))) in patients with fixation failure and \(Format.fixed(cm.nonEventMean, 2)) (SD \(Format.fixed(cm.nonEventSD, 2))) without (population AUC \(Format.fixed(t.auc, 3)), optimal cutoff \(Format.fixed(t.cutoff, 2)), failure prevalence \(Format.fixed(t.prevalence, 3)))"
    }

    public static func plotFiles(_ r: PowerResult) -> [(String, String)] {
        var data = GnuplotData(comment: "simulated power per target: n, then value, lower, upper (±1.96 MCSE), analytic for each target")
        let probs = r.spec.targets.enumerated().filter { $0.element.isProbability }
        data.row(["n"] + probs.flatMap { [.text($0.element.id), "lower", "upper", "analytic"] as [GnuplotData.Field] })
        for p in r.points {
            data.row([.int(p.n)] + probs.flatMap { k, _ in
                let v = p.values[k]
                return [v.value, v.value - 1.96 * v.mcse, v.value + 1.96 * v.mcse, p.analytic[k]].map(GnuplotData.Field.number)
            })
        }
        var gp = Plots.script("Power curves with 95% Monte Carlo bands. Render: gnuplot power.gp")
        // One entry a line, in a smaller font than the axes so a long target's words fit the width.
        gp.add("set key outside below left vertical Left reverse samplen 3 spacing 1.1 maxcols 1 font ',11'")
        gp.add("set yrange [0:1.02]")
        gp.add("set logscale x")
        let sizes = r.points.map(\.n)
        if let first = sizes.first, let last = sizes.last {
            gp.add("set xrange [", .number(Double(first) / 1.15), ":", .number(Double(last) * 1.15), "]")
        }
        gp.add("set xtics (", .joined(sizes.map { [.int($0)] }, by: ", "), ")")
        gp.add("set ytics 0.1")
        gp.add("set xlabel 'patients per cohort (n, log scale)'")
        gp.add("set ylabel 'probability of meeting the target'")
        gp.add("set title ", .text("\(r.scenario.name): probability of meeting each target by cohort size (\(r.spec.replicates) cohorts per size; each on its own)"))
        gp.add("set arrow 1 from graph 0, first ", .number(r.spec.power), " to graph 1, first ", .number(r.spec.power), " nohead dt 2 lw 1.5 lc rgb '#000000' back")
        gp.add("set label 1 ", .text("requested probability \(Format.exact(r.spec.power))"), " at graph 0.01, first ", .number(r.spec.power), " offset 0,0.7 left font ',11'")
        var parts: [[GnuplotScript.Part]] = []
        var keyRows = 0
        var formulas = false
        var label = 2
        var placedAnswers: [Int] = []
        // gnuplot's point types: filled and open square, circle, triangle up and down, diamond, pentagon.
        let shapes: [(filled: Int, open: Int)] = [(7, 6), (5, 4), (9, 8), (11, 10), (13, 12), (15, 14)]
        for (i, (k, t)) in probs.enumerated() {
            let c = 2 + 4 * i
            let style = Plots.qualitative[i % Plots.qualitative.count]
            let colour = style.colour
            // Each target its own marker shape as well as colour: filled on the simulated curve,
            // open on its formula's, so a formula is matched to its target by shape, not by hue.
            let shape = shapes[i % shapes.count]
            parts.append([.file("power.dat"), " skip 2 using 1:", .int(c + 1), ":", .int(c + 2), " with filledcurves fc rgb ", .colour(colour), " fs transparent solid 0.2 notitle"])
            parts.append(["'' skip 2 using 1:", .int(c), " with linespoints lw 2 pt ", .int(shape.filled), " ps 1.1 dt ", .int(style.dash), " lc rgb ", .colour(colour), " title ", .text("\(i + 1): \(t.description)")])
            keyRows += 1
            if r.points.contains(where: { $0.analytic[k].isFinite }) && !(t.id.hasPrefix("auc_ci")) {
                parts.append(["'' skip 2 using 1:", .int(c + 3), " with linespoints dt 3 lw 1.5 pt ", .int(shape.open), " ps 1.1 lc rgb ", .colour(colour), " notitle"])
                formulas = true
            }
            // The answer: a dotted drop line and its n.
            if let n = r.answers[k].n, let v = r.answers[k].confirmed?.value {
                gp.add("set arrow ", .int(label), " from ", .int(n), ", graph 0 to ", .int(n), ", first ", .number(v), " nohead dt 3 lw 1.2 lc rgb ", .colour(colour))
                // Answers close together on the log axis are stacked, not printed over one another.
                let level = placedAnswers.filter { abs(log(Double($0) / Double(n))) < 0.12 }.count
                placedAnswers.append(n)
                gp.add("set label ", .int(label), " ", .text("\(i + 1): \(PowerReport.answerText(r, k) ?? String(n))"), " at ", .int(n), ", graph ",
                       .number(0.03 + 0.14 * Double(level)), " rotate by 90 left offset -0.4,0 tc rgb ", .colour(colour), " font ',10'")
                label += 1
            }
        }
        if formulas {
            parts.append(["NaN with linespoints dt 3 lw 1.5 pt 6 ps 1.1 lc rgb '#555555' title ", .text("dotted, open markers of a target’s shape and colour: its formula (power.md names it)")])
            keyRows += 1
        }
        var body = GnuplotScript()
        if parts.isEmpty { body.add("plot 2 notitle") } else { body.plot(parts) }
        gp.append(Plots.terminals("power", body, width: Plots.pageWidth, height: 520 + 19 * keyRows))
        return [("power.dat", data.text), ("power.gp", gp.text)]
    }

    /// Writes the power run; summary files last.
    @discardableResult
    public static func write(_ r: PowerResult, to folder: RunFolder, commandLine: [String]) throws -> String? {
        try folder.stage { staging in
            let plots = staging.appendingPathComponent("plots")
            guard mkdir(plots.path, 0o755) == 0 else {
                throw VBQError(file: folder.url.appendingPathComponent("plots").path, "cannot create: \(String(cString: strerror(errno)))")
            }
            let files = plotFiles(r)
            for (name, text) in files { try AtomicFile.write(text, to: plots.appendingPathComponent(name)) }
            let note = try Plots.render(in: plots, scripts: ["power.gp"])
            try AtomicFile.write(csv(r), to: staging.appendingPathComponent("power.csv"))
            try AtomicFile.write(Columns.json([("power.csv", Columns.power)]).rendered(), to: staging.appendingPathComponent("columns.json"))
            let md = markdown(r)
            try AtomicFile.write(md, to: staging.appendingPathComponent("power.md"))
            try HTMLPage.write(markdown: md, title: "\(r.scenario.name): power and sample size", name: "power.html", in: staging)
            let iso = ISO8601DateFormatter()
            try AtomicFile.write(JSON.object([
                ("vbqlab_version", .string(Release.version)), ("gsl_version", .string(GSL.version)), ("seed", .uint(r.seed)),
                ("threads", .int(r.threads)), ("start_time", .string(iso.string(from: r.started))),
                ("wall_seconds", .num((Date().timeIntervalSince(r.started) * 1000).rounded() / 1000)),
                ("command_line", .array(commandLine.map(JSON.string))), ("plots", .string(note ?? "rendered with gnuplot")),
            ]).rendered(), to: staging.appendingPathComponent("provenance.json"))
            try AtomicFile.write(json(r).rendered(), to: staging.appendingPathComponent("power.json"))
            return note
        }
    }
}
