import Foundation
import VBQCore
import VBQModel

/// What `vbqlab analyze` will cost, before it computes anything: its bootstrap and its
/// `--against` simulation, by the cost model `run` and `power` use. Beyond
/// `Limits.computeSeconds` it is refused, saying how to make it smaller; above
/// `Limits.announceSeconds` the estimate is printed first.
public struct AnalyzeCost: Sendable {
    /// The bootstrap's seconds per row and resample, both bootstraps (the percentile intervals
    /// and Harrell's optimism) and the three default estimators together: measured 21.7 ms per
    /// resample of 10⁵ rows (a 10⁵-row file: 0.24 s without a bootstrap, 1.11 s with 40).
    public static let bootstrapSecondsPerRow = 250e-9

    public let bootstrapSeconds: Double
    public let againstSeconds: Double
    public var seconds: Double { bootstrapSeconds + againstSeconds }

    /// `rows` of data, `bootstrap` resamples (one thread); `against`: the cells to simulate,
    /// `replicates` cohorts each of the data's size, on `threads` threads.
    /// The seed paper's analysis of one simulated cohort (`--covariates` with `--against`), per
    /// patient and squared regression column (k covariates and the intercept): the ML and Firth
    /// fits with Firth's profile CIs dominate it.
    public static let seedAnalysisSecondsPerCell = 7e-7

    public init(rows: Int, bootstrap: Int, against cells: [Cell], replicates: Int, threads: Int, covariates: Int = 0) {
        bootstrapSeconds = Double(rows) * Double(bootstrap) * Self.bootstrapSecondsPerRow
        // Each cohort is analysed by the empirical method alone; one of fixed class counts draws
        // a fifth more patients than it keeps, roughly.
        let seed = covariates > 0 ? Double(rows) * Double((covariates + 1) * (covariates + 1)) * Self.seedAnalysisSecondsPerCell : 0
        let perCohort = cells.reduce(0.0) { $0 + 1.2 * Double(rows) * Runner.secondsPerPatient($1.model, methods: [.empirical]) + seed }
        againstSeconds = perCohort * Double(replicates) / Double(max(1, min(threads, ProcessInfo.processInfo.activeProcessorCount)))
    }

    /// Refuses a computation beyond the limit, naming the part that makes it long.
    public func check(rows: Int, bootstrap: Int, replicates: Int, cells: Int) throws {
        guard seconds > Limits.computeSeconds else { return }
        let hours = Format.number(seconds / 3600, digits: 2), limit = Int(Limits.computeSeconds / 3600)
        if bootstrapSeconds >= againstSeconds {
            let fits = Int(Limits.computeSeconds / (Double(rows) * Self.bootstrapSecondsPerRow))
            throw VBQError(key: "--bootstrap", "\(bootstrap) resamples of \(rows) rows would take about \(hours) hours, more than the limit of \(limit) hours; lower --bootstrap (at most about \(fits) fit)")
        }
        throw VBQError(key: "--against", "\(replicates) simulated cohorts of \(rows) patients in each of \(cells) cell\(cells == 1 ? "" : "s") would take about \(hours) hours, more than the limit of \(limit) hours; lower --against-replicates, or choose one cell with --cell")
    }

    /// One line for stderr: what will take long, and roughly how long.
    public var announcement: String {
        var parts: [String] = []
        if bootstrapSeconds >= 1 { parts.append("the bootstrap about \(Self.duration(bootstrapSeconds))") }
        if againstSeconds >= 1 { parts.append("--against about \(Self.duration(againstSeconds))") }
        return "this analysis: roughly \(Self.duration(seconds)) (\(parts.joined(separator: ", "))); Ctrl-C stops it"
    }

    static func duration(_ s: Double) -> String {
        s < 90 ? "\(Int(s.rounded())) s" : s < 5400 ? "\(Int((s / 60).rounded())) min" : "\(Format.number(s / 3600, digits: 2)) h"
    }
}
