// libFuzzer target: the scenario loader, the design, and (for small class-conditional designs
// and small designs with follow-up) the truth and a run of two or three cohorts. Any input must end in a scenario or a VBQError — never a
// trap, an abort, a hang or unbounded memory. Built and run by `make fuzz` (see fuzz/README.md).
import Foundation
import VBQLab

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScenario(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    GSL.configure()
    guard let text = String(data: Data(bytes: data, count: size), encoding: .utf8) else { return 0 }
    do {
        let scenario = try ScenarioLoader.load(text: text, file: "fuzz.yaml")
        let design = try Design(scenario)
        if scenario.power != nil {
            _ = try? PowerSpec.load(scenario: scenario, n: nil, nRange: nil, events: nil, targets: [], power: nil, alpha: nil, replicates: nil)
        }
        // A small design with follow-up runs whole too (its truth at --quick size): the mode times,
        // censoring and the time-dependent ROC take hostile parameters.
        let timed = design.cells.count <= 2 && design.cells.allSatisfy { $0.model.followUp != nil && $0.model.cohort.size <= 300 }
        if timed {
            _ = try Runner.run(RunRequest(scenario: scenario, replicates: 2, threads: 1, quick: true))
            return 0
        }
        let small = design.cells.count <= 4 && design.cells.allSatisfy {
            if case .classConditional = $0.model.generator { return $0.model.cohort.size <= 5_000 } else { return false }
        }
        guard small else { return 0 }
        for cell in design.cells { _ = try TruthSolver.truth(for: cell.model) }
        _ = try Runner.run(RunRequest(scenario: scenario, replicates: 3, threads: 1))
    } catch is VBQError {
        return 0
    } catch {
        fatalError("an error that is not a VBQError: \(error)")
    }
    return 0
}
