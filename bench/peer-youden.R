#!/usr/bin/env Rscript
# Peer implementation of one vbqlab cell, for bench/run.
#
# Simulates `replicates` cohorts of `size` patients with the seed paper's prevalence
# (67 of 256 have the event, so 67 events and 189 non-events at size 256), scores
# events ~ N(3.62, 0.46) and non-events ~ N(2.97, 0.43), and in every cohort computes
# the empirical Youden cutoff and the AUC.
#
#   Rscript bench/peer-youden.R [replicates] [size] [peer] [seed]
#
#   replicates  simulated cohorts (default 2000)
#   size        cohort size (default 256)
#   peer        proc (default) or cutpointr
#   seed        R's set.seed() value (default 20251012)
#
# proc: pROC::roc(..., direction = "<", levels = c(0, 1)) and
#   coords(r, "best", best.method = "youden"). pROC's thresholds are midpoints between
#   adjacent distinct scores, as vbqlab's are. When several thresholds tie for the
#   maximum J, pROC returns all of them; the lower median is kept, vbqlab's tie rule.
# cutpointr: cutpointr(..., method = maximize_metric, metric = youden). Its cutpoints are
#   observed scores (with direction ">=", the lowest event-side score), not midpoints, so
#   its mean cutoff sits slightly above the midpoint convention's.
#
# Prints one `key value` line per result: the mean and SD of the cutoff, the mean AUC, the
# number of cohorts with tied optimal thresholds, and the elapsed seconds of the
# simulate-and-estimate loop (package loading excluded; bench/run times the whole process).

args <- commandArgs(trailingOnly = TRUE)
arg <- function(i, default) if (length(args) >= i) args[[i]] else default
replicates <- as.integer(arg(1, "2000"))
size <- as.integer(arg(2, "256"))
peer <- arg(3, "proc")
seed <- as.integer(arg(4, "20251012"))
if (is.na(replicates) || replicates < 1) stop("replicates must be a positive integer")
if (is.na(size) || size < 2) stop("size must be an integer of at least 2")
if (!peer %in% c("proc", "cutpointr")) stop("peer must be proc or cutpointr")

events <- as.integer(floor(size * 67 / 256 + 0.5))   # vbqlab rounds half away from zero
non_events <- size - events
if (events < 1 || non_events < 1) stop("size too small: each class needs at least one patient")
ev_mean <- 3.62; ev_sd <- 0.46
ne_mean <- 2.97; ne_sd <- 0.43

load_start <- proc.time()[["elapsed"]]
if (peer == "proc") {
  suppressPackageStartupMessages(library(pROC))
} else {
  suppressPackageStartupMessages(library(cutpointr))
}
load_seconds <- proc.time()[["elapsed"]] - load_start

set.seed(seed)
labels <- c(rep(1L, events), rep(0L, non_events))
cutoffs <- numeric(replicates)
aucs <- numeric(replicates)
ties <- integer(replicates)

lower_median <- function(x) {
  x <- sort(x)
  x[(length(x) - 1L) %/% 2L + 1L]
}

start <- proc.time()[["elapsed"]]
if (peer == "proc") {
  for (i in seq_len(replicates)) {
    scores <- c(rnorm(events, ev_mean, ev_sd), rnorm(non_events, ne_mean, ne_sd))
    r <- pROC::roc(labels, scores, quiet = TRUE, direction = "<", levels = c(0, 1))
    best <- pROC::coords(r, "best", best.method = "youden", ret = "threshold", transpose = FALSE)
    thr <- best$threshold
    cutoffs[i] <- lower_median(thr)
    ties[i] <- length(thr)
    aucs[i] <- as.numeric(r$auc)
  }
} else {
  for (i in seq_len(replicates)) {
    scores <- c(rnorm(events, ev_mean, ev_sd), rnorm(non_events, ne_mean, ne_sd))
    cp <- cutpointr::cutpointr(x = scores, class = labels, method = maximize_metric, metric = youden,
                               direction = ">=", pos_class = 1L, neg_class = 0L,
                               break_ties = c, silent = TRUE)
    thr <- cp$optimal_cutpoint[[1]]
    cutoffs[i] <- lower_median(thr)
    ties[i] <- length(thr)
    aucs[i] <- cp$AUC[[1]]
  }
}
elapsed <- proc.time()[["elapsed"]] - start

cat(sprintf("peer %s\n", peer))
cat(sprintf("replicates %d\n", replicates))
cat(sprintf("events %d\n", events))
cat(sprintf("non_events %d\n", non_events))
cat(sprintf("cutoff_mean %.6f\n", mean(cutoffs)))
cat(sprintf("cutoff_sd %.6f\n", sd(cutoffs)))
cat(sprintf("cutoff_mcse %.6f\n", sd(cutoffs) / sqrt(replicates)))
cat(sprintf("auc_mean %.6f\n", mean(aucs)))
cat(sprintf("tied_cohorts %d\n", sum(ties > 1L)))
cat(sprintf("load_seconds %.3f\n", load_seconds))
cat(sprintf("elapsed_seconds %.3f\n", elapsed))
cat(sprintf("us_per_cohort %.1f\n", 1e6 * elapsed / replicates))
