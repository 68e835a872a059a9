import Foundation

/// Writes files so that none is ever seen half-written: the bytes go to a new temporary name in
/// the same folder (created exclusively, never through a link), are flushed to disk, and the
/// temporary file is then renamed over the target (rename is atomic on POSIX, and replaces a
/// link rather than writing through it). Errors name the target and the system's reason.
public enum AtomicFile {
    public static func write(_ text: String, to url: URL) throws {
        try write(to: url) { put in try put(text) }
    }

    public static func write(_ data: Data, to url: URL) throws {
        try withTemporary(for: url) { fd, tmp in try FileDescriptorIO.writeAll(fd, data, path: url.path) }
    }

    /// Streams a large file: `produce` is called with a `write` function whose pieces are appended
    /// to the temporary file in order; the file is renamed into place only when all is written.
    /// The same, gzip-compressed (deflate level 6; the gzip header carries no time or name, so
    /// equal text gives equal bytes). R's read.csv / readr and pandas read such files as they are.
    public static func writeGzip(to url: URL, produce: ((String) throws -> Void) throws -> Void) throws {
        try withTemporary(for: url) { fd, _ in
            let gz = try Gzip(path: url.path)
            try produce { piece in try gz.add(Data(piece.utf8), to: fd) }
            try gz.finish(to: fd)
        }
    }

    public static func write(to url: URL, produce: ((String) throws -> Void) throws -> Void) throws {
        try withTemporary(for: url) { fd, _ in
            var buffer = Data()
            buffer.reserveCapacity(1 << 16)
            try produce { piece in
                buffer.append(contentsOf: piece.utf8)
                if buffer.count >= 1 << 16 {
                    try FileDescriptorIO.writeAll(fd, buffer, path: url.path)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try FileDescriptorIO.writeAll(fd, buffer, path: url.path)
        }
    }

    private static func withTemporary(for url: URL, _ body: (Int32, URL) throws -> Void) throws {
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        unlink(tmp.path)     // a leftover of this process id (or a planted link): never written through
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw VBQError(file: url.path, "cannot write: \(String(cString: strerror(errno)))") }
        do {
            try body(fd, tmp)
            if fsync(fd) != 0 { throw VBQError(file: url.path, "cannot write: \(String(cString: strerror(errno)))") }
            close(fd)
        } catch {
            close(fd)
            unlink(tmp.path)
            throw error
        }
        if rename(tmp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(tmp.path)
            throw VBQError(file: url.path, "cannot write: \(reason)")
        }
    }
}
