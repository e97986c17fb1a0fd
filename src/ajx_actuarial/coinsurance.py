"""Co-insurance pools (共保体): who carries which share of a book, who collects, who is tested.

A pool writes a book jointly: each member (insurer) carries a fixed share of every policy
(proportional co-insurance), so its premium, incurred losses, prevention spending and expenses are
that share of the pool's. The lead insurer (主承保公司) issues the policies. Two settlements:

* ``lead_collects`` (主代从收): the lead collects all premium and pays all claims, then settles with
  each follower, who therefore holds a receivable on the lead (a credit exposure) between
  settlements;
* ``each_collects`` (各收各份额): each member collects and pays its own share; nothing passes
  through the lead.

The seeds (``../shared/seeds/``):

* S04 (Xinzhou 2024) §一(二)3: 综合偿付能力充足率不低于100%，风险综合评级在B类及以上
  （共保体承保机构主承保公司满足即可）: in a pool the insurer test applies to the lead only; S04
  §一(三): 承保机构可自主确定承保方式，以独立承保或共保方式开展.
* S03 (Zhoushan 2018) §六(二): 指导承保单位按照自律、共赢的原则探索建立安全生产责任保险"共保体"，有效规避
  恶意压价承保; the insurers are chosen by 公开比选 (§四(二), §五(一)2).
* S02 (Zhejiang) §一: 各级行业主管部门不再组织比选保险机构共保体 (authorities stop tendering pools;
  pools formed by the market remain possible).

Where a seed says nothing about a pool, an insurer test applies to every member
(``insurer_test = "all"``). The split of a projection by member is
:meth:`ajx_actuarial.ProjectionResult.by_insurer`.

This module is part of the contract layer (layer 1): it reads and validates a pool and imports
nothing above ``reference``.

Examples
--------
>>> import ajx_actuarial as ajx
>>> pool = ajx.CoinsurancePool({"picc": 0.5, "cpic": 0.3, "pingan": 0.2}, lead="picc")
>>> pool.followers
['cpic', 'pingan']
>>> pool.to_frame()[["insurer", "role", "share"]].values.tolist()
[['picc', 'lead', 0.5], ['cpic', 'follower', 0.3], ['pingan', 'follower', 0.2]]
>>> ajx.CoinsurancePool({"picc": 0.5, "cpic": 0.3}, lead="picc")
Traceback (most recent call last):
...
ajx_actuarial.errors.ValidationError: CoinsurancePool.shares: must sum to 1 (within 1e-09), got 0.8 (picc=0.5, cpic=0.3)
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any, Mapping

import pandas as pd

from .errors import ValidationError

__all__ = ["CoinsurancePool", "SETTLEMENTS", "INSURER_TESTS", "RISK_RATINGS", "SHARE_TOLERANCE", "read_bundle_table"]

#: 主代从收 (the lead collects all premium and pays all claims) and 各收各份额 (each its own share).
SETTLEMENTS = ("lead_collects", "each_collects")
#: Whom an insurer test applies to: the lead only (S04: 主承保公司满足即可) or every member.
INSURER_TESTS = ("lead", "all")
#: C-ROSS integrated risk ratings (风险综合评级), best first.
RISK_RATINGS = ("A", "B", "C", "D")
#: How far the shares may sum from 1.
SHARE_TOLERANCE = 1e-9
_KEYS = {"lead", "settlement", "shares", "capital", "risk_rating", "insurer_test", "source", "note"}
_NAME = "CoinsurancePool"


def _number(v: Any, path: str, *, lo: float, hi: float | None, open_lo: bool) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(float(v)):
        rng = f"({lo:g}, {hi:g}]" if open_lo and hi is not None else f"[{lo:g}, {'inf' if hi is None else f'{hi:g}'})"
        raise ValidationError(f"{_NAME}.{path}: must be a finite number in {rng}, got {v!r}")
    x = float(v)
    if (x <= lo if open_lo else x < lo) or (hi is not None and x > hi):
        rng = f"({lo:g}, {hi:g}]" if open_lo and hi is not None else f">= {lo:g}"
        raise ValidationError(f"{_NAME}.{path}: must be in {rng}, got {v!r}")
    return x


def _unwrap(v: Any, path: str, sources: dict, flags: dict) -> Any:
    """A bare value, or ``{value, source, flag}`` as the jurisdiction bundles write numbers."""
    if isinstance(v, Mapping):
        if "value" not in v:
            raise ValidationError(f"{_NAME}.{path}: a table must be {{ value = ..., source = \"...\", flag = \"...\" }}, got {dict(v)!r}")
        extra = sorted(set(v) - {"value", "source", "flag"})
        if extra:
            raise ValidationError(f"{_NAME}.{path}: unknown key(s) {extra}; allowed: value, source, flag")
        if "source" in v:
            if not isinstance(v["source"], str) or not v["source"].strip():
                raise ValidationError(f"{_NAME}.{path}.source: must be a non-empty string, got {v['source']!r}")
            sources[path] = v["source"]
        if "flag" in v:
            flags[path] = str(v["flag"])
        return v["value"]
    return v


def _member_map(m: Any, path: str) -> dict:
    if not isinstance(m, Mapping):
        raise ValidationError(f"{_NAME}.{path}: must be a mapping insurer -> value, got {type(m).__name__} {m!r}")
    return dict(m)


def _name(k: Any, path: str) -> str:
    if not isinstance(k, str) or not k.strip():
        raise ValidationError(f"{_NAME}.{path}: an insurer name must be a non-empty string, got {k!r}")
    return k.strip()


@dataclass(frozen=True, eq=False)
class CoinsurancePool:
    """A co-insurance pool (共保体): members' shares, the lead, the settlement (see the module docstring).

    Parameters
    ----------
    shares : mapping str -> float
        Insurer name -> share of the pool, each in (0, 1], summing to 1 within 1e-9 (then
        rescaled to sum to 1 to rounding, a change below 1e-9). Proportional co-insurance: the
        share applies to premium, incurred losses, prevention spending and expenses alike.
    lead : str
        The lead insurer (主承保公司), one of ``shares``. Default: the member with the largest share
        (the first listed among equals).
    settlement : {"lead_collects", "each_collects"}
        主代从收 (the lead collects and pays for everyone, then settles) or 各收各份额.
    capital : mapping str -> float, optional
        Available capital (CNY, >= 0) of every member for the book. Default: the pool's capital
        split by share.
    risk_rating : mapping str -> str, optional
        C-ROSS integrated risk rating (A, B, C, D) of some or all members; a member without one is
        tested on its solvency ratio only.
    insurer_test : {"lead", "all"}, optional
        Whom the insurer test applies to, when the pool's file states it (default: not stated;
        :meth:`~ajx_actuarial.ProjectionResult.by_insurer` then takes the jurisdiction's rule, else
        every member).
    sources, flags : mapping str -> str, optional
        Source text and confidence flag per field (``"shares.picc"``, ``"lead"``, ...), as read
        from a TOML file.

    Raises
    ------
    ValidationError
        An empty pool, a share that is not a number in (0, 1] (negative, NaN, inf), shares not
        summing to 1, a lead or capital for an insurer outside the pool, an unknown settlement,
        rating or test.

    Examples
    --------
    >>> pool = CoinsurancePool({"a": 0.6, "b": 0.4}, lead="a", settlement="each_collects", capital={"a": 3e6, "b": 1e6})
    >>> pool.share("b"), pool.role("a"), pool.capital_of(4e6)
    (0.4, 'lead', {'a': 3000000.0, 'b': 1000000.0})
    >>> CoinsurancePool({"a": 0.6, "b": 0.4}, lead="c")
    Traceback (most recent call last):
    ...
    ajx_actuarial.errors.ValidationError: CoinsurancePool.lead: 'c' is not a member of the pool; members: ['a', 'b']
    """

    shares: Mapping[str, float]
    lead: str | None = None
    settlement: str = "lead_collects"
    capital: Mapping[str, float] | None = None
    risk_rating: Mapping[str, str] | None = None
    insurer_test: str | None = None
    sources: Mapping[str, str] = field(default_factory=dict)
    flags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        raw = _member_map(self.shares, "shares")
        if not raw:
            raise ValidationError(f"{_NAME}.shares: the pool is empty; give at least one insurer -> share")
        shares: dict[str, float] = {}
        for k, v in raw.items():
            name = _name(k, f"shares[{k!r}]")
            if name in shares:
                raise ValidationError(f"{_NAME}.shares: insurer {name!r} is listed twice")
            shares[name] = _number(v, f"shares[{name!r}]", lo=0.0, hi=1.0, open_lo=True)
        total = math.fsum(shares.values())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            listed = ", ".join(f"{k}={v:g}" for k, v in shares.items())
            raise ValidationError(f"{_NAME}.shares: must sum to 1 (within {SHARE_TOLERANCE:g}), got {total:.12g} ({listed})")
        shares = {k: v / total for k, v in shares.items()}
        lead = max(shares, key=lambda k: shares[k]) if self.lead is None else self.lead
        if not isinstance(lead, str) or lead.strip() not in shares:
            raise ValidationError(f"{_NAME}.lead: {lead!r} is not a member of the pool; members: {list(shares)}")
        if self.settlement not in SETTLEMENTS:
            raise ValidationError(f"{_NAME}.settlement: must be one of {list(SETTLEMENTS)} (主代从收, 各收各份额), got {self.settlement!r}")
        if self.insurer_test is not None and self.insurer_test not in INSURER_TESTS:
            raise ValidationError(f"{_NAME}.insurer_test: must be one of {list(INSURER_TESTS)}, got {self.insurer_test!r}")
        capital = None
        if self.capital is not None:
            capital = {}
            for k, v in _member_map(self.capital, "capital").items():
                name = _name(k, f"capital[{k!r}]")
                if name not in shares:
                    raise ValidationError(f"{_NAME}.capital: {name!r} is not a member of the pool; members: {list(shares)}")
                capital[name] = _number(v, f"capital[{name!r}]", lo=0.0, hi=None, open_lo=False)
            missing = [k for k in shares if k not in capital]
            if missing:
                raise ValidationError(f"{_NAME}.capital: give every member's capital or none; missing {missing}")
            capital = {k: capital[k] for k in shares}
        rating = None
        if self.risk_rating is not None:
            rating = {}
            for k, v in _member_map(self.risk_rating, "risk_rating").items():
                name = _name(k, f"risk_rating[{k!r}]")
                if name not in shares:
                    raise ValidationError(f"{_NAME}.risk_rating: {name!r} is not a member of the pool; members: {list(shares)}")
                r = str(v).strip().upper() if isinstance(v, str) else v
                if r not in RISK_RATINGS:
                    raise ValidationError(f"{_NAME}.risk_rating[{name!r}]: must be one of {list(RISK_RATINGS)} (C-ROSS), got {v!r}")
                rating[name] = r
        object.__setattr__(self, "shares", shares)
        object.__setattr__(self, "lead", lead.strip())
        object.__setattr__(self, "capital", capital)
        object.__setattr__(self, "risk_rating", rating)
        object.__setattr__(self, "sources", dict(self.sources or {}))
        object.__setattr__(self, "flags", dict(self.flags or {}))

    # ------------------------------------------------------------------ reading
    @classmethod
    def from_dict(cls, data: Mapping, *, source: str = "<dict>") -> "CoinsurancePool":
        """A pool from a parsed TOML document: its ``[coinsurance]`` table, or the table itself.

        Keys: ``lead``, ``settlement``, ``shares`` (required), ``capital``, ``risk_rating``,
        ``insurer_test``, ``source`` and ``note`` (text). Every value may be bare or
        ``{ value = ..., source = "...", flag = "..." }``.

        >>> CoinsurancePool.from_dict({"coinsurance": {"lead": "a", "shares": {"a": {"value": 0.7, "source": "assumed",
        ...     "flag": "assumption"}, "b": 0.3}}}).sources
        {'shares.a': 'assumed'}
        """
        if not isinstance(data, Mapping):
            raise ValidationError(f"{_NAME} {source}: must be a TOML document or a mapping, got {type(data).__name__}")
        tab = data.get("coinsurance", data)
        if not isinstance(tab, Mapping):
            raise ValidationError(f"{_NAME} {source}: [coinsurance] must be a table, got {type(tab).__name__}")
        unknown = sorted(set(tab) - _KEYS)
        if unknown:
            raise ValidationError(f"{_NAME} {source}: unknown key(s) {unknown} in [coinsurance]; allowed: {sorted(_KEYS)}")
        if "shares" not in tab:
            raise ValidationError(f"{_NAME} {source}: [coinsurance] has no 'shares' (insurer -> share of the pool)")
        sources: dict[str, str] = {}
        flags: dict[str, str] = {}
        if isinstance(tab.get("source"), str):
            sources["coinsurance"] = tab["source"]
        kw: dict[str, Any] = {}
        for key in ("lead", "settlement", "insurer_test"):
            if key in tab:
                kw[key] = _unwrap(tab[key], key, sources, flags)
        for key in ("shares", "capital", "risk_rating"):
            if key in tab:
                kw[key] = {k: _unwrap(v, f"{key}.{k}", sources, flags) for k, v in _member_map(tab[key], key).items()}
        return cls(**kw, sources=sources, flags=flags)

    @classmethod
    def load(cls, path_or_dict: str | os.PathLike[str] | Mapping) -> "CoinsurancePool":
        """A pool from a TOML file (its ``[coinsurance]`` table), a mapping, or a packaged
        jurisdiction bundle's ``[coinsurance]`` (by name).

        The TOML format::

            [coinsurance]
            lead = "picc"
            settlement = "lead_collects"          # or "each_collects"
            shares = { picc = 0.5, cpic = 0.3, pingan = 0.2 }
            # optional: capital = { picc = 6e8, ... }, risk_rating = { picc = "A" }, insurer_test = "lead"

        >>> CoinsurancePool.load({"coinsurance": {"lead": "a", "settlement": "each_collects", "shares": {"a": 0.5, "b": 0.5}}}).settlement
        'each_collects'
        """
        if isinstance(path_or_dict, Mapping):
            return cls.from_dict(path_or_dict)
        from .reference import packaged_toml, read_toml

        data, where = read_toml("jurisdictions", path_or_dict, "co-insurance pool", "jurisdiction bundle", packaged_toml("jurisdictions"))
        if "coinsurance" not in data and "shares" not in data:
            raise ValidationError(f"{_NAME} {where}: no [coinsurance] table (lead, settlement, shares)")
        return cls.from_dict(data, source=where)

    # ------------------------------------------------------------------ views
    @property
    def insurers(self) -> list[str]:
        """Members in the order given."""
        return list(self.shares)

    @property
    def followers(self) -> list[str]:
        """Members other than the lead (从共保人)."""
        return [k for k in self.shares if k != self.lead]

    def share(self, insurer: str) -> float:
        if insurer not in self.shares:
            raise ValidationError(f"{_NAME}.share: {insurer!r} is not a member of the pool; members: {self.insurers}")
        return float(self.shares[insurer])

    def role(self, insurer: str) -> str:
        """``"lead"`` or ``"follower"``."""
        self.share(insurer)
        return "lead" if insurer == self.lead else "follower"

    def capital_of(self, pool_capital: float) -> dict[str, float]:
        """Each member's available capital: the pool's own ``capital`` if stated, else ``pool_capital`` × share."""
        if self.capital is not None:
            return dict(self.capital)
        return {k: float(pool_capital) * s for k, s in self.shares.items()}

    def tested(self, applies_to: str) -> dict[str, bool]:
        """Whether an insurer test applies to each member under ``applies_to`` (``"lead"`` or ``"all"``)."""
        if applies_to not in INSURER_TESTS:
            raise ValidationError(f"{_NAME}: insurer test must apply to one of {list(INSURER_TESTS)}, got {applies_to!r}")
        return {k: applies_to == "all" or k == self.lead for k in self.shares}

    def to_frame(self) -> pd.DataFrame:
        """One row per member: ``insurer``, ``role``, ``share``, ``capital``, ``risk_rating``, ``source``, ``flag``."""
        cap = self.capital or {}
        rat = self.risk_rating or {}
        return pd.DataFrame({
            "insurer": self.insurers, "role": [self.role(k) for k in self.shares], "share": list(self.shares.values()),
            "capital": [cap.get(k, float("nan")) for k in self.shares], "risk_rating": [rat.get(k) for k in self.shares],
            "source": [self.sources.get(f"shares.{k}", "") for k in self.shares], "flag": [self.flags.get(f"shares.{k}", "") for k in self.shares]})

    def __repr__(self) -> str:
        sh = ", ".join(f"{k!r}: {v:g}" for k, v in self.shares.items())
        return f"CoinsurancePool({{{sh}}}, lead={self.lead!r}, settlement={self.settlement!r})"


def read_bundle_table(table: Any, where: str = "[coinsurance]") -> tuple[CoinsurancePool | None, str | None]:
    """A jurisdiction bundle's ``[coinsurance]`` table: its pool (``None`` without ``shares``) and whom
    its insurer test applies to (``"lead"``, ``"all"``, or ``None`` where the bundle does not say).

    >>> read_bundle_table({"insurer_test": {"value": "lead", "source": "S04", "flag": "seed"}})
    (None, 'lead')
    """
    if not isinstance(table, Mapping):
        raise ValidationError(f"{where}: must be a table, got {type(table).__name__}")
    if "shares" in table:
        pool = CoinsurancePool.from_dict(table, source=where)
        return pool, pool.insurer_test
    unknown = sorted(set(table) - {"insurer_test", "source", "note"})
    if unknown:
        raise ValidationError(f"{where}: unknown key(s) {unknown} without 'shares'; a pool needs shares (and lead, settlement)")
    test = _unwrap(table.get("insurer_test"), "insurer_test", {}, {})
    if test is not None and test not in INSURER_TESTS:
        raise ValidationError(f"{where}.insurer_test: must be one of {list(INSURER_TESTS)}, got {test!r}")
    return None, test
