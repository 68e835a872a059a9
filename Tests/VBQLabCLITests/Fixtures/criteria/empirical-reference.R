# Reference values for the empirical optimal-cutpoint criteria, from two R packages and from a
# plain-R brute force.  Run from this folder:   Rscript empirical-reference.R
# Writes empirical-reference.csv, ties.csv and sim.csv here, and ../datasets/elas.csv.
#
# Versions (packageVersion): R 4.2.2 Patched (2022-11-10 r83330), OptimalCutpoints 1.1.5, cutpointr 1.1.2.
#
# Datasets (higher marker = positive; score >= cutoff is test-positive):
#   suicide  cutpointr data(suicide) (= ../datasets/suicide.csv, checked)  marker dsi,  positive suicide == "yes"  (36 / 532)
#   elas     OptimalCutpoints data(elas); write.csv(elas, "../datasets/elas.csv", row.names = FALSE, quote = FALSE)
#            marker elas, positive status == 1  (96 / 141)
#   ties     made here: positives 3.1 3.4 3.4 3.8 4.0 2.9 3.6, negatives 2.5 2.7 2.9 3.0 3.1 3.4 2.2 3.6 2.6;
#            write.csv(data.frame(score, outcome), "ties.csv", row.names = FALSE, quote = FALSE)  (7 / 16)
#   sim      simulated VBQ-like data made here with base R: set.seed(20261207); positives
#            round(rnorm(67, 3.62, 0.46), 2), then negatives round(rnorm(189, 2.97, 0.43), 2) (the rounding makes
#            ties on purpose: 137 distinct scores among 256, range 2.10..4.64); data.frame(score, outcome) with
#            outcome 1 / 0, positives first; write.csv(..., "sim.csv", row.names = FALSE, quote = FALSE)  (67 / 256)
#
# Calls (one OptimalCutpoints call per dataset, one cutpointr call per dataset and criterion):
#   optimal.cutpoints(X = "dsi"|"elas"|"score", status = "suicide"|"status"|"outcome", tag.healthy = "no"|0|0
#     (ties and sim both use score / outcome / 0),
#     methods = c("Youden", "ROC01", "MaxProdSpSe", "SpEqualSe", "MaxEfficiency", "MCT", "MinValueSp", "MinValueSe"),
#     data = d, direction = "<", ci.fit = FALSE,
#     control = control.cutpoints(CFN = 3, CFP = 1, valueSp = 0.8, valueSe = 0.8))
#   cutpointr(d, x, class, pos_class = "yes"|1, neg_class = "no"|0, direction = ">=", break_ties = c,
#     use_midpoints = FALSE, tol_metric = 1e-12, silent = TRUE, method = M, metric = F, ...) with
#     youden   maximize_metric, youden             roc01    minimize_metric, roc01
#     product  maximize_metric, prod_sens_spec     equal    minimize_metric, abs_d_sens_spec
#     accuracy maximize_metric, accuracy           cost     minimize_metric, misclassification_cost, cost_fp = 1, cost_fn = 3
#     sens_at_spec maximize_metric, sens_constrain, constrain_metric = specificity, min_constrain = 0.8
#     spec_at_sens maximize_metric, spec_constrain, constrain_metric = sensitivity, min_constrain = 0.8
#     (each call repeated with the default tol_metric = 1e-6: identical cutpoints in all 32 cases)
#   net_benefit: glm(outcome ~ score, binomial, control = glm.control(epsilon = 1e-14, maxit = 100)), refitted
#     from its own coefficients; cutoff = (qlogis(0.2) - b0) / b1; b0, b1 are in the note column.
#   union (Unal 2017, |Se-AUC| + |Sp-AUC|): in neither package, so brute force only; the brute-force AUC
#     (ties count 1/2) is checked equal to OptimalCutpoints' and cutpointr's empirical AUC.
#
# How the packages place thresholds and break ties (read from the installed sources):
#   OptimalCutpoints  candidates = sort(unique(marker)), observed values only: no +Inf, so the all-negative
#     partition (Se 0, Sp 1) can never be chosen (the all-positive one is the minimum value).  direction "<":
#     Se = mean(diseased >= c), Sp = mean(healthy < c).  Ties: every cutoff with round(crit, 10) ==
#     round(optimum, 10) is reported (ascending).  MaxEfficiency = p Se + (1-p) Sp with the sample p, i.e.
#     accuracy.  MCT = (CFN/CFP) p (1-Se) + (1-p)(1-Sp) (costs.ratio is not used by MCT).  MinValueSp: among
#     Sp >= valueSp take max Se (rounded to 10 digits), then among those max Sp; MinValueSe symmetrically.
#   cutpointr  candidates = observed values plus +Inf (prepended when the data have no Inf), no midpoints
#     unless use_midpoints = TRUE.  direction ">=": positive if x >= c.  Ties: all cutoffs whose metric is
#     within the absolute tol_metric (default 1e-6) of the optimum go to break_ties (default median; c keeps
#     them all, listed in descending order).  misclassification_cost = cost_fp FP + cost_fn FN in counts
#     (n times the criterion above), minimized.  sens_constrain / spec_constrain set the metric to 0 where
#     the constraint fails and maximize Se (Sp) with NO secondary tie-break, so with ties in Se it would
#     return every feasible cutoff of maximal Se, including lower-Sp ones (in suicide, elas and ties the
#     maximal Se / Sp is reached by a single cutoff; in sim it happens, see Agreement).  roc01 is the
#     distance sqrt(...), same argmin as OptimalCutpoints' squared distance.
#   bruteforce  candidates = every distinct observed score plus +Inf; each criterion is evaluated exactly on
#     integer counts (scaled to an integer < 2^53) and all candidates within relative 1e-12 of the optimum
#     are reported (= exact ties); constrained criteria break ties by max Sp (max Se).  Evaluating in
#     floating point with the same tolerance gives the same sets here.
#
# Agreement: every (Se, Sp) reported by OptimalCutpoints and cutpointr (71 rows, 17 of them for sim) except
#   one is a brute-force optimal partition, every brute-force optimum is reported by both packages
#   (including the 2-way ties: elas accuracy 21/22, elas cost 13/21, ties accuracy 3.1/3.4; in sim every
#   brute-force optimum is a single cutoff), and the reported Se/Sp equal those recomputed with the >= rule.
#   The one disagreement (printed as NOT-OPTIMAL by the check below, "1 disagreements"): sim sens_at_spec,
#   cutpointr returns 2 cutoffs, 3.31 (Se 50/67, Sp 153/189 = the brute force and OptimalCutpoints MinValueSp)
#   and 3.28 (Se 50/67, Sp 152/189 >= 0.8 but lower): max Se among Sp >= 0.8 is hit by both cutoffs and
#   sens_constrain has no secondary max-Sp tie-break (see above).  A consumer that wants "max Se, then
#   max Sp" must take 3.31.  +Inf is never optimal here, so OptimalCutpoints' missing +Inf candidate does
#   not matter.  The checks are re-run at the bottom of this script and print any disagreement.
suppressMessages({ library(OptimalCutpoints); library(cutpointr) })
options(warn = 1)
f17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))

## ---- datasets -------------------------------------------------------------------------------
data(suicide, package = "cutpointr")
s_csv <- read.csv("../datasets/suicide.csv", stringsAsFactors = FALSE)
stopifnot(identical(as.numeric(s_csv$dsi), as.numeric(suicide$dsi)),
          identical(s_csv$suicide, as.character(suicide$suicide)))
data(elas, package = "OptimalCutpoints")
write.csv(elas, "../datasets/elas.csv", row.names = FALSE, quote = FALSE)
ties <- data.frame(score   = c(3.1, 3.4, 3.4, 3.8, 4.0, 2.9, 3.6,
                               2.5, 2.7, 2.9, 3.0, 3.1, 3.4, 2.2, 3.6, 2.6),
                   outcome = c(rep(1, 7), rep(0, 9)))
write.csv(ties, "ties.csv", row.names = FALSE, quote = FALSE)
set.seed(20261207)   # simulated VBQ-like scores; rounding to 2 decimals makes ties on purpose
sim_pos <- round(rnorm(67, 3.62, 0.46), 2); sim_neg <- round(rnorm(189, 2.97, 0.43), 2)
sim <- data.frame(score = c(sim_pos, sim_neg), outcome = c(rep(1, 67), rep(0, 189)))
write.csv(sim, "sim.csv", row.names = FALSE, quote = FALSE)

specs <- list(
  suicide = list(df = as.data.frame(suicide), x = "dsi", cls = "suicide", pos = "yes", neg = "no"),
  elas    = list(df = elas, x = "elas", cls = "status", pos = 1L, neg = 0L),
  ties    = list(df = ties, x = "score", cls = "outcome", pos = 1, neg = 0),
  sim     = list(df = sim, x = "score", cls = "outcome", pos = 1, neg = 0))

rows <- list()
add <- function(ds, crit, pkg, cut, se, sp, note)
  rows[[length(rows) + 1]] <<- data.frame(dataset = ds, criterion = crit, package = pkg,
    cutpoint = f17(cut), se = f17(se), sp = f17(sp), note = note, stringsAsFactors = FALSE)

## ---- brute force ----------------------------------------------------------------------------
## Every criterion is evaluated on integer counts (scaled so it is an exact integer < 2^53), so
## "relative tolerance 1e-12" below is equivalent to exact equality of the rational values.
crits <- c("youden", "roc01", "product", "equal", "accuracy", "cost", "sens_at_spec", "spec_at_sens", "union")
brute <- function(score, y) {
  sp_s <- score[y == 1]; sn_s <- score[y == 0]; P <- length(sp_s); N <- length(sn_s)
  cand <- c(sort(unique(score)), Inf)
  tp <- sapply(cand, function(c) sum(sp_s >= c)); tn <- sapply(cand, function(c) sum(sn_s < c))
  U2 <- sum(outer(sp_s, sn_s, ">")) * 2 + sum(outer(sp_s, sn_s, "=="))   # 2 * Mann-Whitney U
  auc <- U2 / (2 * P * N)
  se <- tp / P; sp <- tn / N
  exact <- list(  # integer-scaled criterion, direction
    youden   = list(tp * N + tn * P, "max"),                       # (Se+Sp-1+1)*P*N
    roc01    = list((P - tp)^2 * N^2 + (N - tn)^2 * P^2, "min"),     # ((1-Se)^2+(1-Sp)^2)*P^2*N^2
    product  = list(tp * tn, "max"),                                # Se*Sp*P*N
    equal    = list(abs(tp * N - tn * P), "min"),                   # |Se-Sp|*P*N
    accuracy = list(tp + tn, "max"),
    cost     = list(3 * (P - tp) + (N - tn), "min"),                # (3 p (1-Se) + (1-p)(1-Sp)) * n
    union    = list(abs(2 * N * tp - U2) + abs(2 * P * tn - U2), "min"))  # (|Se-AUC|+|Sp-AUC|)*2PN
  flt <- list(youden = se + sp - 1, roc01 = (1 - se)^2 + (1 - sp)^2, product = se * sp,
              equal = abs(se - sp), accuracy = (tp + tn) / (P + N),
              cost = 3 * (P / (P + N)) * (1 - se) + (N / (P + N)) * (1 - sp),
              union = abs(se - auc) + abs(sp - auc))
  best <- function(v, dir) { b <- if (dir == "max") max(v) else min(v); which(abs(v - b) <= 1e-12 * abs(b)) }
  opt <- list(); val <- list(); fltdiff <- character()
  for (k in names(exact)) {
    opt[[k]] <- best(exact[[k]][[1]], exact[[k]][[2]])
    val[[k]] <- flt[[k]][opt[[k]][1]]
    if (!identical(opt[[k]], best(flt[[k]], exact[[k]][[2]]))) fltdiff <- c(fltdiff, k)
  }
  f1 <- which(sp >= 0.8); a <- f1[tp[f1] == max(tp[f1])]; opt$sens_at_spec <- a[tn[a] == max(tn[a])]
  f2 <- which(se >= 0.8); b <- f2[tn[f2] == max(tn[f2])]; opt$spec_at_sens <- b[tp[b] == max(tp[b])]
  list(cand = cand, tp = tp, tn = tn, P = P, N = N, se = se, sp = sp, auc = auc, opt = opt, val = val,
       first_stage = list(sens_at_spec = a, spec_at_sens = b), fltdiff = fltdiff)
}
sesp_at <- function(score, y, c) c(se = mean(score[y == 1] >= c), sp = mean(score[y == 0] < c))

bf <- list()
for (ds in names(specs)) {
  s <- specs[[ds]]; score <- as.numeric(s$df[[s$x]]); y <- as.numeric(s$df[[s$cls]] == s$pos)
  B <- bf[[ds]] <- brute(score, y)
  ## the brute-force AUC (ties count 1/2) must be both packages' empirical AUC
  auc_oc <- OptimalCutpoints:::calculate.empirical.AUC(s$df, s$x, s$cls, s$neg, "<")[["AUC"]]
  auc_cp <- cutpointr::auc(cutpointr::roc(s$df, !!rlang::sym(s$x), !!rlang::sym(s$cls), pos_class = s$pos,
                                          neg_class = s$neg, direction = ">="))
  stopifnot(abs(B$auc - auc_oc) < 1e-15, abs(B$auc - auc_cp) < 1e-15)
  if (length(B$fltdiff)) message(ds, ": floating-point evaluation (rel tol 1e-12) would tie differently for ",
                                 paste(B$fltdiff, collapse = ","))
  for (k in crits) {
    o <- B$opt[[k]]
    extra <- if (k %in% names(B$val)) sprintf("; optimum %s", f17(B$val[[k]]))
             else if (k == "sens_at_spec") sprintf("; max Se among Sp>=0.8 hit by %d cutoffs then max Sp", length(B$first_stage[[k]]))
             else sprintf("; max Sp among Se>=0.8 hit by %d cutoffs then max Se", length(B$first_stage[[k]]))
    if (k == "union") extra <- paste0(extra, sprintf("; AUC %s", f17(B$auc)))
    for (i in o) add(ds, k, "bruteforce", B$cand[i], B$se[i], B$sp[i],
                     sprintf("%d tied of %d candidates (observed values + Inf)%s", length(o), length(B$cand), extra))
  }
}

## ---- OptimalCutpoints -----------------------------------------------------------------------
oc_methods <- c(youden = "Youden", roc01 = "ROC01", product = "MaxProdSpSe", equal = "SpEqualSe",
                accuracy = "MaxEfficiency", cost = "MCT", sens_at_spec = "MinValueSp", spec_at_sens = "MinValueSe")
oc_ctrl <- control.cutpoints(CFN = 3, CFP = 1, valueSp = 0.8, valueSe = 0.8)
for (ds in names(specs)) {
  s <- specs[[ds]]
  oc <- optimal.cutpoints(X = s$x, status = s$cls, tag.healthy = s$neg, methods = unname(oc_methods),
                          data = s$df, direction = "<", control = oc_ctrl, ci.fit = FALSE)
  for (k in names(oc_methods)) {
    r <- oc[[oc_methods[[k]]]][[1]]$optimal.cutoff
    n <- length(r$cutoff)
    for (i in seq_len(n)) add(ds, k, "OptimalCutpoints", r$cutoff[i], r$Se[i, 1], r$Sp[i, 1],
      sprintf("method=%s; direction < (score >= cutoff positive); tag.healthy=%s; %d reported; candidates = observed values; ties = round(criterion 10)==round(optimum 10)",
              oc_methods[[k]], s$neg, n))
  }
}

## ---- cutpointr ------------------------------------------------------------------------------
cp_calls <- list(   # symbols, because cutpointr() names the method and metric with substitute()
  youden       = alist(method = maximize_metric, metric = youden),
  roc01        = alist(method = minimize_metric, metric = roc01),
  product      = alist(method = maximize_metric, metric = prod_sens_spec),
  equal        = alist(method = minimize_metric, metric = abs_d_sens_spec),
  accuracy     = alist(method = maximize_metric, metric = accuracy),
  cost         = alist(method = minimize_metric, metric = misclassification_cost, cost_fp = 1, cost_fn = 3),
  sens_at_spec = alist(method = maximize_metric, metric = sens_constrain, constrain_metric = specificity, min_constrain = 0.8),
  spec_at_sens = alist(method = maximize_metric, metric = spec_constrain, constrain_metric = sensitivity, min_constrain = 0.8))
cp_names <- c(youden = "youden", roc01 = "roc01", product = "prod_sens_spec", equal = "abs_d_sens_spec",
              accuracy = "accuracy", cost = "misclassification_cost(cost_fp=1 cost_fn=3)",
              sens_at_spec = "sens_constrain(constrain_metric=specificity min_constrain=0.8)",
              spec_at_sens = "spec_constrain(constrain_metric=sensitivity min_constrain=0.8)")
run_cp <- function(s, a, tol)
  do.call(cutpointr, c(list(data = s$df, x = rlang::sym(s$x), class = rlang::sym(s$cls), pos_class = s$pos,
                            neg_class = s$neg, direction = ">=", break_ties = quote(c), use_midpoints = FALSE,
                            tol_metric = tol, silent = TRUE), a))
for (ds in names(specs)) {
  s <- specs[[ds]]
  for (k in names(cp_calls)) {
    a <- cp_calls[[k]]
    cp <- run_cp(s, a, 1e-12)
    cp_def <- run_cp(s, a, 1e-6)   # the package default tol_metric
    cut <- unlist(cp$optimal_cutpoint); se <- unlist(cp$sensitivity); sp <- unlist(cp$specificity)
    same_def <- identical(sort(cut), sort(unlist(cp_def$optimal_cutpoint)))
    for (i in seq_along(cut)) add(ds, k, "cutpointr", cut[i], se[i], sp[i],
      sprintf("%s; %s; direction >=; pos_class=%s; break_ties=c; tol_metric=1e-12 (default 1e-6 %s); %d reported; candidates = observed values + Inf; no midpoints",
              cp_names[[k]], if (identical(a$method, quote(minimize_metric))) "minimize_metric" else "maximize_metric",
              s$pos, if (same_def) "gives the same" else "gives DIFFERENT cutpoints", length(cut)))
  }
}

## ---- net benefit threshold (logistic model) -------------------------------------------------
for (ds in names(specs)) {
  s <- specs[[ds]]; d <- data.frame(score = as.numeric(s$df[[s$x]]), outcome = as.numeric(s$df[[s$cls]] == s$pos))
  ctl <- glm.control(epsilon = 1e-14, maxit = 100)
  f0 <- glm(outcome ~ score, family = binomial, data = d, control = ctl)
  f <- glm(outcome ~ score, family = binomial, data = d, start = coef(f0), control = ctl)
  stopifnot(f$converged); b <- unname(coef(f)); cut <- (qlogis(0.2) - b[1]) / b[2]
  ss <- sesp_at(d$score, d$outcome, cut)
  add(ds, "net_benefit", "glm", cut, ss[["se"]], ss[["sp"]],
      sprintf("glm(outcome ~ score binomial epsilon=1e-14) b0=%s b1=%s; cutoff=(qlogis(0.2)-b0)/b1; se/sp by score>=cutoff",
              f17(b[1]), f17(b[2])))
}

out <- do.call(rbind, rows)
write.csv(out, "empirical-reference.csv", row.names = FALSE)

## ---- verification against the brute force --------------------------------------------------
## Every package row: its (Se, Sp), recomputed from its cutpoint with the >= rule, must equal the
## reported one and be one of the brute-force optimal partitions; every brute-force optimum must be
## reported by the package (completeness). Disagreements are printed.
nchk <- 0; nbad <- 0
for (ds in names(specs)) {
  s <- specs[[ds]]; score <- as.numeric(s$df[[s$x]]); y <- as.numeric(s$df[[s$cls]] == s$pos); B <- bf[[ds]]
  for (k in crits) {
    okp <- unique(paste(B$tp[B$opt[[k]]], B$tn[B$opt[[k]]]))
    for (pkg in c("OptimalCutpoints", "cutpointr")) {
      r <- out[out$dataset == ds & out$criterion == k & out$package == pkg, ]
      if (!nrow(r)) next
      got <- character()
      for (j in seq_len(nrow(r))) {
        c <- as.numeric(r$cutpoint[j]); tp <- sum(score[y == 1] >= c); tn <- sum(score[y == 0] < c)
        if (abs(tp / B$P - as.numeric(r$se[j])) > 1e-15 || abs(tn / B$N - as.numeric(r$sp[j])) > 1e-15)
          cat(sprintf("SESP-MISMATCH %s %s %s cut=%s reported %s/%s\n", ds, k, pkg, r$cutpoint[j], r$se[j], r$sp[j]))
        p <- paste(tp, tn); got <- c(got, p); nchk <- nchk + 1; nbad <- nbad + !(p %in% okp)
        if (!p %in% okp) cat(sprintf("NOT-OPTIMAL %s %s %s cut=%s Se=%s Sp=%s (tp=%d tn=%d)\n", ds, k, pkg, r$cutpoint[j], r$se[j], r$sp[j], tp, tn))
      }
      miss <- B$opt[[k]][!paste(B$tp[B$opt[[k]]], B$tn[B$opt[[k]]]) %in% got]
      nbad <- nbad + length(miss)
      for (i in miss) cat(sprintf("MISSING %s %s %s brute-force optimum cut=%s Se=%s Sp=%s not reported\n",
                                  ds, k, pkg, f17(B$cand[i]), f17(B$se[i]), f17(B$sp[i])))
    }
  }
}
cat("checked", nchk, "package rows against the brute force:", nbad, "disagreements\n")
cat("wrote empirical-reference.csv,", nrow(out), "rows\n")
