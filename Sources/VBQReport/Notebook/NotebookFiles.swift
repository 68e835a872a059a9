import Foundation
import VBQCore
import VBQModel
import VBQSimulation

/// Where rendered notebooks go and how they are compared.
package enum NotebookFiles {
    package static func outFolder(_ out: String?, _ notebooks: [String]) -> URL {
        if let out { return URL(fileURLWithPath: out, isDirectory: true) }
        let first = URL(fileURLWithPath: notebooks.first ?? ".")
        return first.deletingLastPathComponent().appendingPathComponent("rendered", isDirectory: true)
    }

    /// The first words of every rendered notebook.
    static let renderedMark = "<!-- Rendered by `vbqlab notebook run` from "

    /// The file that marks a folder of rendered notebooks as vbqlab's.
    package static let markerName = ".vbqlab-notebooks"

    /// Opens the folder the rendered copies go into under the rule `run` applies to its output
    /// folder: it is used when it is new, empty, holds the marker, or holds nothing but what
    /// `notebook run` writes (index.html and, for each NAME, NAME.md, NAME.html and NAME/: a
    /// folder an earlier version rendered). Anything else — a project folder, the notebooks' own
    /// folder — is refused before anything in it is touched, as is a folder reached through a
    /// symbolic link.
    package static func claim(_ dir: URL, notebooks: [String]) throws {
        var st = stat()
        if lstat(dir.path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFLNK {
                throw VBQError(file: dir.path, key: "--out", "is a symbolic link; rendered notebooks go only into a real folder")
            }
            guard (st.st_mode & S_IFMT) == S_IFDIR else {
                throw VBQError(file: dir.path, key: "--out", "exists and is not a folder; give --out a new or empty folder")
            }
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: dir.path) } catch {
                throw VBQError(file: dir.path, key: "--out", "cannot read the folder: \(error.localizedDescription)")
            }
            // A notebook's rendered copy would replace the notebook itself.
            if let base = realpath(dir.path, nil) {
                let here = String(cString: base); free(base)
                for n in notebooks {
                    let parent = URL(fileURLWithPath: n).deletingLastPathComponent().path
                    if let p = realpath(parent, nil) {
                        defer { free(p) }
                        if String(cString: p) == here {
                            throw VBQError(file: dir.path, key: "--out", "holds the notebook \(n) itself, which its rendered copy would replace; give --out another folder")
                        }
                    }
                }
            }
            if names.contains(markerName) {
                guard lstat(dir.appendingPathComponent(markerName).path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
                    throw VBQError(file: dir.appendingPathComponent(markerName).path, key: "--out", "is not a regular file; this folder cannot be used")
                }
                return
            }
            // A folder an earlier version rendered: its index is vbqlab's lessons index, and every
            // other entry is a rendered notebook (NAME.md saying it was rendered, NAME.html,
            // NAME/). A file merely named like one is not enough.
            let set = Set(names)
            func starts(_ name: String, with text: String) -> Bool {
                guard let data = RunFolder.readRegular(dir.appendingPathComponent(name), limit: Notebook.maxBytes * 4) else { return false }
                return String(decoding: data.prefix(4096), as: UTF8.self).contains(text)
            }
            let rendered = names.allSatisfy { name in
                if name == "index.html" { return starts(name, with: "<title>vbqlab lessons</title>") }
                let stem = name.hasSuffix(".md") ? String(name.dropLast(3)) : name.hasSuffix(".html") ? String(name.dropLast(5)) : name
                return set.contains(stem + ".md") && set.contains(stem + ".html") && starts(stem + ".md", with: renderedMark)
            }
            guard names.isEmpty || (rendered && set.contains("index.html")) else {
                let shown = names.sorted().prefix(3).joined(separator: ", ")
                throw VBQError(file: dir.path, key: "--out", "is not a folder of rendered notebooks (it holds \(shown)\(names.count > 3 ? ", ..." : "")); give --out a new or empty folder")
            }
        }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try AtomicFile.write("vbqlab notebooks: rendered copies that vbqlab notebook run replaces\n", to: dir.appendingPathComponent(markerName))
    }

    package static func title(_ markdown: String) -> String? {
        markdown.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n").first { $0.hasPrefix("# ") }.map { String($0.dropFirst(2)) }
    }

    /// The first sentence of the first paragraph after the title (for the index): the paragraph's
    /// lines joined, cut after the first full stop that ends a sentence (". " then a capital).
    package static func summary(_ markdown: String) -> String {
        var seenTitle = false, paragraph: [String] = []
        for line in markdown.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# ") { seenTitle = true; continue }
            guard seenTitle else { continue }
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { if paragraph.isEmpty { continue } else { break } }
            if paragraph.isEmpty && (text.hasPrefix("#") || text.hasPrefix("<!--") || text.hasPrefix("```") || text.hasPrefix("|") || text.hasPrefix("-") || text.hasPrefix(">")) { continue }
            paragraph.append(text)
        }
        let joined = paragraph.joined(separator: " ")
        var search = joined.startIndex
        while let r = joined.range(of: ". ", range: search..<joined.endIndex) {
            let after = joined[r.upperBound...].first
            if let after, after.isUppercase, joined.distance(from: joined.startIndex, to: r.lowerBound) >= 40 {
                return String(joined[...r.lowerBound])
            }
            search = r.upperBound
        }
        return joined
    }

    package struct Rendered {
        package let stem: String
        package let blocks: Int
        package let seconds: Double
        package let output: NotebookRun.Output
    }

    /// Executes the notebook in a fresh working folder and renders it into `dir`.
    static func execute(_ path: String, figureFolder: String, keepWork: URL?, commands: NotebookCommands) throws -> (Notebook, NotebookRun.Output) {
        let text = try InputFile.text(path: path, limit: Notebook.maxBytes, kind: InputFile.markdown)
        let notebook = try Notebook(file: path, text: text)
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let work: URL
        if let keepWork {
            work = keepWork.appendingPathComponent(stem, isDirectory: true)
            // Only a folder an earlier notebook run made (it holds the marker) is emptied.
            let marker = work.appendingPathComponent(".vbqlab-notebook-work")
            if FileManager.default.fileExists(atPath: work.path) {
                guard FileManager.default.fileExists(atPath: marker.path) else {
                    throw VBQError(file: work.path, "exists and is not a notebook's working folder; give --work a new or empty folder")
                }
                RunFolder.removeTree(work)
            }
        } else {
            work = FileManager.default.temporaryDirectory.appendingPathComponent("vbqlab-notebook-\(stem)-\(getpid())-\(UUID().uuidString)", isDirectory: true)
        }
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try AtomicFile.write("a vbqlab notebook's working folder: vbqlab notebook run may empty it\n", to: work.appendingPathComponent(".vbqlab-notebook-work"))
        defer { if keepWork == nil { RunFolder.removeTree(work) } }
        let output = try NotebookRun(notebook: notebook, work: work, figureFolder: figureFolder, commands: commands).run()
        // Figures are read now, while the working folder exists.
        return (notebook, output)
    }

    package static func render(_ path: String, into dir: URL, keepWork: URL?, commands: NotebookCommands) throws -> Rendered {
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        if let problem = ScenarioLoader.nameProblem(stem) { throw VBQError(file: path, "the notebook's name \(problem)") }
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("vbqlab-render-\(getpid())-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: staging.appendingPathComponent(stem), withIntermediateDirectories: true)
        defer { RunFolder.removeTree(staging) }
        let (notebook, output) = try execute(path, figureFolder: stem, keepWork: keepWork ?? staging.appendingPathComponent("work"), commands: commands)
        for (source, name) in output.figures {
            try FileManager.default.copyItem(at: source, to: staging.appendingPathComponent(stem).appendingPathComponent(name))
        }
        try AtomicFile.write(output.markdown, to: staging.appendingPathComponent(stem + ".md"))
        try AtomicFile.write(HTMLPage.render(markdown: output.markdown, title: title(output.markdown) ?? stem, base: staging),
                             to: staging.appendingPathComponent(stem + ".html"))
        // Replace the old copy only now that the new one is whole.
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let figures = dir.appendingPathComponent(stem, isDirectory: true)
        RunFolder.removeTree(figures)
        try FileManager.default.moveItem(at: staging.appendingPathComponent(stem), to: figures)
        for ext in ["md", "html"] {
            let target = dir.appendingPathComponent("\(stem).\(ext)")
            // rename(2): the old copy is replaced in one step.
            guard rename(staging.appendingPathComponent("\(stem).\(ext)").path, target.path) == 0 else {
                throw VBQError(file: target.path, "cannot write: \(String(cString: strerror(errno)))")
            }
        }
        return Rendered(stem: stem, blocks: notebook.blocks.count, seconds: output.seconds, output: output)
    }

    /// nil when the committed copy in `dir` is what the notebook renders to now; else what differs.
    package static func check(_ path: String, against dir: URL, commands: NotebookCommands) throws -> String? {
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let committedURL = dir.appendingPathComponent(stem + ".md")
        guard let committed = try? String(contentsOf: committedURL, encoding: .utf8) else {
            return "\(path): no rendered copy \(displayPath(committedURL)); run vbqlab notebook run \(path)"
        }
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("vbqlab-check-\(getpid())-\(UUID().uuidString)", isDirectory: true)
        defer { RunFolder.removeTree(staging) }
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        let (notebook, output) = try execute(path, figureFolder: stem, keepWork: staging, commands: commands)
        if output.markdown != committed {
            // The first piece whose text is not where it should be.
            var offset = committed.startIndex
            let header = output.markdown.prefix { $0 != "\n" }.count + 1
            offset = committed.index(offset, offsetBy: min(header, committed.count))
            for (i, piece) in output.pieceTexts.enumerated() {
                let matches = committed[offset...].hasPrefix(piece + (i + 1 < output.pieceTexts.count ? "\n" : ""))
                if !matches {
                    let where_: String
                    switch notebook.pieces[i] {
                    case let .block(b): where_ = "block \(notebook.blocks[b].number) (line \(notebook.blocks[b].line)): its output differs"
                    case let .text(_, firstLine): where_ = "the text from line \(firstLine) differs (a reference's value changed)"
                    }
                    return "\(path): the rendered copy is stale: \(where_); run vbqlab notebook run \(path)"
                }
                offset = committed.index(offset, offsetBy: piece.count + (i + 1 < output.pieceTexts.count ? 1 : 0), limitedBy: committed.endIndex) ?? committed.endIndex
            }
            return "\(path): the rendered copy is stale; run vbqlab notebook run \(path)"
        }
        for (source, name) in output.figures {
            let committedFigure = dir.appendingPathComponent(stem).appendingPathComponent(name)
            guard let a = try? Data(contentsOf: source), let b = try? Data(contentsOf: committedFigure), a == b else {
                return "\(path): figure \(stem)/\(name) is stale or missing; run vbqlab notebook run \(path)"
            }
        }
        return nil
    }

    /// index.html: every rendered notebook in `dir`, in file-name order.
    package static func writeIndex(_ dir: URL) throws {
        let files = (try FileManager.default.contentsOfDirectory(atPath: dir.path)).filter { $0.hasSuffix(".md") && $0 != "README.md" }.sorted()
        var pages: [(file: String, title: String, summary: String)] = []
        for f in files {
            let text = (try? String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)) ?? ""
            pages.append((String(f.dropLast(3)) + ".html", title(text) ?? f, summary(text)))
        }
        try AtomicFile.write(HTMLPage.index(title: "vbqlab lessons", intro: "Executable lessons on why one cutoff from one cohort should not be trusted. Every number in them was computed by the commands shown.", pages: pages),
                             to: dir.appendingPathComponent("index.html"))
    }
}
