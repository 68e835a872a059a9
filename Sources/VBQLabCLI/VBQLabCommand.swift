import ArgumentParser
import Foundation
import VBQLab

/// The `vbqlab` command: simulate cohorts, re-derive Youden cutoffs, and show how far they drift.
///
///     vbqlab run                                  # the default scenario, into output/wu2025-baseline/
///     vbqlab run scenarios/wu2025-baseline.yaml --quick
///     vbqlab validate scenarios/*.yaml
///     vbqlab analyze data.csv --score vbq --outcome failure --bootstrap 2000
public struct VBQLabCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "vbqlab",
        abstract: "Cutoff-sensitivity simulation lab for the MRI vertebral bone quality (VBQ) score.",
        discussion: """
        Simulates cohorts under explicit assumptions, re-derives the Youden-optimal cutoff in \
        every simulated cohort, and reports how far it drifts and why.
        """,
        version: RunWriter.version,
        subcommands: [Run.self, Validate.self, Analyze.self, Power.self])

    public init() {}
}

/// Prints a user error as one line on stderr and exits non-zero.
func fail(_ error: Error) -> ExitCode {
    let message: String
    if let e = error as? VBQError { message = e.description } else { message = "\(error)" }
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(1)
}

/// Reads a scenario from a path, or from the built-in copy when `name` is a shipped scenario's name.
func loadScenario(_ name: String?) throws -> Scenario {
    guard let name else {
        return try ScenarioLoader.load(text: DefaultScenarios.all[DefaultScenarios.defaultName]!,
                                       file: "\(DefaultScenarios.defaultName).yaml (built in)")
    }
    if !FileManager.default.fileExists(atPath: name) {
        let key = name.hasSuffix(".yaml") ? String(name.dropLast(5)) : name
        let base = URL(fileURLWithPath: key).lastPathComponent
        if let text = DefaultScenarios.all[base], !name.contains("/") {
            return try ScenarioLoader.load(text: text, file: "\(base).yaml (built in)")
        }
    }
    return try ScenarioLoader.load(path: name)
}
