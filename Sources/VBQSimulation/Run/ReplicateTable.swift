import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// The per-replicate results of a run: one row per cell × replicate, a fixed set of numeric
/// columns (NaN where a value does not exist), stored by (cell, replicate) index.
public struct ReplicateLayout: Sendable, Equatable {
    public let methods: [EstimationMethod]
    public let fixedCutoffs: [Double]
    /// Every field of a row, in order (`CohortField`), and their names.
    public let fields: [CohortField]
    public let columns: [String]
    /// Per column, the field with its estimator and fixed cutoff as positions in this layout.
    let slots: [Slot]
    enum Slot: Sendable, Equatable { case cohort(CohortValue), method(Int, MethodValue), fixed(Int, FixedValue) }

    /// Whether some cell is analysed as a time-dependent ROC, whose apparent sensitivity and
    /// specificity are weighted, not counted: their records then keep them (`RecordLayout`).
    public let timeDependent: Bool

    public init(methods: [EstimationMethod], fixedCutoffs: [Double], timeDependent: Bool = false) {
        self.methods = methods
        self.fixedCutoffs = fixedCutoffs
        self.timeDependent = timeDependent
        var fields = CohortValue.allCases.map { CohortField.cohort($0) }, slots = CohortValue.allCases.map { Slot.cohort($0) }
        for (mi, m) in methods.enumerated() {
            for v in MethodValue.allCases { fields.append(.method(m, v)); slots.append(.method(mi, v)) }
        }
        for (fi, c) in fixedCutoffs.enumerated() {
            for v in FixedValue.allCases { fields.append(.fixed(c, v)); slots.append(.fixed(fi, v)) }
        }
        self.fields = fields
        self.slots = slots
        columns = fields.map(\.name)
    }

    /// The layout covering every cell of a design (methods and cutoffs may differ by cell).
    public init(design: Design) {
        let methods = EstimationMethod.allCases.filter { m in design.cells.contains { $0.model.methods.contains(m) } }
        var cutoffs: [Double] = []
        for cell in design.cells { for c in cell.model.fixedCutoffs where !cutoffs.contains(c) { cutoffs.append(c) } }
        self.init(methods: methods, fixedCutoffs: cutoffs, timeDependent: design.cells.contains { $0.model.timeDependent })
    }

    /// The column of a field; nil for an estimator or fixed cutoff this layout does not hold.
    public func column(_ field: CohortField) -> Int? { fields.firstIndex(of: field) }
    /// The column of a value every row has.
    public func column(_ value: CohortValue) -> Int { CohortValue.allCases.firstIndex(of: value) ?? 0 }
}

/// Where each stored field of a cohort sits in its record. A record keeps only what cannot be
/// derived: counts (events, non-events, and the true positives and true negatives at each
/// cutoff) and the continuous values (AUC, its SE, each cutoff and its true sensitivity and
/// specificity). Every column of `ReplicateLayout` is computed from them with the same
/// expressions the analysis uses, so a column read back is bit-identical to the value computed
/// on the cohort: 8 bytes a column become about 3.
package struct RecordLayout: Sendable, Equatable {
    let methods: [EstimationMethod]
    let fixedCount: Int
    // Doubles.
    package static let acceptance = 0, auc = 8, aucSE = 16
    package let cutoff: [Int], trueSensitivity: [Int], trueSpecificity: [Int]
    /// The method's own AUC (`EstimatorAUC.own`; others report the cohort's AUC or none).
    let methodAUC: [Int?]
    // Int32.
    package let nEvents: Int, nNonEvents: Int
    package let tp: [Int], tn: [Int]
    /// Tied optimal thresholds (estimators that `reportsTies`; the others report 1).
    let ties: [Int?]
    let fixedTP: [Int], fixedTN: [Int]
    /// With a time-dependent cell (`ReplicateLayout.timeDependent`): each cutoff's apparent
    /// sensitivity and specificity on the weighted curve, and the cohort's estimated share failed
    /// by the horizon (NaN in two-class cells, whose values come from the counts); else empty.
    let weightedSensitivity: [Int], weightedSpecificity: [Int]
    let failedShare: Int?
    // UInt8.
    let degenerate: Int
    /// Bytes per record (a multiple of 8).
    let stride: Int

    package init(_ layout: ReplicateLayout) {
        methods = layout.methods
        fixedCount = layout.fixedCutoffs.count
        var at = 24
        func take(_ bytes: Int) -> Int { defer { at += bytes }; return at }
        cutoff = methods.map { _ in take(8) }
        trueSensitivity = methods.map { _ in take(8) }
        trueSpecificity = methods.map { _ in take(8) }
        methodAUC = methods.map { $0.estimator.reportedAUC == .own ? take(8) : nil }
        weightedSensitivity = layout.timeDependent ? methods.map { _ in take(8) } : []
        weightedSpecificity = layout.timeDependent ? methods.map { _ in take(8) } : []
        failedShare = layout.timeDependent ? take(8) : nil
        nEvents = take(4); nNonEvents = take(4)
        tp = methods.map { _ in take(4) }
        tn = methods.map { _ in take(4) }
        ties = methods.map { $0.estimator.reportsTies ? take(4) : nil }
        fixedTP = (0..<fixedCount).map { _ in take(4) }
        fixedTN = (0..<fixedCount).map { _ in take(4) }
        degenerate = take(1)
        stride = (at + 7) / 8 * 8
    }
}

/// One record, read or written in place.
struct Record {
    let base: UnsafeMutableRawPointer
    @inline(__always) func double(_ at: Int) -> Double { base.load(fromByteOffset: at, as: Double.self) }
    @inline(__always) func int(_ at: Int) -> Int { Int(base.load(fromByteOffset: at, as: Int32.self)) }
    @inline(__always) func set(_ at: Int, _ v: Double) { base.storeBytes(of: v, toByteOffset: at, as: Double.self) }
    @inline(__always) func set(_ at: Int, _ v: Int) { base.storeBytes(of: Int32(truncatingIfNeeded: v), toByteOffset: at, as: Int32.self) }
    func degenerateCode(_ rl: RecordLayout) -> UInt8 { base.load(fromByteOffset: rl.degenerate, as: UInt8.self) }
}

/// The reference cell's empirical ROC curves, counted: at each false-positive rate of
/// `ReplicateTable.rocGrid`, how many cohorts had each true-positive rate k/n₁. Its size is
/// bounded by the distinct rates (for cohorts of n, at most 51·n²/2 keys whatever the
/// replicates), counts add exactly, so any split of the cohorts over threads or machines gives
/// the same band, and the band's quantiles are exactly those of the cohorts' values.
public struct ROCCounts: Sendable, Equatable {
    /// Open addressing: key = 1 << 63 | grid point << 48 | k << 24 | n₁ (0 = empty slot).
    private var keys: [UInt64]
    private var values: [Int]
    private var used = 0
    /// Counts for the first n₁ seen (all of them with a fixed number of events), as a plain
    /// array indexed by grid point and k, moved into the table by `settle()`.
    private var denseEvents = -1
    private var dense: [Int] = []

    public init() {
        keys = [UInt64](repeating: 0, count: 1024)
        values = [Int](repeating: 0, count: 1024)
    }

    @inline(__always) private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
    }

    private mutating func add(key: UInt64, count: Int) {
        if 2 * (used + 1) > keys.count { grow() }
        let mask = keys.count - 1
        var i = ROCCounts.slot(key, mask)
        while keys[i] != 0 && keys[i] != key { i = (i + 1) & mask }
        if keys[i] == 0 { keys[i] = key; used += 1 }
        values[i] += count
    }

    private mutating func grow() {
        let old = zip(keys, values).filter { $0.0 != 0 }
        keys = [UInt64](repeating: 0, count: 2 * keys.count)
        values = [Int](repeating: 0, count: keys.count)
        used = 0
        for (k, v) in old { add(key: k, count: v) }
    }

    private static func key(_ g: Int, _ k: Int, _ n1: Int) -> UInt64 { 1 << 63 | UInt64(g) << 48 | UInt64(k) << 24 | UInt64(n1) }

    /// Adds one cohort's curve, given as the numerators k at each grid point (n₁ events).
    mutating func add(numerators: UnsafeBufferPointer<Int32>, events n1: Int) {
        if denseEvents < 0 && n1 <= 4096 {
            denseEvents = n1
            dense = [Int](repeating: 0, count: numerators.count * (n1 + 1))
        }
        if n1 == denseEvents {
            for g in 0..<numerators.count { dense[g * (n1 + 1) + Int(numerators[g])] += 1 }
        } else {
            for g in 0..<numerators.count { add(key: ROCCounts.key(g, Int(numerators[g]), n1), count: 1) }
        }
    }

    /// Moves the array counts into the table (before reading or merging).
    mutating func settle() {
        guard denseEvents >= 0 else { return }
        let n1 = denseEvents, width = denseEvents + 1
        denseEvents = -1
        for (index, count) in dense.enumerated() where count > 0 {
            add(key: ROCCounts.key(index / width, index % width, n1), count: count)
        }
        dense = []
    }

    mutating func merge(_ other: ROCCounts) {
        settle()
        var other = other
        other.settle()
        for i in other.keys.indices where other.keys[i] != 0 { add(key: other.keys[i], count: other.values[i]) }
    }

    /// Every (key, count), in key order (for a shard file).
    var sortedEntries: [(UInt64, Int)] {
        var c = self
        c.settle()
        return c.entries
    }

    /// Counts read back from a shard file: each key must be one this type writes (grid point,
    /// k ≤ n₁ ≤ the cohort limit) and each count positive.
    init(entries: [(UInt64, Int)]) throws {
        self.init()
        for (key, count) in entries {
            let g = Int((key >> 48) & 0x7FFF), k = Int((key >> 24) & 0xFF_FFFF), n1 = Int(key & 0xFF_FFFF)
            guard key >> 63 == 1, g < ReplicateTable.rocGrid.count, n1 >= 1,
                  k <= n1, n1 <= Limits.cohortSize, count >= 1, count <= Limits.replicates else {
                throw VBQError("impossible ROC counts")
            }
            add(key: key, count: count)
        }
    }

    public static func == (a: ROCCounts, b: ROCCounts) -> Bool {
        var a = a, b = b
        a.settle(); b.settle()
        let x = a.entries, y = b.entries
        return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    /// (key, count) in key order.
    private var entries: [(UInt64, Int)] {
        var out: [(UInt64, Int)] = []
        for i in keys.indices where keys[i] != 0 { out.append((keys[i], values[i])) }
        return out.sorted { $0.0 < $1.0 }
    }

    func isEmpty(at g: Int) -> Bool {
        if denseEvents >= 0 { var c = self; c.settle(); return c.isEmpty(at: g) }
        return !keys.contains { $0 != 0 && Int(($0 >> 48) & 0x7FFF) == g }
    }

    /// The type-7 quantile of the TPRs at grid point g (`Numerics.quantile` on every cohort's value).
    func quantile(at g: Int, _ p: Double) -> Double {
        if denseEvents >= 0 { var c = self; c.settle(); return c.quantile(at: g, p) }
        var entries: [(value: Double, count: Int)] = []
        for i in keys.indices where keys[i] != 0 && Int((keys[i] >> 48) & 0x7FFF) == g {
            let k = Double((keys[i] >> 24) & 0xFF_FFFF), n1 = Double(keys[i] & 0xFF_FFFF)
            entries.append((value: k / n1, count: values[i]))
        }
        entries.sort { $0.value < $1.value }
        let total = entries.reduce(0) { $0 + $1.count }
        guard total > 0 else { return .nan }
        let h = Double(total - 1) * p
        let lo = Int(h.rounded(.down))
        func order(_ i: Int) -> Double {
            var seen = 0
            for e in entries { seen += e.count; if i < seen { return e.value } }
            return entries[entries.count - 1].value
        }
        let a = order(lo)
        guard lo + 1 < total, h > Double(lo) else { return a }
        return a + (h - Double(lo)) * (order(lo + 1) - a)
    }
}

/// All rows of a run, cell-major: row (cell c, replicate r) is c · replicates + r.
///
/// Rows are kept as compact records (`RecordLayout`), about a third of the full row's size,
/// and every column is computed from them when read. The records live in a `RecordStore`: an
/// unnamed mapped file whose pages are released once written or read, so memory stays flat in
/// the number of cohorts and cells.
public struct ReplicateTable: Sendable {
    public let layout: ReplicateLayout
    public let cells: Int
    public let replicates: Int
    let record: RecordLayout
    /// One record per row, cell-major.
    let store: RecordStore
    /// False-positive rates at which each reference-cell cohort's empirical ROC is recorded.
    public static let rocGrid: [Double] = (0...50).map { Double($0) / 50 }
    /// The reference cell's cohort ROC curves at `rocGrid`.
    public var referenceROC: ROCCounts
    /// Which rows have been simulated (all of them unless the run was stopped early).
    public internal(set) var completed: [Bool] { didSet { isComplete = !completed.contains(false) } }
    /// Whether every row is simulated (kept with `completed`: the columns ask it on every read).
    public private(set) var isComplete: Bool
    public var completedCount: Int { completed.filter { $0 }.count }

    /// The rows whose records this table holds (all of them, except in a shard of a run).
    public let rows: Range<Int>

    /// `directory` holds the records' unnamed file (see `RecordStore`): the run folder, or the
    /// temporary folder. `rows` limits the records kept to those rows (a shard's part).
    public init(layout: ReplicateLayout, cells: Int, replicates: Int, directory: URL = FileManager.default.temporaryDirectory,
                rows: Range<Int>? = nil) {
        completed = [Bool](repeating: false, count: cells * replicates)
        isComplete = cells * replicates == 0
        self.layout = layout
        self.cells = cells
        self.replicates = replicates
        self.rows = rows ?? 0..<(cells * replicates)
        record = RecordLayout(layout)
        store = RecordStore(count: record.stride * self.rows.count, directory: directory)
        referenceROC = ROCCounts()
    }

    /// Rows `rows` (indices) are not needed in memory for now.
    func release(rows r: Range<Int>) {
        store.release(((r.lowerBound - rows.lowerBound) * record.stride)..<((r.upperBound - rows.lowerBound) * record.stride))
    }

    /// The record of row `index` (which this table holds).
    @inline(__always) func recordBase(_ index: Int) -> UnsafeMutableRawPointer {
        store.base + (index - rows.lowerBound) * record.stride
    }

    /// Bytes kept per cohort.
    public var bytesPerCohort: Int { record.stride }

    /// How many false positives each grid point allows among `n0` negatives: ⌊f·n₀⌋.
    static func rocAllowed(negatives n0: Int) -> [Int32] {
        rocGrid.map { Int32(min(n0, Int((($0 * Double(n0)).rounded(.down) + 1e-9)))) }
    }

    /// The empirical ROC's TPR numerators at each false-positive rate f: the largest TPR among
    /// thresholds with FPR ≤ f (score above the threshold positive) is k/n₁. Classes sorted
    /// ascending; `allowed` = `rocAllowed(negatives: y.count)` (the simulation keeps it per n₀).
    @inline(__always)
    static func rocNumerators(positives x: UnsafeBufferPointer<Double>, negatives y: UnsafeBufferPointer<Double>,
                              allowed: UnsafeBufferPointer<Int32>, into out: UnsafeMutableBufferPointer<Int32>) {
        let n1 = x.count, n0 = y.count
        // As f grows the threshold t falls, so the count of events ≤ t only falls: one sweep.
        var atOrBelow = n1
        for k in 0..<allowed.count {
            let m = Int(allowed[k])                                // false positives allowed
            if m >= n0 { out[k] = Int32(n1); continue }
            let t = y[n0 &- m &- 1]                                // the (m+1)-th largest negative
            while atOrBelow > 0 && x[atOrBelow &- 1] > t { atOrBelow &-= 1 }
            out[k] = Int32(n1 &- atOrBelow)
        }
    }

    /// Column `column` of a record, computed with the analysis's own expressions (bit-identical).
    static func value(_ r: Record, _ rl: RecordLayout, _ layout: ReplicateLayout, column: Int) -> Double {
        let n1 = r.int(rl.nEvents), n0 = r.int(rl.nNonEvents)
        let code = r.base.load(fromByteOffset: rl.degenerate, as: UInt8.self)
        let slot = layout.slots[column]
        switch slot {
        case .cohort(.nEvents): return Double(n1)
        case .cohort(.nNonEvents): return Double(n0)
        case .cohort(.degenerate): return Double(code)
        case .cohort(.acceptance): return r.double(RecordLayout.acceptance)
        default: break
        }
        guard code == 0 else { return .nan }
        let auc = r.double(RecordLayout.auc), se = r.double(RecordLayout.aucSE)
        switch slot {
        case let .cohort(v):
            switch v {
            case .auc: return auc
            case .aucSE: return se
            case .aucLower: return AUCEstimate.ci(auc: auc, standardError: se).lower
            case .aucUpper: return AUCEstimate.ci(auc: auc, standardError: se).upper
            case .nEvents, .nNonEvents, .degenerate, .acceptance: return .nan   // answered above
            }
        case let .method(mi, q):
            let c = r.double(rl.cutoff[mi])
            guard !c.isNaN else { return .nan }   // the method gave no cutoff on this cohort, or the cell does not use it
            func apparent() -> OperatingValues {
                if let share = rl.failedShare, case let se = r.double(rl.weightedSensitivity[mi]), !se.isNaN {
                    return OperatingValues(sensitivity: se, specificity: r.double(rl.weightedSpecificity[mi]), prevalence: r.double(share))
                }
                return OperatingValues(Confusion(cutoff: c, tp: r.int(rl.tp[mi]), fn: n1 - r.int(rl.tp[mi]), tn: r.int(rl.tn[mi]), fp: n0 - r.int(rl.tn[mi])))
            }
            let ts = r.double(rl.trueSensitivity[mi]), tsp = r.double(rl.trueSpecificity[mi])
            switch q {
            case .cutoff: return c
            case .sensitivity: return apparent().sensitivity
            case .specificity: return apparent().specificity
            case .ppv: return apparent().ppv
            case .npv: return apparent().npv
            case .accuracy: return apparent().accuracy
            case .youdenJ: return apparent().youden
            case .trueSensitivity: return ts
            case .trueSpecificity: return tsp
            case .trueYoudenJ: return ts + tsp - 1
            case .optimism: return apparent().youden - (ts + tsp - 1)
            case .auc:
                switch rl.methods[mi].estimator.reportedAUC {
                case .cohort: return auc
                case .own: return rl.methodAUC[mi].map { r.double($0) } ?? .nan
                case .none: return .nan
                }
            case .tiedThresholds: return rl.ties[mi].map { Double(r.int($0)) } ?? 1
            }
        case let .fixed(fi, q):
            guard r.int(rl.fixedTP[fi]) >= 0 else { return .nan }   // a cutoff of another cell
            let f = Confusion(cutoff: layout.fixedCutoffs[fi], tp: r.int(rl.fixedTP[fi]), fn: n1 - r.int(rl.fixedTP[fi]),
                              tn: r.int(rl.fixedTN[fi]), fp: n0 - r.int(rl.fixedTN[fi]))
            switch q {
            case .sensitivity: return f.sensitivity
            case .specificity: return f.specificity
            case .ppv: return f.ppv
            case .npv: return f.npv
            }
        }
    }

    @inline(__always)
    func withRecord<T>(_ index: Int, _ body: (Record) throws -> T) rethrows -> T {
        try body(Record(base: recordBase(index)))
    }

    /// One field of one cell, in replicate order (nil for an estimator or cutoff no cell uses).
    public func column(_ field: CohortField, cell: Int) -> [Double]? {
        layout.column(field).map { column($0, cell: cell) }
    }

    public func value(cell: Int, replicate: Int, column: Int) -> Double {
        withRecord(cell * replicates + replicate) { ReplicateTable.value($0, record, layout, column: column) }
    }

    /// A time-dependent cell's estimated share failed by the horizon per cohort (Kaplan–Meier
    /// F̂(t), or the weighted share), in replicate order; NaN where it does not exist.
    public func failedShares(cell: Int) -> [Double] {
        guard let at = record.failedShare else { return [Double](repeating: .nan, count: replicates) }
        return (0..<replicates).map { r in
            guard isComplete || completed[cell * replicates + r] else { return .nan }
            return withRecord(cell * replicates + r) { $0.degenerateCode(record) == 0 ? $0.double(at) : .nan }
        }
    }

    /// One column of one cell, in replicate order; NaN for the rows not simulated (a partial
    /// merge of shards).
    /// (Pages are released as they are read, so reading a column keeps memory flat.)
    public func column(_ column: Int, cell: Int) -> [Double] {
        let first = cell * replicates
        var out = [Double](repeating: .nan, count: replicates)
        let gaps = !isComplete
        for block in stride(from: 0, to: replicates, by: 8192) {
            let end = min(block + 8192, replicates)
            for r in block..<end where !gaps || completed[first + r] {
                out[r] = ReplicateTable.value(Record(base: recordBase(first + r)), record, layout, column: column)
            }
            release(rows: (first + block)..<(first + end))
        }
        return out
    }

    /// Every simulated row of one cell in replicate order, each decoded into one reused buffer (for
    /// the writers).
    package func forEachRow(cell: Int, replicates reps: Range<Int>, _ body: (Int, UnsafeMutableBufferPointer<Double>) throws -> Void) rethrows {
        var row = [Double](repeating: .nan, count: layout.columns.count)
        try row.withUnsafeMutableBufferPointer { buffer in
            for r in reps where completed[cell * replicates + r] {
                withRecord(cell * replicates + r) { rec in
                    for k in 0..<buffer.count { buffer[k] = ReplicateTable.value(rec, record, layout, column: k) }
                }
                try body(r, buffer)
            }
        }
    }
}

/// A cutoff's apparent operating values: a 2×2 table's, or a weighted curve's sensitivity and
/// specificity with the estimated prevalence (the predictive values and accuracy by Bayes' rule).
struct OperatingValues {
    let sensitivity, specificity, ppv, npv, accuracy: Double
    var youden: Double { sensitivity + specificity - 1 }

    init(_ c: Confusion) {
        sensitivity = c.sensitivity; specificity = c.specificity; ppv = c.ppv; npv = c.npv; accuracy = c.accuracy
    }

    init(sensitivity se: Double, specificity sp: Double, prevalence p: Double) {
        sensitivity = se; specificity = sp
        let tp = se * p, fp = (1 - sp) * (1 - p), tn = sp * (1 - p), fn = (1 - se) * p
        ppv = tp + fp > 0 ? tp / (tp + fp) : .nan
        npv = tn + fn > 0 ? tn / (tn + fn) : .nan
        accuracy = tp + tn
    }
}
