"""Array helpers shared by the measures: input checks, per-association statistics, sites."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from simulation.measures import _fast

TINY = 1e-12
"""Distances and squared lengths below this count as zero (no contrast, no axis)."""

SCATTER_TOL = 1e-20
"""Total scatter per coordinate below this (an RMS spread under 1e-10) counts as no spread: the
mean of identical rows is not always exactly that row in floating point."""


def as_practices(practices) -> np.ndarray:
    """``practices`` as a C-contiguous float64 ``(N, D)`` array (ValueError otherwise)."""
    x = np.ascontiguousarray(practices, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"practices must be (N, D), got shape {x.shape}")
    return x


def as_labels(labels) -> np.ndarray:
    """Integer labels as a flat int64 array."""
    return np.ascontiguousarray(labels, dtype=np.int64).reshape(-1)


def tie_arrays(edges, strength, tie_ids) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The edges (int32), strengths and ids of the ties, as :func:`measure_all` takes them."""
    e = np.asarray(edges)
    if e.dtype != np.int32 or not e.flags.c_contiguous or e.ndim != 2:
        e = np.ascontiguousarray(e, dtype=np.int32).reshape(-1, 2)
    w = np.asarray(strength)
    if w.dtype != np.float64 or not w.flags.c_contiguous or w.ndim != 1:
        w = np.ascontiguousarray(w, dtype=np.float64).reshape(-1)
    ids = np.arange(e.shape[0], dtype=np.int64) if tie_ids is None else as_labels(tie_ids)
    return e, w, ids


def unconverted(out: np.ndarray | None, given: Any) -> bool:
    """Whether ``out`` is ``given`` itself or a view of it (so it follows changes in place).

    ``out`` was made from ``given`` by a conversion that copies only when it must: sharing
    memory with ``given`` means no copy was made.
    """
    if out is None or out is given:
        return out is given
    return isinstance(given, np.ndarray) and np.may_share_memory(out, given)


class AssocStats(NamedTuple):
    """Per-association statistics of the current practices (computed once a week, reused).

    Attributes:
        sums: ``(A, D)`` sum of the practices of each association's workers.
        counts: ``(A,)`` number of workers.
        scatter: ``(A,)`` summed squared Euclidean distance of the workers to their centroid.
        means: ``(A, D)`` centroids (0 for an association without workers).
    """

    sums: np.ndarray
    counts: np.ndarray
    scatter: np.ndarray
    means: np.ndarray


def assoc_stats(practices, membership, n_assoc: int) -> AssocStats:
    """Sums, sizes, within scatter and centroids of each association, in one compiled pass."""
    x, m = as_practices(practices), as_labels(membership)
    sums = np.zeros((n_assoc, x.shape[1]))
    counts = np.zeros(n_assoc, dtype=np.int64)
    scatter = np.zeros(n_assoc)
    means = _fast.assoc_stats(x, m, n_assoc, sums, counts, scatter)
    return AssocStats(sums, counts, scatter, means)


class Sites(NamedTuple):
    """Which associations are pooled together: the associations of each site.

    Attributes:
        assoc_site: ``(A,)`` site of each association.
        ptr: ``(S + 1,)`` the associations of site ``s`` are ``assoc[ptr[s]:ptr[s + 1]]``.
        assoc: ``(A,)`` associations ordered by site.
        pairs: ``(P, 2)`` every unordered pair of distinct associations sharing a site.
    """

    assoc_site: np.ndarray
    ptr: np.ndarray
    assoc: np.ndarray
    pairs: np.ndarray


def sites(assoc_site) -> Sites:
    """The site structure of a set of associations from the site of each."""
    site = as_labels(assoc_site)
    n_sites = int(site.max()) + 1 if site.size else 0
    order = np.argsort(site, kind="stable").astype(np.int64)
    ptr = np.zeros(n_sites + 1, dtype=np.int64)
    np.cumsum(np.bincount(site, minlength=n_sites), out=ptr[1:])
    pairs = [
        (int(order[i]), int(order[j]))
        for s in range(n_sites)
        for i in range(ptr[s], ptr[s + 1])
        for j in range(i + 1, ptr[s + 1])
    ]
    return Sites(site, ptr, order, np.array(pairs, dtype=np.int64).reshape(-1, 2))


def pooled_sites(pooled) -> np.ndarray:
    """A site per association from a ``(A, A)`` pooled matrix (connected groups share a site)."""
    p = np.array(pooled, dtype=bool)
    n = p.shape[0]
    site = np.full(n, -1, dtype=np.int64)
    next_site = 0
    for a in range(n):
        if site[a] >= 0:
            continue
        stack = [a]
        site[a] = next_site
        while stack:
            b = stack.pop()
            for c in np.flatnonzero(p[b] | p[:, b]):
                if site[c] < 0:
                    site[c] = next_site
                    stack.append(int(c))
        next_site += 1
    return site


def l1_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """L1/D distance between matching rows of two ``(K, D)`` arrays."""
    return np.abs(a - b).mean(axis=-1) if a.size else np.zeros(a.shape[0])
