import ArgumentParser
import Foundation
import VBQLab

/// The `vbqlab` command: simulate cohorts, re-derive Youden cutoffs, and show how far they drift.
///
///     vbqlab run                                  # the default scenario, into output/drift-overview/
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

        SCENARIO arguments: an existing file is read as a scenario; otherwise a shipped \
        scenario's name (vbqlab list) runs the copy built into vbqlab. A folder is never a scenario.
        """,
        version: "vbqlab \(Release.version) (GSL \(GSL.version)); licence GPL-3.0-or-later",
        subcommands: [Run.self, Merge.self, Slurm.self, Validate.self, Analyze.self, Calibrate.self, Published.self, Power.self, NotebookCommand.self, List.self])

    public init() {}
}

/// Prints a user error as one line on stderr and exits non-zero; an exit code already decided
/// (a command that printed its own errors) passes through as it is.
func fail(_ error: Error) -> ExitCode {
    if let code = error as? ExitCode { return code }
    let message: String
    if let e = error as? VBQError { message = e.description } else { message = "\(error)" }
    FileHandle.standardError.write(Data("error: \(printable(message))\n".utf8))
    return ExitCode(1)
}

/// One line of text a terminal shows as it is: line breaks become spaces and other control
/// characters (an escape sequence from a hostile file could rewrite the screen) become `\u{…}`.
func printable(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\n", "\r", "\t": out += " "
        case _ where ControlCharacter.isControl(scalar):
            out += "\\u{\(String(scalar.value, radix: 16))}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}

/// Text for stdout: its own line breaks kept, every other control character from a scenario
/// (an escape sequence, a carriage return, a line break inside a name) shown as `\u{…}`.
func printableText(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { Format.plain(String($0)) }.joined(separator: "\n")
}

/// Reads a scenario (see `ScenarioSource`) and prints its note, if any, on stderr.
func loadScenario(_ name: String?) throws -> Scenario {
    let (scenario, note) = try ScenarioSource.load(name)
    if let note { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
    return scenario
}

extension VBQLabCommand {
    /// Lists the shipped scenarios.
    ///
    ///     vbqlab list
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the shipped scenarios and the question each answers.",
            discussion: "Each runs by name from any folder: vbqlab run NAME (vbqlab run without a name runs \(DefaultScenarios.defaultName)).")

        func run() throws {
            let rows = ScenarioSource.shipped
            let width = rows.map(\.name.count).max() ?? 0
            var o = ""
            for (name, question) in rows {
                let mark = name == DefaultScenarios.defaultName ? " (default)" : ""
                o += name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + question + mark + "\n"
            }
            print(o, terminator: "")
        }
    }
}

extension VBQLabCommand {
    /// Runs the command line. A bad option or argument is one line on stderr ("Error: …", the
    /// usage left to --help), like every other error, with argument-parser's exit code.
    public static func runCommandLine() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                let first = message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "\(error)"
                FileHandle.standardError.write(Data("Error: \(printable(first)) (see --help)\n".utf8))
                Foundation.exit(code.rawValue)
            }
            exit(withError: error)
        }
    }
}

extension VBQLabCommand.List: NotebookRunnable {
    func notebookPaths() throws -> [String] { [] }
}
