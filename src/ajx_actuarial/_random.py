"""Seeds and streams: one ``SeedSequence`` per call, one spawned stream per block.

Every random function takes keyword-only ``rng`` (int | SeedSequence | Generator | None).
Block ``b`` draws only from the stream with spawn key ``(..., b)``, so results do not depend on
thread count, chunking or backend (DESIGN.md §3).
"""

from __future__ import annotations

import numpy as np

from .errors import ValidationError

RngLike = int | np.random.SeedSequence | np.random.Generator | None


def seed_sequence(rng: RngLike, where: str = "rng") -> np.random.SeedSequence:
    """Normalise ``rng`` to a :class:`numpy.random.SeedSequence`."""
    if rng is None:
        return np.random.SeedSequence()
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        # Advance the caller's generator deterministically and seed from what it gives.
        return np.random.SeedSequence(int(rng.integers(0, 2**63)))
    if isinstance(rng, (bool, np.bool_)):
        raise ValidationError(f"{where}: must be an int, SeedSequence, Generator or None, got bool")
    if isinstance(rng, (int, np.integer)):
        if rng < 0:
            raise ValidationError(f"{where}: seed must be >= 0, got {rng}")
        return np.random.SeedSequence(int(rng))
    raise ValidationError(f"{where}: must be an int, SeedSequence, Generator or None, got {type(rng).__name__}")


def generator(rng: RngLike, where: str = "rng") -> np.random.Generator:
    """A Generator for ``rng`` (a Generator passed in is used as is)."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.Generator(np.random.PCG64(seed_sequence(rng, where)))


def block_seed(ss: np.random.SeedSequence, block: int) -> np.random.SeedSequence:
    """The seed sequence of block ``block``: child with spawn key ``ss.spawn_key + (block,)``."""
    return np.random.SeedSequence(ss.entropy, spawn_key=tuple(ss.spawn_key) + (int(block),), pool_size=ss.pool_size)


def block_generator(ss: np.random.SeedSequence, block: int) -> np.random.Generator:
    """The generator of block ``block`` (PCG64)."""
    return np.random.Generator(np.random.PCG64(block_seed(ss, block)))


def describe(ss: np.random.SeedSequence) -> dict:
    """Provenance record of a seed sequence."""
    return {"entropy": int(ss.entropy) if isinstance(ss.entropy, int) else list(ss.entropy), "spawn_key": list(ss.spawn_key)}
