"""Rate adequacy audit: filed premium against the risk premium of the loss model, per segment.

``risk premium = expected insured loss / (1 − loadings) × (1 + VAT)`` — what the table's own
loadings require on top of the pure risk (DOMAIN.md §10.1). A segment whose *rated* premium (the
table's rates, before the minimum premium) is below its risk premium is flagged: the
低价恶性竞争 (below-cost competition) the seed documents warn against. The minimum premium is a
per-policy floor, not a rate, so it does not clear a flag; the loss ratio the filed premium
implies (after the minimum) is shown beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ValidationError

__all__ = ["adequacy", "AdequacyResult", "LIMIT_BANDS"]

#: Upper bounds of the per-person limit bands of the audit (CNY).
LIMIT_BANDS = (400_000, 600_000, 800_000)


def _band_labels(bands) -> list[str]:
    b = list(bands)
    return [f"<= {b[0]:,.0f}"] + [f"{b[i - 1]:,.0f}-{b[i]:,.0f}" for i in range(1, len(b))] + [f"> {b[-1]:,.0f}"]


@dataclass(frozen=True, eq=False)
class AdequacyResult:
    """Filed vs risk premium by industry × size × limit band.

    Attributes
    ----------
    by_segment : DataFrame
        Index (industry, size, limit_band); columns ``policies``, ``workers``,
        ``filed_premium`` (gross, after the minimum premium), ``filed_ex_vat``, ``rated_premium`` (gross, the
        table's rates before the minimum), ``expected_loss`` (exact, per year), ``risk_premium``,
        ``ratio`` (rated / risk), ``implied_loss_ratio`` (expected loss / ex-VAT filed premium),
        ``below_risk`` (the flag: ``ratio < 1 − tolerance``).
    summary : dict
        Book totals: premiums, expected loss, permissible and implied loss ratio, flagged
        segments and their share of premium.
    table : str
    tolerance : float
    """

    by_segment: pd.DataFrame
    summary: dict
    table: str
    tolerance: float

    @property
    def flagged(self) -> pd.DataFrame:
        """The segments priced below their risk premium."""
        return self.by_segment[self.by_segment["below_risk"]]

    def to_frame(self) -> pd.DataFrame:
        return self.by_segment.copy()

    def plot(self, ax=None, lang: str = "en"):
        """Rated / risk premium by industry × size (all limit bands), with the flag threshold."""
        from ..plots import adequacy_figure

        return adequacy_figure(self.by_segment, self.table, self.tolerance, lang=lang, ax=ax)

    def _repr_html_(self) -> str:
        s = self.summary
        head = (f"<p>table <b>{self.table}</b>: implied loss ratio {s['implied_loss_ratio']:.1%} vs permissible "
                f"{s['permissible_loss_ratio']:.1%}; {s['flagged_segments']} segment(s) below the risk premium</p>")
        return head + self.by_segment.to_html(float_format=lambda v: f"{v:,.3f}")


def adequacy(book: pd.DataFrame, table, model=None, *, relativity: str | None = "book", tolerance: float = 0.05,
             limit_bands=LIMIT_BANDS) -> AdequacyResult:
    """Audit a rate table on a book: filed premium against the loss model's risk premium.

    Parameters
    ----------
    book : DataFrame
        A portfolio (priced here with ``table``).
    table : RateTable or name or path
    model : LossModel, optional
        Defaults to :meth:`LossModel.default`.
    relativity : {"book", "table", None}
        Risk relativity of each policy: ``"book"`` (default) uses the table's float factors
        normalised to exposure-weighted mean 1 within each industry of the book (the table says
        who is riskier, the model how much in total); ``"table"`` the priced ``risk_relativity``
        column (the table's own ``float_mean``); ``None`` the industry average.
    tolerance : float
        A segment is flagged when rated / risk premium < 1 − tolerance (default 5 %: within a
        segment, the mix of headcounts — deaths are capped at the headcount, so a one-worker unit
        carries less risk per worker — and of floating factors moves the ratio of a risk-based
        table by a few per cent in small segments; a price war cuts 15 % or more).
    limit_bands : upper bounds of the limit bands (CNY)

    Returns
    -------
    AdequacyResult

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> book = ajx.synth.portfolio(3000, rng=1)
    >>> ajx.adequacy(book, "national-2025").summary["flagged_segments"]  # the packaged table: none below cost
    0
    >>> t = ajx.RateTable.load("national-2025")  # halve its cell rates: the audit flags the segments
    >>> half = {k: {i: {s: v / 2 for s, v in cells.items()} for i, cells in t.data["base_rates"][k].items()}
    ...         for k in ("grid", "medical_grid")}
    >>> res = ajx.adequacy(book, t.with_changes(base_rates=half))
    >>> res.summary["flagged_segments"] > 0
    True
    """
    from ..losses import expected_loss
    from .price import price
    from .table import RateTable

    t = table if isinstance(table, RateTable) else RateTable.load(table)
    if relativity not in ("book", "table", None):
        raise ValidationError(f"adequacy: relativity must be 'book', 'table' or None, got {relativity!r}")
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not 0 <= tolerance < 1:
        raise ValidationError(f"adequacy: tolerance must be in [0, 1), got {tolerance!r}")
    priced = price(book, t, lift_limits=True)
    ind = priced["industry"].astype(str).to_numpy()
    head = priced["headcount"].to_numpy(dtype=float)
    if relativity == "book":
        f = priced["float_factor"].to_numpy()
        mean = pd.Series(head * f).groupby(ind).sum() / pd.Series(head).groupby(ind).sum()
        priced = priced.assign(_rel=f / mean.reindex(ind).to_numpy())
        e = expected_loss(priced, model, relativity="_rel")
    else:
        e = expected_loss(priced, model, relativity="risk_relativity" if relativity == "table" else None)
    ld = t.loadings
    g = (1 + ld["vat"]) / t.expected_loss_ratio()
    labels = _band_labels(limit_bands)
    band = pd.Categorical.from_codes(np.searchsorted(np.asarray(limit_bands, float), priced["limit_death"].to_numpy(), side="left"),
                                     categories=labels)
    frame = pd.DataFrame({
        "industry": priced["industry"], "size": priced["size"], "limit_band": band,
        "policies": 1, "workers": head, "filed_premium": priced["premium"].to_numpy(),
        "rated_premium": priced["premium_raw"].to_numpy(), "filed_ex_vat": priced["premium_ex_vat"].to_numpy(),
        "expected_loss": e["expected_loss"].to_numpy(),
    })
    seg = frame.groupby(["industry", "size", "limit_band"], observed=True).sum()
    seg["risk_premium"] = seg["expected_loss"] * g
    seg["ratio"] = seg["rated_premium"] / seg["risk_premium"]
    seg["implied_loss_ratio"] = seg["expected_loss"] / seg["filed_ex_vat"]
    seg["below_risk"] = seg["ratio"] < 1 - tolerance
    flagged = seg[seg["below_risk"]]
    summary = {
        "table": t.name, "policies": int(len(priced)), "filed_premium": float(frame["filed_premium"].sum()),
        "rated_premium": float(frame["rated_premium"].sum()), "expected_loss": float(frame["expected_loss"].sum()),
        "risk_premium": float(frame["expected_loss"].sum() * g),
        "permissible_loss_ratio": t.expected_loss_ratio(),
        "implied_loss_ratio": float(frame["expected_loss"].sum() / frame["filed_ex_vat"].sum()),
        "flagged_segments": int(len(flagged)), "segments": int(len(seg)),
        "flagged_premium_share": float(flagged["filed_premium"].sum() / frame["filed_premium"].sum()),
        "tolerance": tolerance, "relativity": str(relativity),
    }
    return AdequacyResult(by_segment=seg, summary=summary, table=t.name, tolerance=float(tolerance))
