"""Consistent matplotlib figures. Chinese labels are used when a CJK font is installed,
English otherwise (``label(zh, en)``), so figures never show missing-glyph boxes."""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["cjk_font", "label", "style", "exceedance_figure", "stress_figure", "prevention_figure", "premium_figure"]

_CJK_NAMES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
              "SimHei", "Microsoft YaHei", "PingFang SC", "AR PL UMing CN", "Noto Serif CJK SC")


@functools.cache
def cjk_font() -> str | None:
    """Name of an installed font with Chinese glyphs, or None."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for n in _CJK_NAMES:
        if n in names:
            return n
    return None


def label(zh: str, en: str) -> str:
    """Chinese text when a CJK font is available, with the English in brackets; else English."""
    return f"{zh} ({en})" if cjk_font() else en


def style():
    """Apply the package style (a context-free rcParams update)."""
    import matplotlib as mpl

    mpl.rcParams.update({"figure.dpi": 100, "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
                         "axes.spines.right": False, "font.size": 9})
    f = cjk_font()
    if f:
        mpl.rcParams["font.sans-serif"] = [f, *mpl.rcParams["font.sans-serif"]]
        mpl.rcParams["axes.unicode_minus"] = False


def exceedance_figure(samples: dict[str, np.ndarray], title: str | None = None):
    import matplotlib.pyplot as plt

    style()
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, x in samples.items():
        v = np.sort(np.asarray(x)) / 1e6
        p = 1.0 - np.arange(1, v.size + 1) / v.size
        ax.step(v, np.maximum(p, 1.0 / v.size), where="post", label=name)
    ax.set_yscale("log")
    ax.set_xlabel(label("年度赔付（百万元）", "annual insured loss, million CNY"))
    ax.set_ylabel(label("超越概率", "exceedance probability"))
    ax.set_title(title or label("年度赔付超越曲线", "Annual insured loss exceedance"))
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def stress_figure(table, samples: dict[str, np.ndarray]):
    import matplotlib.pyplot as plt

    style()
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    names = list(table.index)
    y = np.arange(len(names))
    axes[0].barh(y, table["loss_ratio"], color="tab:blue")
    axes[0].set_yticks(y, names)
    axes[0].invert_yaxis()
    axes[0].set_xlabel(label("期望赔付率（不含税保费）", "expected loss ratio (ex-VAT)"))
    axes[1].barh(y, table["var_995"] / 1e6, color="tab:red")
    axes[1].set_yticks(y, [])
    axes[1].invert_yaxis()
    axes[1].set_xlabel(label("99.5% VaR（百万元）", "VaR 99.5 %, million CNY"))
    axes[2].barh(y, table["share_funded"], color="tab:green")
    axes[2].set_yticks(y, [])
    axes[2].invert_yaxis()
    axes[2].set_xlim(0, 1)
    axes[2].set_xlabel(label("预防服务经费足额比例", "share of mandates funded"))
    fig.tight_layout()
    return fig


def prevention_figure(by_segment):
    import matplotlib.pyplot as plt

    style()
    seg = by_segment[by_segment["mandated"] > 0]
    fig, ax = plt.subplots(figsize=(7, max(3, 0.25 * len(seg))))
    labels = [f"{i} / {s}" for i, s in seg.index]
    ax.barh(labels, seg["share_funded"], color="tab:green")
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_xlabel(label("经费足以覆盖强制服务的保单比例", "share of mandated policies funded"))
    fig.tight_layout()
    return fig


def premium_figure(priced):
    import matplotlib.pyplot as plt

    style()
    g = priced.groupby("industry", observed=True).agg(premium=("premium", "sum"), workers=("headcount", "sum"))
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    axes[0].barh(g.index.astype(str), g["premium"] / 1e6)
    axes[0].invert_yaxis()
    axes[0].set_xlabel(label("保费（百万元）", "premium, million CNY"))
    axes[1].hist(priced["float_factor"], bins=40)
    axes[1].set_xlabel(label("浮动系数", "floating factor"))
    axes[1].set_ylabel(label("保单数", "policies"))
    fig.tight_layout()
    return fig
