"""The shared-cases kernel against the rule of collaboration written plainly, case by case."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from simulation import kernels


def _facet(x: np.ndarray, i: int, j: int, u_interact: float, u_facet: float, c) -> int:
    """The facet a case works on, or -1: one picked among the differing facets, if they meet."""
    d = x.shape[1]
    differing = [f for f in range(d) if abs(x[i, f] - x[j, f]) > c.tol]
    n_same = d - len(differing)
    if not differing or u_interact >= c.floor + (1.0 - c.floor) * n_same / d:
        return -1
    pick = int(u_facet * len(differing))
    return differing[pick] if pick < len(differing) else 0


def _cases_one_by_one(x: np.ndarray, tie: np.ndarray, u: np.ndarray, c) -> int:
    """Each case on the workers' own arrays, in order: the tie by strength, then one facet."""
    if c.tie_ids.size == 0:
        return 0
    cum = np.cumsum(tie[c.tie_ids])
    picked = np.minimum(np.searchsorted(cum, u[0] * cum[-1], side="right"), cum.size - 1)
    renewed, moved = [], 0
    rate = kernels._facet_rate.py_func  # the pair rule the generic kernels use
    traits = (c.openness, c.sector, c.influence, c.sector_facet, c.profession, c.owned, c.keep)
    for k, t in enumerate(picked):
        first, second = (int(w) for w in c.ends[c.tie_ids[t]])
        i, j = (second, first) if u[1, k] < 0.5 else (first, second)
        f = _facet(x, i, j, u[2, k], u[3, k], c)
        if f < 0:
            continue
        a = rate(i, j, f, c.mu, *traits)
        b = rate(j, i, f, c.mu, *traits)
        xi, xj = x[i, f], x[j, f]
        x[i, f] = xi + a * (xj - xi)
        x[j, f] = xj + b * (xi - xj)
        renewed.append(c.tie_ids[t])
        moved += 1
    tie[renewed] = 1.0
    return moved


def _setting(seed: int, d: int, n_ties: int) -> SimpleNamespace:
    """Forty workers, a hundred co-presence edges, ``n_ties`` of them tied; traits at random.

    Practices sit on a coarse grid, so that many facets are shared exactly; sector influence
    acts fully, partly or not at all on each facet; professions own facets at random.
    """
    rng = np.random.default_rng(seed)
    n, n_professions = 40, 3
    pairs = rng.permutation(np.array([(a, b) for a in range(n) for b in range(a + 1, n)]))
    ends = pairs[:100].astype(np.int32)
    tie = np.zeros(ends.shape[0])
    tie_ids = np.sort(rng.choice(ends.shape[0], n_ties, replace=False)).astype(np.int64)
    tie[tie_ids] = rng.uniform(0.05, 1.0, n_ties)
    return SimpleNamespace(
        x=rng.integers(0, 4, (n, d)) / 3.0,
        ends=ends,
        tie=tie,
        tie_ids=tie_ids,
        tol=float(rng.choice([0.0, 0.05, 0.5])),
        mu=float(rng.uniform(0.1, 0.9)),
        floor=float(rng.uniform(0.0, 0.5)),
        openness=rng.random(n),
        sector=rng.integers(0, 2, n),
        influence=rng.uniform(0.5, 2.0, (2, 2)),
        sector_facet=rng.choice([0.0, 0.5, 1.0], d),
        profession=rng.integers(0, n_professions, n),
        owned=rng.random((n_professions, d)) < 0.4,
        keep=float(rng.choice([0.0, 0.3, 1.0])),
    )


def _kernel(table, x: np.ndarray, tie: np.ndarray, u: np.ndarray, c) -> int:
    """The kernel on the ties' compact arrays; their strengths after it back onto ``tie``."""
    strength = tie[c.tie_ids]
    moved = table.collaborate(
        x,
        strength,
        c.ends[c.tie_ids],
        *u,
        c.tol,
        c.mu,
        c.floor,
        c.openness,
        c.sector,
        c.influence,
        c.sector_facet,
        c.profession,
        c.owned,
        c.keep,
    )
    tie[c.tie_ids] = strength
    return moved


@pytest.mark.parametrize("d", [1, 6, 16, 64])
@pytest.mark.parametrize("n_ties", [0, 1, 2, 30])
@pytest.mark.parametrize("seed", range(8))
def test_shared_cases_are_the_rule_applied_case_by_case(seed: int, d: int, n_ties: int) -> None:
    """Bit-identical practices, renewed ties and counts, compiled and as pure Python.

    300 cases on at most 30 ties between 40 workers: workers meet in many cases each, so a
    case reads what the cases before it wrote.
    """
    c = _setting(seed, d, n_ties)
    u = np.random.default_rng(seed + 1000).random((4, 300))
    want_x, want_tie = c.x.copy(), c.tie.copy()
    want = _cases_one_by_one(want_x, want_tie, u, c)
    for table in (kernels._COMPILED, kernels._PURE):
        x, tie = c.x.copy(), c.tie.copy()
        assert _kernel(table, x, tie, u, c) == want
        assert np.array_equal(x, want_x)
        assert np.array_equal(tie, want_tie)
    if n_ties == 30:
        assert want > 0  # cases moved practices: the comparison saw the arithmetic
    if n_ties == 0:
        assert np.array_equal(want_x, c.x)


def test_no_case_changes_nothing() -> None:
    c = _setting(0, 6, 30)
    x, tie = c.x.copy(), c.tie.copy()
    assert _kernel(kernels._COMPILED, x, tie, np.empty((4, 0)), c) == 0
    assert np.array_equal(x, c.x)
    assert np.array_equal(tie, c.tie)


@pytest.mark.parametrize("seed", range(20))
def test_tie_search_is_searchsorted_on_the_cumulative_strengths(seed: int) -> None:
    """Skewed strengths (some equal, some far larger) put many ties in one slice of the guide."""
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 200))
    strength = rng.choice([0.0, 1e-3, 0.5, 1.0, 50.0], m) * rng.random(m)
    strength[-1] += 1.0  # a positive total
    cum = np.cumsum(strength)
    u = np.concatenate([rng.random(2000), [0.0, 1.0 - 2.0**-53]])
    want = np.minimum(np.searchsorted(cum, u * cum[-1], side="right"), m - 1)
    assert np.array_equal(kernels._search_right(cum, u), want)
    assert np.array_equal(kernels._search_right.py_func(cum, u), want)
