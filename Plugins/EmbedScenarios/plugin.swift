import Foundation
import PackagePlugin

/// Builds the shipped scenarios (scenarios/*.yaml) into VBQModel, so `vbqlab run NAME` works
/// from any folder and the YAML files stay the one copy of them: at every build the tool writes
/// `DefaultScenarios.swift` from the files into the build folder.
@main struct EmbedScenarios: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.package.directoryURL.appending(path: "scenarios")
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "DefaultScenarios.swift")
        return [.buildCommand(displayName: "Embedding \(files.count) shipped scenarios",
                              executable: try context.tool(named: "EmbedScenariosTool").url,
                              arguments: [output.path] + files.map(\.path),
                              inputFiles: files, outputFiles: [output])]
    }
}
