"""Compiled loops behind the measures: one pass over the workers each, O(N D) time, O(A D) memory.

Each kernel streams over the workers once and accumulates per association or per site, so no
``(N, A)`` or ``(N, A, D)`` array is ever built: at 100,000 workers and some 5,000 associations
the measures cost about as much as one week of the rules. Distances are L1/D (mean absolute
difference over facets) throughout.
"""

from __future__ import annotations

import numba
import numpy as np

from simulation.measures._crossing import scratch, worker_crossing
from simulation.measures._facets import ARTICLE_FACETS, body

__all__ = [
    "assoc_stats",
    "crossing_counts",
    "distinguish_counts",
    "mean_pairwise_rows",
    "projection_sums",
    "served",
]


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn)


@body
def _assoc_stats(x, m, n_assoc, sums, counts, scatter, d):
    """:func:`assoc_stats` with ``d`` facets."""
    n = x.shape[0]
    sums[:, :] = 0.0
    counts[:] = 0
    scatter[:] = 0.0
    for i in range(n):
        a = m[i]
        counts[a] += 1
        for f in range(d):
            sums[a, f] += x[i, f]
    means = np.zeros((n_assoc, d))
    for a in range(n_assoc):
        if counts[a] > 0:
            for f in range(d):
                means[a, f] = sums[a, f] / counts[a]
    for i in range(n):
        a = m[i]
        acc = 0.0
        for f in range(d):
            dev = x[i, f] - means[a, f]
            acc += dev * dev
        scatter[a] += acc
    return means


@_jit
def assoc_stats(x, m, n_assoc, sums, counts, scatter):
    """Sums, sizes and within-association scatter of each association, in two passes.

    Fills ``sums`` ``(A, D)``, ``counts`` ``(A,)`` and ``scatter`` ``(A,)`` (the sum over the
    association's workers of their squared Euclidean distance to its centroid). The second pass
    subtracts the centroid before squaring, so the scatter of a tight association is exact and
    never the difference of two large numbers.
    """
    if x.shape[1] == ARTICLE_FACETS:
        return _assoc_stats(x, m, n_assoc, sums, counts, scatter, ARTICLE_FACETS)
    return _assoc_stats(x, m, n_assoc, sums, counts, scatter, x.shape[1])


@body
def _distinguish_counts(x, m, sums, counts, assoc_site, site_ptr, site_assoc, d):
    """:func:`distinguish_counts` with ``d`` facets."""
    n = x.shape[0]
    n_assoc = counts.shape[0]
    credit = np.zeros(n_assoc)
    counted = np.zeros(n_assoc)
    # each association's rivals with workers on its site, in site order (compact, no branches)
    rival_ptr = np.zeros(n_assoc + 1, dtype=np.int64)
    for a in range(n_assoc):
        s = assoc_site[a]
        others = 0
        for k in range(site_ptr[s], site_ptr[s + 1]):
            b = site_assoc[k]
            if b != a and counts[b] > 0:
                others += 1
        rival_ptr[a + 1] = rival_ptr[a] + (others if counts[a] >= 2 else 0)
    rivals = np.empty(rival_ptr[n_assoc], dtype=np.int64)
    for a in range(n_assoc):
        q = rival_ptr[a]
        if q == rival_ptr[a + 1]:
            continue
        s = assoc_site[a]
        for k in range(site_ptr[s], site_ptr[s + 1]):
            b = site_assoc[k]
            if b != a and counts[b] > 0:
                rivals[q] = b
                q += 1
    means = np.zeros((n_assoc, d))
    for a in range(n_assoc):
        if counts[a] > 0:
            for f in range(d):
                means[a, f] = sums[a, f] / counts[a]
    for i in range(n):
        a = m[i]
        lo, hi = rival_ptr[a], rival_ptr[a + 1]
        if lo == hi:
            continue
        na = counts[a]
        own = 0.0
        for f in range(d):
            own += abs(x[i, f] - (sums[a, f] - x[i, f]) / (na - 1))
        best = own
        ties = 1
        own_best = True
        for k in range(lo, hi):
            b = rivals[k]
            dist = 0.0
            for f in range(d):  # a sum of gaps never falls: no early exit needed
                dist += abs(x[i, f] - means[b, f])
            if dist < best:
                best = dist
                ties = 1
                own_best = False
            elif dist == best:
                ties += 1
        counted[a] += 1.0
        if own_best:
            credit[a] += 1.0 / ties
    return credit, counted


@_jit
def distinguish_counts(x, m, sums, counts, assoc_site, site_ptr, site_assoc):
    """Leave-one-out nearest-centroid assignment of each worker among its site's associations.

    A worker counts when its association has at least two workers (so that its own centroid can
    be computed without it) and its site holds at least one other association with workers. It
    is assigned to the nearest of its own leave-one-out centroid and the other associations'
    current centroids on its site; a tie between ``k`` nearest gives ``1 / k`` credit when its
    own is among them.

    Returns:
        ``(credit, counted)``, each ``(A,)``: summed credit and number of counted workers of
        each association.
    """
    if x.shape[1] == ARTICLE_FACETS:
        return _distinguish_counts(
            x, m, sums, counts, assoc_site, site_ptr, site_assoc, ARTICLE_FACETS
        )
    return _distinguish_counts(x, m, sums, counts, assoc_site, site_ptr, site_assoc, x.shape[1])


@_jit
def crossing_counts(x, m, c0, ent_ptr, ent_facet, ent_inv, ent_r, kept, adopted):
    """Facet-wise positions of each worker between its culture and its partners' cultures.

    ``ent_ptr[a]:ent_ptr[a + 1]`` are association ``a``'s borrowable (facet, partner) entries,
    sorted by facet, with ``ent_inv`` the inverse of the gap ``c0[b] - c0[a]`` on that facet
    and ``ent_r`` the association's pooling axis on it times that inverse. On a borrowable
    facet the position of a value ``v`` towards partner ``b``
    is ``t = (v - c0[a]) / (c0[b] - c0[a])``: 0 at its own association's initial value, 1 at
    the partner's. The worker sits on a partner's value when ``adopted <= t <= 2 - adopted``
    for some partner (within a third of the gap of it, not beyond), on its own when
    ``t <= kept`` for every partner, and midway otherwise.

    A uniform blend moves a worker the same fraction ``lam`` of the way along its
    association's pooling axis ``axis[a]`` (to its partners' mean culture) on every facet. The
    worker is a *mosaic* when it sits on a partner's value on one facet and on its own on
    another, and no single ``lam`` would put a blend in both places: facet-wise borrowing that
    no blend explains. (For each facet the values of ``lam`` that put the blend on a partner's
    value form a union of intervals, those that leave it on its own value one interval.)

    Returns:
        ``(n_counted, n_mosaic, n_facets, n_adopted, n_midway)``: workers with at least two
        borrowable facets, the mosaics among them, their borrowable facets, and how many of
        those sit on a partner's value or midway (whatever explains it).

    The worker-by-worker reading is :func:`simulation.measures._crossing.worker_crossing`.
    """
    n = x.shape[0]
    width = 1
    for a in range(ent_ptr.shape[0] - 1):
        width = max(width, ent_ptr[a + 1] - ent_ptr[a])
    buf = scratch(width)  # blend intervals of the adopted and of the kept facets
    n_counted = 0
    n_mosaic = 0
    n_facets = 0
    n_adopted = 0
    n_midway = 0
    for i in range(n):
        a = m[i]
        if ent_ptr[a + 1] - ent_ptr[a] < 2:
            continue
        n_borrowable, n_adopt, n_mid, mosaic = worker_crossing(
            x, i, a, c0, ent_ptr, ent_facet, ent_inv, ent_r, kept, adopted, buf
        )
        if n_borrowable < 2:
            continue
        n_counted += 1
        n_facets += n_borrowable
        n_adopted += n_adopt
        n_midway += n_mid
        if mosaic:
            n_mosaic += 1
    return n_counted, n_mosaic, n_facets, n_adopted, n_midway


@body
def _projection_sums(x, m, c0, axis, has_axis, d):
    """:func:`projection_sums` with ``d`` facets."""
    n = x.shape[0]
    norm2 = np.zeros(c0.shape[0])  # each axis's squared length, summed once per association
    for a in range(c0.shape[0]):
        for f in range(d):
            norm2[a] += axis[a, f] * axis[a, f]
    st = 0.0
    sr = 0.0
    count = 0
    for i in range(n):
        a = m[i]
        if not has_axis[a]:
            continue
        dot = 0.0
        for f in range(d):
            dot += (x[i, f] - c0[a, f]) * axis[a, f]
        t = dot / norm2[a]
        res = 0.0
        for f in range(d):
            res += abs(x[i, f] - c0[a, f] - t * axis[a, f])
        st += t
        sr += res / d
        count += 1
    return st, sr, count


@_jit
def projection_sums(x, m, c0, axis, has_axis):
    """Sums over workers with a pooling axis of their projection ``t`` and residual.

    ``axis[a]`` runs from ``c0[a]`` to the mean initial centroid of ``a``'s pooled partners;
    ``t`` is the Euclidean projection of ``x - c0[a]`` on it (in units of its length) and the
    residual the L1/D size of what the axis does not explain.

    Returns:
        ``(sum_t, sum_residual, n)``.
    """
    if x.shape[1] == ARTICLE_FACETS:
        return _projection_sums(x, m, c0, axis, has_axis, ARTICLE_FACETS)
    return _projection_sums(x, m, c0, axis, has_axis, x.shape[1])


@body
def _served(x, need, need_site, worker_order, site_starts, tol, server, out, prev, budget, d):
    """:func:`served` with ``d`` facets."""
    b = need.shape[0]
    n_sites = site_starts.shape[0] - 1
    moved = np.zeros(n_sites)
    for s in range(n_sites):
        top = 0.0
        for p in range(site_starts[s], site_starts[s + 1]):
            i = worker_order[p]
            for f in range(d):
                top = max(top, abs(x[i, f] - prev[i, f]))  # no branch to mispredict
                prev[i, f] = x[i, f]
        moved[s] = top
    for k in range(b):
        out[k] = False
        s = need_site[k]
        if s < 0 or s >= n_sites:
            server[k] = -1
            continue
        i = server[k]
        if i >= 0:
            worst = 0.0
            for f in range(d):  # the largest gap, without a branch to mispredict
                worst = max(worst, abs(x[i, f] - need[k, f]))
            if worst <= tol:
                out[k] = True
                continue
            budget[k] = -1.0
        server[k] = -1
        budget[k] -= moved[s]
        if budget[k] > 1e-12:
            continue
        nearest = np.inf
        for p in range(site_starts[s], site_starts[s + 1]):
            i = worker_order[p]
            far = 0.0
            for f in range(d):  # the whole Chebyshev distance: cheaper than a branch per facet
                far = max(far, abs(x[i, f] - need[k, f]))
            if far < nearest:
                nearest = far
            if far <= tol:
                out[k] = True
                server[k] = i
                break
        budget[k] = -1.0 if out[k] else nearest - tol


@_jit
def served(x, need, need_site, worker_order, site_starts, tol, server, out, prev, budget):
    """Whether each beneficiary finds a worker of its site within ``tol`` on every facet.

    Exact, and incremental from one call to the next on the same beneficiaries:

    * ``server[k]`` is the worker who served beneficiary ``k`` last time (or -1): it is checked
      first (served or not does not depend on which worker fits);
    * ``budget[k]``, for a beneficiary no one served, is how far beyond ``tol`` its nearest
      worker was (Chebyshev distance) at the last full scan, less how far the workers of its
      site have moved since (each site's largest move per call, from ``prev``, last call's
      practices). While it stays positive no worker can have come within ``tol`` (triangle
      inequality), and the scan is skipped.

    ``budget`` at or below zero forces a full scan (start with -1 everywhere and ``prev`` equal
    to ``x``). Updates ``server``, ``budget`` and ``prev`` and fills ``out`` (bool).
    """
    if x.shape[1] == ARTICLE_FACETS:
        _served(
            x,
            need,
            need_site,
            worker_order,
            site_starts,
            tol,
            server,
            out,
            prev,
            budget,
            ARTICLE_FACETS,
        )
    else:
        _served(
            x,
            need,
            need_site,
            worker_order,
            site_starts,
            tol,
            server,
            out,
            prev,
            budget,
            x.shape[1],
        )


def mean_pairwise_rows(c: np.ndarray) -> float:
    """Mean L1/D distance over the unordered pairs of rows, in ``O(D K log K)`` (0 if < 2 rows).

    Facet by facet, ``sum_{k<l} |s_l - s_k| = sum_k (2k - K + 1) s_k`` over the sorted values
    ``s``: the all-pairs mean without forming the pairs.
    """
    c = np.asarray(c, dtype=np.float64)
    k, d = c.shape
    if k < 2 or d == 0:
        return 0.0
    s = np.sort(c, axis=0)
    weights = 2.0 * np.arange(k) - (k - 1)
    return max(0.0, float(np.sum(weights @ s)) / (0.5 * k * (k - 1) * d))
