import ArgumentParser
import Foundation
import VBQLab

extension VBQLabCommand {
    /// Checks scenario files and prints each one's expanded design.
    ///
    ///     vbqlab validate scenarios/*.yaml
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check scenario files and print the expanded design (cells, factors, truth).",
            discussion: "Checks everything `run` and `power` check before simulating: the file, every cell's model, the power: section, the run's memory, and each cell's truth (for the mechanistic family with its numerical SE). Exits 0 when every file is valid; otherwise prints one line per bad file and exits 1.")

        @Argument(help: "Scenario files (or shipped names) to check.")
        var scenarios: [String]

        func validate() throws {
            if scenarios.isEmpty { throw ValidationError("name at least one scenario file") }
        }

        func run() throws {
            var failed = false
            for file in scenarios {
                do {
                    let scenario = try loadScenario(file)
                    let design = try Design(scenario)
                    _ = try Runner.check(design, replicates: scenario.replicates, threads: Runner.defaultThreads,
                                         truthPoints: TruthSolver.integralPoints)

                    var o = "\(scenario.file): ok — \(scenario.name): \(design.cells.count) cell\(design.cells.count == 1 ? "" : "s") × \(scenario.replicates) replicates, seed \(scenario.seed)\n"
                    for f in scenario.factors {
                        o += "  factor \(f.path): \(f.labels.joined(separator: ", "))\n"
                    }
                    for cell in design.cells {
                        let c = cell.model.cohort
                        let head = "  \(cell.id.padding(toLength: 4, withPad: " ", startingAt: 0)) \(cell.label)\(cell.isReference ? "  [reference]" : "")"
                        let truth: Truth
                        do {
                            truth = try TruthSolver.truth(for: cell.model, tree: SeedTree(root: scenario.seed), cellKey: 0,
                                                          points: TruthSolver.integralPoints)
                        } catch {
                            throw Runner.attributed(error, cell: cell, scenario: scenario)
                        }
                        if case .mechanistic = cell.model.generator {
                            o += "\(head)  n=\(c.size)  c*≈\(Format.fixed(truth.cutoff, 3)) AUC*≈\(Format.fixed(truth.auc, 3)) prevalence≈\(Format.fixed(truth.prevalence, 3)) (c* numerical SE \(Format.number(truth.cutoffError, digits: 1)))\n"
                            continue
                        }
                        let size = c.sampling == .fixed ? "n=\(c.size) (\(c.fixedEvents) events)" : "n=\(c.size) (events ~ Binomial, p=\(Format.number(c.prevalence, digits: 4)))"
                        o += "\(head)  \(size)  c*=\(Format.fixed(truth.cutoff, 4)) J*=\(Format.fixed(truth.youdenJ, 4)) AUC*=\(Format.fixed(truth.auc, 4))\n"
                    }
                    print(printableText(o), terminator: "")
                } catch var e as VBQError {
                    if e.file == nil { e.file = file }
                    FileHandle.standardError.write(Data("error: \(printable(e.description))\n".utf8))
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}

extension VBQLabCommand.Validate: NotebookRunnable {
    func notebookPaths() throws -> [String] { scenarios }
}
