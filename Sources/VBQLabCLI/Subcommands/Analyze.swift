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

        @Option(name: .customLong("cutoff"), help: "A fixed cutoff to evaluate (repeatable), e.g. --cutoff 3.3.")
        var cutoffs: [Double] = []

        @Flag(help: "Skip rows with a missing or non-numeric score or outcome (and say how many), instead of refusing the file.")
        var dropInvalid = false

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func validate() throws {
            if bootstrap < 0 { throw ValidationError("--bootstrap must be 0 or more (got \(bootstrap))") }
            if let bad = cutoffs.first(where: { !$0.isFinite }) { throw ValidationError("--cutoff \(bad) is not a finite number") }
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
        let auc = a.auc
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
        if let d = a.degenerate { return o + "degenerate data: \(d.name); no cutoff can be estimated\n" }
        if let auc = a.auc {
            o += "AUC \(f(auc.auc, 4))  (DeLong SE \(f(auc.standardError, 4)), 95% CI \(f(auc.ci.lower, 4))–\(f(auc.ci.upper, 4)))\n\n"
        }
        let hasBoot = !boot.isEmpty
        o += "method     cutoff  \(hasBoot ? "95% bootstrap CI    " : "")sens    spec    PPV     NPV     accuracy  J\n"
        for est in a.estimates {
            let name = est.method.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
            guard let ap = est.apparent else { o += "\(name) –       (\(est.failure ?? "no cutoff"))\n"; continue }
            var ci = ""
            if let b = boot.first(where: { $0.method == est.method }) {
                ci = "\(f(b.lower))–\(f(b.upper))".padding(toLength: 20, withPad: " ", startingAt: 0)
            }
            o += "\(name) \(f(ap.cutoff).padding(toLength: 7, withPad: " ", startingAt: 0)) \(ci)\(f(ap.sensitivity).padding(toLength: 7, withPad: " ", startingAt: 0)) \(f(ap.specificity).padding(toLength: 7, withPad: " ", startingAt: 0)) \(f(ap.ppv).padding(toLength: 7, withPad: " ", startingAt: 0)) \(f(ap.npv).padding(toLength: 7, withPad: " ", startingAt: 0)) \(f(ap.accuracy).padding(toLength: 9, withPad: " ", startingAt: 0)) \(f(ap.youden))\n"
        }
        if let e, e.tiedThresholds > 1 {
            o += "\nempirical: \(e.tiedThresholds) thresholds tie for the best J (\(e.optimalThresholds.map { f($0, 4) }.joined(separator: ", "))); the lower median is reported.\n"
        }
        if !a.fixed.isEmpty {
            o += "\nat fixed cutoffs (score ≥ cutoff is positive):\ncutoff  TP   FN   TN   FP   sens    spec    PPV     NPV     accuracy\n"
            for c in a.fixed {
                o += "\(Format.exact(c.cutoff).padding(toLength: 7, withPad: " ", startingAt: 0)) \(String(c.tp).padding(toLength: 4, withPad: " ", startingAt: 0)) \(String(c.fn).padding(toLength: 4, withPad: " ", startingAt: 0)) \(String(c.tn).padding(toLength: 4, withPad: " ", startingAt: 0)) \(String(c.fp).padding(toLength: 4, withPad: " ", startingAt: 0)) \(f(c.sensitivity).padding(toLength: 7, withPad: " ", startingAt: 0)) \(f(c.specificity).padding(toLength: 7, withPad: " ", startingAt: 0)) \(f(c.ppv).padding(toLength: 7, withPad: " ", startingAt: 0)) \(f(c.npv).padding(toLength: 7, withPad: " ", startingAt: 0)) \(f(c.accuracy))\n"
            }
        }
        if let b = boot.first { o += "\nbootstrap: \(b.replicates) stratified resamples\n" }
        return o
    }
}
