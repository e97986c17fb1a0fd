"""What the annual aggregate limit removes from each policy's parts, for a whole book at once.

1. Per limit configuration, the lattice laws of one fatal accident for every headcount group
   ``min(H, h_agg)`` (:meth:`FatalLaw.coarse_table`: beyond ``h_agg`` the law no longer depends on
   the headcount) and their transforms at the Chernoff points.
2. One vectorised pass of the proven bound (:func:`._aggregate_bound.negligible`) marks the
   policies whose term is below ``AGGREGATE_TOLERANCE`` × their expected fatal + disability loss.
3. The others get the exact term (:func:`._aggregate.aggregate_terms`), per configuration and
   headcount group, subtracted pro rata from the death, disability and rescue parts.
"""

from __future__ import annotations

import numpy as np

from ._accident import _split
from ._aggregate import N_LATTICE, AggregateLaws, aggregate_shock, aggregate_terms
from ._aggregate_bound import AGGREGATE_TOLERANCE, negligible, transforms

__all__ = ["subtract_aggregate", "aggregate_groups"]


def aggregate_groups(law, Lacc: float, A: float) -> tuple[float, int, int]:
    """Lattice step ``h = A / N_LATTICE``, lattice size of one accident and the headcount from which the
    fatal accident's law on that lattice no longer depends on the headcount (``h_agg``)."""
    h = A / N_LATTICE
    size = int(np.floor(Lacc / h * (1 + 1e-12))) + 2
    h_agg = min(law.h_big, int(law.d_cap + law.kmax[min(law.d_cap, law.K)] + 2))
    return h, size, h_agg


def subtract_aggregate(out: dict, model, laws: list, dis: list, configs: list, cfg: np.ndarray, H: np.ndarray,
                       lam_f: np.ndarray, lam_d: np.ndarray, cap_death: np.ndarray, method: dict) -> None:
    """Subtract the annual aggregate's reduction from ``out`` (``death``, ``disability``, ``rescue``) in place
    and fill ``out["aggregate_reduction"]``.

    ``laws``, ``dis``, ``configs``: per configuration the :class:`FatalLaw`, the disability law
    ``(t_d, p_d, mean, gross)`` and ``(limit_death, limit_accident, limit_annual)``; ``cfg``: each
    policy's configuration; ``cap_death``: each policy's :meth:`FatalLaw.cap_death_weight`.
    """
    shock = aggregate_shock(model)
    kind = model.counts
    r = 1.0 / model.frailty_cv**2 if kind == "negbin" else 0.0
    mf = model.frequency_multiplier
    rho = float(model.rescue_share + model.third_party_share)
    # 1. transforms per (configuration, headcount group)
    geo, tables, phi_f, phi_d, t, row0 = [], [], [], [], [], [0]
    for law, (t_d, p_d, _, _), (_, Lacc, A) in zip(laws, dis, configs):
        h, size, h_agg = aggregate_groups(law, Lacc, A)
        co = law.coarse_table(h, size, h_agg)
        pf, pd_, tt = transforms(co["pmf"], t_d, p_d, h, Lacc)
        geo.append((h, size, h_agg))
        tables.append(co)
        phi_f.append(pf)
        phi_d.append(pd_)
        t.append(tt)
        row0.append(row0[-1] + h_agg)
    h_agg = np.array([g[2] for g in geo])
    group = np.minimum(H, h_agg[cfg])  # headcount group, 1 … h_agg
    row = np.asarray(row0[:-1])[cfg] + group - 1
    # 2. the proven bound
    scale = out["death"] + out["disability"] + out["rescue"]
    A = np.array([c[2] for c in configs], dtype=np.float64)
    skip, bound = negligible(row, cfg, lam_f, lam_d, AGGREGATE_TOLERANCE * np.maximum(scale, 1e-300), np.concatenate(phi_f),
                             np.array(phi_d), np.array(t), A, kind, r, mf, shock)
    method["aggregate_skipped"] = int(skip.sum())
    method["aggregate_skipped_max_bound"] = float(bound[skip].max()) if skip.any() else 0.0
    need = np.flatnonzero(~skip)
    if need.size == 0:
        return
    # 3. the exact term, per (configuration, headcount group)
    order = need[np.lexsort((group[need], cfg[need]))]
    keys = cfg[order] * (int(h_agg.max()) + 1) + group[order]
    cuts = np.flatnonzero(np.diff(keys)) + 1
    for idx in np.split(order, cuts):
        c, g = int(cfg[idx[0]]), int(group[idx[0]])
        (h, size, _), co, (t_d, p_d, _, _), A_c = geo[c], tables[c], dis[c], configs[c][2]
        dlaw = {"pmf": _split(t_d, p_d, h, size), "w": _split(t_d, p_d * t_d, h, size)}
        flaw = {"pmf": co["pmf"][g - 1], "death": co["death"][g - 1], "cas": co["cas"][g - 1], "cap_death": co["unit_cap"]}
        res = aggregate_terms(AggregateLaws(A_c, flaw, dlaw), kind, lam_f[idx], lam_d[idx], r, mf, shock,
                              ("death", "cas", "cap_death"))
        red_death = res["death"] + cap_death[idx] * res["cap_death"]
        red_cas = res["cas"]
        out["death"][idx] -= red_death
        out["disability"][idx] -= (red_cas - red_death) + res["dis"]
        out["rescue"][idx] -= rho * red_cas
        out["aggregate_reduction"][idx] = res["excess"]
