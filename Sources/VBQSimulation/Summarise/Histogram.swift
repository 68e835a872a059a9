import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// The distribution of one method's estimated cutoffs per cell, on a shared grid of 200 points
/// (for the figures): a Gaussian kernel density, or, where the cutoffs can take only the values of
/// a lattice (rounded scores make every cutoff a point of the rounding grid), a histogram with one
/// bar per lattice value, so that a figure shows the cutoffs a study can actually report rather
/// than a smooth curve between them.
///
/// Each smooth cell's bandwidth is Silverman's rule, 0.9·min(SD, IQR/1.34)·R^(−1/5) for its R
/// cutoffs, so it shrinks as the replicates grow.
public struct CutoffHistogram: Sendable {
    public let method: EstimationMethod
    /// Where the density is evaluated (200 points from the smallest 0.1% point to the largest 99.9%
    /// point, widened by 2.5 bandwidths so the tails are drawn).
    public let grid: [Double]
    /// Density per cell, per grid point (zero for a cell without cutoffs).
    public let density: [[Double]]
    /// The bandwidth of each cell (NaN without cutoffs, or for a lattice).
    public let bandwidth: [Double]
    /// Per cell, the lattice step when its cutoffs sit on a lattice (drawn as a histogram of bars
    /// that wide, each of height share ÷ step), else nil.
    public let lattice: [Double?]

    public init?(method: EstimationMethod, table: ReplicateTable, cells: Int, points: Int = 200) {
        guard let col = table.layout.column(.method(method, .cutoff)) else { return nil }
        let perCell = (0..<cells).map { table.column(col, cell: $0).filter { $0.isFinite }.sorted() }
        let lows = perCell.compactMap { $0.isEmpty ? nil : Numerics.quantile(sorted: $0, 0.001) }
        let highs = perCell.compactMap { $0.isEmpty ? nil : Numerics.quantile(sorted: $0, 0.999) }
        guard let lo0 = lows.min(), let hi0 = highs.max(), hi0 > lo0 else { return nil }
        let steps = perCell.map { CutoffHistogram.latticeStep(sorted: $0) }
        let widest = zip(perCell, steps).compactMap { x, step in x.count > 1 && step == nil ? CutoffHistogram.bandwidth(sorted: x) : nil }.max() ?? 0
        let pad = max(0.05 * (hi0 - lo0), 2.5 * widest, steps.compactMap { $0 }.max() ?? 0)
        let lo = lo0 - pad, hi = hi0 + pad
        self.method = method
        grid = (0..<points).map { lo + (hi - lo) * Double($0) / Double(points - 1) }
        lattice = steps
        var densities: [[Double]] = [], widths: [Double] = []
        for (x, step) in zip(perCell, steps) {
            if let step, let first = x.first {
                // One bar per lattice value v, [v − step/2, v + step/2), of height share ÷ step.
                widths.append(.nan)
                let norm = 1 / (Double(x.count) * step)
                densities.append(grid.map { g in
                    let v = first + ((g - first) / step).rounded() * step
                    return Double(CutoffHistogram.lowerBound(x, v + step / 2) - CutoffHistogram.lowerBound(x, v - step / 2)) * norm
                })
                continue
            }
            guard x.count > 1, let h = CutoffHistogram.bandwidth(sorted: x) else {
                densities.append([Double](repeating: 0, count: points)); widths.append(.nan); continue
            }
            widths.append(h)
            let norm = 1 / (Double(x.count) * h), table = GaussTable.pointer
            densities.append(grid.map { g in
                // Only the cutoffs within 6 bandwidths of g contribute (sorted: two binary searches);
                // φ from the kernel method's table (absolute error below 10⁻¹³; the curves move by
                // less than 10⁻⁹ of their height).
                let a = CutoffHistogram.lowerBound(x, g - 6 * h), b = CutoffHistogram.lowerBound(x, g + 6 * h)
                var s = 0.0
                for i in a..<b { s += GaussTable.pdf((g - x[i]) / h, table) }
                return s * norm
            })
        }
        density = densities
        bandwidth = widths
    }

    /// The step of the lattice the sorted values sit on — few distinct values (fewer than a fifth
    /// of them, at least two), every gap between neighbours a whole multiple of the smallest — or nil.
    static func latticeStep(sorted x: [Double]) -> Double? {
        var distinct: [Double] = []
        for v in x where distinct.last.map({ v - $0 > 1e-12 * max(1, abs(v)) }) ?? true { distinct.append(v) }
        guard distinct.count > 1, Double(distinct.count) < Double(x.count) / 5 else { return nil }
        let gaps = zip(distinct.dropFirst(), distinct).map { $0 - $1 }
        let step = gaps.min()!
        guard step > 0, gaps.allSatisfy({ abs($0 / step - ($0 / step).rounded()) < 1e-6 }) else { return nil }
        return step
    }

    /// Silverman's bandwidth.
    static func bandwidth(sorted x: [Double]) -> Double? {
        let r = Double(x.count)
        let mean = x.reduce(0, +) / r
        let sd = (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (r - 1)).squareRoot()
        let iqr = Numerics.quantile(sorted: x, 0.75) - Numerics.quantile(sorted: x, 0.25)
        let spread = iqr > 0 ? min(sd, iqr / 1.34) : sd
        guard spread > 0 else { return nil }
        return 0.9 * spread * pow(r, -0.2)
    }

    package static func lowerBound(_ x: [Double], _ v: Double) -> Int {
        var lo = 0, hi = x.count
        while lo < hi { let m = (lo + hi) / 2; if x[m] < v { lo = m + 1 } else { hi = m } }
        return lo
    }
}
