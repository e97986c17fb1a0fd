"""``ajx pure-rates`` and ``ajx adequacy``: what the loss model says premiums should be."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..present import code_label, escape_markup, fmt_num, fmt_pct, frame_table, label
from ._app import app, out
from ._common import TABLE_SUFFIXES, encoding_option, lang_option, output_option, read_input, write_output


def parse_reference_limits(spec: str) -> list:
    """``400000,600000,800000,beijing`` → ``[400000.0, 600000.0, 800000.0, "beijing"]``."""
    from ..errors import ValidationError

    out_ = []
    for item in (x.strip() for x in spec.split(",")):
        if not item:
            continue
        if item.lower() == "beijing":
            out_.append("beijing")
            continue
        try:
            v = float(item)
        except ValueError as exc:
            raise ValidationError(f"--limits: expected amounts or 'beijing' separated by commas, got {item!r}") from exc
        if not 0 < v <= 1e8:
            raise ValidationError(f"--limits: each limit must be in (0, 100 000 000] CNY, got {item!r}")
        out_.append(v)
    if not out_:
        raise ValidationError("--limits: give at least one limit")
    return out_


@app.command("pure-rates")
def pure_rates(
    book: Optional[Path] = typer.Argument(None, help="Portfolio whose exposure the rates average over (default: the national synthetic reference book)."),
    limits: str = typer.Option("400000,600000,800000,beijing", "--limits", help="Reference per-person limits (CNY) or 'beijing' (Beijing formula 2026)."),
    by: str = typer.Option("industry,size", "--by", help="Segment columns, e.g. industry or industry,size."),
    output: Optional[Path] = output_option(f"Rates table ({TABLE_SUFFIXES})."),
    encoding: Optional[str] = encoding_option(),
) -> None:
    """Pure-risk loss rates (纯风险损失率) per segment at reference limits, from the loss model.

    Exact expected insured loss per worker-year (deaths, disabilities, medical, rescue) under the
    nested limits, and in per mille of the per-person limit: the table a provincial regulator
    publishes under the 2025 measures.

    Example: ajx pure-rates --limits 400000,800000,beijing --by industry -o pure_rates.xlsx
    """
    from ..rating import pure_risk_rates

    lim = parse_reference_limits(limits)
    cols = [c.strip() for c in by.split(",") if c.strip()]
    df = read_input(book, encoding) if book is not None else None
    with out.status("computing exact expected losses ..."):
        r = pure_risk_rates(limits=lim, by=cols, book=df)
    if output is not None:
        write_output(r, output)
        out.print(f"wrote {len(r):,} rows to {escape_markup(output, None)}")
    wide = r.pivot_table(index=cols, columns="limit", values="permille", aggfunc="first", observed=True)
    wide = wide[[c for c in r["limit"].unique()]]
    out.print(frame_table(wide, title="Pure-risk loss rate, ‰ of the per-person limit per worker-year", float_fmt="{:.4f}", max_rows=60))
    first = r[r["limit"] == r["limit"].iloc[0]].set_index(cols)
    out.print(frame_table(first[["workers", "pure_risk", "death", "disability", "medical", "rescue", "third_party", "deaths_per_100k"]],
                          title=f"CNY per worker-year at {r['limit'].iloc[0]} (parts) and deaths per 100 000", float_fmt="{:,.2f}", max_rows=60))


@app.command()
def adequacy(
    book: Path = typer.Argument(..., help="Portfolio (.csv, .parquet or .xlsx); priced with the table."),
    table: str = typer.Option("national-2025", "--table", "-t", help="Packaged table name or a .toml path."),
    tolerance: float = typer.Option(0.05, "--tolerance", min=0.0, max=0.99, help="Flag a segment when rated / risk premium < 1 - tolerance."),
    output: Optional[Path] = output_option(f"Segments table ({TABLE_SUFFIXES})."),
    encoding: Optional[str] = encoding_option(),
    lang: str = lang_option(),
) -> None:
    """Audit a rate table: filed premium against the loss model's risk premium, per segment.

    Risk premium = exact expected loss / (1 - the table's loadings) x (1 + VAT); segments whose
    rates are below it are flagged (低价恶性竞争, below-cost competition).

    Example: ajx adequacy book.parquet --table national-2025 -o adequacy.xlsx
    """
    from ..present import check_lang
    from ..rating import adequacy as _adequacy

    lang = check_lang(lang)
    df = read_input(book, encoding)
    with out.status(label("con_adequacy_status", lang)):
        res = _adequacy(df, table, tolerance=tolerance)
    seg = res.by_segment.reset_index()
    if output is not None:
        write_output(seg, output)
        out.print(f"wrote {len(seg):,} segments to {escape_markup(output, None)}")
    g = res.by_segment.groupby(level=["industry", "size"], observed=True)[["policies", "rated_premium", "risk_premium", "expected_loss", "filed_ex_vat"]].sum()
    g["ratio"] = g["rated_premium"] / g["risk_premium"]
    g["implied LR"] = g["expected_loss"] / g["filed_ex_vat"]
    g = g[["policies", "rated_premium", "risk_premium", "ratio", "implied LR"]].reset_index()
    if lang == "zh":
        g["industry"], g["size"] = g["industry"].map(lambda c: code_label(c, lang)), g["size"].map(lambda c: code_label(c, lang))
    heads = {k: label(f"con_adq_{k}", lang) for k in g.columns}
    money = lambda v: fmt_num(v, lang=lang)  # noqa: E731
    out.print(frame_table(g.rename(columns=heads), title=label("con_adequacy_title", lang).format(table=escape_markup(res.table, None)),
                          max_rows=60, formats={heads["rated_premium"]: money, heads["risk_premium"]: money,
                                                heads["ratio"]: lambda v: f"{v:,.3f}", heads["implied LR"]: fmt_pct}))
    s = res.summary
    out.print(label("con_adequacy_cli", lang).format(implied=fmt_pct(s["implied_loss_ratio"]), permissible=fmt_pct(s["permissible_loss_ratio"]),
                                                     flagged=s["flagged_segments"], segments=s["segments"],
                                                     share=fmt_pct(s["flagged_premium_share"])))
