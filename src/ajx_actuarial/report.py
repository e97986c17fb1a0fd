"""A self-contained HTML report (inline CSS, figures embedded as PNG) from saved outputs.

``write_report(out_dir)`` reads what ``ajx demo`` / ``ajx stress`` write into a folder
(``priced.parquet``, ``simulation.parquet``, ``prevention_segments.parquet``, ``stress.parquet``,
``summary.json``) and writes ``report.html``; any missing piece is left out of the report.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import pandas as pd

from ._version import __version__
from .errors import ValidationError
from .portfolio import atomic_path

__all__ = ["write_report", "SECTIONS"]

SECTIONS = ("Portfolio", "Pricing", "Loss simulation", "Prevention budget", "Stress scenarios", "Provenance")

_CSS = """
body{font-family:-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;color:#222;line-height:1.45}
h1{border-bottom:3px solid #1f4e79;padding-bottom:.3em;color:#1f4e79}h2{color:#1f4e79;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:1em 0;font-size:.85em}th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}
th{background:#eef3f8}td:first-child,th:first-child{text-align:left}img{max-width:100%;margin:.5em 0}
.kpi{display:inline-block;margin:.3em 1.2em .3em 0;padding:.5em 1em;background:#f5f8fb;border-left:4px solid #1f4e79}
.kpi b{display:block;font-size:1.3em}.note{color:#555;font-size:.85em}.wide{overflow-x:auto}
"""


def _img(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="figure" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _table(df: pd.DataFrame, fmt: dict | None = None) -> str:
    fmt = fmt or {}
    d = df.copy()
    for c in d.columns:
        f = fmt.get(c)
        if f is not None:
            d[c] = d[c].map(lambda v, f=f: f.format(v) if pd.notna(v) else "")
        elif pd.api.types.is_float_dtype(d[c]):
            d[c] = d[c].map(lambda v: f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}")
        elif pd.api.types.is_integer_dtype(d[c]):
            d[c] = d[c].map(lambda v: f"{v:,}")
    return '<div class="wide">' + d.to_html(escape=True, border=0) + "</div>"


def _kpi(label: str, value: str) -> str:
    return f'<div class="kpi">{html.escape(label)}<b>{html.escape(value)}</b></div>'


def write_report(out_dir: str | Path, path: str | Path | None = None, title: str = "ajx_actuarial report") -> Path:
    """Write a self-contained HTML report from the outputs saved in ``out_dir``."""
    from .plots import exceedance_figure, premium_figure, prevention_figure, stress_figure

    d = Path(out_dir)
    if not d.is_dir():
        raise ValidationError(f"report: {str(d)!r} is not a folder of outputs")
    have = {p.name for p in d.iterdir()}
    if not ({"priced.parquet", "simulation.parquet", "stress.parquet"} & have):
        raise ValidationError(f"report: {str(d)!r} holds none of priced.parquet, simulation.parquet, stress.parquet (run `ajx demo --out DIR` or `ajx stress ... -o DIR`)")
    summary = json.loads((d / "summary.json").read_text("utf-8")) if "summary.json" in have else {}
    parts = [f"<h1>{html.escape(title)}</h1>",
             '<p class="note">Work Safety Liability Insurance (安全生产责任保险). Every default in the model is an '
             "assumption labelled in DOMAIN.md; figures are for the synthetic or supplied book below.</p>"]
    if "priced.parquet" in have:
        pr = pd.read_parquet(d / "priced.parquet")
        parts.append("<h2>Portfolio</h2>")
        parts.append(_kpi("policies", f"{len(pr):,}") + _kpi("workers", f"{int(pr['headcount'].sum()):,}")
                     + _kpi("mean per-person limit", f"{pr['limit_death'].mean():,.0f} CNY"))
        mix = pr.groupby("industry", observed=True).agg(policies=("policy_id", "size"), workers=("headcount", "sum"))
        parts.append(_table(mix))
        parts.append("<h2>Pricing</h2>")
        parts.append(_kpi("gross premium", f"{pr['premium'].sum() / 1e6:,.2f} m CNY") + _kpi("prevention budget", f"{pr['prevention_budget'].sum() / 1e6:,.2f} m CNY")
                     + _kpi("policies at minimum premium", f"{pr['min_premium_applied'].mean():.1%}"))
        g = pr.groupby("industry", observed=True).agg(premium=("premium", "sum"), workers=("headcount", "sum"), mean_float=("float_factor", "mean"))
        g["per_worker"] = g["premium"] / g["workers"]
        parts.append(_table(g, {"premium": "{:,.0f}", "workers": "{:,.0f}", "mean_float": "{:.3f}", "per_worker": "{:,.1f}"}))
        parts.append(_img(premium_figure(pr)))
    if "simulation.parquet" in have:
        sim = pd.read_parquet(d / "simulation.parquet")
        x = sim["insured_loss"].to_numpy()
        from .losses.risk import tvar, var

        parts.append("<h2>Loss simulation</h2>")
        s = summary.get("simulation", {})
        parts.append(_kpi("simulated years", f"{len(sim):,}") + _kpi("mean insured loss", f"{x.mean() / 1e6:,.2f} m CNY")
                     + _kpi("VaR 99.5 %", f"{var(x, 0.995) / 1e6:,.2f} m") + _kpi("TVaR 99 %", f"{tvar(x, 0.99) / 1e6:,.2f} m")
                     + (_kpi("mean loss ratio", f"{s['mean_loss_ratio']:.1%}") if "mean_loss_ratio" in s else ""))
        desc = sim[["gross_loss", "insured_loss", "accidents", "deaths", "disabilities"]].describe(percentiles=[0.5, 0.99, 0.995]).T
        parts.append(_table(desc))
        parts.append(_img(exceedance_figure({"as priced": x})))
    if "prevention_segments.parquet" in have:
        seg = pd.read_parquet(d / "prevention_segments.parquet").set_index(["industry", "size"])
        p = summary.get("prevention", {})
        parts.append("<h2>Prevention budget</h2>")
        parts.append(f"<p>Rules <b>{html.escape(str(p.get('rules', '')))}</b>, fee ratio <b>{html.escape(str(p.get('fee_ratio', '')))}</b>, pooling <b>{html.escape(str(p.get('pooling', '')))}</b>.</p>")
        if p:
            parts.append(_kpi("mandated policies funded", f"{p.get('share_funded', float('nan')):.1%}") + _kpi("shortfall", f"{p.get('total_shortfall', 0) / 1e6:,.2f} m CNY")
                         + _kpi("break-even fee ratio (pooled)", f"{p.get('break_even_fee_ratio', float('nan')):.1%}"))
        shown = seg[seg["mandated"] > 0][["mandated", "share_funded", "required_cost", "budget", "shortfall", "break_even_fee_ratio", "break_even_premium", "median_premium"]].copy()
        for c in ("required_cost", "budget", "shortfall"):
            shown[c] = shown[c] / 1e3
        shown.columns = ["mandated", "funded", "required (k CNY)", "budget (k CNY)", "shortfall (k CNY)", "break-even fee", "break-even premium", "median premium"]
        parts.append('<p class="note">Break-even premium: the premium at which a typical mandated unit in the segment funds its own services at the first year\'s fee ratio.</p>')
        parts.append(_table(shown, {"funded": "{:.1%}", "break-even fee": "{:.1%}", "mandated": "{:,.0f}", "required (k CNY)": "{:,.1f}",
                                    "budget (k CNY)": "{:,.1f}", "shortfall (k CNY)": "{:,.1f}", "break-even premium": "{:,.0f}", "median premium": "{:,.0f}"}))
        parts.append(_img(prevention_figure(seg)))
    if "stress.parquet" in have:
        st = pd.read_parquet(d / "stress.parquet").set_index("scenario")
        parts.append("<h2>Stress scenarios</h2>")
        parts.append('<p class="note">All scenarios use the same random numbers (common random numbers), so differences are the scenarios\' effects.</p>')
        m = pd.DataFrame({"premium (m CNY)": st["premium"] / 1e6, "expected loss (m)": st["expected_loss"] / 1e6, "loss ratio": st["loss_ratio"],
                          "VaR 99.5 % (m)": st["var_995"] / 1e6, "TVaR 99 % (m)": st["tvar_99"] / 1e6, "P(LR > 100 %)": st["p_loss_ratio_gt_100"],
                          "mandates funded": st["share_funded"], "prevention shortfall (m)": st["prevention_shortfall"] / 1e6})
        fm = {c: "{:,.1f}" for c in m.columns}
        fm.update({"loss ratio": "{:.1%}", "P(LR > 100 %)": "{:.2%}", "mandates funded": "{:.1%}"})
        parts.append(_table(m, fm))
        if "description" in st.columns:
            parts.append("<ul>" + "".join(f"<li><b>{html.escape(str(i))}</b>: {html.escape(str(t))}</li>" for i, t in st["description"].items()) + "</ul>")
        samples = {}
        for name in st.index:
            from .demo import safe_name

            f = d / f"stress_{safe_name(name)}.parquet"
            if f.exists():
                samples[name] = pd.read_parquet(f)["insured_loss"].to_numpy()
        parts.append(_img(stress_figure(st, samples)))
        if samples:
            parts.append(_img(exceedance_figure(samples, "Exceedance by scenario")))
    parts.append("<h2>Provenance</h2>")
    prov = {"ajx_actuarial": __version__, **{k: v for k, v in summary.items() if not isinstance(v, dict)}}
    def _fmt(v):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return str(v)
        return f"{v:,}" if isinstance(v, int) else f"{v:,.2f}"

    parts.append(_table(pd.DataFrame({"value": {k: _fmt(v) for k, v in prov.items()}})))
    doc = f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{_CSS}</style></head><body>{"".join(parts)}</body></html>'
    target = Path(path) if path is not None else d / "report.html"
    with atomic_path(target) as tmp:
        tmp.write_text(doc, encoding="utf-8")
    return target
