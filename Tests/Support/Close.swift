/// How far apart two numbers may be in a test, and why: every tolerance in the tests is one of
/// these, so a reader sees what each bound stands for.
public struct Tolerance: Sendable, CustomStringConvertible {
    public let bound: Double
    public let reason: String

    /// Floating-point rounding of a calculation that is exact in real arithmetic, or a reference
    /// value (R's) printed to 15 significant digits.
    public static func rounding(_ bound: Double) -> Tolerance { Tolerance(bound: bound, reason: "rounding") }
    /// The stated accuracy of an iteration, root-finder, series or quadrature.
    public static func numerical(_ bound: Double) -> Tolerance { Tolerance(bound: bound, reason: "numerical accuracy") }
    /// A reference value printed to few decimals (a paper's table, a report): half a unit in
    /// its last place.
    public static func printed(_ bound: Double) -> Tolerance { Tolerance(bound: bound, reason: "printed to few decimals") }
    /// A multiple (normally 4) of the Monte Carlo standard error of a simulated value, so the
    /// test fails by chance about once in 16,000 runs.
    public static func monteCarlo(_ bound: Double) -> Tolerance { Tolerance(bound: bound, reason: "Monte Carlo error") }
    /// The known error of an approximation the test names beside it (a calibration target, an
    /// asymptotic formula, a simulated truth, a different estimator of the same quantity).
    public static func approximation(_ bound: Double) -> Tolerance { Tolerance(bound: bound, reason: "approximation") }

    public var description: String { "\(reason), ±\(bound)" }
}

/// Whether `a` and `b` differ by at most the tolerance (false when either is NaN).
public func isClose(_ a: Double, _ b: Double, _ tolerance: Tolerance) -> Bool {
    abs(a - b) <= tolerance.bound
}
