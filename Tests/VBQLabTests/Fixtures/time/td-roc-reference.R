# Reference values for TimeDependentROCTests: the Kaplan-Meier estimate at t (survival::survfit),
# and an independent implementation of the cumulative/dynamic time-dependent ROC at t by
# Heagerty, Lumley & Pepe's Kaplan-Meier estimator (each conditional survival from survfit on
# the patients above or below the threshold) and by Uno's inverse-probability-of-censoring
# weights (the censoring distribution from survfit on 1 - status, read just before each time).
# Run from this folder: Rscript td-roc-reference.R   (R 4.2, survival 3.5-3)
library(survival)
set.seed(20261207)
cohorts <- list()
for (k in 1:3) {
  n <- 256
  score <- round(rnorm(n, 3.1, 0.5), 1)                  # rounded: tied scores
  rate <- 0.08 * exp(1.6 * (score - 3.1))
  event_time <- (rexp(n) / rate)^(1 / 1.3)
  entry <- runif(n, 0, 6)
  censor <- pmin(8 - entry, rexp(n, c(0.04, 0.12, 0.25)[k]))
  time <- round(pmin(event_time, censor), 1)            # rounded: events and censorings tie
  time <- pmax(time, 0.1)
  status <- as.integer(event_time <= censor)
  cohorts[[k]] <- data.frame(cohort = k, score = score, time = time, status = status)
}
# A fourth cohort with nobody censored by 2 years (the limit that equals the two-class analysis).
d4 <- cohorts[[1]]; d4$cohort <- 4
d4$time[d4$status == 0 & d4$time <= 2] <- 2.5
cohorts[[4]] <- d4
data <- do.call(rbind, cohorts)
write.csv(data, "td-cohorts.csv", row.names = FALSE)

km_at <- function(time, status, t) {
  if (length(time) == 0) return(NA)
  fit <- survfit(Surv(time, status) ~ 1)
  summary(fit, times = t, extend = TRUE)$surv
}
thresholds_of <- function(x) {
  u <- sort(unique(x))
  c(-Inf, if (length(u) > 1) (u[-1] + u[-length(u)]) / 2, Inf)
}
youden <- function(th, se, sp) {
  j <- se + sp - 1
  best <- max(j)
  tied <- th[abs(j - best) <= 1e-14]
  tied[floor((length(tied) - 1) / 2) + 1]
}
trapezoid <- function(se, sp) {
  k <- seq_len(length(se) - 1)
  sum((se[k] - se[k + 1]) * (sp[k] + sp[k + 1])) / 2
}
curves <- list(); summaries <- list()
for (k in unique(data$cohort)) {
  d <- data[data$cohort == k, ]
  for (t in c(1, 2, 5)) {
    s_all <- km_at(d$time, d$status, t)
    # Heagerty's Kaplan-Meier estimator.
    th <- thresholds_of(d$score)
    se <- sapply(th, function(c) {
      above <- d$score > c
      if (!any(above)) return(0)
      (1 - km_at(d$time[above], d$status[above], t)) * mean(above) / (1 - s_all)
    })
    sp <- sapply(th, function(c) {
      below <- d$score <= c
      if (!any(below)) return(0)
      km_at(d$time[below], d$status[below], t) * mean(below) / s_all
    })
    curves[[length(curves) + 1]] <- data.frame(cohort = k, horizon = t, method = "km", index = seq_along(th) - 1,
                                               threshold = th, se = se, sp = sp)
    summaries[[length(summaries) + 1]] <- data.frame(cohort = k, horizon = t, method = "km", km = s_all,
                                                     auc = trapezoid(se, sp), cutoff = youden(th, se, sp))
    # Uno's weights.
    gfit <- survfit(Surv(d$time, 1 - d$status) ~ 1)
    G <- function(s) summary(gfit, times = s, extend = TRUE)$surv
    case <- d$time <= t & d$status == 1
    control <- d$time > t
    w <- ifelse(case, 1 / sapply(d$time - 1e-7, G), 0)
    th <- thresholds_of(d$score[case | control])
    se <- sapply(th, function(c) sum(w[case & d$score > c]) / sum(w[case]))
    sp <- sapply(th, function(c) sum(control & d$score <= c) / sum(control))
    curves[[length(curves) + 1]] <- data.frame(cohort = k, horizon = t, method = "ipcw", index = seq_along(th) - 1,
                                               threshold = th, se = se, sp = sp)
    summaries[[length(summaries) + 1]] <- data.frame(cohort = k, horizon = t, method = "ipcw", km = s_all,
                                                     auc = trapezoid(se, sp), cutoff = youden(th, se, sp))
  }
}
cv <- do.call(rbind, curves)
write.csv(format(cv, digits = 17), "td-curves.csv", row.names = FALSE, quote = FALSE)
out <- do.call(rbind, summaries)
write.csv(format(out, digits = 17), "td-summary.csv", row.names = FALSE, quote = FALSE)
