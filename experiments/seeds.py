"""Seeds of a sweep: one root ``SeedSequence``, one spawned child per design point and replicate.

The child of point ``p`` and replicate ``r`` is ``root.spawn(...)[p].spawn(...)[r]``, whose spawn
key is ``(p, r)``. Storing the root entropy and that key with each run is enough to rebuild the
child alone, ``SeedSequence(entropy, spawn_key=(p, r))``, and re-run any single run with the same
numbers. Random designs (Latin hypercube, Sobol scrambling, Morris) draw from the root's own
stream, which no run uses.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

INT64_MAX = 2**63 - 1


def run_seed(entropy: int, spawn_key: Sequence[int]) -> np.random.SeedSequence:
    """The seed of one run, rebuilt from the root entropy and its spawn key."""
    return np.random.SeedSequence(int(entropy), spawn_key=tuple(int(k) for k in spawn_key))


def run_key(point: int, replicate: int) -> tuple[int, int]:
    """Spawn key of a design point's replicate."""
    return (int(point), int(replicate))


def format_key(spawn_key: Sequence[int]) -> str:
    """A spawn key as stored in tables: ``(3, 2)`` -> ``"3,2"``."""
    return ",".join(str(int(k)) for k in spawn_key)


def parse_key(text: str) -> tuple[int, ...]:
    """Inverse of :func:`format_key`."""
    return tuple(int(k) for k in str(text).split(",") if k.strip())


def stored_entropy(entropy: int) -> int | str:
    """The root entropy as stored in tables: an int, or a decimal string above int64."""
    return int(entropy) if int(entropy) <= INT64_MAX else str(int(entropy))


def design_rng(entropy: int) -> np.random.Generator:
    """The generator of a random design: the root's own stream (no run draws from it)."""
    return np.random.default_rng(np.random.SeedSequence(int(entropy)))
