"""The engine against plain Mesa: the same collaboration rule, and a model that scales."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import ks_2samp

from simulation import rules
from simulation.model import SPACE_LIMIT, PoolingModel

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


naive_mesa = _load("naive_mesa")

N_WORKERS, DEGREE, SEEDS = 100, 8, 50
ALPHA = 1e-3  # per statistic: a correct engine fails one of them about 0.5% of the time
CONTINUOUS = {"tolerance": 0.05, "influence": 0.3, "floor": 0.2, "reciprocal": True}
AXELROD = {"tolerance": 0.0, "influence": 1.0, "floor": 0.0, "reciprocal": False}


def _setting(seed: int, n_facets: int, traits: int | None):
    rng = np.random.default_rng([seed, 99])
    edges = naive_mesa.random_graph(N_WORKERS, DEGREE, rng)
    if traits is None:
        x = rng.random((N_WORKERS, n_facets))
    else:  # Axelrod's q traits, stored as exact floats
        x = rng.integers(0, traits, (N_WORKERS, n_facets)) / (traits - 1)
    return edges, x


def _statistics(x: np.ndarray, edges: np.ndarray, tol: float) -> dict[str, float]:
    gaps = np.abs(x[:, None, :] - x[None, :, :]).mean(axis=2)
    agree = (np.abs(x[edges[:, 0]] - x[edges[:, 1]]) <= tol).all(axis=1)
    return {
        "mean_pairwise_distance": gaps.sum() / (len(x) * (len(x) - 1)),
        "distinct_cultures": len(np.unique(np.round(x, 12), axis=0)),
        "neighbours_alike": agree.mean(),
        "facet_mean": x.mean(),
        "facet_sd": x.std(axis=0).mean(),
    }


def _naive(seed: int, steps: int, n_facets: int, traits: int | None, rule: dict) -> dict:
    edges, x = _setting(seed, n_facets, traits)
    model = naive_mesa.NaiveCollaboration(edges, x, rng=seed, **rule)
    for _ in range(steps):
        model.step()
    return _statistics(model.practices, edges, rule["tolerance"])


def _engine(seed: int, steps: int, n_facets: int, traits: int | None, rule: dict) -> dict:
    edges, x = _setting(seed, n_facets, traits)
    ptr, nbr = rules.csr(edges, N_WORKERS)
    rules.collaboration_sweeps(x, ptr, nbr, steps, np.random.default_rng(seed), **rule)
    return _statistics(x, edges, rule["tolerance"])


def _p_values(a: list[dict], b: list[dict]) -> dict[str, float]:
    return {key: ks_2samp([r[key] for r in a], [r[key] for r in b]).pvalue for key in a[0]}


@pytest.fixture(scope="module")
def continuous_runs() -> tuple[list[dict], list[dict]]:
    naive = [_naive(s, 30, 4, None, CONTINUOUS) for s in range(SEEDS)]
    engine = [_engine(s + 1000, 30, 4, None, CONTINUOUS) for s in range(SEEDS)]
    return naive, engine


def test_engine_and_mesa_agree_on_the_continuous_collaboration_rule(continuous_runs) -> None:
    naive, engine = continuous_runs
    p = _p_values(naive, engine)
    assert min(p.values()) > ALPHA, p
    # the runs went somewhere: practices converged a good deal from uniform (1/3 apart)
    assert np.mean([r["mean_pairwise_distance"] for r in engine]) < 0.25


def test_the_comparison_detects_a_rule_that_is_off(continuous_runs) -> None:
    naive, _ = continuous_runs
    weaker = {**CONTINUOUS, "influence": 0.25}  # borrowing a sixth less than the Mesa model
    wrong = [_engine(s + 1000, 30, 4, None, weaker) for s in range(SEEDS)]
    assert min(_p_values(naive, wrong).values()) < ALPHA


def test_engine_and_mesa_agree_on_axelrods_model() -> None:
    naive = [_naive(s, 40, 4, 3, AXELROD) for s in range(SEEDS)]
    engine = [_engine(s + 1000, 40, 4, 3, AXELROD) for s in range(SEEDS)]
    p = _p_values(naive, engine)
    assert min(p.values()) > ALPHA, p
    # Axelrod's dynamics at work: far fewer cultures than the 81 possible ones at the start
    assert np.median([r["distinct_cultures"] for r in engine]) < 40


def test_naive_model_activates_each_worker_once_per_step() -> None:
    edges, x = _setting(0, 3, None)
    model = naive_mesa.NaiveCollaboration(edges, x, rng=1, **CONTINUOUS)
    calls = []
    for agent in model.agents:
        agent.step = (lambda a: lambda: calls.append(a.unique_id))(agent)
    model.step()
    assert sorted(calls) == sorted(a.unique_id for a in model.agents)


# --- a model that scales -----------------------------------------------------------------------


def _python_calls_in_a_step(model: PoolingModel) -> int:
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        calls += event == "call"

    sys.setprofile(count)
    try:
        model.step()
    finally:
        sys.setprofile(None)
    return calls


def test_step_has_no_python_loop_over_workers() -> None:
    calls = {}
    for n in (300, 6000):
        model = PoolingModel(
            scenario="landscape",
            n_workers=n,
            pooling_intensity=0.9,
            turnover=0.01,
            record_every=1000,
            rng=1,
        )
        for _ in range(3):
            model.step()
        calls[n] = _python_calls_in_a_step(model)
    assert calls[6000] <= calls[300] + 20  # 20 times the workers, the same Python work


def test_large_landscape_is_built_on_compact_arrays() -> None:
    model = PoolingModel(scenario="landscape", n_workers=SPACE_LIMIT + 500, rng=3)
    w = model.world
    assert model.grid is None  # no Mesa cell per worker above SPACE_LIMIT
    assert len(model.workers) == w.n_workers == SPACE_LIMIT + 500
    assert w.cp_edges.dtype == np.int32
    assert w.adj_edge.dtype == np.int32
    assert w.familiarity.dtype == np.int32
    assert model.layers.colleague.dtype == np.int32
    # every co-presence pair: two associations of one site, each pair once
    a, b = w.membership[w.cp_edges[:, 0]], w.membership[w.cp_edges[:, 1]]
    assert np.all(a != b)
    assert np.all(w.assoc_site[a] == w.assoc_site[b])
    keys = np.minimum(w.cp_edges[:, 0], w.cp_edges[:, 1]) * w.n_workers + np.maximum(
        w.cp_edges[:, 0], w.cp_edges[:, 1]
    )
    assert np.unique(keys).size == keys.size
    small = PoolingModel(scenario="landscape", n_workers=SPACE_LIMIT, rng=3)
    assert small.grid is not None


# --- compiled once, then loaded from the cache ---------------------------------------------

RUN_AND_DIGEST = """
import hashlib, sys
import numpy as np
from simulation.measures.distinguishability import distinguishability
from simulation.model import run
digest = hashlib.sha256()
for scenario in ("cssi", "helpline", "landscape"):
    model = run(15, scenario=scenario, pooling_intensity=0.85, turnover=0.05, n_workers=300, rng=2)
    digest.update(model.practices.tobytes())
    digest.update(model.datacollector.get_model_vars_dataframe().to_csv().encode())
x = model.practices
kappa = distinguishability(np.tile(x, (1, 30)), model.membership, model.world.assoc_site)
digest.update(np.float64(kappa).tobytes())
print(digest.hexdigest())
"""


@pytest.mark.slow
def test_kernels_compiled_then_loaded_from_the_cache_give_the_same_run(tmp_path: Path) -> None:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", RUN_AND_DIGEST],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for _ in range(2)  # the first compiles and writes the cache, the second loads it
    ]
    assert any(tmp_path.rglob("*.nbc"))  # the kernels were cached on disk
    assert runs[0] == runs[1]
