"""Measures over time: trajectories by pooling level, and the sectors' drift (sanitarisation)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from experiments import style
from experiments.figures.common import band, fmt, legend_top, line, pooling_level_name
from experiments.figures.tables import finished, mean_ci, nearest_level, select
from experiments.style import (
    NEUTRAL,
    SECTOR_COLOURS,
    label,
    level_styles,
    short_label,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure


POOLING_REFERENCE: tuple[float, ...] = (0.2, 0.5, 1.0)
"""Pooling intensities that stand for the article's three levels: full co-presence, mid
collaboration, full common work (:func:`simulation.scenarios.pooling_levels`)."""


TRAJECTORY_MEASURES: tuple[str, ...] = (
    "centroid_distance_ratio",
    "hybrid_share",
    "mean_pairwise_distance",
    "public_access",
)
"""Measures drawn over time by :func:`trajectories`."""


def trajectories(
    tidy: pd.DataFrame,
    measures: Sequence[str] = TRAJECTORY_MEASURES,
    *,
    by: str = "pooling_intensity",
    levels: Sequence[float] | None = None,
    fixed: Mapping[str, float] | None = None,
    confidence: float = 0.95,
) -> Figure:
    """Measures over time for a few pooling levels: mean and 95 % band across replicates.

    Args:
        tidy: the sweep's tidy table (one row per run and recorded week).
        measures: columns to draw, one panel each (at most four).
        by: the factor whose levels are compared (one line each).
        levels: its levels to draw (the nearest present ones are used); default: the three
            pooling levels of :data:`POOLING_REFERENCE` (or every level, if ``by`` is not
            ``pooling_intensity`` and has at most four).
        fixed: other factors held at the level nearest a target, e.g.
            ``{"identity_strength": 0.5}``.
        confidence: level of the bands (confidence interval of the mean).

    Returns:
        The figure; each panel holds one line (and one band) per level.
    """
    ok = select(finished(tidy), fixed)
    chosen = _levels(ok[by], levels, by)
    styles = level_styles(len(chosen))
    n_panels = len(measures)
    ncols = 2 if n_panels > 1 else 1
    nrows = int(np.ceil(n_panels / ncols))
    width = style.DOUBLE_COLUMN if ncols > 1 else style.SINGLE_COLUMN
    with style.style():
        fig = style.new_figure(width, 0.3 * width * nrows + 0.35)
        axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
        for ax, measure in zip(axes, measures, strict=False):
            for level, st in zip(chosen, styles, strict=True):
                part = ok[np.isclose(ok[by], level)]
                band(ax, mean_ci(part, ["step"], measure, confidence), "step", st)
            ax.set_ylabel(label(measure))
            ax.margins(x=0)
        for ax in axes[n_panels:]:
            ax.set_visible(False)
        for ax in axes[-ncols:]:
            ax.set_xlabel(label("step"))
        handles = [
            line(st, _level_label(by, level)) for level, st in zip(chosen, styles, strict=True)
        ]
        legend_top(fig, handles, title=f"{short_label(by)} (mean, 95 % band across replicates)")
    return fig


def _levels(values: pd.Series, levels: Sequence[float] | None, by: str) -> list[float]:
    present = np.sort(values.unique())
    if levels is None:
        if by == "pooling_intensity":
            levels = POOLING_REFERENCE
        elif len(present) <= 4:
            return [float(v) for v in present]
        else:
            levels = present[np.linspace(0, len(present) - 1, 3).round().astype(int)]
    out: list[float] = []
    for target in levels:
        level = nearest_level(present, float(target))
        if level not in out:
            out.append(level)
    return sorted(out)


def _level_label(by: str, level: float) -> str:
    if by == "pooling_intensity":
        return f"{fmt(level)} ({pooling_level_name(level)})"
    return fmt(level)


def sanitarisation(
    drift: pd.DataFrame, *, by: str = "asymmetry", confidence: float = 0.95
) -> Figure:
    """Drift of the social and health centroids, without and with asymmetric influence.

    The vertical axis runs along the line from the initial social centroid (0) to the initial
    health centroid (1): symmetric influence brings both sides towards the middle; asymmetric
    influence ("sanitarisation du social") moves the social side much further.

    Args:
        drift: one row per run and recorded week with ``by``, ``step``, ``social_drift`` (how
            far the social centroid moved towards health, share of the initial distance) and
            ``health_drift`` (how far the health centroid moved towards social).
        by: the factor with one panel per level.
        confidence: level of the bands.

    Returns:
        The figure; each panel holds two lines (social and health centroids).
    """
    table = drift.assign(health_position=1.0 - drift["health_drift"])
    levels = sorted(table[by].unique())
    sides = (("social", "social_drift"), ("health", "health_position"))
    with style.style():
        fig = style.new_figure(style.SINGLE_COLUMN, 0.62 * style.SINGLE_COLUMN)
        axes = fig.subplots(1, len(levels), sharey=True, squeeze=False)[0]
        for ax, level in zip(axes, levels, strict=True):
            part = table[np.isclose(table[by], level)]
            ax.axhline(0.5, color=NEUTRAL, linewidth=0.5, linestyle=":")
            for sector, column in sides:
                st = {"color": SECTOR_COLOURS[sector], "linestyle": "-"}
                band(ax, mean_ci(part, ["step"], column, confidence), "step", st)
            ax.set_title(f"asymmetry {fmt(level)}" + (" (off)" if level == 0 else ""))
            ax.set_xlabel(label("step"))
            ax.set_ylim(-0.05, 1.05)
            ax.margins(x=0)
        axes[0].set_ylabel("position between initial centroids\n(0 = social, 1 = health)")
        handles = [
            line({"color": SECTOR_COLOURS[s], "linestyle": "-"}, f"{s} workers") for s, _ in sides
        ]
        legend_top(fig, handles, title="mean practice (95 % band across replicates)")
    return fig
