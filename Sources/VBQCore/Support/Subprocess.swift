import Foundation
internal import CGSLShims

/// Runs a program directly (posix_spawn: no shell, so no argument is ever interpreted), with
/// stdin and stdout on /dev/null and stderr captured. Foundation's `Process` costs about 50 ms a
/// start on Linux (it closes every possible file descriptor); this costs about 1 ms.
public enum Subprocess {
    package struct Result { package let status: Int32; package let standardError: Data }

    /// The first executable file `name` in the directories of PATH.
    public static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// `executable` is an absolute path; `directory` the working directory of the child.
    package static func run(_ executable: String, _ arguments: [String], in directory: String) throws -> Result {
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var fd: Int32 = -1, pid: Int32 = 0
        let status = argv.withUnsafeBufferPointer { vbq_spawn(executable, $0.baseAddress, directory, &fd, &pid) }
        guard status == 0 else { throw VBQError("cannot start \(executable): \(String(cString: strerror(status)))") }
        defer { close(fd) }
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 { if output.count < 1 << 20 { output.append(buffer, count: n) }; continue }
            if n < 0 && errno == EINTR { continue }
            break
        }
        var code: Int32 = 0
        while waitpid(pid, &code, 0) < 0 && errno == EINTR {}
        // WIFEXITED ? WEXITSTATUS : 128 + signal, as a shell reports it.
        let exited = code & 0x7F == 0
        return Result(status: exited ? (code >> 8) & 0xFF : 128 + (code & 0x7F), standardError: output)
    }
}
