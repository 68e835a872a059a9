/// Every use vbqlab makes of the seed tree, as one namespace: each purpose is a case, and its
/// path below the root is built here and nowhere else. Cells take the first component of their
/// paths from their stream key (below `Limits.cells`); every other purpose starts with a tag
/// above that, or differs from the cells' paths in another component or in length, so no two
/// purposes share a path (`domain` states each one's, and a test checks them pairwise). Two
/// different paths give the same stream only by a 64-bit hash collision.
public enum StreamPurpose: Sendable, Equatable {
    /// One simulated cohort: the same in a run, its shards, its re-analysis and `analyze --against`.
    case cohort(cell: UInt64, replicate: UInt64)
    /// One random shift of a cell's integrated truth (`cohort` is 0).
    case truthBatch(cell: UInt64, batch: UInt64, cohort: UInt64)
    /// One batch of the re-analysis's population values.
    case reanalysisPopulation(batch: UInt64)
    /// One step of replicate `replicate` of a power sweep: 0 its cohort, 1 the second
    /// protocol's cohort, 2 and 3 their bootstraps.
    case power(replicate: UInt64, part: UInt64)
    /// One bootstrap resample of `analyze` (cutoff CIs).
    case bootstrap(resample: UInt64)
    /// One resample of `analyze`'s optimism bootstrap.
    case optimism(attempt: UInt64)
    /// The mechanistic calibration's patients.
    case calibration
    /// A cell's follow-up profile: its patients' Kaplan–Meier curves and censoring.
    case followUpProfile(cell: UInt64)

    static let truthBatchBase: UInt64 = 1 << 63
    static let reanalysisTag: UInt64 = 0x5245_414E_414C_5953   // "REANALYS"
    static let powerTag: UInt64 = 0x706F_7765_72                 // "power"
    static let bootstrapTag: UInt64 = 0xB007
    static let optimismTag: UInt64 = 0x4F50_5449_4D49_534D     // "OPTIMISM"
    static let calibrationTag: UInt64 = 0xCA11B
    static let followUpTag: UInt64 = 0x464F_4C4C_4F57_5550     // "FOLLOWUP"

    /// The path below the root.
    public var path: [UInt64] {
        switch self {
        case let .cohort(cell, replicate): return [cell, replicate]
        case let .truthBatch(cell, batch, cohort): return [cell, Self.truthBatchBase + batch, cohort]
        case let .reanalysisPopulation(batch): return [Self.reanalysisTag, batch]
        case let .power(replicate, part): return [Self.powerTag, replicate, part]
        case let .bootstrap(resample): return [Self.bootstrapTag, resample]
        case let .optimism(attempt): return [Self.optimismTag, attempt]
        case .calibration: return [Self.calibrationTag, 0]
        case let .followUpProfile(cell): return [Self.followUpTag, cell]
        }
    }

    /// The paths a purpose can take, component by component, given the limits its callers keep
    /// (cells below `Limits.cells`, replicates and resamples below `Limits.replicates`).
    public static func domain(of kind: Kind) -> [ClosedRange<UInt64>] {
        let cells = 0...UInt64(Limits.cells - 1), count = 0...UInt64(Limits.replicates - 1), any = UInt64.min...UInt64.max
        switch kind {
        case .cohort: return [cells, count]
        case .truthBatch: return [cells, truthBatchBase...(truthBatchBase + count.upperBound), any]
        case .reanalysisPopulation: return [reanalysisTag...reanalysisTag, count]
        case .power: return [powerTag...powerTag, count, 0...3]
        case .bootstrap: return [bootstrapTag...bootstrapTag, count]
        case .optimism: return [optimismTag...optimismTag, count]
        case .calibration: return [calibrationTag...calibrationTag, 0...0]
        case .followUpProfile: return [followUpTag...followUpTag, cells]
        }
    }

    /// The purposes without their values.
    public enum Kind: CaseIterable, Sendable { case cohort, truthBatch, reanalysisPopulation, power, bootstrap, optimism, calibration, followUpProfile }

    public var kind: Kind {
        switch self {
        case .cohort: return .cohort
        case .truthBatch: return .truthBatch
        case .reanalysisPopulation: return .reanalysisPopulation
        case .power: return .power
        case .bootstrap: return .bootstrap
        case .optimism: return .optimism
        case .calibration: return .calibration
        case .followUpProfile: return .followUpProfile
        }
    }
}

extension SeedTree {
    /// The stream of one purpose.
    public func state(_ purpose: StreamPurpose) -> StreamState { state(for: purpose.path) }

    /// The stream of a cohort (`StreamPurpose.cohort`) without building its path: the
    /// simulation's per-cohort call.
    @inline(__always)
    public func cohortState(cell: UInt64, replicate: UInt64) -> StreamState { state(cell, replicate) }
}
