"""Public access: do beneficiaries still find, on their site, a worker whose practice fits?

"Au bénéfice des publics": someone who needs walk-in, low-threshold, informal reception is lost
if every worker of the site has standardised on appointments. Isomorphism can lower access by
erasing the practices that fitted specific publics; hybridisation can raise it.
"""

from __future__ import annotations

import math

import numpy as np

from simulation.measures import _fast, thresholds
from simulation.measures._arrays import as_labels, as_practices

__all__ = ["PublicAccess", "public_access", "public_access_by_site", "served"]


def _site_index(worker_site: np.ndarray, n_sites: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(worker_site, kind="stable").astype(np.int64)
    starts = np.searchsorted(worker_site[order], np.arange(n_sites + 1)).astype(np.int64)
    return order, starts


def served(
    practices, worker_site, need, need_site, tolerance: float = thresholds.ACCESS_TOLERANCE
) -> np.ndarray:
    """``(B,)`` bool: some worker of the beneficiary's site fits its need within ``tolerance``.

    A worker fits when its practice is within ``tolerance`` of the need on every facet
    (Chebyshev distance <= tolerance).

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        worker_site: ``(N,)`` site index of each worker.
        need: ``(B, D)`` the practice each beneficiary needs.
        need_site: ``(B,)`` site index of each beneficiary.
        tolerance: largest acceptable difference on any facet.
    """
    x = as_practices(practices)
    ws, qs = as_labels(worker_site), as_labels(need_site)
    q = np.ascontiguousarray(np.asarray(need, dtype=np.float64).reshape(-1, x.shape[1]))
    out = np.zeros(q.shape[0], dtype=bool)
    if q.shape[0] == 0 or x.shape[0] == 0:
        return out
    n_sites = int(max(ws.max(), qs.max())) + 1
    order, starts = _site_index(ws, n_sites)
    server = np.full(q.shape[0], -1, dtype=np.int64)
    budget = np.full(q.shape[0], -1.0)
    _fast.served(x, q, qs, order, starts, float(tolerance), server, out, x.copy(), budget)
    return out


def public_access(
    practices, worker_site, need, need_site, tolerance: float = thresholds.ACCESS_TOLERANCE
) -> float:
    """Share of beneficiaries who find, at their site, a worker whose practice fits their need.

    Args:
        practices: ``(N, D)`` practice vectors in [0, 1].
        worker_site: ``(N,)`` site index of each worker.
        need: ``(B, D)`` the practice each beneficiary needs.
        need_site: ``(B,)`` site index of each beneficiary.
        tolerance: largest acceptable difference on any facet.

    Returns:
        Share in [0, 1]; NaN when there is no beneficiary.
    """
    ok = served(practices, worker_site, need, need_site, tolerance)
    return float(ok.mean()) if ok.shape[0] else math.nan


def public_access_by_site(
    practices,
    worker_site,
    need,
    need_site,
    tolerance: float = thresholds.ACCESS_TOLERANCE,
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
    ok = served(practices, worker_site, need, need_site, tolerance)
    qs = as_labels(need_site)
    if n_sites is None:
        ws = as_labels(worker_site)
        n_sites = int(max(ws.max(initial=-1), qs.max(initial=-1))) + 1
    total = np.bincount(qs, minlength=n_sites)[:n_sites].astype(np.float64)
    hits = np.bincount(qs, weights=ok.astype(np.float64), minlength=n_sites)[:n_sites]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, hits / total, np.nan)


class PublicAccess:
    """:func:`public_access` week after week, remembering who served each beneficiary.

    The worker who fitted a beneficiary's need last week is checked first; for a beneficiary no
    one served, the site's workers are scanned again only once they may have moved close
    enough (see :func:`simulation.measures._fast.served`). The share is exactly the one a full
    scan gives.

    Args:
        need: ``(B, D)`` the practice each beneficiary needs.
        need_site: ``(B,)`` site index of each beneficiary.
        tolerance: largest acceptable difference on any facet.
    """

    def __init__(self, need, need_site, tolerance: float = thresholds.ACCESS_TOLERANCE) -> None:
        self.need = np.ascontiguousarray(need, dtype=np.float64)
        self.need_site = as_labels(need_site)
        self.tolerance = float(tolerance)
        self._server = np.full(self.need.shape[0], -1, dtype=np.int64)
        self._out = np.zeros(self.need.shape[0], dtype=bool)
        self._budget = np.full(self.need.shape[0], -1.0)
        self._prev: np.ndarray | None = None
        self._sites: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @property
    def server(self) -> np.ndarray:
        """The worker who served each beneficiary last time (-1: none), updated in place."""
        return self._server

    def memory(self, practices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Last call's practices and the beneficiaries' budgets (reset on a new shape)."""
        if self._prev is None or self._prev.shape != practices.shape:
            self._prev = np.array(practices, dtype=np.float64, copy=True)
            self._budget[:] = -1.0
        return self._prev, self._budget

    def reset(self) -> None:
        """Forget who served whom (the sites changed)."""
        self._server[:] = -1
        self._budget[:] = -1.0

    @property
    def out(self) -> np.ndarray:
        """Whether each beneficiary was served last time, updated in place."""
        return self._out

    def index(self, worker_site) -> tuple[np.ndarray, np.ndarray]:
        """The workers ordered by site and each site's start (rebuilt when sites change)."""
        ws = as_labels(worker_site)
        if self._sites is None or not np.array_equal(self._sites[0], ws):
            n_sites = int(max(ws.max(initial=-1), self.need_site.max(initial=-1))) + 1
            self._sites = (ws.copy(), *_site_index(ws, n_sites))
            self.reset()
        return self._sites[1], self._sites[2]

    def __call__(self, practices, worker_site) -> float:
        """The share of beneficiaries served by these practices (NaN without beneficiaries)."""
        if self.need.shape[0] == 0:
            return math.nan
        x = as_practices(practices)
        order, starts = self.index(worker_site)
        _fast.served(
            x,
            self.need,
            self.need_site,
            order,
            starts,
            self.tolerance,
            self._server,
            self._out,
            *self.memory(x),
        )
        return float(self._out.mean())
