"""The recorder's compiled kernels give the plain definitions' values exactly.

Public access week after week (remembered servers and scan budgets), distinguishability's
leave-one-out assignment and the projection sums (each axis's length summed once per
association) are each compared with the definition written plainly, over seeds, weeks of small
moves and jumps, and values on a lattice (exact ties).
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation.measures import _fast, access
from simulation.measures._arrays import assoc_stats


def _plain_served(x, ws, need, ns, tol):
    """Whether some worker of each beneficiary's site fits its need within ``tol``."""
    fits = np.abs(need[:, None, :] - x[None, :, :]).max(axis=2) <= tol
    return (fits & (ns[:, None] == ws[None, :])).any(axis=1)


@pytest.mark.parametrize("seed", range(30))
def test_public_access_week_after_week_equals_a_full_scan(seed):
    rng = np.random.default_rng(seed)
    n, b, d = int(rng.integers(5, 80)), int(rng.integers(1, 60)), int(rng.integers(1, 7))
    n_sites = int(rng.integers(1, 4))
    ws = rng.integers(0, n_sites, n)
    ns = rng.integers(0, n_sites, b)
    x = rng.random((n, d))
    need = rng.random((b, d))
    tol = float(rng.choice([0.05, 0.15, 0.3]))
    week = access.PublicAccess(need, ns, tol)
    for _ in range(25):
        assert week(x, ws) == _plain_served(x, ws, need, ns, tol).mean()
        np.testing.assert_array_equal(week.out, _plain_served(x, ws, need, ns, tol))
        x = np.clip(x + rng.normal(0, 0.002, x.shape), 0, 1)  # small moves: budgets kept
        jump = rng.random(n) < float(rng.choice([0.02, 0.2]))  # a few jumps, or many
        x[jump] = rng.random((int(jump.sum()), d))
        near_need = rng.random(b) < 0.05  # a worker put just within, or just beyond, a need
        for k in np.flatnonzero(near_need):
            mates = np.flatnonzero(ws == ns[k])
            if mates.size:
                x[rng.choice(mates)] = np.clip(need[k] + rng.choice([-1, 1]) * tol, 0, 1)


def test_public_access_follows_a_jumping_worker_and_the_nearest():
    """A worker jumping onto a need serves it; the nearest stepping within reach does too."""
    need = np.array([[0.5, 0.5]])
    ns = np.array([0])
    ws = np.zeros(4, dtype=np.int64)
    x = np.array([[0.1, 0.1], [0.9, 0.9], [0.8, 0.75], [0.1, 0.9]])
    week = access.PublicAccess(need, ns, 0.2)
    assert week(x, ws) == 0.0  # nearest is worker 2, 0.3 away
    x[3] = [0.55, 0.45]  # a jump onto the need
    assert week(x, ws) == 1.0
    x[3] = [0.1, 0.9]
    assert week(x, ws) == 0.0
    x[2] = [0.69, 0.69]  # the nearest moves within reach, a small step
    assert week(x, ws) == 1.0


def _plain_projection(x, m, c0, axis, has_axis):
    """Sums of the projection ``t`` and the residual, worker by worker, in their order."""
    st, sr, count = 0.0, 0.0, 0
    d = x.shape[1]
    for i in range(x.shape[0]):
        a = m[i]
        if not has_axis[a]:
            continue
        dot, norm2 = 0.0, 0.0
        for f in range(d):
            dot += (x[i, f] - c0[a, f]) * axis[a, f]
            norm2 += axis[a, f] * axis[a, f]
        t = dot / norm2
        res = 0.0
        for f in range(d):
            res += abs(x[i, f] - c0[a, f] - t * axis[a, f])
        st += t
        sr += res / d
        count += 1
    return st, sr, count


@pytest.mark.parametrize("seed", range(10))
def test_projection_sums_equal_the_plain_sums_exactly(seed):
    rng = np.random.default_rng(seed)
    n_assoc, d = int(rng.integers(1, 8)), int(rng.integers(1, 7))
    m = rng.integers(0, n_assoc, 200)
    c0 = rng.random((n_assoc, d))
    axis = rng.normal(0, 0.3, (n_assoc, d))
    has_axis = rng.random(n_assoc) < 0.8
    x = rng.random((200, d))
    assert _fast.projection_sums(x, m, c0, axis, has_axis) == _plain_projection(
        x, m, c0, axis, has_axis
    )


def _plain_distinguish(x, m, assoc_site):
    """Credit and count of each association: every rival's distance read, worker by worker."""
    n_assoc = len(assoc_site)
    counts = np.bincount(m, minlength=n_assoc)
    sums = np.array([x[m == a].sum(axis=0) for a in range(n_assoc)])
    means = np.array([sums[a] / counts[a] if counts[a] else 0 * sums[a] for a in range(n_assoc)])
    credit, counted = np.zeros(n_assoc), np.zeros(n_assoc)
    for i in range(len(m)):
        a = m[i]
        rivals = [
            b for b in range(n_assoc) if b != a and assoc_site[b] == assoc_site[a] and counts[b]
        ]
        if counts[a] < 2 or not rivals:
            continue
        own = 0.0
        for f in range(x.shape[1]):
            own += abs(x[i, f] - (sums[a, f] - x[i, f]) / (counts[a] - 1))
        dists = []
        for b in rivals:
            dist = 0.0
            for f in range(x.shape[1]):
                dist += abs(x[i, f] - means[b, f])
            dists.append(dist)
        best = min([own, *dists])
        counted[a] += 1.0
        if own == best:
            credit[a] += 1.0 / (1 + dists.count(best))
    return credit, counted


@pytest.mark.parametrize("seed", range(30))
def test_distinguish_counts_equal_reading_every_rival(seed):
    """Rivals far apart, close, or tied exactly: the credit of reading every one."""
    rng = np.random.default_rng(seed)
    n_assoc, d = int(rng.integers(2, 9)), int(rng.integers(1, 7))
    site = rng.integers(0, 3, n_assoc)
    m = rng.integers(0, n_assoc, 150)
    spread = float(rng.choice([0.0, 0.02, 0.3]))
    x = np.clip(rng.random((n_assoc, d))[m] + rng.normal(0, spread, (150, d)), 0, 1)
    if seed % 3 == 0:  # on a lattice: exact ties between distances
        x = np.round(x * 4) / 4
    stats = assoc_stats(x, m, n_assoc)
    ptr = np.zeros(4, dtype=np.int64)
    np.cumsum(np.bincount(site, minlength=3), out=ptr[1:])
    order = np.argsort(site, kind="stable").astype(np.int64)
    credit, counted = _fast.distinguish_counts(x, m, stats.sums, stats.counts, site, ptr, order)
    plain_credit, plain_counted = _plain_distinguish(x, m, site)
    np.testing.assert_array_equal(counted, plain_counted)
    np.testing.assert_array_equal(credit, plain_credit)
