"""The per-worker pulls against their rule written plainly, with and without a worker's offset."""

from __future__ import annotations

import numpy as np
import pytest

from simulation import kernels


def _pull_one_by_one(x, target_of, targets, offset, rate, weight) -> None:
    """Each worker closes ``rate * weight`` of its gap to its target plus offset, clipped."""
    for i, t in enumerate(target_of):
        for f in range(x.shape[1]):
            goal = min(1.0, max(0.0, targets[t, f] + offset[i, f]))
            x[i, f] += rate[i] * weight[t, f] * (goal - x[i, f])


@pytest.mark.parametrize("d", [1, 6, 16, 64])
@pytest.mark.parametrize("seed", range(6))
def test_pull_towards_a_norm_without_offsets_is_the_pull_with_zero_offsets(
    seed: int, d: int
) -> None:
    """Bit-identical practices with an offset per worker, of zeros, and of no rows at all.

    Some workers are not pulled (rate 0), some targets lie outside [0, 1] (clipped), some
    facets carry no weight.
    """
    rng = np.random.default_rng(seed)
    n = 150
    x = rng.random((n, d))
    target_of = rng.integers(0, 4, n)
    targets = rng.uniform(-0.2, 1.2, (4, d))
    rate = rng.choice([0.0, 0.1, 0.5], n)
    weight = rng.choice([0.0, 0.4, 1.0], (4, d))
    style = rng.normal(0.0, 0.3, (n, d))
    for offset in (style, np.zeros((n, d))):
        want = x.copy()
        _pull_one_by_one(want, target_of, targets, offset, rate, weight)
        rows = (offset, np.zeros((0, d))) if not offset.any() else (offset,)
        for table in (kernels._COMPILED, kernels._PURE):
            for given in rows:
                got = x.copy()
                table.pull_towards(got, target_of, targets, given, rate, weight)
                assert np.array_equal(got.view(np.int64), want.view(np.int64))
        assert not np.array_equal(want, x)
