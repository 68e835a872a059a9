import Foundation
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

/// `follow-up.csv`: every cell's Kaplan–Meier curves of failure by VBQ group and the share still
/// followed, from its follow-up profile, on a grid of times (long format).
extension Columns {
    public static let followUp: [Column] = [
        c("scenario", "string", "scenario name"),
        c("cell", "string", "cell id; factor levels in cells.csv"),
        c("years", "number", "time since the operation, on a grid of 1/20 year from 0 to the study's end"),
        c("failed_at_or_above", "number", "Kaplan-Meier share failed by this time among the profile's patients scoring at or above the cell's c*(t)"),
        c("failed_below", "number", "the same among those scoring below c*(t)"),
        c("still_followed", "number", "share of the enrolled who would still be followed at this time had they not failed"),
        c("cutoff", "number", "the cell's c*(t), which splits the two groups"),
    ]

    /// The file's text; empty when no cell has follow-up.
    public static func followUpCSV(_ r: RunResult) -> String {
        guard r.followUp.contains(where: { $0 != nil }) else { return "" }
        var out = header(followUp)
        for (i, profile) in r.followUp.enumerated() {
            guard let p = profile else { continue }
            let head = CSVText.field(r.scenario.name) + "," + r.design.cells[i].id + ","
            let steps = Int((p.studyYears * 20).rounded(.up))
            for k in 0...steps {
                let t = min(p.studyYears, Double(k) / 20)
                out += head + [t, p.above.failed(at: t), p.below.failed(at: t), p.stillFollowed(at: t), p.cutoff].map(Format.exact).joined(separator: ",") + "\n"
            }
        }
        return out
    }
}
