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

__all__ = ["PracticeClusters", "practice_clusters", "practice_clusters_scipy", "site_clusters"]

# Up to this many workers practice_clusters links every pair directly (O(N^2), no set-up cost).
_DENSE_CLUSTER_CAP = 256


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn)


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
def site_clusters(x, order, starts, eps, major_share, chosen):
    """Practice clusters site by site: the mean, over sites with workers, of their counts.

    The workers of site ``s`` are ``order[starts[s]:starts[s + 1]]``; only the sites ``s`` with
    ``chosen[s]`` are counted (a sample of sites, see
    :data:`simulation.measures.thresholds.CLUSTER_SITES`). Each site's clusters are
    the components of its own workers (single linkage, Chebyshev distance < ``eps``), found by
    the same sweep as :func:`_components_dense`. Workers of different sites, who never meet, are
    never linked, so a landscape of copies of one site reads like that site.

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
        for q in range(k):
            for f in range(d):
                rows[q, f] = x[order[lo + q], f]
        labels = _components_dense(rows[:k], eps)
        sizes[:k] = 0
        n_c = 0
        for q in range(k):
            sizes[labels[q]] += 1
            n_c = max(n_c, labels[q] + 1)
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
