import Foundation
import Synchronization

/// Folders the tests write into, under the system's temporary folder, removed when the test
/// process exits (a `make test` would otherwise leave hundreds of run folders behind). Set
/// VBQLAB_KEEP_TEST_FOLDERS=1 to keep them for a look after a failure.
public enum TestFolder {
    private static let made = Mutex<[URL]>([])
    private static let removal: Void = {
        if ProcessInfo.processInfo.environment["VBQLAB_KEEP_TEST_FOLDERS"] == nil { atexit { TestFolder.removeAll() } }
    }()

    /// A new empty folder whose name starts with `prefix`.
    public static func make(_ prefix: String) throws -> URL {
        _ = removal
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        made.withLock { $0.append(url) }
        return url
    }

    static func removeAll() {
        for url in made.withLock({ $0 }) { try? FileManager.default.removeItem(at: url) }
    }
}
