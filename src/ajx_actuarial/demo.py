"""``ajx demo``: the main job on built-in defaults, end to end, using only the public API.

Synthesise a book → price it (``national-2025``) and audit the rates against the loss model
(:func:`~ajx_actuarial.adequacy`) → simulate its annual losses → assess the
prevention budget (Xinzhou 2024 mandates, at the fee the book was priced with: the rate
table's ``prevention_fee`` loading) → run the ``regulator-2026`` stress scenarios → write a
run folder (Parquet/JSON outputs, ``manifest.json`` last, see :mod:`ajx_actuarial.runs`) and
a self-contained HTML report.

With ``jurisdiction=NAME`` (``ajx demo --jurisdiction NAME``) the whole job runs under one
bundle (:mod:`ajx_actuarial.jurisdictions`): the book is drawn from the bundle's preset with its
limit rule and exposures, its underwriting rules decide who is insured (``underwriting.parquet``:
the units removed; ``underwriting_effect.parquet``: premium, expected loss and prevention before
and after), it is priced with the bundle's table, its prevention budget is assessed with the
bundle's rules and fee schedule (floor and cap enforced, or a breach flagged; carry-forward when
the ledger says so) and the stress scenarios use the bundle's table and rules.
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console

from . import jurisdictions as _jurisdictions
from . import stress as _stress
from . import synth
from .errors import ValidationError
from .losses import LossModel, simulate
from .present import (fmt_int, fmt_millions, fmt_money, fmt_pct, label, portfolio_summary_table, premium_summary_table, progress_bar,
                      segment_table, stress_table)
from .prevention import assess
from .rating import RateTable, adequacy, price
from .report import write_report
from .runs import RunFolder, save_stress

__all__ = ["run_demo"]

RULES = "xinzhou-2024"
SCENARIOS = "regulator-2026"


def run_demo(*, n: int = 100_000, years: int = 5_000, stress_years: int = 2_000, seed: int = 2026,
             table: str | None = None, out_dir: str | Path = Path("ajx-demo"), console: Console | None = None,
             lang: str = "en", jurisdiction: str | None = None, fee_breach: str = "error") -> dict:
    """Run the demo into the run folder ``out_dir``; returns the headline figures (also in ``summary.json``).

    Parameters
    ----------
    n : int
        Policies in the synthetic book.
    years, stress_years : int
        Simulated years for the book and for each stress scenario.
    seed : int
        Seed (``rng=`` of every step; same seed ⇒ identical outputs).
    table : str, optional
        Rate table (default ``national-2025``, or the jurisdiction's); without a jurisdiction its
        ``prevention_fee`` loading is also the fee the prevention budget is assessed at.
    out_dir : path-like
        Run folder; a previous run there is replaced (its manifest is removed first).
    console : rich Console, optional
        Where progress and tables go.
    lang : {"en", "zh"}
        Labels of the console tables and the report.
    jurisdiction : str, optional
        A bundle name or TOML path (``ajx jurisdictions list``): run the whole job under it.
    fee_breach : {"error", "flag"}
        A bundle fee below its floor or above its cap stops the run, or is run and flagged.

    Examples
    --------
    >>> import tempfile
    >>> s = run_demo(n=200, years=20, stress_years=20, out_dir=tempfile.mkdtemp(), console=Console(quiet=True))  # doctest: +SKIP
    >>> s["prevention"]["fee_ratio"]  # doctest: +SKIP
    0.2
    """
    con = console or Console()
    t_start = time.perf_counter()
    for name, v in (("years", years), ("stress_years", stress_years)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValidationError(f"demo: {name} must be an integer >= 1, got {v!r}")
    j = _jurisdictions.load(jurisdiction) if jurisdiction is not None else None
    if j is not None and table is not None and table != j.data["parts"]["rate_table"]:
        raise ValidationError(f"demo: jurisdiction {j.name!r} prices with its own table {j.data['parts']['rate_table']!r}; drop table={table!r}")
    table = j.data["parts"]["rate_table"] if j is not None else (table or "national-2025")
    rate_table = RateTable.load(table)
    fee = float(rate_table.loadings["prevention_fee"])
    ctx: dict = {"rules": RULES, "fee_ratio": fee, "assess": {"fee_ratio": fee}, "pooling": "insurer",
                 "rules_label": label("con_rules_xinzhou", lang), "fee_label": label("con_fee_table", lang).format(fee=fmt_pct(fee, None))}
    if j is not None:
        fs = j.fee_schedule(on_breach=fee_breach)
        ctx.update(rules=j.prevention_rules(), fee_ratio=fs.as_mapping(), assess=fs.assess_kwargs(), pooling=j.pooling,
                   stress_prevention={**{k: v for k, v in fs.assess_kwargs().items()
                                         if k in ("floor", "fee_base", "ledger", "cap", "it_cost", "earmark")},
                                      "pooling": j.pooling},
                   rules_label=label("con_rules_bundle", lang).format(name=j.name),
                   fee_label=label("con_fee_schedule", lang).format(
                       schedule=", ".join(f"{y}: {fmt_pct(r, None)}" for y, r in zip(fs.years, fs.ratios)), ledger=fs.ledger), schedule=fs)
    inputs = {"book": f"synthetic book, ajx_actuarial.synth, seed {seed}", "table": table, "years": years,
              "stress_years": stress_years, "rules": getattr(ctx["rules"], "name", ctx["rules"]),
              "fee_ratio": {str(k): v for k, v in ctx["fee_ratio"].items()} if isinstance(ctx["fee_ratio"], dict) else fee,
              "scenarios": SCENARIOS}
    if j is not None:
        inputs.update(book=f"synthetic book of jurisdiction {j.name} (preset {j.preset}, limit rule {j.limit_policy().label}), seed {seed}",
                      jurisdiction=j.name)
    run = RunFolder(Path(out_dir), kind="demo", seed=seed, inputs=inputs)
    # Inputs are checked (synthesis, pricing) before the previous run in out_dir is replaced.
    with con.status(label("con_synthesising", lang).format(n=fmt_int(n))):
        offered = synth.portfolio(n, rng=seed) if j is None else j.book(n, rng=seed)
    uw = j.underwrite(offered) if j is not None else None
    book = uw.insured if uw is not None else offered
    if len(book) == 0:
        raise ValidationError(f"demo: jurisdiction {j.name!r} defers or refuses every one of the {n:,} units; try a larger -n")
    priced = price(book, rate_table)
    with run:
        if j is not None:
            _write_jurisdiction(run, con, j, offered, uw, ctx, lang)
        return _run(run, con, t_start, book, priced, years=years, stress_years=stress_years, seed=seed, table=table, fee=fee,
                    lang=lang, ctx=ctx, j=j)


def _write_jurisdiction(run: RunFolder, con: Console, j, offered, uw, ctx: dict, lang: str = "en") -> None:
    """The bundle's own outputs: its numbers and sources, sector classes, underwriting and its effect."""
    run.write_table(j.sources().astype({"value": str}), "jurisdiction_sources.parquet")  # numbers and codes (rating "B")
    classes = j.classify(offered).value_counts().rename_axis("sector_class").reset_index(name="policies")
    run.write_table(classes, "sector_classes.parquet")
    ctx["sector_classes"] = {str(k): int(v) for k, v in zip(classes["sector_class"], classes["policies"])}
    ctx["scope"] = {k: (v if isinstance(v, (bool, str)) or v is None else int(v) if float(v).is_integer() and k != "participation_target"
                        else float(v)) for k, v in j.scope(offered).summary.items()}
    checks = j.check_table()
    run.write_table(checks.astype({c: str for c in checks.columns if checks[c].dtype == object}), "table_checks.parquet")
    ctx["table_checks"] = {str(r["test"]): bool(r["passed"]) for _, r in checks.iterrows()} if "passed" in checks.columns else {}
    ctx["underwriting"] = {"rules": int(len(uw.summary)), "removed": int(len(uw.removed)),
                           "must_accept": bool(j.data.get("underwriting", {}).get("must_accept", False))}
    if len(uw.summary):
        run.write_table(uw.removed, "underwriting.parquet")
        eff = _jurisdictions.underwriting_effect(offered, j).reset_index(names="book")
        run.write_table(eff, "underwriting_effect.parquet")
        ch = eff.set_index("book").loc["change"]
        ctx["underwriting"].update(premium_change=float(ch["premium"]), expected_loss_change=float(ch["expected_loss"]),
                                   prevention_budget_change=float(ch["prevention_budget"]))
        con.print(label("con_underwriting", lang).format(
            name=j.name, removed=fmt_int(len(uw.removed)), offered=fmt_int(len(offered)), premium=fmt_millions(ch["premium"], lang=lang),
            loss=fmt_millions(ch["expected_loss"], lang=lang), budget=fmt_millions(ch["prevention_budget"], lang=lang)))
    fs = ctx["schedule"]
    if len(fs.breaches):
        con.print(label("con_fee_breach", lang).format(name=j.name, items="; ".join(
            f"{int(r.year)} {fmt_pct(r.fee_ratio)} vs {r.rule} {fmt_pct(r.limit, None)}" for r in fs.breaches.itertuples())))


def _run(run: RunFolder, con: Console, t0: float, book, priced, *, years, stress_years, seed, table, fee, lang, ctx, j) -> dict:
    run.write_table(book, "portfolio.parquet")
    con.print(portfolio_summary_table(book, lang))
    model = LossModel.default()
    check = model.check(book)
    run.write_table(check, "model_check.parquet")
    con.print(label("con_loss_model", lang).format(
        met=int(check["ok"].sum()), anchors=len(check), dpd=f"{check.set_index('figure').loc['disabilities per death (book)', 'model']:.1f}",
        ppw=fmt_money(check.attrs["premium_per_worker"], lang=lang)))
    run.write_table(priced, "priced.parquet")
    con.print(premium_summary_table(priced, title=label("con_premium_title", lang).format(table=table), lang=lang))
    with con.status(label("con_adequacy_status", lang)):
        adq = adequacy(book, table)
    run.write_table(adq.by_segment.reset_index(), "adequacy.parquet")
    a = adq.summary
    con.print(label("con_adequacy", lang).format(implied=fmt_pct(a["implied_loss_ratio"]), permissible=fmt_pct(a["permissible_loss_ratio"]),
                                                 flagged=a["flagged_segments"], segments=a["segments"]))

    bar, cb = progress_bar(label("con_simulating_compile", lang).format(years=fmt_int(years)), con, total=years)
    with bar:
        sim = simulate(priced, years, rng=seed, progress=cb)
    run.write_table(sim.annual.reset_index(), "simulation.parquet")
    s = sim.summary()["value"]
    con.print(label("con_simulation", lang).format(
        mean=fmt_millions(s["mean insured loss"], lang=lang), var=fmt_millions(s["VaR 99.5 % insured"], lang=lang),
        ratio=f"{s['VaR 99.5 % / mean']:.2f}", lr=fmt_pct(s["mean loss ratio (ex VAT)"]),
        unexpected=fmt_pct(s["(VaR 99.5 % − mean) / premium ex VAT"])))

    prev = assess(priced, rules=ctx["rules"], pooling=ctx["pooling"], **ctx["assess"])
    run.write_table(prev.by_policy, "prevention.parquet")
    run.write_table(prev.by_year, "prevention_ledger.parquet")  # budget, carried in, spent at cost, carried out, lapsed, shortfall
    run.write_table(prev.by_segment.reset_index(), "prevention_segments.parquet")
    con.print(segment_table(prev, label("con_prevention_title", lang).format(rules=ctx["rules_label"], fee=ctx["fee_label"]), lang))

    sset = _stress.load(SCENARIOS)
    bar, cb = progress_bar(label("con_stress_progress", lang).format(name=SCENARIOS), con, total=len(sset.scenarios) * stress_years)
    with bar:
        st = _stress.run_detailed(book, sset, years=stress_years, rng=seed, progress=cb,
                                  **({"table": table, "rules": ctx["rules"], "prevention": ctx["stress_prevention"]} if j is not None else {}))
    save_stress(st, run)
    con.print(stress_table(st.table, title=label("con_stress_title", lang).format(name=SCENARIOS), lang=lang))

    summary = {
        "policies": int(len(book)), "workers": int(book["headcount"].sum()), "seed": seed, "table": table,
        "premium": float(priced["premium"].sum()), "premium_ex_vat": float(priced["premium_ex_vat"].sum()),
        "prevention_budget": float(priced["prevention_budget"].sum()),
        "simulation": {"years": years, "mean_insured_loss": sim.mean(), "var_995": sim.var(0.995), "tvar_99": sim.tvar(0.99),
                       "var_995_over_mean": sim.var(0.995) / sim.mean(), "premium_ex_vat": float(priced["premium_ex_vat"].sum()),
                       "unexpected_over_premium": (sim.var(0.995) - sim.mean()) / float(priced["premium_ex_vat"].sum()),
                       "cross_premium_factor": 0.203, "year_cv": model.year_cv, "parameter_cv": dict(model.parameter_cv),
                       "mean_loss_ratio": float(sim.loss_ratio().mean()), "limits": str(sim.provenance.get("limits", "as priced"))},
        "model": {"name": model.name, "anchors_met": int(check["ok"].sum()), "anchors": int(len(check)),
                  "premium_per_worker": float(check.attrs["premium_per_worker"]),
                  "disabilities_per_death": float(check.set_index("figure").loc["disabilities per death (book)", "model"])},
        "prevention": {**{k: v for k, v in prev.summary.items() if isinstance(v, (int, float, str))},
                       "fee_ratio": fee, "fee_source": f"loadings.prevention_fee of rate table {table}"},
        "stress": {"scenarios": SCENARIOS, "years": stress_years, "fee_ratio_default": sset.defaults.get("fee_ratio", fee)},
        "adequacy": {k: v for k, v in adq.summary.items() if isinstance(v, (int, float, str))},
    }
    if j is not None:
        fs = ctx["schedule"]
        led = prev.by_year
        summary["prevention"].update(fee_ratio=float(fs.ratios[0]), fee_schedule={str(y): float(r) for y, r in zip(fs.years, fs.ratios)},
                                     fee_source=f"[fee] of jurisdiction {j.name}", ledger=fs.ledger, floor=fs.floor, cap=fs.cap,
                                     fee_breaches=int(len(fs.breaches)),
                                     ledger_totals={c: float(led[c].sum()) for c in ("budget", "carried_in", "spent", "further", "above_budget",
                                                                                     "floor_gap", "carried_out", "lapsed", "shortfall", "expense") if c in led.columns})
        summary["jurisdiction"] = {"name": j.name, "title": j.title, "preset": j.preset, "table": table,
                                   "rules": ctx["rules"].name, "limit_rule": j.limit_policy().label, "ledger": fs.ledger,
                                   "sector_classes": ctx["sector_classes"], "underwriting": ctx["underwriting"],
                                   "scope": ctx.get("scope", {}), "table_checks": ctx.get("table_checks", {}),
                                   "assumed": list(j.data["meta"].get("assumed", []))}
    run.write_json(summary, "summary.json")
    run.finish(derived=("report.html",))
    title = "ajx demo：合成安责险业务组合" if lang == "zh" else "ajx demo: synthetic 安责险 book"
    if j is not None:
        title += f"（{j.name}）" if lang == "zh" else f" under {j.name}"
    report = write_report(run.folder, run.folder / "report.html", title=title, lang=lang)
    summary["seconds"] = round(time.perf_counter() - t0, 1)
    con.print(label("con_report_written", lang).format(report=report.resolve(), folder=run.folder.resolve(), seconds=summary["seconds"]))
    return summary
