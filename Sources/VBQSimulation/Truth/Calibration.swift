import Foundation
import VBQCore
import VBQEstimate
import VBQModel

/// A study's reported Table 1: the score's mean and SD per class, the prevalence of events,
/// optionally the AUC and the number of patients.
public struct TableOne: Sendable {
    public var eventMean, eventSD, nonEventMean, nonEventSD, prevalence: Double
    public var auc: Double?
    public var n: Int

    public init(eventMean: Double, eventSD: Double, nonEventMean: Double, nonEventSD: Double, prevalence: Double,
                auc: Double? = nil, n: Int = 256) {
        self.eventMean = eventMean; self.eventSD = eventSD; self.nonEventMean = nonEventMean; self.nonEventSD = nonEventSD
        self.prevalence = prevalence; self.auc = auc; self.n = n
    }

    func check() throws {
        for (v, k) in [(eventMean, "--event-mean"), (nonEventMean, "--non-event-mean")] where !(v.isFinite && v > 0 && v < 100) {
            throw VBQError(key: k, "\(v.isFinite ? Format.exact(v) : "\(v)") is not a VBQ score (a ratio between 0 and 100)")
        }
        for (v, k) in [(eventSD, "--event-sd"), (nonEventSD, "--non-event-sd")] where !(v.isFinite && v > 0 && v < 50) {
            throw VBQError(key: k, "\(v.isFinite ? Format.exact(v) : "\(v)") is not an SD of VBQ scores (above 0 and below 50)")
        }
        guard prevalence > 0 && prevalence < 1 else { throw VBQError(key: "--prevalence", "\(Format.exact(prevalence)) is outside (0, 1)") }
        if let auc, !(auc > 0 && auc < 1) { throw VBQError(key: "--auc", "\(Format.exact(auc)) is outside (0, 1)") }
        guard n >= 4 && n <= Limits.cohortSize else { throw VBQError(key: "--n", "must be between 4 and \(Limits.cohortSize) (got \(n))") }
    }
}

/// What `vbqlab calibrate` found: the parameters, what they give against each target, and the
/// scenario that carries them.
public struct Calibration: Sendable {
    public enum Family: String, Sendable, CaseIterable { case normal, lognormal, mechanistic }
    public let family: Family
    public let table: TableOne
    /// (parameter path, value).
    public let parameters: [(String, Double)]
    /// (target, reported, reproduced).
    public let fit: [(String, Double, Double)]
    public let note: String
    public let scenario: String

    /// Largest |reproduced − reported| / the scale of a target before a Table 1 counts as
    /// unreachable (scales: the class SDs for means and SDs, 0.02 for the prevalence and the AUC).
    static let tolerance = 0.25

    /// `cutoffs`: fixed cutoffs to carry (a study's published cutoff); `source`: a comment line
    /// naming where the Table 1 comes from.
    public static func run(_ t: TableOne, family: Family, name: String, seed: UInt64 = 1, patients: Int = 100_000,
                           cutoffs: [Double] = [], source: String? = nil) throws -> Calibration {
        try t.check()
        if let problem = ScenarioLoader.nameProblem(name) { throw VBQError(key: "--name", "'\(Format.plain(name))' \(problem)") }
        guard cutoffs.count <= Limits.fixedCutoffs, cutoffs.allSatisfy(\.isFinite) else {
            throw VBQError(key: "--cutoff", "at most \(Limits.fixedCutoffs) finite cutoffs")
        }
        var c: Calibration
        switch family {
        case .normal, .lognormal: c = try classConditional(t, lognormal: family == .lognormal, name: name)
        case .mechanistic: c = try mechanistic(t, name: name, seed: seed, patients: patients)
        }
        var text = c.scenario
        if !cutoffs.isEmpty { text += "fixed_cutoffs: [\(cutoffs.map(Format.exact).joined(separator: ", "))]\n" }
        if let source { text = "# source: " + Format.plain(source) + "\n" + text }
        return Calibration(family: c.family, table: c.table, parameters: c.parameters, fit: c.fit, note: c.note, scenario: text)
    }

    /// Two classes with exactly the reported means and SDs (normal, or lognormal by the moment
    /// equations); the AUC they imply is computed and compared with the reported one.
    static func classConditional(_ t: TableOne, lognormal: Bool, name: String) throws -> Calibration {
        func spec(_ m: Double, _ s: Double) -> (ScoreDistribution, String, [(String, Double)]) {
            if lognormal {
                let sdlog = log(1 + s * s / (m * m)).squareRoot(), meanlog = log(m) - sdlog * sdlog / 2
                return (.lognormal(meanlog: meanlog, sdlog: sdlog), "{distribution: lognormal, meanlog: \(Format.exact(meanlog)), sdlog: \(Format.exact(sdlog))}",
                        [("meanlog", meanlog), ("sdlog", sdlog)])
            }
            return (.normal(mean: m, sd: s), "{distribution: normal, mean: \(Format.exact(m)), sd: \(Format.exact(s))}", [("mean", m), ("sd", s)])
        }
        let (e, eText, eParams) = spec(t.eventMean, t.eventSD), (ne, nText, nParams) = spec(t.nonEventMean, t.nonEventSD)
        let events = Int((Double(t.n) * t.prevalence).rounded())
        let truth = try TruthSolver.classConditional(event: e, nonEvent: ne, prevalence: t.prevalence)
        var fit: [(String, Double, Double)] = [("event mean", t.eventMean, t.eventMean), ("event SD", t.eventSD, t.eventSD),
                                               ("non-event mean", t.nonEventMean, t.nonEventMean), ("non-event SD", t.nonEventSD, t.nonEventSD),
                                               ("prevalence", t.prevalence, t.prevalence)]
        var note = "two \(lognormal ? "lognormal" : "normal") classes with the reported means and SDs reproduce them exactly; they imply AUC \(Format.fixed(truth.auc, 3)) and c* = \(Format.fixed(truth.cutoff, 3))"
        if let auc = t.auc {
            fit.append(("AUC", auc, truth.auc))
            note += abs(truth.auc - auc) > 0.02
                ? " — the reported AUC \(Format.exact(auc)) is \(Format.fixed(abs(truth.auc - auc), 3)) \(truth.auc < auc ? "higher" : "lower"): classes of this shape with these moments cannot give it (a skewed or mixed class could)"
                : ", within 0.02 of the reported \(Format.exact(auc))"
        }
        let params = eParams.map { ("generator.event.\($0.0)", $0.1) } + nParams.map { ("generator.non_event.\($0.0)", $0.1) }
        var y = header(t, family: lognormal ? .lognormal : .normal, fit: fit, note: note)
        y += "name: \(name)\nseed: 1\nreplicates: 1000\ncohort:\n  events: \(events)\n  non_events: \(t.n - events)\n"
        y += "generator:\n  family: class_conditional\n  event: \(eText)\n  non_event: \(nText)\n"
        y += "methods: [\(EstimationMethod.defaults.map(\.rawValue).joined(separator: ", "))]\n"
        return Calibration(family: lognormal ? .lognormal : .normal, table: t, parameters: params, fit: fit, note: note, scenario: y)
    }

    static func header(_ t: TableOne, family: Family, fit: [(String, Double, Double)], note: String) -> String {
        var y = "# calibrated by vbqlab \(Release.version) calibrate (\(family.rawValue)) to a reported Table 1:\n"
        y += "#   target            reported    reproduced\n"
        for (k, want, got) in fit {
            y += "#   \(k.padding(toLength: 16, withPad: " ", startingAt: 0))  \(Format.fixed(want, 4).padding(toLength: 10, withPad: " ", startingAt: 0))  \(Format.fixed(got, 4))\n"
        }
        y += "# " + note.replacingOccurrences(of: "\n", with: " ") + "\n"
        return y
    }

    /// The mechanistic reference model with the bone-quality mean, its residual SD and a common
    /// shift of every failure mode's logit intercept chosen (GSL's Nelder–Mead simplex on
    /// simulated moments; the same random numbers at every step) to reproduce the class means
    /// and SDs of the measured score, the prevalence and, when given, the AUC.
    static func mechanistic(_ t: TableOne, name: String, seed: UInt64, patients: Int) throws -> Calibration {
        let baseText = "name: \(name)\ncohort: {size: \(t.n)}\ngenerator: {family: mechanistic}\n"
        let base = try ScenarioLoader.load(text: baseText, file: "calibrate")
        guard case let .mechanistic(model) = base.model.generator else { preconditionFailure("a mechanistic scenario") }
        let tree = SeedTree(root: seed)
        let rng = RandomStream()
        func moments(_ x: [Double]) -> (m1: Double, s1: Double, m0: Double, s0: Double, p: Double, auc: Double)? {
            var m = model
            m.boneMean = x[0]
            m.residualSD = exp(x[1])
            for i in m.modes.indices { m.modes[i].alpha = model.modes[i].alpha + x[2] }
            let gen = MechanisticGenerator(m)
            rng.reset(to: tree.state(.calibration))
            var e: [Double] = [], ne: [Double] = []
            e.reserveCapacity(patients); ne.reserveCapacity(patients)
            var attempts = 0
            var scanners = gen.scannerFactors(rng)
            for i in 0..<patients {
                if i % t.n == 0 { scanners = gen.scannerFactors(rng) }
                guard let p = gen.patient(rng, scanners: scanners, attempts: &attempts, maxAttempts: 10_000) else { return nil }
                if p.event { e.append(p.score) } else { ne.append(p.score) }
            }
            guard e.count > 1, ne.count > 1 else { return nil }
            let a = Stat(e)!, b = Stat(ne)!
            var auc = Double.nan
            if t.auc != nil {
                e.sort(); ne.sort()
                auc = e.withUnsafeBufferPointer { p in ne.withUnsafeBufferPointer { q in AUCEstimate(positives: p, negatives: q).auc } }
            }
            return (a.mean, a.sd, b.mean, b.sd, Double(e.count) / Double(patients), auc)
        }
        func residuals(_ r: (m1: Double, s1: Double, m0: Double, s0: Double, p: Double, auc: Double)) -> [Double] {
            var v = [(r.m1 - t.eventMean) / t.eventSD, (r.s1 - t.eventSD) / t.eventSD,
                     (r.m0 - t.nonEventMean) / t.nonEventSD, (r.s0 - t.nonEventSD) / t.nonEventSD, (r.p - t.prevalence) / 0.02]
            if let auc = t.auc { v.append((r.auc - auc) / 0.02) }
            return v
        }
        let objective: ([Double]) -> Double = { x in
            guard x[0] > 0.05, x[0] < 50, x[1] > log(1e-4), x[1] < log(3), abs(x[2]) < 20, let r = moments(x) else { return 1e12 }
            return residuals(r).reduce(0) { $0 + $1 * $1 }
        }
        // Start from the shipped calibration, shifted towards the reported overall mean.
        let pooled = t.prevalence * t.eventMean + (1 - t.prevalence) * t.nonEventMean
        let start = [model.boneMean * pooled / 3.14, log(model.residualSD), 0]
        guard let best = Numerics.minimize(objective, start: start, steps: [0.2, 0.2, 0.5], tolerance: 1e-4, maxIterations: 400),
              let r = moments(best.x) else {
            throw VBQError(key: "calibrate", "the mechanistic model could not be simulated near these targets (a class too rare)")
        }
        var fit: [(String, Double, Double)] = [("event mean", t.eventMean, r.m1), ("event SD", t.eventSD, r.s1),
                                               ("non-event mean", t.nonEventMean, r.m0), ("non-event SD", t.nonEventSD, r.s0),
                                               ("prevalence", t.prevalence, r.p)]
        if let auc = t.auc { fit.append(("AUC", auc, r.auc)) }
        let res = residuals(r)
        if let worst = res.indices.max(by: { abs(res[$0]) < abs(res[$1]) }), abs(res[worst]) > tolerance {
            let (k, want, got) = fit[worst]
            throw VBQError(key: "calibrate", "no parameters of the mechanistic model reproduce this Table 1: the best fit still gives \(k) \(Format.fixed(got, 3)) for the reported \(Format.fixed(want, 3))\(t.eventMean <= t.nonEventMean ? " (in this model failure risk rises with VBQ, so events cannot have the lower mean)" : ""); try --family normal or lognormal")
        }
        let shift = best.x[2]
        let params: [(String, Double)] = [("bone_quality.mean", best.x[0]), ("bone_quality.residual_sd", exp(best.x[1]))]
            + model.modes.map { ("outcome.modes.\($0.name).alpha", $0.alpha + shift) }
        let note = "the mechanistic reference model (every other parameter at its default) with these \(params.count) values, found by GSL's Nelder–Mead simplex on \(patients) simulated patients (the same random numbers at every step, seed \(seed), \(best.iterations) iterations\(best.converged ? "" : ", stopped before the simplex converged")); failure-mode intercepts moved together by \(Format.fixed(shift, 3)) on the logit scale"
        var y = header(t, family: .mechanistic, fit: fit, note: note)
        y += "name: \(name)\nseed: 1\nreplicates: 1000\ncohort:\n  size: \(t.n)\ngenerator:\n  family: mechanistic\n"
        y += "methods: [\(EstimationMethod.defaults.map(\.rawValue).joined(separator: ", "))]\n"
        y += "bone_quality:\n  mean: \(Format.exact((best.x[0] * 1e6).rounded() / 1e6))       # calibrated\n  residual_sd: \(Format.exact((exp(best.x[1]) * 1e6).rounded() / 1e6))   # calibrated\n"
        y += "outcome:\n  modes:\n"
        for mode in model.modes {
            y += "    \(mode.name):\n      alpha: \(Format.exact(((mode.alpha + shift) * 1e6).rounded() / 1e6))   # calibrated (default \(Format.exact(mode.alpha)) + common shift)\n"
        }
        return Calibration(family: .mechanistic, table: t, parameters: params, fit: fit, note: note, scenario: y)
    }
}
