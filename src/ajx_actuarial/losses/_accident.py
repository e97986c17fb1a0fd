"""Exact laws of one accident's insured payout under the per-person and per-accident limits.

Used by :mod:`.expected` (expected losses, increased-limit factors). Everything follows the
Monte Carlo engine (:mod:`._kernels`) line by line:

* a **fatal accident** has ``d = min(D, H)`` deaths (``D`` from the cluster pmf, ``H`` the
  headcount) and ``k = min(Poisson(injury_ratio · d), H − d)`` disabled co-workers with iid grades;
  its casualty payout before rescue costs is ``Y = d·a + Σ b_g`` with ``a = min(death loss,
  limit_death)`` and ``b_g = min(civil_g · death loss, payout_g · limit_death)``; rescue and
  legal costs add ``ρ·Y``; the per-accident limit caps the total: ``T = min((1 + ρ) Y,
  limit_accident)``. Parts are pro rata: death ``d·a·s``, disability ``Σb·s``, rescue ``ρ·Y·s``
  with ``s = min(1, c / Y)``, ``c = limit_accident / (1 + ρ)``.
* a **disability accident** has one victim: ``T = min(b_g, limit_accident)``.

The sum ``Σ b`` of ``k`` grade payouts lives on a lattice of step ``u``: the greatest common
divisor of the ``b_g`` when one exists with few points (exact; the default tables give
``u = 5 %`` of the limit), otherwise ``c / 2048`` with each ``b_g`` split between its two
neighbouring lattice points so that its mean is kept (error reported in ``exact``). The death
term ``d·a`` is never put on the lattice. The headcount enters only through the truncations, so
one table per limit configuration serves every headcount (:meth:`FatalLaw.at_headcount`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy import stats

__all__ = ["FatalLaw", "fatal_law", "disability_law", "lattice_unit"]

_TAIL = 1e-17  # probability neglected in the tail of the injured count


def _poisson_tops(mu: np.ndarray) -> np.ndarray:
    """Per ``mu``: the smallest k with P(Poisson(mu) > k) < 1e-17 (the neglected tail), searched
    below ``mu + 12 √mu + 40`` (the last point searched when none is found there)."""
    mu = np.asarray(mu, dtype=np.float64)
    if mu.size == 0:
        return np.zeros(0, dtype=np.int64)
    lens = (mu + 12 * np.sqrt(mu) + 40).astype(np.int64)
    ks = np.arange(int(lens.max()))
    with np.errstate(divide="ignore"):
        hit = (stats.poisson.logsf(ks[None, :], mu[:, None]) < np.log(_TAIL)) & (ks[None, :] < lens[:, None])
    return np.where(hit.any(axis=1), np.argmax(hit, axis=1), lens - 1)


def lattice_unit(values: np.ndarray, cap: float, max_points: int = 1 << 15) -> tuple[float, bool]:
    """Largest ``u`` with every value an integer multiple of ``u`` (to 1e-9), if ``cap / u`` is at most
    ``max_points``; otherwise ``(cap / 2048, False)``."""
    v = np.asarray(values, dtype=np.float64)
    v = v[v > 0]
    if v.size == 0:
        return cap / 2048, True
    top = float(v.max())
    den = 1
    nums = []
    for x in v:
        f = Fraction(float(x) / top).limit_denominator(100_000)
        if abs(float(f) - x / top) > 1e-12:
            return cap / 2048, False
        nums.append(f)
        den = den * f.denominator // np.gcd(den, f.denominator)
    ints = [int(f * den) for f in nums]
    g = int(np.gcd.reduce(np.array(ints, dtype=np.int64)))
    u = top / den * g
    if cap / u > max_points:
        return cap / 2048, False
    return u, True


def _split(values: np.ndarray, probs: np.ndarray, unit: float, size: int | None = None) -> np.ndarray:
    """Put masses at ``values`` on the lattice ``0, unit, ...`` keeping each mass's mean (linear split)."""
    x = np.asarray(values, dtype=np.float64) / unit
    lo = np.floor(x + 1e-9).astype(np.int64)
    frac = np.clip(x - lo, 0.0, 1.0)
    frac[frac < 1e-9] = 0.0
    n = int(size if size is not None else lo.max() + 2)
    out = np.bincount(lo, weights=probs * (1 - frac), minlength=n)
    out += np.bincount(np.minimum(lo + 1, n - 1), weights=probs * frac, minlength=n)
    return out[:n]


@dataclass(frozen=True, eq=False)
class FatalLaw:
    """Per fatal accident, for one limit configuration and every headcount.

    :meth:`moments` gives, per fatal accident of a policy with headcount ``H``: the expected
    insured total and its death, disability and rescue parts, the gross loss, deaths and disabled
    victims. :meth:`coarse` gives the law of the insured total on a lattice (for the annual
    aggregate) split into the accidents that can stay below the per-accident limit (``d·a < c``)
    and an atom at the limit for those that cannot.
    """

    a: float
    c: float
    rho: float
    dloss: float
    mean_civil: float
    cluster: np.ndarray  # pmf of D on 0..K
    injury_ratio: float
    u: float
    exact: bool
    kmax: np.ndarray  # (K+1,) injured counts carried per d
    kprob: list  # per d: Poisson pmf of the injured on 0..kmax_d
    trunc: dict  # name -> per d: E[v | d, injured truncated at m] for m = 0..kmax_d
    conv: list  # lattice law of Σb for k = 0..max kmax

    @property
    def K(self) -> int:
        return self.cluster.size - 1

    @property
    def d_cap(self) -> int:
        """Largest death count whose accident can stay below the per-accident limit."""
        return int(min(self.K, np.ceil(self.c / self.a) - 1)) if self.a > 0 else self.K

    @property
    def h_big(self) -> int:
        """Headcount from which the law no longer depends on the headcount."""
        d = np.arange(self.K + 1)
        return int((d + self.kmax).max() + 1)

    def _weights(self, H: np.ndarray, d: int) -> np.ndarray:
        """P(min(D, H) = d) for each headcount."""
        cl = self.cluster
        return np.where(d < H, cl[d], np.where(d == H, self._tails[d], 0.0))

    @functools.cached_property
    def _tails(self) -> np.ndarray:
        return np.cumsum(self.cluster[::-1])[::-1]

    @functools.cached_property
    def _padded(self) -> dict[str, np.ndarray]:
        width = int(self.kmax.max()) + 1
        out = {}
        for name, rows in self.trunc.items():
            a = np.zeros((self.K + 1, width))
            for d, v in enumerate(rows):
                a[d, : v.size] = v
            out[name] = a
        return out

    def _sum(self, H: np.ndarray, name: str, d_range) -> np.ndarray:
        """Σ_d P(min(D, H) = d) E[v | d, injured truncated at H − d], vectorised over H."""
        d = np.arange(d_range.start, d_range.stop)
        if d.size == 0:
            return np.zeros(H.size)
        Hc = H[:, None]
        W = np.where(d[None, :] < Hc, self.cluster[d][None, :], np.where(d[None, :] == Hc, self._tails[d][None, :], 0.0))
        m = np.clip(Hc - d[None, :], 0, self.kmax[d][None, :])
        return (W * self._padded[name][d[None, :], m]).sum(axis=1)

    def moments(self, H) -> dict[str, np.ndarray]:
        """Expectations per fatal accident for each headcount in ``H`` (array)."""
        H = np.asarray(H, dtype=np.int64)
        rng = range(1, self.K + 1)
        cas = self._sum(H, "cas", rng)
        death = self._sum(H, "death", rng)
        ek = self._sum(H, "k", rng)
        deaths = self._sum(H, "d", rng)
        return {
            "insured": (1 + self.rho) * cas, "death": death, "disability": cas - death, "rescue": self.rho * cas,
            "gross": (1 + self.rho) * self.dloss * (deaths + ek * self.mean_civil), "deaths": deaths, "injured": ek,
        }

    def cap_death_weight(self, H) -> np.ndarray:
        """E[death part · 1{d > d_cap}] per fatal accident: the death weight of the limit atom."""
        H = np.asarray(H, dtype=np.int64)
        return self._sum(H, "death", range(self.d_cap + 1, self.K + 1))

    @functools.cached_property
    def moment_table(self) -> dict[str, np.ndarray]:
        """:meth:`moments` and :meth:`cap_death_weight` for every headcount ``1 … h_big`` at once
        (row ``H − 1``; a larger headcount reads row ``h_big − 1``): a gather replaces a per-book
        ``np.unique`` and every book with this limit configuration reuses it."""
        H = np.arange(1, self.h_big + 1)
        return {**self.moments(H), "cap_death": self.cap_death_weight(H)}

    def coarse_table(self, h: float, size: int, n_h: int) -> dict[str, np.ndarray]:
        """:meth:`coarse` for every headcount ``1 … n_h`` at once (row ``H − 1``), cached per lattice.

        The law at headcount ``H`` mixes, over the death count ``d <= d_cap``, the laws with
        ``k`` injured co-workers truncated at ``m = min(H − d, kmax_d)``: each ``(d, k)`` law is put
        on the lattice once, and the truncation at every ``m`` is a prefix sum over ``k``.
        """
        key = (float(h), int(size), int(n_h))
        cache = self.__dict__.setdefault("_coarse_cache", {})
        if key not in cache:
            cache[key] = self._coarse_table(float(h), int(size), int(n_h))
        return cache[key]

    def _coarse_table(self, h: float, size: int, n_h: int) -> dict[str, np.ndarray]:
        H = np.arange(1, n_h + 1)
        out = {name: np.zeros((n_h, size)) for name in ("pmf", "death", "cas")}
        dd = np.arange(self.K + 1)
        wts = np.where(dd[None, :] < H[:, None], self.cluster[None, :],
                       np.where(dd[None, :] == H[:, None], self._tails[None, :], 0.0))  # P(min(D, H) = d), (n_h, K+1)
        for d in range(1, min(self.d_cap, n_h) + 1):
            km = int(self.kmax[d])
            da = d * self.a
            per_k = np.zeros((3, km + 1, size))  # the (d, k) law on the lattice: pmf, death weight, casualty weight
            for k in range(km + 1):
                nz = np.flatnonzero(self.conv[k])
                y = da + nz * self.u
                q = self.conv[k][nz]
                t = (1 + self.rho) * np.minimum(y, self.c)
                per_k[0, k] = _split(t, q, h, size)
                per_k[1, k] = _split(t, q * da * np.minimum(1.0, self.c / y), h, size)
                per_k[2, k] = _split(t, q * np.minimum(y, self.c), h, size)
            kp = self.kprob[d][: km + 1]
            below = np.concatenate([[0.0], np.cumsum(kp)[:-1]])  # P(k < m)
            prefix = np.concatenate([np.zeros((3, 1, size)), np.cumsum(kp[None, :, None] * per_k, axis=1)[:, :-1]], axis=1)
            trunc = prefix + np.maximum(0.0, 1.0 - below)[None, :, None] * per_k  # injured truncated at m = 0 … km
            rows = np.flatnonzero((H >= d) & (wts[:, d] > 0))
            m = np.minimum(H[rows] - d, km)
            for j, name in enumerate(("pmf", "death", "cas")):
                out[name][rows] += wts[rows, d][:, None] * trunc[j, m]
        p_cap = wts[:, self.d_cap + 1:].sum(axis=1)
        atom = _split(np.array([(1 + self.rho) * self.c]), np.array([1.0]), h, size)
        out["pmf"] += p_cap[:, None] * atom
        out["cas"] += (p_cap * self.c)[:, None] * atom
        out["unit_cap"] = atom
        return out

    def coarse(self, H: int, h: float, size: int) -> dict[str, np.ndarray]:
        """Law of the insured total ``T`` on ``0, h, ...`` (``size`` points) and the weights
        ``E[part · 1{T = t}]`` of the death part and the casualty part (rescue = ρ × casualty).

        ``death`` excludes the accidents with more than ``d_cap`` deaths (always at the limit);
        their death weight is :meth:`cap_death_weight` at the atom ``unit_cap``.
        """
        H = int(H)
        pmf = np.zeros(size)
        w_death = np.zeros(size)
        w_cas = np.zeros(size)
        top = (1 + self.rho) * self.c
        dd = np.arange(self.K + 1)
        wts = np.where(dd < H, self.cluster, np.where(dd == H, self._tails, 0.0))  # P(min(D, H) = d)
        for d in range(1, min(self.d_cap, H) + 1):
            p = float(wts[d])
            if p <= 0:
                continue
            m = min(H - d, int(self.kmax[d]))
            kp = self.kprob[d][: m + 1].copy()
            kp[m] = max(0.0, 1.0 - kp[:m].sum())
            da = d * self.a
            ks = [k for k in range(kp.size) if kp[k] > 0]
            nzs = [np.flatnonzero(self.conv[k]) for k in ks]
            y = da + np.concatenate(nzs) * self.u
            q = p * np.concatenate([kp[k] * self.conv[k][nz] for k, nz in zip(ks, nzs)])
            t = (1 + self.rho) * np.minimum(y, self.c)
            pmf += _split(t, q, h, size)
            w_death += _split(t, q * da * np.minimum(1.0, self.c / y), h, size)
            w_cas += _split(t, q * np.minimum(y, self.c), h, size)
        p_cap = float(wts[self.d_cap + 1:].sum())
        atom = _split(np.array([top]), np.array([1.0]), h, size)
        pmf += p_cap * atom
        w_cas += p_cap * self.c * atom
        return {"pmf": pmf, "death": w_death, "cas": w_cas, "unit_cap": atom}


@functools.lru_cache(maxsize=64)
def _fatal_law_cached(key: tuple) -> "FatalLaw":
    (limit_death, limit_accident, death_loss, rescue_share, injury_ratio, cluster, grade_mix, payout_share, civil_share) = key
    return _fatal_law(limit_death=limit_death, limit_accident=limit_accident, death_loss=death_loss, rescue_share=rescue_share,
                      cluster=np.array(cluster), injury_ratio=injury_ratio, grade_mix=np.array(grade_mix),
                      payout_share=np.array(payout_share), civil_share=np.array(civil_share))


def fatal_law(*, limit_death: float, limit_accident: float, death_loss: float, rescue_share: float, cluster: np.ndarray,
              injury_ratio: float, grade_mix: np.ndarray, payout_share: np.ndarray, civil_share: np.ndarray) -> "FatalLaw":
    """Tables of one fatal accident's insured payout for one limit configuration (cached by value)."""
    key = (float(limit_death), float(limit_accident), float(death_loss), float(rescue_share), float(injury_ratio),
           tuple(np.asarray(cluster, dtype=float)), tuple(np.asarray(grade_mix, dtype=float)),
           tuple(np.asarray(payout_share, dtype=float)), tuple(np.asarray(civil_share, dtype=float)))
    return _fatal_law_cached(key)


def _fatal_law(*, limit_death: float, limit_accident: float, death_loss: float, rescue_share: float, cluster: np.ndarray,
              injury_ratio: float, grade_mix: np.ndarray, payout_share: np.ndarray, civil_share: np.ndarray) -> FatalLaw:
    """Tables of one fatal accident's insured payout for one limit configuration (see module doc)."""
    rho = float(rescue_share)
    a = min(death_loss, limit_death)
    b = np.minimum(civil_share * death_loss, payout_share * limit_death)
    c = limit_accident / (1.0 + rho)
    u, exact = lattice_unit(b, c)
    gm = np.asarray(grade_mix, dtype=np.float64) / np.sum(grade_mix)
    b_lat = _split(b, gm, u)
    cl = np.asarray(cluster, dtype=np.float64) / np.sum(cluster)
    K = cl.size - 1
    d = np.arange(K + 1)
    mu = injury_ratio * d
    kmax = np.zeros(K + 1, dtype=np.int64)
    pos = mu > 0
    kmax[pos] = _poisson_tops(mu[pos])
    kall = int(kmax.max())
    conv = [np.array([1.0])]
    for _ in range(kall):
        conv.append(np.convolve(conv[-1], b_lat))
    # E[min(d a + Σb_k, c)] and E[d a min(1, c / (d a + Σb_k))] for k <= kmax_d, in blocks of 16 death counts
    # (each block only over the rows k and the lattice points of Σb_k its largest kmax_d needs)
    width = max(f.size for f in conv)
    F2 = np.zeros((kall + 1, width))
    for k, f in enumerate(conv):
        F2[k, : f.size] = f
    reach = np.array([f.size for f in conv])
    VC = np.zeros((kall + 1, K))
    VD = np.zeros((kall + 1, K))
    for lo in range(1, K + 1, 16):
        dd = np.arange(lo, min(K, lo + 15) + 1)
        km = int(kmax[dd].max())
        w = int(reach[km])
        y = np.arange(w)[:, None] * u + dd[None, :] * a
        VC[: km + 1, dd - 1] = F2[: km + 1, :w] @ np.minimum(y, c)
        VD[: km + 1, dd - 1] = (F2[: km + 1, :w] @ np.minimum(1.0, c / y)) * (dd[None, :] * a)
    pmf = stats.poisson.pmf(np.arange(kall + 1)[None, :], mu[:, None])  # (K+1, kall+1), one call
    kprob = [np.ones(1)]
    trunc = {name: [np.zeros(1)] for name in ("cas", "death", "k", "d")}
    for dd in range(1, K + 1):
        km = int(kmax[dd])
        pk = pmf[dd, : km + 1] if mu[dd] > 0 else np.r_[1.0, np.zeros(km)]
        vc, vd = VC[: km + 1, dd - 1], VD[: km + 1, dd - 1]
        vk = np.arange(km + 1, dtype=np.float64)
        kprob.append(pk)
        # E[v | injured truncated at m] = Σ_{k<m} p_k v_k + P(k >= m) v_m, for m = 0..km
        cum = np.concatenate([[0.0], np.cumsum(pk)[:-1]])
        for name, v in (("cas", vc), ("death", vd), ("k", vk)):
            part = np.concatenate([[0.0], np.cumsum(pk * v)[:-1]])
            tv = part + (1.0 - cum) * v
            tv[-1] = pk @ v  # untruncated (tail beyond kmax neglected, < 1e-17)
            trunc[name].append(tv)
        trunc["d"].append(np.full(km + 1, float(dd)))
    mean_civil = float(gm @ civil_share)
    return FatalLaw(a=a, c=c, rho=rho, dloss=float(death_loss), mean_civil=mean_civil, cluster=cl, injury_ratio=float(injury_ratio),
                    u=u, exact=exact, kmax=kmax, kprob=kprob, trunc=trunc, conv=conv)


def disability_law(*, limit_death: float, limit_accident: float, death_loss: float, grade_mix: np.ndarray,
                   payout_share: np.ndarray, civil_share: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Atoms and probabilities of one disability accident's insured payout, and its gross mean."""
    gm = np.asarray(grade_mix, dtype=np.float64) / np.sum(grade_mix)
    t = np.minimum(np.minimum(civil_share * death_loss, payout_share * limit_death), limit_accident)
    return t, gm, float(gm @ civil_share) * death_loss
