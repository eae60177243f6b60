"""The exact mean pairwise distance, sorting each facet (diversity, week after week).

Facet by facet, ``sum_{k<l} |s_l - s_k| = sum_k (2k - K + 1) s_k`` over the sorted values
``s``: the all-pairs mean without forming the pairs. What is left to do is sorting, from last
week's order for a few rows, through buckets for many.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["sorted_mean_pairwise"]

_SHIFT_LIMIT = 8  # insertion sort gives up beyond this many shifts per worker
_BUCKET_ROWS = 256  # above this many rows, each facet is sorted afresh through buckets
# Buckets per row: practices gather in clumps, and four times as many buckets as rows leave
# few values to share one (2,048 sampled rows at 1e4: 0.71 of the time of one bucket a row;
# eight a row, 0.80: the buckets' running sum starts to cost more than it saves).
_BUCKETS_PER_ROW = 4


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn)


@_jit
def sorted_mean_pairwise(x, perm):
    """Exact mean L1/D distance over all pairs of rows, sorting each facet.

    Up to ``_BUCKET_ROWS`` rows, ``perm[f]`` is last time's sorting order of facet ``f``; it is
    finished by insertion sort (linear when practices moved little) or, past ``_SHIFT_LIMIT``
    shifts per row, redone by a merge sort, and updated in place. Above, each facet is sorted
    afresh by buckets (:func:`_bucket_sort`, linear for values spread over [0, 1]) and ``perm``
    is left as it is. The sum runs over the sorted values in order, so the result depends only
    on the values, not on how they were sorted.
    """
    n, d = x.shape
    if n < 2 or d == 0:
        return 0.0
    total = 0.0
    v = np.empty(n)
    big = n > _BUCKET_ROWS
    slots = np.empty(_BUCKETS_PER_ROW * n + 1 if big else 0, dtype=np.int64)
    for f in range(d):
        if n <= _BUCKET_ROWS or not _bucket_sort(x, f, v, slots):
            _insertion_sort(x, f, perm[f], v)
        acc = 0.0
        for k in range(n):
            acc += (2.0 * k - (n - 1)) * v[k]
        total += acc
    return max(0.0, total / (0.5 * n * (n - 1) * d))


@_jit
def _insertion_sort(x, f, p, v):
    """Facet ``f`` of ``x`` sorted into ``v``, from last time's order ``p`` (updated)."""
    n = x.shape[0]
    for k in range(n):
        v[k] = x[p[k], f]
    shifts = 0
    for k in range(1, n):
        key = v[k]
        idx = p[k]
        j = k - 1
        while j >= 0 and v[j] > key:
            v[j + 1] = v[j]
            p[j + 1] = p[j]
            j -= 1
            shifts += 1
        v[j + 1] = key
        p[j + 1] = idx
        if shifts > _SHIFT_LIMIT * n:
            col = x[:, f].copy()
            order = np.argsort(col, kind="mergesort")
            for q in range(n):
                p[q] = order[q]
                v[q] = col[order[q]]
            return


@_jit
def _bucket_sort(x, f, v, slots):
    """Facet ``f`` of ``x`` sorted into ``v`` through the ``len(slots) - 1`` buckets of [0, 1].

    A value's bucket ``int(value * buckets)`` (clamped) never decreases as the value grows, so the
    buckets come in order and an insertion sort finishes each one. Returns False, leaving the
    work to the caller, when a value is not finite.
    """
    n = x.shape[0]
    nb = slots.shape[0] - 1
    slots[:] = 0
    for k in range(n):
        value = x[k, f]
        if not abs(value) < np.inf:
            return False
        slots[min(max(int(value * nb), 0), nb - 1) + 1] += 1
    for b in range(nb):
        slots[b + 1] += slots[b]
    for k in range(n):
        value = x[k, f]
        b = min(max(int(value * nb), 0), nb - 1)
        v[slots[b]] = value
        slots[b] += 1
    for k in range(1, n):
        key = v[k]
        j = k - 1
        while j >= 0 and v[j] > key:
            v[j + 1] = v[j]
            j -= 1
        v[j + 1] = key
    return True
