"""Write the notebooks from their cell sources (outputs stripped). Run: python notebooks/_make.py"""

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

300 workers, a 500 000 CNY limit and a 0.8 ‰ base rate give a 120 000 CNY premium. At 15 % of
the ex-VAT premium the budget is about 17 000 CNY, against 2 × 8 000 + 5 000 + 12 000 = 33 000
CNY of mandated services.
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
ajx.prevention.compare(priced, rules="xinzhou-2024", fee_ratios=(0.15, 0.20, 0.21)).round(3)
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
## Beijing: 15 % now, 20 % by 2028, unused money carried forward

The 2017 Beijing rule asks for one on-site hazard inspection per insured unit per year.
"""),
        code("""
bj = ajx.prevention.assess(priced, rules="beijing-2017", fee_ratio={2026: 0.15, 2028: 0.20}, years=3,
                           carry_forward=True, pooling="segment")
display(bj.by_year)
{k: bj.summary[k] for k in ("share_funded", "total_shortfall", "total_surplus", "break_even_fee_ratio")}
"""),
        md("## Unit costs are uncertain: the shortfall as a distribution"),
        code("""
unc = ajx.prevention.assess(priced, rules="xinzhou-2024", fee_ratio=0.15, n_sims=200, rng=1)
pd.Series(unc.shortfall_samples).describe(percentiles=[0.05, 0.5, 0.95]).round(0)
"""),
        md("""
**Reading.** At the default costs the Xinzhou mandate is unaffordable for small and micro mines
at any fee up to the 21 % cap unless delivery is pooled across the insurer's book; large units
fund theirs several times over. Floating-rate discounts (`budget_lost_to_discounts`) make it
worse: a well-graded enterprise pays less but must receive the same services.
"""),
    ])


if __name__ == "__main__":
    for name in sys.argv[1:] or NOTEBOOKS:
        NOTEBOOKS[name]()
