"""Rate adequacy audit: filed premium against the risk premium of the loss model, per segment or class.

``risk premium = expected insured loss / (1 − loadings) × (1 + VAT)`` — what the table's own
loadings require on top of the pure risk (DOMAIN.md §10.1). A segment whose *rated* premium (the
table's rates, before the minimum premium) is below its risk premium is flagged: the
低价恶性竞争 (below-cost competition) the seed documents warn against. The minimum premium is a
per-policy floor, not a rate, so it does not clear a flag; the loss ratio the filed premium
implies (after the minimum) is shown beside it.

Who is riskier comes from the **loss model** (:meth:`LossModel.relativity`: size, grade,
violations, blacklisting, rectification, region, claim history), not from the price's float
factors, so a factor that prices a class below its modelled risk shows: audit any column of the
book with ``by=[column]`` (``std_grade``, ``violations``, ``history_class`` …).
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
    """Filed vs risk premium by segment (default industry × size × limit band) or by the columns asked.

    Attributes
    ----------
    by_segment : DataFrame
        Index: the ``by`` columns (default industry, size, limit_band); columns ``policies``, ``workers``,
        ``filed_premium`` (gross, after the minimum premium), ``filed_ex_vat``, ``rated_premium`` (gross, the
        table's rates before the minimum), ``expected_loss`` (exact, per year), ``risk_premium``,
        ``ratio`` (rated / risk), ``implied_loss_ratio`` (expected loss / ex-VAT filed premium),
        ``ratio_se`` (standard error of the ratio over the segment's units), ``thin`` (fewer than
        ``min_policies`` policies: not flagged), ``below_risk`` (the flag: ``ratio < 1 − tolerance``
        and ``ratio + 2 ratio_se < 1`` — below cost by more than the tolerance and by more than its
        units' mix explains — on a segment that is not thin).
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
    by: tuple = ("industry", "size", "limit_band")

    @property
    def flagged(self) -> pd.DataFrame:
        """The segments priced below their risk premium."""
        return self.by_segment[self.by_segment["below_risk"]]

    def to_frame(self) -> pd.DataFrame:
        return self.by_segment.copy()

    def plot(self, ax=None, lang: str = "en"):
        """Rated / risk premium by industry × size (all limit bands), with the flag threshold."""
        from ..plots import adequacy_figure

        if tuple(self.by[:2]) != ("industry", "size"):
            raise ValidationError(f"AdequacyResult.plot: draws the industry × size audit; this one is by {list(self.by)} (use to_frame())")
        return adequacy_figure(self.by_segment, self.table, self.tolerance, lang=lang, ax=ax)

    def _repr_html_(self) -> str:
        s = self.summary
        head = (f"<p>table <b>{self.table}</b>: implied loss ratio {s['implied_loss_ratio']:.1%} vs permissible "
                f"{s['permissible_loss_ratio']:.1%}; {s['flagged_segments']} segment(s) below the risk premium</p>")
        return head + self.by_segment.to_html(float_format=lambda v: f"{v:,.3f}")


def _by_columns(by, priced: pd.DataFrame) -> list[str]:
    if by is None:
        return ["industry", "size", "limit_band"]
    cols = [by] if isinstance(by, str) else list(by) if isinstance(by, (list, tuple)) else None
    if not cols or not all(isinstance(c, str) for c in cols):
        raise ValidationError(f"adequacy: by must be a column name or a list of them, got {by!r}")
    missing = [c for c in cols if c != "limit_band" and c not in priced.columns]
    if missing:
        raise ValidationError(f"adequacy: cannot audit by {missing}: not a column of the book (or of the priced book: "
                              f"history_class is written by price when the table has a history factor)")
    return cols


#: Segments with fewer policies are reported but not flagged (a few units are priced by their own history and
#: characteristics, which a clipped float factor cannot follow; their ratio says nothing about the rate level).
MIN_POLICIES = 30


def adequacy(book: pd.DataFrame, table, model=None, by=None, *, relativity: str | None = "model", tolerance: float = 0.05,
             limit_bands=LIMIT_BANDS, min_policies: int = MIN_POLICIES) -> AdequacyResult:
    """Audit a rate table on a book: filed premium against the loss model's risk premium.

    Parameters
    ----------
    book : DataFrame
        A portfolio (priced here with ``table``).
    table : RateTable or name or path
    model : LossModel, optional
        Defaults to :meth:`LossModel.default` (or a model fitted to the book's experience,
        :meth:`LossModel.fit`).
    by : column name or list of them, optional
        Segments of the audit (default ``["industry", "size", "limit_band"]``). Any column of the
        book or of the priced book (``std_grade``, ``violations``, ``history_class``,
        ``region`` …); ``limit_band`` bands ``limit_death`` by ``limit_bands``.
    relativity : {"model", "table", None}
        Each policy's risk relativity: ``"model"`` (default) the loss model's
        (:meth:`LossModel.relativity`); ``"table"`` the price's ``risk_relativity`` (float factor
        over the table's ``float_mean``: an audit that cannot see a mispriced factor, kept for
        comparison); ``None`` the industry average.
    tolerance : float
        A segment is flagged when rated / risk premium < 1 − tolerance (default 5 %: within a
        segment, the mix of headcounts — deaths are capped at the headcount, so a one-worker unit
        carries less risk per worker — and of floating factors moves the ratio of a risk-based
        table by a few per cent in small segments; a price war cuts 15 % or more) and the ratio is
        below 1 by more than two standard errors of its units' mix (a unit's model relativity
        follows its own history, which the table's clipped float factor cannot).
    limit_bands : upper bounds of the limit bands (CNY)
    min_policies : int
        Segments with fewer policies are ``thin``: shown, never flagged (default 30). A segment of
        a few units measures those units — one with a bad history has a model relativity of 1.6
        while the float cap allows 1.3 — not the rate level.

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
    >>> ajx.adequacy(book, "national-2025", by=["std_grade"]).by_segment.index.name
    'std_grade'
    """
    from ..losses import expected_loss
    from .price import price
    from .table import RateTable

    t = table if isinstance(table, RateTable) else RateTable.load(table)
    if relativity not in ("model", "table", None):
        raise ValidationError(f"adequacy: relativity must be 'model', 'table' or None, got {relativity!r}")
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not 0 <= tolerance < 1:
        raise ValidationError(f"adequacy: tolerance must be in [0, 1), got {tolerance!r}")
    bands = _check_bands(limit_bands)
    if isinstance(min_policies, bool) or not isinstance(min_policies, (int, np.integer)) or min_policies < 1:
        raise ValidationError(f"adequacy: min_policies must be an integer >= 1, got {min_policies!r}")
    priced = price(book, t, lift_limits=True)
    cols = _by_columns(by, priced)
    head = priced["headcount"].to_numpy(dtype=float)
    e = expected_loss(priced, model, relativity={"model": "model", "table": "risk_relativity", None: None}[relativity])
    ld = t.loadings
    g = (1 + ld["vat"]) / t.expected_loss_ratio()
    labels = _band_labels(bands)
    band = pd.Categorical.from_codes(np.searchsorted(np.asarray(bands, float), priced["limit_death"].to_numpy(), side="left"),
                                     categories=labels)
    keys = {c: (band if c == "limit_band" else priced[c].to_numpy() if not isinstance(priced[c].dtype, pd.CategoricalDtype) else priced[c])
            for c in cols}
    frame = pd.DataFrame({
        **keys, "policies": 1, "workers": head, "filed_premium": priced["premium"].to_numpy(),
        "rated_premium": priced["premium_raw"].to_numpy(), "filed_ex_vat": priced["premium_ex_vat"].to_numpy(),
        "expected_loss": e["expected_loss"].to_numpy(),
    })
    seg = frame.groupby(cols, observed=True).sum()
    seg["risk_premium"] = seg["expected_loss"] * g
    seg["ratio"] = seg["rated_premium"] / seg["risk_premium"]
    # standard error of the ratio estimator over the segment's units: how much of the gap its units' mix explains
    r_unit = frame[cols].merge(seg["ratio"], left_on=cols, right_index=True, how="left")["ratio"].to_numpy()
    dev = (frame["rated_premium"].to_numpy() - r_unit * frame["expected_loss"].to_numpy() * g) ** 2
    seg["ratio_se"] = np.sqrt(pd.Series(dev).groupby([frame[c] for c in cols], observed=True).sum().to_numpy()) / seg["risk_premium"].to_numpy()
    seg["implied_loss_ratio"] = seg["expected_loss"] / seg["filed_ex_vat"]
    seg["thin"] = seg["policies"] < min_policies
    seg["below_risk"] = (seg["ratio"] < 1 - tolerance) & (seg["ratio"] + 2 * seg["ratio_se"] < 1) & ~seg["thin"]
    flagged = seg[seg["below_risk"]]
    summary = {
        "table": t.name, "policies": int(len(priced)), "filed_premium": float(frame["filed_premium"].sum()),
        "rated_premium": float(frame["rated_premium"].sum()), "expected_loss": float(frame["expected_loss"].sum()),
        "risk_premium": float(frame["expected_loss"].sum() * g),
        "permissible_loss_ratio": t.expected_loss_ratio(),
        "implied_loss_ratio": float(frame["expected_loss"].sum() / frame["filed_ex_vat"].sum()),
        "flagged_segments": int(len(flagged)), "segments": int(len(seg)), "thin_segments": int(seg["thin"].sum()),
        "min_policies": int(min_policies),
        "flagged_premium_share": float(flagged["filed_premium"].sum() / frame["filed_premium"].sum()),
        "tolerance": tolerance, "relativity": str(relativity), "by": list(cols),
        "model": getattr(model, "name", "default") if model is not None else "default",
    }
    return AdequacyResult(by_segment=seg, summary=summary, table=t.name, tolerance=float(tolerance), by=tuple(cols))


def _check_bands(bands) -> tuple:
    if isinstance(bands, (str, bytes)) or not hasattr(bands, "__iter__"):
        raise ValidationError(f"adequacy: limit_bands must be a list of increasing limits (CNY), got {bands!r}")
    b = list(bands)
    ok = bool(b) and all(isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) and np.isfinite(x) and x > 0 for x in b)
    if not ok or any(y <= x for x, y in zip(b, b[1:])):
        raise ValidationError(f"adequacy: limit_bands must be a non-empty list of finite, positive, increasing limits (CNY), got {bands!r}")
    return tuple(float(x) for x in b)
