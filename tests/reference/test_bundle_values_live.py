"""Every value of every packaged jurisdiction bundle moves a documented output (issue 22, item 2).

The test walks each bundle's TOML, finds every numeric or enumerated value (a ``{value, source, flag}``
number, a code, a code list's element, a flag, a year), perturbs it alone (numbers ×1.5 or another
valid value, codes to another allowed code, list elements dropped) and asserts that an output the
package documents moves. :data:`OBSERVED` is the reviewed map from a value's path pattern to its
perturbation, the function that observes it and the outputs that must move; :data:`TEXT` lists the
keys that are text (sources, flags, titles ...) with the reason they are not numbers.
``test_every_value_is_observed_or_text`` fails on a value path in neither, so a new inert value
cannot slip into a bundle; ``test_every_observer_is_used`` fails on a stale entry.

Observers (all on small books, rng fixed):

* ``premium``: the bundle's synthetic book (``j.book(2000, rng=1)``) priced with its table:
  total premium, mean death limit;
* ``prevention``: :func:`ajx_actuarial.prevention.assess` on that book with the bundle's rules,
  pooling and fee (``FeeSchedule.assess_kwargs``): summary and ledger totals; ``prevention_cheap``:
  the same at 1/20 of the default unit costs, so the mandates cost less than the budget and the
  floor (money is left: lapsed, carried, provisioned, or spent on further services);
  ``prevention_calendar``: the same with every policy incepting on 1 January (the first service
  queues; under uniform inception a level capacity serves every unit in time);
* ``fee``: ``j.fee_schedule`` (years, ratios, breaches) over 2024-2031;
* ``classes``: ``j.scope`` on a book holding one unit of every industry × sub-sector (the bundle's
  own book lacks some codes: no fishing or sub-sectors in the ``beijing`` preset);
* ``scope``: ``j.scope(j.book(2000))`` summary (units required by the participation target);
* ``sub_sectors``: the sub-sector counts of ``j.book(20000)``;
* ``underwriting``: ``j.underwrite(book, appetite=APPETITE)`` (an insurer that would refuse units
  with an overdue major hidden danger): insured, removed, kept by ``must_accept``, rectified;
* ``table``: ``j.check_table()`` (commission loading against ``max_commission``);
* ``by_insurer``: a projection of a Xinzhou book (300 units, 1 year, 20 paths) split by the
  bundle's pool (``ProjectionResult.by_insurer(jurisdiction=j)``), the lead rated B;
* ``fast``: ``j.fast_payments`` on a Beijing book (20 000 units, 100 years, ``events=True``).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import pytest

import ajx_actuarial as ajx
from ajx_actuarial.jurisdictions import Jurisdiction
from ajx_actuarial.prevention import SERVICE_TYPES, CostTable, assess
from ajx_actuarial.reference import INDUSTRIES, sub_sectors

NAMES = ajx.jurisdictions.list()
N = 2000

#: Keys that are text, not values: skipped wherever they appear, each with the reason.
TEXT = {
    "source": "the clause or reference a value rests on",
    "flag": "confidence flag of a value (DOMAIN.md §0): a label, checked by the format",
    "note": "free text",
    "title": "the document's title",
    "description": "a one-line summary for listings",
    "seed": "the seed file's name",
    "status": "in force / draft / historical: a label",
    "assumed": "the list of assumptions, in words",
    "name": "identifiers: meta.name (the bundle's name) and the names of rules (labels in the outputs)",
    "ledger_source": "the clause of the ledger regime",
    "must_accept_source": "the clause of must_accept",
    "formula_source": "the clause of the Beijing limit formula",
    "replaces": "the earlier rule a bundle's document replaces, in words",
    "provisions": "the document's provisions in words, each naming the value or contract rule that encodes it",
    "excludes": ("what the fee may not pay (S01: marketing; S04: internal management costs): the package charges neither to "
                 "the fee (commission, admin and levy are separate loadings), so the exclusion holds by construction"),
}

APPETITE = [{"name": "insurer's appetite: no overdue major hidden danger", "action": "refuse",
             "when": {"rectification": ["overdue_major"]}, "source": "test: an insurer free to choose"}]
CHEAP = CostTable.from_mapping({t: v / 20 for t, v in zip(SERVICE_TYPES, CostTable.load().unit_costs())})


# ------------------------------------------------------------------ the walk
def _leaves(obj, path=""):
    """(path, value) of every non-text value; a {value, source, flag} table is one value at its path."""
    if isinstance(obj, dict):
        if "value" in obj:
            yield path, obj["value"]
            for k, v in obj.items():
                if k not in ("value", *TEXT):
                    yield from _leaves(v, f"{path}.{k}")
            return
        for k, v in obj.items():
            if k not in TEXT:
                yield from _leaves(v, f"{path}.{k}" if path else k)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _leaves(v, f"{path}[{i}]")
    else:
        yield path, obj


def _pattern(path: str) -> str:
    p = re.sub(r"\[\d+\]", "[*]", path)
    p = re.sub(r"^sectors\.sub_sector_mix\.\w+\.\w+$", "sectors.sub_sector_mix.*.*", p)
    p = re.sub(r"^coinsurance\.shares\.\w+$", "coinsurance.shares.*", p)
    p = re.sub(r"^(underwriting\.rules\[\*\]\.(when|after))\.\w+", r"\1.*", p)
    return re.sub(r"^(prevention\.rule_set\.rules\[\*\]\.services)\.\w+", r"\1.*", p)


def _tokens(path: str) -> list:
    out = []
    for part in path.split("."):
        m = re.fullmatch(r"([^\[]+)((?:\[\d+\])*)", part)
        out.append(m.group(1))
        out.extend(int(i) for i in re.findall(r"\[(\d+)\]", m.group(2)))
    return out


def _parent(doc, path):
    toks = _tokens(path)
    node = doc
    for t in toks[:-1]:
        node = node[t]
    return node, toks[-1]


def _get(doc, path):
    node, k = _parent(doc, path)
    v = node[k]
    return v["value"] if isinstance(v, dict) and "value" in v else v


def _set(doc, path, value):
    node, k = _parent(doc, path)
    if isinstance(node[k], dict) and "value" in node[k]:
        node[k]["value"] = value
    else:
        node[k] = value


def _docs() -> dict[str, dict]:
    return {n: ajx.jurisdictions.load(n).data for n in NAMES}


# ------------------------------------------------------------------ perturbations: (doc, path) -> None
def times(f):
    def p(doc, path):
        v = _get(doc, path)
        _set(doc, path, type(v)(round(v * f)) if isinstance(v, int) else v * f)
    p.__doc__ = f"× {f:g}"
    return p


def to(value):
    def p(doc, path):
        _set(doc, path, value)
    p.__doc__ = f"-> {value!r}"
    return p


def other(choices):
    def p(doc, path):
        v = _get(doc, path)
        _set(doc, path, next(c for c in choices if c != v))
    p.__doc__ = f"another of {list(choices)}"
    return p


def drop(doc, path):
    """drop the element"""
    node, k = _parent(doc, path)
    del node[k]


def replace_code(doc, path):
    """replace the code by another allowed one (the list may not be empty)"""
    node, k = _parent(doc, path)
    col = _tokens(path)[-2]
    cats = {"rectification": ["on_time", "late", "overdue_major"]}[col]
    node[k] = next(c for c in cats if c not in node)


def shift_year(doc, path):
    """the date one year later"""
    v = str(_get(doc, path))
    _set(doc, path, f"{int(v[:4]) + 1}{v[4:]}")


def shift_schedule(doc, path):
    """this step and every later one a year later (order kept, no year listed twice)"""
    i = _tokens(path)[-2]
    sched = doc["fee"]["schedule"]
    y0 = sched[i]["year"]
    for it in sched:
        if it["year"] >= y0:
            it["year"] += 1


def action_other(doc, path):
    """defer <-> refuse (a refused unit has no state after rectification: 'after' goes)"""
    node, _ = _parent(doc, path)
    node["action"] = "refuse" if node["action"] == "defer" else "defer"
    if node["action"] == "refuse":
        node.pop("after", None)


def year_earlier(doc, path):
    """a year earlier"""
    _set(doc, path, _get(doc, path) - 1)


def fee_ratio(doc, path):
    """× 1.2, or × 0.9 where that would pass the cap (never below the floor)"""
    fee = doc["fee"]
    r, cap = _get(doc, path), fee["cap"]["value"]
    floor = fee["floor"]["value"] if "floor" in fee else 0.0
    _set(doc, path, r * 1.2 if r * 1.2 <= cap else max(r * 0.9, floor))


def fee_cap(doc, path):
    """with a floor: halfway between the floor and the cap (the floor rule spends up to it); else 0.9 × the lowest ratio (a breach)"""
    fee = doc["fee"]
    if "floor" in fee:
        _set(doc, path, (fee["floor"]["value"] + fee["cap"]["value"]) / 2)
    else:
        ratios = [it["value"] for it in fee["schedule"]] if "schedule" in fee else [fee["ratio"]["value"]]
        _set(doc, path, 0.9 * min(ratios))


def ledger_other(doc, path):
    """provisioned <-> not_provisioned; carry_forward -> provisioned"""
    _set(doc, path, {"provisioned": "not_provisioned", "not_provisioned": "provisioned", "carry_forward": "provisioned"}[_get(doc, path)])


def limit_rule(doc, path):
    """another rule with the key it needs: minimum -> fixed at 1.5 × the minimum; beijing -> fixed at 400 000; fixed -> minimum at the amount"""
    lim = doc["limits"]
    src = {"source": "test", "flag": "assumption"}
    if lim["rule"] == "minimum":
        lim.update(rule="fixed", amount={"value": 1.5 * lim["minimum"]["value"], **src})
    elif lim["rule"] == "beijing":
        lim.update(rule="fixed", amount={"value": 400_000, **src})
    else:
        lim.update(rule="minimum", minimum={"value": lim["amount"]["value"], **src})


def other_table(doc, path):
    """national-2025 (zhoushan-2018 for the national bundle)"""
    _set(doc, path, "zhoushan-2018" if _get(doc, path) == "national-2025" else "national-2025")


def other_rules(doc, path):
    """xinzhou-2024 (beijing-2017 for the Xinzhou bundle)"""
    _set(doc, path, "beijing-2017" if _get(doc, path) == "xinzhou-2024" else "xinzhou-2024")


def mix_shift(doc, path):
    """half of this sub-sector's share to the next sub-sector of the same industry (shares still sum to 1)"""
    node, k = _parent(doc, path)
    keys = list(node)
    nxt = keys[(keys.index(k) + 1) % len(keys)]
    half = node[k]["value"] / 2
    node[k]["value"] -= half
    node[nxt]["value"] += half


def share_shift(doc, path):
    """0.1 of this member's share to the next member"""
    node, k = _parent(doc, path)
    keys = list(node)
    nxt = keys[(keys.index(k) + 1) % len(keys)]
    node[k]["value"] = round(node[k]["value"] - 0.1, 12)
    node[nxt]["value"] = round(node[nxt]["value"] + 0.1, 12)


def other_member(doc, path):
    """another member of the pool"""
    _set(doc, path, next(m for m in doc["coinsurance"]["shares"] if m != _get(doc, path)))


# ------------------------------------------------------------------ observers: Jurisdiction -> {output: value}
_PRICED: dict = {}


def _priced(j):
    """The bundle's book priced with its table (cached on what the book and its premium depend on)."""
    key = json.dumps([j.data["parts"], j.data["limits"], j.data["sectors"].get("sub_sector_mix"), j.data.get("exposure_synth")],
                     sort_keys=True, default=str)
    if key not in _PRICED:
        _PRICED[key] = ajx.price(j.book(N, rng=1), j.rate_table())
    return _PRICED[key]


def obs_premium(j):
    b = j.book(N, rng=1)
    return {"premium": float(ajx.price(b, j.rate_table(), lift_limits=True)["premium"].sum()), "limit_death": float(b["limit_death"].mean())}


def _assess(j, **kw):
    fs = j.fee_schedule(on_breach="flag")
    rs = j.prevention_rules()
    r = assess(_priced(j), rules=rs, pooling=j.pooling, contract={"hazard_inspection": 2.0} if rs.contractual else None,
               **{**fs.assess_kwargs(), "on_breach": "flag", **kw})
    out = {k: v for k, v in r.summary.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    out.update({c: float(r.by_year[c].sum()) for c in ("carried_out", "lapsed")})
    out["fee_breaches"] = len(fs.breaches)
    return out


def obs_prevention(j):
    return _assess(j)


def obs_prevention_cheap(j):
    return _assess(j, costs=CHEAP)


def obs_prevention_calendar(j):
    return _assess(j, inception="calendar")


def obs_fee(j):
    fs = j.fee_schedule(years=8, start_year=2024, on_breach="flag")
    return {"ratios": tuple(np.round(fs.ratios, 12)), "breaches": len(fs.breaches)}


def obs_fee_default(j):
    fs = j.fee_schedule(on_breach="flag")
    return {"years": tuple(fs.years), "ratios": tuple(fs.ratios)}


@functools.lru_cache(maxsize=1)
def _all_codes_book() -> pd.DataFrame:
    parents = sub_sectors()["parent"]
    rows = [(ind, "none") for ind in INDUSTRIES] + [(p, c) for c, p in parents.items() if isinstance(p, str)]
    return pd.DataFrame({"policy_id": range(len(rows)), "industry": [r[0] for r in rows], "sub_sector": [r[1] for r in rows],
                         "size": "medium", "headcount": 50})


def obs_classes(j):
    s = j.scope(_all_codes_book())
    return {"sector_class": tuple(s.sector_class.astype(str)), **{c: s.summary[c] for c in ajx.jurisdictions.SECTOR_CLASSES}}


def obs_scope(j):
    return dict(j.scope(j.book(N, rng=1)).summary)


def obs_sub_sectors(j):
    return {"sub_sector_counts": tuple(sorted(j.book(20_000, rng=1)["sub_sector"].value_counts().items()))}


def obs_underwriting(j):
    r = j.underwrite(j.book(N, rng=1), appetite=APPETITE)
    state = tuple(sorted(r.rectified["rectification"].astype(str).value_counts().items())) if len(r.rectified) else ()
    return {"insured": len(r.insured), "removed": len(r.removed), "kept": len(r.kept), "rectified": len(r.rectified),
            "rectified_state": state}


def obs_table(j):
    t = j.check_table().set_index("test")
    return {"commission_passed": bool(t.loc["commission loading", "passed"]), "commission_margin": float(t.loc["commission loading", "margin"])}


@functools.lru_cache(maxsize=1)
def _projection():
    x = ajx.jurisdictions.load("xinzhou-2024")
    return ajx.project(x.book(300, rng=1), years=1, paths=20, rng=1, table=x.rate_table())


def obs_by_insurer(j):
    pool = j.coinsurance
    rated = ajx.CoinsurancePool(dict(pool.shares), lead=pool.lead, settlement=pool.settlement, risk_rating={pool.lead: "B"})
    t = _projection().by_insurer(rated, jurisdiction=j)
    return {"premium_by_insurer": tuple(t["premium"].round(6)), "roles": tuple(t["role"]), "due_from_lead": tuple(t["due_from_lead"].round(6)),
            "test_applies": tuple(t["test_applies"]), "insurer_test": tuple(t["insurer_test"]), "p_test_fail": tuple(t["p_test_fail"])}


@functools.lru_cache(maxsize=1)
def _simulation():
    b = ajx.jurisdictions.load("beijing-2026")
    return ajx.simulate(ajx.price(b.book(20_000, rng=1), b.rate_table()), 100, rng=2, events=True)


def obs_fast(j):
    return dict(j.fast_payments(_simulation(), rng=3).summary)


@dataclass(frozen=True)
class Observed:
    perturb: Callable
    observe: Callable
    outputs: tuple  # at least one of these must move
    what: str  # the documented output, in words


#: The reviewed map: value path pattern -> how it is perturbed, observed, and which outputs move.
OBSERVED = {
    "meta.effective": Observed(shift_year, obs_fee_default, ("years", "ratios"),
                               "the first policy year of the fee schedule and ledger (Beijing 2026: the ramp's 2026 step)"),
    "parts.rate_table": Observed(other_table, obs_premium, ("premium",), "premium of the bundle's book"),
    "parts.preset": Observed(other(["national", "beijing"]), obs_premium, ("premium",), "the synthetic book (the market it stands for), so its premium"),
    "prevention.rules": Observed(other_rules, obs_prevention, ("total_required",), "mandated services' cost"),
    "prevention.pooling": Observed(to("policy"), obs_prevention, ("total_spent", "total_surplus", "spent_share"), "spent and unspent per pool"),
    "prevention.first_service_within_months": Observed(times(1.5), obs_prevention_calendar, ("first_service_late",),
                                                       "units served their first service late (S04 Annex 2 §七), policies incepting on 1 January"),
    "prevention.rule_set.meta.frequency": Observed(other(["rules", "contract"]), obs_prevention, ("total_required",),
                                                   "mandated cost: the rules' counts or the contract's (2 inspections)"),
    "prevention.rule_set.rules[*].services.*": Observed(times(1.5), obs_prevention, ("total_required",), "mandated services' cost"),
    "fee.ratio": Observed(fee_ratio, obs_prevention, ("total_budget",), "prevention budget"),
    "fee.schedule[*]": Observed(times(0.95), obs_fee, ("ratios",), "fee ratio by year (2024-2031)"),
    "fee.schedule[*].year": Observed(shift_schedule, obs_fee, ("ratios",), "fee ratio by year (2024-2031)"),
    "fee.floor": Observed(times(0.8), obs_prevention_cheap, ("total_further", "spent_share"),
                          "floor money spent on further services when the mandates cost less (S04 不低于15%)"),
    "fee.cap": Observed(fee_cap, obs_prevention, ("fee_breaches", "total_spent"),
                        "the most a floor rule spends (Xinzhou), or a ratio above the cap flagged as a breach"),
    "fee.base": Observed(other(["ex_vat", "collected"]), obs_prevention, ("total_budget",), "prevention budget (实收保费 with or without VAT)"),
    "fee.ledger": Observed(ledger_other, obs_prevention_cheap, ("year_end_provision", "booked_by_year_end", "carried_out", "lapsed"),
                           "provision at 31 December (不得预提: none), money carried or lapsed"),
    "fee.it_cost": Observed(times(1.5), obs_prevention, ("total_it_cost", "total_required"), "the IT line inside the fee (S04 §三(四))"),
    "fee.earmark": Observed(other(["hazard_inspection", "training"]), obs_prevention, ("earmark_required", "earmark_spent"),
                            "the earmarked fund's cost and spending (S00 隐患排查专项资金)"),
    "limits.rule": Observed(limit_rule, obs_premium, ("premium", "limit_death"), "death limits of the book and its premium"),
    "limits.minimum": Observed(times(1.5), obs_premium, ("premium", "limit_death"), "units lifted to the minimum, premium"),
    "limits.amount": Observed(times(1.5), obs_premium, ("premium", "limit_death"), "the one fixed limit, premium"),
    "limits.floor": Observed(to(1_000_000), obs_premium, ("premium", "limit_death"),
                             "the floor under the Beijing formula (perturbed above the formula's 802 460, where it binds)"),
    "limits.income_year": Observed(year_earlier, obs_premium, ("premium", "limit_death"),
                                   "the Beijing formula's income year (a year earlier)"),
    "limits.offset": Observed(other(["death_grant", "none"]), obs_premium, ("premium", "limit_death"), "the Beijing formula's offset"),
    "sectors.mandatory[*]": Observed(drop, obs_classes, ("sector_class",), "sector class counts (Jurisdiction.scope / classify)"),
    "sectors.encouraged[*]": Observed(drop, obs_classes, ("sector_class",), "sector class counts"),
    "sectors.excluded[*]": Observed(drop, obs_classes, ("sector_class",), "sector class counts"),
    "sectors.mandatory_sub_sectors[*]": Observed(drop, obs_classes, ("sector_class",), "sector class counts"),
    "sectors.encouraged_sub_sectors[*]": Observed(drop, obs_classes, ("sector_class",), "sector class counts"),
    "sectors.participation_target": Observed(times(1.5), obs_scope, ("units_required",),
                                             "units that must insure (S00 参保率不低于6%; Jurisdiction.scope)"),
    "sectors.sub_sector_mix.*.*": Observed(mix_shift, obs_sub_sectors, ("sub_sector_counts",), "sub-sectors of the synthetic book"),
    "underwriting.must_accept": Observed(other([True, False]), obs_underwriting, ("insured", "kept"),
                                         "units kept insured although the insurer's appetite would refuse them"),
    "underwriting.rules[*].action": Observed(action_other, obs_underwriting, ("rectified",), "deferred units that enter once rectified"),
    "underwriting.rules[*].when.*[*]": Observed(replace_code, obs_underwriting, ("removed",), "units deferred or refused"),
    "underwriting.rules[*].after.*": Observed(other(["on_time", "late", "overdue_major"]), obs_underwriting, ("rectified_state",),
                                              "the deferred units' state once rectified (their premium where the table rates it)"),
    "insurer.max_commission": Observed(times(0.5), obs_table, ("commission_passed", "commission_margin"),
                                       "the table's commission loading against the cap (Jurisdiction.check_table)"),
    "insurer.min_solvency_ratio": Observed(times(1.5), obs_by_insurer, ("insurer_test",),
                                           "the insurer test of ProjectionResult.by_insurer"),
    "insurer.min_risk_rating": Observed(other(["A", "B"]), obs_by_insurer, ("insurer_test",),
                                        "the insurer test of ProjectionResult.by_insurer (the lead rated B)"),
    "claims.fast_payment_min_deaths": Observed(times(1.5), obs_fast, ("mean_cases", "mean_amount"), "fast-payment cases and cash"),
    "claims.fast_payment_hours": Observed(to(8760), obs_fast, ("mean_peak_cash",),
                                          "the most cash due within one window of the hours (8 760 h: a year's cases together)"),
    "exposure_synth.project_cost_per_worker": Observed(times(1.5), obs_premium, ("premium",), "project cost of the book, premium"),
    "exposure_synth.sigma": Observed(times(1.5), obs_premium, ("premium",), "spread of project cost, premium"),
    "coinsurance.shares.*": Observed(share_shift, obs_by_insurer, ("premium_by_insurer",), "each member's premium (by_insurer)"),
    "coinsurance.lead": Observed(other_member, obs_by_insurer, ("roles", "due_from_lead"), "the lead and the settlement with it"),
    "coinsurance.settlement": Observed(other(["lead_collects", "each_collects"]), obs_by_insurer, ("due_from_lead",), "settlement with the lead"),
    "coinsurance.insurer_test": Observed(other(["lead", "all"]), obs_by_insurer, ("test_applies",), "whom the insurer test applies to"),
}

LEAVES = [(name, path) for name, doc in _docs().items() for path, _ in _leaves(doc)]


def test_every_value_is_observed_or_text():
    unmapped = sorted({f"{name}: {path}" for name, path in LEAVES if _pattern(path) not in OBSERVED})
    assert not unmapped, f"bundle values neither observed nor text (make them live, remove them, or map them here): {unmapped}"


def test_every_observer_is_used():
    used = {_pattern(p) for _, p in LEAVES}
    assert not set(OBSERVED) - used, f"stale entries: {sorted(set(OBSERVED) - used)}"


def _differs(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is not b
        return not (np.isnan(a) and np.isnan(b)) and not np.isclose(a, b, rtol=1e-9, atol=1e-9)
    return a != b


@functools.lru_cache(maxsize=None)
def _base(name: str, observe: Callable) -> dict:
    return observe(ajx.jurisdictions.load(name))


@pytest.mark.parametrize("name, path", LEAVES, ids=[f"{n}:{p}" for n, p in LEAVES])
def test_value_moves_its_output(name, path):
    obs = OBSERVED[_pattern(path)]
    base = ajx.jurisdictions.load(name)
    doc = copy.deepcopy(base.data)
    obs.perturb(doc, path)
    j = Jurisdiction.from_dict(doc, source=f"{name} with {path} perturbed")  # the perturbed bundle is valid
    before, after = _base(name, obs.observe), obs.observe(j)
    moved = [k for k in obs.outputs if _differs(before.get(k), after.get(k))]
    assert moved, f"{name}: {path} ({obs.perturb.__doc__}) moves none of {obs.outputs} ({obs.what}): {[before.get(k) for k in obs.outputs]}"


# ------------------------------------------------------------------ the outputs made live, by their clause
def test_zhejiang_not_provisioned_and_zhoushan_provisioned_differ_at_year_end():
    """S02 §二(四) 据实列支…不得预提 against S03 §五(二)6 按规定比例提取: over a policy year the money is the same; at
    31 December (policies incepting through the year, services delivered at an even pace) the provisioned ledger holds a
    provision for the services still to come and has booked the budget, the not-provisioned one has booked only what was
    delivered."""
    z = ajx.jurisdictions.load("zhejiang")
    priced = _priced(z)
    kw = {**z.fee_schedule().assess_kwargs(), "costs": CHEAP}
    s = {led: assess(priced, rules=z.prevention_rules(), **{**kw, "ledger": led}).summary for led in ("not_provisioned", "provisioned")}
    np_, pr = s["not_provisioned"], s["provisioned"]
    assert np_["total_spent"] == pr["total_spent"] and np_["total_surplus"] == pr["total_surplus"]  # the policy year's money
    assert np_["year_end_provision"] == 0 and np_["booked_by_year_end"] == pytest.approx(np_["delivered_by_year_end"])
    assert pr["year_end_provision"] == pytest.approx(pr["total_budget"] - pr["delivered_by_year_end"])
    assert pr["booked_by_year_end"] == pytest.approx(pr["total_budget"])
    # on the bundles' own settings the two bundles' ledgers give different year-end numbers
    assert _assess(z)["year_end_provision"] == 0 < _assess(ajx.jurisdictions.load("zhoushan-2018"))["year_end_provision"]
    # with every policy on the calendar year nothing is undelivered at 31 December: the regimes then agree (an annual view)
    cal = {led: assess(priced, rules=z.prevention_rules(), inception="calendar", **{**kw, "ledger": led}).summary
           for led in ("not_provisioned", "provisioned")}
    assert cal["provisioned"]["year_end_provision"] == 0 or cal["provisioned"]["total_surplus"] > 0


def test_xinzhou_first_service_within_three_months():
    """S04 Annex 2 §七 保单生效后3个月内，至少开展1次事故预防服务: under uniform inception a level capacity serves every unit in
    time; when the whole book incepts on 1 January the first visits queue and some units wait longer than 3 months."""
    x = ajx.jurisdictions.load("xinzhou-2024")
    uni, cal = _assess(x), _assess(x, inception="calendar")
    assert uni["first_service_within_months"] == 3 and uni["first_service_late"] == 0 and uni["first_service_due"] == N
    assert 0 < cal["first_service_late"] < N
    assert _assess(x, inception="calendar", first_service_months=12)["first_service_late"] == 0


def test_beijing_2017_participation_and_earmark():
    """S00 §(三) 参保率不低于6%; §(十一) 在事故预防费用中单独设立隐患排查专项资金."""
    b = ajx.jurisdictions.load("beijing-2017")
    s = b.scope(b.book(N, rng=1)).summary
    assert s["participation_target"] == 0.06 and s["units_required"] == 120
    assert s["beyond_mandate"] == max(120 - s["mandatory"], 0)
    a = _assess(b)
    assert a["earmark_required"] == a["total_required"]  # the inspection is the only mandate: the fund is all of it
    assert a["earmark_spent"] == pytest.approx(a["total_spent"]) and a["earmark_shortfall"] == pytest.approx(a["total_shortfall"])


def test_xinzhou_it_line_is_paid_from_the_fee():
    """S04 §三(四) 事故预防服务费用包括承保机构建设事故预防技术服务信息系统的费用."""
    x = ajx.jurisdictions.load("xinzhou-2024")
    with_it, without = _assess(x), _assess(x, it_cost=None)
    assert with_it["total_it_cost"] == 300 * N and without["total_it_cost"] == 0
    assert with_it["total_required"] == pytest.approx(without["total_required"] + 300 * N)


def test_beijing_2026_commission_cap_and_fast_payment_liquidity():
    """S01 §三 佣金比例不高于5%; 接到报案后48小时内启动快赔或预赔通道."""
    j = ajx.jurisdictions.load("beijing-2026")
    t = j.check_table().set_index("test")
    assert t.loc["commission loading", "passed"] and t.loc["commission loading", "margin"] == pytest.approx(0.0)
    fp = j.fast_payments(_simulation(), rng=3)
    by = fp.by_year
    assert (by["peak_cash"] <= by["amount"] + 1e-6).all() and ((by["cases"] > 0) == (by["peak_cash"] > 0)).all()
    year = ajx.jurisdictions.fast_payments(_simulation(), 2, 8760, rng=3).by_year
    np.testing.assert_allclose(year["peak_cash"], year["amount"], rtol=1e-12)  # a year-long window holds every case


def test_must_accept_keeps_what_the_appetite_would_refuse():
    """S00 §(十) 不得以任何理由拒绝、有选择或者拖延; S04 Annex 2 §四 无正当理由不得拒保."""
    for name in ("beijing-2017", "xinzhou-2024"):
        j = ajx.jurisdictions.load(name)
        book = j.book(N, rng=1)
        r = j.underwrite(book, appetite=APPETITE)
        n_major = int((book["rectification"] == "overdue_major").sum())
        assert len(r.insured) == N and len(r.kept) == n_major > 0 and len(r.removed) == 0
    z = ajx.jurisdictions.load("beijing-2026")  # must_accept false: the appetite applies
    assert len(z.underwrite(z.book(N, rng=1), appetite=APPETITE).removed) == n_major
