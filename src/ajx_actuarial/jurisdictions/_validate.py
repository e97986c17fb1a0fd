"""The checks of a jurisdiction bundle's format: sections, sourced numbers, codes, and the values each rule reads."""

from __future__ import annotations

from ..errors import ValidationError
from ..prevention.fees import FEE_CAP, _year
from ..rating._schema import num, table_of
from ..reference import INDUSTRIES, SUB_SECTORS
from .fees import LEDGERS

__all__ = ["FLAGS", "_validate", "_sub_sector_mix"]

#: Confidence flags of DOMAIN.md §0.
FLAGS = ("seed", "official", "official*", "secondary", "assumption", "derived")
_SECTIONS = {"meta", "parts", "prevention", "fee", "limits", "sectors", "underwriting", "insurer", "claims", "exposure_synth",
             "coinsurance"}
_BARE_OK = {"year", "income_year"}  # identifiers, not quantities


def _sourced(obj, path: str) -> None:
    """Every number (and every {value = ...}) carries a non-empty ``source`` and a ``flag`` of :data:`FLAGS`."""
    if isinstance(obj, dict):
        if "value" in obj:
            if not isinstance(obj.get("source"), str) or not obj["source"].strip():
                raise ValidationError(f"{path}.source: every number needs a source (a non-empty string)")
            if obj.get("flag") not in FLAGS:
                raise ValidationError(f"{path}.flag: must be one of {list(FLAGS)}, got {obj.get('flag')!r}")
            return
        for k, v in obj.items():
            if k == "rule_set":  # a prevention rule set: service counts, validated by MandateRules
                continue
            if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in _BARE_OK:
                raise ValidationError(f"{path}.{k}: a number needs its source; write {{ value = {v!r}, source = \"...\", flag = \"...\" }}")
            _sourced(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                raise ValidationError(f"{path}[{i}]: a number needs its source; write {{ value = {v!r}, source = \"...\", flag = \"...\" }}")
            _sourced(v, f"{path}[{i}]")


def _sub_sector_mix(mix) -> dict[str, dict[str, float]]:
    """``[sectors.sub_sector_mix]``: per industry, the shares of its sub-sectors in the bundle's synthetic
    book (each a sourced number; codes of that industry; shares summing to 1)."""
    from ..reference import sub_sectors

    if not isinstance(mix, dict):
        raise ValidationError(f"sectors.sub_sector_mix: must be a table of industries, got {mix!r}"[:200])
    parents = sub_sectors()["parent"]
    out = {}
    for ind, shares in mix.items():
        path = f"sectors.sub_sector_mix.{ind}"
        _codes([ind], INDUSTRIES, "sectors.sub_sector_mix")
        if not isinstance(shares, dict) or not shares:
            raise ValidationError(f"{path}: must map sub-sector codes to shares, got {shares!r}"[:200])
        own = [c for c in parents.index if parents[c] == ind] + ["none"]  # none: no named sub-sector
        _codes(list(shares), own, path)
        vals = {c: num(table_of(v, f"{path}.{c}").get("value"), f"{path}.{c}.value", positive=False, lo=0, hi=1) for c, v in shares.items()}
        if abs(sum(vals.values()) - 1) > 1e-9:
            raise ValidationError(f"{path}: shares must sum to 1, got {sum(vals.values()):.6g}")
        out[ind] = vals
    return out


def _codes(values, allowed, path: str) -> list[str]:
    if not isinstance(values, list):
        raise ValidationError(f"{path}: must be a list of codes, got {values!r}")
    bad = sorted(set(map(str, values)) - set(allowed))
    if bad:
        raise ValidationError(f"{path}: unknown code(s) {bad}; allowed: {list(allowed)}")
    return [str(v) for v in values]


def _validate(d: dict, where: str) -> None:
    for sec in ("meta", "parts", "prevention", "fee", "limits", "sectors"):
        if not isinstance(d.get(sec), dict):
            raise ValidationError(f"{where}: missing section [{sec}]")
    unknown = sorted(set(d) - _SECTIONS)
    if unknown:
        raise ValidationError(f"{where}: unknown section(s) {unknown}; allowed: {sorted(_SECTIONS)}")
    if not isinstance(d["meta"].get("name"), str) or not d["meta"]["name"]:
        raise ValidationError("meta.name: must be a non-empty string")
    _sourced({k: v for k, v in d.items() if k != "meta"}, "jurisdiction")
    for key in ("rate_table", "preset"):
        if not isinstance(d["parts"].get(key), str):
            raise ValidationError(f"parts.{key}: must name a packaged {key.replace('_', ' ')} or a TOML path")
    pv = d["prevention"]
    if pv.get("rules") == "inline" and not isinstance(pv.get("rule_set"), dict):
        raise ValidationError("prevention.rule_set: rules = 'inline' needs a [prevention.rule_set] (a MandateRules document)")
    if not isinstance(pv.get("rules"), str):
        raise ValidationError("prevention.rules: must name a packaged rule set, a TOML path or 'inline'")
    fee = d["fee"]
    if ("ratio" in fee) == ("schedule" in fee):
        raise ValidationError("fee: give exactly one of 'ratio' or 'schedule'")
    if "cap" not in fee:
        raise ValidationError("fee.cap: missing (the national cap is 21 %, N24)")
    for key in ("ratio", "floor", "cap"):
        if key in fee:
            hi = FEE_CAP if key == "cap" else 1  # a bundle cannot cap above the national 21 % (N24)
            v = num(table_of(fee[key], f"fee.{key}").get("value"), f"fee.{key}.value", positive=False)
            if not 0 <= v <= hi:
                raise ValidationError(f"fee.{key}.value: must be in [0, {hi:g}], got {v!r}")
    sched = fee.get("schedule", [])
    if not isinstance(sched, list):
        raise ValidationError(f"fee.schedule: must be a list of {{ year, value, source, flag }} tables, got {sched!r}")
    for i, it in enumerate(sched):
        table_of(it, f"fee.schedule[{i}]")
        _year(it.get("year"), f"fee.schedule[{i}].year")
        num(it.get("value"), f"fee.schedule[{i}].value", positive=False, lo=0, hi=1)
    years = [int(it["year"]) for it in sched]
    if len(set(years)) != len(years):
        raise ValidationError(f"fee.schedule: a year is listed twice: {sorted(years)}")
    if "effective" in d["meta"]:
        eff = d["meta"]["effective"]
        try:
            _year(str(eff)[:4], "meta.effective")
        except ValidationError:
            raise ValidationError(f"meta.effective: must be a date (YYYY-MM-DD) or a year, got {eff!r}") from None
    if fee.get("base", "ex_vat") not in ("ex_vat", "collected"):
        raise ValidationError(f"fee.base: must be 'ex_vat' (实收保费（不含税）) or 'collected' (实收保费, VAT included), got {fee.get('base')!r}")
    if fee.get("ledger") not in LEDGERS:
        raise ValidationError(f"fee.ledger: must be one of {list(LEDGERS)}, got {fee.get('ledger')!r}")
    _check_values(d)
    _check_limits(d["limits"], where)
    sec = d["sectors"]
    for key in ("mandatory", "encouraged", "excluded"):
        _codes(sec.get(key, []), INDUSTRIES, f"sectors.{key}")
    for key in ("mandatory_sub_sectors", "encouraged_sub_sectors"):
        _codes(sec.get(key, []), SUB_SECTORS[1:], f"sectors.{key}")
    _sub_sector_mix(sec.get("sub_sector_mix", {}))
    from .underwriting import validate_rules

    validate_rules(d.get("underwriting", {}))
    if "coinsurance" in d:  # a co-insurance pool (an assumption) and/or whom the insurer test applies to
        from ..coinsurance import read_bundle_table

        read_bundle_table(d["coinsurance"], f"{where} [coinsurance]")


def _check_limits(lim: dict, where: str) -> None:
    """``[limits]``: the rule and every amount it reads, each error naming the bundle and the key (a bad
    floor is the bundle's, not the :class:`~ajx_actuarial.LimitPolicy` built from it)."""
    from ..losses.limits import OFFSETS
    from ..portfolio import MAX_LIMIT_PERSON

    if lim.get("rule") not in ("minimum", "beijing", "fixed"):
        raise ValidationError(f"{where}: limits.rule: must be 'minimum', 'beijing' or 'fixed', got {lim.get('rule')!r}"[:300])
    if lim["rule"] == "minimum" and "minimum" not in lim:
        raise ValidationError(f"{where}: limits.minimum: the minimum per-person limit is missing")
    if lim["rule"] == "fixed" and "amount" not in lim:
        raise ValidationError(f"{where}: limits.amount: rule = 'fixed' needs the per-person limit every unit gets")
    for key in ("minimum", "amount", "floor"):  # CNY per person, as the portfolio contract bounds a limit
        if key in lim:
            try:
                num(table_of(lim[key], f"limits.{key}").get("value"), f"limits.{key}.value", lo=1, hi=MAX_LIMIT_PERSON,
                    what="per-person limit (CNY)")
            except ValidationError as exc:
                raise ValidationError(f"{where}: {exc}") from exc
    if lim["rule"] == "beijing":
        iy = lim.get("income_year", 2024)
        if isinstance(iy, bool) or not isinstance(iy, int) or not 1990 <= iy <= 2200:
            raise ValidationError(f"{where}: limits.income_year: must be an integer year in [1990, 2200], got {iy!r}"[:300])
        off = lim.get("offset", "death_grant")
        if off not in OFFSETS:
            raise ValidationError(f"{where}: limits.offset: must be one of {list(OFFSETS)}, got {off!r}"[:300])


def _value(d: dict, section: str, key: str):
    v = d.get(section, {}).get(key)
    return table_of(v, f"{section}.{key}").get("value") if v is not None else None


def _check_values(d: dict) -> None:
    """The values each rule reads: types and ranges (a bundle states each one, with its source)."""
    from ..prevention import SERVICE_TYPES
    from ..prevention.assess import MAX_IT_COST

    fee = d["fee"]
    if "it_cost" in fee:
        num(_value(d, "fee", "it_cost"), "fee.it_cost.value", positive=False, lo=0, hi=MAX_IT_COST)
    if "earmark" in fee and _value(d, "fee", "earmark") not in SERVICE_TYPES:
        raise ValidationError(f"fee.earmark.value: must be a service type {list(SERVICE_TYPES)}, got {_value(d, 'fee', 'earmark')!r}")
    if "includes" in fee:
        raise ValidationError("fee.includes: state each line the fee pays as a number (fee.it_cost: CNY per insured unit a year)")
    if "first_service_within_months" in d["prevention"]:
        num(_value(d, "prevention", "first_service_within_months"), "prevention.first_service_within_months.value", lo=1e-9, hi=12)
    if "participation_target" in d["sectors"]:
        num(_value(d, "sectors", "participation_target"), "sectors.participation_target.value", lo=1e-9, hi=1)
    if not isinstance(d.get("underwriting", {}).get("must_accept", False), bool):
        raise ValidationError(f"underwriting.must_accept: must be true or false, got {d['underwriting']['must_accept']!r}")
    ins = d.get("insurer", {})
    unknown = sorted(set(ins) - {"min_solvency_ratio", "min_risk_rating", "max_commission"})
    if unknown:
        raise ValidationError(f"insurer: unknown key(s) {unknown}; allowed: min_solvency_ratio, min_risk_rating, max_commission")
    if "min_solvency_ratio" in ins:
        num(_value(d, "insurer", "min_solvency_ratio"), "insurer.min_solvency_ratio.value", positive=False, lo=0, hi=100)
    if "max_commission" in ins:
        num(_value(d, "insurer", "max_commission"), "insurer.max_commission.value", positive=False, lo=0, hi=1)
    if "min_risk_rating" in ins and _value(d, "insurer", "min_risk_rating") not in ("A", "B", "C", "D"):
        raise ValidationError(f"insurer.min_risk_rating.value: must be one of A, B, C, D (C-ROSS), got {_value(d, 'insurer', 'min_risk_rating')!r}")
    cl = d.get("claims", {})
    if "fast_payment_min_deaths" in cl:
        v = _value(d, "claims", "fast_payment_min_deaths")
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 1000:
            raise ValidationError(f"claims.fast_payment_min_deaths.value: must be an integer in [1, 1000], got {v!r}")
    if "fast_payment_hours" in cl:
        num(_value(d, "claims", "fast_payment_hours"), "claims.fast_payment_hours.value", lo=1e-9, hi=8784)
