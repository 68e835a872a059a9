import Foundation

/// Writes files so that none is ever seen half-written: the bytes go to a temporary name in
/// the same folder, which is then renamed over the target (rename is atomic on POSIX).
public enum AtomicFile {
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        do {
            try data.write(to: tmp)
            if rename(tmp.path, url.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: tmp)
                throw VBQError(file: url.path, "cannot write: \(reason)")
            }
        } catch let e as VBQError {
            throw e
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw VBQError(file: url.path, "cannot write: \(error.localizedDescription)")
        }
    }

    /// Streams a large file: `produce` is called with a `write` function whose pieces are appended
    /// to the temporary file in order; the file is renamed into place only when all is written.
    public static func write(to url: URL, produce: ((String) throws -> Void) throws -> Void) throws {
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        guard FileManager.default.createFile(atPath: tmp.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: tmp) else {
            throw VBQError(file: url.path, "cannot write: \(String(cString: strerror(errno)))")
        }
        do {
            try produce { piece in try handle.write(contentsOf: Data(piece.utf8)) }
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: tmp)
            if let e = error as? VBQError { throw e }
            throw VBQError(file: url.path, "cannot write: \(error.localizedDescription)")
        }
        if rename(tmp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: tmp)
            throw VBQError(file: url.path, "cannot write: \(reason)")
        }
    }
}
