"""A bundle's tests of the insurer and of its own rate table (:meth:`Jurisdiction.check_insurer`, :meth:`Jurisdiction.check_table`).

``check_insurer`` tests figures the user gives (solvency ratio, C-ROSS risk rating, commission)
against ``[insurer]`` (Xinzhou S04 §一(二)3: 综合偿付能力充足率不低于100%，风险综合评级在B类及以上; N25 Art. 14
and S01 §三: 佣金比例不高于5%). The projection's capital view applies the same thresholds per path
and pool member (:meth:`ajx_actuarial.ProjectionResult.by_insurer`).

``check_table`` tests the bundle's rate table against the bundle: its commission loading against
``max_commission`` (a breach flag and the margin left), its prevention loading against the first
year's fee ratio (the money priced is the money budgeted: a ratio of the collected premium is
``ratio × (1 + VAT)`` of the ex-VAT premium the loading is a share of) and against the cap.
"""

from __future__ import annotations

import pandas as pd

from ..errors import ValidationError
from ..rating._schema import num

__all__ = ["RISK_ORDER", "check_insurer", "check_table"]

RISK_ORDER = "ABCD"  # C-ROSS integrated risk rating, A best
_COLUMNS = ["test", "required", "value", "passed", "margin", "source"]


def check_insurer(ins: dict, *, solvency_ratio=None, risk_rating=None, commission=None) -> pd.DataFrame:
    """``[insurer]``'s tests on the figures given: ``test``, ``required``, ``value``, ``passed``, ``source``."""
    if solvency_ratio is not None:  # a ratio (1.2 = 120 %); 100× the 100 % requirement is already absurd
        solvency_ratio = num(solvency_ratio, "check_insurer: solvency_ratio", positive=False, lo=0, hi=100)
    if commission is not None:
        commission = num(commission, "check_insurer: commission", positive=False, lo=0, hi=1)
    rows = []
    if "min_solvency_ratio" in ins and solvency_ratio is not None:
        req = ins["min_solvency_ratio"]
        rows.append(("solvency ratio", f">= {req['value']:.0%}", f"{solvency_ratio:.0%}", solvency_ratio >= req["value"], req["source"]))
    if "min_risk_rating" in ins and risk_rating is not None:
        req = ins["min_risk_rating"]
        r = str(risk_rating).strip().upper()
        if r not in RISK_ORDER:
            raise ValidationError(f"check_insurer: risk_rating must be one of A, B, C, D (C-ROSS), got {risk_rating!r}")
        rows.append(("risk rating", f"{req['value']} or better", r, RISK_ORDER.index(r) <= RISK_ORDER.index(req["value"]), req["source"]))
    if "max_commission" in ins and commission is not None:
        req = ins["max_commission"]
        rows.append(("commission", f"<= {req['value']:.0%}", f"{commission:.1%}", commission <= req["value"] + 1e-12, req["source"]))
    return pd.DataFrame(rows, columns=["test", "required", "value", "passed", "source"])


def check_table(j, table=None) -> pd.DataFrame:
    """The rate table (default the bundle's) against the bundle's commission cap, fee ratio and cap.

    Columns ``test``, ``required``, ``value`` (the table's loading, a share of the ex-VAT premium),
    ``passed``, ``margin`` (how far inside the rule: the cap minus the loading; for the prevention
    loading, the loading minus the budgeted ratio, 0 when they agree) and ``source``.
    """
    from ..rating import RateTable

    t = j.rate_table() if table is None else table if isinstance(table, RateTable) else RateTable.load(table)
    ld = t.loadings
    vat = 1.0 + float(ld.get("vat", 0.06))
    rows = []
    ins = j.data.get("insurer", {})
    if "max_commission" in ins:
        req = ins["max_commission"]
        c = float(ld["commission"])
        rows.append(("commission loading", f"<= {req['value']:.1%}", c, c <= req["value"] + 1e-12, float(req["value"]) - c, req["source"]))
    fee = j.data["fee"]
    fs = j.fee_schedule(on_breach="flag")
    budgeted = float(fs.ratios[0]) * (vat if fs.base == "collected" else 1.0)  # as a share of the ex-VAT premium
    p = float(ld["prevention_fee"])
    if "schedule" in fee:  # the entry the first year takes (a step function: the latest listed year at or before it)
        items = sorted(fee["schedule"], key=lambda it: int(it["year"]))
        src = next((it for it in reversed(items) if int(it["year"]) <= fs.years[0]), items[0])["source"]
    else:
        src = fee["ratio"]["source"]
    rows.append(("prevention loading = first-year budget", f"{budgeted:.2%} of ex-VAT ({fs.years[0]}, base {fs.base})", p,
                 abs(p - budgeted) <= 5e-4, p - budgeted, src))
    cap = float(fee["cap"]["value"])
    rows.append(("prevention loading under the cap", f"<= {cap * vat:.2%} of ex-VAT ({cap:.0%} of collected)", p, p <= cap * vat + 1e-12,
                 cap * vat - p, fee["cap"]["source"]))
    return pd.DataFrame(rows, columns=_COLUMNS)
