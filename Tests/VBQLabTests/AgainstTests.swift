import Foundation
import Testing
import VBQLab
import VBQTestSupport

/// `analyze --against`: a dataset placed among cohorts of its own class counts simulated in a
/// scenario's cells.
@Suite struct AgainstTests {
    /// A dataset drawn from a cell, as a study in that population would collect it.
    static func dataset(_ cell: Cell, seed: UInt64) -> Dataset {
        let rng = RandomStream()
        rng.reset(to: SeedTree(root: seed).state(for: [0xDA7A, seed]))
        var e: [Double] = [], n: [Double] = []
        CohortGenerator(model: cell.model).generate(rng, events: &e, nonEvents: &n)
        return Dataset(positives: e, negatives: n)
    }

    /// Datasets simulated from a cell lie inside that cell's simulated 95% range about 95% of
    /// the time: 300 datasets, 400 simulated cohorts each (an estimated range covers a little
    /// less than 95%: (R − 1)/(R + 1)·0.95 ≈ 0.945), within 3.5 binomial SEs.
    @Test func datasetsFromACellAreInsideItsRangeAbout95PercentOfTheTime() throws {
        let (scenario, _) = try ScenarioSource.load("wu2025-baseline")
        let cell = try Design(scenario).cells.first { $0.id == "c3" }!
        var inside = 0
        let trials = 300
        for i in 0..<trials {
            let report = DatasetReport(Self.dataset(cell, seed: UInt64(1000 + i)), direction: .higher, cutoffs: [], bootstrap: 0, seed: 1)
            let a = try AgainstResult.make(report, scenario: scenario, cellID: "c3", replicates: 400, seed: UInt64(i), threads: 2)
            if a.cells[0].cutoff.inside { inside += 1 }
        }
        let share = Double(inside) / Double(trials)
        let se = (0.945 * 0.055 / Double(trials)).squareRoot()
        #expect(isClose(share, 0.945, .monteCarlo(3.5 * se)), "inside \(inside) of \(trials)")
    }

    /// A dataset from an all-1.5 T centre with the ×1.26 field factor is placed in the 1.5 T
    /// cells of field-strength, and outside every all-3.0 T cell.
    @Test func aFifteenTeslaDatasetIsPlacedInTheFifteenTeslaCells() throws {
        let (scenario, _) = try ScenarioSource.load("field-strength")
        let cells = try Design(scenario).cells
        func level(_ c: Cell, _ path: String) -> String { c.factors.first { $0.name == path }!.level }
        let source = cells.first { level($0, "measurement.field.share_1_5T") == "1" && level($0, "measurement.field.factor_1_5T") == "1.26" }!
        let report = DatasetReport(Self.dataset(source, seed: 7), direction: nil, cutoffs: [], bootstrap: 0, seed: 1)
        #expect(report.direction == .higher)
        let a = try AgainstResult.make(report, scenario: scenario, cellID: nil, replicates: 500, seed: 3, threads: 2)
        #expect(a.cells.count == 15)
        let own = a.cells.first { $0.cell.id == source.id }!
        #expect(own.cutoff.inside, "own cell: \(own.cutoff.percentile)%")
        for c in a.cells where level(c.cell, "measurement.field.share_1_5T") == "0" {
            #expect(!c.cutoff.inside && c.cutoff.percentile > 97.5, "\(c.cell.id) \(c.contrast): \(c.cutoff.percentile)%")
        }
        #expect(a.compatible.contains { $0.cell.id == source.id })
        // Same seed, same placement.
        let again = try AgainstResult.make(report, scenario: scenario, cellID: nil, replicates: 500, seed: 3, threads: 1)
        #expect(again.cells.map(\.cutoff.percentile) == a.cells.map(\.cutoff.percentile))
    }

    @Test func aCellThatDoesNotExistIsRefused() throws {
        let (scenario, _) = try ScenarioSource.load("wu2025-baseline")
        let report = DatasetReport(Dataset(positives: [3.1, 3.5, 3.9], negatives: [2.5, 2.9, 3.2]), direction: nil, cutoffs: [], bootstrap: 0, seed: 1)
        #expect(throws: VBQError.self) { try AgainstResult.make(report, scenario: scenario, cellID: "c99", replicates: 100, seed: 1, threads: 1) }
        do { _ = try AgainstResult.make(report, scenario: scenario, cellID: "c99", replicates: 100, seed: 1, threads: 1) } catch let e as VBQError {
            #expect(e.description == "--cell: 'c99' is not a cell of wu2025-baseline (cells c1–c5; vbqlab validate wu2025-baseline lists them)")
        }
    }
}
