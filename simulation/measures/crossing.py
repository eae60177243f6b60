"""Crossing: did workers adopt a partner's practice on some facets and keep their own on others?

Hybridisation, in the study's words, is facet-wise: the family-planning health professional
became "un peu plus bas seuil" (access conditions changed) while the medical framing did not.
Here each facet on which a pooled partner association started clearly apart from the worker's
own is *borrowable*; the worker's position on it runs from its association's initial value (0)
to the partner's (1) and is read in thirds: kept (own side), midway, adopted (partner side). A
worker who adopted on one facet and kept on another is a *mosaic*: crossing. Blending (midway on
every facet) is told apart: it moves the centroids closer (convergence) without any crossing.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from simulation.measures import _fast, thresholds
from simulation.measures._arrays import TINY, Sites, as_labels, as_practices
from simulation.measures._arrays import sites as make_sites

__all__ = [
    "Borrowable",
    "Crossing",
    "borrowable",
    "crossing",
    "entry_factors",
    "initial_spread",
    "projection_index",
]


class Borrowable(NamedTuple):
    """The (facet, partner) pairs each association can borrow from, sorted by facet.

    Association ``a``'s entries are ``facet[ptr[a]:ptr[a + 1]]`` and
    ``partner[ptr[a]:ptr[a + 1]]``.
    """

    ptr: np.ndarray
    facet: np.ndarray
    partner: np.ndarray


class Crossing(NamedTuple):
    """Facet-wise positions of the pooled workers, summed up.

    Attributes:
        crossing: share of counted workers who are mosaics: on a partner's value on one facet
            and on their own on another, which no uniform blend would be.
        adoption: share of the counted workers' borrowable facets on a partner's value.
        blending: share of those facets midway.
        n_counted: workers with at least two borrowable facets.
    """

    crossing: float
    adoption: float
    blending: float
    n_counted: int


def initial_spread(practices, membership, n_assoc: int) -> np.ndarray:
    """``(A, D)`` standard deviation of each association's workers on each facet (population)."""
    x, m = as_practices(practices), as_labels(membership)
    counts = np.bincount(m, minlength=n_assoc).astype(np.float64)
    sums = np.zeros((n_assoc, x.shape[1]))
    np.add.at(sums, m, x)
    means = sums / np.maximum(counts, 1)[:, None]
    sq = np.zeros_like(sums)
    np.add.at(sq, m, (x - means[m]) ** 2)
    return np.sqrt(sq / np.maximum(counts, 1)[:, None])


def borrowable(
    initial_centroids,
    spread,
    assoc_site,
    *,
    gap_sd: float = thresholds.GAP_SD,
    min_gap: float = thresholds.MIN_GAP,
) -> Borrowable:
    """Which facets each association can borrow from which partner of its site.

    Facet ``f`` of association ``a`` is borrowable from a partner ``b`` of its site when their
    initial centroids differ there by at least ``gap_sd`` times the root mean square of their
    workers' initial standard deviations on ``f``, and by at least ``min_gap`` (see
    :mod:`simulation.measures.thresholds` for both reasons).

    Args:
        initial_centroids: ``(A, D)`` each association's mean initial practice.
        spread: ``(A, D)`` initial standard deviation of each association's workers.
        assoc_site: ``(A,)`` site of each association.
        gap_sd: smallest gap in standard deviations of individual spread.
        min_gap: smallest gap in absolute terms.

    Returns:
        The :class:`Borrowable` entries.
    """
    c0 = np.asarray(initial_centroids, dtype=np.float64)
    sd = np.asarray(spread, dtype=np.float64)
    s: Sites = make_sites(assoc_site)
    a = np.concatenate([s.pairs[:, 0], s.pairs[:, 1]])
    b = np.concatenate([s.pairs[:, 1], s.pairs[:, 0]])
    gap = np.abs(c0[a] - c0[b])
    need = np.maximum(min_gap, gap_sd * np.sqrt(0.5 * (sd[a] ** 2 + sd[b] ** 2)))
    ok = (gap >= need) & (gap > TINY)
    rows, facets = np.nonzero(ok)
    own, partner = a[rows], b[rows]
    order = np.lexsort((partner, facets, own))
    ptr = np.zeros(len(c0) + 1, dtype=np.int64)
    np.cumsum(np.bincount(own, minlength=len(c0)), out=ptr[1:])
    return Borrowable(ptr, facets[order].astype(np.int64), partner[order].astype(np.int64))


def crossing(
    practices,
    membership,
    initial_centroids,
    entries: Borrowable,
    *,
    axes: tuple[np.ndarray, np.ndarray] | None = None,
    assoc_site=None,
    kept: float = thresholds.KEPT,
    adopted: float = thresholds.ADOPTED,
) -> Crossing:
    """Share of pooled workers who crossed over facet by facet, and how facets sit.

    A worker is a mosaic when it sits on a partner's initial value on some borrowable facet and
    on its own on another, and no uniform blend (the same fraction of the way to its partners'
    mean culture on every facet) would sit on both (see
    :func:`simulation.measures._fast.crossing_counts`). A worker who blended (midway on every
    facet, or the same fraction of the way to a common standard) is no mosaic, however far it
    moved; nor is one who did not move.

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        membership: ``(N,)`` association index of each worker.
        initial_centroids: ``(A, D)`` each association's mean initial practice.
        entries: the borrowable facets (:func:`borrowable`).
        axes: the pooling axes (:func:`projection_axes`), if already built.
        assoc_site: ``(A,)`` site of each association (to build the axes otherwise).
        kept: position up to which a facet reads as kept.
        adopted: position from which a facet reads as adopted.

    Returns:
        A :class:`Crossing`; its shares are NaN when no worker has two borrowable facets.
    """
    x, m = as_practices(practices), as_labels(membership)
    c0 = np.ascontiguousarray(initial_centroids, dtype=np.float64)
    if axes is None:
        if assoc_site is None:
            raise ValueError("crossing needs the associations' sites (assoc_site) or their axes")
        axes = projection_axes(c0, assoc_site)
    inv, r = entry_factors(c0, entries, axes[0])
    n_counted, n_mosaic, n_facets, n_adopted, n_midway = _fast.crossing_counts(
        x, m, c0, entries.ptr, entries.facet, inv, r, float(kept), float(adopted)
    )
    if n_counted == 0:
        return Crossing(math.nan, math.nan, math.nan, 0)
    return Crossing(
        n_mosaic / n_counted, n_adopted / n_facets, n_midway / n_facets, int(n_counted)
    )


def entry_factors(initial_centroids, entries: Borrowable, axis) -> tuple[np.ndarray, np.ndarray]:
    """Per borrowable entry: the inverse gap to the partner, and the axis times it.

    Returns:
        ``(inv, r)``, each ``(len(entries.facet),)``, for
        :func:`simulation.measures._fast.crossing_counts`.
    """
    c0 = np.asarray(initial_centroids, dtype=np.float64)
    own = np.repeat(np.arange(len(entries.ptr) - 1), np.diff(entries.ptr))
    inv = 1.0 / (c0[entries.partner, entries.facet] - c0[own, entries.facet])
    return np.ascontiguousarray(inv), np.ascontiguousarray(axis[own, entries.facet] * inv)


def projection_axes(initial_centroids, assoc_site) -> tuple[np.ndarray, np.ndarray]:
    """Each association's pooling axis (to its site partners' mean centroid) and whether any."""
    c0 = np.asarray(initial_centroids, dtype=np.float64)
    site = as_labels(assoc_site)
    same = site[:, None] == site[None, :]
    np.fill_diagonal(same, False)
    n_partners = same.sum(axis=1)
    axis = same @ c0 / np.maximum(n_partners, 1)[:, None] - c0
    has = (n_partners > 0) & (np.einsum("ij,ij->i", axis, axis) > TINY)
    return np.ascontiguousarray(axis), has


def projection_index(
    practices, membership, initial_centroids, assoc_site, *, axes=None
) -> tuple[float, float]:
    """Where workers stand on average between their culture and their partners' cultures.

    The axis of a worker runs from its association's initial centroid (``t = 0``) to the mean
    of the initial centroids of the associations of its site (``t = 1``). ``t`` is the
    Euclidean projection of its practice on that axis (not clipped); the residual is the L1/D
    size of the part off the axis (a new practice rather than a blend).

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        membership: ``(N,)`` association index of each worker.
        initial_centroids: ``(A, D)`` each association's mean initial practice.
        assoc_site: ``(A,)`` site of each association.
        axes: :func:`projection_axes` of these centroids and sites, if already built.

    Returns:
        ``(mean t, mean residual)`` over workers with an axis; NaN without any.
    """
    x, m = as_practices(practices), as_labels(membership)
    c0 = np.ascontiguousarray(initial_centroids, dtype=np.float64)
    axis, has = axes if axes is not None else projection_axes(c0, assoc_site)
    st, sr, n = _fast.projection_sums(x, m, c0, axis, has)
    return (st / n, sr / n) if n else (math.nan, math.nan)
