"""End-state measures of a run: convergence, diversity, hybridity, identity, ties, access."""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numba
import numpy as np
from scipy.spatial import cKDTree

from simulation import _fastmetrics

__all__ = [
    "REGIMES",
    "PracticeClusters",
    "RegimeThresholds",
    "between_share",
    "borrowing_share",
    "centroid_distance",
    "centroid_distance_ratio",
    "classify_regime",
    "cross_tie_share",
    "culture_shift",
    "hybrid_share",
    "identity_kappa",
    "mean_pairwise_distance",
    "practice_clusters",
    "projection_index",
    "public_access",
    "public_access_by_site",
    "regime_code",
    "sanitarisation",
    "silhouette",
    "summary",
    "tie_modularity",
]

#: The four end states of a run, in the order of :func:`regime_code`.
REGIMES: tuple[str, ...] = ("persistence", "hybridisation", "isomorphism", "fragmentation")

SUMMARY_KEYS: tuple[str, ...] = (
    "between_share",
    "centroid_distance_ratio",
    "mean_pairwise_distance",
    "n_clusters",
    "n_major_clusters",
    "effective_clusters",
    "mean_projection",
    "mean_residual",
    "mean_borrowing_share",
    "hybrid_share",
    "identity_kappa",
    "silhouette",
    "mean_culture_shift",
    "sanitarisation",
    "cross_tie_share",
    "tie_modularity",
    "public_access",
    "regime",
)
"""Keys of :func:`summary`, in order (``regime`` is a string, the others floats)."""

_TINY = 1e-12
# Total scatter per coordinate below this (an RMS spread under 1e-10) counts as "no spread":
# the mean of identical rows is not always exactly that row in floating point.
_SCATTER_TOL = 1e-20
# Up to this many workers practice_clusters links every pair directly (O(N^2), no set-up cost).
_DENSE_CLUSTER_CAP = 256
# Above this dimension the 3^D neighbouring cells are found with a k-d tree, not a table.
_MAX_GRID_DIM = 7
# Grids of at most this many cells are indexed by a dense table (4 bytes a cell).
_MAX_TABLE_CELLS = 1 << 23
# Worker-by-association-by-facet blocks are processed in row chunks of at most this many cells.
_BLOCK = 1 << 18
# public_access compares every beneficiary with every worker of its site below this product.
_ACCESS_BRUTE_CAP = 1 << 20


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn)


def _jit_inline(fn):
    return numba.njit(cache=True, nogil=True, inline="always")(fn)


# --------------------------------------------------------------------------------------------
# Small array helpers
# --------------------------------------------------------------------------------------------


def _as_practices(practices) -> np.ndarray:
    x = np.asarray(practices, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"practices must be (N, D), got shape {x.shape}")
    return x


def _as_labels(labels) -> np.ndarray:
    return np.asarray(labels, dtype=np.int64).reshape(-1)


def _group_sums(x: np.ndarray, groups: np.ndarray, n_groups: int):
    """Row sums and sizes of each group: ``((n_groups, D), (n_groups,))``."""
    d = x.shape[1]
    counts = np.bincount(groups, minlength=n_groups)
    idx = (groups[:, None] * d + np.arange(d)).ravel()
    sums = np.bincount(idx, weights=x.ravel(), minlength=n_groups * d).reshape(-1, d)
    return sums[:n_groups], counts[:n_groups]


def _mean_pairwise_rows(c: np.ndarray) -> float:
    """Mean L1/D distance over the unordered pairs of rows of a small matrix (0 if < 2 rows)."""
    k = c.shape[0]
    if k < 2:
        return 0.0
    if k > 256:  # the (k, k, D) array would not fit: the sorted-values identity instead
        return _fastmetrics.mean_pairwise_rows(c)
    dist = np.abs(c[:, None, :] - c[None, :, :]).mean(axis=2)
    return float(dist.sum() / (k * (k - 1)))


def _row_chunks(n: int, per_row: int) -> Iterator[slice]:
    step = max(1, _BLOCK // max(1, per_row))
    for start in range(0, max(n, 1), step):
        yield slice(start, min(n, start + step))


def _distance_to_centroids(x: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """``(N, A)`` L1/D distance of every worker to every centroid."""
    n, a = x.shape[0], centroids.shape[0]
    out = np.empty((n, a))
    for rows in _row_chunks(n, a * x.shape[1]):
        out[rows] = np.abs(x[rows, None, :] - centroids[None, :, :]).mean(axis=2)
    return out


def _partner_mask(pooled, n_assoc: int) -> np.ndarray:
    p = np.array(pooled, dtype=bool).reshape(n_assoc, n_assoc)
    np.fill_diagonal(p, False)
    return p


# --------------------------------------------------------------------------------------------
# 1. Convergence
# --------------------------------------------------------------------------------------------


def between_share(practices: np.ndarray, membership: np.ndarray, n_assoc: int) -> float:
    """Share of the practice variance that lies between associations (eta squared).

    ``trace(between-association scatter) / trace(total scatter)``, the analogue of the F_ST of
    population genetics: 1 when every association is internally uniform and they differ from
    each other (each culture intact), 0 when the association a worker belongs to says nothing
    about its practice (one common standard, or the same mixture everywhere).

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        membership: ``(N,)`` association index of each worker, in ``[0, n_assoc)``.
        n_assoc: number of associations A.

    Returns:
        Eta squared in [0, 1]; 0 when the practices have no spread at all.
    """
    x = _as_practices(practices)
    m = _as_labels(membership)
    if x.shape[0] == 0:
        return 0.0
    dev = x - x.mean(axis=0)
    total = float(np.einsum("ij,ij->", dev, dev))
    if total <= _SCATTER_TOL * x.size:
        return 0.0
    sums, counts = _group_sums(dev, m, n_assoc)
    nz = counts > 0
    # n_a * |mean_a - grand mean|^2 == |sum of deviations in a|^2 / n_a
    between = float(np.sum(np.einsum("ij,ij->i", sums[nz], sums[nz]) / counts[nz]))
    return min(1.0, max(0.0, between / total))


def _centroids(x: np.ndarray, m: np.ndarray, n_assoc: int):
    sums, counts = _group_sums(x, m, n_assoc)
    present = counts > 0
    cents = np.zeros_like(sums)
    cents[present] = sums[present] / counts[present, None]
    return cents, counts, present


def centroid_distance(practices: np.ndarray, membership: np.ndarray, n_assoc: int) -> float:
    """Mean distance between the current practice centroids of the associations.

    How far apart the associations' average practices are now, as the mean over pairs of
    associations (only those that have workers) of the L1/D distance between their centroids.

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        membership: ``(N,)`` association index of each worker.
        n_assoc: number of associations A.

    Returns:
        Mean pairwise centroid distance in [0, 1]; 0 when fewer than two associations have
        workers.
    """
    cents, _, present = _centroids(_as_practices(practices), _as_labels(membership), n_assoc)
    return _mean_pairwise_rows(cents[present])


def centroid_distance_ratio(
    practices: np.ndarray, membership: np.ndarray, initial_centroids: np.ndarray
) -> float:
    """How much of the initial contrast between associations is left (current / initial).

    Ratio of the mean pairwise distance between the associations' current practice centroids
    to the same mean between their initial centroids, over the associations that have workers.
    1 = the associations are as far apart as at the start (persistence), near 0 = their
    average practices have merged (isomorphism), above 1 = they moved apart.

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        membership: ``(N,)`` association index of each worker.
        initial_centroids: ``(A, D)`` each association's mean initial practice.

    Returns:
        The ratio (>= 0), or NaN when it is undefined: fewer than two associations have
        workers, or their initial centroids coincide (no initial contrast to lose).
    """
    c0 = np.asarray(initial_centroids, dtype=np.float64)
    cents, _, present = _centroids(_as_practices(practices), _as_labels(membership), len(c0))
    initial = _mean_pairwise_rows(c0[present])
    if present.sum() < 2 or initial <= _TINY:
        return math.nan
    return _mean_pairwise_rows(cents[present]) / initial


# --------------------------------------------------------------------------------------------
# 2. Diversity
# --------------------------------------------------------------------------------------------


def mean_pairwise_distance(practices: np.ndarray) -> float:
    """Mean distance between two workers' practices: the overall diversity of practice.

    Exact mean of the L1/D distance over all unordered pairs of workers, computed facet by
    facet from the sorted values (``O(D N log N)``, no pair is formed).

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].

    Returns:
        Mean pairwise distance in [0, 1]; 0 with fewer than two workers.
    """
    x = _as_practices(practices)
    n, d = x.shape
    if n < 2 or d == 0:
        return 0.0
    s = np.sort(x, axis=0)
    # sum_{i<j} |s_j - s_i| = sum_k (2k - n + 1) s_k for sorted s
    weights = 2.0 * np.arange(n) - (n - 1)
    total = float(np.sum(weights @ s))
    return max(0.0, total / (0.5 * n * (n - 1) * d))


class PracticeClusters(NamedTuple):
    """Groups of workers whose practices are linked by chains of close neighbours.

    Attributes:
        n_clusters: number of practice clusters.
        n_major: clusters holding at least ``major_share`` of the workers.
        n_minor: the other clusters (isolated workers and small splinters).
        effective: effective number of clusters, the inverse Simpson index
            ``1 / sum(p_k^2)`` of the cluster shares ``p_k`` (a few stragglers barely raise it).
        labels: ``(N,)`` cluster of each worker, numbered 0, 1, ... in order of first worker.
    """

    n_clusters: int
    n_major: int
    n_minor: int
    effective: float
    labels: np.ndarray


@_jit_inline
def _find(parent, i):
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:
        nxt = parent[i]
        parent[i] = root
        i = nxt
    return root


@_jit_inline
def _union(parent, i, j):
    ri = _find(parent, i)
    rj = _find(parent, j)
    if ri < rj:
        parent[rj] = ri
    elif rj < ri:
        parent[ri] = rj


@_jit_inline
def _close(x, i, y, j, eps):
    """Whether rows ``x[i]`` and ``y[j]`` differ by less than ``eps`` on every facet."""
    close = True
    for f in range(x.shape[1]):
        if abs(x[i, f] - y[j, f]) >= eps:
            close = False
            break
    return close


@_jit
def _labels_from_parent(parent, order):
    """Cluster labels in the original row order, numbered by first appearance."""
    n = parent.shape[0]
    root_label = np.full(n, -1, dtype=np.int64)
    labels = np.empty(n, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)
    for k in range(n):
        pos[order[k]] = k
    next_label = 0
    for i in range(n):
        r = _find(parent, pos[i])
        if root_label[r] < 0:
            root_label[r] = next_label
            next_label += 1
        labels[i] = root_label[r]
    return labels


@_jit
def _components_dense(x, eps):
    """Single-linkage components (Chebyshev distance < eps) by checking every pair."""
    n = x.shape[0]
    parent = np.arange(n)
    for i in range(n):
        for j in range(i + 1, n):
            if _close(x, i, x, j, eps):
                _union(parent, i, j)
    return _labels_from_parent(parent, np.arange(n))


@_jit
def _cell_boxes(xs, starts, eps):
    """Bounding box of each cell and whether it is a clique (all spans < eps)."""
    m = starts.shape[0] - 1
    d = xs.shape[1]
    lo = np.empty((m, d))
    hi = np.empty((m, d))
    tight = np.ones(m, dtype=np.bool_)
    for c in range(m):
        for f in range(d):
            lo[c, f] = xs[starts[c], f]
            hi[c, f] = xs[starts[c], f]
        for i in range(starts[c] + 1, starts[c + 1]):
            for f in range(d):
                v = xs[i, f]
                if v < lo[c, f]:
                    lo[c, f] = v
                if v > hi[c, f]:
                    hi[c, f] = v
        for f in range(d):
            if hi[c, f] - lo[c, f] >= eps:
                tight[c] = False
    return lo, hi, tight


@_jit
def _link_within(xs, starts, tight, parent, eps):
    m = starts.shape[0] - 1
    for c in range(m):
        s, e = starts[c], starts[c + 1]
        if tight[c]:
            for i in range(s + 1, e):
                _union(parent, s, i)
        else:  # a cell wider than eps only through rounding at its edges: check its pairs
            for i in range(s, e):
                for j in range(i + 1, e):
                    if _close(xs, i, xs, j, eps):
                        _union(parent, i, j)


@_jit
def _link_neighbours(xs, starts, lo, hi, tight, parent, eps, keys, steps, mode, ptr, nbr):
    """Link the workers of every pair of occupied neighbouring cells closer than eps.

    The neighbours of cell ``c`` are the occupied cells with keys ``keys[c] + step`` for each
    key step to a neighbouring cell, looked up in a dense table of the grid (``mode`` 0, one
    array read each) or a hash table (``mode`` 1); or (``mode`` 2) precomputed lists
    ``nbr[ptr[c]:ptr[c + 1]]``. A pair of cells is skipped when both are cliques already
    joined, or when their bounding boxes are eps apart on some facet; otherwise the workers
    of ``a`` near the box of ``b`` are compared with those of ``b``, stopping at the first
    link when both cells are cliques. (The pair logic is written inline: a function call per
    pair of cells costs more than the work it does.)
    """
    m = starts.shape[0] - 1
    d = xs.shape[1]
    size = 1
    if mode == 0:
        size = int(keys[m - 1] + 1 + steps.max()) if steps.shape[0] else 1
    elif mode == 1:
        while size < 2 * m:
            size *= 2
    mask = size - 1
    table = np.full(size, -1, dtype=np.int32)
    if mode == 0:
        for c in range(m):
            table[keys[c]] = c
    elif mode == 1:
        for c in range(m):
            h = (keys[c] * 0x9E3779B1) & mask
            while table[h] >= 0:
                h = (h + 1) & mask
            table[h] = c
    buf = np.empty(max(steps.shape[0], nbr.shape[0]), dtype=np.int64)
    for a in range(m):
        count = 0
        if mode == 0:
            for k in range(steps.shape[0]):
                other = table[keys[a] + steps[k]]
                if other >= 0:
                    buf[count] = other
                    count += 1
        elif mode == 1:
            for k in range(steps.shape[0]):
                key = keys[a] + steps[k]
                h = (key * 0x9E3779B1) & mask
                while table[h] >= 0 and keys[table[h]] != key:
                    h = (h + 1) & mask
                if table[h] >= 0:
                    buf[count] = table[h]
                    count += 1
        else:
            for k in range(ptr[a], ptr[a + 1]):
                buf[count] = nbr[k]
                count += 1
        for q in range(count):
            b = buf[q]
            both_tight = tight[a] and tight[b]
            if both_tight and _find(parent, starts[a]) == _find(parent, starts[b]):
                continue
            apart = False
            for f in range(d):
                if lo[b, f] - hi[a, f] >= eps or lo[a, f] - hi[b, f] >= eps:
                    apart = True
                    break
            if apart:
                continue
            done = False
            for i in range(starts[a], starts[a + 1]):
                near = True  # is worker i within eps of the box of b? (same rounding as _close)
                for f in range(d):
                    v = xs[i, f]
                    if lo[b, f] - v >= eps or v - hi[b, f] >= eps:
                        near = False
                        break
                if not near:
                    continue
                for j in range(starts[b], starts[b + 1]):
                    if _close(xs, i, xs, j, eps):
                        _union(parent, i, j)
                        if both_tight:
                            done = True
                            break
                if done:
                    break


@functools.lru_cache(maxsize=32)
def _half_offsets(d: int, base: int) -> np.ndarray:
    """Key steps to the neighbouring cells whose first non-zero offset is +1 (each pair once)."""
    steps = base ** np.arange(d, dtype=np.int64)
    out = [
        int(np.dot(o, steps))
        for o in itertools.product((-1, 0, 1), repeat=d)
        if any(o) and next(v for v in o if v) == 1
    ]
    return np.array(out, dtype=np.int64)


def _components_grid(x: np.ndarray, eps: float) -> np.ndarray:
    """Single-linkage components (Chebyshev distance < eps) on a grid of cells of width eps.

    Workers are bucketed into cubic cells slightly wider than eps; a cell whose span is below
    eps is a clique, and only pairs in neighbouring cells (offsets in {-1, 0, 1} per facet)
    are checked, after a bounding-box test, stopping at the first link between two cliques.
    Exact: gives the same partition as checking every pair. Occupied neighbouring cells are
    looked up by key (dense table of the grid up to 2^23 cells, else hash table) for
    ``D <= 7``, found with a k-d tree on the cell coordinates above.
    """
    n, d = x.shape
    cells = np.floor(x / (eps * (1.0 + 1e-9))).astype(np.int64)
    cells -= cells.min(axis=0) - 1  # coordinates >= 1, so neighbours never wrap around
    base = int(cells.max()) + 2
    by_key = d <= _MAX_GRID_DIM and d * math.log2(base) < 62
    new_cell = np.empty(n, dtype=bool)
    new_cell[0] = True
    if by_key:
        keys = cells @ (base ** np.arange(d, dtype=np.int64))
        order = np.argsort(keys, kind="stable")
        cells_sorted = keys[order]
        np.not_equal(cells_sorted[1:], cells_sorted[:-1], out=new_cell[1:])
    else:
        order = np.lexsort(cells.T[::-1])
        cells_sorted = cells[order]
        np.any(cells_sorted[1:] != cells_sorted[:-1], axis=1, out=new_cell[1:])
    first = np.flatnonzero(new_cell)
    starts = np.append(first, n).astype(np.int64)
    xs = np.ascontiguousarray(x[order])
    lo, hi, tight = _cell_boxes(xs, starts, eps)
    parent = np.arange(n)
    _link_within(xs, starts, tight, parent, eps)
    common = (xs, starts, lo, hi, tight, parent, eps)
    none = np.zeros(0, dtype=np.int64)
    if by_key:
        mode = 0 if base**d <= _MAX_TABLE_CELLS else 1
        steps = _half_offsets(d, base)
        _link_neighbours(*common, cells_sorted[first], steps, mode, none, none)
    else:
        tree = cKDTree(cells_sorted[first])
        pairs = tree.query_pairs(1.0, p=np.inf, output_type="ndarray").astype(np.int64)
        pairs = pairs[np.argsort(pairs[:, 0], kind="stable")]
        ptr = np.searchsorted(pairs[:, 0], np.arange(len(first) + 1)).astype(np.int64)
        _link_neighbours(*common, none, none, 2, ptr, np.ascontiguousarray(pairs[:, 1]))
    return _labels_from_parent(parent, order.astype(np.int64))


def practice_clusters(
    practices: np.ndarray, eps: float = 0.1, major_share: float = 0.02
) -> PracticeClusters:
    """Practice clusters: groups separated by gaps of at least ``eps`` on some facet.

    Two workers are linked when their practices differ by less than ``eps`` on every facet
    (Chebyshev distance < eps); clusters are the connected components of that graph (single
    linkage), like the opinion groups of Deffuant et al. (2000) that end up separated by gaps
    larger than the confidence threshold. One cluster = one standard practice; as many major
    clusters as associations = cultures kept apart; more = fragmentation or new mixtures.

    Exact at any size: pairs are checked directly up to 256 workers, and through a grid of
    cells of width ``eps`` above (cost grows with the number of occupied cells, not pairs).

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        eps: linking threshold on the largest facet difference, > 0.
        major_share: minimum share of the workers for a cluster to count as major.

    Returns:
        A :class:`PracticeClusters`.

    Raises:
        ValueError: if ``eps <= 0``.
    """
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps}")
    x = np.ascontiguousarray(_as_practices(practices))
    n = x.shape[0]
    if n == 0:
        return PracticeClusters(0, 0, 0, 0.0, np.zeros(0, dtype=np.int64))
    if n <= _DENSE_CLUSTER_CAP or x.shape[1] == 0:
        labels = _components_dense(x, float(eps))
    else:
        labels = _components_grid(x, float(eps))
    sizes = np.bincount(labels)
    n_major = int(np.count_nonzero(sizes >= major_share * n))
    shares = sizes / n
    return PracticeClusters(
        n_clusters=len(sizes),
        n_major=n_major,
        n_minor=len(sizes) - n_major,
        effective=float(1.0 / np.dot(shares, shares)),
        labels=labels,
    )


# --------------------------------------------------------------------------------------------
# 3. Hybridity
# --------------------------------------------------------------------------------------------


def projection_index(
    practices: np.ndarray,
    membership: np.ndarray,
    initial_centroids: np.ndarray,
    pooled: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Where each worker stands between its own culture and its pooled partners' cultures.

    The axis of a worker runs from its association's initial centroid (``t = 0``) to the mean
    of the initial centroids of the associations it was pooled with (``t = 1``). ``t`` is the
    (Euclidean) projection of the worker's practice on that axis, not clipped: ``t < 0`` means
    it moved away from its partners, ``t > 1`` beyond them. The residual is what the axis does
    not explain, a genuinely new practice rather than a blend: the mean absolute value over
    facets (L1/D) of the component orthogonal to the axis, in [0, 1].

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        membership: ``(N,)`` association index of each worker.
        initial_centroids: ``(A, D)`` each association's mean initial practice.
        pooled: ``(A, A)`` bool, True where two distinct associations share a site.

    Returns:
        ``(t, residual)``, two ``(N,)`` arrays; both NaN for workers whose association has no
        pooled partner, or whose partners' mean culture equals their own (no axis).
    """
    x = _as_practices(practices)
    m = _as_labels(membership)
    c0 = np.asarray(initial_centroids, dtype=np.float64)
    partners = _partner_mask(pooled, len(c0))
    n_partners = partners.sum(axis=1)
    axis = partners @ c0 / np.maximum(n_partners, 1)[:, None] - c0
    norm2 = np.einsum("ij,ij->i", axis, axis)
    has_axis = (n_partners > 0) & (norm2 > _TINY)
    unit = np.where(has_axis[:, None], axis / np.where(has_axis, norm2, 1.0)[:, None], 0.0)
    dev = x - c0[m]
    t = np.einsum("ij,ij->i", dev, unit[m])
    residual = np.abs(dev - t[:, None] * axis[m]).mean(axis=1)
    undefined = ~has_axis[m]
    t[undefined] = np.nan
    residual[undefined] = np.nan
    return t, residual


class _Borrowing(NamedTuple):
    share: np.ndarray  # (N,) borrowed / borrowable facets, NaN without borrowable facets
    n_borrowed: np.ndarray  # (N,) int
    nearest_own: np.ndarray  # (N,) bool: own initial centroid is (one of) the nearest
    credit: np.ndarray  # (N,) identity-kappa credit: 1/k if own centroid among k nearest


def _borrowing(x, m, c0, pooled, min_gap) -> _Borrowing:
    partners = _partner_mask(pooled, len(c0))
    n_borrowed, n_borrowable = _fastmetrics.borrowed_facets(x, m, c0, partners, min_gap)
    nearest_own, credit = _fastmetrics.nearest_culture(x, m, c0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n_borrowable > 0, n_borrowed / n_borrowable, np.nan)
    return _Borrowing(share, n_borrowed, nearest_own, credit)


def borrowing_share(
    practices: np.ndarray,
    membership: np.ndarray,
    initial_centroids: np.ndarray,
    pooled: np.ndarray,
    min_gap: float = 0.1,
) -> np.ndarray:
    """Share of the borrowable facets on which each worker has borrowed from a partner.

    A facet is *borrowable* for a worker when some association its own was pooled with
    started with a culture differing from its own by at least ``min_gap`` on that facet. The
    worker has *borrowed* it when its practice there is now strictly closer to such a
    partner's initial value than to its own association's initial value (it crossed the
    midpoint). Facet-wise borrowing is the signature of hybridisation (Axelrod-like mixing).

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        membership: ``(N,)`` association index of each worker.
        initial_centroids: ``(A, D)`` each association's mean initial practice.
        pooled: ``(A, A)`` bool, True where two distinct associations share a site.
        min_gap: smallest initial difference for a facet to count as borrowable.

    Returns:
        ``(N,)`` shares in [0, 1]; NaN for workers with no borrowable facet (no partner, or
        partners with the same culture).
    """
    x = _as_practices(practices)
    c0 = np.asarray(initial_centroids, dtype=np.float64)
    return _borrowing(x, _as_labels(membership), c0, pooled, min_gap).share


def _hybrid_share(b: _Borrowing, min_share: float) -> float:
    n = b.share.shape[0]
    if n == 0:
        return math.nan
    with np.errstate(invalid="ignore"):
        hybrid = (b.n_borrowed > 0) & (b.share >= min_share) & b.nearest_own
    return float(np.count_nonzero(hybrid) / n)


def hybrid_share(
    practices: np.ndarray,
    membership: np.ndarray,
    initial_centroids: np.ndarray,
    pooled: np.ndarray,
    min_gap: float = 0.1,
    min_share: float = 0.0,
) -> float:
    """Share of workers carrying a hybrid practice: a mosaic, not a defector.

    A worker is hybrid when (i) it has borrowed at least one borrowable facet from a pooled
    partner, and at least ``min_share`` of its borrowable facets (see
    :func:`borrowing_share`), and (ii) its practice as a whole is still at least as close
    (L1/D) to its own association's initial centroid as to any other association's initial
    centroid (a tie counts as its own). A worker who took over a partner's culture wholesale
    fails (ii): it converted; one who borrowed nothing fails (i): it persisted.

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        membership: ``(N,)`` association index of each worker.
        initial_centroids: ``(A, D)`` each association's mean initial practice.
        pooled: ``(A, A)`` bool, True where two distinct associations share a site.
        min_gap: smallest initial difference for a facet to count as borrowable.
        min_share: smallest borrowing share (in [0, 1]) on top of the one borrowed facet.

    Returns:
        Share of all workers (unpooled ones count as not hybrid) in [0, 1]; NaN with no worker.
    """
    x = _as_practices(practices)
    c0 = np.asarray(initial_centroids, dtype=np.float64)
    return _hybrid_share(_borrowing(x, _as_labels(membership), c0, pooled, min_gap), min_share)


# --------------------------------------------------------------------------------------------
# 4. Identity retention
# --------------------------------------------------------------------------------------------


def _kappa_from_credit(credit: np.ndarray, m: np.ndarray, n_assoc: int) -> float:
    n = credit.shape[0]
    if n == 0:
        return math.nan
    shares = np.bincount(m, minlength=n_assoc) / n
    chance = float(np.dot(shares, shares))
    if chance >= 1.0 - _TINY:
        return math.nan
    accuracy = float(np.sum(credit) / n)
    return (accuracy - chance) / (1.0 - chance)


def identity_kappa(
    practices: np.ndarray, membership: np.ndarray, initial_centroids: np.ndarray
) -> float:
    """Whether workers can still be told apart by association: chance-corrected accuracy.

    Each worker is assigned to the association whose initial centroid (culture) is nearest
    (L1/D) to its current practice; a tie between k nearest centroids gives 1/k credit (the
    expected score of breaking it at random). With ``acc`` the share correctly assigned and
    ``chance = sum_a p_a^2`` (expected accuracy of random assignment keeping the true
    association sizes ``p_a``), kappa = ``(acc - chance) / (1 - chance)``, like Cohen's kappa:
    1 = every worker still closest to its own culture, 0 = no better than chance (one common
    standard), negative = worse than chance (workers closer to other cultures).

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        membership: ``(N,)`` association index of each worker.
        initial_centroids: ``(A, D)`` each association's mean initial practice.

    Returns:
        Kappa in ``[-chance / (1 - chance), 1]``; NaN when all workers belong to one
        association (chance is 1: nothing to tell apart).
    """
    x = _as_practices(practices)
    c0 = np.asarray(initial_centroids, dtype=np.float64)
    m = _as_labels(membership)
    return _kappa_from_credit(_fastmetrics.nearest_culture(x, m, c0)[1], m, len(c0))


@_jit
def _silhouette_mean(x, labels, n_labels):
    n, d = x.shape
    counts = np.zeros(n_labels)
    for i in range(n):
        counts[labels[i]] += 1.0
    sums = np.zeros((n, n_labels))
    for i in range(n):
        li = labels[i]
        for j in range(i + 1, n):
            dist = 0.0
            for f in range(d):
                dist += abs(x[i, f] - x[j, f])
            dist /= d
            sums[i, labels[j]] += dist
            sums[j, li] += dist
    total = 0.0
    for i in range(n):
        li = labels[i]
        if counts[li] <= 1.0:
            continue  # a worker alone in its association scores 0
        a = sums[i, li] / (counts[li] - 1.0)
        b = np.inf
        for g in range(n_labels):
            if g != li and counts[g] > 0.0:
                b = min(b, sums[i, g] / counts[g])
        top = max(a, b)
        if top > 0.0:
            total += (b - a) / top
    return total / n


def silhouette(practices: np.ndarray, membership: np.ndarray, max_n: int = 2000) -> float:
    """Mean silhouette of the workers with their associations as clusters.

    For each worker, ``a`` = mean distance (L1/D) to the other workers of its association, ``b``
    = smallest mean distance to the workers of another association, ``s = (b - a) / max(a, b)``
    (0 for a worker alone in its association). Near 1 = associations form compact, separated
    practice groups; near 0 = they overlap; negative = workers are closer to other
    associations than to their own.

    Exact for ``N <= max_n``; above, computed on a deterministic fixed-stride subsample of at
    most ``max_n`` workers (rows ``0, k, 2k, ...``), as the cost is ``O(N^2 D)``.

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        membership: ``(N,)`` association index of each worker.
        max_n: largest number of workers used.

    Returns:
        Mean silhouette in [-1, 1]; 0 when fewer than two associations have workers.
    """
    x = _as_practices(practices)
    m = _as_labels(membership)
    n = x.shape[0]
    if n > max_n:
        rows = np.arange(0, n, -(-n // max(1, max_n)))
        x, m = x[rows], m[rows]
    present, labels = np.unique(m, return_inverse=True)
    if len(present) < 2 or x.shape[1] == 0:
        return 0.0
    return float(_silhouette_mean(np.ascontiguousarray(x), labels.astype(np.int64), len(present)))


def culture_shift(cultures: np.ndarray, initial_cultures: np.ndarray) -> np.ndarray:
    """How far each association's culture has moved from where it started.

    Args:
        cultures: ``(A, D)`` current association cultures (the practice each stands for).
        initial_cultures: ``(A, D)`` the cultures at the start.

    Returns:
        ``(A,)`` L1/D distances in [0, 1].
    """
    c = np.asarray(cultures, dtype=np.float64)
    c0 = np.asarray(initial_cultures, dtype=np.float64)
    return np.abs(c - c0).mean(axis=-1)


# --------------------------------------------------------------------------------------------
# 5. Asymmetry
# --------------------------------------------------------------------------------------------


def sanitarisation(
    practices: np.ndarray,
    membership: np.ndarray,
    initial_centroids: np.ndarray,
    sector: np.ndarray,
) -> float:
    """Asymmetric drift of social practices towards health ones ("sanitarisation du social").

    The axis runs from the initial social centroid ``s0`` to the initial health centroid
    ``h0`` (means of the initial centroids of the social, resp. health, associations, weighted
    by their current numbers of workers). With ``s1``, ``h1`` the current mean practices of
    social and health workers, and ``L = |h0 - s0|``::

        social_drift = (s1 - s0) . (h0 - s0) / L^2   # > 0: social moved towards health
        health_drift = (h1 - h0) . (s0 - h0) / L^2   # > 0: health moved towards social
        sanitarisation = social_drift - health_drift

    in units of the initial social-health distance. Positive = the social side converged on
    the health side more than the reverse; 0 = symmetric (reciprocal) influence, or none.

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        membership: ``(N,)`` association index of each worker.
        initial_centroids: ``(A, D)`` each association's mean initial practice.
        sector: ``(A,)`` sector code of each association, 0 = health, 1 = social.

    Returns:
        The signed asymmetry; 0 when a sector has no worker or the two sectors started with
        the same mean practice.
    """
    x = _as_practices(practices)
    m = _as_labels(membership)
    c0 = np.asarray(initial_centroids, dtype=np.float64)
    sec = np.asarray(sector, dtype=np.int64).reshape(-1)
    sums, counts = _group_sums(x, m, len(c0))
    means = []
    for code in (1, 0):  # social, health
        w = np.where(sec == code, counts, 0).astype(np.float64)
        if w.sum() <= 0:
            return 0.0
        means.append((w @ c0 / w.sum(), w @ (sums / np.maximum(counts, 1)[:, None]) / w.sum()))
    (s0, s1), (h0, h1) = means
    axis = h0 - s0
    length2 = float(np.dot(axis, axis))
    if length2 <= _TINY:
        return 0.0
    social_drift = float(np.dot(s1 - s0, axis)) / length2
    health_drift = float(np.dot(h1 - h0, -axis)) / length2
    return social_drift - health_drift


# --------------------------------------------------------------------------------------------
# 6. Collaboration structure
# --------------------------------------------------------------------------------------------


def _ties(edges, strength):
    e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    w = np.asarray(strength, dtype=np.float64).reshape(-1)
    keep = w > 0
    return e[keep], w[keep]


def cross_tie_share(edges: np.ndarray, strength: np.ndarray, membership: np.ndarray) -> float:
    """Share of the collaboration that crosses association boundaries.

    Strength-weighted share of the collaboration ties linking workers of different
    associations: 0 = everyone collaborates only at home (co-presence), high = collaboration
    across associations on shared cases.

    Args:
        edges: ``(E, 2)`` worker indices of each undirected tie.
        strength: ``(E,)`` tie strengths >= 0; ties of strength 0 are ignored.
        membership: ``(N,)`` association index of each worker.

    Returns:
        Share in [0, 1]; 0 when there is no tie.
    """
    e, w = _ties(edges, strength)
    total = float(w.sum())
    if total <= 0:
        return 0.0
    m = _as_labels(membership)
    cross = m[e[:, 0]] != m[e[:, 1]]
    return min(1.0, float(w[cross].sum()) / total)


def tie_modularity(
    edges: np.ndarray, strength: np.ndarray, membership: np.ndarray, n_assoc: int
) -> float:
    """Newman modularity of the collaboration layer split by association.

    ``Q = sum_a [W_aa / W - (S_a / 2W)^2]`` with ``W`` the total tie strength, ``W_aa`` the
    strength of ties inside association ``a`` and ``S_a`` the summed strength (weighted degree)
    of its workers (a self-tie counts twice in ``S_a``, as in networkx). High = collaboration
    stays inside associations; 0 = as mixed as chance; negative = mostly across associations.
    Repeated edges add up.

    Args:
        edges: ``(E, 2)`` worker indices of each undirected tie (each listed once).
        strength: ``(E,)`` tie strengths >= 0; ties of strength 0 are ignored.
        membership: ``(N,)`` association index of each worker.
        n_assoc: number of associations A.

    Returns:
        Q in [-1/2, 1); 0 when there is no tie.
    """
    e, w = _ties(edges, strength)
    total = float(w.sum())
    if total <= 0:
        return 0.0
    m = _as_labels(membership)
    ga, gb = m[e[:, 0]], m[e[:, 1]]
    inside = np.bincount(ga[ga == gb], weights=w[ga == gb], minlength=n_assoc)
    degree = np.bincount(ga, weights=w, minlength=n_assoc) + np.bincount(
        gb, weights=w, minlength=n_assoc
    )
    return float(np.sum(inside / total - (degree / (2.0 * total)) ** 2))


# --------------------------------------------------------------------------------------------
# 7. Public access
# --------------------------------------------------------------------------------------------


@_jit
def _served_brute(x, worker_order, starts, need, need_site, tol):
    b = need.shape[0]
    d = need.shape[1]
    out = np.zeros(b, dtype=np.bool_)
    n_sites = starts.shape[0] - 1
    for k in range(b):
        s = need_site[k]
        if s < 0 or s >= n_sites:
            continue
        for p in range(starts[s], starts[s + 1]):
            i = worker_order[p]
            fits = True
            for f in range(d):
                if abs(x[i, f] - need[k, f]) > tol:
                    fits = False
                    break
            if fits:
                out[k] = True
                break
    return out


def _served(practices, worker_site, need, need_site, tolerance) -> np.ndarray:
    """``(B,)`` bool: a worker at the beneficiary's site fits its need within ``tolerance``."""
    x = np.ascontiguousarray(_as_practices(practices))
    ws = _as_labels(worker_site)
    q = np.ascontiguousarray(np.asarray(need, dtype=np.float64).reshape(-1, x.shape[1]))
    qs = _as_labels(need_site)
    if q.shape[0] == 0 or x.shape[0] == 0:
        return np.zeros(q.shape[0], dtype=bool)
    if x.shape[0] * q.shape[0] <= _ACCESS_BRUTE_CAP:
        n_sites = int(max(ws.max(), qs.max())) + 1
        order = np.argsort(ws, kind="stable")
        starts = np.searchsorted(ws[order], np.arange(n_sites + 1))
        return _served_brute(x, order, starts.astype(np.int64), q, qs, float(tolerance))
    out = np.zeros(q.shape[0], dtype=bool)
    bound = np.nextafter(float(tolerance), np.inf)
    for s in np.unique(qs):
        here = ws == s
        if not here.any():
            continue
        rows = np.flatnonzero(qs == s)
        dist, _ = cKDTree(x[here]).query(q[rows], k=1, p=np.inf, distance_upper_bound=bound)
        out[rows] = dist <= tolerance
    return out


def public_access(
    practices: np.ndarray,
    worker_site: np.ndarray,
    need: np.ndarray,
    need_site: np.ndarray,
    tolerance: float = 0.25,
) -> float:
    """Share of beneficiaries who find, at their site, a worker whose practice fits their need.

    A beneficiary is served when at least one worker of its site has a practice within
    ``tolerance`` of its need on every facet (Chebyshev distance <= tolerance): e.g. someone
    who needs walk-in, low-threshold, informal reception is lost if every worker of the site
    has standardised on appointments. Isomorphism can lower access by erasing the practices
    that fitted specific publics.

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        worker_site: ``(N,)`` site index of each worker.
        need: ``(B, D)`` the practice each beneficiary needs.
        need_site: ``(B,)`` site index of each beneficiary.
        tolerance: largest acceptable difference on any facet.

    Returns:
        Share in [0, 1]; NaN when there is no beneficiary.
    """
    served = _served(practices, worker_site, need, need_site, tolerance)
    return float(served.mean()) if served.shape[0] else math.nan


def public_access_by_site(
    practices: np.ndarray,
    worker_site: np.ndarray,
    need: np.ndarray,
    need_site: np.ndarray,
    tolerance: float = 0.25,
    n_sites: int | None = None,
) -> np.ndarray:
    """Per-site version of :func:`public_access`.

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        worker_site: ``(N,)`` site index of each worker.
        need: ``(B, D)`` the practice each beneficiary needs.
        need_site: ``(B,)`` site index of each beneficiary.
        tolerance: largest acceptable difference on any facet.
        n_sites: number of sites (default: one more than the largest site index seen).

    Returns:
        ``(n_sites,)`` share of each site's beneficiaries who are served; NaN for a site
        without beneficiaries.
    """
    served = _served(practices, worker_site, need, need_site, tolerance)
    qs = _as_labels(need_site)
    if n_sites is None:
        ws = _as_labels(worker_site)
        n_sites = int(max(ws.max(initial=-1), qs.max(initial=-1))) + 1
    total = np.bincount(qs, minlength=n_sites)[:n_sites].astype(np.float64)
    hits = np.bincount(qs, weights=served.astype(np.float64), minlength=n_sites)[:n_sites]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, hits / total, np.nan)


# --------------------------------------------------------------------------------------------
# 8. Regime
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegimeThresholds:
    """Cut-offs that turn the end-state metrics into a regime (see :func:`classify_regime`).

    Attributes:
        isomorphism_ratio: associations count as merged when their centroids kept less than
            this share of their initial mean distance (``centroid_distance_ratio``).
        isomorphism_kappa: ...or when workers are assigned to their own association's culture
            barely better than chance: ``identity_kappa`` below this.
        hybrid_share: hybridisation when at least this share of workers are mosaics
            (``hybrid_share``)...
        hybrid_ratio: ...or when the associations' centroids moved closer than this share of
            their initial distance (partial convergence without a common standard).
        fragmentation_factor: fragmentation needs more major practice clusters than
            associations *and* an effective number of clusters (inverse Simpson) of at least
            ``fragmentation_factor * n_assoc``, so that isolated workers and small splinters
            (each a "major" cluster at N = 40 with the default 2 % share) do not count: with
            four associations of ten, two stragglers give 4.4 effective clusters, two
            associations each split in halves give 6.
    """

    isomorphism_ratio: float = 0.35
    isomorphism_kappa: float = 0.35
    hybrid_share: float = 0.15
    hybrid_ratio: float = 0.85
    fragmentation_factor: float = 1.5


def classify_regime(
    summary: Mapping[str, float],
    n_assoc: int,
    thresholds: RegimeThresholds = RegimeThresholds(),
) -> str:
    """Name the end state of a run: persistence, hybridisation, isomorphism or fragmentation.

    Uses the keys ``centroid_distance_ratio``, ``identity_kappa``, ``hybrid_share``,
    ``n_major_clusters`` and ``effective_clusters`` of :func:`summary` (a missing key or a NaN
    value counts as "no evidence" for the test it enters). With ``T`` the thresholds:

    1. ``split`` = ``n_major_clusters > n_assoc`` and
       ``effective_clusters >= T.fragmentation_factor * n_assoc``.
    2. With fewer than two associations there is nothing to merge or mix:
       **fragmentation** if ``split``, else **persistence**.
    3. Associations indistinguishable (``centroid_distance_ratio < T.isomorphism_ratio`` or
       ``identity_kappa < T.isomorphism_kappa``): **fragmentation** if ``split`` (practices
       scattered across associations, no common standard), else **isomorphism**.
    4. Associations distinct but mixing (``hybrid_share >= T.hybrid_share`` or
       ``centroid_distance_ratio < T.hybrid_ratio``): **hybridisation**. This comes before
       fragmentation because facet-wise mosaics are new combinations and legitimately
       multiply the practice clusters.
    5. ``split`` without mixing (associations broke up internally): **fragmentation**.
    6. Otherwise **persistence**.

    Args:
        summary: metrics of one run, as returned by :func:`summary`.
        n_assoc: number of associations that have workers.
        thresholds: the cut-offs.

    Returns:
        One of :data:`REGIMES`.
    """
    t = thresholds

    def get(key: str) -> float:
        value = summary.get(key, math.nan)
        return math.nan if value is None else float(value)

    ratio = get("centroid_distance_ratio")
    split = get("n_major_clusters") > n_assoc and get("effective_clusters") >= (
        t.fragmentation_factor * n_assoc
    )
    if n_assoc < 2:
        return "fragmentation" if split else "persistence"
    if ratio < t.isomorphism_ratio or get("identity_kappa") < t.isomorphism_kappa:
        return "fragmentation" if split else "isomorphism"
    if get("hybrid_share") >= t.hybrid_share or ratio < t.hybrid_ratio:
        return "hybridisation"
    return "fragmentation" if split else "persistence"


def regime_code(name: str) -> int:
    """Integer code of a regime (its index in :data:`REGIMES`), for maps and arrays.

    Args:
        name: one of :data:`REGIMES`.

    Returns:
        0 persistence, 1 hybridisation, 2 isomorphism, 3 fragmentation.

    Raises:
        ValueError: for an unknown regime name.
    """
    try:
        return REGIMES.index(name)
    except ValueError:
        raise ValueError(f"unknown regime {name!r}; expected one of {REGIMES}") from None


# --------------------------------------------------------------------------------------------
# 9. Summary
# --------------------------------------------------------------------------------------------


def _nanmean(v: np.ndarray) -> float:
    ok = ~np.isnan(v)
    return float(v[ok].mean()) if ok.any() else math.nan


def summary(
    practices: np.ndarray,
    membership: np.ndarray,
    initial_centroids: np.ndarray,
    pooled: np.ndarray,
    sector: np.ndarray,
    worker_site: np.ndarray | None = None,
    need: np.ndarray | None = None,
    need_site: np.ndarray | None = None,
    edges: np.ndarray | None = None,
    strength: np.ndarray | None = None,
    cultures: np.ndarray | None = None,
    initial_cultures: np.ndarray | None = None,
    thresholds: RegimeThresholds = RegimeThresholds(),
    *,
    eps: float = 0.1,
    major_share: float = 0.02,
    min_gap: float = 0.1,
    min_share: float = 0.0,
    tolerance: float = 0.25,
    silhouette_max_n: int = 2000,
) -> dict[str, float | str]:
    """All scalar end-state metrics of a run, and its regime, under stable keys.

    Keys: ``between_share``, ``centroid_distance_ratio``, ``mean_pairwise_distance``,
    ``n_clusters``, ``n_major_clusters``, ``effective_clusters``, ``mean_projection``,
    ``mean_residual`` (means over workers that have a pooling axis), ``mean_borrowing_share``
    (mean over workers with a borrowable facet), ``hybrid_share``, ``identity_kappa``,
    ``silhouette``, ``mean_culture_shift``, ``sanitarisation``, ``cross_tie_share``,
    ``tie_modularity``, ``public_access`` (floats; NaN where undefined or where the inputs
    were not given) and ``regime`` (str, from :func:`classify_regime` with the number of
    associations that have workers).

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        membership: ``(N,)`` association index of each worker.
        initial_centroids: ``(A, D)`` each association's mean initial practice.
        pooled: ``(A, A)`` bool, True where two distinct associations share a site.
        sector: ``(A,)`` 0 = health, 1 = social.
        worker_site: ``(N,)`` site of each worker (for public access).
        need: ``(B, D)`` needs of the beneficiaries (None: no access measure).
        need_site: ``(B,)`` site of each beneficiary.
        edges: ``(E, 2)`` collaboration ties (None: no tie measures).
        strength: ``(E,)`` tie strengths.
        cultures: ``(A, D)`` current association cultures (None: no culture shift).
        initial_cultures: ``(A, D)`` the cultures at the start.
        thresholds: regime cut-offs.
        eps: linking threshold of :func:`practice_clusters`.
        major_share: major-cluster share of :func:`practice_clusters`.
        min_gap: borrowable-facet gap of :func:`borrowing_share`.
        min_share: borrowing share needed by :func:`hybrid_share`.
        tolerance: need-fit tolerance of :func:`public_access`.
        silhouette_max_n: subsample cap of :func:`silhouette`.

    Returns:
        A dict of floats plus the ``"regime"`` string.
    """
    x = _as_practices(practices)
    m = _as_labels(membership)
    c0 = np.asarray(initial_centroids, dtype=np.float64)
    n_assoc = len(c0)
    counts = np.bincount(m, minlength=n_assoc)
    clusters = practice_clusters(x, eps=eps, major_share=major_share)
    t, residual = projection_index(x, m, c0, pooled)
    borrow = _borrowing(x, m, c0, pooled, min_gap)
    out: dict[str, float | str] = {
        "between_share": between_share(x, m, n_assoc),
        "centroid_distance_ratio": centroid_distance_ratio(x, m, c0),
        "mean_pairwise_distance": mean_pairwise_distance(x),
        "n_clusters": float(clusters.n_clusters),
        "n_major_clusters": float(clusters.n_major),
        "effective_clusters": clusters.effective,
        "mean_projection": _nanmean(t),
        "mean_residual": _nanmean(residual),
        "mean_borrowing_share": _nanmean(borrow.share),
        "hybrid_share": _hybrid_share(borrow, min_share),
        "identity_kappa": _kappa_from_credit(borrow.credit, m, n_assoc),
        "silhouette": silhouette(x, m, max_n=silhouette_max_n),
        "mean_culture_shift": (
            math.nan
            if cultures is None or initial_cultures is None
            else float(np.mean(culture_shift(cultures, initial_cultures)))
        ),
        "sanitarisation": sanitarisation(x, m, c0, sector),
        "cross_tie_share": math.nan,
        "tie_modularity": math.nan,
        "public_access": math.nan,
    }
    if edges is not None and strength is not None:
        out["cross_tie_share"] = cross_tie_share(edges, strength, m)
        out["tie_modularity"] = tie_modularity(edges, strength, m, n_assoc)
    if need is not None and need_site is not None and worker_site is not None:
        out["public_access"] = public_access(x, worker_site, need, need_site, tolerance)
    out["regime"] = classify_regime(out, int(np.count_nonzero(counts)), thresholds)
    return out
