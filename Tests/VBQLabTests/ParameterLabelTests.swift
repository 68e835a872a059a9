import Foundation
import Testing
import VBQLab

/// The words for parameters are keyed by path: each key must be a parameter a scenario has, or a
/// figure would silently fall back to the path for a parameter someone renamed.
@Suite struct ParameterLabelTests {
    /// The node at a dotted path of a resolved model (every default filled in).
    static func node(_ root: YNode, _ path: String) -> YNode? {
        var node: YNode? = root
        for part in path.split(separator: ".") {
            node = node?.entries?.first { $0.key == String(part) }?.value
        }
        return node
    }

    @Test func everyLabelNamesAParameter() throws {
        let mechanistic = try ScenarioSource.load("drift-overview").0.resolvedModelNode
        let classConditional = try ScenarioSource.load("wu2025-baseline").0.resolvedModelNode
        let followUp = try ScenarioSource.load("follow-up").0.resolvedModelNode
        for path in ParameterLabels.table.keys.sorted() {
            #expect(Self.node(mechanistic, path) != nil || Self.node(classConditional, path) != nil || Self.node(followUp, path) != nil,
                    "'\(path)' is not a parameter of either family")
        }
        #expect(Self.node(mechanistic, "measurement.field.no_such_key") == nil)
    }

    /// Figure keys, panel titles, tables and sentences name a level in words, one definition for all.
    @Test func levelsReadAsWords() {
        #expect(ParameterLabels.phrase("measurement.field.share_1_5T", level: "0") == "no scan at 1.5 T")
        #expect(ParameterLabels.phrase("measurement.field.share_1_5T", level: "0.25") == "25% of scans at 1.5 T")
        #expect(ParameterLabels.phrase("measurement.field.share_1_5T", level: "1") == "every scan at 1.5 T")
        #expect(ParameterLabels.phrase("selection.q", level: "0.6") == "60% of poor-bone patients not operated on")
        #expect(ParameterLabels.phrase("measurement.csf.p_stenosis", level: "0.125") == "12.5% with CSF at L2/L4")
        #expect(ParameterLabels.phrase("measurement.field.factor_1_5T", level: "1.26") == "1.5 T factor ×1.26")
        #expect(ParameterLabels.phrase("measurement.readers.adjudication", level: "false") == "mean of two readers")
        #expect(ParameterLabels.phrase("outcome.definition", level: "radiographic_loosening") == "failure: radiographic loosening")
        #expect(ParameterLabels.phrase("measurement.rounding", level: "0") == "scores not rounded")
        #expect(ParameterLabels.phrase("cohort.size", level: "256") == "n = 256")
        #expect(ParameterLabels.phrase("measurement.scanner.per_field", level: "2") == "measurement.scanner.per_field = 2")
    }

    @Test func unlabelledParametersAreNamedByTheirPath() {
        #expect(ParameterLabels.axis("measurement.scanner.per_field") == "measurement.scanner.per_field")
        #expect(ParameterLabels.short("measurement.field.share_1_5T") == "1.5 T share")
    }
}

/// Every mechanistic parameter's default says where it comes from, and every literature row it
/// cites is in docs/literature.md.
@Suite struct ParameterSourceTests {
    @Test func everyDefaultCitesASourceThatExists() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let literature = try String(contentsOf: root.appendingPathComponent("docs/literature.md"), encoding: .utf8)
        let rows = Set(literature.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| ") else { return nil }
            return line.dropFirst(2).split(separator: " ").first.map(String.init)
        })
        let parameters = Schema.parameters
        #expect(parameters.count > 40)
        for (path, parameter) in parameters {
            let source = parameter.source
            #expect(!source.isEmpty, "\(path) states no source")
            var rest = Substring(source)
            while let r = rest.range(of: "lit:") {
                let id = rest[r.upperBound...].prefix { $0.isLetter || $0.isNumber }
                #expect(rows.contains(String(id)), "\(path) cites lit:\(id), which docs/literature.md does not have")
                rest = rest[r.upperBound...]
            }
        }
    }
}
