"""Convergence: how far apart the associations' average practices are, against week 0.

Convergence is a statement about absolute distances: the centroids of the associations that
share a site moved closer together than they were when pooling began. It says nothing yet about
whether a worker can still be told apart by association (:mod:`.distinguishability`) nor about
how individual workers mixed (:mod:`.crossing`). Also here: the overall diversity of practice,
the between-association share of variance, and how far each association's culture moved.
"""

from __future__ import annotations

import math

import numpy as np

from simulation.measures._arrays import (
    SCATTER_TOL,
    TINY,
    AssocStats,
    Sites,
    as_practices,
    assoc_stats,
    l1_rows,
)
from simulation.measures._arrays import sites as make_sites

__all__ = [
    "SortedFacets",
    "between_share",
    "centroid_gap",
    "centroid_gap_ratio",
    "culture_shift",
    "mean_pairwise_distance",
]


def _gap_sum(cents: np.ndarray, counts: np.ndarray, pairs: np.ndarray) -> tuple[float, int]:
    """Summed L1/D distance over the site pairs whose two associations have workers."""
    if pairs.size == 0:
        return 0.0, 0
    live = (counts[pairs[:, 0]] > 0) & (counts[pairs[:, 1]] > 0)
    p = pairs[live]
    return float(l1_rows(cents[p[:, 0]], cents[p[:, 1]]).sum()), int(live.sum())


def centroid_gap(
    practices,
    membership,
    assoc_site,
    *,
    stats: AssocStats | None = None,
    site: Sites | None = None,
) -> float:
    """Mean distance between the current centroids of associations pooled on the same site.

    The mean, over every pair of associations that share a site and both have workers, of the
    L1/D distance between their centroids: how different the practices of associations that
    work side by side are on average. Pairs on different sites are never compared, so a
    landscape of many sites reads like one of its sites.

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        membership: ``(N,)`` association index of each worker.
        assoc_site: ``(A,)`` site of each association.
        stats: per-association statistics of these practices, if already computed.
        site: the site structure, if already built.

    Returns:
        Mean distance in [0, 1]; NaN when no site holds two associations with workers.
    """
    s = site if site is not None else make_sites(assoc_site)
    st = stats if stats is not None else assoc_stats(practices, membership, len(s.assoc_site))
    total, n_pairs = _gap_sum(st.means, st.counts, s.pairs)
    return total / n_pairs if n_pairs else math.nan


def centroid_gap_ratio(
    practices,
    membership,
    assoc_site,
    initial_centroids,
    *,
    stats: AssocStats | None = None,
    site: Sites | None = None,
) -> float:
    """Convergence: the centroid gap now over the centroid gap at week 0.

    Summed distance between the current centroids of the pairs of associations that share a
    site, over the same sum between their initial centroids (the mean initial practices). 1 =
    as far apart as when pooling began, < 1 = closer in absolute terms, > 1 = further apart.

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        membership: ``(N,)`` association index of each worker.
        assoc_site: ``(A,)`` site of each association.
        initial_centroids: ``(A, D)`` each association's mean initial practice.
        stats: per-association statistics of these practices, if already computed.
        site: the site structure, if already built.

    Returns:
        The ratio (>= 0); NaN when no site holds two associations with workers, or their
        initial centroids coincide (no contrast to lose).
    """
    c0 = np.asarray(initial_centroids, dtype=np.float64)
    s = site if site is not None else make_sites(assoc_site)
    st = stats if stats is not None else assoc_stats(practices, membership, len(c0))
    now, n_pairs = _gap_sum(st.means, st.counts, s.pairs)
    then, _ = _gap_sum(c0, st.counts, s.pairs)
    if n_pairs == 0 or then <= TINY * n_pairs:
        return math.nan
    return now / then


def between_share(
    practices, membership, n_assoc: int, *, stats: AssocStats | None = None
) -> float:
    """Share of the practice variance that lies between associations (eta squared), overall.

    ``trace(between scatter) / trace(total scatter)`` over all workers, the analogue of the F_ST
    of population genetics: 1 when each association is internally uniform and they differ, 0
    when the association says nothing about a practice. On a landscape it mixes associations of
    different sites that were never pooled; the site-wise version is
    :func:`simulation.measures.distinguishability.separation`.

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        membership: ``(N,)`` association index of each worker.
        n_assoc: number of associations A.
        stats: per-association statistics of these practices, if already computed.

    Returns:
        Eta squared in [0, 1]; 0 when the practices have no spread.
    """
    x = as_practices(practices)
    st = stats if stats is not None else assoc_stats(x, membership, n_assoc)
    n = int(st.counts.sum())
    if n == 0:
        return 0.0
    grand = st.sums.sum(axis=0) / n
    dev = st.means - grand
    between = float(np.dot(st.counts, np.einsum("ij,ij->i", dev, dev)))
    total = between + float(st.scatter.sum())
    if total <= SCATTER_TOL * n * x.shape[1]:
        return 0.0
    return min(1.0, max(0.0, between / total))


def mean_pairwise_distance(practices) -> float:
    """Mean distance between two workers' practices: the overall diversity of practice.

    Exact mean of the L1/D distance over all unordered pairs of workers, computed facet by
    facet from the sorted values (``sum_{i<j} |s_j - s_i| = sum_k (2k - n + 1) s_k``; ``O(D N
    log N)``, no pair is formed).

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].

    Returns:
        Mean pairwise distance in [0, 1]; 0 with fewer than two workers.
    """
    x = as_practices(practices)
    return SortedFacets().mean_pairwise_distance(x)


class SortedFacets:
    """:func:`mean_pairwise_distance` week after week, sorting from last week's order.

    Practices move little in a week, so last week's sorting permutation leaves each facet
    almost sorted and an insertion sort finishes it in linear time (a merge sort takes over
    when too much moved). The sum runs over the sorted values in order, so the result is the
    module function's, bit for bit.
    """

    def __init__(self) -> None:
        self.perm: np.ndarray | None = None

    def order(self, n: int, d: int) -> np.ndarray:
        """The ``(D, N)`` permutation kept from last time (identity at first or on resize)."""
        if self.perm is None or self.perm.shape != (d, n):
            self.perm = np.tile(np.arange(n, dtype=np.int64), (d, 1))
        return self.perm

    def mean_pairwise_distance(self, practices) -> float:
        """The exact mean pairwise distance of ``practices`` (see the module function)."""
        from simulation.measures._pairwise import sorted_mean_pairwise

        x = as_practices(practices)
        return float(sorted_mean_pairwise(x, self.order(*x.shape)))


def culture_shift(cultures, initial_cultures) -> np.ndarray:
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
