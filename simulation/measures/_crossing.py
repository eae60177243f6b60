"""Crossing worker by worker, and week after week from each worker's cell of practices.

:func:`worker_crossing` reads one worker's facets against its association's borrowable entries
(see :func:`simulation.measures._fast.crossing_counts`, which sums it over the workers). What
it returns depends on the worker's practice only through which side of a few thresholds each
borrowable facet lies on: its position ``t = (v - c0) * inv`` towards each partner against
``adopted``, ``2 - adopted`` and ``kept``. :func:`crossing_cells` keeps, for every worker, the
interval of values of each facet on which those sides stay the same (its *cell*) with what the
worker counted, and reads a worker again only when a facet left its interval: practices move
little in a week, so most workers are summed from memory. The counts are integers, so the
result is the from-scratch one exactly.

Why the cells are exact: ``t`` is computed as ``fl(fl(v - c0) * inv)``; rounding is monotone,
so ``t`` is monotone in ``v`` and each comparison of ``t`` with a threshold is too. Each
interval's two ends are checked with the very same arithmetic; a comparison that gives the
same answer at both ends gives it everywhere between them.
"""

from __future__ import annotations

import numba
import numpy as np

from simulation.measures._facets import ARTICLE_FACETS, body

__all__ = ["crossing_cells", "facet_lists", "scratch", "worker_crossing"]

_MARGIN = 1e-9  # how far inside the thresholds a cell ends (its ends are checked anyway)


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn)


def _jit_inline(fn):
    return numba.njit(cache=True, nogil=True, inline="always")(fn)


@_jit_inline
def worker_crossing(x, i, a, c0, ent_ptr, ent_facet, ent_inv, ent_r, kept, adopted, buf):
    """One worker's borrowable facets: ``(n_borrowable, n_adopted, n_midway, mosaic)``.

    ``buf`` is ``(a_lo, a_hi, a_fac, k_lo, k_hi)``, scratch as wide as the widest
    association's entries (see :func:`simulation.measures._fast.crossing_counts` for what is
    counted).

    Why one function: the facets' positions and the blend intervals are read in one pass over
    the worker's entries, kept in local buffers; split, it would cost more than it computes.
    """
    a_lo, a_hi, a_fac, k_lo, k_hi = buf
    lo, hi = ent_ptr[a], ent_ptr[a + 1]
    n_borrowable = 0
    n_adopt = 0
    n_mid = 0
    n_int = 0
    n_reach = 0
    n_kept = 0
    k = lo
    while k < hi:
        f = ent_facet[k]
        start = k
        top = -np.inf
        on = False
        dev = x[i, f] - c0[a, f]
        while k < hi and ent_facet[k] == f:
            t = dev * ent_inv[k]
            top = max(top, t)
            if adopted <= t <= 2.0 - adopted:
                on = True
            k += 1
        n_borrowable += 1
        if on:
            n_adopt += 1
            first = n_int
            for q in range(start, k):
                r = ent_r[q]
                if r > 0.0:
                    a_lo[n_int] = adopted / r
                    a_hi[n_int] = (2.0 - adopted) / r
                elif r < 0.0:
                    a_lo[n_int] = (2.0 - adopted) / r
                    a_hi[n_int] = adopted / r
                else:
                    continue
                a_fac[n_int] = f
                n_int += 1
            if n_int > first:
                n_reach += 1
        elif top <= kept:
            klo = -np.inf
            khi = np.inf
            for q in range(start, k):
                r = ent_r[q]
                if r > 0.0:
                    khi = min(khi, kept / r)
                elif r < 0.0:
                    klo = max(klo, kept / r)
            k_lo[n_kept] = klo
            k_hi[n_kept] = khi
            n_kept += 1
        else:
            n_mid += 1
    if n_borrowable < 2 or n_adopt == 0 or n_kept == 0:
        return n_borrowable, n_adopt, n_mid, False
    # an adopted facet no blend can reach (every partner's r == 0) is unexplained
    mosaic = n_reach < n_adopt
    for g in range(n_kept):
        q = 0
        while q < n_int and not mosaic:
            f = a_fac[q]
            fits = False
            while q < n_int and a_fac[q] == f:
                if a_lo[q] <= k_hi[g] and k_lo[g] <= a_hi[q]:
                    fits = True
                q += 1
            mosaic = not fits
        if mosaic:
            break
    return n_borrowable, n_adopt, n_mid, mosaic


@_jit
def scratch(width):
    """Scratch space of :func:`worker_crossing` for associations of up to ``width`` entries."""
    return (
        np.empty(width),
        np.empty(width),
        np.empty(width, dtype=np.int64),
        np.empty(width),
        np.empty(width),
    )


@_jit
def _sides(v, c, inv, k0, k1, kept, adopted, u):
    """Whether ``v`` and ``u`` lie on the same side of every threshold of entries ``k0:k1``."""
    dv = v - c
    du = u - c
    for k in range(k0, k1):
        tv = dv * inv[k]
        tu = du * inv[k]
        if (adopted <= tv) != (adopted <= tu) or (tv <= 2.0 - adopted) != (tu <= 2.0 - adopted):
            return False
        if (tv <= kept) != (tu <= kept):
            return False
    return True


@_jit
def _cell(v, c, inv, k0, k1, kept, adopted):
    """The interval around ``v`` on which the entries ``k0:k1`` of one facet read the same."""
    low = -np.inf
    high = np.inf
    for k in range(k0, k1):
        for thr in (adopted, 2.0 - adopted, kept):
            edge = c + thr / inv[k]
            if edge > v:
                high = min(high, edge)
            elif edge < v:
                low = max(low, edge)
            else:
                return v, v
    low = min(v, low + _MARGIN)
    high = max(v, high - _MARGIN)
    if not _sides(v, c, inv, k0, k1, kept, adopted, low):
        low = v
    if not _sides(v, c, inv, k0, k1, kept, adopted, high):
        high = v
    return low, high


def facet_lists(ent_ptr: np.ndarray, ent_facet: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each association's borrowable facets, with where their entries start and end.

    Returns:
        ``(ptr, rows)``: association ``a``'s facets are ``rows[ptr[a]:ptr[a + 1]]``, each row
        ``(facet, first entry, end of entries)``.
    """
    rows = []
    ptr = [0]
    for a in range(len(ent_ptr) - 1):
        k = int(ent_ptr[a])
        while k < ent_ptr[a + 1]:
            start = k
            while k < ent_ptr[a + 1] and ent_facet[k] == ent_facet[start]:
                k += 1
            rows.append((int(ent_facet[start]), start, k))
        ptr.append(len(rows))
    return np.array(ptr, dtype=np.int64), np.array(rows, dtype=np.int64).reshape(-1, 3)


@_jit
def crossing_cells(x, m, c0, ent_ptr, ent_facet, ent_inv, ent_r, kept, adopted, cells):
    """:func:`~simulation.measures._fast.crossing_counts`, reading only who left their cell.

    ``cells`` is ``(fac_ptr, fac_rows, low, high, memo, memo_assoc, totals)``: the facet
    lists of :func:`facet_lists`; each worker's cell (``(N, D)`` ends, infinite on the facets
    it does not borrow on); what it counts there (``(N, 5)``, in the order of the result);
    for which association (``(N,)``, -1 for none yet); and the sum of ``memo`` over the
    workers. All but the facet lists are updated in place.

    Returns:
        ``(n_counted, n_mosaic, n_facets, n_adopted, n_midway)``, as the from-scratch kernel.
    """
    if x.shape[1] == ARTICLE_FACETS:
        return _crossing_cells(
            x, m, c0, ent_ptr, ent_facet, ent_inv, ent_r, kept, adopted, cells, ARTICLE_FACETS
        )
    return _crossing_cells(
        x, m, c0, ent_ptr, ent_facet, ent_inv, ent_r, kept, adopted, cells, x.shape[1]
    )


@body
def _crossing_cells(x, m, c0, ent_ptr, ent_facet, ent_inv, ent_r, kept, adopted, cells, d):
    """:func:`crossing_cells` with ``d`` facets."""
    fac_ptr, fac_rows, low, high, memo, memo_assoc, totals = cells
    n = x.shape[0]
    width = 1
    for a in range(ent_ptr.shape[0] - 1):
        width = max(width, ent_ptr[a + 1] - ent_ptr[a])
    buf = scratch(width)
    for i in range(n):
        a = m[i]
        same = memo_assoc[i] == a
        for f in range(d):  # every facet, without a branch (infinite ends where not borrowed)
            same &= (low[i, f] <= x[i, f]) & (x[i, f] <= high[i, f])
        if same:
            continue
        for j in range(5):
            totals[j] -= memo[i, j]
            memo[i, j] = 0
        fresh = memo_assoc[i] != a  # else only the facets out of their cell need a new one
        memo_assoc[i] = a
        nb = fac_ptr[a + 1] - fac_ptr[a]
        if nb < 2:
            low[i, :] = -np.inf
            high[i, :] = np.inf
            continue
        _, n_adopt, n_mid, mosaic = worker_crossing(
            x, i, a, c0, ent_ptr, ent_facet, ent_inv, ent_r, kept, adopted, buf
        )
        memo[i, 0], memo[i, 1], memo[i, 2], memo[i, 3], memo[i, 4] = (
            1,
            1 if mosaic else 0,
            nb,
            n_adopt,
            n_mid,
        )
        for j in range(5):
            totals[j] += memo[i, j]
        if fresh:
            low[i, :] = -np.inf
            high[i, :] = np.inf
        for q in range(fac_ptr[a], fac_ptr[a + 1]):
            f, k0, k1 = fac_rows[q, 0], fac_rows[q, 1], fac_rows[q, 2]
            if fresh or not low[i, f] <= x[i, f] <= high[i, f]:
                low[i, f], high[i, f] = _cell(x[i, f], c0[a, f], ent_inv, k0, k1, kept, adopted)
    return totals[0], totals[1], totals[2], totals[3], totals[4]
