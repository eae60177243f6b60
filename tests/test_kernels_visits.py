"""The visits kernel against the rule of service written plainly, one visit after another."""

from __future__ import annotations

import numpy as np
import pytest

from simulation import kernels, rules
from simulation.model import PoolingModel


def _refer(i: int, u_pick: float, world: rules.World, strength: dict[int, float]) -> int:
    """The partner a referral goes to: the tie where the strengths, in edge order, pass u."""
    mine = [int(e) for e in world.tie_ids if i in world.cp_edges[e]]
    total = 0.0
    for e in mine:
        total += strength[e]
    acc, chosen = 0.0, -1
    for e in mine:
        if strength[e] > 0.0:
            chosen = e
            acc += strength[e]
            if acc > u_pick * total:
                break
    if chosen < 0:
        return -1
    strength[chosen] = 1.0
    a, b = world.cp_edges[chosen]
    return int(b if a == i else a)


def _adapt(x: np.ndarray, i: int, need: np.ndarray, u: float, learn: np.ndarray, world, r) -> int:
    """Worker ``i`` closes part of one facet's gap, picked in proportion to the gaps."""
    gaps = np.abs(need - x[i])
    over = gaps > r.facet_tolerance
    if not over.any():
        return 0
    target, acc, pick = u * gaps[over].sum(), 0.0, -1
    for f in np.flatnonzero(over):
        pick = f
        acc += gaps[f]
        if acc > target:
            break
    rate = r.service_adaptation * world.openness[i] * learn[i]
    if world.owned[world.profession[i], pick]:
        rate *= rules.keep_owned(r)
    x[i, pick] += min(1.0, rate) * (need[pick] - x[i, pick])
    return 1


def _plain_visits(world, r, ben, worker, u, p_refer):
    """The rule of :func:`rules.serve_publics`, one visit at a time, on copies."""
    x, tie = world.practices.copy(), world.tie.copy()
    strength = {int(e): tie[e] for e in world.tie_ids}
    learn = rules.learning(world, r)
    referred = adapted = 0
    for k in range(ben.size):
        b, i = int(ben[k]), int(worker[k])
        home = world.need_public[b]
        if world.membership[i] == home:
            if world.tie_degree[i] == 0 or not u[3, k] < p_refer:
                continue
            if not np.abs(world.need[b] - x[i]).max() > r.access_tolerance:
                continue
            i = _refer(i, u[4, k], world, strength)
            if i < 0:
                continue
            referred += 1
            if world.membership[i] == home:
                continue
        adapted += _adapt(x, i, world.need[b], u[5, k], learn, world, r)
    for e, s in strength.items():
        tie[e] = s
    return x, tie, referred, adapted


def _route(w, ben: np.ndarray, p_shared: np.ndarray, p_refer: float, u: np.ndarray):
    """The visits that can change something, their workers and homes, as the rule routes them."""
    return kernels.route_visits(
        ben,
        w.need_public,
        w.assoc_ptr,
        w.assoc_order,
        w.assoc_site,
        w.site_ptr,
        w.site_order,
        p_shared,
        p_refer,
        u,
    )


def _serve(w, r, ben, routed, u, p_refer):
    """The visits kernel on copies of the practices and ties: ``(x, tie, referred, adapted)``."""
    x, strength = w.practices.copy(), w.tie_strength.copy()
    referred, adapted = kernels.serve_publics(
        x,
        w.need,
        w.membership,
        ben,
        *routed,
        u[3],
        u[4],
        u[5],
        p_refer,
        r.access_tolerance,
        r.facet_tolerance,
        r.service_adaptation,
        strength,
        w.tie_ends,
        w.tie_degree,
        w.openness,
        rules.learning(w, r),
        w.profession,
        w.owned,
        rules.keep_owned(r),
        w.rows(kernels.ROW_WIDTH),
    )
    tie = np.zeros(w.cp_edges.shape[0])  # the ties after the visits, on the edges
    tie[w.tie_ids] = strength
    return x, tie, referred, adapted


def _every_worker(w, ben: np.ndarray, p_shared: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The worker who first sees every visit, kept or not, written plainly."""
    home = w.need_public[ben]
    site = w.assoc_site[home]
    size = w.assoc_ptr[home + 1] - w.assoc_ptr[home]
    span = w.site_ptr[site + 1] - w.site_ptr[site]
    own = w.assoc_order[w.assoc_ptr[home] + (u[0] * size).astype(np.int64)]
    colleague = w.site_order[w.site_ptr[site] + (u[2] * span).astype(np.int64)]
    return np.where(u[1] < p_shared[site], colleague, own)


def _stepped(seed: int, n_workers: int = 400) -> PoolingModel:
    """A landscape after a few weeks at high pooling: ties formed, tenures spread."""
    model = PoolingModel(
        scenario="landscape",
        n_workers=n_workers,
        pooling_intensity=0.85,
        newcomer_learning=1.0,
        rng=seed,
    )
    for _ in range(12):
        model.step()
    return model


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_serve_publics_is_the_rule_of_service_applied_visit_by_visit(seed: int) -> None:
    model = _stepped(seed)
    w, r = model.world, model.params
    rng = np.random.default_rng(seed)
    n = 3000
    ben = rng.integers(0, w.need.shape[0], n)
    u = rng.random((6, n))
    p_shared = np.full(w.n_sites, 0.5)
    p_refer = 0.9
    x, tie, referred, adapted = _serve(w, r, ben, _route(w, ben, p_shared, p_refer, u), u, p_refer)
    every = _every_worker(w, ben, p_shared, u)
    y, tie_y, referred_y, adapted_y = _plain_visits(w, r, ben, every, u, p_refer)
    assert (referred, adapted) == (referred_y, adapted_y)
    assert referred > 0
    assert adapted > 0
    assert np.array_equal(x, y)
    assert np.array_equal(tie, tie_y)


@pytest.mark.parametrize("seed", range(6))
def test_the_visits_left_out_are_exactly_those_that_change_nothing(seed: int) -> None:
    """Over shared levels 0, mixed and 1 and p_refer 0 to 1, the kernel equals every visit."""
    model = _stepped(seed)
    w, r = model.world, model.params
    rng = np.random.default_rng(100 + seed)
    n = 1500
    levels = (np.zeros(w.n_sites), rng.random(w.n_sites), np.ones(w.n_sites))
    changed = np.zeros(2, dtype=np.int64)
    for p_shared in levels:
        for p_refer in (0.0, 0.3, 1.0):
            ben = rng.integers(0, w.need.shape[0], n)
            u = rng.random((6, n))
            seen, worker, at_home = routed = _route(w, ben, p_shared, p_refer, u)
            every = _every_worker(w, ben, p_shared, u)
            home = w.need_public[ben]
            own = (w.membership[every] == home) & ~(u[1] < p_shared[w.assoc_site[home]])
            assert np.array_equal(seen, np.flatnonzero(~own | (u[3] < p_refer)))
            assert np.array_equal(worker, every[seen])
            assert np.array_equal(at_home, home[seen])
            got = _serve(w, r, ben, routed, u, p_refer)
            want = _plain_visits(w, r, ben, every, u, p_refer)
            assert got[2:] == want[2:]
            changed += got[2:]
            assert np.array_equal(got[0], want[0])
            assert np.array_equal(got[1], want[1])
    assert changed.min() > 0  # referrals and adaptations both happened: the check has teeth


def test_route_visits_sends_each_visit_to_its_association_or_its_site() -> None:
    w = PoolingModel(scenario="landscape", n_workers=400, rng=3).world
    rng = np.random.default_rng(3)
    n = 2000
    ben = rng.integers(0, w.need.shape[0], n)
    u = rng.random((6, n))
    p_shared = rng.random(w.n_sites)
    seen, worker, at_home = _route(w, ben, p_shared, 1.0, u)
    assert np.array_equal(seen, np.arange(n))  # every visit may be referred: none left out
    home = w.need_public[ben]
    assert np.array_equal(at_home, home)
    site = w.assoc_site[home]
    size = w.assoc_ptr[home + 1] - w.assoc_ptr[home]
    span = w.site_ptr[site + 1] - w.site_ptr[site]
    own = w.assoc_order[w.assoc_ptr[home] + (u[0] * size).astype(np.int64)]
    colleague = w.site_order[w.site_ptr[site] + (u[2] * span).astype(np.int64)]
    shared = u[1] < p_shared[site]
    assert np.array_equal(worker, np.where(shared, colleague, own))
    assert 0 < shared.sum() < n
    assert np.all(w.membership[worker[~shared]] == home[~shared])
    assert np.all(w.worker_site[worker] == site)
