import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// Class-conditional distributions of the measured score known only numerically (a
/// mechanistic truth): masses on a fine grid of scores per class, read as piecewise-linear CDFs.
struct ScoreHistogram: Sendable {
    let lo: Double
    let width: Double
    /// Mass per bin for events and non-events.
    var events: [Double]
    var nonEvents: [Double]
    init(lo: Double, hi: Double, bins: Int) {
        self.lo = lo
        width = (hi - lo) / Double(bins)
        events = [Double](repeating: 0, count: bins)
        nonEvents = events
    }

    /// Cumulative counts at each bin edge (edges.count = bins + 1).
    static func cumulative(_ h: [Double]) -> [Double] {
        var c = [0.0]; c.reserveCapacity(h.count + 1)
        var s = 0.0
        for x in h { s += x; c.append(s) }
        return c
    }
}

/// Piecewise-linear class CDFs from a histogram (mass spread evenly within a bin).
struct EmpiricalCDFs: Sendable {
    let lo: Double
    let width: Double
    let cumEvents: [Double]     // normalised to 1 at the top edge
    let cumNonEvents: [Double]
    /// Scores are rounded: each bin holds one possible value at its centre, and the CDFs are
    /// step functions (a score equal to a cutoff counts as at or above it).
    let discrete: Bool

    /// From CDF values at the bin edges (a truth's grid, or a shard file).
    init(lo: Double, width: Double, cumEvents: [Double], cumNonEvents: [Double], discrete: Bool) {
        self.lo = lo; self.width = width; self.cumEvents = cumEvents; self.cumNonEvents = cumNonEvents; self.discrete = discrete
    }

    @inline(__always) func cdf(_ c: [Double], _ x: Double) -> Double {
        let t = (x - lo) / width
        if t <= 0 { return 0 }
        let bins = c.count - 1
        if t >= Double(bins) { return 1 }
        let i = Int(t.rounded(.down))
        if discrete { return t - Double(i) > 0.5 + 1e-6 ? c[i + 1] : c[i] }
        return c[i] + (t - Double(i)) * (c[i + 1] - c[i])
    }
    func eventCDF(_ x: Double) -> Double { cdf(cumEvents, x) }
    func nonEventCDF(_ x: Double) -> Double { cdf(cumNonEvents, x) }

    /// c* as the stationary point of a cubic fitted (least squares) to J at the bin edges within
    /// ±`window` of the best edge. A cubic, not a quadratic: J is skewed near its maximum, and a
    /// symmetric fit would pull c* towards the flatter side.
    func optimum(window: Double) -> (cutoff: Double, j: Double) {
        let o = optimum(window: window, edgeValue: { cumNonEvents[$0] - cumEvents[$0] }, at: { nonEventCDF($0) - eventCDF($0) })
        return (o.cutoff, o.value)
    }

    /// The same for any value of the CDFs: `edgeValue` at bin edge k, `at` at any score.
    func optimum(window: Double, edgeValue: (Int) -> Double, at: (Double) -> Double) -> (cutoff: Double, value: Double) {
        var best = 0, bestJ = -Double.infinity
        for k in cumEvents.indices {
            let j = edgeValue(k)
            if j > bestJ { bestJ = j; best = k }
        }
        // Rounded scores: J is a step function and the bin edges are the midpoints between
        // possible values, pROC's thresholds; the best edge is c*.
        if discrete { return (lo + Double(best) * width, bestJ) }
        // window / width is the same in a model whose every score is scaled (a field factor on
        // every scan, no reader noise: grid and window scale together); rounding, not
        // truncation, keeps the node count equal in floating point, so it gets exactly the same
        // fit, scaled.
        let half = max(4, Int((window / width).rounded()))
        let a = max(0, best - half), b = min(cumEvents.count - 1, best + half)
        // Normal equations for J ≈ β₀ + β₁t + β₂t² + β₃t³, t = (edge − best edge)/window.
        var m = [[Double]](repeating: [Double](repeating: 0, count: 5), count: 4)
        for k in a...b {
            let t = Double(k - best) * width / window, y = edgeValue(k)
            let p = [1, t, t * t, t * t * t]
            for r in 0..<4 { for c in 0..<4 { m[r][c] += p[r] * p[c] }; m[r][4] += p[r] * y }
        }
        var edge = lo + Double(best) * width
        if let beta = Self.solve(m) {
            // Roots of β₁ + 2β₂t + 3β₃t² inside the window where the curve is a maximum.
            let qa = 3 * beta[3], qb = 2 * beta[2], qc = beta[1]
            var roots: [Double] = []
            if abs(qa) < 1e-14 { if qb != 0 { roots = [-qc / qb] } } else {
                let d = qb * qb - 4 * qa * qc
                if d >= 0 { roots = [(-qb + d.squareRoot()) / (2 * qa), (-qb - d.squareRoot()) / (2 * qa)] }
            }
            let maxima = roots.filter { abs($0) <= Double(half) * width / window && 2 * beta[2] + 6 * beta[3] * $0 < 0 }
            if let t = maxima.min(by: { abs($0) < abs($1) }) { edge += t * window }
        }
        return (edge, at(edge))
    }

    /// Gaussian elimination with partial pivoting on an augmented n × (n+1) matrix.
    static func solve(_ matrix: [[Double]]) -> [Double]? {
        var m = matrix
        let n = m.count
        for col in 0..<n {
            guard let pivot = (col..<n).max(by: { abs(m[$0][col]) < abs(m[$1][col]) }), abs(m[pivot][col]) > 1e-300 else { return nil }
            m.swapAt(col, pivot)
            for r in (col + 1)..<n {
                let f = m[r][col] / m[col][col]
                for c in col...n { m[r][c] -= f * m[col][c] }
            }
        }
        var x = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            var s = m[r][n]
            for c in (r + 1)..<n { s -= m[r][c] * x[c] }
            x[r] = s / m[r][r]
        }
        return x
    }

    /// AUC = P(X₁ > X₀) + ½ P(same bin), from the histograms.
    func auc() -> Double {
        var sum = 0.0
        for k in 0..<(cumEvents.count - 1) {
            let e = cumEvents[k + 1] - cumEvents[k]
            let nBelow = cumNonEvents[k], nIn = cumNonEvents[k + 1] - cumNonEvents[k]
            sum += e * (nBelow + 0.5 * nIn)
        }
        return sum
    }
}

extension TruthSolver {
    static func moments(_ h: ScoreHistogram, sheppard: Bool = true) -> ClassMoments {
        func ms(_ c: [Double]) -> (Double, Double) {
            let n = c.reduce(0, +)
            var m = 0.0
            for (i, k) in c.enumerated() { m += k * (h.lo + (Double(i) + 0.5) * h.width) }
            m /= n
            var v = 0.0
            for (i, k) in c.enumerated() { let d = h.lo + (Double(i) + 0.5) * h.width - m; v += k * d * d }
            // Sheppard's correction for grouping (bin width²/12).
            return (m, max(0, v / n - (sheppard ? h.width * h.width / 12 : 0)).squareRoot())
        }
        let e = ms(h.events), n = ms(h.nonEvents)
        return ClassMoments(eventMean: e.0, eventSD: e.1, nonEventMean: n.0, nonEventSD: n.1)
    }
}

/// Class means and SDs of the measured score in the population.
public struct ClassMoments: Sendable, Equatable {
    public let eventMean, eventSD, nonEventMean, nonEventSD: Double
}
