"""Compiled helpers that let the measures scale to landscapes (no worker x association arrays).

At 100,000 workers and 5,700 associations, the measures that compare every worker with every
association's initial centroid (borrowing, hybridity, identity kappa) would build ``(N, A)`` and
``(N, A, D)`` arrays of several gigabytes, and the mean distance between centroids an ``(A, A, D)``
one. The helpers here stream over the same comparisons in compiled loops instead, in O(N) memory.

The helpers :func:`nearest_culture` and :func:`borrowed_facets` give *identical* results to the
array expressions of :mod:`simulation.metrics`: each worker-to-centroid distance is summed over
facets in exactly the order numpy's ``mean(axis=-1)`` uses (pairwise summation: sequential below
8 facets, eight accumulators up to 128, halves above), so ties and the nearest centroid come out
the same, bit for bit. Candidates that cannot be (or tie with) the nearest are skipped, by a
partial sum (up to ``TREE_ABOVE`` associations) or a k-d tree (above), with a margin far larger
than any rounding: skipping never changes a result. :func:`mean_pairwise_rows` uses the
sorted-values identity instead of all pairs (equal up to rounding, about 1e-15 relative).
"""

from __future__ import annotations

import numba
import numpy as np
from scipy.spatial import cKDTree

__all__ = ["borrowed_facets", "mean_pairwise_rows", "nearest_culture"]

TREE_ABOVE = 64
"""Above this many associations the nearest centroid is searched with a k-d tree."""
_MARGIN = 1.0 + 1e-9  # far above the rounding of a pairwise sum of non-negative terms


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn)


@_jit
def _block_sum(x, i, c, b, lo, n):
    """Sum of ``|x[i, f] - c[b, f]|`` over ``lo <= f < lo + n <= lo + 128``, as numpy adds."""
    if n < 8:
        res = -0.0
        for f in range(lo, lo + n):
            res += abs(x[i, f] - c[b, f])
        return res
    r0 = abs(x[i, lo] - c[b, lo])
    r1 = abs(x[i, lo + 1] - c[b, lo + 1])
    r2 = abs(x[i, lo + 2] - c[b, lo + 2])
    r3 = abs(x[i, lo + 3] - c[b, lo + 3])
    r4 = abs(x[i, lo + 4] - c[b, lo + 4])
    r5 = abs(x[i, lo + 5] - c[b, lo + 5])
    r6 = abs(x[i, lo + 6] - c[b, lo + 6])
    r7 = abs(x[i, lo + 7] - c[b, lo + 7])
    f = lo + 8
    stop = lo + n - n % 8
    while f < stop:
        r0 += abs(x[i, f] - c[b, f])
        r1 += abs(x[i, f + 1] - c[b, f + 1])
        r2 += abs(x[i, f + 2] - c[b, f + 2])
        r3 += abs(x[i, f + 3] - c[b, f + 3])
        r4 += abs(x[i, f + 4] - c[b, f + 4])
        r5 += abs(x[i, f + 5] - c[b, f + 5])
        r6 += abs(x[i, f + 6] - c[b, f + 6])
        r7 += abs(x[i, f + 7] - c[b, f + 7])
        f += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while f < lo + n:
        res += abs(x[i, f] - c[b, f])
        f += 1
    return res


@_jit
def _pairwise_sum(x, i, c, b, lo, n):
    """Pairwise summation as numpy does it: blocks of <= 128, halves split at multiples of 8.

    numpy recurses; Numba cannot load a cached recursive function, so the recursion runs on an
    explicit stack (only past 128 facets), adding the halves in the same order.
    """
    if n <= 128:
        return _block_sum(x, i, c, b, lo, n)
    frame_lo = np.empty(64, dtype=np.int64)
    frame_n = np.empty(64, dtype=np.int64)
    stage = np.zeros(64, dtype=np.int64)
    sums = np.empty(64)
    top = 0
    n_sums = 0
    frame_lo[0] = lo
    frame_n[0] = n
    while top >= 0:
        seg_lo = frame_lo[top]
        seg_n = frame_n[top]
        half = seg_n // 2
        half -= half % 8
        if seg_n <= 128:
            sums[n_sums] = _block_sum(x, i, c, b, seg_lo, seg_n)
            n_sums += 1
            top -= 1
        elif stage[top] == 0:  # first the left half
            stage[top] = 1
            top += 1
            frame_lo[top], frame_n[top], stage[top] = seg_lo, half, 0
        elif stage[top] == 1:  # then the right half
            stage[top] = 2
            top += 1
            frame_lo[top], frame_n[top], stage[top] = seg_lo + half, seg_n - half, 0
        else:  # both done: left + right
            n_sums -= 1
            sums[n_sums - 1] = sums[n_sums - 1] + sums[n_sums]
            top -= 1
    return sums[0]


@_jit
def _l1_sum(x, i, c, b):
    """``sum_f |x[i, f] - c[b, f]|`` in the order of numpy's ``sum(axis=-1)``."""
    return _pairwise_sum(x, i, c, b, 0, x.shape[1])


@_jit
def _nearest_all(x, m, c0, nearest_own, credit):
    """Nearest initial centroid of each worker by scanning every association."""
    n, d = x.shape
    for i in range(n):
        a = m[i]
        own = _l1_sum(x, i, c0, a) / d
        best = own
        ties = 1
        bound = best * d * _MARGIN
        for b in range(c0.shape[0]):
            if b == a:
                continue
            partial = 0.0
            far = False
            for f in range(d):
                partial += abs(x[i, f] - c0[b, f])
                if partial > bound:
                    far = True
                    break
            if far:
                continue
            dist = _l1_sum(x, i, c0, b) / d
            if dist < best:
                best = dist
                ties = 1
                bound = best * d * _MARGIN
            elif dist == best:
                ties += 1
        nearest_own[i] = own <= best
        credit[i] = 1.0 / ties if own == best else 0.0


@_jit
def _nearest_among(x, m, c0, cand_ptr, cand, nearest_own, credit):
    """Nearest initial centroid of each worker among its candidates (and its own)."""
    n, d = x.shape
    for i in range(n):
        a = m[i]
        own = _l1_sum(x, i, c0, a) / d
        best = own
        ties = 1
        for k in range(cand_ptr[i], cand_ptr[i + 1]):
            b = cand[k]
            if b == a:
                continue
            dist = _l1_sum(x, i, c0, b) / d
            if dist < best:
                best = dist
                ties = 1
            elif dist == best:
                ties += 1
        nearest_own[i] = own <= best
        credit[i] = 1.0 / ties if own == best else 0.0


@_jit
def _borrowed(x, m, c0, slot_ptr, slot_partner, eligible, n_borrowed):
    """Facets on which each worker is strictly closer to an eligible partner than to its own."""
    n, d = x.shape
    for i in range(n):
        a = m[i]
        count = 0
        for f in range(d):
            gap = abs(x[i, f] - c0[a, f])
            for s in range(slot_ptr[a], slot_ptr[a + 1]):
                if eligible[s, f] and abs(x[i, f] - c0[slot_partner[s], f]) < gap:
                    count += 1
                    break
        n_borrowed[i] = count


def _candidates(x: np.ndarray, c0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every centroid within (a hair more than) the nearest one's L1 distance, per worker.

    A k-d tree finds the two nearest; when the second is farther than the first by more than
    ``_MARGIN`` (far more than the rounding of either distance) the first is the only
    candidate, otherwise a ball of that radius gives every centroid that could be the nearest
    or tie with it once distances are summed in numpy's order.
    """
    tree = cKDTree(c0)
    k = min(2, len(c0))
    dist, idx = tree.query(x, k=k, p=1)
    dist, idx = dist.reshape(len(x), k), idx.reshape(len(x), k)
    radius = dist[:, 0] * _MARGIN + 1e-300
    crowded = np.flatnonzero(dist[:, -1] <= radius) if k > 1 else np.zeros(0, dtype=np.int64)
    lengths = np.ones(len(x), dtype=np.int64)
    balls = tree.query_ball_point(x[crowded], radius[crowded], p=1, return_sorted=False)
    lengths[crowded] = np.fromiter(map(len, balls), dtype=np.int64, count=len(balls))
    ptr = np.zeros(len(x) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    flat = np.repeat(idx[:, 0], lengths)
    for row, ball in zip(crowded.tolist(), balls, strict=True):
        flat[ptr[row] : ptr[row + 1]] = ball
    return ptr, flat


def _arrays(practices, membership, initial_centroids):
    x = np.ascontiguousarray(practices, dtype=np.float64)
    m = np.ascontiguousarray(membership, dtype=np.int64).reshape(-1)
    c0 = np.ascontiguousarray(initial_centroids, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"practices must be (N, D), got shape {x.shape}")
    return x, m, c0


def nearest_culture(
    practices: np.ndarray, membership: np.ndarray, initial_centroids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Whether each worker is nearest its own culture, and its identity-kappa credit.

    Distances are L1/D to the initial centroids, summed in numpy's order (so the result is
    the one the ``(N, A)`` distance matrix gives).

    Args:
        practices: ``(N, D)`` practices.
        membership: ``(N,)`` association of each worker.
        initial_centroids: ``(A, D)`` initial centroids of the associations.

    Returns:
        ``(nearest_own, credit)``, each ``(N,)``: whether the worker's own initial centroid is
        (one of) the nearest; ``1 / k`` when it is among the ``k`` nearest, else 0 (what
        :func:`simulation.metrics.identity_kappa` credits a worker with).

    Raises:
        ValueError: if the practices are not ``(N, D)``.
    """
    x, m, c0 = _arrays(practices, membership, initial_centroids)
    nearest_own = np.zeros(x.shape[0], dtype=np.bool_)
    credit = np.zeros(x.shape[0])
    if x.shape[0] and x.shape[1]:
        if len(c0) > TREE_ABOVE:
            _nearest_among(x, m, c0, *_candidates(x, c0), nearest_own, credit)
        else:
            _nearest_all(x, m, c0, nearest_own, credit)
    return nearest_own, credit


def borrowed_facets(
    practices: np.ndarray,
    membership: np.ndarray,
    initial_centroids: np.ndarray,
    partners: np.ndarray,
    min_gap: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Borrowed and borrowable facets of each worker (see ``metrics.borrowing_share``).

    Args:
        practices: ``(N, D)`` practices.
        membership: ``(N,)`` association of each worker.
        initial_centroids: ``(A, D)`` initial centroids of the associations.
        partners: ``(A, A)`` bool, True where two distinct associations were pooled.
        min_gap: smallest initial gap for a partner's facet to be borrowable.

    Returns:
        ``(n_borrowed, n_borrowable)``, each ``(N,)`` int: the borrowable facets on which the
        worker is now strictly closer to a partner's initial value than to its own
        association's, and the number of its borrowable facets.

    Raises:
        ValueError: if the practices are not ``(N, D)``.
    """
    x, m, c0 = _arrays(practices, membership, initial_centroids)
    own, partner = np.nonzero(partners)
    eligible = np.abs(c0[own] - c0[partner]) >= min_gap
    slot_ptr = np.zeros(len(c0) + 1, dtype=np.int64)
    np.cumsum(np.bincount(own, minlength=len(c0)), out=slot_ptr[1:])
    borrowable = np.zeros(c0.shape, dtype=np.bool_)
    np.logical_or.at(borrowable, own, eligible)
    n_borrowed = np.zeros(x.shape[0], dtype=np.int64)
    if x.shape[0] and x.shape[1]:
        _borrowed(x, m, c0, slot_ptr, partner.astype(np.int64), eligible, n_borrowed)
    return n_borrowed, borrowable.sum(axis=1)[m]


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
