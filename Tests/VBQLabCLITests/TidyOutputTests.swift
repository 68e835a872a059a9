import Foundation
import Testing
import VBQTestSupport

/// The CSV outputs are tidy and typed as `columns.json` says: the same columns for every
/// scenario, `NA` the only missing value, `TRUE`/`FALSE` booleans — and R and pandas read them
/// with those types (those two tests run when R or pandas is installed, and say so when not).
@Suite(.serialized) struct TidyOutputTests {
    /// A mechanistic grid, a class-conditional size sweep (compressed), and a power sweep.
    static let runs: [(name: String, args: [String])] = [
        ("drift", ["run", "drift-overview", "--quick", "--quiet"]),
        ("sweep", ["run", "wu2025-baseline", "--replicates", "40", "--quiet", "--compress"]),
        ("power", ["power", "power-grant", "--n", "40,80", "--replicates", "40", "--quiet"]),
    ]

    static let outputs: URL = {
        let dir = try! CLI.tempDir()
        for (name, args) in runs {
            let r = try! CLI.run(args + ["--out", dir.appendingPathComponent(name).path])
            precondition(r.status == 0, r.stderr)
        }
        return dir
    }()

    /// (run folder, CSV file name, its columns from columns.json as (name, type)).
    static func files() throws -> [(URL, String, [(String, String)])] {
        var out: [(URL, String, [(String, String)])] = []
        for (name, _) in runs {
            let dir = outputs.appendingPathComponent(name)
            let schema = try CLI.json(dir.appendingPathComponent("columns.json"))
            for (file, value) in schema.sorted(by: { $0.key < $1.key }) {
                let columns = (value as! [[String: Any]]).map { ($0["name"] as! String, $0["type"] as! String) }
                let present = FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path) ? file : file + ".gz"
                out.append((dir, present, columns))
            }
        }
        return out
    }

    static func text(_ url: URL) throws -> String {
        if url.path.hasSuffix(".gz") {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/gzip")
            p.arguments = ["-dc", url.path]
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// Fields of a CSV line (quotes as RFC 4180).
    static func fields(_ line: Substring) -> [String] {
        var out: [String] = [], field = "", quoted = false
        var chars = line.makeIterator()
        while let c = chars.next() {
            if quoted {
                if c == "\"" { quoted = false } else { field.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { out.append(field); field = "" }
            else { field.append(c) }
        }
        out.append(field)
        return out
    }

    @Test func everyFileHasTheColumnsAndTypesItsSchemaSays() throws {
        let files = try Self.files()
        #expect(Set(files.map(\.1)) == ["replicates.csv", "replicates.csv.gz", "cells.csv", "summary.csv", "power.csv"])
        for (dir, file, columns) in files {
            let lines = try Self.text(dir.appendingPathComponent(file)).split(separator: "\n")
            #expect(Self.fields(lines[0]) == columns.map(\.0), "\(file) header")
            #expect(lines.count > 1)
            for line in lines.dropFirst() {
                let f = Self.fields(line)
                #expect(f.count == columns.count, "\(file): \(line)")
                for (value, (name, type)) in zip(f, columns) {
                    #expect(!value.isEmpty, "\(file) \(name): an empty field (NA is the missing value)")
                    guard value != "NA" else { continue }
                    switch type {
                    case "integer": #expect(Int(value) != nil, "\(file) \(name): '\(value)' is not an integer")
                    case "number": #expect(Double(value)?.isFinite == true, "\(file) \(name): '\(value)' is not a finite number")
                    case "logical": #expect(value == "TRUE" || value == "FALSE", "\(file) \(name): '\(value)'")
                    default: #expect(!["nan", "NaN", "inf", "-inf", "true", "false"].contains(value), "\(file) \(name): '\(value)'")
                    }
                }
            }
        }
    }

    /// Files of two scenarios stack: the same header whatever the design.
    @Test func filesOfTwoScenariosStack() throws {
        for file in ["cells.csv", "summary.csv"] {
            let a = try Self.text(Self.outputs.appendingPathComponent("drift/\(file)")).split(separator: "\n")[0]
            let b = try Self.text(Self.outputs.appendingPathComponent("sweep/\(file)")).split(separator: "\n")[0]
            #expect(a == b, "\(file)")
        }
        let a = try Self.text(Self.outputs.appendingPathComponent("drift/replicates.csv")).split(separator: "\n")
        let b = try Self.text(Self.outputs.appendingPathComponent("sweep/replicates.csv.gz")).split(separator: "\n")
        #expect(a[0] == b[0])
        // One row per cohort × estimate: drift-overview has three methods and one fixed cutoff.
        #expect(a.count - 1 == 7 * 200 * 4)
        let methods = Set(a.dropFirst().map { Self.fields($0)[11] })
        #expect(methods == ["empirical", "binormal", "kernel", "fixed"])
    }

    static func runScript(_ interpreter: String, _ arguments: [String]) throws -> CLI.Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: interpreter)
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLI.Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// R reads every CSV file with the classes columns.json gives (read.csv with colClasses fails
    /// on a value that does not parse), and the values it reads are the text's.
    @Test(.enabled(if: Requirements.rscript, "needs Rscript (Debian: r-base-core)"))
    func rReadsEveryFileWithItsTypes() throws {
        let rscript = try #require(Requirements.which("Rscript"))
        let script = """
        args <- commandArgs(trailingOnly = TRUE)
        classes <- c(string = "character", integer = "integer", number = "numeric", logical = "logical")
        for (i in seq(1, length(args), by = 2)) {
          file <- args[i]; types <- strsplit(args[i + 1], ",")[[1]]
          d <- read.csv(file, colClasses = unname(classes[types]), na.strings = "NA")
          raw <- read.csv(file, colClasses = "character", na.strings = character(0))
          stopifnot(identical(names(d), names(raw)), nrow(d) == nrow(raw))
          for (k in seq_along(d)) {
            stopifnot(identical(is.na(d[[k]]), raw[[k]] == "NA"))
            stopifnot(class(d[[k]]) == classes[types[k]])
          }
          cat(basename(file), nrow(d), "rows", ncol(d), "columns\\n")
        }
        """
        let scriptFile = Self.outputs.appendingPathComponent("types.R")
        try script.write(to: scriptFile, atomically: false, encoding: .utf8)
        var args = [scriptFile.path]
        for (dir, file, columns) in try Self.files() {
            args += [dir.appendingPathComponent(file).path, columns.map(\.1).joined(separator: ",")]
        }
        let r = try Self.runScript(rscript, args)
        #expect(r.status == 0, "R: \(r.stderr)")
        #expect(r.stdout.split(separator: "\n").count == (try Self.files()).count, "\(r.stdout)")
    }

    /// pandas reads every file with the dtypes columns.json gives.
    @Test(.enabled(if: Requirements.pandas != nil, "needs pandas (Debian: python3-pandas)"))
    func pandasReadsEveryFileWithItsTypes() throws {
        let python = try #require(Requirements.pandas)
        let script = """
        import sys, json, pandas as pd
        dtypes = {"string": "string", "integer": "Int64", "number": "float64", "logical": "boolean"}
        args = sys.argv[1:]
        for file, types in zip(args[0::2], args[1::2]):
            if types == "json":
                j = json.load(open(file))
                if "cells" in j:
                    cells = pd.json_normalize(j["cells"])
                    assert cells["truth.cutoff"].dtype == "float64" and cells["reference"].dtype == bool, cells.dtypes
                else:
                    points = pd.json_normalize(j["targets"], "points", ["id"])
                    assert points["value"].dtype == "float64" and points["n"].dtype == "int64", points.dtypes
                print(file.rsplit("/", 1)[-1], "read")
                continue
            head = pd.read_csv(file, nrows=0).columns
            d = pd.read_csv(file, dtype={c: dtypes[t] for c, t in zip(head, types.split(","))}, keep_default_na=False, na_values=["NA"])
            raw = pd.read_csv(file, dtype=str, keep_default_na=False)
            assert list(d.columns) == list(raw.columns) and len(d) == len(raw)
            for c in d.columns:
                assert (d[c].isna() == (raw[c] == "NA")).all(), c
            print(file.rsplit("/", 1)[-1], len(d), "rows", len(d.columns), "columns")
        """
        let scriptFile = Self.outputs.appendingPathComponent("types.py")
        try script.write(to: scriptFile, atomically: false, encoding: .utf8)
        var args = [scriptFile.path]
        for (dir, file, columns) in try Self.files() {
            args += [dir.appendingPathComponent(file).path, columns.map(\.1).joined(separator: ",")]
        }
        // The JSON summaries too: summary.json of each run, power.json of the sweep.
        let jsons = ["drift/summary.json", "sweep/summary.json", "power/power.json"]
        for j in jsons { args += [Self.outputs.appendingPathComponent(j).path, "json"] }
        let r = try Self.runScript(python, args)
        #expect(r.status == 0, "pandas: \(r.stderr)")
        #expect(r.stdout.split(separator: "\n").count == (try Self.files()).count + jsons.count, "\(r.stdout)")
    }

    /// The README documents every column that columns.json lists.
    @Test func readmeDocumentsEveryColumn() throws {
        let readme = try String(contentsOf: CLI.repository.appendingPathComponent("README.md"), encoding: .utf8)
        for (_, file, columns) in try Self.files() {
            for (name, _) in columns { #expect(readme.contains("`\(name)`"), "README does not document \(file)'s column \(name)") }
        }
    }

    /// The README's R snippet draws its figure from a run's files.
    @Test(.enabled(if: Requirements.ggplot2 != nil, "needs R with ggplot2 (Debian: r-cran-ggplot2)"))
    func readmeRSnippetDrawsTheFigure() throws {
        try readmeSnippetDrawsTheFigure(fence: "r", interpreter: Requirements.ggplot2, png: "cutoffs-empirical-ggplot2.png")
    }

    /// The README's Python snippet draws its figure from a run's files.
    @Test(.enabled(if: Requirements.matplotlib != nil, "needs pandas and matplotlib (Debian: python3-pandas, python3-matplotlib)"))
    func readmePythonSnippetDrawsTheFigure() throws {
        try readmeSnippetDrawsTheFigure(fence: "python", interpreter: Requirements.matplotlib, png: "cutoffs-empirical-matplotlib.png")
    }

    func readmeSnippetDrawsTheFigure(fence: String, interpreter: String?, png: String) throws {
        let readme = try String(contentsOf: CLI.repository.appendingPathComponent("README.md"), encoding: .utf8)
        func block(_ fence: String) -> String? {
            guard let start = readme.range(of: "```\(fence)\n") else { return nil }
            guard let end = readme.range(of: "```", range: start.upperBound..<readme.endIndex) else { return nil }
            return String(readme[start.upperBound..<end.lowerBound])
        }
        let dir = try CLI.tempDir()
        let r = try CLI.run(["run", "drift-overview", "--quick", "--quiet", "--out", "output/drift-overview"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        do {
            let code = try #require(block(fence), "README has no ```\(fence) block")
            let interpreter = try #require(interpreter)
            let file = dir.appendingPathComponent("snippet.\(fence)")
            try code.write(to: file, atomically: false, encoding: .utf8)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: interpreter)
            p.arguments = [file.path]
            p.currentDirectoryURL = dir
            p.environment = ["PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg", "HOME": dir.path]
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            let e = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(fence) snippet: \(String(decoding: e, as: UTF8.self))")
            let size = (try? FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(png).path)[.size] as? Int) ?? 0
            #expect(size > 20_000, "\(png): \(size) bytes")
        }
    }

    @Test func versionNamesGSLAndTheLicence() throws {
        let r = try CLI.run(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("vbqlab 0.2.0 (GSL 2."), "\(r.stdout)")
        #expect(r.stdout.contains("GPL-3.0-or-later"))
    }
}
