import Foundation

/// The sizes vbqlab accepts, checked when a scenario, a data file or an option is read, so a
/// file from a colleague can never make a run exhaust memory or run for ever. Each error that
/// cites a limit also says how to go beyond it.
public enum Limits {
    /// Bytes of a scenario file (the shipped ones are under 4 KiB).
    public static let scenarioBytes = 1 << 20
    /// Nesting depth of a scenario's mappings and lists (the deepest real path has 6 levels).
    public static let nesting = 32
    /// Patients in one simulated cohort (events + non-events).
    public static let cohortSize = 1_000_000
    /// Patients per cohort a Kaplan–Meier time-dependent ROC (`follow_up.handling: km`) may
    /// have: its time grows with the square of the cohort (a Kaplan–Meier estimate on each side
    /// of every threshold), about a second a cohort at this size.
    public static let kaplanMeierCohort = 20_000
    /// Simulated cohorts per cell.
    public static let replicates = 100_000_000
    /// Levels of one `vary` factor, and `vary` factors in one scenario.
    public static let levelsPerFactor = 1_000
    public static let factors = 16
    /// Cells of one design (the cross product of the factors, or the subset).
    public static let cells = 10_000
    /// Worker threads.
    public static let threads = 1_024
    /// Cohort sizes (or event counts) in one power sweep.
    public static let powerGridPoints = 500
    /// Bootstrap resamples (`analyze --bootstrap`, `power.bootstrap`).
    public static let bootstrap = 1_000_000
    /// Bytes of a data file for `analyze`, and its data rows.
    public static let csvBytes = 64 << 20
    public static let csvRows = 1_000_000
    /// Covariates of `analyze --covariates` (each adds a column to every regression).
    public static let covariates = 20
    /// Patient rows of `run --export-cohorts` (cohorts × cells × cohort size): about 150 bytes
    /// each on disk.
    public static let exportedPatients = 2_000_000
    /// Estimated seconds of one computation (`power`'s sweep, `analyze`'s bootstrap and
    /// `--against`, a merge's own work): beyond it, the command is refused before it starts and
    /// says how to make it smaller. Above `announceSeconds` the estimate is printed first.
    public static let computeSeconds: Double = 4 * 3600
    public static let announceSeconds: Double = 30
    /// Fixed external cutoffs evaluated in every cell.
    public static let fixedCutoffs = 50
    /// Cells drawn as small multiples (one panel each); beyond this the per-cell distribution
    /// figure is left out (summary.csv holds the numbers).
    public static let panels = 64
    /// Scanners per field strength in one mechanistic cohort.
    public static let scannersPerField = 1_000

    /// The memory a run may plan to use: three quarters of the machine's physical memory.
    public static var memoryBudget: Double { 0.75 * Double(ProcessInfo.processInfo.physicalMemory) }

    /// "1.5 GB", "320 MB" for messages.
    public static func bytes(_ x: Double) -> String {
        if x >= 1e9 { return Format.number(x / 1e9, digits: 3) + " GB" }
        if x >= 1e6 { return Format.number(x / 1e6, digits: 3) + " MB" }
        return Format.number(x / 1e3, digits: 3) + " kB"
    }

    /// a × b, or nil when it overflows.
    package static func product(_ a: Int, _ b: Int) -> Int? {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : p
    }
}
