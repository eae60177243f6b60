"""Consistency checks of the robustness analyses' pure parts (no sweep is run here)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments import robustness
from simulation.model import default_parameters
from simulation.parameters import validate_parameter


def test_every_assumption_maps_the_unit_interval_onto_valid_values() -> None:
    for name in robustness.ASSUMPTIONS:
        for x in (0.0, 1 / 3, 2 / 3, 1.0):
            value = robustness.value_at(name, x)
            assert validate_parameter(name, value) == value
    assert robustness.value_at("layout", 0.9) == "shared"
    assert robustness.value_at("serving_publics", 0.4) is False
    assert isinstance(robustness.value_at("core_facets", 0.5), int)


def test_the_default_lies_within_each_assumption_range() -> None:
    defaults = default_parameters()
    for name, values in robustness.ASSUMPTIONS.items():
        if isinstance(values[0], bool | str):
            assert defaults[name] in values
        else:
            assert values[0] <= defaults[name] <= values[1], name


def test_boundaries_find_where_a_regime_becomes_the_majority() -> None:
    levels = np.repeat([0.0, 0.5, 1.0], 4)
    regime = ["persistence"] * 4 + ["persistence"] * 2 + ["isomorphism"] * 2 + ["isomorphism"] * 4
    summary = pd.DataFrame({"pooling_intensity": levels, "regime": regime, "status": "ok"})
    table = robustness.boundaries_table(summary, boot=50).set_index("regime")
    assert table.loc["isomorphism", "first_majority_at"] == 0.5  # share 0.5 reached at 0.5
    assert table.loc["persistence", "first_majority_at"] == 0.0
    low, high = table.loc["isomorphism", ["ci_low", "ci_high"]]
    assert 0.0 <= low <= 0.5 <= high <= 1.0


def test_one_at_a_time_says_which_perturbations_keep_the_default_regime() -> None:
    n = len(robustness.oat_points())
    regimes = ["hybridisation"] * n
    regimes[3] = "isomorphism"
    summary = pd.DataFrame({"point": range(n), "regime": regimes, "status": "ok"})
    table = robustness.oat_table(summary)
    assert table.loc[0, "parameter"] == "default"
    assert table["survives"].sum() == n - 1
    assert not table.loc[3, "survives"]
