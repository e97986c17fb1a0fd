"""The annual-aggregate functionals of policies with large counts, in the Fourier domain.

Each policy's compound law comes from its closed-form probability generating function at the
discrete Fourier transforms of the accident laws (lattice step ``h = A / N_LATTICE``), on a grid
that holds it; the functionals ``E[(S − A)+]`` and the part reductions are evaluated by
Parseval's identity against the transforms of ``ψ(y) = (y − A)+`` and ``γ(y) = (1 − A / y)+``.
The per-frequency work runs in the numba kernel :func:`._exact_kernels.pgf_functionals_kernel`
or its NumPy twin.
"""

from __future__ import annotations

import functools
import sys

import numpy as np
from scipy import fft as sfft

from ._counts import count_top, nb_params

__all__ = ["large_counts"]

_KERNEL_WORK = 3_000_000  # frequency × policy evaluations from which the numba kernel is used (a lognormal shock counts 8×)


@functools.lru_cache(maxsize=64)
def _functionals(G: int, h: float, A: float) -> tuple[np.ndarray, np.ndarray]:
    """``ψ(y) = (y h − A)+`` and ``γ(y) = (1 − A / (y h))+`` on the lattice, transformed for Parseval."""
    y = np.arange(G) * h
    psi = np.maximum(y - A, 0.0)
    gam = np.where(y > A, 1.0 - A / np.where(y > 0, y, 1.0), 0.0)
    wt = np.full(G // 2 + 1, 2.0)
    wt[0] = 1.0
    if G % 2 == 0:
        wt[-1] = 1.0
    return np.conj(sfft.rfft(psi)) * wt / G, np.conj(sfft.rfft(gam)) * wt / G


def _log_pgf(kind, F, lam, r, mult):
    """ℓ(F) (log pgf given M = 1) and dℓ/dF at the transform F (``lam`` broadcasts against F)."""
    if kind == "poisson":
        return lam * (F - 1.0), lam * np.ones_like(F)
    size, q = nb_params(lam, r, mult)
    return size * (np.log1p(-q) - np.log(1.0 - q * F)), size * q / (1.0 - q * F)


def large_counts(laws, kind, lam_f, lam_d, r, mult, shock, fatal_weights) -> dict[str, np.ndarray]:
    """Policies with large counts: each compound law from its closed-form pgf, in the Fourier domain.

    Each policy's grid holds its own compound law: ``top_f (s_f − 1) + top_d (s_d − 1) + 2`` points,
    ``top_t`` the count of each type beyond which its mass is below 1e-17 (:func:`count_top`) and
    ``s_t`` the lattice points one accident of that type can reach, so the total is on the grid
    unless one count exceeds its top (probability below 2e-17). Policies are bucketed on a ladder
    of grid sizes (factor 1.25) that share the transforms of the laws.
    """
    n = lam_f.size
    out = {k: np.zeros(n) for k in ("excess", "dis", *fatal_weights)}
    s_f = int(np.flatnonzero(laws.fatal["pmf"])[-1]) if laws.fatal["pmf"].any() else 0
    s_d = int(np.flatnonzero(laws.dis["pmf"])[-1]) if laws.dis["pmf"].any() else 0
    need = count_top(kind, lam_f, r, mult, shock) * s_f + count_top(kind, lam_d, r, mult, shock) * s_d + 2
    size = max(laws.fatal["pmf"].size, laws.dis["pmf"].size)
    rung = np.ceil(np.log(np.maximum(need, size + 2) / 1024.0) / np.log(1.25)).clip(0).astype(np.int64)
    for k in np.unique(rung):
        idx = np.flatnonzero(rung == k)
        G = sfft.next_fast_len(max(int(np.ceil(1024.0 * 1.25 ** k)), int(need[idx].max())), real=True)
        res = _on_grid(laws, kind, lam_f[idx], lam_d[idx], r, mult, shock, fatal_weights, G)
        for key in out:
            out[key][idx] = res[key]
    return out


def _grid_laws(laws, fatal_weights, G: int):
    """Transforms on ``G`` points: ``Ff``, ``Fd``, ``cpsi``, the weights ``Wf`` (one row per fatal
    weight) and ``Wd`` (each times ``cgam``), ``ramp`` (the mean), and the analytic means per accident."""
    fa, di = laws.fatal, laws.dis
    cpsi, cgam = _functionals(G, laws.h, laws.A)
    Ff, Fd = sfft.rfft(fa["pmf"], G), sfft.rfft(di["pmf"], G)
    Wf = np.stack([sfft.rfft(fa[name], G) * cgam for name in fatal_weights])
    Wd = sfft.rfft(di["w"], G) * cgam
    ramp = np.conj(sfft.rfft(np.arange(G) * laws.h)) * _wt(G) / G
    mean_f = float(fa["pmf"] @ (np.arange(fa["pmf"].size) * laws.h))
    mean_d = float(di["pmf"] @ (np.arange(di["pmf"].size) * laws.h))
    return Ff, Fd, cpsi, Wf, Wd, ramp, mean_f, mean_d


def _on_grid(laws, kind, lam_f, lam_d, r, mult, shock, fatal_weights, G: int, kernel: bool | None = None) -> dict[str, np.ndarray]:
    """The functionals of every policy given on one grid of ``G`` points (transforms computed once):
    the numba kernel :func:`._exact_kernels.pgf_functionals_kernel`, or its NumPy twin (``kernel``:
    by default the kernel once numba is loaded, e.g. by a simulation, or from :data:`_KERNEL_WORK`
    evaluations on; the two agree to rounding)."""
    Ff, Fd, cpsi, Wf, Wd, ramp, mean_f, mean_d = _grid_laws(laws, fatal_weights, G)
    n = lam_f.size
    if kernel is None:  # numba's start-up (1-2 s in a process that has not loaded it) pays from a few million evaluations
        kernel = "numba" in sys.modules or n * Ff.size * (1 if shock.dist != "lognormal" else 8) >= _KERNEL_WORK
    if kernel:
        from ._exact_kernels import pgf_functionals_kernel

        kind_id = {"none": 0, "gamma": 1}.get(shock.dist, 2)
        ms, ws = (shock.m, shock.w) if kind_id == 2 else (np.ones(1), np.ones(1))
        res = np.empty((n, len(fatal_weights) + 3))
        pgf_functionals_kernel(Ff, Fd, cpsi, Wf, Wd, ramp, np.ascontiguousarray(lam_f, dtype=np.float64),
                               np.ascontiguousarray(lam_d, dtype=np.float64), kind == "negbin", float(r), float(mult), kind_id,
                               float(shock.alpha), np.asarray(ms, dtype=np.float64), np.asarray(ws, dtype=np.float64), res)
        out = {"excess": res[:, 0], **{name: res[:, 1 + k] for k, name in enumerate(fatal_weights)}, "dis": res[:, -2]}
        mean_num = res[:, -1]
    else:
        out, mean_num = _on_grid_numpy(kind, lam_f, lam_d, r, mult, shock, fatal_weights, Ff, Fd, cpsi, Wf, Wd, ramp)
    # wrap-around would lose mass at the top: the mean must match the analytic one
    mean_an = lam_f * mean_f + lam_d * mean_d
    if (np.abs(mean_num - mean_an) > 1e-9 * np.maximum(mean_an, laws.h)).any():
        raise ArithmeticError("aggregate: compound law not contained in the grid")
    return out


def _on_grid_numpy(kind, lam_f, lam_d, r, mult, shock, fatal_weights, Ff, Fd, cpsi, Wf, Wd, ramp):
    """NumPy twin of :func:`._exact_kernels.pgf_functionals_kernel` (rows of policies at a time)."""
    n = lam_f.size
    out = {k: np.zeros(n) for k in ("excess", "dis", *fatal_weights)}
    mean_num = np.zeros(n)
    step = max(1, 4_000_000 // Ff.size)
    for lo in range(0, n, step):
        sl = slice(lo, min(n, lo + step))
        lf, dlf = _log_pgf(kind, Ff[None, :], lam_f[sl, None], r, mult)
        ld, dld = _log_pgf(kind, Fd[None, :], lam_d[sl, None], r, mult)
        e, de = shock.mix(lf + ld)
        out["excess"][sl] = _re_dot(e, cpsi)
        sf_ = de * dlf
        for k, name in enumerate(fatal_weights):
            out[name][sl] = _re_dot(sf_, Wf[k])
        out["dis"][sl] = _re_dot(de * dld, Wd)
        mean_num[sl] = _re_dot(e, ramp)
    return out, mean_num


def _re_dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``Re(a @ b)`` per row without BLAS (whose threads cost milliseconds per call on a busy machine)."""
    return np.einsum("ij,j->i", a.real, b.real) - np.einsum("ij,j->i", a.imag, b.imag)


def _wt(G: int) -> np.ndarray:
    wt = np.full(G // 2 + 1, 2.0)
    wt[0] = 1.0
    if G % 2 == 0:
        wt[-1] = 1.0
    return wt
