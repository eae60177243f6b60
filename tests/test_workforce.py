"""The workforce's learning multiplier against its formula, as tenures grow and hires arrive."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulation import kernels, rules
from simulation.model import PoolingModel
from simulation.workforce import NEWCOMER_WEEKS


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
def test_identity_gap_and_current_cultures_in_one_pass(seed: int, d: int) -> None:
    """The gap of each worker as written plainly, and the means as ``group_mean`` gives them.

    Five associations, one without workers (it keeps its culture) and one with no weight on
    any facet (its workers' gap is 0); styles push some goals outside [0, 1].
    """
    rng = np.random.default_rng(seed)
    n = 200
    x = rng.random((n, d))
    target_of = rng.choice([0, 1, 2, 4], n)
    targets = rng.random((5, d))
    offset = rng.normal(0.0, 0.4, (n, d))
    weight = rng.choice([0.0, 0.3, 1.0], (5, d))
    weight[2] = 0.0
    want_gap = _gap_one_by_one(x, target_of, targets, offset, weight)
    want_means = targets.copy()
    kernels.group_mean(x, target_of, 5, want_means)
    for table in (kernels._COMPILED, kernels._PURE):
        gap, means = np.full(n, -1.0), targets.copy()
        table.core_gap(x, target_of, targets, offset, weight, gap, means)
        assert np.array_equal(gap, want_gap)
        assert np.array_equal(means, want_means)
        alone = np.full(n, -1.0)
        table.core_gap(x, target_of, targets, offset, weight, alone, np.empty((0, d)))
        assert np.array_equal(alone, want_gap)
    assert np.array_equal(want_means[3], targets[3])
    assert np.all(want_gap[target_of == 2] == 0.0)
    assert np.count_nonzero(want_gap) > 0
