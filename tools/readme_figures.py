"""Print the figures the README quotes beside their anchors, from a run made now.

    ajx demo -o ajx-demo && python tools/readme_figures.py ajx-demo

1. the demo table ("What the demo says"): the synthetic book against its anchors
   (``ajx.synth.check``), premium per unit, the loss ratio, prevention and the stress grid, read
   from the demo's output folder;
2. the break-even exposure of the Shandong (per project cost) and Hubei (per tonne) rates
   against the default loss model ("Other rating bases");
3. ``rating.market.market_comparison`` for every packaged table.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

import ajx_actuarial as ajx
from ajx_actuarial.rating.market import market_comparison
from ajx_actuarial.rating.table import packaged_tables


def demo_table(folder: Path) -> None:
    book = pd.read_parquet(folder / "portfolio.parquet")
    priced = pd.read_parquet(folder / "priced.parquet")
    s = json.loads((folder / "summary.json").read_text("utf-8"))
    chk = ajx.synth.check(book, "national").set_index("quantity")
    q = lambda k: float(chk.loc[k, "generated"])  # noqa: E731
    h = book["headcount"]
    print(f"workers per unit: mean {h.mean():.1f}, median {h.median():.0f}")
    print(f"share of workers in large units: {q('share of workers in large units'):.1%}")
    print(f"deaths per 100k workers (model, capped): coal {q('expected coal deaths per 100k workers (capped)'):.1f}, "
          f"all {q('expected deaths per 100k workers (capped at headcount)'):.1f}")
    print(f"premium per unit: mean {priced['premium'].mean():,.0f}, median {priced['premium'].median():,.0f}; "
          f"share <= 2 000 CNY {(priced['premium'] <= 2000).mean():.0%}")
    sm, mo = s["simulation"], s.get("model", {})
    print(f"loss model: {mo.get('anchors_met')} of {mo.get('anchors')} public anchors met; {mo.get('disabilities_per_death', 0):.1f} "
          f"disabilities per death; premium needed {mo.get('premium_per_worker', 0):,.0f} CNY per worker")
    print(f"premium per worker (table): {priced['premium'].sum() / priced['headcount'].sum():,.0f} CNY")
    print(f"tail: VaR 99.5 % / mean {sm['var_995_over_mean']:.2f}; (VaR - mean) / ex-VAT premium {sm['unexpected_over_premium']:.1%} "
          f"beside C-ROSS {sm['cross_premium_factor']}")
    a, p = s["adequacy"], s["prevention"]
    print(f"loss ratio: simulated {s['simulation']['mean_loss_ratio']:.1%}, exact {a['implied_loss_ratio']:.1%}, permissible "
          f"{a['permissible_loss_ratio']:.1%}; {a['flagged_segments']} of {a['segments']} segments below cost")
    print(f"prevention at {p['fee_ratio']:.0%} (pool: {p.get('pooling')}): {p.get('services_funded', float('nan')):.1%} of the mandated "
          f"services' cost paid, {p.get('spent_share', float('nan')):.2%} of ex-VAT premium spent; break-even fee "
          f"{p['break_even_fee_ratio']:.1%} pooled, {p['break_even_fee_ratio_median_policy']:.1%} median unit")
    st = pd.read_parquet(folder / "stress.parquet").set_index("scenario")
    b = st.loc["baseline"]
    for name, r in st.iterrows():
        print(f"  {name:24s} premium x{r['premium'] / b['premium']:.2f}, loss ratio {r['loss_ratio']:.1%}, "
              f"VaR 99.5 % {r['var_995'] / 1e6:,.0f} m, mandated cost paid {r.get('services_funded', float('nan')):.1%}")


def break_even(n: int = 200_000, seed: int = 9) -> None:
    con = ajx.jurisdictions.load("zhejiang").book(n, rng=seed)
    con = con[con["industry"] == "construction"].reset_index(drop=True)
    sd = "construction-shandong-2018"
    r = ajx.adequacy(con, sd).summary
    pr = ajx.price(con, sd)
    rate = pr["premium_raw"].sum() / pr["project_cost"].sum()  # the book's premium-weighted rate per CNY of project cost
    print(f"Shandong on {len(con):,} construction units at 601 300 CNY per worker-year: rated / risk premium "
          f"{r['rated_premium'] / r['risk_premium']:.2f}; break-even {r['risk_premium'] / con['headcount'].sum() / rate:,.0f} "
          f"CNY of project cost per worker-year")
    hb = "coal-output-hubei"
    mine = ajx.synth.portfolio(n // 10, rng=seed, industry_mix={"coal_mine": 1.0})
    mine = mine.assign(limit_death=200_000.0, limit_medical=20_000.0, limit_accident=2e6, limit_annual=4e6,
                       output_tonnes=mine["headcount"] * 1.0)
    t = ajx.RateTable.load(hb)
    vat = t.loadings["vat"]
    risk = ajx.expected_loss(ajx.price(mine, hb))["expected_loss"].sum() * (1 + vat) / t.expected_loss_ratio()
    per_t = float(t.exposure_base.rates[0])
    print(f"Hubei: risk premium {risk / mine['headcount'].sum():,.1f} CNY per coal worker at 200 000; break-even "
          f"{risk / mine['headcount'].sum() / per_t:,.1f} t of output per worker-year at {per_t} CNY/t")


def main(argv: list[str]) -> None:
    pd.set_option("display.width", 200, "display.max_colwidth", 60)
    if argv:
        demo_table(Path(argv[0]))
    break_even()
    for name in packaged_tables():
        print(f"\n{name}")
        print(market_comparison(name)[["point", "market_low", "market_high", "table", "position"]].to_string(index=False))


if __name__ == "__main__":
    main(sys.argv[1:])
