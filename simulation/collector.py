"""What the DataCollector records each week: the measures, the week's counts and levels.

:data:`MODEL_REPORTERS` names the columns (the measures of :mod:`simulation.measures`, the
activity :data:`COUNTERS` the rules count, the tools' strength, the ties, the pooling levels
and the phase); :class:`MeasureCollector` records a model's ``measures()`` under them.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from simulation.measures import MEASURE_KEYS, Recorder

if TYPE_CHECKING:
    from simulation.scenarios import Phase
    from simulation.world import World


class MeasureCollector(mesa.DataCollector):
    """Mesa's DataCollector, recording the model's measures without copying them.

    Mesa deep-copies what each reporter returns; the measures are numbers and strings, which
    need no copy, and copying them cost as much as computing them. Each recorded week appends
    ``model.measures()`` to ``model_vars`` directly; agent reporters go through Mesa as before.
    """

    def collect(self, model: Any) -> None:
        """Record the model's measures (and the agents', if asked) for the current week.

        A model with ``measure_row()`` (every column of :data:`MODEL_REPORTERS`, in order)
        has it appended column by column, without building the dictionary of ``measures()``.
        """
        if hasattr(self, "_collection_steps"):
            self._collection_steps.append(model.time)
        columns = self._in_order()
        if columns is not None and hasattr(model, "measure_row"):
            row = model.measure_row()
            if len(row) != len(columns):
                raise ValueError(f"{len(row)} values for {len(columns)} columns")
            deque(map(list.append, columns, row), maxlen=0)  # append each, in one call
        else:
            measures = model.measures()
            for name, column in self.model_vars.items():
                column.append(measures[name])
        if self.agent_reporters or self.agenttype_reporters:
            reporters, self.model_reporters = self.model_reporters, {}
            try:
                super().collect(model)
            finally:
                self.model_reporters = reporters

    def _in_order(self) -> list[list[Any]] | None:
        """The columns, when they are :data:`MODEL_REPORTERS` in order (else None)."""
        if getattr(self, "_columns", None) is None:
            same = tuple(self.model_vars) == MODEL_REPORTERS
            self._columns = list(self.model_vars.values()) if same else []
        return self._columns or None


def model_reporters() -> dict[str, Any]:
    """One reporter per column of :data:`MODEL_REPORTERS`, reading ``model.measures()``."""
    return {name: _reporter(name) for name in MODEL_REPORTERS}


def _reporter(name: str) -> Any:
    def report(model: Any) -> Any:
        return model.measures()[name]

    report.__name__ = name
    return report


COUNTERS: tuple[str, ...] = (
    "encounters",
    "visits",
    "adaptations",
    "shared_cases",
    "socialised",
    "called",
    "exits",
    "hires",
)
"""Activity of the week, counted by the rules (``called``: workers called to common work)."""

MODEL_REPORTERS: tuple[str, ...] = (
    *MEASURE_KEYS,
    *COUNTERS,
    "tool_strength",
    "intervision_attendance_rate",
    "n_ties",
    "co_presence_level",
    "collaboration_level",
    "common_work_level",
    "phase",
)
"""Columns the DataCollector records every step."""


def week_row(
    recorder: Recorder,
    w: World,
    counts: dict[str, int],
    levels: tuple[float, float, float],
    phase: Phase,
) -> list[Any]:
    """Every column of :data:`MODEL_REPORTERS`, in order, for the state ``w`` this week.

    The measures of :mod:`simulation.measures` (through the model's ``recorder``), the
    week's ``counts``, the tools' strength, the peer meeting's attendance, the number of ties,
    the pooling ``levels`` in force and the ``phase``'s name.
    """
    ties = w.tie_ids
    row: list[Any] = recorder.values(
        w.practices,
        w.membership,
        edges=w.tie_ends,
        strength=w.tie_strength,
        cultures=w.cultures,
        initial_cultures=w.initial_cultures,
        worker_site=w.worker_site,
    ).tolist()
    row += map(counts.__getitem__, COUNTERS)
    tools = w.tool_strength
    row.append(float(np.add.reduce(tools, axis=None) / tools.size))  # as tools.mean()
    row.append(attendance_rate(counts, levels, phase))
    row.append(int(ties.size))
    row += levels
    row.append(phase.name)
    return row


class WeekMeasures:
    """A model's columns of :data:`MODEL_REPORTERS`, computed once a week (:func:`week_row`).

    Args:
        recorder: the model's :class:`~simulation.measures.Recorder`.
    """

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self._week: int | None = None
        self._row: list[Any] = []
        self._named: dict[str, Any] | None = None

    def row(self, week: int, *state: Any) -> list[Any]:
        """The columns in order for ``state`` (``w, counts, levels, phase``) at ``week``."""
        if week != self._week:
            self._row = week_row(self.recorder, *state)
            self._named = None
            self._week = week
        return self._row

    def named(self, week: int, *state: Any) -> dict[str, Any]:
        """:meth:`row` under the names of :data:`MODEL_REPORTERS`."""
        row = self.row(week, *state)
        if self._named is None:
            self._named = dict(zip(MODEL_REPORTERS, row, strict=True))
        return self._named


def attendance_rate(
    counts: dict[str, int], levels: tuple[float, float, float], phase: Phase
) -> float:
    """The share of the workers called to this week's peer meeting who came (NaN without one).

    A meeting is common work in a phase of peer meetings (the helpline's intervisions, SF7:
    "ces réunions ne sont pas toujours fréquentées"); in other weeks and phases there is no
    attendance to read, and the column is empty rather than 1.
    """
    if not phase.meetings or levels[2] <= 0 or counts["called"] == 0:
        return float("nan")
    return counts["socialised"] / counts["called"]


def world_recorder(w: World, need_site: np.ndarray, tolerance: float) -> Recorder:
    """The measures' recorder of a world: its static arrays, beneficiaries and reference.

    Args:
        w: the world, its beneficiaries drawn (``need``).
        need_site: the site of each beneficiary's association.
        tolerance: the largest gap at which a practice fits a need (``access_tolerance``).
    """
    return Recorder(
        w.practices,
        w.membership,
        w.assoc_site,
        w.sector,
        need=w.need,
        need_site=need_site,
        tolerance=tolerance,
        initial_centroids=w.initial_centroids,
        health_facets=w.sector_facet > 0,
    )
