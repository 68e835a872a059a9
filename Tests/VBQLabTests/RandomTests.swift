import Testing
import VBQLab
import VBQTestSupport

@Suite struct RandomTests {
    // Reference outputs of xoshiro256** (Blackman & Vigna's xoshiro256starstar.c) from state {1, 2, 3, 4}.
    @Test func xoshiroMatchesReference() {
        let rng = RandomStream(StreamState(1, 2, 3, 4))
        let expected: [UInt64] = [11520, 0, 1509978240, 1215971899390074240, 1216172134540287360, 607988272756665600]
        #expect(expected.map { _ in rng.next64() } == expected)
    }

    @Test func seedTreePathsAreDistinctAndStable() {
        let tree = SeedTree(root: 20251012)
        #expect(tree.state(for: [3, 17]) == SeedTree(root: 20251012).state(for: [3, 17]))
        var seen = Set<UInt64>()
        for c in 0..<20 { for r in 0..<500 { seen.insert(tree.state(for: [UInt64(c), UInt64(r)]).s0) } }
        #expect(seen.count == 20 * 500)
        // (c, r) and (r, c) differ: the path is ordered, not a sum.
        #expect(tree.state(for: [1, 2]) != tree.state(for: [2, 1]))
        #expect(SeedTree(root: 1).state(for: [0, 0]) != SeedTree(root: 2).state(for: [0, 0]))
    }

    // Seeds differing above bit 32 must give different streams (GSL's mt19937 would not).
    @Test func fullWidthSeeds() {
        let a = SeedTree(root: 5).state(for: [0, 0]), b = SeedTree(root: 5 + (1 << 40)).state(for: [0, 0])
        #expect(a != b)
    }

    // GSL's samplers draw from the registered generator: the moments of 200,000 normal and
    // uniform draws are within 4 standard errors of the truth.
    @Test func gslSamplersUseTheStream() {
        let rng = RandomStream(SeedTree(root: 7).state(for: [1]))
        let n = 200_000
        var s = 0.0, ss = 0.0, u = 0.0
        for _ in 0..<n {
            let x = rng.normal(mean: 3, sd: 0.5); s += x; ss += x * x
            let v = rng.uniform(); #expect(v >= 0 && v < 1); u += v
        }
        let mean = s / Double(n), variance = ss / Double(n) - mean * mean
        #expect(isClose(mean, 3, .monteCarlo(4 * 0.5 / Double(n).squareRoot())))
        #expect(isClose(variance, 0.25, .monteCarlo(4 * 0.25 * (2.0 / Double(n)).squareRoot())))
        #expect(isClose(u / Double(n), 0.5, .monteCarlo(4 * (1.0 / 12 / Double(n)).squareRoot())))
    }

    // index(below:) and resample(_:into:) draw as GSL's gsl_rng_uniform_int (gsl-2.7
    // rng/rng.c): the generator's 32-bit output (the upper half of xoshiro's 64 bits) divided by
    // scale = (2³² − 1) / n, drawn again while the quotient is n or more. The reference below is
    // that loop with a plain division, on a copy of the stream; the sizes include a power of two,
    // n = 1, and sizes above 2³¹ (scale 1, where about half the draws are rejected).
    @Test func uniformIntegersAreGSLs() {
        func reference(_ rng: RandomStream, _ n: UInt64) -> Int {
            let scale = UInt64(UInt32.max) / n
            while true { let k = (rng.next64() >> 32) / scale; if k < n { return Int(k) } }
        }
        let sizes: [Int] = [1, 2, 3, 7, 64, 67, 189, 255, 1000, 65_537, 3_000_000_019, 4_294_967_295]
        for (c, n) in sizes.enumerated() {
            let state = SeedTree(root: 11).state(for: [UInt64(c)])
            let a = RandomStream(state), b = RandomStream(state)
            let drawn = (0..<5000).map { _ in a.index(below: n) }
            #expect(drawn == (0..<5000).map { _ in reference(b, UInt64(n)) }, "n = \(n)")
            #expect(drawn.allSatisfy { $0 >= 0 && $0 < n })
            // resample: the same draws, as source values, and the stream left where they end.
            let source = (0..<min(n, 300)).map { Double($0) * 1.5 }
            var out = [Double](repeating: -1, count: 4000)
            let r = RandomStream(state), s = RandomStream(state)
            source.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { r.resample(src, into: $0) } }
            #expect(out == (0..<4000).map { _ in source[reference(s, UInt64(source.count))] }, "n = \(source.count)")
            #expect(r.next64() == s.next64())
        }
    }

    @Test func resetReplaysTheStream() {
        let rng = RandomStream()
        let st = SeedTree(root: 9).state(for: [4, 4])
        rng.reset(to: st)
        let a = (0..<10).map { _ in rng.normal(mean: 0, sd: 1) }
        rng.reset(to: st)
        let b = (0..<10).map { _ in rng.normal(mean: 0, sd: 1) }
        #expect(a == b)
    }
}

@Suite struct QuantileTests {
    // The type-7 quantile is R's default, ties included.
    @Test func typeSevenQuantileMatchesR() {
        // R: quantile(c(1, 2, 3, 4, 10), 0.9) = 7.6; quantile(c(1, 2, 2, 2, 5), c(0, 0.3, 1)) = 1, 2, 5
        #expect(isClose(Numerics.quantile(sorted: [1.0, 2, 3, 4, 10], 0.9), 7.6, .rounding(1e-12)))
        #expect([0, 0.3, 1].map { Numerics.quantile(sorted: [1.0, 2, 2, 2, 5], $0) } == [1, 2, 5])
    }
}
