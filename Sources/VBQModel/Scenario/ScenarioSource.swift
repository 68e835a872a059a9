import Foundation
import VBQCore
import VBQEstimate

/// What a SCENARIO argument means: an existing file is read; otherwise a shipped scenario's
/// name (with or without `.yaml`) runs the copy built into the binary. A folder is never a
/// scenario.
///
///     let (scenario, note) = try ScenarioSource.load("readers")
public enum ScenarioSource {
    /// The shipped scenarios with the question each answers (its `question:`).
    public static var shipped: [(name: String, question: String)] {
        DefaultScenarios.all.keys.sorted().map { name in
            let root = try? YNode.parse(DefaultScenarios.all[name]!, file: name)
            return (name, root?.entries?.first { $0.key == "question" }?.value.scalar ?? "")
        }
    }

    /// The scenario named by `argument` (nil: the default scenario), and a note for the user when
    /// a shipped name was used while an edited file of that name sits in ./scenarios/.
    public static func load(_ argument: String?) throws -> (Scenario, note: String?) {
        guard let argument else {
            return (try ScenarioLoader.load(text: DefaultScenarios.all[DefaultScenarios.defaultName]!,
                                            file: "\(DefaultScenarios.defaultName).yaml (built in)"), nil)
        }
        guard !argument.isEmpty else {
            throw VBQError(key: "SCENARIO", "is empty; give a scenario file or a shipped name (vbqlab list)")
        }
        var st = stat()
        let exists = stat(argument, &st) == 0
        if exists && (st.st_mode & S_IFMT) == S_IFREG { return (try ScenarioLoader.load(path: argument), nil) }
        let key = argument.hasSuffix(".yaml") ? String(argument.dropLast(5)) : argument
        if !key.contains("/"), let text = DefaultScenarios.all[key] {
            var note: String? = nil
            let local = "scenarios/\(key).yaml"
            if let data = FileManager.default.contents(atPath: local), String(decoding: data, as: UTF8.self) != text {
                note = "ran the shipped scenario '\(key)'; ./\(local) differs from it (give the path, vbqlab run \(local), to run your file)"
            } else if exists {
                note = "ran the shipped scenario '\(key)'; the folder ./\(argument) is not a scenario"
            }
            return (try ScenarioLoader.load(text: text, file: "\(key).yaml (built in)"), note)
        }
        if exists {
            throw VBQError(file: argument, "is \((st.st_mode & S_IFMT) == S_IFDIR ? "a folder" : "not a regular file"); give a scenario file (.yaml) or the name of a shipped scenario (vbqlab list)")
        }
        let names = DefaultScenarios.all.keys.sorted()
        throw VBQError(file: argument, "no such file, and no shipped scenario of that name\(suggestion(for: URL(fileURLWithPath: key).lastPathComponent, among: names)); shipped: \(names.joined(separator: ", "))")
    }
}
