#!/usr/bin/env Rscript
# population-reference.R -- independent R (base only) reference values for optimal cut-points
# Run from this folder:  Rscript population-reference.R
# Writes population-reference.csv (main table) and population-reference-diagnostics.csv (grid/uniqueness checks).
#
# ---------------------------------------------------------------------------------------------
# SETTING
#   Score X. Event class: CDF F1, density f1, survival S1 = 1 - F1 (pnorm/plnorm with lower.tail=FALSE).
#   Non-event class: CDF F0, density f0. Prevalence p = 0.262. Positive test <=> X >= c.
#   Se(c) = 1 - F1(c) = S1(c);  Sp(c) = F0(c).
#   AUC = P(X1 > X0) = int F0(x) f1(x) dx.
#     normal:     AUC = pnorm((m1-m0)/sqrt(s1^2+s0^2))                       (closed form)
#     lognormal:  same formula on the log scale (monotone transform keeps AUC)  (closed form)
#     mixture:    AUC = sum_i sum_j w1i w0j pnorm((m1i-m0j)/sqrt(s1i^2+s0j^2))   (closed form)
#   Each closed form is cross-checked with integrate(F0*f1, rel.tol=1e-12) (difference in diagnostics).
#
# CRITERIA (objective J(c); derivative equation g(c) = A(c) - B(c) = 0 used by uniroot)
#   youden       max Se+Sp-1 = F0 - F1                     g: f0 - f1
#   roc01        min (1-Se)^2 + (1-Sp)^2 = F1^2 + S0^2     g: F1 f1 - S0 f0     (S0 = 1 - F0)
#   product      max Se*Sp = S1 F0                         g: S1 f0 - F0 f1
#   union        min |Se-AUC| + |Sp-AUC|  (kinks where Se=AUC or Sp=AUC). Between the kinks
#                c_a (S1=AUC) <= c <= c_b (F0=AUC) it equals 2AUC - (Se+Sp), so its interior
#                stationary point is the Youden root; otherwise the optimum is a kink.
#                Candidates {c_a, c_b, youden root} are evaluated; also optimize(tol=1e-12).
#   equal        root of Se - Sp = S1 - F0
#   accuracy     max p Se + (1-p) Sp                        g: (1-p) f0 - p f1
#   cost         min C p (1-Se) + (1-p)(1-Sp), C = 3        g: C p f1 - (1-p) f0
#   sens_at_spec root of F0(c) = 0.8  (smallest c with Sp >= 0.8 maximises Se)
#   spec_at_sens root of S1(c) = 0.8  (largest c with Se >= 0.8 maximises Sp)
#   net_benefit  max p Se - (1-p)(1-Sp) pt/(1-pt), pt = 0.2 g: (1-p) f0 pt/(1-pt) - p f1
#                (equivalently risk p f1/(p f1+(1-p) f0) = pt)
#
# R CALLS
#   grid      : seq(q0(0.001), q1(0.999), length.out = 20001); q0,q1 via qnorm/qlnorm, mixture via
#               uniroot(F - prob, tol = 1e-15). Local optima on the grid = points >= both neighbours
#               (edges count if better than their neighbour); best and second-best reported.
#               The derivative equation is also scanned on a wider range (grid +- 5) to flag stationary
#               points outside the grid (unequal class spreads give a second density crossing in a tail).
#   optimize  : optimize(J, c(x[i-2], x[i+2]), maximum=..., tol = 1e-12) around grid best i.
#               (A smooth optimum of J can only be located to ~sqrt(eps)*|c| ~ 1e-8 this way.)
#   uniroot   : uniroot(g, bracket, tol = 1e-13, maxiter = 1000) on the derivative / root equation.
#   tolerance : after uniroot, the smallest d in {1,2,5}x10^k (k >= -16) such that g(c-d), g(c+d)
#               have strictly opposite signs AND |g(c+-d)| > 1e3*eps*max(|A|,|B|) (so the signs are
#               not rounding noise). The true root lies in [c-d, c+d]; d is reported as tolerance.
#   qnorm/qlnorm : closed-form cross-check of sens_at_spec / spec_at_sens for normal & lognormal.
# ---------------------------------------------------------------------------------------------

p  <- 0.262; Cr <- 3; s_min <- 0.8; pt <- 0.2
eps <- .Machine$double.eps

mix <- function(w, m, s) list(
  F  = function(x) { r <- 0; for (k in seq_along(w)) r <- r + w[k] * pnorm(x, m[k], s[k]); r },
  S  = function(x) { r <- 0; for (k in seq_along(w)) r <- r + w[k] * pnorm(x, m[k], s[k], lower.tail = FALSE); r },
  f  = function(x) { r <- 0; for (k in seq_along(w)) r <- r + w[k] * dnorm(x, m[k], s[k]); r },
  w = w, m = m, s = s)
lnd <- function(ml, sl) list(
  F = function(x) plnorm(x, ml, sl), S = function(x) plnorm(x, ml, sl, lower.tail = FALSE),
  f = function(x) dlnorm(x, ml, sl), q = function(u) qlnorm(u, ml, sl), ml = ml, sl = sl)
qmix <- function(d, u) uniroot(function(x) d$F(x) - u, c(-50, 50), tol = 1e-15, maxiter = 2000)$root

pops <- list(
  normal = local({ e <- mix(1, 3.6, 0.55); n <- mix(1, 2.95, 0.45)
    e$q <- function(u) qnorm(u, 3.6, 0.55); n$q <- function(u) qnorm(u, 2.95, 0.45)
    list(ev = e, ne = n, auc = pnorm((3.6 - 2.95) / sqrt(0.55^2 + 0.45^2)), lo = -Inf) }),
  lognormal = local({ e <- lnd(log(3.5), 0.16); n <- lnd(log(2.9), 0.13)
    list(ev = e, ne = n, auc = pnorm((log(3.5) - log(2.9)) / sqrt(0.16^2 + 0.13^2)), lo = 0) }),
  mixture = local({ e <- mix(c(0.7, 0.3), c(3.5, 4.3), c(0.45, 0.5)); n <- mix(c(0.8, 0.2), c(2.9, 3.4), c(0.4, 0.35))
    e$q <- function(u) qmix(e, u); n$q <- function(u) qmix(n, u)
    a <- 0; for (i in 1:2) for (j in 1:2) a <- a + e$w[i] * n$w[j] * pnorm((e$m[i] - n$m[j]) / sqrt(e$s[i]^2 + n$s[j]^2))
    list(ev = e, ne = n, auc = a, lo = -Inf) }))

# verified bracket half-width around a root of A - B
verify_tol <- function(A, B, c) {
  g <- function(x) A(x) - B(x); sc <- function(x) max(abs(A(x)), abs(B(x)))
  for (k in -16:-2) for (mant in c(1, 2, 5)) {
    d <- mant * 10^k; gl <- g(c - d); gr <- g(c + d)
    if (gl * gr < 0 && abs(gl) > 1e3 * eps * sc(c - d) && abs(gr) > 1e3 * eps * sc(c + d)) return(d)
  }
  NA
}
root_AB <- function(A, B, lo, hi) {
  g <- function(x) A(x) - B(x)
  k <- 0
  while (sign(g(lo)) == sign(g(hi)) && k < 60) { w <- hi - lo; lo <- lo - w / 2; hi <- hi + w / 2; k <- k + 1 }
  r <- uniroot(g, c(lo, hi), tol = 1e-13, maxiter = 1000)
  list(root = r$root, tol = verify_tol(A, B, r$root), prec = r$estim.prec)
}
local_opt <- function(v) {            # indices of local maxima of v on the grid
  n <- length(v); i <- 2:(n - 1)
  idx <- i[v[i] >= v[i - 1] & v[i] >= v[i + 1]]
  if (v[1] > v[2]) idx <- c(1, idx); if (v[n] > v[n - 1]) idx <- c(idx, n)
  idx[order(-v[idx])]
}

rows <- list(); diag <- list()
for (pn in names(pops)) {
  P <- pops[[pn]]; F1 <- P$ev$F; S1 <- P$ev$S; f1 <- P$ev$f; F0 <- P$ne$F; S0 <- P$ne$S; f0 <- P$ne$f
  auc <- P$auc
  auc_int <- integrate(function(x) F0(x) * f1(x), P$lo, Inf, rel.tol = 1e-12, subdivisions = 2000L)$value
  x <- seq(P$ne$q(0.001), P$ev$q(0.999), length.out = 20001)
  Se <- S1; Sp <- F0
  U <- function(c) abs(Se(c) - auc) + abs(Sp(c) - auc)
  crit <- list(
    youden   = list(J = function(c) F0(c) - F1(c), max = TRUE, A = f0, B = f1),
    roc01    = list(J = function(c) F1(c)^2 + S0(c)^2, max = FALSE, A = function(c) F1(c) * f1(c), B = function(c) S0(c) * f0(c)),
    product  = list(J = function(c) S1(c) * F0(c), max = TRUE, A = function(c) S1(c) * f0(c), B = function(c) F0(c) * f1(c)),
    union    = list(J = U, max = FALSE),
    equal    = list(J = function(c) abs(S1(c) - F0(c)), root = TRUE, A = S1, B = F0),
    accuracy = list(J = function(c) p * S1(c) + (1 - p) * F0(c), max = TRUE, A = function(c) (1 - p) * f0(c), B = function(c) p * f1(c)),
    cost     = list(J = function(c) Cr * p * F1(c) + (1 - p) * S0(c), max = FALSE, A = function(c) Cr * p * f1(c), B = function(c) (1 - p) * f0(c)),
    sens_at_spec = list(J = S1, root = TRUE, A = F0, B = function(c) s_min + 0 * c, q = P$ne$q(s_min)),
    spec_at_sens = list(J = F0, root = TRUE, A = S1, B = function(c) s_min + 0 * c, q = P$ev$q(1 - s_min)),
    net_benefit  = list(J = function(c) p * S1(c) - (1 - p) * S0(c) * pt / (1 - pt), max = TRUE,
                        A = function(c) (1 - p) * f0(c) * pt / (1 - pt), B = function(c) p * f1(c)))
  for (cn in names(crit)) {
    K <- crit[[cn]]; c_opt <- NA; c_root <- NA; tol <- NA; method <- ""; g1 <- g2 <- l1 <- l2 <- NA; nloc <- NA; note <- ""
    if (isTRUE(K$root)) {
      gv <- K$A(x) - K$B(x); sc <- which(diff(sign(gv)) != 0); nloc <- length(sc)
      i <- if (length(sc)) sc[1] else which.min(abs(gv))
      r <- root_AB(K$A, K$B, x[max(1, i - 1)], x[min(length(x), i + 2)])
      cstar <- r$root; tol <- r$tol; method <- "uniroot"
      if (!is.null(K$q)) note <- sprintf("closed-form/quantile check: %.17g (diff %.3g)", K$q, cstar - K$q)
      if (nloc != 1) note <- paste(note, sprintf("[%d sign changes on grid]", nloc))
    } else {
      sgn <- if (K$max) 1 else -1
      v <- sgn * K$J(x); lo <- local_opt(v); nloc <- length(lo)
      i <- lo[1]; g1 <- sgn * v[i]; l1 <- x[i]
      if (nloc > 1) { g2 <- sgn * v[lo[2]]; l2 <- x[lo[2]] }
      if (i <= 2 || i >= length(x) - 1) note <- "GRID OPTIMUM AT EDGE"
      o <- optimize(K$J, c(x[max(1, i - 2)], x[min(length(x), i + 2)]), maximum = K$max, tol = 1e-12)
      c_opt <- if (K$max) o$maximum else o$minimum
      if (cn == "union") {
        ca <- root_AB(S1, function(c) auc + 0 * c, x[1], x[length(x)])
        cb <- root_AB(F0, function(c) auc + 0 * c, x[1], x[length(x)])
        iy <- local_opt(F0(x) - F1(x))[1]
        cy <- root_AB(f0, f1, x[max(1, iy - 1)], x[min(length(x), iy + 1)])
        cand <- list(kink_Se_eq_AUC = ca, kink_Sp_eq_AUC = cb, youden_root = cy)
        uv <- sapply(cand, function(z) U(z$root)); b <- which.min(uv)
        cstar <- cand[[b]]$root; tol <- cand[[b]]$tol; c_root <- cstar
        method <- sprintf("uniroot(%s)", names(cand)[b])
        note <- sprintf("c_a(Se=AUC)=%.10g c_b(Sp=AUC)=%.10g youden=%.10g; U: %s", ca$root, cb$root, cy$root,
                        paste(sprintf("%.6g", uv), collapse = "/"))
      } else {
        r <- root_AB(K$A, K$B, x[max(1, i - 1)], x[min(length(x), i + 1)])
        c_root <- r$root; cstar <- c_root; tol <- r$tol; method <- "uniroot(derivative)"
        gvals <- K$A(x) - K$B(x); note <- paste(note, sprintf("derivative sign changes on grid: %d", sum(diff(sign(gvals)) != 0)))
        # scan beyond the grid (to grid_lo - 5, or 0 for lognormal, and grid_hi + 5) for further stationary points
        xw <- seq(max(x[1] - 5, P$lo + 1e-3), x[length(x)] + 5, length.out = 400001)
        gw <- sign(K$A(xw) - K$B(xw)); nz <- gw != 0; xw <- xw[nz]; gw <- gw[nz]
        ch <- xw[which(diff(gw) != 0)]; ch <- ch[ch < x[1] | ch > x[length(x)]]
        if (length(ch)) note <- paste(note, "; extra stationary pt(s) OUTSIDE grid near", paste(sprintf("%.4g", ch), collapse = ","),
                                      "(local", if (K$max) "min)" else "max)")
      }
      if (abs(c_opt - cstar) > 1e-6) note <- paste(note, "OPTIMIZE DISAGREES")
    }
    obj <- switch(cn, equal = S1(cstar) - F0(cstar), K$J(cstar))
    rows[[length(rows) + 1]] <- data.frame(population = pn, criterion = cn, cstar = sprintf("%.17g", cstar),
      se = sprintf("%.17g", Se(cstar)), sp = sprintf("%.17g", Sp(cstar)), objective = sprintf("%.17g", obj),
      auc = sprintf("%.17g", auc), method = method, tolerance = sprintf("%.1g", tol))
    diag[[length(diag) + 1]] <- data.frame(population = pn, criterion = cn, cstar = sprintf("%.17g", cstar),
      c_optimize = sprintf("%.17g", c_opt), c_root = sprintf("%.17g", c_root), opt_minus_root = sprintf("%.3g", c_opt - c_root),
      n_local_optima_or_roots = nloc, grid_best_x = sprintf("%.10g", l1), grid_best = sprintf("%.17g", g1),
      grid_second_x = sprintf("%.10g", l2), grid_second = sprintf("%.17g", g2),
      grid_lo = sprintf("%.10g", x[1]), grid_hi = sprintf("%.10g", x[length(x)]),
      auc_integrate_minus_closed = sprintf("%.3g", auc_int - auc), note = trimws(note))
  }
}
out <- do.call(rbind, rows); dg <- do.call(rbind, diag)
write.csv(out, "population-reference.csv", row.names = FALSE, quote = FALSE)
write.csv(dg, "population-reference-diagnostics.csv", row.names = FALSE, quote = TRUE)
print(out[, c("population", "criterion", "cstar", "se", "sp", "method", "tolerance")], right = FALSE)
print(dg[, -c(1, 3)], right = FALSE)
