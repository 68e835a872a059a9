import Foundation
import Testing
import VBQTestSupport

/// `analyze --covariates`: the seed paper's analysis (covariate AUCs with DeLong's test, logistic
/// regression of score ≥ cutoff by ML and Firth, Pearson correlations) on real datasets shipped
/// with R packages, against R. The datasets are in Fixtures/datasets, written from R 4.2 by
///
///     data(aSAH, package = "pROC"); write.csv(aSAH[, c("outcome","gender","age","s100b","ndka")], "aSAH.csv", row.names = FALSE, quote = FALSE)
///     data(suicide, package = "cutpointr"); write.csv(suicide, "suicide.csv", row.names = FALSE, quote = FALSE)
///     data(endometrial, package = "brglm2"); write.csv(endometrial, "endometrial.csv", row.names = FALSE, quote = FALSE)
///
/// (the last is Heinze and Schemper's 2002 example of separation: NV = 1 only with HG = 1), and
/// tail.csv, made without random numbers (i = 1…400: x = (i − 200.5)/100, z = 1{i mod 4 = 0},
/// y = 1{x + 0.9 sin(7i) + 0.3z > 0}), whose slope has a Wald p of 6e-25 and a Firth
/// likelihood-ratio p of 3e-70.
///
/// The R values (R 4.2, pROC 1.18.0, brglm2 0.9), for a data frame d whose column pos is the
/// regression's outcome, and the formula fo:
///
///     f0 <- glm(fo, family = binomial, data = d, control = glm.control(epsilon = 1e-14, maxit = 100))
///     f <- glm(fo, family = binomial, data = d, start = coef(f0), control = glm.control(epsilon = 1e-14, maxit = 100))
///     coef(f); sqrt(diag(vcov(f))); summary(f)$coefficients[, 4]      # refitted from its own estimates
///     b <- glm(fo, family = binomial, data = d, method = "brglm_fit", type = "AS_mean",
///              start = rep(0, length(coef(f))), control = list(epsilon = 1e-12, maxit = 500))
///     coef(b); sqrt(diag(vcov(b)))
///     # Firth's likelihood-ratio p, independently: l*(b) = l(b) + ½ log|X'WX| maximised with and
///     # without b_j = 0 by optim (BFGS, Nelder–Mead, BFGS; reltol 1e-16), then
///     pchisq(2 * (lmax - lconstrained), 1, lower.tail = FALSE)
///     r <- pROC::roc(y, x, levels = c(0, 1), direction = "<"); se <- sqrt(var(r)); 2 * pnorm(-abs(auc(r) - 0.5) / se)
///     cor.test(score, x)
@Suite struct SeedAnalysisTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/datasets")

    /// The `seed_analysis` object of `analyze FILE ARGS --json`.
    static func analysis(_ file: String, _ args: [String]) throws -> [String: Any] {
        let r = try CLI.run(["analyze", folder.appendingPathComponent(file).path] + args + ["--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        return try #require(j["seed_analysis"] as? [String: Any])
    }

    /// |a − b| ≤ rel·|b|: p-values far in the tail are compared by their relative error.
    static func near(_ a: Double?, _ b: Double, _ rel: Double) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= rel * abs(b)
    }

    static func fit(_ a: [String: Any], _ method: String) throws -> [String: Any] {
        let fits = try #require((a["logistic"] as? [String: Any])?["fits"] as? [[String: Any]])
        return try #require(fits.first { $0["method"] as? String == method })
    }

    static func terms(_ fit: [String: Any], _ key: String) -> [Double?] {
        ((fit["terms"] as? [[String: Any]]) ?? []).map { $0[key] as? Double }
    }

    /// Checks ML's coefficients, SEs and Wald p against glm, Firth's coefficients and SEs against
    /// brglm2 and its likelihood-ratio p against the independent optimisation.
    static func checkFits(_ a: [String: Any], ml: (coef: [Double], se: [Double], p: [Double]),
                          firth: (coef: [Double], se: [Double], p: [Double]), _ what: String) throws {
        let m = try fit(a, "ml"), f = try fit(a, "firth")
        for (j, v) in ml.coef.enumerated() where v.isFinite {
            #expect(near(terms(m, "log_or")[j], v, 1e-9), "\(what) ML coef \(j): \(String(describing: terms(m, "log_or")[j])) vs glm \(v)")
            #expect(near(terms(m, "se")[j], ml.se[j], 1e-9), "\(what) ML SE \(j)")
            #expect(near(terms(m, "p")[j], ml.p[j], 1e-9), "\(what) ML p \(j): \(String(describing: terms(m, "p")[j])) vs glm \(ml.p[j])")
        }
        for j in firth.coef.indices {
            #expect(near(terms(f, "log_or")[j], firth.coef[j], 1e-9), "\(what) Firth coef \(j): \(String(describing: terms(f, "log_or")[j])) vs brglm2 \(firth.coef[j])")
            #expect(near(terms(f, "se")[j], firth.se[j], 1e-9), "\(what) Firth SE \(j)")
            #expect(near(terms(f, "p")[j], firth.p[j], 1e-6), "\(what) Firth p \(j): \(String(describing: terms(f, "p")[j])) vs R \(firth.p[j])")
        }
        #expect(f["status"] as? String == "converged")
        let score = try #require(f["largest_modified_score"] as? Double)
        #expect(score < 1e-10, "\(what): Firth stopped with a modified score of \(score)")
    }

    static func checkRows(_ rows: Any?, _ expected: [[Double]], _ keys: [String], _ what: String) throws {
        let list = try #require(rows as? [[String: Any]])
        try #require(list.count == expected.count)
        for (row, want) in zip(list, expected) {
            var got: [Double] = []
            for k in keys {
                if let x = row[k] as? Double { got.append(x) } else if let a = row[k] as? [Double] { got += a } else { got.append(.nan) }
            }
            for (g, w) in zip(got, want) { #expect(near(g, w, 1e-9), "\(what) \(row["term"] ?? ""): \(got) vs R \(want)") }
        }
    }

    /// pROC's aSAH: s100b ≥ 0.205 (its Youden cutoff) on age, female and ndka; the outcome is Poor.
    @Test func aSAHMatchesGLMBrglm2PROCAndCorTest() throws {
        let a = try Self.analysis("aSAH.csv", ["--score", "s100b", "--outcome", "outcome", "--positive", "Poor",
                                               "--covariates", "age,gender=Female,ndka", "--logistic-cutoff", "0.205"])
        try Self.checkFits(a, ml: ([0.038909369914975706, -0.46994421715168133, 0.003039811476652578],
                                   [0.015889273903656808, 0.43363125723528578, 0.0055731364373086999],
                                   [0.014334012451820581, 0.27847940100390939, 0.58545094364040651]),
                           firth: ([0.037217680809033656, -0.46172502563925027, 0.0015737568338397207],
                                   [0.015768447028485705, 0.43149454812848953, 0.0049790681578599557],
                                   [0.013197416802961527, 0.2767773866193196, 0.6697598286658867].map { $0 }), "aSAH")
        try Self.checkRows(a["auc"], [[0.73136856368563685, 0.051659292069989093, 7.5084743249353334e-06],
                                      [0.6150067750677507, 0.054517953547117817, 0.034899623956643394],
                                      [0.40887533875338755, 0.04804917442427855, 0.057895604287662529],
                                      [0.61195799457994582, 0.056487260062701765, 0.047478754946945353]], ["auc", "se", "p"], "aSAH AUC")
        try Self.checkRows(a["correlations"], [[0.23989460741931617, 0.05772281008926778, 0.40660543120198417, 0.010489906291676811],
                                               [-0.0051615957127360609, -0.18971052999550048, 0.17973960952354892, 0.95672896832088172],
                                               [0.57424145456770082, 0.43573409600577018, 0.68618147478017621, 2.9358822734690951e-11],
                                               [0.41798413659081973, 0.25277187506302679, 0.55951174422543959, 4.094458003938364e-06]],
                           ["r", "ci", "p"], "aSAH r")
    }

    /// cutpointr's suicide: dsi ≥ 2 (its Youden cutoff) on age and female; the score's AUC has
    /// a DeLong p of 1.2e-66, which 2(1 − Φ(z)) would give as 0.
    @Test func suicideMatchesRFarIntoTheTail() throws {
        let a = try Self.analysis("suicide.csv", ["--score", "dsi", "--outcome", "suicide", "--covariates", "age,gender=female",
                                                  "--logistic-cutoff", "2"])
        try Self.checkFits(a, ml: ([0.0068786114462420916, -0.29202656367258228], [0.0072620458268482686, 0.24830055694788938],
                                   [0.34353676039339959, 0.23955446954409607]),
                           firth: ([0.0070538335810527292, -0.29666724745842749], [0.0072340675704112411, 0.2473965478752457],
                                   [0.33256622359162957, 0.23394399749591591]), "suicide")
        try Self.checkRows(a["auc"], [[0.92377912186379929, 0.024570701383369586, 1.1718084060924087e-66],
                                      [0.47432235663082434, 0.052010961329240345, 0.62152035001707895],
                                      [0.50705645161290325, 0.037913664495606764, 0.85235147774544162]], ["auc", "se", "p"], "suicide AUC")
        try Self.checkRows((a["correlations"] as? [Any]).map { Array($0.prefix(2)) },
                           [[0.027838159151187789, -0.057307611989693495, 0.11258188236649709, 0.52171469078342758],
                            [-0.073919111960635747, -0.15793680800010598, 0.011161174644723821, 0.088516802775798153]],
                           ["r", "ci", "p"], "suicide r")
    }

    /// brglm2's endometrial: HG on NV, PI and EH. NV = 1 occurs only with HG = 1, so ML's NV
    /// estimate runs off to +∞ (glm stops at 33.2 with SE 1.9e7 and a warning); the other two
    /// converge to glm's values, and Firth's are finite.
    @Test func endometrialSeparationIsReportedAndFirthMatchesBrglm2() throws {
        let a = try Self.analysis("endometrial.csv", ["--score", "HG", "--outcome", "HG", "--covariates", "NV,PI,EH", "--logistic-cutoff", "1"])
        let ml = try Self.fit(a, "ml")
        #expect(ml["status"] as? String == "separation")
        #expect(((ml["terms"] as? [[String: Any]])?.first?["log_or"] as? String) == "Inf")
        try Self.checkFits(a, ml: ([.nan, -0.042183403256789986, -2.9026056137775771], [.nan, 0.044331965318522085, 0.84555156210050197],
                                   [.nan, 0.34133301296647411, 0.00059739245635357491]),
                           firth: ([2.9292733531970327, -0.034751759870427189, -2.6041639252935904],
                                   [1.5507637294530134, 0.03957814734776207, 0.77601764250154781],
                                   [0.0091236675470855663, 0.3874822035664468, 2.5068672148557947e-05]), "endometrial")
        let notes = try #require((a["logistic"] as? [String: Any])?["notes"] as? [String])
        #expect(notes.contains { $0.hasPrefix("separation") && $0.contains("NV (+∞)") }, "\(notes)")
    }

    /// A slope with a Wald p of 6.2e-25 and a Firth likelihood-ratio p of 3.2e-70: both printed
    /// with their digits, not as 0 or 2.2e-16.
    @Test func pValuesKeepTheirDigitsInTheTail() throws {
        let a = try Self.analysis("tail.csv", ["--score", "y", "--outcome", "y", "--covariates", "x,z", "--logistic-cutoff", "1"])
        try Self.checkFits(a, ml: ([2.751606360446214, 0.79634498717959734], [0.26683225615376421, 0.39193265135940203],
                                   [6.211545738436732e-25, 0.042169714488458167]),
                           firth: ([2.6949933853561827, 0.77973278775602395], [0.25992784057511042, 0.38780726616085515],
                                   [3.1752581094200886e-70, 0.041498679313969368]), "tail")
        let text = try CLI.run(["analyze", Self.folder.appendingPathComponent("tail.csv").path, "--score", "y", "--outcome", "y",
                                "--covariates", "x,z", "--logistic-cutoff", "1"]).stdout
        #expect(text.contains("6.2e-25") && text.contains("3.2e-70"), "\(text)")
    }

    /// Rows with a missing covariate leave the covariate analysis only (and are named); a text
    /// covariate is refused on its line unless given as COLUMN=VALUE; an unknown column gets a
    /// suggestion; the estimated cutoff is the data's empirical Youden cutoff.
    @Test func missingTextAndUnknownCovariates() throws {
        let csv = "vbq,fail,age,sex\n" + (0..<40).map { i in
            let score = 2.5 + Double(i % 10) * 0.15 + (i % 3 == 0 ? 0.4 : 0)
            return "\(score),\(i % 3 == 0 ? 1 : 0),\(i == 7 ? "NA" : String(50 + i)),\(i % 2 == 0 ? "F" : "M")"
        }.joined(separator: "\n") + "\n"
        let path = try AnalyzeTests.file(csv, "covariates.csv")
        let r = try CLI.run(["analyze", path, "--score", "vbq", "--outcome", "fail", "--covariates", "age,sex=F", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let a = try #require(j["seed_analysis"] as? [String: Any])
        #expect(a["n"] as? Int == 39 && a["incomplete_rows"] as? Int == 1)
        // Without the incomplete row the analysed rows are the dataset's, and so is the cutoff.
        let whole = try CLI.run(["analyze", path, "--score", "vbq", "--outcome", "fail", "--covariates", "sex=F", "--json"])
        let w = try JSONSerialization.jsonObject(with: Data(whole.stdout.utf8)) as! [String: Any]
        let youden = try #require((w["youden"] as? [String: Any])?["cutoff"] as? Double)
        #expect(((w["seed_analysis"] as? [String: Any])?["logistic"] as? [String: Any])?["cutoff"] as? Double == youden)
        let text = try CLI.run(["analyze", path, "--score", "vbq", "--outcome", "fail", "--covariates", "age,sex"])
        #expect(text.status != 0 && text.stderr.contains("covariates.csv:2: --covariates") && text.stderr.contains("sex: 'F' is not a number"), "\(text.stderr)")
        let typo = try CLI.run(["analyze", path, "--score", "vbq", "--outcome", "fail", "--covariates", "agee"])
        #expect(typo.status != 0 && typo.stderr.contains("did you mean 'age'"), "\(typo.stderr)")
        let badCut = try CLI.run(["analyze", path, "--score", "vbq", "--outcome", "fail", "--covariates", "age", "--logistic-cutoff", "high"])
        #expect(badCut.status != 0 && badCut.stderr.contains("--logistic-cutoff"), "\(badCut.stderr)")
    }

    /// A cohort simulated in seed-tables' reference cell, exported and analysed as a user's
    /// dataset, has its values inside that cell's 95% ranges about 95% of the time (27 values,
    /// some correlated: at least 21 inside); covariates the simulation does not have, and
    /// class-conditional scenarios, are refused with one line naming what is possible.
    @Test func covariatesPlacedAgainstTheirOwnCell() throws {
        let dir = try CLI.tempDir()
        let run = dir.appendingPathComponent("run").path
        let r = try CLI.run(["run", "seed-tables", "--replicates", "1", "--seed", "99", "--quiet", "--no-replicates", "--export-cohorts", "1", "--out", run])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try String(contentsOfFile: run + "/cohorts.csv", encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",").map(String.init)
        let keep = ["score", "outcome", "age", "female", "chronic_disease", "steroids", "bmi", "segments"].map { header.firstIndex(of: $0)! }
        let cell = header.firstIndex(of: "cell")!
        var csv = "score,outcome,age,female,chronic_disease,steroids,bmi,segments\n"
        for line in lines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            if f[cell] == "c2" { csv += keep.map { String(f[$0]) }.joined(separator: ",") + "\n" }
        }
        let data = dir.appendingPathComponent("cohort.csv")
        try csv.write(to: data, atomically: false, encoding: .utf8)
        let a = try CLI.run(["analyze", data.path, "--score", "score", "--outcome", "outcome", "--covariates", "age,female,chronic_disease,steroids,bmi,segments",
                             "--logistic-cutoff", "3.3", "--against", "seed-tables", "--cell", "c2", "--against-replicates", "200", "--json"])
        #expect(a.status == 0, "\(a.stderr)")
        let j = try JSONSerialization.jsonObject(with: Data(a.stdout.utf8)) as! [String: Any]
        let placed = try #require(j["seed_analysis_against"] as? [String: Any])
        let terms = try #require(placed["terms"] as? [[String: Any]])
        let expected = 27   // the outcome share, 7 AUCs, 6 ML and 6 Firth odds ratios, 7 correlations
        #expect(terms.count == expected)
        let inside = terms.filter { (($0["cells"] as? [[String: Any]])?.first?["inside_95"] as? Bool) == true }.count
        #expect(inside >= 21, "\(inside) of \(terms.count) inside their own cell's 95% range")
        let unknown = try CLI.run(["analyze", data.path, "--score", "score", "--outcome", "outcome", "--covariates", "age,outcome2",
                                   "--against", "seed-tables"])
        #expect(unknown.status != 0)
        let renamed = try CLI.run(["analyze", Self.folder.appendingPathComponent("suicide.csv").path, "--score", "dsi", "--outcome", "suicide",
                                   "--covariates", "age,gender=female", "--against", "seed-tables"])
        #expect(renamed.status != 0 && renamed.stderr.contains("'gender' is not among age, female"), "\(renamed.stderr)")
        let conditional = try CLI.run(["analyze", data.path, "--score", "score", "--outcome", "outcome", "--covariates", "age",
                                       "--against", "wu2025-baseline"])
        #expect(conditional.status != 0 && conditional.stderr.contains("mechanistic"), "\(conditional.stderr)")
    }

    /// Column names and values from a colleague's file reach the report only as text: a covariate
    /// named like a script, and an indicator of a value that is an HTML tag, leave report.html
    /// with no script, image or event handler (it has one inline SVG figure and nothing else).
    @Test func hostileCovariateNamesStayText() throws {
        var csv = "vbq,fail,<script>alert(1)</script>,x|y\n"
        for i in 0..<60 {
            csv += "\(2.5 + Double(i % 17) * 0.1),\(i % 3 == 0 ? 1 : 0),\(40 + i % 23),\(i % 2 == 0 ? "<img src=x onerror=alert(1)>" : "b")\n"
        }
        let path = try AnalyzeTests.file(csv, "hostile.csv")
        let out = try CLI.tempDir().appendingPathComponent("report").path
        let r = try CLI.run(["analyze", path, "--score", "vbq", "--outcome", "fail", "--direction", "higher",
                             "--covariates", "<script>alert(1)</script>,x|y=<img src=x onerror=alert(1)>", "--plot", out])
        #expect(r.status == 0, "\(r.stderr)")
        let page = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(!page.contains("<script") && !page.contains("<img") && !page.contains("onerror=\""))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    }

    /// Covariate values whose squares would overflow (±1e308, alternating) are refused on their
    /// line; before, their correlation with the score came out as r = 1.
    @Test func hugeCovariateValuesAreRefused() throws {
        var csv = "vbq,fail,age,big\n"
        for i in 1...40 { csv += "\(i % 7).5,\(i % 3 == 0 ? 1 : 0),\(40 + i),\(i % 2 == 0 ? "1e308" : "-1e308")\n" }
        let path = try AnalyzeTests.file(csv, "huge.csv")
        let r = try CLI.run(["analyze", path, "--score", "vbq", "--outcome", "fail", "--covariates", "age,big"])
        #expect(r.status != 0 && r.stderr.contains("huge.csv:2: --covariates: big: -1e308 is beyond ±1e100"), "\(r.stderr)")
    }
}
