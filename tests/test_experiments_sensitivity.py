"""Sensitivity analysis finds the parameters an outcome depends on, and only those."""

from __future__ import annotations

import pytest

from experiments import storage
from experiments.sensitivity import METHODS, analyse_sensitivity, scalar_outcomes
from experiments.spec import Design, SweepSpec
from experiments.sweep import run_sweep

# collaboration_level is a deterministic function of pooling_intensity alone (the ladder of
# simulation.scenarios.pooling_levels), so openness must get exactly zero sensitivity.
BOUNDS = {"pooling_intensity": (0.0, 1.0), "openness": (0.1, 0.9)}


def sweep(tmp_path_factory, name, design, replicates=1):
    out = tmp_path_factory.mktemp(name)
    spec = SweepSpec(design=design, steps=2, replicates=replicates, seed=11, name=name)
    run_sweep(spec, out, executor="serial", progress=False)
    return out


@pytest.fixture(scope="module")
def sobol_sweep(tmp_path_factory):
    return sweep(tmp_path_factory, "sobol", Design.sobol(16, **BOUNDS))


@pytest.fixture(scope="module")
def morris_sweep(tmp_path_factory):
    return sweep(tmp_path_factory, "morris", Design.morris(6, **BOUNDS))


@pytest.fixture(scope="module")
def grid_sweep(tmp_path_factory):
    grid = Design.grid(pooling_intensity=[0.1, 0.3, 0.5, 0.7, 0.9], openness=[0.2, 0.5, 0.8])
    return sweep(tmp_path_factory, "grid", grid, replicates=2)


def indices(table, parameter):
    return table.set_index("parameter").loc[parameter]


def test_sobol_attributes_the_variance_to_the_only_parameter_that_matters(sobol_sweep):
    table = analyse_sensitivity(sobol_sweep, "collaboration_level")
    assert set(table["method"]) == {"sobol"}
    assert list(table.columns) == [
        "outcome",
        "method",
        "parameter",
        "S1",
        "S1_conf",
        "ST",
        "ST_conf",
    ]
    pooling, openness = indices(table, "pooling_intensity"), indices(table, "openness")
    assert pooling["ST"] > 0.8
    assert pooling["S1"] > 0.5
    assert openness["ST"] == pytest.approx(0.0, abs=1e-12)
    assert openness["S1"] == pytest.approx(0.0, abs=1e-12)


def test_morris_gives_zero_elementary_effects_to_an_inert_parameter(morris_sweep):
    table = analyse_sensitivity(morris_sweep, "collaboration_level")
    assert set(table["method"]) == {"morris"}
    assert indices(table, "pooling_intensity")["mu_star"] > 0.5
    assert indices(table, "openness")["mu_star"] == pytest.approx(0.0, abs=1e-12)


def test_anova_on_a_grid_splits_the_variance_between_factors(grid_sweep):
    table = analyse_sensitivity(grid_sweep, ["collaboration_level", "regime=hybridisation"])
    assert set(table["method"]) == {"anova"}
    level = table[table["outcome"] == "collaboration_level"]
    assert indices(level, "pooling_intensity")["S1"] == pytest.approx(1.0)
    assert indices(level, "openness")["S1"] == pytest.approx(0.0, abs=1e-12)
    shares = table[table["outcome"] == "regime=hybridisation"]["S1"].dropna()
    assert ((shares >= 0) & (shares <= 1)).all()


def test_default_outcomes_are_the_measures_that_vary(sobol_sweep):
    summary = storage.load_summary(sobol_sweep)
    outcomes = scalar_outcomes(summary)
    assert "collaboration_level" in outcomes
    assert not {"regime", "phase", "step"} & set(outcomes)
    table = analyse_sensitivity(sobol_sweep)
    assert set(table["outcome"]) == set(outcomes)


def test_method_must_fit_the_design(grid_sweep, sobol_sweep):
    with pytest.raises(ValueError, match="needs a 'sobol' design; this sweep's design is 'grid'"):
        analyse_sensitivity(grid_sweep, "collaboration_level", "sobol")
    with pytest.raises(ValueError, match="'spectral' is unknown"):
        analyse_sensitivity(grid_sweep, "collaboration_level", "spectral")
    table = analyse_sensitivity(sobol_sweep, "collaboration_level", "rbd_fast")
    assert set(table["method"]) == {"rbd_fast"}
    assert "anova" in METHODS


def test_unknown_outcome_lists_the_allowed_ones(sobol_sweep):
    with pytest.raises(
        ValueError, match=r"'happiness' is not a numeric measure; allowed: .*hybrid"
    ):
        analyse_sensitivity(sobol_sweep, "happiness")


def test_sobol_refuses_a_sweep_with_missing_points(sobol_sweep, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(sobol_sweep, copy)
    for replicate_shard in ("p0003-r00", "p0010-r00"):
        storage.shard_path(copy, replicate_shard).unlink()
    with pytest.raises(ValueError, match=r"2 of 64 runs are missing \(design points 3, 10\)"):
        analyse_sensitivity(copy, "collaboration_level")
    with (
        pytest.warns(RuntimeWarning, match="incomplete"),
        pytest.raises(ValueError, match="2 points have no successful run"),
    ):
        analyse_sensitivity(copy, "collaboration_level", allow_incomplete=True)
