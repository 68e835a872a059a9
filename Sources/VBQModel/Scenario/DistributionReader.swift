import Foundation
import VBQCore
import VBQEstimate

/// Reads a class score distribution from a scenario mapping.
///
/// ```yaml
/// { distribution: normal, mean: 3.62, sd: 0.46 }
/// { distribution: lognormal, mean: 3.62, sd: 0.46 }      # or meanlog + sdlog
/// { distribution: gamma, mean: 3.62, sd: 0.46 }          # or shape + scale, or shape + rate; optional shift
/// { distribution: t, location: 3.62, scale: 0.40, df: 5 }
/// { distribution: mixture, components: [ {weight: 0.7, distribution: normal, mean: 3.4, sd: 0.4}, ... ] }
/// ```
enum DistributionReader {
    static let names = ["normal", "lognormal", "gamma", "t", "mixture"]
    /// Other common names of the same families.
    static let aliases = ["gaussian": "normal", "student_t": "t", "student-t": "t", "student": "t",
                          "log-normal": "lognormal", "log_normal": "lognormal"]

    /// Ranges of the parameters. A score is a ratio of signal intensities (VBQ scores lie
    /// between 1 and 8); the bounds leave room for any other score while keeping GSL's
    /// distribution functions inside the range where they converge.
    static let location: ClosedRange<Double> = -1e6...1e6
    static let scale: ClosedRange<Double> = 1e-9...1e6
    static let meanlog: ClosedRange<Double> = -50...50
    static let sdlog: ClosedRange<Double> = 1e-9...3
    /// GSL's gamma quantile fails to converge below 0.5 and above about 2·10⁴; a gamma of shape
    /// 10⁴ is a normal distribution to three decimals.
    static let gammaShape: ClosedRange<Double> = 0.5...1e4
    static let studentDF: ClosedRange<Double> = 1...1e6

    static func decode(_ node: YNode, _ key: String, reader r: NodeReader, allowWeight: Bool = false) throws -> ScoreDistribution {
        let d = try decodeParameters(node, key, reader: r, allowWeight: allowWeight)
        if let problem = d.usabilityProblem {
            throw r.error(node, key, problem)
        }
        return d
    }

    private static func decodeParameters(_ node: YNode, _ key: String, reader r: NodeReader, allowWeight: Bool) throws -> ScoreDistribution {
        guard let entries = node.entries else { throw r.error(node, key, "must be a mapping such as {distribution: normal, mean: 3.62, sd: 0.46}") }
        guard let dEntry = entries.first(where: { $0.key == "distribution" }) else {
            throw r.error(node, "\(key).distribution", "missing: one of \(names.joined(separator: ", "))")
        }
        var name = try r.string(dEntry.value, "\(key).distribution")
        if let canonical = aliases[name.lowercased()] { name = canonical }
        let extra = allowWeight ? ["weight"] : []
        func allowed(_ keys: [String]) throws -> [String: YEntry] {
            try r.mapping(node, key, allowed: ["distribution"] + keys + extra)
        }
        switch name {
        case "normal":
            let m = try allowed(["mean", "sd"])
            let mean = try r.double(try need(m, "mean", node, key, r), "\(key).mean", in: location)
            let sd = try r.double(try need(m, "sd", node, key, r), "\(key).sd", positive: true, in: scale)
            return .normal(mean: mean, sd: sd)
        case "lognormal":
            let m = try allowed(["mean", "sd", "meanlog", "sdlog"])
            if m["meanlog"] != nil || m["sdlog"] != nil {
                try exclusive(m, ["mean", "sd"], "meanlog + sdlog", node, key, r)
                let ml = try r.double(try need(m, "meanlog", node, key, r), "\(key).meanlog", in: meanlog)
                let sl = try r.double(try need(m, "sdlog", node, key, r), "\(key).sdlog", positive: true, in: sdlog)
                return .lognormal(meanlog: ml, sdlog: sl)
            }
            let mean = try r.double(try need(m, "mean", node, key, r), "\(key).mean", positive: true, in: location)
            let sd = try r.double(try need(m, "sd", node, key, r), "\(key).sd", positive: true, in: scale)
            let s2 = log1p((sd / mean) * (sd / mean))
            guard s2.squareRoot() <= sdlog.upperBound else {
                throw r.error(m["sd"]!.value, "\(key).sd", "sd \(Format.number(sd, digits: 4)) with mean \(Format.number(mean, digits: 4)) gives sdlog \(Format.number(s2.squareRoot(), digits: 3)), above the accepted \(Format.exact(sdlog.upperBound))")
            }
            return .lognormal(meanlog: log(mean) - s2 / 2, sdlog: s2.squareRoot())
        case "gamma":
            let m = try allowed(["mean", "sd", "shape", "scale", "rate", "shift"])
            let shift = try m["shift"].map { try r.double($0.value, "\(key).shift", in: location) } ?? 0
            if m["shape"] != nil {
                try exclusive(m, ["mean", "sd"], "shape + scale/rate", node, key, r)
                let shape = try r.double(m["shape"]!.value, "\(key).shape", positive: true, in: gammaShape)
                if let s = m["scale"] {
                    if m["rate"] != nil { throw r.error(m["rate"]!.value, "\(key).rate", "give scale or rate, not both") }
                    return .gamma(shape: shape, scale: try r.double(s.value, "\(key).scale", positive: true, in: scale), shift: shift)
                }
                let rate = try r.double(try need(m, "rate", node, key, r, hint: "scale or rate"), "\(key).rate", positive: true, in: 1e-6...1e9)
                return .gamma(shape: shape, scale: 1 / rate, shift: shift)
            }
            try exclusive(m, ["scale", "rate"], "mean + sd", node, key, r)
            let mean = try r.double(try need(m, "mean", node, key, r, hint: "mean + sd, or shape + scale"), "\(key).mean", in: location)
            let sd = try r.double(try need(m, "sd", node, key, r), "\(key).sd", positive: true, in: scale)
            guard mean - shift > 0 else { throw r.error(m["mean"]!.value, "\(key).mean", "a gamma mean must exceed its shift (\(Format.exact(shift)))") }
            let excess = mean - shift
            let shape = (excess / sd) * (excess / sd)
            guard gammaShape.contains(shape) else {
                throw r.error(m["sd"]!.value, "\(key).sd", "mean \(Format.number(mean, digits: 4)) and sd \(Format.number(sd, digits: 4)) give the gamma shape \(Format.number(shape, digits: 3)); the accepted shapes are \(Format.exact(gammaShape.lowerBound)) to \(Format.exact(gammaShape.upperBound)) (sd between \(Format.number(excess / gammaShape.upperBound.squareRoot(), digits: 4)) and \(Format.number(excess / gammaShape.lowerBound.squareRoot(), digits: 4)) for this mean; a narrower gamma is a normal distribution)")
            }
            return .gamma(shape: shape, scale: sd * sd / excess, shift: shift)
        case "t":
            let m = try allowed(["location", "scale", "df"])
            let loc = try r.double(try need(m, "location", node, key, r), "\(key).location", in: location)
            let sc = try r.double(try need(m, "scale", node, key, r), "\(key).scale", positive: true, in: scale)
            let df = try r.double(try need(m, "df", node, key, r), "\(key).df", positive: true, in: studentDF)
            return .studentT(location: loc, scale: sc, df: df)
        case "mixture":
            let m = try allowed(["components"])
            let list = try r.list(try need(m, "components", node, key, r), "\(key).components")
            guard list.count >= 1 else { throw r.error(m["components"]!.value, "\(key).components", "needs at least one component") }
            guard list.count <= 100 else { throw r.error(m["components"]!.value, "\(key).components", "\(list.count) components is more than the limit of 100") }
            var components: [MixtureComponent] = []
            for (i, item) in list.enumerated() {
                let ck = "\(key).components.\(i)"
                guard let w = item["weight"] else { throw r.error(item, "\(ck).weight", "missing: each component needs a weight") }
                let weight = try r.double(w, "\(ck).weight", positive: true)
                let d = try decode(item, ck, reader: r, allowWeight: true)
                if case .mixture = d { throw r.error(item, "\(ck).distribution", "a mixture component cannot itself be a mixture") }
                components.append(MixtureComponent(weight: weight, distribution: d))
            }
            let total = components.reduce(0) { $0 + $1.weight }
            guard abs(total - 1) <= 1e-9 else {
                throw r.error(m["components"]!.value, "\(key).components", "mixture weights sum to \(Format.number(total, digits: 6)), must sum to 1")
            }
            return .mixture(components)
        default:
            var hint = suggestion(for: name, among: names + aliases.keys.sorted())
            for (alias, canonical) in aliases { hint = hint.replacingOccurrences(of: "'\(alias)'", with: "'\(canonical)'") }
            throw r.error(dEntry.value, "\(key).distribution", "unknown distribution '\(name)'\(hint); choose one of \(names.joined(separator: ", "))")
        }
    }

    private static func need(_ m: [String: YEntry], _ k: String, _ node: YNode, _ key: String, _ r: NodeReader, hint: String? = nil) throws -> YNode {
        guard let e = m[k] else { throw r.error(node, "\(key).\(k)", "missing" + (hint.map { " (give \($0))" } ?? "")) }
        return e.value
    }

    private static func exclusive(_ m: [String: YEntry], _ keys: [String], _ chosen: String, _ node: YNode, _ key: String, _ r: NodeReader) throws {
        for k in keys where m[k] != nil {
            throw r.error(m[k]!.value, "\(key).\(k)", "cannot be combined with \(chosen); use one parameterisation")
        }
    }
}
