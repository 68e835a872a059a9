/// Binned distribution of one method's estimated cutoffs, per cell, on shared bins (for plots).
public struct CutoffHistogram: Sendable {
    public let method: EstimationMethod
    /// Bin edges (bins + 1 values).
    public let edges: [Double]
    /// Density (count / (replicates-with-a-value · bin width)) per cell, per bin.
    public let density: [[Double]]

    public init?(method: EstimationMethod, table: ReplicateTable, cells: Int, bins: Int = 60) {
        guard let col = table.layout.methodColumn(method, "cutoff") else { return nil }
        let perCell = (0..<cells).map { table.column(col, cell: $0).filter { $0.isFinite }.sorted() }
        let lows = perCell.compactMap { $0.isEmpty ? nil : Numerics.quantile(sorted: $0, 0.001) }
        let highs = perCell.compactMap { $0.isEmpty ? nil : Numerics.quantile(sorted: $0, 0.999) }
        guard let lo = lows.min(), let hi = highs.max(), hi > lo else { return nil }
        let width = (hi - lo) / Double(bins)
        self.method = method
        edges = (0...bins).map { lo + width * Double($0) }
        density = perCell.map { values in
            var counts = [Double](repeating: 0, count: bins)
            for v in values where v >= lo && v <= hi {
                counts[min(bins - 1, Int((v - lo) / width))] += 1
            }
            let total = Double(max(values.count, 1))
            return counts.map { $0 / (total * width) }
        }
    }
}
