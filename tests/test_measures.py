"""Property and construction tests of the measures (simulation.measures)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from simulation.measures import (
    NULL_COLUMNS,
    POOLING_OFF,
    REGIME_SENTENCES,
    REGIMES,
    NullReference,
    _grid,
    access,
    asymmetry,
    classify_regime,
    clusters,
    convergence,
    crossing,
    distinguishability,
    judge,
    judge_table,
    record,
    recovery,
    regime_code,
    thresholds,
    ties,
    twin_parameters,
    twin_seeds,
)

M = SimpleNamespace(
    between_share=convergence.between_share,
    mean_pairwise_distance=convergence.mean_pairwise_distance,
    culture_shift=convergence.culture_shift,
    practice_clusters=clusters.practice_clusters,
    _components_dense=clusters._components_dense,
    _components_grid=clusters._components_grid,
    silhouette=distinguishability.silhouette,
    sanitarisation=asymmetry.sanitarisation,
    cross_tie_share=ties.cross_tie_share,
    tie_modularity=ties.tie_modularity,
    public_access=access.public_access,
    public_access_by_site=access.public_access_by_site,
)


FAST = settings(deadline=None, max_examples=40)
# monkeypatch is function-scoped: fine here, every example sets what it needs
PATCHED = settings(
    deadline=None, max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# --------------------------------------------------------------------------------------------
# Strategies and constructions
# --------------------------------------------------------------------------------------------

unit = st.floats(0.0, 1.0, allow_nan=False, allow_subnormal=False)
# values on a 0.1 lattice: exact ties and distances of exactly eps, the rounding edge cases
lattice = st.integers(0, 10).map(lambda k: k / 10)


@st.composite
def populations(draw, min_n=2, max_n=30, max_d=5, max_a=4, elements=None):
    """(practices, membership, initial_centroids, pooled, sector) with every association used."""
    n_assoc = draw(st.integers(1, max_a))
    n = draw(st.integers(max(min_n, n_assoc), max_n))
    d = draw(st.integers(1, max_d))
    elems = elements if elements is not None else st.one_of(unit, lattice)
    x = draw(arrays(np.float64, (n, d), elements=elems))
    m = np.concatenate(
        [
            np.arange(n_assoc),
            draw(arrays(np.int64, n - n_assoc, elements=st.integers(0, n_assoc - 1))),
        ]
    )
    c0 = draw(arrays(np.float64, (n_assoc, d), elements=elems))
    upper = draw(arrays(bool, (n_assoc, n_assoc)))
    pooled = np.triu(upper, 1)
    pooled = pooled | pooled.T
    sector = draw(arrays(np.int64, n_assoc, elements=st.integers(0, 1)))
    return x, m, c0, pooled, sector


def permuted(pop, seed):
    """The same population with workers shuffled and associations relabelled consistently."""
    x, m, c0, pooled, sector = pop
    rng = np.random.default_rng(seed)
    rows = rng.permutation(len(x))
    relabel = rng.permutation(len(c0))  # association a becomes relabel[a]
    inverse = np.argsort(relabel)
    return (
        x[rows],
        relabel[m[rows]],
        c0[inverse],
        pooled[np.ix_(inverse, inverse)],
        sector[inverse],
    )


def same(a: float, b: float, tol: float = 1e-9) -> bool:
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= tol


def two_cultures(n_per=10, d=6):
    """Two pooled associations (health, social) with cultures at 0.2 and 0.8 on every facet."""
    c0 = np.array([[0.2] * d, [0.8] * d])
    m = np.repeat([0, 1], n_per)
    pooled = np.array([[False, True], [True, False]])
    return c0, m, pooled, np.array([0, 1])


def four_cultures():
    """Four pooled associations with well separated cultures, 10 workers each (CSSI-like)."""
    c0 = np.array(
        [
            [0.1, 0.1, 0.1, 0.9, 0.9, 0.9],
            [0.9, 0.9, 0.1, 0.1, 0.1, 0.9],
            [0.1, 0.9, 0.9, 0.9, 0.1, 0.1],
            [0.9, 0.1, 0.9, 0.1, 0.9, 0.1],
        ]
    )
    m = np.repeat(np.arange(4), 10)
    pooled = ~np.eye(4, dtype=bool)
    return c0, m, pooled, np.array([0, 1, 1, 1])


def mosaic_population():
    """Reciprocal half-facet mosaics: each side keeps its strongest facets, swaps the others.

    Cultures differ by 0.8 on facets 0-2 and by 0.3 on facets 3-5; every worker keeps its
    own values on 0-2 and takes the partner's on 3-5, so it stays nearest its own culture.
    """
    c0 = np.array([[0.1, 0.1, 0.1, 0.3, 0.3, 0.3], [0.9, 0.9, 0.9, 0.6, 0.6, 0.6]])
    m = np.repeat([0, 1], 10)
    x = c0[m].copy()
    x[:, 3:] = c0[1 - m][:, 3:]
    pooled = np.array([[False, True], [True, False]])
    return x, m, c0, pooled, np.array([0, 1])


# --------------------------------------------------------------------------------------------
# 1. Convergence
# --------------------------------------------------------------------------------------------


@FAST
@given(populations(), st.integers(0, 2**32 - 1))
def test_between_share_bounds_and_invariance(pop, seed):
    x, m, c0, *_ = pop
    value = M.between_share(x, m, len(c0))
    assert 0.0 <= value <= 1.0
    xp, mp, c0p, *_ = permuted(pop, seed)
    assert same(M.between_share(xp, mp, len(c0p)), value)


def test_between_share_exact_values():
    m = np.array([0, 0, 1, 1])
    assert M.between_share(np.array([[0.0], [0.0], [1.0], [1.0]]), m, 2) == 1.0
    assert M.between_share(np.array([[0.0], [1.0], [0.0], [1.0]]), m, 2) == 0.0
    # groups at 0/0.5 and 0.5/1: between = 4 * 0.25^2, total = 4 * 0.375^2 + ... = 0.5
    x = np.array([[0.0], [0.5], [0.5], [1.0]])
    assert M.between_share(x, m, 2) == pytest.approx(0.25 / 0.5)
    # identical workers: no spread at all, even when the mean is inexact in floating point
    assert M.between_share(np.full((30, 6), 0.1), np.arange(30) % 3, 3) == 0.0


# --------------------------------------------------------------------------------------------
# 2. Diversity
# --------------------------------------------------------------------------------------------


@FAST
@given(populations(min_n=0), st.integers(0, 2**32 - 1))
def test_mean_pairwise_distance_matches_brute_force(pop, seed):
    x = pop[0]
    value = M.mean_pairwise_distance(x)
    n = len(x)
    if n < 2:
        assert value == 0.0
        return
    dist = np.abs(x[:, None, :] - x[None, :, :]).mean(axis=2)
    assert value == pytest.approx(dist[np.triu_indices(n, 1)].mean(), abs=1e-12)
    assert 0.0 <= value <= 1.0
    assert M.mean_pairwise_distance(x[np.random.default_rng(seed).permutation(n)]) == (
        pytest.approx(value, abs=1e-12)
    )


def reference_components(x: np.ndarray, eps: float) -> np.ndarray:
    cheb = np.abs(x[:, None, :] - x[None, :, :]).max(axis=2)
    _, labels = connected_components(csr_matrix(cheb < eps), directed=False)
    return labels


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Labels equal up to renaming (checked both ways)."""
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


@FAST
@given(
    populations(min_n=1, max_n=60, elements=st.one_of(unit, lattice)),
    st.sampled_from([0.05, 0.1, 0.2, 0.3]),
)
def test_clusters_match_reference(pop, eps):
    x = pop[0]
    expected = reference_components(x, eps)
    dense = M._components_dense(np.ascontiguousarray(x), eps)
    grid = M._components_grid(np.ascontiguousarray(x), eps)
    assert same_partition(dense, expected)
    np.testing.assert_array_equal(dense, grid)  # both canonical: first-appearance order


@st.composite
def clumps(draw):
    """Clustered practices (tight clumps, lattice points, duplicates) for the grid paths."""
    d = draw(st.integers(1, 6))
    k = draw(st.integers(1, 6))
    centres = draw(arrays(np.float64, (k, d), elements=st.one_of(unit, lattice)))
    n = draw(st.integers(2, 400))
    pick = draw(arrays(np.int64, n, elements=st.integers(0, k - 1)))
    spread = draw(st.sampled_from([0.0, 0.01, 0.04, 0.08]))
    seed = draw(st.integers(0, 2**32 - 1))
    noise = np.random.default_rng(seed).uniform(-spread, spread, (n, d))
    return np.clip(centres[pick] + noise, 0.0, 1.0)


@PATCHED
@given(clumps(), st.sampled_from(["table", "hash", "tree"]))
def test_grid_paths_agree_with_pairwise_check(monkeypatch_module, x, path):
    monkeypatch_module(path)
    np.testing.assert_array_equal(
        M._components_grid(x, 0.1), M._components_dense(np.ascontiguousarray(x), 0.1)
    )


@FAST
@given(
    st.one_of(clumps(), populations(min_n=1, max_n=60).map(lambda pop: pop[0])),
    st.sampled_from([0.05, 0.1, 0.2, 0.3]),
)
def test_leader_groups_give_the_pairwise_partition(x, eps):
    """Site clusters' leader groups: the partition and numbering of the all-pairs sweep."""
    np.testing.assert_array_equal(
        clusters.clique_components(x, eps), M._components_dense(np.ascontiguousarray(x), eps)
    )


@pytest.fixture
def monkeypatch_module(monkeypatch):
    def force(path: str) -> None:
        monkeypatch.setattr(_grid, "_MAX_TABLE_CELLS", 1 << 23 if path == "table" else 0)
        monkeypatch.setattr(_grid, "_MAX_GRID_DIM", 0 if path == "tree" else 7)

    return force


def test_clusters_large_population_uses_grid():
    rng = np.random.default_rng(3)
    centres = rng.random((5, 6))
    x = np.clip(centres[rng.integers(0, 5, 5000)] + rng.normal(0, 0.02, (5000, 6)), 0, 1)
    x[:200] = rng.random((200, 6))  # stragglers between the clumps
    result = M.practice_clusters(x, eps=0.1)
    np.testing.assert_array_equal(result.labels, M._components_dense(x, 0.1))
    assert result.n_minor > 0
    assert result.n_major >= 1


@FAST
@given(populations(min_n=1, max_n=40), st.integers(0, 2**32 - 1))
def test_cluster_summary_properties(pop, seed):
    x = pop[0]
    result = M.practice_clusters(x, eps=0.1, major_share=0.1)
    assert result.n_major + result.n_minor == result.n_clusters >= 1
    assert 1.0 - 1e-12 <= result.effective <= result.n_clusters + 1e-9
    # canonical labels: numbered 0, 1, ... in order of first worker
    _, first = np.unique(result.labels, return_index=True)
    assert np.all(np.diff(first) > 0)
    assert result.labels[0] == 0
    rows = np.random.default_rng(seed).permutation(len(x))
    again = M.practice_clusters(x[rows], eps=0.1, major_share=0.1)
    assert same_partition(again.labels, result.labels[rows])
    assert again.effective == pytest.approx(result.effective)


def test_clusters_exact_values():
    x = np.array([[0.0], [0.05], [0.3], [0.39], [0.9]])
    result = M.practice_clusters(x, eps=0.1, major_share=0.3)
    np.testing.assert_array_equal(result.labels, [0, 0, 1, 1, 2])
    assert (result.n_clusters, result.n_major, result.n_minor) == (3, 2, 1)
    assert result.effective == pytest.approx(1 / (0.4**2 + 0.4**2 + 0.2**2))
    # a gap of exactly eps separates (strict "<"); Chebyshev: one far facet is enough
    assert M.practice_clusters(np.array([[0.0], [0.5]]), eps=0.5).n_clusters == 2
    assert M.practice_clusters(np.array([[0.0, 0.0], [0.05, 0.5]])).n_clusters == 2
    assert M.practice_clusters(np.zeros((0, 3))).n_clusters == 0
    with pytest.raises(ValueError):
        M.practice_clusters(x, eps=0.0)


# --------------------------------------------------------------------------------------------
# 3. Hybridity
# --------------------------------------------------------------------------------------------


def reference_silhouette(x: np.ndarray, m: np.ndarray) -> float:
    dist = np.abs(x[:, None, :] - x[None, :, :]).mean(axis=2)
    labels = np.unique(m)
    scores = []
    for i in range(len(x)):
        own = m == m[i]
        if own.sum() == 1:
            scores.append(0.0)
            continue
        a = dist[i, own].sum() / (own.sum() - 1)
        b = min(dist[i, m == g].mean() for g in labels if g != m[i])
        scores.append(0.0 if max(a, b) == 0 else (b - a) / max(a, b))
    return float(np.mean(scores))


@FAST
@given(populations(min_n=3))
def test_silhouette_matches_reference(pop):
    x, m, *_ = pop
    assume(len(np.unique(m)) >= 2)
    assert M.silhouette(x, m) == pytest.approx(reference_silhouette(x, m), abs=1e-9)


def test_silhouette_values_and_subsample():
    c0, m, *_ = four_cultures()
    assert M.silhouette(c0[m], m) == 1.0
    assert M.silhouette(c0[m], np.zeros(40, dtype=int)) == 0.0
    rng = np.random.default_rng(0)
    x = rng.random((101, 3))
    labels = np.arange(101) % 4  # the stride-6 sample keeps labels 0 and 2
    assert M.silhouette(x, labels, max_n=20) == pytest.approx(
        reference_silhouette(x[::6], labels[::6])
    )
    assert M.silhouette(x, labels, max_n=20) == M.silhouette(x, labels, max_n=20)


def test_culture_shift():
    c0, *_ = four_cultures()
    np.testing.assert_array_equal(M.culture_shift(c0, c0), 0.0)
    moved = c0.copy()
    moved[2, :3] += 0.06
    np.testing.assert_allclose(M.culture_shift(moved, c0), [0, 0, 0.03, 0])


# --------------------------------------------------------------------------------------------
# 5. Asymmetry
# --------------------------------------------------------------------------------------------


def test_sanitarisation_sign():
    c0, m, _, sector = two_cultures()  # association 0 health at 0.2, 1 social at 0.8
    x = c0[m].copy()
    assert M.sanitarisation(x, m, c0, sector) == pytest.approx(0.0)
    social_moves = x.copy()
    social_moves[m == 1] = 0.5  # social half-way to health
    assert M.sanitarisation(social_moves, m, c0, sector) == pytest.approx(0.5)
    health_moves = x.copy()
    health_moves[m == 0] = 0.35  # health a quarter of the way to social
    assert M.sanitarisation(health_moves, m, c0, sector) == pytest.approx(-0.25)
    both = x.copy()
    both[m == 1] = 0.5
    both[m == 0] = 0.5  # reciprocal: they meet in the middle
    assert M.sanitarisation(both, m, c0, sector) == pytest.approx(0.0)
    # drift orthogonal to the social-health axis does not count
    c2 = np.array([[0.0, 0.5], [1.0, 0.5]])
    x2 = np.array([[0.0, 0.9], [1.0, 0.1]])
    assert M.sanitarisation(x2, np.array([0, 1]), c2, sector) == pytest.approx(0.0)
    # a missing sector, or no initial contrast: 0
    assert M.sanitarisation(x, m, c0, np.array([1, 1])) == 0.0
    assert M.sanitarisation(x, m, np.full_like(c0, 0.5), sector) == 0.0


@FAST
@given(populations(), st.integers(0, 2**32 - 1))
def test_sanitarisation_invariance(pop, seed):
    x, m, c0, _, sector = pop
    value = M.sanitarisation(x, m, c0, sector)
    assert math.isfinite(value)
    xp, mp, c0p, _, sectorp = permuted(pop, seed)
    assert M.sanitarisation(xp, mp, c0p, sectorp) == pytest.approx(value, abs=1e-9)
    # swapping the sectors swaps the roles: the asymmetry changes sign
    assert M.sanitarisation(x, m, c0, 1 - sector) == pytest.approx(-value, abs=1e-9)


# --------------------------------------------------------------------------------------------
# 6. Collaboration structure
# --------------------------------------------------------------------------------------------


@st.composite
def tie_layers(draw):
    n = draw(st.integers(2, 15))
    n_assoc = draw(st.integers(1, 4))
    m = draw(arrays(np.int64, n, elements=st.integers(0, n_assoc - 1)))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
            max_size=30,
            unique_by=lambda p: tuple(sorted(p)),
        )
    )
    edges = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    strength = draw(arrays(np.float64, len(edges), elements=st.sampled_from([0.0, 0.5, 1.0, 2.5])))
    return edges, strength, m, n_assoc


@FAST
@given(tie_layers())
def test_tie_measures_match_networkx(layer):
    edges, strength, m, n_assoc = layer
    cross = M.cross_tie_share(edges, strength, m)
    q = M.tie_modularity(edges, strength, m, n_assoc)
    assert 0.0 <= cross <= 1.0
    assert -0.5 - 1e-12 <= q < 1.0
    g = nx.Graph()
    g.add_nodes_from(range(len(m)))
    for (i, j), w in zip(edges.tolist(), strength.tolist(), strict=True):
        if w > 0:
            g.add_edge(i, j, weight=w)
    if g.number_of_edges() == 0:
        assert cross == 0.0
        assert q == 0.0
        return
    groups = [set(np.flatnonzero(m == a).tolist()) for a in range(n_assoc)]
    expected = nx.community.modularity(g, [c for c in groups if c], weight="weight")
    assert q == pytest.approx(expected, abs=1e-12)
    total = sum(w for *_, w in g.edges(data="weight"))
    across = sum(w for i, j, w in g.edges(data="weight") if m[i] != m[j])
    assert cross == pytest.approx(across / total)


def test_tie_measures_within_versus_across():
    m = np.repeat([0, 1, 2], 4)
    within = np.array([(a, b) for a in range(12) for b in range(a + 1, 12) if m[a] == m[b]])
    across = np.array([(a, b) for a in range(12) for b in range(a + 1, 12) if m[a] != m[b]])
    q_within = M.tie_modularity(within, np.ones(len(within)), m, 3)
    q_across = M.tie_modularity(across, np.ones(len(across)), m, 3)
    assert q_within == pytest.approx(2 / 3)
    assert q_across < 0 < q_within
    assert M.cross_tie_share(within, np.ones(len(within)), m) == 0.0
    assert M.cross_tie_share(across, np.ones(len(across)), m) == 1.0
    # zero-strength ties are ignored, no tie at all gives 0
    assert M.cross_tie_share(across, np.zeros(len(across)), m) == 0.0
    assert M.tie_modularity(np.zeros((0, 2), dtype=int), np.zeros(0), m, 3) == 0.0
    mixed = np.vstack([within[:1], across[:1]])
    assert M.cross_tie_share(mixed, np.array([3.0, 1.0]), m) == pytest.approx(0.25)


# --------------------------------------------------------------------------------------------
# 7. Public access
# --------------------------------------------------------------------------------------------


@st.composite
def access_cases(draw):
    d = draw(st.integers(1, 4))
    n = draw(st.integers(1, 25))
    b = draw(st.integers(1, 25))
    n_sites = draw(st.integers(1, 3))
    x = draw(arrays(np.float64, (n, d), elements=st.one_of(unit, lattice)))
    need = draw(arrays(np.float64, (b, d), elements=st.one_of(unit, lattice)))
    ws = draw(arrays(np.int64, n, elements=st.integers(0, n_sites - 1)))
    ns = draw(arrays(np.int64, b, elements=st.integers(0, n_sites - 1)))
    tol = draw(st.sampled_from([0.0, 0.1, 0.25, 0.5]))
    return x, ws, need, ns, tol


@FAST
@given(access_cases(), st.integers(0, 2**32 - 1))
def test_public_access_matches_brute_force_and_the_remembered_servers(case, seed):
    x, ws, need, ns, tol = case
    fits = np.abs(need[:, None, :] - x[None, :, :]).max(axis=2) <= tol
    served = (fits & (ns[:, None] == ws[None, :])).any(axis=1)
    assert M.public_access(x, ws, need, ns, tol) == pytest.approx(served.mean())
    by_site = M.public_access_by_site(x, ws, need, ns, tol, n_sites=3)
    for s in range(3):
        if (ns == s).any():
            assert by_site[s] == pytest.approx(served[ns == s].mean())
        else:
            assert math.isnan(by_site[s])
    # week after week, remembering who served whom gives the full scan's answer exactly
    week = access.PublicAccess(need, ns, tol)
    rng = np.random.default_rng(seed)
    for _ in range(4):
        assert week(x, ws) == M.public_access(x, ws, need, ns, tol)
        x = np.clip(x + rng.normal(0, 0.1, x.shape), 0, 1)


def test_public_access_constructions():
    rng = np.random.default_rng(1)
    x = rng.random((12, 6))
    ws = np.repeat([0, 1, 2], 4)
    pick = rng.integers(0, 12, 30)
    need, ns = x[pick], ws[pick]
    assert M.public_access(x, ws, need, ns, tolerance=0.0) == 1.0
    assert M.public_access(x, (ws + 1) % 3 + 3, need, ns) == 0.0  # workers at other sites
    np.testing.assert_array_equal(M.public_access_by_site(x, ws, need, ns), [1.0, 1.0, 1.0])
    assert math.isnan(M.public_access(x, ws, np.zeros((0, 6)), np.zeros(0, dtype=int)))
    # tolerance is on the largest facet difference (Chebyshev), inclusive
    one = np.array([[0.5, 0.5]])
    assert M.public_access(one, [0], np.array([[0.75, 0.5]]), [0], 0.25) == 1.0
    assert M.public_access(one, [0], np.array([[0.5, 0.8]]), [0], 0.25) == 0.0


def test_public_access_large_path():
    rng = np.random.default_rng(2)
    x = rng.random((3000, 4))
    ws = rng.integers(0, 3, 3000)
    need = rng.random((500, 4))
    ns = rng.integers(0, 4, 500)  # site 3 has no worker
    fits = np.abs(need[:, None, :] - x[None, :, :]).max(axis=2) <= 0.2
    served = (fits & (ns[:, None] == ws[None, :])).any(axis=1)
    assert M.public_access(x, ws, need, ns, 0.2) == pytest.approx(served.mean())


# --------------------------------------------------------------------------------------------
# 8. Regime
# --------------------------------------------------------------------------------------------


def metrics_for(**overrides):
    base = {
        "centroid_distance_ratio": 1.0,
        "identity_kappa": 1.0,
        "hybrid_share": 0.0,
        "n_major_clusters": 4.0,
        "effective_clusters": 4.0,
    }
    return base | overrides


# --------------------------------------------------------------------------------------------
# Convergence, distinguishability and crossing, site by site
# --------------------------------------------------------------------------------------------


def cssi_like(n_per=10, seed=0, spread=0.05):
    """Four associations of one site, well separated cultures, workers around them."""
    c0, m, _, sector = four_cultures()
    rng = np.random.default_rng(seed)
    x = np.clip(c0[m] + rng.normal(0, spread, (len(m), c0.shape[1])), 0, 1)
    return x, m, c0, np.zeros(4, dtype=np.int64), sector


def copies(x, m, site, k):
    """``k`` copies of a population, each on its own sites (associations renumbered)."""
    n_assoc = len(site)
    xs = np.vstack([x] * k)
    ms = np.concatenate([m + j * n_assoc for j in range(k)])
    sites = np.concatenate([site + j * (site.max() + 1) for j in range(k)])
    return xs, ms, sites


def test_centroid_gap_compares_only_associations_of_one_site():
    _, m, c0, site, _ = cssi_like()
    ratio = convergence.centroid_gap_ratio(c0[m], m, site, c0)
    assert ratio == pytest.approx(1.0)
    half = 0.5 * (c0[m] + c0.mean(axis=0))  # halfway to the common centre
    assert convergence.centroid_gap_ratio(half, m, site, c0) == pytest.approx(0.5)
    # k copies of the site read exactly like one site
    xs, ms, sites = copies(half, m, site, 3)
    assert convergence.centroid_gap_ratio(xs, ms, sites, np.vstack([c0] * 3)) == pytest.approx(0.5)
    assert convergence.centroid_gap(xs, ms, sites) == pytest.approx(
        convergence.centroid_gap(half, m, site)
    )
    # one association per site: nothing to compare
    assert math.isnan(convergence.centroid_gap_ratio(c0[m], m, np.arange(4), c0))


@FAST
@given(populations(), st.integers(0, 2**32 - 1))
def test_site_measures_bounds_and_invariance(pop, seed):
    x, m, _, pooled, _ = pop
    site = _sites_of(pooled)
    values = (
        distinguishability.distinguishability(x, m, site),
        distinguishability.separation(x, m, site),
        convergence.centroid_gap(x, m, site),
    )
    kappa, eta2, gap = values
    assert math.isnan(kappa) or kappa <= 1.0 + 1e-9
    assert math.isnan(eta2) or 0.0 <= eta2 <= 1.0
    assert math.isnan(gap) or 0.0 <= gap <= 1.0
    xp, mp, _, pooledp, _ = permuted(pop, seed)
    sitep = _sites_of(pooledp)
    again = (
        distinguishability.distinguishability(xp, mp, sitep),
        distinguishability.separation(xp, mp, sitep),
        convergence.centroid_gap(xp, mp, sitep),
    )
    for a, b in zip(values, again, strict=True):
        assert same(a, b)


def _sites_of(pooled):
    from simulation.measures._arrays import pooled_sites

    return pooled_sites(pooled)


def test_distinguishability_is_relative_to_within_spread():
    x, m, c0, site, _ = cssi_like(spread=0.03)
    assert distinguishability.distinguishability(x, m, site) == 1.0
    # uniform shrinkage towards the site's centre: closer, yet as recognisable (compression)
    centre = x.mean(axis=0)
    shrunk = centre + 0.1 * (x - centre)
    assert convergence.centroid_gap_ratio(shrunk, m, site, c0) < 0.15
    assert distinguishability.distinguishability(shrunk, m, site) == 1.0
    assert distinguishability.separation(shrunk, m, site) == pytest.approx(
        distinguishability.separation(x, m, site)
    )
    # one common practice with individual noise: no better than chance
    rng = np.random.default_rng(1)
    common = np.clip(0.5 + rng.normal(0, 0.05, x.shape), 0, 1)
    assert abs(distinguishability.distinguishability(common, m, site)) < 0.3
    assert distinguishability.separation(common, m, site) < 0.2


def test_distinguishability_of_a_landscape_is_that_of_its_sites():
    """Finding: identity_kappa compared workers with every site's associations."""
    x, m, _, site, _ = cssi_like(spread=0.08)
    one = distinguishability.distinguishability(x, m, site)
    xs, ms, sites = copies(x, m, site, 25)
    assert distinguishability.distinguishability(xs, ms, sites) == pytest.approx(one)
    assert distinguishability.separation(xs, ms, sites) == pytest.approx(
        distinguishability.separation(x, m, site)
    )


def _crossing(x, m, c0, site, spread):
    entries = crossing.borrowable(c0, spread, site)
    return crossing.crossing(x, m, c0, entries, assoc_site=site)


def test_crossing_tells_mosaics_from_blends_and_from_standards():
    """Finding: any contraction counted as hybridisation; blending is not crossing."""
    x_mosaic, m, c0, _, _ = mosaic_population()
    site = np.zeros(2, dtype=np.int64)
    spread = np.full_like(c0, 0.02)
    mosaic = _crossing(x_mosaic, m, c0, site, spread)
    assert mosaic.crossing == 1.0
    assert mosaic.adoption == pytest.approx(0.5)
    # blending: midway on every facet
    blend = _crossing(0.5 * (c0[m] + c0[1 - m]), m, c0, site, spread)
    assert blend.crossing == 0.0
    assert blend.blending == 1.0
    # untouched: everyone at its own culture
    still = _crossing(c0[m], m, c0, site, spread)
    assert (still.crossing, still.adoption, still.blending) == (0.0, 0.0, 0.0)
    # a common standard that happens to equal one partner's value on some facets
    x4, m4, c4, site4, _ = cssi_like(spread=0.0)
    centre = c4.mean(axis=0)
    standard = np.broadcast_to(centre, x4.shape).copy()
    result = _crossing(standard, m4, c4, site4, np.full_like(c4, 0.02))
    assert result.crossing == 0.0


def test_borrowable_facets_need_a_gap_beyond_individual_spread():
    c0 = np.array([[0.2, 0.2], [0.5, 0.8]])
    site = np.zeros(2, dtype=np.int64)
    narrow = crossing.borrowable(c0, np.full_like(c0, 0.02), site)
    assert np.diff(narrow.ptr).tolist() == [2, 2]
    wide = crossing.borrowable(c0, np.full_like(c0, 0.15), site)  # 3 sd = 0.45
    assert wide.facet.tolist() == [1, 1]
    assert crossing.borrowable(c0, np.zeros_like(c0), np.arange(2)).facet.size == 0


@settings(deadline=None, max_examples=60, derandomize=True)
@given(st.floats(0.0, 0.5), st.floats(0.0, 0.5), st.integers(0, 2**16))
def test_untouched_state_reads_as_no_convergence_and_little_crossing(spread, cspread, seed):
    """Finding: at worker_spread 0.10-0.15 the untouched state read as hybridisation."""
    rng = np.random.default_rng(seed)
    c0, m, _, _ = four_cultures()
    cultures = np.clip(c0 + rng.normal(0, cspread, c0.shape), 0, 1)
    x = np.clip(cultures[m] + rng.normal(0, spread, (len(m), 6)), 0, 1)
    site = np.zeros(4, dtype=np.int64)
    rec = record.Recorder(x, m, site, np.array([0, 1, 1, 1]))
    out = rec.measure(x, m)
    assert out["centroid_gap_ratio"] == pytest.approx(1.0) or math.isnan(out["centroid_gap_ratio"])
    # by chance alone a worker reads "on a partner's value" on a facet only beyond two standard
    # deviations of its own spread (about 2 % a facet): a small share of mosaics, never most;
    # what is left is the null twin's business
    assert out["crossing"] < 0.2 or math.isnan(out["crossing"])


# --------------------------------------------------------------------------------------------
# The recorder: every measure at once, equal to the module functions
# --------------------------------------------------------------------------------------------


def test_recorder_equals_the_module_functions():
    rng = np.random.default_rng(5)
    x0, m, _, _, sector = cssi_like(spread=0.08, seed=2)
    xs, ms, sites = copies(x0, m, np.zeros(4, dtype=np.int64), 3)
    need = xs[rng.integers(0, len(xs), 50)]
    need_site = sites[ms][rng.integers(0, len(xs), 50)]
    rec = record.Recorder(xs, ms, sites, np.tile(sector, 3), need=need, need_site=need_site)
    sorted_once = convergence.SortedFacets()
    x = xs.copy()
    for _ in range(3):
        x = np.clip(x + rng.normal(0, 0.05, x.shape), 0, 1)
        out = rec.measure(x, ms)
        assert list(out) == list(record.MEASURE_KEYS)
        assert out["mean_pairwise_distance"] == convergence.mean_pairwise_distance(x)
        assert sorted_once.mean_pairwise_distance(x) == out["mean_pairwise_distance"]
        assert out["public_access"] == access.public_access(x, sites[ms], need, need_site)
        assert out["between_share"] == pytest.approx(
            _reference_between_share(x, ms, 12), abs=1e-12
        )
        assert out["distinguishability"] == distinguishability.distinguishability(x, ms, sites)
        per_site = [clusters.practice_clusters(x[sites[ms] == s]) for s in range(3)]
        assert out["n_clusters"] == pytest.approx(np.mean([c.n_clusters for c in per_site]))
        assert out["effective_clusters"] == pytest.approx(np.mean([c.effective for c in per_site]))


def _reference_between_share(x, m, n_assoc):
    dev = x - x.mean(axis=0)
    total = float((dev**2).sum())
    between = sum(
        (m == a).sum() * float(((x[m == a].mean(axis=0) - x.mean(axis=0)) ** 2).sum())
        for a in range(n_assoc)
        if (m == a).any()
    )
    return between / total


def test_clusters_grid_and_scipy_agree():
    rng = np.random.default_rng(4)
    centres = rng.random((6, 6))
    x = np.clip(centres[rng.integers(0, 6, 3000)] + rng.normal(0, 0.03, (3000, 6)), 0, 1)
    grid = clusters.practice_clusters(x).labels
    np.testing.assert_array_equal(grid, clusters.practice_clusters_scipy(x))


# --------------------------------------------------------------------------------------------
# The regime, judged against the null
# --------------------------------------------------------------------------------------------


def _null(cgr=(1.0, 0.98, 1.02), dist=(1.0, 1.0, 1.0), cross=(0.0, 0.02, 0.01)):
    return NullReference(
        {
            "centroid_gap_ratio": np.array(cgr),
            "distinguishability": np.array(dist),
            "crossing": np.array(cross),
        }
    )


def _run(cgr=1.0, dist=1.0, cross=0.0):
    return {"centroid_gap_ratio": cgr, "distinguishability": dist, "crossing": cross}


def test_regime_rule_on_constructed_effects():
    null = _null()
    assert classify_regime(_run(), null) == "persistence"
    # closer in absolute terms, equally distinguishable: compression, not isomorphism
    assert classify_regime(_run(cgr=0.3), null) == "compression"
    assert classify_regime(_run(cgr=0.3, dist=0.2), null) == "isomorphism"
    assert classify_regime(_run(dist=0.2), null) == "fragmentation"
    assert classify_regime(_run(cross=0.4), null) == "hybridisation"
    assert classify_regime(_run(cgr=0.5, cross=0.4), null) == "hybridisation"
    assert classify_regime(_run(cgr=0.5, cross=0.4, dist=0.3), null) == "isomorphism"
    # less distinguishable, but not below half the twin's: not lost
    assert classify_regime(_run(cgr=0.5, dist=0.6), null) == "compression"
    # within the noise: persistence; NaN is no evidence
    assert classify_regime(_run(cgr=0.9, cross=0.1), null) == "persistence"
    assert classify_regime(_run(cgr=math.nan, dist=math.nan, cross=math.nan), null) == (
        "persistence"
    )
    # moving apart is no regime of pooling
    assert classify_regime(_run(cgr=1.5), null) == "persistence"


def test_noisy_twins_widen_what_counts_as_a_change():
    quiet = _null()
    noisy = _null(cgr=(1.0, 0.7, 1.3), cross=(0.0, 0.3, 0.15))
    assert classify_regime(_run(cgr=0.6), quiet) == "compression"
    assert classify_regime(_run(cgr=0.6), noisy) == "persistence"
    assert classify_regime(_run(cross=0.3), quiet) == "hybridisation"
    assert classify_regime(_run(cross=0.3), noisy) == "persistence"
    verdict = judge(_run(cgr=0.6), noisy)
    assert verdict.noise["centroid_gap_ratio"] == pytest.approx(0.3)
    assert verdict.effects["centroid_gap_ratio"] == pytest.approx(-0.4)
    assert verdict.sentence == REGIME_SENTENCES["persistence"]


@FAST
@given(
    st.one_of(st.floats(0, 2), st.just(math.nan)),
    st.one_of(st.floats(-1, 1), st.just(math.nan)),
    st.one_of(st.floats(0, 1), st.just(math.nan)),
    st.floats(0, 0.3),
)
def test_regime_always_names_a_regime(cgr, dist, cross, sd):
    null = _null(cgr=(1.0, 1.0 + sd, 1.0 - sd), cross=(0.0, sd, 0.0))
    verdict = judge(_run(cgr, dist, cross), null)
    assert verdict.regime in REGIMES
    assert regime_code(verdict.regime) == REGIMES.index(verdict.regime)
    # the run itself as its twin: persistence, whatever the values
    same_null = NullReference({k: np.array([v, v, v]) for k, v in _run(cgr, dist, cross).items()})
    assert judge(_run(cgr, dist, cross), same_null).regime == "persistence"
    with pytest.raises(ValueError):
        regime_code("mixing")


def test_judge_table_pairs_runs_with_their_twins():
    rows = []
    for point, cgr in ((0, 1.0), (1, 0.3)):
        for rep in range(4):
            rows.append(
                {
                    "point": point,
                    "step": 10,
                    "centroid_gap_ratio": cgr + 0.01 * rep,
                    "distinguishability": 1.0,
                    "crossing": 0.0,
                    "null_centroid_gap_ratio": 1.0 + 0.01 * rep,
                    "null_distinguishability": 1.0,
                    "null_crossing": 0.0,
                }
            )
    table = pd.DataFrame(rows)
    regimes = judge_table(table)
    assert regimes[table["point"] == 0].eq("persistence").all()
    assert regimes[table["point"] == 1].eq("compression").all()
    assert judge_table(table.drop(columns=list(NULL_COLUMNS))).eq("persistence").all()


def test_regime_names_are_the_palette_and_the_styles():
    from experiments import style
    from simulation.palette import REGIME_COLOURS

    assert tuple(REGIME_COLOURS) == REGIMES == style.REGIMES
    assert set(REGIME_SENTENCES) == set(REGIMES)


def test_twin_seeds():
    seeds = twin_seeds(7, 4)
    assert seeds[0] == 7
    assert len({tuple(s.spawn_key) for s in seeds[1:]}) == 3
    child = np.random.SeedSequence(3, spawn_key=(2, 1))
    assert twin_seeds(child, 2)[1].spawn_key == (2, 1, 1)
    with pytest.raises(ValueError):
        twin_seeds(7, 0)
    with pytest.raises(ValueError):
        twin_seeds("seven", 2)
    assert twin_parameters({"pooling_intensity": 0.7, "rng": 3, "layout": "shared"}) == {
        **POOLING_OFF,
        "layout": "shared",
    }


def test_model_free_recovery_finds_distinct_associations_and_a_merged_site():
    x, m, _, site, _ = cssi_like(spread=0.03)
    found = recovery.recover(x, m, site)
    assert found.label == "recovered"
    assert found.ari == pytest.approx(1.0)
    assert found.components == 4
    rng = np.random.default_rng(3)
    common = np.clip(0.5 + rng.normal(0, 0.03, x.shape), 0, 1)
    merged = recovery.recover(common, m, site)
    assert merged.label in ("merged", "mixed")
    assert merged.ari < thresholds.RECOVERY_ARI


def test_two_classifiers_figure_draws_both_and_their_agreement():
    from experiments.figures.classifiers import agreement, two_classifiers

    table = pd.DataFrame(
        {
            "pooling_intensity": [0.0, 0.0, 1.0, 1.0],
            "regime": ["persistence", "persistence", "compression", "isomorphism"],
            "recovery": ["recovered", "recovered", "mixed", "merged"],
        }
    )
    assert agreement(table).tolist() == [True, True, False, True]
    fig = two_classifiers(table)
    assert len(fig.axes) == 3
