import Foundation
import VBQCore

/// How a logistic regression is fitted: maximum likelihood, or Firth's penalised likelihood.
public enum LogisticMethod: String, Sendable, CaseIterable { case ml, firth }

/// Binary logistic regression by maximum likelihood (IRLS) and by Firth's penalised likelihood,
/// on GSL's Cholesky factorisation. The design matrix holds the intercept column itself.
public struct LogisticFit: Sendable {
    public typealias Method = LogisticMethod
    public enum Status: String, Sendable {
        case converged
        /// The classes are (quasi-)completely separated by a combination of covariates: the ML
        /// estimates run off to ±∞ (reported as such, never as a finite number).
        case separation
        case notConverged = "not_converged"
        /// X'WX is singular at the start: a covariate is constant in these data or a combination
        /// of the others (R's glm reports NA for it).
        case singular
    }

    public let method: Method
    public let status: Status
    /// Coefficients (log odds ratios), their standard errors, and 95% CIs: Wald for ML, profile
    /// penalised likelihood for Firth. NaN where the status is not `converged`, except under
    /// separation, where only the coefficients that run off to ±∞ are NaN.
    public let coefficients: [Double]
    public let standardErrors: [Double]
    public let lower: [Double]
    public let upper: [Double]
    /// Two-sided p-values: Wald for ML, penalised likelihood ratio for Firth.
    public let pValues: [Double]
    public let iterations: Int
    /// The (penalised, for Firth) log-likelihood at the estimates.
    public let logLikelihood: Double
    /// Under separation, per coefficient: +1 or −1 where the ML estimate runs off to +∞ or −∞
    /// (its coefficient is NaN), else 0.
    public var diverging: [Int] = []
    /// Firth: the largest component of the modified score U* at the estimates (the fit iterates
    /// until it is below 1e-10). NaN for ML.
    public var finalScore: Double = .nan

    package static let z975 = 1.959963984540054
    static let chi95 = 3.841458820694124

    // MARK: Linear algebra

    /// A design matrix stored row-major (n × p, the intercept column included) with its outcome.
    package struct Data {
        package let n: Int, p: Int
        package let x: [Double]
        package let y: [Bool]
        package init(x rows: [[Double]], y: [Bool]) {
            n = rows.count; p = rows.first?.count ?? 0
            x = rows.flatMap { $0 }; self.y = y
        }
        package init(n: Int, p: Int, x: [Double], y: [Bool]) { self.n = n; self.p = p; self.x = x; self.y = y }
    }

    /// (A⁻¹, log det A) of a symmetric positive-definite p×p matrix (row-major), by GSL's Cholesky.
    static func invert(_ a: [Double], _ p: Int) -> (inverse: [Double], logDet: Double)? {
        guard p > 0 else { return ([], 0) }
        var m = a
        return m.withUnsafeMutableBufferPointer { buf -> (inverse: [Double], logDet: Double)? in
            guard let logDet = Special.choleskyInvert(buf, order: p) else { return nil }
            return (Array(buf), logDet)
        }
    }

    struct State {
        var prob: [Double]
        var weights: [Double]
        var information: [Double]    // X'WX
        var inverse: [Double]
        var logDet: Double
        var logLikelihood: Double
    }

    /// Probabilities, weights, X'WX and its inverse at β (nil when X'WX is singular: a constant
    /// or collinear covariate).
    static func state(_ d: Data, _ beta: [Double]) -> State? {
        let p = d.p, n = d.n
        var prob = [Double](repeating: 0, count: n), w = prob
        var info = [Double](repeating: 0, count: p * p)
        var ll = 0.0
        d.x.withUnsafeBufferPointer { xb in
        d.y.withUnsafeBufferPointer { y in
        beta.withUnsafeBufferPointer { bt in
        prob.withUnsafeMutableBufferPointer { pr in
        w.withUnsafeMutableBufferPointer { wb in
        info.withUnsafeMutableBufferPointer { inf in
            for i in 0..<n {
                let row = xb.baseAddress! + i * p
                var eta = 0.0
                for j in 0..<p { eta += row[j] * bt[j] }
                let pi = 1 / (1 + exp(-eta))
                pr[i] = pi
                // log-likelihood without cancellation: log σ(η) = −log(1 + e^{−η}).
                ll += y[i] ? -log1p(exp(-eta)) : -log1p(exp(eta))
                let wi = max(pi * (1 - pi), 1e-300)
                wb[i] = wi
                for a in 0..<p { let wa = wi * row[a]; for b in a..<p { inf[a * p + b] += wa * row[b] } }
            }
        }}}}}}
        for a in 0..<p { for b in 0..<a { info[a * p + b] = info[b * p + a] } }
        guard let (inv, logDet) = invert(info, p) else { return nil }
        return State(prob: prob, weights: w, information: info, inverse: inv, logDet: logDet, logLikelihood: ll)
    }

    // MARK: Maximum likelihood

    /// IRLS (Newton–Raphson on the log-likelihood) until the relative change of the deviance is
    /// below 1e-12. Separation: the fitted probabilities of one class all reach 0 or 1 while the
    /// deviance keeps falling and the coefficients grow.
    public static func ml(x: [[Double]], y: [Bool], maxIterations: Int = 60) -> LogisticFit {
        ml(Data(x: x, y: y), maxIterations: maxIterations)
    }

    package static func ml(_ d: Data, maxIterations: Int = 60) -> LogisticFit {
        let p = d.p
        let nan = [Double](repeating: .nan, count: p)
        var beta = [Double](repeating: 0, count: p)
        var previous = Double.infinity
        var iterations = 0
        var last: State? = nil
        var history: [[Double]] = []      // β at each state computed
        var status = Status.notConverged
        while iterations < maxIterations {
            iterations += 1
            guard let s = state(d, beta) else {
                // Singular X'WX: at the start, a constant or collinear covariate; later, weights
                // that underflowed as the estimates ran off (separation, decided below).
                if iterations == 1 { status = .singular }
                break
            }
            last = s
            history.append(beta)
            let deviance = -2 * s.logLikelihood
            if abs(previous - deviance) / (abs(deviance) + 0.1) < 1e-12 { status = .converged; break }
            previous = deviance
            // Newton step: β += (X'WX)⁻¹ X'(y − π).
            var score = [Double](repeating: 0, count: p)
            for i in 0..<d.n {
                let r = (d.y[i] ? 1 : 0) - s.prob[i]
                for j in 0..<p { score[j] += d.x[i * p + j] * r }
            }
            for a in 0..<p { var t = 0.0; for b in 0..<p { t += s.inverse[a * p + b] * score[b] }; beta[a] += t }
        }
        // Separation: deviance near 0 for the separated points, or coefficients beyond any
        // plausible log odds ratio with probabilities pinned at 0 or 1.
        if status != .singular, let s = last {
            var pinned = 0
            for i in 0..<d.n where (d.y[i] && s.prob[i] > 1 - 1e-8) || (!d.y[i] && s.prob[i] < 1e-8) { pinned += 1 }
            if pinned > 0 && (beta.contains { abs($0) > 15 } || status == .notConverged) { status = .separation }
        }
        guard status == .converged || status == .separation, let s = last, history.count >= 6 || status == .converged else {
            return LogisticFit(method: .ml, status: status, coefficients: nan, standardErrors: nan, lower: nan, upper: nan, pValues: nan,
                               iterations: iterations, logLikelihood: last?.logLikelihood ?? .nan)
        }
        // Under separation only the coefficients that run off are infinite (they still move by
        // about 1 per iteration when the deviance has settled); the others converge to the fit
        // without the separated patients, and are reported as R's glm reports them.
        let at = history[history.count - 1]
        var diverged = [Bool](repeating: status == .separation, count: p)
        if status == .separation {
            let before = history[history.count - 6]
            diverged = (0..<p).map { abs(at[$0] - before[$0]) > 0.5 }
            if !diverged.contains(true) { diverged = [Bool](repeating: true, count: p) }
        }
        let se = (0..<p).map { diverged[$0] ? .nan : s.inverse[$0 * p + $0].squareRoot() }
        let coefficients = (0..<p).map { diverged[$0] ? .nan : at[$0] }
        let pv = (0..<p).map { Numerics.twoSidedP(coefficients[$0] / se[$0]) }
        var fit = LogisticFit(method: .ml, status: status, coefficients: coefficients, standardErrors: se,
                              lower: (0..<p).map { coefficients[$0] - z975 * se[$0] }, upper: (0..<p).map { coefficients[$0] + z975 * se[$0] },
                              pValues: pv, iterations: iterations, logLikelihood: s.logLikelihood)
        fit.diverging = (0..<p).map { diverged[$0] && status == .separation ? (at[$0] > 0 ? 1 : -1) : 0 }
        return fit
    }

    // MARK: Firth

    /// The modified score U*(β) = X'(y − π + h(½ − π)), with the hat diagonal
    /// h_i = w_i x_i'(X'WX)⁻¹x_i: the gradient of l*(β) = l(β) + ½ log|X'WX|.
    static func modifiedScore(_ d: Data, _ s: State) -> [Double] {
        let p = d.p
        var score = [Double](repeating: 0, count: p)
        d.x.withUnsafeBufferPointer { x in
        d.y.withUnsafeBufferPointer { y in
        s.inverse.withUnsafeBufferPointer { inv in
        score.withUnsafeMutableBufferPointer { sc in
            for i in 0..<d.n {
                let row = x.baseAddress! + i * p
                // q = x_i'(X'WX)⁻¹x_i over the upper triangle of the symmetric inverse.
                var q = 0.0
                for a in 0..<p {
                    let ra = row[a]
                    var u = 0.5 * inv[a * p + a] * ra
                    for b in (a + 1)..<max(a + 1, p) { u += inv[a * p + b] * row[b] }
                    q += ra * u
                }
                let h = s.weights[i] * 2 * q
                let r = (y[i] ? 1 : 0) - s.prob[i] + h * (0.5 - s.prob[i])
                for j in 0..<p { sc[j] += row[j] * r }
            }
        }}}}
        return score
    }

    /// Maximises l*(β) over the coordinates not in `fixed` (those keep their values): steps
    /// (I_ff)⁻¹U*_f (Fisher scoring on the modified score, as logistf), at most 5 on the log-odds
    /// scale. A step is halved while l* falls, and shortened to the line's maximum when it
    /// overshoots it by more than half (the slope U*·step at the new point below −½ of its value
    /// at the old): near a rare covariate's estimate the penalty makes X'WX overstate the
    /// curvature about twofold, and plain scoring then oscillates without converging.
    ///
    /// `scoreTolerance` (the fit itself): converged only when every free component of U* is below
    /// it, or when rounding stops the steps first (a Newton step below 1e-15 of the estimates'
    /// size); without it (the profile's constrained fits), when the step or the Newton decrement
    /// is below `tolerance`. `score` is the largest |U*| component at the estimates.
    static func firthMaximise(_ d: Data, start: [Double], fixed: Int? = nil, tolerance: Double = 1e-9,
                              scoreTolerance: Double? = nil, maxIterations: Int = 200)
        -> (beta: [Double], penalised: Double, iterations: Int, converged: Bool, score: Double)? {
        let p = d.p
        var beta = start
        func penalised(_ b: [Double]) -> (Double, State)? {
            guard let s = state(d, b) else { return nil }
            return (s.logLikelihood + 0.5 * s.logDet, s)
        }
        guard var (current, s) = penalised(beta) else { return nil }
        let free = (0..<p).filter { $0 != fixed }
        let k = free.count
        var sub = [Double](repeating: 0, count: k * k)
        var score = modifiedScore(d, s)
        for iteration in 1...maxIterations {
            // Newton direction on the free coordinates: (I_ff)⁻¹ U*_f.
            for (a, fa) in free.enumerated() { for (b, fb) in free.enumerated() { sub[a * k + b] = s.information[fa * p + fb] } }
            guard let (subInverse, _) = invert(sub, k) else { return nil }
            var step = [Double](repeating: 0, count: p)
            for (a, fa) in free.enumerated() { var u = 0.0; for (b, fb) in free.enumerated() { u += subInverse[a * k + b] * score[fb] }; step[fa] = u }
            let largest = step.map(abs).max() ?? 0
            // Converged when the step is negligible or the Newton decrement U'I⁻¹U (about twice
            // the l* still to gain) is: a scale-free test, since with a badly conditioned design
            // (age in years beside the intercept) rounding alone keeps steps above any fixed size.
            var decrement = 0.0
            for j in free { decrement += step[j] * score[j] }
            let scoreSize = free.map { abs(score[$0]) }.max() ?? 0
            if let scoreTolerance {
                let size = beta.map(abs).max() ?? 0
                if scoreSize < scoreTolerance || largest < 1e-15 * (1 + size) { return (beta, current, iteration, true, scoreSize) }
            } else if largest < tolerance || decrement < tolerance * tolerance * 1e5 {
                return (beta, current, iteration, true, scoreSize)
            }
            var scale = min(1, 5 / largest)
            var accepted = false
            var shortened = false
            for _ in 0..<40 {
                let trial = (0..<p).map { beta[$0] + scale * step[$0] }
                if let (value, ts) = penalised(trial), value >= current - 1e-12 {
                    let ns = modifiedScore(d, ts)
                    var slope = 0.0
                    for j in free { slope += step[j] * ns[j] }
                    if !shortened && slope < -0.5 * decrement {
                        // The slope along the line falls linearly: its zero is at this fraction.
                        scale *= max(0.1, min(0.9, decrement / (decrement - slope)))
                        shortened = true
                        continue
                    }
                    beta = trial; current = value; s = ts; score = ns; accepted = true
                    break
                }
                scale /= 2
            }
            if !accepted {
                let scoreSize = free.map { abs(score[$0]) }.max() ?? 0
                return (beta, current, iteration, largest < 1e-6, scoreSize)
            }
        }
        return (beta, current, maxIterations, false, free.map { abs(score[$0]) }.max() ?? 0)
    }

    /// Firth's penalised likelihood (Jeffreys prior): finite estimates even under separation,
    /// with SEs from (X'WX)⁻¹ at the estimates, 95% profile penalised-likelihood CIs and
    /// penalised likelihood-ratio p-values (as R's logistf). `profile`: the coefficients whose
    /// CI and p-value are computed (all by default; the others are NaN).
    public static func firth(x: [[Double]], y: [Bool], profile: [Int]? = nil) -> LogisticFit {
        firth(Data(x: x, y: y), profile: profile)
    }

    package static func firth(_ d: Data, profile: [Int]? = nil) -> LogisticFit {
        let p = d.p
        let nan = [Double](repeating: .nan, count: p)
        guard let fit = firthMaximise(d, start: [Double](repeating: 0, count: p), scoreTolerance: 1e-10), fit.converged,
              let s = state(d, fit.beta) else {
            return LogisticFit(method: .firth, status: state(d, [Double](repeating: 0, count: p)) == nil ? .singular : .notConverged,
                               coefficients: nan, standardErrors: nan, lower: nan, upper: nan,
                               pValues: nan, iterations: 0, logLikelihood: .nan)
        }
        let beta = fit.beta
        let se = (0..<p).map { s.inverse[$0 * p + $0].squareRoot() }
        var lower = nan, upper = nan, pv = nan
        let z = chi95.squareRoot()
        for j in profile ?? Array(0..<p) {
            // The signed root r(b) = sign(b − β̂ⱼ)·√(2(l*max − l*(βⱼ = b, others maximised))) is
            // nearly linear in b, so secant steps on r(b) ∓ 1.96 find each CI end in a few
            // constrained fits, each started from the previous one.
            // Each constrained fit starts from the last one, moved along the estimates' regression
            // on βⱼ (Σ_fj/Σ_jj per unit of βⱼ, Σ = (X'WX)⁻¹ at β̂): close to the profile path.
            // Its tolerance (Newton decrement < 1e-11) keeps l* within 1e-11, far below what moves
            // a CI end by 1e-9.
            var warm = beta
            func signedRoot(_ b: Double) -> Double {
                var start = warm
                let shift = b - warm[j]
                for f in 0..<p where f != j { start[f] += s.inverse[f * p + j] / s.inverse[j * p + j] * shift }
                start[j] = b
                guard let c = firthMaximise(d, start: start, fixed: j, tolerance: 1e-8) else { return .nan }
                warm = c.beta
                let deficit = max(0, 2 * (fit.penalised - c.penalised))
                return (b < beta[j] ? -1 : 1) * deficit.squareRoot()
            }
            let r0 = signedRoot(0)
            if r0.isFinite { pv[j] = Numerics.twoSidedP(r0) }   // the χ²₁ upper tail of r0²
            for side in [-1.0, 1.0] {
                warm = beta
                let end = profileEnd({ signedRoot($0) - side * z }, from: beta[j], side: side, scale: z * max(se[j], 1e-3))
                if side < 0 { lower[j] = end } else { upper[j] = end }
            }
        }
        var result = LogisticFit(method: .firth, status: .converged, coefficients: beta, standardErrors: se, lower: lower, upper: upper,
                                 pValues: pv, iterations: fit.iterations, logLikelihood: fit.penalised)
        result.finalScore = fit.score
        return result
    }

    /// The root of f on the `side` of `start` (where f(start) has the sign of −side): secant steps
    /// outward from the Wald end `start + side·scale` until the root is bracketed, then the
    /// Illinois variant of regula falsi. f is nearly linear here, so a handful of evaluations
    /// give |f| < 1e-9. NaN when 60 steps outward do not reach the root.
    static func profileEnd(_ f: (Double) -> Double, from start: Double, side: Double, scale: Double) -> Double {
        var a = start, fa = -side * z975                     // f(start) = −side·1.96 exactly
        var b = start + side * scale, fb = f(b)
        var tries = 0
        // Outward until f changes sign (r(b) passes ±1.96).
        while fb.isFinite && (fb < 0) == (fa < 0) {
            tries += 1
            guard tries <= 60 else { return .nan }
            let secant = fb != fa ? b - fb * (b - a) / (fb - fa) : .nan
            let reach = abs(b - start)
            // At least 10% further out, at most twice as far from the start.
            var next = secant.isFinite ? secant : start + side * 2 * reach
            next = side > 0 ? min(max(next, b + 0.1 * reach), start + 2 * reach) : max(min(next, b - 0.1 * reach), start - 2 * reach)
            a = b; fa = fb
            b = next; fb = f(b)
        }
        guard fb.isFinite else { return .nan }
        if fb == 0 { return b }
        for _ in 0..<100 {
            let c = b - fb * (b - a) / (fb - fa)
            let fc = f(c)
            guard fc.isFinite else { return .nan }
            if abs(fc) < 1e-9 || abs(b - a) < 1e-12 { return c }
            if (fc < 0) != (fb < 0) { a = b; fa = fb } else { fa /= 2 }
            b = c; fb = fc
        }
        return b
    }
}

/// Pearson's r with its Fisher-z 95% CI and the t-test p-value.
public struct PearsonCorrelation: Sendable {
    public let r: Double
    public let lower: Double, upper: Double
    public let pValue: Double
    public let n: Int

    public init?(_ x: [Double], _ y: [Double]) {
        let n = x.count
        guard n == y.count, n >= 4 else { return nil }
        let mx = x.reduce(0, +) / Double(n), my = y.reduce(0, +) / Double(n)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<n { let a = x[i] - mx, b = y[i] - my; sxy += a * b; sxx += a * a; syy += b * b }
        guard sxx > 0, syy > 0, sxx.isFinite, syy.isFinite, sxy.isFinite else { return nil }
        let r = max(-1, min(1, sxy / (sxx * syy).squareRoot()))
        self.r = r; self.n = n
        let z = atanh(r), half = LogisticFit.z975 / Double(n - 3).squareRoot()
        lower = tanh(z - half); upper = tanh(z + half)
        let t = r * (Double(n - 2) / max(1e-300, 1 - r * r)).squareRoot()
        pValue = abs(r) >= 1 ? 0 : 2 * Special.tQ(abs(t), df: Double(n - 2))
    }
}
