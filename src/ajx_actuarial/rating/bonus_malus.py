"""Bonus-malus systems as Markov chains (Lemaire 1995; Denuit et al. 2007, ch. 4).

A system has classes ``0..K-1`` (0 = best) with relativities ``r_k`` and a deterministic
rule ``next = rules[k, o]`` where the year's outcome ``o`` is either the number of claims
(``0..M``, the last column meaning "M or more"), or, for severity-dependent systems, ``0``
for a claim-free year and ``1 + s`` for a year whose worst claim had severity ``s``.

For a policy with Poisson(λ) claims (or a gamma-mixed Poisson, i.e. negative binomial,
yearly counts) the class sequence is a Markov chain; this module gives its transition
matrix, stationary distribution, mean relativity, financial balance, Loimaranta efficiency,
Norberg's optimal relativities for a gamma portfolio and multi-year simulation.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._random import RngLike, block_generator, seed_sequence
from ..errors import ValidationError

__all__ = ["BonusMalus"]


def _check_lam(lam, where: str) -> float:
    if isinstance(lam, bool) or not isinstance(lam, (int, float, np.floating, np.integer)) or not np.isfinite(lam) or lam <= 0:
        raise ValidationError(f"{where}: claim frequency lam must be a finite number > 0, got {lam!r}")
    if lam > 1000:
        raise ValidationError(f"{where}: claim frequency lam must be <= 1000 claims a year (a bonus-malus scale has no meaning beyond), got {lam!r}")
    return float(lam)


MAX_SHAPE = 1e6  # gamma frailty shape: CV 1/sqrt(shape) = 0.1 %; larger is Poisson for any purpose, and its quadrature overflows


def _check_shape(shape, where: str) -> float | None:
    if shape is None:
        return None
    if isinstance(shape, bool) or not isinstance(shape, (int, float, np.integer, np.floating)) or not np.isfinite(shape) or shape <= 0:
        raise ValidationError(f"{where}: gamma shape must be > 0 (or None for pure Poisson), got {shape!r}")
    if shape > MAX_SHAPE:
        raise ValidationError(f"{where}: gamma shape must be <= {MAX_SHAPE:g} (the frailty's CV is 1/sqrt(shape): "
                              f"beyond 1e6 it is below 0.1 %; pass None for pure Poisson), got {shape!r}")
    return float(shape)


@dataclass(frozen=True, eq=False)
class BonusMalus:
    """A bonus-malus system.

    Parameters
    ----------
    relativities : sequence of float
        Premium relativity of each class, class 0 best. All > 0.
    start : int, optional
        Entry class of a new policy (default: the class whose relativity is closest to 1).
    bonus, penalty : int
        Classes moved down per claim-free year and up per claim (``-bonus/+penalty`` rule),
        used when ``rules`` is not given.
    rules : array (K, O) of int, optional
        Explicit next-class table (see the module docstring).
    severity : sequence of float, optional
        Probabilities of each claim-severity category; outcome ``1 + s`` is a year whose
        worst claim has severity ``s``. Requires ``rules`` with ``1 + len(severity)`` columns.
    labels : sequence of str, optional
        Class names for display.

    Examples
    --------
    >>> bms = BonusMalus([0.6, 0.8, 1.0, 1.3, 1.6], start=2)      # -1/+2 rule
    >>> pi = bms.stationary(0.1)
    >>> round(float(pi.sum()), 12)
    1.0
    """

    relativities: np.ndarray
    start: int
    rules: np.ndarray
    severity: np.ndarray | None = None
    labels: tuple[str, ...] | None = None

    def __init__(self, relativities, start=None, bonus: int = 1, penalty: int = 2, *, rules=None, severity=None, labels=None):
        r = np.asarray(relativities, dtype=np.float64)
        if r.ndim != 1 or r.size < 2 or not np.isfinite(r).all() or (r <= 0).any():
            raise ValidationError(f"BonusMalus: relativities must be >= 2 finite numbers > 0, got {relativities!r}")
        k = r.size
        if rules is None:
            for nm, v in (("bonus", bonus), ("penalty", penalty)):
                if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                    raise ValidationError(f"BonusMalus: {nm} must be an integer >= 0, got {v!r}")
            m = int(np.ceil((k - 1) / max(penalty, 1))) + 1
            rules = np.empty((k, m + 1), dtype=np.int64)
            for c in range(k):
                rules[c, 0] = max(c - bonus, 0)
                for n in range(1, m + 1):
                    rules[c, n] = min(c + n * penalty, k - 1)
        rules = np.asarray(rules)
        if rules.ndim != 2 or rules.shape[0] != k or rules.shape[1] < 2:
            raise ValidationError(f"BonusMalus: rules must have shape (K={k}, outcomes >= 2), got {rules.shape}")
        if not np.issubdtype(rules.dtype, np.integer) or (rules < 0).any() or (rules >= k).any():
            raise ValidationError(f"BonusMalus: rules must hold class indices in [0, {k - 1}]")
        sev = None
        if severity is not None:
            sev = np.asarray(severity, dtype=np.float64)
            if sev.ndim != 1 or (sev < 0).any() or not np.isclose(sev.sum(), 1.0):
                raise ValidationError(f"BonusMalus: severity must be probabilities summing to 1, got {severity!r}")
            if rules.shape[1] != 1 + sev.size:
                raise ValidationError(f"BonusMalus: severity with {sev.size} categories needs rules with {1 + sev.size} columns, got {rules.shape[1]}")
        if start is None:
            start = int(np.argmin(np.abs(r - 1.0)))
        if isinstance(start, bool) or not isinstance(start, (int, np.integer)) or not 0 <= start < k:
            raise ValidationError(f"BonusMalus: start must be a class index in [0, {k - 1}], got {start!r}")
        if labels is not None and len(labels) != k:
            raise ValidationError(f"BonusMalus: labels needs {k} entries, got {len(labels)}")
        object.__setattr__(self, "relativities", r)
        object.__setattr__(self, "start", int(start))
        object.__setattr__(self, "rules", rules.astype(np.int64))
        object.__setattr__(self, "severity", sev)
        object.__setattr__(self, "labels", tuple(labels) if labels is not None else None)

    @property
    def n_classes(self) -> int:
        return int(self.relativities.size)

    # ------------------------------------------------------------------ outcome law
    def outcome_probs(self, lam: float, shape: float | None = None) -> np.ndarray:
        """Probabilities of the year's outcomes for claim frequency ``lam``.

        ``shape`` = None: Poisson(lam) counts; otherwise negative binomial with mean ``lam``
        and gamma shape ``shape`` (variance ``lam + lam²/shape``).
        """
        return self._outcomes(lam, shape)[0]

    def _outcomes(self, lam: float, shape: float | None) -> tuple[np.ndarray, np.ndarray]:
        """Outcome probabilities and their derivative with respect to ``lam``."""
        from scipy import stats

        o = self.rules.shape[1]
        if self.severity is None:
            n = np.arange(o - 1)
            if shape is None:
                pmf = stats.poisson.pmf(n, lam)
                dpmf = np.where(n > 0, stats.poisson.pmf(n - 1, lam), 0.0) - pmf
                tail_d = stats.poisson.pmf(o - 2, lam)  # d/dλ P(N >= m) = p(m-1)
            else:
                p = shape / (shape + lam)
                pmf = stats.nbinom.pmf(n, shape, p)
                # d/dλ log pmf = n/λ - (n + a)/(a + λ)
                dpmf = pmf * (np.where(n > 0, n / lam, 0.0) - (n + shape) / (shape + lam))
                tail_d = -dpmf.sum()
            probs = np.append(pmf, max(0.0, 1.0 - pmf.sum()))
            dprobs = np.append(dpmf, tail_d if shape is None else tail_d)
            return probs, dprobs
        # severity kind: P(worst <= s) = P(no claim of severity > s) = g(lam × P(sev > s))
        exceed = 1.0 - np.cumsum(self.severity)
        exceed = np.clip(np.concatenate([[1.0], exceed]), 0.0, 1.0)  # exceed[0]: any claim
        x = lam * exceed
        if shape is None:
            g, dg = np.exp(-x), -exceed * np.exp(-x)
        else:
            g = (1.0 + x / shape) ** (-shape)
            dg = -exceed * (1.0 + x / shape) ** (-shape - 1.0)
        probs = np.diff(np.concatenate([[0.0], g]))
        probs[0] = g[0]
        dprobs = np.diff(np.concatenate([[0.0], dg]))
        dprobs[0] = dg[0]
        return probs, dprobs

    # ------------------------------------------------------------------ chain
    def transition_matrix(self, lam: float, shape: float | None = None) -> np.ndarray:
        """One-year transition matrix ``P[k, j]`` for claim frequency ``lam``."""
        lam = _check_lam(lam, "transition_matrix")
        shape = _check_shape(shape, "transition_matrix")
        return self._matrix(self._outcomes(lam, shape)[0])

    def _matrix(self, probs: np.ndarray) -> np.ndarray:
        k = self.n_classes
        P = np.zeros((k, k))
        rows = np.repeat(np.arange(k), probs.size)
        np.add.at(P, (rows, self.rules.ravel()), np.tile(probs, k))
        return P

    def stationary(self, lam: float, shape: float | None = None) -> np.ndarray:
        """Stationary distribution: the left eigenvector of ``P`` for eigenvalue 1, summing to 1."""
        P = self.transition_matrix(lam, shape)
        return _stationary(P)

    def mean_relativity(self, lam: float, shape: float | None = None) -> float:
        """Stationary mean relativity ``Σ π_k r_k`` of a policy with frequency ``lam``."""
        return float(self.stationary(lam, shape) @ self.relativities)

    def efficiency(self, lam: float, shape: float | None = None) -> float:
        """Loimaranta efficiency ``η(λ) = d log r̄(λ) / d log λ`` (analytic derivative).

        ``π'(I − P) = π P'`` with ``Σ π' = 0`` gives the derivative of the stationary law.
        """
        lam = _check_lam(lam, "efficiency")
        shape = _check_shape(shape, "efficiency")
        probs, dprobs = self._outcomes(lam, shape)
        P, dP = self._matrix(probs), self._matrix(dprobs)
        pi = _stationary(P)
        k = self.n_classes
        A = np.vstack([(np.eye(k) - P).T, np.ones(k)])
        b = np.append(pi @ dP, 0.0)
        dpi = np.linalg.lstsq(A, b, rcond=None)[0]
        rbar = pi @ self.relativities
        return float(lam * (dpi @ self.relativities) / rbar)

    # ------------------------------------------------------------------ portfolio
    def _gamma_nodes(self, mean: float, shape: float, n: int = 80) -> tuple[np.ndarray, np.ndarray]:
        """Gauss-generalised-Laguerre nodes and weights for Λ ~ Gamma(shape, mean)."""
        from scipy import special

        x, w = special.roots_genlaguerre(n, shape - 1.0)
        w = w / special.gamma(shape)
        return x * mean / shape, w

    def portfolio_stationary(self, mean: float, shape: float) -> np.ndarray:
        """Stationary class distribution of a portfolio with Λ ~ Gamma(shape, mean = ``mean``)."""
        mean = _check_lam(mean, "portfolio_stationary")
        shape = _check_shape(shape, "portfolio_stationary")
        lams, w = self._gamma_nodes(mean, shape)
        return np.sum([wi * self.stationary(li) for li, wi in zip(lams, w)], axis=0)

    def balanced(self, lam: float, shape: float | None = None) -> "BonusMalus":
        """The same system with relativities rescaled so the stationary mean relativity is 1.

        With ``shape`` the balance is over a gamma portfolio with mean frequency ``lam``.
        """
        pi = self.portfolio_stationary(lam, shape) if shape is not None else self.stationary(lam)
        scale = float(pi @ self.relativities)
        return BonusMalus(self.relativities / scale, self.start, rules=self.rules, severity=self.severity, labels=self.labels)

    def optimal_relativities(self, mean: float, shape: float) -> np.ndarray:
        """Norberg (1976) optimal relativities ``r_k = E[Λ | class k] / E[Λ]`` for Λ ~ Gamma.

        Minimises the expected squared error between relativity and true risk in the stationary
        state; classes never reached in the stationary state get ``nan``.
        """
        mean = _check_lam(mean, "optimal_relativities")
        shape = _check_shape(shape, "optimal_relativities")
        lams, w = self._gamma_nodes(mean, shape)
        pis = np.array([self.stationary(li) for li in lams])
        num = (w * lams) @ pis
        den = w @ pis
        with np.errstate(invalid="ignore", divide="ignore"):
            r = num / den / mean
        r[den < 1e-300] = np.nan
        return r

    # ------------------------------------------------------------------ simulation
    def simulate(self, n_policies: int, years: int, lam, *, rng: RngLike = None, shape: float | None = None, block: int = 65_536) -> np.ndarray:
        """Simulate class trajectories of ``n_policies`` entering at ``start`` for ``years`` years.

        ``lam`` is a scalar or one frequency per policy; with ``shape`` each policy's frequency
        is multiplied by a Gamma(shape, 1/shape) frailty drawn once. Policies are simulated in
        fixed blocks, block ``b`` with its own stream, so results do not depend on threading.

        Returns
        -------
        ndarray of int16, shape (years + 1, n_policies)
            Class of each policy at the start of each year (row 0 = ``start``).
        """
        if isinstance(n_policies, bool) or not isinstance(n_policies, (int, np.integer)) or n_policies < 1:
            raise ValidationError(f"simulate: n_policies must be an integer >= 1, got {n_policies!r}")
        if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or years < 1:
            raise ValidationError(f"simulate: years must be an integer >= 1, got {years!r}")
        lam_arr = np.broadcast_to(np.asarray(lam, dtype=np.float64), (n_policies,)).copy()
        if not np.isfinite(lam_arr).all() or (lam_arr <= 0).any():
            raise ValidationError("simulate: lam must be finite and > 0")
        shape = _check_shape(shape, "simulate")
        from ._bms_kernels import simulate_bms_kernel

        ss = seed_sequence(rng)
        out = np.empty((years + 1, n_policies), dtype=np.int16)
        sev_cum = np.cumsum(self.severity) if self.severity is not None else np.empty(0)
        for b, lo in enumerate(range(0, n_policies, block)):
            hi = min(lo + block, n_policies)
            g = block_generator(ss, b)
            lam_b = lam_arr[lo:hi]
            if shape is not None:
                lam_b = lam_b * g.gamma(shape, 1.0 / shape, size=hi - lo)
            simulate_bms_kernel(self.rules, int(self.start), lam_b, sev_cum, int(years), g, out[:, lo:hi])
        return out

    # ------------------------------------------------------------------ tables
    @classmethod
    def from_history_factor(cls, table, lam: float | None = None) -> "BonusMalus":
        """The accident-history factor of a :class:`RateTable` as a Markov chain.

        State = the outcomes of the last three policy years (``U`` unknown before entry,
        ``0`` claim-free, ``c`` non-fatal claim, ``f1``/``f2``/``f3`` worst accident with 1-2,
        3-9, >= 10 deaths). The relativity of each state is the table's own history factor
        (the pricing code path), so the chain and the pricing agree exactly; a new policy
        enters at ``UUU`` (no history, factor 1). Deaths over three years are represented by
        the worst year's grade. An exposure-aware factor (``basis = "expected"``) depends on the
        unit's expected claims: give ``lam`` (expected claims a year; ``E = 3 lam``); a claim year
        counts as one claim (the chain's outcomes are per year).
        """
        from .factors import history_multiplier

        hist = [f for f in table.factors if f.kind == "history"]
        if not hist:
            raise ValidationError(f"rate table {table.name!r} has no accident-history factor")
        spec = hist[0].spec
        outcomes = ("0", "c", "f1", "f2", "f3")
        deaths_of = {"0": 0, "c": 0, "f1": 1, "f2": 3, "f3": 10}
        states: list[tuple[str, ...]] = []
        for h in range(4):  # years of known history
            for known in itertools.product(outcomes, repeat=h):
                states.append(("U",) * (3 - h) + known)  # oldest first
        index = {s: i for i, s in enumerate(states)}
        acc, deaths, cfy = [], [], []
        for s in states:
            known = [o for o in s if o != "U"]
            acc.append(sum(o != "0" for o in known))
            deaths.append(max((deaths_of[o] for o in known), default=0))
            trailing = 0
            for o in reversed(known):
                if o != "0":
                    break
                trailing += 1
            cfy.append(trailing)
        frame = pd.DataFrame({"accidents_3y": acc, "deaths_3y": deaths, "max_accident_deaths_3y": deaths, "claim_free_years": cfy})
        if spec.get("basis", "claims") == "expected":
            if lam is None:
                raise ValidationError(f"rate table {table.name!r}: its history factor compares claims with expected claims; "
                                      f"give lam (expected claims a year of the unit, > 0)")
            lam = _check_lam(lam, f"rate table {table.name!r}")
            spec = {**spec, "expected_per_worker": {"other": float(lam)}}
            frame = frame.assign(industry="other", headcount=1)
        rel = history_multiplier(frame, spec)
        rules = np.array([[index[s[1:] + (o,)] for o in outcomes] for s in states], dtype=np.int64)
        return cls(rel, start=index[("U", "U", "U")], rules=rules, severity=None, labels=["".join(s) for s in states])._with_history_outcomes()

    def _with_history_outcomes(self) -> "BonusMalus":
        # outcomes 0 (claim-free), c, f1, f2, f3 are severity categories of the worst claim;
        # default severity law: the casualty model's fatal shares (set with with_severity()).
        return self.with_severity([0.997, 0.0029448, 0.000054, 0.0000012])

    def with_severity(self, severity) -> "BonusMalus":
        """The same rules and relativities with another claim-severity law."""
        return BonusMalus(self.relativities, self.start, rules=self.rules, severity=severity, labels=self.labels)

    def summary(self, lam: float, shape: float | None = None) -> pd.DataFrame:
        """Class table: relativity, stationary probability (and Norberg optimum with ``shape``)."""
        pi = self.stationary(lam) if shape is None else self.portfolio_stationary(lam, shape)
        df = pd.DataFrame({"class": self.labels or range(self.n_classes), "relativity": self.relativities, "stationary": pi})
        if shape is not None:
            df["optimal"] = self.optimal_relativities(lam, shape)
        return df


def _stationary(P: np.ndarray) -> np.ndarray:
    k = P.shape[0]
    A = np.vstack([(P.T - np.eye(k)), np.ones(k)])
    b = np.zeros(k + 1)
    b[-1] = 1.0
    pi = np.linalg.lstsq(A, b, rcond=None)[0]
    pi = np.clip(pi, 0.0, None)
    return pi / pi.sum()
