"""Global sensitivity of end-state outcomes: Sobol indices and Morris screening."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from experiments import style
from experiments.figures.common import legend_top, patch
from experiments.style import (
    NEUTRAL,
    short_label,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


SENSITIVITY_OUTCOMES: tuple[str, ...] = (
    "centroid_gap_ratio",
    "crossing",
    "public_access",
)
"""Outcomes whose indices :func:`sensitivity_indices` draws by default."""


def sensitivity_indices(
    sobol: pd.DataFrame | None = None,
    morris: pd.DataFrame | None = None,
    outcomes: Sequence[str] | None = None,
) -> Figure:
    """Global sensitivity of end-state outcomes: Sobol indices and Morris screening.

    One column per outcome; a row of Sobol first-order (S1) and total-order (ST) indices
    with their bootstrap confidence intervals, and a row of Morris mu* (with its interval)
    and sigma, in the outcome's units. Parameters are listed in the same order in every
    panel (by total-order index, or by mu*, of the first outcome).

    Args:
        sobol: indices from :func:`experiments.analyse_sensitivity` with method ``sobol``
            (columns ``outcome, parameter, S1, S1_conf, ST, ST_conf``), or None.
        morris: indices with method ``morris`` (``outcome, parameter, mu_star,
            mu_star_conf, sigma``), or None.
        outcomes: outcomes to draw (default: those of :data:`SENSITIVITY_OUTCOMES` present).

    Returns:
        The figure; each Sobol panel holds two bar containers (S1, ST), each Morris panel two
        series (mu*, sigma).
    """
    tables = [t for t in (sobol, morris) if t is not None]
    if not tables:
        raise ValueError("sensitivity_indices needs a sobol or a morris table; both are None")
    present = list(dict.fromkeys(tables[0]["outcome"]))
    if outcomes is None:
        outcomes = [o for o in SENSITIVITY_OUTCOMES if o in present] or present[:3]
    order = _parameter_order(sobol, morris, outcomes[0])
    rows = [(name, t) for name, t in (("sobol", sobol), ("morris", morris)) if t is not None]
    width = style.DOUBLE_COLUMN if len(outcomes) > 1 else style.SINGLE_COLUMN
    panel_h = 0.16 * len(order) + 0.55
    with style.style():
        fig = style.new_figure(width, panel_h * len(rows) + 0.35)
        axes = fig.subplots(len(rows), len(outcomes), sharey=True, squeeze=False)
        for r, (kind, table) in enumerate(rows):
            for c, outcome in enumerate(outcomes):
                ax = axes[r, c]
                part = table[table["outcome"] == outcome].set_index("parameter").reindex(order)
                if kind == "sobol":
                    sobol_panel(ax, part)
                else:
                    _morris_panel(ax, part)
                if r == 0:
                    ax.set_title(short_label(outcome))
            axes[r, 0].set_yticks(range(len(order)), [short_label(p) for p in order])
        handles = []
        if sobol is not None:
            handles += [
                patch(SOBOL_COLOURS["S1"], "first order S1"),
                patch(SOBOL_COLOURS["ST"], "total order ST"),
            ]
        if morris is not None:
            from matplotlib.lines import Line2D

            handles += [
                Line2D([], [], ls="", marker="o", color="#222222", ms=4, label="Morris mu*"),
                Line2D(
                    [],
                    [],
                    ls="",
                    marker="D",
                    mfc="none",
                    mec="#222222",
                    ms=4,
                    label="Morris sigma",
                ),
            ]
        legend_top(fig, handles, title="whiskers: 95 % bootstrap confidence intervals")
    return fig


SOBOL_COLOURS: Mapping[str, str] = {"S1": "#4477AA", "ST": "#BBCCEE"}
"""First- and total-order Sobol bars."""


def _parameter_order(
    sobol: pd.DataFrame | None, morris: pd.DataFrame | None, outcome: str
) -> list[str]:
    table, key = (sobol, "ST") if sobol is not None else (morris, "mu_star")
    part = table[table["outcome"] == outcome]
    ranked = part.sort_values(key, ascending=False, kind="stable")["parameter"].tolist()
    rest = [p for p in dict.fromkeys(table["parameter"]) if p not in ranked]
    return ranked + rest


def sobol_panel(ax: Axes, part: pd.DataFrame) -> None:
    """Bars of S1 and ST (one pair per row of ``part``, top to bottom) with their intervals."""
    y = np.arange(len(part))
    h = 0.38
    for k, index in enumerate(("S1", "ST")):
        ax.barh(
            y + (k - 0.5) * h,
            part[index].to_numpy(dtype=float),
            height=h,
            xerr=part[f"{index}_conf"].to_numpy(dtype=float),
            color=SOBOL_COLOURS[index],
            error_kw={"elinewidth": 0.6, "capsize": 1.2, "ecolor": "black"},
            label=index,
        )
    ax.axvline(0, color=NEUTRAL, linewidth=0.5)
    ax.set_xlabel("Sobol index (share of variance)")
    ax.set_ylim(len(part) - 0.5, -0.5)


def _morris_panel(ax: Axes, part: pd.DataFrame) -> None:
    y = np.arange(len(part))
    ax.errorbar(
        part["mu_star"].to_numpy(dtype=float),
        y - 0.15,
        xerr=part["mu_star_conf"].to_numpy(dtype=float),
        fmt="o",
        color="#222222",
        ms=3.5,
        elinewidth=0.6,
        capsize=1.2,
        label="mu*",
    )
    ax.plot(
        part["sigma"].to_numpy(dtype=float),
        y + 0.15,
        ls="",
        marker="D",
        mfc="none",
        mec="#222222",
        ms=3.5,
        label="sigma",
    )
    ax.axvline(0, color=NEUTRAL, linewidth=0.5)
    ax.set_xlim(left=0)
    ax.set_xlabel("Morris elementary effect\n(change in outcome)")
    ax.set_ylim(len(part) - 0.5, -0.5)
