"""Paper figures: pure functions from result tables (or model snapshots) to matplotlib Figures.

Every function takes plain data (the tidy or summary table of a sweep, a table of sensitivity
indices, or :class:`experiments.snapshot.Snapshot` objects), returns a
:class:`matplotlib.figure.Figure` in the style of :mod:`experiments.style`, and reads or writes
no file: the caller saves it (:func:`experiments.style.save_figure`). Uncertainty is always
drawn: 95 % confidence bands of the mean across replicates (Student's t), bootstrap intervals
of sensitivity indices, and the share of runs in each regime rather than a single label.

One module per family of figures:

- :mod:`~experiments.figures.regimes`: the regime map; public access and diversity.
- :mod:`~experiments.figures.classifiers`: the regime under the null-twin rule and under a
  model-free classifier (Gaussian mixtures with BIC), and where they agree.
- :mod:`~experiments.figures.trajectories`: measures over time; the sectors' drift.
- :mod:`~experiments.figures.state`: the co-location network and the practice space.
- :mod:`~experiments.figures.helpline`: the helpline's time course.
- :mod:`~experiments.figures.sensitivity`: Sobol indices and Morris screening.
- :mod:`~experiments.figures.robustness`: regime boundaries, perturbations, Morris and Sobol
  indices on regimes.
- :mod:`~experiments.figures.calibration`: posterior marginals and pairs, the predictive
  check, the open question, and PRIM's peeling trajectory.

Shared pieces: :mod:`~experiments.figures.tables` (finished runs, levels, means with intervals)
and :mod:`~experiments.figures.common` (labels, legend handles, lines with bands). A new figure
is a function in its family's module (or a new module), listed in :data:`FIGURES`, and one
entry of :data:`experiments.figure_jobs.FIGURE_JOBS` saying which sweeps support it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from experiments.figures.calibration import (
    no_box,
    open_question,
    peeling_trajectory,
    posterior_marginals,
    posterior_pairs,
    predictive_check,
)
from experiments.figures.classifiers import two_classifiers
from experiments.figures.helpline import helpline_time_course
from experiments.figures.regimes import access_diversity, regime_map
from experiments.figures.robustness import (
    morris_regimes,
    regime_boundaries,
    robustness_perturbations,
    sobol_regimes,
)
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
    "two_classifiers": two_classifiers,
    "regime_boundaries": regime_boundaries,
    "robustness_perturbations": robustness_perturbations,
    "morris_regimes": morris_regimes,
    "sobol_regimes": sobol_regimes,
    "posterior_marginals": posterior_marginals,
    "posterior_pairs": posterior_pairs,
    "predictive_check": predictive_check,
    "open_question": open_question,
    "peeling_trajectory": peeling_trajectory,
    "no_box": no_box,
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
    "morris_regimes",
    "nearest_level",
    "network_before_after",
    "no_box",
    "open_question",
    "peeling_trajectory",
    "posterior_marginals",
    "posterior_pairs",
    "practice_projection",
    "practice_space",
    "predictive_check",
    "regime_boundaries",
    "regime_map",
    "regime_shares",
    "robustness_perturbations",
    "sanitarisation",
    "select",
    "sensitivity_indices",
    "sobol_regimes",
    "trajectories",
    "two_classifiers",
]
