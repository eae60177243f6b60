"""The encounters kernels against the rule of co-presence written plainly, one by one."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from simulation import kernels


def _distance(x: np.ndarray, i: int, j: int) -> float:
    """The mean absolute difference of two practices, summed facet by facet in order."""
    dist = 0.0
    for f in range(x.shape[1]):
        dist += abs(x[i, f] - x[j, f])
    return dist / x.shape[1]


def _setting(seed: int, d: int) -> SimpleNamespace:
    """Forty workers, a hundred co-presence edges with rates at random, traits at random.

    The workers form two groups, each in its own half of the space, and the homophily
    threshold is the distance of one pair (at the 20th, 40th or 60th percentile): pairs within
    a group are near, most across groups far (encounters do not bring them all together), and
    one pair lies exactly at the threshold. Sector influence acts fully, partly or not at all
    on each facet.
    """
    rng = np.random.default_rng(seed)
    n = 40
    pairs = rng.permutation(np.array([(a, b) for a in range(n) for b in range(a + 1, n)]))
    ends = pairs[:100].astype(np.int32)
    prob, alias = kernels.alias_table(rng.choice([0.0, 0.2, 1.0, 5.0], 100) * rng.random(100))
    x = 0.5 * rng.random((n, d)) + 0.5 * (np.arange(n) % 2)[:, None]
    apart = [_distance(x, int(i), int(j)) for i, j in ends]
    packed = (ends[:, 0].astype(np.int64) << kernels.ENDS_SHIFT) | ends[:, 1]
    return SimpleNamespace(
        x=x,
        ends=ends,
        prob=prob,
        alias=alias,
        table=np.stack([prob, alias, packed, packed[alias]], axis=1).astype(np.float64),
        eps=sorted(apart)[int(rng.choice([20, 40, 60]))],
        openness=rng.random(n),
        sector=rng.integers(0, 2, n),
        influence=rng.uniform(0.5, 2.0, (2, 2)),
        sector_facet=rng.choice([0.0, 0.5, 1.0], d),
        familiarity=rng.integers(0, 5, 100).astype(np.int32),
    )


def _weight(i: int, j: int, f: int, c) -> float:
    """``i``'s openness, times the pull of ``j``'s sector where sector influence acts."""
    w = c.openness[i]
    sf = c.sector_facet[f]
    if sf == 1.0:
        return w * c.influence[c.sector[i], c.sector[j]]
    if sf != 0.0:
        return w * (1.0 + sf * (c.influence[c.sector[i], c.sector[j]] - 1.0))
    return w


def _encounters_one_by_one(x: np.ndarray, fam: np.ndarray, u: np.ndarray, mu: float, c) -> list:
    """Each encounter in order: the edge by its rate, then bounded confidence if near."""
    engaged = []
    for uk in u:
        v = uk * c.prob.size
        s = min(int(v), c.prob.size - 1)
        e = s if v - s < c.prob[s] else int(c.alias[s])
        i, j = (int(w) for w in c.ends[e])
        if _distance(x, i, j) >= c.eps:
            continue
        for f in range(x.shape[1]):
            a = min(1.0, mu * _weight(i, j, f, c))
            b = min(1.0, mu * _weight(j, i, f, c))
            xi, xj = x[i, f], x[j, f]
            x[i, f] = xi + a * (xj - xi)
            x[j, f] = xj + b * (xi - xj)
        fam[e] += 1
        engaged.append(e)
    return engaged


@pytest.mark.parametrize("d", [1, 6, 16, 64])
@pytest.mark.parametrize("mu", [0.0, 0.05, 0.7])
@pytest.mark.parametrize("seed", range(8))
def test_encounters_are_the_rule_applied_encounter_by_encounter(
    seed: int, mu: float, d: int
) -> None:
    """Bit-identical practices, familiarity and engaged edges, compiled and as pure Python.

    400 encounters among 40 workers: workers meet many times, so an encounter reads what the
    encounters before it wrote; some pairs are near and some are not.
    """
    c = _setting(seed, d)
    u = np.random.default_rng(seed + 1000).random(400)
    u[:2] = (0.0, 1.0 - 2.0**-53)  # both ends of the range of a draw
    want_x, want_fam = c.x.copy(), c.familiarity.copy()
    want = _encounters_one_by_one(want_x, want_fam, u, mu, c)
    traits = (c.openness, c.sector, c.influence)
    for table in (kernels._COMPILED, kernels._PURE):
        x, fam = c.x.copy(), c.familiarity.copy()
        got = table.encounters(
            x, c.ends, c.prob, c.alias, u, c.eps, mu, *traits, fam, c.sector_facet
        )
        y, fam_y = c.x.copy(), c.familiarity.copy()
        on_table = table.encounters_on_table(
            y, c.table, u, c.eps, mu, *traits, fam_y, c.sector_facet
        )
        for engaged, practices, familiarity in ((got, x, fam), (on_table, y, fam_y)):
            assert engaged.tolist() == want
            assert np.array_equal(practices.view(np.int64), want_x.view(np.int64))
            assert np.array_equal(familiarity, want_fam)
    assert 0 < len(want) < u.size  # near pairs and far ones: both paths were taken
    assert np.array_equal(want_x, c.x) == (mu == 0)  # engaged pairs moved by mu, if any


def test_no_encounter_changes_nothing() -> None:
    c = _setting(0, 6)
    x, fam = c.x.copy(), c.familiarity.copy()
    traits = (c.openness, c.sector, c.influence)
    got = kernels.encounters_on_table(
        x, c.table, np.empty(0), c.eps, 0.3, *traits, fam, c.sector_facet
    )
    assert got.size == 0
    assert np.array_equal(x, c.x)
    assert np.array_equal(fam, c.familiarity)
