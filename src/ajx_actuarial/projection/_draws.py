"""Random draws of a projection that outlive one simulated year (shared by ``loop`` and ``result``)."""

from __future__ import annotations

import numpy as np

__all__ = ["systemic_draws"]


def systemic_draws(ss: np.random.SeedSequence, paths: int, t: int) -> np.ndarray:
    """Standard normals of projection year ``t``: the systemic year effect (fresh each year) and the
    fatal, disability and medical parameter draws (one per path, kept over its years), (paths, 4)."""
    def normals(key, shape):
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(ss.entropy, spawn_key=tuple(ss.spawn_key) + key,
                                                                            pool_size=ss.pool_size))).standard_normal(shape)

    return np.column_stack([normals((3, int(t)), paths), normals((2,), (paths, 3))])
