"""The schema of a rate-table TOML (:mod:`ajx_actuarial.rating.table` documents the format).

:func:`validate_table` checks every key; an error names the table's file (or name) and the key
path, e.g. ``rate table 'my.toml': premium.decimals: must be an integer in [0, 6] ..., got -3``.

Bounds on absurd values (assumption: they catch typing and unit errors, not judgement calls):
a size multiplier (``base_rates.size``, ``size_factor.factors``) and the float cap are at most
10 (the packaged tables use 1 and 1.3; a tenfold loading of one size class or of the floating
factors is no tariff); the minimum premium at most 1 000 000 CNY a policy (the tariffs' minima
are 200-500 CNY); the premium is rounded to 0-6 decimals (whole yuan to a millionth; a negative
number of decimals, rounding to tens or thousands of yuan, silently moves every premium).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import ValidationError
from ..reference import INDUSTRIES, SIZES
from ._schema import choice as _choice
from ._schema import num as _num
from ._schema import table_of as _table
from .exposure import validate_exposure_base
from .factors import validate_factor
from .ilf import validate_ilf
from .sublimits import SUB_LIMIT_MODES

__all__ = ["validate_table", "COMMISSION_CAP", "FEE_CAP", "LOADING_KEYS", "MAX_MULTIPLIER", "MAX_MIN_PREMIUM"]

COMMISSION_CAP = 0.05  # N25 Art. 14 (DOMAIN.md §1.2)
FEE_CAP = 0.21  # N24; N25 per RP/BS26 (DOMAIN.md §2.3)
LOADING_KEYS = ("prevention_fee", "commission", "admin", "profit", "levy", "vat")
SECTIONS = ("meta", "limits", "base_rates", "size_factor", "premium", "loadings", "factors", "exposure_base")
MAX_MULTIPLIER = 10.0  # size multipliers and the float cap (assumption, see above)
MAX_MIN_PREMIUM = 1e6  # CNY a policy (assumption, see above)
_LOADING_KEYS = LOADING_KEYS


def validate_table(data: Any, source: str) -> None:
    """Check a parsed rate table; a :class:`ValidationError` names ``source`` (the file or name) and the key."""
    where = f"rate table {source}"
    try:
        _check(data, where)
    except ValidationError as exc:
        msg = str(exc)
        if msg.startswith("rate table "):
            raise
        raise ValidationError(f"{where}: {msg}") from exc


def _short(value: Any) -> str:
    s = repr(value)
    return s if len(s) <= 60 else s[:59] + "…"



def _grid(br: dict, key: str, **num) -> None:
    """``base_rates.<key>``: an industry × size grid of numbers (known codes, each value checked by ``_num(**num)``)."""
    for k, cells in _table(br.get(key, {}), f"base_rates.{key}").items():
        if k not in INDUSTRIES:
            raise ValidationError(f"base_rates.{key}: unknown industry code {k!r}")
        for s, v in _table(cells, f"base_rates.{key}.{k}").items():
            if s not in SIZES:
                raise ValidationError(f"base_rates.{key}.{k}: unknown size code {s!r}")
            _num(v, f"base_rates.{key}.{k}.{s}", **num)

def _check(data: dict, where: str) -> None:
    _table(data, where)
    for section in ("meta", "limits", "base_rates", "size_factor", "premium", "loadings"):
        if section not in data:
            raise ValidationError(f"{where}: missing section [{section}]")
    unknown = sorted(map(str, set(data) - set(SECTIONS)))
    if unknown:
        raise ValidationError(f"{where}: unknown section(s) {unknown}; allowed: {list(SECTIONS)}")
    meta = _table(data["meta"], "meta")
    if not isinstance(meta.get("name"), str) or not meta["name"]:
        raise ValidationError("meta.name: must be a non-empty string")
    for key in ("description", "jurisdiction"):
        if key in meta and not isinstance(meta[key], str):
            raise ValidationError(f"meta.{key}: must be text, got {_short(meta[key])}")
    if "effective" in meta and not isinstance(meta["effective"], (str, dt.date)):
        raise ValidationError(f"meta.effective: must be a date (2025-03-29) or text, got {_short(meta['effective'])}")
    src = meta.get("sources", [])
    if not isinstance(src, list) or not all(isinstance(x, str) for x in src):
        raise ValidationError(f"meta.sources: must be a list of texts (e.g. [\"N25 Art. 14\"]), got {_short(src)}")
    lim = _table(data["limits"], "limits")
    unknown = sorted(set(lim) - {"min_limit_death", "reference_limit", "ilf", "sub_limits", "note"})
    if unknown:
        raise ValidationError(f"limits: unknown key(s) {unknown}; allowed: min_limit_death, reference_limit, ilf, sub_limits")
    _num(lim.get("min_limit_death"), "limits.min_limit_death", what="minimum limit", hi=1e8)
    if "sub_limits" in lim:
        _choice(lim["sub_limits"], "limits.sub_limits", SUB_LIMIT_MODES, what="how sub-limits are priced")
    validate_ilf(lim)

    br = _table(data["base_rates"], "base_rates")
    ind = _table(br.get("industry"), "base_rates.industry")
    missing = [k for k in INDUSTRIES if k not in ind]
    unknown = sorted(set(ind) - set(INDUSTRIES))
    if unknown:
        raise ValidationError(f"base_rates.industry: unknown industry code(s) {unknown}; allowed: {list(INDUSTRIES)}")
    if missing:
        raise ValidationError(f"base_rates.industry: missing industry code(s) {missing}")
    for k, v in ind.items():
        _num(v, f"base_rates.industry.{k}", what="base rate (‰)", hi=100)
    size = _table(br.get("size", {s: 1.0 for s in SIZES}), "base_rates.size")
    for k in size:
        if k not in SIZES:
            raise ValidationError(f"base_rates.size: unknown size code {k!r}; allowed: {list(SIZES)}")
        _num(size[k], f"base_rates.size.{k}", what="multiplier", hi=MAX_MULTIPLIER)
    _grid(br, "grid", what="base rate (‰)", hi=100)
    unknown = sorted(set(br) - {"industry", "size", "grid", "medical", "medical_grid", "float_mean", "note"})
    if unknown:
        raise ValidationError(f"base_rates: unknown key(s) {unknown}; allowed: industry, size, grid, medical, medical_grid, float_mean")
    for key, what, hi in (("medical", "medical rate (CNY per head)", 1e5), ("float_mean", "mean float factor", 10.0)):
        vals = _table(br.get(key, {}), f"base_rates.{key}")
        bad = sorted(set(vals) - set(INDUSTRIES))
        if bad:
            raise ValidationError(f"base_rates.{key}: unknown industry code(s) {bad}; allowed: {list(INDUSTRIES)}")
        for k, v in vals.items():
            _num(v, f"base_rates.{key}.{k}", what=what, positive=key == "float_mean", lo=0, hi=hi)
    _grid(br, "medical_grid", what="medical rate (CNY per head)", positive=False, lo=0, hi=1e5)

    sf = _table(data["size_factor"], "size_factor")
    bands, facs = sf.get("bands"), sf.get("factors")
    if not isinstance(bands, list) or not isinstance(facs, list):
        raise ValidationError("size_factor: 'bands' and 'factors' must be lists")
    if len(facs) != len(bands) + 1:
        raise ValidationError(f"size_factor: needs len(factors) == len(bands) + 1, got {len(facs)} factors for {len(bands)} bands")
    for i, b in enumerate(bands):
        _num(b, f"size_factor.bands[{i}]", what="band bound")
        if i and b <= bands[i - 1]:
            raise ValidationError(f"size_factor.bands[{i}]: bands must increase, got {bands}")
    for i, v in enumerate(facs):
        _num(v, f"size_factor.factors[{i}]", what="multiplier", hi=MAX_MULTIPLIER)

    prem = _table(data["premium"], "premium")
    lo = _num(prem.get("float_floor"), "premium.float_floor", what="float floor")
    hi = _num(prem.get("float_cap"), "premium.float_cap", what="float cap", hi=MAX_MULTIPLIER)
    if not lo <= 1.0 <= hi:
        raise ValidationError(f"premium: float bounds must satisfy float_floor <= 1 <= float_cap, got [{lo}, {hi}]")
    _num(prem.get("min_premium"), "premium.min_premium", positive=False, lo=0, hi=MAX_MIN_PREMIUM, what="minimum premium")
    dec = prem.get("decimals", 2)
    if isinstance(dec, bool) or not isinstance(dec, int) or not 0 <= dec <= 6:
        raise ValidationError(f"premium.decimals: must be an integer in [0, 6] (0: whole yuan, 2: fen), got {_short(dec)}")

    ld = _table(data["loadings"], "loadings")
    unknown = sorted(set(ld) - set(_LOADING_KEYS))
    if unknown:
        raise ValidationError(f"loadings: unknown key(s) {unknown}; allowed: {list(_LOADING_KEYS)}")
    for k in _LOADING_KEYS:
        if k not in ld:
            raise ValidationError(f"loadings.{k}: missing")
        _num(ld[k], f"loadings.{k}", positive=False, lo=0, hi=1, what="loading")
    if ld["commission"] > COMMISSION_CAP:
        raise ValidationError(f"loadings.commission: {ld['commission']} exceeds the 5 % cap of the 2025 national measures (应急〔2025〕27号 Art. 14)")
    if ld["prevention_fee"] > FEE_CAP * (1 + ld["vat"]) + 1e-12:  # the cap is on the collected premium, the loading on ex-VAT
        raise ValidationError(f"loadings.prevention_fee: {ld['prevention_fee']} exceeds the national 21 % cap on prevention budgets "
                              f"(21 % of the collected premium = {FEE_CAP * (1 + ld['vat']):.4g} of ex-VAT premium; N24, 2025 national measures)")
    total = sum(ld[k] for k in _LOADING_KEYS if k != "vat")
    if total >= 1:
        raise ValidationError(f"loadings: prevention_fee + commission + admin + profit + levy = {total:.3f} leaves nothing for losses (must be < 1)")

    for name, spec in _table(data.get("factors", {}), "factors").items():
        validate_factor(name, _table(spec, f"factors.{name}"))
    validate_exposure_base(data.get("exposure_base"))
