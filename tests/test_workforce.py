"""The workforce's learning multiplier against its formula, as tenures grow and hires arrive."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from simulation import kernels, rules
from simulation.model import PoolingModel
from simulation.workforce import NEWCOMER_WEEKS, SMALL_WORLD, gap_bound


def _formula(tenure: np.ndarray, newcomer_learning: float) -> np.ndarray:
    """``1 + newcomer_learning * exp(-tenure / NEWCOMER_WEEKS)``, NumPy's numbers."""
    if newcomer_learning <= 0:
        return np.ones(tenure.shape[0])
    return 1.0 + newcomer_learning * np.exp(-tenure / NEWCOMER_WEEKS)


@pytest.mark.parametrize("seed", range(10))
def test_learning_is_the_formula_bit_for_bit_week_after_week(seed: int) -> None:
    """Tenures grow, some reset to 0 (hires), some jump past the table; the rate changes."""
    model = PoolingModel(scenario="landscape", n_workers=300, rng=seed, newcomer_learning=1.0)
    world, rng, r = model.world, np.random.default_rng(seed), model.params
    world.tenure[:] = rng.geometric(rng.choice([0.002, 0.02, 0.2]), world.n_workers) - 1
    for week in range(30):
        if week in (10, 20):  # another learning rate, then none at all
            r = dataclasses.replace(r, newcomer_learning=(0.7, 0.0)[week // 20])
        got = rules.learning(world, r)
        want = _formula(world.tenure, r.newcomer_learning)
        assert np.array_equal(got.view(np.int64), want.view(np.int64))
        world.tenure += 1
        world.tenure[rng.random(world.n_workers) < 0.05] = 0
        if week % 7 == 6:  # one worker far longer in post than the table reaches
            world.tenure[rng.integers(world.n_workers)] = 10 * int(world.tenure.max()) + 3
    assert rules.learning(world, r)[0] == 1.0  # newcomer_learning 0: every worker learns alike


def _gap_one_by_one(x, target_of, targets, offset, weight) -> np.ndarray:
    """Each worker's weighted mean distance from its culture plus its style, clipped."""
    out = np.zeros(x.shape[0])
    for i, t in enumerate(target_of):
        num = den = 0.0
        for f in range(x.shape[1]):
            goal = min(1.0, max(0.0, targets[t, f] + offset[i, f]))
            num += weight[t, f] * abs(x[i, f] - goal)
            den += weight[t, f]
        out[i] = num / den if den > 0.0 else 0.0
    return out


@pytest.mark.parametrize("d", [1, 6, 16, 64])
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("spread", [0.0, 0.3])
def test_leavers_and_their_cultures_are_the_hazard_and_means_of_every_worker(
    seed: int, d: int, spread: float
) -> None:
    """The leavers of the hazard over every worker's gap, and the means ``group_mean`` gives.

    Five associations, one without workers and one with no weight on any facet (its workers'
    gap is 0); styles push some goals outside [0, 1]; with ``spread`` some practices lie
    outside [0, 1] too (gaps above 1), and the hazards are large, so that many workers leave.
    """
    rng = np.random.default_rng(seed)
    n = 300
    x = rng.uniform(-spread, 1.0 + spread, (n, d))
    target_of = rng.choice([0, 1, 2, 4], n)
    targets = rng.random((5, d))
    offset = rng.normal(0.0, 0.4, (n, d))
    weight = rng.choice([0.0, 0.3, 1.0], (5, d))
    weight[2] = 0.0
    threat = rng.choice([0.0, 0.1, 0.6], n)
    u = rng.random(n)
    # worker 0 lies 1 + spread from its goal on every facet: with spread, its gap passes 1
    target_of[0], weight[1], x[0], offset[0], threat[0], u[0] = (
        1,
        1.0,
        1.0 + spread,
        -5.0,
        0.6,
        0.71,
    )
    gap = _gap_one_by_one(x, target_of, targets, offset, weight)
    want = (u < 0.05 + threat * gap).nonzero()[0]
    means = targets.copy()
    kernels.group_mean(x, target_of, 5, means)
    order, ptr = (
        np.argsort(target_of, kind="stable"),
        np.searchsorted(np.sort(target_of), range(6)),
    )
    for table in (kernels._COMPILED, kernels._PURE):
        # the bound the rule finds, the tightest one, and none (every gap computed)
        for bound in (gap_bound(x), max(1.0, x.max(), 1.0 - x.min()), math.inf):
            got_leavers = table.leavers(
                u, x, target_of, targets, offset, weight, 0.05, threat, bound
            )
            assert np.array_equal(got_leavers, want)
        # groups in any order, repeated as the week's leavers' associations are
        for some in (np.array([4, 0, 1]), np.array([1, 4, 1, 1, 0, 4]), np.array([0])):
            got_means = table.group_means_of(x, order, ptr, some)
            assert np.array_equal(got_means.view(np.int64), means[some].view(np.int64))
    assert np.all(gap[target_of == 2] == 0.0)
    assert (u[want] >= 0.05).any()  # some left for their threat, not only at the base rate
    assert (0 in want) == (spread > 0)  # a draw above the hazard a gap of 1 would give


@pytest.mark.parametrize("seed", range(8))
def test_gap_bound_is_at_least_every_gap_and_unbounded_in_a_small_world(seed: int) -> None:
    """Consistency check: the bound lies above every worker's gap, whatever its practices."""
    rng = np.random.default_rng(seed)
    for n, d in ((40, 6), (SMALL_WORLD // 6 + 1, 6), (2000, 16)):
        spread = rng.choice([0.0, 0.5])
        x = rng.uniform(-spread, 1.0 + spread, (n, d))
        target_of = rng.integers(0, 3, n)
        targets, offset = rng.random((3, d)), rng.normal(0.0, 0.4, (n, d))
        weight = rng.choice([0.0, 0.3, 1.0], (3, d))
        bound = gap_bound(x)
        assert np.isinf(bound) == (x.size < SMALL_WORLD)
        assert (_gap_one_by_one(x, target_of, targets, offset, weight) <= bound).all()
