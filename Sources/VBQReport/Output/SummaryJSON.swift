import VBQCore
import VBQEstimate
import VBQModel
import VBQSimulation
/// `summary.json`: the machine-readable summary (the README's table of outputs names its keys). It holds nothing
/// that depends on threads or timing, so equal scenario + seed give equal bytes.
public enum SummaryJSON {
    public static let formatVersion = 1

    public static func make(_ r: RunResult) -> JSON {
        // A partial merge of shards says which shards it lacks and how many cohorts it rests on.
        let partial: [(String, JSON)] = r.missingShards.isEmpty ? [] : [
            ("missing_shards", .array(r.missingShards.map { .int($0) })),
            ("shards", .int(r.shards.first?.shard.count ?? 0)),
            ("cohorts_simulated", .int(r.table.completedCount)),
            ("cohorts_total", .int(r.table.completed.count)),
        ]
        return .object([
            ("format", .int(formatVersion)),
            ("scenario", .string(r.scenario.name)),
            ("description", r.scenario.description.map(JSON.string) ?? .null),
            ("seed", .uint(r.seed)),
            ("replicates", .int(r.replicates)),
            ("status", .string(r.status.rawValue)),
        ] + partial + [
            ("streams", .string(r.scenario.streams.rawValue)),
            ("factors", .array(r.scenario.factors.map { f in
                .object([("name", .string(f.path)), ("levels", .array(f.labels.map(JSON.string)))])
            })),
            ("cells", .array(r.summaries.enumerated().map { i, s in
                cell(s, followUp: i < r.followUp.count ? r.followUp[i] : nil, estimatedShare: FollowUpReport.estimatedShare(r, i))
            })),
        ] + (ReanalysisCSV.json(r).map { [("reanalysis", $0)] } ?? []))
    }

    static func cell(_ s: CellSummary, followUp p: FollowUpProfile? = nil, estimatedShare: Double? = nil) -> JSON {
        let c = s.cell
        var pairs: [(String, JSON)] = [
            ("id", .string(c.id)),
            ("label", .string(c.label)),
            ("factors", .object(c.factors.map { ($0.name, .string($0.level)) })),
            ("reference", .bool(c.isReference)),
            ("cohort", .object([
                ("size", .int(c.model.cohort.size)),
                ("prevalence", .num(c.model.cohort.prevalence)),
                ("sampling", .string(c.model.cohort.sampling.rawValue)),
            ])),
            ("truth", .object([
                ("cutoff", .num(s.truth.cutoff)),
                ("youden_j", .num(s.truth.youdenJ)),
                ("auc", .num(s.truth.auc)),
                ("sensitivity", .num(s.truth.sensitivity(at: s.truth.cutoff))),
                ("specificity", .num(s.truth.specificity(at: s.truth.cutoff))),
                ("prevalence", .num(s.truth.prevalence)),
                ("acceptance", .num(s.truth.acceptance)),
                ("event_mean", .num(s.truth.classMoments.eventMean)),
                ("event_sd", .num(s.truth.classMoments.eventSD)),
                ("non_event_mean", .num(s.truth.classMoments.nonEventMean)),
                ("non_event_sd", .num(s.truth.classMoments.nonEventSD)),
                ("cutoff_error", .num(s.truth.cutoffError)),
                ("youden_j_error", .num(s.truth.youdenError)),
                ("auc_error", .num(s.truth.aucError)),
                ("method", .string(s.truth.method)),
            ])),
            ("degenerate", .int(s.degenerateTotal)),
            ("degenerate_by_kind", .object(CohortAnalysis.Degeneracy.allCases.map { ($0.name, .int(s.degenerate[$0] ?? 0)) })),
            ("prevalence", stat(s.prevalence)),
            ("acceptance", stat(s.acceptance)),
            ("auc", stat(s.auc)),
            ("auc_delong_se", stat(s.aucStandardError)),
            ("auc_ci_coverage", proportion(s.aucCoverage)),
        ]
        pairs.append(("methods", .object(s.methods.map { ($0.method.rawValue, method($0)) })))
        pairs.append(("fixed_cutoffs", .array(s.fixed.map(fixed))))
        if let p, let m = s.cell.model.followUp {
            // The truth above is that of failure by the horizon in the uncensored population.
            pairs.append(("follow_up", .object([
                ("handling", .string(m.handling.rawValue)),
                ("horizon_years", .num(p.horizon)),
                ("excluded_by_minimum_follow_up", .num(p.excluded)),
                ("potential_follow_up_years", .object([("q10", .num(p.potentialFollowUp.q10)), ("median", .num(p.potentialFollowUp.q50)),
                                                       ("q90", .num(p.potentialFollowUp.q90))])),
                ("censored_before_horizon", .num(p.censoredBeforeHorizon)),
                ("failed_by_horizon_kaplan_meier", .num(p.kaplanMeierFailed)),
                ("failure_observed_by_last_visit", .num(p.observedByLastVisit)),
                ("failed_by_horizon_among_followed", .num(p.failedAmongFollowed)),
                ("profile_patients", .int(FollowUpProfile.patients)),
            ] + (estimatedShare.map { [("estimated_failed_share", .num($0))] } ?? []))))
        }
        return .object(pairs)
    }

    static func method(_ m: MethodSummary) -> JSON {
        var pairs: [(String, JSON)] = [
            ("failures", .int(m.failures)),
            ("cutoff", stat(m.cutoff)),
            ("p_beyond_precision", .object([
                ("delta", .num(m.precision)),
                ("value", .num(m.beyondPrecision.value)),
                ("mcse", .num(m.beyondPrecision.mcse)),
            ])),
            ("youden_j", stat(m.youdenJ)),
            ("sensitivity", stat(m.sensitivity)),
            ("specificity", stat(m.specificity)),
            ("true_youden_j", stat(m.trueYoudenJ)),
            ("optimism", stat(m.optimism)),
        ]
        if m.method.estimator.reportedAUC != .none { pairs.append(("auc", stat(m.auc))) }
        if let k = m.criterion {
            let c = m.method.estimator.criterion
            pairs.append(("criterion", .object([
                ("id", .string(c.criterionID)),
                ("cutoff", .num(m.target.cutoff)),
                ("cutoff_error", .num(m.target.error)),
                ("value_at_cutoff", .num(m.target.value)),
                ("minimised", .bool(c.isMinimised)),
                ("value", stat(k.apparent)),
                ("true_value", stat(k.trueValue)),
                ("optimism", stat(k.optimism)),
            ] + (k.floorMet.map { [("floor_met", .object([("value", .num($0.value)), ("mcse", .num($0.mcse))]))] } ?? []))))
        }
        pairs.append(("fixed_cutoff_rank", .array(m.fixedCutoffRanks.map {
            .object([("cutoff", .num($0.cutoff)), ("p_estimate_at_or_below", .num($0.below.value)), ("mcse", .num($0.below.mcse))])
        })))
        if let d = m.drift {
            pairs.append(("drift", .object([
                ("truth", .num(d.truth)),
                ("truth_error", .num(d.truthError)),
                ("mean_cutoff", .num(d.meanCutoff)),
                ("mcse", .num(d.mcse)),
            ])))
        }
        return .object(pairs)
    }

    static func fixed(_ f: FixedCutoffSummary) -> JSON {
        .object([
            ("cutoff", .num(f.cutoff)),
            ("truth", .object([
                ("sensitivity", .num(f.trueSensitivity)), ("specificity", .num(f.trueSpecificity)),
                ("ppv", .num(f.truePPV)), ("npv", .num(f.trueNPV)),
            ])),
            ("sensitivity", stat(f.sensitivity)),
            ("specificity", stat(f.specificity)),
            ("ppv", stat(f.ppv)),
            ("npv", stat(f.npv)),
        ])
    }

    static func stat(_ s: Stat?) -> JSON {
        guard let s else { return .null }
        return .object([
            ("n", .int(s.n)), ("missing", .int(s.missing)),
            ("mean", .num(s.mean)), ("sd", .num(s.sd)),
            ("q025", .num(s.q025)), ("q250", .num(s.q250)), ("q500", .num(s.q500)),
            ("q750", .num(s.q750)), ("q975", .num(s.q975)),
            ("target", .num(s.target)), ("bias", .num(s.bias)), ("rmse", .num(s.rmse)),
            ("mcse_mean", .num(s.mcseMean)), ("mcse_sd", .num(s.mcseSD)),
            ("mcse_bias", .num(s.mcseBias)), ("mcse_rmse", .num(s.mcseRMSE)),
            ("mcse_q025", .num(s.mcseQ025)), ("mcse_q250", .num(s.mcseQ250)), ("mcse_q500", .num(s.mcseQ500)),
            ("mcse_q750", .num(s.mcseQ750)), ("mcse_q975", .num(s.mcseQ975)),
        ])
    }

    static func proportion(_ p: Proportion) -> JSON {
        .object([("value", .num(p.value)), ("mcse", .num(p.mcse)), ("n", .int(p.n))])
    }
}
