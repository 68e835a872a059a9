import Foundation
import Testing
import VBQLab
import VBQTestSupport

// Reference values for the empirical ROC estimators on small datasets with tied scores.
// Every expected value is worked out by hand in the comments, and the DeLong and Youden
// results are cross-checked against R's pROC 1.18.0 (see `pROCReference` below).
//
// Notation: x = event (positive) scores, n₁ of them; y = non-event (negative) scores, n₀.
//   V10(xᵢ) = [#(y < xᵢ) + ½ #(y = xᵢ)] / n₀        (placement of each event)
//   V01(yⱼ) = [#(x > yⱼ) + ½ #(x = yⱼ)] / n₁        (placement of each non-event)
//   AUC θ = mean V10 = mean V01 = Mann–Whitney count / (n₁ n₀)
//   S10 = Σ (V10 − θ)² / (n₁ − 1),  S01 = Σ (V01 − θ)² / (n₀ − 1)
//   Var_DeLong = S10/n₁ + S01/n₀,   SE = √Var
//   95% CI = θ ± 1.959963984540054 · SE, clamped to [0, 1]
// Empirical Youden: thresholds are the midpoints between consecutive distinct pooled scores
// (plus ±∞); a score above the threshold is test-positive; J = sens + spec − 1.

private func withSorted<R>(_ p: [Double], _ n: [Double],
                           _ body: (UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>) -> R) -> R {
    let ps = p.sorted(), ns = n.sorted()
    return ps.withUnsafeBufferPointer { pb in ns.withUnsafeBufferPointer { nb in body(pb, nb) } }
}

private let tol = 1e-12
private let z975 = 1.959963984540054

private func close(_ a: Double, _ b: Double, _ t: Double = tol) -> Bool { isClose(a, b, .approximation(t))}

struct ROCCase: Sendable, CustomTestStringConvertible {
    let name: String
    let positives: [Double]
    let negatives: [Double]
    /// Hand-computed.
    let auc: Double
    let variance: Double
    /// Empirical Youden cutoff (after the tie rule), its J, sensitivity and specificity.
    let cutoff: Double
    let youden: Double
    let sensitivity: Double
    let specificity: Double
    /// Every threshold reaching the maximum J, ascending.
    let optimalThresholds: [Double]

    var testDescription: String { name }
}

// MARK: - Dataset A
// x = [3.1, 3.4, 3.4, 3.8, 4.0] (n₁ = 5), y = [2.5, 2.7, 2.9, 3.0, 3.1, 3.4] (n₀ = 6).
// Ties: 3.4 twice within x, 3.1 and 3.4 shared across classes.
//
// V10: 3.1 → (4 below + ½·1 equal)/6 = 4.5/6 = 0.75
//      3.4 → (5 + ½·1)/6 = 5.5/6 = 11/12   (twice)
//      3.8 → 6/6 = 1,  4.0 → 6/6 = 1
// Mann–Whitney count = 4.5 + 5.5 + 5.5 + 6 + 6 = 27.5;  θ = 27.5/30 = 11/12 = 0.91666…
// V01: 2.5, 2.7, 2.9, 3.0 → 5/5 = 1 (four times)
//      3.1 → (4 above + ½·1 equal)/5 = 0.9
//      3.4 → (2 + ½·2)/5 = 0.6
//      mean = (4 + 0.9 + 0.6)/6 = 5.5/6 = 11/12 ✓
// S10: deviations −1/6, 0, 0, 1/12, 1/12 → squares 1/36 + 2/144 = 6/144 = 1/24; /4 → 1/96
// S01: deviations 1/12 (×4), −1/60, −19/60 → 4/144 + 1/3600 + 361/3600 = 462/3600 = 77/600;
//      /5 → 77/3000
// Var = (1/96)/5 + (77/3000)/6 = 1/480 + 77/18000 = 75/36000 + 154/36000 = 229/36000
// SE = √(229/36000) = 0.0797565740933693…
// CI: 0.91666… − 1.95996·0.07976 = 0.760346653913362; upper 1.0730… clamped to 1.
//
// Youden (tp = #x > t, tn = #y < t):
//   t = 2.6  : tp 5, tn 1 → J = 1 + 1/6 − 1 = 1/6
//   t = 2.8  : tp 5, tn 2 → 2/6
//   t = 2.95 : tp 5, tn 3 → 3/6
//   t = 3.05 : tp 5, tn 4 → 4/6 = 0.6667   ← maximum, unique
//   t = 3.25 : tp 4, tn 5 → 0.8 + 5/6 − 1 = 0.6333
//   t = 3.6  : tp 2, tn 6 → 0.4
//   t = 3.9  : tp 1, tn 6 → 0.2
//   t = +∞   : 0
// Cutoff 3.05, sensitivity 1, specificity 4/6 = 2/3, J = 2/3.
private let datasetA = ROCCase(
    name: "A: ties within and across classes",
    positives: [3.1, 3.4, 3.4, 3.8, 4.0], negatives: [2.5, 2.7, 2.9, 3.0, 3.1, 3.4],
    auc: 11.0 / 12.0, variance: 229.0 / 36000.0,
    cutoff: 3.05, youden: 2.0 / 3.0, sensitivity: 1, specificity: 2.0 / 3.0,
    optimalThresholds: [3.05])

// MARK: - Dataset B
// x = [1, 2, 2, 3] (n₁ = 4), y = [1, 1, 2, 2, 3] (n₀ = 5). Every event score is tied with
// at least one non-event score.
//
// V10: 1 → (0 + ½·2)/5 = 0.2
//      2 → (2 + ½·2)/5 = 0.6   (twice)
//      3 → (4 + ½·1)/5 = 0.9
// Mann–Whitney count = 1 + 3 + 3 + 4.5 = 11.5;  θ = 11.5/20 = 0.575
// V01: 1 → (3 + ½·1)/4 = 0.875  (twice)
//      2 → (1 + ½·2)/4 = 0.5    (twice)
//      3 → (0 + ½·1)/4 = 0.125
//      mean = (1.75 + 1 + 0.125)/5 = 2.875/5 = 0.575 ✓
// S10: deviations −0.375, 0.025, 0.025, 0.325
//      squares 0.140625 + 0.000625 + 0.000625 + 0.105625 = 0.2475; /3 → 0.0825
// S01: deviations 0.3, 0.3, −0.075, −0.075, −0.45
//      squares 0.09 + 0.09 + 0.005625 + 0.005625 + 0.2025 = 0.39375; /4 → 0.0984375
// Var = 0.0825/4 + 0.0984375/5 = 0.020625 + 0.0196875 = 0.0403125
// SE = √0.0403125 = 0.200779730052613…
//
// Youden:
//   t = 1.5 : tp 3, tn 2 → 0.75 + 0.4 − 1 = 0.15   ← maximum, unique
//   t = 2.5 : tp 1, tn 4 → 0.25 + 0.8 − 1 = 0.05
//   t = +∞  : 0
// Cutoff 1.5, sensitivity 0.75, specificity 0.4, J = 0.15.
private let datasetB = ROCCase(
    name: "B: integer scores, heavy ties",
    positives: [1, 2, 2, 3], negatives: [1, 1, 2, 2, 3],
    auc: 0.575, variance: 0.0403125,
    cutoff: 1.5, youden: 0.15, sensitivity: 0.75, specificity: 0.4,
    optimalThresholds: [1.5])

// MARK: - Dataset C (two thresholds tie for the maximum J)
// x = [2, 4], y = [1, 3].
//
// V10: 2 → 1/2, 4 → 2/2 = 1.    Mann–Whitney count = 1 + 2 = 3; θ = 3/4 = 0.75
// V01: 1 → 2/2 = 1, 3 → 1/2.    mean 0.75 ✓
// S10 = [(−0.25)² + 0.25²]/1 = 0.125;  S01 = [0.25² + (−0.25)²]/1 = 0.125
// Var = 0.125/2 + 0.125/2 = 0.125;  SE = √0.125 = 0.353553390593274…
// CI lower = 0.75 − 1.95996·0.35355 = 0.0570480878251612; upper 1.443 clamped to 1.
//
// Youden:
//   t = 1.5 : tp 2, tn 1 → 1 + 0.5 − 1 = 0.5   ← tied maximum
//   t = 2.5 : tp 1, tn 1 → 0
//   t = 3.5 : tp 1, tn 2 → 0.5 + 1 − 1 = 0.5   ← tied maximum
//   t = +∞  : 0
// Two tied thresholds [1.5, 3.5]; the lower median (index (2 − 1)/2 = 0) is 1.5:
// sensitivity 1, specificity 0.5.
private let datasetC = ROCCase(
    name: "C: two-way tie for max J",
    positives: [2, 4], negatives: [1, 3],
    auc: 0.75, variance: 0.125,
    cutoff: 1.5, youden: 0.5, sensitivity: 1, specificity: 0.5,
    optimalThresholds: [1.5, 3.5])

// MARK: - Dataset D (three thresholds tie for the maximum J)
// x = [2, 4, 6], y = [1, 3, 5].
//
// V10: 2 → 1/3, 4 → 2/3, 6 → 1.  Mann–Whitney count = 1 + 2 + 3 = 6; θ = 6/9 = 2/3
// V01: 1 → 1, 3 → 2/3, 5 → 1/3.  mean 2/3 ✓
// S10 = [(1/3)² + 0 + (1/3)²]/2 = 1/9;  S01 = 1/9
// Var = (1/9)/3 + (1/9)/3 = 2/27;  SE = √(2/27) = 0.272165526975909…
//
// Youden:
//   t = 1.5 : tp 3, tn 1 → 1 + 1/3 − 1 = 1/3   ← tied
//   t = 2.5 : tp 2, tn 1 → 0
//   t = 3.5 : tp 2, tn 2 → 2/3 + 2/3 − 1 = 1/3 ← tied
//   t = 4.5 : tp 1, tn 2 → 0
//   t = 5.5 : tp 1, tn 3 → 1/3                 ← tied
//   t = +∞  : 0
// Three tied thresholds; the lower median (index (3 − 1)/2 = 1) is the middle one, 3.5:
// sensitivity 2/3, specificity 2/3.
private let datasetD = ROCCase(
    name: "D: three-way tie for max J",
    positives: [2, 4, 6], negatives: [1, 3, 5],
    auc: 2.0 / 3.0, variance: 2.0 / 27.0,
    cutoff: 3.5, youden: 1.0 / 3.0, sensitivity: 2.0 / 3.0, specificity: 2.0 / 3.0,
    optimalThresholds: [1.5, 3.5, 5.5])

private let handCases = [datasetA, datasetB, datasetC, datasetD]

@Suite("ROC reference values")
struct ROCReferenceTests {

    // MARK: 1. Hand-computed AUC, DeLong SE and CI

    @Test("AUC and DeLong SE match the hand computation", arguments: handCases)
    func aucAndDeLong(_ c: ROCCase) {
        let est = withSorted(c.positives, c.negatives) { AUCEstimate(positives: $0, negatives: $1) }
        #expect(close(est.auc, c.auc), "AUC \(est.auc) vs \(c.auc)")
        let se = c.variance.squareRoot()
        #expect(close(est.standardError, se), "SE \(est.standardError) vs \(se)")
        #expect(close(est.standardError * est.standardError, c.variance))
        let ci = est.ci
        #expect(close(ci.lower, max(0, c.auc - z975 * se)))
        #expect(close(ci.upper, min(1, c.auc + z975 * se)))
        #expect(ci.lower >= 0 && ci.upper <= 1)
    }

    @Test("AUC is the Mann–Whitney count with ½ for ties", arguments: handCases)
    func mannWhitneyBruteForce(_ c: ROCCase) {
        // Independent O(n₁n₀) pair count.
        var count = 0.0
        for x in c.positives {
            for y in c.negatives { count += x > y ? 1 : (x == y ? 0.5 : 0) }
        }
        let mw = count / Double(c.positives.count * c.negatives.count)
        #expect(close(mw, c.auc))
        let est = withSorted(c.positives, c.negatives) { AUCEstimate(positives: $0, negatives: $1) }
        #expect(close(est.auc, mw))
    }

    @Test("AUC estimate does not depend on input order", arguments: handCases)
    func orderInvariance(_ c: ROCCase) {
        let a = withSorted(c.positives, c.negatives) { AUCEstimate(positives: $0, negatives: $1) }
        let b = withSorted(c.positives.reversed(), c.negatives.shuffled()) { AUCEstimate(positives: $0, negatives: $1) }
        #expect(close(a.auc, b.auc) && close(a.standardError, b.standardError))
    }

    // MARK: 1. Hand-computed empirical Youden, including the tie rule

    @Test("Empirical Youden cutoff, J, sensitivity and specificity", arguments: handCases)
    func empiricalYouden(_ c: ROCCase) throws {
        let e = try #require(withSorted(c.positives, c.negatives) { EmpiricalYouden(positives: $0, negatives: $1) })
        #expect(close(e.cutoff, c.cutoff), "cutoff \(e.cutoff) vs \(c.cutoff)")
        #expect(close(e.youden, c.youden), "J \(e.youden) vs \(c.youden)")
        #expect(e.tiedThresholds == c.optimalThresholds.count)
        #expect(e.optimalThresholds.count == c.optimalThresholds.count)
        for (got, want) in zip(e.optimalThresholds, c.optimalThresholds) { #expect(close(got, want)) }
        // Tie rule: the lower median of the tied thresholds.
        #expect(e.cutoff == e.optimalThresholds[(e.optimalThresholds.count - 1) / 2])

        // The cutoff applied with the score ≥ cutoff rule gives the hand-counted rates (the
        // cutoff is a midpoint, so ≥ and > agree there).
        let conf = withSorted(c.positives, c.negatives) { Confusion(cutoff: e.cutoff, positives: $0, negatives: $1) }
        #expect(close(conf.sensitivity, c.sensitivity))
        #expect(close(conf.specificity, c.specificity))
        #expect(close(conf.youden, e.youden))
    }

    @Test("Dataset.analyse reports the same AUC, SE and empirical cutoff", arguments: handCases)
    func datasetAnalyse(_ c: ROCCase) throws {
        let a = Dataset(positives: c.positives, negatives: c.negatives).analyse(methods: [.empirical])
        #expect(a.degenerate == nil)
        #expect(a.nPositive == c.positives.count && a.nNegative == c.negatives.count)
        let auc = try #require(a.auc)
        #expect(close(auc.auc, c.auc))
        #expect(close(auc.standardError, c.variance.squareRoot()))
        let est = try #require(a.estimate(.empirical))
        #expect(est.failure == nil)
        #expect(close(est.cutoff, c.cutoff))
        #expect(est.tiedThresholds == c.optimalThresholds.count)
        #expect(close(est.auc, c.auc))
        let app = try #require(est.apparent)
        #expect(close(app.sensitivity, c.sensitivity))
        #expect(close(app.specificity, c.specificity))
    }

    // MARK: 2. Cross-check against R's pROC 1.18.0
    //
    // Code run (Rscript /tmp/roc_ref.R):
    //
    //   library(pROC); options(digits=15)
    //   cat("pROC", as.character(packageVersion("pROC")), "\n")
    //   ref <- function(pos, neg) {
    //     r <- roc(c(rep(1,length(pos)),rep(0,length(neg))), c(pos,neg), direction="<", levels=c(0,1), quiet=TRUE)
    //     print(auc(r)); print(sqrt(var(r, method="delong"))); print(ci.auc(r, method="delong"))
    //     print(as.numeric(ci.auc(r, method="delong")))
    //     print(coords(r, "best", best.method="youden", ret=c("threshold","sensitivity","specificity")))
    //   }
    //   ref(c(3.1,3.4,3.4,3.8,4.0), c(2.5,2.7,2.9,3.0,3.1,3.4))
    //   ref(c(1,2,2,3), c(1,1,2,2,3))
    //   ref(c(2,4), c(1,3))
    //   ref(c(2,4,6), c(1,3,5))
    //
    // Printed output:
    //
    //   pROC 1.18.0
    //   Area under the curve: 0.916666666667
    //   [1] 0.0797565740933693
    //   95% CI: 0.760346653913-1 (DeLong)
    //   [1] 0.760346653913362 0.916666666666667 1.000000000000000
    //     threshold sensitivity       specificity
    //   1      3.05           1 0.666666666666667
    //   Area under the curve: 0.575
    //   [1] 0.200779730052613
    //   95% CI: 0.181478960271-0.968521039729 (DeLong)
    //   [1] 0.181478960271205 0.575000000000000 0.968521039728795
    //     threshold sensitivity specificity
    //   1       1.5        0.75         0.4
    //   Area under the curve: 0.75
    //   [1] 0.353553390593274
    //   95% CI: 0.0570480878252-1 (DeLong)
    //   [1] 0.0570480878251612 0.7500000000000000 1.0000000000000000
    //     threshold sensitivity specificity
    //   1       1.5         1.0         0.5
    //   2       3.5         0.5         1.0
    //   Area under the curve: 0.666666666667
    //   [1] 0.272165526975909
    //   95% CI: 0.133232035961-1 (DeLong)
    //   [1] 0.133232035960521 0.666666666666667 1.000000000000000
    //     threshold       sensitivity       specificity
    //   1       1.5 1.000000000000000 0.333333333333333
    //   2       3.5 0.666666666666667 0.666666666666667
    //   3       5.5 0.333333333333333 1.000000000000000
    //
    // pROC's coords(…, "best") lists every tied optimum; vbqlab reports them all in
    // `optimalThresholds` and picks one by its tie rule.

    struct PROCReference: Sendable, CustomTestStringConvertible {
        let data: ROCCase
        let auc, se, ciLower, ciUpper: Double
        /// (threshold, sensitivity, specificity) rows of coords(…, "best").
        let best: [(threshold: Double, sensitivity: Double, specificity: Double)]
        var testDescription: String { data.name }
    }

    static let pROCReference: [PROCReference] = [
        PROCReference(data: datasetA, auc: 0.916666666666667, se: 0.0797565740933693,
                      ciLower: 0.760346653913362, ciUpper: 1,
                      best: [(3.05, 1, 0.666666666666667)]),
        PROCReference(data: datasetB, auc: 0.575, se: 0.200779730052613,
                      ciLower: 0.181478960271205, ciUpper: 0.968521039728795,
                      best: [(1.5, 0.75, 0.4)]),
        PROCReference(data: datasetC, auc: 0.75, se: 0.353553390593274,
                      ciLower: 0.0570480878251612, ciUpper: 1,
                      best: [(1.5, 1, 0.5), (3.5, 0.5, 1)]),
        PROCReference(data: datasetD, auc: 0.666666666666667, se: 0.272165526975909,
                      ciLower: 0.133232035960521, ciUpper: 1,
                      best: [(1.5, 1, 0.333333333333333), (3.5, 0.666666666666667, 0.666666666666667),
                             (5.5, 0.333333333333333, 1)]),
    ]

    @Test("DeLong AUC, SE, CI and Youden thresholds match pROC 1.18", arguments: pROCReference)
    func matchesPROC(_ r: PROCReference) throws {
        // pROC prints 15 significant digits, so its values carry up to 5e-16 rounding.
        let est = withSorted(r.data.positives, r.data.negatives) { AUCEstimate(positives: $0, negatives: $1) }
        #expect(close(est.auc, r.auc), "AUC \(est.auc) vs pROC \(r.auc)")
        #expect(close(est.standardError, r.se), "SE \(est.standardError) vs pROC \(r.se)")
        #expect(close(est.ci.lower, r.ciLower), "CI lower \(est.ci.lower) vs pROC \(r.ciLower)")
        #expect(close(est.ci.upper, r.ciUpper), "CI upper \(est.ci.upper) vs pROC \(r.ciUpper)")

        let e = try #require(withSorted(r.data.positives, r.data.negatives) { EmpiricalYouden(positives: $0, negatives: $1) })
        #expect(e.optimalThresholds.count == r.best.count)
        for (t, row) in zip(e.optimalThresholds, r.best) {
            #expect(close(t, row.threshold), "threshold \(t) vs pROC \(row.threshold)")
            let conf = withSorted(r.data.positives, r.data.negatives) { Confusion(cutoff: t, positives: $0, negatives: $1) }
            #expect(close(conf.sensitivity, row.sensitivity))
            #expect(close(conf.specificity, row.specificity))
        }
        // The chosen cutoff is one of pROC's optima.
        #expect(r.best.contains { close($0.threshold, e.cutoff) })
    }

    // MARK: 3. Binormal cutoff on tiny datasets

    // x = [3, 5, 7]: mean 15/3 = 5; deviations −2, 0, 2; SS = 8; SD = √(8/2) = 2.
    // y = [1, 3, 5]: mean 9/3 = 3; deviations −2, 0, 2; SS = 8; SD = 2.
    // Equal SDs: the densities cross at the midpoint of the means, (5 + 3)/2 = 4.
    // Binormal AUC = Φ((5 − 3)/√(4 + 4)) = Φ(1/√2) = 0.76024993890652326 (R: pnorm(2/sqrt(8))).
    @Test("Binormal cutoff is the midpoint of the means when the sample SDs are equal")
    func binormalEqualSD() throws {
        let b = try #require(withSorted([3, 5, 7], [1, 3, 5]) { BinormalYouden(positives: $0, negatives: $1) })
        #expect(close(b.eventMean, 5))
        #expect(close(b.nonEventMean, 3))
        #expect(close(b.eventSD, 2))
        #expect(close(b.nonEventSD, 2))
        #expect(close(b.cutoff, (5 + 3) / 2))
        #expect(close(b.auc, 0.76024993890652326))
    }

    // Non-integer scores, still equal SDs, with a tied value across classes.
    // x = [2.5, 3.0, 3.5, 4.0]: mean 13/4 = 3.25; deviations −0.75, −0.25, 0.25, 0.75;
    //   SS = 0.5625 + 0.0625 + 0.0625 + 0.5625 = 1.25; SD = √(1.25/3).
    // y = [1.0, 1.5, 2.0, 2.5]: mean 7/4 = 1.75; same deviations, same SD.
    // Cutoff = (3.25 + 1.75)/2 = 2.5.
    @Test("Binormal equal-SD midpoint with non-integer scores")
    func binormalEqualSDShifted() throws {
        let b = try #require(withSorted([2.5, 3.0, 3.5, 4.0], [1.0, 1.5, 2.0, 2.5]) { BinormalYouden(positives: $0, negatives: $1) })
        #expect(close(b.eventMean, 3.25))
        #expect(close(b.nonEventMean, 1.75))
        #expect(close(b.eventSD, (1.25 / 3).squareRoot()))
        #expect(close(b.nonEventSD, (1.25 / 3).squareRoot()))
        #expect(close(b.cutoff, 2.5))
    }

    // Unequal SDs. x = [4, 6, 8]: mean 6, SS = 8, SD = 2.  y = [1, 2, 3]: mean 2, SS = 2, SD = 1.
    // Equal densities: (c − 6)²/(2·4) + ln 2 = (c − 2)²/2
    //   ⇔ (c − 6)² + 8 ln 2 = 4 (c − 2)²  ⇔  3c² − 4c − 20 − 8 ln 2 = 0
    //   ⇒ c = [4 + √(16 + 12(20 + 8 ln 2))]/6 = [4 + √(256 + 96 ln 2)]/6 = 3.6599096559016364
    // (the other root is negative, outside the means).
    // Binormal AUC = Φ(4/√5) = 0.96318086493984867 (R: pnorm(4/sqrt(5))).
    @Test("Binormal cutoff with unequal SDs solves the density-crossing quadratic")
    func binormalUnequalSD() throws {
        let b = try #require(withSorted([4, 6, 8], [1, 2, 3]) { BinormalYouden(positives: $0, negatives: $1) })
        #expect(close(b.eventSD, 2) && close(b.nonEventSD, 1))
        let expected = (4 + (256 + 96 * log(2.0)).squareRoot()) / 6
        #expect(close(expected, 3.6599096559016364))
        #expect(close(b.cutoff, expected))
        #expect(close(b.auc, 0.96318086493984867))
    }

    // MARK: 4. Confusion at a cutoff equal to a tied score

    // Dataset A at cutoff 3.4 (a score shared by two events and one non-event), score ≥ 3.4 positive:
    //   events     3.1 | 3.4 3.4 3.8 4.0  → TP = 4, FN = 1
    //   non-events 2.5 2.7 2.9 3.0 3.1 | 3.4 → TN = 5, FP = 1
    //   sensitivity 4/5 = 0.8, specificity 5/6, PPV = 4/(4+1) = 0.8, NPV = 5/(5+1) = 5/6,
    //   accuracy 9/11, J = 0.8 + 5/6 − 1 = 19/30.
    @Test("Confusion at a tied cutoff counts scores equal to the cutoff as positive")
    func confusionAtTiedScore() {
        let c = withSorted(datasetA.positives, datasetA.negatives) { Confusion(cutoff: 3.4, positives: $0, negatives: $1) }
        #expect(c.tp == 4 && c.fn == 1 && c.tn == 5 && c.fp == 1)
        #expect(close(c.sensitivity, 0.8))
        #expect(close(c.specificity, 5.0 / 6.0))
        #expect(close(c.ppv, 0.8))
        #expect(close(c.npv, 5.0 / 6.0))
        #expect(close(c.accuracy, 9.0 / 11.0))
        #expect(close(c.youden, 19.0 / 30.0))

        // The same table through Dataset.analyse(cutoffs:).
        let a = Dataset(positives: datasetA.positives, negatives: datasetA.negatives).analyse(methods: [], cutoffs: [3.4])
        #expect(a.fixed.count == 1)
        #expect(a.fixed.first == c)
    }

    // Dataset B at the tied score 2 (x = [1, 2, 2, 3], y = [1, 1, 2, 2, 3]), score ≥ 2 positive:
    //   events     1 | 2 2 3   → TP = 3, FN = 1
    //   non-events 1 1 | 2 2 3 → TN = 2, FP = 3
    //   PPV = 3/6 = 0.5, NPV = 2/3.
    // At 1 (the minimum) everything is positive: TP 4, FP 5, no test-negatives so NPV is NaN.
    // Just above the maximum (3.5) nothing is positive: PPV is NaN.
    struct TiedCutoff: Sendable, CustomTestStringConvertible {
        let cutoff: Double
        let tp, fn, tn, fp: Int
        let ppv, npv: Double
        var testDescription: String { "cutoff \(cutoff)" }
    }

    static let tiedCutoffsB: [TiedCutoff] = [
        TiedCutoff(cutoff: 1, tp: 4, fn: 0, tn: 0, fp: 5, ppv: 4.0 / 9.0, npv: .nan),
        TiedCutoff(cutoff: 2, tp: 3, fn: 1, tn: 2, fp: 3, ppv: 0.5, npv: 2.0 / 3.0),
        TiedCutoff(cutoff: 3, tp: 1, fn: 3, tn: 4, fp: 1, ppv: 0.5, npv: 4.0 / 7.0),
        TiedCutoff(cutoff: 3.5, tp: 0, fn: 4, tn: 5, fp: 0, ppv: .nan, npv: 5.0 / 9.0),
    ]

    @Test("Confusion counts on dataset B at tied and extreme cutoffs", arguments: tiedCutoffsB)
    func confusionDatasetB(_ t: TiedCutoff) {
        let c = withSorted(datasetB.positives, datasetB.negatives) { Confusion(cutoff: t.cutoff, positives: $0, negatives: $1) }
        #expect(c.tp == t.tp && c.fn == t.fn && c.tn == t.tn && c.fp == t.fp)
        if t.ppv.isNaN { #expect(c.ppv.isNaN) } else { #expect(close(c.ppv, t.ppv)) }
        if t.npv.isNaN { #expect(c.npv.isNaN) } else { #expect(close(c.npv, t.npv)) }
    }

    // MARK: 5. Degenerate inputs

    @Test("All scores tied is reported as degenerate", arguments: [
        ([2.0, 2.0], [2.0, 2.0, 2.0]),
        ([0.5], [0.5]),
    ])
    func allTied(_ data: ([Double], [Double])) {
        let a = Dataset(positives: data.0, negatives: data.1).analyse()
        #expect(a.degenerate == .allTied)
        #expect(a.auc == nil)
        #expect(a.estimates.isEmpty)
    }

    @Test("Empty classes are reported as degenerate")
    func emptyClasses() {
        #expect(Dataset(positives: [], negatives: [1, 2]).analyse().degenerate == .noEvents)
        #expect(Dataset(positives: [1, 2], negatives: []).analyse().degenerate == .noNonEvents)
    }

    // x = [1, 2], y = [3, 4]: every event scores below every non-event.
    //   t = 1.5 : tp 1, tn 0 → 0.5 + 0 − 1 = −0.5
    //   t = 2.5 : tp 0, tn 0 → −1
    //   t = 3.5 : tp 0, tn 1 → −0.5
    //   t = ±∞  : 0
    // No threshold gives J > 0 → nil.
    // x = [1, 3], y = [1, 3]: identical classes; t = 2: tp 1, tn 1 → J = 0 → nil as well.
    @Test("EmpiricalYouden is nil when no threshold gives J > 0", arguments: [
        ([1.0, 2.0], [3.0, 4.0]),
        ([1.0, 3.0], [1.0, 3.0]),
    ])
    func noPositiveYouden(_ data: ([Double], [Double])) {
        let e = withSorted(data.0, data.1) { EmpiricalYouden(positives: $0, negatives: $1) }
        #expect(e == nil)
        let a = Dataset(positives: data.0, negatives: data.1).analyse(methods: [.empirical])
        #expect(a.degenerate == nil)
        let est = a.estimate(.empirical)
        #expect(est?.cutoff.isNaN == true)
        #expect(est?.failure != nil)
        #expect(est?.apparent == nil)
    }

    // x = [1, 2], y = [3, 4]: V10 = 0, 0 → AUC 0, S10 = 0; V01 = 0, 0 → S01 = 0; SE = 0.
    // x = [1, 3], y = [1, 3]: V10 = ½·½ = 0.25, (1 + ½)/2 = 0.75 → AUC 0.5;
    //   S10 = 2·0.25²/1 = 0.125; V01 = 0.75, 0.25 → S01 = 0.125; Var = 0.125/2 + 0.125/2 = 0.125.
    @Test("AUC and SE of the J ≤ 0 datasets")
    func aucOfNonSeparating() {
        let a = withSorted([1, 2], [3, 4]) { AUCEstimate(positives: $0, negatives: $1) }
        #expect(close(a.auc, 0) && close(a.standardError, 0))
        let b = withSorted([1, 3], [1, 3]) { AUCEstimate(positives: $0, negatives: $1) }
        #expect(close(b.auc, 0.5))
        #expect(close(b.standardError, 0.125.squareRoot()))
    }

    // A class with a single member: AUC defined, DeLong SE undefined (NaN, as pROC's NA).
    // x = [2], y = [1, 2, 3]: V10 = (1 + ½)/3 = 0.5.
    @Test("Single-member class gives an AUC but a NaN standard error")
    func singleMember() {
        let a = withSorted([2], [1, 2, 3]) { AUCEstimate(positives: $0, negatives: $1) }
        #expect(close(a.auc, 0.5))
        #expect(a.standardError.isNaN)
        #expect(a.ci.lower.isNaN && a.ci.upper.isNaN)
    }
}

/// The ROC band of `analyze --bootstrap`: the sensitivity read at a specificity, by hand with
/// ties, and the band from the very resamples the cutoff intervals use.
@Suite struct BootstrapROCBandTests {
    /// Events 1, 2, 3, 3, 5 and non-events 0, 1, 2, 2, 4 (ties within and across the classes).
    /// Specificity ≥ 0.4 needs a threshold above the 2nd lowest non-event (1): 4 events lie above
    /// it. ≥ 0.5 and ≥ 0.8 both need one above 2 (the tie makes 0.6 jump to 0.8): 3 events. 1.0
    /// needs one above 4: 1 event.
    @Test func sensitivityAtASpecificityByHand() {
        let ps: [Double] = [1, 2, 3, 3, 5], ns: [Double] = [0, 1, 2, 2, 4]
        let expected: [(Double, Double)] = [(0, 1), (0.2, 1), (0.4, 0.8), (0.5, 0.6), (0.6, 0.6), (0.8, 0.6), (0.81, 0.2), (1, 0.2)]
        for (sp, se) in expected {
            #expect(BootstrapROCBand.sensitivity(sortedPositives: ps, sortedNegatives: ns, specificity: sp) == se, "specificity \(sp)")
        }
    }

    @Test func theBandComesFromTheIntervalsResamples() {
        let ds = Dataset(positives: (0..<40).map { 3.0 + 0.03 * Double($0 % 17) }, negatives: (0..<60).map { 2.7 + 0.025 * Double($0 % 23) })
        let (intervals, band) = ds.bootstrapWithBand(methods: [.empirical, .binormal], replicates: 300, seed: 7)
        let alone = ds.bootstrap(methods: [.empirical, .binormal], replicates: 300, seed: 7)
        #expect(intervals.map(\.lower) == alone.map(\.lower) && intervals.map(\.upper) == alone.map(\.upper))
        #expect(band.lower.count == BootstrapROCBand.specificities.count)
        #expect(zip(band.lower, band.upper).allSatisfy { $0 <= $1 })
        // The data's own curve lies inside its band nearly everywhere (pointwise 95%).
        let own = BootstrapROCBand.specificities.map { BootstrapROCBand.sensitivity(sortedPositives: ds.positives, sortedNegatives: ds.negatives, specificity: $0) }
        let inside = zip(own, zip(band.lower, band.upper)).filter { $0.0 >= $0.1.0 && $0.0 <= $0.1.1 }.count
        #expect(inside >= BootstrapROCBand.specificities.count - 3)
        #expect(band.lower.first == 1 && band.upper.first == 1)
    }
}
