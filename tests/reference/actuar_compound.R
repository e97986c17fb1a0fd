# Reference values for tests/reference/test_exact_actuar.py, made with R actuar (Dutang, Goulet &
# Pigeon 2008): unbiased (local moment matching) discretisation of min(X, L) on the lattice
# 0, h, ..., L, then the Panjer recursion (aggregateDist "recursive").
# Run from the repository root:  Rscript tests/reference/actuar_compound.R > tests/reference/actuar_compound.csv
suppressMessages(library(actuar))
cases <- list(
  list(id = "A", freq = "poisson", lambda = 500, sev = "lognorm", p1 = 12, p2 = 1.5, L = 1e6, m = 240),
  list(id = "B", freq = "poisson", lambda = 50, sev = "lognorm", p1 = 11, p2 = 2.0, L = 4e5, m = 200),
  list(id = "C", freq = "negbin", size = 5, mu = 200, sev = "gamma", p1 = 2, p2 = 5000, L = 5e4, m = 100),
  list(id = "D", freq = "poisson", lambda = 10, sev = "lomax", p1 = 2.5, p2 = 1000, L = 1e5, m = 500)
)
cat("case,key,value\n")
out <- function(id, key, v) cat(sprintf("%s,%s,%.17g\n", id, key, v), sep = "")
for (cs in cases) {
  L <- cs$L; h <- L / cs$m
  if (cs$sev == "lognorm") {
    cdf <- function(x) ifelse(x < L, plnorm(x, cs$p1, cs$p2), 1)
    lev <- function(x) levlnorm(pmin(x, L), cs$p1, cs$p2)
  } else if (cs$sev == "gamma") {
    cdf <- function(x) ifelse(x < L, pgamma(x, cs$p1, scale = cs$p2), 1)
    lev <- function(x) levgamma(pmin(x, L), cs$p1, scale = cs$p2)
  } else {  # actuar's pareto is the Lomax (Pareto II) law: scipy.stats.lomax(c = shape, scale = scale)
    cdf <- function(x) ifelse(x < L, ppareto(x, cs$p1, scale = cs$p2), 1)
    lev <- function(x) levpareto(pmin(x, L), cs$p1, scale = cs$p2)
  }
  fx <- discretize(cdf(x), from = 0, to = L, step = h, method = "unbiased", lev = lev(x))
  if (cs$freq == "poisson") {
    Fs <- aggregateDist("recursive", model.freq = "poisson", model.sev = fx, lambda = cs$lambda,
                        x.scale = h, maxit = 1e7, tol = 1e-12)
  } else {
    Fs <- aggregateDist("recursive", model.freq = "negative binomial", model.sev = fx, size = cs$size,
                        prob = cs$size / (cs$size + cs$mu), x.scale = h, maxit = 1e7, tol = 1e-12)
  }
  out(cs$id, "h", h)
  out(cs$id, "sev_points", length(fx))
  out(cs$id, "sev_mean", sum(fx * (seq_along(fx) - 1) * h))
  out(cs$id, "sev_f0", fx[1]); out(cs$id, "sev_f1", fx[2]); out(cs$id, "sev_flast", fx[length(fx)])
  out(cs$id, "mean", mean(Fs))
  for (p in c(0.9, 0.99, 0.995)) out(cs$id, sprintf("var_%s", p), quantile(Fs, p))
  out(cs$id, "cte_0.99", CTE(Fs, 0.99))
  k <- knots(Fs); F <- Fs(k)
  for (q in c(0.1, 0.5, 0.9, 0.999)) {  # lattice points near these probabilities, and the cdf there
    x <- k[which(F >= q)[1]]
    out(cs$id, sprintf("x_%s", q), x); out(cs$id, sprintf("cdf_%s", q), Fs(x))
  }
}
