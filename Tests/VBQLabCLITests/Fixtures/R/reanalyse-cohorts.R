# The seed paper's analysis of every cohort in cohorts.csv (vbqlab run --export-cohorts), done
# independently in R: written as reanalysis-replicates.csv writes it, to be compared row for row.
#   Rscript reanalyse-cohorts.R cohorts.csv CUTOFF COVARIATES OUT.csv
# Needs pROC (DeLong) and brglm2 (Firth's bias-reduced fit).
suppressMessages({ library(pROC); library(brglm2) })
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
cutoff <- as.numeric(args[2])
covs <- strsplit(args[3], ",")[[1]]
rows <- list()
add <- function(cell, rep, analysis, term, est, lo = NA, hi = NA, p = NA, status = NA)
  rows[[length(rows) + 1]] <<- data.frame(cell = cell, replicate = rep, analysis = analysis, term = term,
                                          estimate = est, lower = lo, upper = hi, p_value = p, status = status)
for (key in unique(paste(d$cell, d$replicate))) {
  x <- d[paste(d$cell, d$replicate) == key, ]
  cell <- x$cell[1]; rep <- x$replicate[1]
  x$pos <- as.numeric(x$score >= cutoff)
  add(cell, rep, "cohort", "outcome_cutoff", cutoff)
  add(cell, rep, "cohort", "outcome_share", mean(x$pos))
  add(cell, rep, "cohort", "failures", sum(x$outcome))
  for (v in covs) if (all(x[[v]] %in% c(0, 1))) add(cell, rep, "cohort", paste0("count_", v), sum(x[[v]]))
  for (v in c("score", covs)) {
    r <- roc(x$outcome, x[[v]], levels = c(0, 1), direction = "<", quiet = TRUE)
    a <- as.numeric(auc(r)); se <- sqrt(var(r))
    add(cell, rep, "auc", v, a, max(0, a - qnorm(0.975) * se), min(1, a + qnorm(0.975) * se), 2 * pnorm(-abs(a - 0.5) / se))
  }
  fo <- as.formula(paste("pos ~", paste(covs, collapse = " + ")))
  f0 <- suppressWarnings(glm(fo, family = binomial, data = x, control = glm.control(epsilon = 1e-14, maxit = 100)))
  f <- suppressWarnings(glm(fo, family = binomial, data = x, start = coef(f0), control = glm.control(epsilon = 1e-14, maxit = 100)))
  s <- summary(f)$coefficients
  for (v in covs) {
    e <- coef(f)[[v]]; se <- s[v, 2]
    add(cell, rep, "logistic_ml", v, e, e - qnorm(0.975) * se, e + qnorm(0.975) * se, s[v, 4], "converged")
  }
  b <- glm(fo, family = binomial, data = x, method = "brglm_fit", type = "AS_mean", start = rep(0, length(covs) + 1),
           control = list(epsilon = 1e-12, maxit = 500))
  for (v in covs) add(cell, rep, "logistic_firth", v, coef(b)[[v]])
  for (v in c(covs, "outcome")) {
    ct <- cor.test(x$score, x[[v]])
    add(cell, rep, "correlation", if (v == "outcome") "failure" else v, unname(ct$estimate), ct$conf.int[1], ct$conf.int[2], ct$p.value)
  }
}
write.csv(do.call(rbind, rows), args[4], row.names = FALSE)
