import Foundation
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

/// `report.md`: what was simulated, the truth, the distribution of estimated cutoffs per cell,
/// drift against the reference, and where each fixed external cutoff falls. It only formats
/// numbers the summaries hold.
public enum Report {
    public static func make(_ r: RunResult) -> String {
        let s = r.scenario
        var d = MarkdownDocument()
        d.heading(1, "\(s.name): cutoff sensitivity report")
        if let text = s.description { d.quote(text.replacingOccurrences(of: "\n", with: " ")) }
        partialWarning(r, &d)
        replicateWarning(r, &d)
        whatWasSimulated(r, &d)
        headline(r, &d)
        ReanalysisReport.section(r, &d)
        switch kind(r) {
        case .single: break
        case .sizeSweep: spreadSection(r, &d)
        case .drift: factorRanking(r, &d)
        case .grid: factorRanking(r, &d); interactions(r, &d)
        }
        CriterionReport.section(r, &d)
        FollowUpReport.section(r, &d)
        figuresSection(r, &d)
        truthTable(r, &d)
        estimateTables(r, &d)
        if s.factors.count > 0 { driftTable(r, &d) }
        fixedCutoffTables(r, &d)
        aucTable(r, &d)
        degenerateSection(r, &d)
        readingGuide(r, &d)
        return d.markdown
    }

    /// What the design is, which decides the report's main section.
    enum Kind { case single, sizeSweep, drift, grid }

    static func kind(_ r: RunResult) -> Kind {
        let f = r.scenario.factors
        if f.isEmpty { return .single }
        if f.count == 1, ["cohort.size", "cohort.events", "cohort.non_events"].contains(f[0].path) { return .sizeSweep }
        let fullGrid = r.scenario.cellLevels.count == f.reduce(1) { $0 * $1.levels.count }
        return f.count > 1 && fullGrid ? .grid : .drift
    }

    /// A partial merge of shards (`vbqlab merge --partial`): which shards are missing and what
    /// the numbers below rest on.
    static func partialWarning(_ r: RunResult, _ d: inout MarkdownDocument) {
        guard !r.missingShards.isEmpty, let n = r.shards.first?.shard.count else { return }
        let done = r.table.completedCount, total = r.table.completed.count
        let counts = r.design.cells.map { c in (c.index * r.replicates..<(c.index + 1) * r.replicates).filter { r.table.completed[$0] }.count }
        let short = r.design.cells.filter { counts[$0.index] < r.replicates }.map { "\($0.id) (\(counts[$0.index]))" }
        d.quote("**Status: incomplete.** Shard\(r.missingShards.count == 1 ? "" : "s") \(ShardFile.listText(r.missingShards)) of \(n) \(r.missingShards.count == 1 ? "is" : "are") missing: this report rests on \(done) of the \(total) cohorts. Cells with fewer than \(r.replicates) cohorts (the number they have): \(short.prefix(12).joined(separator: ", "))\(short.count > 12 ? ", ..." : ""). Where this report says \(r.replicates) cohorts per cell, read the numbers in parentheses; run the missing shards and merge again for the complete result.")
    }

    /// Below 1,000 cohorts per cell the tails of every distribution are rough.
    public static let fewReplicates = 1_000

    static func replicateWarning(_ r: RunResult, _ d: inout MarkdownDocument) {
        guard r.replicates < fewReplicates else { return }
        d.quote("**Few cohorts:** this report rests on \(r.replicates) simulated cohorts per cell\(r.replicates == Runner.quickReplicates ? " (`--quick`)" : ""). Means are fair, but 2.5% and 97.5% points, tail probabilities and small differences between cells carry Monte Carlo errors (MCSE, in parentheses) too large for a conclusion; run at least \(fewReplicates) cohorts per cell before quoting these numbers.")
    }

    /// A cell named by what differs from the reference ("reference" for the reference itself),
    /// e.g. "share_1_5T = 1".
    static func cellName(_ cell: Cell, _ r: RunResult) -> String { r.design.cellWords(cell) }

    /// "3.285 (0.001)": a value and its Monte Carlo SE.
    static func mc(_ x: Double, _ e: Double, _ d: Int = 3) -> String {
        e.isFinite ? "\(f(x, d)) (\(f(e, d)))" : f(x, d)
    }

    /// A share and its MCSE; none or all of the cohorts, where the MCSE is 0, with the one-sided
    /// 95% bound instead (1 − 0.05^(1/n), the "rule of three" for large n); a share within 0.5% of
    /// none or all as its count ("3 of 2000"), which one decimal of a percent would round away.
    static func pct(_ p: Proportion) -> String {
        guard p.n > 0, p.count == 0 || p.count == p.n else {
            if p.value < 0.005 || p.value > 0.995 { return "\(p.count) of \(p.n) (\(Format.percent(p.value, 2)))" }
            return "\(Format.percent(p.value)) (\(Format.percent(p.mcse)))"
        }
        let bound = 1 - pow(0.05, 1 / Double(p.n))
        let digits = bound < 0.001 ? 2 : 1
        return p.count == 0 ? "0 of \(p.n) (95% upper bound \(Format.percent(bound, digits)))" : "\(p.n) of \(p.n) (95% lower bound \(Format.percent(1 - bound, digits)))"
    }

    static func f(_ x: Double, _ d: Int = 3) -> String { Format.fixed(x, d) }
    static func pm(_ x: Double, _ e: Double, _ d: Int = 3) -> String {
        e.isFinite ? "\(f(x, d)) ± \(f(e, d))" : f(x, d)
    }

    static func whatWasSimulated(_ r: RunResult, _ d: inout MarkdownDocument) {
        let s = r.scenario, m = s.model
        d.heading(2, "What was simulated")
        var items: [MarkdownDocument.ListItem] = []
        switch m.generator {
        case let .classConditional(e, n):
            items.append(.init("Family: **class-conditional** — each patient's measured score is drawn from the distribution of their outcome class.",
                               ["events (failure): \(e.summary)", "non-events: \(n.summary)"]))
        case let .mechanistic(mm):
            items.append(.init("Family: **mechanistic** — each patient passes through population, true bone quality, selection, failure modes and measurement; the recorded score is what two readers (and, when they disagree, a third) measure.",
                               [referenceSummary(r) ?? "base cell: \(mm.summary)"]))
        }
        let c = m.cohort
        if case .mechanistic = m.generator {
            items.append(.init("Cohort (base): \(c.size) operated patients; the number of failures follows from the outcome model."))
        } else {
            switch c.sampling {
            case .fixed:
                items.append(.init("Cohort (base): \(c.size) patients, \(c.fixedEvents) events and \(c.size - c.fixedEvents) non-events in every cohort (prevalence \(Format.number(c.prevalence, digits: 4)))."))
            case .binomial:
                items.append(.init("Cohort (base): \(c.size) patients; the number of events is Binomial(\(c.size), \(Format.number(c.prevalence, digits: 4)))."))
            }
        }
        items.append(.init("\(r.replicates) simulated cohorts per cell, seed \(r.seed), random streams \(s.streams.rawValue) across cells."))
        items.append(.init("Cutoff methods: \(m.methods.map(\.rawValue).joined(separator: ", ")); a score at or above a cutoff is test-positive."))
        items.append(.init("Precision δ = \(Format.exact(m.precision)) for P(|ĉ − c*| > δ)."))
        if !s.factors.isEmpty {
            items.append(.init("Factors varied (reference level in bold):", s.factors.enumerated().map { i, factor in
                let levels = factor.labels.enumerated().map { $0.offset == s.referenceLevels[i] ? "**\($0.element)**" : $0.element }
                return "`\(factor.path)`: \(levels.joined(separator: ", "))"
            }))
            items.append(.init("\(r.design.cells.count) cells; the reference cell is \(r.design.reference.id) (\(r.design.reference.label))."))
        }
        d.list(items)
    }

    /// The reference cell's mechanism in one line (its own levels, not the file's base values).
    static func referenceSummary(_ r: RunResult) -> String? {
        guard case let .mechanistic(m) = r.design.reference.model.generator else { return nil }
        return "\(r.design.cells.count > 1 ? "reference cell" : "the cell"): \(m.summary)"
    }

    static func headline(_ r: RunResult, _ d: inout MarkdownDocument) {
        guard let ref = r.summaries.first(where: { $0.cell.isReference }) else { return }
        let t = ref.truth
        d.heading(2, "In one paragraph")
        var answer: [String] = []
        if let q = r.scenario.question { answer.append("**\(q.replacingOccurrences(of: "\n", with: " "))** ") }
        switch kind(r) {
        case .drift, .grid: answer += ReanalysisReport.answer(r) + driftAnswer(r)
        case .sizeSweep: answer += sizeAnswer(r)
        case .single: break
        }
        if !answer.isEmpty { d.paragraph(answer) }
        var sentences: [String] = []
        let n = ref.cell.model.cohort
        let sizeNamed = r.scenario.factors.contains { $0.path == "cohort.size" }
        sentences.append(r.design.cells.count > 1 ? "In the reference cell (\(words(ref.cell, r))\(sizeNamed ? "" : "; \(n.size) patients")), the population-optimal cutoff is "
                                                 : "With \(n.size) patients a cohort, the population-optimal cutoff is ")
        sentences.append("**c\\* = \(f(t.cutoff, 4))** (J\\* = \(f(t.youdenJ, 4)), AUC\\* = \(f(t.auc, 4))). ")
        if let m = ref.methods.first, let c = m.cutoff {
            sentences.append("Across \(c.n) simulated cohorts the \(m.method.rawValue) Youden cutoff had mean \(f(c.mean)) and SD \(f(c.sd)); ")
            sentences.append("**95% of the estimates fell between \(f(c.q025)) and \(f(c.q975))**")
            sentences.append(", and \(Format.percent(m.beyondPrecision.value)) missed c\\* by more than \(Format.exact(m.precision)). ")
            sentences.append("Two independent studies of this size would report cutoffs about √2 × \(f(c.sd)) = \(f(2.squareRoot() * c.sd)) apart (SD of their difference). ")
            for rank in m.fixedCutoffRanks {
                sentences.append("The published cutoff \(Format.exact(rank.cutoff)) sits at the \(Format.percent(rank.below.value)) point of that distribution")
                sentences.append(" (\(Format.percent(rank.below.value)) of cohorts estimated a cutoff at or below it; MCSE \(Format.percent(rank.below.mcse))): ")
                let inside = rank.below.value - 2 * rank.below.mcse > 0.025 && rank.below.value + 2 * rank.below.mcse < 0.975
                let outside = rank.below.value + 2 * rank.below.mcse < 0.025 || rank.below.value - 2 * rank.below.mcse > 0.975
                sentences.append(inside ? "one cohort of this size from this population could have produced it by chance alone (which says the simulated population fits that value, not that the study's population was this one). "
                    : outside ? "outside the central 95% of what one cohort of this size from this population produces. "
                    : "at the edge of the central 95% of what one cohort of this size produces (closer than the simulation can resolve). ")
            }
            if let opt = m.optimism {
                sentences.append("Choosing the \(m.method.rawValue) cutoff on the same cohort makes it look better than it is: its apparent J exceeds its true J by \(f(opt.mean)) on average (other methods: see the tables below).")
            }
        }
        d.paragraph(sentences)
        let parts = ref.methods.compactMap { m -> String? in
            guard let c = m.cutoff else { return nil }
            let biased = MonteCarloRule.resolves(c.bias, error: c.mcseBias)
            return "\(m.method.rawValue): bias \(signed(c.bias)) (\(f(c.mcseBias))), SD \(f(c.sd))"
                + (!biased ? " (no bias beyond Monte Carlo error)"
                   : abs(c.bias) > c.sd ? " (more bias than spread: a larger cohort narrows the spread, not this miss)"
                   : " (bias \(Format.percent(abs(c.bias) / c.sd, 0)) of the SD)")
        }
        if parts.count > 0 {
            d.paragraph("An estimate misses c\\* by the estimator's bias (mean ĉ − c\\*, MCSE in parentheses) plus sampling error (SD of ĉ); at the reference, per method: ",
                        parts.joined(separator: "; ") + ".")
        }
    }

    /// The answer of a design that varies protocol factors: which factor moves c* most, where,
    /// and whether two studies would see it.
    static func driftAnswer(_ r: RunResult) -> [String] {
        let ranked = r.factorDrift
        guard let top = ranked.first else { return [] }
        let m = FactorDrift.primaryMethod(r.design)
        var out: [String] = []
        // Factors without a finding: those that move c* only between rounded scores, and the others.
        let quietFactors = ranked.filter { !$0.largest.isFinding }
        let gridOnly = quietFactors.filter { $0.contrasts.allSatisfy(\.thresholdArtefact) }.map { ParameterLabels.axis($0.factor) }
        // Factors whose every contrast joins cells of one population: they change how studies
        // analyse their cohorts, never c*.
        let analysisOnly = quietFactors.filter { $0.contrasts.allSatisfy { $0.sameTarget || $0.identical } && $0.contrasts.contains(where: \.sameTarget) }
        let analysisWords = analysisOnly.map { ParameterLabels.axis($0.factor) }
        let quiet = quietFactors.filter { f in !f.contrasts.allSatisfy(\.thresholdArtefact) && !f.largest.isResolved && !analysisOnly.contains { $0.factor == f.factor } }.map { ParameterLabels.axis($0.factor) }
        let tiny = quietFactors.filter { !$0.contrasts.allSatisfy(\.thresholdArtefact) && $0.largest.isResolved }.map { ParameterLabels.axis($0.factor) }
        guard top.largest.isFinding else {
            let biggest = ranked.max { abs($0.largest.shift) < abs($1.largest.shift) }!.largest
            return [biggest.isResolved
                ? "No factor varied here moves the population-optimal cutoff by \(Format.exact(MonteCarloRule.smallestShift)) or more anywhere in this design (the largest |Δc\\*| is \(f(abs(biggest.shift), 4)), \(seWords(biggest.error)))."
                : "No factor varied here moves the population-optimal cutoff beyond Monte Carlo error anywhere in this design (the largest |Δc\\*| is \(f(abs(biggest.shift), 4)), \(seWords(biggest.error)))."]
        }
        let c = top.largest
        let cell = r.design.cells[c.cell], partner = r.design.cells[c.partner]
        out.append("\(ranked.count == 1 ? "The factor varied," : "Of the factors varied,") **\(ParameterLabels.axis(top.factor))**\(ranked.count == 1 ? ", moves the population-optimal cutoff" : " moves the population-optimal cutoff most"): c\\* goes from \(f(r.summaries[c.partner].truth.cutoff)) to \(f(r.summaries[c.cell].truth.cutoff)) (\(signed(c.shift)), \(seWords(c.error))) ")
        out.append(c.atReference ? "when it changes to \(c.level) at the reference protocol. "
                                 : "when it changes to \(c.level) in cell \(cell.id) (\(words(cell, r)), against \(partner.id)). ")
        if !c.atReference {
            let r0 = top.atReference
            // Whether the effect here and at the reference differ beyond their errors.
            let differs = MonteCarloRule.resolves(abs(c.shift) - abs(r0.shift), error: differenceError(c, r0, r))
            out.append(r0.identical
                ? "At the reference protocol it changes nothing (by construction): it acts only together with \(otherWords(cell, r, except: top.index)). "
                : !differs
                ? "At the reference protocol it moves c\\* by \(signed(r0.shift)) (\(seWords(r0.error))), not clearly less: the simulation cannot tell whether its effect depends on the other factors. "
                : r0.isFinding
                ? "At the reference protocol it moves c\\* by \(signed(r0.shift)): its effect depends on the other factors. "
                : r0.isResolved
                ? "At the reference protocol it moves c\\* by less than \(Format.exact(MonteCarloRule.smallestShift)): it acts together with \(otherWords(cell, r, except: top.index)). "
                : "At the reference protocol it moves c\\* by no more than Monte Carlo error: it acts together with \(otherWords(cell, r, except: top.index)). ")
        }
        if let ts = c.twoStudy, let sd = r.summaries[c.partner].method(m)?.cutoff?.sd {
            let n = partner.model.cohort.size
            out.append("Against the sampling spread of one study (SD of the \(m.rawValue) cutoff \(f(sd)) at \(n) patients in \(partner.id); the shift is \(Format.percent(abs(c.shift) / sd, 0)) of it), ")
            out.append("two studies of \(n), one under each protocol, would find significantly different cutoffs with probability \(pct(ts.probability)), against \(pct(ts.level)) when nothing differs (the test's actual level): ")
            out.append(detection(ts) + " ")
        }
        for fc in r.design.reference.model.fixedCutoffs {
            let a = r.summaries[c.partner].truth, b = r.summaries[c.cell].truth
            out.append("A fixed cutoff of \(Format.exact(fc)) has true sensitivity \(Format.percent(b.sensitivity(at: fc))) and specificity \(Format.percent(b.specificity(at: fc))) there, against \(Format.percent(a.sensitivity(at: fc))) and \(Format.percent(a.specificity(at: fc))) \(c.atReference ? "at the reference" : "in \(partner.id)"). ")
        }
        var others = Array(ranked.dropFirst().filter(\.largest.isFinding))
        // A runner-up the simulation cannot order against the first is said with it.
        if let second = others.first {
            let o = second.largest
            let error = differenceError(c, o, r)
            let d = MonteCarloRule.resolves(abs(c.shift) - abs(o.shift), error: error)
            if !d {
                out.append("\(capitalised(ParameterLabels.axis(second.factor))) moves it by about as much (\(signed(second.largest.shift)), \(seWords(second.largest.error))): which of the two moves it more is within Monte Carlo error. ")
                others.removeFirst()
            }
        }
        if !others.isEmpty {
            out.append("Next: " + others.prefix(3).map { "\(ParameterLabels.axis($0.factor)) (\(signed($0.largest.shift)))" }.joined(separator: ", ") + ". ")
        }
        if !tiny.isEmpty {
            out.append("\(tiny.count == 1 ? "The factor" : "These factors") \(tiny.joined(separator: "; ")) \(tiny.count == 1 ? "moves" : "move") c\\* by less than \(Format.exact(MonteCarloRule.smallestShift)) anywhere in this design. ")
        }
        if !quiet.isEmpty {
            out.append("\(quiet.count == 1 ? "The factor" : "These factors") \(quiet.joined(separator: "; ")) \(quiet.count == 1 ? "moves" : "move") c\\* by no more than Monte Carlo error anywhere in this design. ")
        }
        if !analysisWords.isEmpty {
            out.append("\(capitalised(analysisWords.joined(separator: "; "))) cannot move c\\*: \(analysisWords.count == 1 ? "it changes" : "they change") how a study analyses its cohort, not the population, so c\\* is the same at every level by construction; what \(analysisWords.count == 1 ? "it does" : "they do") to the estimated cutoff is in the tables below. ")
        }
        if !gridOnly.isEmpty {
            out.append("\(capitalised(gridOnly.joined(separator: "; "))) \(gridOnly.count == 1 ? "moves" : "move") c\\* only between the same two possible rounded scores, which changes no patient's classification by c\\*; rounding itself does change what a fixed cutoff classifies (see the note below). ")
        }
        // What the ranking is and is not.
        out.append("How far each factor moves c\\* follows from the levels and magnitudes the scenario assumes for it (see *What was simulated*): the ranking compares those assumptions, not measured effects, and it ranks c\\* alone — a factor that ranks low may still widen the spread of ĉ or lower the AUC (see the tables below).")
        return out
    }

    /// How often two studies would see a shift, in words, held to the test's level.
    static func detection(_ ts: TwoStudyCheck) -> String {
        guard ts.exceedsLevel else { return "no more often than when nothing differs, so pairs of studies of this size could not see it." }
        let p = ts.probability.value
        return p >= 0.95 ? "pairs of studies of this size would almost always see the shift."
            : p >= 0.8 ? "pairs of studies of this size would usually see the shift."
            : p >= 0.6 ? "pairs of studies of this size would see it more often than not, but far from always."
            : p >= 0.4 ? "pairs of studies of this size would see it about as often as not."
            : "most pairs of studies of this size would not tell it from sampling noise."
    }

    /// A size sweep's answer: c* stays, the spread shrinks.
    static func sizeAnswer(_ r: RunResult) -> [String] {
        let m = FactorDrift.primaryMethod(r.design)
        let rows = r.summaries.compactMap { s in s.method(m)?.cutoff.map { (s.cell.model.cohort.size, $0) } }.sorted { $0.0 < $1.0 }
        guard let lo = rows.first, let hi = rows.last, rows.count > 1 else { return [] }
        return ["The population does not change with the cohort size, so c\\* stays where it is; what shrinks is how far one study's cutoff strays from it. ",
                "The SD of the \(m.rawValue) cutoff falls from \(mc(lo.1.sd, lo.1.mcseSD, 4)) with \(lo.0) patients to \(mc(hi.1.sd, hi.1.mcseSD, 4)) with \(hi.0) ",
                "(95% of studies within \(f(lo.1.q025))–\(f(lo.1.q975)) and \(f(hi.1.q025))–\(f(hi.1.q975)))."]
    }

    /// A contrast's Δc* with its SE, or why it is no shift.
    static func shiftText(_ c: FactorDrift.Contrast) -> String {
        if c.identical { return "0 (by construction: changes no simulated value here)" }
        if c.sameTarget { return "0 (by construction: the same population at both levels; only the analysis differs)" }
        if c.thresholdArtefact { return "0 (grid of rounded scores: no shift)" }
        return "\(signed(c.shift, 4)) (\(se(c.error)))" + (c.isResolved ? "" : ": none beyond MC error")
    }

    /// "; a fixed cutoff of 3.3 has sensitivity … there, against … at the reference": what a
    /// published cutoff applied unchanged does in a cell (empty without fixed cutoffs).
    static func fixedWords(_ r: RunResult, _ t: Truth, _ refT: Truth) -> String {
        r.design.reference.model.fixedCutoffs.map { fc in
            "; a fixed cutoff of \(Format.exact(fc)) has sensitivity \(Format.percent(t.sensitivity(at: fc))) and specificity \(Format.percent(t.specificity(at: fc))) there, against \(Format.percent(refT.sensitivity(at: fc))) and \(Format.percent(refT.specificity(at: fc))) at the reference"
        }.joined()
    }

    /// The SE of |Δ₁| − |Δ₂| for two contrasts, written as a sum of cells' c*: a cell the two
    /// share (or two cells with the same numbers) is counted once, so its error cancels instead
    /// of adding.
    static func differenceError(_ a: FactorDrift.Contrast, _ b: FactorDrift.Contrast, _ r: RunResult) -> Double {
        let sa: Double = a.shift < 0 ? -1 : 1, sb: Double = b.shift < 0 ? -1 : 1
        return SameNumbers.error(SameNumbers.weights([(a.cell, sa), (a.partner, -sa), (b.cell, -sb), (b.partner, sb)], same: r.sameNumbers),
                                 errors: r.truths.map(\.cutoffError))
    }

    /// Where one of an interaction's levels changes nothing at the reference protocol (the same
    /// numbers as the reference), the interaction is that level's whole effect: said so.
    static func inertWords(_ i: Interaction, _ r: RunResult) -> String {
        let sc = r.scenario, ref = sc.referenceLevels, fs = sc.factors
        guard let c0 = sc.cellLevels.firstIndex(of: ref) else { return "" }
        func alone(_ f: Int, _ l: Int) -> Int? { var x = ref; x[f] = l; return sc.cellLevels.firstIndex(of: x) }
        let a = (i.first.factor, i.first.level), b = (i.second.factor, i.second.level)
        for (inert, other) in [(a, b), (b, a)] {
            guard let cell = alone(inert.0, inert.1), r.sameNumbers[cell] == r.sameNumbers[c0] else { continue }
            return " At the reference protocol \(ParameterLabels.phrase(fs[inert.0].path, level: fs[inert.0].labels[inert.1])) changes nothing (by construction), so this interaction is simply its effect where \(ParameterLabels.phrase(fs[other.0].path, level: fs[other.0].labels[other.1])): it acts only where \(ParameterLabels.axis(fs[other.0].path)) is away from its reference level."
        }
        return ""
    }

    /// "every scan at 1.5 T with 1.5 T factor ×1.26".
    static func interactionWords(_ i: Interaction, _ r: RunResult) -> String {
        let fs = r.scenario.factors
        return "\(ParameterLabels.phrase(fs[i.first.factor].path, level: fs[i.first.factor].labels[i.first.level])) with \(ParameterLabels.phrase(fs[i.second.factor].path, level: fs[i.second.factor].labels[i.second.level]))"
    }

    /// A standard error of a difference of truths; "exact" for closed-form truths, "< 0.0001"
    /// for one four decimals would print as 0.
    static func se(_ e: Double) -> String { e < 1e-6 ? "exact" : (e < 0.00005 ? "< 0.0001" : f(e, 4)) }
    static func seWords(_ e: Double) -> String { e < 1e-6 ? "exact" : "SE \(se(e))" }

    /// "Reader SD" from "reader SD": words at the start of a sentence.
    static func capitalised(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    /// "+0.081" or "−0.005": a signed difference.
    /// "+0.012", "-0.003"; no sign on a value that rounds to zero.
    static func signed(_ x: Double, _ d: Int = 3) -> String {
        let text = f(x, d)
        return text.allSatisfy { "-0.".contains($0) } ? text.replacingOccurrences(of: "-", with: "") : (x > 0 ? "+" : "") + text
    }

    /// A cell's levels that differ from the reference, in words ("every scan at 1.5 T").
    static func words(_ cell: Cell, _ r: RunResult) -> String {
        let differing = zip(cell.factors, r.design.reference.factors).filter { $0.0.level != $0.1.level }.map(\.0)
        if differing.isEmpty { return cell.factors.map { ParameterLabels.phrase($0.name, level: $0.level) }.joined(separator: ", ") }
        return differing.map { ParameterLabels.phrase($0.name, level: $0.level) }.joined(separator: ", ")
    }

    /// The levels of a cell that differ from the reference, leaving out one factor.
    static func otherWords(_ cell: Cell, _ r: RunResult, except: Int) -> String {
        zip(cell.factors, r.design.reference.factors).enumerated()
            .filter { $0.offset != except && $0.element.0.level != $0.element.1.level }
            .map { ParameterLabels.phrase($0.element.0.name, level: $0.element.0.level) }.joined(separator: ", ")
    }

    static func factorRanking(_ r: RunResult, _ d: inout MarkdownDocument) {
        guard !r.factorDrift.isEmpty, let ref = r.summaries.first(where: { $0.cell.isReference }) else { return }
        let m = FactorDrift.primaryMethod(r.design)
        let n = ref.cell.model.cohort.size
        d.heading(2, "Which factor moves the cutoff most")
        let grid = kind(r) == .grid
        let first = grid
            ? "A factor's effect **Δc\\*** is the change of the population-optimal cutoff when it leaves its reference level, all other factors held where they are; it is measured in every cell where the design allows (not only at the reference), and the factors are ranked by the largest. "
            : "Each factor is changed alone, all others at their reference level; **Δc\\*** is the systematic drift of the population-optimal cutoff it causes. "
        let most = r.factorDrift.map(\.contrasts.count).max() ?? 1
        let rule = "A Δc\\* within \(Format.fixed(MonteCarloRule.standardErrors, 0)) standard errors (SE) of zero is no shift beyond Monte Carlo error"
            + (most > 1 ? "; the largest of a factor's k contrasts must clear the Bonferroni bound for k (\(Format.fixed(MonteCarloRule.bound(comparisons: most), 2)) SE for \(most))" : "")
            + ". Factors with no shift beyond that error, or none of \(Format.exact(MonteCarloRule.smallestShift)) or more (c\\* is printed to three decimals), are not ranked (–) and come last. "
        guard let c = ref.method(m)?.cutoff else { d.paragraph(first, rule); return }
        d.paragraph(first, rule, "For scale, plain sampling noise at the reference (\(n) patients, \(m.rawValue) method) moves a single study's cutoff with SD \(f(c.sd)) (95% of studies within \(f(c.q025))–\(f(c.q975))). ",
                    "**P(two studies differ)** is how often two studies, one under each protocol, find significantly different \(m.rawValue) cutoffs (two-sided z-test at 5% with each cutoff's SD taken as known), counted on pairs of simulated cohorts; **level** is how often the same test calls two studies of the same protocol different — 5% only when ĉ is close to normal.")
        var ranking = MarkdownTable(["rank", "factor", "levels (reference in bold)", "largest Δc\\* (SE)", "where", "Δc\\* at the reference protocol",
                                     "P(two studies differ), where Δc\\* is largest", "its level"])
        for (i, fd) in r.factorDrift.enumerated() {
            let levels = fd.levels.map { $0.isReference ? "**\($0.level)**" : $0.level }.joined(separator: ", ")
            let top = fd.largest
            let whereText = top.atReference ? "\(top.level), at the reference protocol" : "\(top.level), in \(r.design.cells[top.cell].id) (\(otherWords(r.design.cells[top.cell], r, except: fd.index)))"
            ranking.add([top.isFinding ? "\(i + 1)" : "–", "\(ParameterLabels.axis(fd.factor)) (`\(fd.factor)`)", levels, shiftText(top), whereText, shiftText(fd.atReference),
                         top.twoStudy.map { pct($0.probability) } ?? "–", top.twoStudy.map { pct($0.level) } ?? "–"])
        }
        d.table(ranking)
        if let top = r.factorDrift.first, let inter = r.interactions.first, inter.isFinding, abs(inter.value) > abs(top.atReference.shift) || !top.atReference.isFinding {
            let scale = ref.method(FactorDrift.primaryMethod(r.design))?.cutoff?.sd
            d.paragraph("The largest interaction (\(interactionWords(inter, r)): \(signed(inter.value)), \(seWords(inter.error))\(scale.map { "; \(Format.percent(abs(inter.value) / $0, 0)) of one study's SD of ĉ at the reference" } ?? "")) is larger than any factor's effect at the reference protocol: read the factors together (see *Interactions*), not one at a time.")
        }
        let artefacts = r.factorDrift.flatMap { fd in fd.levels.filter(\.thresholdArtefact).map { (fd.factor, $0) } }
        for (factor, lv) in artefacts {
            let t = r.summaries[lv.cell].truth, refT = ref.truth
            d.paragraph("Note: at `\(factor)` = \(lv.level), c\\* is \(f(t.cutoff, 4)) against \(f(refT.cutoff, 4)) at the reference, but only as a threshold between the same two possible (rounded) scores: the reference's c\\* classifies every patient of that cell the same way (true sensitivity \(Format.percent(t.sensitivity(at: refT.cutoff))), specificity \(Format.percent(t.specificity(at: refT.cutoff))) either way). It is counted as no shift of the cutoff. The measurement itself does change the test: at the reference, c\\* has sensitivity \(Format.percent(refT.sensitivity(at: refT.cutoff))) and specificity \(Format.percent(refT.specificity(at: refT.cutoff)))" + fixedWords(r, t, refT) + ".")
        }
        d.paragraph("Level by level (\(m.rawValue) method; prevalence and AUC\\* of the population at each level; SD of ĉ with its MCSE):")
        for factor in r.factorDrift {
            var table = MarkdownTable(["level", "c\\*", "Δc\\* (SE)", "mean ĉ (MCSE)", "SD of ĉ (MCSE)", "95% range of ĉ", "P(two studies differ), against the reference",
                                       "prevalence", "AUC\\*"])
            for lv in factor.levels {
                let s = r.summaries[lv.cell]
                let ms = s.method(m)
                let check = factor.contrasts.first { $0.cell == lv.cell && $0.atReference }?.twoStudy
                let delta = lv.isReference ? "0" : factor.contrasts.first { $0.cell == lv.cell && $0.atReference }.map(shiftText) ?? "–"
                table.add([lv.isReference ? "**\(lv.level)**" : lv.level, f(s.truth.cutoff, 4), delta,
                           mc(ms?.cutoff?.mean ?? .nan, ms?.cutoff?.mcseMean ?? .nan), mc(ms?.cutoff?.sd ?? .nan, ms?.cutoff?.mcseSD ?? .nan),
                           "\(f(ms?.cutoff?.q025 ?? .nan))–\(f(ms?.cutoff?.q975 ?? .nan))", check.map { pct($0.probability) } ?? "–",
                           f(s.truth.prevalence), f(s.truth.auc)])
            }
            d.paragraph("**\(ParameterLabels.axis(factor.factor))** (`\(factor.factor)`)")
            d.table(table)
        }
    }

    /// Size sweeps: how the spread of ĉ shrinks with n, per method, with fitted rates.
    static func spreadSection(_ r: RunResult, _ d: inout MarkdownDocument) {
        let methods = r.design.reference.model.methods
        d.heading(2, "How the spread shrinks with the cohort size")
        d.paragraph("The population does not change with n, so c\\* does not move: what shrinks is the sampling spread of one study's cutoff. SD of ĉ per cohort size (MCSE in parentheses):")
        var table = MarkdownTable(["n", "events", "prevalence"] + methods.map { "SD of ĉ, \($0.rawValue)" } + methods.map { "95% range, \($0.rawValue)" })
        for s in r.summaries {
            let c = s.cell.model.cohort
            // Fixed sampling rounds the events to a whole number, so the prevalence moves a little with n.
            table.add([s.cell.isReference ? "**\(c.size)**" : String(c.size),
                       c.sampling == .fixed ? String(c.fixedEvents) : "~\(Format.fixed(Double(c.size) * c.prevalence, 0))",
                       c.sampling == .fixed ? f(Double(c.fixedEvents) / Double(c.size), 4) : "~\(f(c.prevalence, 4))"]
                      + methods.map { m in s.method(m)?.cutoff.map { mc($0.sd, $0.mcseSD) } ?? "–" }
                      + methods.map { m in s.method(m)?.cutoff.map { "\(f($0.q025))–\(f($0.q975))" } ?? "–" })
        }
        d.table(table)
        d.paragraph("Fitted rates, SD ∝ n^b (weighted least squares of log SD on log n, 95% CI widened when the points scatter more than their MCSEs allow):")
        var rates: [MarkdownDocument.ListItem] = []
        for m in methods {
            let rows = r.summaries.compactMap { s -> (Double, Double, Double)? in
                guard let c = s.method(m)?.cutoff else { return nil }
                return (Double(s.cell.model.cohort.size), c.sd, c.mcseSD)
            }
            guard let rate = SpreadRate(n: rows.map(\.0), sd: rows.map(\.1), mcse: rows.map(\.2)) else { continue }
            let b = rate.slope
            let cover = { (x: Double) in rate.lower <= x && x <= rate.upper ? "within" : "outside" }
            let reading = abs(b + 0.5) <= 0.05
                ? "Close to n^(−1/2), the rate of a smooth estimator (−1/2 is \(cover(-0.5)) the CI; over a finite range of sizes higher-order terms move the slope a little): quadrupling the cohort halves the spread."
                : abs(b + 1.0 / 3) <= 0.05
                ? "\(cover(-1.0 / 3) == "within" ? "Close to" : "Near, though not exactly at,") n^(−1/3), the rate of the argmax of a step function (−1/3 is \(cover(-1.0 / 3)) the CI), and far slower than n^(−1/2): quadrupling the cohort shrinks the spread by only about a third."
                : b < -0.55 ? "Faster than n^(−1/2) over this range of sizes."
                : b > -1.0 / 3 + 0.05 ? "Slower than n^(−1/3) over this range of sizes."
                : "Between n^(−1/3) and n^(−1/2)."
            rates.append(.init("**\(m.rawValue)**: b = \(f(rate.slope, 2)) (95% CI \(f(rate.lower, 2)) to \(f(rate.upper, 2))). " + reading))
        }
        d.list(rates)
    }

    /// Grids: the largest interactions, c*(a, b) − c*(a, ref) − c*(ref, b) + c*(ref, ref), over
    /// every pair of factors and levels (others at reference).
    static func interactions(_ r: RunResult, _ d: inout MarkdownDocument) {
        let found = r.interactions, skipped = r.interactionsSkipped
        guard !found.isEmpty || skipped > 0 else { return }
        d.heading(2, "Interactions")
        if let top = found.first {
            d.paragraph("How far two factors together move c\\* beyond the sum of their separate effects: c\\*(both) − c\\*(first alone) − c\\*(second alone) + c\\*(reference), with its SE. The largest:")
            var table = MarkdownTable(["levels together", "interaction on c\\* (SE)"])
            for i in found.prefix(5) {
                // Exactly 0: the four cells' truths cancel, as when one factor changes only the analysis.
                table.add([interactionWords(i, r), i.value == 0 ? "0 (by construction: the truths cancel exactly)"
                           : "\(signed(i.value, 4)) (\(se(i.error)))" + (i.isResolved ? "" : ": none beyond MC error")])
            }
            d.table(table)
            d.paragraph(top.isFinding
                ? "The factors do not act independently: together, \(interactionWords(top, r)) changes c\\* by \(signed(top.value)) beyond the sum of their separate effects." + inertWords(top, r)
                : top.isResolved
                ? "No interaction reaches \(Format.exact(MonteCarloRule.smallestShift)): the factors' effects on c\\* add up to within that."
                : "No interaction lies beyond \(Format.fixed(MonteCarloRule.standardErrors, 0)) standard errors of zero: within Monte Carlo error the factors' effects on c\\* add up.")
        }
        if skipped > 0 {
            d.paragraph("\(skipped) combination\(skipped == 1 ? "" : "s") involving rounded scores \(skipped == 1 ? "is" : "are") left out: there c\\* is a threshold on the rounding grid, and a difference of thresholds need not be a difference of the test.")
        }
    }

    /// Every figure embedded with a sentence saying what to see; cell ids are those of the
    /// truth table below.
    static func figuresSection(_ r: RunResult, _ d: inout MarkdownDocument) {
        let figures = Plots.figures(r)
        guard !figures.isEmpty else { return }
        d.heading(2, "Figures")
        if r.design.cells.count > 1 { d.paragraph("Cells are named by their id and what differs from the reference; the table *Truth per cell* below lists every cell's factor levels.") }
        for fig in figures { d.figure("plots/\(fig.name).svg", caption: fig.caption) }
    }

    /// Two tables, so each fits a page's width: what a reader compares (the cell's levels, c*, AUC*,
    /// prevalence, sensitivity and specificity at c*) first; the class moments and how each truth
    /// was computed after it.
    static func truthTable(_ r: RunResult, _ d: inout MarkdownDocument) {
        d.heading(2, "Truth per cell")
        d.paragraph("The population values of the measured score in each cell, computed without sampling noise.")
        let paths = r.scenario.factors.map(\.path)
        var table = MarkdownTable(["cell"] + paths.map { ParameterLabels.short($0) ?? Design.shortName($0, among: paths) }
                                  + ["c\\*", "AUC\\*", "prevalence", "sensitivity at c\\*", "specificity at c\\*", "J\\*"])
        for s in r.summaries {
            let t = s.truth
            table.add(["\(s.cell.id)\(s.cell.isReference ? " (ref)" : "")"] + s.cell.factors.map(\.level)
                      + [f(t.cutoff, 4), f(t.auc, 4), f(t.prevalence), Format.percent(t.sensitivity(at: t.cutoff)),
                         Format.percent(t.specificity(at: t.cutoff)), f(t.youdenJ, 4)])
        }
        d.table(table)
        if !paths.isEmpty {
            d.paragraph("Columns: " + paths.map { "\(ParameterLabels.short($0) ?? Design.shortName($0, among: paths)) is `\($0)`" }.joined(separator: "; ") + ".")
        }
        d.heading(3, "The classes and how each truth was computed")
        var how = MarkdownTable(["cell", "score with event: mean (SD)", "score without: mean (SD)", "selection acceptance", "computed"])
        for s in r.summaries {
            let t = s.truth, cm = t.classMoments
            how.add(["\(s.cell.id)\(s.cell.isReference ? " (ref)" : "")", "\(f(cm.eventMean, 2)) (\(f(cm.eventSD, 2)))",
                     "\(f(cm.nonEventMean, 2)) (\(f(cm.nonEventSD, 2)))", Format.percent(t.acceptance),
                     "\(t.method); error (SE) of c\\* \(t.cutoffError < 1e-4 && t.cutoffError > 0 ? String(format: "%.*f", 1 - Int(log10(t.cutoffError).rounded(.down)), t.cutoffError) : Format.number(t.cutoffError, digits: 2))"])
        }
        d.table(how)
    }

    static func estimateTables(_ r: RunResult, _ d: inout MarkdownDocument) {
        d.heading(2, "Estimated cutoffs per cell")
        d.paragraph("Every number is followed by its Monte Carlo standard error (MCSE) in parentheses: the simulation's own uncertainty, which shrinks with more replicates. **SD** is different: the sampling spread of ĉ from one cohort to the next, which more replicates only measure better. Optimism = apparent J − true J of the same cutoff.")
        // With criteria other than Youden's J, each row names the c* its method aims at.
        let criteria = CriterionReport.hasCriteria(r)
        for s in r.summaries {
            d.heading(3, "\(s.cell.id): \(s.cell.label)\(s.cell.isReference ? " (reference)" : "")")
            d.paragraph("c\\* = \(f(s.truth.cutoff, 4))\(criteria ? " for Youden's J (each row's bias is against its own criterion's c\\*, in the second column; cohorts where a method gives no cutoff, counted in the last column, are left out of its summaries)" : ""), cohort of \(s.cell.model.cohort.size). ")
            var table = MarkdownTable(["method"] + (criteria ? ["its c\\*"] : []) + ["mean ĉ", "SD of ĉ", "2.5% point", "97.5% point", "bias", "RMSE",
                                       "P(\\|ĉ − c\\*\\| > \(Format.exact(s.cell.model.precision)))", "apparent J", "true J", criteria ? "J optimism" : "optimism", "no cutoff"])
            for m in s.methods {
                let target = criteria ? [f(m.target.cutoff, 3)] : []
                guard let c = m.cutoff else {
                    table.add([m.method.rawValue] + target + Array(repeating: "–", count: 10) + ["\(m.failures)"])
                    continue
                }
                table.add([m.method.rawValue] + target + [mc(c.mean, c.mcseMean), mc(c.sd, c.mcseSD), mc(c.q025, c.mcseQ025), mc(c.q975, c.mcseQ975),
                           mc(c.bias, c.mcseBias), mc(c.rmse, c.mcseRMSE), pct(m.beyondPrecision),
                           mc(m.youdenJ?.mean ?? .nan, m.youdenJ?.mcseMean ?? .nan), mc(m.trueYoudenJ?.mean ?? .nan, m.trueYoudenJ?.mcseMean ?? .nan),
                           mc(m.optimism?.mean ?? .nan, m.optimism?.mcseMean ?? .nan), "\(m.failures)"])
            }
            d.table(table)
        }
    }

    static func driftTable(_ r: RunResult, _ d: inout MarkdownDocument) {
        d.heading(2, "Drift against the reference cell")
        d.paragraph("Systematic drift moves the population-optimal cutoff itself (Δc\\*); sampling spread is how far single cohorts scatter around it (SD and 95% range of ĉ). ",
                    "Δ mean ĉ is the drift of the average estimate; MCSE in parentheses.")
        for m in r.design.reference.model.methods {
            var table = MarkdownTable(["cell", "differs from the reference in", "Δc\\* (systematic; SE)", "Δ mean ĉ", "SD of ĉ", "95% range of ĉ"])
            let refIndex = r.design.cells.firstIndex(where: \.isReference)
            for (i, s) in r.summaries.enumerated() {
                guard let ms = s.method(m), let drift = ms.drift, let c = ms.cutoff else { continue }
                // The same marks as the factor tables: a copy of the reference, a threshold on the
                // rounding grid, or an estimate with its SE.
                let delta: String
                if let ref = refIndex, i == ref { delta = "0" }
                else if let ref = refIndex, r.sameNumbers[i] == r.sameNumbers[ref] { delta = "0 (by construction)" }
                else if let ref = refIndex, FactorDrift.isThresholdArtefact(s.truth, reference: r.summaries[ref].truth) { delta = "0 (grid of rounded scores)" }
                else if let ref = refIndex { delta = "\(signed(drift.truth, 4)) (\(se(MonteCarloRule.differenceError(s.truth, r.summaries[ref].truth))))" }
                else { delta = f(drift.truth, 4) }
                table.add(["\(s.cell.id)\(s.cell.isReference ? " (ref)" : "")", cellName(s.cell, r), delta, mc(drift.meanCutoff, drift.mcse),
                           mc(c.sd, c.mcseSD), "\(f(c.q025))–\(f(c.q975))"])
            }
            d.paragraph("**\(m.rawValue)**")
            d.table(table)
        }
    }

    static func fixedCutoffTables(_ r: RunResult, _ d: inout MarkdownDocument) {
        let cutoffs = r.summaries.flatMap { $0.fixed.map(\.cutoff) }.reduce(into: [Double]()) { if !$0.contains($1) { $0.append($1) } }
        guard !cutoffs.isEmpty else { return }
        d.heading(2, "Fixed external cutoffs")
        for fc in cutoffs {
            d.heading(3, "Cutoff \(Format.exact(fc))")
            d.paragraph("Where \(Format.exact(fc)) falls among the estimated cutoffs (share of cohorts whose ĉ is at or below it), and what it does in each cell: ",
                        "true values in the population, and the mean (2.5%–97.5% points) a single cohort would report.")
            let methods = r.design.reference.model.methods
            var table = MarkdownTable(["cell", "differs from the reference in"] + methods.map { "P(ĉ ≤ \(Format.exact(fc))) \($0.rawValue) (MCSE)" }
                                      + ["sensitivity: true, cohort", "specificity: true, cohort", "PPV: true, cohort", "NPV: true, cohort"])
            for s in r.summaries {
                guard let fs = s.fixed.first(where: { $0.cutoff == fc }) else { continue }
                func both(_ truth: Double, _ st: Stat?) -> String {
                    guard let st else { return Format.percent(truth) + ", –" }
                    return "\(Format.percent(truth)), \(Format.percent(st.mean)) (\(Format.percent(st.q025, 0))–\(Format.percent(st.q975, 0)))"
                }
                table.add(["\(s.cell.id)\(s.cell.isReference ? " (ref)" : "")", cellName(s.cell, r)]
                          + methods.map { m in s.method(m)?.fixedCutoffRanks.first(where: { $0.cutoff == fc }).map { pct($0.below) } ?? "–" }
                          + [both(fs.trueSensitivity, fs.sensitivity), both(fs.trueSpecificity, fs.specificity), both(fs.truePPV, fs.ppv),
                             both(fs.trueNPV, fs.npv)])
            }
            d.table(table)
        }
    }

    static func aucTable(_ r: RunResult, _ d: inout MarkdownDocument) {
        d.heading(2, "AUC")
        d.paragraph("Empirical (Mann–Whitney) AUC per cohort against AUC\\*, DeLong's SE against the AUC's actual spread, and how often DeLong's 95% CI covers AUC\\*.",
                    r.design.cells.contains { $0.model.followUp != nil }
                    ? " In cells with follow-up, AUC\\* is AUC\\*(t), for failure by the horizon in the uncensored population; a km or ipcw cell's AUC is the trapezoidal area under its time-dependent ROC, which has no DeLong SE (–), and an ever-observed cell's AUC is that of failure by the last visit, a different endpoint, so its coverage of AUC\\*(t) is not DeLong's."
                    : "")
        var table = MarkdownTable(["cell", "differs from the reference in", "AUC\\*", "mean AUC (MCSE)", "SD of AUC (MCSE)",
                                   "mean DeLong SE (MCSE)", "95% CI coverage (MCSE)"])
        for s in r.summaries {
            table.add([s.cell.id, cellName(s.cell, r), f(s.truth.auc, 4), mc(s.auc?.mean ?? .nan, s.auc?.mcseMean ?? .nan, 4),
                       mc(s.auc?.sd ?? .nan, s.auc?.mcseSD ?? .nan, 4),
                       mc(s.aucStandardError?.mean ?? .nan, s.aucStandardError?.mcseMean ?? .nan, 4), pct(s.aucCoverage)])
        }
        d.table(table)
    }

    static func degenerateSection(_ r: RunResult, _ d: inout MarkdownDocument) {
        d.heading(2, "Degenerate cohorts and failures")
        let total = r.summaries.reduce(0) { $0 + $1.degenerateTotal }
        let failures = r.summaries.flatMap(\.methods).reduce(0) { $0 + $1.failures }
        if total == 0 && failures == 0 {
            d.paragraph("None: every simulated cohort had events and non-events with distinct scores, and every method returned a cutoff.")
            return
        }
        d.paragraph("Counted, not dropped silently: a degenerate cohort (no events, no non-events, or all scores tied) has no estimate; a failure is a non-degenerate cohort where a method has no cutoff.")
        // The default estimators always (as "–" where a cell runs none), and any other the run used.
        let shown = EstimationMethod.named(using: r.table.layout.methods)
        var table = MarkdownTable(["cell", "no events", "no non-events", "all tied"] + shown.map { "\($0.rawValue) failures" })
        for s in r.summaries {
            table.add([s.cell.id, "\(s.degenerate[.noEvents] ?? 0)", "\(s.degenerate[.noNonEvents] ?? 0)", "\(s.degenerate[.allTied] ?? 0)"]
                      + shown.map { m in s.method(m).map { String($0.failures) } ?? "–" })
        }
        d.table(table)
    }

    static func readingGuide(_ r: RunResult, _ d: inout MarkdownDocument) {
        d.heading(2, "How to read this report")
        // Only where the report has the column.
        let twoStudyNote: [MarkdownDocument.ListItem] = r.factorDrift.isEmpty ? [] : [
            .init("**P(two studies differ)** answers \"would a second study see this drift?\": how often two simulated studies of the cell's size, one under each protocol, find significantly different cutoffs (two-sided z-test at 5% with each cutoff's SD taken as known). Beside it, the **level**: how often the same test calls two studies of one protocol different. A probability not beyond its level by more than 2 MCSE means such a pair cannot see the drift.")
        ]
        // Only where two cells of the run produced the same numbers.
        let sameNote: [MarkdownDocument.ListItem] = Set(r.sameNumbers).count < r.sameNumbers.count ? [
            .init("A Δc\\* of **0 (by construction)** joins two cells that produced exactly the same numbers, truth and every cohort alike: under common random numbers the factor changed no simulated value there (as a CSF level factor does when no CSF is measured at L2 or L4, or the 1.5 T factor when no scan is at 1.5 T). It is no estimate, so it has no SE, and an interaction that contains such a pair counts their shared estimate once.")
        ] : []
        // Only where a factor changes the analysis but not the population.
        let analysisNote: [MarkdownDocument.ListItem] = r.factorDrift.contains(where: { $0.contrasts.contains(where: \.sameTarget) }) ? [
            .init("A Δc\\* of **0 (by construction: the same population at both levels; only the analysis differs)** joins two cells whose populations, and so whose truths, are the same: the factor changes how a study analyses its cohorts (as the handling of censored follow-up does), which moves the estimated cutoff but not c\\*. Compare the cells' mean ĉ instead.")
        ] : []
        d.list([
            .init("**c\\*** is the population-optimal cutoff, where the population's J is largest (a consistent estimator approaches it as the cohort grows); **ĉ** is what one cohort finds. Their difference is the estimator's **bias** (mean ĉ − c\\*, which more patients need not remove: a method whose model does not fit the classes keeps it, as the binormal one does unless both classes are normal) plus **sampling error** (SD of ĉ)."),
            .init("**SD of ĉ** and the **2.5%–97.5%** range say how far one study's cutoff strays; two independent studies of the same population differ by about √2 × SD of ĉ."),
            .init("**Optimism**: sensitivity and specificity reported at a cutoff chosen on the same data are too good; the true J of that cutoff is lower (by most for the empirical cutoff, which chases the cohort's own steps)."),
            .init("Numbers in parentheses after a simulated statistic are its Monte Carlo SE (MCSE); with more replicates it shrinks, the sampling spread (SD) does not. After c\\* or Δc\\* they are the truth's numerical SE; in the class columns under *Truth per cell*, a class SD. A share of none or all cohorts comes with its one-sided 95% bound instead."),
            .init("A shift is reported only when it lies more than \(Format.fixed(MonteCarloRule.standardErrors, 0)) standard errors from zero; otherwise the report says \"no shift beyond Monte Carlo error\"."),
        ] + twoStudyNote + sameNote + analysisNote + [
            .init("Files: `summary.json` and `summary.csv` (all numbers, with MCSEs), `replicates.csv` (one row per simulated cohort), `plots/` (gnuplot scripts and data beside each figure), `scenario.resolved.yaml` (the scenario with every default filled in), `provenance.json`.")
        ])
    }
}
