"""Consistent matplotlib figures for the report and notebooks, labelled in English or Chinese.

Every figure has a title, axis labels with units, and tick labels that fit. ``lang="zh"``
labels in Chinese when a CJK font is installed (:func:`cjk_font`); without one the labels
fall back to English (:func:`figure_lang` says which is used), so a figure never shows
missing-glyph boxes. Text comes from :mod:`ajx_actuarial.present`.
"""

from __future__ import annotations

import functools

import numpy as np

from .present import code_name as code_label, label as _label, shorten

__all__ = ["cjk_font", "figure_lang", "label", "style", "exceedance_figure", "stress_figure", "policy_lab_figure", "prevention_figure", "premium_figure",
           "projection_fan_figure", "solvency_figure", "adequacy_figure"]

_CJK_NAMES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
              "SimHei", "Microsoft YaHei", "PingFang SC", "AR PL UMing CN", "Noto Serif CJK SC")


@functools.cache
def cjk_font() -> str | None:
    """Name of an installed font with Chinese glyphs, or None."""
    from matplotlib import font_manager

    def pick() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((n for n in _CJK_NAMES if n in names), None)

    found = pick()
    if found is None:  # matplotlib's font cache may predate the fonts: look once for CJK files
        for path in font_manager.findSystemFonts():
            if any(k in path.lower() for k in ("cjk", "wqy", "sourcehan", "simhei", "msyh", "pingfang", "uming")):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = pick()
    return found


def figure_lang(lang: str = "en") -> str:
    """The language figures are labelled in: ``lang``, except ``en`` for ``zh`` without a CJK font.

    Examples
    --------
    >>> figure_lang("en")
    'en'
    """
    return "zh" if lang == "zh" and cjk_font() else "en"


def label(zh: str, en: str) -> str:
    """Chinese text when a CJK font is available, with the English in brackets; else English."""
    return f"{zh} ({en})" if cjk_font() else en


def style():
    """Apply the package style (a context-free rcParams update)."""
    import matplotlib as mpl

    mpl.rcParams.update({"figure.dpi": 100, "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
                         "axes.spines.right": False, "font.size": 9, "axes.titlesize": 10, "axes.titleweight": "bold",
                         # the number policy of present.formats: no scientific notation or offset on an axis of amounts
                         "axes.formatter.limits": (-12, 15), "axes.formatter.useoffset": False})
    f = cjk_font()
    if f:
        mpl.rcParams["font.sans-serif"] = [f, *[x for x in mpl.rcParams["font.sans-serif"] if x != f]]
        mpl.rcParams["axes.unicode_minus"] = False


def _t(key: str, lang: str) -> str:
    return _label(key, figure_lang(lang))


def exceedance_figure(samples: dict[str, np.ndarray], title: str | None = None, lang: str = "en"):
    """Exceedance probability (log scale) of annual insured loss, one line per sample (scenario)."""
    import matplotlib.pyplot as plt

    style()
    fig, ax = plt.subplots(figsize=(7, 3.8))
    groups: list[tuple[list[str], np.ndarray]] = []  # identical samples (e.g. scenarios that change only premium) share a line
    for name, x in samples.items():
        v = np.sort(np.asarray(x, dtype=float))
        same = next((g for g in groups if g[1].shape == v.shape and np.array_equal(g[1], v)), None)
        if same is not None:
            same[0].append(name)
        else:
            groups.append(([name], v))
    for names, v in groups:
        if v.size == 0:
            continue
        p = 1.0 - np.arange(1, v.size + 1) / v.size
        ax.step(v / 1e6, np.maximum(p, 1.0 / v.size), where="post", label=" = ".join(shorten(n, 28) for n in names))
    ax.set_yscale("log")
    ax.set_xlabel(_t("annual_loss_m", lang))
    ax.set_ylabel(_t("exceedance", lang))
    ax.axhline(0.005, color="grey", lw=0.8, ls=":")
    ax.annotate("1 in 200" if figure_lang(lang) == "en" else "200年一遇", (ax.get_xlim()[1], 0.005), ha="right", va="bottom",
                fontsize=7, color="grey")
    ax.set_title(title or _t("fig_exceedance", lang))
    if len(samples) > 1 or (samples and next(iter(samples)) != ""):
        ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    return fig


def stress_figure(table, samples: dict[str, np.ndarray] | None = None, lang: str = "en"):
    """Loss ratio, VaR 99.5 % and the share of the mandated services' cost paid, one bar per scenario."""
    import matplotlib.pyplot as plt

    style()
    names = [shorten(n, 28) for n in table.index]
    fig, axes = plt.subplots(1, 3, figsize=(8.5, 0.9 + 0.4 * max(len(names), 3)), sharey=True)
    y = np.arange(len(names))
    panels = (("loss_ratio", 1.0, "loss_ratio", "tab:blue", None), ("var_995", 1e-6, "var_995_m", "tab:red", None),
              ("services_funded" if "services_funded" in table.columns else "share_funded", 1.0,
               "services_funded" if "services_funded" in table.columns else "share_funded", "tab:green", (0, 1)))
    for ax, (col, scale, key, colour, lim) in zip(axes, panels):
        ax.barh(y, table[col] * scale, color=colour)
        ax.set_title(_t(key, lang), fontsize=9)
        if lim:
            ax.set_xlim(*lim)
    axes[0].set_yticks(y, names)
    axes[0].invert_yaxis()
    fig.suptitle(_t("fig_stress", lang), fontweight="bold")
    fig.tight_layout()
    return fig


def policy_lab_figure(table, lang: str = "en"):
    """The regulator's trade-off: share of victims' economic loss compensated (y) against the
    mean premium per unit (x), one labelled point per scenario of a stress table."""
    import matplotlib.pyplot as plt

    style()
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    x = table["premium_per_unit"].to_numpy(dtype=float)
    y = table["victim_compensation_share"].to_numpy(dtype=float)
    ax.scatter(x, y, s=36, color="tab:blue", zorder=3)
    # scenarios on the same point (e.g. ones that move only the fee) share one label instead of overprinting
    groups: dict = {}
    for xi, yi, name in zip(x, y, table.index):
        if np.isfinite(xi) and np.isfinite(yi):
            groups.setdefault((round(xi / max(abs(np.nanmax(x)), 1) * 200), round(yi * 200)), []).append((xi, yi, str(name)))
    for members in groups.values():
        xi, yi = members[0][0], members[0][1]
        ax.annotate(shorten(", ".join(m[2] for m in members), 48), (xi, yi), xytext=(5, 4), textcoords="offset points", fontsize=7)
    ax.set_xlabel(_t("premium_per_unit", lang))
    ax.set_ylabel(_t("victim_compensation_share", lang))
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _p: f"{v:.0%}"))
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    lo, hi = np.nanmin(y), np.nanmax(y)
    ax.set_ylim(max(0.0, lo - 0.1), min(1.02, hi + 0.1))
    ax.set_title(_t("fig_policy_lab", lang))
    fig.tight_layout()
    return fig


def prevention_figure(by_segment, lang: str = "en", ax=None, value: str = "share_funded"):
    """Heatmap industry × size (``by_segment`` of a :class:`~ajx_actuarial.prevention.PreventionResult`),
    on ``ax`` if given: ``value="share_funded"``, the share of mandated policies whose fee funds
    their services (per-policy pools); ``"own_coverage"``, each segment's own budget ÷ its mandated
    cost (capped at 1: what its fee would pay alone; the view that means something under one pool)."""
    import matplotlib.pyplot as plt

    style()
    seg = by_segment.reset_index() if "industry" not in getattr(by_segment, "columns", []) else by_segment
    seg = seg[seg["mandated"] > 0]
    if value == "own_coverage":
        seg = seg.assign(own_coverage=np.minimum(seg["budget"] / seg["required_cost"].where(seg["required_cost"] > 0), 1.0))
    grid = seg.pivot_table(index="industry", columns="size", values=value, aggfunc="mean", observed=True)
    counts = seg.pivot_table(index="industry", columns="size", values="mandated", aggfunc="sum", observed=True)
    fl = figure_lang(lang)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 0.8 + 0.4 * max(len(grid), 3)))
    else:
        fig = ax.figure
    im = ax.imshow(grid.to_numpy(dtype=float), cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(grid.shape[1]), [code_label(c, fl) for c in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [code_label(i, fl) for i in grid.index])
    ax.grid(False)
    for (r, c), v in np.ndenumerate(grid.to_numpy(dtype=float)):
        if np.isfinite(v):
            n = counts.iloc[r, c]
            ax.text(c, r, f"{v:.0%}\n(n={int(n):,})", ha="center", va="center", fontsize=7,
                    color="black" if 0.25 < v < 0.85 else "white")
        else:
            ax.text(c, r, "–", ha="center", va="center", fontsize=8, color="grey")
    ax.set_xlabel(_t("size", lang))
    ax.set_ylabel(_t("industry", lang))
    ax.set_title(_t("fig_prevention" if value == "share_funded" else "fig_prevention_own", lang))
    fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02).set_label(_t(value, lang))
    fig.tight_layout()
    return fig


def premium_figure(priced, lang: str = "en"):
    """Premium by industry (bars) and the distribution of floating factors (histogram)."""
    import matplotlib.pyplot as plt

    style()
    fl = figure_lang(lang)
    g = priced.groupby("industry", observed=True).agg(premium=("premium", "sum"))
    fig, axes = plt.subplots(1, 2, figsize=(8.5, 3.4))
    axes[0].barh([code_label(i, fl) for i in g.index], g["premium"] / 1e6, color="tab:blue")
    axes[0].invert_yaxis()
    axes[0].set_xlabel(_t("premium_m", lang))
    axes[0].set_title(_t("fig_premium", lang))
    axes[1].hist(priced["float_factor"], bins=40, color="tab:blue")
    axes[1].set_xlabel(_t("float_factor", lang))
    axes[1].set_ylabel(_t("share_policies", lang))
    axes[1].set_title(_t("fig_float", lang))
    fig.tight_layout()
    return fig


# measures of a projection: (English, Chinese, scale, unit en, unit zh); money in million CNY, shares in %
_FAN = {
    "premium": ("premium", "保费", 1e-6, "m CNY", "百万元"),
    "premium_ex_vat": ("premium ex VAT", "不含税保费", 1e-6, "m CNY", "百万元"),
    "insured_loss": ("insured loss", "赔付", 1e-6, "m CNY", "百万元"),
    "loss_ratio": ("loss ratio", "赔付率", 100.0, "%", "%"),
    "combined_ratio": ("combined ratio", "综合成本率", 100.0, "%", "%"),
    "underwriting_result": ("underwriting result", "承保利润", 1e-6, "m CNY", "百万元"),
    "prevention_budget": ("prevention budget", "事故预防预算", 1e-6, "m CNY", "百万元"),
    "prevention_spent": ("prevention spent", "事故预防支出", 1e-6, "m CNY", "百万元"),
    "carried_forward": ("carried forward", "结转下年", 1e-6, "m CNY", "百万元"),
    "cost_share_funded": ("share of mandated service cost funded", "强制服务费用覆盖率", 100.0, "%", "%"),
    "policies_funded": ("mandated policies fully funded", "服务经费足额保单占比", 100.0, "%", "%"),
    "mean_float_factor": ("mean float factor", "平均浮动系数", 1.0, "", ""),
    "mean_history_factor": ("mean accident-history factor", "平均事故记录系数", 1.0, "", ""),
    "limit_death": ("per-person limit", "每人责任限额", 1e-3, "k CNY", "千元"),
    "solvency_ratio": ("solvency ratio", "偿付能力充足率", 100.0, "%", "%"),
}


def _fan_text(measure: str, fl: str) -> tuple[str, float, str]:
    en, zh, scale, u_en, u_zh = _FAN.get(measure, (measure.replace("_", " "), measure, 1.0, "", ""))
    name, unit = (zh, u_zh) if fl == "zh" else (en, u_en)
    return name, scale, unit


def projection_fan_figure(summary, lang: str = "en", ncols: int = 2):
    """Fan charts of a projection: per measure the 5-95 % band, the median and the mean by year.

    ``summary`` is :meth:`ajx_actuarial.ProjectionResult.summary` (index year × measure; columns
    ``mean``, ``p5``, ``p50``, ``p95``).
    """
    import matplotlib.pyplot as plt

    style()
    fl = figure_lang(lang)
    measures = list(dict.fromkeys(summary.index.get_level_values("measure")))
    nrows = (len(measures) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.3 * ncols, 2.7 * nrows), squeeze=False)
    for ax, m in zip(axes.ravel(), measures):
        d = summary.xs(m, level="measure").sort_index()
        name, scale, unit = _fan_text(m, fl)
        x = d.index.to_numpy()
        ax.fill_between(x, d["p5"] * scale, d["p95"] * scale, color="tab:blue", alpha=0.2,
                        label="5-95 %" if fl == "en" else "5%-95%区间")
        ax.plot(x, d["p50"] * scale, color="tab:blue", lw=1.2, label="median" if fl == "en" else "中位数")
        ax.plot(x, d["mean"] * scale, color="black", lw=1.0, ls="--", marker="o", ms=3, label="mean" if fl == "en" else "均值")
        ax.set_title(name)
        ax.set_ylabel(unit)
        ax.set_xticks(x, [str(int(v)) for v in x])
    for ax in axes.ravel()[len(measures):]:
        ax.set_visible(False)
    axes.ravel()[0].legend(fontsize=7, loc="best")
    fig.suptitle("Projection by policy year" if fl == "en" else "分年度预测", fontweight="bold")
    fig.tight_layout()
    return fig


def solvency_figure(capital_summary, internal=None, lang: str = "en"):
    """Solvency ratio by year (mean, 5-95 % band, the 100 % line) and, with ``internal``, the C-ROSS
    minimum capital beside the 99.5 % VaR of the one-year result (million CNY)."""
    import matplotlib.pyplot as plt

    style()
    fl = figure_lang(lang)
    ncols = 2 if internal is not None else 1
    fig, axes = plt.subplots(1, ncols, figsize=(4.3 * ncols, 3.0), squeeze=False)
    ax = axes[0, 0]
    d = capital_summary.sort_index()
    x = d.index.to_numpy()
    ax.fill_between(x, d["p5"] * 100, d["p95"] * 100, color="tab:green", alpha=0.2, label="5-95 %" if fl == "en" else "5%-95%区间")
    ax.plot(x, d["solvency_ratio"] * 100, color="tab:green", marker="o", ms=3, label="mean" if fl == "en" else "均值")
    ax.axhline(100, color="tab:red", ls="--", lw=1, label="100 % (C-ROSS adequacy line)" if fl == "en" else "100%（偿二代充足率达标线）")
    ax.set_title("C-ROSS solvency ratio, liability line" if fl == "en" else "偿付能力充足率（责任险）")
    ax.set_ylabel("%")
    ax.set_xticks(x, [str(int(v)) for v in x])
    ax.legend(fontsize=7)
    if internal is not None:
        ax2 = axes[0, 1]
        i = internal.sort_index()
        xi = i.index.to_numpy()
        w = 0.38
        ax2.bar(xi - w / 2, i["cross_minimum_capital"] / 1e6, width=w, color="tab:blue",
                label="C-ROSS minimum capital" if fl == "en" else "C-ROSS最低资本")
        ax2.bar(xi + w / 2, i["var"] / 1e6, width=w, color="tab:orange",
                label="loss at 99.5 % (VaR, assumption; below 0: a profit)" if fl == "en" else "99.5%分位损失（VaR，假设；负值为盈利）")
        ax2.set_title("Capital need" if fl == "en" else "资本需求")
        ax2.set_ylabel("m CNY" if fl == "en" else "百万元")
        ax2.set_xticks(xi, [str(int(v)) for v in xi])
        top = max(float(max(i["cross_minimum_capital"].max(), i["var"].max())) / 1e6, 0.0)
        low = min(float(i["var"].min()) / 1e6, 0.0)  # a negative VaR (a profit even at 99.5 %) is drawn below the zero line
        if low < 0:
            ax2.axhline(0, color="black", lw=0.8)
        span = (top - low) or 1.0
        ax2.set_ylim(low - 0.08 * span if low < 0 else 0, top + 0.45 * span)  # room above the bars for the legend
        ax2.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


def adequacy_figure(by_segment, table: str = "", tolerance: float = 0.05, lang: str = "en", ax=None):
    """Heatmap industry × size of rated / risk premium (all limit bands); red = below the risk premium.

    ``by_segment`` is ``AdequacyResult.by_segment`` (indexed or with ``industry`` and ``size``
    columns); a cell below ``1 − tolerance`` is what the audit flags.
    """
    import matplotlib.pyplot as plt

    style()
    seg = by_segment.reset_index() if "industry" not in getattr(by_segment, "columns", []) else by_segment
    g = seg.groupby(["industry", "size"], observed=True)[["rated_premium", "risk_premium"]].sum()
    ratio = (g["rated_premium"] / g["risk_premium"]).unstack("size")
    fl = figure_lang(lang)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.2, 0.8 + 0.4 * max(len(ratio), 3)))
    else:
        fig = ax.figure
    vmax = max(2.0, float(np.nanmax(ratio.to_numpy())))
    im = ax.imshow(ratio.to_numpy(), cmap="RdYlGn", vmin=0.0, vmax=vmax, aspect="auto")
    ax.grid(False)
    ax.set_xticks(range(ratio.shape[1]), [code_label(c, fl) for c in ratio.columns])
    ax.set_yticks(range(ratio.shape[0]), [code_label(i, fl) for i in ratio.index])
    for (i, j), v in np.ndenumerate(ratio.to_numpy()):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8, color="black")
    ax.set_xlabel(_t("size", lang))
    ax.set_ylabel(_t("industry", lang))
    fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02).set_label(
        "费率保费 / 风险保费" if fl == "zh" else "rated / risk premium")
    flag = f"{1 - tolerance:.2f}"
    if fl == "zh":
        title = f"费率保费 / 风险保费{'，' + table if table else ''}（低于 {flag} 标记）"
    else:
        title = f"Rated / risk premium{', table ' + table if table else ''} (below {flag}: flagged)"
    ax.set_title(title)
    fig.tight_layout()
    return fig
