// libFuzzer target: the CSV reader and `analyze`'s dataset, estimators and bootstrap. Any input
// must end in an analysis or a VBQError — never a trap, an abort or a hang. Built and run by
// `make fuzz` (see fuzz/README.md).
import Foundation
import VBQLab

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    GSL.configure()
    let bytes = Data(bytes: data, count: size)
    guard let text = String(data: bytes, encoding: .utf8) else {
        _ = CSVTable.firstNonUTF8Line(bytes)
        return 0
    }
    do {
        let table = try CSVTable.parse(text, file: "fuzz.csv")
        guard table.header.count >= 2 else { return 0 }
        let dataset = try Dataset.load(table: table, file: "fuzz.csv", scoreColumn: table.header[0], outcomeColumn: table.header[1],
                                       positive: nil, dropInvalid: size % 2 == 0)
        let analysis = dataset.analyse(cutoffs: [3.3, -1])
        _ = analysis.estimates.map(\.cutoff)
        _ = dataset.bootstrap(methods: EstimationMethod.allCases, replicates: 3, seed: 1)
    } catch is VBQError {
        return 0
    } catch {
        fatalError("an error that is not a VBQError: \(error)")
    }
    return 0
}
