/// Every cutoff estimator vbqlab knows, in the order they appear in columns, reports and
/// figures. Adding one is a new file with a type conforming to `CutoffEstimator` and a line
/// here.
public enum Estimators {
    public static let all: [any CutoffEstimator.Type] = [
        EmpiricalYouden.self,
        BinormalYouden.self,
        KernelYouden.self,
        LognormalYouden.self,
        ClosestToCorner.self,
        ProductSeSp.self,
        IndexOfUnion.self,
        EqualSeSp.self,
        MaxAccuracy.self,
        MinimumCost.self,
        SensitivityAtSpecificity.self,
        SpecificityAtSensitivity.self,
        NetBenefit.self,
    ]
}

/// An estimator named by its id: what a scenario's `methods:` lists, and the key of every
/// per-method column and summary. Only ids of `Estimators.all` exist.
public struct EstimationMethod: Sendable, Hashable, Comparable, RawRepresentable, CaseIterable, CustomStringConvertible {
    /// Position in `Estimators.all`.
    public let index: Int

    public init?(rawValue: String) {
        guard let i = Estimators.all.firstIndex(where: { $0.id == rawValue }) else { return nil }
        index = i
    }

    public init(_ estimator: any CutoffEstimator.Type) {
        index = Estimators.all.firstIndex { ObjectIdentifier($0) == ObjectIdentifier(estimator) }!
    }

    public var rawValue: String { estimator.id }
    public var description: String { rawValue }
    public var estimator: any CutoffEstimator.Type { Estimators.all[index] }

    public static let allCases: [EstimationMethod] = Estimators.all.map { EstimationMethod($0) }
    /// The estimators run when a scenario names none (and those `analyze` reports).
    public static let defaults: [EstimationMethod] = allCases.filter { $0.estimator.byDefault }
    /// The estimators a run's tables name: the defaults always (a cell may run fewer), and any
    /// other that `used` holds, in registry order.
    public static func named(using used: [EstimationMethod]) -> [EstimationMethod] {
        allCases.filter { defaults.contains($0) || used.contains($0) }
    }
    public static func < (a: Self, b: Self) -> Bool { a.index < b.index }

    public static let empirical = EstimationMethod(EmpiricalYouden.self)
    public static let binormal = EstimationMethod(BinormalYouden.self)
    public static let kernel = EstimationMethod(KernelYouden.self)
}
