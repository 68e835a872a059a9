import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// The bytes of a run's cohort records. Where it can, it keeps them in an unlinked file mapped
/// into memory: pages already written or read are handed back to the kernel (`release`), so the
/// process's resident memory stays flat however many cohorts and cells a run has — the records
/// live in the file and come back on the next read. The file's space is reserved before the run
/// (a full disk is found at the start, not in the middle as a crash), it has no name, and it
/// disappears with the process, even after a kill. When no file can be made (no space, a
/// filesystem without shared mappings) the records stay in ordinary memory.
///
/// Copies of a `ReplicateTable` share one store (the records are written once, in place).
final class RecordStore: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let count: Int
    /// True when the records live in a mapped file and `release` frees resident memory.
    let fileBacked: Bool
    /// The mapped file, kept open for `write` (−1 in ordinary memory).
    private let fd: Int32
    private static let page = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// `count` zero bytes, in a file below `directory` when possible.
    init(count: Int, directory: URL) {
        self.count = count
        let length = max(count, 1)
        if let (mapped, fd) = RecordStore.mapFile(length: length, directory: directory) {
            base = mapped
            self.fd = fd
            fileBacked = true
        } else {
            base = calloc(length, 1)!
            fd = -1
            fileBacked = false
        }
    }

    private static func mapFile(length: Int, directory: URL) -> (UnsafeMutableRawPointer, Int32)? {
        var template = Array(directory.appendingPathComponent(".vbqlab-records-XXXXXX").path.utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        guard posix_fallocate(fd, 0, off_t(length)) == 0,
              let p = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), p != MAP_FAILED else { close(fd); return nil }
        return (p, fd)
    }

    deinit {
        if fileBacked { munmap(base, max(count, 1)); close(fd) } else { free(base) }
    }

    /// Puts `bytes` at byte `offset` of the records. A mapped file gets them through the file
    /// (no page of the mapping is touched, so none has to be faulted in and handed back: the
    /// simulation's workers write whole chunks this way); ordinary memory by a copy.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        precondition(offset >= 0 && offset + bytes.count <= count, "a record write outside the store")
        guard bytes.count > 0 else { return }
        if fileBacked {
            var done = 0
            while done < bytes.count {
                let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
                if n > 0 { done += n; continue }
                if n < 0 && errno == EINTR { continue }
                break   // cannot happen with the space reserved; the mapping takes the rest
            }
            if done < bytes.count { (base + offset + done).copyMemory(from: bytes.baseAddress! + done, byteCount: bytes.count - done) }
        } else {
            (base + offset).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        }
    }

    /// Hands the whole pages inside bytes `range` back to the kernel (their contents stay in the file).
    func release(_ range: Range<Int>) {
        guard fileBacked else { return }
        let page = RecordStore.page
        let start = (range.lowerBound + page - 1) / page * page
        let end = min(range.upperBound, count) / page * page
        guard end > start else { return }
        madvise(base + start, end - start, MADV_DONTNEED)
    }
}
