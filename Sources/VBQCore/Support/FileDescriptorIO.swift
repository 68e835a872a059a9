import Foundation

/// Writes that report errors with the file's name.
public enum FileDescriptorIO {
    public static func writeAll(_ fd: Int32, _ data: Data, path: String) throws {
        try data.withUnsafeBytes { try writeAll(fd, $0, path: path) }
    }

    public static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw VBQError(file: path, "cannot write: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }
}
