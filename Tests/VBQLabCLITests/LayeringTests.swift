import Foundation
import Testing

/// The layers' rule that SwiftPM does not check itself: only VBQCore imports the C modules (GSL,
/// the C kernels, zlib), even though every layer above could reach them through VBQCore. (An
/// import of a higher layer cannot compile, and `make` builds with
/// --explicit-target-dependency-import-check error, which refuses an undeclared target.)
@Suite struct LayeringTests {
    @Test func onlyTheCoreImportsCModules() throws {
        let sources = CLI.repository.appendingPathComponent("Sources")
        let targets = try FileManager.default.contentsOfDirectory(atPath: sources.path)
        var checked = 0
        for target in targets where target.hasPrefix("VBQ") || target == "vbqlab" {
            let files = FileManager.default.enumerator(atPath: sources.appendingPathComponent(target).path)?
                .compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
            for file in files {
                let text = try String(contentsOf: sources.appendingPathComponent(target).appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") where line.contains("import ") {
                    let words = line.split(separator: " ")
                    guard let i = words.firstIndex(of: "import"), i + 1 < words.count else { continue }
                    let module = words[i + 1]
                    if ["CGSL", "CGSLShims", "CZlib"].contains(String(module)) {
                        #expect(target == "VBQCore", "\(target)/\(file) imports \(module)")
                    }
                }
                checked += 1
            }
        }
        #expect(checked > 80, "read \(checked) source files")
    }

    /// A gnuplot script's fixed words come from string literals only: nothing outside the
    /// builder makes a part from a `String` value with an explicit `init(stringLiteral:)`.
    @Test func gnuplotWordsAreLiterals() throws {
        let sources = CLI.repository.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        #expect(files.count > 80)
        for file in files where !file.hasSuffix("Output/Gnuplot.swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains("stringLiteral:"), "\(file) builds a gnuplot word from a value")
        }
    }
}
