import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// The seed paper's analysis of one sample (docs/model.md §9), the one definition both a
/// simulated cohort's re-analysis and `analyze --covariates` use:
/// - each covariate's (and the score's) AUC for failure, with DeLong's SE and the two-sided p of
///   H₀: AUC = 0.5 (its Table 2);
/// - a binary logistic regression of 1{score ≥ cutoff} on the covariates, by maximum likelihood
///   and by Firth's penalised likelihood, with separation detected (its Table 4);
/// - Pearson's r of the score with each covariate and with failure, Fisher-z CIs (its Table 5).
public struct CovariateAnalysis: Sendable {
    /// What to compute.
    public struct Parts: Sendable {
        public var auc: Bool
        public var methods: [LogisticMethod]
        public var correlations: Bool
        public init(auc: Bool = true, methods: [LogisticMethod] = LogisticMethod.allCases, correlations: Bool = true) {
            self.auc = auc; self.methods = methods; self.correlations = correlations
        }
    }

    public struct AUCTerm: Sendable {
        public let estimate: AUCEstimate
        /// Two-sided p of H₀: AUC = 0.5 from DeLong's SE (NaN when the SE is 0 or undefined).
        public let p: Double
    }

    /// Patients, failures, and those with score ≥ the regression's cutoff.
    public let n: Int, events: Int, positives: Int
    public let cutoff: Double
    /// The score's, then each covariate's (empty when not asked for).
    public let aucs: [AUCTerm]
    /// In the order of `Parts.methods`; fitted on an intercept and the centred covariates.
    public let fits: [LogisticFit]
    /// Each covariate's, then failure's (nil where a column is constant); empty when not asked for.
    public let correlations: [PearsonCorrelation?]

    public func fit(_ method: LogisticMethod) -> LogisticFit? { fits.first { $0.method == method } }

    /// The sample's empirical Youden cutoff (events score higher; NaN with one class only): the
    /// regression's cutoff when a study uses its own.
    public static func empiricalCutoff(score: [Double], failure: [Bool]) -> Double {
        var events: [Double] = [], others: [Double] = []
        for i in score.indices { if failure[i] { events.append(score[i]) } else { others.append(score[i]) } }
        events.sort(); others.sort()
        return events.withUnsafeBufferPointer { e in others.withUnsafeBufferPointer { o in EmpiricalYouden(positives: e, negatives: o)?.cutoff } } ?? .nan
    }

    /// `columns`: one array of values per covariate, in the order the results keep.
    public static func make(score: [Double], failure: [Bool], columns: [[Double]], cutoff: Double, parts: Parts) -> CovariateAnalysis {
        let n = score.count, k = columns.count
        var positives = 0, events = 0
        for i in 0..<n { if score[i] >= cutoff { positives += 1 }; if failure[i] { events += 1 } }
        var aucs: [AUCTerm] = []
        if parts.auc {
            for values in [score] + columns {
                let a = AUCEstimate(values: values, events: failure)
                let p = a.standardError.isFinite && a.standardError > 0 ? Numerics.twoSidedP((a.auc - 0.5) / a.standardError) : .nan
                aucs.append(AUCTerm(estimate: a, p: p))
            }
        }
        var fits: [LogisticFit] = []
        if !parts.methods.isEmpty {
            let data = LogisticFit.Data(centring: columns, y: score.map { $0 >= cutoff })
            for m in parts.methods {
                fits.append(m == .ml ? LogisticFit.ml(data) : LogisticFit.firth(data, profile: Array(1...max(1, k))))
            }
        }
        var correlations: [PearsonCorrelation?] = []
        if parts.correlations {
            let y = failure.map { $0 ? 1.0 : 0.0 }
            for values in columns + [y] { correlations.append(PearsonCorrelation(score, values)) }
        }
        return CovariateAnalysis(n: n, events: events, positives: positives, cutoff: cutoff, aucs: aucs, fits: fits,
                                 correlations: correlations)
    }
}

extension ReanalysisSpec.OutcomeCutoff {
    /// The regression's cutoff for one sample: the fixed value, or the sample's own empirical
    /// Youden cutoff.
    public func cutoff(score: [Double], failure: [Bool]) -> Double {
        switch self {
        case let .fixed(x): return x
        case .estimated: return CovariateAnalysis.empiricalCutoff(score: score, failure: failure)
        }
    }

    /// The same for a simulated cohort's patients.
    func cutoff(_ patients: [MechanisticPatient]) -> Double {
        if case let .fixed(x) = self { return x }
        return cutoff(score: patients.map(\.score), failure: patients.map(\.event))
    }
}

/// A covariate of `analyze --covariates`: a numeric column, or the indicator of one value of a
/// column (`sex=F`: 1 where the column holds F, 0 where it holds anything else).
public struct CovariateColumn: Sendable, Equatable {
    public let column: String
    public let level: String?
    /// The name results give it: the column, or `column=level`.
    public var name: String { level.map { "\(column)=\($0)" } ?? column }

    public init(column: String, level: String? = nil) { self.column = column; self.level = level }

    /// "age,female,sex=F" (commas separate; spaces around names are dropped). Refuses an empty
    /// name, a covariate given twice, and more than `Limits.covariates`.
    public static func parse(_ text: String) throws -> [CovariateColumn] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count <= Limits.covariates else {
            throw VBQError(key: "--covariates", "\(parts.count) covariates is more than the limit of \(Limits.covariates)")
        }
        var out: [CovariateColumn] = []
        for p in parts {
            guard !p.isEmpty else { throw VBQError(key: "--covariates", "an empty covariate name in '\(Format.plain(text))'") }
            let c: CovariateColumn
            if let eq = p.firstIndex(of: "=") {
                let column = p[..<eq].trimmingCharacters(in: .whitespaces), level = p[p.index(after: eq)...].trimmingCharacters(in: .whitespaces)
                guard !column.isEmpty, !level.isEmpty else { throw VBQError(key: "--covariates", "'\(Format.plain(p))' needs a column and a value: COLUMN=VALUE") }
                c = CovariateColumn(column: column, level: level)
            } else {
                c = CovariateColumn(column: p)
            }
            guard !out.contains(where: { $0.column == c.column }) else {
                throw VBQError(key: "--covariates", "column '\(Format.plain(c.column))' is given twice")
            }
            out.append(c)
        }
        return out
    }
}

/// The rows of a dataset that the covariate analysis uses: those with a score, an outcome and
/// every covariate (complete cases, as R's glm and cor.test drop incomplete rows).
public struct CovariateData: Sendable {
    public let covariates: [CovariateColumn]
    public let score: [Double]
    public let failure: [Bool]
    /// One array per covariate.
    public let columns: [[Double]]
    /// Lines with a score and an outcome but a missing covariate (left out here only).
    public let incompleteLines: [Int]

    /// The largest covariate magnitude accepted.
    public static let largest = 1e100

    /// Whether covariate `j` holds only 0 and 1.
    public func isBinary(_ j: Int) -> Bool { columns[j].allSatisfy { $0 == 0 || $0 == 1 } }

    /// Reads the covariates of the rows `dataset` kept. A covariate value that is neither missing
    /// nor a number (in a numeric covariate) is an error naming its line and column.
    public static func load(table: CSVTable, file: String, dataset: Dataset, scoreColumn: String, outcomeColumn: String,
                            covariates: [CovariateColumn]) throws -> CovariateData {
        guard let si = table.header.firstIndex(of: scoreColumn), let oi = table.header.firstIndex(of: outcomeColumn) else {
            throw VBQError(file: file, line: 1, key: "--score", "no column '\(Format.plain(scoreColumn))' or '\(Format.plain(outcomeColumn))'")
        }
        var indices: [Int] = []
        for c in covariates {
            guard let i = table.header.firstIndex(of: c.column) else {
                let names = table.header.map(Format.plain)
                throw VBQError(file: file, line: 1, key: "--covariates", "no column '\(Format.plain(c.column))'\(suggestion(for: Format.plain(c.column), among: names)); columns are \(names.joined(separator: ", "))")
            }
            guard i != si, i != oi else {
                throw VBQError(file: file, line: 1, key: "--covariates", "'\(Format.plain(c.column))' is the score or the outcome column, not a covariate")
            }
            indices.append(i)
        }
        let skipped = Set(dataset.skippedLines)
        var score: [Double] = [], failure: [Bool] = [], incomplete: [Int] = []
        var columns = [[Double]](repeating: [], count: covariates.count)
        for row in table.rows {
            let rawScore = row.fields[si].trimmingCharacters(in: .whitespaces)
            let rawOutcome = row.fields[oi].trimmingCharacters(in: .whitespaces)
            guard !Dataset.missingTokens.contains(rawScore), !Dataset.missingTokens.contains(rawOutcome), !skipped.contains(row.line),
                  let s = NumberText.double(rawScore) else { continue }
            var values: [Double] = []
            for (j, c) in covariates.enumerated() {
                let raw = row.fields[indices[j]].trimmingCharacters(in: .whitespaces)
                if Dataset.missingTokens.contains(raw) { break }
                if let level = c.level {
                    values.append(raw == level ? 1 : 0)
                } else if let x = NumberText.double(raw), x.isFinite {
                    // Beyond this, squares and sums of squares overflow: no regression or correlation.
                    guard abs(x) <= CovariateData.largest else {
                        throw VBQError(file: file, line: row.line, key: "--covariates", "\(Format.plain(c.column)): \(Format.plain(raw)) is beyond ±1e100; rescale the column")
                    }
                    values.append(x)
                } else {
                    throw VBQError(file: file, line: row.line, key: "--covariates", "\(Format.plain(c.column)): '\(Format.plain(raw))' is not a number; give a numeric column, or COLUMN=VALUE for the indicator of one value")
                }
            }
            guard values.count == covariates.count else { incomplete.append(row.line); continue }
            score.append(s)
            failure.append(rawOutcome == dataset.positiveLabel)
            for j in values.indices { columns[j].append(values[j]) }
        }
        for (j, c) in covariates.enumerated() where c.level != nil && !columns[j].contains(1) {
            throw VBQError(file: file, line: 1, key: "--covariates", "no analysed row has '\(Format.plain(c.level!))' in column '\(Format.plain(c.column))'")
        }
        let k = covariates.count
        guard score.count >= k + 4 else {
            throw VBQError(file: file, line: 1, key: "--covariates", "\(score.count) rows have every covariate; the analysis needs at least \(k + 4) for \(k) covariate\(k == 1 ? "" : "s")")
        }
        return CovariateData(covariates: covariates, score: score, failure: failure, columns: columns, incompleteLines: incomplete)
    }
}

/// `analyze --covariates`: the seed paper's analysis of a dataset's complete cases.
public struct CovariateReport: Sendable {
    public let data: CovariateData
    /// How the regression's cutoff was chosen.
    public let rule: ReanalysisSpec.OutcomeCutoff
    public let analysis: CovariateAnalysis

    public init(_ data: CovariateData, rule: ReanalysisSpec.OutcomeCutoff) {
        self.data = data
        self.rule = rule
        let cutoff = rule.cutoff(score: data.score, failure: data.failure)
        analysis = CovariateAnalysis.make(score: data.score, failure: data.failure, columns: data.columns, cutoff: cutoff, parts: .init())
    }

    /// Names of the AUC terms (the score, then the covariates) and of the correlation terms
    /// (the covariates, then the outcome).
    public var aucTerms: [String] { ["score"] + data.covariates.map(\.name) }
    public var correlationTerms: [String] { data.covariates.map(\.name) + ["outcome"] }

    /// What a reader must know about the fits: separation (ML's estimates run off; Firth's are
    /// finite), a singular design, no convergence, or a regression with one outcome class only.
    public var notes: [String] {
        let a = analysis, names = data.covariates.map(\.name)
        var out: [String] = []
        if a.positives == 0 || a.positives == a.n {
            out.append("every analysed row has score \(a.positives == 0 ? "below" : "at or above") the cutoff \(Format.exact(a.cutoff)): the regression has one outcome class and cannot be fitted")
            return out
        }
        for fit in a.fits {
            switch fit.status {
            case .converged: break
            case .separation:
                let off = fit.diverging.enumerated().dropFirst().filter { $0.element != 0 }.map { "\(names[$0.offset - 1]) (\($0.element > 0 ? "+∞" : "−∞"))" }
                out.append("separation: the covariates predict score ≥ \(Format.exact(a.cutoff)) perfectly for some rows (for a binary covariate: every row that has it lies on one side of the cutoff), so the ML estimate\(off.count == 1 ? "" : "s") of \(off.joined(separator: ", ")) run\(off.count == 1 ? "s" : "") off to infinity (glm would print a huge OR with a huger SE); the other ML estimates are as glm gives them, and Firth's penalised likelihood gives finite estimates of all")
            case .singular:
                out.append("\(fit.method == .ml ? "ML" : "Firth"): the covariates are collinear or one is constant in the analysed rows; no fit")
            case .notConverged:
                out.append("\(fit.method == .ml ? "ML" : "Firth"): did not converge")
            }
        }
        return out
    }
}
