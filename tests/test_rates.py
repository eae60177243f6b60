"""The week's kept rates: the products the rules would compute, recomputed when a value moves."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulation import rates
from simulation.model import PoolingModel
from simulation.rules import levels_in_force
from simulation.scenarios import pooling_levels

KEPT = (
    "_shared_reception",
    "_anchor_rate",
    "_drift_rate",
    "_premises_rate",
    "_threat_rate",
)


def _forget(model: PoolingModel) -> None:
    """Drop every rate kept on the model's world, so that the next week computes them afresh."""
    for name in KEPT:
        vars(model.world).pop(name, None)


@pytest.mark.parametrize("intensity", [0.0, 0.1, 0.4, 0.75, 1.0])
def test_levels_follow_the_pooling_knob_as_it_moves(intensity: float) -> None:
    model = PoolingModel(scenario="landscape", n_workers=60, rng=1)
    levels_in_force(model.params, model.phase, 0)  # keeps the default knob's ladder
    r = dataclasses.replace(model.params, pooling_intensity=intensity)
    assert levels_in_force(r, model.phase, 0)[:3] == pooling_levels(intensity)


def test_each_kept_rate_is_the_rule_s_product_for_the_values_given() -> None:
    w = PoolingModel(scenario="cssi", rng=2).world
    for first, then in ((0.3, 0.8), (0.8, 0.3)):
        rates.shared_reception(w, first, 0.2)
        got = rates.shared_reception(w, then, 0.5)
        assert np.array_equal(got, 1.0 - (1.0 - then * w.reception_shared) * (1.0 - 0.5))
        rates.anchor_rate(w, first)
        assert np.array_equal(rates.anchor_rate(w, then), then * w.anchor_rate)
        rates.drift_rate(w, first)
        assert np.array_equal(rates.drift_rate(w, then), (then * (1.0 - w.identity))[:, None])
        rates.threat_rate(w, first)
        assert np.array_equal(rates.threat_rate(w, then), then * w.anchor_rate)
        rates.premises_rate(w, 0.01, first)
        expected = 0.01 * then * w.room_lost[w.membership]
        assert np.array_equal(rates.premises_rate(w, 0.01, then), expected)
    assert rates.premises_rate(w, 0.01, 0.0) is None  # nobody pulled at no co-presence


@pytest.mark.parametrize("scenario", ["cssi", "helpline"])
def test_a_change_of_parameters_mid_run_acts_as_on_a_world_that_kept_nothing(
    scenario: str,
) -> None:
    """Two runs of one seed; one forgets its kept rates every week: both must stay identical."""
    kept, fresh = (PoolingModel(scenario=scenario, rng=5) for _ in range(2))
    for week in range(40):
        if week == 15:
            for model in (kept, fresh):
                model.params = dataclasses.replace(
                    model.params,
                    anchoring=0.3,
                    culture_drift=0.02,
                    exit_rate=0.2,
                    premises_pull=0.05,
                    pooling_intensity=0.9,
                )
        _forget(fresh)
        kept.step()
        fresh.step()
    assert np.array_equal(kept.world.practices, fresh.world.practices)
    assert np.array_equal(kept.world.cultures, fresh.world.cultures)
    a = kept.datacollector.get_model_vars_dataframe()
    b = fresh.datacollector.get_model_vars_dataframe()
    assert a.equals(b)
