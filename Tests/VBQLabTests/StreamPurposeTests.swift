import Foundation
import Testing
import VBQLab

/// Every use of the seed tree is a `StreamPurpose`; no two purposes can take the same path.
@Suite struct StreamPurposeTests {
    /// Whether two domains (a range per path component) can hold the same path.
    static func overlap(_ a: [ClosedRange<UInt64>], _ b: [ClosedRange<UInt64>]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.overlaps($1) }
    }

    @Test func noTwoPurposesShareAPath() {
        let kinds = StreamPurpose.Kind.allCases
        for (i, a) in kinds.enumerated() {
            for b in kinds[(i + 1)...] {
                #expect(!Self.overlap(StreamPurpose.domain(of: a), StreamPurpose.domain(of: b)), "\(a) and \(b) can draw the same stream")
            }
        }
    }

    /// Each purpose's path, at the extremes its callers can reach, lies in its stated domain.
    @Test func pathsLieInTheirDomains() {
        let cell = UInt64(Limits.cells - 1), n = UInt64(Limits.replicates - 1)
        let samples: [StreamPurpose] = [
            .cohort(cell: 0, replicate: 0), .cohort(cell: cell, replicate: n),
            .truthBatch(cell: 0, batch: 0, cohort: 0), .truthBatch(cell: cell, batch: 7, cohort: .max),
            .reanalysisPopulation(batch: 0), .reanalysisPopulation(batch: n),
            .power(replicate: 0, part: 0), .power(replicate: n, part: 3),
            .bootstrap(resample: 0), .bootstrap(resample: UInt64(Limits.bootstrap - 1)),
            .optimism(attempt: 0), .optimism(attempt: n),
            .calibration,
            .followUpProfile(cell: 0), .followUpProfile(cell: cell),
        ]
        for p in samples {
            let domain = StreamPurpose.domain(of: p.kind)
            #expect(domain.count == p.path.count && zip(domain, p.path).allSatisfy { $0.contains($1) }, "\(p): \(p.path)")
        }
        #expect(Set(samples.map(\.kind)).count == StreamPurpose.Kind.allCases.count, "every purpose sampled")
    }

    /// The simulation's fast cohort stream is the cohort purpose's, and a cohort's stream is the
    /// one every earlier version drew for (cell, replicate): runs stay reproducible.
    @Test func cohortStreamIsThePathCellReplicate() {
        let tree = SeedTree(root: 20251012)
        for (c, r) in [(UInt64(0), UInt64(0)), (3, 17), (9_999, 99_999_999)] {
            #expect(tree.cohortState(cell: c, replicate: r) == tree.state(.cohort(cell: c, replicate: r)))
            #expect(tree.state(.cohort(cell: c, replicate: r)) == tree.state(for: [c, r]))
        }
    }
}
