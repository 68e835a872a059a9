import ArgumentParser
import VBQLab

/// Options shared by the commands that simulate (`run`, `power`).
struct CommonOptions: ParsableArguments {
    @Option(help: "Root seed of the random streams; overrides the scenario's value.")
    var seed: UInt64?

    @Option(help: "Worker threads (default: all cores, at most \(Limits.threads)). Does not change any result.")
    var threads: Int = Runner.defaultThreads

    @Option(name: .customLong("out"), help: "Output folder (default: under output/, named after the scenario). It must be new, empty, or a vbqlab output folder.")
    var out: String?

    func validate() throws {
        if threads < 1 || threads > Limits.threads {
            throw ValidationError("--threads must be between 1 and \(Limits.threads) (got \(threads))")
        }
        if let out, out.isEmpty { throw ValidationError("--out is an empty path (an unset shell variable?); give a folder name") }
    }
}
