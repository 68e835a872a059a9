import Foundation
internal import CZlib

/// A gzip stream (zlib's deflate with a gzip wrapper), written to a file descriptor piece by piece.
final class Gzip {
    private var stream = z_stream()
    private let path: String
    private var output = [UInt8](repeating: 0, count: 1 << 16)

    init(path: String) throws {
        self.path = path
        // windowBits 15 + 16: a gzip header and trailer; memLevel 8 (zlib's default).
        let status = deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw VBQError(file: path, "cannot compress (zlib error \(status))") }
    }

    deinit { deflateEnd(&stream) }

    func add(_ data: Data, to fd: Int32) throws { try run(data, flush: Z_NO_FLUSH, fd: fd) }
    func finish(to fd: Int32) throws { try run(Data(), flush: Z_FINISH, fd: fd) }

    private func run(_ data: Data, flush: Int32, fd: Int32) throws {
        var input = [UInt8](data)
        try input.withUnsafeMutableBufferPointer { inBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = UInt32(inBuf.count)
            repeat {
                let produced = try output.withUnsafeMutableBufferPointer { outBuf -> Int in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = UInt32(outBuf.count)
                    let status = deflate(&stream, flush)
                    guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                        throw VBQError(file: path, "cannot compress (zlib error \(status))")
                    }
                    return outBuf.count - Int(stream.avail_out)
                }
                if produced > 0 { try FileDescriptorIO.writeAll(fd, Data(output[0..<produced]), path: path) }
            } while stream.avail_out == 0 || (flush == Z_FINISH && stream.avail_in > 0)
            stream.next_in = nil
        }
    }
}
