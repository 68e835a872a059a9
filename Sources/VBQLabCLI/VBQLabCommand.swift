import ArgumentParser
import VBQLab

public struct VBQLabCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "vbqlab",
        abstract: "Cutoff-sensitivity simulation lab for the MRI vertebral bone quality (VBQ) score.",
        subcommands: [])
    public init() {}
}
