"""The kernels compiled for the article's six facets give the plain definitions' values exactly.

Each per-worker kernel runs its body with the number of facets known when compiled (six) or
read from the array (any other number, or six passed at run time); both must equal the plain
definition bit for bit, over seeds, small and degenerate sizes (one worker, an association or a
site without workers) and values on a lattice (exact ties).
"""

from __future__ import annotations

import numpy as np
import pytest
from test_measures_memory import _cells, _entries, _week
from test_measures_record import _plain_distinguish, _plain_projection, _plain_served

from simulation.measures import _crossing, _fast, access, thresholds
from simulation.measures._facets import ARTICLE_FACETS

SIZES = (1, 2, 9, 150)


def _state(seed, n, d):
    """Practices around a few cultures, memberships (some associations empty) and sites."""
    rng = np.random.default_rng(seed)
    n_assoc = int(rng.integers(1, 7))
    site = rng.integers(0, 3, n_assoc)
    m = rng.integers(0, max(1, n_assoc - 1), n)  # the last association often has no worker
    spread = float(rng.choice([0.0, 0.02, 0.3]))
    x = np.clip(rng.random((n_assoc, d))[m] + rng.normal(0, spread, (n, d)), 0, 1)
    if seed % 3 == 0:  # on a lattice: exact ties between distances
        x = np.round(x * 4) / 4
    return rng, x, m, site


def _plain_stats(x, m, n_assoc):
    """Sums, sizes and scatter, worker by worker in their order (the kernel's additions)."""
    d = x.shape[1]
    sums, counts, scatter = np.zeros((n_assoc, d)), np.zeros(n_assoc, np.int64), np.zeros(n_assoc)
    for i, a in enumerate(m):
        counts[a] += 1
        sums[a] += x[i]
    means = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], 0.0)
    for i, a in enumerate(m):
        acc = 0.0
        for f in range(d):
            acc += (x[i, f] - means[a, f]) ** 2
        scatter[a] += acc
    return sums, counts, scatter, means


def _stats(kernel, x, m, n_assoc, *d):
    sums, counts = np.zeros((n_assoc, x.shape[1])), np.zeros(n_assoc, np.int64)
    scatter = np.zeros(n_assoc)
    means = kernel(x, m, n_assoc, sums, counts, scatter, *d)
    return sums, counts, scatter, means


def _equal(a, b):
    for p, q in zip(a, b, strict=True):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("d", [1, ARTICLE_FACETS, 7])
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("seed", range(12))
def test_association_statistics_equal_the_plain_sums(seed, n, d):
    _, x, m, site = _state(seed, n, d)
    plain = _plain_stats(x, m, len(site))
    _equal(_stats(_fast.assoc_stats, x, m, len(site)), plain)
    _equal(_stats(_fast._assoc_stats, x, m, len(site), d), plain)  # d read at run time


@pytest.mark.parametrize("d", [1, ARTICLE_FACETS, 7])
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("seed", range(12))
def test_distinguishability_equals_reading_every_rival(seed, n, d):
    _, x, m, site = _state(seed, n, d)
    sums, counts, _, _ = _plain_stats(x, m, len(site))
    ptr = np.zeros(4, dtype=np.int64)
    np.cumsum(np.bincount(site, minlength=3), out=ptr[1:])
    order = np.argsort(site, kind="stable").astype(np.int64)
    plain = _plain_distinguish(x, m, site)
    _equal(_fast.distinguish_counts(x, m, sums, counts, site, ptr, order), plain)
    _equal(_fast._distinguish_counts(x, m, sums, counts, site, ptr, order, d), plain)


@pytest.mark.parametrize("d", [1, ARTICLE_FACETS, 7])
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("seed", range(12))
def test_projection_equals_the_plain_sums(seed, n, d):
    rng, x, m, site = _state(seed, n, d)
    c0 = rng.random((len(site), d))
    axis = rng.normal(0, 0.3, (len(site), d))
    has_axis = rng.random(len(site)) < 0.8
    plain = _plain_projection(x, m, c0, axis, has_axis)
    assert _fast.projection_sums(x, m, c0, axis, has_axis) == plain
    assert _fast._projection_sums(x, m, c0, axis, has_axis, d) == plain


@pytest.mark.parametrize("d", [1, ARTICLE_FACETS])
@pytest.mark.parametrize("seed", range(20))
def test_public_access_week_after_week_equals_a_full_scan(seed, d):
    """Six facets through the recorder's memory, a site without workers among the sites."""
    rng = np.random.default_rng(seed)
    n, b = int(rng.integers(1, 80)), int(rng.integers(1, 60))
    ws = rng.integers(0, 3, n)
    ns = rng.integers(0, 4, b)  # site 3 has no worker
    x, need = rng.random((n, d)), rng.random((b, d))
    tol = float(rng.choice([0.15, 0.3, 0.45]))
    week = access.PublicAccess(need, ns, tol)
    for _ in range(20):
        plain = _plain_served(x, ws, need, ns, tol)
        np.testing.assert_array_equal(access.served(x, ws, need, ns, tol), plain)
        assert week(x, ws) == plain.mean()
        np.testing.assert_array_equal(week.out, plain)
        x = np.clip(x + rng.normal(0, 0.01, x.shape), 0, 1)
        jump = rng.random(n) < 0.1
        x[jump] = rng.random((int(jump.sum()), d))


@pytest.mark.parametrize("seed", range(20))
def test_crossing_cells_equal_the_from_scratch_count_on_six_facets(seed):
    rng = np.random.default_rng(seed)
    n, n_assoc, d = int(rng.integers(1, 150)), int(rng.integers(2, 7)), ARTICLE_FACETS
    site = rng.integers(0, 2, n_assoc)
    m = rng.integers(0, n_assoc, n)
    m[: min(n, n_assoc)] = np.arange(min(n, n_assoc))  # every association has a worker
    x = np.clip(rng.random((n_assoc, d))[m] + rng.normal(0, 0.03, (n, d)), 0, 1)
    c0, entries, inv, r = _entries(x, m, site)
    fixed = (entries.ptr, entries.facet, inv, r, thresholds.KEPT, thresholds.ADOPTED)
    cells, generic = _cells(n, d, entries), _cells(n, d, entries)
    for _ in range(20):
        x, m = _week(rng, x, m, c0, n_assoc)
        expected = _fast.crossing_counts(x, m, c0, *fixed)
        assert _crossing.crossing_cells(x, m, c0, *fixed, cells) == expected
        assert _crossing._crossing_cells(x, m, c0, *fixed, generic, d) == expected
