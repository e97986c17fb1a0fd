"""A jurisdiction bundle: one TOML naming a market's parts, every number with its source and flag."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._random import RngLike, seed_sequence
from ..errors import ValidationError
from ..reference import INDUSTRIES, SUB_SECTORS, packaged_toml, read_toml
from ..prevention.fees import FEE_CAP, _year
from ..rating._schema import num, table_of
from .fees import LEDGERS, FeeSchedule, resolve_fee

__all__ = ["Jurisdiction", "FLAGS", "SECTOR_CLASSES", "packaged_bundles"]

#: Confidence flags of DOMAIN.md §0.
FLAGS = ("seed", "official", "official*", "secondary", "assumption", "derived")
#: What a unit is under a bundle's sector list.
SECTOR_CLASSES = ("mandatory", "encouraged", "scope_unclear", "excluded", "voluntary")
_SECTIONS = {"meta", "parts", "prevention", "fee", "limits", "sectors", "underwriting", "insurer", "claims", "exposure_synth",
             "coinsurance"}
_BARE_OK = {"year", "income_year"}  # identifiers, not quantities


def packaged_bundles() -> list[str]:
    """Names of the packaged jurisdiction bundles."""
    return packaged_toml("jurisdictions")


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
    lim = d["limits"]
    if lim.get("rule") not in ("minimum", "beijing", "fixed"):
        raise ValidationError(f"limits.rule: must be 'minimum', 'beijing' or 'fixed', got {lim.get('rule')!r}")
    if lim["rule"] == "minimum" and "minimum" not in lim:
        raise ValidationError("limits.minimum: the minimum per-person limit is missing")
    if lim["rule"] == "fixed":
        if "amount" not in lim:
            raise ValidationError("limits.amount: rule = 'fixed' needs the per-person limit every unit gets")
        num(table_of(lim["amount"], "limits.amount").get("value"), "limits.amount.value", lo=1, hi=1e8)
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


@dataclass(frozen=True, eq=False)
class Jurisdiction:
    """A validated bundle. Build with :meth:`load` (``ajx.jurisdictions.load(name)``)."""

    name: str
    data: dict

    @classmethod
    def from_dict(cls, data: dict, *, source: str = "<dict>") -> "Jurisdiction":
        if not isinstance(data, dict):
            raise ValidationError(f"jurisdiction {source}: must be a TOML document")
        _validate(data, f"jurisdiction {source}")
        return cls(name=data["meta"]["name"], data=data)

    @classmethod
    def load(cls, name_or_path: str | os.PathLike[str]) -> "Jurisdiction":
        """A packaged bundle by name (``ajx jurisdictions list``) or a TOML file by path."""
        data, source = read_toml("jurisdictions", name_or_path, "jurisdiction", "bundle", packaged_bundles())
        return cls.from_dict(data, source=source)

    # ------------------------------------------------------------------ parts
    @property
    def title(self) -> str:
        return str(self.data["meta"].get("title", self.name))

    @property
    def preset(self) -> str:
        return self.data["parts"]["preset"]

    def rate_table(self):
        """The bundle's :class:`~ajx_actuarial.RateTable`."""
        from ..rating import RateTable

        return RateTable.load(self.data["parts"]["rate_table"])

    def prevention_rules(self):
        """The bundle's :class:`~ajx_actuarial.prevention.MandateRules` (packaged, a path, or inline)."""
        from ..prevention import MandateRules

        pv = self.data["prevention"]
        if pv["rules"] == "inline":
            return MandateRules.from_dict(pv["rule_set"], source=f"{self.name} [prevention.rule_set]")
        return MandateRules.load(pv["rules"])

    @property
    def pooling(self) -> str:
        return str(self.data["prevention"].get("pooling", "insurer"))

    @property
    def effective_year(self) -> int:
        return int(str(self.data["meta"].get("effective", "2026"))[:4])

    @property
    def ledger(self) -> str:
        return self.data["fee"]["ledger"]

    def fee_schedule(self, years: int | None = None, start_year: int | None = None, *, fee_ratio=None,
                     on_breach: str = "error") -> FeeSchedule:
        """Fee ratio per year (the bundle's, or ``fee_ratio``) checked against the floor and cap.

        Examples
        --------
        >>> import ajx_actuarial as ajx
        >>> ajx.jurisdictions.load("beijing-2026").fee_schedule().as_mapping()  # effective year to the last listed
        {2026: 0.1667, 2027: 0.1833, 2028: 0.2}
        >>> ajx.jurisdictions.load("xinzhou-2024").fee_schedule(fee_ratio=0.05, on_breach="flag").breaches["rule"].tolist()
        ['floor']
        """
        return resolve_fee(self.data["fee"], self.name, fee_ratio=fee_ratio, years=years, start_year=start_year,
                           default_start=self.effective_year, on_breach=on_breach)

    def limit_policy(self):
        """The limit rule as a :class:`~ajx_actuarial.LimitPolicy` (a floor, one fixed limit, or the Beijing formula)."""
        from ..losses import LimitPolicy

        lim = self.data["limits"]
        if lim["rule"] == "beijing":
            floor = lim.get("floor", {"value": 400_000})["value"]
            return LimitPolicy.beijing(int(lim.get("income_year", 2024)), lim.get("offset", "death_grant"), floor=float(floor))
        if lim["rule"] == "fixed":  # one limit for every unit (a unified product: Beijing 2017's 五统一, S00 §(十))
            a = float(lim["amount"]["value"])
            return LimitPolicy.fixed(a, floor=a, label=f"{self.name} fixed {a:,.0f}")
        m = float(lim["minimum"]["value"])
        return LimitPolicy(limit_death=None, floor=m, label=f"{self.name} minimum {m:,.0f}")

    # ------------------------------------------------------------------ the book
    def classify(self, book: pd.DataFrame) -> pd.Series:
        """Sector class of every policy: mandatory, encouraged, scope_unclear (an industry only partly
        in scope and no ``sub_sector`` to say which part), excluded or voluntary."""
        from ..portfolio import validate_portfolio

        df = validate_portfolio(book)
        sec = self.data["sectors"]
        ind = df["industry"].astype(str).to_numpy()
        sub = df["sub_sector"].astype(str).to_numpy() if "sub_sector" in df.columns else np.full(len(df), "none")
        msub, esub = set(sec.get("mandatory_sub_sectors", [])), set(sec.get("encouraged_sub_sectors", []))
        from ..reference import sub_sectors

        parents = sub_sectors()["parent"]
        partial = {parents[c] for c in msub} - set(sec.get("mandatory", []))
        out = np.full(len(df), "voluntary", dtype=object)
        out[np.isin(ind, list(partial)) & (sub == "none")] = "scope_unclear"
        out[np.isin(ind, sec.get("encouraged", []))] = "encouraged"
        out[np.isin(ind, sec.get("excluded", []))] = "excluded"
        out[np.isin(ind, sec.get("mandatory", []))] = "mandatory"
        # a sub-sector the seed names decides over its industry (Xinzhou S04: hazchem 全面实施, chemical industry 全面推行)
        out[np.isin(sub, list(esub))] = "encouraged"
        out[np.isin(sub, list(msub))] = "mandatory"
        return pd.Series(pd.Categorical(out, categories=SECTOR_CLASSES), index=df.index, name="sector_class")

    def underwrite(self, book: pd.DataFrame):
        """Apply the bundle's underwriting rules (:func:`~ajx_actuarial.jurisdictions.underwrite`)."""
        from .underwriting import underwrite

        return underwrite(book, self.data.get("underwriting", {}), name=self.name)

    def book(self, n: int, *, rng: RngLike = None) -> pd.DataFrame:
        """A synthetic book of the bundle's market: the preset's portfolio, the limit rule applied,
        and the exposure its rate table prices on (``[exposure_synth]``: exposure per worker × a
        lognormal spread with median 1), and the sub-sector of each unit where the bundle gives a
        ``[sectors.sub_sector_mix]`` (so that a scope by sub-sector can be read), reproducible from ``rng``."""
        from .. import synth

        ss = seed_sequence(rng)
        s_book, s_exp, s_sub = ss.spawn(3)
        df = self.limit_policy().apply(synth.portfolio(n, preset=self.preset, rng=s_book))
        mix = _sub_sector_mix(self.data["sectors"].get("sub_sector_mix", {}))
        if mix:  # which part of a partly-covered industry each unit is in (the seed's scope needs it)
            g = np.random.Generator(np.random.PCG64(s_sub))
            sub = np.full(len(df), "none", dtype=object)
            ind = df["industry"].astype(str).to_numpy()
            for name, shares in mix.items():
                on = np.flatnonzero(ind == name)
                codes = np.array(list(shares), dtype=object)
                sub[on] = codes[g.choice(len(codes), size=on.size, p=np.array(list(shares.values())) / sum(shares.values()))]
            df["sub_sector"] = sub
        eb = self.rate_table().exposure_base
        if eb is not None:
            spec = self.data.get("exposure_synth", {})
            key = {"project_cost": "project_cost_per_worker", "output_tonnes": "tonnes_per_worker"}[eb.kind]
            if key not in spec:
                raise ValidationError(f"jurisdiction {self.name!r}: table {self.rate_table().name!r} prices on {eb.kind}; "
                                      f"[exposure_synth] needs {key} to build a synthetic book")
            g = np.random.Generator(np.random.PCG64(s_exp))
            sigma = float(spec.get("sigma", {"value": 0.0})["value"])
            on = df["industry"].isin(eb.industries).to_numpy()
            x = np.full(len(df), np.nan)
            x[on] = df["headcount"].to_numpy()[on] * float(spec[key]["value"]) * np.exp(sigma * g.standard_normal(int(on.sum())))
            df[eb.kind] = np.round(x, 0) if eb.kind == "project_cost" else x
            if eb.aggregate_limits is not None:  # the band's aggregate limit is the policy's (set when priced)
                df = df.drop(columns="limit_annual")
        return df

    # ------------------------------------------------------------------ other rules
    def check_insurer(self, *, solvency_ratio: float | None = None, risk_rating: str | None = None,
                      commission: float | None = None) -> pd.DataFrame:
        """The bundle's insurer tests (Xinzhou: solvency >= 100 %, risk rating B or better; N25/S01:
        commission <= 5 %) on the figures given: ``test``, ``required``, ``value``, ``passed``, ``source``."""
        ins = self.data.get("insurer", {})
        if solvency_ratio is not None:  # a ratio (1.2 = 120 %); 100× the 100 % requirement is already absurd
            solvency_ratio = num(solvency_ratio, "check_insurer: solvency_ratio", positive=False, lo=0, hi=100)
        if commission is not None:
            commission = num(commission, "check_insurer: commission", positive=False, lo=0, hi=1)
        rows = []
        order = "ABCD"  # C-ROSS integrated risk rating, A best
        if "min_solvency_ratio" in ins and solvency_ratio is not None:
            req = ins["min_solvency_ratio"]
            rows.append(("solvency ratio", f">= {req['value']:.0%}", f"{solvency_ratio:.0%}", solvency_ratio >= req["value"], req["source"]))
        if "min_risk_rating" in ins and risk_rating is not None:
            req = ins["min_risk_rating"]
            r = str(risk_rating).strip().upper()
            if r not in order:
                raise ValidationError(f"check_insurer: risk_rating must be one of A, B, C, D (C-ROSS), got {risk_rating!r}")
            rows.append(("risk rating", f"{req['value']} or better", r, order.index(r) <= order.index(req["value"]), req["source"]))
        if "max_commission" in ins and commission is not None:
            req = ins["max_commission"]
            rows.append(("commission", f"<= {req['value']:.0%}", f"{commission:.1%}", commission <= req["value"] + 1e-12, req["source"]))
        return pd.DataFrame(rows, columns=["test", "required", "value", "passed", "source"])

    @property
    def coinsurance(self):
        """The bundle's co-insurance pool (``[coinsurance]`` with ``shares``: a
        :class:`~ajx_actuarial.CoinsurancePool`, an assumption where the seed names no members), or None."""
        from ..coinsurance import read_bundle_table

        return read_bundle_table(self.data["coinsurance"], f"{self.name} [coinsurance]")[0] if "coinsurance" in self.data else None

    @property
    def insurer_test_applies_to(self) -> str:
        """Whom the ``[insurer]`` test applies to in a pool: ``"lead"`` where the bundle's ``[coinsurance]
        insurer_test`` says so (S04: 主承保公司满足即可), else ``"all"`` (a seed that says nothing: every member)."""
        from ..coinsurance import read_bundle_table

        return (read_bundle_table(self.data["coinsurance"])[1] if "coinsurance" in self.data else None) or "all"

    def fast_payments(self, result):
        """The bundle's fast-payment rule (``[claims]``; Beijing 2026: >= 2 deaths, 48 h) on a simulation
        run with ``events=True`` (:func:`~ajx_actuarial.jurisdictions.fast_payments`)."""
        from .claims import fast_payments

        cl = self.data.get("claims", {})
        if "fast_payment_min_deaths" not in cl:
            raise ValidationError(f"jurisdiction {self.name!r} states no fast-payment rule ([claims] fast_payment_min_deaths)")
        return fast_payments(result, int(cl["fast_payment_min_deaths"]["value"]), int(cl.get("fast_payment_hours", {"value": 48})["value"]))

    def sources(self) -> pd.DataFrame:
        """Every number of the bundle with its source and confidence flag: ``path``, ``value``, ``source``, ``flag``."""
        rows: list[tuple] = []

        def walk(o, path):
            if isinstance(o, dict):
                if "value" in o:
                    rows.append((path, o["value"], o["source"], o["flag"]))
                    return
                for k, v in o.items():
                    walk(v, f"{path}.{k}" if path else k)
            elif isinstance(o, list):
                for i, v in enumerate(o):
                    walk(v, f"{path}[{i}]")

        walk({k: v for k, v in self.data.items() if k != "meta"}, "")
        return pd.DataFrame(rows, columns=["path", "value", "source", "flag"])

    def describe(self) -> list[tuple[str, pd.DataFrame]]:
        """Titled frames for ``ajx jurisdictions show NAME``."""
        m, d = self.data["meta"], self.data
        fee = self.fee_schedule(on_breach="flag")
        lim = self.limit_policy()
        sec = d["sectors"]
        parts = pd.DataFrame({"part": ["seed", "status", "rate table", "prevention rules", "synthetic preset", "limit rule",
                                       "fee ratio by year", "fee floor / cap", "ledger", "mandatory", "mandatory sub-sectors",
                                       "encouraged", "excluded", "underwriting"],
                              "value": [str(m.get("seed", "")), str(m.get("status", "")), d["parts"]["rate_table"],
                                        self.prevention_rules().name, self.preset, lim.label,
                                        ", ".join(f"{y}: {r:.2%}" for y, r in zip(fee.years, fee.ratios)),
                                        f"{'-' if fee.floor is None else f'{fee.floor:.0%}'} / {'-' if fee.cap is None else f'{fee.cap:.0%}'}",
                                        f"{fee.ledger}: {d['fee'].get('ledger_source', '')}", ", ".join(sec.get("mandatory", [])),
                                        ", ".join(sec.get("mandatory_sub_sectors", [])) or "-",
                                        ", ".join(sec.get("encouraged", []) + sec.get("encouraged_sub_sectors", [])) or "-",
                                        ", ".join(sec.get("excluded", [])) or "-", _uw_text(d.get("underwriting", {}))]})
        out = [(f"{self.name}: {self.title}. {m.get('description', '')}", parts),
               ("assumed (not in the seed text)", pd.DataFrame({"assumption": m.get("assumed", [])})),
               ("every number with its source and confidence flag", self.sources())]
        return out


def _uw_text(uw: dict) -> str:
    rules = uw.get("rules", [])
    if rules:
        return "; ".join(f"{r['action']} when {r['when']} ({r['source']})" for r in rules)
    return "must accept every eligible unit" if uw.get("must_accept") else "none"
