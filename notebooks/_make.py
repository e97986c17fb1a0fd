"""Write the notebooks from their cell sources (outputs stripped). Run: python notebooks/_make.py [name ...]

Notebooks are numbered without gaps: 01 calibration, 02 floating rates and bonus-malus,
03 claims to rate table (written by notebooks/_make_03.py), 04 prevention budget, 05 large book.
tests/notebooks checks that the committed .ipynb files equal what this script writes, and runs
each notebook at a small size (AJX_NB_N).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat as nbf

HERE = Path(__file__).parent


def md(s: str):
    return nbf.v4.new_markdown_cell(s.strip())


def code(s: str):
    return nbf.v4.new_code_cell(s.strip())


def write(name: str, cells) -> None:
    nb = nbf.v4.new_notebook()
    for i, c in enumerate(cells):  # stable ids: regenerating an unchanged notebook changes nothing
        c["id"] = f"{name[:2]}-{i:02d}"
    nb["cells"] = cells
    nb["metadata"]["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbf.write(nb, HERE / name)


NOTEBOOKS = {}


def notebook(fn):
    NOTEBOOKS[fn.__name__] = fn
    return fn


@notebook
def prevention():
    write("04_prevention_budget.ipynb", [
        md("""
# Can the prevention fee pay for the mandated services?

Regulators set a prevention-fee budget (事故预防服务费用) as a share of the collected premium:
at least 15 % of the ex-VAT premium in Xinzhou (2024) and Hebei, 20 % by 2028 in Beijing, never
more than 21 % nationally. They also mandate how often services are delivered: Xinzhou requires
coal and non-coal mines to receive 2 risk assessments and 2 hazard inspections (one of them a
"health-check" thorough inspection) a year, and large and medium hazardous-chemicals, fireworks
and metallurgy units 1 + 1.

This notebook prices a synthetic book, applies the Xinzhou mandates and unit costs from
DOMAIN.md §7.4 (all labelled assumptions), and shows where the money falls short.
"""),
        code("""
import os
import pandas as pd
import ajx_actuarial as ajx

N = int(os.environ.get("AJX_NB_N", 200_000))   # the test suite runs this notebook small
pd.set_option("display.width", 160, "display.max_columns", 20)
book = ajx.synth.portfolio(N, rng=2026)
priced = ajx.price(book, "national-2025")
priced[["premium", "premium_ex_vat", "prevention_budget"]].describe().round(0)
"""),
        md("""
## One coal mine, by hand (DOMAIN.md §7.4)

DOMAIN.md §7.4 works this mine at the old filed rate of 0.8 ‰: 300 workers × 500 000 CNY ×
0.8 ‰ = 120 000 CNY of premium, a 15 % budget of about 17 000 CNY against 2 × 8 000 + 5 000 +
12 000 = 33 000 CNY of mandated services, about half covered. The packaged `national-2025`
table charges what the default loss model supports, about half the old filed rates, so the
same mine's budget covers even less (below): the mandate is a number of services per unit and
does not shrink with the premium.
"""),
        code("""
mine = pd.DataFrame({"policy_id": ["mine"], "industry": ["coal_mine"], "size": ["medium"],
                     "headcount": [300], "limit_death": [500_000]})
mine_priced = ajx.price(mine, "national-2025")
pd.concat({f"{r:.0%}": ajx.prevention.assess(mine_priced, rules="xinzhou-2024", fee_ratio=r).by_policy.iloc[0]
           [["premium", "budget", "required_cost", "coverage", "shortfall"]] for r in (0.15, 0.20, 0.21)}, axis=1)
"""),
        md("## 15 % vs 20 % vs 21 %, and who pools the money"),
        code("""
cmp = ajx.prevention.compare(priced, rules="xinzhou-2024", fee_ratios=(0.15, 0.20, 0.21))
cmp["budget / required"] = cmp["total_budget"] / cmp["total_required"]
cmp.round(3)
"""),
        md("""
`share_funded` is the share of mandated units whose services are fully paid. Under
`pooling="insurer"` the whole book's budget is one pot: it is zero here because the pot is
smaller than the book's mandated cost at every fee up to the 21 % cap (`budget / required`).
"""),
        md("""
## The small-unit problem

Pooling helps the book as a whole, but per unit the mandate is a fixed cost while the budget
scales with premium: small and micro mines cannot fund 2 + 2 services from their own fee.
`break_even_premium` is the premium at which a typical mandated unit in the segment would fund
its own services at a 15 % fee.
"""),
        code("""
res = ajx.prevention.assess(priced, rules="xinzhou-2024", fee_ratio=0.15)
seg = res.by_segment[res.by_segment["mandated"] > 0]
seg[["mandated", "share_funded", "break_even_fee_ratio", "break_even_premium", "median_premium"]].round(3)
"""),
        code("""
fig = res.plot()
"""),
        md("""
## Beijing: the fee ramp to 20 % by 2028, unused money carried forward

The 2017 Beijing rule asks for one on-site hazard inspection per insured unit per year; the 2026
draft raises the fee from 15 % (2025) to 20 % by 2028 (16.67 / 18.33 / 20 %, the ramp assumed in
the `beijing-2026` bundle) and carries unspent money forward.
"""),
        code("""
bj = ajx.prevention.assess(priced, rules="beijing-2017", fee_ratio={2026: 0.1667, 2027: 0.1833, 2028: 0.20}, years=3,
                           carry_forward=True, pooling="segment")
display(bj.by_year)
{k: bj.summary[k] for k in ("share_funded", "total_shortfall", "total_surplus", "break_even_fee_ratio")}
"""),
        md("""
One on-site inspection per unit a year costs about as much as this book's whole premium
(`break_even_fee_ratio` near 1): the book's median unit pays well under 1 000 CNY. That is the
2017 pilot's experience too: its earmarked fund paid for the inspection of 1 146 of 21 370 units
(`tests/reference/test_prevention_beijing.py`). A per-unit mandate needs a per-unit fee floor,
or inspections targeted by risk. Carrying money forward per segment does not help: it piles up
(`carried_out`) in segments whose budget exceeds their own inspections while the others fall
short every year.
"""),
        md("## Unit costs are uncertain: the shortfall as a distribution"),
        code("""
unc = ajx.prevention.assess(priced, rules="xinzhou-2024", fee_ratio=0.15, n_sims=200, rng=1)
pd.Series(unc.shortfall_samples).describe(percentiles=[0.05, 0.5, 0.95]).round(0)
"""),
        md("## Floating-rate discounts take budget too"),
        code("""
print(f"budget lost to floating-rate discounts: {res.summary['budget_lost_to_discounts'] / 1e6:,.1f} m CNY "
      f"({res.summary['budget_lost_to_discounts'] / res.summary['total_budget']:.1%} of the 15 % budget)")
"""),
        md("""
**Reading.** At the default unit costs (DOMAIN.md §7.4, assumptions) the Xinzhou mandates cost
more than the book's whole prevention budget at any fee up to the 21 % cap: even pooled across
the insurer's book the budget covers under half of the mandated cost, and the pooled break-even
fee is above 40 %. Per unit the mandate is a fixed cost while the budget follows the premium:
small and micro mines would need more than their whole premium (`break_even_fee_ratio` above
1); only large units fund their own services, and not all of them (large coal mines about
60 %). Floating-rate discounts make it worse: a well-graded enterprise pays less but must
receive the same services. The policy levers are a per-unit fee floor, services pooled for small
units (the Xinzhou notice allows online and pooled inspections for them), or fewer mandated
services for low-risk units.
"""),
    ])


@notebook
def calibration():
    write("01_calibrate_rate_table.ipynb", [
        md("""
# From claim experience to a filed rate table

An actuary's workflow on synthetic experience whose truth is known: fit claim-frequency and
severity GLMs, check the relativities against the truth, blend sparse industry × region cells
with credibility, impose the regulator's standardisation discount, rebalance to a target loss
ratio, price a book and look at the diagnostics.
"""),
        code("""
import os
import numpy as np
import pandas as pd
import ajx_actuarial as ajx

N = int(os.environ.get("AJX_NB_N", 100_000))   # policies; the test suite runs this small
book = ajx.synth.portfolio(N, rng=11)
truth = ajx.synth.TruthModel.default()
experience = ajx.synth.experience(book, years=3, rng=12, truth=truth)
experience[["exposure", "claims", "deaths", "disabilities", "incurred"]].sum()
"""),
        md("""
## Frequency and severity GLMs

Poisson frequency with a `log(exposure)` offset and Gamma severity, on the rating factors; all
factors are categorical, so the fit runs on aggregated rating cells (identical coefficients to
the row-level fit, far faster). Violations are banded 0 / 1 / 2+.
"""),
        code("""
factors = ["size", "std_grade", "violations", "blacklisted", "rectification", "region"]
fit = ajx.calibrate(experience, factors, bands={"violations": [0, 1]}, bases={"region": "beijing"})
print(fit.path, fit.diagnostics["n_fit"], "cells;", "Pearson dispersion", round(fit.diagnostics["dispersion_pearson"], 2))
fit.relativities.round(3)
"""),
        md("""
The Pearson dispersion above 1 is the truth's gamma frailty (unobserved heterogeneity): the
Poisson point estimates are right but its intervals are too narrow. `scale="X2"` widens them
(quasi-Poisson); `frequency="negbin"` models the extra variance.
"""),
        code("""
true = truth.relativities
pd.DataFrame({
    "fitted": fit.relativities.set_index(["factor", "level"])["relativity"].loc["std_grade"],
    "truth": pd.Series({str(k): v for k, v in true["std_grade"].items()}),
}).round(3)
"""),
        md("""
### Why grade 1 can be fitted several points from the truth's 0.75

The grade-1 relativity above may sit several points from 0.75 with a Poisson interval that
excludes it. That is not a bias of the method but sampling noise that the Poisson interval does
not see:

* grade-1 units are rare (about one in two hundred units), and each policy has a gamma frailty
  (unobserved quality, CV 0.5) that is **part of the book**: it persists over the three years
  and over any re-draw of the same book's experience. Exposure is concentrated in large units,
  so the effective sample is a few hundred grade-1 policies, not the worker-years;
* the Poisson standard errors treat every worker-year as independent; the Pearson dispersion
  printed above (well above 1) says they are too narrow, and even the quasi-Poisson interval
  misses the correlation of a policy's three years.

The check below refits on five *different books* (each with its own frailties), with the
truth's frailty and without it: with frailty the estimates scatter around 0.75 by several points
from book to book; without it, they land close to 0.75.
"""),
        code("""
import dataclasses

def grade1(truth_model, book_seed):
    b = ajx.synth.portfolio(N, rng=book_seed)  # a new book: new frailties
    e = ajx.synth.experience(b, years=3, rng=12, truth=truth_model)
    r = ajx.calibrate(e, factors, bands={"violations": [0, 1]}, bases={"region": "beijing"}).relativities
    return float(r.set_index(["factor", "level"]).loc[("std_grade", "1"), "relativity"])

no_frailty = dataclasses.replace(truth, frailty_cv=0.0)
seeds = [11, 21, 31, 41, 51]
check = pd.DataFrame({"frailty CV 0.5 (the book's truth)": [grade1(truth, s) for s in seeds],
                      "no frailty": [grade1(no_frailty, s) for s in seeds]},
                     index=pd.Index(seeds, name="book seed"))
check.loc["mean"] = check.mean()
check.loc["sd"] = check.iloc[:-1].std()
check.round(3)
"""),
        md("## Sparse cells: industry × region credibility"),
        code("""
cells = (experience.assign(freq=experience["claims"] / experience["exposure"])
         .groupby(["industry", "region", "year"], observed=True)
         .apply(lambda d: pd.Series({"freq": d["claims"].sum() / d["exposure"].sum(), "exposure": d["exposure"].sum()}))
         .reset_index())
h = ajx.hierarchical_credibility(cells, levels=("industry", "region"), ratio="freq", weight="exposure")
print(f"within {h.s2:.3g}, between regions {h.b:.3g}, between industries {h.a:.3g}")
h.groups.head(12).round(4)
"""),
        md("""
### Why credibility changes nothing here

The credibility factor of a cell is Z = w / (w + k) with k = s² / b: the within-cell variance
per unit of weight over the variance between regions. Here the weight is worker-years, and
nearly every industry × region cell holds many times k (printed below), so Z is close to 1 and
the credibility premium is, to three decimals, the cell's own frequency; only the thinnest cells
(a few industries in a few regions) are pulled visibly toward their industry.
Two cautions: (1) the within variance s² is estimated from year-to-year movement, and the
persistent frailty does not move from year to year, so s² (and k) are understated; (2) with
few policies per cell (a real regional book) Z would fall well below 1. Credibility earns its
keep on thin cells, not on this synthetic book.
"""),
        code("""
k = h.s2 / h.b if h.b > 0 else float("inf")
print(f"k = s2 / b = {k:,.0f} worker-years; cell weights from {h.groups['weight'].min():,.0f} "
      f"to {h.groups['weight'].max():,.0f}; Z from {h.groups['z'].min():.3f} to {h.groups['z'].max():.3f}; "
      f"{(h.groups['z'] >= 0.9).mean():.0%} of cells have Z >= 0.9")
"""),
        md("""
## Refinement and the filed table

The regulator fixes grade-1 standardisation at −10 % (N24 incentive); violations must be
monotone. The rest is refit, then the table is rebalanced so that expected loss is 60 % of the
ex-VAT premium after minimum premium and float bounds.
"""),
        code("""
refined = fit.refine(experience, fix={"std_grade": {"1": 0.90}}, monotone=["violations"])
template = ajx.RateTable.load("national-2025")
table = refined.to_rate_table(template, target_loss_ratio=0.60, name="calibrated-demo")
table.data["meta"]["calibration"]
"""),
        code("""
refined.premium_change(template, table).round(3).head(20)
"""),
        md("## Diagnostics"),
        code("""
holdout = ajx.calibrate(experience, factors, bands={"violations": [0, 1]}, bases={"region": "beijing"}, holdout=0.2, rng=1)
print("holdout Gini", round(holdout.diagnostics["gini"], 3), "actual/expected",
      round(holdout.diagnostics["holdout_actual"] / holdout.diagnostics["holdout_expected"], 3))
fig = holdout.plot_lift()
"""),
        code("""
fig = holdout.plot_lorenz()
holdout.actual_vs_expected("rectification")
"""),
        md("""
### Why actual / expected is exactly 1.0 by rectification status

`actual_vs_expected` above compares the model with the data it was fitted on. A Poisson GLM
with a log link and an intercept solves Σ (y − μ) x = 0 for every column x of its design
matrix; for a categorical factor those columns are level indicators, so fitted claims equal
observed claims within every level of every fitted factor. A/E = 1.0 there is an identity, not
evidence of fit. The evidence is on data the model has not seen: the 20 % holdout above (its
actual / expected and Gini), and A/E by a variable that was *not* in the model.
"""),
        code("""
print("holdout actual / expected:", round(holdout.diagnostics["holdout_actual"] / holdout.diagnostics["holdout_expected"], 3))
holdout.actual_vs_expected("dual_prevention")  # not a model factor: A/E may differ from 1
"""),
        md("""
## Conclusion

* The GLMs recover the truth's rating relativities (size, violations, blacklist,
  rectification) to within a few points; the standardisation discounts are the noisiest,
  because frailty makes the effective sample the number of policies, not worker-years. Read
  the Poisson intervals as a lower bound on the uncertainty; refit on other draws or bootstrap
  by policy before filing a relativity.
* Credibility blending changes little on cells with this much exposure (Z near 1 for most);
  it matters on a thin regional book.
* A/E = 1 on training data is guaranteed by the GLM; judge the model on holdout A/E, Gini and
  lift, and on variables left out of the model.
* The filed table (`table`) keeps the regulator's −10 % grade-1 discount and monotone
  violations, and is rebalanced to a 60 % loss ratio: price the book with it and explain any
  policy with `ajx.explain`.
"""),
    ])


@notebook
def bonus_malus():
    write("02_floating_rates_and_bonus_malus.ipynb", [
        md("""
# Floating rates and the bonus-malus system behind them

The floating factors of a rate table (standardisation grade, violations, blacklist,
rectification, accident history) and the accident-history factor analysed as the Markov chain
it is: stationary distribution, mean relativity, Loimaranta efficiency, Norberg's optimal
relativities, and renewal simulation of a portfolio.
"""),
        code("""
import os
import numpy as np
import pandas as pd
import ajx_actuarial as ajx

N = int(os.environ.get("AJX_NB_N", 50_000))
table = ajx.RateTable.load("national-2025")
for title, frame in table.describe()[3:8]:
    print(title); display(frame)
"""),
        md("## How the factors move premiums on a book"),
        code("""
priced = ajx.price(ajx.synth.portfolio(N, rng=5), table)
fcols = [c for c in priced.columns if c.startswith("f_")]
pd.DataFrame({"mean": priced[fcols + ["float_raw", "float_factor"]].mean(),
              "share below 1": (priced[fcols + ["float_raw", "float_factor"]] < 1).mean(),
              "share clipped": [np.nan] * len(fcols) + [np.nan, ((priced["float_raw"] < 0.7) | (priced["float_raw"] > 1.3)).mean()]}).round(3)
"""),
        code("""
print(ajx.explain(priced, priced.loc[priced["float_factor"].idxmax(), "policy_id"]))
"""),
        md("""
## The accident-history factor as a Markov chain

The chain's state is the last three policy years (claim-free, non-fatal claim, fatal accident by
grade); its relativities are the rate table's own history factor, so the analytics describe the
filed table exactly.
"""),
        code("""
bms = table.bonus_malus()
lams = [0.05, 0.1, 0.2, 0.4, 0.8, 1.6]
pd.DataFrame({"mean relativity": [bms.mean_relativity(l) for l in lams],
              "Loimaranta efficiency": [bms.efficiency(l) for l in lams]}, index=pd.Index(lams, name="claims per year")).round(4)
"""),
        md("""
An efficiency near 0.05 means a policy with twice the claim frequency pays about 3.5 % more in
the long run: the history factor (−10 % to +30 %) barely separates risks. For comparison, a classic −1/+2
scale with wider relativities:
"""),
        code("""
classic = ajx.BonusMalus([0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.4, 1.7, 2.0], start=5)
pd.DataFrame({"classic -1/+2": [classic.efficiency(l) for l in lams],
              "national-2025 history": [bms.efficiency(l) for l in lams]}, index=lams).round(3)
"""),
        md("## Norberg's optimal relativities for a gamma portfolio (mean 0.3 claims, CV 1)"),
        code("""
summ = classic.summary(0.3, shape=1.0)
summ.round(3)
"""),
        md("## Renewal simulation: how fast does a cohort reach the stationary mix?"),
        code("""
traj = classic.simulate(min(N, 20_000), 25, 0.3, shape=1.0, rng=1)
mean_rel = classic.relativities[traj].mean(axis=1)
target = classic.portfolio_stationary(0.3, 1.0) @ classic.relativities
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(mean_rel, label="cohort mean relativity"); ax.axhline(target, ls="--", color="k", label="stationary")
ax.set_xlabel("policy year"); ax.legend();
"""),
    ])


@notebook
def large_portfolio():
    write("05_large_portfolio_benchmark.ipynb", [
        md("""
# A large book end to end: 10^6 policies, timed

Synthesise, price, simulate 10 000 years and assess the prevention budget for a million
enterprises on this machine (2 cores). The test suite runs it at a small size; set
`AJX_NB_N=1000000` to reproduce the figures in the README.
"""),
        code("""
import os, time
import ajx_actuarial as ajx

N = int(os.environ.get("AJX_NB_N", 1_000_000))
YEARS = int(os.environ.get("AJX_NB_YEARS", 10_000))
timings = {}
t = time.perf_counter(); book = ajx.synth.portfolio(N, rng=1); timings["synth"] = time.perf_counter() - t
t = time.perf_counter(); priced = ajx.price(book, "national-2025"); timings["price"] = time.perf_counter() - t
t = time.perf_counter(); res = ajx.simulate(priced, YEARS, rng=2); timings["simulate"] = time.perf_counter() - t
t = time.perf_counter(); prev = ajx.prevention.assess(priced, rules="xinzhou-2024", fee_ratio=0.15); timings["prevention"] = time.perf_counter() - t
severe = (res.annual["accidents"] - res.annual["medical_only"]).sum()
print({k: round(v, 2) for k, v in timings.items()})
print(f"simulate: {timings['simulate']:.2f} s wall (validation and set-up {res.provenance['seconds_prepare']:.2f} s, "
      f"kernel {res.provenance['seconds_simulate']:.2f} s); {severe / res.provenance['seconds_simulate'] / 1e6:.1f} M fatal + "
      f"disability accidents per second in the kernel, {severe / timings['simulate'] / 1e6:.1f} M per second of wall time")
"""),
        code("""
res.summary()
"""),
        code("""
fig = res.plot()
"""),
        code("""
{k: prev.summary[k] for k in ("share_funded", "total_shortfall", "break_even_fee_ratio")}
"""),
    ])


if __name__ == "__main__":
    for name in sys.argv[1:] or NOTEBOOKS:
        NOTEBOOKS[name]()
