"""The result of :func:`ajx_actuarial.prevention.assess`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["PreventionResult"]


@dataclass(frozen=True, eq=False)
class PreventionResult:
    """Prevention-budget assessment.

    Attributes
    ----------
    by_policy : DataFrame
        Per policy (horizon totals): required services by type (per year), ``required_cost``,
        ``budget``, ``coverage`` (budget available to the policy / required cost, pooled
        transfers included), ``funded`` (no shortfall in any year), ``shortfall``, ``surplus``
        (unspent money; carried-forward balance at the end with ``carry_forward``), ``spent``
        (mandated services paid), ``further`` (its share of the floor money spent beyond the
        mandates, in proportion to budget), ``rule``, ``it_cost`` (the IT line charged to the fee),
        ``inception_month`` (months from 1 January), ``first_service_wait`` (months from inception
        to the first service; NaN where none is due or no first-service rule applies; 12 = not
        within the policy year) and ``first_service_late``.
    by_segment : DataFrame
        Industry × size: policies, mandated policies, share funded, required, budget, shortfall,
        surplus, ``break_even_fee_ratio`` (required / the premium the fee is a share of: ex-VAT, or collected under ``fee_base="collected"``) and
        ``break_even_premium`` (median premium per mandated policy that funds its own mandate).
    by_year : DataFrame
        Portfolio required, budget and the ledger's columns (:data:`.ledger.LEDGER_COLUMNS`) per policy
        year; the view at 31 December of the year each policy year starts (``delivered_by_year_end``,
        ``undelivered_at_year_end``, ``year_end_provision``, ``booked_by_year_end``: a provisioned
        ledger holds a provision for the services still to come, a not-provisioned one (不得预提)
        books only what was delivered; :func:`.ledger.year_end`); with an earmark,
        ``earmark_required``, ``earmark_spent``, ``earmark_shortfall``.
    summary : dict
        ``share_funded`` (mandated policies with no shortfall), ``services_funded`` (spent ÷
        required cost), ``spent_share`` ((spent + further) ÷ ex-VAT premium), ``total_further``
        (floor money spent beyond the mandates), ``total_above_budget``, ``total_floor_gap``,
        ``total_shortfall``, ``total_surplus``, ``break_even_fee_ratio``, ``total_it_cost``,
        ``inception``, the first year's ``delivered_by_year_end``, ``undelivered_at_year_end``,
        ``year_end_provision`` and ``booked_by_year_end``; under a first-service rule
        ``first_service_within_months``, ``first_service_due``, ``first_service_late``,
        ``first_service_late_share``, ``first_service_mean_wait`` (months); with an earmark
        ``earmark``, ``earmark_required``, ``earmark_spent``, ``earmark_shortfall``,
        ``earmark_share_of_budget``; ...
    shortfall_samples : ndarray or None
        Total shortfall per cost-uncertainty simulation.
    """

    by_policy: pd.DataFrame
    by_segment: pd.DataFrame
    by_year: pd.DataFrame
    summary: dict
    shortfall_samples: np.ndarray | None = field(default=None)

    def to_frame(self) -> pd.DataFrame:
        return self.by_policy.copy()

    def summary_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"value": pd.Series(self.summary, dtype=object)})

    def plot(self, lang: str = "en"):
        """Share of mandated policies funded, industry × size (the report's heatmap), beside the
        distribution of coverage = budget / required cost over mandated policies."""
        import matplotlib.pyplot as plt

        from ..plots import figure_lang, prevention_figure

        zh = figure_lang(lang) == "zh"

        n_ind = self.by_segment[self.by_segment["mandated"] > 0].index.get_level_values(0).nunique()
        fig, axes = plt.subplots(1, 2, figsize=(12, 1.4 + 0.45 * max(n_ind, 4)), gridspec_kw={"width_ratios": [1.5, 1]})
        prevention_figure(self.by_segment, lang=lang, ax=axes[0], value="share_funded" if self.summary["pooling"] == "policy" else "own_coverage")
        cov = self.by_policy.loc[self.by_policy["required_cost"] > 0, "coverage"].clip(upper=3)
        axes[1].hist(cov, bins=60)
        axes[1].axvline(1.0, color="k", ls="--")
        s = self.summary
        if zh:
            axes[1].set_xlabel("覆盖率 = 经费 / 所需费用（上限 3）")
            axes[1].set_ylabel("强制服务保单数")
            fig.suptitle(f"事故预防服务经费：{s['rules']}，费用比例 {s['fee_ratio']}，统筹方式 {s['pooling']}")
        else:
            axes[1].set_xlabel("coverage = budget / required cost (capped at 3)")
            axes[1].set_ylabel("mandated policies")
            fig.suptitle(f"Prevention budget: {s['rules']}, fee {s['fee_ratio']}, pooling {s['pooling']}")
        fig.tight_layout()
        return fig

    def _repr_html_(self) -> str:
        return self.summary_frame().to_html()
