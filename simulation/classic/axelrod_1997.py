"""Axelrod (1997), "The dissemination of culture": the ancestor of collaboration.

Dyadic, facet-wise borrowing on a bounded grid, run on the kernel ``facet_borrowing`` that the
pooling model's collaboration rule calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from simulation import kernels
from simulation.classic.common import (
    MAX_CHUNK,
    MIN_CHUNK,
    AsDict,
    check,
    frozen,
    generator,
    int_param,
)
from simulation.parameters import ParamSpec, check_value

NEIGHBOURHOODS: Mapping[int, tuple[tuple[int, int], ...]] = {
    4: ((-1, 0), (1, 0), (0, -1), (0, 1)),
    8: ((-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)),
    12: (
        (-1, 0),
        (1, 0),
        (0, -1),
        (0, 1),
        (-1, -1),
        (-1, 1),
        (1, -1),
        (1, 1),
        (-2, 0),
        (2, 0),
        (0, -2),
        (0, 2),
    ),
}
"""Axelrod's (1997) neighbourhoods: von Neumann (4), Moore (8), and Moore plus the four sites two
steps away along the axes (12). Offsets (row, column) on a grid that does not wrap."""

PARAMETERS: Mapping[str, ParamSpec] = {
    "size": int_param(2, 2_000, "sites per side (L x L grid, not wrapping)", "Grid side"),
    "features": int_param(1, 1_000, "cultural features (F)", "Features"),
    "traits": int_param(1, 1_000_000, "traits per feature (q)", "Traits"),
    "neighbours": ParamSpec("int", 4, 12, unit="4, 8 or 12 neighbours", label="Neighbourhood"),
    "max_sweeps": int_param(1, 10**9, "activations per site before giving up", "Sweep cap"),
}
"""Type and allowed range of every keyword of :func:`axelrod` but ``rng``."""


def _check(name: str, value: Any) -> Any:
    if name == "neighbours":
        expected = "one of 4, 8, 12"
        value = check_value(name, PARAMETERS[name], value, expected)
        if value not in NEIGHBOURHOODS:
            raise ValueError(f"parameter {name!r} = {value!r} is invalid: expected {expected}")
        return value
    return check(PARAMETERS, name, value)


@dataclass(frozen=True)
class AxelrodResult(AsDict):
    """Outcome of one run of Axelrod's culture model.

    Attributes:
        regions: stable regions: connected sets of neighbouring sites with identical culture.
        cultures: distinct cultures (feature vectors) left on the grid.
        largest_region: sites in the largest region.
        events: activations up to and including the last one that changed a trait (the time to
            the absorbing state, in Axelrod's "events").
        changes: activations that changed a trait.
        converged: whether no neighbouring pair can interact any more (overlap 0 or F).
        size: grid side L.
        features: F.
        traits: q.
        neighbours: 4, 8 or 12.
        grid: final traits, ``(L, L, F)`` integers, read-only.
    """

    regions: int
    cultures: int
    largest_region: int
    events: int
    changes: int
    converged: bool
    size: int
    features: int
    traits: int
    neighbours: int
    grid: np.ndarray = field(repr=False, compare=False)


def lattice(size: int, neighbours: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The neighbour lists of a bounded ``size x size`` grid (sites numbered row by row).

    Returns:
        ``(ptr, nbr, edges)``: the neighbours of site ``s`` are ``nbr[ptr[s]:ptr[s + 1]]``
        (sites on the border have fewer); ``edges`` holds each neighbouring pair once,
        ``(E, 2)`` with the smaller site first.
    """
    n = size * size
    row, col = np.divmod(np.arange(n), size)
    src, dst = [], []
    for dr, dc in NEIGHBOURHOODS[neighbours]:
        r, c = row + dr, col + dc
        inside = (r >= 0) & (r < size) & (c >= 0) & (c < size)
        src.append(np.flatnonzero(inside))
        dst.append((r * size + c)[inside])
    a, b = np.concatenate(src), np.concatenate(dst)
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    ptr = np.searchsorted(a, np.arange(n + 1)).astype(np.int64)
    keep = a < b
    return ptr, b.astype(np.int64), np.column_stack([a[keep], b[keep]]).astype(np.int64)


def _shared_features(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    return np.count_nonzero(x[edges[:, 0]] == x[edges[:, 1]], axis=1)


def axelrod(
    *,
    size: int = 10,
    features: int = 5,
    traits: int = 10,
    neighbours: int = 4,
    max_sweeps: int = 100_000,
    rng: Any = None,
) -> AxelrodResult:
    """Axelrod's (1997) model of the dissemination of culture, run to its absorbing state.

    Each site of a bounded (non-wrapping) ``size x size`` grid holds a culture of ``features``
    features, each one of ``traits`` traits drawn uniformly. An event activates a site chosen at
    random (with replacement) and one of its neighbours chosen at random; with probability equal
    to the share of features on which they agree, the active site copies the neighbour's trait
    on one feature, chosen at random among those on which they differ. Events run until no
    neighbouring pair can interact (each shares either every feature or none), checked between
    chunks of about ``16 L^2`` events; the events of a chunk after the last change change
    nothing, and ``events`` counts up to the last change only.

    This is the collaboration kernel (``facet_borrowing``) with traits stored as exact floats,
    ``tol=0`` (shared means equal), ``mu=1`` (copy), ``floor=0``, one-way borrowing and unit
    weights: the pooling model's collaboration is the same loop made continuous and reciprocal.

    Args:
        size: grid side L (the grid has L x L sites).
        features: number of cultural features F.
        traits: number of traits per feature q.
        neighbours: 4 (von Neumann), 8 (Moore) or 12 (Moore and the sites two steps away along
            the axes).
        max_sweeps: give up after ``max_sweeps * L * L`` events (the result then says
            ``converged=False``).
        rng: seed or numpy Generator.

    Returns:
        The number of stable regions, of distinct cultures, and the final grid.

    Raises:
        ValueError: naming a parameter, its value and the allowed range.
    """
    size = _check("size", size)
    features = _check("features", features)
    traits = _check("traits", traits)
    neighbours = _check("neighbours", neighbours)
    max_sweeps = _check("max_sweeps", max_sweeps)
    gen = generator(rng)

    n = size * size
    ptr, nbr, edges = lattice(size, neighbours)
    degree = np.diff(ptr)
    x = gen.integers(0, traits, (n, features)).astype(np.float64)
    max_events = max_sweeps * n
    chunk = min(max(MIN_CHUNK, 16 * n), MAX_CHUNK)
    kernel = kernels.active().facet_borrowing
    ones = np.ones(chunk)
    changed = np.empty(chunk, dtype=np.bool_)
    events = last_change = changes = 0

    def absorbed() -> bool:
        shared = _shared_features(x, edges)
        return bool(np.all((shared == 0) | (shared == features)))

    converged = absorbed()
    while not converged and events < max_events:
        p = min(chunk, max_events - events)
        site = gen.integers(0, n, p)
        partner = nbr[ptr[site] + (gen.random(p) * degree[site]).astype(np.int64)]
        u = gen.random((2, p))
        kernel(x, site, partner, u[0], u[1], 0.0, 1.0, 0.0, False, ones[:p], ones[:p], changed)
        hits = np.flatnonzero(changed[:p])
        if hits.size:
            changes += hits.size
            last_change = events + int(hits[-1]) + 1
        events += p
        converged = absorbed()

    identical = _shared_features(x, edges) == features
    graph = coo_matrix(
        (np.ones(np.count_nonzero(identical)), (edges[identical, 0], edges[identical, 1])),
        shape=(n, n),
    )
    regions, labels = connected_components(graph, directed=False)
    return AxelrodResult(
        regions=int(regions),
        cultures=len(np.unique(x, axis=0)),
        largest_region=int(np.bincount(labels).max()),
        events=last_change,
        changes=changes,
        converged=converged,
        size=size,
        features=features,
        traits=traits,
        neighbours=neighbours,
        grid=frozen(x.reshape(size, size, features).astype(np.int64)),
    )
