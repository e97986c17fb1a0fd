# Reference values for tests/reference/test_credibility.py (edge cases), made with
#   Rscript tests/reference/actuar/credibility_edges.R > tests/reference/actuar/credibility_edges.out
# R 4 with actuar 3.3-2 (Debian r-cran-actuar). Every number printed with 12 significant digits.
suppressMessages(library(actuar))
show <- function(label, x) cat(label, sprintf("%.12g", x), "\n")

## 1. Buhlmann-Straub, 4 groups x 5 periods with nearly equal group means: the unbiased
##    between variance is negative; the iterative estimator is then 0 (z = 0).
ratios <- matrix(c(10, 12,  9, 11, 13,
                   11,  9, 12, 10, 12,
                   12, 10, 11,  9, 11,
                    9, 13, 10, 12, 10), nrow = 4, byrow = TRUE)
weights <- matrix(c(50, 60, 40, 55, 45,
                    30, 35, 40, 25, 30,
                    80, 70, 90, 85, 75,
                    20, 25, 15, 30, 20), nrow = 4, byrow = TRUE)
d <- data.frame(group = 1:4, ratios, weights)
names(d) <- c("group", paste0("ratio.", 1:5), paste0("weight.", 1:5))
for (m in c("Buhlmann-Gisler", "iterative")) {
  fit <- cm(~group, d, ratios = ratio.1:ratio.5, weights = weight.1:weight.5, method = m)
  est <- if (m == "iterative") fit$iterative else fit$unbiased
  cat("## bs", m, "\n")
  show("a", est[["portfolio"]]); show("s2", est[["group"]])
  show("z", fit$cred); show("premiums", predict(fit)); show("collective", fit$means[[1]])
}

## 2. Hierarchical (Buhlmann-Gisler), 3 sectors x 3 groups x 4 periods: group means nearly
##    equal within each sector, so b truncates to 0; sectors still differ.
ratios <- matrix(c(
  100, 120,  90, 110,   110,  95, 115, 100,   105, 100, 110,  95,
  115, 135, 105, 125,   125, 110, 130, 115,   120, 115, 125, 110,
  105, 125,  95, 115,   115, 100, 120, 105,   110, 105, 115, 100), ncol = 4, byrow = TRUE)
weights <- matrix(c(
  50, 60, 40, 55,   30, 35, 40, 25,   80, 70, 90, 85,
  20, 25, 15, 30,   60, 50, 70, 65,   45, 40, 50, 35,
  25, 20, 30, 15,   40, 45, 35, 50,   10, 15, 20, 12), ncol = 4, byrow = TRUE)
d <- data.frame(sector = rep(1:3, each = 3), group = 1:9, ratios, weights)
names(d) <- c("sector", "group", paste0("ratio.", 1:4), paste0("weight.", 1:4))
fit <- cm(~sector + sector:group, d, ratios = ratio.1:ratio.4, weights = weight.1:weight.4)
p <- predict(fit, levels = c("sector", "group"))
cat("## hierarchical b = 0\n")
show("a", fit$unbiased[["portfolio"]]); show("b", fit$unbiased[["sector"]]); show("s2", fit$unbiased[["group"]])
show("Z", fit$cred[[1]]); show("z", fit$cred[[2]])
show("sector_premiums", p$sector); show("group_premiums", p$group); show("collective", fit$means[[1]])

## 3. Hierarchical on Hachemeister with a one-state cohort: cohorts (1, 3), (2, 4), (5).
##    actuar averages max(b_i, 0) over all cohorts, the one-state cohort counting as 0.
data(hachemeister)
h <- data.frame(hachemeister)
h$cohort <- c(1, 2, 1, 2, 3)
fit <- cm(~cohort + cohort:state, h, ratios = ratio.1:ratio.12, weights = weight.1:weight.12)
p <- predict(fit, levels = c("cohort", "state"))
cat("## hierarchical hachemeister cohorts (1,3) (2,4) (5)\n")
show("a", fit$unbiased[["portfolio"]]); show("b", fit$unbiased[["cohort"]]); show("s2", fit$unbiased[["state"]])
show("Z", fit$cred[[1]]); show("z", fit$cred[[2]])
show("sector_premiums", p$cohort); show("group_premiums", p$state); show("collective", fit$means[[1]])
