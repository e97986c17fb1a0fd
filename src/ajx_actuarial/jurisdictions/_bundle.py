"""A jurisdiction bundle: one TOML naming a market's parts, every number with its source and flag."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._random import RngLike, seed_sequence
from ..errors import ValidationError
from ..reference import packaged_toml, read_toml
from ._validate import FLAGS, _sub_sector_mix, _validate
from .fees import FeeSchedule, resolve_fee
from .scope import SECTOR_CLASSES, Scope

__all__ = ["Jurisdiction", "FLAGS", "SECTOR_CLASSES", "packaged_bundles"]



def packaged_bundles() -> list[str]:
    """Names of the packaged jurisdiction bundles."""
    return packaged_toml("jurisdictions")


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
        """The bundle's :class:`~ajx_actuarial.prevention.MandateRules` (packaged, a path, or inline), with the
        bundle's ``[prevention] first_service_within_months`` (Xinzhou S04: 3) where it states one."""
        from ..prevention import MandateRules

        pv = self.data["prevention"]
        if pv["rules"] == "inline":
            rs = MandateRules.from_dict(pv["rule_set"], source=f"{self.name} [prevention.rule_set]")
        else:
            rs = MandateRules.load(pv["rules"])
        if "first_service_within_months" in pv:  # the bundle's own, sourced (Xinzhou S04 Annex 2 §七)
            meta = {**rs.data["meta"], "first_service_within_months": pv["first_service_within_months"]["value"]}
            rs = MandateRules.from_dict({**rs.data, "meta": meta}, source=f"{self.name} [prevention]")
        return rs

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
        try:  # the values were checked on load (_validate._check_limits); a later error still names the bundle and key
            if lim["rule"] == "beijing":
                floor = lim.get("floor", {"value": 400_000})["value"]
                return LimitPolicy.beijing(int(lim.get("income_year", 2024)), lim.get("offset", "death_grant"), floor=float(floor))
            if lim["rule"] == "fixed":  # one limit for every unit (a unified product: Beijing 2017's 五统一, S00 §(十))
                a = float(lim["amount"]["value"])
                return LimitPolicy.fixed(a, floor=a, label=f"{self.name} fixed {a:,.0f}")
            m = float(lim["minimum"]["value"])
            return LimitPolicy(limit_death=None, floor=m, label=f"{self.name} minimum {m:,.0f}")
        except ValidationError as exc:
            raise ValidationError(f"jurisdiction {self.name} [limits] (rule {lim['rule']!r}): {exc}") from exc

    # ------------------------------------------------------------------ the book
    def classify(self, book: pd.DataFrame) -> pd.Series:
        """Sector class of every policy: mandatory, encouraged, scope_unclear (an industry only partly
        in scope and no ``sub_sector`` to say which part), excluded or voluntary (:mod:`.scope`)."""
        from ..portfolio import validate_portfolio
        from .scope import classify

        return classify(self.data["sectors"], validate_portfolio(book))

    def scope(self, book: pd.DataFrame) -> Scope:
        """The book under the bundle's sector lists: each unit's class, the counts, and how many units must
        insure to meet its ``participation_target`` (Beijing 2017 S00 §(三): 参保率不低于6%; :class:`.scope.Scope`).

        Examples
        --------
        >>> import ajx_actuarial as ajx
        >>> s = ajx.jurisdictions.load("beijing-2017").scope(ajx.jurisdictions.load("beijing-2017").book(1000, rng=1)).summary
        >>> s["participation_target"], s["units_required"]
        (0.06, 60)
        """
        from ..portfolio import validate_portfolio
        from .scope import scope

        return scope(self.data["sectors"], validate_portfolio(book))

    def underwrite(self, book: pd.DataFrame, appetite=None):
        """Apply the bundle's underwriting rules (:func:`~ajx_actuarial.jurisdictions.underwrite`); ``appetite``:
        the insurer's own rules, applied unless the bundle's ``must_accept`` keeps those units."""
        from .underwriting import underwrite

        return underwrite(book, self.data.get("underwriting", {}), name=self.name, appetite=appetite)

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
        from .checks import check_insurer

        return check_insurer(self.data.get("insurer", {}), solvency_ratio=solvency_ratio, risk_rating=risk_rating, commission=commission)

    def check_table(self, table=None) -> pd.DataFrame:
        """The rate table (default the bundle's) against the bundle: commission loading <= ``max_commission``
        (a breach flag and the margin), prevention loading = the first year's budget, and under the cap
        (:func:`.checks.check_table`).

        Examples
        --------
        >>> import ajx_actuarial as ajx
        >>> ajx.jurisdictions.load("beijing-2026").check_table()[["test", "passed"]].values.tolist()
        [['commission loading', True], ['prevention loading = first-year budget', True], ['prevention loading under the cap', True]]
        """
        from .checks import check_table

        return check_table(self, table)

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

    def fast_payments(self, result, *, rng: RngLike = None):
        """The bundle's fast-payment rule (``[claims]``; Beijing 2026: >= 2 deaths, 48 h) on a simulation
        run with ``events=True`` (:func:`~ajx_actuarial.jurisdictions.fast_payments`; ``rng`` places the
        cases in the year for the peak cash within the hours)."""
        from .claims import fast_payments

        cl = self.data.get("claims", {})
        if "fast_payment_min_deaths" not in cl:
            raise ValidationError(f"jurisdiction {self.name!r} states no fast-payment rule ([claims] fast_payment_min_deaths)")
        return fast_payments(result, int(cl["fast_payment_min_deaths"]["value"]), float(cl.get("fast_payment_hours", {"value": 48})["value"]),
                             rng=rng)

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
        if m.get("replaces"):
            parts = pd.concat([parts, pd.DataFrame({"part": ["replaces"], "value": [str(m["replaces"])]})], ignore_index=True)
        out = [(f"{self.name}: {self.title}. {m.get('description', '')}", parts)]
        if m.get("provisions"):
            out.append(("the document's provisions and where each is encoded", pd.DataFrame({"provision": list(m["provisions"])})))
        out += [("assumed (not in the seed text)", pd.DataFrame({"assumption": m.get("assumed", [])})),
               ("every number with its source and confidence flag", self.sources()),
               ("the rate table against the bundle's rules", self.check_table())]
        return out


def _uw_text(uw: dict) -> str:
    rules = uw.get("rules", [])
    if rules:
        return "; ".join(f"{r['action']} when {r['when']} ({r['source']})" for r in rules)
    return "must accept every eligible unit" if uw.get("must_accept") else "none"
