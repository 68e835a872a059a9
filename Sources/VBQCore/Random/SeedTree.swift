/// A tree of independent random streams, in the manner of numpy's `SeedSequence.spawn`.
///
/// The stream of replicate `r` in cell `c` is keyed by the path `(root, c, r)`; the path is
/// hashed (SplitMix64 finaliser, applied per component) to the generator's whole 256-bit
/// state. Adding a replicate or a cell never changes another one's stream, and no two
/// paths share a seed the way `seed + worker_id` schemes do.
///
///     let tree = SeedTree(root: 20251012)
///     let state = tree.state(for: [3, 17])   // cell 3, replicate 17
public struct SeedTree: Sendable, Equatable {
    public let root: UInt64

    public init(root: UInt64) { self.root = root }

    /// The full generator state for a path below the root.
    public func state(for path: [UInt64]) -> StreamState {
        var h = SeedTree.mix(root ^ 0x7662_716C_6162_0001)   // "vbqlab" domain tag
        for (depth, component) in path.enumerated() {
            h = SeedTree.mix(h ^ SeedTree.mix(component &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(depth + 1)))
        }
        var x = h
        return StreamState(SeedTree.splitmix(&x), SeedTree.splitmix(&x),
                           SeedTree.splitmix(&x), SeedTree.splitmix(&x))
    }

    /// `state(for: [a, b])` without building the path (the simulation's per-cohort call).
    @inline(__always)
    public func state(_ a: UInt64, _ b: UInt64) -> StreamState {
        var h = SeedTree.mix(root ^ 0x7662_716C_6162_0001)
        h = SeedTree.mix(h ^ SeedTree.mix(a &+ 0x9E37_79B9_7F4A_7C15 &* 1))
        h = SeedTree.mix(h ^ SeedTree.mix(b &+ 0x9E37_79B9_7F4A_7C15 &* 2))
        var x = h
        return StreamState(SeedTree.splitmix(&x), SeedTree.splitmix(&x),
                           SeedTree.splitmix(&x), SeedTree.splitmix(&x))
    }

    /// SplitMix64's output function (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
    @inline(__always)
    package static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    static func splitmix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        return mix(x)
    }
}

/// The 256-bit state of one xoshiro256** stream.
public struct StreamState: Sendable, Equatable {
    public var s0, s1, s2, s3: UInt64
    public init(_ s0: UInt64, _ s1: UInt64, _ s2: UInt64, _ s3: UInt64) {
        self.s0 = s0; self.s1 = s1; self.s2 = s2; self.s3 = s3
    }
}
