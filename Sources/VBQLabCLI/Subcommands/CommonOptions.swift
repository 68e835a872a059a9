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
/// or a regular file vbqlab wrote for the same option — one of whose first `lines` lines starts
/// with `signature` — and never one of the command's inputs. Anything else (notes.txt, the data
/// file itself, a link) is refused before anything is written.
func checkReplaceable(_ path: String, option: String, signature: String, lines: Int = 1, inputs: [String]) throws {
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
    let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    var head = [UInt8](repeating: 0, count: 1024)
    let n = fd >= 0 ? read(fd, &head, head.count) : -1
    if fd >= 0 { close(fd) }
    let first = n > 0 ? head[0..<n].split(separator: 0x0A, omittingEmptySubsequences: false).prefix(lines).map { String(decoding: $0, as: UTF8.self) } : []
    guard n == 0 || first.contains(where: { $0.hasPrefix(signature) }) else {
        throw VBQError(file: path, key: option, "exists and was not written by vbqlab (\(option)); give a new file name, or remove it first")
    }
}
