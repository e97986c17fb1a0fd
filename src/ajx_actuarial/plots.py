"""Consistent matplotlib figures for the report and notebooks, labelled in English or Chinese.

Every figure has a title, axis labels with units, and tick labels that fit. ``lang="zh"``
labels in Chinese when a CJK font is installed (:func:`cjk_font`); without one the labels
fall back to English (:func:`figure_lang` says which is used), so a figure never shows
missing-glyph boxes. Text comes from :mod:`ajx_actuarial.present`.
"""

from __future__ import annotations

import functools

import numpy as np

from .present import code_label, label as _label, shorten

__all__ = ["cjk_font", "figure_lang", "label", "style", "exceedance_figure", "stress_figure", "prevention_figure", "premium_figure"]

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
                         "axes.spines.right": False, "font.size": 9, "axes.titlesize": 10, "axes.titleweight": "bold"})
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
    ax.annotate("1 in 200", (ax.get_xlim()[1], 0.005), ha="right", va="bottom", fontsize=7, color="grey")
    ax.set_title(title or _t("fig_exceedance", lang))
    if len(samples) > 1 or (samples and next(iter(samples)) != ""):
        ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    return fig


def stress_figure(table, samples: dict[str, np.ndarray] | None = None, lang: str = "en"):
    """Loss ratio, VaR 99.5 % and share of mandates funded, one bar per scenario."""
    import matplotlib.pyplot as plt

    style()
    names = [shorten(n, 28) for n in table.index]
    fig, axes = plt.subplots(1, 3, figsize=(8.5, 0.9 + 0.4 * max(len(names), 3)), sharey=True)
    y = np.arange(len(names))
    panels = (("loss_ratio", 1.0, "loss_ratio", "tab:blue", None), ("var_995", 1e-6, "var_995_m", "tab:red", None),
              ("share_funded", 1.0, "share_funded", "tab:green", (0, 1)))
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


def prevention_figure(by_segment, lang: str = "en"):
    """Heatmap industry × size of the share of mandated policies whose fee funds the services."""
    import matplotlib.pyplot as plt

    style()
    seg = by_segment.reset_index() if "industry" not in getattr(by_segment, "columns", []) else by_segment
    seg = seg[seg["mandated"] > 0]
    grid = seg.pivot_table(index="industry", columns="size", values="share_funded", aggfunc="mean", observed=True)
    counts = seg.pivot_table(index="industry", columns="size", values="mandated", aggfunc="sum", observed=True)
    fl = figure_lang(lang)
    fig, ax = plt.subplots(figsize=(7, 0.8 + 0.4 * max(len(grid), 3)))
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
    ax.set_title(_t("fig_prevention", lang))
    fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02).set_label(_t("share_funded", lang))
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
