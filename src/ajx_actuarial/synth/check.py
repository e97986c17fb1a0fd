"""``check``: a generated book side by side with its preset's targets and public anchors."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ValidationError
from ..reference import INDUSTRIES, SIZES
from .book import frailty
from .presets import Preset, load_preset
from . import _core
from .population import normaliser

__all__ = ["check"]

COLUMNS = ("quantity", "generated", "target", "tolerance", "within", "source", "flag", "basis")


class _Rows:
    def __init__(self, z: float):
        self.z, self.rows = z, []

    def add(self, quantity, generated, target, sd, basis, source, flag):
        tol = self.z * sd
        self.rows.append((quantity, float(generated), float(target), float(tol), bool(abs(generated - target) <= tol + 1e-12),
                          source, flag, basis))

    def rare(self, sd: float, count_mean: float, n: int) -> float:
        """sd, widened where the expected count (of hits or of misses) is too small for the normal
        approximation: the exact Poisson quantile at the same two-sided tail probability as z sd."""
        m = max(count_mean, 0.0)
        if m <= 0 or m > 100:
            return sd
        alpha = 2 * stats.norm.sf(self.z)
        return max(sd, (stats.poisson.ppf(1 - alpha / 2, m) - m) / n / self.z)

    def share(self, quantity, hits: np.ndarray, p: float, source, flag):
        n = hits.size
        if n == 0:
            return
        sd = self.rare(np.sqrt(max(p * (1 - p), 0.0) / n), n * min(p, 1 - p), n)
        self.add(quantity, hits.mean(), p, sd, f"binomial, n = {n:,}, {self.z:g} sd", source, flag)

    def anchor(self, quantity, generated, a: dict, flag_basis="anchor range"):
        lo, hi, v = float(a["low"]), float(a["high"]), float(a["value"])
        self.rows.append((quantity, float(generated), v, float(max(hi - v, v - lo)), bool(lo <= generated <= hi),
                          str(a["source"]), str(a["flag"]), f"{flag_basis} [{lo:g}, {hi:g}]"))

    def report(self, quantity, generated, source, flag):
        self.rows.append((quantity, float(generated), np.nan, np.nan, None, source, flag, "report only"))

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows, columns=list(COLUMNS))
        df["within"] = df["within"].astype("boolean")
        return df


def _theta(book: pd.DataFrame, cv: float) -> np.ndarray | None:
    meta = book.attrs.get("synth")
    if not isinstance(meta, dict) or "frailty_seed" not in meta or float(meta.get("frailty_cv", -1.0)) != cv:
        return None
    ids = book["policy_id"].to_numpy()
    if not np.issubdtype(ids.dtype, np.integer) or ids.min() < 1 or ids.max() > int(meta["n"]):
        return None
    return frailty(int(meta["frailty_seed"]), int(meta["n"]), cv)[ids - 1]


def check(book: pd.DataFrame, preset: "str | Preset | None" = None, *, model=None,
          priced: pd.DataFrame | None = None) -> pd.DataFrame:
    """Generated values of ``book`` beside its preset's targets, tolerances and public anchors.

    Rows (``basis`` says how each tolerance is set):

    * preset targets — industry, size-class-within-industry, region, grade-within-size,
      blacklisting, rectification and limit shares (binomial), mean headcount per industry and
      per unit (standard error of the mean from the exact headcount law), violations per unit;
      tolerance = ``z`` standard errors at the book's size (``[tolerance] z`` in the preset),
      widened to the exact Poisson quantile at the same tail probability where the expected
      count of hits (or misses) is below 100;
    * the loss model — expected deaths per 100 000 workers before the cluster cap against the
      model's exact expectation for the preset's population (standard error from the spread of
      relativity × θ), and the 3-year histories against their exact expectations: accidents and
      deaths per worker-year (Poisson), claim-free shares and fatal-accident shares by size
      class (Poisson–binomial);
    * public anchors (``[anchors]``, e.g. Beijing ≈ 11 workers per unit, national deaths per
      100 000 workers), ``within`` = inside the anchor's stated range;
    * premiums, when ``priced`` is given (the book priced with the preset's rate table,
      ``Preset.rate_table``): mean and median premium per unit, share of units paying
      <= 2 000 CNY, the book's premium; against the preset's anchors where it has them, else
      report only. ``synth`` sits below ``rating`` (rating's risk-based rates are computed on a
      synthetic reference book), so pricing is the caller's step.

    Parameters
    ----------
    book : DataFrame
        A book from :func:`portfolio` (its ``attrs`` give the frailties; without them the
        history rows use the gamma mixture).
    preset : name, path or Preset, optional
        Default: the book's own preset (``attrs["synth"]["preset"]``), else ``"national"``.
    model : LossModel, optional
        Default: the book's recorded model, else :meth:`LossModel.default`.
    priced : DataFrame, optional
        ``ajx.price(book, load_preset(preset).rate_table)`` (same rows, same order).

    Returns
    -------
    DataFrame
        ``quantity, generated, target, tolerance, within, source, flag, basis``; ``within`` is a
        nullable boolean (NA for report-only rows).

    Examples
    --------
    >>> import ajx_actuarial as ajx
    >>> book = ajx.synth.portfolio(20_000, preset="beijing", rng=3)
    >>> t = ajx.synth.check(book, priced=ajx.price(book, "beijing-2026"))
    >>> bool(t.loc[t["basis"].str.startswith("binomial"), "within"].all())
    True
    >>> "share of units paying <= 2 000 CNY" in " ".join(t["quantity"])
    True
    """
    from ..portfolio import validate_portfolio

    meta = book.attrs.get("synth", {}) if isinstance(book, pd.DataFrame) else {}
    p = load_preset(preset if preset is not None else meta.get("preset", "national"))
    pf = validate_portfolio(book)
    from ..losses import LossModel

    if model is not None and not isinstance(model, LossModel):
        raise ValidationError(f"check: model must be a LossModel, got {type(model).__name__}")
    if model is None:
        model = LossModel.from_dict(meta["model"]) if "model" in meta else LossModel.default()
    R = _Rows(p.z)
    n = len(pf)
    ind = pf["industry"].cat.codes.to_numpy()
    size = pf["size"].cat.codes.to_numpy()
    head = pf["headcount"].to_numpy(dtype=np.float64)
    laws = p.headcount_laws()

    for i, k in enumerate(INDUSTRIES):
        src, flag = p.source("industry_mix", k)
        R.share(f"industry share: {k}", ind == i, p.industry_mix().get(k, 0.0), src, flag)
    for i, k in enumerate(INDUSTRIES):
        sel = ind == i
        if not sel.any():
            continue
        src, flag = p.source("headcount", k)
        law = laws[k]
        probs = law.class_probs()
        for j, s in enumerate(SIZES):
            R.share(f"size share within {k}: {s}", size[sel] == j, probs[j], "implied by the headcount law: " + src, flag)
        pmf = law.pmf()
        kk = np.arange(1, law.max + 1)
        mu, var = (kk * pmf).sum(), ((kk - (kk * pmf).sum()) ** 2 * pmf).sum()
        R.add(f"workers per unit: {k}", head[sel].mean(), mu, np.sqrt(var / sel.sum()), f"mean, n = {sel.sum():,}, {p.z:g} se", src, flag)
    # whole-book headcount (mixture over the book's industry counts)
    mus = np.array([(np.arange(1, laws[k].max + 1) * laws[k].pmf()).sum() for k in INDUSTRIES])
    m2 = np.array([(np.arange(1, laws[k].max + 1) ** 2 * laws[k].pmf()).sum() for k in INDUSTRIES])
    p1 = np.array([laws[k].pmf()[0] for k in INDUSTRIES])
    cnt = np.bincount(ind, minlength=len(INDUSTRIES))
    R.add("workers per unit: all", head.mean(), (cnt * mus).sum() / n, np.sqrt((cnt * (m2 - mus**2)).sum()) / n,
          f"mean given the industry counts, {p.z:g} se", "headcount laws", "derived")
    R.add("share of units with 1 worker", (head == 1).mean(), (cnt * p1).sum() / n, np.sqrt((cnt * p1 * (1 - p1)).sum()) / n,
          f"binomial given the industry counts, {p.z:g} sd", "headcount laws", "derived")
    large_w = np.array([(np.arange(1, laws[k].max + 1) * laws[k].pmf())[999:].sum() for k in INDUSTRIES])
    share_large = head[size == 0].sum() / head.sum()
    tgt_large = (cnt * large_w).sum() / (cnt * mus).sum()
    # delta method with the model variance of x = h·(1{large} − t) (the sample variance understates it
    # when the few large units of a small-unit book happen to be missing)
    h2l = np.array([(np.arange(1, laws[k].max + 1) ** 2 * laws[k].pmf())[999:].sum() for k in INDUSTRIES])
    ex2 = h2l * (1 - tgt_large) ** 2 + (m2 - h2l) * tgt_large**2
    ex = large_w - tgt_large * mus
    R.add("share of workers in large units", share_large, tgt_large, np.sqrt((cnt * (ex2 - ex**2)).sum()) / (cnt * mus).sum(),
          f"ratio estimator (delta method), {p.z:g} se", "headcount laws", "derived")
    regs = p.regions()
    tot = sum(regs.values())
    for r, v in regs.items():
        src, flag = p.source("regions", r)
        R.share(f"region share: {r}", pf["region"].to_numpy() == r, v / tot, src, flag)
    grade = pf["std_grade"].to_numpy()
    for j, s in enumerate(SIZES):
        src, flag = p.source("std_grade", s)
        for lv, share in zip((1, 2, 3), p.std_grade()[s]):
            R.share(f"std_grade {lv} within {s}", grade[size == j] == lv, share, src, flag)
    mg = p.management()
    v = pf["violations"].to_numpy(dtype=float)
    R.add("violations per unit", v.mean(), mg["violations_mean"], v.std() / np.sqrt(n), f"mean, {p.z:g} se", *p.source("management", "violations_mean"))
    R.share("blacklisted share", pf["blacklisted"].to_numpy(), mg["blacklisted_share"], *p.source("management", "blacklisted_share"))
    rect = pf["rectification"].cat.codes.to_numpy()
    R.share("rectification late", rect == 1, mg["rectification_late"], *p.source("management", "rectification_late"))
    R.share("rectification overdue_major", rect == 2, mg["rectification_overdue_major"], *p.source("management", "rectification_overdue_major"))
    lim = pf["limit_death"].to_numpy()
    mix = p.limit_mix()
    tot = sum(mix.values())
    for level, share in mix.items():
        R.share(f"limit_death share: {level:,.0f}", np.isclose(lim, level), share / tot, *p.source("limits", "death"))

    _model_rows(R, pf, book, p, model, head, ind, size)
    if priced is not None:
        if not isinstance(priced, pd.DataFrame) or "premium" not in priced.columns or len(priced) != n:
            raise ValidationError(f"check: priced must be the book priced row for row (a DataFrame with 'premium' and {n:,} rows)")
        _premium_rows(R, pf, p, priced["premium"].to_numpy(dtype=float))
    return R.frame()


def _model_rows(R: _Rows, pf, book, p: Preset, model, head, ind, size) -> None:
    rel = model.factor_relativity(pf)
    cv = model.heterogeneity_cv
    theta = _theta(book, cv)
    known = theta is not None
    th = theta if known else np.ones(len(pf))
    cv2 = 0.0 if known else cv**2
    rates = _core.unit_rates(model, pf)
    d_lm = rates[:, 0] * model.mean_deaths_per_fatal()  # population-average deaths per worker
    pop = normaliser(model, p)
    ratio = np.array([pop[k] / model.normaliser.get(k, 1.0) for k in INDUSTRIES])[ind]
    x = rel * th
    gen = 1e5 * (head * d_lm * x).sum() / head.sum()
    tgt = 1e5 * (head * d_lm * ratio).sum() / head.sum()
    var = (head**2 * d_lm**2 * (x - ratio) ** 2).sum()
    R.add("expected deaths per 100k workers (model, before the cap at headcount)", gen, tgt, 1e5 * np.sqrt(var) / head.sum(),
          f"loss model on the preset's population, {R.z:g} se of relativity × frailty", "LossModel.default() (MODEL.md)", "derived")
    e1, e2 = _core.capped_cluster_means(model, head.astype(np.int64))
    lam = rates * (head * rel * th)[:, None]  # per year
    capped = 1e5 * (lam[:, 0] * e1).sum() / head.sum()
    anchors = p.anchors()
    if "deaths_per_100k" in anchors:
        R.anchor("expected deaths per 100k workers (capped at headcount)", capped, anchors["deaths_per_100k"])
    coal = ind == INDUSTRIES.index("coal_mine")
    if "coal_deaths_per_100k" in anchors and coal.any():
        R.anchor("expected coal deaths per 100k workers (capped)", 1e5 * (lam[coal, 0] * e1[coal]).sum() / head[coal].sum(), anchors["coal_deaths_per_100k"])
    if "coal_workers_per_mine" in anchors and coal.any():
        R.anchor("workers per coal mine", head[coal].mean(), anchors["coal_workers_per_mine"])
    if "workers_per_unit" in anchors:
        R.anchor("workers per unit (anchor)", head.mean(), anchors["workers_per_unit"])
    if "workers_in_large_units" in anchors:
        R.anchor("share of workers in large units (anchor)", head[size == 0].sum() / head.sum(), anchors["workers_in_large_units"])
    # 3-year histories against their exact expectations under the truth
    y3 = 3.0 * lam
    w3 = 3.0 * head.sum()
    d_obs = pf["deaths_3y"].to_numpy(dtype=float).sum()
    d_exp = (y3[:, 0] * e1).sum()
    d_var = (y3[:, 0] * e2).sum() + cv2 * ((y3[:, 0] * e1) ** 2).sum()
    R.add("history deaths per 100k worker-years", 1e5 * d_obs / w3, 1e5 * d_exp / w3, 1e5 * np.sqrt(d_var) / w3,
          f"compound Poisson given the truth, {R.z:g} sd", "LossModel (per-accident histories)", "derived")
    tot = y3.sum(axis=1)
    a_obs = pf["accidents_3y"].to_numpy(dtype=float).sum()
    R.add("history accidents per 100 worker-years", 100 * a_obs / w3, 100 * tot.sum() / w3, 100 * np.sqrt(tot.sum() + cv2 * (tot**2).sum()) / w3,
          f"Poisson given the truth, {R.z:g} sd", "LossModel (per-accident histories)", "derived")
    cf = pf["claim_free_years"].to_numpy()
    worst = pf["max_accident_deaths_3y"].to_numpy()

    def p0(mean):  # P(no event) under the model (gamma mixture when θ is unknown)
        return np.exp(-mean) if cv2 == 0 else (1 + mean * cv2) ** (-1 / cv2)

    for j, s in enumerate(SIZES):
        sel = size == j
        if not sel.any():
            continue
        for label, hit, prob in (("claim-free last year", cf[sel] >= 1, p0(tot[sel] / 3)),
                                 ("claim-free 3 years", cf[sel] >= 3, p0(tot[sel])),
                                 ("fatal accident in 3 years", worst[sel] >= 1, 1 - p0(y3[sel, 0]))):
            k = sel.sum()
            sd = R.rare(np.sqrt((prob * (1 - prob)).sum()) / k, min(prob.sum(), (1 - prob).sum()), k)
            R.add(f"{label}: {s}", hit.mean(), prob.mean(), sd,
                  f"Poisson-binomial given the truth, n = {sel.sum():,}, {R.z:g} sd", "LossModel (per-accident histories)", "derived")


def _premium_rows(R: _Rows, pf, p: Preset, prem: np.ndarray) -> None:
    a = p.anchors()
    src = f"priced with {p.rate_table}"
    if "premium_per_unit" in a:
        R.anchor(f"premium per unit ({p.rate_table})", prem.mean(), a["premium_per_unit"])
    else:
        R.report(f"premium per unit ({p.rate_table})", prem.mean(), src, "derived")
    R.report(f"median premium per unit ({p.rate_table})", np.median(prem), src, "derived")
    if "premium_share_le_2000" in a:
        R.anchor(f"share of units paying <= 2 000 CNY ({p.rate_table})", (prem <= 2000).mean(), a["premium_share_le_2000"])
    else:
        R.report(f"share of units paying <= 2 000 CNY ({p.rate_table})", (prem <= 2000).mean(), src, "derived")
    R.report(f"premium of the book, bn CNY ({p.rate_table})", prem.sum() / 1e9, src, "derived")
    ind = pf["industry"].to_numpy()
    for seg in ("coal", "noncoal"):
        key = f"{seg}_premium_per_unit"
        sel = ind == ("coal_mine" if seg == "coal" else "noncoal_mine")
        if key in a and sel.any():
            R.anchor(f"median premium per {seg} mine ({p.rate_table})", np.median(prem[sel]), a[key])
