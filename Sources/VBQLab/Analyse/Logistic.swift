import Foundation
internal import CGSL

/// Binary logistic regression by maximum likelihood (IRLS) and by Firth's penalised likelihood,
/// on GSL's Cholesky factorisation. The design matrix holds the intercept column itself.
public struct LogisticFit: Sendable {
    public enum Method: String, Sendable { case ml, firth }
    public enum Status: String, Sendable {
        case converged
        /// The classes are (quasi-)completely separated by a combination of covariates: the ML
        /// estimates run off to ±∞ (reported as such, never as a finite number).
        case separation
        case notConverged = "not_converged"
    }

    public let method: Method
    public let status: Status
    /// Coefficients (log odds ratios), their standard errors, and 95% CIs: Wald for ML, profile
    /// penalised likelihood for Firth. NaN where the status is not `converged`.
    public let coefficients: [Double]
    public let standardErrors: [Double]
    public let lower: [Double]
    public let upper: [Double]
    /// Two-sided p-values: Wald for ML, penalised likelihood ratio for Firth.
    public let pValues: [Double]
    public let iterations: Int
    /// The (penalised, for Firth) log-likelihood at the estimates.
    public let logLikelihood: Double

    public var oddsRatios: [Double] { coefficients.map(exp) }

    static let z975 = 1.959963984540054
    static let chi95 = 3.841458820694124

    // MARK: Linear algebra

    /// (A⁻¹, log det A) of a symmetric positive-definite p×p matrix (row-major), by Cholesky.
    static func invert(_ a: [Double], _ p: Int) -> (inverse: [Double], logDet: Double)? {
        guard let m = gsl_matrix_alloc(p, p) else { return nil }
        defer { gsl_matrix_free(m) }
        for i in 0..<p { for j in 0..<p { gsl_matrix_set(m, i, j, a[i * p + j]) } }
        guard gsl_linalg_cholesky_decomp1(m) == GSL_SUCCESS else { return nil }
        var logDet = 0.0
        for i in 0..<p { logDet += 2 * log(gsl_matrix_get(m, i, i)) }
        guard gsl_linalg_cholesky_invert(m) == GSL_SUCCESS else { return nil }
        var out = [Double](repeating: 0, count: p * p)
        for i in 0..<p { for j in 0..<p { out[i * p + j] = gsl_matrix_get(m, i, j) } }
        guard logDet.isFinite else { return nil }
        return (out, logDet)
    }

    struct State {
        var prob: [Double]
        var weights: [Double]
        var information: [Double]    // X'WX
        var inverse: [Double]
        var logDet: Double
        var logLikelihood: Double
    }

    /// Probabilities, weights, X'WX and its inverse at β.
    static func state(_ x: [[Double]], _ y: [Bool], _ beta: [Double]) -> State? {
        let p = beta.count
        var prob = [Double](repeating: 0, count: x.count), w = prob
        var info = [Double](repeating: 0, count: p * p)
        var ll = 0.0
        for (i, row) in x.enumerated() {
            var eta = 0.0
            for j in 0..<p { eta += row[j] * beta[j] }
            let pi = 1 / (1 + exp(-eta))
            prob[i] = pi
            // log-likelihood without cancellation: log σ(η) = −log(1 + e^{−η}).
            ll += y[i] ? -log1p(exp(-eta)) : -log1p(exp(eta))
            let wi = max(pi * (1 - pi), 1e-300)
            w[i] = wi
            for a in 0..<p { for b in a..<p { info[a * p + b] += wi * row[a] * row[b] } }
        }
        for a in 0..<p { for b in 0..<a { info[a * p + b] = info[b * p + a] } }
        guard let (inv, logDet) = invert(info, p) else { return nil }
        return State(prob: prob, weights: w, information: info, inverse: inv, logDet: logDet, logLikelihood: ll)
    }

    // MARK: Maximum likelihood

    /// IRLS (Newton–Raphson on the log-likelihood) until the relative change of the deviance is
    /// below 1e-12. Separation: the fitted probabilities of one class all reach 0 or 1 while the
    /// deviance keeps falling and the coefficients grow.
    public static func ml(x: [[Double]], y: [Bool], maxIterations: Int = 60) -> LogisticFit {
        let p = x.first?.count ?? 0
        var beta = [Double](repeating: 0, count: p)
        var previous = Double.infinity
        var iterations = 0
        var last: State? = nil
        var status = Status.notConverged
        while iterations < maxIterations {
            iterations += 1
            guard let s = state(x, y, beta) else { break }
            last = s
            let deviance = -2 * s.logLikelihood
            if abs(previous - deviance) / (abs(deviance) + 0.1) < 1e-12 { status = .converged; break }
            previous = deviance
            // Newton step: β += (X'WX)⁻¹ X'(y − π).
            var score = [Double](repeating: 0, count: p)
            for (i, row) in x.enumerated() { let r = (y[i] ? 1 : 0) - s.prob[i]; for j in 0..<p { score[j] += row[j] * r } }
            for a in 0..<p { var d = 0.0; for b in 0..<p { d += s.inverse[a * p + b] * score[b] }; beta[a] += d }
        }
        // Separation: deviance near 0 for the separated points, or coefficients beyond any
        // plausible log odds ratio with probabilities pinned at 0 or 1.
        if let s = last {
            let pinned = s.prob.enumerated().filter { (y[$0.offset] && $0.element > 1 - 1e-8) || (!y[$0.offset] && $0.element < 1e-8) }.count
            if beta.contains(where: { abs($0) > 15 }) && pinned > 0 || (status == .notConverged && pinned > 0) {
                status = .separation
            }
        }
        guard status == .converged, let s = last ?? state(x, y, beta) else {
            let nan = [Double](repeating: .nan, count: p)
            return LogisticFit(method: .ml, status: status, coefficients: nan, standardErrors: nan, lower: nan, upper: nan, pValues: nan,
                               iterations: iterations, logLikelihood: last?.logLikelihood ?? .nan)
        }
        let se = (0..<p).map { s.inverse[$0 * p + $0].squareRoot() }
        let pv = (0..<p).map { 2 * (1 - Numerics.phi(abs(beta[$0]) / se[$0])) }
        return LogisticFit(method: .ml, status: .converged, coefficients: beta, standardErrors: se,
                           lower: (0..<p).map { beta[$0] - z975 * se[$0] }, upper: (0..<p).map { beta[$0] + z975 * se[$0] },
                           pValues: pv, iterations: iterations, logLikelihood: s.logLikelihood)
    }

    // MARK: Firth

    /// Maximises l*(β) = l(β) + ½ log|X'WX| over the coordinates not in `fixed` (those keep their
    /// values): Newton steps on the modified score X'(y − π + h(½ − π)), halved while l* falls.
    static func firthMaximise(x: [[Double]], y: [Bool], start: [Double], fixed: Int? = nil,
                              maxIterations: Int = 200) -> (beta: [Double], penalised: Double, iterations: Int, converged: Bool)? {
        let p = start.count
        var beta = start
        func penalised(_ b: [Double]) -> (Double, State)? {
            guard let s = state(x, y, b) else { return nil }
            return (s.logLikelihood + 0.5 * s.logDet, s)
        }
        guard var (current, s) = penalised(beta) else { return nil }
        let free = (0..<p).filter { $0 != fixed }
        for iteration in 1...maxIterations {
            // Hat diagonal h_i = w_i x_i'(X'WX)⁻¹x_i and the modified score.
            var score = [Double](repeating: 0, count: p)
            for (i, row) in x.enumerated() {
                var q = 0.0
                for a in 0..<p { var t = 0.0; for b in 0..<p { t += s.inverse[a * p + b] * row[b] }; q += row[a] * t }
                let h = s.weights[i] * q
                let r = (y[i] ? 1 : 0) - s.prob[i] + h * (0.5 - s.prob[i])
                for j in 0..<p { score[j] += row[j] * r }
            }
            // Newton direction on the free coordinates: (I_ff)⁻¹ U*_f.
            let k = free.count
            var sub = [Double](repeating: 0, count: k * k)
            for (a, fa) in free.enumerated() { for (b, fb) in free.enumerated() { sub[a * k + b] = s.information[fa * p + fb] } }
            guard let (subInverse, _) = invert(sub, k) else { return nil }
            var step = [Double](repeating: 0, count: p)
            for (a, fa) in free.enumerated() { var d = 0.0; for (b, fb) in free.enumerated() { d += subInverse[a * k + b] * score[fb] }; step[fa] = d }
            let largest = step.map(abs).max() ?? 0
            if largest < 1e-11 { return (beta, current, iteration, true) }
            // Steps of at most 5 on the log-odds scale, halved until l* does not fall.
            var scale = min(1, 5 / largest)
            var accepted = false
            for _ in 0..<40 {
                let trial = (0..<p).map { beta[$0] + scale * step[$0] }
                if let (value, ts) = penalised(trial), value >= current - 1e-12 {
                    beta = trial; current = value; s = ts; accepted = true
                    break
                }
                scale /= 2
            }
            if !accepted { return (beta, current, iteration, largest < 1e-6) }
        }
        return (beta, current, maxIterations, false)
    }

    /// Firth's penalised likelihood (Jeffreys prior): finite estimates even under separation,
    /// with SEs from (X'WX)⁻¹ at the estimates, 95% profile penalised-likelihood CIs and
    /// penalised likelihood-ratio p-values (as R's logistf).
    public static func firth(x: [[Double]], y: [Bool]) -> LogisticFit {
        let p = x.first?.count ?? 0
        let nan = [Double](repeating: .nan, count: p)
        guard let fit = firthMaximise(x: x, y: y, start: [Double](repeating: 0, count: p)), fit.converged,
              let s = state(x, y, fit.beta) else {
            return LogisticFit(method: .firth, status: .notConverged, coefficients: nan, standardErrors: nan, lower: nan, upper: nan,
                               pValues: nan, iterations: 0, logLikelihood: .nan)
        }
        let beta = fit.beta
        let se = (0..<p).map { s.inverse[$0 * p + $0].squareRoot() }
        var lower = nan, upper = nan, pv = nan
        for j in 0..<p {
            // 2(l*max − l*(β_j = b, others maximised)) − χ²₁(0.95): zero at the CI's ends.
            var warm = beta
            func deficit(_ b: Double) -> Double {
                var start = warm
                start[j] = b
                guard let c = firthMaximise(x: x, y: y, start: start, fixed: j) else { return .nan }
                warm = c.beta
                return 2 * (fit.penalised - c.penalised)
            }
            if let d0 = Optional(deficit(0)), d0.isFinite { pv[j] = 1 - gsl_cdf_chisq_P(max(0, d0), 1) }
            for side in [-1.0, 1.0] {
                warm = beta
                var step = max(se[j], 0.05)
                var far = beta[j] + side * step
                var tries = 0
                while deficit(far) < chi95 && tries < 30 { step *= 2; far = beta[j] + side * step; tries += 1 }
                guard tries < 30 else { continue }
                warm = beta
                let root = Numerics.root({ deficit($0) - chi95 }, in: min(beta[j], far), max(beta[j], far), absTolerance: 1e-9)
                if side < 0 { lower[j] = root ?? .nan } else { upper[j] = root ?? .nan }
            }
        }
        return LogisticFit(method: .firth, status: .converged, coefficients: beta, standardErrors: se, lower: lower, upper: upper,
                           pValues: pv, iterations: fit.iterations, logLikelihood: fit.penalised)
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
        guard sxx > 0, syy > 0 else { return nil }
        let r = max(-1, min(1, sxy / (sxx * syy).squareRoot()))
        self.r = r; self.n = n
        let z = atanh(r), half = LogisticFit.z975 / Double(n - 3).squareRoot()
        lower = tanh(z - half); upper = tanh(z + half)
        let t = r * (Double(n - 2) / max(1e-300, 1 - r * r)).squareRoot()
        pValue = abs(r) >= 1 ? 0 : 2 * gsl_cdf_tdist_Q(abs(t), Double(n - 2))
    }
}
