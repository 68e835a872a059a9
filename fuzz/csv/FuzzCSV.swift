// libFuzzer target: the CSV reader and `analyze`'s dataset, estimators and bootstrap, and the
// covariate analysis of `--covariates` (every further column a covariate, the third as an
// indicator of its first value; ML and Firth with profile CIs). Any input
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
        if table.header.count >= 3, table.rows.count <= 400 {
            var list = table.header.dropFirst(2).prefix(4).map { $0.replacingOccurrences(of: ",", with: "") }
            if let first = table.rows.first?.fields[2] { list[0] += "=" + first.replacingOccurrences(of: ",", with: "") }
            let columns = try CovariateColumn.parse(list.joined(separator: ","))
            let data = try CovariateData.load(table: table, file: "fuzz.csv", dataset: dataset, scoreColumn: table.header[0],
                                              outcomeColumn: table.header[1], covariates: columns)
            let report = CovariateReport(data, rule: size % 3 == 0 ? .fixed(3.3) : .estimated)
            _ = CovariateOutput.text(report)
            _ = CovariateOutput.json(report).rendered()
        }
    } catch is VBQError {
        return 0
    } catch {
        fatalError("an error that is not a VBQError: \(error)")
    }
    return 0
}
