import Foundation
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

extension PublishedCutoffs {
    /// The studies whose own classes give a wider sampling range than the seed paper's: for them
    /// sampling explains more than the share computed under the seed population.
    static func wider(_ r: Result) -> String {
        let others = r.rows.dropFirst().filter { $0.ownPopulation != nil }
        let wide = others.filter { ($0.ownPopulation!.q975 - $0.ownPopulation!.q025) > ($0.seedPopulation.q975 - $0.seedPopulation.q025) }
        guard !wide.isEmpty else { return "" }
        let who = wide.count == others.count
            ? "each of the \(Format.count(others.count)) other studies that report their classes gives a wider sampling range under its own classes"
            : "\(Format.count(wide.count)) of the \(Format.count(others.count)) other studies that report their classes give a wider sampling range under their own classes"
        return "The seed paper's classes are the best separated of those reported: \(who) than under the seed paper's (see *Per study*), so for \(wide.count == 1 ? "that study" : "those studies") sampling would explain more than this share. "
    }

    public static func report(_ r: Result) -> String {
        func f(_ x: Double, _ d: Int = 3) -> String { Format.fixed(x, d) }
        let seedC = r.rows[0].seedPopulation.truth
        let published = r.rows.compactMap { $0.study.cutoff }
        var d = MarkdownDocument()
        d.heading(1, "Published VBQ cutoffs: how much of their spread is sampling?")
        let withCutoff = r.rows.filter { $0.study.cutoff != nil }, other = withCutoff.filter { !$0.study.fixationOutcome }
        d.paragraph("\(Format.count(r.rows.count, capitalised: true)) studies (docs/literature.md, rows \(r.rows.map { $0.study.id }.joined(separator: ", "))): \(Format.count(withCutoff.count)) published a VBQ cutoff, from \(Format.exact(published.min()!)) to \(Format.exact(published.max()!)), and \(Format.count(r.rows.count - withCutoff.count)) none. ",
                    "For each, \(r.replicates) cohorts of the study's own size and prevalence were simulated (seed \(r.seed)) from the seed paper's population (lit:P1: normal classes 3.62 ± 0.46 and 2.97 ± 0.43, c\\* = \(f(seedC, 3))), and, where the study reports its class means and SDs, from its own; in each cohort the empirical Youden cutoff was estimated.")
        d.heading(2, "In one paragraph")
        var sentences = ["If every study had sampled the seed paper's population, their cutoffs would scatter with an SD of about \(f(r.samplingSD, 2)) (the root mean of the simulated variances at their sizes). ",
                         "The \(r.count) published cutoffs for a failure of the fixation have an SD of \(f(r.observedSD, 2)) (95% CI \(f(r.observedSDInterval.0, 2))–\(f(r.observedSDInterval.1, 2)), from only \(r.count) values). ",
                         "Sampling alone therefore accounts for about \(Format.percent(r.share, 0)) of their variance (between \(Format.percent(r.shareInterval.0, 0)) and \(Format.percent(r.shareInterval.1, 0)) over that CI); the rest — about \(Format.percent(1 - r.share, 0)) (\(Format.percent(1 - r.shareInterval.1, 0))–\(Format.percent(1 - r.shareInterval.0, 0))) — is systematic: the studies may differ in endpoint, population, field strength, measurement or cutoff rule, and this comparison cannot say which. ",
                         wider(r)]
        let outside = r.rows.filter { $0.study.fixationOutcome && (($0.seedPopulation.percentile ?? 50) < 2.5 || ($0.seedPopulation.percentile ?? 50) > 97.5) }.map(\.study.name)
        sentences.append(outside.isEmpty ? "Every published cutoff lies inside the 95% range sampling gives at its size in the seed paper's population."
            : "\(outside.count) of the \(r.count) published cutoffs (\(outside.joined(separator: ", "))) lie outside the 95% range sampling gives at their sizes in the seed paper's population.")
        // The spread without the counted studies whose outcome is not stated.
        let counted = r.rows.filter { $0.study.cutoff != nil && $0.study.fixationOutcome }
        let unstated = counted.filter { !$0.study.outcomeStated }, stated = counted.filter(\.study.outcomeStated)
        if !unstated.isEmpty, stated.count > 2 {
            let (variance, sampling) = spread(stated)
            sentences.append(" \(unstated.map(\.study.name).joined(separator: ", ")), whose outcome is not specified, weighs on this: without \(unstated.count == 1 ? "it" : "them") the other \(Format.count(stated.count)) cutoffs have an SD of \(f(variance.squareRoot(), 2)), and sampling explains about \(Format.percent(min(1, sampling / variance), 0)) of their variance.")
        }
        if !other.isEmpty {
            sentences.append(" " + other.map { "The cutoff of \($0.study.name), \(Format.exact($0.study.cutoff!)), predicts \($0.study.endpoint), not a failure of the fixation" }.joined(separator: "; ") + ": \(other.count == 1 ? "it is" : "they are") shown below but left out of this spread.")
        }
        d.paragraph(sentences)
        let own = r.rows.filter { $0.study.cutoff != nil && $0.ownPopulation?.percentile != nil }
        let allOwn = r.rows.compactMap { $0.ownPopulation?.truth }
        if !own.isEmpty {
            let inOwn = own.filter { let p = $0.ownPopulation!.percentile!; return p >= 2.5 && p <= 97.5 }
            d.paragraph("Of the \(own.count) studies that publish a cutoff and also report their class means and SDs, \(inOwn.count) (\(inOwn.map(\.study.name).joined(separator: ", "))) published a cutoff inside the 95% range of their own classes (\(own.map { "\($0.study.source) at the \(f($0.ownPopulation!.percentile!, 1))% point" }.joined(separator: ", "))). Part of the systematic spread is the study populations themselves: the optimal cutoffs c\\* of the classes they report range \(f(own.map { $0.ownPopulation!.truth }.min()!, 2))–\(f(own.map { $0.ownPopulation!.truth }.max()!, 2)) among these \(Format.count(own.count)), and \(f(allOwn.min()!, 2))–\(f(allOwn.max()!, 2)) among all \(Format.count(allOwn.count)) studies that report their classes.")
        }
        d.paragraph("Two meta-analyses pool VBQ cutoffs: \(metaAnalyses.map { "lit:\($0.id) (\($0.outcome)) pooled \($0.studies) studies at \(f($0.mean, 2)) ± \(f($0.sd, 2))" }.joined(separator: "; ")), as docs/literature.md quotes them.")
        d.figure("plots/published.svg", alt: "Each published cutoff with the 95% range of cutoffs that sampling alone gives at the study's size",
                 caption: "Each study's published cutoff (red diamond) and the 95% range of empirical Youden cutoffs in simulated cohorts of its size and prevalence: grey in the seed paper's population, blue in the study's own reported classes. The dashed line is the seed population's c\\*. A row marked *not failure* is a cutoff for another outcome, drawn for comparison but not counted in the spread.")
        d.heading(2, "Per study")
        var table = MarkdownTable(["study", "endpoint", "n", "prevalence", "published cutoff", "seed population: 95% range of ĉ (SD)",
                                   "percentile of the published cutoff", "own classes: c\\* and 95% range of ĉ", "percentile",
                                   "published AUC", "own classes: 95% range of the AUC"])
        for row in r.rows {
            let s = row.study, sp = row.seedPopulation
            let own = row.ownPopulation
            table.add([s.name, s.endpoint, "\(s.n)", s.prevalence.map { Format.percent($0, 1) } ?? "not reported (26.2% used)",
                       s.cutoff.map { Format.exact($0) } ?? "–",
                       "\(f(sp.q025, 2))–\(f(sp.q975, 2)) (\(f(sp.sd, 3)))", sp.percentile.map { Format.fixed($0, 1) + "%" } ?? "–",
                       own.map { "\(f($0.truth, 2)); \(f($0.q025, 2))–\(f($0.q975, 2))" } ?? "not reported",
                       own?.percentile.map { Format.fixed($0, 1) + "%" } ?? "–", s.auc.map { Format.exact($0) } ?? "–",
                       own.map { "\(f($0.aucQ025, 3))–\(f($0.aucQ975, 3))" } ?? "–"])
        }
        d.table(table)
        d.heading(2, "How to read it")
        d.list([
            .init("A published cutoff inside the grey range is one that sampling alone could have produced in the seed paper's population at that study's size; outside it, something systematic differs (or the study's cutoff rule does). The blue range asks the same of the study's own classes, as two normal distributions with its reported means and SDs."),
            .init("Studies that report no prevalence are simulated at the seed paper's 26.2%. Studies that report no class moments have no blue range."),
            .init("The share of variance is (mean simulated variance) / (variance of the published cutoffs), capped at 100%; with \(r.count) published values the observed variance is itself uncertain, hence the range. Only cutoffs for a failure of the fixation enter it (lit:P6's outcome after TLIF is not specified in docs/literature.md and is counted as one); their endpoints still differ (revision, loosening, subsidence), which is part of what this decomposition calls systematic."),
            .init("Numbers quoted from the literature are cited by their row in docs/literature.md (lit:ID)."),
            .init("The studies that report class moments (lit:P1–P5) are also calibrated scenarios in scenarios/published/ (made by vbqlab calibrate, each with its published cutoff as a fixed cutoff): `vbqlab run scenarios/published/P2.yaml` reports where that cutoff falls among cohorts like the study's."),
        ])
        return d.markdown
    }

    /// Writes the published-cutoffs folder (report.md and report.html, published.csv and .json,
    /// provenance.json, plots/); returns gnuplot's note when the figure could not be drawn.
    public static func write(_ r: Result, to folder: RunFolder, commandLine: [String]) throws -> String? {
        try folder.stage { staging in
            let plots = staging.appendingPathComponent("plots")
            guard mkdir(plots.path, 0o755) == 0 else { throw VBQError(file: plots.path, "cannot create") }
            for (name, text) in plotFiles(r) { try AtomicFile.write(text, to: plots.appendingPathComponent(name)) }
            let note = try Plots.render(in: plots, scripts: ["published.gp"])
            try AtomicFile.write(csv(r), to: staging.appendingPathComponent("published.csv"))
            try AtomicFile.write(JSON.object([("vbqlab_version", .string(Release.version)), ("gsl_version", .string(GSL.version)),
                                              ("seed", .uint(r.seed)), ("replicates", .int(r.replicates)), ("threads", .int(r.threads)),
                                              ("command_line", .array(commandLine.map(JSON.string)))]).rendered(),
                                 to: staging.appendingPathComponent("provenance.json"))
            try AtomicFile.write(json(r).rendered(), to: staging.appendingPathComponent("published.json"))
            let md = report(r)
            try AtomicFile.write(md, to: staging.appendingPathComponent("report.md"))
            try HTMLPage.write(markdown: md, title: "Published VBQ cutoffs against sampling", name: "report.html", in: staging)
            return note
        }
    }

    /// `published.json`: the variance decomposition and each study's place, for notebooks and scripts.
    public static func json(_ r: Result) -> JSON {
        func interval(_ i: Interval?) -> JSON {
            guard let i else { return .null }
            return .object([("truth", .num(i.truth)), ("q025", .num(i.q025)), ("median", .num(i.median)), ("q975", .num(i.q975)),
                            ("sd", .num(i.sd)), ("percentile", i.percentile.map(JSON.num) ?? .null),
                            ("auc_q025", .num(i.aucQ025)), ("auc_q975", .num(i.aucQ975))])
        }
        return .object([
            ("replicates", .int(r.replicates)), ("seed", .uint(r.seed)), ("studies_with_cutoff", .int(r.count)),
            ("observed_sd", .num(r.observedSD)), ("observed_sd_lower", .num(r.observedSDInterval.0)), ("observed_sd_upper", .num(r.observedSDInterval.1)),
            ("sampling_sd", .num(r.samplingSD)), ("sampling_share", .num(r.share)),
            ("sampling_share_lower", .num(r.shareInterval.0)), ("sampling_share_upper", .num(r.shareInterval.1)),
            ("studies", .array(r.rows.map { row in
                .object([("id", .string(row.study.id)), ("endpoint", .string(row.study.endpoint)), ("n", .int(row.study.n)),
                         ("cutoff", row.study.cutoff.map(JSON.num) ?? .null), ("auc", row.study.auc.map(JSON.num) ?? .null),
                         // Whether its cutoff enters the spread (a fixation outcome with a published cutoff).
                         ("in_spread", .bool(row.study.cutoff != nil && row.study.fixationOutcome)),
                         ("seed_population", interval(row.seedPopulation)), ("own_population", interval(row.ownPopulation))])
            })),
        ])
    }

    public static func csv(_ r: Result) -> String {
        var o = CSVText.row(["study", "endpoint", "n", "prevalence", "published_cutoff", "published_auc", "population", "truth_cutoff",
                             "q025", "median", "q975", "sd", "percentile_of_published", "auc_q025", "auc_q975"])
        for row in r.rows {
            let s = row.study
            for (name, iv) in [("seed", Optional(row.seedPopulation)), ("own", row.ownPopulation)] {
                guard let iv else { continue }
                o += CSVText.row([s.id, s.endpoint, String(s.n), s.prevalence.map(Format.exact) ?? "NA", s.cutoff.map(Format.exact) ?? "NA",
                                  s.auc.map(Format.exact) ?? "NA", name, Format.exact(iv.truth), Format.exact(iv.q025), Format.exact(iv.median),
                                  Format.exact(iv.q975), Format.exact(iv.sd), iv.percentile.map(Format.exact) ?? "NA",
                                  Format.exact(iv.aucQ025), Format.exact(iv.aucQ975)])
            }
        }
        return o
    }

    public static func plotFiles(_ r: Result) -> [(String, String)] {
        // The header row's '#' makes gnuplot skip it.
        var data = GnuplotData()
        data.row(["# study", "y", "seed_q025", "seed_q975", "own_q025", "own_q975", "published"])
        for (i, row) in r.rows.enumerated() {
            let y = Double(r.rows.count - i)
            let own = row.ownPopulation
            data.row([.word(row.study.id), .number(y), .number(row.seedPopulation.q025), .number(row.seedPopulation.q975),
                      .number(own?.q025 ?? .nan), .number(own?.q975 ?? .nan), .number(row.study.cutoff ?? .nan)])
        }
        var gp = Plots.script("Published cutoffs against sampling. Render: gnuplot published.gp")
        let values = r.rows.flatMap { row in [row.seedPopulation.q025, row.seedPopulation.q975, row.ownPopulation?.q025, row.ownPopulation?.q975, row.study.cutoff].compactMap { $0 } }
        let lo = ((values.min()! - 0.1) * 10).rounded(.down) / 10, hi = ((values.max()! + 0.1) * 10).rounded(.up) / 10
        gp.add("set ytics (", .joined(r.rows.enumerated().map { i, row in [.text("\(row.study.source), lit:\(row.study.id) (n = \(row.study.n))" + (row.study.fixationOutcome ? "" : ", not failure")), " ", .int(r.rows.count - i)] }, by: ", "), ")")
        gp.add("set yrange [0.3:", .decimal(Double(r.rows.count) + 0.9), "]")
        gp.add("set xrange [", .number(lo), ":", .number(hi), "]")
        gp.add("set xlabel 'VBQ cutoff (empirical Youden; score ≥ cutoff is positive)'")
        gp.add("set bmargin 7")
        gp.add("set key at screen 0.55, 0.05 center horizontal Left reverse samplen 2")
        gp.add("set grid noytics")
        let truth = r.rows[0].seedPopulation.truth
        gp.add("set arrow from ", .number(truth), ", graph 0 to ", .number(truth), ", graph 1 nohead dt 2 lc rgb '#555555'")
        // Centred on the page, not on the plot area, which the long study names push right.
        gp.add("set tmargin 3")
        gp.add("set label 90 ", .text("Published VBQ cutoffs against sampling (95% ranges, \(r.replicates) cohorts each)"), " at screen 0.5, screen 0.965 center font ',13'")
        var body = GnuplotScript()
        body.plot([[.file("published.dat"), " skip 1 using (($3+$4)/2):($2+0.12):3:4 with xerrorbars pt -1 lw 6 lc rgb '#bbbbbb' title \"seed paper's population\""],
                   ["'' skip 1 using (($5+$6)/2):($2-0.12):5:6 with xerrorbars pt -1 lw 6 lc rgb ", .colour(Plots.palette[0]), " title \"the study's own classes\""],
                   ["'' skip 1 using 7:2 with points pt 13 ps 2.2 lc rgb ", .colour(Plots.published), " title 'published cutoff'"],
                   ["NaN with lines dt 2 lc rgb '#555555' title ", .text("c* of the seed paper's population")]])
        gp.append(Plots.terminals("published", body, width: Plots.pageWidth, height: 620))
        return [("published.dat", data.text), ("published.gp", gp.text)]
    }
}
