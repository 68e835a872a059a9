import Foundation
import Testing
import VBQLab
import VBQTestSupport

// References: `Fixtures/time/td-roc-reference.R` (R 4.2, survival 3.5-3) simulates four censored
// cohorts of 256 (scores rounded to 0.1, times to 0.1 year, so scores tie and events tie with
// censorings; the fourth has nobody censored by 2 years) and computes, at 1, 2 and 5 years:
//   km     <- summary(survfit(Surv(time, status) ~ 1), times = t, extend = TRUE)$surv
//   Heagerty's Kaplan-Meier estimator, each conditional survival from survfit on the patients
//          above (or at or below) the threshold: Se(c) = (1 - S(t | X > c)) * mean(X > c) / (1 - S(t))
//   Uno's weights: G from survfit(Surv(time, 1 - status) ~ 1) read just before each failure time
// with the AUC by the trapezoid rule and the Youden cutoff (the lower median of thresholds whose
// J is within 1e-14 of the best).

private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/time")

private func table(_ name: String) throws -> [[String: String]] {
    let text = try String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)
    var lines = text.split(separator: "\n").map {
        $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
    }
    let header = lines.removeFirst()
    return lines.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
}

private func number(_ s: String?) -> Double {
    switch s { case "Inf": return .infinity; case "-Inf": return -.infinity; default: return Double(s!)! }
}

private struct Cohort { var scores: [Double] = [], times: [Double] = [], events: [Bool] = [] }

private func cohorts() throws -> [Int: Cohort] {
    var out: [Int: Cohort] = [:]
    for row in try table("td-cohorts.csv") {
        let k = Int(row["cohort"]!)!
        out[k, default: Cohort()].scores.append(number(row["score"]))
        out[k, default: Cohort()].times.append(number(row["time"]))
        out[k, default: Cohort()].events.append(row["status"] == "1")
    }
    return out
}

@Suite struct TimeDependentROCTests {
    @Test func kaplanMeierAtHorizonMatchesSurvfit() throws {
        let data = try cohorts()
        var worst = 0.0
        for row in try table("td-summary.csv") where row["method"] == "km" {
            let c = data[Int(row["cohort"]!)!]!, t = number(row["horizon"])
            let s = KaplanMeier.survival(times: c.times, events: c.events, at: t)
            worst = max(worst, abs(s - number(row["km"])))
            // The redistribution the ROC uses gives the same estimate.
            let byTime = c.times.indices.sorted { c.times[$0] < c.times[$1] }
            let r = TimeDependentROC.redistributed(byTime, times: c.times, events: c.events, horizon: t) { _ in true }
            #expect(abs(r.surviving / Double(c.times.count) - s) <= 1e-12)
            #expect(abs(r.failed + r.surviving - Double(c.times.count)) <= 1e-9)
        }
        #expect(worst <= 1e-12, "largest difference from survfit: \(worst)")
    }

    @Test(arguments: TimeDependentROC.Method.allCases)
    func curveAUCAndCutoffMatchTheRImplementation(method: TimeDependentROC.Method) throws {
        let data = try cohorts()
        let curves = try table("td-curves.csv").filter { $0["method"] == method.rawValue }
        let summaries = try table("td-summary.csv").filter { $0["method"] == method.rawValue }
        #expect(summaries.count == 12)
        var worst = 0.0
        for row in summaries {
            let k = Int(row["cohort"]!)!, t = number(row["horizon"])
            let c = data[k]!
            let roc = try #require(TimeDependentROC(scores: c.scores, times: c.times, events: c.events, horizon: t, method: method))
            let points = curves.filter { Int($0["cohort"]!)! == k && number($0["horizon"]) == t }
            #expect(points.count == roc.thresholds.count, "cohort \(k), t = \(t)")
            for p in points {
                let i = Int(p["index"]!)!
                #expect(number(p["threshold"]) == roc.thresholds[i] || abs(number(p["threshold"]) - roc.thresholds[i]) <= 1e-12)
                worst = max(worst, abs(roc.sensitivity(i) - number(p["se"])), abs(roc.specificity(i) - number(p["sp"])))
            }
            worst = max(worst, abs(roc.auc - number(row["auc"])))
            // The Kaplan–Meier mass of the failures is n·F̂(t). (The weights' share equals F̂(t)
            // only without ties between failures and censorings, which these rounded times have.)
            if method == .kaplanMeier { worst = max(worst, abs(roc.failedShare - (1 - number(row["km"])))) }
            let y = try #require(roc.youden())
            #expect(abs(y.cutoff - number(row["cutoff"])) <= 1e-12, "cohort \(k), t = \(t): \(y.cutoff) against R's \(row["cutoff"]!)")
        }
        #expect(worst <= 1e-12, "largest difference from R: \(worst)")
    }

    /// With nobody censored by the horizon, both estimators are the two-class analysis of
    /// "failed by t" against "not failed by t", bit for bit: the same AUC and the same cutoff.
    @Test(arguments: TimeDependentROC.Method.allCases, [1.0, 2.0])
    func withoutCensoringItIsTheTwoClassAnalysis(method: TimeDependentROC.Method, horizon: Double) throws {
        let c = try #require(try cohorts()[4])
        #expect(!zip(c.times, c.events).contains { $0.0 <= horizon && !$0.1 })
        let roc = try #require(TimeDependentROC(scores: c.scores, times: c.times, events: c.events, horizon: horizon, method: method))
        let cases = zip(c.scores, c.times).filter { $0.1 <= horizon }.map(\.0).sorted()
        let controls = zip(c.scores, c.times).filter { $0.1 > horizon }.map(\.0).sorted()
        let binary = cases.withUnsafeBufferPointer { x in controls.withUnsafeBufferPointer { AUCEstimate(positives: x, negatives: $0) } }
        #expect(roc.auc == binary.auc)
        let youden = cases.withUnsafeBufferPointer { x in controls.withUnsafeBufferPointer { EmpiricalYouden(positives: x, negatives: $0) } }
        let y = try #require(roc.youden())
        #expect(y.cutoff == youden!.cutoff)
        #expect(y.j == youden!.youden)
        #expect(y.ties == youden!.tiedThresholds)
    }

    /// A hand-worked case: six patients, one censored before the horizon.
    /// Times 1, 2, 3+, 4, 6+, 7 (+: censored), scores 5, 4, 3, 2, 1, 0, horizon 5.
    /// Kaplan–Meier of everyone: S(5) = (5/6)(4/5)(2/3) = 4/9; failed mass 6·5/9 = 10/3.
    /// Uno's weights: Ĝ = 1 before 3, then 3/4 (one of the four followed to 3 is censored there),
    /// so the failures at 1 and 2 weigh 1 and the one at 4 weighs 4/3: 10/3 in all, as the
    /// Kaplan–Meier mass (the two agree for a single group).
    @Test func handWorkedCase() throws {
        let scores = [5.0, 4, 3, 2, 1, 0], times = [1.0, 2, 3, 4, 6, 7], events = [true, true, false, true, false, true]
        #expect(abs(KaplanMeier.survival(times: times, events: events, at: 5) - 4.0 / 9) <= 1e-15)
        let km = try #require(TimeDependentROC(scores: scores, times: times, events: events, horizon: 5, method: .kaplanMeier))
        #expect(abs(km.totalCaseMass - 10.0 / 3) <= 1e-14)
        #expect(abs(km.totalControlMass - 8.0 / 3) <= 1e-14)
        let ipcw = try #require(TimeDependentROC(scores: scores, times: times, events: events, horizon: 5, method: .ipcw))
        #expect(abs(ipcw.totalCaseMass - 10.0 / 3) <= 1e-14)
        // The two patients followed beyond 5 weigh 1/Ĝ(5) = 4/3 each: the weighted share failed
        // is the Kaplan–Meier F̂(5) = 5/9.
        #expect(abs(ipcw.totalControlMass - 8.0 / 3) <= 1e-14)
        #expect(abs(ipcw.failedShare - 5.0 / 9) <= 1e-15 && abs(km.failedShare - 5.0 / 9) <= 1e-15)
        #expect(ipcw.observedCases == 3 && ipcw.observedControls == 2)
        // Every failure by 5 scores above every patient followed beyond it: AUC 1, and the cutoff
        // between them (2 and 1) separates them.
        #expect(ipcw.auc == 1)
        #expect(ipcw.youden()?.cutoff == 1.5)
    }

    @Test func noCaseOrNoControlGivesNoCurve() {
        #expect(TimeDependentROC(scores: [1, 2], times: [6, 7], events: [true, true], horizon: 5, method: .ipcw) == nil)
        #expect(TimeDependentROC(scores: [1, 2], times: [1, 2], events: [true, true], horizon: 5, method: .kaplanMeier) == nil)
    }
}
