import Foundation

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
    private static let page = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// `count` zero bytes, in a file below `directory` when possible.
    init(count: Int, directory: URL) {
        self.count = count
        let length = max(count, 1)
        if let mapped = RecordStore.mapFile(length: length, directory: directory) {
            base = mapped
            fileBacked = true
        } else {
            base = calloc(length, 1)!
            fileBacked = false
        }
    }

    private static func mapFile(length: Int, directory: URL) -> UnsafeMutableRawPointer? {
        var template = Array(directory.appendingPathComponent(".vbqlab-records-XXXXXX").path.utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        defer { close(fd) }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        guard posix_fallocate(fd, 0, off_t(length)) == 0,
              let p = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), p != MAP_FAILED else { return nil }
        return p
    }

    deinit {
        if fileBacked { munmap(base, max(count, 1)) } else { free(base) }
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
