"""The collaboration rule alone, on a fixed graph: the classic setting of agent-based models.

Sweeps of random sequential activation (what Mesa's ``shuffle_do`` does), sampled in bulk and
applied by the compiled kernel of the collaboration rule; the engine's counterpart of the
one-agent-at-a-time Mesa model of ``benchmarks/``, outside the model's week.
"""

from __future__ import annotations

import numpy as np

from simulation import kernels


def sweep_pairs(
    ptr: np.ndarray, nbr: np.ndarray, sweeps: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of ``sweeps`` sweeps of random sequential activation on a graph.

    In each sweep every worker that has a neighbour is activated once, in a random order (what
    Mesa's ``shuffle_do`` does), and meets one of its neighbours chosen uniformly.

    Args:
        ptr: ``(N + 1,)`` CSR pointers: the neighbours of ``i`` are ``nbr[ptr[i]:ptr[i + 1]]``.
        nbr: neighbour lists.
        sweeps: number of sweeps.
        rng: the generator to draw from.

    Returns:
        ``(src, dst)``, each ``(sweeps * N_active,)`` int64, sweep after sweep.
    """
    degree = np.diff(ptr)
    active = np.flatnonzero(degree)
    src = rng.permuted(np.broadcast_to(active, (sweeps, active.size)), axis=1).ravel()
    dst = nbr[ptr[src] + (rng.random(src.size) * degree[src]).astype(np.int64)]
    return src, dst.astype(np.int64)


def collaboration_sweeps(
    practices: np.ndarray,
    ptr: np.ndarray,
    nbr: np.ndarray,
    sweeps: int,
    rng: np.random.Generator,
    *,
    tolerance: float,
    influence: float,
    floor: float,
    reciprocal: bool = True,
    chunk: int = 1 << 20,
) -> int:
    """The collaboration rule alone on a fixed graph, sweep after sweep (in place).

    Each sweep activates every worker once in random order (:func:`sweep_pairs`); the pairs
    are sampled in bulk and applied in order by :func:`simulation.kernels.facet_borrowing`
    with unit weights (Axelrod 1997's dyadic borrowing, continuous, reciprocal if asked). This
    is the engine's counterpart of the one-agent-at-a-time Mesa model of ``benchmarks/``.

    Args:
        practices: ``(N, D)`` float64, modified in place.
        ptr: CSR pointers of the graph.
        nbr: neighbour lists of the graph.
        sweeps: number of sweeps (steps of the Mesa model).
        rng: the generator to draw from.
        tolerance: facets closer than this count as shared.
        influence: share of the gap borrowed on one facet.
        floor: chance that two workers with nothing in common still borrow.
        reciprocal: whether the neighbour borrows back.
        chunk: largest number of pairs sampled at once (bounds the memory used).

    Returns:
        The number of interactions in which a facet moved.
    """
    n_active = max(int(np.count_nonzero(np.diff(ptr))), 1)
    per_chunk = max(1, chunk // n_active)
    moved = 0
    kernel = kernels.active().facet_borrowing
    for start in range(0, sweeps, per_chunk):
        src, dst = sweep_pairs(ptr, nbr, min(per_chunk, sweeps - start), rng)
        u = rng.random((2, src.size))
        ones = np.ones(src.size)
        done = np.empty(src.size, dtype=np.bool_)
        kernel(
            practices,
            src,
            dst,
            u[0],
            u[1],
            tolerance,
            influence,
            floor,
            reciprocal,
            ones,
            ones,
            done,
        )
        moved += int(np.count_nonzero(done))
    return moved
