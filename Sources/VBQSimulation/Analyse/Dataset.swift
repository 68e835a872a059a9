import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// A real dataset for `vbqlab analyze`: scores and binary outcomes read from a CSV file.
public struct Dataset: Sendable {
    public let positives: [Double]
    public let negatives: [Double]
    public let positiveLabel: String
    public let negativeLabel: String
    /// Lines skipped with `--drop-invalid` (a score that is not a number).
    public let skippedLines: [Int]
    /// Lines skipped because the score or the outcome is missing (`NA`, empty, ...).
    public var missingLines: [Int] = []
    /// The field separator of the file it was read from.
    public var separator: Character = ","

    public static let missingTokens: Set<String> = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "."]

    /// Reads `score` and `outcome` columns. A missing score or outcome (`NA`, empty, ...) skips
    /// the row, counted; a score that is not a number is an error naming its line, unless
    /// `dropInvalid`. `separator` nil: detected from the header line.
    public static func load(path: String, scoreColumn: String, outcomeColumn: String,
                            positive: String?, dropInvalid: Bool, separator: Character? = nil) throws -> Dataset {
        try load(table: try CSVTable.read(path: path, separator: separator), file: path, scoreColumn: scoreColumn, outcomeColumn: outcomeColumn,
                 positive: positive, dropInvalid: dropInvalid)
    }

    /// The same from a table already read (`file` names it in errors).
    public static func load(table: CSVTable, file path: String, scoreColumn: String, outcomeColumn: String,
                            positive: String?, dropInvalid: Bool) throws -> Dataset {
        func column(_ name: String, _ option: String) throws -> Int {
            if let i = table.header.firstIndex(of: name) { return i }
            throw VBQError(file: path, line: 1, key: option, "no column '\(name)'\(suggestion(for: name, among: table.header)); columns are \(table.header.joined(separator: ", "))")
        }
        let si = try column(scoreColumn, "--score"), oi = try column(outcomeColumn, "--outcome")
        var valid: [(score: Double, outcome: String)] = []
        var invalid: [(line: Int, reason: String)] = []
        var missing: [Int] = []
        for row in table.rows {
            let rawScore = row.fields[si].trimmingCharacters(in: .whitespaces)
            let rawOutcome = row.fields[oi].trimmingCharacters(in: .whitespaces)
            if missingTokens.contains(rawScore) || missingTokens.contains(rawOutcome) {
                missing.append(row.line)
            } else if let x = NumberText.double(rawScore) {
                valid.append((x, rawOutcome))
            } else {
                invalid.append((row.line, "\(scoreColumn): '\(rawScore)' is not a number"))
            }
        }
        if !invalid.isEmpty && !dropInvalid {
            let first = invalid[0]
            let more = invalid.count > 1
                ? " (and \(invalid.count - 1) more invalid row\(invalid.count > 2 ? "s" : ""): line\(invalid.count > 2 ? "s" : "") \(invalid.dropFirst().prefix(8).map { String($0.line) }.joined(separator: ", "))\(invalid.count > 9 ? ", ..." : ""))"
                : ""
            throw VBQError(file: path, line: first.line, key: nil, "\(first.reason)\(more); fix the data or pass --drop-invalid to skip such rows")
        }
        var labels: [String] = []
        for v in valid where !labels.contains(v.outcome) { labels.append(v.outcome) }
        guard !valid.isEmpty else {
            throw VBQError(file: path, line: 1, key: "--score", "no row has both a score and an outcome (\(missing.count) row\(missing.count == 1 ? "" : "s") with a missing value)")
        }
        let positiveLabel: String
        if let positive {
            // Case-insensitive, as auto-detection is ("yes" finds "Yes").
            let matches = labels.contains(positive) ? [positive] : labels.filter { $0.lowercased() == positive.lowercased() }
            guard let match = matches.first else {
                throw VBQError(file: path, line: 1, key: "--positive", "'\(positive)' does not occur in column '\(outcomeColumn)' (values: \(labels.sorted().joined(separator: ", ")))")
            }
            guard matches.count == 1 else {
                throw VBQError(file: path, line: 1, key: "--positive", "'\(positive)' matches \(matches.sorted().joined(separator: " and ")) in column '\(outcomeColumn)', which differ only in case; give the exact value")
            }
            positiveLabel = match
        } else {
            let lower = Set(labels.map { $0.lowercased() })
            if lower.isSubset(of: ["0", "1"]) { positiveLabel = "1" }
            else if lower.isSubset(of: ["false", "true"]) { positiveLabel = labels.first { $0.lowercased() == "true" } ?? "true" }
            else if lower.isSubset(of: ["no", "yes"]) { positiveLabel = labels.first { $0.lowercased() == "yes" } ?? "yes" }
            else {
                throw VBQError(file: path, line: 1, key: "--outcome", "column '\(outcomeColumn)' has values \(labels.sorted().joined(separator: ", ")); say which one is the event with --positive")
            }
        }
        let negativeLabels = labels.filter { $0 != positiveLabel }
        guard negativeLabels.count <= 1 else {
            throw VBQError(file: path, line: 1, key: "--outcome", "column '\(outcomeColumn)' has more than two values (\(labels.sorted().joined(separator: ", "))); the outcome must be binary")
        }
        let pos = valid.filter { $0.outcome == positiveLabel }.map(\.score).sorted()
        let neg = valid.filter { $0.outcome != positiveLabel }.map(\.score).sorted()
        guard !pos.isEmpty else { throw VBQError(file: path, line: 1, key: "--outcome", "no row has the event value '\(positiveLabel)'") }
        guard !neg.isEmpty else { throw VBQError(file: path, line: 1, key: "--outcome", "every row has the event value '\(positiveLabel)'; there are no non-events") }
        var ds = Dataset(positives: pos, negatives: neg, positiveLabel: positiveLabel,
                         negativeLabel: negativeLabels.first ?? "(none)", skippedLines: invalid.map(\.line))
        ds.missingLines = missing
        ds.separator = table.separator
        return ds
    }

    public init(positives: [Double], negatives: [Double], positiveLabel: String = "1", negativeLabel: String = "0", skippedLines: [Int] = []) {
        self.positives = positives.sorted()
        self.negatives = negatives.sorted()
        self.positiveLabel = positiveLabel
        self.negativeLabel = negativeLabel
        self.skippedLines = skippedLines
    }

    /// Mann–Whitney AUC with DeLong's SE for any data with both classes, including the degenerate
    /// case of all scores tied (AUC 0.5: the score cannot tell the classes apart), where
    /// `analyse` estimates no cutoff.
    public var aucEstimate: AUCEstimate? {
        guard !positives.isEmpty, !negatives.isEmpty else { return nil }
        return positives.withUnsafeBufferPointer { p in negatives.withUnsafeBufferPointer { n in AUCEstimate(positives: p, negatives: n) } }
    }

    /// The estimators of docs/model.md §4 on this dataset (no truth: there is no population here).
    public func analyse(methods: [EstimationMethod] = EstimationMethod.defaults, cutoffs: [Double] = [],
                        parameters: CriterionParameters = .defaults) -> CohortAnalysis {
        var recorder = CohortRecorder()
        return recorder.analysis(sortedEvents: positives, sortedNonEvents: negatives, methods: methods, fixedCutoffs: cutoffs,
                                 parameters: parameters)
    }

    /// Stratified percentile bootstrap of each method's cutoff: `replicates` resamples that keep
    /// the numbers of events and non-events, each drawn from stream (seed, b) of the seed tree.
    public func bootstrap(methods: [EstimationMethod], replicates: Int, seed: UInt64,
                          parameters: CriterionParameters = .defaults) -> [BootstrapInterval] {
        bootstrapWithBand(methods: methods, replicates: replicates, seed: seed, parameters: parameters).intervals
    }

    /// The same resamples give the cutoffs' intervals and a pointwise 95% band of the ROC curve:
    /// at each specificity of `BootstrapROCBand.specificities`, the 2.5% and 97.5% points of the resamples'
    /// sensitivity there (the highest sensitivity of an empirical ROC at that specificity or more:
    /// its step function read from above, with events scoring higher). As pROC's `ci.se` with a
    /// stratified bootstrap, except that pROC interpolates between the curve's corners.
    public func bootstrapWithBand(methods: [EstimationMethod], replicates: Int, seed: UInt64,
                                  parameters: CriterionParameters = .defaults) -> (intervals: [BootstrapInterval], band: BootstrapROCBand) {
        let tree = SeedTree(root: seed)
        let rng = RandomStream()
        var samples = [[Double]](repeating: [], count: methods.count)
        let grid = BootstrapROCBand.specificities
        var sensitivities = [[Double]](repeating: [], count: grid.count)
        var p = [Double](repeating: 0, count: positives.count), n = [Double](repeating: 0, count: negatives.count)
        for b in 0..<replicates {
            rng.reset(to: tree.state(.bootstrap(resample: UInt64(b))))
            let cutoffs = StratifiedBootstrap.resampleCutoffs(events: positives, nonEvents: negatives, into: &p, &n,
                                                              methods: methods, parameters: parameters, rng: rng)
            for k in methods.indices { samples[k].append(cutoffs[k]) }
            guard !p.isEmpty, !n.isEmpty else { continue }
            var ps = p, ns = n
            ps.sort(); ns.sort()
            for (g, sp) in grid.enumerated() {
                sensitivities[g].append(BootstrapROCBand.sensitivity(sortedPositives: ps, sortedNegatives: ns, specificity: sp))
            }
        }
        let intervals = methods.enumerated().map { k, m in
            let ok = samples[k].filter { $0.isFinite }.sorted()
            return BootstrapInterval(method: m, lower: Numerics.quantile(sorted: ok, 0.025),
                                     upper: Numerics.quantile(sorted: ok, 0.975),
                                     sd: Stat(ok)?.sd ?? .nan, replicates: replicates, failures: replicates - ok.count)
        }
        let sorted = sensitivities.map { $0.sorted() }
        let band = BootstrapROCBand(lower: sorted.map { Numerics.quantile(sorted: $0, 0.025) }, upper: sorted.map { Numerics.quantile(sorted: $0, 0.975) })
        return (intervals, band)
    }
}

/// A pointwise 95% bootstrap band of a dataset's ROC curve: sensitivity limits at fixed
/// specificities, 0 to 1 in steps of 0.02.
public struct BootstrapROCBand: Sendable {
    public static let specificities: [Double] = (0...50).map { Double($0) / 50 }
    public let lower: [Double]
    public let upper: [Double]

    /// The highest sensitivity with specificity at least `specificity` (events score higher:
    /// test-positive is score above the threshold): with k = ⌈specificity × non-events⌉, every
    /// event above the k-th lowest non-event score.
    public static func sensitivity(sortedPositives ps: [Double], sortedNegatives ns: [Double], specificity: Double) -> Double {
        let k = Int((specificity * Double(ns.count) - 1e-9).rounded(.up))
        guard k > 0 else { return 1 }
        let t = ns[min(k, ns.count) - 1]
        var lo = 0, hi = ps.count
        while lo < hi { let mid = (lo + hi) / 2; if ps[mid] <= t { lo = mid + 1 } else { hi = mid } }
        return Double(ps.count - lo) / Double(ps.count)
    }
}

/// A 95% stratified percentile bootstrap interval of one method's cutoff.
public struct BootstrapInterval: Sendable {
    public let method: EstimationMethod
    public let lower, upper, sd: Double
    public let replicates: Int
    /// Resamples where the method gave no cutoff (left out of the interval).
    public let failures: Int
}
