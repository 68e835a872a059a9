// Public imports so that the per-draw methods below can be inlined into the simulation's hot
// loops (a call across the module boundary per draw costs about a fifth of a mechanistic
// cohort); no other layer imports these C modules itself.
public import CGSL
public import CGSLShims

/// One random stream: a GSL generator of type xoshiro256** (registered with GSL by the
/// C shim target) whose whole state comes from a `SeedTree` path.
///
/// The C generator is owned by this class, freed in `deinit`, and never exposed. A stream is
/// used by one thread at a time; workers keep one each and re-key it per replicate.
///
///     let stream = RandomStream(SeedTree(root: 1).state(for: [0, 0]))
///     let x = stream.normal(mean: 3.62, sd: 0.46)
public final class RandomStream {
    @usableFromInline let rng: UnsafeMutablePointer<gsl_rng>

    public init(_ state: StreamState = StreamState(1, 2, 3, 4)) {
        GSL.configure()
        guard let r = gsl_rng_alloc(vbq_rng_xoshiro256ss()) else {
            preconditionFailure("out of memory allocating a GSL generator")
        }
        rng = r
        reset(to: state)
    }

    deinit { gsl_rng_free(rng) }

    /// Re-keys the stream to a new state (a new replicate), without allocating.
    public func reset(to state: StreamState) {
        vbq_rng_set_state(rng, state.s0, state.s1, state.s2, state.s3)
    }

    /// The next raw 64-bit output of xoshiro256**.
    public func next64() -> UInt64 { vbq_rng_next64(rng) }

    /// Uniform on [0, 1).
    @inlinable @inline(__always) public func uniform() -> Double { vbq_uniform(rng) }

    /// Uniform integer in 0 ..< n: GSL's `gsl_rng_uniform_int` (the same draws and values),
    /// inline for n below 2³² (CGSLShims' `vbq_uniform_int`), through GSL otherwise.
    @inlinable @inline(__always) public func index(below n: Int) -> Int {
        n > 0 && n <= Int(UInt32.max) ? Int(vbq_uniform_int(rng, UInt32(n))) : Int(gsl_rng_uniform_int(rng, UInt(n)))
    }

    /// Fills `out` with draws with replacement from `source`: `out[i] = source[index(below:
    /// source.count)]` in order, the same draws and values as that loop, in one C loop.
    public func resample(_ source: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
        guard !out.isEmpty else { return }
        guard source.count > 0, source.count <= Int(UInt32.max) else {
            for i in out.indices { out[i] = source[index(below: source.count)] }
            return
        }
        vbq_resample(rng, source.baseAddress, UInt32(source.count), out.baseAddress, out.count)
    }

    /// Normal draws come from vbqlab's own 256-layer ziggurat on this stream (CGSLShims/fast.c;
    /// tables computed to 60 digits by scripts/ziggurat-tables.py), which takes one 64-bit output
    /// for 99% of draws — several times faster than a call into GSL per draw.
    @inlinable @inline(__always) public func normal(mean: Double, sd: Double) -> Double {
        mean + sd * vbq_normal(rng)
    }

    /// Appends `count` normal draws to `out` (the same values as `count` calls of `normal`).
    public func appendNormals(_ count: Int, mean: Double, sd: Double, to out: inout [Double]) {
        guard count > 0 else { return }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: count))
        out.withUnsafeMutableBufferPointer { vbq_normal_fill(rng, mean, sd, $0.baseAddress! + start, count) }
    }

    public func lognormal(meanlog: Double, sdlog: Double) -> Double {
        gsl_ran_lognormal(rng, meanlog, sdlog)
    }

    public func gamma(shape: Double, scale: Double) -> Double {
        gsl_ran_gamma(rng, shape, scale)
    }

    public func studentT(df: Double) -> Double { gsl_ran_tdist(rng, df) }

    public func binomial(n: Int, p: Double) -> Int {
        Int(gsl_ran_binomial(rng, p, UInt32(n)))
    }

}

/// Process-wide GSL set-up and facts.
public enum GSL {
    private static let configured: Bool = {
        vbq_gsl_errors_off()
        return true
    }()

    /// Turns GSL's abort-on-error handler off (once); errors come back as status codes.
    public static func configure() { _ = configured }

    /// The version of the GSL library linked in.
    public static var version: String { String(cString: vbq_gsl_version()) }
}
