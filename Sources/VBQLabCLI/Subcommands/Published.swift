import ArgumentParser
import Foundation
import VBQLab

extension VBQLabCommand {
    /// The published VBQ cutoffs against what sampling alone gives studies of their sizes.
    ///
    ///     vbqlab published            # writes output/published-cutoffs/
    struct Published: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "How much of the spread of published VBQ cutoffs (2.67–3.585) sampling alone explains: each study placed against simulated cohorts of its size.",
            discussion: "Uses the studies of docs/literature.md (lit:P1–P11). Writes report.md, published.csv, published.json and plots/published.svg.")

        @Option(help: "Simulated cohorts per study and population.") var replicates: Int = 4000
        @Option(help: "Root seed of the random streams.") var seed: UInt64 = 20251127
        @Option(help: "Worker threads (default: all cores). Does not change any result.") var threads: Int = Runner.defaultThreads
        @Option(name: .customLong("out"), help: "Output folder (default: output/published-cutoffs).") var out: String?

        func validate() throws {
            if replicates < 200 || replicates > 1_000_000 { throw ValidationError("--replicates must be between 200 and 1000000 (got \(replicates))") }
            if threads < 1 || threads > Limits.threads { throw ValidationError("--threads must be between 1 and \(Limits.threads) (got \(threads))") }
            if let out, out.isEmpty { throw ValidationError("--out is an empty path") }
        }

        func run() throws {
            do {
                let started = Date()
                let folder = try RunFolder(path: out ?? "output/published-cutoffs", kind: .published, option: out == nil ? "name" : "--out")
                let r = try PublishedCutoffs.run(replicates: replicates, seed: seed, threads: threads)
                if let note = try PublishedCutoffs.write(r, to: folder, commandLine: CommandLine.arguments) {
                    FileHandle.standardError.write(Data("note: \(note)\n".utf8))
                }
                print(printableText("published cutoffs: \(r.count) with a cutoff for a failure of the fixation; their SD \(Format.fixed(r.observedSD, 2)) (95% CI \(Format.fixed(r.observedSDInterval.0, 2))–\(Format.fixed(r.observedSDInterval.1, 2))), sampling alone \(Format.fixed(r.samplingSD, 2)): sampling explains about \(Format.percent(r.share, 0)) of the variance (\(Format.percent(r.shareInterval.0, 0))–\(Format.percent(r.shareInterval.1, 0)))\(CLIOutput.timings ? "; \(String(format: "%.1f", Date().timeIntervalSince(started))) s" : "")\nwrote \(displayPath(folder.url))/ (report.md, report.html, published.csv, published.json, plots/published.svg)\n"), terminator: "")
            } catch {
                throw fail(error)
            }
        }
    }
}

extension VBQLabCommand.Published: NotebookRunnable {
    func notebookPaths() throws -> [String] { [out].compactMap { $0 } }
}
