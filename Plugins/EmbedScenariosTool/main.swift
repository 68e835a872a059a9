import Foundation

// EmbedScenariosTool OUTPUT FILE.yaml...: writes OUTPUT, a Swift file holding each scenario
// file's text under its name (the file name without .yaml). Run by the EmbedScenarios plugin.
let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else { fatalError("usage: EmbedScenariosTool OUTPUT FILE.yaml...") }
var scenarios: [(name: String, text: String)] = []
for path in arguments.dropFirst() {
    let url = URL(fileURLWithPath: path)
    let text = try String(contentsOf: url, encoding: .utf8)
    // A raw string literal ends at `"""#`; no scenario may contain it.
    precondition(!text.contains("\"\"\"#") && !text.contains("\\#"), "\(path) contains \"\"\"# or \\#, which would end or interpolate into the literal")
    scenarios.append((url.deletingPathExtension().lastPathComponent, text))
}
var swift = """
// Generated at build time by the EmbedScenarios plugin from scenarios/*.yaml.
/// The shipped scenarios, built into the binary so `vbqlab run` works from any folder.
public enum DefaultScenarios {
    /// What `vbqlab run` runs without a scenario argument.
    public static let defaultName = "drift-overview"

    /// Each shipped scenario's text, by name.
    public static let all: [String: String] = [

"""
for s in scenarios {
    swift += "        \"\(s.name)\": #\"\"\"\n\(s.text)\n\"\"\"#,\n"
}
swift += "    ]\n}\n"
try Data(swift.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
