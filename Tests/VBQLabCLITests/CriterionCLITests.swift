import Foundation
import Testing

/// `analyze --criterion` and its parameters, as a user runs them, on cutpointr's `suicide`
/// (36 events, 496 non-events; the optima are those of `CriterionTests`, checked there against
/// OptimalCutpoints, cutpointr and a brute force in R).
@Suite struct CriterionCLITests {
    static let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/datasets/suicide.csv").path
    static let base = ["analyze", data, "--score", "dsi", "--outcome", "suicide", "--positive", "yes"]

    /// R's brute force: Se·Sp and J at dsi ≥ 2 (vbqlab's midpoint 1.5), accuracy at ≥ 6 (5.5),
    /// cost with C = 3 at ≥ 5 (4.5); with C = 1 the cost criterion is 1 − accuracy, so it
    /// agrees with accuracy.
    @Test func criteriaAndTheirParametersReachTheJSON() throws {
        let r = try CLI.run(Self.base + ["--criterion", "product", "--criterion", "accuracy", "--criterion", "cost", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let methods = try #require((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["methods"] as? [String: Any])
        func cutoff(_ m: String, _ j: [String: Any]) -> Double? { (j[m] as? [String: Any])?["cutoff"] as? Double }
        #expect(cutoff("empirical", methods) == 1.5 && cutoff("product", methods) == 1.5)
        #expect(cutoff("accuracy", methods) == 5.5 && cutoff("cost", methods) == 4.5)
        let one = try CLI.run(Self.base + ["--criterion", "cost", "--cost-ratio", "1", "--json"])
        let m1 = try #require((try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any])?["methods"] as? [String: Any])
        #expect(cutoff("cost", m1) == 5.5)
    }

    @Test(arguments: [
        (["--criterion", "kernal"], "'kernal' is not a criterion; choose one of roc01"),
        (["--criterion", "cost", "--cost-ratio", "0"], "--cost-ratio 0 must be a number in [0.01, 100]"),
        (["--criterion", "cost", "--cost-prevalence", "$(reboot)"], "--cost-prevalence '$(reboot)' is not a number"),
        (["--criterion", "net_benefit", "--threshold-probability", "1"], "--threshold-probability 1 must be a number in (0, 1)"),
    ])
    func badCriterionOptionsAreOneLine(_ extra: [String], _ expected: String) throws {
        let r = try CLI.run(Self.base + extra)
        #expect(r.status != 0 && r.status < 128)
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(expected), "\(r.stderr)")
    }
}
