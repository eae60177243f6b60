"""Compiled kernels: equal to their pure-Python originals, to the published rules, and cached."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba.core.caching import NullCache

from simulation import kernels, rules
from simulation.measures import _fast
from simulation.model import PoolingModel

# All three levels of pooling, turnover, tie decay and an asymmetric influence: every kernel runs.
BUSY = {
    "pooling_intensity": 0.85,
    "turnover": 0.03,
    "tie_decay": 0.2,
    "asymmetry": 0.4,
    "n_workers": 150,
    "record_every": 1000,
}


def _state(model: PoolingModel) -> dict[str, np.ndarray]:
    w = model.world
    names = ("practices", "cultures", "tie", "tie_ids", "tie_degree", "familiarity", "codes")
    names += ("tie_strength", "tie_ends")
    return {name: getattr(w, name).copy() for name in (*names, "code_set", "openness", "style")}


def _run(scenario: str, steps: int, seed: int) -> PoolingModel:
    model = PoolingModel(scenario=scenario, rng=seed, **BUSY)
    for _ in range(steps):
        model.step()
    return model


@pytest.mark.parametrize("scenario", ["cssi", "helpline", "landscape"])
def test_compiled_and_pure_python_runs_give_identical_arrays(scenario: str) -> None:
    compiled = _run(scenario, 40, seed=5)
    with kernels.pure_python():
        assert not kernels.is_compiled()
        pure = _run(scenario, 40, seed=5)
    assert kernels.is_compiled()
    assert compiled.counts == pure.counts
    assert compiled.world.tie_ids.size > 0  # ties formed, so collaboration ran
    for name, array in _state(compiled).items():
        assert np.array_equal(array, _state(pure)[name]), name


def test_pure_python_table_does_not_call_compiled_code() -> None:
    pure = kernels._pure_table()
    for name in kernels._NAMES:
        fn = getattr(pure, name)
        assert not hasattr(fn, "py_func"), name  # a plain function, not a dispatcher
        for helper in kernels._HELPERS:
            assert not hasattr(fn.__globals__[helper], "py_func"), (name, helper)


def test_every_kernel_is_cached_on_disk() -> None:
    for name in (*kernels._NAMES, *kernels._HELPERS):
        assert not isinstance(getattr(kernels, name)._cache, NullCache), name


def test_tie_index_follows_the_ties_through_formation_decay_and_turnover() -> None:
    model = PoolingModel(scenario="landscape", rng=2, **BUSY)
    w = model.world
    seen_cut = False
    for _ in range(60):
        before = w.tie_ids.size
        model.step()
        seen_cut |= model.counts["hires"] > 0 and w.tie_ids.size < before
        assert np.array_equal(w.tie_ids, np.flatnonzero(w.tie))
        ends = w.cp_edges[w.tie_ids].ravel()
        assert np.array_equal(w.tie_degree, np.bincount(ends, minlength=w.n_workers))
    assert seen_cut
    assert np.all(w.tie[w.tie_ids] >= rules.TIE_FLOOR)


def test_incidence_lists_each_workers_edges_in_order() -> None:
    rng = np.random.default_rng(0)
    ends = rng.integers(0, 50, (400, 2)).astype(np.int32)
    ends = ends[ends[:, 0] != ends[:, 1]]
    ptr, edge = kernels.incidence(ends, 50)
    for i in range(50):
        assert np.array_equal(edge[ptr[i] : ptr[i + 1]], np.flatnonzero((ends == i).any(axis=1)))


# --- the fused kernels apply the generic rule to the pairs they look up ---------------------


def _world(seed: int = 0) -> rules.World:
    return PoolingModel(scenario="cssi", asymmetry=0.5, rng=seed).world


def test_encounters_is_bounded_confidence_on_the_drawn_edges() -> None:
    w = _world()
    rng = np.random.default_rng(1)
    u = rng.random(500)
    x = w.practices.copy()
    fam = np.zeros_like(w.familiarity)
    every_facet = np.ones(x.shape[1])  # sector influence on every facet: the generic rule
    engaged = kernels.encounters(
        x,
        w.cp_edges,
        w.cp_prob,
        w.cp_alias,
        u,
        0.3,
        0.2,
        w.openness,
        w.worker_sector,
        w.influence,
        fam,
        every_facet,
    )
    v = u * w.cp_prob.size
    k = np.minimum(v.astype(np.int64), w.cp_prob.size - 1)
    edge = np.where(v - k < w.cp_prob[k], k, w.cp_alias[k])
    src, dst = w.cp_edges[edge, 0], w.cp_edges[edge, 1]
    ws, wd = w.pair_weights(src, dst)
    y = w.practices.copy()
    met = np.empty(u.size, dtype=np.bool_)
    kernels.bounded_confidence(y, src, dst, 0.3, 0.2, ws, wd, met)
    assert np.array_equal(x, y)
    assert np.array_equal(engaged, edge[met])
    assert np.array_equal(fam, np.bincount(edge[met], minlength=fam.size))
    assert 0 < met.sum() < u.size


def test_collaborate_is_facet_borrowing_on_the_drawn_ties() -> None:
    w = _world()
    rng = np.random.default_rng(2)
    w.tie[rng.choice(w.tie.size, 60, replace=False)] = rng.uniform(0.1, 1.0, 60)
    w.refresh_ties()
    n = 400
    u = rng.random((4, n))
    x, strength = w.practices.copy(), w.tie_strength.copy()
    # sector influence on every facet and no profession owning a facet: the generic rule
    every_facet = np.ones(x.shape[1])
    nobody_owns = np.zeros_like(w.owned)
    args = (w.openness, w.worker_sector, w.influence, every_facet, w.profession, nobody_owns, 1.0)
    moved = kernels.collaborate(x, strength, w.tie_ends, *u, 0.05, 0.3, 0.2, *args)
    tie = np.zeros(w.cp_edges.shape[0])  # the ties after the cases, on the edges
    tie[w.tie_ids] = strength
    cum = np.cumsum(w.tie[w.tie_ids])
    edge = w.tie_ids[np.minimum(np.searchsorted(cum, u[0] * cum[-1], side="right"), cum.size - 1)]
    flip = u[1] < 0.5
    src = np.where(flip, w.cp_edges[edge, 1], w.cp_edges[edge, 0])
    dst = np.where(flip, w.cp_edges[edge, 0], w.cp_edges[edge, 1])
    ws, wd = w.pair_weights(src, dst)
    y = w.practices.copy()
    done = np.empty(n, dtype=np.bool_)
    kernels.facet_borrowing(y, src, dst, u[2], u[3], 0.05, 0.3, 0.2, True, ws, wd, done)
    assert np.array_equal(x, y)
    assert moved == done.sum() > 0
    renewed = np.zeros(tie.size, dtype=np.bool_)
    renewed[edge[done]] = True
    assert np.all(tie[renewed] == 1.0)
    assert np.array_equal(tie[~renewed], w.tie[~renewed])


@settings(max_examples=30, deadline=None)
@given(
    weights=st.lists(st.floats(0.0, 10.0), min_size=1, max_size=40),
    seed=st.integers(0, 2**32 - 1),
)
def test_alias_table_draws_in_proportion_to_the_weights(weights, seed) -> None:
    """Property: each index's share of the unit interval equals its share of the weights."""
    w = np.array(weights)
    if w.sum() <= 0:
        return
    prob, alias = kernels.alias_table(w)
    n = w.size
    mass = prob / n  # the part of slot k that keeps k ...
    np.add.at(mass, alias, (1.0 - prob) / n)  # ... and the rest goes to its alias
    assert np.allclose(mass, w / w.sum(), atol=1e-9)
    rng = np.random.default_rng(seed)
    draws = [kernels._alias_draw(prob, alias, u) for u in rng.random(50)]
    assert all(w[d] > 0 for d in draws)


def test_sector_influence_acts_on_the_health_facets_only() -> None:
    """Consistency: with asymmetry, pulls differ by sector on framing and nowhere else."""
    w = _world()
    rng = np.random.default_rng(4)
    u = rng.random(400)
    health_only = w.sector_facet  # the model's own: framing only
    assert health_only.tolist() == [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    x, y = w.practices.copy(), w.practices.copy()
    fam = np.zeros_like(w.familiarity)
    common = (
        w.cp_edges,
        w.cp_prob,
        w.cp_alias,
        u,
        1.0,
        0.2,
        w.openness,
        w.worker_sector,
        w.influence,
    )
    kernels.encounters(x, *common, fam.copy(), health_only)
    kernels.encounters(y, *common, fam.copy(), np.ones(6))
    off_health = [0, 1, 3, 4, 5]
    assert np.array_equal(x[:, 2], y[:, 2])  # framing: the same asymmetric pull
    assert np.abs(x - y)[:, off_health].max() > 0  # elsewhere only the old rule was asymmetric
    symmetric = w.influence.copy()
    symmetric[:] = 1.0
    z = w.practices.copy()
    common_sym = (
        w.cp_edges,
        w.cp_prob,
        w.cp_alias,
        u,
        1.0,
        0.2,
        w.openness,
        w.worker_sector,
        symmetric,
    )
    kernels.encounters(z, *common_sym, fam.copy(), health_only)
    assert np.abs(x - z)[:, 2].max() > 0
    assert np.array_equal(x[:, off_health], z[:, off_health])


def test_owned_facets_are_borrowed_less_across_professions() -> None:
    """Consistency: the profession barrier scales borrowing on owned facets only."""
    w = _world()
    rng = np.random.default_rng(5)
    w.tie[rng.choice(w.tie.size, 80, replace=False)] = 1.0
    w.refresh_ties()
    u = rng.random((4, 600))
    base = (w.openness, w.worker_sector, w.influence, w.sector_facet, w.profession, w.owned)
    x_free, x_barred = w.practices.copy(), w.practices.copy()
    ties = (w.tie_strength.copy(), w.tie_ends)
    kernels.collaborate(x_free, *ties, *u, 0.05, 0.3, 0.2, *base, 1.0)
    ties = (w.tie_strength.copy(), w.tie_ends)
    kernels.collaborate(x_barred, *ties, *u, 0.05, 0.3, 0.2, *base, 0.0)
    framing = 2  # owned by doctors and nurses
    doctors = np.isin(w.profession, [0, 1])
    moved_free = np.abs(x_free - w.practices)[doctors, framing].sum()
    moved_barred = np.abs(x_barred - w.practices)[doctors, framing].sum()
    assert moved_free > 0
    assert moved_barred < moved_free


def test_pooled_function_is_group_mean_then_socialisation() -> None:
    rng = np.random.default_rng(3)
    x = rng.random((30, 4))
    members = np.array([1, 4, 5, 9, 12, 20, 21, 29])
    team = np.array([0, 0, 2, 2, 2, 0, 2, 2])
    codes = np.zeros((3, 4))
    codes[2] = 0.5
    code_set = np.array([False, False, True])
    u = rng.random((members.size, 4))
    y, expected = x.copy(), codes.copy()
    kernels.pooled_function(x, members, team, codes, code_set, 0.1, u, 0.4, 1.0)
    means = np.zeros((3, 4))
    kernels.group_mean(y[members], team, 3, means)
    expected[0] = means[0]  # a new standard starts as its members' mean
    expected[[0, 2]] += 0.1 * (means[[0, 2]] - expected[[0, 2]])
    assert np.array_equal(codes, expected)
    assert np.array_equal(code_set, [True, False, True])  # team 1 had no members
    kernels.socialise_to_code(y, members, team, expected, np.ones((3, 4), bool), u, 0.4, 1.0)
    assert np.array_equal(x, y)


# --- the generic kernels are the published rules ---------------------------------------------


def test_facet_borrowing_with_axelrods_settings_copies_one_trait() -> None:
    rng = np.random.default_rng(4)
    x = rng.integers(0, 3, (200, 5)).astype(float)
    src, dst = rng.integers(0, 200, (2, 5000))
    dst = np.where(dst == src, (dst + 1) % 200, dst)
    u = rng.random((2, src.size))
    ones = np.ones(src.size)
    done = np.empty(src.size, dtype=np.bool_)
    for k in range(src.size):  # one pair at a time, to see each step
        before = x.copy()
        i, j = src[k], dst[k]
        overlap = np.mean(before[i] == before[j])
        s = slice(k, k + 1)
        kernels.facet_borrowing(
            x, src[s], dst[s], u[0, s], u[1, s], 0.0, 1.0, 0.0, False, ones[s], ones[s], done[s]
        )
        changed = np.flatnonzero(x[i] != before[i])
        assert np.array_equal(np.delete(x, i, axis=0), np.delete(before, i, axis=0))
        if done[k]:
            assert changed.size == 1
            assert x[i, changed[0]] == before[j, changed[0]]
            assert 0 < overlap < 1
            assert u[0, k] < overlap
        else:
            assert changed.size == 0
            assert overlap in (0.0, 1.0) or u[0, k] >= overlap


def test_bounded_confidence_conserves_the_mean_and_ignores_far_pairs() -> None:
    rng = np.random.default_rng(5)
    x = rng.random((100, 1))
    src, dst = rng.integers(0, 100, (2, 3000))
    keep = src != dst
    src, dst = src[keep], dst[keep]
    ones = np.ones(src.size)
    met = np.empty(src.size, dtype=np.bool_)
    total = x.sum()
    kernels.bounded_confidence(x, src, dst, 0.2, 0.3, ones, ones, met)
    assert x.sum() == pytest.approx(total, abs=1e-9)  # Deffuant et al.: symmetric moves
    assert 0 < met.mean() < 1
    y = rng.random((100, 1))
    frozen = y.copy()
    kernels.bounded_confidence(y, src, dst, 0.0, 0.3, ones, ones, met)
    assert not met.any()
    assert np.array_equal(y, frozen)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    d=st.integers(1, 12),
    tol=st.floats(0.0, 0.5),
    mu=st.floats(0.0, 1.0),
    floor=st.floats(0.0, 1.0),
    reciprocal=st.booleans(),
)
def test_facet_borrowing_moves_one_facet_between_the_two_values(
    seed: int, d: int, tol: float, mu: float, floor: float, reciprocal: bool
) -> None:
    rng = np.random.default_rng(seed)
    x = rng.random((2, d))
    before = x.copy()
    u = rng.random(2)
    weights = rng.uniform(0.0, 2.0, 2)
    done = np.empty(1, dtype=np.bool_)
    kernels.facet_borrowing(
        x,
        np.array([0]),
        np.array([1]),
        u[:1],
        u[1:],
        tol,
        mu,
        floor,
        reciprocal,
        weights[:1],
        weights[1:],
        done,
    )
    moved = np.flatnonzero((x != before).any(axis=0))
    assert moved.size <= 1
    lo, hi = before.min(axis=0), before.max(axis=0)
    assert np.all((x >= lo) & (x <= hi))  # never overshoots the partner's value
    if moved.size:
        assert done[0]
        assert abs(before[0, moved[0]] - before[1, moved[0]]) > tol
    if not reciprocal:
        assert np.array_equal(x[1], before[1])


def test_sweeps_activate_every_worker_once_per_sweep() -> None:
    rng = np.random.default_rng(6)
    edges = np.array([[0, 1], [1, 2], [2, 3], [0, 3], [3, 4]])
    ptr, nbr = rules.csr(edges, 6)  # worker 5 has no neighbour
    src, dst = rules.sweep_pairs(ptr, nbr, 50, rng)
    sweeps = src.reshape(50, 5)
    assert all(sorted(s) == [0, 1, 2, 3, 4] for s in sweeps)
    assert len({tuple(s) for s in sweeps}) > 1  # the order is drawn anew
    neighbours = {tuple(e) for e in edges} | {tuple(e[::-1]) for e in edges}
    assert all((int(i), int(j)) in neighbours for i, j in zip(src, dst, strict=True))


# --- compiled helpers of the measures give the measures' own values ------------------------------


def test_fast_mean_pairwise_rows_matches_all_pairs() -> None:
    c = np.random.default_rng(7).random((300, 6))
    pairs = np.abs(c[:, None, :] - c[None, :, :]).mean(axis=2).sum() / (300 * 299)
    assert _fast.mean_pairwise_rows(c) == pytest.approx(pairs, rel=1e-12)
    assert _fast.mean_pairwise_rows(c[:1]) == 0.0


def _scanned_facet(x, i, j, u_interact, u_facet, tol, floor):
    """The facet choice written as the plain scan over facets it must equal."""
    d = x.shape[1]
    n_same = int(np.sum(np.abs(x[i] - x[j]) <= tol))
    if n_same == d or u_interact >= floor + (1.0 - floor) * n_same / d:
        return -1
    pick = int(u_facet * (d - n_same))
    differing = [f for f in range(d) if abs(x[i, f] - x[j, f]) > tol]
    return differing[pick] if pick < len(differing) else 0


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 64),
    st.integers(0, 2**32 - 1),
    st.sampled_from([0.0, 0.05, 0.3]),
    st.sampled_from([0.0, 0.5, 1.0 - 2.0**-53]),
)
def test_facet_choice_is_the_picked_differing_facet(
    d: int, seed: int, tol: float, u_facet_edge: float
) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, size=(2, d)) * 0.1  # many facets exactly shared
    for u_facet in (rng.random(), u_facet_edge):
        u_interact = rng.random() * 0.5
        want = _scanned_facet(x, 0, 1, u_interact, u_facet, tol, 0.2)
        assert kernels._pick_facet(x, 0, 1, u_interact, u_facet, tol, 0.2) == want
        assert kernels._pick_facet.py_func(x, 0, 1, u_interact, u_facet, tol, 0.2) == want


@pytest.mark.parametrize("mu", [0.0, 0.2])
def test_encounters_on_the_packed_table_are_the_encounters_on_the_edges(mu: float) -> None:
    w = PoolingModel(scenario="landscape", n_workers=400, pooling_intensity=0.8, rng=3).world
    table = w.encounter_table()
    assert w.encounter_table() is table  # cached while the edges and their table stay
    u = np.random.default_rng(2).random(3000)
    u[:3] = (0.0, 1.0 - 2.0**-53, 0.5)  # both ends of the range of a draw
    args = (w.openness, w.worker_sector, w.influence)
    x, fam = w.practices.copy(), w.familiarity.copy()
    want = kernels.encounters(
        x, w.cp_edges, w.cp_prob, w.cp_alias, u, 0.3, mu, *args, fam, w.sector_facet
    )
    for table_of in (kernels._COMPILED, kernels._PURE):
        y, fam_y = w.practices.copy(), w.familiarity.copy()
        got = table_of.encounters_on_table(y, table, u, 0.3, mu, *args, fam_y, w.sector_facet)
        assert np.array_equal(got, want)
        assert np.array_equal(y, x)
        assert np.array_equal(fam_y, fam)
    assert 0 < want.size < u.size
    w.cp_alias = w.cp_alias.copy()
    assert w.encounter_table() is not table  # a replaced array rebuilds the table
