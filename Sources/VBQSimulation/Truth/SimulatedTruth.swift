import Foundation
import Dispatch
import VBQCore
import VBQEstimate
import VBQModel

/// Class-conditional distributions of the measured score known only through simulation:
/// fine histograms of ≥ 10⁶ scores per class, read as piecewise-linear CDFs.
struct ScoreHistogram: Sendable {
    let lo: Double
    let width: Double
    /// counts per bin for events and non-events; index 0 and last also hold anything beyond the range.
    var events: [Double]
    var nonEvents: [Double]
    var nEvents: Double { events.reduce(0, +) }
    var nNonEvents: Double { nonEvents.reduce(0, +) }

    init(lo: Double, hi: Double, bins: Int) {
        self.lo = lo
        width = (hi - lo) / Double(bins)
        events = [Double](repeating: 0, count: bins)
        nonEvents = events
    }

    @inline(__always) mutating func add(_ x: Double, event: Bool) {
        let t = ((x - lo) / width).rounded(.down)
        // Anything outside the range (or not a number) goes to the end bins, never into a trap.
        let i = t >= Double(events.count - 1) ? events.count - 1 : (t >= 0 ? Int(t) : 0)
        if event { events[i] += 1 } else { nonEvents[i] += 1 }
    }

    mutating func merge(_ o: ScoreHistogram) {
        for i in events.indices { events[i] += o.events[i]; nonEvents[i] += o.nonEvents[i] }
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

    /// As read back from a shard file.
    init(lo: Double, width: Double, cumEvents: [Double], cumNonEvents: [Double], discrete: Bool) {
        self.lo = lo; self.width = width; self.cumEvents = cumEvents; self.cumNonEvents = cumNonEvents; self.discrete = discrete
    }

    init(_ h: ScoreHistogram, discrete: Bool = false) {
        lo = h.lo
        width = h.width
        self.discrete = discrete
        let e = ScoreHistogram.cumulative(h.events), n = ScoreHistogram.cumulative(h.nonEvents)
        cumEvents = e.map { $0 / e.last! }
        cumNonEvents = n.map { $0 / n.last! }
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
        var best = 0, bestJ = -Double.infinity
        for k in cumEvents.indices {
            let j = cumNonEvents[k] - cumEvents[k]
            if j > bestJ { bestJ = j; best = k }
        }
        // Rounded scores: J is a step function and the bin edges are the midpoints between
        // possible values, pROC's thresholds; the best edge is c*.
        if discrete { return (lo + Double(best) * width, bestJ) }
        // window / width is a whole number in exact arithmetic (0.03 of the pilot's span over
        // 1/40,000 of 1.5 spans = 800); rounding, not truncation, keeps it so in floating point,
        // so a scaled model (a field factor on every scan) gets exactly the same fit, scaled.
        let half = max(4, Int((window / width).rounded()))
        let a = max(0, best - half), b = min(cumEvents.count - 1, best + half)
        // Normal equations for J ≈ β₀ + β₁t + β₂t² + β₃t³, t = (edge − best edge)/window.
        var m = [[Double]](repeating: [Double](repeating: 0, count: 5), count: 4)
        for k in a...b {
            let t = Double(k - best) * width / window, y = cumNonEvents[k] - cumEvents[k]
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
        return (edge, nonEventCDF(edge) - eventCDF(edge))
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
    /// Patients per class in the truth simulation.
    public static let simulatedPerClass = 1_000_000
    static let truthBatches = 8
    static let truthBins = 40_000

    /// The truth of a mechanistic cell from one large simulation (≥ 10⁶ patients per class),
    /// drawn in cohorts of the cell's size on streams (cell, 2⁶³ + batch, cohort) of the seed
    /// tree, in 8 batches whose spread gives the stated Monte Carlo error.
    public static func simulated(_ model: MechanisticModel, cohortSize: Int, tree: SeedTree, cellKey: UInt64,
                                 perClass: Int = simulatedPerClass, threads: Int = Runner.defaultThreads) throws -> Truth {
        do {
            return try simulated([model], cohortSize: cohortSize, tree: tree, cellKey: cellKey, perClass: perClass, threads: threads)[0]
        } catch let e as GroupTruthError { throw e.error }
    }

    /// A truth simulation that failed for the model at `index` of a group.
    struct GroupTruthError: Error { let index: Int; let error: Error }

    /// The truths of several cells whose models draw the same random numbers
    /// (`MechanisticGenerator.sharesDraws`) in one simulation: each patient is drawn once and
    /// measured and classified with each model's values, and each model's histograms stop
    /// growing when its own batch is full, exactly as if it were simulated alone. A failure is
    /// thrown as a `GroupTruthError` naming the model.
    static func simulated(_ models: [MechanisticModel], cohortSize: Int, tree: SeedTree, cellKey: UInt64,
                          perClass: Int = simulatedPerClass, threads: Int = Runner.defaultThreads) throws -> [Truth] {
        let gens = models.map { MechanisticGenerator($0) }
        precondition(gens.allSatisfy { $0.sharesDraws(with: gens[0]) }, "models of one truth simulation must share their draws")
        // Pilots for the histograms' ranges, one per model.
        let setups = try gens.enumerated().map { k, gen in
            do { return try pilot(gen, tree: tree, cellKey: cellKey, perClass: perClass) }
            catch { throw GroupTruthError(index: k, error: error) }
        }
        let batches = truthBatches
        let perBatch = (perClass + batches - 1) / batches
        let results = (0..<models.count).map { _ in TruthBatches(count: batches) }
        let shared = gens[0]
        Parallel.forEach(batches, threads: threads, worker: { RandomStream() }) { rng, items in
            for b in items {
                var h = setups.map { ScoreHistogram(lo: $0.range.lo, hi: $0.range.hi, bins: $0.range.bins) }
                var ne = [Int](repeating: 0, count: gens.count), nn = ne, attempts = ne, drawn = ne
                var active = [Bool](repeating: true, count: gens.count)
                var cohortDraws: [PatientDraws] = []
                cohortDraws.reserveCapacity(cohortSize)
                var cohort: UInt64 = 0
                while active.contains(true) {
                    rng.reset(to: tree.state(.truthBatch(cell: cellKey, batch: UInt64(b), cohort: cohort)))
                    cohort += 1
                    let normals = shared.scannerNormals(rng)
                    let scanners = gens.map { $0.scannerFactors(normals) }
                    // The cohort's patients once, then each model's measurement of them (one
                    // model's histogram at a time stays in cache).
                    var tried = 0
                    cohortDraws.removeAll(keepingCapacity: true)
                    for _ in 0..<cohortSize { cohortDraws.append(shared.draws(rng, attempts: &tried, maxAttempts: .max)!) }
                    for k in gens.indices where active[k] {
                        let g = gens[k], sc = scanners[k]
                        for d in cohortDraws {
                            let p = g.finish(d, scanners: sc)
                            h[k].add(p.score, event: p.event)
                            if p.event { ne[k] += 1 } else { nn[k] += 1 }
                        }
                        drawn[k] += cohortSize
                    }
                    for k in gens.indices where active[k] {
                        attempts[k] += tried
                        if ne[k] >= perBatch && nn[k] >= perBatch { active[k] = false }
                    }
                }
                for k in gens.indices { results[k].set(b, h[k], accepted: drawn[k], attempts: attempts[k]) }
            }
        }
        return models.indices.map { k in
            finalTruth(results[k], discrete: setups[k].discrete, window: setups[k].window, batches: batches)
        }
    }

    /// The pilot of 20,000 patients of one model: checks that patients pass selection, that both
    /// classes occur, that the truth's size is bearable and the scores are finite; returns the
    /// histogram's range, whether the scores are rounded to a lattice, and the optimum's window.
    static func pilot(_ gen: MechanisticGenerator, tree: SeedTree, cellKey: UInt64, perClass: Int) throws
        -> (range: (lo: Double, hi: Double, bins: Int), discrete: Bool, window: Double) {
        let model = gen.model
        let rng = RandomStream(tree.state(.truthPilot(cell: cellKey)))
        var pilot: [Double] = []
        var attempts = 0
        var pilotEvents = 0
        let scanners = gen.scannerFactors(rng)
        for _ in 0..<20_000 {
            guard let p = gen.patient(rng, scanners: scanners, attempts: &attempts, maxAttempts: 10_000) else {
                throw VBQError(key: "selection", "almost no simulated patient is operated on: fewer than 1 in 10,000 pass the age window (population.age.min/max) and the selection (selection.q, v_exclude)")
            }
            pilot.append(p.score)
            if p.event { pilotEvents += 1 }
        }
        guard pilotEvents > 0, pilotEvents < pilot.count else {
            throw VBQError(key: "outcome", "the failure definition '\(model.definitionName)' gives \(pilotEvents == 0 ? "no events" : "no non-events") in 20,000 simulated patients; the cutoff is undefined")
        }
        // Refuse a truth that would take hours: the rarer class sets the number of patients.
        let rarer = Double(min(pilotEvents, pilot.count - pilotEvents)) / Double(pilot.count)
        let acceptance0 = Double(pilot.count) / Double(attempts)
        let needed = Double(perClass) / rarer / acceptance0
        guard needed <= 3e8 else {
            throw VBQError(key: "outcome", "the failure definition '\(model.definitionName)' has prevalence \(Format.number(Double(pilotEvents) / Double(pilot.count), digits: 2)) (selection acceptance \(Format.number(acceptance0, digits: 2))); its truth needs \(perClass) patients per class, about \(Format.number(needed, digits: 2)) simulated patients: too many")
        }
        guard pilot.allSatisfy({ $0.isFinite && abs($0) <= 1e12 }) else {
            throw VBQError(key: "measurement", "the model produces scores that are not finite or beyond ±10¹² (the field, scanner, CSF and reader factors multiply); choose smaller factors")
        }
        let lo0 = pilot.min()!, hi0 = pilot.max()!
        let span = max(hi0 - lo0, 1e-9)
        var lo = lo0 - 0.25 * span, hi = hi0 + 0.25 * span
        var bins = truthBins
        let r = model.rounding
        // One bin per rounded value, unless the rounding is finer than the continuous bins.
        let discrete = r > 0 && r >= (hi - lo) / Double(truthBins)
        if discrete {
            // One bin per possible rounded value, centred on it: the edges are the midpoints.
            lo = ((lo / r).rounded(.down) - 0.5) * r
            hi = ((hi / r).rounded(.up) + 0.5) * r
            bins = max(2, Int(((hi - lo) / r).rounded()))
        }
        return ((lo, hi, bins), discrete, 0.03 * (hi0 - lo0))
    }

    /// The truth from a model's batch histograms.
    static func finalTruth(_ results: TruthBatches, discrete: Bool, window: Double, batches: Int) -> Truth {
        var total = results.histograms[0]!
        for b in 1..<batches { total.merge(results.histograms[b]!) }
        let cdfs = EmpiricalCDFs(total, discrete: discrete)
        let (c, j) = cdfs.optimum(window: window)
        let auc = cdfs.auc()
        // Monte Carlo error: the spread of the 8 batch estimates, divided by √8.
        let perBatchEstimates = results.histograms.map { h -> (Double, Double, Double) in
            let e = EmpiricalCDFs(h!, discrete: discrete)
            let o = e.optimum(window: window)
            return (o.cutoff, o.j, e.auc())
        }
        func se(_ xs: [Double]) -> Double { (Stat(xs)?.sd ?? .nan) / Double(batches).squareRoot() }
        let prevalence = total.nEvents / (total.nEvents + total.nNonEvents)
        let acceptance = Double(results.accepted.reduce(0, +)) / Double(results.attempts.reduce(0, +))
        return Truth(cutoff: c, youdenJ: j, auc: auc,
                     cutoffError: se(perBatchEstimates.map(\.0)), youdenError: se(perBatchEstimates.map(\.1)),
                     aucError: se(perBatchEstimates.map(\.2)),
                     method: "simulation (\(Int(total.nEvents)) events, \(Int(total.nNonEvents)) non-events; MC SE from \(batches) batches)",
                     prevalence: prevalence, population: .simulated(cdfs),
                     classMoments: moments(total, sheppard: !discrete), acceptance: acceptance)
    }

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

final class TruthBatches: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var histograms: [ScoreHistogram?]
    private(set) var accepted: [Int]
    private(set) var attempts: [Int]
    init(count: Int) {
        histograms = Array(repeating: nil, count: count)
        accepted = Array(repeating: 0, count: count)
        attempts = Array(repeating: 0, count: count)
    }
    func set(_ b: Int, _ h: ScoreHistogram, accepted a: Int, attempts t: Int) {
        lock.lock(); defer { lock.unlock() }
        histograms[b] = h; accepted[b] = a; attempts[b] = t
    }
}
