"""Shared pieces of every figure: value labels, legend handles, lines with bands, the legend."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def pooling_level_name(pooling_intensity: float) -> str:
    """The highest of the article's levels a pooling intensity reaches (for legends)."""
    from simulation.scenarios import pooling_levels

    co_presence, collaboration, common_work = pooling_levels(pooling_intensity)
    if common_work > 0:
        return "common work"
    if collaboration > 0:
        return "collaboration"
    return "co-presence" if co_presence > 0 else "no pooling"


def fmt(value: Any) -> str:
    """A level as printed in titles and ticks: numbers in ``%g``, anything else as text."""
    return f"{value:g}" if isinstance(value, int | float | np.number) else str(value)


def legend_top(fig: Figure, handles: list[Any], ncols: int | None = None, **kw: Any) -> None:
    """The figure's legend, centred above its panels (one row of ``ncols`` entries)."""
    fig.legend(
        handles=handles,
        loc="outside upper center",
        ncols=ncols or len(handles),
        columnspacing=1.2,
        handletextpad=0.5,
        **kw,
    )


def patch(colour: str, name: str, **kw: Any) -> Any:
    """A legend handle for a filled area (a regime, a band) of this colour."""
    from matplotlib.patches import Patch

    return Patch(facecolor=colour, edgecolor="none", label=name, **kw)


def line(st: Mapping[str, Any], name: str) -> Any:
    """A legend handle for a line drawn with the style ``st`` (colour, line style, marker)."""
    from matplotlib.lines import Line2D

    return Line2D([], [], label=name, **st)


def band(ax: Axes, stats: pd.DataFrame, x: str, st: Mapping[str, Any], **kw: Any) -> None:
    """Draw a mean line and its interval band from :func:`~experiments.figures.tables.mean_ci`.

    Args:
        ax: the panel.
        stats: columns ``x``, ``mean``, ``low``, ``high``.
        x: the column on the horizontal axis.
        st: line style (its ``color`` also colours the band).
        **kw: passed to the band (``fill_between``).
    """
    xs = stats[x].to_numpy(dtype=float)
    ax.fill_between(
        xs, stats["low"], stats["high"], color=st["color"], alpha=0.25, linewidth=0, **kw
    )
    ax.plot(xs, stats["mean"], **st)
