"""The helpline over time: lockdown room, decentralisation and peer meetings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from experiments import style
from experiments.figures.common import band, fmt, legend_top, line, patch
from experiments.figures.tables import finished, mean_ci, nearest_level, select
from experiments.style import (
    NEUTRAL,
    label,
    level_styles,
    short_label,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def helpline_time_course(
    tidy: pd.DataFrame,
    measure: str = "centroid_distance_ratio",
    *,
    by: str = "intervision_every",
    panels: str | None = "intervision_attendance",
    panel_levels: Sequence[float] | None = (0.3, 1.0),
    fixed: Mapping[str, float] | None = None,
    confidence: float = 0.95,
) -> Figure:
    """The helpline over time: lockdown room, decentralisation, and peer meetings.

    The centralised phase is shaded and the dashed line marks decentralisation; one line
    (mean and 95 % band across replicates) per meeting frequency. A strip under each panel
    marks the weeks of the meetings (intervisions) of each frequency.

    Args:
        tidy: tidy table of a helpline sweep.
        measure: the measure drawn (default: distance between services, share of week 0).
        by: factor compared within a panel (one line per level).
        panels: factor with one panel per level (None: one panel).
        panel_levels: levels of ``panels`` to draw (the nearest present ones; None: all):
            by default poorly attended meetings, as observed, and full attendance.
        fixed: other factors held at the level nearest a target; ``decentralise_at`` must end
            up with a single level (default: the one nearest week 26).
        confidence: level of the bands.

    Returns:
        The figure; the top row holds one panel per level of ``panels`` with one line per
        level of ``by``; the bottom row the meeting strips.
    """
    fixed = {"decentralise_at": 26, **(fixed or {})}
    ok = select(finished(tidy), fixed)
    decentralise = int(ok["decentralise_at"].iloc[0])
    chosen = sorted(float(v) for v in ok[by].unique())
    styles = level_styles(len(chosen))
    if panels is None:
        levels: list[Any] = [None]
    elif panel_levels is None:
        levels = sorted(ok[panels].unique())
    else:
        levels = sorted({nearest_level(ok[panels], t) for t in panel_levels})
    meetings = [(v, st) for v, st in zip(chosen, styles, strict=True) if v > 0]
    strip = by == "intervision_every" and bool(meetings)
    width = style.SINGLE_COLUMN if len(levels) == 1 else style.DOUBLE_COLUMN
    last = int(ok["step"].max())
    main_h = 0.62 * width / len(levels) * (1.5 if len(levels) > 1 else 1.0)
    strip_h = 0.09 * len(meetings) + 0.05 if strip else 0.0
    with style.style():
        fig = style.new_figure(width, main_h + strip_h + 0.75)
        grid = fig.subplots(
            2 if strip else 1,
            len(levels),
            sharex=True,
            sharey="row",
            squeeze=False,
            gridspec_kw={"height_ratios": [main_h, strip_h] if strip else [1]},
        )
        for k, level in enumerate(levels):
            ax = grid[0, k]
            part = ok if level is None else ok[np.isclose(ok[panels], level)]
            ax.axvspan(0, decentralise, color="#E8E8E8", linewidth=0, zorder=0)
            ax.axvline(decentralise, color=NEUTRAL, linestyle="--", linewidth=0.8)
            for value, st in zip(chosen, styles, strict=True):
                rows = part[np.isclose(part[by], value)]
                band(ax, mean_ci(rows, ["step"], measure, confidence), "step", st)
            ax.set_xlim(0, last)
            if level is not None:
                ax.set_title(f"{short_label(panels)} {_fmt_level(panels, level)}")
            if strip:
                _meeting_strip(grid[1, k], meetings, decentralise, last, first=k == 0)
            grid[-1, k].set_xlabel(label("step"))
        grid[0, 0].set_ylabel(label(measure))
        handles = [patch("#E8E8E8", "lockdown room (centralised)")]
        handles += [
            line(st, _meeting_label(value)) for value, st in zip(chosen, styles, strict=True)
        ]
        legend_top(fig, handles, ncols=3 if width > 4 else 2)
    return fig


def _fmt_level(name: str, value: float) -> str:
    if name.endswith("attendance"):
        return f"{value:.0%}".replace("%", " %")
    return fmt(value)


def _meeting_label(every: float) -> str:
    return "no peer meetings" if every == 0 else f"peer meeting every {fmt(every)} weeks"


def _meeting_strip(
    ax: Axes, meetings: list[tuple[float, dict]], start: int, last: int, *, first: bool
) -> None:
    """One row of ticks per meeting frequency, at the weeks its meetings are held."""
    for row, (every, st) in enumerate(meetings):
        k = int(every)
        weeks = np.arange(start + k, last + 1, k)  # a meeting in week w is recorded at step w
        ax.vlines(weeks, row - 0.35, row + 0.35, color=st["color"], linewidth=0.9)
    ax.set_ylim(len(meetings) - 0.5, -0.5)
    ax.set_yticks(range(len(meetings)), [f"every {fmt(e)} wk" for e, _ in meetings])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    if first:
        ax.set_ylabel("meetings", rotation=0, ha="right", va="center")
