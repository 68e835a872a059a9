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
