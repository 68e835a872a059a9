import ArgumentParser
import VBQLab

/// Options shared by the commands that simulate (`run`, `power`).
struct CommonOptions: ParsableArguments {
    @Option(help: "Root seed of the random streams; overrides the scenario's value.")
    var seed: UInt64?

    @Option(help: "Worker threads (default: all cores). Does not change any result.")
    var threads: Int = Runner.defaultThreads

    @Option(name: .customLong("out"), help: "Output folder (default: under output/, named after the scenario).")
    var out: String?

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads))") }
    }
}
