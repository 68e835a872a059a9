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

    /// The stand-in's parser: positional words and the value of --out are paths (the real one,
    /// the command line's own parser, is tested in NotebookTests).
    static func paths(_ words: [String]) throws -> [String] {
        var paths: [String] = [], i = 1
        while i < words.count {
            let w = words[i]
            if w == "--out", i + 1 < words.count { paths.append(words[i + 1]); i += 2; continue }
            if w.hasPrefix("--out=") { paths.append(String(w.dropFirst(6))) } else if !w.hasPrefix("-") { paths.append(w) }
            i += 1
        }
        return paths
    }

    static func commands(_ run: @escaping @Sendable ([String], URL) -> NotebookCommandResult) -> NotebookCommands {
        NotebookCommands(paths: paths, run: run)
    }

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
        let rendered = try NotebookFiles.render(file.path, into: out, keepWork: nil, commands: Self.commands { words, folder in
            calls.list.withLock { $0.append((words, folder)) }
            // The scenario block was written into the folder before the command ran.
            let scenario = try? String(contentsOf: folder.appendingPathComponent("tiny.yaml"), encoding: .utf8)
            #expect(scenario == "name: tiny\n")
            return NotebookCommandResult(status: 0, stdout: "{\"cutoff\": 3.2849, \"share\": 0.0626, \"cell\": \"share_1_5T = 1\"}\n", stderr: "")
        })
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
            _ = try NotebookFiles.render(file.path, into: dir.appendingPathComponent("r"), keepWork: nil, commands: Self.commands { _, _ in
                NotebookCommandResult(status: 2, stdout: "", stderr: "note: a remark first\nerror: boom\n")
            })
        } throws: { error in
            (error as? VBQError)?.description == "\(file.path):11: block 2 (vbqlab run tiny.yaml --json): boom"
        }
        // Nothing was written where the rendered copy would go.
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("r").path))
    }

    /// A line that would leave the folder stops the notebook before any line runs, the lines
    /// before it included.
    @Test(arguments: ["run x.yaml --out ../x", "run /abs/x.yaml", "run x.yaml --out=~/x", "notebook run other.md",
                      "run x.yaml --out a/../../x", "run x.yaml --out ''", "run x.yaml --out 'a\u{1b}b'"])
    func aLineThatLeavesTheFolderIsRefusedBeforeItRuns(_ line: String) throws {
        let dir = try TestFolder.make("vbqlab-nb-engine")
        let file = dir.appendingPathComponent("lesson.md")
        try "# L\n\n```vbqlab\nlist\n```\n\n```vbqlab\n\(line)\n```\n".write(to: file, atomically: false, encoding: .utf8)
        let calls = Calls()
        #expect(throws: VBQError.self) {
            _ = try NotebookFiles.render(file.path, into: dir.appendingPathComponent("r"), keepWork: nil, commands: Self.commands { words, folder in
                calls.list.withLock { $0.append((words, folder)) }
                return NotebookCommandResult(status: 0, stdout: "", stderr: "")
            })
        }
        #expect(calls.list.withLock { $0.isEmpty })
    }

    /// A folder the blocks name that is a link out of the working folder is refused when the
    /// line comes to run (the text check cannot see it).
    @Test func aLinkOutOfTheFolderIsRefused() throws {
        let dir = try TestFolder.make("vbqlab-nb-engine")
        let work = dir.appendingPathComponent("work/lesson")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        #expect(!NotebookCommands.escapes("new/x.yaml", from: work))
        #expect(!NotebookCommands.escapes(".", from: work))
        try FileManager.default.createSymbolicLink(atPath: work.appendingPathComponent("out").path, withDestinationPath: dir.path)
        #expect(NotebookCommands.escapes("out", from: work))
        #expect(NotebookCommands.escapes("out/new/deeper", from: work))
        try FileManager.default.createSymbolicLink(atPath: work.appendingPathComponent("in").path, withDestinationPath: work.appendingPathComponent("sub").path)
        try FileManager.default.createDirectory(at: work.appendingPathComponent("sub"), withIntermediateDirectories: true)
        #expect(!NotebookCommands.escapes("in/x", from: work))
    }

    /// A folder's JSON is parsed once, on its first reference (18,000 references to one run's
    /// summary.json used to parse it 18,000 times): a later change to the file is not seen.
    @Test func aFoldersJSONIsReadOnce() throws {
        let dir = try TestFolder.make("vbqlab-nb-engine")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("f"), withIntermediateDirectories: true)
        try "{\"a\": 1.5, \"cells\": [{\"id\": \"c1\", \"n\": 7}]}".write(to: dir.appendingPathComponent("f/summary.json"), atomically: false, encoding: .utf8)
        let notebook = try Notebook(file: "n.md", text: "# n\n")
        let references = References(notebook: notebook, work: dir, json: [:])
        #expect(try references.resolve("{{ f.a | 0.0 }} and {{ f.cells.c1.n }}", line: 1) == "1.5 and 7")
        try "{\"a\": 9}".write(to: dir.appendingPathComponent("f/summary.json"), atomically: false, encoding: .utf8)
        #expect(try references.resolve("{{ f.a }}", line: 2) == "1.5")
        // A link is not followed, and a file that is not JSON is named in the error.
        let other = References(notebook: notebook, work: dir, json: [:])
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("g"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("g/summary.json").path, withDestinationPath: dir.appendingPathComponent("f/summary.json").path)
        #expect(throws: VBQError.self) { try other.resolve("{{ g.a }}", line: 3) }
    }

    /// A notebook says what its commands will cost before any runs: over four hours it is
    /// refused naming the costliest line, over 30 s the estimate is said first. The estimate
    /// sees the notebook's scenario files.
    @Test func aLongNotebookSaysItsCostFirst() throws {
        let dir = try TestFolder.make("vbqlab-nb-engine")
        let file = dir.appendingPathComponent("lesson.md")
        try Self.text.write(to: file, atomically: false, encoding: .utf8)
        let calls = Calls(), notes = Mutex<[String]>([])
        func commands(_ perLine: Double) -> NotebookCommands {
            NotebookCommands(paths: Self.paths, run: { words, folder in
                calls.list.withLock { $0.append((words, folder)) }
                return NotebookCommandResult(status: 0, stdout: "{\"cutoff\": 1, \"share\": 0.5, \"cell\": \"c\"}", stderr: "")
            }, seconds: { words, folder in
                #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("tiny.yaml").path))
                return perLine
            }, note: { text in notes.withLock { $0.append(text) } })
        }
        let e = #expect(throws: VBQError.self) {
            _ = try NotebookFiles.render(file.path, into: dir.appendingPathComponent("r"), keepWork: nil, commands: commands(5 * 3600))
        }
        #expect(e?.description.contains("lesson.md:11: notebook: its commands would take about 5 hours, more than the limit of 4 hours") == true, "\(e?.description ?? "")")
        #expect(calls.list.withLock { $0.isEmpty })
        _ = try NotebookFiles.render(file.path, into: dir.appendingPathComponent("r"), keepWork: nil, commands: commands(60))
        #expect(notes.withLock { $0 } == ["lesson.md: roughly 60 s of simulation ahead (a rough estimate)"])
        #expect(calls.list.withLock { $0.count } == 1)
    }
}
