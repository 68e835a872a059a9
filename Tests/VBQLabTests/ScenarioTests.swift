import Foundation
import Testing
import VBQLab

/// Scenario files: loading, defaults, the design grid, and one-line errors naming file, line and key.
@Suite struct ScenarioTests {
    static let good = """
    name: t
    seed: 5
    replicates: 100
    cohort: { events: 67, non_events: 189 }
    generator:
      family: class_conditional
      event: { distribution: normal, mean: 3.62, sd: 0.46 }
      non_event: { distribution: normal, mean: 2.97, sd: 0.43 }
    fixed_cutoffs: [3.3]
    vary:
      cohort.size: [128, 256]
      generator.event.mean: [3.5, 3.62]
    reference: { cohort.size: 256, generator.event.mean: 3.62 }
    """

    @Test func loadsAndExpandsTheGrid() throws {
        let s = try ScenarioLoader.load(text: Self.good, file: "t.yaml")
        let d = try Design(s)
        #expect(d.cells.count == 4)
        #expect(d.reference.label == "cohort.size=256, generator.event.mean=3.62")
        #expect(d.cells.map(\.model.cohort.size) == [128, 128, 256, 256])
        // Varying the size of a fixed-count cohort keeps its prevalence: 128 × 67/256 = 33.5 → 34 events.
        #expect(d.cells[0].model.cohort.fixedEvents == 34)
        #expect(d.cells[0].model.generator == .classConditional(event: .normal(mean: 3.5, sd: 0.46), nonEvent: .normal(mean: 2.97, sd: 0.43)))
        #expect(s.model.methods == [.empirical, .binormal, .kernel])   // default
        #expect(s.model.precision == 0.1)                               // default
    }

    @Test func resolvedScenarioReloadsToTheSameDesign() throws {
        let s = try ScenarioLoader.load(text: Self.good, file: "t.yaml")
        let again = try ScenarioLoader.load(text: s.resolvedNode.emitted(), file: "resolved.yaml")
        let a = try Design(s), b = try Design(again)
        #expect(a.cells.map(\.model) == b.cells.map(\.model))
        #expect(a.cells.map(\.label) == b.cells.map(\.label))
        #expect(again.seed == 5 && again.replicates == 100)
    }

    @Test func subsetKeepsStreamKeys() throws {
        let text = Self.good + "\nsubset:\n  - { cohort.size: 256, generator.event.mean: 3.62 }\n  - { cohort.size: 128, generator.event.mean: 3.5 }\n"
        let d = try Design(try ScenarioLoader.load(text: text, file: "t.yaml"))
        #expect(d.cells.count == 2)
        #expect(d.cells.map(\.streamKey) == [0, 3])
    }

    static let scenarioFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scenarios")

    // Every shipped scenario is built into the binary byte for byte (the EmbedScenarios plugin).
    @Test func builtInScenariosAreTheFilesInScenarios() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.scenarioFolder.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.count == DefaultScenarios.all.count)
        for f in files {
            let text = try String(contentsOf: Self.scenarioFolder.appendingPathComponent(f), encoding: .utf8)
            #expect(DefaultScenarios.all[String(f.dropLast(5))] == text, "\(f) differs from its built-in copy (the EmbedScenarios build plugin writes it)")
        }
        #expect(DefaultScenarios.all[DefaultScenarios.defaultName] != nil)
    }

    /// Every shipped scenario states the question its report answers first, and `list` shows it.
    @Test func shippedScenariosAskTheirQuestion() throws {
        for (name, question) in ScenarioSource.shipped {
            #expect(question.hasSuffix("?") && question.count > 20, "\(name): '\(question)'")
            let s = try ScenarioLoader.load(text: DefaultScenarios.all[name]!, file: "\(name).yaml")
            #expect(s.question == question)
        }
        #expect(ScenarioSource.shipped.count == DefaultScenarios.all.count)
    }

    @Test func baselineScenario() throws {
        let s = try ScenarioLoader.load(text: DefaultScenarios.all["wu2025-baseline"]!, file: "wu2025-baseline.yaml")
        #expect(s.replicates == 10000)
        #expect(try Design(s).cells.map(\.model.cohort.size) == [64, 128, 256, 512, 1024])
        #expect(try Design(s).reference.model.cohort.fixedEvents == 67)
    }

    // Every shipped scenario loads, and each number in it names its source in a comment
    // (a lit: row, the seed paper, or "assumed"), except inside `reference:` (which restates
    // levels cited under `vary`) and the free-text `description` and `question`.
    @Test func shippedScenariosLoadAndCiteTheirNumbers() throws {
        for (name, text) in DefaultScenarios.all {
            _ = try Design(try ScenarioLoader.load(text: text, file: "\(name).yaml"))
            var block = ""
            for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = String(raw)
                let parts = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let code = parts[0], comment = parts.count > 1 ? parts[1] : ""
                if let first = code.first, first != " " { block = String(code.prefix { $0 != ":" }) }
                guard code.contains(where: \.isNumber), !["reference", "description", "question", "name"].contains(block) else { continue }
                let cited = ["lit:", "seed paper", "assumed", "calibrated"].contains { comment.contains($0) }
                #expect(cited, "\(name).yaml line \(i + 1) has a number without a source: \(line)")
            }
        }
    }

    /// Every `lit:ID` a shipped scenario cites is a row of the repository's docs/literature.md.
    @Test func citedLiteratureRowsExist() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let table = try String(contentsOf: repo.appendingPathComponent("docs/literature.md"), encoding: .utf8)
        let rows = Set(table.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| ") else { return nil }
            let id = line.dropFirst(2).prefix { $0 != " " }
            return id.count >= 2 && id.first!.isUppercase && id.dropFirst().allSatisfy(\.isNumber) ? String(id) : nil
        })
        #expect(rows.count > 30)
        var cited = 0
        for (name, text) in DefaultScenarios.all {
            var rest = Substring(text)
            while let r = rest.range(of: "lit:") {
                let id = rest[r.upperBound...].prefix { $0.isLetter || $0.isNumber }
                #expect(rows.contains(String(id)), "\(name).yaml cites lit:\(id), which docs/literature.md does not have")
                cited += 1
                rest = rest[r.upperBound...]
            }
        }
        #expect(cited > 20)
    }

    /// (what is wrong, the YAML, the expected "file:line: key: ..." prefix, a word of the rule)
    static let bad: [(String, String, String, String)] = [
        ("unknown top-level key", "name: x\nreplicate: 10\ncohort: {events: 5, non_events: 5}\ngenerator: {event: {distribution: normal, mean: 1, sd: 1}, non_event: {distribution: normal, mean: 0, sd: 1}}\n",
         "bad.yaml:2: replicate:", "did you mean 'replicates'"),
        ("negative SD", "cohort: {events: 5, non_events: 5}\ngenerator:\n  event: {distribution: normal, mean: 1, sd: -0.4}\n  non_event: {distribution: normal, mean: 0, sd: 1}\n",
         "bad.yaml:3: generator.event.sd:", "greater than 0"),
        ("prevalence outside (0,1)", "cohort: {size: 100, prevalence: 1.2}\ngenerator: {event: {distribution: normal, mean: 1, sd: 1}, non_event: {distribution: normal, mean: 0, sd: 1}}\n",
         "bad.yaml:1: cohort.prevalence:", "outside (0, 1)"),
        ("counts < 1", "cohort:\n  events: 0\n  non_events: 5\ngenerator: {event: {distribution: normal, mean: 1, sd: 1}, non_event: {distribution: normal, mean: 0, sd: 1}}\n",
         "bad.yaml:2: cohort.events:", "at least 1"),
        ("mixture weights", "cohort: {events: 5, non_events: 5}\ngenerator:\n  event:\n    distribution: mixture\n    components:\n      - {weight: 0.5, distribution: normal, mean: 1, sd: 1}\n      - {weight: 0.7, distribution: normal, mean: 2, sd: 1}\n  non_event: {distribution: normal, mean: 0, sd: 1}\n",
         "bad.yaml:6: generator.event.components:", "sum to 1.2, must sum to 1"),
        ("unknown distribution", "cohort: {events: 5, non_events: 5}\ngenerator:\n  event: {distribution: gausian, mean: 1, sd: 1}\n  non_event: {distribution: normal, mean: 0, sd: 1}\n",
         "bad.yaml:3: generator.event.distribution:", "did you mean 'normal'"),
        ("unknown parameter of a distribution", "cohort: {events: 5, non_events: 5}\ngenerator:\n  event: {distribution: normal, mean: 1, sdev: 1}\n  non_event: {distribution: normal, mean: 0, sd: 1}\n",
         "bad.yaml:3: generator.event.sdev:", "did you mean 'sd'"),
        ("vary path that does not exist", "cohort: {events: 5, non_events: 5}\ngenerator: {event: {distribution: normal, mean: 1, sd: 1}, non_event: {distribution: normal, mean: 0, sd: 1}}\nvary:\n  generator.evnt.mean: [1, 2]\n",
         "bad.yaml:4: vary.generator.evnt.mean:", "did you mean 'event'"),
        ("a level that breaks a rule", "cohort: {events: 5, non_events: 5}\ngenerator: {event: {distribution: normal, mean: 1, sd: 1}, non_event: {distribution: normal, mean: 0, sd: 1}}\nvary:\n  generator.event.sd: [1, -2]\n",
         "bad.yaml:4: generator.event.sd:", "greater than 0"),
        ("reference not a level", "cohort: {events: 5, non_events: 5}\ngenerator: {event: {distribution: normal, mean: 1, sd: 1}, non_event: {distribution: normal, mean: 0, sd: 1}}\nvary:\n  cohort.size: [10, 20]\nreference: {cohort.size: 30}\n",
         "bad.yaml:5: reference.cohort.size:", "not one of its levels"),
        ("replicates not a number", "replicates: many\ncohort: {events: 5, non_events: 5}\ngenerator: {event: {distribution: normal, mean: 1, sd: 1}, non_event: {distribution: normal, mean: 0, sd: 1}}\n",
         "bad.yaml:1: replicates:", "not a whole number"),
        ("unknown method", "cohort: {events: 5, non_events: 5}\ngenerator: {event: {distribution: normal, mean: 1, sd: 1}, non_event: {distribution: normal, mean: 0, sd: 1}}\nmethods: [empirical, kernal]\n",
         "bad.yaml:3: methods[1]:", "did you mean 'kernel'"),
        ("not YAML", "cohort: {events: 5\n", "bad.yaml:", "not valid YAML"),
        ("missing generator", "cohort: {events: 5, non_events: 5}\n", "bad.yaml:1: generator:", "missing"),
        ("gamma with two parameterisations", "cohort: {events: 5, non_events: 5}\ngenerator:\n  event: {distribution: gamma, shape: 2, mean: 3, sd: 1}\n  non_event: {distribution: normal, mean: 0, sd: 1}\n",
         "bad.yaml:3: generator.event.mean:", "one parameterisation"),
    ]

    @Test(arguments: bad.indices)
    func badScenarioGivesOneLineError(_ i: Int) {
        let (what, yaml, prefix, rule) = Self.bad[i]
        do {
            _ = try Design(try ScenarioLoader.load(text: yaml, file: "bad.yaml"))
            Issue.record("\(what): accepted")
        } catch let e as VBQError {
            let text = e.description
            #expect(text.hasPrefix(prefix), "\(what): \(text)")
            #expect(text.contains(rule), "\(what): \(text)")
            #expect(!text.contains("\n"), "\(what): more than one line")
        } catch {
            Issue.record("\(what): unexpected error \(error)")
        }
    }
}
