/// The per-replicate results of a run: one row per cell × replicate, a fixed set of numeric
/// columns (NaN where a value does not exist), stored by (cell, replicate) index.
public struct ReplicateLayout: Sendable, Equatable {
    public let methods: [EstimationMethod]
    public let fixedCutoffs: [Double]
    public let columns: [String]

    public static let base = ["n_events", "n_non_events", "degenerate", "auc", "auc_se", "auc_lower", "auc_upper", "acceptance"]
    public static let perMethod = ["cutoff", "sensitivity", "specificity", "ppv", "npv", "accuracy", "youden_j",
                                   "true_sensitivity", "true_specificity", "true_youden_j", "optimism", "auc", "tied_thresholds"]
    public static let perFixed = ["sensitivity", "specificity", "ppv", "npv"]

    public init(methods: [EstimationMethod], fixedCutoffs: [Double]) {
        self.methods = methods
        self.fixedCutoffs = fixedCutoffs
        var cols = ReplicateLayout.base
        for m in methods { cols += ReplicateLayout.perMethod.map { "\(m.rawValue)_\($0)" } }
        for c in fixedCutoffs { cols += ReplicateLayout.perFixed.map { "at_\(Format.exact(c))_\($0)" } }
        columns = cols
    }

    /// The layout covering every cell of a design (methods and cutoffs may differ by cell).
    public init(design: Design) {
        let methods = EstimationMethod.allCases.filter { m in design.cells.contains { $0.model.methods.contains(m) } }
        var cutoffs: [Double] = []
        for cell in design.cells { for c in cell.model.fixedCutoffs where !cutoffs.contains(c) { cutoffs.append(c) } }
        self.init(methods: methods, fixedCutoffs: cutoffs)
    }

    public func column(_ name: String) -> Int? { columns.firstIndex(of: name) }
    public func methodColumn(_ m: EstimationMethod, _ q: String) -> Int? { column("\(m.rawValue)_\(q)") }
    public func fixedColumn(_ c: Double, _ q: String) -> Int? { column("at_\(Format.exact(c))_\(q)") }

    /// Writes one analysis into a row (which must be NaN-filled beforehand).
    func write(_ a: CohortAnalysis, acceptance: Double, into row: UnsafeMutableBufferPointer<Double>) {
        row[7] = acceptance
        row[0] = Double(a.nPositive)
        row[1] = Double(a.nNegative)
        row[2] = Double(a.degenerate?.rawValue ?? 0)
        if let auc = a.auc {
            row[3] = auc.auc
            row[4] = auc.standardError
            let ci = auc.ci
            row[5] = ci.lower
            row[6] = ci.upper
        }
        let stride = ReplicateLayout.perMethod.count
        for e in a.estimates {
            guard let mi = methods.firstIndex(of: e.method) else { continue }
            let o = ReplicateLayout.base.count + mi * stride
            row[o + 0] = e.cutoff
            if let ap = e.apparent {
                row[o + 1] = ap.sensitivity
                row[o + 2] = ap.specificity
                row[o + 3] = ap.ppv
                row[o + 4] = ap.npv
                row[o + 5] = ap.accuracy
                row[o + 6] = ap.youden
            }
            row[o + 7] = e.trueSensitivity
            row[o + 8] = e.trueSpecificity
            row[o + 9] = e.cutoff.isFinite ? e.trueYouden : .nan
            row[o + 10] = e.cutoff.isFinite ? e.optimism : .nan
            row[o + 11] = e.auc
            row[o + 12] = e.cutoff.isFinite ? Double(e.tiedThresholds) : .nan
        }
        let fixedBase = ReplicateLayout.base.count + methods.count * stride
        for f in a.fixed {
            guard let fi = fixedCutoffs.firstIndex(of: f.cutoff) else { continue }
            let o = fixedBase + fi * ReplicateLayout.perFixed.count
            row[o] = f.sensitivity
            row[o + 1] = f.specificity
            row[o + 2] = f.ppv
            row[o + 3] = f.npv
        }
    }
}

/// All rows of a run, cell-major: row (cell c, replicate r) is c · replicates + r.
public struct ReplicateTable: Sendable {
    public let layout: ReplicateLayout
    public let cells: Int
    public let replicates: Int
    public var values: [Double]
    /// False-positive rates at which each reference-cell cohort's empirical ROC is recorded.
    public static let rocGrid: [Double] = (0...50).map { Double($0) / 50 }
    /// TPR of the reference cell's cohorts at `rocGrid` (replicate-major; NaN for degenerate cohorts).
    public var referenceROC: [Double]
    /// Which rows have been simulated (all of them unless the run was stopped early).
    public internal(set) var completed: [Bool]
    public var isComplete: Bool { !completed.contains(false) }
    public var completedCount: Int { completed.filter { $0 }.count }

    public init(layout: ReplicateLayout, cells: Int, replicates: Int) {
        completed = [Bool](repeating: false, count: cells * replicates)
        self.layout = layout
        self.cells = cells
        self.replicates = replicates
        values = [Double](repeating: .nan, count: layout.columns.count * cells * replicates)
        referenceROC = [Double](repeating: .nan, count: ReplicateTable.rocGrid.count * replicates)
    }

    /// The empirical ROC's TPR at each false-positive rate f: the largest TPR among thresholds
    /// with FPR ≤ f (score above the threshold positive). Classes sorted ascending.
    static func rocTPR(positives x: UnsafeBufferPointer<Double>, negatives y: UnsafeBufferPointer<Double>,
                       into out: UnsafeMutableBufferPointer<Double>) {
        let n1 = x.count, n0 = y.count
        guard n1 > 0, n0 > 0 else { return }
        for (k, f) in rocGrid.enumerated() {
            let m = Int((f * Double(n0)).rounded(.down) + 1e-9)   // false positives allowed
            if m >= n0 { out[k] = 1; continue }
            let t = y[n0 - m - 1]                                  // the (m+1)-th largest negative
            out[k] = Double(n1 - upperBound(x, t)) / Double(n1)
        }
    }

    public func value(cell: Int, replicate: Int, column: Int) -> Double {
        values[(cell * replicates + replicate) * layout.columns.count + column]
    }

    /// One column of one cell, in replicate order.
    public func column(_ column: Int, cell: Int) -> [Double] {
        (0..<replicates).map { value(cell: cell, replicate: $0, column: column) }
    }
}
