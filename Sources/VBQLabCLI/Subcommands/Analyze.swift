import ArgumentParser
import Foundation
import VBQLab

extension VBQLabCommand {
    /// The simulation's estimators on a real dataset.
    ///
    ///     vbqlab analyze cohort.csv --score vbq --outcome iff --positive 1 --bootstrap 2000 --cutoff 3.3
    struct Analyze: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Youden cutoffs (empirical, binormal, kernel), AUC with DeLong CI, and metrics at given cutoffs for a CSV dataset.",
            discussion: """
            A score at or above a cutoff is test-positive; higher scores mean higher risk. The empirical \
            cutoff uses pROC's midpoint thresholds; when several thresholds tie for the best J, the lower \
            median of them is reported and all are listed in --json output.
            """)

        @Argument(help: "CSV file with a header row.")
        var data: String

        @Option(help: "Column holding the score (e.g. the VBQ score).")
        var score: String

        @Option(help: "Column holding the binary outcome.")
        var outcome: String

        @Option(help: "Outcome value that marks an event (default: 1, true or yes when the column holds those).")
        var positive: String?

        @Option(help: "Stratified bootstrap resamples for a 95% percentile CI of each cutoff (0 = none).")
        var bootstrap: Int = 0

        @Option(help: "Seed of the bootstrap's random streams.")
        var seed: UInt64 = 1

        @Option(name: .customLong("cutoff"), parsing: .unconditionalSingleValue,
                help: "A fixed cutoff to evaluate (repeatable), e.g. --cutoff 3.3 (negative values too: --cutoff -0.5).")
        var cutoffs: [Double] = []

        @Flag(help: "Skip rows with a missing or non-numeric score or outcome (and say how many), instead of refusing the file.")
        var dropInvalid = false

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func validate() throws {
            if bootstrap < 0 || bootstrap > Limits.bootstrap {
                throw ValidationError("--bootstrap must be between 0 and \(Limits.bootstrap) (got \(bootstrap))")
            }
            if let bad = cutoffs.first(where: { !$0.isFinite }) { throw ValidationError("--cutoff \(bad) is not a finite number") }
            if cutoffs.count > Limits.fixedCutoffs { throw ValidationError("\(cutoffs.count) --cutoff values is more than the limit of \(Limits.fixedCutoffs)") }
        }

        func run() throws {
            do {
                let ds = try Dataset.load(path: data, scoreColumn: score, outcomeColumn: outcome,
                                          positive: positive, dropInvalid: dropInvalid)
                if !ds.skippedLines.isEmpty {
                    FileHandle.standardError.write(Data("note: skipped \(ds.skippedLines.count) row\(ds.skippedLines.count == 1 ? "" : "s") with a missing or non-numeric value (line\(ds.skippedLines.count == 1 ? "" : "s") \(ds.skippedLines.prefix(10).map(String.init).joined(separator: ", "))\(ds.skippedLines.count > 10 ? ", ..." : ""))\n".utf8))
                }
                let a = ds.analyse(cutoffs: cutoffs)
                let boot = bootstrap > 0 ? ds.bootstrap(methods: EstimationMethod.allCases, replicates: bootstrap, seed: seed) : []
                let empirical = ds.positives.withUnsafeBufferPointer { p in
                    ds.negatives.withUnsafeBufferPointer { n in EmpiricalYouden(positives: p, negatives: n) }
                }
                if json {
                    print(AnalyzeOutput.json(ds, a, empirical, boot, seed: seed).rendered(), terminator: "")
                } else {
                    print(AnalyzeOutput.table(ds, a, empirical, boot), terminator: "")
                }
            } catch {
                throw fail(error)
            }
        }
    }
}

enum AnalyzeOutput {
    static func confusion(_ c: Confusion) -> [(String, JSON)] {
        [("cutoff", .num(c.cutoff)), ("tp", .int(c.tp)), ("fn", .int(c.fn)), ("tn", .int(c.tn)), ("fp", .int(c.fp)),
         ("sensitivity", .num(c.sensitivity)), ("specificity", .num(c.specificity)), ("ppv", .num(c.ppv)),
         ("npv", .num(c.npv)), ("accuracy", .num(c.accuracy)), ("j", .num(c.youden))]
    }

    static func json(_ ds: Dataset, _ a: CohortAnalysis, _ e: EmpiricalYouden?, _ boot: [BootstrapInterval], seed: UInt64) -> JSON {
        let auc = a.auc ?? ds.aucEstimate
        var pairs: [(String, JSON)] = [
            ("n_positive", .int(a.nPositive)),
            ("n_negative", .int(a.nNegative)),
            ("positive_label", .string(ds.positiveLabel)),
            ("skipped_rows", .int(ds.skippedLines.count)),
            ("degenerate", a.degenerate.map { .string($0.name) } ?? .null),
            ("auc", .num(auc?.auc ?? .nan)),
            ("auc_se", .num(auc?.standardError ?? .nan)),
            ("auc_ci", .array([.num(auc?.ci.lower ?? .nan), .num(auc?.ci.upper ?? .nan)])),
        ]
        if let e, let ap = a.estimate(.empirical)?.apparent {
            pairs.append(("youden", .object(confusion(ap).map { $0.0 == "j" ? ("j", .num(e.youden)) : $0 } + [
                ("tied_thresholds", .int(e.tiedThresholds)),
                ("optimal_thresholds", .array(e.optimalThresholds.map(JSON.num))),
                ("tie_rule", .string("lower median of the tied optimal thresholds")),
            ])))
        } else {
            pairs.append(("youden", .null))
        }
        pairs.append(("methods", .object(a.estimates.map { est in
            var m: [(String, JSON)] = est.apparent.map(confusion) ?? [("cutoff", .null)]
            if est.method != .kernel { m.append(("auc", .num(est.auc))) }
            if let f = est.failure { m.append(("failure", .string(f))) }
            if let b = boot.first(where: { $0.method == est.method }) {
                m.append(("bootstrap_ci", .array([.num(b.lower), .num(b.upper)])))
                m.append(("bootstrap_sd", .num(b.sd)))
                m.append(("bootstrap_failures", .int(b.failures)))
            }
            return (est.method.rawValue, .object(m))
        })))
        pairs.append(("cutoffs", .array(a.fixed.map { .object(confusion($0)) })))
        if let b = boot.first {
            pairs.append(("bootstrap", .object([("replicates", .int(b.replicates)), ("seed", .uint(seed)),
                                                ("kind", .string("stratified percentile, 95%"))])))
        }
        return .object(pairs)
    }

    static func table(_ ds: Dataset, _ a: CohortAnalysis, _ e: EmpiricalYouden?, _ boot: [BootstrapInterval]) -> String {
        func f(_ x: Double, _ d: Int = 3) -> String { Format.fixed(x, d) }
        var o = "\(a.nPositive) events ('\(ds.positiveLabel)'), \(a.nNegative) non-events\n"
        if let d = a.degenerate {
            if d == .allTied, let auc = ds.aucEstimate {
                o += "AUC \(f(auc.auc, 4)) (every score is tied: the score cannot separate the classes)\n"
            }
            return o + "degenerate data: \(d.name); no cutoff can be estimated\n"
        }
        if let auc = a.auc {
            o += "AUC \(f(auc.auc, 4))  (DeLong SE \(f(auc.standardError, 4)), 95% CI \(f(auc.ci.lower, 4))–\(f(auc.ci.upper, 4)))\n\n"
        }
        let hasBoot = !boot.isEmpty
        var t = TextTable(["method", "cutoff"] + (hasBoot ? ["95% bootstrap CI"] : []) + ["sens", "spec", "PPV", "NPV", "accuracy", "J"],
                          rightAligned: Set(1..<(hasBoot ? 9 : 8)).subtracting(hasBoot ? [2] : []))
        for est in a.estimates {
            guard let ap = est.apparent else {
                t.add([est.method.rawValue, "–"] + (hasBoot ? [""] : []) + ["(\(est.failure ?? "no cutoff"))"])
                continue
            }
            var row = [est.method.rawValue, f(ap.cutoff)]
            if hasBoot {
                let b = boot.first(where: { $0.method == est.method })
                row.append(b.map { "\(f($0.lower))–\(f($0.upper))" } ?? "")
            }
            row += [f(ap.sensitivity), f(ap.specificity), f(ap.ppv), f(ap.npv), f(ap.accuracy), f(ap.youden)]
            t.add(row)
        }
        o += t.rendered()
        if let e, e.tiedThresholds > 1 {
            o += "\nempirical: \(e.tiedThresholds) thresholds tie for the best J (\(e.optimalThresholds.map { f($0, 4) }.joined(separator: ", "))); the lower median is reported.\n"
        }
        if !a.fixed.isEmpty {
            o += "\nat fixed cutoffs (score ≥ cutoff is positive):\n"
            var ft = TextTable(["cutoff", "TP", "FN", "TN", "FP", "sens", "spec", "PPV", "NPV", "accuracy"], rightAligned: Set(0..<10))
            for c in a.fixed {
                ft.add([Format.exact(c.cutoff), String(c.tp), String(c.fn), String(c.tn), String(c.fp),
                        f(c.sensitivity), f(c.specificity), f(c.ppv), f(c.npv), f(c.accuracy)])
            }
            o += ft.rendered()
        }
        if let b = boot.first { o += "\nbootstrap: \(b.replicates) stratified resamples\n" }
        return o
    }
}
