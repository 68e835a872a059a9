import Foundation
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

/// A single output file a command replaces (`analyze --roc`, `calibrate --out`): it may be new,
/// or a regular file that is, whole, what vbqlab writes for that option (`ours` reads it: an ROC
/// table of numbers, a calibrated scenario that loads) — never one of the command's inputs.
/// Anything else (notes.txt, the data file itself, a link, a file that merely starts like
/// vbqlab's) is refused before anything is written.
func checkReplaceable(_ path: String, option: String, what: String, limit: Int, inputs: [String], ours: (String) -> Bool) throws {
    var st = stat()
    guard lstat(path, &st) == 0 else { return }
    guard (st.st_mode & S_IFMT) == S_IFREG else {
        throw VBQError(file: path, key: option, "exists and is not a regular file; give a new file name")
    }
    for input in inputs {
        var other = stat()
        if stat(input, &other) == 0 && other.st_dev == st.st_dev && other.st_ino == st.st_ino {
            throw VBQError(file: path, key: option, "is the command's input \(input); give a new file name")
        }
    }
    guard st.st_size == 0 || (RunFolder.readRegular(URL(fileURLWithPath: path), limit: limit).map { ours(String(decoding: $0, as: UTF8.self)) } ?? false) else {
        throw VBQError(file: path, key: option, "exists and is not \(what) as vbqlab writes it; give a new file name, or remove it first")
    }
}

/// `analyze --roc`'s table: its header, then thresholds (numbers, `-Inf`, `Inf`) with a
/// sensitivity and a specificity in [0, 1] on every line.
func isROCTable(_ text: String) -> Bool {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard lines.first == "threshold,sensitivity,specificity", lines.last == "" else { return false }
    lines.removeFirst(); lines.removeLast()
    return lines.allSatisfy { line in
        let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard f.count == 3, f[0] == "Inf" || f[0] == "-Inf" || NumberText.double(f[0]) != nil else { return false }
        return f.dropFirst().allSatisfy { NumberText.double($0).map { $0 >= 0 && $0 <= 1 } ?? false }
    }
}
