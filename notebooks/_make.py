"""Write the notebooks from their cell sources (outputs stripped). Run: python notebooks/_make.py [name ...]

Notebooks are numbered without gaps: 01 calibration, 02 floating rates and bonus-malus,
03 claims to rate table (written by notebooks/_make_03.py), 04 prevention budget, 05 large book,
06 projection of a Beijing book (written by notebooks/_make_06.py).
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
table charges what the default loss model supports; below, the same mine under it, its premium
beside the old filed one. The mandate is a number of services per unit: it does not move with
the premium, so the share covered follows the premium and the fee ratio.
"""),
        code("""
mine = pd.DataFrame({"policy_id": ["mine"], "industry": ["coal_mine"], "size": ["medium"],
                     "headcount": [300], "limit_death": [500_000]})
mine_priced = ajx.price(mine, "national-2025")
print(f"premium under national-2025: {mine_priced['premium'].iloc[0]:,.0f} CNY, "
      f"{mine_priced['premium'].iloc[0] / 120_000:.2f} × the old filed 120 000 CNY")
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
`pooling="insurer"` the whole book's budget is one pot: every mandated unit is funded when the
pot covers the book's mandated cost (`budget / required` at least 1) and none when it does not;
that column shows at which fee the pot first covers the mandates.
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
One on-site inspection per unit a year at 5 000 CNY costs far more than the book's prevention
budget: the `break_even_fee_ratio` printed above is well above the 21 % cap. The book's median
unit pays a premium of a few thousand CNY (the first table), so its fee is a few hundred CNY
against a 5 000 CNY inspection. That is the 2017 pilot's experience too: its earmarked fund paid for the inspection of 1 146 of 21 370 units
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
        code("""
above_cap = seg[seg["break_even_fee_ratio"] > 0.21].sort_values("break_even_fee_ratio", ascending=False)
above_cap[["mandated", "share_funded", "break_even_fee_ratio", "median_premium"]].round(3)
"""),
        md("""
**Reading.** At the default unit costs (DOMAIN.md §7.4, assumptions) the Xinzhou mandates cost
about as much as the book's whole prevention budget: pooled across the insurer's book, the
budget falls short at a 15 % fee and covers them only near the upper end of the range
(`budget / required`, printed by fee). Per unit the mandate is a fixed cost while the budget
follows the premium: the segments printed below would need a fee above the 21 % cap to fund
their own services, small and micro mines among them, and small and micro non-coal mines would
need more than their whole premium (above 1); large units mostly fund their own. Floating-rate discounts take a further part of the
budget: a well-graded enterprise pays less but must receive the same services. The policy
levers are a per-unit fee floor, services pooled for small units (the Xinzhou notice allows
online and pooled inspections for them), or fewer mandated
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

The truth is the package's loss model (`ajx.LossModel.default()`, MODEL.md): the book and its
experience are drawn from it, so the relativities a GLM should find are the model's own
(`m.relativities`, `m.region_effects`), and each unit carries the model's gamma frailty
(unobserved accident proneness, CV `m.frailty_cv`), persistent over its policy years.
"""),
        code("""
import os
import warnings
import numpy as np
import pandas as pd
import ajx_actuarial as ajx

N = int(os.environ.get("AJX_NB_N", 100_000))   # policies; the test suite runs this small
pd.set_option("display.width", 160, "display.max_columns", 20)
m = ajx.LossModel.default()                     # the truth
book = ajx.synth.portfolio(N, rng=11, model=m)
experience = ajx.synth.experience(book, years=3, rng=12, model=m)
print(f"truth: counts {m.counts}, frailty CV {m.frailty_cv}, systemic year CV {m.year_cv}")
experience[["exposure", "claims", "deaths", "disabilities", "incurred"]].sum()
"""),
        md("""
## Frequency and severity GLMs

Poisson frequency with a `log(exposure)` offset and Gamma severity, on the rating factors; all
factors are categorical, so the fit runs on aggregated rating cells (identical coefficients to
the row-level fit, far faster). Violations are banded 0 / 1 / 2+.

`calibrate` checks each factor's fitted direction (better standardisation grades cheaper, more
violations dearer…) and warns (`AjxWarning`) where the data break it; the helper below lists
those warnings instead of letting them scroll by.
"""),
        code("""
def quietly(step, *args, **kwargs):
    \"\"\"Run a calibration step; return its result and the direction warnings it raised.\"\"\"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ajx.AjxWarning)
        out = step(*args, **kwargs)
    return out, [str(w.message).split(";")[0] for w in caught if issubclass(w.category, ajx.AjxWarning)]

factors = ["size", "std_grade", "violations", "blacklisted", "rectification", "region"]
fit, notes = quietly(ajx.calibrate, experience, factors, bands={"violations": [0, 1]}, bases={"region": "beijing"})
print(fit.path, fit.diagnostics["n_fit"], "cells")
print("intervals:", fit.diagnostics["intervals_note"])
print("direction warnings:", notes or "none")
fit.relativities.round(3)
"""),
        md("""
### Which intervals, and why

The frailty makes claim counts over-dispersed: a unit's three policy years share its θ, and
units of the same rating cell differ by θ. The point estimates are still right (the Poisson
GLM is consistent for the mean), but Poisson standard errors that treat every worker-year as
independent are too narrow. `calibrate` therefore tests the Pearson dispersion of the rating
cells (χ²/df, one-sided at 5 %, printed above) and, when it is significantly above 1, uses
**policy-clustered (sandwich) intervals**: the residuals of a policy's years are summed before
they are squared, so the correlation of a unit's years and the spread of θ between units enter
the variance. `scale=1` forces Poisson intervals, `"X2"` quasi-Poisson (one inflation factor for
every relativity), `frequency="negbin"` models the extra variance.

Against the truth, relative to the calibration's base levels (size `small`, grade 0, no
violations, not blacklisted, rectified on time, Beijing):
"""),
        code("""
def relative_to(levels, base):
    return {str(k): v / levels[base] for k, v in levels.items()}

rel, bases = m.relativities, fit.bases
truth = {}
for f in ("size", "std_grade", "violations", "blacklisted", "rectification"):
    base = next(k for k in rel[f] if str(k) == str(bases[f]))
    top = str(max(rel["violations"])) if f == "violations" else None   # the model's top level means "that many or more"
    truth |= {(f, f"{k}+" if k == top else k): v for k, v in relative_to(rel[f], base).items()}
regions = {r: m.region_effects.get(r, 1.0) for r in book["region"].astype(str).unique()}
truth |= {("region", k): v for k, v in relative_to(regions, bases["region"]).items()}

compare = fit.relativities.set_index(["factor", "level"])[["relativity", "ci_low", "ci_high", "claims"]]
compare.insert(0, "truth", pd.Series(truth))
compare["truth inside"] = compare["truth"].between(compare["ci_low"], compare["ci_high"])
fitted_levels = compare[compare["ci_high"] > compare["ci_low"]]        # the base levels are 1 by definition
print(f"{fitted_levels['truth inside'].sum()} of {len(fitted_levels)} fitted relativities cover the truth "
      f"(95 % intervals: about {0.05 * len(fitted_levels):.1f} misses expected by chance)")
compare.round(3)
"""),
        md("""
### The rare levels are the noisy ones

Standardisation grade 1 (一级标准化) is rare, about one unit in two hundred, and blacklisting
(联合惩戒对象) about one in seventy. Their relativities rest on hundreds of policies at most,
and each policy's frailty is **part of the book**: it persists over the three years and over any re-draw of the
same book's experience. The effective sample is the number of policies, not the worker-years.

The check below refits on five *different books* (each with its own frailties), once under the
default model and once under a Poisson truth without frailty
(`LossModel.default(counts="poisson").process_only()`). It records the grade-1 relativity, the
standard error of its log that the automatic rule chose, and which intervals it chose. Where the
rule is right, the standard errors are about the size of the scatter of the log estimates from
book to book.
"""),
        code("""
poisson = ajx.LossModel.default(counts="poisson").process_only()

def grade1(model, book_seed):
    b = ajx.synth.portfolio(N, rng=book_seed, model=model)          # a new book: new frailties
    e = ajx.synth.experience(b, years=3, rng=12, model=model)
    f, w = quietly(ajx.calibrate, e, factors, bands={"violations": [0, 1]}, bases={"region": "beijing"})
    r = f.relativities.set_index(["factor", "level"]).loc[("std_grade", "1")]
    return {"grade 1": r["relativity"], "se of log": r["se"], "intervals": f.diagnostics["intervals"],
            "direction warnings": len(w)}

seeds = [11, 21, 31, 41, 51]
truths = {"negbin, frailty CV 0.5 (default)": m, "Poisson, no frailty": poisson}
runs = {k: pd.DataFrame([grade1(t, s) for s in seeds], index=pd.Index(seeds, name="book seed")) for k, t in truths.items()}
display(pd.concat(runs, axis=1).round(3))
pd.DataFrame({k: {"truth": m.relativities["std_grade"][1],
                  "mean estimate": r["grade 1"].mean(),
                  "sd of log estimate across books": np.log(r["grade 1"]).std(ddof=1),
                  "mean se of log (chosen intervals)": r["se of log"].mean(),
                  "books with clustered intervals": int((r["intervals"] == "robust").sum())}
              for k, r in runs.items()}).round(3)
"""),
        md("""
Under frailty the grade-1 estimate scatters from book to book by much more than under the
Poisson truth, and the dispersion test sends those books to clustered intervals whose standard
errors are of the order of that scatter. Five books estimate a standard deviation only
roughly (its own relative error is about a third), so read the comparison as an order of
magnitude. Without frailty the estimates sit close to the truth and the test mostly keeps
Poisson intervals (a 5 % test rejects a true Poisson now and then). A relativity several points
from the truth with an interval that covers it is what a frailty book produces; it is not a
bias of the method.
"""),
        md("## Sparse cells: industry × region credibility"),
        code("""
cells = (experience.groupby(["industry", "region", "year"], observed=True)
         .apply(lambda d: pd.Series({"freq": d["claims"].sum() / d["exposure"].sum(), "exposure": d["exposure"].sum()}))
         .reset_index())
h = ajx.hierarchical_credibility(cells, levels=("industry", "region"), ratio="freq", weight="exposure")
print(f"within {h.s2:.3g}, between regions {h.b:.3g}, between industries {h.a:.3g}")
h.groups.head(12).round(4)
"""),
        md("""
### What credibility does here

The credibility factor of a cell is Z = w / (w + k) with k = s² / b: the within-cell variance
per unit of weight over the variance between regions. The weight is worker-years; the line
below prints k, the range of the cells' weights and of their Z. Where most cells hold many
times k, Z is close to 1 and the credibility premium is, to a few decimals, the cell's own
frequency; only the thinnest cells are pulled visibly toward their industry. Two cautions:
(1) the within variance s² is estimated from year-to-year movement, and the persistent frailty
does not move from year to year, so s² (and k) are understated and Z overstated; (2) with few
policies per cell (a real regional book, or this notebook at a small size) Z falls well below 1.
Credibility earns its keep on thin cells.
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
monotone. The rest is refit, then `to_rate_table` writes the table: each fitted level's log
relativity and each industry's level are blended with the template's by credibility
(`credibility=0.25`, the prior sd of a log level; `credibility=None` keeps the data alone), and
the table is rebalanced so that expected loss is 60 % of the ex-VAT premium after the float
bounds and before the minimum premium.
"""),
        code("""
refined, notes = quietly(fit.refine, experience, fix={"std_grade": {"1": 0.90}}, monotone=["violations"])
print("direction warnings after refinement:", notes or "none")
template = ajx.RateTable.load("national-2025")
table = refined.to_rate_table(template, target_loss_ratio=0.60, name="calibrated-demo")
cal = table.data["meta"]["calibration"]
{k: cal[k] for k in ("template", "target_loss_ratio", "loss_ratio_after_minimum", "share_at_minimum", "size_structure", "level_credibility_tau")}
"""),
        code("""
levels = pd.DataFrame([{"factor": f, "level": lv, "fitted": v, "template": cal["template_relativity_by_level"][f][lv],
                        "credibility Z": cal["credibility_by_level"][f][lv]}
                       for f, lvs in cal["fitted_relativity_by_level"].items() for lv, v in lvs.items()]).set_index(["factor", "level"])
levels["in the table"] = np.exp(levels["credibility Z"] * np.log(levels["fitted"]) + (1 - levels["credibility Z"]) * np.log(levels["template"]))
print("credibility by industry:", {i: round(z, 2) for i, z in sorted(cal["credibility_by_industry"].items(), key=lambda kv: kv[1])})
levels.round(3)
"""),
        md("""
`Z = τ² / (τ² + se²)`: a level with a wide interval (a rare level, a region with few units) ends
near the template, a well-observed one keeps the data's. Fixed levels keep their value
(`Z = 1`): the regulator's grade 1, and also the violation levels, which `refine(monotone=...)`
turns into fixed offsets after the isotonic fit, so they reach the table unblended. Region is
not priced by the template, so its complement is 1. The premium change by industry × size
against the template:
"""),
        code("""
refined.premium_change(template, table).round(3).head(20)
"""),
        md("## Diagnostics"),
        code("""
holdout, _ = quietly(ajx.calibrate, experience, factors, bands={"violations": [0, 1]}, bases={"region": "beijing"},
                     holdout=0.2, rng=1)
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

* The GLMs recover the loss model's relativities (size, violations, blacklist, rectification,
  region) within their intervals, up to the misses a 95 % interval allows (counted above); the
  rare levels (grade 1, blacklisted) are the noisiest, because frailty makes the effective
  sample the number of policies, not worker-years.
* The intervals are chosen by a dispersion test: on a frailty book, policy-clustered intervals
  whose width is of the order of the book-to-book scatter; on a Poisson book, Poisson
  intervals. Relativities that break their expected direction are reported as warnings;
  `refine(fix=..., monotone=...)` imposes the regulator's numbers and the order.
* Credibility blending changes little on cells with much exposure (Z near 1); it matters on a
  thin regional book, and `to_rate_table` blends thin industries and levels toward the template.
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

The floating factors of a rate table (费率浮动: standardisation grade, violations, blacklist,
rectification, accident history) on a synthetic national book, and the accident-history factor
looked at two ways: what it charges units of different sizes against the loss model's view of
their history, and, where it is a ladder of classes, as the Markov chain it is (stationary
distribution, mean relativity, Loimaranta efficiency, Norberg's optimal relativities, renewal
simulation).

Two kinds of history factor are packaged. The provincial tables whose source states a per-claim
rule keep classes (Beijing 2017: a lower rate after a claim-free year; Zhoushan 2018 and Xinzhou
2024: −5 / −8 / −10 % for 1 / 2 / 3+ claim-free years, +5 % after a claim, +10 / +20 / +30 %
after a fatal accident by its grade). `national-2025` compares a unit's claims in three years,
N, with the claims expected of its headcount, E: factor (k + N)/(k + E), k = 1/CV² of the loss
model's frailty, within ±30 %, and the fatal-accident surcharge on top (MODEL.md §3).
"""),
        code("""
import os
import numpy as np
import pandas as pd
import ajx_actuarial as ajx

N = int(os.environ.get("AJX_NB_N", 50_000))
pd.set_option("display.width", 160, "display.max_columns", 20)
table = ajx.RateTable.load("national-2025")
for title, frame in table.describe():
    if title.startswith("factor "):
        print(title); display(frame)
"""),
        md("## How the factors move premiums on a book"),
        code("""
book = ajx.synth.portfolio(N, rng=5)
priced = ajx.price(book, table)
lo, hi = table.float_bounds
fcols = [c for c in priced.columns if c.startswith("f_")]
pd.DataFrame({"mean": priced[fcols + ["float_raw", "float_factor"]].mean(),
              "share below 1": (priced[fcols + ["float_raw", "float_factor"]] < 1).mean(),
              "share clipped": [np.nan] * len(fcols) + [np.nan, ((priced["float_raw"] < lo) | (priced["float_raw"] > hi)).mean()]}).round(3)
"""),
        code("""
print(ajx.explain(priced, priced.loc[priced["float_factor"].idxmax(), "policy_id"]))
"""),
        md("""
## Claims per claim, or claims against expected claims

A unit of 1 000 workers expects dozens of claims in three years; a unit of 5 workers expects a
fraction of one. A per-claim ladder reads "a claim last year" the same in both: the large unit
is almost never claim-free, so it sits at or above 1 whatever its safety, and the micro unit is
almost always claim-free. The loss model's own reading of a history is the frailty posterior
(k + N)/(k + Λ), Λ the unit's expected claims from its industry, headcount and characteristics
(`LossModel.relativity` over `factor_relativity`): it averages about 1 in every size class,
because a history tells about the unit's proneness, not its size.

Below, per size class of the same book: the mean history factor under two per-claim tables and
under `national-2025`, the model's posterior, and, within each class, the correlation of each
table's factor with the posterior (how well it sorts units by what their history says; empty
where the factor is the same for every unit of the class).
"""),
        code("""
m = ajx.LossModel.default()
vb = ajx.validate_portfolio(book)
posterior = m.relativity(vb) / m.factor_relativity(vb)        # the history's part of the model's relativity
history_col = {"beijing-2017": "f_no_claim", "zhoushan-2018": "f_accidents", "national-2025": "f_claim_history"}
factor = pd.DataFrame({name: (priced if name == table.name else ajx.price(book, name))[col].to_numpy()
                       for name, col in history_col.items()})
factor["model posterior"] = posterior
factor["size"] = book["size"].reset_index(drop=True)          # keeps the size classes in order
factor["claims in 3 years"] = book["accidents_3y"].to_numpy()
by_size = factor.groupby("size", observed=True)
sorting = by_size.apply(lambda d: pd.Series({f"corr. {k}": d[k].corr(d["model posterior"]) if d[k].nunique() > 1 else np.nan
                                             for k in history_col}))
pd.concat([by_size.mean().add_prefix("mean "), sorting], axis=1).round(3)
"""),
        md("""
Read the first columns against the posterior: under the per-claim ladders the mean factor rises
with size (large units pay for being large, micro units get a discount for being small), while
the posterior stays near 1 in every class. `national-2025` does not rise with size. Where its
mean is below 1 for medium and large units, that has another reason: E is the industry's claims
per worker at the population average, and larger units are safer per worker (the model's size
relativity), so they have fewer claims than E. The cell base rates divide each industry × size
cell's mean float factor out (`ajx.rating.risk_based_table`, which built the packaged table), so
that does not lower the larger cells' premium level.
The correlations say what the factor is for: within a size class, the exposure-aware factor
follows the posterior closely, the per-claim ladders far less, and least for the larger units.

## Does each history class pay its risk?

`ajx.adequacy` audits any column of the priced book against the loss model's risk premium, with
each unit's relativity from its characteristics and its claim history. By `history_class` of
`national-2025`, beside each class's mean history factor and mean model posterior:
"""),
        code("""
aud = ajx.adequacy(book, table, by=["history_class"])
cls = pd.DataFrame({"history factor": priced["f_claim_history"].to_numpy(), "model posterior": posterior,
                    "class": priced["history_class"].astype(str).to_numpy()}).groupby("class")
per_class = cls.agg(**{"mean history factor": ("history factor", "mean"), "mean posterior": ("model posterior", "mean"),
                       "share posterior > 1.3": ("model posterior", lambda x: (x > 1.3).mean()),
                       "max posterior": ("model posterior", "max")})
seg = aud.by_segment[["policies", "ratio", "ratio_se", "thin", "below_risk"]].rename(columns={"ratio": "rated / risk premium"})
print(f"book: rated / risk premium {aud.summary['rated_premium'] / aud.summary['risk_premium']:.3f}; "
      f"{aud.summary['flagged_segments']} of {aud.summary['segments']} classes flagged")
seg.join(per_class).round(3)
"""),
        md("""
The book as a whole pays its modelled risk, and on average each class's factor is close to the
model's posterior for the same units; the ratios by class are not all 1 even so. What the
factor cannot do is follow the posterior where it is large: it is bounded at ±30 %, and a fatal
accident adds a fixed +10 / +20 / +30 % by grade, while a unit with many more claims than
expected has a posterior well above 1.3 (the share and the maximum above). The cell base rates
are balanced on whole cells, so what the bound leaves uncharged is carried by the cell's other
units. `below_risk` marks classes below their risk by more than the tolerance and two standard
errors; classes under 30 policies are `thin`, never flagged.

To check that reading, rebuild the table on this book with the rate builder twice: once as it
is, once with the history and float bounds wide enough never to bind (the fatal surcharge
kept), and audit both by history class.
"""),
        code("""
from ajx_actuarial.rating import risk_based_table

unbounded = table.with_changes(factors={"claim_history": {"bounds": [0.1, 10.0]}}, premium={"float_floor": 0.1, "float_cap": 10.0})
rebuilt = {"±30 % (as filed)": risk_based_table(table, book=book)[0],
           "bounds that never bind": risk_based_table(unbounded, book=book)[0]}
pd.DataFrame({k: ajx.adequacy(book, t, by=["history_class"]).by_segment["ratio"] for k, t in rebuilt.items()}).round(3)
"""),
        md("""
Without the bounds the non-fatal classes pay close to their risk; with them, the classes with
claims above expectation pay less and the others more, a transfer inside each cell rather than a
shortfall of the book. The fatal classes hold few units (thin at a small book size); where they
are large enough to read, they stay below their risk in both versions, because the graded
surcharge is smaller than what the claims behind a fatal accident say about the unit. The
market's ±30 % float convention (浮动幅度) is the binding constraint; a wider history range, or
underwriting of units whose claims run far above expectation, would close the gap.

## The accident-history ladder as a Markov chain

A per-claim ladder is a bonus-malus system: the state is the last three policy years
(claim-free, non-fatal claim, fatal accident by grade), and its relativities are the table's own
history factor, so the analytics describe the filed table exactly. `zhoushan-2018` has the
ladder that the national table had before it became exposure-aware.
"""),
        code("""
ladder = ajx.RateTable.load("zhoushan-2018").bonus_malus()
lams = [0.05, 0.1, 0.2, 0.4, 0.8, 1.6]
chain = pd.DataFrame({"mean relativity": [ladder.mean_relativity(l) for l in lams],
                      "Loimaranta efficiency": [ladder.efficiency(l) for l in lams]}, index=pd.Index(lams, name="claims per year"))
chain["premium change when the frequency doubles"] = 2 ** chain["Loimaranta efficiency"] - 1
chain.round(4)
"""),
        md("""
The efficiency is the elasticity of the long-run premium to the claim frequency: 1 would charge
a unit with twice the claims twice the premium; the last column is what this ladder charges for
doubling. The mean relativity rises with the claim frequency: a unit that expects a claim a year
lives at the +5 % class whatever its safety, which is the size loading of the previous section.

`national-2025`'s factor depends on the unit's expected claims, so its chain exists per unit:
`table.bonus_malus(lam)` for a unit expecting `lam` claims a year, evaluated at that frequency.
The chain's outcomes are per year (a year with claims counts as one claim), so it describes the
table only where two claims in one year are rare, a few tenths of a claim a year at most; the
book comparison above covers the larger units.
"""),
        code("""
small_lams = [l for l in lams if l <= 0.2]
pd.DataFrame({"national-2025 mean relativity": [table.bonus_malus(l).mean_relativity(l) for l in small_lams],
              "national-2025 efficiency": [table.bonus_malus(l).efficiency(l) for l in small_lams],
              "zhoushan-2018 efficiency": [ladder.efficiency(l) for l in small_lams]},
             index=pd.Index(small_lams, name="expected claims per year")).round(4)
"""),
        md("""
For comparison, a classic −1/+2 scale with wider relativities:
"""),
        code("""
classic = ajx.BonusMalus([0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.4, 1.7, 2.0], start=5)
pd.DataFrame({"classic -1/+2": [classic.efficiency(l) for l in lams],
              "zhoushan-2018 ladder": [ladder.efficiency(l) for l in lams]}, index=pd.Index(lams, name="claims per year")).round(3)
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
