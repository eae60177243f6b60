"""Discrete factors of sampled designs: switches, choices and integer levels read by bins."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from experiments.sensitivity import _problem
from experiments.spec import (
    Design,
    SpecError,
    SweepSpec,
    decode,
    design_points,
    encode,
    levels,
    load_spec,
    sampled_matrix,
    spec_from_dict,
)
from experiments.spec.encoding import bin_edges, level_index
from simulation.parameters import validate_parameter

LEVELS = {
    "serving_publics": [False, True],
    "layout": ["separate", "shared"],
    "core_facets": [0, 1, 2, 3, 4],
}


# --- the encoding ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(LEVELS))
def test_every_level_comes_back_from_its_encoding(name: str) -> None:
    values = LEVELS[name]
    assert decode(name, values, encode(name, values, values)) == values


@given(u=st.floats(0.0, 1.0), k=st.integers(1, 12))
def test_a_position_encodes_back_into_its_own_bin(u: float, k: int) -> None:
    values = list(range(k))
    level = decode("core_facets", values, u)[0]
    centre = encode("core_facets", values, [level])[0]
    assert level_index("core_facets", k, centre)[0] == level_index("core_facets", k, u)[0]
    edges = bin_edges(k)
    assert edges[level] - 1e-12 <= u <= edges[level + 1] + 1e-12


@pytest.mark.parametrize("k", [2, 3, 5, 7])
def test_bins_are_equal_in_probability(k: int) -> None:
    assert np.allclose(np.diff(bin_edges(k)), 1.0 / k)
    # a fine uniform grid of positions: every level is read equally often
    u = (np.arange(1000 * k) + 0.5) / (1000 * k)
    counts = np.bincount(level_index("core_facets", k, u), minlength=k)
    assert counts.tolist() == [1000] * k


def test_a_sobol_design_reads_each_level_about_equally_often() -> None:
    spec = SweepSpec(
        design=Design.sobol(
            256,
            openness=(0.2, 0.8),
            serving_publics=levels(False, True),
            **{"core_facets": levels(0, 1, 2, 3, 4)},
        ),
        steps=2,
        seed=5,
    )
    points = design_points(spec)
    # power-of-two Sobol points fill the halves of [0, 1) exactly
    assert points["serving_publics"].mean() == 0.5
    shares = points["core_facets"].value_counts(normalize=True)
    assert set(shares.index) == {0, 1, 2, 3, 4}
    assert np.allclose(shares, 0.2, atol=0.03)  # 1,024 quasi-random points, five bins


def test_the_top_of_the_unit_interval_reads_as_the_last_level() -> None:
    assert decode("layout", LEVELS["layout"], 1.0) == ["shared"]
    assert decode("layout", LEVELS["layout"], 0.0) == ["separate"]
    assert decode("layout", LEVELS["layout"], np.nextafter(0.5, 0)) == ["separate"]


@pytest.mark.parametrize("u", [-0.1, 1.5, float("nan")])
def test_a_position_off_the_unit_interval_names_the_parameter(u: float) -> None:
    with pytest.raises(ValueError, match=r"layout.*allowed: a number in \[0, 1\]"):
        decode("layout", LEVELS["layout"], u)


def test_a_value_that_is_no_level_names_the_parameter_and_its_levels() -> None:
    with pytest.raises(ValueError, match=r"layout: 'open'.*allowed: 'separate', 'shared'"):
        encode("layout", LEVELS["layout"], ["open"])
    with pytest.raises(ValueError, match="core_facets"):
        encode("core_facets", LEVELS["core_facets"], [2.0])  # 2.0 is not the level 2


# --- in a spec ---------------------------------------------------------------------------------


def _spec(**factors: object) -> SweepSpec:
    return SweepSpec(design=Design.sobol(4, openness=(0.2, 0.8), **factors), steps=2, seed=1)


def test_levels_are_decoded_into_valid_parameter_values() -> None:
    points = design_points(_spec(**{k: levels(*v) for k, v in LEVELS.items()}))
    assert points["serving_publics"].dtype == bool
    assert points["core_facets"].dtype.kind == "i"
    for name, values in LEVELS.items():
        assert set(points[name]) <= set(values)
        for value in points[name]:
            validate_parameter(name, value.item() if hasattr(value, "item") else value)


def test_a_switch_or_choice_given_as_bounds_says_how_to_give_levels() -> None:
    with pytest.raises(SpecError) as info:
        _spec(serving_publics=(False, True))
    assert info.value.key == "design.factors.serving_publics"
    assert "{ levels = [false, true] }" in info.value.allowed
    with pytest.raises(SpecError, match=r'levels = \["separate", "shared"\]'):
        _spec(layout=("separate", "shared"))


@pytest.mark.parametrize(
    ("factor", "key", "problem"),
    [
        ({"levels": ["separate", "open"]}, "design.factors.layout.levels", "out of range|wrong"),
        ({"levels": ["shared"]}, "design.factors.layout.levels", "fewer than two"),
        ({"levels": ["shared", "shared"]}, "design.factors.layout.levels", "repeats"),
        ({"levels": ["shared"], "low": 0}, "design.factors.layout", "not a levels table"),
        ({"levels": "shared"}, "design.factors.layout.levels", "wrong type"),
    ],
)
def test_bad_levels_name_the_key_and_the_allowed_range(factor, key, problem) -> None:
    with pytest.raises(SpecError, match=problem) as info:
        _spec(layout=factor)
    assert info.value.key == key
    assert "'separate', 'shared'" in str(info.value) or "separate" in info.value.allowed


def test_integer_levels_out_of_the_parameters_range_are_refused() -> None:
    with pytest.raises(SpecError) as info:
        _spec(core_facets=levels(0, 65))
    assert info.value.key == "design.factors.core_facets.levels"
    assert "[0, 64]" in str(info.value)


def test_a_spec_with_levels_survives_toml_with_its_factor_order() -> None:
    spec = load_spec("robustness_sobol")
    again = spec_from_dict(tomllib.loads(spec.to_toml()))
    assert list(again.design.factors) == list(spec.design.factors)
    assert again.digest() == spec.digest()
    assert design_points(again.reduced()).equals(design_points(spec.reduced()))


def test_the_methods_see_the_unit_positions_the_levels_were_read_from() -> None:
    spec = _spec(layout=levels("separate", "shared"), core_facets=(0, 4))
    design = design_points(spec)
    problem, x = _problem(spec, design)
    assert problem["bounds"][1] == [0.0, 1.0]
    assert np.array_equal(x[:, 1], sampled_matrix(spec)[:, 1])
    assert decode("layout", ["separate", "shared"], x[:, 1]) == design["layout"].tolist()
    assert np.array_equal(x[:, 2], design["core_facets"].to_numpy(dtype=float))  # rounded
