import Foundation
import Synchronization
import Testing
import VBQLab
import VBQTestSupport

/// The notebook engine on its own, with a stand-in for the command line: what each block is
/// given, how its output and references are set into the rendered copy, and how a failing or
/// escaping command line is reported. (The shipped lessons, run through the real command line,
/// are checked in NotebookTests.)
@Suite struct NotebookEngineTests {
    static let text = """
    # A lesson

    Intro.

    ```yaml scenario tiny
    name: tiny
    ```

    ```vbqlab id=j
    # a comment line is not run
    run tiny.yaml --json
    ```

    The cutoff is {{ j.cutoff | 0.00 }} ({{ j.share | 0.0% }}), in {{ j.cell }}.
    """

    /// Every call the stand-in received: the words and the folder they ran in.
    final class Calls: Sendable {
        let list = Mutex<[([String], URL)]>([])
    }

    @Test func blocksRunInTheirFolderAndReferencesAreSetAsText() throws {
        let dir = try TestFolder.make("vbqlab-nb-engine")
        let file = dir.appendingPathComponent("lesson.md")
        try Self.text.write(to: file, atomically: false, encoding: .utf8)
        let calls = Calls()
        let out = dir.appendingPathComponent("rendered")
        let rendered = try NotebookFiles.render(file.path, into: out, keepWork: nil) { words, folder in
            calls.list.withLock { $0.append((words, folder)) }
            // The scenario block was written into the folder before the command ran.
            let scenario = try? String(contentsOf: folder.appendingPathComponent("tiny.yaml"), encoding: .utf8)
            #expect(scenario == "name: tiny\n")
            return NotebookCommandResult(status: 0, stdout: "{\"cutoff\": 3.2849, \"share\": 0.0626, \"cell\": \"share_1_5T = 1\"}\n", stderr: "")
        }
        let seen = calls.list.withLock { $0 }
        #expect(seen.count == 1)
        #expect(seen.first?.0 == ["run", "tiny.yaml", "--json"])
        #expect(rendered.blocks == 2)
        // Rounded as asked; a string from the JSON is set as plain text (its underscores
        // escaped, so markdown does not read them as emphasis).
        let expected = """
        <!-- Rendered by `vbqlab notebook run` from lesson.md: edit that file, not this one. -->
        # A lesson

        Intro.

        *Scenario file `tiny.yaml`:*

        ```yaml
        name: tiny
        ```

        ```vbqlab
        # a comment line is not run
        run tiny.yaml --json
        ```

        <!-- output of block 2 -->
        ```text
        {"cutoff": 3.2849, "share": 0.0626, "cell": "share_1_5T = 1"}
        ```

        The cutoff is 3.28 (6.3%), in share\\_1\\_5T = 1.
        """
        let md = try String(contentsOf: out.appendingPathComponent("lesson.md"), encoding: .utf8)
        #expect(md == expected)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("lesson.html").path))
    }

    @Test func aFailingCommandNamesTheNotebookLineAndBlock() throws {
        let dir = try TestFolder.make("vbqlab-nb-engine")
        let file = dir.appendingPathComponent("lesson.md")
        try Self.text.write(to: file, atomically: false, encoding: .utf8)
        #expect {
            _ = try NotebookFiles.render(file.path, into: dir.appendingPathComponent("r"), keepWork: nil) { _, _ in
                NotebookCommandResult(status: 2, stdout: "", stderr: "note: a remark first\nerror: boom\n")
            }
        } throws: { error in
            (error as? VBQError)?.description == "\(file.path):11: block 2 (vbqlab run tiny.yaml --json): boom"
        }
        // Nothing was written where the rendered copy would go.
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("r").path))
    }

    @Test(arguments: ["run x.yaml --out ../x", "run /abs/x.yaml", "run x.yaml --out=~/x", "notebook run other.md"])
    func aLineThatLeavesTheFolderIsRefusedBeforeItRuns(_ line: String) throws {
        let dir = try TestFolder.make("vbqlab-nb-engine")
        let file = dir.appendingPathComponent("lesson.md")
        try "# L\n\n```vbqlab\n\(line)\n```\n".write(to: file, atomically: false, encoding: .utf8)
        let calls = Calls()
        #expect(throws: VBQError.self) {
            _ = try NotebookFiles.render(file.path, into: dir.appendingPathComponent("r"), keepWork: nil) { words, folder in
                calls.list.withLock { $0.append((words, folder)) }
                return NotebookCommandResult(status: 0, stdout: "", stderr: "")
            }
        }
        #expect(calls.list.withLock { $0.isEmpty })
    }
}
