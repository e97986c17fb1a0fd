"""Rebuild the rate sections of the packaged rate tables from the default loss model.

    python tools/build_tables.py [TABLE ...]      # default: every packaged table
    python tools/build_tables.py --normaliser     # the default loss model's [normaliser] (synth.normaliser)

For each table: the synthetic reference book of its market (``TABLE_PRESETS``; ``national`` for
the tables priced per project cost or per tonne, whose ``[exposure_base]`` is kept as it is), then
``ajx_actuarial.rating.basis.risk_based_table`` (per-cell limit and medical rates = pure risk /
(1 − loadings) × (1 + VAT), increased-limit factors per industry, float_mean). The script rewrites
only the ``[limits]`` and ``[base_rates]`` sections of the TOML (comments elsewhere are kept), the
``expected_per_worker`` and ``credibility`` of an exposure-aware history factor (the model's claims
per worker-year by industry and ``1/frailty_cv²``), and prints the build record and the market
comparison of DOMAIN.md §3.2.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

from ajx_actuarial.losses import LossModel
from ajx_actuarial.rating import RateTable
from ajx_actuarial.rating.table import packaged_tables
from ajx_actuarial.rating.basis import TABLE_PRESETS, reference_book, risk_based_table
from ajx_actuarial.rating.market import market_comparison
from ajx_actuarial.reference import INDUSTRIES, SIZES

DATA = Path(__file__).resolve().parents[1] / "src" / "ajx_actuarial" / "reference" / "data"
ROOT = DATA / "tables"
N, SEED = 200_000, 20_260_101


def _inline(d: dict, fmt: str) -> str:
    return "{ " + ", ".join(f"{k} = {fmt.format(v)}" for k, v in d.items()) + " }"


def sections(table: RateTable, old: RateTable, record: dict, preset: str) -> str:
    d = table.data
    lim = d["limits"]
    br = d["base_rates"]
    ilf = lim["ilf"]
    lines = [
        "[limits]",
        f"min_limit_death = {old.min_limit_death:.0f}",
        f"reference_limit = {lim['reference_limit']:.0f}       # base rates below are per head at this per-person limit",
        *([f'sub_limits = "{old.data["limits"]["sub_limits"]}"'] if "sub_limits" in old.data["limits"] else []),
        "",
        "[limits.ilf]",
        "# Increased-limit factors of the limit part (deaths, disabilities, rescue/legal, third party), per industry, from the exact",
        "# expected loss under the nested limits (per person -> per accident 10x -> per year 2x) of the default loss model",
        f"# on the '{preset}' reference book (tools/build_tables.py; DOMAIN.md §10.1). Linear while a death costs more than the",
        "# limit (1 083 760 = 20 × 2024 national urban income), concave above it. Derived.",
        "limits = [" + ", ".join(f"{x:.0f}" for x in ilf["limits"]) + "]",
        "[limits.ilf.factors]",
    ]
    for i in INDUSTRIES:
        lines.append(f"{i} = [" + ", ".join(f"{v:.10f}" for v in ilf["factors"][i]) + "]")
    lines += [
        "",
        "[base_rates]",
        "# Risk-based (DOMAIN.md §10.1): pure risk from the default loss model (reference/data/loss_model/default.toml, MODEL.md) /",
        f"# (1 - loadings) × (1 + VAT) = × {record['gross_up']:.6f}, computed per industry × size on the '{preset}' synthetic",
        f"# reference book ({N:,} units, seed {SEED}) by tools/build_tables.py. Expected loss ratio on that book:",
        f"# {record['loss_ratio_before_minimum']:.4f} before and {record['loss_ratio']:.4f} after the minimum premium (permissible {record['permissible_loss_ratio']:.4f}).",
        "# Market data points of DOMAIN.md §3.2 side by side: rating.market.market_comparison (printed by the script).",
        "# industry: ‰ of the reference limit per head per year (limit part), industry level (cells below override)",
        "industry = " + _inline(br["industry"], "{:.6f}"),
        "size = " + _inline({s: 1.0 for s in SIZES}, "{:.1f}"),
        "# medical part: CNY per head per year for medical-only claims under the 10 % medical sub-limit",
        "medical = " + _inline(br["medical"], "{:.4f}"),
        "# mean float factor of the reference book per industry: risk relativity = float factor / float_mean",
        "float_mean = " + _inline(br["float_mean"], "{:.6f}"),
    ]
    for key, fmt, what in (("grid", "{:.6f}", "‰ of the reference limit"), ("medical_grid", "{:.4f}", "CNY per head")):
        for i in INDUSTRIES:
            cells = br.get(key, {}).get(i)
            if cells:
                lines += ["", f"[base_rates.{key}.{i}]   # {what}, by size class"]
                lines += [f"{s} = {fmt.format(v)}" for s, v in cells.items()]
    if record.get("industries_from_national_book"):
        lines.insert(lines.index("[base_rates]") + 1, "# absent from this market, rated on the national reference book: "
                     + ", ".join(record["industries_from_national_book"]))
    return "\n".join(lines) + "\n"


def rewrite(path: Path, new_sections: str) -> None:
    out, skipping, inserted = [], False, False
    for line in path.read_text("utf-8").splitlines():
        s = line.strip()
        if s.startswith("[") and not s.startswith("[["):
            head = s.strip("[]").split("]")[0].strip()
            skipping = head in ("limits", "base_rates") or head.startswith(("limits.", "base_rates."))
            if skipping and not inserted:
                out.append(new_sections.rstrip("\n"))
                out.append("")
                inserted = True
        if not skipping:
            out.append(line)
    path.write_text("\n".join(out).rstrip("\n") + "\n", encoding="utf-8")


def history_lines(path: Path, model: LossModel) -> None:
    """Rewrite an exposure-aware history factor's ``expected_per_worker`` and ``credibility`` from the model."""
    text = path.read_text("utf-8")
    if not re.search(r'^basis = "expected"', text, flags=re.M):
        return
    per = model.rates().sum(axis=1)
    line = "expected_per_worker = " + _inline({i: round(float(per[i]), 6) for i in INDUSTRIES}, "{}")
    text = re.sub(r"^expected_per_worker = .*$", line, text, flags=re.M)
    text = re.sub(r"^credibility = .*$", f"credibility = {1.0 / model.frailty_cv ** 2:g}", text, flags=re.M)
    path.write_text(text, encoding="utf-8")


def normaliser() -> None:
    """Write the default loss model's [normaliser] (exact mean relativity of the national population)."""
    from ajx_actuarial.synth import normaliser as norm

    path = DATA / "loss_model" / "default.toml"
    text = path.read_text("utf-8")
    for k, v in norm(LossModel.default(), "national").items():
        text = re.sub(rf"^{k} = {{ value = [0-9.]+,", f"{k} = {{ value = {v:.9f},", text, flags=re.M)
    path.write_text(text, encoding="utf-8")
    print("normaliser written to", path)


def main(names: list[str]) -> None:
    pd.set_option("display.width", 200)
    if names == ["--normaliser"]:
        normaliser()
        return
    for name in names or packaged_tables():
        preset = TABLE_PRESETS.get(name, "national")
        book = reference_book(preset, n=N, seed=SEED)
        history_lines(ROOT / f"{name}.toml", LossModel.default())
        old = RateTable.load(name)
        table, record = risk_based_table(old, model=LossModel.default(), book=book)
        rewrite(ROOT / f"{name}.toml", sections(table, old, record, preset))
        again = RateTable.load(name)
        print(f"\n## {name} ({preset} book)\n{record}")
        print(market_comparison(again, book).to_string(index=False))


if __name__ == "__main__":
    main(sys.argv[1:])
