"""Null twins of a run as models: build them, step them, judge a run against them.

A twin is the run's model with pooling off (:func:`simulation.measures.null.twin_parameters`)
and no pooling phase in its schedule: same seed, same world at week 0, no pooling after. The
twins of a run are its own-seed twin and ``n - 1`` others
(:func:`simulation.measures.null.twin_seeds`), whose spread is the seed-to-seed noise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from simulation.measures import thresholds
from simulation.measures.null import NullReference, twin_parameters, twin_seeds
from simulation.measures.regime import Verdict, judge
from simulation.model import PoolingModel

__all__ = ["NullTwins", "judge_run", "make_twin", "null_reference"]

_QUIET = 100_000  # record_every of a twin: only week 0 is recorded, measures on demand


def make_twin(params: Mapping[str, Any], seed: Any, record_every: int = _QUIET) -> PoolingModel:
    """A run's null twin: its parameters with pooling off, the given seed, no pooling phase.

    Args:
        params: the run's model parameters (``rng``, ``record_every`` and
            ``collect_agents`` are ignored).
        seed: the twin's seed (the run's own for the paired twin).
        record_every: weeks between the twin's records (default: week 0 only; its measures
            are computed on demand by ``measures()``).

    Returns:
        The twin model at week 0.
    """
    kwargs = {
        k: v
        for k, v in twin_parameters(params).items()
        if k not in ("record_every", "collect_agents")
    }
    twin = PoolingModel(**kwargs, record_every=record_every, rng=seed)
    still = tuple(
        dataclasses.replace(
            p, co_presence=None, collaboration=None, common_work=None, meetings=False
        )
        for p in twin.setting.schedule
    )
    twin.setting = dataclasses.replace(twin.setting, schedule=still)
    twin.phase = twin.setting.phase_at(0)
    twin.levels = twin._levels(twin.phase, week=0)[:3]
    twin._measures = None
    return twin


class NullTwins:
    """``n`` null twins of a run, stepped together to the run's week.

    Args:
        params: the run's model parameters.
        seed: the run's seed (twin 0 gets it; the others are derived from it).
        n: number of twins (see :data:`simulation.measures.thresholds.N_TWINS`).
    """

    def __init__(self, params: Mapping[str, Any], seed: Any, n: int = thresholds.N_TWINS):
        self.models = [make_twin(params, s) for s in twin_seeds(seed, n)]

    @property
    def week(self) -> int:
        """The twins' current week."""
        return self.models[0].steps

    def advance_to(self, week: int) -> None:
        """Step every twin up to ``week`` (twins never go back: rebuild them to restart)."""
        for model in self.models:
            while model.steps < week:
                model.step()

    def reference(self) -> NullReference:
        """The twins' judged quantities at their current week (twin 0 is the paired one)."""
        return NullReference.from_measures([m.measures() for m in self.models], paired=True)


def null_reference(
    params: Mapping[str, Any], seed: Any, weeks: int, n: int = thresholds.N_TWINS
) -> NullReference:
    """The null reference of a run at week ``weeks`` (its ``n`` twins run that far)."""
    twins = NullTwins(params, seed, n)
    twins.advance_to(weeks)
    return twins.reference()


def judge_run(
    params: Mapping[str, Any], seed: Any, weeks: int, n_twins: int = thresholds.N_TWINS
) -> tuple[dict[str, Any], Verdict]:
    """Run a model ``weeks`` weeks and judge its end state against its twins.

    Args:
        params: model parameters (without ``rng``).
        seed: the run's seed (an int or a SeedSequence).
        weeks: weeks to run.
        n_twins: number of twins.

    Returns:
        ``(measures, verdict)`` at the last week.
    """
    kwargs = {k: v for k, v in params.items() if k not in ("rng", "record_every")}
    model = PoolingModel(**kwargs, record_every=_QUIET, rng=seed)
    for _ in range(weeks):
        model.step()
    measures = dict(model.measures())
    return measures, judge(measures, null_reference(params, seed, weeks, n_twins))
