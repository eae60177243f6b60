"""Property and construction tests of simulation.metrics."""

from __future__ import annotations

import dataclasses
import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from simulation import metrics as M

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


@FAST
@given(populations(), st.integers(0, 2**32 - 1))
def test_centroid_distance_bounds_and_invariance(pop, seed):
    x, m, c0, *_ = pop
    dist = M.centroid_distance(x, m, len(c0))
    ratio = M.centroid_distance_ratio(x, m, c0)
    assert 0.0 <= dist <= 1.0
    assert math.isnan(ratio) or ratio >= 0.0
    xp, mp, c0p, *_ = permuted(pop, seed)
    assert same(M.centroid_distance(xp, mp, len(c0p)), dist)
    assert same(M.centroid_distance_ratio(xp, mp, c0p), ratio)


def test_centroid_distance_values():
    c0, m, *_ = four_cultures()
    x = c0[m]
    assert M.centroid_distance(x, m, 4) == pytest.approx(M._mean_pairwise_rows(c0))
    assert M.centroid_distance_ratio(x, m, c0) == pytest.approx(1.0)
    assert M.centroid_distance_ratio(np.full_like(x, 0.4), m, c0) == pytest.approx(0.0)
    # halfway to the grand mean: half the contrast is left
    half = 0.5 * (x + c0.mean(axis=0))
    assert M.centroid_distance_ratio(half, m, c0) == pytest.approx(0.5)
    # only two associations with workers: the ratio is over those two
    keep = m < 2
    assert M.centroid_distance(x[keep], m[keep], 4) == pytest.approx(np.abs(c0[0] - c0[1]).mean())


def test_centroid_distance_ratio_undefined():
    c0, m, *_ = four_cultures()
    one = m == 2
    assert M.centroid_distance(c0[m][one], m[one], 4) == 0.0
    assert math.isnan(M.centroid_distance_ratio(c0[m][one], m[one], c0))
    assert math.isnan(M.centroid_distance_ratio(c0[m], m, np.zeros_like(c0)))


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


@pytest.fixture
def monkeypatch_module(monkeypatch):
    def force(path: str) -> None:
        monkeypatch.setattr(M, "_MAX_TABLE_CELLS", 1 << 23 if path == "table" else 0)
        monkeypatch.setattr(M, "_MAX_GRID_DIM", 0 if path == "tree" else 7)

    return force


def test_clusters_large_population_uses_grid():
    rng = np.random.default_rng(3)
    centres = rng.random((5, 6))
    x = np.clip(centres[rng.integers(0, 5, 5000)] + rng.normal(0, 0.02, (5000, 6)), 0, 1)
    x[:200] = rng.random((200, 6))  # stragglers between the clumps
    result = M.practice_clusters(x)
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


@FAST
@given(populations(), st.integers(0, 2**32 - 1))
def test_hybridity_bounds_and_invariance(pop, seed):
    x, m, c0, pooled, _ = pop
    t, residual = M.projection_index(x, m, c0, pooled)
    share = M.borrowing_share(x, m, c0, pooled)
    hybrid = M.hybrid_share(x, m, c0, pooled)
    assert t.shape == residual.shape == share.shape == (len(x),)
    assert np.array_equal(np.isnan(t), np.isnan(residual))
    ok = ~np.isnan(residual)
    assert np.all((residual[ok] >= -1e-12) & (residual[ok] <= 1.0 + 1e-12))
    ok = ~np.isnan(share)
    assert np.all((share[ok] >= 0.0) & (share[ok] <= 1.0))
    assert 0.0 <= hybrid <= 1.0
    assert hybrid <= np.mean(np.nan_to_num(share) > 0) + 1e-12
    xp, mp, c0p, pooledp, _ = permuted(pop, seed)
    rows = np.random.default_rng(seed).permutation(len(x))  # same draw as in permuted()
    tp, rp = M.projection_index(xp, mp, c0p, pooledp)
    np.testing.assert_allclose(tp, t[rows], atol=1e-9)
    np.testing.assert_allclose(rp, residual[rows], atol=1e-9)
    np.testing.assert_allclose(M.borrowing_share(xp, mp, c0p, pooledp), share[rows])
    assert M.hybrid_share(xp, mp, c0p, pooledp) == pytest.approx(hybrid)


def test_projection_index_values():
    c0, m, pooled, _ = two_cultures(n_per=2, d=2)
    x = np.array([[0.2, 0.2], [0.8, 0.8], [0.8, 0.8], [0.5, 0.5]])
    t, residual = M.projection_index(x, m, c0, pooled)
    np.testing.assert_allclose(t, [0.0, 1.0, 0.0, 0.5])
    np.testing.assert_allclose(residual, 0.0, atol=1e-12)
    # off the axis: (0.2, 0.2) -> (0.5, 0.2) projects to t = 0.25, leaves (0.15, -0.15)
    t, residual = M.projection_index(np.array([[0.5, 0.2]]), np.array([0]), c0, pooled)
    assert t[0] == pytest.approx(0.25)
    assert residual[0] == pytest.approx(0.15)
    # three associations: the far end of the axis is the mean of the partners' cultures
    c3 = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    pooled3 = ~np.eye(3, dtype=bool)
    t, residual = M.projection_index(np.array([[0.5, 0.5]]), np.array([0]), c3, pooled3)
    assert t[0] == pytest.approx(1.0)
    assert residual[0] == pytest.approx(0.0)
    # no partner: undefined
    t, residual = M.projection_index(x, m, c0, np.zeros((2, 2), dtype=bool))
    assert np.isnan(t).all()
    assert np.isnan(residual).all()


def test_borrowing_and_hybrid_share_constructions():
    c0, m, pooled, _ = two_cultures()
    untouched = c0[m]
    assert np.all(M.borrowing_share(untouched, m, c0, pooled) == 0.0)
    assert M.hybrid_share(untouched, m, c0, pooled) == 0.0
    # two facets out of six borrowed: still nearest own culture -> every worker hybrid
    x = untouched.copy()
    x[:, :2] = c0[1 - m][:, :2]
    np.testing.assert_allclose(M.borrowing_share(x, m, c0, pooled), 2 / 6)
    assert M.hybrid_share(x, m, c0, pooled) == 1.0
    assert M.hybrid_share(x, m, c0, pooled, min_share=0.5) == 0.0
    # defectors: the partner's culture wholesale -> borrowed everything, hybrid nobody
    defectors = c0[1 - m]
    np.testing.assert_allclose(M.borrowing_share(defectors, m, c0, pooled), 1.0)
    assert M.hybrid_share(defectors, m, c0, pooled) == 0.0
    # not pooled: nothing is borrowable
    alone = np.zeros((2, 2), dtype=bool)
    assert np.isnan(M.borrowing_share(x, m, c0, alone)).all()
    assert M.hybrid_share(x, m, c0, alone) == 0.0
    # facets where cultures differ by less than min_gap are not borrowable
    close = c0.copy()
    close[1, :3] = 0.25
    share = M.borrowing_share(c0[m], m, close, pooled, min_gap=0.1)
    np.testing.assert_allclose(share, 0.0)
    assert M.borrowing_share(np.full((1, 6), 0.8), np.array([0]), close, pooled)[0] == 1.0
    assert M.borrowing_share(np.full((1, 6), 0.24), np.array([0]), close, pooled)[0] == 0.0


def test_mosaic_is_hybrid():
    x, m, c0, pooled, _ = mosaic_population()
    np.testing.assert_allclose(M.borrowing_share(x, m, c0, pooled), 0.5)
    assert M.hybrid_share(x, m, c0, pooled) == 1.0
    assert M.identity_kappa(x, m, c0) == 1.0


# --------------------------------------------------------------------------------------------
# 4. Identity retention
# --------------------------------------------------------------------------------------------


@FAST
@given(populations(), st.integers(0, 2**32 - 1))
def test_identity_bounds_and_invariance(pop, seed):
    x, m, c0, *_ = pop
    kappa = M.identity_kappa(x, m, c0)
    sil = M.silhouette(x, m)
    shares = np.bincount(m) / len(m)
    chance = float(shares @ shares)
    if len(c0) == 1:
        assert math.isnan(kappa)
    else:
        assert -chance / (1 - chance) - 1e-9 <= kappa <= 1.0 + 1e-12
    assert -1.0 - 1e-12 <= sil <= 1.0 + 1e-12
    xp, mp, c0p, *_ = permuted(pop, seed)
    assert same(M.identity_kappa(xp, mp, c0p), kappa)
    assert M.silhouette(xp, mp) == pytest.approx(sil, abs=1e-9)


def test_identity_kappa_values():
    c0, m, *_ = four_cultures()
    assert M.identity_kappa(c0[m], m, c0) == 1.0
    # everyone on one standard: assigned to the same association, no better than chance
    assert M.identity_kappa(np.full((40, 6), 0.45), m, c0) == pytest.approx(0.0)
    # everyone exactly between all cultures: ties share the credit, still chance
    assert M.identity_kappa(np.full((40, 6), 0.5), m, c0) == pytest.approx(0.0)
    # a quarter of the workers converted to the next association's culture
    x = c0[m].copy()
    x[::4] = c0[(m[::4] + 1) % 4]
    assert M.identity_kappa(x, m, c0) == pytest.approx((0.75 - 0.25) / 0.75)
    # unequal sizes: chance is the sum of squared shares
    m2 = np.array([0, 0, 0, 1])
    c2 = np.array([[0.0], [1.0]])
    x2 = np.array([[0.0], [0.0], [0.0], [0.0]])
    assert M.identity_kappa(x2, m2, c2) == pytest.approx((0.75 - 0.625) / 0.375)


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


@PATCHED
@given(access_cases())
def test_public_access_matches_brute_force(monkeypatch_access, case):
    x, ws, need, ns, tol = case
    fits = np.abs(need[:, None, :] - x[None, :, :]).max(axis=2) <= tol
    served = (fits & (ns[:, None] == ws[None, :])).any(axis=1)
    for brute in (True, False):
        monkeypatch_access(brute)
        assert M.public_access(x, ws, need, ns, tol) == pytest.approx(served.mean())
        by_site = M.public_access_by_site(x, ws, need, ns, tol, n_sites=3)
        for s in range(3):
            if (ns == s).any():
                assert by_site[s] == pytest.approx(served[ns == s].mean())
            else:
                assert math.isnan(by_site[s])


@pytest.fixture
def monkeypatch_access(monkeypatch):
    def force(brute: bool) -> None:
        monkeypatch.setattr(M, "_ACCESS_BRUTE_CAP", 1 << 40 if brute else 0)

    return force


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


def test_classify_regime_rules():
    assert M.classify_regime(metrics_for(), 4) == "persistence"
    assert M.classify_regime(metrics_for(centroid_distance_ratio=0.2), 4) == "isomorphism"
    assert M.classify_regime(metrics_for(identity_kappa=0.1), 4) == "isomorphism"
    assert M.classify_regime(metrics_for(hybrid_share=0.4), 4) == "hybridisation"
    assert M.classify_regime(metrics_for(centroid_distance_ratio=0.6), 4) == "hybridisation"
    split = {"n_major_clusters": 9.0, "effective_clusters": 7.0}
    assert M.classify_regime(metrics_for(**split), 4) == "fragmentation"
    assert M.classify_regime(metrics_for(identity_kappa=0.0, **split), 4) == "fragmentation"
    # mosaics multiply clusters but are hybridisation, not fragmentation
    assert M.classify_regime(metrics_for(hybrid_share=0.5, **split), 4) == "hybridisation"
    # a few isolated workers are not a split (effective number barely moves)
    stragglers = {"n_major_clusters": 6.0, "effective_clusters": 4.4}
    assert M.classify_regime(metrics_for(**stragglers), 4) == "persistence"
    # one association: nothing to merge; fragmentation if it splits
    one = {"identity_kappa": math.nan, "n_major_clusters": 1.0, "effective_clusters": 1.0}
    assert M.classify_regime(metrics_for(**one), 1) == "persistence"
    one_split = {"n_major_clusters": 2.0, "effective_clusters": 2.0}
    assert M.classify_regime(metrics_for(**one_split), 1) == "fragmentation"
    # NaN or missing metrics are no evidence
    assert M.classify_regime({"centroid_distance_ratio": math.nan}, 3) == "persistence"
    loose = M.RegimeThresholds(hybrid_ratio=0.5)
    assert M.classify_regime(metrics_for(centroid_distance_ratio=0.6), 4, loose) == "persistence"


@FAST
@given(
    st.one_of(st.floats(0, 2), st.just(math.nan)),
    st.one_of(st.floats(-1, 1), st.just(math.nan)),
    st.floats(0, 1),
    st.integers(1, 12),
    st.floats(1, 12),
    st.integers(1, 6),
)
def test_classify_regime_always_names_a_regime(ratio, kappa, hybrid, n_major, eff, n_assoc):
    summary = {
        "centroid_distance_ratio": ratio,
        "identity_kappa": kappa,
        "hybrid_share": hybrid,
        "n_major_clusters": float(n_major),
        "effective_clusters": eff,
    }
    assert M.classify_regime(summary, n_assoc) in M.REGIMES


def test_regime_codes_and_thresholds():
    assert [M.regime_code(r) for r in M.REGIMES] == [0, 1, 2, 3]
    with pytest.raises(ValueError):
        M.regime_code("chaos")
    with pytest.raises(dataclasses.FrozenInstanceError):
        M.RegimeThresholds().hybrid_share = 0.5  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# 9. Summary
# --------------------------------------------------------------------------------------------

KEYS = set(M.SUMMARY_KEYS)


def full_summary(x, m, c0, pooled, sector, **kwargs):
    ws = np.zeros(len(x), dtype=int)
    edges = np.array([[i, (i + 1) % len(x)] for i in range(len(x))])
    return M.summary(
        x, m, c0, pooled, sector, ws, x[:5], np.zeros(5, dtype=int), edges,
        np.ones(len(edges)), c0, c0, **kwargs,
    )  # fmt: skip


def test_summary_keys_and_persistence():
    c0, m, pooled, sector = four_cultures()
    s = full_summary(c0[m], m, c0, pooled, sector)
    assert set(s) == KEYS
    assert all(isinstance(v, float) for k, v in s.items() if k != "regime")
    assert s["regime"] == "persistence"
    assert s["identity_kappa"] == 1.0
    assert s["mean_borrowing_share"] == 0.0
    assert s["hybrid_share"] == 0.0
    assert s["between_share"] == pytest.approx(1.0)
    assert s["centroid_distance_ratio"] == pytest.approx(1.0)
    assert s["n_major_clusters"] == 4.0
    assert s["public_access"] == 1.0
    assert s["mean_projection"] == pytest.approx(0.0, abs=1e-12)


def test_summary_isomorphism():
    c0, m, pooled, sector = four_cultures()
    s = full_summary(np.full((40, 6), 0.3), m, c0, pooled, sector)
    assert s["between_share"] == 0.0
    assert s["n_clusters"] == 1.0
    assert s["regime"] == "isomorphism"


def test_summary_hybridisation():
    x, m, c0, pooled, sector = mosaic_population()
    s = full_summary(x, m, c0, pooled, sector)
    assert s["hybrid_share"] == 1.0
    assert s["regime"] == "hybridisation"


def test_summary_fragmentation():
    c0, m, pooled, sector = two_cultures()
    x = c0[m].copy()
    x[::2, 0] += 0.15  # each association splits in two groups 0.3 apart on one facet
    x[1::2, 0] -= 0.15
    s = full_summary(x, m, c0, pooled, sector)
    assert s["n_major_clusters"] == 4.0
    assert s["identity_kappa"] == 1.0
    assert s["hybrid_share"] == 0.0
    assert s["regime"] == "fragmentation"


def test_summary_optional_inputs():
    c0, m, pooled, sector = four_cultures()
    s = M.summary(c0[m], m, c0, pooled, sector)
    for key in ("public_access", "cross_tie_share", "tie_modularity", "mean_culture_shift"):
        assert math.isnan(s[key])
    assert s["regime"] == "persistence"


@settings(deadline=None, max_examples=25)
@given(populations(min_n=2), st.integers(0, 2**32 - 1))
def test_summary_invariance(pop, seed):
    x, m, c0, pooled, sector = pop
    s = M.summary(x, m, c0, pooled, sector)
    assert set(s) == KEYS
    assert s["regime"] in M.REGIMES
    sp = M.summary(*permuted(pop, seed))
    assert sp["regime"] == s["regime"]
    for key in KEYS - {"regime"}:
        assert same(sp[key], s[key], tol=1e-9), key


def test_summary_keys_are_the_documented_keys() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((20, 3))
    m = np.repeat(np.arange(4), 5)
    c0 = np.array([x[m == a].mean(axis=0) for a in range(4)])
    pooled = ~np.eye(4, dtype=bool)
    out = M.summary(x, m, c0, pooled, np.array([0, 0, 1, 1]))
    assert tuple(out) == M.SUMMARY_KEYS
