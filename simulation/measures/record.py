"""Every measure of a state at once, under stable keys, reusing what the measures share.

:class:`Recorder` is built once per run from the state at week 0 (what was pooled where, the
initial centroids and spreads, the beneficiaries) and called once per recorded week: one
compiled call (:func:`simulation.measures._fused.measure_all`) computes the per-association
statistics once for every measure that needs them, keeps the sorting order of the practices
(diversity), who served each beneficiary (public access) and each worker's cell of practices
(crossing, :mod:`simulation.measures._crossing`) from week to week, and its own arguments
while the model hands it the same arrays. Nothing is sampled: every value is the module
function's on the same arrays (bit for bit for diversity, distinguishability's credits,
crossing, clusters and access; up to the order of floating-point additions, about 1e-15
relative, for the quantities computed from per-association sums), except
``mean_pairwise_distance`` above :data:`~simulation.measures.thresholds.DIVERSITY_SAMPLE`
workers, estimated on a fixed sample (the error is stated there), and the practice clusters
above :data:`~simulation.measures.thresholds.CLUSTER_SITES` sites, counted on a fixed sample.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from simulation.measures import _fused, thresholds
from simulation.measures._arrays import (
    as_labels,
    as_practices,
    assoc_stats,
    sites,
    tie_arrays,
    unconverted,
)
from simulation.measures._crossing import facet_lists
from simulation.measures.access import PublicAccess
from simulation.measures.convergence import SortedFacets
from simulation.measures.crossing import borrowable, entry_factors, initial_spread, projection_axes

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
        health_facets: ``(D,)`` the facets of health expertise, on which sanitarisation is
            measured (default: every facet).
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
        health_facets=None,
    ) -> None:
        x0 = as_practices(initial_practices)
        m = as_labels(membership)
        self.site = sites(assoc_site)
        n_assoc = len(self.site.assoc_site)
        if initial_centroids is None:
            initial_centroids = assoc_stats(x0, m, n_assoc).means
        self.c0 = np.ascontiguousarray(initial_centroids, dtype=np.float64)
        self.sector = np.asarray(sector, dtype=np.int64).reshape(-1)
        d = x0.shape[1]
        self.health_facets = (
            np.ones(d, dtype=np.bool_)
            if health_facets is None
            else np.asarray(health_facets, dtype=np.bool_).reshape(d)
        )
        self.borrowable = borrowable(self.c0, initial_spread(x0, m, n_assoc), assoc_site)
        self.axes = projection_axes(self.c0, assoc_site)
        self._inv, self._r = entry_factors(self.c0, self.borrowable, self.axes[0])
        self._facets = facet_lists(self.borrowable.ptr, self.borrowable.facet)
        self._cells: tuple[np.ndarray, ...] | None = None
        self._sites: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._kept: tuple[Any, ...] | None = None
        self._tie_memo: tuple[Any, ...] | None = None
        self._chosen: np.ndarray | None = None
        self.sorted = SortedFacets()
        n0 = x0.shape[0]
        self.sample = (
            np.sort(
                np.random.default_rng(0).choice(n0, thresholds.DIVERSITY_SAMPLE, replace=False)
            ).astype(np.int64)
            if n0 > thresholds.DIVERSITY_SAMPLE
            else None
        )
        self._none2 = np.zeros((0, 0))
        self._e0 = np.zeros((0, 2), dtype=np.int32)
        self._w0 = np.zeros(0)
        self._i0 = np.zeros(0, dtype=np.int64)
        self._b0 = np.zeros(0, dtype=np.bool_)
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
        tie_ids=None,
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
            tie_ids: the ties are ``edges[tie_ids]``, of strengths ``strength[tie_ids]``
                (default: every edge).

        Returns:
            ``{key: float}`` in the order of :data:`MEASURE_KEYS`.
        """
        return dict(
            zip(
                MEASURE_KEYS,
                self.values(
                    practices,
                    membership,
                    edges=edges,
                    strength=strength,
                    cultures=cultures,
                    initial_cultures=initial_cultures,
                    worker_site=worker_site,
                    tie_ids=tie_ids,
                ).tolist(),
                strict=True,
            )
        )

    def values(
        self,
        practices,
        membership,
        *,
        edges=None,
        strength=None,
        cultures=None,
        initial_cultures=None,
        worker_site=None,
        tie_ids=None,
    ) -> np.ndarray:
        """:meth:`measure` as a float array in the order of :data:`MEASURE_KEYS`.

        The arguments of the compiled call are kept from one week to the next while the same
        arrays come back (changed in place, or not) and needed no conversion: only the sites
        are compared again, and the ties (new arrays each time they change) read anew.
        """
        given = (practices, membership, cultures, initial_cultures, worker_site)
        has_ties = edges is not None and strength is not None
        kept = self._kept
        if (
            kept is not None
            and all(map(operator.is_, given, kept[0]))
            and has_ties == (kept[4] is not None)
            and self._site_index(kept[2])[0] is kept[3]
        ):
            args = kept[1]
            if has_ties:
                args[kept[4] : kept[4] + 3] = self._ties_kept(edges, strength, tie_ids)
            return _fused.measure_all(*args)
        args, used = self._arguments(*given[:2], edges, strength, *given[2:], tie_ids)
        # reusable only if each array passed is the one given, or a view of it
        same = worker_site is not None and all(map(unconverted, used[:2] + used[4:7], given))
        slot = next(k for k, a in enumerate(args) if a is used[2]) if has_ties else None
        self._kept = (given, args, used[8], used[9], slot) if same else None
        return _fused.measure_all(*args)

    def _arguments(
        self,
        practices,
        membership,
        edges,
        strength,
        cultures,
        initial_cultures,
        worker_site,
        tie_ids,
    ) -> tuple[list[Any], tuple[Any, ...]]:
        """The arguments of :func:`measure_all` for these arrays, and what was made of them.

        Returns:
            ``(args, used)``: ``used`` holds, in the order of the parameters, the arrays
            passed for each (None for one not given), then the workers' sites and their
            order by site.

        Why one function: it is one argument list, in the order of :func:`measure_all`'s
        parameters; split, the order could no longer be read against the signature.
        """
        x, m = as_practices(practices), as_labels(membership)
        site = self.site
        n, d = x.shape
        has_ties = edges is not None and strength is not None
        has_cultures = cultures is not None and initial_cultures is not None
        acc = self.access
        ws = site.assoc_site[m] if worker_site is None else as_labels(worker_site)
        order, starts = self._site_index(ws)
        ties = tie_arrays(edges, strength, tie_ids) if has_ties else (self._e0, self._w0, self._i0)
        cult = np.ascontiguousarray(cultures, dtype=np.float64) if has_cultures else self._none2
        cult0 = (
            np.ascontiguousarray(initial_cultures, dtype=np.float64)
            if has_cultures
            else self._none2
        )
        used = (
            x,
            m,
            *(ties[:2] if has_ties else (None, None)),
            *((cult, cult0) if has_cultures else (None, None)),
            ws,
            ties[2] if has_ties and tie_ids is not None else None,
            ws,
            order,
        )
        args = [
            x,
            m,
            self.c0,
            site.pairs,
            site.assoc_site,
            len(site.ptr) - 1,
            site.ptr,
            site.assoc,
            self.borrowable.ptr,
            self.borrowable.facet,
            self._inv,
            self._r,
            self._crossing_cells(n, d),
            self.axes[0],
            self.axes[1],
            thresholds.KEPT,
            thresholds.ADOPTED,
            self.sorted.order(n if self.sample is None else len(self.sample), d),
            self.sample if self.sample is not None else self._i0,
            self.sample is not None,
            self.sector,
            self.health_facets,
            cult,
            cult0,
            has_cultures,
            *ties,
            has_ties,
            acc.need if acc is not None else self._none2,
            acc.need_site if acc is not None else self._i0,
            order,
            starts,
            acc.tolerance if acc is not None else 0.0,
            acc.server if acc is not None else self._i0,
            acc.out if acc is not None else self._b0,
            *(acc.memory(x) if acc is not None else (self._none2, self._w0)),
            acc is not None,
            thresholds.CLUSTER_EPS,
            thresholds.MAJOR_SHARE,
            self._cluster_sites(len(starts) - 1),
        ]
        return args, used

    def _crossing_cells(self, n: int, d: int) -> tuple[np.ndarray, ...]:
        """Crossing's memory of each worker's cell (new, so empty, for a new shape)."""
        if self._cells is None or self._cells[2].shape != (n, d):
            self._cells = (
                *self._facets,
                np.zeros((n, d)),
                np.zeros((n, d)),
                np.zeros((n, 5), dtype=np.int64),
                np.full(n, -1, dtype=np.int64),
                np.zeros(5, dtype=np.int64),
            )
        return self._cells

    def _cluster_sites(self, n_sites: int) -> np.ndarray:
        """Which sites practice clusters are counted on (all, or a fixed sample)."""
        if self._chosen is None or len(self._chosen) != n_sites:
            chosen = np.ones(n_sites, dtype=np.bool_)
            if n_sites > thresholds.CLUSTER_SITES:
                chosen[:] = False
                pick = np.random.default_rng(1).choice(
                    n_sites, thresholds.CLUSTER_SITES, replace=False
                )
                chosen[pick] = True
            self._chosen = chosen
        return self._chosen

    def _ties_kept(self, edges, strength, tie_ids) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`tie_arrays`, kept while the same three arrays come back and needed no conversion.

        The model renews tie strengths in place and replaces the arrays when a tie starts or
        ends, so most weeks hand back the very arrays of the week before.
        """
        memo = self._tie_memo
        if memo is not None and memo[0] is edges and memo[1] is strength and memo[2] is tie_ids:
            return memo[3]
        made = tie_arrays(edges, strength, tie_ids)
        follows = unconverted(made[0], edges) and unconverted(made[1], strength)
        follows = follows and (tie_ids is None or unconverted(made[2], tie_ids))
        self._tie_memo = (edges, strength, tie_ids, made) if follows else None
        return made

    def _site_index(self, ws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Workers grouped by site (rebuilt, and access's memory reset, when sites change)."""
        if self._sites is None or not _fused.same_labels(self._sites[0], ws):
            n_sites = len(self.site.ptr) - 1
            if self.access is not None:
                n_sites = max(n_sites, int(self.access.need_site.max(initial=-1)) + 1)
            n_sites = max(n_sites, int(ws.max(initial=-1)) + 1)
            order = np.argsort(ws, kind="stable").astype(np.int64)
            starts = np.searchsorted(ws[order], np.arange(n_sites + 1)).astype(np.int64)
            self._sites = (ws.copy(), order, starts)
            if self.access is not None:
                self.access.reset()
        return self._sites[1], self._sites[2]


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
