import Foundation
import Dispatch
import VBQCore
import VBQEstimate
import VBQModel

/// The simulated power of each target at one cohort size.
public struct PowerPoint: Sendable {
    public let n: Int
    /// Events and non-events per cohort (expected, for binomial sampling and the mechanistic family).
    public let events: Double
    public let nonEvents: Double
    /// Per target: the simulated value (a probability, or the 95% range of ĉ) and its MCSE.
    public let values: [(value: Double, mcse: Double)]
    /// Per target: the analytic companion at this n (NaN where no formula applies).
    public let analytic: [Double]
}

/// The answer for one target.
public struct MinimalN: Sendable {
    /// The smallest simulated n that meets the target: interpolated between the bracketing grid
    /// points, then narrowed by runs at intermediate n (nil if not reached).
    public let n: Int?
    public let bracket: (Int, Int)?
    /// The simulated value at `n`, from a run at that n.
    public let confirmed: (value: Double, mcse: Double)?
    public let note: String?
    /// Tests (AUC above a null, drift): how often the test rejects at its null hypothesis — its
    /// actual level, to compare with α — at the answer's n (see `Engine.level`).
    public let testLevel: (value: Double, mcse: Double)?
    /// The analytic companion's n (nil where no formula applies) and which formula.
    public let analyticN: Double?
    public let formula: String
    public let explanation: String
    /// How far Monte Carlo error leaves the answer uncertain (nil where `n` is nil or below the
    /// grid): see `MinimalN.interval`.
    public var interval: NInterval? = nil

    /// The sizes between which the answer lies, given each simulated value's Monte Carlo error:
    /// `low` is where the curve's optimistic bound (value + 1.96 MCSE for a probability, value −
    /// 1.96 MCSE for a range) first meets the goal, `high` where its pessimistic bound does, each
    /// by linear interpolation between the sizes simulated (the grid and the narrowing runs);
    /// `high` is nil when the pessimistic bound never meets the goal on the sizes simulated. It
    /// inverts pointwise 95% bands, so it is approximate, and narrows as √(cohorts per size).
    public static func interval(_ evaluated: [(n: Int, value: Double, mcse: Double)], goal: Double,
                                probability: Bool) -> NInterval? {
        let pts = evaluated.sorted { $0.n < $1.n }
        guard let first = pts.first else { return nil }
        func crossing(_ shift: Double) -> Int? {
            // A probability is met from below (value rising to the goal), a range from above.
            func gap(_ p: (n: Int, value: Double, mcse: Double)) -> Double {
                probability ? p.value + shift * p.mcse - goal : goal - (p.value - shift * p.mcse)
            }
            if gap(first) >= 0 { return first.n }
            for (a, b) in zip(pts, pts.dropFirst()) where gap(a) < 0 && gap(b) >= 0 {
                let x = Double(a.n) + (-gap(a)) / (gap(b) - gap(a)) * Double(b.n - a.n)
                return min(b.n, max(a.n + 1, Int(x.rounded(.up))))
            }
            return nil
        }
        guard let low = crossing(1.96) else { return nil }
        return NInterval(low: low, high: crossing(-1.96), belowGrid: low == first.n)
    }
}

/// An approximate 95% Monte Carlo interval for a simulated sample size.
public struct NInterval: Sendable, Equatable {
    public let low: Int
    /// Nil: beyond the largest size simulated.
    public let high: Int?
    /// The optimistic bound met the goal already at the smallest size simulated.
    public let belowGrid: Bool

    public init(low: Int, high: Int?, belowGrid: Bool) {
        self.low = low
        self.high = high
        self.belowGrid = belowGrid
    }
}

/// A study plan: the targets one study design must meet, the size that meets each of them, and
/// how often one study of that size meets all of them together (the targets are simulated on the
/// same cohorts, so the joint probability is counted, not multiplied).
public struct PowerPlan: Sendable {
    /// Single-centre: every target on one cohort; two-centre: the drift targets, n per centre.
    public let twoCentre: Bool
    public let targets: [Int]
    public let n: Int
    /// P(every probability target of the plan met) in one study of `n` (nil: one target only,
    /// or the sweep was stopped).
    public let joint: Proportion?
}

public struct PowerResult: Sendable {
    public let scenario: Scenario
    public let spec: PowerSpec
    public let seed: UInt64
    public let cellLabel: String
    public let truth: Truth
    public let points: [PowerPoint]
    public let answers: [MinimalN]
    /// The single-centre plan and, with drift targets, the two-centre one.
    public let plans: [PowerPlan]
    /// Drift targets: the cell each compares with, and its truth.
    public let compared: [Int: (cell: Cell, truth: Truth)]
    public let wallSeconds: Double
    public let started: Date
    public let threads: Int
    /// False when the sweep was stopped (Ctrl-C) before every size was simulated: the points and
    /// answers then cover the sizes done.
    public var complete: Bool = true
}

public enum PowerEngine {
    /// Sweeps estimated to run longer than this are refused before they start.
    public static let maxSeconds = Limits.computeSeconds

    /// A rough cost, measured on the shipped scenarios: about 150 ns per simulated patient for
    /// drawing, sorting and the estimators; a drift target adds the second cohort and, per
    /// bootstrap resample of both, about 10 ns per patient plus the method
    /// (its `secondsPerPatientResampled`); the runs that narrow each answer add half again.
    public static func estimatedSeconds(spec: PowerSpec, sizes: [Int], threads: Int) -> Double {
        let patients = sizes.reduce(0.0) { $0 + Double($1) } * Double(spec.replicates)
        var perPatient = 150e-9
        for t in spec.targets {
            guard case let .drift(m, _, _, _) = t else { continue }
            let method = m.estimator.secondsPerPatientResampled
            perPatient += 150e-9 + 2 * Double(spec.bootstrap) * (10e-9 + method)
        }
        let work = patients * perPatient * 1.5
        return work / Double(max(1, min(threads, ProcessInfo.processInfo.activeProcessorCount)))
    }

    /// The sweep's swept cell, truths and engine, every check passed (nothing simulated yet but
    /// the truths); `truths` given (a merge of shards), they are not computed again.
    static func makeEngine(scenario: Scenario, spec: PowerSpec, seed: UInt64, threads: Int,
                           progress: (@Sendable (String) -> Void)?,
                           truths given: (base: Truth, compare: [Int: Truth])? = nil) throws -> (Engine, Cell, Double) {
        let design = try Design(scenario)
        guard let cell = design.cells.first(where: { scenario.cellLevels[$0.index] == spec.cellLevels }) else {
            throw VBQError(file: scenario.file, key: "power.cell", "the swept cell is not in the design")
        }
        if let m = cell.model.followUp, m.handling.timeDependent {
            throw VBQError(file: scenario.file, line: scenario.line(of: "follow_up"), key: "power",
                           "the swept cell handles follow-up as '\(m.handling.rawValue)' (a time-dependent ROC); power sweeps two-class cohorts: choose ever_observed or horizon for follow_up.handling")
        }
        // A criterion's c* is computed for the criteria of the scenario's methods.
        for (k, t) in spec.targets.enumerated() {
            if let m = t.method, !m.estimator.criterion.isYouden, !cell.model.methods.contains(m) {
                throw VBQError(file: scenario.file, line: scenario.line(of: "power"), key: "power.targets[\(k)].method",
                               "'\(m.rawValue)' estimates a criterion whose c* the scenario does not compute; add \(m.rawValue) to its methods:")
            }
        }
        let tree = SeedTree(root: seed)
        func truth(_ c: Cell) throws -> Truth {
            do {
                return try TruthSolver.truth(for: c.model, tree: tree, cellKey: 0, threads: threads)
            } catch var e as VBQError {
                e.file = scenario.file
                e.line = e.line ?? scenario.line(of: e.key ?? "generator")
                throw e
            }
        }
        if given == nil { progress?("the truth of the swept cell") }
        let baseTruth = try given?.base ?? truth(cell)
        var compareCells: [Int: (Cell, Truth)] = [:]
        for (t, target) in spec.targets.enumerated() {
            if case let .drift(_, levels, _, _) = target {
                let other = design.cells.first { scenario.cellLevels[$0.index] == levels }!
                let ot: Truth
                if let g = given {
                    guard let known = g.compare[t] else { throw VBQError("no truth for the compared cell of target \(t + 1)") }
                    ot = known
                } else {
                    ot = try truth(other)
                }
                compareCells[t] = (other, ot)
            }
        }
        let engine = Engine(spec: spec, cell: cell, truth: baseTruth, compare: compareCells, tree: tree, threads: threads)
        if spec.sweep == .events, let g = spec.grid.last, Double(g) / baseTruth.prevalence > Double(Limits.cohortSize) {
            throw VBQError(file: scenario.file, line: scenario.power?.line ?? scenario.line(of: "cohort"), key: "power.events", "\(g) events at prevalence \(Format.number(baseTruth.prevalence, digits: 3)) means about \(Format.number(Double(g) / baseTruth.prevalence, digits: 3)) patients, more than the limit of \(Limits.cohortSize) per cohort")
        }
        // What the sweep will cost, before any of it runs: refuse what would take hours.
        let seconds = estimatedSeconds(spec: spec, sizes: spec.grid.map { engine.size(for: $0) }, threads: threads)
        guard seconds <= maxSeconds else {
            throw VBQError(file: scenario.file, line: scenario.power?.line ?? scenario.line(of: "cohort"), key: "power", "this sweep would take about \(Format.number(seconds / 3600, digits: 2)) hours (\(spec.replicates) cohorts at each of \(spec.grid.count) sizes up to \(engine.size(for: spec.grid.max() ?? 0)) patients\(spec.targets.contains { if case .drift = $0 { return true }; return false } ? ", each drift cohort bootstrapped \(spec.bootstrap) times" : "")), more than the limit of \(Int(maxSeconds / 3600)) hours; lower the largest size, --replicates or power.bootstrap, or split it with --shard")
        }
        return (engine, cell, seconds)
    }

    /// `progress` is told what is being simulated (for a progress line); `control`, when
    /// cancelled, stops the sweep after the size in hand; `prepare` runs once every check has
    /// passed, before the first cohort (the CLI makes the output folder there).
    /// `checkpoint`: the finished sizes are kept there as the sweep goes, and with `resume`
    /// read back first (see `PowerCheckpoint`); `prepare` gives its folder.
    public static func run(scenario: Scenario, spec: PowerSpec, seed: UInt64? = nil, threads: Int = Runner.defaultThreads,
                           progress: (@Sendable (String) -> Void)? = nil, control: RunControl? = nil,
                           prepare: (() throws -> Void)? = nil, checkpoint: (() -> PowerCheckpoint?)? = nil) throws -> PowerResult {
        let started = Date()
        let seed = seed ?? scenario.seed
        let (engine, cell, seconds) = try makeEngine(scenario: scenario, spec: spec, seed: seed, threads: threads, progress: progress)
        let baseTruth = engine.truth
        engine.control = control
        // Everything checked: the caller makes its output folder now, before the simulation.
        try prepare?()
        if seconds > 30 { progress?("about \(Int(seconds.rounded())) s of simulation ahead (a rough estimate)") }
        // The sizes an interrupted sweep finished: summarised from their kept cohorts, not simulated again.
        let keep = checkpoint?()
        let reps = spec.replicates, width = spec.targets.count
        var kept = try keep.map { $0.resume ? try $0.load(engine, scenario: scenario, seed: seed) : [] } ?? []
        var lastSave = Date()
        control?.markStarted()
        var points: [PowerPoint] = []
        for (i, g) in spec.grid.enumerated() {
            if control?.isCancelled == true { break }
            let n = engine.size(for: g)
            if kept.count >= (i + 1) * reps * width {
                let p = engine.summarise(size: n, values: Array(kept[(i * reps * width)..<((i + 1) * reps * width)]))
                engine.remember(p)
                points.append(p)
                continue
            }
            progress?("n = \(n) (size \(i + 1) of \(spec.grid.count))")
            let values = engine.values(size: n, replicates: 0..<reps)
            if control?.isCancelled == true { break }       // cut short: not kept
            let point = engine.summarise(size: n, values: values)
            engine.remember(point)
            points.append(point)
            if let keep {
                kept += values
                if Date().timeIntervalSince(lastSave) >= PowerCheckpoint.interval || i + 1 == spec.grid.count {
                    try keep.save(engine, scenario: scenario, seed: seed, values: kept, sizes: points.count, started: started)
                    lastSave = Date()
                }
            }
        }
        // A stop between saves keeps every size finished.
        if let keep, points.count < spec.grid.count, kept.count == points.count * reps * width, !points.isEmpty {
            try keep.save(engine, scenario: scenario, seed: seed, values: kept, sizes: points.count, started: started)
        }
        let complete = points.count == spec.grid.count
        guard !points.isEmpty else {
            throw VBQError(key: "power", "stopped before any cohort size was simulated; nothing to report")
        }
        let (answers, plans) = engine.conclude(points: points, refine: control?.isCancelled != true, progress: progress)
        return PowerResult(scenario: scenario, spec: spec, seed: seed, cellLabel: cell.label, truth: baseTruth,
                           points: points, answers: answers, plans: plans, compared: engine.compare.mapValues { (cell: $0.0, truth: $0.1) },
                           wallSeconds: Date().timeIntervalSince(started),
                           started: started, threads: threads, complete: complete)
    }

    final class Engine: @unchecked Sendable {
        let spec: PowerSpec
        let cell: Cell
        let truth: Truth
        let compare: [Int: (Cell, Truth)]
        let tree: SeedTree
        let threads: Int
        private var cache: [Int: PowerPoint] = [:]
        private let lock = NSLock()

        /// When cancelled, workers stop within 16 cohorts and the size in hand is discarded.
        var control: RunControl? = nil

        init(spec: PowerSpec, cell: Cell, truth: Truth, compare: [Int: (Cell, Truth)], tree: SeedTree, threads: Int) {
            self.spec = spec; self.cell = cell; self.truth = truth; self.compare = compare; self.tree = tree; self.threads = threads
        }

        /// The cohort size for a grid value (itself, or events ÷ prevalence).
        func size(for g: Int) -> Int {
            spec.sweep == .size ? g : max(4, Int((Double(g) / truth.prevalence).rounded()))
        }

        func model(_ m: ModelSpec, size: Int) -> ModelSpec {
            var m = m
            m.cohort.size = size
            return m
        }

        func expectedEvents(_ m: ModelSpec, size: Int, truth: Truth) -> Double {
            if case .classConditional = m.generator, m.cohort.sampling == .fixed { return Double(model(m, size: size).cohort.fixedEvents) }
            return Double(size) * truth.prevalence
        }

        /// Simulates every target at cohort size n (or only target `only`; the others are then NaN).
        /// `atNull`: simulate target `only` where its null hypothesis holds (see `level`).
        func point(size n: Int, only: Int? = nil, atNull: Bool = false) -> PowerPoint {
            lock.lock()
            if only == nil, let p = cache[n] { lock.unlock(); return p }
            lock.unlock()
            let out = values(size: n, replicates: 0..<spec.replicates, only: only.map { [$0] }, atNull: atNull)
            let p = summarise(size: n, values: out, only: only)
            if only == nil { lock.lock(); cache[n] = p; lock.unlock() }
            return p
        }

        /// A grid point whose values were simulated elsewhere (shards): the answers find it here.
        func remember(_ p: PowerPoint) {
            lock.lock(); cache[p.n] = p; lock.unlock()
        }

        /// Each target's value (1/0 met, or the cutoff) in cohorts `replicates` of size n, row-major
        /// (replicate, target); targets not in `only` are NaN. `atNull`: the targets in `only` are
        /// simulated at their null hypotheses (an AUC test's cohorts from `nullModel`, a drift
        /// test's second study from the swept cell itself).
        func values(size n: Int, replicates: Range<Int>, only: [Int]? = nil, atNull: Bool = false) -> [Double] {
            let targets = spec.targets
            let active = targets.indices.map { only == nil || only!.contains($0) }
            let reps = replicates.count, first = replicates.lowerBound
            let width = targets.count
            var m = model(cell.model, size: n)
            if atNull, let k = only?.first, case let .aucAbove(a0, _) = targets[k] { m = nullModel(auc: a0, size: n) }
            let nullDrift = atNull
            var methods: [EstimationMethod] = []
            var cutoffs: [Double] = []
            for (k, t) in targets.enumerated() where active[k] {
                if let mm = t.method, !methods.contains(mm) { methods.append(mm) }
                switch t {
                case let .sensitivity(c, _), let .specificity(c, _):
                    if !cutoffs.contains(c) { cutoffs.append(c) }
                default: break
                }
            }
            methods.sort()
            let methodList = methods, cutoffList = cutoffs
            let gen = CohortGenerator(model: m)
            let compareGen = compare.mapValues { (CohortGenerator(model: model(nullDrift ? cell.model : $0.0.model, size: n)), $0.1) }
            let zAlpha1 = Numerics.phiInverse(1 - spec.alpha), zAlpha2 = Numerics.phiInverse(1 - spec.alpha / 2)
            let truth = self.truth, tree = self.tree, bootstrap = spec.bootstrap
            return Parallel.rows(reps, width: width, chunk: 16, threads: threads, control: control,
                                 worker: { PowerWorker() }) { worker, row, out in
                let r = first + row, rng = worker.rng
                rng.reset(to: tree.state(.power(replicate: UInt64(r), part: 0)))
                gen.generate(rng, events: &worker.first.events, nonEvents: &worker.first.nonEvents)
                worker.first.sortClasses()
                let a = worker.first.analysis(methods: methodList, fixedCutoffs: cutoffList, parameters: cell.model.criteria)
                for (k, t) in targets.enumerated() where active[k] {
                    var v = 0.0
                    switch t {
                    case let .aucAbove(a0, sides):
                        // A DeLong SE of 0 means perfectly separated classes (AUC 1 or 0, in small
                        // cohorts): z = (AUC − a₀)/0 is +∞ when AUC > a₀, so H₀: AUC ≤ a₀ is
                        // rejected; such cohorts are common at AUC 0.9 and n ≈ 10, and leaving them
                        // out would understate the power badly.
                        if let auc = a.auc, auc.standardError.isFinite {
                            if auc.standardError > 0 {
                                let z = (auc.auc - a0) / auc.standardError
                                v = z > (sides == 1 ? zAlpha1 : zAlpha2) ? 1 : 0
                            } else {
                                v = auc.auc > a0 ? 1 : 0
                            }
                        }
                    case let .aucCI(w):
                        if let auc = a.auc, auc.standardError > 0, auc.standardError.isFinite {
                            v = 1.959963984540054 * auc.standardError <= w ? 1 : 0
                        }
                    case let .sensitivity(c, w):
                        if let f = a.fixed.first(where: { $0.cutoff == c }) { v = abs(f.sensitivity - truth.sensitivity(at: c)) <= w ? 1 : 0 }
                    case let .specificity(c, w):
                        if let f = a.fixed.first(where: { $0.cutoff == c }) { v = abs(f.specificity - truth.specificity(at: c)) <= w ? 1 : 0 }
                    case let .cutoffPrecision(mm, d):
                        if let c = a.estimate(mm)?.cutoff, c.isFinite { v = abs(c - (truth.target(mm)?.cutoff ?? truth.cutoff)) <= d ? 1 : 0 }
                    case let .cutoffRange(mm, _):
                        v = a.estimate(mm)?.cutoff ?? .nan
                    case let .drift(mm, _, _, _):
                        guard let (otherGen, _) = compareGen[k], let c1 = a.estimate(mm)?.cutoff, c1.isFinite else { break }
                        let se1 = Engine.bootstrapSE(worker.first.events, worker.first.nonEvents, method: mm, parameters: cell.model.criteria, replicates: bootstrap,
                                                     rng: worker.boot, state: tree.state(.power(replicate: UInt64(r), part: 2)))
                        rng.reset(to: tree.state(.power(replicate: UInt64(r), part: 1)))
                        otherGen.generate(rng, events: &worker.second.events, nonEvents: &worker.second.nonEvents)
                        worker.second.sortClasses()
                        let b = worker.second.analysis(methods: [mm], fixedCutoffs: [], parameters: cell.model.criteria)
                        guard let c2 = b.estimate(mm)?.cutoff, c2.isFinite else { break }
                        let se2 = Engine.bootstrapSE(worker.second.events, worker.second.nonEvents, method: mm, parameters: cell.model.criteria, replicates: bootstrap, rng: worker.boot,
                                                     state: tree.state(.power(replicate: UInt64(r), part: 3)))
                        let se = (se1 * se1 + se2 * se2).squareRoot()
                        if se > 0 { v = abs(c1 - c2) / se > zAlpha2 ? 1 : 0 }
                    }
                    out[k] = v
                }
            }
        }

        /// One worker's streams and cohorts: the first cohort of a replicate, and the second study
        /// of a drift target.
        struct PowerWorker {
            let rng = RandomStream(), boot = RandomStream()
            var first = CohortRecorder(), second = CohortRecorder()
        }

        /// The point at size n from every replicate's values (`values` over all replicates).
        func summarise(size n: Int, values out: [Double], only: Int? = nil) -> PowerPoint {
            let targets = spec.targets
            let active = targets.indices.map { only == nil || only == $0 }
            let reps = spec.replicates
            let width = targets.count
            var values: [(Double, Double)] = []
            var analytic: [Double] = []
            let n1 = expectedEvents(cell.model, size: n, truth: truth), n0 = Double(n) - n1
            for (k, t) in targets.enumerated() {
                let column = (0..<reps).map { out[$0 * width + k] }
                if !active[k] {
                    values.append((.nan, .nan))
                } else if t.isProbability {
                    let p = Proportion(count: column.filter { $0 == 1 }.count, n: reps)
                    values.append((p.value, p.mcse))
                } else if let st = Stat(column) {
                    values.append((st.q975 - st.q025, (st.mcseQ025 * st.mcseQ025 + st.mcseQ975 * st.mcseQ975).squareRoot()))
                } else {
                    values.append((.nan, .nan))
                }
                analytic.append(analyticValue(k, n1: n1, n0: n0))
            }
            return PowerPoint(n: n, events: n1, nonEvents: n0, values: values, analytic: analytic)
        }

        /// SD of a method's cutoff over stratified bootstrap resamples of one cohort.
        static func bootstrapSE(_ events: [Double], _ nonEvents: [Double], method: EstimationMethod, parameters: CriterionParameters, replicates: Int,
                                rng: RandomStream, state: StreamState) -> Double {
            rng.reset(to: state)
            var p = events, n = nonEvents
            var values: [Double] = []
            values.reserveCapacity(replicates)
            for _ in 0..<replicates {
                let c = StratifiedBootstrap.resampleCutoffs(events: events, nonEvents: nonEvents, into: &p, &n,
                                                            methods: [method], parameters: parameters, rng: rng)[0]
                if c.isFinite { values.append(c) }
            }
            return Stat(values)?.sd ?? .nan
        }

        // MARK: Analytic companions

        func binormalSE(_ t: Truth, n1: Double, n0: Double) -> Double {
            let m = t.classMoments
            return SampleSizeFormulas.binormalCutoffSE(eventMean: m.eventMean, eventSD: m.eventSD, nonEventMean: m.nonEventMean,
                                                       nonEventSD: m.nonEventSD, events: n1, nonEvents: n0)
        }

        func analyticValue(_ k: Int, n1: Double, n0: Double) -> Double {
            switch spec.targets[k] {
            case let .aucAbove(a0, sides):
                return SampleSizeFormulas.obuchowskiPower(auc: truth.auc, null: a0, cases: n1, kappa: n0 / n1, alpha: spec.alpha, sides: sides)
            case let .aucCI(w):
                // Reported as the expected half-width's verdict: 1 when Hanley–McNeil's half-width ≤ w.
                return 1.959963984540054 * SampleSizeFormulas.hanleyMcNeilSE(auc: truth.auc, cases: n1, controls: n0) <= w ? 1 : 0
            case let .sensitivity(c, w):
                return SampleSizeFormulas.proportionWithin(p: truth.sensitivity(at: c), halfWidth: w, count: n1)
            case let .specificity(c, w):
                return SampleSizeFormulas.proportionWithin(p: truth.specificity(at: c), halfWidth: w, count: n0)
            case let .cutoffPrecision(m, d):
                guard m == .binormal else { return .nan }
                return 2 * Numerics.phi(d / binormalSE(truth, n1: n1, n0: n0)) - 1
            case let .cutoffRange(m, _):
                guard m == .binormal else { return .nan }
                return 2 * 1.959963984540054 * binormalSE(truth, n1: n1, n0: n0)
            case let .drift(m, _, _, _):
                guard m == .binormal, let (other, ot) = compare[k] else { return .nan }
                let size = n1 + n0
                let o1 = expectedEvents(other.model, size: Int(size.rounded()), truth: ot), o0 = size - o1
                let se = (pow(binormalSE(truth, n1: n1, n0: n0), 2) + pow(binormalSE(ot, n1: o1, n0: o0), 2)).squareRoot()
                let delta = abs(ot.cutoff - truth.cutoff), z = Numerics.phiInverse(1 - spec.alpha / 2)
                return Numerics.phi(delta / se - z) + Numerics.phi(-delta / se - z)
            }
        }

        /// The analytic n for the requested power, and the formula's name and caveat.
        func analyticN(_ k: Int) -> (Double?, String, String) {
            let prev = truth.prevalence
            let kappa = (1 - prev) / prev
            let target = spec.targets[k]
            func search(_ ok: (Double, Double) -> Bool) -> Double? {
                var lo = 4, hi = 4
                while !ok(expected(hi).0, expected(hi).1) { hi *= 2; if hi > 10_000_000 { return nil } }
                while lo < hi { let mid = (lo + hi) / 2; if ok(expected(mid).0, expected(mid).1) { hi = mid } else { lo = mid + 1 } }
                return Double(hi)
            }
            func expected(_ n: Int) -> (Double, Double) { let e = expectedEvents(cell.model, size: n, truth: truth); return (e, Double(n) - e) }
            switch target {
            case let .aucAbove(a0, sides):
                let cases = SampleSizeFormulas.obuchowskiCases(auc: truth.auc, null: a0, kappa: kappa, alpha: spec.alpha, power: spec.power, sides: sides)
                return (cases.isFinite ? cases * (1 + kappa) : nil, "Obuchowski (one binormal ROC, pROC's power.roc.test)",
                        "the formula assumes a binormal ROC with equal class variances and uses the variance under the null; the simulated test uses each cohort's DeLong SE")
            case let .aucCI(w):
                return (search { 1.959963984540054 * SampleSizeFormulas.hanleyMcNeilSE(auc: truth.auc, cases: $0, controls: $1) <= w },
                        "Hanley–McNeil (expected half-width ≤ w)",
                        "Hanley–McNeil's SE rests on exponential score distributions, which need not fit these classes and can make it larger or smaller than DeLong's; and the formula sizes the half-width of an average study while the simulation asks that \(Format.percent(spec.power, 0)) of studies reach it, which on its own asks for more patients than the formula does")
            case let .sensitivity(c, w):
                let zz = Numerics.phiInverse((1 + spec.power) / 2)
                let p = truth.sensitivity(at: c)
                return (zz * zz * p * (1 - p) / (w * w) / prev, "normal approximation (Buderer's formula at probability \(Format.exact(spec.power)))",
                        "Buderer's n for a 95% CI of half-width ±w is \(Format.number(SampleSizeFormulas.budererCount(proportion: p, halfWidth: w, alpha: 0.05).rounded(.up), digits: 9)) events (\(Format.number((SampleSizeFormulas.budererCount(proportion: p, halfWidth: w, alpha: 0.05) / prev).rounded(.up), digits: 9)) patients); the approximation ignores the binomial's discreteness and, for binomial sampling, the random number of events")
            case let .specificity(c, w):
                let zz = Numerics.phiInverse((1 + spec.power) / 2)
                let p = truth.specificity(at: c)
                return (zz * zz * p * (1 - p) / (w * w) / (1 - prev), "normal approximation (Buderer's formula at probability \(Format.exact(spec.power)))",
                        "Buderer's n for a 95% CI of half-width ±w is \(Format.number(SampleSizeFormulas.budererCount(proportion: p, halfWidth: w, alpha: 0.05).rounded(.up), digits: 9)) non-events (\(Format.number((SampleSizeFormulas.budererCount(proportion: p, halfWidth: w, alpha: 0.05) / (1 - prev)).rounded(.up), digits: 9)) patients)")
            case let .cutoffPrecision(m, d):
                guard m == .binormal else {
                    return (nil, "none", "no closed form: the \(m.rawValue) cutoff is not a smooth function of the data (the empirical one is an argmax whose SD shrinks about as n^(−1/3)); only simulation answers")
                }
                return (search { 2 * Numerics.phi(d / self.binormalSE(self.truth, n1: $0, n0: $1)) - 1 >= self.spec.power },
                        "binormal delta method", "the delta method is asymptotic and assumes normal classes; where the classes are not normal the binormal cutoff is also biased, which the simulation includes")
            case let .cutoffRange(m, w):
                guard m == .binormal else { return (nil, "none", "no closed form for the \(m.rawValue) cutoff; only simulation answers") }
                return (search { 2 * 1.959963984540054 * self.binormalSE(self.truth, n1: $0, n0: $1) <= w },
                        "binormal delta method (range ≈ 3.92·SE)", "the delta method is asymptotic and assumes normal classes")
            case let .drift(m, _, _, _):
                guard m == .binormal else {
                    return (nil, "none", "no closed form for the \(m.rawValue) cutoff; the simulated test uses bootstrap SEs")
                }
                return (search { n1, n0 in
                    let v = self.analyticValue(k, n1: n1, n0: n0)
                    return v >= self.spec.power
                }, "binormal delta method (z-test of two cutoffs)",
                        "the delta method assumes normal classes and known SEs; the simulated test estimates each SE by bootstrap")
            }
        }

        /// A test's actual level at n: how often it rejects where its null hypothesis holds. For
        /// a drift test, both studies from the swept cell; for an AUC test, cohorts from
        /// `nullModel` (AUC exactly a₀). Nil for targets that are not tests.
        func level(_ k: Int, _ n: Int) -> (value: Double, mcse: Double)? {
            switch spec.targets[k] {
            case .drift, .aucAbove: break
            default: return nil
            }
            guard control?.isCancelled != true else { return nil }
            let v = point(size: n, only: k, atNull: true).values[k]
            return control?.isCancelled == true ? nil : v
        }

        /// The population where "AUC > a₀" is false by the least: binormal classes with the swept
        /// cell's class SDs, non-event mean and prevalence, the event mean placed so that the AUC
        /// Φ((μ₁ − μ₀)/√(σ₀² + σ₁²)) is exactly a₀. (The test's level depends on the shape of the
        /// classes too; this is the shape its formula assumes.)
        func nullModel(auc a0: Double, size n: Int) -> ModelSpec {
            let cm = truth.classMoments
            let scale = (cm.eventSD * cm.eventSD + cm.nonEventSD * cm.nonEventSD).squareRoot()
            let eventMean = cm.nonEventMean + Numerics.phiInverse(a0) * scale
            var fixed = false
            if case .classConditional = cell.model.generator { fixed = cell.model.cohort.sampling == .fixed }
            return ModelSpec(cohort: CohortSpec(size: n, prevalence: truth.prevalence, sampling: fixed ? .fixed : .binomial),
                             generator: .classConditional(event: .normal(mean: eventMean, sd: cm.eventSD),
                                                          nonEvent: .normal(mean: cm.nonEventMean, sd: cm.nonEventSD)),
                             methods: [], fixedCutoffs: [], precision: cell.model.precision)
        }

        /// Every target's answer, then the plans: the single-centre targets at the largest of
        /// their answers, and the drift targets (n per centre) at theirs, each with the share of
        /// simulated studies of that size that meet all of its probability targets at once.
        func conclude(points: [PowerPoint], refine: Bool, progress: (@Sendable (String) -> Void)?) -> ([MinimalN], [PowerPlan]) {
            var answers: [MinimalN] = []
            for t in spec.targets.indices {
                progress?("narrowing the answer for target \(t + 1) of \(spec.targets.count)")
                answers.append(answer(target: t, points: points, refine: refine))
            }
            var plans: [PowerPlan] = []
            let isDrift = spec.targets.map { if case .drift = $0 { return true }; return false }
            for twoCentre in [false, true] {
                // The targets this design meets on the grid (one not met is reported apart).
                let ks = spec.targets.indices.filter { isDrift[$0] == twoCentre && answers[$0].n != nil }
                guard let n = ks.compactMap({ answers[$0].n }).max() else { continue }
                let probs = ks.filter { spec.targets[$0].isProbability }
                var joint: Proportion? = nil
                if probs.count > 1 && refine && control?.isCancelled != true {
                    progress?("all \(twoCentre ? "two-centre" : "single-centre") targets together at n = \(n)")
                    let out = values(size: n, replicates: 0..<spec.replicates, only: probs)
                    if control?.isCancelled != true {
                        let met = (0..<spec.replicates).filter { r in probs.allSatisfy { out[r * spec.targets.count + $0] == 1 } }.count
                        joint = Proportion(count: met, n: spec.replicates)
                    }
                }
                plans.append(PowerPlan(twoCentre: twoCentre, targets: ks, n: n, joint: joint))
            }
            return (answers, plans)
        }

        func answer(target k: Int, points: [PowerPoint], refine: Bool = true) -> MinimalN {
            let t = spec.targets[k]
            let goal = t.isProbability ? spec.power : {
                if case let .cutoffRange(_, w) = t { return w }
                return .nan
            }()
            func ok(_ v: Double) -> Bool { t.isProbability ? v >= goal : v <= goal }
            let (an0, formula, why) = analyticN(k)
            // A formula's n beyond 10⁹ patients (or infinite) is no answer: shown as none.
            let an = an0.flatMap { $0.isFinite && $0 <= 1e9 ? $0 : nil }
            guard let i = points.firstIndex(where: { ok($0.values[k].value) }) else {
                let best = points.map { $0.values[k].value }
                return MinimalN(n: nil, bracket: nil, confirmed: nil,
                                note: "not reached on the grid (at n = \(points.last!.n): \(Format.number(best.last!, digits: 3))); extend the grid",
                                testLevel: nil,
                                analyticN: an, formula: formula, explanation: why)
            }
            if i == 0 {
                return MinimalN(n: points[0].n, bracket: nil, confirmed: points[0].values[k],
                                note: "already reached at the smallest n of the grid; extend the grid downwards to bracket it",
                                testLevel: level(k, points[0].n),
                                analyticN: an, formula: formula, explanation: why)
            }
            // Between the bracketing grid points: interpolate, simulate there, and narrow the bracket
            // (at most 6 runs, until it is within 2% or 2 patients).
            var lo = (points[i - 1].n, points[i - 1].values[k]), hi = (points[i].n, points[i].values[k])
            var evaluated = points.map { (n: $0.n, value: $0.values[k].value, mcse: $0.values[k].mcse) }
            for _ in 0..<(refine ? 6 : 0) {
                guard hi.0 - lo.0 > max(2, hi.0 / 50) else { break }
                var n = (lo.0 + hi.0) / 2
                if hi.1.value != lo.1.value {
                    let x = Double(lo.0) + (goal - lo.1.value) * Double(hi.0 - lo.0) / (hi.1.value - lo.1.value)
                    n = min(hi.0 - 1, max(lo.0 + 1, Int(x.rounded(.up))))
                }
                let v = point(size: n, only: k).values[k]
                if control?.isCancelled == true { break }   // a size cut short is no evidence
                evaluated.append((n: n, value: v.value, mcse: v.mcse))
                if ok(v.value) { hi = (n, v) } else { lo = (n, v) }
            }
            return MinimalN(n: hi.0, bracket: (points[i - 1].n, points[i].n), confirmed: hi.1, note: nil, testLevel: level(k, hi.0),
                            analyticN: an, formula: formula, explanation: why,
                            interval: MinimalN.interval(evaluated, goal: goal, probability: t.isProbability))
        }
    }
}
