"""Paper figures: pure functions from result tables (or model snapshots) to matplotlib Figures.

Every function takes plain data (the tidy or summary table of a sweep, a table of sensitivity
indices, or :class:`experiments.snapshot.Snapshot` objects), returns a
:class:`matplotlib.figure.Figure` in the style of :mod:`experiments.style`, and reads or writes
no file: the caller saves it (:func:`experiments.style.save_figure`). Uncertainty is always
drawn: 95 % confidence bands of the mean across replicates (Student's t), bootstrap intervals
of sensitivity indices, and the share of runs in each regime rather than a single label.

One module per family of figures:

- :mod:`~experiments.figures.regimes`: the regime map; public access and diversity.
- :mod:`~experiments.figures.trajectories`: measures over time; the sectors' drift.
- :mod:`~experiments.figures.state`: the co-location network and the practice space.
- :mod:`~experiments.figures.helpline`: the helpline's time course.
- :mod:`~experiments.figures.sensitivity`: Sobol indices and Morris screening.

Shared pieces: :mod:`~experiments.figures.tables` (finished runs, levels, means with intervals)
and :mod:`~experiments.figures.common` (labels, legend handles, lines with bands). A new figure
is a function in its family's module (or a new module), listed in :data:`FIGURES`, and one
entry of :data:`experiments.figure_jobs.FIGURE_JOBS` saying which sweeps support it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from experiments.figures.helpline import helpline_time_course
from experiments.figures.regimes import access_diversity, regime_map
from experiments.figures.sensitivity import (
    SENSITIVITY_OUTCOMES,
    SOBOL_COLOURS,
    sensitivity_indices,
)
from experiments.figures.state import network_before_after, practice_projection, practice_space
from experiments.figures.tables import finished, mean_ci, nearest_level, regime_shares, select
from experiments.figures.trajectories import (
    POOLING_REFERENCE,
    TRAJECTORY_MEASURES,
    sanitarisation,
    trajectories,
)

FIGURES: Mapping[str, Callable[..., object]] = {
    "regime_map": regime_map,
    "trajectories": trajectories,
    "access_diversity": access_diversity,
    "network_before_after": network_before_after,
    "practice_space": practice_space,
    "helpline_time_course": helpline_time_course,
    "sanitarisation": sanitarisation,
    "sensitivity_indices": sensitivity_indices,
}
"""Every figure function by name."""

__all__ = [
    "FIGURES",
    "POOLING_REFERENCE",
    "SENSITIVITY_OUTCOMES",
    "SOBOL_COLOURS",
    "TRAJECTORY_MEASURES",
    "access_diversity",
    "finished",
    "helpline_time_course",
    "mean_ci",
    "nearest_level",
    "network_before_after",
    "practice_projection",
    "practice_space",
    "regime_map",
    "regime_shares",
    "sanitarisation",
    "select",
    "sensitivity_indices",
    "trajectories",
]
