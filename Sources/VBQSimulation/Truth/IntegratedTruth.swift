import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// The truth of a mechanistic cell as an integral over the model's inputs (docs/model.md §5b).
///
/// What a patient's score and outcome depend on is integrated in three ways:
/// - **exactly**, as weighted sums: the sex, chronic-disease and steroid classes; the number of
///   fused segments, the failure modes, revision and imaging (the outcome's probability given
///   true bone quality); selection's probability of being operated on; the field strength, the
///   CSF level and whether it was measured away from L3;
/// - **by convolution on a grid**: the readers' noise, including the third reader's rule (the
///   mean of two readers is normal around the scan's value, and whether it is kept depends only
///   on that mean);
/// - **by randomised quasi-Monte Carlo**: age, BMI, the residual of true bone quality and the
///   scanner and CSF heterogeneity, over `points` Sobol points shifted at random (Cranley–Patterson
///   rotations) `shifts` times from the seed tree. Each shift gives an unbiased estimate; c\*,
///   J\* and AUC come from the pooled estimate, and their stated errors are the spread of the
///   shifts' estimates over √shifts.
struct MechanisticIntegral {
    static let shifts = 16
    /// Sobol points per shift in a run; `--quick` uses `Runner.quickTruthPoints`.
    static let points = 8192
    /// Half-width of the cubic fitted to J around its best node, as a share of the range of
    /// the middle 99.99% of scores: small enough that J is cubic there (a wider fit moves c*).
    static let window = 0.005
    /// Nodes of the score grid (a power of two, for the FFT).
    static let gridNodes = 4096
    /// u is kept inside [ε, 1 − ε]: a normal quantile within ±7.03.
    static let uEpsilon = 1e-12

    let model: MechanisticModel
    /// Sex × chronic disease × steroids: probability and the shift of true bone quality's linear predictor.
    let classes: [(weight: Double, offset: Double)]
    let segmentWeights: [Double]
    let definitionModes: [Int]
    /// Field strengths: (probability, factor).
    let fields: [(weight: Double, factor: Double)]
    /// CSF measured away from L3: (probability given stenosis, divisor).
    let levels: [(weight: Double, divisor: Double)]
    let stenosisLogit, logOddsPerDecade: Double
    /// SD of the log measurement factor at L3 (scanner) and elsewhere (scanner and CSF heterogeneity).
    let etaL3, etaStenosis: Double
    /// Φ of the standardised age limits.
    let ageLow, ageHigh: Double
    /// With follow-up: per mode, P(it counts by the horizon | it counts at all).
    let timeFactors: [Double]

    init(_ m: MechanisticModel) {
        model = m
        var classes: [(Double, Double)] = [(1, 0)]
        for (p, effect) in [(m.female, m.femaleEffect), (m.chronicDisease, m.chronicEffect), (m.steroids, m.steroidEffect)] {
            var next: [(Double, Double)] = []
            for (w, o) in classes {
                if p > 0 { next.append((w * p, o + effect * (1 - p))) }
                if p < 1 { next.append((w * (1 - p), o - effect * p)) }
            }
            classes = next
        }
        self.classes = classes.map { (weight: $0.0, offset: $0.1) }
        // As the generator reads its uniform against the running sums of `segments`.
        var weights: [Double] = [], acc = 0.0, previous = 0.0
        for (i, p) in m.segments.enumerated() {
            if i == m.segments.count - 1 { weights.append(max(0, 1 - previous)); break }
            acc += p
            let edge = min(1, acc)
            weights.append(max(0, edge - previous))
            previous = edge
        }
        segmentWeights = weights
        definitionModes = m.definition.modes.compactMap { FailureDefinition.allModes.firstIndex(of: $0) }
        timeFactors = m.modes.indices.map { m.timed ? m.countedBy(m.horizonYears, mode: $0) : 1 }
        // Branches that measure alike are merged, and a single one weighs exactly 1, so a model
        // whose extra branches change no score (a 1.5 T factor of 1, CSF factors of 1 without
        // heterogeneity) gets exactly the truth of the model without them, as its cohorts do.
        fields = Self.merged([(1 - m.share15T, 1), (m.share15T, m.factor15T)]).map { (weight: $0.0, factor: $0.1) }
        var fallback: [(Double, Double)] = [(1, 1)]
        if !m.fallbackLevels.isEmpty {
            var cum = 0.0
            fallback = []
            for (i, level) in m.fallbackLevels.enumerated() {
                let p = i == m.fallbackLevels.count - 1 ? max(0, 1 - cum) : max(0, min(1, cum + m.fallbackProbabilities[i]) - cum)
                cum += p
                fallback.append((p, m.levelFactors[level] ?? 1))
            }
        }
        levels = Self.merged(fallback).map { (weight: $0.0, divisor: $0.1) }
        etaL3 = m.scannerSDLog
        etaStenosis = (m.scannerSDLog * m.scannerSDLog + m.heterogeneitySDLog * m.heterogeneitySDLog).squareRoot()
        let p = m.pStenosis
        let measuresAlike = levels.count == 1 && levels[0].divisor == 1 && etaStenosis == etaL3
        stenosisLogit = p <= 0 || measuresAlike ? -.infinity : (p >= 1 ? .infinity : log(p / (1 - p)))
        logOddsPerDecade = log(m.stenosisOddsRatioPerDecade)
        ageLow = Special.normalP((m.ageMin - m.ageMean) / m.ageSD, sd: 1)
        ageHigh = Special.normalP((m.ageMax - m.ageMean) / m.ageSD, sd: 1)
    }

    /// (weight, value) pairs with positive weight, equal values merged; one pair left weighs 1.
    static func merged(_ pairs: [(Double, Double)]) -> [(Double, Double)] {
        var out: [(Double, Double)] = []
        for (w, x) in pairs where w > 0 {
            if let i = out.firstIndex(where: { $0.1 == x }) { out[i].0 += w } else { out.append((w, x)) }
        }
        return out.count == 1 ? [(1, out[0].1)] : out
    }

    /// P(event | true bone quality v): the segments and the definition's modes summed out. With
    /// follow-up, the event is failure by the horizon in the uncensored population: each mode's
    /// probability of ever counting (its α shifted by `ever_shift`) times the probability that it
    /// counts by the horizon (`timeFactors`).
    func eventProbability(_ v: Double) -> Double {
        let d = model.definition
        var total = 0.0
        for (s, ps) in segmentWeights.enumerated() where ps > 0 {
            var none = 1.0
            for i in definitionModes {
                let mode = model.modes[i]
                let p = MechanisticGenerator.logistic(model.occurrenceAlpha(i) + mode.gamma * (v - model.vRef) + mode.lambda * Double(s))
                let hit: Double
                switch (d.revision, d.imaging) {
                case (true, true): hit = p * mode.revision * mode.imagingSensitivity
                case (true, false): hit = p * mode.revision
                case (false, true): hit = p * mode.imagingSensitivity + (1 - p) * (1 - mode.imagingSpecificity)
                case (false, false): hit = p
                }
                none *= 1 - (model.timed ? hit * timeFactors[i] : hit)
            }
            total += ps * (1 - none)
        }
        return total
    }

    /// The inputs integrated by quasi-Monte Carlo at one point: the residual's standard normal,
    /// age, the log measurement factor's standard normal, BMI's standard normal.
    @inline(__always) func inputs(_ u: UnsafePointer<Double>) -> (z: Double, age: Double, eta: Double, bmi: Double) {
        func q(_ x: Double) -> Double { Special.normalPinv(min(max(x, Self.uEpsilon), 1 - Self.uEpsilon), sd: 1) }
        let ua = min(max(u[1], Self.uEpsilon), 1 - Self.uEpsilon)
        let age = model.ageMean + model.ageSD * Special.normalPinv(ageLow + ua * (ageHigh - ageLow), sd: 1)
        return (q(u[0]), min(max(age, model.ageMin), model.ageMax), etaStenosis > 0 || etaL3 > 0 ? q(u[2]) : 0,
                model.bmiEffect != 0 ? q(u[3]) : 0)
    }

    @inline(__always) func linear(age: Double, bmi: Double) -> Double {
        model.boneMean + model.ageEffect * (age - model.ageMean) / 10 + model.bmiEffect * model.bmiSD * bmi
    }

    /// The residual's factor (lognormal) or term (normal) for the standard normal z: one per
    /// point, shared by the eight covariate classes.
    @inline(__always) func residual(_ z: Double) -> Double {
        model.lognormalResidual ? exp(model.residualSD * z - model.residualSD * model.residualSD / 2) : model.residualSD * z
    }

    @inline(__always) func bone(_ linear: Double, residual r: Double) -> Double {
        model.lognormalResidual ? linear * r : linear + r
    }
}

/// P(event | v) on a grid of v, read by cubic (Catmull–Rom) interpolation; the grid is refined
/// until the interpolation is within 10⁻⁸ of the function at every midpoint.
struct EventProbabilityTable {
    private(set) var lo, width: Double
    private(set) var values: [Double]

    init(_ f: MechanisticIntegral, lo: Double, hi: Double) {
        let span = max(hi - lo, 1e-9)
        var nodes = 1025
        while true {
            let w = span / Double(nodes - 1)
            self.lo = lo; width = w
            values = (0..<nodes).map { f.eventProbability(lo + Double($0) * w) }
            var worst = 0.0
            for i in 0..<(nodes - 1) {
                let v = lo + (Double(i) + 0.5) * w
                worst = max(worst, abs(f.eventProbability(v) - self(v)))
            }
            if worst <= 1e-8 || nodes > (1 << 20) { return }
            nodes = 2 * nodes - 1
        }
    }

    @inline(__always) func callAsFunction(_ v: Double) -> Double {
        values.withUnsafeBufferPointer { Self.interpolate($0, lo: lo, width: width, v) }
    }

    /// The interpolation, on the values' storage (the integral's inner loop holds it open).
    @inline(__always) static func interpolate(_ values: UnsafeBufferPointer<Double>, lo: Double, width: Double, _ v: Double) -> Double {
        let t = (v - lo) / width
        if !(t > 0) { return values[0] }
        let last = values.count - 1
        if t >= Double(last) { return values[last] }
        let i = Int(t), u = t - Double(i)
        let v1 = values[i], v2 = values[i + 1]
        let v0 = i > 0 ? values[i - 1] : 2 * v1 - v2, v3 = i + 2 <= last ? values[i + 2] : 2 * v2 - v1
        return v1 + 0.5 * u * (v2 - v0 + u * (2 * v0 - 5 * v1 + 4 * v2 - v3 + u * (3 * (v1 - v2) + v3 - v0)))
    }
}

extension TruthSolver {
    /// Sobol points per shift of a mechanistic truth.
    public static let integralPoints = MechanisticIntegral.points

    /// The truth of a mechanistic cell by `MechanisticIntegral`: shifts of the Sobol points are
    /// drawn on streams (cell, 2⁶³ + shift, 0) of the seed tree.
    /// `criteria`: the criteria other than Youden's J whose targets the truth also holds.
    public static func integrated(_ model: MechanisticModel, tree: SeedTree, cellKey: UInt64, threads: Int,
                           points: Int = integralPoints, criteria: [any CutoffCriterion.Type] = [],
                           parameters: CriterionParameters = .defaults) throws -> Truth {
        let f = MechanisticIntegral(model)
        let shifts = MechanisticIntegral.shifts
        guard f.ageHigh - f.ageLow >= 1e-4 else { throw almostNobody() }
        let dims = 4
        let sobol = QuasiRandom.sobol(dims: dims, count: points)
        // The inputs at every point of every shift, as (z, age, η, bmi).
        let inputs: [Double] = Parallel.rows(shifts, width: 4 * points, threads: threads, worker: { () }) { _, r, row in
            let rng = RandomStream(tree.state(.truthBatch(cell: cellKey, batch: UInt64(r), cohort: 0)))
            let shift = (0..<dims).map { _ in rng.uniform() }
            var u = [Double](repeating: 0, count: dims)
            sobol.withUnsafeBufferPointer { s in
                for i in 0..<points {
                    for d in 0..<dims { let x = s[i * dims + d] + shift[d]; u[d] = x >= 1 ? x - 1 : x }
                    let p = u.withUnsafeBufferPointer { f.inputs($0.baseAddress!) }
                    row[4 * i] = p.z; row[4 * i + 1] = p.age; row[4 * i + 2] = p.eta; row[4 * i + 3] = p.bmi
                }
            }
        }
        // The range of true bone quality and of the log measurement factor's normal.
        let offsets = f.classes.map(\.offset), extremes = [offsets.min()!, offsets.max()!]
        var vLo = Double.infinity, vHi = -Double.infinity, etaLo = 0.0, etaHi = 0.0
        for i in 0..<(shifts * points) {
            let base = f.linear(age: inputs[4 * i + 1], bmi: inputs[4 * i + 3]), residual = f.residual(inputs[4 * i])
            for o in extremes {
                let v = f.bone(base + o, residual: residual)
                vLo = min(vLo, v); vHi = max(vHi, v)
            }
            etaLo = min(etaLo, inputs[4 * i + 2]); etaHi = max(etaHi, inputs[4 * i + 2])
        }
        // The measured value's range: every branch that can occur, at the extremes.
        var factors: [(Double, Double)] = []        // (multiplier, SD of its log factor)
        for field in f.fields {
            if f.stenosisLogit < .infinity { factors.append((field.factor, f.etaL3)) }
            if f.stenosisLogit > -.infinity { for level in f.levels { factors.append((field.factor / level.divisor, f.etaStenosis)) } }
        }
        var xLo = Double.infinity, xHi = -Double.infinity
        for (k, s) in factors { for v in [vLo, vHi] { for e in [etaLo, etaHi] { let x = v * k * exp(s * e); xLo = min(xLo, x); xHi = max(xHi, x) } } }
        guard xLo.isFinite, xHi.isFinite, abs(xLo) <= 1e12, abs(xHi) <= 1e12 else {
            throw VBQError(key: "measurement", "the model produces scores that are not finite or beyond ±10¹² (the field, scanner, CSF and reader factors multiply); choose smaller factors")
        }
        let table = EventProbabilityTable(f, lo: vLo, hi: vHi)
        let nodes = MechanisticIntegral.gridNodes
        let readerSD = model.readerSD
        let pad = 8.5 * readerSD
        let lo = xLo - pad, h = max(xHi + pad - lo, 1e-9) / Double(nodes - 1)

        // Per shift: the measured value's mass per node for events and non-events (linear binning).
        struct Masses { var events: [Double]; var nonEvents: [Double]; var accepted: Double }
        // The loop's numbers as plain buffers: no reference counting per point.
        let classes = f.classes.flatMap { [$0.offset, $0.weight] }, fields = f.fields.flatMap { [$0.weight, $0.factor] }
        let levels = f.levels.flatMap { [$0.weight, $0.divisor] }
        let masses = Parallel.map(shifts, threads: threads) { r -> Masses in
            var e = [Double](repeating: 0, count: nodes), n = e
            var accepted = 0.0
            e.withUnsafeMutableBufferPointer { ep in
                n.withUnsafeMutableBufferPointer { np in
                    inputs.withUnsafeBufferPointer { input in
                    table.values.withUnsafeBufferPointer { tv in
                    classes.withUnsafeBufferPointer { cls in
                    fields.withUnsafeBufferPointer { fld in
                    levels.withUnsafeBufferPointer { lvl in
                        @inline(__always) func bin(_ x: Double, _ we: Double, _ wn: Double) {
                            var t = (x - lo) / h
                            if !(t > 0) { t = 0 } else if t > Double(nodes - 1) { t = Double(nodes - 1) }
                            let j = min(Int(t), nodes - 2), a = t - Double(j)
                            ep[j] += we * (1 - a); ep[j + 1] += we * a
                            np[j] += wn * (1 - a); np[j + 1] += wn * a
                        }
                        for i in (r * points)..<((r + 1) * points) {
                            let z = input[4 * i], age = input[4 * i + 1], eta = input[4 * i + 2], bmi = input[4 * i + 3]
                            let base = f.linear(age: age, bmi: bmi), residual = f.residual(z)
                            let stenosis = f.stenosisLogit == -.infinity ? 0 : f.stenosisLogit == .infinity ? 1
                                : MechanisticGenerator.logistic(f.stenosisLogit + f.logOddsPerDecade * (age - model.ageMean) / 10)
                            let kL3 = f.etaL3 == 0 ? 1 : exp(f.etaL3 * eta), kStenosis = f.etaStenosis == 0 ? 1 : exp(f.etaStenosis * eta)
                            for c in stride(from: 0, to: cls.count, by: 2) {
                                let v = f.bone(base + cls[c], residual: residual)
                                let kept = cls[c + 1] * (v > model.vExclude ? 1 - model.q : 1)
                                accepted += kept
                                let pe = EventProbabilityTable.interpolate(tv, lo: table.lo, width: table.width, v)
                                let we = kept * pe, wn = kept * (1 - pe)
                                for k in stride(from: 0, to: fld.count, by: 2) {
                                    let w = fld[k], factor = fld[k + 1]
                                    if stenosis < 1 { let s = w * (1 - stenosis); bin(v * factor * kL3, we * s, wn * s) }
                                    if stenosis > 0 {
                                        for l in stride(from: 0, to: lvl.count, by: 2) {
                                            let s = w * stenosis * lvl[l]
                                            bin(v * factor / lvl[l + 1] * kStenosis, we * s, wn * s)
                                        }
                                    }
                                }
                            }
                        }
                    }}}}}
                }
            }
            return Masses(events: e, nonEvents: n, accepted: accepted / Double(points))
        }
        let acceptance = model.q == 0 ? 1 : masses.map(\.accepted).reduce(0, +) / Double(shifts)
        guard acceptance >= 1e-4 else { throw almostNobody() }

        // The readers: the mean of two is normal around the measured value with SD sd/√2; with
        // the rule, it is kept with probability g(mean) = P(|r₁ − r₂| ≤ t·|mean|), else a third
        // reader's value, normal with SD sd.
        let reader = ReaderConvolution(sd: readerSD, adjudication: model.adjudication, threshold: model.adjudicationThreshold,
                                       lo: lo, width: h, nodes: nodes)
        let scores = Parallel.map(shifts, threads: threads) { r in
            (reader.apply(masses[r].events), reader.apply(masses[r].nonEvents))
        }
        let pooledEvents = (0..<nodes).map { j in scores.reduce(0) { $0 + $1.0[j] } / Double(shifts) }
        let pooledNonEvents = (0..<nodes).map { j in scores.reduce(0) { $0 + $1.1[j] } / Double(shifts) }
        let eventMass = pooledEvents.reduce(0, +), nonEventMass = pooledNonEvents.reduce(0, +)
        let prevalence = eventMass / (eventMass + nonEventMass)
        guard prevalence > 1e-12, prevalence < 1 - 1e-12 else {
            throw VBQError(key: "outcome", "the failure definition '\(model.definitionName)' gives \(prevalence <= 1e-12 ? "no events" : "no non-events") in the population; the cutoff is undefined")
        }
        let grid = ScoreGrid(lo: lo - h / 2, width: h, rounding: model.rounding)
        let pooled = grid.cdfs(events: pooledEvents, nonEvents: pooledNonEvents)
        let window = MechanisticIntegral.window * grid.span(events: pooledEvents, nonEvents: pooledNonEvents)
        let (c, j) = pooled.cdfs.optimum(window: window)
        let perShift = scores.map { s -> (Double, Double, Double) in
            let e = grid.cdfs(events: s.0, nonEvents: s.1).cdfs
            let o = e.optimum(window: window)
            return (o.cutoff, o.j, e.auc())
        }
        func se(_ xs: [Double]) -> Double { (Stat(xs)?.sd ?? .nan) / Double(shifts).squareRoot() }
        var targets: [String: CriterionTarget] = [:]
        if !criteria.isEmpty {
            let each = scores.map { s -> (cdfs: EmpiricalCDFs, prevalence: Double) in
                let e = s.0.reduce(0, +), n = s.1.reduce(0, +)
                return (grid.cdfs(events: s.0, nonEvents: s.1).cdfs, e / (e + n))
            }
            targets = integratedTargets(criteria, parameters: parameters, pooled: pooled.cdfs, prevalence: prevalence,
                                        shifts: each, window: window)
        }
        var truth = Truth(cutoff: c, youdenJ: j, auc: pooled.cdfs.auc(),
                     cutoffError: se(perShift.map(\.0)), youdenError: se(perShift.map(\.1)), aucError: se(perShift.map(\.2)),
                     method: "integral (quasi-Monte Carlo: \(shifts) random shifts of \(Format.count(points)) Sobol points; SE from the shifts)",
                     prevalence: prevalence, population: .simulated(pooled.cdfs),
                     classMoments: moments(pooled.histogram, sheppard: false), acceptance: acceptance)
        truth.targets = targets
        truth.criteria = parameters
        return truth
    }

    static func almostNobody() -> VBQError {
        VBQError(key: "selection", "almost no simulated patient is operated on: fewer than 1 in 10,000 pass the age window (population.age.min/max) and the selection (selection.q, v_exclude)")
    }
}

/// The readers' noise applied to a measured value's masses on a grid of equally spaced nodes.
struct ReaderConvolution: Sendable {
    let sd: Double
    let adjudication: Bool
    /// The kernels of the two readers' mean (SD sd/√2) and of one reader (SD sd), each node's
    /// weight the normal probability of its bin.
    let mean, single: CircularKernel?
    /// g at each node (the rule's probability of keeping the mean) and P(third reader | value).
    let keep, third: [Double]

    init(sd: Double, adjudication: Bool, threshold: Double, lo: Double, width: Double, nodes: Int) {
        self.sd = sd
        self.adjudication = adjudication && sd > 0
        func kernel(_ s: Double) -> CircularKernel {
            var k = [Double](repeating: 0, count: nodes)
            for o in 0...(nodes / 2) {
                let a = (Double(o) - 0.5) * width / s, b = (Double(o) + 0.5) * width / s
                let p = o == 0 ? 1 - 2 * Special.normalQ(b, sd: 1) : Special.normalQ(a, sd: 1) - Special.normalQ(b, sd: 1)
                k[o] = p
                if o > 0 && o < nodes / 2 { k[nodes - o] = p }
            }
            return CircularKernel(k)
        }
        guard sd > 0 else { mean = nil; single = nil; keep = []; third = []; return }
        let m = kernel(sd / 2.0.squareRoot())
        mean = m
        guard self.adjudication else { single = nil; keep = []; third = []; return }
        single = kernel(sd)
        let g = (0..<nodes).map { j in
            let x = abs(lo + Double(j) * width)
            return 1 - 2 * Special.normalQ(threshold * x / (2.0.squareRoot() * sd), sd: 1)
        }
        keep = g
        third = m.apply(g.map { 1 - $0 })
    }

    func apply(_ x: [Double]) -> [Double] {
        guard let mean else { return x }
        let a = mean.apply(x)
        guard adjudication, let single else { return a.map { max(0, $0) } }
        let t = single.apply(zip(x, third).map { $0 * $1 })
        return (0..<x.count).map { max(0, keep[$0] * a[$0] + t[$0]) }
    }
}

/// Score masses on nodes `lo + (i + ½)·width` turned into class CDFs, on the rounding's lattice
/// when the scores are rounded.
struct ScoreGrid {
    let lo, width, rounding: Double

    /// The lattice of rounded values is used when it has at most this many points; a finer
    /// rounding moves no CDF by more than the grid's own resolution.
    static let latticeLimit = 400_000

    func span(events: [Double], nonEvents: [Double]) -> Double {
        let total = events.reduce(0, +) + nonEvents.reduce(0, +)
        var cum = 0.0, low = Double.nan, high = Double.nan
        for i in events.indices {
            cum += events[i] + nonEvents[i]
            if low.isNaN && cum >= 5e-5 * total { low = lo + (Double(i) + 0.5) * width }
            if high.isNaN && cum >= (1 - 5e-5) * total { high = lo + (Double(i) + 0.5) * width }
        }
        return max(high - low, 4 * width)
    }

    func cdfs(events: [Double], nonEvents: [Double]) -> (cdfs: EmpiricalCDFs, histogram: ScoreHistogram) {
        let ce = ScoreHistogram.cumulative(events), cn = ScoreHistogram.cumulative(nonEvents)
        let te = ce.last!, tn = cn.last!
        let hi = lo + Double(events.count) * width
        let r = rounding
        if r > 0, (hi / r).rounded(.up) - (lo / r).rounded(.down) <= Double(Self.latticeLimit) {
            // F at the lattice's midpoints is the unrounded F there.
            let kLo = (lo / r).rounded(.down), kHi = (hi / r).rounded(.up)
            let count = Int(kHi - kLo) + 1
            func at(_ c: [Double], _ x: Double) -> Double {
                let t = (x - lo) / width
                if t <= 0 { return 0 }
                if t >= Double(c.count - 1) { return c.last! }
                let i = Int(t)
                return c[i] + (t - Double(i)) * (c[i + 1] - c[i])
            }
            let edges = (0...count).map { (kLo + Double($0) - 0.5) * r }
            let le = edges.map { at(ce, $0) / te }, ln = edges.map { at(cn, $0) / tn }
            var h = ScoreHistogram(lo: edges[0], hi: edges[count], bins: count)
            for i in 0..<count { h.events[i] = (le[i + 1] - le[i]) * te; h.nonEvents[i] = (ln[i + 1] - ln[i]) * tn }
            return (EmpiricalCDFs(lo: edges[0], width: r, cumEvents: le, cumNonEvents: ln, discrete: true), h)
        }
        var h = ScoreHistogram(lo: lo, hi: hi, bins: events.count)
        h.events = events; h.nonEvents = nonEvents
        return (EmpiricalCDFs(lo: lo, width: width, cumEvents: ce.map { $0 / te }, cumNonEvents: cn.map { $0 / tn }, discrete: false), h)
    }
}
