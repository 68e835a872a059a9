import Foundation
import VBQCore
import VBQModel
import VBQSimulation

/// A teaching notebook: markdown whose ```` ```vbqlab ```` blocks hold vbqlab command lines and
/// whose ```` ```yaml scenario NAME ```` blocks hold scenario files the commands can name
/// (NAME.yaml). Prose refers to results with `{{ FOLDER.path.to.value | FORMAT }}`.
package struct Notebook {
    package enum BlockKind: Equatable {
        /// Command lines; `id` names the block's printed JSON for references.
        case commands(id: String?)
        /// A scenario file written into the working folder as NAME.yaml.
        case scenario(name: String)
    }

    package struct Block {
        package let kind: BlockKind
        /// 1-based line of the opening fence.
        package let line: Int
        /// The block's number among the executable blocks (1-based).
        package let number: Int
        package let body: [String]
        /// Index in `pieces`.
        package let piece: Int
    }

    package enum Piece {
        case text([String], firstLine: Int)
        case block(Int)
    }

    package let file: String
    package let pieces: [Piece]
    package let blocks: [Block]

    package static let maxBytes = 1 << 20

    package init(file: String, text: String) throws {
        self.file = file
        var pieces: [Piece] = [], blocks: [Block] = []
        var prose: [String] = [], proseStart = 1
        var current: (kind: BlockKind, line: Int, body: [String])? = nil
        var otherFence: String? = nil      // inside a fence that is not ours: copied as it is
        // A file saved with CRLF line ends reads as one with LF.
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (i, line) in lines.enumerated() {
            let n = i + 1
            if var c = current {
                if line.hasPrefix("```") && line.trimmingCharacters(in: .whitespaces) == "```" {
                    blocks.append(Block(kind: c.kind, line: c.line, number: blocks.count + 1, body: c.body, piece: pieces.count))
                    pieces.append(.block(blocks.count - 1))
                    current = nil
                    proseStart = n + 1
                } else { c.body.append(line); current = c }
                continue
            }
            if let fence = otherFence {
                prose.append(line)
                if line.hasPrefix(fence) && line.trimmingCharacters(in: .whitespaces).allSatisfy({ $0 == "`" || $0 == "~" }) { otherFence = nil }
                continue
            }
            if line.hasPrefix("```") {
                let info = line.dropFirst(3).trimmingCharacters(in: .whitespaces)
                let words = info.split(separator: " ").map(String.init)
                var kind: BlockKind? = nil
                if words.first == "vbqlab" {
                    var id: String? = nil
                    for w in words.dropFirst() {
                        guard w.hasPrefix("id="), id == nil else {
                            throw VBQError(file: file, line: n, key: "block", "a vbqlab block takes only id=NAME after its fence, not '\(w)'")
                        }
                        id = String(w.dropFirst(3))
                        if let problem = Self.nameProblem(id!) { throw VBQError(file: file, line: n, key: "block", "id '\(id!)' \(problem)") }
                    }
                    kind = .commands(id: id)
                } else if words.count >= 2 && words[0] == "yaml" && words[1] == "scenario" {
                    guard words.count == 3 else {
                        throw VBQError(file: file, line: n, key: "block", "a scenario block is opened as ```yaml scenario NAME (the file becomes NAME.yaml)")
                    }
                    if let problem = ScenarioLoader.nameProblem(words[2]) { throw VBQError(file: file, line: n, key: "block", "scenario name '\(words[2])' \(problem)") }
                    kind = .scenario(name: words[2])
                }
                if let kind {
                    if !prose.isEmpty || !pieces.isEmpty { pieces.append(.text(prose, firstLine: proseStart)) }
                    prose = []
                    current = (kind, n, [])
                    continue
                }
                otherFence = String(line.prefix { $0 == "`" })
            }
            if prose.isEmpty { proseStart = n }
            prose.append(line)
        }
        if let c = current { throw VBQError(file: file, line: c.line, key: "block \(blocks.count + 1)", "the block is never closed with ```") }
        pieces.append(.text(prose, firstLine: proseStart))
        self.pieces = pieces
        self.blocks = blocks
        var ids = Set<String>(), scenarios = Set<String>()
        for b in blocks {
            switch b.kind {
            case let .commands(id?):
                guard ids.insert(id).inserted else { throw VBQError(file: file, line: b.line, key: "block \(b.number)", "id '\(id)' is used twice") }
            case let .scenario(name):
                guard scenarios.insert(name).inserted else { throw VBQError(file: file, line: b.line, key: "block \(b.number)", "scenario '\(name)' is defined twice") }
            default: break
            }
        }
    }

    /// Names of block ids and run folders that references use: a letter first, then letters,
    /// digits, '-' or '_'.
    package static func nameProblem(_ name: String) -> String? {
        guard let f = name.unicodeScalars.first, (f >= "a" && f <= "z") || (f >= "A" && f <= "Z") else { return "must start with a letter" }
        guard name.count <= 60, name.unicodeScalars.allSatisfy({ ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "-" || $0 == "_" }) else {
            return "must be at most 60 letters, digits, '-' or '_'"
        }
        return nil
    }

    /// The words of one command line: whitespace separates them, '…' and "…" quote (no
    /// expansion of any kind: nothing here reaches a shell).
    package static func words(_ line: String) throws -> [String] {
        var out: [String] = [], word = "", inWord = false
        var quote: Character? = nil
        for ch in line {
            if let q = quote {
                if ch == q { quote = nil } else { word.append(ch) }
            } else if ch == "'" || ch == "\"" {
                quote = ch; inWord = true
            } else if ch == " " || ch == "\t" {
                if inWord { out.append(word); word = ""; inWord = false }
            } else { word.append(ch); inWord = true }
        }
        if quote != nil { throw VBQError("an unclosed quote") }
        if inWord { out.append(word) }
        return out
    }
}

/// What one command line of a notebook did: its exit status (0 for success) and what it
/// printed on stdout and stderr.
package struct NotebookCommandResult {
    package let status: Int32
    package let stdout: String
    package let stderr: String

    package init(status: Int32, stdout: String, stderr: String) {
        self.status = status; self.stdout = stdout; self.stderr = stderr
    }
}

/// How a notebook's command lines are read and run. The command-line layer supplies both
/// halves, so this layer runs a notebook without knowing how commands are parsed or printed, and
/// changes no process-wide state itself.
package struct NotebookCommands: Sendable {
    /// Parses one command line (its words, without "vbqlab") as the command line would, and
    /// returns every file or folder it names to read or write, as written (relative to the
    /// working folder); throws why the command may not run inside a notebook (a parse error, a
    /// command that starts a program or submits jobs).
    package let paths: @Sendable (_ words: [String]) throws -> [String]
    /// Runs one parsed command line with the notebook's working folder as the base of every
    /// relative path it names. It leaves out wall times and thread counts: a rendered notebook
    /// must be the same bytes on every machine.
    package let run: @Sendable (_ words: [String], _ folder: URL) -> NotebookCommandResult
    /// The estimated seconds of one parsed command line (0 when it is quick or cannot tell),
    /// with `folder` holding the notebook's scenario files; by the cost model of `run`.
    package let seconds: @Sendable (_ words: [String], _ folder: URL) -> Double
    /// Where a long notebook's estimate is said before it starts (stderr).
    package let note: @Sendable (String) -> Void

    package init(paths: @escaping @Sendable ([String]) throws -> [String], run: @escaping @Sendable ([String], URL) -> NotebookCommandResult,
                 seconds: @escaping @Sendable ([String], URL) -> Double = { _, _ in 0 }, note: @escaping @Sendable (String) -> Void = { _ in }) {
        self.paths = paths; self.run = run; self.seconds = seconds; self.note = note
    }

    /// Why `path` (named by a command line) may leave the working folder, or nil. The rule is
    /// on the path as written: relative, no '..' step, not a home folder ('~'); before the
    /// command runs, the part of it that exists is also resolved (`escapes(_:from:)`).
    package static func pathProblem(_ path: String) -> String? {
        if path.isEmpty { return "is an empty path" }
        if path.hasPrefix("/") { return "is an absolute path" }
        if path.hasPrefix("~") { return "starts with '~'" }
        if path.split(separator: "/", omittingEmptySubsequences: false).contains("..") { return "steps out with '..'" }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) { return "holds a control character" }
        return nil
    }

    /// Whether `path`, resolved from `folder` through every symbolic link of the part of it
    /// that exists, ends outside `folder`.
    package static func escapes(_ path: String, from folder: URL) -> Bool {
        guard let root = realpath(folder.path, nil) else { return true }
        let base = String(cString: root); free(root)
        var probe = folder.appendingPathComponent(path).path
        // The longest leading part that exists decides (what does not exist yet is made inside it).
        while !probe.isEmpty {
            if let resolved = realpath(probe, nil) {
                let r = String(cString: resolved); free(resolved)
                return !(r == base || r.hasPrefix(base + "/"))
            }
            let parent = (probe as NSString).deletingLastPathComponent
            if parent == probe { break }
            probe = parent
        }
        return true
    }
}

/// Runs a notebook's blocks in a working folder of its own and renders it.
package struct NotebookRun {
    package struct Output {
        /// The rendered markdown.
        package let markdown: String
        /// Figures to copy: (source in the working folder, name in the figure folder).
        package let figures: [(URL, String)]
        /// Rendered text of each piece, for `check` to name the first difference.
        package let pieceTexts: [String]
        package let seconds: Double
    }

    let notebook: Notebook
    let work: URL
    /// The folder the figures go into, relative to the rendered markdown (NAME for NAME.md).
    let figureFolder: String
    let commands: NotebookCommands

    /// One command line of a block: its words (without "vbqlab"), where it is, and the paths it names.
    struct Line {
        let words: [String]
        let text: String
        let number: Int
        let paths: [String]
    }

    /// Every command line of every block, parsed and checked before any runs: a line that would
    /// leave the working folder, start a program or run a notebook is refused, naming its line.
    func plan() throws -> [[Line]] {
        try notebook.blocks.map { b in
            guard case .commands = b.kind else { return [] }
            var lines: [Line] = []
            for (k, raw) in b.body.enumerated() {
                let text = raw.trimmingCharacters(in: .whitespaces)
                if text.isEmpty || text.hasPrefix("#") { continue }
                let number = b.line + 1 + k
                func refuse(_ message: String) -> VBQError { VBQError(file: notebook.file, line: number, key: "block \(b.number)", message) }
                var words: [String]
                do { words = try Notebook.words(text) } catch { throw refuse("\(error)") }
                if words.first == "vbqlab" { words.removeFirst() }
                guard let sub = words.first else { continue }
                guard sub != "notebook" else { throw refuse("a notebook cannot run notebooks") }
                let paths: [String]
                do { paths = try commands.paths(words) } catch {
                    throw refuse((error as? VBQError).map { $0.message } ?? "\(error)")
                }
                for p in paths {
                    if let problem = NotebookCommands.pathProblem(p) {
                        throw refuse("'\(p)' \(problem): a notebook's files stay in its working folder; name them relative to it, without '..'")
                    }
                }
                lines.append(Line(words: words, text: text, number: number, paths: paths))
            }
            return lines
        }
    }

    /// What the notebook's command lines will cost, before any runs: each estimated with every
    /// scenario block written into a folder of its own (removed again), so the estimate sees the
    /// scenarios the commands will run. Refused beyond `Limits.computeSeconds`; said first when
    /// longer than `Limits.announceSeconds`.
    func estimate(_ planned: [[Line]]) throws {
        let lines = planned.joined()
        guard !lines.isEmpty else { return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vbqlab-estimate-\(getpid())-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { RunFolder.removeTree(folder) }
        for b in notebook.blocks { if case let .scenario(name) = b.kind {
            try AtomicFile.write(b.body.joined(separator: "\n") + "\n", to: folder.appendingPathComponent("\(name).yaml"))
        } }
        let costs = lines.map { ($0, commands.seconds($0.words, folder)) }
        let total = costs.reduce(0) { $0 + $1.1 }
        if total > Limits.computeSeconds, let worst = costs.max(by: { $0.1 < $1.1 }) {
            throw VBQError(file: notebook.file, line: worst.0.number, key: "notebook",
                           "its commands would take about \(Format.number(total / 3600, digits: 2)) hours, more than the limit of \(Int(Limits.computeSeconds / 3600)) hours (this line about \(Format.number(worst.1 / 3600, digits: 2))); lower its replicates or sizes")
        }
        if total > Limits.announceSeconds {
            commands.note("\(URL(fileURLWithPath: notebook.file).lastPathComponent): roughly \(Int(total.rounded())) s of simulation ahead (a rough estimate)")
        }
    }

    /// Executes every block in order; returns the rendered notebook.
    func run() throws -> Output {
        let started = Date()
        let planned = try plan()
        try estimate(planned)
        var outputs = [String](repeating: "", count: notebook.blocks.count)
        var json: [String: Any] = [:]
        for b in notebook.blocks {
            let key = "block \(b.number)"
            switch b.kind {
            case let .scenario(name):
                try AtomicFile.write(b.body.joined(separator: "\n") + "\n", to: work.appendingPathComponent("\(name).yaml"))
            case let .commands(id):
                var text = ""
                for line in planned[b.number - 1] {
                    // What exists of each path now is resolved: no link leads out.
                    for p in line.paths where NotebookCommands.escapes(p, from: work) {
                        throw VBQError(file: notebook.file, line: line.number, key: key, "'\(p)' leads out of the notebook's working folder through a link")
                    }
                    let result = commands.run(line.words, work)
                    if result.status != 0 {
                        let first = result.stderr.split(separator: "\n").first { !$0.hasPrefix("note:") }.map(String.init) ?? "exit status \(result.status)"
                        throw VBQError(file: notebook.file, line: line.number, key: "\(key) (vbqlab \(line.text))", first.replacingOccurrences(of: "error: ", with: ""))
                    }
                    text += result.stdout
                }
                outputs[b.number - 1] = text
                if let id {
                    guard let value = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else {
                        throw VBQError(file: notebook.file, line: b.line, key: key, "id=\(id) names the block's printed JSON, but the block printed no JSON (give its command --json)")
                    }
                    json[id] = value
                }
            }
        }
        // The rendered copy: prose with references resolved and figures moved, each block
        // followed by what it printed.
        var pieceTexts: [String] = []
        var figures: [(URL, String)] = []
        let resolver = References(notebook: notebook, work: work, json: json)
        for piece in notebook.pieces {
            switch piece {
            case let .text(lines, firstLine):
                var out: [String] = []
                var fenced = false
                for (i, line) in lines.enumerated() {
                    if line.hasPrefix("```") || line.hasPrefix("~~~") { fenced.toggle(); out.append(line); continue }
                    if fenced { out.append(line); continue }
                    var resolved = try resolver.resolve(line, line: firstLine + i)
                    resolved = try moveFigures(resolved, figures: &figures, line: firstLine + i)
                    out.append(resolved)
                }
                pieceTexts.append(out.joined(separator: "\n"))
            case let .block(index):
                let b = notebook.blocks[index]
                var t = ""
                switch b.kind {
                case let .scenario(name):
                    t = "*Scenario file `\(name).yaml`:*\n\n```yaml\n" + b.body.joined(separator: "\n") + "\n```"
                case .commands:
                    t = "```vbqlab\n" + b.body.joined(separator: "\n") + "\n```\n\n<!-- output of block \(b.number) -->\n"
                    let printed = outputs[index].split(separator: "\n", omittingEmptySubsequences: false).map { $0.replacingOccurrences(of: "\t", with: "    ") }
                        .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
                    if !printed.isEmpty { t += "```text\n" + printed + "\n```" }
                }
                pieceTexts.append(t)
            }
        }
        let source = URL(fileURLWithPath: notebook.file).lastPathComponent
        let markdown = NotebookFiles.renderedMark + "\(source): edit that file, not this one. -->\n" + pieceTexts.joined(separator: "\n")
        return Output(markdown: markdown, figures: figures, pieceTexts: pieceTexts, seconds: Date().timeIntervalSince(started))
    }

    /// `![caption](folder/plots/x.svg)` naming a file the blocks wrote: the file is copied
    /// beside the rendered notebook and the link rewritten to the copy.
    func moveFigures(_ line: String, figures: inout [(URL, String)], line number: Int) throws -> String {
        var out = "", rest = Substring(line)
        while let open = rest.range(of: "![") {
            out += rest[..<open.lowerBound]
            guard let mid = rest[open.upperBound...].range(of: "]("), let close = rest[mid.upperBound...].firstIndex(of: ")") else {
                out += rest[open.lowerBound...]; rest = ""; break
            }
            let caption = rest[open.upperBound..<mid.lowerBound]
            let path = String(rest[mid.upperBound..<close])
            var target = path
            let file = work.appendingPathComponent(path)
            var isFolder: ObjCBool = false
            if !path.hasPrefix("/"), !path.contains(":"), !path.split(separator: "/").contains(".."),
               FileManager.default.fileExists(atPath: file.path, isDirectory: &isFolder), !isFolder.boolValue {
                let name = "fig\(figures.count + 1)-" + (path.split(separator: "/").last.map(String.init) ?? "figure")
                figures.append((file, name))
                target = figureFolder + "/" + name
            } else if !path.contains(":") && !FileManager.default.fileExists(atPath: URL(fileURLWithPath: notebook.file).deletingLastPathComponent().appendingPathComponent(path).path) {
                throw VBQError(file: notebook.file, line: number, key: "figure", "'\(path)' was not written by any block (the paths are relative to the notebook's working folder)")
            }
            out += "![\(caption)](\(target))"
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}

/// `{{ NAME.path.to.value | FORMAT }}`: NAME is a block's id (its printed JSON) or a folder the
/// blocks wrote (its summary.json, power.json or published.json); the path walks objects by key
/// and lists by an element's id, name, method or target_id, or by index; FORMAT is `0`, `0.00`
/// (decimals), `0%`, `0.0%` (percent) or `text`; without it a number prints in full.
/// A folder's JSON is read and parsed once, on its first reference.
package final class References {
    let notebook: Notebook
    let work: URL
    /// Block ids' printed JSON, then each folder's parsed JSON as it is first referred to.
    var json: [String: Any]

    package init(notebook: Notebook, work: URL, json: [String: Any]) {
        self.notebook = notebook; self.work = work; self.json = json
    }

    package func resolve(_ line: String, line number: Int) throws -> String {
        var out = "", rest = Substring(line)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw VBQError(file: notebook.file, line: number, key: "reference", "'{{' is never closed with '}}'")
            }
            let inside = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            out += try value(inside, line: number)
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    func value(_ reference: String, line: Int) throws -> String {
        let parts = reference.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        func error(_ message: String) -> VBQError { VBQError(file: notebook.file, line: line, key: "{{ \(reference) }}", message) }
        guard let first = parts.first, !first.isEmpty else { throw error("empty reference: write {{ FOLDER.path | FORMAT }}") }
        let path = first.split(separator: ".").map(String.init)
        guard let root = path.first, !root.isEmpty else { throw error("empty reference") }
        var node: Any
        if let j = json[root] { node = j } else {
            guard Notebook.nameProblem(root) == nil else { throw error("'\(root)' is not a block id or a run folder") }
            let folder = work.appendingPathComponent(root)
            guard let file = ["summary.json", "power.json", "published.json"].map({ folder.appendingPathComponent($0) })
                    .first(where: { FileManager.default.fileExists(atPath: $0.path) }),
                  let data = RunFolder.readRegular(file), let j = try? JSONSerialization.jsonObject(with: data) else {
                throw error("no block id or run folder '\(root)' (a folder needs summary.json, power.json or published.json)")
            }
            node = j
            json[root] = j
        }
        var walked = root
        for key in path.dropFirst() {
            if let o = node as? [String: Any] {
                guard let next = o[key] else { throw error("'\(walked)' has no '\(key)' (it has \(o.keys.sorted().prefix(12).joined(separator: ", ")))") }
                node = next
            } else if let a = node as? [Any] {
                if let next = a.first(where: { e in
                    guard let o = e as? [String: Any] else { return false }
                    return ["id", "name", "method", "target_id"].contains { (o[$0] as? String) == key }
                }) { node = next }
                else if let i = Int(key), a.indices.contains(i) { node = a[i] }
                else { throw error("'\(walked)' is a list with no element '\(key)'") }
            } else { throw error("'\(walked)' is a single value, it has no '\(key)'") }
            walked += "." + key
        }
        let format = parts.count > 1 ? parts[1] : ""
        // Text from a file is set as plain words (a factor path's underscores are not emphasis).
        if let s = node as? String { return Format.markdownText(s) }
        if node is NSNull { return "NA" }
        guard let n = node as? NSNumber else { throw error("'\(walked)' is not a single value") }
        let x = n.doubleValue
        switch format {
        case "": return Format.exact(x)
        case "text": return Format.exact(x)
        default:
            let percent = format.hasSuffix("%")
            let body = percent ? String(format.dropLast()) : format
            guard body.first == "0", body.dropFirst().isEmpty || (body.dropFirst().first == "." && body.dropFirst(2).allSatisfy { $0 == "0" }) else {
                throw error("format '\(format)' is not one of 0, 0.00, 0%, 0.0%, text")
            }
            let decimals = body.contains(".") ? body.count - 2 : 0
            return percent ? Format.fixed(100 * x, decimals) + "%" : Format.fixed(x, decimals)
        }
    }
}
