"""Practice clusters: groups of workers linked by chains of close neighbours (single linkage).

A descriptive measure (the regime rule does not use it): how many distinct practices there are,
whatever the associations. Two workers are linked when they differ by less than ``eps`` on every
facet; clusters are the connected components, like the opinion groups of Deffuant et al.
(2000). The recorder counts them site by site (:func:`site_clusters`, the workers who share
premises); :func:`practice_clusters` clusters any set of practices at once, at any size.
The grid union-find that makes them exact at any size is in :mod:`simulation.measures._grid`.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from simulation.measures import thresholds
from simulation.measures._arrays import as_practices
from simulation.measures._grid import components_dense as _components_dense
from simulation.measures._grid import components_grid as _components_grid

__all__ = [
    "PracticeClusters",
    "clique_components",
    "practice_clusters",
    "practice_clusters_scipy",
    "site_clusters",
]

# Up to this many workers practice_clusters links every pair directly (O(N^2), no set-up cost).
_DENSE_CLUSTER_CAP = 256


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn)


def _jit_inline(fn):
    return numba.njit(cache=True, nogil=True, inline="always")(fn)


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


def practice_clusters(
    practices: np.ndarray,
    eps: float = thresholds.CLUSTER_EPS,
    major_share: float = thresholds.MAJOR_SHARE,
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
    x = np.ascontiguousarray(as_practices(practices))
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


def practice_clusters_scipy(
    practices: np.ndarray, eps: float = thresholds.CLUSTER_EPS
) -> np.ndarray:
    """The same partition as :func:`practice_clusters`, with SciPy (for comparison and tests).

    Every pair of workers closer than ``eps`` on every facet is listed by
    ``cKDTree.query_pairs`` and the components found by ``csgraph.connected_components``.
    Slower than the grid (see the module's docstring), kept as an independent check.

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        eps: linking threshold on the largest facet difference, > 0.

    Returns:
        ``(N,)`` labels, numbered 0, 1, ... in order of first worker.
    """
    x = np.ascontiguousarray(as_practices(practices))
    n = x.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    # query_pairs keeps distances <= r; the clusters link distances < eps
    r = np.nextafter(float(eps), 0.0)
    pairs = cKDTree(x).query_pairs(r, p=np.inf, output_type="ndarray")
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, raw = connected_components(graph, directed=False)
    _, first = np.unique(raw, return_index=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[raw]


@_jit
def _clique_labels(x, k, eps, group, lead, lo, hi, parent, ptr, members, by_lo, labels):
    """Single-linkage components of the first ``k`` rows of ``x`` (Chebyshev distance < ``eps``).

    Each row joins a leader it is within
    ``eps / 2`` of on every facet (shrunk by a relative 1e-9, so that rounding can never bring
    two members of a leader's group to ``eps`` apart) or leads a new group: a group is a clique,
    inside one component. Two groups are then joined when some pair of their members is linked,
    checked only where their bounding boxes come within ``eps`` of each other and stopping at
    the first link. It gives the same partition as checking every pair
    (:func:`_components_dense`) at a fraction of the pairs when the rows form a few tight
    clumps, as a site's associations do.

    ``labels`` receives the components numbered by first row (as :func:`_components_dense`
    numbers them); the other arguments are scratch space of at least ``k`` rows.

    Returns:
        The number of components.
    """
    n_g = _leaders(x, k, 0.5 * eps * (1.0 - 1e-9), group, lead, lo, hi, parent)
    ptr[: n_g + 1] = 0  # members of each group, by a counting sort
    for i in range(k):
        ptr[group[i] + 1] += 1
    for g in range(n_g):
        ptr[g + 1] += ptr[g]
    for i in range(k):
        g = group[i]
        members[ptr[g]] = i
        ptr[g] += 1
    for g in range(n_g, 0, -1):
        ptr[g] = ptr[g - 1]
    ptr[0] = 0
    best = _sort_boxes(lo, n_g, by_lo)
    for p in range(n_g):
        g = by_lo[p]
        for q in range(p + 1, n_g):
            h = by_lo[q]
            if lo[h, best] - hi[g, best] >= eps:
                break  # so are the boxes after it, which start further on
            if parent[g] == parent[h] or _apart(lo, g, hi, h, eps):
                continue
            if _any_link(x, members, ptr[g], ptr[g + 1], ptr[h], ptr[h + 1], lo, hi, h, eps):
                joined, into = max(parent[g], parent[h]), min(parent[g], parent[h])
                for c in range(n_g):  # a few dozen groups: relabel rather than chase roots
                    if parent[c] == joined:
                        parent[c] = into
    n_c = 0
    for g in range(n_g):
        lead[g] = -1  # reused: the label of each component
    for i in range(k):
        root = parent[group[i]]
        if lead[root] < 0:
            lead[root] = n_c
            n_c += 1
        labels[i] = lead[root]
    return n_c


@_jit
def _leaders(x, k, r, group, lead, lo, hi, parent):
    """Groups of rows within ``r`` of their group's leader on every facet (see the caller).

    A row joins the latest leader it is close to (neighbouring rows, often of one association,
    are alike) or leads a new group. Fills ``group`` (by row), ``lead`` (the leader of each
    group), the groups' boxes ``lo`` and ``hi`` and ``parent``, the component of each group
    (each its own, to begin with).

    Returns:
        The number of groups.
    """
    d = x.shape[1]
    n_g = 0
    for i in range(k):
        g = n_g
        for h in range(n_g - 1, -1, -1):
            if _within(x, i, lead[h], r):
                g = h
                break
        if g == n_g:
            lead[g] = i
            parent[g] = g
            n_g += 1
            for f in range(d):
                lo[g, f] = x[i, f]
                hi[g, f] = x[i, f]
        else:
            for f in range(d):
                lo[g, f] = min(lo[g, f], x[i, f])
                hi[g, f] = max(hi[g, f], x[i, f])
        group[i] = g
    return n_g


@_jit
def _sort_boxes(lo, n_g, by_lo):
    """The facet on which the groups' boxes start most spread, and the groups in that order."""
    best = 0
    widest = -1.0
    for f in range(lo.shape[1]):
        low = np.inf
        high = -np.inf
        for g in range(n_g):
            low = min(low, lo[g, f])
            high = max(high, lo[g, f])
        if high - low > widest:
            widest = high - low
            best = f
    for g in range(n_g):  # insertion sort: a few dozen groups
        j = g - 1
        while j >= 0 and lo[by_lo[j], best] > lo[g, best]:
            by_lo[j + 1] = by_lo[j]
            j -= 1
        by_lo[j + 1] = g
    return best


@_jit_inline
def _within(x, i, j, r):
    """Whether rows ``i`` and ``j`` of ``x`` differ by less than ``r`` on every facet."""
    far = False
    for f in range(x.shape[1]):
        far |= abs(x[i, f] - x[j, f]) >= r
    return not far


@_jit_inline
def _apart(lo, g, hi, h, eps):
    """Whether the boxes of groups ``g`` and ``h`` are ``eps`` apart on some facet."""
    apart = False
    for f in range(lo.shape[1]):  # every facet, without a branch to mispredict
        apart |= (lo[h, f] - hi[g, f] >= eps) | (lo[g, f] - hi[h, f] >= eps)
    return apart


@_jit_inline
def _any_link(x, members, g0, g1, h0, h1, lo, hi, h, eps):
    """Whether some member of one group (``members[g0:g1]``) is linked to one of another."""
    for p in range(g0, g1):
        i = members[p]
        far = False  # from the other group's box (same rounding as the link), every facet read
        for f in range(x.shape[1]):
            v = x[i, f]
            far |= (lo[h, f] - v >= eps) | (v - hi[h, f] >= eps)
        if far:
            continue
        for q in range(h0, h1):
            if _within(x, i, members[q], eps):
                return True
    return False


def clique_components(x: np.ndarray, eps: float) -> np.ndarray:
    """:func:`_clique_labels` on its own: the components' labels, numbered by first row."""
    x = np.ascontiguousarray(as_practices(x))
    k, d = x.shape
    labels = np.zeros(k, dtype=np.int64)
    if k:
        _clique_labels(x, k, float(eps), *_scratch(k, d), labels)
    return labels


@_jit
def _scratch(k, d):
    """Scratch space of :func:`_clique_labels` for up to ``k`` rows of ``d`` facets."""
    return (
        np.empty(k, dtype=np.int64),
        np.empty(k, dtype=np.int64),
        np.empty((k, d)),
        np.empty((k, d)),
        np.empty(k, dtype=np.int64),
        np.empty(k + 1, dtype=np.int64),
        np.empty(k, dtype=np.int64),
        np.empty(k, dtype=np.int64),
    )


@_jit
def site_clusters(x, order, starts, eps, major_share, chosen):
    """Practice clusters site by site: the mean, over sites with workers, of their counts.

    The workers of site ``s`` are ``order[starts[s]:starts[s + 1]]``; only the sites ``s`` with
    ``chosen[s]`` are counted (a sample of sites, see
    :data:`simulation.measures.thresholds.CLUSTER_SITES`). Each site's clusters are
    the components of its own workers (single linkage, Chebyshev distance < ``eps``), found
    by :func:`_clique_labels` (the partition of :func:`_components_dense`, numbered alike).
    Workers of different sites, who never meet, are never linked, so a landscape of copies of
    one site reads like that site.

    Returns:
        ``(clusters, major, effective)``: the mean number of clusters per site, of clusters
        holding at least ``major_share`` of their site's workers, and of the inverse Simpson
        index of the cluster sizes; NaN without workers.
    """
    n_sites = starts.shape[0] - 1
    d = x.shape[1]
    width = 1
    for s in range(n_sites):
        width = max(width, starts[s + 1] - starts[s])
    rows = np.empty((width, d))
    sizes = np.zeros(width, dtype=np.int64)
    labels = np.empty(width, dtype=np.int64)
    scratch = _scratch(width, d)
    total_c = 0.0
    total_m = 0.0
    total_e = 0.0
    occupied = 0
    for s in range(n_sites):
        lo, hi = starts[s], starts[s + 1]
        k = hi - lo
        if k == 0 or not chosen[s]:
            continue
        occupied += 1
        first = order[lo]
        side_by_side = True  # the site's workers already in order in x: read them there
        for q in range(k):
            side_by_side &= order[lo + q] == first + q
        if side_by_side:
            n_c = _clique_labels(x[first : first + k], k, eps, *scratch, labels)
        else:
            for q in range(k):
                for f in range(d):
                    rows[q, f] = x[order[lo + q], f]
            n_c = _clique_labels(rows, k, eps, *scratch, labels)
        sizes[:n_c] = 0
        for q in range(k):
            sizes[labels[q]] += 1
        simpson = 0.0
        for c in range(n_c):
            if sizes[c] >= major_share * k:
                total_m += 1.0
            share = sizes[c] / k
            simpson += share * share
        total_c += n_c
        total_e += 1.0 / simpson
    if occupied == 0:
        return np.nan, np.nan, np.nan
    return total_c / occupied, total_m / occupied, total_e / occupied
