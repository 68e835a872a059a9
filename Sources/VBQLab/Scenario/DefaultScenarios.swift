/// The shipped default scenario, built into the binary so `vbqlab run` works from any folder.
/// A test holds it byte-identical to `scenarios/wu2025-baseline.yaml`.
public enum DefaultScenarios {
    public static let defaultName = "wu2025-baseline"

    public static let all: [String: String] = [
        "wu2025-baseline": wu2025Baseline,
    ]

    public static let wu2025Baseline = #"""
# wu2025-baseline: how far can a Youden cutoff from one cohort of 256 move?
#
# The seed paper (Wu et al., Spine Research 2025) reports one VBQ cutoff, 3.3, from one
# cohort of 256 patients with 67 fixation failures, and no uncertainty for it. Here the
# two outcome classes are drawn from the paper's own Table 1 (normal, unequal variances),
# so the population-optimal cutoff c* is known exactly, and every simulated cohort
# re-derives its cutoff the way the paper did. The spread of those cutoffs is the
# sampling drift a single study cannot see; the size grid shows how it shrinks with n.
name: wu2025-baseline
description: >-
  Seed paper Table 1 (failure 3.62 ± 0.46, no failure 2.97 ± 0.43, 67 of 256):
  sampling spread and optimism of the Youden cutoff across cohort sizes.
seed: 20251012            # assumed: any fixed seed; results are reproducible from it
replicates: 10000         # assumed: MCSE of a 2.5% quantile of ĉ ≈ 0.005 at n = 256
cohort:
  events: 67              # seed paper, abstract and Table 3: 67 patients with fixation failure (lit:P1)
  non_events: 189         # seed paper: 189 without (Table 1 swaps the labels; see MODEL.md §8)
generator:
  family: class_conditional
  event:     { distribution: normal, mean: 3.62, sd: 0.46 }   # seed paper Table 1, failure group (lit:P1)
  non_event: { distribution: normal, mean: 2.97, sd: 0.43 }   # seed paper Table 1, no failure (lit:P1)
methods: [empirical, binormal, kernel]
fixed_cutoffs: [3.3]      # seed paper: the published Youden cutoff (lit:P1)
precision: 0.1            # assumed: a cutoff off by more than 0.1 VBQ units changes who is flagged noticeably
vary:
  cohort.size: [64, 128, 256, 512, 1024]   # assumed: a halving/doubling grid around the paper's n; prevalence 67/256 kept
reference: { cohort.size: 256 }            # seed paper: n = 256

"""#
}
