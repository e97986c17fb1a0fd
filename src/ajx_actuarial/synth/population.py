"""The latent management quality of a preset's population and the loss model's normaliser on it.

A unit's management quality q ~ N(0, 1) drives its standardisation grade, violations,
blacklisting and rectification together (:func:`management_thresholds` reproduces the preset's
grade and rectification shares exactly). :func:`normaliser` is the exact headcount-weighted mean
of the loss model's relativities (× region effect) in a preset's population, per sector
(Gauss–Hermite quadrature over q, exact headcount laws): the packaged default model stores it
for the ``national`` preset, so its sector frequencies are that population's averages.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.special import ndtr, ndtri
from scipy.stats import poisson

from ..reference import INDUSTRIES, SIZES
from .presets import Preset, load_preset

__all__ = ["management_thresholds", "normaliser"]


def management_thresholds(preset: Preset) -> dict:
    """Latent-scale thresholds that reproduce the preset's grade and rectification shares exactly.

    Grades: ``z = (q + a·e)/√(1+a²)`` against per-size thresholds ``t1 > t2 > t3`` (grade 1 if
    ``z > t1``...). Rectification: ``r = (−q + d·e')/√(1+d²)``; overdue if ``r > r2``, late if
    ``r > r1``. Both standardised variables are N(0, 1), so the shares are exact.
    """
    m = preset.management()
    grade = {}
    for s, (g1, g2, g3) in preset.std_grade().items():
        c = np.cumsum([g1, g2, g3])
        grade[s] = tuple(float(ndtri(1 - x)) if x > 0 else np.inf for x in c)
    po, pl = m["rectification_overdue_major"], m["rectification_late"]
    rect = (float(ndtri(1 - po - pl)), float(ndtri(1 - po)))
    return {"grade": grade, "rect": rect, "a": m["grade_noise"], "d": m["rectification_noise"]}


def _quad(n: int = 96):
    x, w = np.polynomial.hermite_e.hermegauss(n)
    return x, w / np.sqrt(2 * np.pi)


def normaliser(model, preset: "str | Preset" = "national", *, size_mix: Mapping | None = None,
               regions: Mapping | None = None) -> dict[str, float]:
    """Exact headcount-weighted ``E[Π relativities × region effect | sector]`` of a preset's population.

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> m = ajx.LossModel.default()
    >>> n = ajx.synth.normaliser(m, "national")
    >>> all(abs(n[k] - m.normaliser[k]) < 1e-8 for k in n)  # the packaged model stores these
    True
    """
    p = load_preset(preset)
    rel = model.relativities
    get = lambda fac, k: float(rel.get(fac, {}).get(k, 1.0))  # noqa: E731
    th = management_thresholds(p)
    m = p.management()
    x, w = _quad()
    a, d = th["a"], th["d"]
    b, bs = m["violations_slope"], m["blacklisted_slope"]
    mu_v = m["violations_mean"] * np.exp(-b * x - b * b / 2)
    vt = {int(k): float(v) for k, v in rel.get("violations", {0: 1.0}).items()}
    kmax = max(vt) if vt else 0
    pv = [poisson.pmf(k, mu_v) for k in range(kmax)]
    e_v = sum(vt.get(k, 1.0) * pv[k] for k in range(kmax)) + vt.get(kmax, 1.0) * (1 - sum(pv))
    pb = np.minimum(1.0, m["blacklisted_share"] * np.exp(-bs * x - bs * bs / 2))
    e_b = get("blacklisted", False) + pb * (get("blacklisted", True) - get("blacklisted", False))
    r1, r2 = th["rect"]
    s_late = ndtr((-x - r1 * np.sqrt(1 + d * d)) / d)
    s_over = ndtr((-x - r2 * np.sqrt(1 + d * d)) / d)
    e_r = get("rectification", "on_time") * (1 - s_late) + get("rectification", "late") * (s_late - s_over) \
        + get("rectification", "overdue_major") * s_over
    g_size = {}
    for s in SIZES:
        t = th["grade"][s]
        above = [ndtr((x - ti * np.sqrt(1 + a * a)) / a) if np.isfinite(ti) else np.zeros_like(x) for ti in t]
        e_g = (get("std_grade", 1) * above[0] + get("std_grade", 2) * (above[1] - above[0])
               + get("std_grade", 3) * (above[2] - above[1]) + get("std_grade", 0) * (1 - above[2]))
        g_size[s] = float((w * e_g * e_v * e_b * e_r).sum()) * get("size", s)
    regs = dict(regions) if regions is not None else p.regions()
    if not isinstance(regs, Mapping):
        regs = {r: 1.0 for r in regs}
    tot = sum(regs.values())
    r_mean = sum(v / tot * float(model.region_effects.get(k, 1.0)) for k, v in regs.items())
    out = {}
    for ind, law in p.headcount_laws().items():
        probs = np.asarray(size_mix[ind], dtype=float) if size_mix and ind in size_mix else law.class_probs()
        probs = probs / probs.sum()
        means = np.nan_to_num(law.class_means())
        wts = probs * means
        out[ind] = float(sum(wts[i] * g_size[s] for i, s in enumerate(SIZES)) / wts.sum() * r_mean) if wts.sum() > 0 else 1.0
    return {k: out.get(k, 1.0) for k in INDUSTRIES}
