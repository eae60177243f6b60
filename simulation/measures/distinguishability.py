"""Distinguishability: can a worker still be told apart by association, among its site's?

Measured where the question makes sense: among the associations pooled on the worker's own
site, never against associations of other sites it never met (on a landscape every site's
associations descend from the same few prototypes, so a comparison across sites would call
distinct associations confused). Two views: the chance-corrected accuracy of assigning workers
to their association by their practice (:func:`distinguishability`), and the share of the
variance within sites that lies between associations (:func:`separation`). Both are relative to
the spread within associations, not to absolute distances: associations that shrink together
towards one site code stay as distinguishable as before (compression, not isomorphism).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from simulation.measures import _fast
from simulation.measures._arrays import (
    SCATTER_TOL,
    AssocStats,
    Sites,
    as_labels,
    as_practices,
    assoc_stats,
)
from simulation.measures._arrays import sites as make_sites

__all__ = ["distinguishability", "separation", "silhouette"]


def distinguishability(
    practices,
    membership,
    assoc_site,
    *,
    stats: AssocStats | None = None,
    site: Sites | None = None,
) -> float:
    """Chance-corrected accuracy of telling each worker's association from its practice.

    Each worker is assigned to the association of its site whose current centroid is nearest
    (L1/D) to its practice, its own association's centroid computed without it (leave one
    out, so that a small association does not recognise its members merely because they make
    its centroid); a tie between ``k`` nearest gives ``1/k`` credit. Pooled over sites, with
    ``correct`` the credited workers and ``expected`` the number a random assignment keeping
    each site's association sizes would get right (``sum_s sum_a n_a^2 / n_s``)::

        distinguishability = (correct - expected) / (counted - expected)

    Cohen's kappa for one site: 1 = every worker recognisable, 0 = no better than chance,
    negative = workers closer to another association of their site than to their own. A
    worker counts when its association has at least two workers and its site at least one
    other association with workers.

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        membership: ``(N,)`` association index of each worker.
        assoc_site: ``(A,)`` site of each association.
        stats: per-association statistics of these practices, if already computed.
        site: the site structure, if already built.

    Returns:
        Kappa, at most 1 (below -1 only in tiny sites); NaN when no worker counts (no site
        with two associations).
    """
    x, m = as_practices(practices), as_labels(membership)
    s = site if site is not None else make_sites(assoc_site)
    st = stats if stats is not None else assoc_stats(x, m, len(s.assoc_site))
    credit, counted = _fast.distinguish_counts(
        x, m, st.sums, st.counts, s.assoc_site, s.ptr, s.assoc
    )
    n_site = np.bincount(s.assoc_site, weights=counted, minlength=len(s.ptr) - 1)
    per_site = np.bincount(s.assoc_site, weights=counted**2, minlength=len(s.ptr) - 1)
    live = n_site > 0
    expected = float(np.sum(per_site[live] / n_site[live]))
    total = float(counted.sum())
    if total <= 0 or total - expected <= 1e-9:
        return math.nan
    return (float(credit.sum()) - expected) / (total - expected)


def separation(
    practices,
    membership,
    assoc_site,
    *,
    stats: AssocStats | None = None,
    site: Sites | None = None,
) -> float:
    """Share of the practice variance within sites that lies between their associations.

    Eta squared computed site by site and pooled: the summed between-association scatter of
    every site with at least two associations with workers, over the summed total scatter of
    those sites. 1 = each association internally uniform and different from its neighbours,
    0 = on every site, the association says nothing about a worker's practice.

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        membership: ``(N,)`` association index of each worker.
        assoc_site: ``(A,)`` site of each association.
        stats: per-association statistics of these practices, if already computed.
        site: the site structure, if already built.

    Returns:
        Pooled within-site eta squared in [0, 1]; NaN with no site of two associations, 0 when
        those sites' practices have no spread.
    """
    x = as_practices(practices)
    s = site if site is not None else make_sites(assoc_site)
    st = stats if stats is not None else assoc_stats(x, membership, len(s.assoc_site))
    n_sites = len(s.ptr) - 1
    counts = st.counts.astype(np.float64)
    occupied = np.bincount(s.assoc_site, weights=(st.counts > 0), minlength=n_sites)
    keep = occupied[s.assoc_site] >= 2
    if not keep.any():
        return math.nan
    n_s = np.bincount(s.assoc_site, weights=counts, minlength=n_sites)
    site_sum = np.zeros((n_sites, x.shape[1]))
    np.add.at(site_sum, s.assoc_site, st.sums)
    site_mean = site_sum / np.maximum(n_s, 1)[:, None]
    dev = st.means - site_mean[s.assoc_site]
    between = float(np.sum((counts * np.einsum("ij,ij->i", dev, dev))[keep]))
    total = between + float(st.scatter[keep].sum())
    if total <= SCATTER_TOL * max(1.0, counts[keep].sum()) * x.shape[1]:
        return 0.0
    return min(1.0, max(0.0, between / total))


@numba.njit(cache=True, nogil=True)
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


def silhouette(practices, membership, max_n: int = 2000) -> float:
    """Mean silhouette of the workers with their associations as clusters (not recorded).

    For each worker, ``a`` = mean distance (L1/D) to the other workers of its association,
    ``b`` = smallest mean distance to the workers of another association, ``s = (b - a) /
    max(a, b)`` (0 for a worker alone in its association). Exact for ``N <= max_n``; above, on
    the fixed-stride subsample of rows ``0, k, 2k, ...`` (at most ``max_n`` rows), as the cost
    is ``O(N^2 D)``. It compares all associations, pooled together or not: on a landscape,
    prefer :func:`distinguishability`.

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        membership: ``(N,)`` association index of each worker.
        max_n: largest number of workers used.

    Returns:
        Mean silhouette in [-1, 1]; 0 when fewer than two associations have workers.
    """
    x = as_practices(practices)
    m = as_labels(membership)
    n = x.shape[0]
    if n > max_n:
        rows = np.arange(0, n, -(-n // max(1, max_n)))
        x, m = x[rows], m[rows]
    present, labels = np.unique(m, return_inverse=True)
    if len(present) < 2 or x.shape[1] == 0:
        return 0.0
    return float(_silhouette_mean(np.ascontiguousarray(x), labels.astype(np.int64), len(present)))
