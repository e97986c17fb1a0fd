"""What a bundle's underwriting rules do to a book's totals (:func:`underwriting_effect`).

Apart from :mod:`.underwriting` because it reads a whole bundle (:class:`._bundle.Jurisdiction`:
its table, prevention rules and fee), which itself applies the rules.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ._bundle import Jurisdiction

__all__ = ["underwriting_effect"]


def underwriting_effect(book: pd.DataFrame, jurisdiction, *, model=None, fee_ratio=None) -> pd.DataFrame:
    """What the bundle's underwriting rules do to the book's totals, exactly (no Monte Carlo).

    Rows: ``offered`` (the whole book), ``insured`` (after the rules), ``change`` (insured −
    offered) and ``deferred, once rectified`` (the deferred units priced as they would enter).
    Columns: ``policies``, ``workers``, ``premium`` (gross), ``expected_loss`` (exact, per year,
    :func:`~ajx_actuarial.expected_loss`), ``expected_deaths``, ``loss_ratio`` (expected loss /
    ex-VAT premium), ``prevention_budget``, ``prevention_required`` (mandated services at unit
    cost) and ``prevention_shortfall`` (first policy year, the bundle's rules and fee).

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> z = ajx.jurisdictions.load("zhejiang")
    >>> eff = ajx.jurisdictions.underwriting_effect(z.book(300, rng=1), z)
    >>> int(eff.loc["change", "policies"]) == -int(eff.loc["deferred, once rectified", "policies"])
    True
    """
    from ..losses import expected_loss
    from ..prevention import assess
    from ..rating import price

    if isinstance(jurisdiction, str):
        jurisdiction = Jurisdiction.load(jurisdiction)
    elif not isinstance(jurisdiction, Jurisdiction):
        raise ValidationError(f"underwriting_effect: jurisdiction must be a bundle name or a Jurisdiction, got {type(jurisdiction).__name__}")
    res = jurisdiction.underwrite(book)
    table = jurisdiction.rate_table()
    rules = jurisdiction.prevention_rules()
    fee = jurisdiction.fee_schedule(years=1, fee_ratio=fee_ratio)
    # the insured units are rows of the offered book: price it and take its expected loss once, then select
    offered = price(book, table, lift_limits=True)
    e_offered = expected_loss(offered, model)
    kept = offered["policy_id"].astype(str).isin(set(res.insured["policy_id"].astype(str))).to_numpy()
    frames = {"offered": (offered, e_offered), "insured": (offered[kept], e_offered[kept])}
    if len(res.rectified):
        p_rect = price(res.rectified, table, lift_limits=True)
        frames["deferred, once rectified"] = (p_rect, expected_loss(p_rect, model))
    rows = {}
    for label in ("offered", "insured", "deferred, once rectified"):
        if label not in frames or len(frames[label][0]) == 0:
            rows[label] = dict.fromkeys(("policies", "workers", "premium", "expected_loss", "expected_deaths", "loss_ratio",
                                         "prevention_budget", "prevention_required", "prevention_shortfall"), 0.0)
            continue
        priced, e = frames[label]
        frame = priced
        pv = assess(priced, rules=rules, pooling=jurisdiction.pooling, **fee.assess_kwargs()).summary
        ex = float(priced["premium_ex_vat"].sum())
        rows[label] = {"policies": len(frame), "workers": int(frame["headcount"].sum()), "premium": float(priced["premium"].sum()),
                       "expected_loss": float(e["expected_loss"].sum()), "expected_deaths": float(e["expected_deaths"].sum()),
                       "loss_ratio": float(e["expected_loss"].sum()) / ex if ex > 0 else np.nan,
                       "prevention_budget": pv["total_budget"], "prevention_required": pv["total_required"],
                       "prevention_shortfall": pv["total_shortfall"]}
    out = pd.DataFrame(rows).T
    change = out.loc["insured"] - out.loc["offered"]
    change["loss_ratio"] = out.loc["insured", "loss_ratio"] - out.loc["offered", "loss_ratio"]
    out.loc["change"] = change
    return out.loc[["offered", "insured", "change", "deferred, once rectified"]]
