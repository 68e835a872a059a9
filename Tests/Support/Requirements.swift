import Foundation

/// What a test needs from the machine beyond vbqlab itself. A test that needs one of these says
/// so with `.enabled(if:)`, so it shows as skipped (never as passed) where it is missing; CI
/// installs all of them.
public enum Requirements {
    /// Every executable named `program` on PATH, then in /usr/bin.
    public static func candidates(_ program: String) -> [String] {
        ((ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init) + ["/usr/bin"])
            .map { "\($0)/\(program)" }.filter { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public static func which(_ program: String) -> String? { candidates(program).first }

    /// The first `program` that runs `arguments` (e.g. an import) successfully: a python3 early
    /// on PATH may lack pandas where Debian's has it.
    public static func interpreter(_ program: String, _ arguments: [String]) -> String? {
        candidates(program).first { path in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: path)
            p.arguments = arguments
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            do { try p.run() } catch { return false }
            p.waitUntilExit()
            return p.terminationStatus == 0
        }
    }

    public static let rscript = which("Rscript") != nil
    public static let gnuplot = which("gnuplot") != nil
    /// pROC (DeLong) and brglm2 (Firth's fit), for re-analysing exported cohorts in R.
    public static let brglm2 = interpreter("Rscript", ["-e", "library(pROC); library(brglm2)"])
    public static let ggplot2 = interpreter("Rscript", ["-e", "library(ggplot2)"])
    public static let pandas = interpreter("python3", ["-c", "import pandas"])
    public static let matplotlib = interpreter("python3", ["-c", "import pandas, matplotlib"])
    /// Root, who can mount a small tmpfs.
    public static let root = getuid() == 0
}
