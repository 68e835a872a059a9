import Foundation

/// Reads a text file a user names (a scenario, a data file): it must exist, be a regular file
/// (never a folder), fit `limit` bytes and be UTF-8; each failure is one error naming the file.
public enum InputFile {
    /// `kind` words the errors: what is read, how to name a right one, the size noun and how to
    /// save it as UTF-8.
    public struct Kind: Sendable {
        let reading: String, instead: String, limitNoun: String, utf8: String
    }

    package static let scenario = Kind(reading: "the scenario file", instead: "give a scenario file (.yaml) or the name of a shipped scenario (vbqlab list)",
                               limitNoun: "a scenario", utf8: "save it as UTF-8")
    static let data = Kind(reading: "the file", instead: "give a CSV file", limitNoun: "a data file",
                           utf8: "save the file as UTF-8 (CSV UTF-8 in a spreadsheet)")

    public static let markdown = Kind(reading: "the markdown file", instead: "give a markdown file (.md)", limitNoun: "a notebook",
                                      utf8: "save it as UTF-8")

    public static func text(path: String, limit: Int, kind: Kind) throws -> String {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw VBQError(file: path, "cannot read \(kind.reading): \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw VBQError(file: path, "is \((st.st_mode & S_IFMT) == S_IFDIR ? "a folder" : "not a regular file"); \(kind.instead)")
        }
        guard st.st_size <= limit else {
            throw VBQError(file: path, "the file has \(st.st_size) bytes, more than the limit of \(limit) for \(kind.limitNoun)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw VBQError(file: path, "cannot read \(kind.reading): \(String(cString: strerror(errno)))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw VBQError(file: path, line: CSVTable.firstNonUTF8Line(data), "is not UTF-8 text; \(kind.utf8)")
        }
        return text
    }
}
