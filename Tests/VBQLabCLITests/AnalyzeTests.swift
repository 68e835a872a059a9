import Foundation
import Testing
import VBQTestSupport

/// `vbqlab analyze` against R: pROC 1.18.0 (direction, ROC coordinates, the Youden threshold),
/// R's prop.test (Wilson intervals), an independent R implementation of Harrell's optimism
/// bootstrap and cutpointr 1.1.2's out-of-bag bootstrap.
@Suite struct AnalyzeTests {
    static func json(_ args: [String]) throws -> [String: Any] {
        let r = try CLI.run(["analyze"] + args + ["--json"])
        #expect(r.status == 0, "\(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    }

    static func file(_ text: String, _ name: String = "data.csv") throws -> String {
        let url = try CLI.tempDir().appendingPathComponent(name)
        try text.write(to: url, atomically: false, encoding: .utf8)
        return url.path
    }

    /// Events with LOWER scores, semicolon-separated, Yes/No outcomes given in another case, and
    /// two rows with a missing value. R (pROC 1.18.0):
    ///
    ///     pos <- c(1.2, 1.5, 2.0, 2.0, 2.4, 3.1); neg <- c(2.2, 2.8, 3.0, 3.3, 3.5, 3.5, 4.0, 4.4)
    ///     r <- pROC::roc(response = c(rep(1, 6), rep(0, 8)), predictor = c(pos, neg), levels = c(0, 1), direction = "auto", quiet = TRUE)
    ///     r$direction; pROC::auc(r)                     # ">"  0.916666666666667
    ///     pROC::coords(r, "all", ret = c("threshold", "sensitivity", "specificity"), transpose = FALSE)
    ///     pROC::coords(r, "best", best.method = "youden", ret = c("threshold", "sensitivity", "specificity"), transpose = FALSE)
    ///     #   threshold 2.6, sensitivity 0.833333333333333, specificity 0.875
    static let reversed = "id;vbq;failure\n1;1.2;Yes\n2;1.5;Yes\n3;2.0;Yes\n4;2.0;Yes\n5;2.4;Yes\n6;3.1;Yes\n7;2.2;No\n8;2.8;No\n9;3.0;No\n10;3.3;No\n11;3.5;No\n12;3.5;No\n13;4.0;No\n14;4.4;No\n15;NA;No\n16;;Yes\n"
    /// pROC's coords(r, "all") for those data: (threshold, sensitivity, specificity).
    static let pROCAll: [(Double, Double, Double)] = [
        (.infinity, 1, 0), (4.20, 1, 0.125), (3.75, 1, 0.25), (3.40, 1, 0.5), (3.20, 1, 0.625), (3.05, 5.0 / 6, 0.625),
        (2.90, 5.0 / 6, 0.75), (2.60, 5.0 / 6, 0.875), (2.30, 4.0 / 6, 0.875), (2.10, 4.0 / 6, 1), (1.75, 2.0 / 6, 1),
        (1.35, 1.0 / 6, 1), (-.infinity, 0, 1),
    ]

    @Test func directionAutoFlipsAsPROCDoes() throws {
        let path = try Self.file(Self.reversed)
        let roc = try CLI.tempDir().appendingPathComponent("roc.csv").path
        let r = try CLI.run(["analyze", path, "--score", "vbq", "--outcome", "failure", "--positive", "YES", "--json", "--roc", roc])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("note: skipped 2 rows with a missing score or outcome (lines 16, 17)"))
        #expect(r.stderr.contains("warning: lower scores mark events here"))
        let j = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(j["direction"] as? String == "lower")
        #expect(j["positive_label"] as? String == "Yes")
        #expect(j["missing_rows"] as? Int == 2)
        #expect(isClose((j["auc"] as! Double), 0.916666666666667, .rounding(1e-12)))
        let y = j["youden"] as! [String: Any]
        #expect(isClose((y["cutoff"] as! Double), 2.6, .rounding(1e-12)))
        #expect(isClose((y["sensitivity"] as! Double), 5.0 / 6, .rounding(1e-12)) && isClose((y["specificity"] as! Double), 0.875, .rounding(1e-12)))
        // Every ROC point of pROC, and no other.
        let lines = try String(contentsOfFile: roc, encoding: .utf8).split(separator: "\n").dropFirst()
        let points = lines.map { l -> (Double, Double, Double) in
            let f = l.split(separator: ",").map(String.init)
            let t = f[0] == "Inf" ? Double.infinity : (f[0] == "-Inf" ? -Double.infinity : Double(f[0])!)
            return (t, Double(f[1])!, Double(f[2])!)
        }
        #expect(points.count == Self.pROCAll.count)
        for (t, se, sp) in Self.pROCAll {
            #expect(points.contains { ($0.0 == t || isClose($0.0, t, .numerical(1e-9))) && isClose($0.1, se, .rounding(1e-12)) && isClose($0.2, sp, .rounding(1e-12)) }, "pROC point \(t)")
        }
        // Forced the other way, the AUC is 1 − 0.9167 and the events' scores count as low.
        let higher = try Self.json([path, "--score", "vbq", "--outcome", "failure", "--direction", "higher"])
        #expect(isClose((higher["auc"] as! Double), (1 - 0.916666666666667), .rounding(1e-12)))
    }

    /// Wilson intervals against R: prop.test(x, n, correct = FALSE)$conf.int.
    @Test func wilsonIntervalsMatchR() throws {
        // 52 of 67 events positive and 151 of 189 non-events negative at a fixed cutoff.
        var rows = "score,event\n"
        for i in 0..<67 { rows += "\(i < 52 ? 4.0 : 2.0),1\n" }
        for i in 0..<189 { rows += "\(i < 151 ? 2.0 : 4.0),0\n" }
        let j = try Self.json([try Self.file(rows), "--score", "score", "--outcome", "event", "--cutoff", "3"])
        let t = (j["cutoffs"] as! [[String: Any]])[0]
        func ci(_ key: String) -> [Double] { (t[key] as! [String: Any])["ci"] as! [Double] }
        #expect(isClose(ci("sensitivity")[0], 0.662930338792263, .rounding(1e-12)) && isClose(ci("sensitivity")[1], 0.859362688708063, .rounding(1e-12)))
        #expect(isClose(ci("specificity")[0], 0.736106785682784, .rounding(1e-12)) && isClose(ci("specificity")[1], 0.849866794329741, .rounding(1e-12)))
        // LR+ = (52/67)/(38/189), LR− = (15/67)/(151/189).
        #expect(isClose((t["lr_positive"] as! Double), (52.0 / 67) / (38.0 / 189), .rounding(1e-12)))
        #expect(isClose((t["lr_negative"] as! Double), (15.0 / 67) / (151.0 / 189), .rounding(1e-12)))
        // Boundaries: 0 of 10 → (0, 0.277532799862889); 10 of 10 → (0.722467200137111, 1); 1 of 3.
        var small = "score,event\n"
        for _ in 0..<10 { small += "1,1\n" }
        small += "5,0\n5,0\n1,0\n"
        let k = try Self.json([try Self.file(small), "--score", "score", "--outcome", "event", "--cutoff", "3", "--direction", "higher"])
        let s = (k["cutoffs"] as! [[String: Any]])[0]
        let sens = (s["sensitivity"] as! [String: Any])["ci"] as! [Double]
        #expect(sens[0] == 0 && isClose(sens[1], 0.277532799862889, .rounding(1e-12)))
        let spec = (s["specificity"] as! [String: Any])["ci"] as! [Double]   // 1 of 3 non-events negative
        #expect(isClose(spec[0], 0.0614919447203963, .rounding(1e-12)) && isClose(spec[1], 0.792340399197952, .rounding(1e-12)))
    }

    /// Harrell's optimism bootstrap and the out-of-bag estimate against R, within Monte Carlo
    /// error (2,000 resamples each). The data: 40 events at 3.62 + 0.46·Φ⁻¹((i − ½)/40) and 110
    /// non-events at 2.97 + 0.43·Φ⁻¹((i − ½)/110). R:
    ///
    ///     youden_cut <- function(x, y) {       # pROC's Youden threshold; ties: the lower median
    ///       r <- pROC::roc(response = y, predictor = x, levels = c(0, 1), direction = "<", quiet = TRUE)
    ///       th <- sort(pROC::coords(r, "best", best.method = "youden", ret = "threshold", transpose = FALSE)$threshold)
    ///       th[ceiling(length(th) / 2)] }
    ///     metr <- function(th, x, y) { se <- mean(x[y == 1] >= th); sp <- mean(x[y == 0] < th); c(se + sp - 1, se, sp) }
    ///     set.seed(2024); B <- 2000; opt <- oob <- matrix(NA, B, 3)
    ///     for (b in 1:B) { repeat { i <- sample(length(x), replace = TRUE); if (length(unique(y[i])) == 2) break }
    ///       th <- youden_cut(x[i], y[i]); opt[b, ] <- metr(th, x[i], y[i]) - metr(th, x, y)
    ///       o <- setdiff(seq_along(x), i); if (length(unique(y[o])) == 2) oob[b, ] <- metr(th, x[o], y[o]) }
    ///     colMeans(opt)   # 0.059544292732206 0.0430565732800745 0.0164877194521315 (MCSE 0.00155 0.00142 0.00084)
    ///     colMeans(oob)   # 0.459141675614942 0.696295145829758 0.762846529785185 (MCSE 0.00254 0.00328 0.00236)
    ///     cp <- cutpointr::cutpointr(data.frame(x = x, y = y), x, y, pos_class = 1, direction = ">=",
    ///                                method = maximize_metric, metric = youden, boot_runs = 2000, silent = TRUE)
    ///     mean(cp$boot[[1]]$youden_oob)   # 0.465795180508251 (MCSE 0.00253); cutpointr cuts at an observed
    ///                                     # score, not a midpoint, so out-of-bag rows between the two count otherwise
    ///     # apparent: threshold 3.32628020239934, J 0.55, sensitivity 0.75, specificity 0.8
    @Test func optimismBootstrapMatchesRWithinMonteCarloError() throws {
        var rows = "score,failure\n"
        for i in 1...40 { rows += "\(3.62 + 0.46 * phiInverse((Double(i) - 0.5) / 40)),1\n" }
        for i in 1...110 { rows += "\(2.97 + 0.43 * phiInverse((Double(i) - 0.5) / 110)),0\n" }
        let j = try Self.json([try Self.file(rows), "--score", "score", "--outcome", "failure", "--bootstrap", "2000"])
        let y = j["youden"] as! [String: Any]
        #expect(isClose((y["cutoff"] as! Double), 3.32628020239934, .numerical(1e-9)))
        #expect(isClose((y["j"] as! Double), 0.55, .rounding(1e-12)))
        let e = (j["optimism"] as! [String: Any])["empirical"] as! [String: Any]
        #expect(e["resamples"] as? Int == 2000)
        func stat(_ group: String, _ key: String) -> (Double, Double) {
            let s = (e[group] as! [String: Any])[key] as! [String: Any]
            return (s["mean"] as! Double, s["mcse"] as! Double)
        }
        let r: [(String, String, Double, Double)] = [
            ("optimism", "j", 0.059544292732206, 0.00155), ("optimism", "sensitivity", 0.0430565732800745, 0.00142),
            ("optimism", "specificity", 0.0164877194521315, 0.00084),
            ("out_of_bag", "j", 0.459141675614942, 0.00254), ("out_of_bag", "sensitivity", 0.696295145829758, 0.00328),
            ("out_of_bag", "specificity", 0.762846529785185, 0.00236),
        ]
        for (group, key, value, mcse) in r {
            let (mean, se) = stat(group, key)
            let z = abs(mean - value) / (se * se + mcse * mcse).squareRoot()
            #expect(z < 3.5, "\(group) \(key): vbqlab \(mean) (MCSE \(se)), R \(value) (MCSE \(mcse)), z = \(z)")
        }
        // cutpointr's out-of-bag J, allowing for its cut at an observed score (about 0.007 here).
        #expect(isClose(stat("out_of_bag", "j").0, 0.465795180508251, .approximation(0.02)))
        let corrected = (e["corrected"] as! [String: Any])["j"] as! Double
        #expect(isClose(corrected, (0.55 - stat("optimism", "j").0), .rounding(1e-12)))
        // And in words.
        let text = try CLI.run(["analyze", try Self.file(rows), "--score", "score", "--outcome", "failure", "--bootstrap", "500"])
        #expect(text.stdout.contains("The apparent J of 0.55 (empirical cutoff, chosen and judged on these 150 patients) is expected to be about 0."))
    }

    /// The Wilson intervals of sensitivity and specificity at a fixed cutoff against pROC's
    /// bootstrap intervals at that threshold (pROC 1.18.0, the same 40 + 110 scores as above):
    ///
    ///     r <- pROC::roc(response = c(rep(1, 40), rep(0, 110)), predictor = c(pos, neg), levels = c(0, 1), direction = "<", quiet = TRUE)
    ///     set.seed(1); pROC::ci.coords(r, x = 3.3, input = "threshold", ret = c("sensitivity", "specificity"),
    ///                                  boot.n = 4000, boot.stratified = TRUE)
    ///     #   sensitivity 0.624375 – 0.875 (median 0.75); specificity 0.7 – 0.854545454545 (median 0.781818181818)
    ///
    /// A percentile bootstrap of a proportion moves in steps of 1/n, so the two agree within one
    /// step. (pROC's ci.se(r, specificities = 0.8) and ci.sp(r, sensitivities = 0.75), 0.575–0.875
    /// and 0.627–0.909, re-choose the threshold in every resample: a different interval, which
    /// analyze does not report.)
    @Test func wilsonIntervalsAgreeWithPROCsBootstrapAtTheCutoff() throws {
        var rows = "score,failure\n"
        for i in 1...40 { rows += "\(3.62 + 0.46 * phiInverse((Double(i) - 0.5) / 40)),1\n" }
        for i in 1...110 { rows += "\(2.97 + 0.43 * phiInverse((Double(i) - 0.5) / 110)),0\n" }
        let j = try Self.json([try Self.file(rows), "--score", "score", "--outcome", "failure", "--cutoff", "3.3"])
        let t = (j["cutoffs"] as! [[String: Any]])[0]
        let se = t["sensitivity"] as! [String: Any], sp = t["specificity"] as! [String: Any]
        #expect(se["value"] as? Double == 0.75 && isClose((sp["value"] as! Double), 0.781818181818, .numerical(1e-9)))
        let seCI = se["ci"] as! [Double], spCI = sp["ci"] as! [Double]
        #expect(isClose(seCI[0], 0.624375, .approximation(1.0 / 40 + 0.005)) && isClose(seCI[1], 0.875, .approximation(1.0 / 40 + 0.005)), "\(seCI)")
        #expect(isClose(spCI[0], 0.7, .approximation(1.0 / 110 + 0.005)) && isClose(spCI[1], 0.854545454545, .approximation(1.0 / 110 + 0.005)), "\(spCI)")
    }

    /// Φ⁻¹ by bisection on erfc (the test's own, independent of the program's).
    func phiInverse(_ p: Double) -> Double {
        var lo = -10.0, hi = 10.0
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if 0.5 * erfc(-mid / 2.0.squareRoot()) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    @Test func separatorsMissingValuesAndTinyClasses() throws {
        // Tab-separated, found without --sep; and the same with --sep tab.
        let tab = try Self.file("vbq\tiff\n3.4\t1\n3.9\t1\n2.8\t0\n3.0\t0\nNA\t0\n")
        for extra in [[], ["--sep", "tab"]] {
            let r = try CLI.run(["analyze", tab, "--score", "vbq", "--outcome", "iff"] + extra)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("2 events ('1'), 2 non-events ('0'); 1 row with a missing value skipped"))
            #expect(r.stderr.contains("warning: only 2 events"))
        }
        // A two-row file warns that its bootstrap intervals mean nothing.
        let two = try Self.file("s,o\n2.5,1\n2.0,0\n")
        let r = try CLI.run(["analyze", two, "--score", "s", "--outcome", "o", "--bootstrap", "50"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("warning: only 1 event:") && r.stderr.contains("warning: only 1 non-event:"))
        // A semicolon file whose header has a semicolon-free name is still read by its separator.
        let semi = try Self.file("patient id;VBQ score;implant failure\n1;3.5;yes\n2;2.9;no\n3;3.7;Yes\n")
        let s = try CLI.run(["analyze", semi, "--score", "VBQ score", "--outcome", "implant failure", "--positive", "YES"])
        #expect(s.status != 0)   // "yes" and "Yes" differ only in case: the exact value is asked for
        #expect(s.stderr.contains("'YES' matches Yes and yes"), "\(s.stderr)")
        let ok = try CLI.run(["analyze", semi, "--score", "VBQ score", "--outcome", "implant failure", "--positive", "Yes"])
        #expect(ok.status != 0 && ok.stderr.contains("more than two values"), "\(ok.stderr)")
    }

    @Test(arguments: [
        (["--direction", "up"], "The value 'up' is invalid for '--direction <direction>'. Please provide one of 'auto', 'higher' or 'lower'."),
        (["--sep", "|"], "The value '|' is invalid for '--sep <sep>'. Please provide one of 'comma', 'semicolon' or 'tab'."),
        (["--positive", "maybe"], "--positive: 'maybe' does not occur in column 'event' (values: 0, 1)"),
        (["--against", "wu2025-baseline", "--cell", "c99"], "--cell: 'c99' is not a cell of wu2025-baseline (cells c1–c5"),
        (["--cell", "c1"], "--cell belongs to --against"),
        (["--against", "no-such-scenario"], "no such file, and no shipped scenario of that name"),
    ])
    func badOptionsAreOneLine(_ extra: [String], _ expected: String) throws {
        let path = try Self.file("score,event\n3.1,1\n2.5,0\n")
        let r = try CLI.run(["analyze", path, "--score", "score", "--outcome", "event"] + extra)
        #expect(r.status != 0)
        #expect(r.stderr.contains(expected), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    /// --plot draws the ROC into a folder of its own; a folder that is not vbqlab's is refused.
    @Test func plotIsDrawn() throws {
        let dir = try CLI.tempDir()
        let path = try Self.file(Self.reversed)
        let r = try CLI.run(["analyze", path, "--score", "vbq", "--outcome", "failure", "--bootstrap", "100", "--cutoff", "2.5",
                             "--plot", dir.appendingPathComponent("fig").path])
        #expect(r.status == 0, "\(r.stderr)")
        for f in ["roc.svg", "roc.png", "roc.gp", "roc.dat", "roc-band.dat"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("fig/\(f)").path), "\(f)")
        }
        let gp = try String(contentsOf: dir.appendingPathComponent("fig/roc.gp"), encoding: .utf8)
        #expect(gp.contains("empirical cutoff 2.600") && gp.contains("fixed cutoff 2.5") && gp.contains("pointwise 95% bootstrap band of the ROC (100 resamples)"))
        try "mine".write(to: dir.appendingPathComponent("own.txt"), atomically: false, encoding: .utf8)
        let refused = try CLI.run(["analyze", path, "--score", "vbq", "--outcome", "failure", "--plot", dir.path])
        #expect(refused.status != 0 && refused.stderr.contains("is not a vbqlab output folder"))
    }

    @Test(arguments: [
        (["--family", "gamma"], "The value 'gamma' is invalid for '--family <family>'. Please provide one of 'normal', 'lognormal' or 'mechanistic'."),
        (["--prevalence", "1.2"], "--prevalence: 1.2 is outside (0, 1)"),
        (["--event-sd", "0"], "--event-sd: 0 is not an SD of VBQ scores (above 0 and below 50)"),
        (["--name", "../x"], "--name: '../x' must be ASCII letters"),
        (["--name", "two words"], "--name: 'two words' must be ASCII letters"),
    ])
    func calibrateRefusesInOneLine(_ extra: [String], _ expected: String) throws {
        var args = ["calibrate", "--event-mean", "3.62", "--event-sd", "0.46", "--non-event-mean", "2.97", "--non-event-sd", "0.43", "--prevalence", "0.262"]
        for k in stride(from: 0, to: extra.count, by: 2) {
            if let i = args.firstIndex(of: extra[k]) { args[i + 1] = extra[k + 1] } else { args += [extra[k], extra[k + 1]] }
        }
        let r = try CLI.run(args)
        #expect(r.status != 0)
        #expect(r.stderr.contains(expected), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    /// The scenario calibrate writes runs as it is.
    @Test func calibratedScenarioRuns() throws {
        let dir = try CLI.tempDir()
        let file = dir.appendingPathComponent("seed.yaml").path
        let c = try CLI.run(["calibrate", "--event-mean", "3.62", "--event-sd", "0.46", "--non-event-mean", "2.97", "--non-event-sd", "0.43",
                             "--prevalence", "0.262", "--auc", "0.859", "--out", file])
        #expect(c.status == 0, "\(c.stderr)")
        let r = try CLI.run(["run", file, "--replicates", "50", "--quiet", "--out", dir.appendingPathComponent("run").path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("c* = 3.3045"))
    }
}
