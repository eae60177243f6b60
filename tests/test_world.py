"""The world's collaboration ties: the compact arrays the rules keep, and their per-edge view."""

from __future__ import annotations

import numpy as np
import pytest

from simulation import rules
from simulation.collector import world_recorder
from simulation.model import PoolingModel

# formation, renewal by cases and referrals, decay and turnover's cuts, every week
BUSY = {
    "pooling_intensity": 0.85,
    "turnover": 0.03,
    "tie_decay": 0.2,
    "n_workers": 150,
    "record_every": 1000,
}


def _assert_compact_is_the_view(w: rules.World) -> None:
    """The compact ties are exactly the per-edge view's nonzero entries, in edge order."""
    tie = w.tie
    assert tie.shape == (w.cp_edges.shape[0],)
    assert np.array_equal(w.tie_ids, np.flatnonzero(tie))
    assert np.array_equal(w.tie_strength, tie[w.tie_ids])
    assert np.array_equal(w.tie_ends, w.cp_edges[w.tie_ids])
    assert w.tie_ids.dtype == np.int64
    assert w.tie_ends.dtype == np.int32
    ends = w.tie_ends.ravel()
    assert np.array_equal(w.tie_degree, np.bincount(ends, minlength=w.n_workers))
    assert np.all((w.tie_strength >= rules.TIE_FLOOR) & (w.tie_strength <= 1.0))


@pytest.mark.parametrize("seed", range(12))
def test_compact_ties_equal_the_per_edge_view_through_a_run(seed: int) -> None:
    """Every week of a run with ties made, renewed, weakened, ended and cut."""
    model = PoolingModel(scenario="landscape", rng=seed, **BUSY)
    w = model.world
    made = ended = cut = renewed = False
    for _ in range(40):
        before = dict(zip(w.tie_ids.tolist(), w.tie_strength.tolist(), strict=True))
        model.step()
        _assert_compact_is_the_view(w)
        after = set(w.tie_ids.tolist())
        made |= bool(after - before.keys())
        ended |= bool(before.keys() - after)
        cut |= model.counts["hires"] > 0 and bool(before.keys() - after)
        kept = w.tie_strength[np.isin(w.tie_ids, list(before))]
        renewed |= bool(np.any(kept == 1.0 - BUSY["tie_decay"]))  # renewed, then one decay
    assert made
    assert ended
    assert cut
    assert renewed


def test_writing_the_view_by_hand_then_refreshing_sets_the_ties() -> None:
    model = PoolingModel(scenario="cssi", rng=3)
    w = model.world
    rng = np.random.default_rng(0)
    edges = rng.choice(w.cp_edges.shape[0], 40, replace=False)
    w.tie[edges] = rng.uniform(0.1, 1.0, 40)
    w.refresh_ties()
    assert np.array_equal(w.tie_ids, np.sort(edges))
    _assert_compact_is_the_view(w)
    w.tie[w.tie_ids[:5]] = 0.0  # ending ties by hand
    w.refresh_ties()
    assert np.array_equal(w.tie_ids, np.sort(edges)[5:])
    _assert_compact_is_the_view(w)
    for _ in range(10):  # the rules go on from the ties written
        model.step()
        _assert_compact_is_the_view(w)


def test_assigning_the_view_sets_the_ties_at_once() -> None:
    w = PoolingModel(scenario="cssi", rng=4).world
    tie = np.zeros(w.cp_edges.shape[0])
    tie[[3, 7, 11]] = [0.5, 1.0, 0.25]
    w.tie = tie
    assert w.tie_ids.tolist() == [3, 7, 11]
    assert w.tie_strength.tolist() == [0.5, 1.0, 0.25]
    tie[3] = 0.0  # the world keeps its own copy
    assert w.tie_ids.tolist() == [3, 7, 11]
    _assert_compact_is_the_view(w)


def test_refreshing_after_the_rules_moved_the_ties_keeps_theirs() -> None:
    """A view read before the rules ran is out of date: refreshing does not bring it back."""
    model = PoolingModel(scenario="landscape", rng=5, **BUSY)
    for _ in range(5):
        model.step()
    w = model.world
    old = w.tie.copy()
    model.step()
    assert not np.array_equal(old, w.tie)  # the week moved the ties
    model.step()
    ids, strength = w.tie_ids.copy(), w.tie_strength.copy()
    w.refresh_ties()
    assert np.array_equal(w.tie_ids, ids)
    assert np.array_equal(w.tie_strength, strength)


def test_the_view_is_made_again_when_read() -> None:
    """Holding the view across a week: reading ``tie`` again gives the week's ties."""
    model = PoolingModel(scenario="landscape", rng=6, **BUSY)
    for _ in range(5):
        model.step()
    w = model.world
    held = w.tie
    model.step()
    assert np.array_equal(w.tie[w.tie_ids], w.tie_strength)
    assert held is w.tie  # the same memory, made again


@pytest.mark.parametrize("seed", range(4))
def test_measures_on_the_compact_ties_equal_those_on_the_edges(seed: int) -> None:
    """The recorder fed the compact ties (as the model does) and fed the per-edge strengths
    with the ties' ids give the same values, week after week (its kept arguments included)."""
    model = PoolingModel(scenario="landscape", rng=seed, **BUSY)
    w = model.world
    compact = world_recorder(w, model.need_site, model.params.access_tolerance)
    per_edge = world_recorder(w, model.need_site, model.params.access_tolerance)
    common = {"cultures": w.cultures, "initial_cultures": w.initial_cultures}
    for _ in range(25):
        model.step()
        a = compact.values(
            w.practices,
            w.membership,
            edges=w.tie_ends,
            strength=w.tie_strength,
            worker_site=w.worker_site,
            **common,
        )
        b = per_edge.values(
            w.practices,
            w.membership,
            edges=w.cp_edges,
            strength=w.tie,
            tie_ids=w.tie_ids,
            worker_site=w.worker_site,
            **common,
        )
        assert np.array_equal(a, b)
    assert w.tie_ids.size > 0


def test_the_model_lists_its_ties_from_the_compact_arrays() -> None:
    model = PoolingModel(scenario="landscape", rng=7, **BUSY)
    for _ in range(10):
        model.step()
    w = model.world
    ties = model.ties()
    assert ties.shape == (w.tie_ids.size, 3)
    assert np.array_equal(ties[:, :2], w.cp_edges[w.tie_ids])
    assert np.array_equal(ties[:, 2], w.tie[w.tie_ids])
