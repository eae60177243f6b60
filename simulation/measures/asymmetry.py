"""Asymmetry: did social practices drift towards health ones more than the reverse (SF6)?"""

from __future__ import annotations

import numpy as np

from simulation.measures._arrays import TINY, AssocStats, as_labels, as_practices, assoc_stats

__all__ = ["sanitarisation"]


def sanitarisation(
    practices: np.ndarray,
    membership: np.ndarray,
    initial_centroids: np.ndarray,
    sector: np.ndarray,
    *,
    stats: AssocStats | None = None,
    facets=None,
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
        stats: per-association statistics of these practices, if already computed.
        facets: ``(D,)`` bool, the facets of health expertise the axis is measured on (the
            model's ``world.sector_facet``: sector influence acts on those only); default all.

    Returns:
        The signed asymmetry; 0 when a sector has no worker or the two sectors started with
        the same mean practice.
    """
    c0 = np.asarray(initial_centroids, dtype=np.float64)
    sec = np.asarray(sector, dtype=np.int64).reshape(-1)
    if stats is None:
        stats = assoc_stats(as_practices(practices), as_labels(membership), len(c0))
    sums, counts = stats.sums, stats.counts
    means = []
    for code in (1, 0):  # social, health
        w = np.where(sec == code, counts, 0).astype(np.float64)
        if w.sum() <= 0:
            return 0.0
        means.append((w @ c0 / w.sum(), w @ (sums / np.maximum(counts, 1)[:, None]) / w.sum()))
    (s0, s1), (h0, h1) = means
    if facets is not None:
        keep = np.asarray(facets, dtype=bool).reshape(-1)
        s0, s1, h0, h1 = s0[keep], s1[keep], h0[keep], h1[keep]
    axis = h0 - s0
    length2 = float(np.dot(axis, axis))
    if length2 <= TINY:
        return 0.0
    social_drift = float(np.dot(s1 - s0, axis)) / length2
    health_drift = float(np.dot(h1 - h0, -axis)) / length2
    return social_drift - health_drift
