import ArgumentParser
import Foundation
import VBQLab

extension VBQLabCommand {
    /// Executable teaching notebooks.
    ///
    ///     vbqlab notebook run notebooks-md/*.md        # renders into notebooks-md/rendered/
    ///     vbqlab notebook check notebooks-md/*.md      # fails when a rendered copy is stale
    ///     vbqlab notebook render output/seed-tables/report.md
    struct NotebookCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "notebook",
            abstract: "Run, check or render teaching notebooks (markdown with vbqlab blocks).",
            discussion: """
            A notebook is markdown whose ```vbqlab blocks hold vbqlab command lines and whose \
            ```yaml scenario NAME blocks hold scenario files (NAME.yaml) the commands can run. \
            Prose refers to results as {{ FOLDER.path | 0.00 }}. notebooks-md/README.md has the details.
            """,
            subcommands: [RunNotebooks.self, CheckNotebooks.self, RenderMarkdown.self])
    }

    struct RunNotebooks: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Execute each notebook's blocks in order and write its rendered copy, as markdown and as HTML.")
        @Argument(help: "Notebook files (.md).") var notebooks: [String]
        @Option(help: "Folder for the rendered copies (default: rendered/ beside the first notebook).") var out: String?
        @Option(help: "Keep each notebook's working folder in this folder (default: a temporary folder, removed).") var work: String?

        func run() throws {
            do {
                let dir = NotebookFiles.outFolder(out, notebooks)
                try NotebookFiles.claim(dir, notebooks: notebooks)
                for path in notebooks {
                    let r = try NotebookFiles.render(path, into: dir, keepWork: work.map { URL(fileURLWithPath: $0) }, commands: notebookCommands)
                    print("\(path): \(r.blocks) block\(r.blocks == 1 ? "" : "s"), \(String(format: "%.1f", r.seconds)) s → \(displayPath(dir.appendingPathComponent(r.stem + ".md"))), \(r.stem).html")
                }
                try NotebookFiles.writeIndex(dir)
            } catch { throw fail(error) }
        }
    }

    struct CheckNotebooks: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Run each notebook again and fail, naming the first differing block, when its committed rendered copy differs.")
        @Argument(help: "Notebook files (.md).") var notebooks: [String]
        @Option(help: "Folder of the committed rendered copies (default: rendered/ beside the first notebook).") var out: String?

        func run() throws {
            do {
                let dir = NotebookFiles.outFolder(out, notebooks)
                var stale: [String] = []
                for path in notebooks {
                    if let problem = try NotebookFiles.check(path, against: dir, commands: notebookCommands) { stale.append(problem) } else {
                        print("\(path): up to date")
                    }
                }
                for s in stale { FileHandle.standardError.write(Data("error: \(printable(s))\n".utf8)) }
                if !stale.isEmpty { throw ExitCode(1) }
            } catch { throw fail(error) }
        }
    }

    struct RenderMarkdown: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render",
            abstract: "Write FILE.html beside each markdown file (a rendered notebook, a report.md): one self-contained page, SVG figures inlined.")
        @Argument(help: "Markdown files.") var files: [String]

        func run() throws {
            do {
                for path in files {
                    let url = URL(fileURLWithPath: path)
                    let text = try InputFile.text(path: path, limit: Notebook.maxBytes, kind: InputFile.markdown)
                    let html = url.deletingPathExtension().appendingPathExtension("html")
                    try AtomicFile.write(HTMLPage.render(markdown: text, title: NotebookFiles.title(text) ?? url.lastPathComponent,
                                                         base: url.deletingLastPathComponent()), to: html)
                    print("wrote \(displayPath(html))")
                }
            } catch { throw fail(error) }
        }
    }
}

/// What the CLI's printers leave out inside a notebook: wall times and thread counts, which
/// differ between machines and runs (a rendered notebook must be the same bytes every time).
/// A task-local value, so a notebook's commands see it and nothing else does.
enum CLIOutput {
    @TaskLocal static var timings = true
}

/// A command a notebook block may run. Each names every file and folder it reads or writes, so
/// the notebook can check them against its working folder before anything runs; a command that
/// does not conform (`notebook`) is refused in a notebook.
protocol NotebookRunnable: ParsableCommand {
    /// The paths this command line names, as written (relative paths resolve against the
    /// working folder); throws why the command may not run inside a notebook.
    func notebookPaths() throws -> [String]
    /// Its estimated seconds (0: quick, or it cannot tell before it runs), relative paths read
    /// from the current folder.
    func notebookSeconds() -> Double
}

extension NotebookRunnable {
    func notebookSeconds() -> Double { 0 }
}

/// In `folder`, as the command would run there: the working folder for a notebook's estimate.
private func inFolder<T>(_ folder: URL, _ body: () -> T) -> T? {
    let cwd = FileManager.default.currentDirectoryPath
    guard FileManager.default.changeCurrentDirectoryPath(folder.path) else { return nil }
    defer { _ = FileManager.default.changeCurrentDirectoryPath(cwd) }
    return body()
}

/// How a notebook's blocks are read and run: each line is parsed by this command line's own
/// parser (the paths it names come from the parsed options, not from the text), then run in
/// this process, in the notebook's working folder, without timings, with what it prints
/// captured. An error is printed as one line on stderr and gives a non-zero status.
let notebookCommands = NotebookCommands(
    paths: { words in
        let parsed: ParsableCommand
        do { parsed = try VBQLabCommand.parseAsRoot(words) } catch {
            let first = VBQLabCommand.message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "\(error)"
            throw VBQError(first)
        }
        guard let command = parsed as? any NotebookRunnable else {
            throw VBQError("'\(words.first ?? "")' cannot run inside a notebook")
        }
        return try command.notebookPaths()
    },
    run: { args, folder in runInFolder(args, folder) },
    seconds: { args, folder in
        inFolder(folder) { ((try? VBQLabCommand.parseAsRoot(args)) as? any NotebookRunnable)?.notebookSeconds() ?? 0 } ?? 0
    },
    note: { FileHandle.standardError.write(Data("note: \(printable($0))\n".utf8)) })

/// One command line of a notebook, run in `folder` with what it prints captured.
private func runInFolder(_ args: [String], _ folder: URL) -> NotebookCommandResult {
    inFolder(folder) { captured {
        CLIOutput.$timings.withValue(false) {
            do {
                var command = try VBQLabCommand.parseAsRoot(args)
                try command.run()
                return 0
            } catch let e as ExitCode {
                return e.rawValue
            } catch {
                let code = VBQLabCommand.exitCode(for: error)
                if code == .success { return 0 }
                let first = VBQLabCommand.message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "\(error)"
                FileHandle.standardError.write(Data("error: \(first)\n".utf8))
                return code.rawValue == 0 ? 1 : code.rawValue
            }
        }
    } } ?? NotebookCommandResult(status: 1, stdout: "", stderr: "error: cannot enter the working folder \(folder.path)\n")
}

/// Runs `body` with stdout and stderr going to files; returns its status and what it printed.
private func captured(_ body: () -> Int32) -> NotebookCommandResult {
    let dir = FileManager.default.temporaryDirectory
    let outURL = dir.appendingPathComponent("vbqlab-nb-out-\(getpid())-\(UUID().uuidString)")
    let errURL = dir.appendingPathComponent("vbqlab-nb-err-\(getpid())-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
    let outFD = open(outURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let errFD = open(errURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    fflush(nil)
    let savedOut = dup(STDOUT_FILENO), savedErr = dup(STDERR_FILENO)
    dup2(outFD, STDOUT_FILENO); dup2(errFD, STDERR_FILENO)
    let status = body()
    fflush(nil)
    dup2(savedOut, STDOUT_FILENO); dup2(savedErr, STDERR_FILENO)
    close(savedOut); close(savedErr); close(outFD); close(errFD)
    let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
    let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
    return NotebookCommandResult(status: status, stdout: out, stderr: err)
}
