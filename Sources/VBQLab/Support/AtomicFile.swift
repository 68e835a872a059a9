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
}
