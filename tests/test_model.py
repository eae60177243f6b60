"""Smoke, determinism, invariants and parameter validation of the pooling model."""

from __future__ import annotations

import math

import mesa
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation.agents import Association, Worker
from simulation.model import MODEL_REPORTERS, PoolingModel, default_parameters, run
from simulation.parameters import PARAMETERS, Parameters, validate_parameter
from simulation.scenarios import pooling_levels

SMALL = {"n_workers": 120}  # keeps landscapes small in tests


def _state(model: PoolingModel) -> tuple[np.ndarray, ...]:
    w = model.world
    return (w.practices, w.cultures, w.tie, w.familiarity, w.cp_edges, w.codes, w.openness)


@pytest.mark.parametrize("scenario", ["cssi", "helpline", "landscape"])
def test_each_scenario_runs_and_records(scenario: str) -> None:
    model = run(20, scenario=scenario, rng=3, **SMALL)
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 21  # week 0 and every week after
    assert set(MODEL_REPORTERS) <= set(frame.columns)
    assert (
        frame["regime"]
        .isin(["persistence", "hybridisation", "isomorphism", "fragmentation"])
        .all()
    )


@pytest.mark.parametrize("scenario", ["cssi", "helpline", "landscape"])
def test_same_seed_gives_identical_state(scenario: str) -> None:
    a = run(60, scenario=scenario, pooling_intensity=0.7, turnover=0.01, rng=11, **SMALL)
    b = run(60, scenario=scenario, pooling_intensity=0.7, turnover=0.01, rng=11, **SMALL)
    for x, y in zip(_state(a), _state(b), strict=True):
        np.testing.assert_array_equal(x, y)
    assert sorted(a.network().edges(keys=True)) == sorted(b.network().edges(keys=True))
    frame_a = a.datacollector.get_model_vars_dataframe()
    frame_b = b.datacollector.get_model_vars_dataframe()
    assert frame_a.equals(frame_b)


@pytest.mark.parametrize("scenario", ["cssi", "helpline", "landscape"])
def test_different_seeds_differ(scenario: str) -> None:
    a = run(30, scenario=scenario, rng=1, **SMALL)
    b = run(30, scenario=scenario, rng=2, **SMALL)
    assert not np.array_equal(a.practices, b.practices)


def test_seed_sequence_and_generator_seeds_are_reproducible() -> None:
    a = run(10, rng=np.random.SeedSequence(5, spawn_key=(3, 1)))
    b = run(10, rng=np.random.SeedSequence(5, spawn_key=(3, 1)))
    np.testing.assert_array_equal(a.practices, b.practices)


@pytest.mark.parametrize("seed", ["7", 1.5, -1, True, [1, 2]])
def test_bad_seed_is_a_named_value_error(seed: object) -> None:
    with pytest.raises(ValueError, match="'rng'"):
        PoolingModel(rng=seed)


@pytest.mark.parametrize(
    "params",
    [
        {"pooling_intensity": 1.0, "turnover": 0.2, "asymmetry": 1.0, "openness": 1.0},
        {"pooling_intensity": 0.5, "collaboration_influence": 1.0, "identity_strength": 0.0},
        {"pooling_intensity": 1.0, "external_pressure": 1.0, "culture_drift": 1.0},
    ],
)
def test_invariants_hold_at_extreme_rates(params: dict) -> None:
    model = PoolingModel(scenario="cssi", rng=4, **params)
    membership = model.membership.copy()
    for _ in range(200):
        model.step()
        assert model.practices.min() >= 0.0
        assert model.practices.max() <= 1.0
    assert np.array_equal(model.membership, membership)
    assert model.cultures.min() >= 0.0
    assert model.cultures.max() <= 1.0


def test_agents_are_views_on_the_arrays() -> None:
    model = PoolingModel(rng=1)
    worker = model.workers[5]
    assert isinstance(worker, Worker)
    assert np.shares_memory(worker.practice, model.practices)
    worker.practice = np.full(model.params.n_facets, 0.5)
    assert np.all(model.practices[5] == 0.5)
    assert isinstance(worker.association, Association)
    assert worker.association.index == model.membership[5]
    association = model.associations[0]
    assert np.shares_memory(association.culture, model.cultures)
    assert len(model.agents_by_type[Worker]) == model.practices.shape[0]
    assert len(model.agents_by_type[Association]) == model.cultures.shape[0]
    assert worker.cell is not None  # placed on Mesa's Network space


def test_network_has_the_four_layers_and_fast_positions() -> None:
    model = run(40, pooling_intensity=0.9, rng=2)
    keys = {k for _, _, k in model.network().edges(keys=True)}
    assert keys == {"colleague", "co_presence", "collaboration", "common_work"}
    g = model.network()
    colleagues = [(i, j) for i, j, k in g.edges(keys=True) if k == "colleague"]
    assert all(model.membership[i] == model.membership[j] for i, j in colleagues)
    co_present = [(i, j) for i, j, k in g.edges(keys=True) if k == "co_presence"]
    assert all(model.membership[i] != model.membership[j] for i, j in co_present)
    assert model.grid is not None
    assert len(model.grid.all_cells) == model.practices.shape[0]
    assert model.positions.shape == (model.practices.shape[0], 2)


def test_pooling_levels_climb_the_ladder() -> None:
    grid = np.linspace(0, 1, 101)
    levels = np.array([pooling_levels(p) for p in grid])
    assert np.all(np.diff(levels, axis=0) >= 0)  # each level rises with intensity
    assert pooling_levels(0.0) == (0.0, 0.0, 0.0)
    assert pooling_levels(1.0) == (1.0, 1.0, 1.0)
    cp, col, cw = pooling_levels(0.4)
    assert cp == 1.0
    assert 0 < col < 1
    assert cw == 0.0


def test_levels_can_be_set_on_their_own() -> None:
    model = run(30, pooling_intensity=1.0, co_presence=0.0, rng=1)
    frame = model.datacollector.get_model_vars_dataframe()
    assert frame["encounters"].sum() == 0
    assert frame["shared_cases"].sum() == 0  # no ties without encounters
    assert frame["socialised"].iloc[1:].min() > 0  # common work still on
    model = run(30, pooling_intensity=0.0, collaboration=1.0, co_presence=1.0, rng=1)
    frame = model.datacollector.get_model_vars_dataframe()
    assert frame["shared_cases"].sum() > 0
    assert frame["socialised"].sum() == 0


def test_turnover_replaces_workers_in_their_post() -> None:
    model = PoolingModel(turnover=0.2, pooling_intensity=0.5, rng=3)
    membership = model.membership.copy()
    for _ in range(10):
        model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert frame["hires"].sum() > 0
    assert np.array_equal(model.membership, membership)
    assert (model.world.tenure < 10).any()
    quiet = run(10, turnover=0.0, rng=3)
    assert quiet.datacollector.get_model_vars_dataframe()["hires"].sum() == 0


def test_helpline_schedule_decentralises_and_holds_intervisions() -> None:
    model = PoolingModel(scenario="helpline", decentralise_at=10, intervision_every=4, rng=2)
    phases, socialised = [], []
    for _ in range(30):
        model.step()
        phases.append(model.phase.name)
        socialised.append(model.counts["socialised"])
    assert phases[:10] == ["centralised"] * 10
    assert phases[10:] == ["decentralised"] * 20
    after = np.array(socialised[10:])
    meeting_weeks = np.flatnonzero(after > 0)
    assert len(meeting_weeks) >= 3
    assert set(np.diff(meeting_weeks)) <= {4, 8}  # every fourth week (a meeting may be empty)
    none = PoolingModel(scenario="helpline", decentralise_at=10, intervision_every=0, rng=2)
    for _ in range(30):
        none.step()
        if none.steps > 10:
            assert none.counts["socialised"] == 0


def test_record_every_thins_the_time_series() -> None:
    model = run(20, record_every=5, rng=1)
    assert len(model.datacollector.get_model_vars_dataframe()) == 5  # weeks 0, 5, 10, 15, 20


def test_defaults_come_from_the_signature_and_are_valid() -> None:
    defaults = default_parameters()
    assert set(defaults) == set(PARAMETERS)
    for name, value in defaults.items():
        assert validate_parameter(name, value) == value


def test_the_model_holds_its_parameters_as_one_frozen_typed_object() -> None:
    import dataclasses
    import inspect

    signature = [n for n in inspect.signature(PoolingModel.__init__).parameters if n in PARAMETERS]
    assert [f.name for f in dataclasses.fields(Parameters)] == signature
    model = PoolingModel(pooling_intensity=0.7, n_facets=4, core_facets=1, rng=1)
    assert isinstance(model.params, Parameters)
    assert model.params.as_dict() == {
        **default_parameters(),
        "pooling_intensity": 0.7,
        "n_facets": 4,
        "core_facets": 1,
    }
    assert model.scenario_name == model.params.scenario == "cssi"
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.params.pooling_intensity = 0.1  # type: ignore[misc]


def test_parameters_validate_on_construction() -> None:
    good = default_parameters()
    with pytest.raises(ValueError, match=r"'homophily' = 2\.0 is invalid"):
        Parameters(**{**good, "homophily": 2.0})
    assert type(Parameters(**{**good, "n_workers": np.int64(50)}).n_workers) is int


def test_batch_run_works_on_the_model() -> None:
    results = mesa.batch_run(
        PoolingModel,
        parameters={"pooling_intensity": [0.1, 0.9]},
        rng=[1, 2],
        max_steps=10,
        data_collection_period=1,
        number_processes=1,
        display_progress=False,
    )
    assert len(results) == 4 * 11  # 2 levels x 2 seeds x weeks 0..10
    assert {"pooling_intensity", "between_share", "regime"} <= set(results[0])


# --- property tests over the parameter space ----------------------------------------------------


def _valid_value(name: str) -> st.SearchStrategy:
    spec = PARAMETERS[name]
    if spec.kind == "choice":
        return st.sampled_from(spec.choices)
    if spec.kind == "case":
        return st.sampled_from([None, "cssi", "helpline"])
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "int":
        high = min(int(spec.high), {"n_workers": 300, "n_facets": 12}.get(name, int(spec.high)))
        strategy = st.integers(int(spec.low), high)
    else:
        strategy = st.floats(spec.low, spec.high, allow_nan=False)
    return st.one_of(st.none(), strategy) if spec.optional else strategy


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_valid_parameters_never_crash_a_short_run(data: st.DataObject) -> None:
    names = data.draw(st.lists(st.sampled_from(sorted(PARAMETERS)), max_size=8, unique=True))
    params = {name: data.draw(_valid_value(name), label=name) for name in names}
    params.setdefault("n_workers", 150)
    model = PoolingModel(rng=data.draw(st.integers(0, 2**32)), **params)
    for _ in range(20):
        model.step()
    assert np.isfinite(model.practices).all()
    assert model.practices.min() >= 0.0
    assert model.practices.max() <= 1.0


def _invalid_value(name: str) -> st.SearchStrategy:
    spec = PARAMETERS[name]
    if spec.kind == "choice":
        return st.one_of(st.text().filter(lambda s: s not in spec.choices), st.integers())
    if spec.kind == "bool":
        return st.one_of(st.integers(), st.text(), st.none())
    if spec.kind == "case":
        return st.one_of(st.integers(), st.sampled_from(["no-such-case", "missing.toml"]))
    below = st.floats(max_value=spec.low, exclude_max=True, allow_nan=False)
    above = st.floats(min_value=spec.high, exclude_min=True, allow_nan=False)
    wrong = st.sampled_from([math.nan, "0.5", [0.5]])
    if spec.kind == "int":
        below = st.integers(max_value=int(spec.low) - 1)
        above = st.integers(min_value=int(spec.high) + 1)
        wrong = st.sampled_from([0.5, "3", math.nan])
    options = [below, above, wrong]
    if not spec.optional:
        options.append(st.none())
    return st.one_of(options)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_invalid_parameters_raise_a_named_value_error(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(PARAMETERS)))
    value = data.draw(_invalid_value(name), label="value")
    with pytest.raises(ValueError, match=f"'{name}'") as excinfo:
        PoolingModel(**{name: value})
    assert "expected" in str(excinfo.value)


def test_unknown_parameter_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        PoolingModel(pooling=0.5)


def test_agent_level_collection_is_opt_in() -> None:
    quiet = run(3, rng=1)
    assert not quiet.datacollector.agenttype_reporters
    loud = run(3, collect_agents=True, rng=1)
    frame = loud.datacollector.get_agenttype_vars_dataframe(Worker)
    assert len(frame) == 4 * loud.practices.shape[0]
    assert frame["practice"].iloc[-1] == tuple(loud.practices[-1])
