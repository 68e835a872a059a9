import Foundation
import Synchronization
import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation

/// gnuplot figures: the run writes each figure's data and its `.gp` script into `plots/`,
/// then renders SVG and PNG if gnuplot is installed. A user can edit the script and re-run
/// `gnuplot cutoffs-empirical.gp` in that folder.
///
/// The figures follow what ggplot2 users expect: the key outside the data, at most 7 curves in
/// a panel (small multiples beyond that), numeric levels on a numeric axis and categorical ones
/// as points with interval bars, labels in words, the reference emphasised. Every string from a
/// scenario reaches a script as a `GnuplotScript` text part (quoted) and a data file through
/// `Gnuplot.dataField`.
public enum Plots {
    /// A figure written into plots/ and the one sentence that says what to see in it.
    public struct Figure: Sendable {
        public let name: String
        public let caption: String
    }

    /// The width of a report page's text column in CSS pixels (`HTMLPage`'s 62rem less its
    /// padding): figures are drawn this wide, so a font size in a script is its size on the page.
    static let pageWidth = 950

    /// A curve's look: colour, gnuplot dash type (1 solid) and line width.
    struct Style {
        let colour: String
        let dash: Int
        let width: Double
    }

    /// Colours for unordered levels: Okabe–Ito's four most distinct, then three more each with a
    /// dash, so no two curves differ by hue alone (read with colour blindness); black is kept for
    /// the reference, grey for the reference's area behind small multiples.
    static let qualitative: [(colour: String, dash: Int)] = [
        ("#0072B2", 1), ("#E69F00", 1), ("#009E73", 1), ("#CC79A7", 1), ("#56B4E9", 2), ("#332288", 2), ("#999933", 4),
    ]
    /// Method colours (at most a few per figure).
    static let palette = qualitative.map(\.colour)
    static let published = "#c0392b"
    /// The most cells overlaid in one panel; more are drawn as small multiples (eight curves
    /// with close c* already hide each other's triangles).
    static let maxCurves = 7

    /// The colour of level `i` of `k` ordered levels: viridis from its dark end to its green (its
    /// light yellow end is left out: it vanishes on white).
    static func sequential(_ i: Int, of k: Int) -> String {
        let anchors: [(Double, Double, Double)] = [(0x44, 0x01, 0x54), (0x41, 0x44, 0x87), (0x2A, 0x78, 0x8E), (0x22, 0xA8, 0x84), (0x7A, 0xD1, 0x51)]
        let t = k <= 1 ? 0 : Double(i) / Double(k - 1) * Double(anchors.count - 1)
        let j = min(Int(t), anchors.count - 2), u = t - Double(j)
        let a = anchors[j], b = anchors[j + 1]
        let rgb = [a.0 + u * (b.0 - a.0), a.1 + u * (b.1 - a.1), a.2 + u * (b.2 - a.2)].map { Int($0.rounded()) }
        return "#" + rgb.map { String(format: "%02X", $0) }.joined()
    }

    /// Whether a factor's levels are all numbers (drawn on a numeric axis, coloured in order).
    static func isNumeric(_ f: Factor) -> Bool { f.labels.allSatisfy { NumberText.double($0) != nil } }

    /// The style of each level of a factor: in order for numbers, distinct colours otherwise.
    static func levelStyles(_ f: Factor) -> [Style] {
        if isNumeric(f) {
            let order = f.labels.indices.sorted { NumberText.double(f.labels[$0])! < NumberText.double(f.labels[$1])! }
            var out = [Style](repeating: Style(colour: "#000000", dash: 1, width: 2.2), count: f.labels.count)
            for (rank, l) in order.enumerated() { out[l] = Style(colour: sequential(rank, of: order.count), dash: 1, width: 2.2) }
            return out
        }
        return f.labels.indices.map { Style(colour: qualitative[$0 % qualitative.count].colour, dash: qualitative[$0 % qualitative.count].dash, width: 2.2) }
    }

    /// The styles of the cells drawn together in one panel: along an ordered factor (a design of
    /// one numeric factor), in that order with the reference thicker; otherwise the reference
    /// black and the others in distinct colours.
    static func cellStyles(_ r: RunResult) -> [Style] {
        let cells = r.design.cells
        let fs = r.scenario.factors
        if fs.count == 1, isNumeric(fs[0]), cells.count == fs[0].labels.count {
            let styles = levelStyles(fs[0])
            return cells.map { c in
                let s = styles[fs[0].labels.firstIndex(of: c.factors[0].level) ?? 0]
                return Style(colour: s.colour, dash: 1, width: c.isReference ? 4.5 : 2.2)
            }
        }
        var k = 0
        return cells.map { c in
            if c.isReference { return Style(colour: "#000000", dash: 1, width: 3.5) }
            defer { k += 1 }
            return Style(colour: qualitative[k % qualitative.count].colour, dash: qualitative[k % qualitative.count].dash, width: 2.2)
        }
    }

    /// Places the next panel of a multiplot: column `col` of `cols`, `row` of `rows` counted from
    /// the top, each `panel` px high above a strip of `foot` px, in a figure `height` px high.
    static func place(_ body: inout GnuplotScript, col: Int, cols: Int, row: Int, rows: Int, panel: Int, foot: Int, height: Int) {
        let H = Double(height)
        body.add("set origin ", .number(Double(col) / Double(cols)), ", ", .number((Double(foot) + Double(rows - 1 - row) * Double(panel)) / H))
        body.add("set size ", .number(1 / Double(cols)), ", ", .number(Double(panel) / H))
    }

    /// The key of a figure of panels: a strip along the bottom (`height`, a share of the figure),
    /// drawn as an empty plot whose elements are only titles, in up to `columns` columns; it ends
    /// the multiplot.
    static func keyStrip(height: Double, columns: Int, _ keys: [[GnuplotScript.Part]]) -> GnuplotScript {
        var s = GnuplotScript()
        s.add("set origin 0, 0")
        s.add("set size 1, ", .number(height))
        for line in ["unset title", "unset xlabel", "unset ylabel", "unset arrow", "unset label", "unset border", "unset tics", "unset grid",
                     "unset logscale x", "set lmargin 0", "set rmargin 0", "set tmargin 0", "set bmargin 0", "set xrange [0:1]", "set yrange [0:1]"] as [GnuplotScript.Part] {
            s.add(line)
        }
        s.add("set key center center horizontal Left reverse maxcols ", .int(columns), " samplen 2.5 spacing 1.2 width 1")
        s.plot(keys)
        s.add("unset multiplot")
        return s
    }

    /// How many characters of a 13-point panel title fit across one of `columns` panels.
    static func titleWidth(columns: Int) -> Int { max(20, (pageWidth / max(1, columns) - 70) / 9) }

    /// `text` broken into lines of at most `width` characters, at spaces.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if !line.isEmpty && line.count + 1 + word.count > width { lines.append(line); line = String(word) }
            else { line += (line.isEmpty ? "" : " ") + word }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// Files to write (name → contents), and the figures they draw.
    public static func files(_ r: RunResult) -> [(String, String)] { build(r).files }

    /// The figures of a run with their captions (report.md embeds them).
    public static func figures(_ r: RunResult) -> [Figure] { build(r).figures }

    static func build(_ r: RunResult) -> (files: [(String, String)], figures: [Figure]) {
        var files: [(String, String)] = [], figures: [Figure] = []
        for h in r.histograms where r.design.cells.count <= Limits.panels {
            let (f, fig) = cutoffFigure(r, h)
            files += f; figures.append(fig)
        }
        if Report.kind(r) == .sizeSweep, let (f, fig) = spreadFigure(r) {
            files += f; figures.append(fig)
        }
        for d in r.factorDrift {
            let (f, fig) = driftFigure(r, d)
            files += f; figures.append(fig)
        }
        if let (f, fig) = criterionFigure(r) { files += f; figures.append(fig) }
        if let (f, fig) = followUpFigure(r) { files += f; figures.append(fig) }
        if let (f, fig) = rocFigure(r) { files += f; figures.append(fig) }
        if let (f, fig) = reanalysisFigure(r) { files += f; figures.append(fig) }
        return (files, figures)
    }

    /// Both terminals, each drawing `body`.
    static func terminals(_ name: String, _ body: GnuplotScript, width: Int, height: Int) -> GnuplotScript {
        var s = GnuplotScript()
        s.add("set terminal svg size ", .int(width), ",", .int(height), " dynamic noenhanced font 'Helvetica,13' background rgb 'white'")
        s.add("set output ", .file(name + ".svg"))
        s.append(body)
        s.add("set terminal pngcairo size ", .int(width), ",", .int(height), " noenhanced font 'Helvetica,12' background rgb 'white'")
        s.add("set output ", .file(name + ".png"))
        s.append(body)
        s.add("unset output")
        return s
    }

    /// The square unit axes of an ROC figure, labelled, with the key outside.
    static func rocAxes(_ gp: inout GnuplotScript) {
        gp.add("set size ratio -1")
        gp.add("set xrange [0:1]")
        gp.add("set yrange [0:1]")
        gp.add("set key outside right top vertical Left reverse samplen 2.5 spacing 1.2")
        gp.add("set xlabel '1 − specificity (false-positive rate)'")
        gp.add("set ylabel 'sensitivity (true-positive rate)'")
    }

    /// A script's first lines: its comment, then the settings every figure shares.
    static func script(_ comment: String) -> GnuplotScript {
        var s = GnuplotScript(comment: comment)
        s.add("set datafile separator '\\t'")
        s.add("set datafile missing 'NA'")
        s.add("set border 3 lw 1.2")
        s.add("set tics nomirror out")
        s.add("set grid lc rgb '#dddddd' lw 1")
        return s
    }

    static func cellKey(_ cell: Cell, _ r: RunResult) -> String {
        "\(cell.id): \(Report.cellName(cell, r))"
    }

    /// A cell in a key: its id and what differs from the reference; the reference of a design of
    /// one factor also names its level ("c3: n = 256 (reference)").
    static func overlayKey(_ cell: Cell, _ r: RunResult) -> String {
        guard cell.isReference, cell.factors.count == 1 else { return cellKey(cell, r) }
        return "\(cell.id): \(ParameterLabels.phrase(cell.factors[0].name, level: cell.factors[0].level)) (reference)"
    }

    static func methodWords(_ m: EstimationMethod) -> String { m.estimator.words }

    // MARK: Distribution of ĉ per cell

    static func cutoffFigure(_ r: RunResult, _ h: CutoffHistogram) -> ([(String, String)], Figure) {
        let name = "cutoffs-\(h.method.rawValue)"
        let cells = r.design.cells
        let bandwidths = zip(h.bandwidth, h.lattice).map { b, step in
            step.map { "histogram, step \(Format.number($0, digits: 3))" } ?? (b.isFinite ? Format.number(b, digits: 3) : "NA")
        }.joined(separator: ", ")
        var data = GnuplotData(comment: "estimated cutoffs (\(h.method.rawValue)): Gaussian kernel density per cell, or a histogram where the cutoffs sit on a grid (bandwidths \(bandwidths))")
        data.row(["cutoff"] + cells.map { .text($0.id) })
        for (b, x) in h.grid.enumerated() { data.row([x] + h.density.map { $0[b] }) }
        let title = "\(r.scenario.name): where one cohort's \(methodWords(h.method)) lands (\(r.replicates) cohorts per cell)"
        var gp = script("Distribution of the \(h.method.rawValue) cutoff per cell. Render: gnuplot \(name).gp")
        gp.add("set xrange [", .number(h.grid.first!), ":", .number(h.grid.last!), "]")
        // One height for every panel, with room above the highest curve for the c* triangles.
        let top = max(h.density.flatMap { $0 }.filter(\.isFinite).max() ?? 1, 1e-9)
        gp.add("set yrange [0:", .number(top * 1.16), "]")
        let (body, width, height, caption) = cells.count <= maxCurves
            ? overlaid(r, h, name: name, title: title, top: top, gp: &gp)
            : faceted(r, h, name: name, title: title, top: top, gp: &gp)
        gp.append(terminals(name, body, width: width, height: height))
        let bars = h.lattice.contains { $0 != nil }
            ? " Cells whose cutoffs can take only the values of a grid (rounded scores) are drawn as histograms, one bar per possible cutoff (height: share of cohorts ÷ the grid step)." : ""
        // With rounded scores c* is one point of a whole interval of equivalent cutoffs.
        let rounded = cells.contains { if case let .mechanistic(m) = $0.model.generator { return m.rounding > 0 }; return false }
            ? " Where scores are rounded, every cutoff between two neighbouring possible scores classifies alike, so c\\* there stands for that whole interval, and a curve's distance to its triangle is not bias." : ""
        let truths = r.summaries.map { $0.target(h.method) }.sorted()
        let oneTruth = cells.count > 1 && Set(truths).count == 1
            ? " Every cell has the same c\\* (the population does not change between them), so the triangles coincide."
            : zip(truths, truths.dropFirst()).contains { $1 - $0 < 0.01 } ? " Triangles of cells whose c\\* lie within 0.01 of each other overlap; the tables give each c\\*." : ""
        return ([("\(name).dat", data.text), ("\(name).gp", gp.text)], Figure(name: name, caption: caption + bars + rounded + oneTruth))
    }

    /// The cells with the reference's numbers exactly (`SameNumbers`: under common random
    /// numbers, a factor that changes nothing at the level varied).
    static func copiesOfReference(_ r: RunResult) -> [Int] {
        guard let ref = r.design.cells.firstIndex(where: \.isReference) else { return [] }
        return r.design.cells.indices.filter { $0 != ref && r.sameNumbers[$0] == r.sameNumbers[ref] }
    }

    /// A tic step of 1, 2, 2.5 or 5 times a power of ten giving about `tics` tics over `span`.
    static func ticStep(_ span: Double, tics: Int) -> Double {
        let raw = span / Double(max(1, tics))
        let p = pow(10, (log10(raw)).rounded(.down))
        return [1, 2, 2.5, 5, 10].map { $0 * p }.first { $0 >= raw } ?? 10 * p
    }

    /// Every cell's curve in one panel, the key under it.
    static func overlaid(_ r: RunResult, _ h: CutoffHistogram, name: String, title: String, top: Double,
                         gp: inout GnuplotScript) -> (GnuplotScript, Int, Int, String) {
        let cells = r.design.cells
        let fixed = r.design.reference.model.fixedCutoffs
        let styles = cellStyles(r)
        gp.add("set title ", .lines(wrap(title, width: 110)))
        gp.add("set xlabel ", .text("estimated cutoff ĉ (\(methodWords(h.method)), VBQ score)"))
        gp.add("set ylabel 'density of cohorts'")
        gp.add("set key below left Left reverse horizontal maxcols 2 samplen 2.5 spacing 1.1 width 2 height 1")
        // Each cell's own c*: a triangle in its colour above the curves.
        for (i, c) in r.summaries.enumerated() {
            gp.add("set label ", .int(i + 1), " '' at ", .number(c.target(h.method)), ", ", .number(top * 1.08), " point pt 11 ps 1.4 lc rgb ",
                   .colour(styles[i].colour), " front")
        }
        for (j, fc) in fixed.enumerated() {
            gp.add("set arrow ", .int(j + 1), " from ", .number(fc), ", graph 0 to ", .number(fc), ", graph 1 nohead lw 1.5 dt 3 lc rgb ", .colour(published))
        }
        var parts: [[GnuplotScript.Part]] = []
        for (i, cell) in cells.enumerated() {
            parts.append([.file("\(name).dat"), " skip 2 using 1:", .int(i + 2), " with lines lw ", .decimal(styles[i].width), " dt ", .int(styles[i].dash),
                          " lc rgb ", .colour(styles[i].colour), " title ", .text(overlayKey(cell, r))])
        }
        parts.append(["NaN with points pt 11 ps 1.4 lc rgb '#555555' title 'population-optimal c* of each cell, in its colour'"])
        if !fixed.isEmpty {
            parts.append(["NaN with lines lw 1.5 dt 3 lc rgb ", .colour(published), " title ", .text("published cutoff (\(fixed.map(Format.exact).joined(separator: ", ")))")])
        }
        var body = GnuplotScript()
        body.plot(parts)
        let keyRows = (parts.count + 1) / 2
        let reference = styles.first { $0.colour == "#000000" } != nil ? "the reference in black" : "the reference thickest, colours in the order of the levels"
        let copies = copiesOfReference(r)
        var caption = "How far the \(methodWords(h.method)) of one cohort scatters in each cell (\(reference)); the triangles mark each cell's population-optimal c\\* (curves: kernel densities, bandwidth by Silverman's rule for the number of cohorts), so a curve's width is sampling error, the distance from its centre to its triangle is the estimator's bias, and the distance between triangles is systematic drift."
        if !copies.isEmpty {
            caption += " \(copies.map { cells[$0].id }.joined(separator: ", ")) \(copies.count == 1 ? "lies" : "lie") exactly under the reference's curve: \(copies.count == 1 ? "its" : "their") cohorts equal the reference's (the factor varied there has no effect at that level)."
        }
        return (body, pageWidth, 520 + 21 * keyRows, caption)
    }

    /// Small multiples of a grid: one panel per combination of the other factors, the factor with
    /// the most levels as coloured curves in each, the reference cell's distribution in grey behind
    /// every panel. A cell whose cohorts are those of the reference exactly (the same c* and the same
    /// distribution: a factor that has no effect where it is varied, under common random numbers) is
    /// not drawn again, and a panel of only such cells is left out; the caption names them.
    static func faceted(_ r: RunResult, _ h: CutoffHistogram, name: String, title: String, top: Double,
                        gp: inout GnuplotScript) -> (GnuplotScript, Int, Int, String) {
        let sc = r.scenario, cells = r.design.cells, fs = sc.factors
        let fixed = r.design.reference.model.fixedCutoffs
        let ref = cells.firstIndex(where: \.isReference) ?? 0
        let copies = copiesOfReference(r)
        let grid = fs.count >= 2 && sc.cellLevels.count == fs.reduce(1) { $0 * $1.levels.count }
        // The colour factor: the one with the most levels (the first of equals); panels by the rest.
        let colourFactor: Int? = grid ? fs.indices.max { fs[$0].levels.count < fs[$1].levels.count || (fs[$0].levels.count == fs[$1].levels.count && $0 > $1) } : nil
        var facets: [(key: [Int], cells: [Int])] = []
        for (c, levels) in sc.cellLevels.enumerated() {
            var key = levels
            if let cf = colourFactor { key[cf] = -1 }
            if let k = facets.firstIndex(where: { $0.key == key }) { facets[k].cells.append(c) } else { facets.append((key, [c])) }
        }
        let shown = facets.compactMap { f -> (key: [Int], cells: [Int])? in
            let drawn = f.cells.filter { !copies.contains($0) }
            return drawn.isEmpty ? nil : (f.key, drawn)
        }
        let styles: [Style] = colourFactor.map { cf in
            let ls = levelStyles(fs[cf])
            return cells.indices.map { c in
                let s = ls[sc.cellLevels[c][cf]]
                return c == ref ? Style(colour: s.colour, dash: s.dash, width: 3.4) : s
            }
        } ?? cells.map { $0.isReference ? Style(colour: "#000000", dash: 1, width: 2.6) : Style(colour: qualitative[0].colour, dash: 1, width: 2.2) }
        func panelTitle(_ key: [Int], _ members: [Int]) -> String {
            guard colourFactor != nil else { return cellKey(cells[members[0]], r) }
            let words = fs.indices.filter { key[$0] >= 0 }.map { ParameterLabels.phrase(fs[$0].path, level: fs[$0].labels[key[$0]]) }.joined(separator: ", ")
            return words + (members.contains(ref) ? " (reference)" : "")
        }
        let cols = shown.count <= 3 ? shown.count : (shown.count == 4 ? 2 : 3)
        let rows = (shown.count + cols - 1) / cols
        let headLines = wrap(title, width: 100)
        let legendEntries = (colourFactor.map { fs[$0].levels.count } ?? 1) + 2 + (fixed.isEmpty ? 0 : 1)
        let keyRows = (legendEntries + 2) / 3
        let head = 28 + 20 * headLines.count, panel = 250 + 20 * (shown.map { wrap(panelTitle($0.key, $0.cells), width: titleWidth(columns: cols)).count }.max() ?? 1), foot = 46 + 22 * keyRows
        let height = head + rows * panel + foot
        let H = Double(height)
        // Drawn once per terminal: the key strip at the end changes these, so each pass sets them.
        var body = GnuplotScript()
        body.add("set key off")
        body.add("set border 3 lw 1.2")
        body.add("set tics nomirror out")
        body.add("set ytics nomirror out format '%g'")
        body.add("set xtics nomirror out")
        body.add("set grid lc rgb '#dddddd' lw 1")
        body.add("set xrange [", .number(h.grid.first!), ":", .number(h.grid.last!), "]")
        body.add("set xtics ", .number(ticStep(h.grid.last! - h.grid.first!, tics: cols >= 3 ? 4 : 6)))
        body.add("set yrange [0:", .number(top * 1.16), "]")
        body.add("set lmargin 9")
        body.add("set rmargin 2")
        body.add("set bmargin 3")
        body.add("set multiplot title ", .lines(headLines), " font ',14'")
        let titles = shown.map { wrap(panelTitle($0.key, $0.cells), width: titleWidth(columns: cols)) }
        let titleLines = titles.map(\.count).max() ?? 1
        body.add("set tmargin ", .number(0.9 + 1.25 * Double(titleLines)))
        for (k, f) in shown.enumerated() {
            let row = k / cols, col = k % cols
            place(&body, col: col, cols: cols, row: row, rows: rows, panel: panel, foot: foot, height: height)
            body.add("set title ", .lines(titles[k]), " font ',13' noenhanced")
            if col == 0 { body.add("set ylabel 'density'") } else { body.add("unset ylabel") }
            if row == rows - 1 || k + cols >= shown.count { body.add("set xlabel 'estimated cutoff ĉ'") } else { body.add("unset xlabel") }
            body.add("unset arrow")
            body.add("unset label")
            for (j, fc) in fixed.enumerated() {
                body.add("set arrow ", .int(j + 1), " from ", .number(fc), ", graph 0 to ", .number(fc), ", graph 1 nohead lw 1.5 dt 3 lc rgb ", .colour(published), " front")
            }
            for (j, c) in f.cells.enumerated() {
                body.add("set label ", .int(j + 1), " '' at ", .number(r.summaries[c].target(h.method)), ", ", .number(top * 1.08),
                         " point pt 11 ps 1.2 lc rgb ", .colour(styles[c].colour), " front")
            }
            var parts: [[GnuplotScript.Part]] = [[.file("\(name).dat"), " skip 2 using 1:", .int(ref + 2), " with filledcurves y1=0 fc rgb '#d9d9d9' fs solid 1.0 notitle"]]
            for c in f.cells {
                parts.append(["'' skip 2 using 1:", .int(c + 2), " with lines lw ", .decimal(styles[c].width), " dt ", .int(styles[c].dash), " lc rgb ", .colour(styles[c].colour), " notitle"])
            }
            body.plot(parts)
        }
        var keys: [[GnuplotScript.Part]] = []
        if let cf = colourFactor {
            let ls = levelStyles(fs[cf])
            for (l, label) in fs[cf].labels.enumerated() {
                keys.append(["NaN with lines lw 2.2 dt ", .int(ls[l].dash), " lc rgb ", .colour(ls[l].colour), " title ", .text(ParameterLabels.phrase(fs[cf].path, level: label))])
            }
        }
        keys.append(["NaN with filledcurves y1=0 fc rgb '#d9d9d9' fs solid 1.0 title ", .text("reference cell, \(cells[ref].id)")])
        keys.append(["NaN with points pt 11 ps 1.2 lc rgb '#555555' title 'c* of each curve'"])
        if !fixed.isEmpty { keys.append(["NaN with lines lw 1.5 dt 3 lc rgb ", .colour(published), " title 'published cutoff'"]) }
        body.append(keyStrip(height: Double(foot - 12) / H, columns: 3, keys))
        var caption = "The \(methodWords(h.method)) of one cohort in each cell, "
        if let cf = colourFactor {
            caption += "one panel per \(fs.indices.filter { $0 != cf }.map { ParameterLabels.axis(fs[$0].path) }.joined(separator: " and ")), coloured by \(ParameterLabels.axis(fs[cf].path))"
        } else {
            caption += "one panel per cell"
        }
        caption += "; the reference cell's distribution in grey behind each panel (its own curve drawn thick in its panel), and each curve's population-optimal c\\* as a triangle of its colour: a curve off the grey area is a protocol that moves the cutoff."
        if !copies.isEmpty {
            caption += " Not drawn: \(copies.map { cells[$0].id }.joined(separator: ", ")), whose cohorts equal the reference's exactly (the same patients and the same cutoffs: the factor varied there has no effect at those levels)."
            let empty = facets.filter { f in f.cells.allSatisfy { copies.contains($0) } }.map { panelTitle($0.key, $0.cells) }
            if !empty.isEmpty {
                caption += " So no panel is drawn for \(empty.joined(separator: "; ")): every cell there equals the reference."
            }
        }
        return (body, pageWidth, height, caption)
    }

    // MARK: Spread against n (size sweeps)

    static func spreadFigure(_ r: RunResult) -> ([(String, String)], Figure)? {
        let methods = r.design.reference.model.methods
        let rows = r.summaries.sorted { $0.cell.model.cohort.size < $1.cell.model.cohort.size }
        guard rows.count >= 2 else { return nil }
        let name = "spread-by-n"
        var data = GnuplotData(comment: "SD of the estimated cutoff against the cohort size, per method, with ±1.96 MCSE")
        data.row(["n"] + methods.flatMap { [.word("sd_\($0.rawValue)"), "lower", "upper"] as [GnuplotData.Field] })
        for s in rows {
            data.row([.int(s.cell.model.cohort.size)] + methods.flatMap { m -> [GnuplotData.Field] in
                let c = s.method(m)?.cutoff
                let sd = c?.sd ?? .nan, e = c?.mcseSD ?? .nan
                return [sd, sd - 1.96 * e, sd + 1.96 * e].map(GnuplotData.Field.number)
            })
        }
        let n0 = Double(rows[0].cell.model.cohort.size)
        var gp = script("Spread of the estimated cutoff against n on log–log axes. Render: gnuplot \(name).gp")
        gp.add("set logscale xy")
        gp.add("set xlabel 'patients per cohort (n, log scale)'")
        gp.add("set ylabel 'SD of ĉ between cohorts (log scale)'")
        gp.add("set title ", .text("\(r.scenario.name): how the spread of one study's cutoff shrinks with n (\(r.replicates) cohorts per size)"))
        gp.add("set xtics (", .joined(rows.map { [.int($0.cell.model.cohort.size)] }, by: ", "), ")")
        gp.add("set key below left Left reverse horizontal maxcols 2 samplen 3 spacing 1.1 width 2")
        let sds = rows.flatMap { s in methods.compactMap { s.method($0)?.cutoff?.sd } }.filter { $0 > 0 }
        let nMax = Double(rows.last!.cell.model.cohort.size)
        gp.add("set xrange [", .number(n0 / 1.3), ":", .number(nMax * 1.3), "]")
        if let lo = sds.min(), let hi = sds.max() {
            gp.add("set yrange [", .number(lo / 1.6), ":", .number(hi * 1.3), "]")
            let nice = [0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5].filter { $0 >= lo / 1.6 && $0 <= hi * 1.3 }
            if nice.count >= 2 { gp.add("set ytics (", .joined(nice.map { [.number($0)] }, by: ", "), ")") }
        }
        var parts: [[GnuplotScript.Part]] = []
        for (j, m) in methods.enumerated() {
            let col = 2 + 3 * j
            parts.append([j == 0 ? .file("\(name).dat") : "''", " skip 2 using 1:", .int(col), ":", .int(col + 1), ":", .int(col + 2),
                          " with yerrorbars pt 7 ps 1.2 lw 1.5 lc rgb ", .colour(palette[j % palette.count]), " notitle"])
            parts.append(["'' skip 2 using 1:", .int(col), " with linespoints lw 2 pt 7 ps 1.2 lc rgb ", .colour(palette[j % palette.count]), " title ", .text(methodWords(m))])
        }
        // The two slopes as guides under every series (through 0.7 × the smallest SD at the
        // smallest n), so they show a rate without hiding a curve.
        let points = rows.flatMap { s in methods.compactMap { m in s.method(m)?.cutoff?.sd }.filter { $0 > 0 }.map { (Double(s.cell.model.cohort.size), $0) } }
        for (slope, dash, words) in [(-1.0 / 3, 2, "slope n^(−1/3): an argmax of a step function"), (-0.5, 4, "slope n^(−1/2): a smooth estimator")] {
            // Through 0.75 × the lowest point relative to the slope: the guide runs below every series.
            guard let anchor = points.map({ $0.1 / pow($0.0 / n0, slope) }).min().map({ 0.75 * $0 }) else { continue }
            parts.append([.number(anchor), " * (x / ", .number(n0), ")**(", .number(slope), ") with lines dt ", .int(dash), " lw 1.3 lc rgb '#555555' title ", .text(words)])
        }
        var body = GnuplotScript()
        body.plot(parts)
        let keyRows = (methods.count + 3) / 2
        gp.append(terminals(name, body, width: pageWidth, height: 540 + 21 * keyRows))
        return ([("\(name).dat", data.text), ("\(name).gp", gp.text)],
                Figure(name: name, caption: "The SD of one study's cutoff against the cohort size on log–log axes (bars: ±1.96 Monte Carlo SE, most of them smaller than the points), with the slopes n^(−1/3) and n^(−1/2) drawn below the data for comparison: a line parallel to the n^(−1/3) slope needs eight times the patients to halve its spread."))
    }

    // MARK: Drift with one factor

    /// Named by the factor (not its rank), so a link to it holds when the ranking changes.
    ///
    /// One panel with the other factors at their reference levels; or, when the factor moves c*
    /// most away from the reference protocol, one panel per level of the factor it acts with there
    /// (the first other factor in which that cell differs from the reference), so the effect is
    /// drawn where it is, with its uncertainty. c* carries its numerical error bar (±1.96 SE), each
    /// method's ĉ the range of 95% of cohorts. A numeric factor whose levels span a ratio of 8 or
    /// more (cohort sizes) is drawn on a log axis.
    static func driftFigure(_ r: RunResult, _ d: FactorDrift) -> ([(String, String)], Figure) {
        let sc = r.scenario, fs = sc.factors
        let f = d.index
        let factor = fs[f]
        let methods = r.design.reference.model.methods
        let fixed = r.design.reference.model.fixedCutoffs
        let name = "drift-\(Gnuplot.slug(d.factor))"
        let numeric = isNumeric(factor)
        let xs: [Double] = numeric ? factor.labels.map { NumberText.double($0)! } : factor.labels.indices.map { Double($0 + 1) }
        let logAxis = numeric && xs.min()! > 0 && xs.max()! / xs.min()! >= 8
        let span = numeric ? max(xs.max()! - xs.min()!, 1e-9) : Double(xs.count)
        // The panels: level vectors with this factor's entry free.
        var other: Int? = nil
        var templates: [[Int]] = [sc.referenceLevels]
        if !d.largest.atReference {
            let at = sc.cellLevels[d.largest.cell]
            if let g = fs.indices.first(where: { $0 != f && at[$0] != sc.referenceLevels[$0] }) {
                other = g
                templates = fs[g].levels.indices.map { l in var k = at; k[g] = l; return k }
            }
        }
        var panels: [(template: [Int], rows: [(level: Int, cell: Int, artefact: Bool)])] = []
        for t in templates {
            var rows: [(level: Int, cell: Int)] = []
            for l in factor.levels.indices {
                var k = t; k[f] = l
                if let c = sc.cellLevels.firstIndex(of: k) { rows.append((l, c)) }
            }
            let partner = rows.first { $0.level == sc.referenceLevels[f] }?.cell
            guard rows.count > 1 else { continue }
            panels.append((t, rows.map { row in
                (row.level, row.cell, partner.map { FactorDrift.isThresholdArtefact(r.summaries[row.cell].truth, reference: r.summaries[$0].truth) } ?? false)
            }))
        }
        var data = GnuplotData(comment: "\(Gnuplot.dataField(d.factor)): c* with ±1.96 SE and, per method, mean ĉ and its 2.5%/97.5% points per level; one block per panel")
        data.row(["x", "level", "c_star", "c_lower", "c_upper", "artefact"] + methods.flatMap { m -> [GnuplotData.Field] in
            [.word("mean_\(m.rawValue)"), .word("q025_\(m.rawValue)"), .word("q975_\(m.rawValue)")]
        })
        var ys: [Double] = fixed
        for (k, p) in panels.enumerated() {
            if k > 0 { data.endBlock() }
            for row in p.rows {
                let s = r.summaries[row.cell], t = s.truth
                let e = t.cutoffError.isFinite ? 1.96 * t.cutoffError : 0
                data.row([.number(xs[row.level]), .text(factor.labels[row.level]), .number(t.cutoff), .number(t.cutoff - e), .number(t.cutoff + e),
                          .number(row.artefact ? t.cutoff : .nan)] + methods.flatMap { m -> [GnuplotData.Field] in
                    let c = s.method(m)?.cutoff
                    return [c?.mean ?? .nan, c?.q025 ?? .nan, c?.q975 ?? .nan].map(GnuplotData.Field.number)
                })
                ys.append(t.cutoff)
                for m in methods { if let c = s.method(m)?.cutoff { ys += [c.q025, c.q975] } }
            }
        }
        let finite = ys.filter(\.isFinite)
        let lo = finite.min() ?? 0, hi = finite.max() ?? 1, pad = max(hi - lo, 0.05) * 0.06
        let anyArtefact = panels.contains { $0.rows.contains(where: \.artefact) }
        var gp = script("Drift of the cutoff with one factor. Render: gnuplot \(name).gp")
        var body = GnuplotScript()
        body.add("set key off")
        body.add("set border 3 lw 1.2")
        body.add("set tics nomirror out")
        body.add("set grid lc rgb '#dddddd' lw 1")
        body.add("set ytics nomirror out autofreq")
        body.add("set yrange [", .number(lo - pad), ":", .number(hi + pad), "]")
        if logAxis {
            body.add("set logscale x")
            body.add("set xrange [", .number(xs.min()! / 1.35), ":", .number(xs.max()! * 1.35), "]")
        } else if numeric {
            body.add("set xrange [", .number(xs.min()! - 0.1 * span), ":", .number(xs.max()! + 0.1 * span), "]")
        } else {
            body.add("set xrange [0.5:", .number(Double(xs.count) + 0.5), "]")
        }
        // Tic labels without a mapping's braces; slanted when they would not fit side by side.
        let ticTexts = factor.labels.map { $0.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "") }
        body.add("set xtics nomirror out (", .joined(factor.labels.indices.map { [.tic(ticTexts[$0]), " ", .number(xs[$0])] }, by: ", "), ")")
        let longest = ticTexts.map(\.count).max() ?? 0
        let perTic = Double(pageWidth / max(1, panels.count == 4 ? 2 : min(panels.count, 3)) - 90) / Double(max(1, xs.count))
        let longTics = !numeric && Double(longest) * 7.5 > perTic
        if longTics { body.add("set xtics rotate by 30 right") } else { body.add("set xtics norotate") }
        let ticDepth = longTics ? Int((Double(longest) * 7.5 * 0.5 + 14) / 18) + 1 : 0
        body.add("set ylabel 'cutoff (VBQ score)'")
        let axisName = panels.count > 1 ? ParameterLabels.short(d.factor) ?? ParameterLabels.axis(d.factor) : ParameterLabels.axis(d.factor)
        // "patients per cohort (n, log scale)", not "(n) (log scale)".
        let axisWords = !logAxis ? axisName : axisName.hasSuffix(")") ? String(axisName.dropLast()) + ", log scale)" : axisName + " (log scale)"
        let title = "\(sc.name): the cutoff against \(ParameterLabels.axis(d.factor))" + (other.map { " — one panel per \(ParameterLabels.axis(fs[$0].path))" } ?? "")
        let headLines = wrap(title, width: 100)
        let cols = panels.count == 4 ? 2 : min(panels.count, 3), panelRows = (panels.count + cols - 1) / cols
        let titles: [[String]] = panels.map { p in
            guard let g = other else { return ["other factors at their reference levels"] }
            let isRef = zip(p.template, sc.referenceLevels).enumerated().allSatisfy { $0.offset == f || $0.element.0 == $0.element.1 }
            let extra = fs.indices.filter { $0 != f && $0 != g && p.template[$0] != sc.referenceLevels[$0] }
                .map { ParameterLabels.phrase(fs[$0].path, level: fs[$0].labels[p.template[$0]]) }
            let words = ([ParameterLabels.phrase(fs[g].path, level: fs[g].labels[p.template[g]])] + extra).joined(separator: ", ")
            return wrap(words + (isRef ? " (reference)" : ""), width: titleWidth(columns: cols))
        }
        let titleLines = titles.map(\.count).max() ?? 1
        let keyEntries = 1 + methods.count + (fixed.isEmpty ? 0 : 1) + (anyArtefact ? 1 : 0)
        let keyRows = (keyEntries + 1) / 2
        let head = 28 + 20 * headLines.count, panelHeight = (panels.count == 1 ? 410 : 280) + 20 * titleLines + 18 * ticDepth, foot = 40 + 22 * keyRows
        let height = head + panelRows * panelHeight + foot
        let H = Double(height)
        body.add("set multiplot title ", .lines(headLines), " font ',14'")
        body.add("set lmargin 11")
        body.add("set rmargin 2")
        body.add("set tmargin ", .number(0.9 + 1.25 * Double(titleLines)))
        body.add("set bmargin ", .int(3 + ticDepth))
        let mid = Double(methods.count - 1) / 2
        for k in panels.indices {
            let row = k / cols, col = k % cols
            place(&body, col: col, cols: cols, row: row, rows: panelRows, panel: panelHeight, foot: foot, height: height)
            body.add("set title ", .lines(titles[k]), " font ',13' noenhanced")
            if col == 0 { body.add("set ylabel 'cutoff (VBQ score)'") } else { body.add("unset ylabel") }
            if row == panelRows - 1 || k + cols >= panels.count { body.add("set xlabel ", .text(axisWords)) } else { body.add("unset xlabel") }
            body.add("unset arrow")
            for (j, fc) in fixed.enumerated() {
                body.add("set arrow ", .int(j + 1), " from graph 0, first ", .number(fc), " to graph 1, first ", .number(fc), " nohead lw 1.5 dt 3 lc rgb ", .colour(published))
            }
            // c* first, so that the methods' means drawn over it stay visible where they agree with it.
            var parts: [[GnuplotScript.Part]] = [[k == 0 ? .file("\(name).dat") : "''", " skip 2 index ", .int(k), " using 1:3:4:5 with ",
                                                  numeric ? "yerrorlines" : "yerrorbars", " lw 3 pt 5 ps 1.2 lc rgb '#000000' notitle"]]
            for j in methods.indices {
                let col = 7 + 3 * j
                let shift = Double(j) - mid
                let x: [GnuplotScript.Part] = logAxis ? ["($1 * ", .number(exp(0.07 * shift)), ")"] : ["($1 + ", .number(shift * (numeric ? 0.035 * span : 0.12)), ")"]
                parts.append(["'' skip 2 index ", .int(k), " using "] + x + [":", .int(col), ":", .int(col + 1), ":", .int(col + 2),
                              " with yerrorbars pt 7 ps 1.0 lw 1.8 lc rgb ", .colour(palette[j % palette.count]), " notitle"])
            }
            if anyArtefact { parts.append(["'' skip 2 index ", .int(k), " using 1:6 with points pt 6 ps 2.6 lw 2 lc rgb '#000000' notitle"]) }
            body.plot(parts)
        }
        var keys: [[GnuplotScript.Part]] = [["NaN with ", numeric ? "linespoints lw 3" : "points", " pt 5 ps 1.2 lc rgb '#000000' title 'population-optimal c*'"]]
        for (j, m) in methods.enumerated() {
            keys.append(["NaN with points pt 7 ps 1.0 lc rgb ", .colour(palette[j % palette.count]), " title ", .text("\(m.rawValue) ĉ: mean, bar: 95% of cohorts")])
        }
        if !fixed.isEmpty { keys.append(["NaN with lines lw 1.5 dt 3 lc rgb ", .colour(published), " title 'published cutoff'"]) }
        if anyArtefact { keys.append(["NaN with points pt 6 ps 2.6 lw 2 lc rgb '#000000' title 'ringed: c* moved between rounded scores only'"]) }
        body.append(keyStrip(height: Double(40 + 22 * keyRows) / H, columns: 2, keys))
        gp.append(terminals(name, body, width: pageWidth, height: height))
        // Only where c* moves: a cohort-size sweep keeps one population and one c*.
        let moves = Set(panels.flatMap { $0.rows.map { r.summaries[$0.cell].truth.cutoff } }).count > 1
        let joins = moves && !numeric ? "" : moves ? " The lines only join the levels simulated: c\\* between them was not computed and may change abruptly (where the classes overlap in two modes, the optimal cutoff can jump from one to the other)." : " c\\* is the same at every level: the population does not change with it."
        let whereWords: String
        if let g = other {
            whereWords = "one panel per level of \(ParameterLabels.axis(fs[g].path)), the factor in whose cells this one moves c\\* most (any other factors at their levels in that cell)"
        } else {
            whereWords = "the other factors at their reference levels"
        }
        return ([("\(name).dat", data.text), ("\(name).gp", gp.text)],
                Figure(name: name, caption: "The population-optimal cutoff (black; its bar of ±1.96 SE of computation is usually narrower than the mark) against \(ParameterLabels.axis(d.factor))\(logAxis ? " on a log axis" : ""), beside how far single cohorts scatter around it (bars: 95% of cohorts, per method), \(whereWords).\(joins)\(anyArtefact ? " A ringed c\\* lies on a grid of rounded scores and moved only between two neighbouring possible scores, which classify every patient alike: the line's step there is no change of the test." : "")"))
    }

    // MARK: ROC of the reference cell

    static func rocFigure(_ r: RunResult) -> ([(String, String)], Figure)? {
        guard let b = r.referenceROC, let ref = r.summaries.first(where: { $0.cell.isReference }) else { return nil }
        let t = ref.truth
        var data = GnuplotData(comment: "reference cell ROC: true TPR and the 2.5/50/97.5% of cohort TPRs at each FPR")
        data.row(["fpr", "true_tpr", "q025", "median", "q975"])
        for k in b.fpr.indices { data.row([b.fpr[k], b.trueTPR[k], b.q025[k], b.median[k], b.q975[k]]) }
        var gp = script("ROC of the reference cell. Render: gnuplot roc-reference.gp")
        rocAxes(&gp)
        gp.add("set title ", .text("\(r.scenario.name): ROC of the reference cell (\(ref.cell.model.cohort.size) patients, \(r.replicates) cohorts), AUC* = \(Format.fixed(t.auc, 3))"))
        var parts: [[GnuplotScript.Part]] = [
            [.file("roc-reference.dat"), " skip 2 using 1:3:5 with filledcurves fc rgb '#cfe2f3' title 'pointwise 95% of cohort ROCs'"],
            ["'' skip 2 using 1:2 with lines lw 3 lc rgb '#000000' title 'true ROC'"],
            ["'' skip 2 using 1:4 with lines lw 2 dt 2 lc rgb ", .colour(palette[4]), " title 'median cohort ROC'"],
            ["x with lines lc rgb '#aaaaaa' notitle"],
        ]
        // The operating points, inline, on the plot command's last line.
        var pointElements: [[GnuplotScript.Part]] = [["'-' using 1:2 with points pt 7 ps 1.6 lc rgb '#000000' title ", .text("c* = \(Format.fixed(t.cutoff, 3))")]]
        var points: [(Double, Double)] = [(1 - t.specificity(at: t.cutoff), t.sensitivity(at: t.cutoff))]
        gp.add("set label 1 ", .text("c* \(Format.fixed(t.cutoff, 2))"), " at ", .number(points[0].0), ", ", .number(points[0].1), " offset 1,-1 front")
        for (j, fc) in r.design.reference.model.fixedCutoffs.enumerated() {
            let x = 1 - t.specificity(at: fc), y = t.sensitivity(at: fc)
            pointElements.append(["'-' using 1:2 with points pt 9 ps 1.8 lc rgb ", .colour(published), " title ", .text("published \(Format.exact(fc))")])
            points.append((x, y))
            gp.add("set label ", .int(j + 2), " ", .text(Format.exact(fc)), " at ", .number(x), ", ", .number(y), " offset -4,1 tc rgb ", .colour(published), " front")
        }
        parts.append([.joined(pointElements, by: ", ")])
        var body = GnuplotScript()
        body.plot(parts)
        for point in points { body.inline([point]) }
        gp.append(terminals("roc-reference", body, width: 950, height: 650))
        return ([("roc-reference.dat", data.text), ("roc-reference.gp", gp.text)],
                Figure(name: "roc-reference", caption: "The reference cell's true ROC (black) inside the pointwise band of single cohorts' ROC curves (at each false-positive rate, the middle 95% of the cohorts' sensitivities), with the operating points of c\\* and of the published cutoff: one cohort's curve can lie almost anywhere in the blue band, and a whole curve leaves it somewhere more often than 5% of the time."))
    }

    // MARK: Rendering

    /// Runs gnuplot on each script in `dir` (a fresh staging folder, so nothing in it is a link
    /// planted beforehand) and checks that every figure the script names was written and is not
    /// empty. Returns a note for the user when gnuplot is not installed; a failure is an error.
    public static func render(in dir: URL, scripts: [String]) throws -> String? {
        guard let gnuplot = Subprocess.findExecutable("gnuplot") else {
            return "gnuplot is not installed, so plots/ holds data and scripts only; install it (apt-get install gnuplot-nox) and run `gnuplot NAME.gp` in plots/."
        }
        // The scripts are independent: they run two at a time, and the first failure in script
        // order is reported, so the error does not depend on which finished first.
        let outcomes = Parallel.map(scripts.count, threads: 2) { k in Result { try Subprocess.run(gnuplot, [scripts[k]], in: dir.path) } }
        for (script, outcome) in zip(scripts, outcomes) {
            let result: Subprocess.Result
            do {
                result = try outcome.get()
            } catch {
                throw VBQError(file: dir.appendingPathComponent(script).path, "could not start gnuplot: \((error as? VBQError)?.message ?? "\(error)")")
            }
            let name = String(script.dropLast(3))
            let message = String(decoding: result.standardError, as: UTF8.self).split(separator: "\n").first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) ?? ""
            guard result.status == 0 else {
                throw VBQError(file: "plots/\(script)", "gnuplot failed (exit \(result.status)): \(message)")
            }
            for ext in ["svg", "png"] {
                var st = stat()
                let figure = dir.appendingPathComponent("\(name).\(ext)")
                guard lstat(figure.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0 else {
                    throw VBQError(file: "plots/\(name).\(ext)", "gnuplot wrote no figure (a full disk?)\(message.isEmpty ? "" : ": \(message)")")
                }
            }
        }
        return nil
    }

}
