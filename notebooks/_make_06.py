"""Write notebook 06 (multi-year projection of a Beijing book) from its cell sources, outputs stripped.

Run: python notebooks/_make_06.py   (the helpers come from notebooks/_make.py)
"""

from __future__ import annotations

from _make import code, md, write


def projection_beijing():
    write("06_projection_beijing.ipynb", [
        md("""
# A Beijing book from 2026 to 2030: premiums, result, prevention funding and solvency

Every simulated year in `ajx.simulate` is independent. Regulators ask questions about time:

1. **Beijing's draft** moves the prevention fee to 20 % of the collected premium by the end of
   2028, carries unspent money forward, and indexes the per-person limit to income every year.
   How do premiums, the insurer's result and the funding of mandated services move from 2026 to 2030?
2. **Floating rates** reward claim-free units and surcharge units after an accident. How does the
   book's rate level drift as histories evolve (the bonus-malus "balance" over time)?
3. **Solvency**: can an insurer writing the book hold a solvency ratio of at least 100 %, as
   Xinzhou requires of insurers in its market?

`ajx.project` follows a synthetic `beijing` book on many simulated paths. Each policy year it
reprices every policy on every path with the table's floating factors (the accident-history factor
follows that path's claims), runs the prevention money through the ledger, and simulates every
policy's claims. The Beijing 2026 jurisdiction bundle supplies the rate table, the fee ramp
(15 % in 2025 rising in equal steps to 20 % in 2028, the intermediate steps an assumption), the
carry-forward ledger and the 2017 mandate of one on-site hazard inspection per insured unit a
year. The frequency trend (−6 % a year), income growth beyond the data (+4.5 %), severity growth
and unit-cost inflation are labelled assumptions; the levers table below lists every one with its
source.
"""),
        code("""
import os
import numpy as np
import pandas as pd
import ajx_actuarial as ajx

N = int(os.environ.get("AJX_NB_N", 20_000))          # insured units: the Beijing pilot had about 21 370 (DOMAIN.md §7.4)
PATHS = int(os.environ.get("AJX_NB_YEARS", 1_000))   # simulated paths; the test suite runs this notebook small
pd.set_option("display.width", 160, "display.max_columns", 20)

book = ajx.synth.portfolio(N, preset="beijing", rng=2026)
bj26 = ajx.jurisdictions.load("beijing-2026")
fee = bj26.fee_schedule(years=5, start_year=2026).as_mapping()
BEIJING = dict(years=5, start_year=2026, table=bj26.rate_table(), paths=PATHS, rng=2026, limits="beijing", fee_ratio=fee,
               ledger=bj26.ledger, rules=bj26.prevention_rules(), pooling=bj26.pooling, trend=-0.06)
print(f"{len(book):,} units, {book['headcount'].sum():,} workers; fee ratio by year {fee}; ledger {bj26.ledger}")
"""),
        md("## 1. Premiums, result and prevention funding under the Beijing draft"),
        code("""
bj = ajx.project(book, **BEIJING)
bj.levers
"""),
        code("""
MEASURES = ["limit_death", "premium", "insured_loss", "loss_ratio", "combined_ratio", "underwriting_result",
            "prevention_budget", "prevention_required", "prevention_spent", "carried_forward", "cost_share_funded", "policies_funded"]
means = bj.by_year.groupby("year")[MEASURES].mean()
means.style.format({c: "{:,.0f}" for c in MEASURES} | {c: "{:.1%}" for c in ("loss_ratio", "combined_ratio", "cost_share_funded", "policies_funded")})
"""),
        code("""
fig = bj.plot(["premium", "insured_loss", "underwriting_result", "combined_ratio", "prevention_budget", "cost_share_funded"])
"""),
        md("""
The limit follows the Beijing formula year by year (20 × prior-year Beijing income − the
work-death grant, 802 460 CNY in 2026) and the premium follows it through the table's
increased-limit factors. The −6 % frequency trend outweighs the growth of the limit and of
economic losses, so the loss ratio falls; the table itself is not re-based in the projection.

The mandate (one on-site inspection per unit a year at 5 000 CNY, unit costs +4.5 % a year)
costs far more than the budget. With money pooled per policy (the bundle's choice), large
units have more than their inspection costs and carry the rest forward, while small units
cannot buy theirs. The ledger regimes and the pool change who pays and what is left idle:
"""),
        code("""
regimes = {
    "carry forward, per policy (Beijing draft)": bj,
    "not provisioned, per policy (Zhejiang/Xinzhou)": ajx.project(book, **{**BEIJING, "ledger": "not_provisioned"}),
    "carry forward, insurer pool": ajx.project(book, **{**BEIJING, "pooling": "insurer"}),
}
last = max(bj.years)
pd.DataFrame({name: {
    "budget 2026-30 (m CNY)": r.by_year.groupby("path")["prevention_budget"].sum().mean() / 1e6,
    "spent 2026-30 (m CNY)": r.by_year.groupby("path")["prevention_spent"].sum().mean() / 1e6,
    f"carried at end {last} (m CNY)": r.by_year.loc[r.by_year["year"] == last, "carried_forward"].mean() / 1e6,
    f"share of mandated cost funded {last}": r.by_year.loc[r.by_year["year"] == last, "cost_share_funded"].mean(),
    "underwriting result 2026-30 (m CNY)": r.by_year.groupby("path")["underwriting_result"].sum().mean() / 1e6,
} for name, r in regimes.items()}).round(3)
"""),
        md("""
## 2. The bonus-malus balance: how the rate level drifts

The accident-history factor (claim-free 1 / 2 / 3+ years −5 / −8 / −10 %, a non-fatal claim
last year +5 %, a fatal accident in three years +10 / +20 / +30 % by the worst accident's grade)
moves each policy between classes. The shares of the classes at each renewal, and the mean float
factor, show where the book's rate level goes.
"""),
        code("""
bj.classes.pivot(index="year", columns="class", values="share").style.format("{:.2%}")
"""),
        md("""
Two classes stay empty by construction: a policy whose last claim was two or three years ago is
counted in "claim-free 1 y" or "2 y" (the claim-free count takes precedence), and the projection
renews the same units every year, so none is new ("no history").

The synthetic book's histories were drawn from the same loss model, so at a constant frequency it
starts in its stationary balance. Ten years with and without the −6 % trend, limits as priced, to
separate the two effects:
"""),
        code("""
ten = dict(years=10, start_year=2026, table="beijing-2026", paths=max(PATHS // 2, 20), rng=7, severity_trend=0.0)
drift = {f"trend {tr:+.0%}": ajx.project(book, trend=tr, **ten).by_year.groupby("year")[["mean_history_factor", "mean_float_factor", "premium"]].mean()
         for tr in (0.0, -0.06)}
balance = pd.concat(drift, axis=1)
balance.style.format("{:.4f}").format("{:,.0f}", subset=[c for c in balance.columns if c[1] == "premium"])
"""),
        code("""
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(6, 3.2))
for k, d in drift.items():
    ax.plot(d.index, d["mean_history_factor"], marker="o", ms=3, label=k)
ax.set_xlabel("policy year"); ax.set_ylabel("mean accident-history factor")
ax.set_title("Bonus-malus balance over time"); ax.legend();
"""),
        md("""
## 3. Solvency: C-ROSS phase II for the liability line, and a 1-in-200 view

`result.capital()` applies Rule 4 to each path and year: premium risk = the year's ex-VAT premium
× 0.203 × (1 + k1), k1 from the year's combined ratio (−5 % at ≤ 95 %, 0, +5 %, +10 % above
105 %); reserve risk = outstanding reserve × 0.433, aggregated with ρ = 0.5. The year-end
outstanding reserve is an input (`capital(outstanding_ratio=...)`, a share of the year's loss);
the last table of this section compares none, `capital()`'s default and 50 % (an assumption).
Capital = initial capital + the results so far; the default initial capital is the first year's
minimum for premium risk alone (k = 0), so a line that also holds reserve risk starts below
100 %. This is the line on its own: no market, credit or control risk,
no diversification with the insurer's other business. Beside it, the 99.5 % VaR of the one-year
result over the paths (the 99.5 % level is an assumption for these factors).
"""),
        code("""
cap = bj.capital()                       # initial capital = the first year's C-ROSS premium-risk minimum at k = 0
display(cap.summary().style.format("{:.3f}").format("{:,.0f}", subset=["minimum_capital", "capital"]))
cap.internal[["mean_result", "var", "var_unexpected", "var_lo", "var_hi", "cross_minimum_capital"]].round(-3)
"""),
        code("""
from ajx_actuarial.plots import solvency_figure
fig = solvency_figure(cap.summary(), cap.internal)
"""),
        code("""
prem0 = bj.by_year.loc[bj.by_year["year"] == 2026, "premium_ex_vat"].mean()
rows = {}
for label, kw in {"no reserve risk": {"outstanding_ratio": 0.0},
                  "capital()'s default reserve": {},
                  "outstanding = 50 % of the year's loss (assumption)": {"outstanding_ratio": 0.5}}.items():
    c = bj.capital(**kw)
    rows[label] = {"C-ROSS minimum 2026 (m CNY)": c.by_year.query("year == 2026")["minimum_capital"].mean() / 1e6,
                   "P(< 100 % in some year), starting at the premium-risk minimum": c.p_below(1.0),
                   "capital for >= 100 % every year, 99.5 % of paths (m CNY)": c.required_initial_capital(0.995) / 1e6,
                   "the same / 2026 ex-VAT premium": c.required_initial_capital(0.995) / prem0,
                   "capital for >= 100 % every year, 95 % of paths (m CNY)": c.required_initial_capital(0.95) / 1e6}
pd.DataFrame(rows).round(3)
"""),
        md("## Conclusion"),
        code("""
y0, y1 = bj.by_year.query("year == 2026"), bj.by_year.query("year == 2030")
c = bj.capital()
print(f"1. Premium {y0['premium'].mean() / 1e6:,.2f} m → {y1['premium'].mean() / 1e6:,.2f} m CNY (limit {y0['limit_death'].iloc[0]:,.0f} → "
      f"{y1['limit_death'].iloc[0]:,.0f}); combined ratio {y0['combined_ratio'].mean():.1%} → {y1['combined_ratio'].mean():.1%}; "
      f"prevention budget {y0['prevention_budget'].mean() / 1e6:,.2f} m → {y1['prevention_budget'].mean() / 1e6:,.2f} m against "
      f"{y0['prevention_required'].mean() / 1e6:,.0f} m → {y1['prevention_required'].mean() / 1e6:,.0f} m of mandated inspections: "
      f"{y0['cost_share_funded'].mean():.1%} → {y1['cost_share_funded'].mean():.1%} funded; {y1['carried_forward'].mean() / 1e6:,.2f} m carried idle in 2030.")
print(f"2. Mean float factor {y0['mean_float_factor'].mean():.4f} → {y1['mean_float_factor'].mean():.4f} "
      f"(history factor {y0['mean_history_factor'].mean():.4f} → {y1['mean_history_factor'].mean():.4f}).")
c0 = c.by_year.query("year == 2026")["minimum_capital"].mean()
print(f"3. Starting with {c.initial_capital / 1e6:,.2f} m CNY (the 2026 premium-risk minimum at k = 0; the mean 2026 minimum is "
      f"{c0 / 1e6:,.2f} m), {c.p_below(1.0):.0%} of paths fall below 100 % in some year; "
      f"{c.required_initial_capital(0.995) / 1e6:,.1f} m CNY ({c.required_initial_capital(0.995) / c0:.1f} × the 2026 minimum) keeps >= 100 % "
      f"every year on 99.5 % of paths; VaR 99.5 % of a year's result {c.internal['var'].mean() / 1e6:,.1f} m vs C-ROSS minimum "
      f"{c.internal['cross_minimum_capital'].mean() / 1e6:,.1f} m (means over the years).")
"""),
        md("""
**Reading.** The printed lines above give this run's figures (the default size is 20 000 units
and 1 000 paths, seed 2026; the test suite runs it small):

1. **Premiums rise, the result improves, and the mandate stays unfunded.** The indexed limit
   (the Beijing formula) lifts the premium through the table's increased-limit factors, while
   the −6 % frequency trend lowers the loss ratio, so the combined ratio falls. The fee ramp
   raises the prevention budget, but one on-site inspection per unit a year costs several times
   the budget: only a small share of the mandated cost is funded in any year. Carry-forward per
   policy leaves money idle in large units' pools while small units go without; pooling at the
   insurer spends it all and funds a little more; without pre-provisioning (Zhejiang/Xinzhou)
   the unspent budget stays in the insurer's result.
2. **The bonus-malus balance barely moves.** The book's histories were drawn from the same loss
   model, so it starts in its stationary balance, most units in the 3+ claim-free class; at a
   constant frequency it stays there for ten years. The −6 % trend lets more units reach the top
   discount: the mean history factor drifts down slowly, and the premium at fixed limits erodes
   by about a per cent over ten years, against a fall of claim frequency of about 43 % (0.94⁹).
3. **A stand-alone 100 % is fragile.** Starting at the first year's premium-risk minimum (below
   100 % where reserve risk is counted), a large share of paths fall below 100 % in some year
   (printed, and by reserve assumption in the table above): one bad year of fatal clusters erases
   a year's margin. Keeping >= 100 % in every year on 99.5 % of
   paths takes a multiple of the first year's minimum (printed). Whether one year's 99.5 % VaR
   exceeds the factor-based charge depends on the book's size: a small, concentrated book's tail
   is heavier relative to its premium. An insurer whose company-wide ratio is far above 100 %
   (Xinzhou's test) carries the line easily; a line-level view shows why concentration in small
   安责险 books matters.
"""),
    ])


if __name__ == "__main__":
    projection_beijing()
