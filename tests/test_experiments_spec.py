"""Sweep specs, designs and seeds: validation before any run, deterministic designs, seeds."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments.seeds import format_key, parse_key, run_seed, stored_entropy
from experiments.spec import (
    Design,
    SpecError,
    SweepSpec,
    design_points,
    load_spec,
    named_specs,
    point_dicts,
    point_parameters,
)
from experiments.sweep import plan, run_sweep
from simulation.model import default_parameters
from simulation.parameters import PARAMETERS

GOOD = """
name = "t"
scenario = "cssi"
seed = 7
replicates = 2
steps = 10
record_every = 2

[fixed]
openness = 0.6

[design]
kind = "grid"

[design.factors]
pooling_intensity = [0.1, 0.5]
identity_strength = [0.2, 0.4, 0.9]
"""


def spec_from(text: str) -> SweepSpec:
    return load_spec(tomllib.loads(text))


def replace(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


# --- named specs -------------------------------------------------------------------------------


def test_named_specs_are_the_papers_questions():
    assert {"smoke", "pooling_identity", "sector_mix", "helpline", "sobol"} <= set(named_specs())


@pytest.mark.parametrize("name", sorted(named_specs()))
def test_named_spec_loads_and_has_a_smaller_quick_variant(name):
    spec = load_spec(name)
    quick = load_spec(name, quick=True)
    assert spec.name == name
    assert quick.name == f"{name}-quick"
    assert quick.n_runs * quick.steps < spec.n_runs * spec.steps
    assert quick.digest() != spec.digest()


def test_smoke_spec_is_about_forty_short_cssi_runs():
    spec = load_spec("smoke")
    assert spec.scenario == "cssi"
    assert 30 <= spec.n_runs <= 50
    assert spec.steps <= 52


def test_pooling_identity_spec_is_the_grid_of_the_issue():
    spec = load_spec("pooling_identity")
    assert spec.design.kind == "grid"
    assert set(spec.design.factors) == {"pooling_intensity", "identity_strength"}
    assert (spec.steps, spec.record_every) == (520, 4)
    assert spec.design.factors["pooling_intensity"][3] == 0.3  # linspace levels are clean


@pytest.mark.parametrize("name", sorted(named_specs()))
def test_toml_round_trip_gives_an_equal_spec(name):
    spec = load_spec(name)
    again = load_spec(tomllib.loads(spec.to_toml()))
    assert again == spec
    assert again.digest() == spec.digest()


def test_python_construction_equals_the_toml_spec():
    built = SweepSpec(
        name="t",
        scenario="cssi",
        seed=7,
        replicates=2,
        steps=10,
        record_every=2,
        fixed={"openness": 0.6},
        design=Design.grid(pooling_intensity=[0.1, 0.5], identity_strength=[0.2, 0.4, 0.9]),
    )
    assert built == spec_from(GOOD)
    assert built.digest() == spec_from(GOOD).digest()


def test_digest_covers_what_is_run_only():
    base = spec_from(GOOD)
    renamed = spec_from(
        GOOD.replace('name = "t"', 'name = "u"\ndescription = "why"') + "[quick]\nsteps = 2\n"
    )
    assert renamed.digest() == base.digest()
    assert spec_from(GOOD.replace("seed = 7", "seed = 8")).digest() != base.digest()
    assert spec_from(GOOD.replace("0.1, 0.5]", "0.1, 0.6]")).digest() != base.digest()


def test_digest_ignores_comments_and_key_order():
    text = "# a comment\n" + GOOD.replace("seed = 7\n", "")
    text = text.replace("steps = 10\n", "steps = 10\nseed = 7  # the root seed\n")
    assert text != GOOD
    assert spec_from(text).digest() == spec_from(GOOD).digest()


@settings(max_examples=30, deadline=None)
@given(
    levels=st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=1, max_size=4, unique=True),
    seed=st.integers(0, 2**63 - 1),
    replicates=st.integers(1, 5),
)
def test_any_valid_grid_spec_round_trips_through_toml(levels, seed, replicates):
    spec = SweepSpec(
        design=Design.grid(openness=levels), seed=seed, replicates=replicates, steps=3
    )
    assert load_spec(tomllib.loads(spec.to_toml())) == spec


# --- validation: errors name the key, the value and what is allowed ----------------------------


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ("replicates = 2", "replicate = 2", "replicate", ["not a spec key", "replicates"]),
        ("steps = 10", 'steps = "10"', "steps", ["wrong type", "'10'", "integer"]),
        ("steps = 10", "steps = 0", "steps", ["out of range", "[1,"]),
        ("replicates = 2", "replicates = 2.5", "replicates", ["wrong type", "2.5"]),
        ("seed = 7", "seed = -1", "seed", ["out of range", "non-negative"]),
        ("openness = 0.6", "openess = 0.6", "fixed.openess", ["not a model parameter"]),
        (
            "openness = 0.6",
            "openness = 1.6",
            "fixed.openness",
            ["out of range", "1.6", "[0.0, 1.0]"],
        ),
        ("openness = 0.6", 'openness = "high"', "fixed.openness", ["wrong type", "'high'"]),
        ("openness = 0.6", "record_every = 3", "fixed.record_every", ["top-level"]),
        ("openness = 0.6", "pooling_intensity = 0.3", "fixed.pooling_intensity", ["also varied"]),
        ('scenario = "cssi"', 'scenario = "csi"', "scenario", ["'csi'", "'helpline'"]),
        (
            "0.2, 0.4, 0.9]",
            "0.2, 1.5, 0.9]",
            "design.factors.identity_strength",
            ["1.5", "out of range"],
        ),
        ("0.2, 0.4, 0.9]", "]", "design.factors.identity_strength", ["is empty"]),
        ("0.2, 0.4, 0.9]", "0.2, 0.2]", "design.factors.identity_strength", ["repeats"]),
        ('kind = "grid"', 'kind = "gird"', "design.kind", ["'gird'", "sobol"]),
        (
            'kind = "grid"',
            'kind = "grid"\nsamples = 4',
            "design.samples",
            ["not a key of a 'grid'"],
        ),
        ("record_every = 2", "record_every = 0", "record_every", ["out of range"]),
    ],
)
def test_bad_spec_fails_with_a_message_naming_key_value_and_allowed(old, new, key, words):
    with pytest.raises(SpecError) as info:
        spec_from(replace(GOOD, old, new))
    assert info.value.key == key
    message = str(info.value)
    assert f"'{key}'" in message
    assert "allowed:" in message
    for word in words:
        assert word in message


def test_empty_design_fails_and_says_how_to_repeat_one_configuration():
    text = GOOD.split("[design.factors]")[0]
    with pytest.raises(SpecError) as info:
        spec_from(text)
    assert info.value.key == "design.factors"
    assert "at least one parameter" in str(info.value)
    assert "one level" in str(info.value)


def test_empty_table_design_fails():
    with pytest.raises(SpecError, match=r"design\.points"):
        SweepSpec(design=Design.table([]), steps=3)


@pytest.mark.parametrize("missing", ["seed", "steps"])
def test_file_must_state_seed_and_steps(missing):
    text = "\n".join(line for line in GOOD.splitlines() if not line.startswith(missing))
    with pytest.raises(SpecError) as info:
        spec_from(text)
    assert info.value.key == missing
    assert "required" in str(info.value)


def test_sampled_designs_check_their_own_keys():
    with pytest.raises(SpecError, match="power of two"):
        SweepSpec(design=Design.sobol(10, openness=(0.1, 0.9)), steps=3)
    with pytest.raises(SpecError, match="low < high"):
        SweepSpec(design=Design.lhs(10, openness=(0.9, 0.1)), steps=3)
    with pytest.raises(SpecError, match="cannot sample"):
        SweepSpec(design=Design.lhs(10, layout=("separate", "shared")), steps=3)
    with pytest.raises(SpecError, match="odd"):
        SweepSpec(design=Design.morris(4, levels=3, openness=(0.1, 0.9)), steps=3)


def test_bad_quick_table_fails_at_load_time():
    with pytest.raises(SpecError) as info:
        spec_from(GOOD + "\n[quick]\nsteps = -3\n")
    assert "quick" in info.value.key


def test_error_from_a_file_names_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(replace(GOOD, "steps = 10", "steps = 0"))
    with pytest.raises(SpecError, match=r"bad\.toml"):
        load_spec(path)


def test_bad_spec_fails_before_any_run(tmp_path):
    out = tmp_path / "never"
    with pytest.raises(SpecError):
        run_sweep(tomllib.loads(replace(GOOD, "openness = 0.6", "openness = 2.0")), out)
    assert not out.exists()


# --- designs -----------------------------------------------------------------------------------


def test_grid_is_full_factorial_with_the_last_factor_fastest():
    points = design_points(spec_from(GOOD))
    assert len(points) == 6
    assert points["pooling_intensity"].tolist() == [0.1, 0.1, 0.1, 0.5, 0.5, 0.5]
    assert points["identity_strength"].tolist() == [0.2, 0.4, 0.9] * 2


def test_latin_hypercube_has_one_point_per_stratum_and_rounds_integers():
    spec = SweepSpec(
        design=Design.lhs(20, openness=(0.2, 0.6), decentralise_at=(10, 50)), steps=3, seed=3
    )
    points = design_points(spec)
    strata = np.floor((points["openness"] - 0.2) / 0.4 * 20).astype(int)
    assert sorted(strata) == list(range(20))
    assert points["decentralise_at"].dtype.kind == "i"
    assert points["decentralise_at"].between(10, 50).all()


def test_sampled_design_sizes():
    bounds = {"openness": (0.1, 0.9), "homophily": (0.1, 0.5), "anchoring": (0.0, 0.2)}
    assert SweepSpec(design=Design.sobol(8, **bounds), steps=2).n_points == 8 * 5
    assert SweepSpec(design=Design.sobol(8, second_order=True, **bounds), steps=2).n_points == 64
    assert SweepSpec(design=Design.morris(5, **bounds), steps=2).n_points == 20
    for kind_spec in (Design.sobol(8, **bounds), Design.morris(5, **bounds)):
        spec = SweepSpec(design=kind_spec, steps=2)
        assert len(design_points(spec)) == spec.n_points


def test_random_designs_follow_the_root_seed():
    def points(seed):
        return design_points(SweepSpec(design=Design.lhs(8, openness=(0, 1)), steps=2, seed=seed))

    assert points(1).equals(points(1))
    assert not points(1).equals(points(2))


def test_table_points_keep_unset_parameters_at_their_defaults():
    spec = SweepSpec(
        design=Design.table([{"openness": 0.2}, {"homophily": 0.5, "scenario": "helpline"}]),
        steps=2,
    )
    first, second = (point_parameters(spec, p) for p in point_dicts(spec))
    defaults = default_parameters()
    assert first["homophily"] == defaults["homophily"]
    assert first["scenario"] == defaults["scenario"]
    assert second["openness"] == defaults["openness"]
    assert second["scenario"] == "helpline"


def test_every_run_gets_every_model_parameter():
    tasks = list(plan(spec_from(GOOD)))
    assert len(tasks) == 12
    for task in tasks:
        assert list(task.params) == list(PARAMETERS)
        assert task.params["openness"] == 0.6
        assert task.params["record_every"] == 2
    assert len({t.run_id for t in tasks}) == 12
    assert tasks[5].run_id == "p0002-r01"


# --- seeds -------------------------------------------------------------------------------------


def test_a_runs_seed_is_the_spawned_child_of_the_root():
    root = np.random.SeedSequence(123)
    tree = [child.spawn(3) for child in root.spawn(4)]
    for p in range(4):
        for r in range(3):
            alone = run_seed(123, (p, r))
            assert alone.spawn_key == (p, r)
            assert np.array_equal(alone.generate_state(4), tree[p][r].generate_state(4))


def test_distinct_runs_get_distinct_streams():
    states = {tuple(run_seed(5, (p, r)).generate_state(2)) for p in range(10) for r in range(5)}
    assert len(states) == 50


@given(st.lists(st.integers(0, 2**32), max_size=4))
def test_spawn_key_text_round_trips(key):
    assert parse_key(format_key(key)) == tuple(key)


def test_entropy_above_int64_is_stored_as_text():
    assert stored_entropy(2**63 - 1) == 2**63 - 1
    assert stored_entropy(2**64) == str(2**64)
