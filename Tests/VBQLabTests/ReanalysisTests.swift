import Foundation
import Testing
import VBQLab
import VBQTestSupport

/// The seed paper's analysis repeated on simulated cohorts (docs/model.md §9): one cohort against R,
/// the re-analysed cohorts against the run's own, the level of the Wald test and the bias of ML
/// against the population values, determinism, and the scenario section's errors.
@Suite struct ReanalysisTests {
    static let covariates = "[age, female, bmi, chronic_disease, steroids, segments]"

    /// A mechanistic scenario of `cells` steroid effects with a re-analysis section.
    static func scenario(size: Int = 256, replicates: Int = 200, methods: String = "[ml, firth]", steroids: String = "[0.3]",
                         extra: String = "") throws -> Scenario {
        let text = """
        name: reanalysis-test
        seed: 77
        replicates: \(replicates)
        streams: common
        cohort: {size: \(size)}
        methods: [empirical]
        population: {steroids: 0.0234}
        vary:
          bone_quality.steroids: \(steroids)
        reanalysis:
          covariates: \(covariates)
          logistic: {cutoff: 3.3, methods: \(methods)}
          truth_patients: 100000
        \(extra)
        """
        return try ScenarioLoader.load(text: text, file: "reanalysis-test.yaml")
    }

    static func rscript() -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") + ["/usr/bin"] {
            let path = "\(dir)/Rscript"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// One simulated cohort of 256 (the seed-tables reference cell), analysed here and by R 4.2:
    ///
    ///     f <- glm(pos ~ age + female + bmi + chronic + steroids + segments, binomial, d,
    ///              control = glm.control(epsilon = 1e-14, maxit = 100))
    ///     coef(f); confint.default(f); summary(f)$coefficients[, 4]          # ML, Wald
    ///     cor.test(d$score, d[[v]])                                          # r, Fisher-z CI, t p
    ///     # DeLong by placement values: V10 = mean(y < x) + ½ mean(y = x), V01 likewise,
    ///     # SE = sqrt(var(V10)/n1 + var(V01)/n0), p = 2 pnorm(−|AUC − ½|/SE)
    ///     # Firth: optim (BFGS, Nelder–Mead, BFGS; reltol 1e-16) of l(b) + ½ log|X'WX|
    ///
    /// ML to 1e-6, r and AUC to 1e-9, Firth's estimates to 1e-4 (what optim's three passes reach;
    /// LogisticTests checks Firth and its profile CIs to 1e-5 on a fixed dataset).
    @Test(.enabled(if: ReanalysisTests.rscript() != nil, "needs Rscript (Debian: r-base-core)"))
    func oneCohortAgreesWithR() throws {
        let rscript = try #require(Self.rscript())
        let s = try Self.scenario()
        let design = try Design(s)
        let cell = design.cells[0]
        let spec = s.reanalysis!
        let layout = ReanalysisLayout(spec)
        let generator = CohortGenerator(model: cell.model)
        let k = spec.covariates.count
        // The first cohort whose ML fit converges (no separation) and that has steroid users.
        var chosen: ([MechanisticPatient], [Double])? = nil
        for r in 0..<100 {
            let rng = RandomStream(SeedTree(root: 2024).state(for: [7, UInt64(r)]))
            let patients = generator.patients(rng)
            var row = [Double](repeating: 0, count: layout.width)
            row.withUnsafeMutableBufferPointer { CohortReanalysis.analyse(patients, cutoff: 3.3, layout: layout, into: $0) }
            if row[layout.logistic[.ml]!] == 0 && patients.filter(\.steroids).count >= 3 { chosen = (patients, row); break }
        }
        let (patients, row) = try #require(chosen)
        var csv = "age,female,bmi,chronic,steroids,segments,score,event,pos\n"
        for p in patients {
            csv += [p.age, p.female ? 1 : 0, p.bmi, p.chronicDisease ? 1 : 0, p.steroids ? 1 : 0, Double(p.segments), p.score,
                    p.event ? 1 : 0, p.score >= 3.3 ? 1 : 0].map { "\($0)" }.joined(separator: ",") + "\n"
        }
        let dir = try TestFolder.make("reanalysis-r")
        try csv.write(to: dir.appendingPathComponent("cohort.csv"), atomically: false, encoding: .utf8)
        let script = """
        d <- read.csv("cohort.csv")
        f <- glm(pos ~ age + female + bmi + chronic + steroids + segments, family = binomial, data = d,
                 control = glm.control(epsilon = 1e-14, maxit = 100))
        ci <- confint.default(f)
        out <- c(coef(f)[-1], ci[-1, 1], ci[-1, 2], summary(f)$coefficients[-1, 4])
        for (v in c("age", "female", "bmi", "chronic", "steroids", "segments", "event")) {
          ct <- cor.test(d$score, d[[v]]); out <- c(out, ct$estimate, ct$conf.int, ct$p.value) }
        delong <- function(x, y) {
          V10 <- sapply(x, function(a) mean((y < a) + 0.5 * (y == a)))
          V01 <- sapply(y, function(b) mean((x > b) + 0.5 * (x == b)))
          auc <- mean(V10); se <- sqrt(var(V10) / length(x) + var(V01) / length(y))
          c(auc, se, 2 * pnorm(-abs(auc - 0.5) / se)) }
        for (v in c("score", "age", "female", "bmi", "chronic", "steroids", "segments"))
          out <- c(out, delong(d[[v]][d$event == 1], d[[v]][d$event == 0]))
        X <- model.matrix(f); y <- d$pos
        pl <- function(b) { eta <- as.vector(X %*% b); p <- plogis(eta); w <- p * (1 - p)
          sum(y * eta - log1p(exp(eta))) + 0.5 * as.numeric(determinant(crossprod(X, w * X))$modulus) }
        o <- optim(coef(f), pl, method = "BFGS", control = list(fnscale = -1, reltol = 1e-16, maxit = 10000))
        o <- optim(o$par, pl, method = "Nelder-Mead", control = list(fnscale = -1, reltol = 1e-16, maxit = 20000))
        o <- optim(o$par, pl, method = "BFGS", control = list(fnscale = -1, reltol = 1e-16, maxit = 10000))
        out <- c(out, o$par[-1])
        cat(format(out, digits = 17), sep = "\\n")
        """
        try script.write(to: dir.appendingPathComponent("check.R"), atomically: false, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: rscript)
        p.arguments = ["check.R"]
        p.currentDirectoryURL = dir
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let r = text.split(separator: "\n").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        try #require(r.count == 4 * k + 4 * (k + 1) + 3 * (k + 1) + k, "R printed \(r.count) numbers")
        let ml = layout.logistic[.ml]!, firth = layout.logistic[.firth]!
        for j in 0..<k {
            let name = spec.covariates[j].rawValue
            #expect(isClose(row[ml + 1 + 4 * j], r[j], .numerical(1e-6)), "ML \(name): \(row[ml + 1 + 4 * j]) vs R \(r[j])")
            #expect(isClose(row[ml + 2 + 4 * j], r[k + j], .numerical(1e-6)), "ML lower \(name)")
            #expect(isClose(row[ml + 3 + 4 * j], r[2 * k + j], .numerical(1e-6)), "ML upper \(name)")
            #expect(isClose(row[ml + 4 + 4 * j], r[3 * k + j], .numerical(1e-6)), "ML p \(name)")
            #expect(isClose(row[firth + 1 + 4 * j], r[4 * k + 4 * (k + 1) + 3 * (k + 1) + j], .approximation(1e-4)), "Firth \(name)")
        }
        let corr = layout.correlation!
        for t in 0...k {
            for q in 0..<4 { #expect(isClose(row[corr + 4 * t + q], r[4 * k + 4 * t + q], .numerical(1e-9)), "r term \(t) value \(q)") }
        }
        let auc = layout.auc!
        for t in 0...k {
            for q in 0..<3 { #expect(isClose(row[auc + 3 * t + q], r[4 * k + 4 * (k + 1) + 3 * t + q], .numerical(1e-9)), "AUC term \(t) value \(q)") }
        }
    }

    /// The re-analysis draws each cohort again from its stream: the same patients the run
    /// analysed, so its failure counts are replicates.csv's event counts, cohort by cohort.
    @Test func reanalysedCohortsAreTheRunsCohorts() throws {
        var request = RunRequest(scenario: try Self.scenario(replicates: 40, methods: "[ml]", steroids: "[0, 1.0]"), quick: true)
        request.threads = 2
        let result = try Runner.run(request)
        let re = try #require(result.reanalysis)
        var events: [String: Double] = [:]
        for line in ReplicatesCSV.make(result).split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            if f[11] == "empirical" { events["\(f[1]),\(f[2])"] = Double(f[3]) }
        }
        #expect(events.count == 80)
        for c in re.cells {
            #expect(c.analysed == 40)
            for (i, rep) in c.replicates.enumerated() {
                #expect(c.rows[i * re.layout.width + ReanalysisLayout.events] == events["\(c.cell.id),\(rep + 1)"])
            }
        }
    }

    /// BMI and fused segments do not enter bone quality (bmi_per_unit 0, segments only change
    /// failure), so their population OR for score ≥ 3.3 is exactly 1: the Wald test rejects in
    /// 5% ± 4 MCSE of the cohorts whose fit converged. At n = 2000 the mean ML log OR of the
    /// real effects (age, sex, chronic disease) is within 4 MCSE of the population value.
    @Test func waldLevelAndMLBiasAgainstThePopulation() throws {
        let small = try Runner.run(RunRequest(scenario: try Self.scenario(replicates: 1000, methods: "[ml]", steroids: "[0]"), quick: true))
        let cell = try #require(small.reanalysis?.cells.first)
        for name in ["bmi", "segments"] {
            let t = try #require(cell.term(.logisticML, name))
            let mcse = (0.05 * 0.95 / Double(t.significant.n)).squareRoot()
            #expect(isClose(t.significant.value, 0.05, .monteCarlo(4 * mcse)), "\(name): p < 0.05 in \(t.significant.value) of \(t.significant.n)")
            #expect(isClose(exp(t.population), 1, .monteCarlo(4 * t.populationSE + 0.01)), "\(name): population OR \(exp(t.population))")
        }
        let large = try Runner.run(RunRequest(scenario: try Self.scenario(size: 2000, replicates: 150, methods: "[ml]", steroids: "[0]"), quick: true))
        let big = try #require(large.reanalysis?.cells.first)
        for name in ["age", "female", "chronic_disease"] {
            let est = try #require(big.term(.logisticML, name)?.estimate)
            #expect(isClose(est.bias, 0, .monteCarlo(4 * est.mcseBias)), "\(name): bias \(est.bias) ± \(est.mcseBias)")
        }
    }

    /// Same scenario and seed, same bytes, on 1 or 2 threads.
    @Test func identicalAcrossThreads() throws {
        var texts: [String] = []
        for threads in [1, 2] {
            var request = RunRequest(scenario: try Self.scenario(replicates: 30), quick: true)
            request.threads = threads
            let r = try Runner.run(request)
            var reps = ""
            ReanalysisCSV.replicates(r) { reps += $0 }
            texts.append(ReanalysisCSV.summary(r) + reps + SummaryJSON.make(r).rendered())
        }
        #expect(texts[0] == texts[1])
    }

    static let bad: [(String, String, String, String)] = [
        ("unknown covariate", "covariates: [age, smoking]", "bad.yaml:9: reanalysis.covariates[1]:", "unknown covariate 'smoking'"),
        ("cutoff not a number", "logistic: {cutoff: three}", "bad.yaml:9: reanalysis.logistic.cutoff:", "'three' is not a number"),
        ("unknown method", "logistic: {methods: [ml, firht]}", "bad.yaml:9: reanalysis.logistic.methods[1]:", "did you mean 'firth'"),
        ("unknown key", "logistc: true", "bad.yaml:9: reanalysis.logistc:", "did you mean 'logistic'"),
        ("too many cohorts", "cohorts: 5000000", "bad.yaml:9: reanalysis.cohorts:", "more than the limit"),
        ("observed term not analysed", "observed: {odds_ratio: {smoking: 1.19}}", "bad.yaml:9: reanalysis.observed.odds_ratio.smoking:", "not one of"),
        ("CI around the value", "observed: {odds_ratio: {steroids: [22.85, 30, 331.96]}}", "bad.yaml:9: reanalysis.observed.odds_ratio.steroids:", "does not contain"),
        ("source with a line break", "observed: {source: \"a\\nb\"}", "bad.yaml:9: reanalysis.observed.source:", "one line"),
        ("everything off", "{logistic: false, correlations: false, covariate_auc: false}", "bad.yaml:8: reanalysis:", "at least one"),
    ]

    @Test(arguments: bad.indices)
    func badSectionGivesOneLineError(_ i: Int) {
        let (what, section, prefix, rule) = Self.bad[i]
        let yaml = "name: bad\ncohort: {size: 256}\ngenerator: {family: mechanistic}\nmethods: [empirical]\nreplicates: 10\n# a comment\n# another\nreanalysis:\(section.hasPrefix("{") ? " " + section : "\n  " + section)\n"
        do {
            _ = try Design(try ScenarioLoader.load(text: yaml, file: "bad.yaml"))
            Issue.record("\(what): accepted")
        } catch let e as VBQError {
            #expect(e.description.hasPrefix(prefix), "\(what): \(e.description)")
            #expect(e.description.contains(rule), "\(what): \(e.description)")
            #expect(!e.description.contains("\n"), "\(what): more than one line")
        } catch {
            Issue.record("\(what): unexpected error \(error)")
        }
    }

    @Test func classConditionalScenarioIsRefused() {
        let yaml = "cohort: {events: 67, non_events: 189}\ngenerator:\n  event: {distribution: normal, mean: 3.62, sd: 0.46}\n  non_event: {distribution: normal, mean: 2.97, sd: 0.43}\nreanalysis: {covariates: [age]}\n"
        #expect(throws: VBQError.self) { try ScenarioLoader.load(text: yaml, file: "cc.yaml") }
        do { _ = try ScenarioLoader.load(text: yaml, file: "cc.yaml") } catch {
            #expect("\(error)".hasPrefix("cc.yaml:5: reanalysis:") && "\(error)".contains("mechanistic"), "\(error)")
        }
    }
}
