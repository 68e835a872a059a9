import VBQCore
import VBQEstimate
import VBQModel
/// The stratified bootstrap shared by `vbqlab analyze` (cutoff CIs) and `vbqlab power` (the
/// drift test's SEs): each class is redrawn with replacement at its own size, and only the
/// cutoffs are estimated — no AUC or 2×2 tables, which the resamples do not need.
enum StratifiedBootstrap {
    /// Redraws `p` from `events` and `n` from `nonEvents` with `rng`, and returns each method's
    /// cutoff (NaN where it has none). The classes are sorted only when a method needs it: the
    /// binormal cutoff uses means and SDs alone.
    static func resampleCutoffs(events: [Double], nonEvents: [Double], into p: inout [Double], _ n: inout [Double],
                                methods: [EstimationMethod], parameters: CriterionParameters, rng: RandomStream) -> [Double] {
        events.withUnsafeBufferPointer { e in p.withUnsafeMutableBufferPointer { rng.resample(e, into: $0) } }
        nonEvents.withUnsafeBufferPointer { e in n.withUnsafeMutableBufferPointer { rng.resample(e, into: $0) } }
        let needsSorting = methods.contains { $0.estimator.needsSortedClasses }
        return p.withUnsafeMutableBufferPointer { pb in
            n.withUnsafeMutableBufferPointer { nb in
                if needsSorting { pb.sort(); nb.sort() }
                let x = UnsafeBufferPointer(pb), y = UnsafeBufferPointer(nb)
                return methods.map { $0.estimator.estimate(positives: x, negatives: y, pass: nil, parameters: parameters).cutoff }
            }
        }
    }
}
