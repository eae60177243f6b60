"""The recorder's week-to-week memory gives the from-scratch values, week after week.

Each measure the recorder keeps memory for (crossing's cells, the leader groups of practice
clusters) is compared with the kernel that reads every worker from scratch, over many seeds and
weeks of small moves, jumps, values put exactly on the thresholds and changes of association.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.measures import _fast, clusters, crossing, record, thresholds
from simulation.measures._crossing import crossing_cells, facet_lists
from simulation.measures._grid import components_dense
from simulation.measures._pairwise import sorted_mean_pairwise


def _entries(x0, m, site):
    """What the recorder derives from week 0: centroids, borrowable entries and factors."""
    n_assoc = len(site)
    c0 = np.array([x0[m == a].mean(axis=0) for a in range(n_assoc)])
    entries = crossing.borrowable(c0, crossing.initial_spread(x0, m, n_assoc), site)
    axis, _ = crossing.projection_axes(c0, site)
    inv, r = crossing.entry_factors(c0, entries, axis)
    return c0, entries, inv, r


def _cells(n, d, entries):
    return (
        *facet_lists(entries.ptr, entries.facet),
        np.zeros((n, d)),
        np.zeros((n, d)),
        np.zeros((n, 5), dtype=np.int64),
        np.full(n, -1, dtype=np.int64),
        np.zeros(5, dtype=np.int64),
    )


def _week(rng, x, m, c0, n_assoc):
    """Next week's practices and membership: drift, a few jumps, values on the thresholds."""
    n, d = x.shape
    x = np.clip(x + rng.normal(0, 0.003, x.shape), 0, 1)
    jump = rng.random(n) < 0.05
    x[jump] = np.clip(x[jump] + rng.normal(0, 0.15, (jump.sum(), d)), 0, 1)
    edge = rng.random((n, d)) < 0.01  # exactly on a third of the way to another culture
    other = c0[rng.integers(0, n_assoc, n)]
    thirds = rng.choice([thresholds.KEPT, thresholds.ADOPTED, 2 - thresholds.ADOPTED], (n, d))
    x[edge] = (c0[m] + thirds * (other - c0[m]))[edge]
    m = m.copy()
    moved = rng.random(n) < 0.02
    m[moved] = rng.integers(0, n_assoc, moved.sum())
    return x, m


@pytest.mark.parametrize("seed", range(40))
def test_crossing_cells_equal_the_from_scratch_count(seed):
    rng = np.random.default_rng(seed)
    n_assoc, d = int(rng.integers(2, 7)), int(rng.integers(1, 7))
    site = rng.integers(0, 2, n_assoc)
    cultures = rng.random((n_assoc, d))
    m = rng.integers(0, n_assoc, 120)
    x = np.clip(cultures[m] + rng.normal(0, 0.03, (120, d)), 0, 1)
    c0, entries, inv, r = _entries(x, m, site)
    cells = _cells(120, d, entries)
    fixed = (entries.ptr, entries.facet, inv, r, thresholds.KEPT, thresholds.ADOPTED)
    for _ in range(30):
        x, m = _week(rng, x, m, c0, n_assoc)
        expected = _fast.crossing_counts(x, m, c0, *fixed)
        assert crossing_cells(x, m, c0, *fixed, cells) == expected


def test_recorder_crossing_follows_the_module_function_week_after_week():
    rng = np.random.default_rng(11)
    site = np.array([0, 0, 0, 1, 1])
    cultures = rng.random((5, 6))
    m = rng.integers(0, 5, 200)
    x0 = np.clip(cultures[m] + rng.normal(0, 0.03, (200, 6)), 0, 1)
    rec = record.Recorder(x0, m, site, np.array([0, 1, 1, 0, 1]))
    entries = rec.borrowable
    x = x0.copy()
    for _ in range(25):
        x, m = _week(rng, x, m, rec.c0, 5)
        out = rec.measure(x, m)
        expected = crossing.crossing(x, m, rec.c0, entries, axes=rec.axes)
        for key in ("crossing", "adoption", "blending"):
            value, wanted = out[key], getattr(expected, key)
            assert value == wanted or (np.isnan(value) and np.isnan(wanted))


@pytest.mark.parametrize("seed", range(20))
def test_leader_groups_equal_the_pairwise_sweep_week_after_week(seed):
    rng = np.random.default_rng(seed)
    centres = rng.random((4, 6))
    x = np.clip(centres[rng.integers(0, 4, 90)] + rng.normal(0, 0.06, (90, 6)), 0, 1)
    for _ in range(20):
        x = np.clip(x + rng.normal(0, 0.01, x.shape), 0, 1)
        for eps in (0.1, 0.2):
            np.testing.assert_array_equal(
                clusters.clique_components(x, eps), components_dense(x, eps)
            )


def test_recorded_row_is_the_named_measures_and_the_plain_collector_agrees():
    """The DataCollector's row appended column by column equals ``measures()`` by name."""
    from simulation.collector import MODEL_REPORTERS, MeasureCollector, model_reporters
    from simulation.model import PoolingModel

    model = PoolingModel(scenario="cssi", rng=3)
    plain = MeasureCollector(model_reporters=model_reporters())

    class ByName:  # a model without measure_row(): the collector reads measures() by name
        time = 0

        def measures(self):
            return model.measures()

    for _ in range(5):
        model.step()
        plain.collect(ByName())
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == list(MODEL_REPORTERS)
    by_name = pd.DataFrame(plain.model_vars)
    pd.testing.assert_frame_equal(frame.iloc[1:].reset_index(drop=True), by_name, check_exact=True)


def _sorted_sum_reference(x):
    """The mean pairwise distance summed in the kernel's order over ``np.sort``'s values."""
    n, d = x.shape
    total = 0.0
    for f in range(d):
        acc = 0.0
        for k, value in enumerate(np.sort(x[:, f]).tolist()):
            acc += (2.0 * k - (n - 1)) * value
        total += acc
    return max(0.0, total / (0.5 * n * (n - 1) * d))


@pytest.mark.parametrize("seed", range(12))
def test_bucket_sorted_pairwise_distance_is_the_sorted_sum(seed):
    """Many rows are sorted through buckets: the same sum, bit for bit, whatever the values."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(257, 3000))
    x = rng.random((n, 4))
    x[: n // 4] = np.round(x[: n // 4] * 10) / 10  # ties on a lattice
    x[n // 4 : n // 3] = rng.choice([0.0, 1.0, -0.25, 1.5], (n // 3 - n // 4, 4))  # out of [0, 1]
    perm = np.tile(np.arange(n, dtype=np.int64), (4, 1))
    expected = _sorted_sum_reference(x)
    assert sorted_mean_pairwise(x, perm) == expected
    x[rng.integers(0, n), 1] = np.inf  # not finite: that facet is left to the insertion sort
    assert sorted_mean_pairwise(x, perm) == _sorted_sum_reference(x)


def _five_associations(rng: np.random.Generator):
    """Five associations on two sites, 150 workers near their cultures, 400 candidate edges."""
    site = np.array([0, 0, 1, 1, 1])
    m = rng.integers(0, 5, 150)
    x = np.clip(rng.random((5, 6))[m] + rng.normal(0, 0.05, (150, 6)), 0, 1)
    ws = site[m].copy()
    edges = rng.integers(0, 150, (400, 2)).astype(np.int32)
    return site, m, x, ws, edges


def test_recorder_follows_arrays_changed_in_place():
    """Arguments kept between weeks: the same arrays changed in place read as fresh copies do."""
    rng = np.random.default_rng(4)
    site, m, x, ws, edges = _five_associations(rng)
    strength = rng.random(400)
    ties = np.flatnonzero(strength > 0.5)
    cultures, initial = rng.random((5, 6)), rng.random((5, 6))
    need, need_site = rng.random((60, 6)), rng.integers(0, 2, 60)
    build = (x, m, site, np.array([0, 1, 0, 1, 1]))
    kept, fresh = (record.Recorder(*build, need=need, need_site=need_site) for _ in range(2))
    low = x.astype(np.float32)  # converted each week: never kept
    kept_low = record.Recorder(*build, need=need, need_site=need_site)
    for week in range(12):
        x += rng.normal(0, 0.02, x.shape)
        low[:] = x
        strength *= 0.95
        ties = np.flatnonzero(strength > 0.5)  # a new index each week, as the world's
        if week == 6:
            ws[:40] = 1 - ws[:40]  # workers change premises, in place
        args = (edges, strength, cultures, initial, ws, ties)
        a = kept.values(x, m, **dict(zip(_NAMES, args, strict=True)))
        copies = [v.copy() for v in args]
        b = fresh.values(x.copy(), m.copy(), **dict(zip(_NAMES, copies, strict=True)))
        c = kept_low.values(low, m, **dict(zip(_NAMES, args, strict=True)))
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(
            c, kept_low.values(low.copy(), m.copy(), **dict(zip(_NAMES, copies, strict=True)))
        )
    assert kept._kept is not None  # the arguments were kept
    assert kept_low._kept is None  # a converted array never is


_NAMES = ("edges", "strength", "cultures", "initial_cultures", "worker_site", "tie_ids")


@pytest.mark.parametrize("indexed", [False, True])
@pytest.mark.parametrize("strength_dtype", [np.float64, np.float32])
def test_recorder_reads_ties_renewed_in_place_and_replaced(strength_dtype, indexed):
    """The ties kept from week to week: renewed in place, replaced some weeks, or converted.

    As the world does, the same tie arrays come back for several weeks with strengths changed
    in place, then new arrays when ties start or end: given as the ties' own rows (the model's
    compact arrays) or as ids into every edge. Whether or not the strengths needed a conversion
    (float32 does), the values equal those of fresh copies every week.
    """
    rng = np.random.default_rng(9)
    site, m, x, ws, edges = _five_associations(rng)
    cultures, initial = rng.random((5, 6)), rng.random((5, 6))
    build = (x, m, site, np.array([0, 1, 0, 1, 1]))
    kept, fresh = record.Recorder(*build), record.Recorder(*build)

    def new_ties():
        ids = np.flatnonzero(rng.random(400) > 0.5)
        if indexed:  # every edge's strength, the ties picked by their ids
            return edges, rng.random(400).astype(strength_dtype), ids
        return edges[ids], rng.random(ids.size).astype(strength_dtype), None

    ends, strength, ids = new_ties()
    hits = 0
    for week in range(16):
        x += rng.normal(0, 0.02, x.shape)
        if week % 5 == 4:  # ties start and end: new arrays
            ends, strength, ids = new_ties()
        else:  # renewed in place
            strength *= strength_dtype(0.9)
            strength[rng.integers(0, strength.size)] = 1.0
        args = (ends, strength, cultures, initial, ws, ids)
        before = kept._tie_memo
        a = kept.values(x, m, **dict(zip(_NAMES, args, strict=True)))
        hits += before is not None and kept._tie_memo is before
        copies = [None if v is None else v.copy() for v in args]
        b = fresh.values(x.copy(), m.copy(), **dict(zip(_NAMES, copies, strict=True)))
        np.testing.assert_array_equal(a, b)
    assert (hits > 0) == (strength_dtype is np.float64)  # a converted array is never kept


@pytest.mark.parametrize("seed", range(12))
def test_bucket_sorted_pairwise_distance_of_clumped_practices_is_the_sorted_sum(seed):
    """Practices in a few tight clumps, some at the ends of [0, 1]: many share a bucket."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(257, 3000))
    clumps = np.array([0.0, 1.0, *rng.random(3)])
    x = np.clip(clumps[rng.integers(0, 5, (n, 6))] + rng.normal(0, 1e-4, (n, 6)), 0, 1)
    x[rng.random((n, 6)) < 0.1] = 1.0 - 1e-17  # rounds to 1: the last bucket
    perm = np.tile(np.arange(n, dtype=np.int64), (6, 1))
    assert sorted_mean_pairwise(x, perm) == _sorted_sum_reference(x)
