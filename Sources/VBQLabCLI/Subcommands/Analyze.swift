import ArgumentParser
import Foundation
import VBQLab

extension VBQLabCommand {
    /// The simulation's estimators on a real dataset.
    ///
    ///     vbqlab analyze cohort.csv --score vbq --outcome iff --positive 1 --bootstrap 2000 --cutoff 3.3
    struct Analyze: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Youden cutoffs (empirical, binormal, kernel), AUC with DeLong CI, 2×2 tables with Wilson CIs, and optimism-corrected performance for a CSV dataset; with --covariates, the seed paper's covariate analysis.",
            discussion: """
            The direction is chosen as pROC's direction = "auto" does (events have higher scores unless \
            their median is below the non-events'), or given with --direction. The empirical cutoff uses \
            pROC's midpoint thresholds; when several thresholds tie for the best J, the lower median of \
            them is reported and all are listed in --json output. With --bootstrap B: a stratified \
            percentile CI of each cutoff, and Harrell's optimism bootstrap (and the out-of-bag estimate, as \
            cutpointr's boot_runs) of J, sensitivity and specificity. NA and empty cells are missing: such \
            rows are skipped and counted.
            """)

        @Argument(help: "CSV file with a header row (separated by commas, semicolons or tabs).")
        var data: String

        @Option(help: "Column holding the score (e.g. the VBQ score).")
        var score: String

        @Option(help: "Column holding the binary outcome.")
        var outcome: String

        @Option(help: "Outcome value that marks an event, in any case (default: 1, true or yes when the column holds those).")
        var positive: String?

        @Option(help: "Which scores are test-positive: auto (pROC's rule), higher (score ≥ cutoff) or lower (score ≤ cutoff).")
        var direction: DirectionChoice = .auto

        @Option(help: "Field separator: comma, semicolon or tab (default: detected from the header line).")
        var sep: FieldSeparator?

        @Option(help: "Bootstrap resamples (0 = none): a stratified percentile CI of each cutoff and the optimism bootstrap.")
        var bootstrap: Int = 0

        @Option(help: "Seed of the bootstrap's random streams.")
        var seed: UInt64 = 1

        @Option(name: .customLong("cutoff"), parsing: .unconditionalSingleValue,
                help: "A fixed cutoff to evaluate (repeatable), e.g. --cutoff 3.3 (negative values too: --cutoff -0.5).", transform: number)
        var cutoffs: [Double] = []

        @Flag(help: "Skip rows whose score is not a number (and say how many), instead of refusing the file.")
        var dropInvalid = false

        @Option(help: "Write every ROC point (threshold, sensitivity, specificity) to this CSV file.")
        var roc: String?

        @Option(help: "Draw the ROC with the cutoffs and their bootstrap intervals into this folder (roc.svg, roc.png), with the whole analysis as report.md and report.html.")
        var plot: String?

        @Option(help: "Place the dataset's cutoff, AUC, sensitivity and specificity among cohorts of its own size and class counts simulated in each cell of this scenario (a file or a shipped name).")
        var against: String?

        @Option(help: "With --against: only this cell (e.g. c3).")
        var cell: String?

        @Option(name: .customLong("against-replicates"), help: "With --against: simulated cohorts per cell (default 2000; 500 with --covariates, whose regressions cost more).")
        var againstReplicatesOption: Int?

        var againstReplicates: Int { againstReplicatesOption ?? (covariates == nil ? 2000 : 500) }

        @Option(help: "Worker threads for --against (default: all cores). Does not change any result.")
        var threads: Int = Runner.defaultThreads

        @Option(help: ArgumentHelp("The seed paper's analysis with these covariates (comma-separated columns; COLUMN=VALUE for the indicator of one value): each one's AUC for the outcome with a z test on DeLong's SE, logistic regression of score ≥ the cutoff on them by ML and by Firth, and the score's Pearson correlations.", valueName: "LIST"))
        var covariates: String?

        @Option(name: .customLong("logistic-cutoff"), help: ArgumentHelp("With --covariates: the cutoff that makes the regression's outcome score ≥ X, or 'estimated' (default) for the analysed rows' empirical Youden cutoff.", valueName: "X|estimated"))
        var logisticCutoff: String?

        @OptionGroup(title: "Cutoff criteria")
        var criterionOptions: CriterionOptions

        @Flag(help: "Print JSON instead of tables.")
        var json = false

        func validate() throws {
            if bootstrap < 0 || bootstrap > Limits.bootstrap {
                throw ValidationError("--bootstrap must be between 0 and \(Limits.bootstrap) (got \(bootstrap))")
            }
            if let bad = cutoffs.first(where: { !$0.isFinite }) { throw ValidationError("--cutoff \(bad) is not a finite number") }
            if cutoffs.count > Limits.fixedCutoffs { throw ValidationError("\(cutoffs.count) --cutoff values is more than the limit of \(Limits.fixedCutoffs)") }
            if let roc, roc.isEmpty { throw ValidationError("--roc is an empty path") }
            if cell != nil && against == nil { throw ValidationError("--cell belongs to --against") }
            _ = try criterionOptions.parameters()
            if againstReplicates < 100 || againstReplicates > 1_000_000 {
                throw ValidationError("--against-replicates must be between 100 and 1000000 (got \(againstReplicates))")
            }
            if threads < 1 || threads > Limits.threads { throw ValidationError("--threads must be between 1 and \(Limits.threads) (got \(threads))") }
            if let plot, plot.isEmpty { throw ValidationError("--plot is an empty path") }
            if logisticCutoff != nil && covariates == nil { throw ValidationError("--logistic-cutoff belongs to --covariates") }
            _ = try outcomeCutoff()
        }

        /// --logistic-cutoff as the re-analysis's rule (the empirical cutoff when not given).
        func outcomeCutoff() throws -> ReanalysisSpec.OutcomeCutoff {
            guard let logisticCutoff, logisticCutoff != "estimated" else { return .estimated }
            guard let x = NumberText.double(logisticCutoff), x.isFinite else {
                throw ValidationError("--logistic-cutoff must be a number or 'estimated' (got '\(Format.plain(logisticCutoff))')")
            }
            return .fixed(x)
        }

        func run() throws {
            do {
                // An output that would replace the data, or a file vbqlab did not write, is refused first.
                if let roc { try checkReplaceable(roc, option: "--roc", what: "an ROC table", limit: Limits.csvBytes * 4, inputs: [data], ours: isROCTable) }
                let table = try CSVTable.read(path: data, separator: sep?.character)
                let ds = try Dataset.load(table: table, file: data, scoreColumn: score, outcomeColumn: outcome,
                                          positive: positive, dropInvalid: dropInvalid)
                let covariateData = try covariates.map {
                    try CovariateData.load(table: table, file: data, dataset: ds, scoreColumn: score, outcomeColumn: outcome,
                                           covariates: try CovariateColumn.parse($0))
                }
                func lines(_ l: [Int]) -> String { "line\(l.count == 1 ? "" : "s") \(l.prefix(10).map(String.init).joined(separator: ", "))\(l.count > 10 ? ", ..." : "")" }
                if !ds.missingLines.isEmpty {
                    FileHandle.standardError.write(Data("note: skipped \(ds.missingLines.count) row\(ds.missingLines.count == 1 ? "" : "s") with a missing score or outcome (\(lines(ds.missingLines)))\n".utf8))
                }
                if !ds.skippedLines.isEmpty {
                    FileHandle.standardError.write(Data("note: skipped \(ds.skippedLines.count) row\(ds.skippedLines.count == 1 ? "" : "s") whose score is not a number (\(lines(ds.skippedLines)))\n".utf8))
                }
                // The scenario and cell of --against are checked before anything is computed or printed.
                let againstScenario = try against.map { try loadScenario($0) }
                let againstCells = try againstScenario.map { try AgainstResult.cells(of: try Design($0), id: cell) } ?? []
                // What it will cost, before any of it runs: refused beyond the limit, announced when long.
                let rows = ds.positives.count + ds.negatives.count
                let covariateCount = covariateData?.covariates.count ?? 0
                // Covariates the simulation lacks are refused before anything is computed.
                if let covariateData, againstScenario != nil { _ = try CovariateAgainst.covariates(covariateData.covariates) }
                let cost = AnalyzeCost(rows: rows, bootstrap: bootstrap, against: againstCells, replicates: againstReplicates, threads: threads,
                                       covariates: covariateCount)
                try cost.check(rows: rows, bootstrap: bootstrap, replicates: againstReplicates, cells: againstCells.count)
                if cost.seconds > Limits.announceSeconds { FileHandle.standardError.write(Data("\(cost.announcement)\n".utf8)) }
                let report = DatasetReport(ds, direction: direction.direction, cutoffs: cutoffs, bootstrap: bootstrap, seed: seed,
                                           methods: EstimationMethod.defaults + criterionOptions.methods,
                                           parameters: try criterionOptions.parameters())
                let covariateReport = try covariateData.map { CovariateReport($0, rule: try outcomeCutoff()) }
                for w in report.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
                if let roc {
                    var text = "threshold,sensitivity,specificity\n"
                    for p in report.rocPoints {
                        let t = p.threshold.isFinite ? Format.exact(p.threshold) : (p.threshold > 0 ? "Inf" : "-Inf")
                        text += "\(t),\(Format.exact(p.sensitivity)),\(Format.exact(p.specificity))\n"
                    }
                    try AtomicFile.write(text, to: URL(fileURLWithPath: roc))
                }
                var placed: AgainstResult? = nil
                var covariatesPlaced: CovariateAgainst? = nil
                if let scenario = againstScenario {
                    placed = try AgainstResult.make(report, scenario: scenario, cellID: cell, replicates: againstReplicates,
                                                    seed: seed, threads: threads)
                    if let covariateReport {
                        covariatesPlaced = try CovariateAgainst.make(covariateReport, scenario: scenario, cellID: cell, replicates: againstReplicates,
                                                                     seed: seed, threads: threads)
                    }
                }
                if let plot {
                    let folder = try RunFolder(path: plot, kind: .analyze, option: "--plot")
                    let name = URL(fileURLWithPath: data).lastPathComponent
                    let note = try folder.stage { staging in
                        let files = DatasetPlot.files(report, title: name)
                        for (name, text) in files { try AtomicFile.write(text, to: staging.appendingPathComponent(name)) }
                        let note = try Plots.render(in: staging, scripts: ["roc.gp"])
                        let markdown = AnalyzeReport.markdown(report, file: name, covariates: covariateReport, against: placed,
                                                              covariatesAgainst: covariatesPlaced)
                        try AnalyzeReport.write(markdown, title: "\(name): vbqlab analyze", in: staging)
                        return note
                    }
                    if let note { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
                }
                if json {
                    print(AnalyzeOutput.json(report, against: placed, covariates: covariateReport, covariatesAgainst: covariatesPlaced).rendered(), terminator: "")
                } else {
                    print(printableText(AnalyzeOutput.table(report, file: data) + (covariateReport.map(CovariateOutput.text) ?? "")
                                        + (placed.map(AnalyzeOutput.table) ?? "") + (covariatesPlaced.map(CovariateOutput.text) ?? "")), terminator: "")
                }
            } catch {
                throw fail(error)
            }
        }
    }
}

extension VBQLabCommand.Analyze: NotebookRunnable {
    func notebookPaths() throws -> [String] { [data] + [roc, plot, against].compactMap { $0 } }

    /// The bootstrap's and `--against`'s estimate (`AnalyzeCost`), or 0 when the data or the
    /// scenario cannot be read yet (a block before this one writes it).
    func notebookSeconds() -> Double {
        guard bootstrap > 0 || against != nil, let table = try? CSVTable.read(path: data, separator: sep?.character) else { return 0 }
        let cells = against.flatMap { try? ScenarioSource.load($0).0 }.flatMap { try? Design($0) }.flatMap { try? AgainstResult.cells(of: $0, id: cell) } ?? []
        let k = (try? covariates.map(CovariateColumn.parse))??.count ?? 0
        return AnalyzeCost(rows: table.rows.count, bootstrap: bootstrap, against: cells, replicates: againstReplicates, threads: threads,
                           covariates: k).seconds
    }
}
