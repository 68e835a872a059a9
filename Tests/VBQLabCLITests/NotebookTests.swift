import Foundation
import Testing

/// `vbqlab notebook`: the shipped lessons are up to date, rendering is deterministic, and a
/// broken notebook fails with one line naming the notebook, line and block.
@Suite(.serialized) struct NotebookTests {
    static var lessons: [String] {
        let dir = CLI.repository.appendingPathComponent("notebooks-md")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(".md") && $0 != "README.md" }.sorted().map { dir.appendingPathComponent($0).path }
    }

    /// Every shipped lesson re-runs to its committed rendered copy, byte for byte.
    @Test func shippedLessonsAreUpToDate() throws {
        let lessons = Self.lessons
        #expect(!lessons.isEmpty)
        let r = try CLI.run(["notebook", "check"] + lessons)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.components(separatedBy: "up to date").count - 1 == lessons.count, "\(r.stdout)")
    }

    static let small = """
    # A small lesson

    Intro paragraph.

    ```yaml scenario tiny
    name: tiny
    seed: 3
    replicates: 50
    cohort: {events: 20, non_events: 40}
    generator:
      event: {distribution: normal, mean: 3.6, sd: 0.4}
      non_event: {distribution: normal, mean: 3.0, sd: 0.4}
    methods: [empirical]
    ```

    ```vbqlab
    run tiny.yaml --out t --quiet
    ```

    The 95% range starts at {{ t.cells.c1.methods.empirical.cutoff.q025 | 0.00 }}, c* is {{ t.cells.c1.truth.cutoff | 0.000 }}, {{ t.cells.c1.methods.empirical.cutoff.n }} cohorts.

    ![the cutoffs](t/plots/cutoffs-empirical.svg)
    """

    @Test func runRendersReferencesFiguresAndHTMLTheSameEveryTime() throws {
        let dir = try CLI.tempDir()
        let nb = dir.appendingPathComponent("small.md")
        try Self.small.write(to: nb, atomically: false, encoding: .utf8)
        var copies: [Data] = []
        for _ in 0..<2 {
            let r = try CLI.run(["notebook", "run", nb.path, "--out", dir.appendingPathComponent("out").path])
            #expect(r.status == 0, "\(r.stderr)")
            copies.append(try Data(contentsOf: dir.appendingPathComponent("out/small.md")))
        }
        #expect(copies[0] == copies[1])
        let md = String(decoding: copies[0], as: UTF8.self)
        #expect(md.contains("50 cohorts") && !md.contains("{{"), "\(md)")
        #expect(md.contains("![the cutoffs](small/fig1-cutoffs-empirical.svg)"))
        #expect(md.contains("```text\ntiny: 1 cell × 50 replicates, seed 3\n"), "no timing in the block's output: \(md)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/small/fig1-cutoffs-empirical.svg").path))
        let html = try String(contentsOf: dir.appendingPathComponent("out/small.html"), encoding: .utf8)
        #expect(html.contains("<svg") && !html.contains("<img"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/index.html").path))
        // check passes, then names the block whose output changed.
        #expect(try CLI.run(["notebook", "check", nb.path, "--out", dir.appendingPathComponent("out").path]).status == 0)
        try md.replacingOccurrences(of: "tiny: 1 cell", with: "tiny: 2 cells").write(to: dir.appendingPathComponent("out/small.md"), atomically: false, encoding: .utf8)
        let c = try CLI.run(["notebook", "check", nb.path, "--out", dir.appendingPathComponent("out").path])
        #expect(c.status == 1)
        #expect(c.stderr.contains("block 2 (line 16): its output differs"), "\(c.stderr)")
    }

    @Test(arguments: [
        ("```vbqlab\nrun nothere.yaml --out x\n```\n", "bad.md:2: block 1 (vbqlab run nothere.yaml --out x):"),
        ("```vbqlab\nrun wu2025-baseline --replicates 0\n```\n", "bad.md:2: block 1: --replicates must be between 1 and"),
        ("text {{ nowhere.cells.c1 }}\n", "bad.md:1: {{ nowhere.cells.c1 }}: no block id or run folder 'nowhere'"),
        ("```vbqlab\nrun x.yaml\n", "bad.md:1: block 1: the block is never closed"),
        ("```yaml scenario ../evil\nname: x\n```\n", "bad.md:1: block: scenario name '../evil'"),
        ("```vbqlab\nnotebook run bad.md\n```\n", "bad.md:2: block 1: a notebook cannot run notebooks"),
        ("```vbqlab\nrun 'unclosed\n```\n", "bad.md:2: block 1: an unclosed quote"),
        ("![f](nothing.svg)\n", "bad.md:1: figure: 'nothing.svg' was not written by any block"),
        ("text {{ }} and {{|}}\n", "bad.md:1: {{  }}: empty reference"),
        ("```vbqlab\nrun wu2025-baseline --quick --out /tmp/outside\n```\n", "bad.md:2: block 1: '/tmp/outside' is an absolute path"),
        ("```vbqlab\nrun wu2025-baseline --quick --out=../up\n```\n", "bad.md:2: block 1: '../up' steps out with '..'"),
        // The paths come from the command line's own parser, not from the text after an '='.
        ("```vbqlab\nrun x.yaml --out ../../../../x=1\n```\n", "bad.md:2: block 1: '../../../../x=1' steps out with '..'"),
        ("```vbqlab\nrun x.yaml --out /abs/x=1\n```\n", "bad.md:2: block 1: '/abs/x=1' is an absolute path"),
        ("```vbqlab\ncalibrate --event-mean 3 --event-sd 1 --non-event-mean 2 --non-event-sd 1 --prevalence 0.3 --out /abs/c=.yaml\n```\n", "bad.md:2: block 1: '/abs/c=.yaml' is an absolute path"),
        ("```vbqlab\nanalyze /abs/a=b.csv --score s --outcome o\n```\n", "bad.md:2: block 1: '/abs/a=b.csv' is an absolute path"),
        ("```vbqlab\nanalyze a.csv --score s --outcome o --plot=sub/../../p\n```\n", "bad.md:2: block 1: 'sub/../../p' steps out with '..'"),
        ("```vbqlab\nmerge ../shards\n```\n", "bad.md:2: block 1: '../shards' steps out with '..'"),
        ("```vbqlab\npower wu2025-baseline --out ~/p\n```\n", "bad.md:2: block 1: '~/p' starts with '~'"),
        // A command that would start a program is refused, whatever comes before it.
        ("```vbqlab\nlist\nslurm wu2025-baseline --tasks 10000 --submit\n```\n", "bad.md:3: block 1: a notebook does not submit jobs"),
        ("```vbqlab\nrun --no-such-option\n```\n", "bad.md:2: block 1: Unknown option '--no-such-option'"),
        // Hours of simulation are refused before anything runs, as `run` and `power` refuse them.
        ("```vbqlab\nlist\nrun drift-overview --replicates 100000000 --out a\n```\n", "bad.md:3: notebook: its commands would take about"),
    ])
    func brokenNotebookNamesItsLineAndBlock(_ text: String, _ expected: String) throws {
        let dir = try CLI.tempDir()
        try text.write(to: dir.appendingPathComponent("bad.md"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["notebook", "run", "bad.md", "--out", "out"], in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.hasPrefix("error: " + expected), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/bad.md").path))
    }

    /// A refused line stops the notebook before its first line runs: nothing is simulated, so no
    /// sbatch can have been started by an earlier line either.
    @Test func aRefusedLineStopsTheNotebookBeforeAnythingRuns() throws {
        let dir = try CLI.tempDir()
        try "```vbqlab\nrun wu2025-baseline --quick --out first\n```\n\n```vbqlab\nslurm wu2025-baseline --tasks 2 --submit\n```\n"
            .write(to: dir.appendingPathComponent("n.md"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["notebook", "run", "n.md", "--out", "out", "--work", "w"], in: dir)
        #expect(r.status != 0 && r.stderr.contains("n.md:6: block 2: a notebook does not submit jobs"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("w/n/first").path))
    }

    /// --out of `notebook run` follows `run`'s rule: a folder of someone else's files is refused
    /// before anything in it is touched, and so is the notebooks' own folder.
    @Test func outFolderOfSomethingElseIsRefused() throws {
        let dir = try CLI.tempDir()
        try "# t\n\ntext\n".write(to: dir.appendingPathComponent("src.md"), atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("proj/src"), withIntermediateDirectories: true)
        try "keep".write(to: dir.appendingPathComponent("proj/src/precious.txt"), atomically: false, encoding: .utf8)
        try "mine".write(to: dir.appendingPathComponent("proj/index.html"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["notebook", "run", "src.md", "--out", "proj"], in: dir)
        #expect(r.status == 1 && r.stderr.contains("is not a folder of rendered notebooks (it holds index.html, src)"), "\(r.stderr)")
        #expect(try String(contentsOf: dir.appendingPathComponent("proj/src/precious.txt"), encoding: .utf8) == "keep")
        #expect(try String(contentsOf: dir.appendingPathComponent("proj/index.html"), encoding: .utf8) == "mine")
        let own = try CLI.run(["notebook", "run", "src.md", "--out", "."], in: dir)
        #expect(own.status == 1 && own.stderr.contains("holds the notebook src.md itself"), "\(own.stderr)")
        #expect(try String(contentsOf: dir.appendingPathComponent("src.md"), encoding: .utf8) == "# t\n\ntext\n")
        // A new folder is claimed with the marker and can be rendered into again; a folder an
        // earlier version rendered (no marker, only rendered copies) is taken over.
        #expect(try CLI.run(["notebook", "run", "src.md", "--out", "new"], in: dir).status == 0)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("new/.vbqlab-notebooks").path))
        #expect(try CLI.run(["notebook", "run", "src.md", "--out", "new"], in: dir).status == 0)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("new/.vbqlab-notebooks"))
        #expect(try CLI.run(["notebook", "run", "src.md", "--out", "new"], in: dir).status == 0)
        // A folder that only looks rendered — the user's own index.html, files named like the
        // notebook's copies — is not taken over.
        for (folder, files) in [("site", ["index.html": "<h1>my website</h1>"]),
                                ("look", ["index.html": "<title>mine</title>", "src.md": "mine", "src.html": "mine"])] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(folder), withIntermediateDirectories: true)
            for (name, text) in files { try text.write(to: dir.appendingPathComponent("\(folder)/\(name)"), atomically: false, encoding: .utf8) }
            let r = try CLI.run(["notebook", "run", "src.md", "--out", folder], in: dir)
            #expect(r.status == 1 && r.stderr.contains("is not a folder of rendered notebooks"), "\(folder): \(r.stderr)")
            for (name, text) in files { #expect(try String(contentsOf: dir.appendingPathComponent("\(folder)/\(name)"), encoding: .utf8) == text) }
        }
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("link").path, withDestinationPath: dir.appendingPathComponent("new").path)
        #expect(try CLI.run(["notebook", "run", "src.md", "--out", "link"], in: dir).stderr.contains("is a symbolic link"))
    }

    /// --work empties only a folder an earlier notebook run made.
    @Test func workFolderOfSomethingElseIsNotEmptied() throws {
        let dir = try CLI.tempDir()
        try "# t\n\ntext\n".write(to: dir.appendingPathComponent("t.md"), atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("keep/t"), withIntermediateDirectories: true)
        try "mine".write(to: dir.appendingPathComponent("keep/t/important.txt"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["notebook", "run", "t.md", "--work", "keep", "--out", "out"], in: dir)
        #expect(r.status != 0 && r.stderr.contains("is not a notebook's working folder"), "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("keep/t/important.txt").path))
        let again = try CLI.run(["notebook", "run", "t.md", "--work", "fresh", "--out", "out"], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try CLI.run(["notebook", "run", "t.md", "--work", "fresh", "--out", "out"], in: dir).status == 0)
    }

    /// Markdown that tries to smuggle HTML, script addresses or event handlers into a page:
    /// `notebook render` shows it as text, and an SVG with a handler is not inlined.
    @Test func renderedPagesRunNothing() throws {
        let dir = try CLI.tempDir()
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><image href=\"x\"\nonerror=\"alert(1)\"/></svg>\n"
        try svg.write(to: dir.appendingPathComponent("bad.svg"), atomically: false, encoding: .utf8)
        let md = """
        # Hostile

        A \\`<img src=x onerror=alert(1)> and B ` <img src=y onerror=alert(2)> here.

        <!--><img src=x onerror=alert(3)>-->

        [c](javascript&colon;alert(4)) [d](x" onmouseover="alert(5)) ![e" onerror="alert(6)](x.png) ![f](bad.svg)

        <script>alert(7)</script>
        """
        try md.write(to: dir.appendingPathComponent("h.md"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["notebook", "render", "h.md"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOf: dir.appendingPathComponent("h.html"), encoding: .utf8)
        let body = String(html[html.range(of: "<body>")!.upperBound...])
        #expect(!body.contains("<img") && !body.contains("<script") && !body.contains("<image"), "\(body)")
        #expect(!body.lowercased().contains("href=\"javascript") && !body.contains("href=\"x\""), "\(body)")
        // No tag carries an on…= attribute.
        let tag = try Regex("<[a-zA-Z][^>]*[\\s\"'/]on[a-z]+\\s*=")
        #expect(body.firstMatch(of: tag) == nil, "\(body)")
    }

    /// A scenario's description reaches report.md as text; report.html shows any HTML in it as
    /// text and keeps links to javascript: out.
    @Test func reportHTMLShowsHostileTextAsText() throws {
        let dir = try CLI.tempDir()
        let yaml = """
        name: hostile
        description: <script>alert(1)</script> <img src=x onerror=alert(2)> [click](javascript:alert(3))
        replicates: 20
        cohort: {events: 20, non_events: 40}
        generator:
          event: {distribution: normal, mean: 3.6, sd: 0.4}
          non_event: {distribution: normal, mean: 3.0, sd: 0.4}
        methods: [empirical]
        """
        try yaml.write(to: dir.appendingPathComponent("h.yaml"), atomically: false, encoding: .utf8)
        let r = try CLI.run(["run", "h.yaml", "--out", "o", "--quiet"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOf: dir.appendingPathComponent("o/report.html"), encoding: .utf8)
        #expect(!html.contains("<script") && !html.contains("<img") && !html.contains("javascript:alert(3)\""), "\(html.prefix(3000))")
        #expect(html.contains("&lt;script&gt;") || html.contains("&lt;script>"))
    }
}
