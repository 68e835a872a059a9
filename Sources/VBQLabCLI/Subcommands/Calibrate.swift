import ArgumentParser
import Foundation
import VBQLab

extension VBQLabCommand {
    /// Finds the parameters that reproduce a study's Table 1 and writes them as a scenario.
    ///
    ///     vbqlab calibrate --event-mean 3.62 --event-sd 0.46 --non-event-mean 2.97 --non-event-sd 0.43 --prevalence 0.262 --auc 0.859 --n 256
    struct Calibrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find the parameters that reproduce a study's Table 1 (class means and SDs of the score, prevalence, optionally the AUC) and write them as a scenario.",
            discussion: """
            normal and lognormal: two classes with exactly the reported moments (the AUC they imply is \
            compared with the reported one). mechanistic: the bone-quality mean, its residual SD and a \
            common shift of the failure modes' logit intercepts, found by GSL's Nelder–Mead simplex on \
            simulated moments with common random numbers. The targets, the fit and its residuals are \
            written as comments at the top of the scenario.
            """)

        @Option(name: .customLong("event-mean"), parsing: .unconditional, help: "Mean score of the events (failures).", transform: number) var eventMean: Double
        @Option(name: .customLong("event-sd"), parsing: .unconditional, help: "SD of the events' scores.", transform: number) var eventSD: Double
        @Option(name: .customLong("non-event-mean"), parsing: .unconditional, help: "Mean score of the non-events.", transform: number) var nonEventMean: Double
        @Option(name: .customLong("non-event-sd"), parsing: .unconditional, help: "SD of the non-events' scores.", transform: number) var nonEventSD: Double
        @Option(parsing: .unconditional, help: "Share of events.", transform: number) var prevalence: Double
        @Option(parsing: .unconditional, help: "Reported AUC (optional).", transform: number) var auc: Double?
        @Option(help: "Patients in the study (the scenario's cohort size).") var n: Int = 256
        @Option(help: "normal, lognormal (class-conditional) or mechanistic.") var family: Calibration.Family = .normal
        @Option(help: "Scenario name.") var name: String = "calibrated"
        @Option(help: "Simulated patients per step (mechanistic).") var patients: Int = 100_000
        @Option(help: "Seed of the simulated patients (mechanistic).") var seed: UInt64 = 1
        @Option(name: .customLong("cutoff"), parsing: .unconditionalSingleValue, help: "A fixed cutoff for the scenario to carry (repeatable), e.g. the study's published one.", transform: number) var cutoffs: [Double] = []
        @Option(help: "Where the Table 1 comes from, written as a comment (e.g. 'lit:P2 Gao 2024').") var source: String?
        @Option(name: .customLong("out"), help: "Write the scenario to this file (default: standard output).") var out: String?

        func validate() throws {
            if patients < 10_000 || patients > 10_000_000 { throw ValidationError("--patients must be between 10000 and 10000000 (got \(patients))") }
            if let out, out.isEmpty { throw ValidationError("--out is an empty path") }
        }

        func run() throws {
            do {
                let t = TableOne(eventMean: eventMean, eventSD: eventSD, nonEventMean: nonEventMean, nonEventSD: nonEventSD,
                                 prevalence: prevalence, auc: auc, n: n)
                let c = try Calibration.run(t, family: family, name: name, seed: seed, patients: patients,
                                            cutoffs: cutoffs, source: source)
                // The scenario must load as written (the name among other things).
                _ = try ScenarioLoader.load(text: c.scenario, file: out ?? "calibrated scenario")
                var o = "calibrated (\(c.family.rawValue)):\n"
                var t2 = TextTable(["target", "reported", "reproduced"], rightAligned: [1, 2])
                for (k, want, got) in c.fit { t2.add([k, Format.fixed(want, 4), Format.fixed(got, 4)]) }
                o += t2.rendered()
                for (k, v) in c.parameters { o += "  \(k) = \(Format.fixed(v, 4))\n" }
                o += c.note + "\n"
                if let out {
                    // A calibrated scenario: vbqlab's comment in its first lines, and it loads.
                    try checkReplaceable(out, option: "--out", what: "a calibrated scenario", limit: Limits.scenarioBytes, inputs: []) { text in
                        text.split(separator: "\n").prefix(2).contains { $0.hasPrefix("# calibrated by vbqlab ") }
                            && (try? ScenarioLoader.load(text: text, file: out)) != nil
                    }
                    try AtomicFile.write(c.scenario, to: URL(fileURLWithPath: out))
                    o += "wrote \(out) (vbqlab run \(Shell.quote(out)))\n"
                    print(printableText(o), terminator: "")
                } else {
                    FileHandle.standardError.write(Data(printableText(o).utf8))
                    print(c.scenario, terminator: "")
                }
            } catch {
                throw fail(error)
            }
        }
    }
}

extension VBQLabCommand.Calibrate: NotebookRunnable {
    func notebookPaths() throws -> [String] { [out].compactMap { $0 } }
}
