import VBQCore
import VBQEstimate
/// The cells of a scenario: the cross product of its `vary` factors (or the named subset).
///
///     let design = try Design(scenario)
///     design.cells.count            // 5 for the baseline's size grid
///     design.reference.factors      // [("cohort.size", "256")]
public struct Design: Sendable {
    public let scenario: Scenario
    public let cells: [Cell]

    public init(_ scenario: Scenario) throws {
        self.scenario = scenario
        let reader = NodeReader(file: scenario.file)
        let radices = scenario.factors.map(\.levels.count)
        var cells: [Cell] = []
        let decoded = scenario.cellModels.count == scenario.cellLevels.count
        for (i, levels) in scenario.cellLevels.enumerated() {
            let model = decoded ? scenario.cellModels[i]
                : try ScenarioLoader.cellModel(levels: levels, factors: scenario.factors, base: scenario.resolvedModelNode, reader: reader)
            // The stream key is the cell's position in the full cross product, so choosing a
            // subset or adding cells does not change an existing cell's random numbers.
            var fullIndex = 0
            for (f, level) in levels.enumerated() { fullIndex = fullIndex * radices[f] + level }
            let factors = scenario.factors.enumerated().map { f, factor in (factor.path, factor.labels[levels[f]]) }
            cells.append(Cell(index: i, id: "c\(i + 1)", factors: factors.map { FactorLevel(name: $0.0, level: $0.1) },
                              isReference: levels == scenario.referenceLevels, model: model,
                              streamKey: scenario.streams == .common ? 0 : UInt64(fullIndex)))
        }
        self.cells = cells
    }

    public var reference: Cell { cells.first { $0.isReference }! }
}

/// One cell of the design.
public struct Cell: Sendable {
    public let index: Int
    public let id: String
    public let factors: [FactorLevel]
    public let isReference: Bool
    public let model: ModelSpec
    /// The cell's component of the seed-tree path.
    public let streamKey: UInt64

    /// "cohort.size=256" (or "baseline" for a scenario without factors).
    public var label: String {
        factors.isEmpty ? "baseline" : factors.map { "\($0.name)=\($0.level)" }.joined(separator: ", ")
    }
}

public struct FactorLevel: Sendable, Equatable {
    public let name: String
    public let level: String
}

extension Design {
    /// A cell named by what differs from the reference ("reference" for the reference itself),
    /// e.g. "share_1_5T = 1".
    public func cellName(_ cell: Cell) -> String {
        let ref = reference
        let differing = zip(cell.factors, ref.factors).filter { $0.0.level != $0.1.level }.map(\.0)
        if differing.isEmpty { return cell.factors.isEmpty ? "baseline" : "reference" }
        let paths = scenario.factors.map(\.path)
        return differing.map { "\(Design.shortName($0.name, among: paths)) = \($0.level)" }.joined(separator: ", ")
    }

    /// What differs from the reference in `cell`, in words ("25% of scans at 1.5 T, 1.5 T
    /// factor ×1.26"): what figures, tables and sentences call a cell. `cellName` is the same in
    /// parameter paths, for files a program reads.
    public func cellWords(_ cell: Cell) -> String {
        let differing = zip(cell.factors, reference.factors).filter { $0.0.level != $0.1.level }.map(\.0)
        if differing.isEmpty { return cell.factors.isEmpty ? "baseline" : "reference" }
        return differing.map { ParameterLabels.phrase($0.name, level: $0.level) }.joined(separator: ", ")
    }

    /// The last part of a parameter path, or more of it when that part is not unique.
    public static func shortName(_ path: String, among paths: [String]) -> String {
        let parts = path.split(separator: ".").map(String.init)
        for k in 1...max(1, parts.count) {
            let tail = parts.suffix(k).joined(separator: ".")
            if paths.filter({ $0 == tail || $0.hasSuffix("." + tail) }).count <= 1 { return tail }
        }
        return path
    }
}
