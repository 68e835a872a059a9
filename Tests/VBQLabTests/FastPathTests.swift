import Foundation
import Testing
import VBQLab
import VBQTestSupport

/// The simulation's fast paths — its own normal generator, the radix/bucket sort, the cohort
/// analysis written straight into compact records, the table-driven kernel method — checked
/// against the plain implementations they replace.
@Suite struct FastPathTests {
    /// Every column of every simulated row equals what the plain analysis computes on the same
    /// cohort, regenerated from its stream and sorted with Swift's sort: bit for bit, for a
    /// design with all three methods, two fixed cutoffs, rounded scores (ties) and tiny cohorts
    /// (degenerate ones).
    ///
    /// The second design takes the joint sort of both classes (`vbq_sort_classes`) at the seed
    /// paper's size, with heavy tails (Student's t with 1.5 degrees of freedom) and above the
    /// size where the classes are sorted alone (2,000 + 2,189 scores); the third has one score in
    /// a hundred a million units away, which crowds the rest into a few keys of the joint sort's
    /// grid, so it gives up and each class is sorted alone.
    @Test(arguments: [
        """
        name: fast-path
        seed: 99
        replicates: 300
        cohort: {events: 4, non_events: 9}
        generator:
          event: {distribution: normal, mean: 3.3, sd: 0.5}
          non_event: {distribution: normal, mean: 3.0, sd: 0.4}
        methods: [empirical, binormal, kernel]
        fixed_cutoffs: [3.3, 2.9]
        vary:
          cohort.events: [1, 4, 40]

        """,
        """
        name: fast-path-joint
        seed: 5
        replicates: 100
        cohort: {events: 67, non_events: 189}
        generator:
          event: {distribution: student_t, location: 3.6, scale: 0.4, df: 1.5}
          non_event: {distribution: normal, mean: 3.0, sd: 0.4}
        methods: [empirical, binormal]
        fixed_cutoffs: [3.3]
        vary:
          cohort.events: [67, 2000]
          cohort.non_events: [189, 2189]

        """,
        """
        name: fast-path-crowded
        seed: 8
        replicates: 600
        cohort: {events: 2000, non_events: 2000}
        generator:
          event: {distribution: mixture, components: [{weight: 0.99, distribution: normal, mean: 3.6, sd: 0.4}, {weight: 0.01, distribution: normal, mean: 1000000, sd: 1}]}
          non_event: {distribution: normal, mean: 3.0, sd: 0.4}
        methods: [empirical, binormal]

        """,
    ])
    func recordsEqualThePlainAnalysis(text: String) throws {
        let scenario = try ScenarioLoader.load(text: text, file: "fast.yaml")
        let r = try Runner.run(RunRequest(scenario: scenario, threads: 2))
        let layout = r.table.layout
        let tree = SeedTree(root: r.seed)
        var row = [Double](repeating: .nan, count: layout.columns.count)
        var compared = 0
        for (c, cell) in r.design.cells.enumerated() {
            let generator = CohortGenerator(model: cell.model)
            for rep in 0..<r.replicates {
                let rng = RandomStream(tree.state(for: [cell.streamKey, UInt64(rep)]))
                var e: [Double] = [], n: [Double] = []
                let acceptance = generator.generate(rng, events: &e, nonEvents: &n)
                e.sort(); n.sort()
                let a = e.withUnsafeBufferPointer { x in
                    n.withUnsafeBufferPointer { y in
                        CohortAnalysis(plainPositives: x, negatives: y, methods: cell.model.methods,
                                       fixedCutoffs: cell.model.fixedCutoffs, truth: r.truths[c])
                    }
                }
                for k in row.indices { row[k] = .nan }
                row.withUnsafeMutableBufferPointer { layout.write(a, acceptance: acceptance, into: $0) }
                for k in row.indices {
                    let v = r.table.value(cell: c, replicate: rep, column: k)
                    #expect(v.bitPattern == row[k].bitPattern || (v.isNaN && row[k].isNaN),
                            "cell \(cell.id) replicate \(rep + 1) column \(layout.columns[k]): \(v) vs \(row[k])")
                    compared += 1
                }
            }
        }
        #expect(compared > 10_000)
    }

    /// The sort used by the simulation and the summaries agrees with Swift's on the inputs that
    /// stress each of its paths: small, normal, heavy-tailed, all tied, many ties, both signs and
    /// zeros, huge ranges and sizes on both sides of its thresholds.
    @Test(arguments: [2, 3, 31, 32, 33, 64, 256, 1_000, 4_096, 4_097, 20_000])
    func sortAgreesWithSwift(n: Int) {
        var g = SystemRandomNumberGenerator()
        let makers: [() -> Double] = [
            { Double.random(in: 0..<1, using: &g) },
            { Double.random(in: -1..<1, using: &g) * 1e300 },
            { (Double.random(in: 0..<20, using: &g)).rounded() / 4 },         // many ties
            { 3.3 },                                                           // all tied
            { 1 / Double.random(in: -1..<1, using: &g) },                      // heavy tails
            { [0.0, -0.0, Double.leastNormalMagnitude / 8, -Double.leastNormalMagnitude / 8, 5][Int.random(in: 0..<5, using: &g)] },
            { 2 + Double.random(in: 0..<1e-12, using: &g) },                   // near-equal values
        ]
        for make in makers {
            var a = (0..<n).map { _ in make() }
            let expected = a.sorted()
            Numerics.sort(&a)
            #expect(a == expected)
        }
    }

    /// The normal generator: mean, SD, the tails beyond the ziggurat's base strip (r = 3.654),
    /// and a Kolmogorov–Smirnov distance within its 0.1% critical value at 10⁶ draws.
    @Test func normalDrawsAreStandardNormal() {
        let rng = RandomStream(SeedTree(root: 4).state(for: [1]))
        let n = 1_000_000
        var x = (0..<n).map { _ in rng.normal(mean: 0, sd: 1) }
        let mean = x.reduce(0, +) / Double(n)
        let sd = (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)).squareRoot()
        #expect(isClose(mean, 0, .monteCarlo(4 / Double(n).squareRoot())))
        #expect(isClose(sd, 1, .monteCarlo(4 / (2 * Double(n)).squareRoot())))
        let beyond = x.filter { abs($0) > 3.6541528853610088 }.count
        let expected = Double(n) * 2 * (1 - Numerics.phi(3.6541528853610088))
        #expect(isClose(Double(beyond), expected, .monteCarlo(4 * expected.squareRoot() + 1)))
        x.sort()
        var d = 0.0
        for (i, v) in x.enumerated() {
            let f = Numerics.phi(v)
            d = max(d, abs(f - Double(i) / Double(n)), abs(f - Double(i + 1) / Double(n)))
        }
        #expect(d < 1.95 / Double(n).squareRoot())
    }

    /// The kernel cutoff agrees to 1e−6 with the plain algorithm it replaces (erfc for Φ, J on all
    /// 41 grid points, GSL's Brent on f̂₀ − f̂₁ to 1e−8) on 600 datasets of normal, skewed and
    /// rounded scores of 10 to 2,000 patients.
    @Test func kernelCutoffMatchesThePlainAlgorithm() {
        var worst = 0.0, compared = 0
        for k in 0..<600 {
            let rng = RandomStream(SeedTree(root: 11).state(for: [UInt64(k)]))
            let n1 = [5, 20, 67, 300, 800][k % 5], n0 = [10, 60, 189, 500, 1200][(k / 5) % 5]
            var x = (0..<n1).map { _ in rng.normal(mean: 3.6, sd: 0.45) }
            var y = (0..<n0).map { _ in k % 3 == 0 ? 2.4 + rng.gamma(shape: 2, scale: 0.3) : rng.normal(mean: 3.0, sd: 0.4) }
            if k % 7 == 0 { x = x.map { ($0 * 10).rounded() / 10 }; y = y.map { ($0 * 10).rounded() / 10 } }
            x.sort(); y.sort()
            let fast = x.withUnsafeBufferPointer { a in y.withUnsafeBufferPointer { b in KernelYouden(positives: a, negatives: b) } }
            let plain = FastPathTests.plainKernel(x, y)
            #expect((fast == nil) == (plain == nil), "dataset \(k)")
            if let fast, let plain {
                worst = max(worst, abs(fast.cutoff - plain))
                compared += 1
            }
        }
        #expect(worst <= 1e-6, "largest difference \(worst)")
        #expect(compared > 500)
    }

    /// vbqlab's kernel method before the table and the branch and bound, as a reference.
    static func plainKernel(_ x: [Double], _ y: [Double]) -> Double? {
        func bandwidth(_ s: [Double]) -> Double {
            let n = Double(s.count), m = s.reduce(0, +) / n
            let sd = (s.map { ($0 - m) * ($0 - m) }.reduce(0, +) / (n - 1)).squareRoot()
            let iqr = Numerics.quantile(sorted: s, 0.75) - Numerics.quantile(sorted: s, 0.25)
            return 0.9 * (iqr > 0 ? min(sd, iqr / 1.34) : sd) * pow(n, -0.2)
        }
        let h1 = bandwidth(x), h0 = bandwidth(y)
        guard h1 > 0, h0 > 0 else { return nil }
        func cdf(_ s: [Double], _ h: Double, _ c: Double) -> Double { s.reduce(0) { $0 + Numerics.phi((c - $1) / h) } / Double(s.count) }
        func pdf(_ s: [Double], _ h: Double, _ c: Double) -> Double {
            s.reduce(0) { let z = (c - $1) / h; return $0 + exp(-0.5 * z * z) } * 0.3989422804014327 / (h * Double(s.count))
        }
        let J = { (c: Double) in cdf(y, h0, c) - cdf(x, h1, c) }
        let lo = min(x[0], y[0]), hi = max(x[x.count - 1], y[y.count - 1]), step = (hi - lo) / 40
        var best = 0, bestJ = -Double.infinity
        for i in 0...40 { let j = J(lo + step * Double(i)); if j > bestJ { bestJ = j; best = i } }
        var c = lo + step * Double(best)
        if best > 0, best < 40,
           let r = Numerics.root({ pdf(y, h0, $0) - pdf(x, h1, $0) }, in: lo + step * Double(best - 1), lo + step * Double(best + 1), absTolerance: 1e-8),
           J(r) >= bestJ { c = r }
        return J(c) > 0 ? c : nil
    }
}
