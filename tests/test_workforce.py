"""The workforce's learning multiplier against its formula, as tenures grow and hires arrive."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulation import rules
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
