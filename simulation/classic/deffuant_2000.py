"""Deffuant, Neau, Amblard & Weisbuch (2000), bounded confidence: the ancestor of encounters.

Pairwise encounters gated by homophily, run on the kernel ``bounded_confidence`` that the
pooling model's co-presence rule calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulation import kernels
from simulation.classic.common import (
    MAX_CHUNK,
    MIN_CHUNK,
    AsDict,
    check,
    float_param,
    frozen,
    generator,
    int_param,
)
from simulation.parameters import ParamSpec

MAJOR_SHARE = 0.02
"""Deffuant et al. (2000): a cluster holding at least this share of the agents is a major one."""

CONVERGED_SPREAD = 1e-6
"""Deffuant: a group of opinions that can still interact is one opinion below this spread."""

PARAMETERS: Mapping[str, ParamSpec] = {
    "n_agents": int_param(2, 10_000_000, "agents", "Agents"),
    "eps": float_param(0.0, 1.0, "confidence threshold (d in the paper)", "Threshold"),
    "mu": float_param(0.0, 0.5, "convergence parameter", "Convergence"),
    "max_sweeps": int_param(1, 10**9, "encounters per agent before giving up", "Sweep cap"),
}
"""Type and allowed range of every keyword of :func:`deffuant` but ``rng``."""


def _check(name: str, value: Any) -> Any:
    return check(PARAMETERS, name, value)


@dataclass(frozen=True)
class DeffuantResult(AsDict):
    """Outcome of one run of the Deffuant-Weisbuch bounded-confidence model.

    Attributes:
        clusters: groups of opinions separated by gaps of at least ``eps`` (no pair across a gap
            can interact).
        major_clusters: clusters holding at least 2 % of the agents (Deffuant et al. 2000).
        cluster_sizes: agents in each cluster, from the lowest opinion up.
        cluster_opinions: mean opinion of each cluster, from the lowest up.
        encounters: random pairs drawn.
        converged: whether every cluster had shrunk to one opinion (spread below
            :data:`CONVERGED_SPREAD`), after which the clusters can never change.
        n_agents: N.
        eps: confidence threshold.
        mu: convergence parameter.
        opinions: final opinions, ``(N,)``, read-only.
    """

    clusters: int
    major_clusters: int
    cluster_sizes: tuple[int, ...]
    cluster_opinions: tuple[float, ...]
    encounters: int
    converged: bool
    n_agents: int
    eps: float
    mu: float
    opinions: np.ndarray = field(repr=False, compare=False)


def opinion_clusters(opinions: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Split opinions into the groups that can never interact with each other.

    Sorted opinions are cut wherever two neighbours are at least ``eps`` apart: every pair
    across a cut is then at least ``eps`` apart and, since encounters only move opinions
    within the hull of their group, stays so (Deffuant et al. 2000's rule needs a distance
    below ``eps``).

    Returns:
        ``(sorted_opinions, starts)``: the groups are ``sorted_opinions[starts[k]:starts[k+1]]``
        (with ``starts`` closed by ``len(opinions)``).
    """
    xs = np.sort(np.asarray(opinions, dtype=np.float64).ravel())
    cuts = np.flatnonzero(np.diff(xs) >= eps) + 1
    return xs, np.concatenate([[0], cuts, [xs.size]]).astype(np.int64)


def deffuant(
    *,
    n_agents: int = 1000,
    eps: float = 0.2,
    mu: float = 0.5,
    max_sweeps: int = 100_000,
    rng: Any = None,
) -> DeffuantResult:
    """Deffuant et al.'s (2000) bounded-confidence model, run to convergence.

    ``n_agents`` opinions start uniform on [0, 1]. At each step two distinct agents are drawn at
    random; if their opinions differ by less than ``eps``, each moves a share ``mu`` of the way
    to the other's. Pairs are drawn in chunks and applied in order by the co-presence kernel
    (``bounded_confidence``, one facet, unit weights: exactly the published rule).

    Convergence: the sorted opinions are cut into groups wherever two neighbours are at least
    ``eps`` apart (see :func:`opinion_clusters`); the run stops when each group has shrunk to
    one opinion (its spread is below :data:`CONVERGED_SPREAD`, 1e-6). From then on no pair
    across groups can ever interact and the groups only shrink, so the clusters are final.
    The criterion is checked between chunks of about ``10 N`` encounters (at most 2^20).

    Args:
        n_agents: number of agents N.
        eps: confidence threshold (``d`` in the paper), in [0, 1].
        mu: convergence parameter, in [0, 0.5].
        max_sweeps: give up after ``max_sweeps * N`` encounters (``converged=False``).
        rng: seed or numpy Generator.

    Returns:
        The clusters (count, major count, sizes and positions) and the final opinions.

    Raises:
        ValueError: naming a parameter, its value and the allowed range.
    """
    n = _check("n_agents", n_agents)
    eps = _check("eps", eps)
    mu = _check("mu", mu)
    max_sweeps = _check("max_sweeps", max_sweeps)
    gen = generator(rng)

    x = gen.random((n, 1))
    chunk = min(max(MIN_CHUNK, 10 * n), MAX_CHUNK)
    max_encounters = max_sweeps * n
    kernel = kernels.active().bounded_confidence
    ones = np.ones(chunk)
    met = np.empty(chunk, dtype=np.bool_)
    encounters = 0

    def state() -> tuple[bool, np.ndarray, np.ndarray]:
        xs, starts = opinion_clusters(x, eps)
        spread = xs[starts[1:] - 1] - xs[starts[:-1]]
        return bool(np.all(spread < CONVERGED_SPREAD)), xs, starts

    converged, xs, starts = state()
    while not converged and encounters < max_encounters:
        p = min(chunk, max_encounters - encounters)
        i = gen.integers(0, n, p)
        j = gen.integers(0, n - 1, p)
        j += j >= i
        kernel(x, i, j, eps, mu, ones[:p], ones[:p], met[:p])
        encounters += p
        converged, xs, starts = state()

    sizes = np.diff(starts)
    means = np.add.reduceat(xs, starts[:-1]) / sizes
    return DeffuantResult(
        clusters=int(sizes.size),
        major_clusters=int(np.count_nonzero(sizes >= MAJOR_SHARE * n)),
        cluster_sizes=tuple(int(s) for s in sizes),
        cluster_opinions=tuple(float(m) for m in means),
        encounters=encounters,
        converged=converged,
        n_agents=n,
        eps=eps,
        mu=mu,
        opinions=frozen(x[:, 0]),
    )
