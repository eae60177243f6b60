"""Every measure of a state at once, under stable keys, reusing what the measures share.

:class:`Recorder` is built once per run from the state at week 0 (what was pooled where, the
initial centroids and spreads, the beneficiaries) and called once per recorded week. It computes
the per-association statistics once and hands them to every measure that needs them, keeps the
sorting order of the practices from week to week (diversity), and remembers who served each
beneficiary (public access). Every value is exact: the same as the module functions give on the
same arrays (up to the order of floating-point additions, about 1e-15 relative, for the
quantities computed from per-association sums).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simulation.measures import thresholds
from simulation.measures._arrays import as_labels, as_practices, assoc_stats, sites
from simulation.measures.access import PublicAccess
from simulation.measures.asymmetry import sanitarisation
from simulation.measures.clusters import practice_clusters
from simulation.measures.convergence import (
    SortedFacets,
    between_share,
    centroid_gap_ratio,
    culture_shift,
)
from simulation.measures.crossing import (
    borrowable,
    crossing,
    initial_spread,
    projection_axes,
    projection_index,
)
from simulation.measures.distinguishability import distinguishability, separation
from simulation.measures.ties import cross_tie_share, tie_modularity

__all__ = ["JUDGED_KEYS", "MEASURE_KEYS", "NULL_COLUMNS", "Recorder", "summary"]

JUDGED_KEYS: tuple[str, ...] = ("centroid_gap_ratio", "distinguishability", "crossing")
"""The three quantities a regime is a statement about (convergence, distinguishability,
crossing), each judged against the null twins."""

NULL_COLUMNS: tuple[str, ...] = tuple(f"null_{k}" for k in JUDGED_KEYS)
"""Columns of a sweep's tables holding the null twin's value of each judged quantity."""

MEASURE_KEYS: tuple[str, ...] = (
    "centroid_gap",
    "centroid_gap_ratio",
    "distinguishability",
    "separation",
    "crossing",
    "adoption",
    "blending",
    "between_share",
    "mean_pairwise_distance",
    "n_clusters",
    "n_major_clusters",
    "effective_clusters",
    "mean_projection",
    "mean_residual",
    "mean_culture_shift",
    "sanitarisation",
    "cross_tie_share",
    "tie_modularity",
    "public_access",
)
"""Keys of :meth:`Recorder.measure` and :func:`summary`, in order (all floats, NaN where a
measure is undefined or its inputs were not given)."""


class Recorder:
    """The measures of one run, computed week after week from its state.

    Args:
        initial_practices: ``(N, D)`` practices at week 0.
        membership: ``(N,)`` association of each worker.
        assoc_site: ``(A,)`` site of each association (associations of one site are pooled).
        sector: ``(A,)`` 0 = health, 1 = social.
        need: ``(B, D)`` needs of the beneficiaries (None: no access measure).
        need_site: ``(B,)`` site of each beneficiary.
        tolerance: need-fit tolerance of public access.
        initial_centroids: ``(A, D)`` mean initial practice of each association (default:
            computed from ``initial_practices``).
    """

    def __init__(
        self,
        initial_practices,
        membership,
        assoc_site,
        sector,
        need=None,
        need_site=None,
        tolerance: float = thresholds.ACCESS_TOLERANCE,
        initial_centroids=None,
    ) -> None:
        x0 = as_practices(initial_practices)
        m = as_labels(membership)
        self.site = sites(assoc_site)
        n_assoc = len(self.site.assoc_site)
        if initial_centroids is None:
            initial_centroids = assoc_stats(x0, m, n_assoc).means
        self.c0 = np.ascontiguousarray(initial_centroids, dtype=np.float64)
        self.sector = np.asarray(sector, dtype=np.int64).reshape(-1)
        self.borrowable = borrowable(self.c0, initial_spread(x0, m, n_assoc), assoc_site)
        self.axes = projection_axes(self.c0, assoc_site)
        self.sorted = SortedFacets()
        self.access = (
            None if need is None or need_site is None else PublicAccess(need, need_site, tolerance)
        )

    def measure(
        self,
        practices,
        membership,
        *,
        edges=None,
        strength=None,
        cultures=None,
        initial_cultures=None,
        worker_site=None,
    ) -> dict[str, float]:
        """Every measure of :data:`MEASURE_KEYS` for the current state.

        Args:
            practices: ``(N, D)`` current practices.
            membership: ``(N,)`` association of each worker.
            edges: ``(E, 2)`` collaboration ties (None: no tie measures).
            strength: ``(E,)`` tie strengths.
            cultures: ``(A, D)`` current cultures (None: no culture shift).
            initial_cultures: ``(A, D)`` cultures at the start.
            worker_site: ``(N,)`` site of each worker (default: from the membership).

        Returns:
            ``{key: float}`` in the order of :data:`MEASURE_KEYS`.
        """
        x, m = as_practices(practices), as_labels(membership)
        site = self.site
        st = assoc_stats(x, m, len(site.assoc_site))
        cross = crossing(x, m, self.c0, self.borrowable, axes=self.axes)
        clusters = practice_clusters(x)
        t, residual = projection_index(x, m, self.c0, site.assoc_site, axes=self.axes)
        gap = centroid_gap_ratio(x, m, site.assoc_site, self.c0, stats=st, site=site)
        live = (st.counts[site.pairs[:, 0]] > 0) & (st.counts[site.pairs[:, 1]] > 0)
        pairs = site.pairs[live]
        out = {
            "centroid_gap": (
                float(np.abs(st.means[pairs[:, 0]] - st.means[pairs[:, 1]]).mean())
                if len(pairs)
                else math.nan
            ),
            "centroid_gap_ratio": gap,
            "distinguishability": distinguishability(x, m, None, stats=st, site=site),
            "separation": separation(x, m, None, stats=st, site=site),
            "crossing": cross.crossing,
            "adoption": cross.adoption,
            "blending": cross.blending,
            "between_share": between_share(x, m, len(site.assoc_site), stats=st),
            "mean_pairwise_distance": self.sorted.mean_pairwise_distance(x),
            "n_clusters": float(clusters.n_clusters),
            "n_major_clusters": float(clusters.n_major),
            "effective_clusters": clusters.effective,
            "mean_projection": t,
            "mean_residual": residual,
            "mean_culture_shift": (
                math.nan
                if cultures is None or initial_cultures is None
                else float(np.mean(culture_shift(cultures, initial_cultures)))
            ),
            "sanitarisation": sanitarisation(x, m, self.c0, self.sector, stats=st),
            "cross_tie_share": math.nan,
            "tie_modularity": math.nan,
            "public_access": math.nan,
        }
        if edges is not None and strength is not None:
            out["cross_tie_share"] = cross_tie_share(edges, strength, m)
            out["tie_modularity"] = tie_modularity(edges, strength, m, len(site.assoc_site))
        if self.access is not None:
            ws = site.assoc_site[m] if worker_site is None else worker_site
            out["public_access"] = self.access(x, ws)
        return out


def summary(
    practices,
    membership,
    initial_practices,
    assoc_site,
    sector,
    **kwargs: Any,
) -> dict[str, float]:
    """Every measure of one state, from plain arrays (a :class:`Recorder` used once).

    Args:
        practices: ``(N, D)`` current practices.
        membership: ``(N,)`` association of each worker.
        initial_practices: ``(N, D)`` practices at week 0.
        assoc_site: ``(A,)`` site of each association.
        sector: ``(A,)`` 0 = health, 1 = social.
        **kwargs: ``need``, ``need_site``, ``tolerance`` (for the recorder) and ``edges``,
            ``strength``, ``cultures``, ``initial_cultures``, ``worker_site`` (for the
            measures).

    Returns:
        ``{key: float}`` in the order of :data:`MEASURE_KEYS`.
    """
    build = {k: kwargs.pop(k) for k in ("need", "need_site", "tolerance") if k in kwargs}
    rec = Recorder(initial_practices, membership, assoc_site, sector, **build)
    return rec.measure(practices, membership, **kwargs)
