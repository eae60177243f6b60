"""The kernels that start, end and weaken ties, on the compact ties, against plain rules.

Each plain rule is written on the per-edge strengths (one float per co-presence edge, 0 where
there is no tie), the way the rules read before the ties were kept compact; the kernels must
give the same ties, strengths, degrees and familiarity, compiled and as pure Python.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from simulation import kernels

TABLES = {"compiled": kernels._COMPILED, "pure": kernels._PURE}


def _setting(seed: int, n_ties: int) -> SimpleNamespace:
    """Forty workers, 150 co-presence edges, ``n_ties`` of them tied, some barely."""
    rng = np.random.default_rng(seed)
    n = 40
    pairs = rng.permutation(np.array([(a, b) for a in range(n) for b in range(a + 1, n)]))
    ends = pairs[:150].astype(np.int32)
    tie = np.zeros(ends.shape[0])
    ids = rng.choice(ends.shape[0], n_ties, replace=False)
    tie[ids] = rng.choice([0.051, 0.0526, 0.3, 1.0], n_ties) * rng.uniform(0.9, 1.1, n_ties)
    return SimpleNamespace(
        ends=ends,
        tie=tie,
        degree=np.bincount(ends[tie > 0].ravel(), minlength=n).astype(np.int32),
        familiarity=rng.integers(0, 6, ends.shape[0]).astype(np.int32),
        n=n,
    )


def _compact(c: SimpleNamespace) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The compact ties of the per-edge strengths (as :meth:`World.refresh_ties` makes them)."""
    ids = np.flatnonzero(c.tie).astype(np.int64)
    return ids, c.tie[ids].copy(), c.ends[ids].astype(np.int32)


def _same(got, tie: np.ndarray, ends: np.ndarray) -> None:
    """The kernel's compact ties are exactly the plain rule's per-edge strengths."""
    ids, strength, tie_ends = got
    assert np.array_equal(ids, np.flatnonzero(tie))
    assert ids.dtype == np.int64
    assert np.array_equal(strength, tie[ids])
    assert np.array_equal(tie_ends, ends[ids])
    assert tie_ends.dtype == np.int32
    assert tie_ends.shape == (ids.size, 2)


def _plain_form(c, tie, degree, engaged, u, scale, half) -> None:
    for k, e in enumerate(engaged):
        fam = c.familiarity[e]
        if u[k] < scale * fam / (fam + half):
            if tie[e] == 0.0:
                degree[c.ends[e]] += 1
            tie[e] = 1.0


def _plain_decay(c, tie, degree, keep, floor) -> None:
    for e in np.flatnonzero(tie):
        s = tie[e] * keep
        if s < floor:
            s = 0.0
            degree[c.ends[e]] -= 1
        tie[e] = s


def _plain_cut(c, tie, degree, familiarity, leavers) -> None:
    for i in leavers:
        for e in np.flatnonzero((c.ends == i).any(axis=1)):
            familiarity[e] = 0
            if tie[e] != 0.0:
                tie[e] = 0.0
                degree[c.ends[e]] -= 1


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("n_ties", [0, 1, 40, 150])
@pytest.mark.parametrize("seed", range(10))
def test_form_ties_is_the_rule_applied_pair_by_pair(seed: int, n_ties: int, table: str) -> None:
    """Pairs that engage several times in a week, on edges tied or not: one tie each."""
    c = _setting(seed, n_ties)
    rng = np.random.default_rng(seed + 100)
    engaged = rng.integers(0, c.ends.shape[0], 120)  # repeats: pairs engage more than once
    u = rng.random(engaged.size)
    want_tie, want_degree = c.tie.copy(), c.degree.copy()
    _plain_form(c, want_tie, want_degree, engaged, u, 0.8, 2.0)
    degree = c.degree.copy()
    got = TABLES[table].form_ties(
        *_compact(c), degree, c.ends, engaged, c.familiarity, u, 0.8, 2.0
    )
    _same(got, want_tie, c.ends)
    assert np.array_equal(degree, want_degree)
    if n_ties < 150:
        assert np.count_nonzero(want_tie) > n_ties  # new ties were made


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("new_one", [None, "first", "last"])
@pytest.mark.parametrize("seed", range(10))
def test_form_ties_renews_ties_already_on_in_place(seed: int, new_one: str | None, table: str):
    """Pairs that only renew ties already on: the same arrays come back, renewed in place.

    With one pair on an edge not yet tied (its edge the lowest or the highest of the week's),
    the ties are merged anew and the arrays given are left as they were.
    """
    c = _setting(seed, 40)
    before = _compact(c)
    kept = [a.copy() for a in before]
    rng = np.random.default_rng(seed + 200)
    engaged = rng.choice(before[0], 60)  # repeats: pairs engage more than once
    if new_one is not None:
        free = np.setdiff1d(np.arange(c.ends.shape[0]), before[0])
        engaged[0] = free[0] if new_one == "first" else free[-1]
    u = rng.random(engaged.size)
    u[0], c.familiarity[engaged[0]] = 0.0, 5  # that pair ties
    want_tie, want_degree = c.tie.copy(), c.degree.copy()
    _plain_form(c, want_tie, want_degree, engaged, u, 0.8, 2.0)
    degree = c.degree.copy()
    got = TABLES[table].form_ties(*before, degree, c.ends, engaged, c.familiarity, u, 0.8, 2.0)
    _same(got, want_tie, c.ends)
    assert np.array_equal(degree, want_degree)
    assert all(a is b for a, b in zip(got, before, strict=True)) == (new_one is None)
    if new_one is not None:  # nothing written in place before the merge was found needed
        assert all(np.array_equal(a, b) for a, b in zip(before, kept, strict=True))
    assert np.count_nonzero(want_tie == 1.0) > np.count_nonzero(c.tie == 1.0)  # some renewed


@pytest.mark.parametrize("table", TABLES)
def test_form_ties_without_a_tie_made_returns_the_same_arrays(table: str) -> None:
    c = _setting(3, 20)
    before = _compact(c)
    got = TABLES[table].form_ties(
        *before, c.degree, c.ends, np.arange(5), c.familiarity, np.ones(5), 0.8, 2.0
    )
    assert all(a is b for a, b in zip(got, before, strict=True))


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("keep", [0.95, 0.5, 0.0])
@pytest.mark.parametrize("seed", range(10))
def test_decay_ties_is_the_rule_applied_tie_by_tie(seed: int, keep: float, table: str) -> None:
    c = _setting(seed, 60)
    want_tie, want_degree = c.tie.copy(), c.degree.copy()
    _plain_decay(c, want_tie, want_degree, keep, 0.05)
    degree = c.degree.copy()
    got = TABLES[table].decay_ties(*_compact(c), degree, keep, 0.05)
    _same(got, want_tie, c.ends)
    assert np.array_equal(degree, want_degree)
    if keep == 0.95:
        assert 0 < np.count_nonzero(want_tie) < 60  # some ended, some kept


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("n_leavers", [0, 1, 5, 40])
@pytest.mark.parametrize("seed", range(10))
def test_cut_ties_is_the_rule_applied_leaver_by_leaver(seed: int, n_leavers: int, table: str):
    """Leavers (some twice, some ending the same tie) lose their edges' ties and familiarity."""
    c = _setting(seed, 60)
    rng = np.random.default_rng(seed + 200)
    leavers = rng.integers(0, c.n, n_leavers)
    adj_ptr, adj_edge = kernels.incidence(c.ends, c.n)
    want_tie, want_degree, want_fam = c.tie.copy(), c.degree.copy(), c.familiarity.copy()
    _plain_cut(c, want_tie, want_degree, want_fam, leavers)
    degree, familiarity = c.degree.copy(), c.familiarity.copy()
    got = TABLES[table].cut_ties(leavers, adj_ptr, adj_edge, familiarity, degree, *_compact(c))
    _same(got, want_tie, c.ends)
    assert np.array_equal(degree, want_degree)
    assert np.array_equal(familiarity, want_fam)
    assert np.all(degree[leavers] == 0)


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("seed", range(5))
def test_decay_where_no_tie_ends_weakens_every_tie_and_keeps_them_all(seed: int, table: str):
    c = _setting(seed, 60)
    c.tie[c.tie > 0] = np.random.default_rng(seed).uniform(0.3, 1.0, 60)
    want_tie, want_degree = c.tie.copy(), c.degree.copy()
    _plain_decay(c, want_tie, want_degree, 0.95, 0.05)
    degree = c.degree.copy()
    got = TABLES[table].decay_ties(*_compact(c), degree, 0.95, 0.05)
    _same(got, want_tie, c.ends)
    assert np.array_equal(degree, want_degree)
    assert np.count_nonzero(want_tie) == 60
