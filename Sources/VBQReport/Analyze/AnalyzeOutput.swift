import Foundation
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

/// What `vbqlab analyze` prints: the JSON document (`--json`) and the text tables.
public enum AnalyzeOutput {
    /// The whole `--json` document: the dataset's analysis, and its placement among the
    /// simulated studies when `--against` gave one.
    public static func json(_ r: DatasetReport, against placed: AgainstResult?, covariates: CovariateReport? = nil,
                            covariatesAgainst: CovariateAgainst? = nil) -> JSON {
        guard case var .object(pairs) = json(r) else { return json(r) }
        if let covariates { pairs.append(("seed_analysis", CovariateOutput.json(covariates))) }
        if let placed { pairs.append(("against", json(placed))) }
        if let covariatesAgainst { pairs.append(("seed_analysis_against", CovariateOutput.json(covariatesAgainst))) }
        return .object(pairs)
    }

    static func placement(_ p: Placement) -> JSON {
        // An ML log odds ratio under separation is ±∞: written as "Inf"/"-Inf", as R writes it.
        func value(_ x: Double) -> JSON { x.isInfinite ? .string(x > 0 ? "Inf" : "-Inf") : .num(x) }
        return .object([("observed", value(p.observed)), ("q025", value(p.q025)), ("median", value(p.median)), ("q975", value(p.q975)),
                 ("percentile", .num(p.percentile)), ("inside_95", .bool(p.inside)), ("n", .int(p.n))])
    }

    public static func json(_ a: AgainstResult) -> JSON {
        .object([("scenario", .string(a.scenario.name)), ("events", .int(a.events)), ("non_events", .int(a.nonEvents)),
                 ("replicates", .int(a.replicates)), ("seed", .uint(a.seed)),
                 ("compatible_cells", .array(a.compatible.map { .string($0.cell.id) })),
                 ("cells", .array(a.cells.map { c in
                     .object([("id", .string(c.cell.id)), ("label", .string(c.cell.label)), ("contrast", .string(c.contrast)),
                              ("cutoff", placement(c.cutoff)), ("auc", placement(c.auc)), ("sensitivity", placement(c.sensitivity)),
                              ("specificity", placement(c.specificity)), ("unfilled_cohorts", .int(c.unfilled))])
                 }))])
    }

    public static func table(_ a: AgainstResult) -> String { printout(a).text }

    public static func printout(_ a: AgainstResult) -> Printout {
        func f(_ x: Double, _ d: Int = 3) -> String { Format.fixed(x, d) }
        func range(_ p: Placement) -> String { "\(f(p.q025))–\(f(p.q975))" }
        func pct(_ p: Placement) -> String { "\(Format.fixed(p.percentile, 1))%" + (p.inside ? "" : " *") }
        var o = Printout()
        o += "\nagainst \(a.scenario.name): cohorts of \(a.events) events and \(a.nonEvents) non-events, \(a.replicates) per cell (seed \(a.seed));\n"
        o += "the 95% range of each statistic in the simulated cohorts and the percentile of this dataset's (* outside the range):\n"
        var t = TextTable(["cell", "differs from the reference", "cutoff 95% range", "percentile", "AUC 95% range", "percentile",
                           "sens 95% range", "percentile", "spec 95% range", "percentile"], rightAligned: Set(2..<10))
        for c in a.cells {
            t.add([c.cell.id, c.contrast, range(c.cutoff), pct(c.cutoff), range(c.auc), pct(c.auc),
                   range(c.sensitivity), pct(c.sensitivity), range(c.specificity), pct(c.specificity)])
        }
        o += t
        let observed = a.cells.first.map { f($0.cutoff.observed) } ?? "–"
        let inside = a.compatible
        if inside.isEmpty {
            o += "\nThe observed empirical cutoff \(observed) lies outside the 95% range of every cell: none of these assumptions reproduces it with cohorts of this size.\n"
        } else if inside.count == a.cells.count {
            o += "\nThe observed empirical cutoff \(observed) lies inside the 95% range of every cell: sampling alone, in cohorts of this size, could give it under any of these assumptions.\n"
        } else {
            let names = inside.prefix(12).map { "\($0.cell.id) (\($0.contrast))" }.joined(separator: ", ")
            o += "\nThe observed empirical cutoff \(observed) lies inside the 95% range of \(inside.count) of \(a.cells.count) cells: \(names)\(inside.count > 12 ? ", ..." : ""); outside it in the others.\n"
        }
        let unfilled = a.cells.reduce(0) { $0 + $1.unfilled }
        if unfilled > 0 { o += "(\(unfilled) simulated cohorts could not be filled to these class counts and are left out.)\n" }
        return o
    }

    static func proportion(_ p: WilsonProportion) -> JSON {
        .object([("value", .num(p.value)), ("count", .int(p.count)), ("n", .int(p.n)), ("ci", .array([.num(p.lower), .num(p.upper)]))])
    }

    static func table(_ t: CutoffTable, bootstrap: BootstrapInterval?) -> JSON {
        var pairs: [(String, JSON)] = [("method", .string(t.method)), ("cutoff", .num(t.cutoff)),
                                       ("tp", .int(t.tp)), ("fn", .int(t.fn)), ("tn", .int(t.tn)), ("fp", .int(t.fp)),
                                       ("sensitivity", proportion(t.sensitivity)), ("specificity", proportion(t.specificity)),
                                       ("ppv", proportion(t.ppv)), ("npv", proportion(t.npv)), ("accuracy", proportion(t.accuracy)),
                                       ("j", .num(t.youden)),
                                       ("lr_positive", t.lrPositive.isInfinite ? .string("Inf") : .num(t.lrPositive)),
                                       ("lr_negative", .num(t.lrNegative))]
        if let b = bootstrap {
            pairs += [("bootstrap_ci", .array([.num(b.lower), .num(b.upper)])), ("bootstrap_sd", .num(b.sd)),
                      ("bootstrap_failures", .int(b.failures))]
        }
        return .object(pairs)
    }

    static func classJSON(_ c: ClassSummary) -> JSON {
        .object([("n", .int(c.n)), ("mean", .num(c.mean)), ("sd", .num(c.sd)), ("median", .num(c.median)),
                 ("min", .num(c.min)), ("max", .num(c.max))])
    }

    public static func json(_ r: DatasetReport) -> JSON {
        let ds = r.dataset, a = r.analysis
        var pairs: [(String, JSON)] = [
            ("n_positive", .int(a.nPositive)),
            ("n_negative", .int(a.nNegative)),
            ("positive_label", .string(ds.positiveLabel)),
            ("missing_rows", .int(ds.missingLines.count)),
            ("skipped_rows", .int(ds.skippedLines.count)),
            ("direction", .string(r.direction.rawValue)),
            ("direction_rule", .string(r.direction.rule)),
            ("direction_note", .string(r.directionNote)),
            ("events", classJSON(r.events)),
            ("non_events", classJSON(r.nonEvents)),
            ("degenerate", a.degenerate.map { .string($0.name) } ?? .null),
            ("auc", .num(r.auc?.auc ?? .nan)),
            ("auc_se", .num(r.auc?.standardError ?? .nan)),
            ("auc_ci", .array([.num(r.auc?.ci.lower ?? .nan), .num(r.auc?.ci.upper ?? .nan)])),
        ]
        if let e = r.tables.first(where: { $0.source == .estimator(.empirical) }) {
            pairs.append(("youden", .object([("cutoff", .num(e.cutoff)), ("tp", .int(e.tp)), ("fn", .int(e.fn)), ("tn", .int(e.tn)),
                                              ("fp", .int(e.fp)), ("sensitivity", .num(e.sensitivity.value)),
                                              ("specificity", .num(e.specificity.value)), ("j", .num(e.youden)),
                                              ("tied_thresholds", .int(r.tiedThresholds.count)),
                                              ("optimal_thresholds", .array(r.tiedThresholds.map(JSON.num))),
                                              ("tie_rule", .string("lower median of the tied optimal thresholds"))])))
        } else {
            pairs.append(("youden", .null))
        }
        pairs.append(("methods", .object(a.estimates.map { est in
            guard let t = r.tables.first(where: { $0.source == .estimator(est.method) }) else {
                return (est.method.rawValue, .object([("cutoff", .null), ("failure", .string(est.failure ?? "no cutoff"))]))
            }
            return (est.method.rawValue, table(t, bootstrap: r.bootstrap.first { $0.method == est.method }))
        })))
        pairs.append(("cutoffs", .array(r.tables.filter { $0.source == .fixed }.map { table($0, bootstrap: nil) })))
        if r.bootstrapReplicates > 0 {
            pairs.append(("bootstrap", .object([("replicates", .int(r.bootstrapReplicates)), ("seed", .uint(r.seed)),
                                                ("kind", .string("stratified percentile, 95%"))])))
            func stat(_ s: Stat?) -> JSON { .object([("mean", .num(s?.mean ?? .nan)), ("mcse", .num(s?.mcseMean ?? .nan))]) }
            pairs.append(("optimism", .object(r.optimism.map { o in
                (o.method.rawValue, .object([
                    ("resamples", .int(o.resamples)), ("out_of_bag_resamples", .int(o.outOfBag)),
                    ("apparent", .object([("j", .num(o.apparent.j)), ("sensitivity", .num(o.apparent.sensitivity)), ("specificity", .num(o.apparent.specificity))])),
                    ("optimism", .object([("j", stat(o.optimism.j)), ("sensitivity", stat(o.optimism.sensitivity)), ("specificity", stat(o.optimism.specificity))])),
                    ("corrected", .object([("j", .num(o.corrected.j)), ("sensitivity", .num(o.corrected.sensitivity)), ("specificity", .num(o.corrected.specificity))])),
                    ("out_of_bag", .object([("j", stat(o.oob.j)), ("sensitivity", stat(o.oob.sensitivity)), ("specificity", stat(o.oob.specificity))])),
                ]))
            })))
        }
        pairs.append(("warnings", .array(r.warnings.map(JSON.string))))
        return .object(pairs)
    }

    public static func table(_ r: DatasetReport, file: String) -> String { printout(r).text }

    public static func printout(_ r: DatasetReport) -> Printout {
        func f(_ x: Double, _ d: Int = 3) -> String { Format.fixed(x, d) }
        func ci(_ p: WilsonProportion) -> String { p.n > 0 ? "\(f(p.value)) (\(f(p.lower))–\(f(p.upper)))" : "–" }
        let ds = r.dataset, a = r.analysis
        var o = Printout()
        o += "\(a.nPositive) events ('\(ds.positiveLabel)'), \(a.nNegative) non-events ('\(ds.negativeLabel)')"
        if !ds.missingLines.isEmpty { o += "; \(ds.missingLines.count) row\(ds.missingLines.count == 1 ? "" : "s") with a missing value skipped" }
        if !ds.skippedLines.isEmpty { o += "; \(ds.skippedLines.count) invalid row\(ds.skippedLines.count == 1 ? "" : "s") skipped" }
        o += "\ndirection: \(r.directionNote)\n\n"
        var classes = TextTable(["class", "n", "mean", "SD", "median", "min", "max"], rightAligned: Set(1..<7))
        for (name, c) in [("events", r.events), ("non-events", r.nonEvents)] {
            classes.add([name, String(c.n), f(c.mean), f(c.sd), f(c.median), f(c.min), f(c.max)])
        }
        o += classes
        o += "\n"
        if let d = a.degenerate {
            if d == .allTied, let auc = r.auc {
                o += "AUC \(f(auc.auc, 4)) (every score is tied: the score cannot separate the classes)\n"
            }
            o += "degenerate data: \(d.name); no cutoff can be estimated\n"
            return o
        }
        if let auc = r.auc {
            o += "AUC \(f(auc.auc, 4))  (DeLong SE \(f(auc.standardError, 4)), 95% CI \(f(auc.ci.lower, 4))–\(f(auc.ci.upper, 4)))\n\n"
        }
        let hasBoot = !r.bootstrap.isEmpty
        o += "cutoffs (\(r.direction.rule)):\n"
        var t = TextTable(["cutoff", "value"] + (hasBoot ? ["95% bootstrap CI"] : []) + ["TP", "FN", "TN", "FP", "J", "LR+", "LR−"],
                          rightAligned: Set(1..<(hasBoot ? 10 : 9)).subtracting(hasBoot ? [2] : []))
        for est in a.estimates where r.tables.first(where: { $0.source == .estimator(est.method) }) == nil {
            t.add([est.method.rawValue, "–"] + (hasBoot ? [""] : []) + ["(\(est.failure ?? "no cutoff"))"])
        }
        func lr(_ x: Double) -> String { x.isInfinite ? "∞" : f(x, 2) }
        for c in r.tables {
            var row = [c.method, f(c.cutoff)]
            if hasBoot { row.append(r.bootstrap.first { c.source == .estimator($0.method) }.map { "\(f($0.lower))–\(f($0.upper))" } ?? "") }
            row += [String(c.tp), String(c.fn), String(c.tn), String(c.fp), f(c.youden), lr(c.lrPositive), lr(c.lrNegative)]
            t.add(row)
        }
        o += t
        o += "\nwith Wilson 95% CIs:\n"
        var w = TextTable(["cutoff", "value", "sensitivity", "specificity", "PPV", "NPV", "accuracy"], rightAligned: Set(1..<7))
        for c in r.tables {
            w.add([c.method, f(c.cutoff), ci(c.sensitivity), ci(c.specificity), ci(c.ppv), ci(c.npv), ci(c.accuracy)])
        }
        o += w
        if r.tiedThresholds.count > 1 {
            o += "\nempirical: \(r.tiedThresholds.count) thresholds tie for the best J (\(r.tiedThresholds.prefix(12).map { f($0, 4) }.joined(separator: ", "))\(r.tiedThresholds.count > 12 ? ", ..." : "")); the lower median is reported.\n"
        }
        if hasBoot {
            o += "\nin new patients (bootstrap, \(r.bootstrapReplicates) resamples; optimism-corrected by Harrell's method, and out-of-bag as cutpointr's boot_runs):\n"
            var b = TextTable(["method", "J apparent", "corrected", "out-of-bag", "sens apparent", "corrected", "out-of-bag", "spec apparent", "corrected", "out-of-bag"],
                              rightAligned: Set(1..<10))
            for e in r.optimism {
                b.add([e.method.rawValue, f(e.apparent.j), f(e.corrected.j), f(e.oob.j?.mean ?? .nan),
                       f(e.apparent.sensitivity), f(e.corrected.sensitivity), f(e.oob.sensitivity?.mean ?? .nan),
                       f(e.apparent.specificity), f(e.corrected.specificity), f(e.oob.specificity?.mean ?? .nan)])
            }
            o += b
            if let e = r.optimism.first(where: { $0.method == .empirical }) ?? r.optimism.first {
                let mcse = e.optimism.j?.mcseMean ?? .nan
                o += "\nThe apparent J of \(f(e.apparent.j, 2)) (\(e.method.rawValue) cutoff, chosen and judged on these \(a.nPositive + a.nNegative) patients) is expected to be about \(f(e.corrected.j, 2)) in new patients (optimism \(f(e.optimism.j?.mean ?? .nan)), Monte Carlo SE \(f(mcse)); out-of-bag \(f(e.oob.j?.mean ?? .nan, 2))).\n"
            }
            o += "bootstrap CIs of the cutoffs: \(r.bootstrapReplicates) stratified resamples, seed \(r.seed)\n"
        }
        return o
    }
}
