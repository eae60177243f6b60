"""Regime figures: the regime map, and public access and diversity with the hybrid band."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from experiments import style
from experiments.figures.common import band, fmt, legend_top, line, patch
from experiments.figures.tables import finished, mean_ci, regime_shares, select
from experiments.style import (
    REGIME_COLOURS,
    REGIMES,
    label,
    short_label,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def regime_map(
    summary: pd.DataFrame,
    x: str = "pooling_intensity",
    y: str = "identity_strength",
    *,
    col: str | None = None,
    width: float | None = None,
) -> Figure:
    """Which end state each parameter combination reaches: the regime map.

    Each cell of the ``x`` by ``y`` grid is a stacked column: the shares of the cell's runs
    ending in persistence, hybridisation, isomorphism and fragmentation, bottom to top, so a
    cell shows its whole distribution (and how sure it is) rather than one label.

    Args:
        summary: the sweep's summary table (one row per run, with ``regime``).
        x: factor on the horizontal axis.
        y: factor on the vertical axis.
        col: optional third factor, one panel per level (e.g. ``sector_mix``).
        width: figure width in inches (default: one column, or two with panels).

    Returns:
        The figure; each panel holds one bar container per regime.
    """
    ok = finished(summary)
    cols = [None] if col is None else sorted(ok[col].unique())
    xs, ys = np.sort(ok[x].unique()), np.sort(ok[y].unique())
    width = width or (style.SINGLE_COLUMN if len(cols) == 1 else style.DOUBLE_COLUMN)
    legend_rows = 1 if width > 4 else 2
    cell = (width - 0.55 - 0.12 * (len(cols) - 1)) / (len(cols) * max(len(xs), 1))
    height = cell * len(ys) + 0.45 + 0.17 * legend_rows + (0.2 if col else 0.0)
    with style.style():
        fig = style.new_figure(width, height)
        axes = fig.subplots(1, len(cols), sharey=True, squeeze=False)[0]
        for ax, level in zip(axes, cols, strict=True):
            part = ok if level is None else ok[np.isclose(ok[col], level)]
            _regime_cells(ax, regime_shares(part, [x, y]), x, y, xs, ys)
            ax.set_xlabel(label(x))
            if level is not None:
                ax.set_title(f"{short_label(col)} = {fmt(level)}")
        axes[0].set_ylabel(label(y))
        handles = [patch(REGIME_COLOURS[r], r) for r in REGIMES]
        legend_top(fig, handles, ncols=4 if legend_rows == 1 else 2)
    return fig


def _regime_cells(
    ax: Axes, shares: pd.DataFrame, x: str, y: str, xs: np.ndarray, ys: np.ndarray
) -> None:
    ix = np.searchsorted(xs, shares[x].to_numpy())
    iy = np.searchsorted(ys, shares[y].to_numpy())
    size = 0.9
    bottom = iy - size / 2
    for regime in REGIMES:
        height = size * shares[regime].to_numpy()
        ax.bar(
            ix,
            height,
            bottom=bottom,
            width=size,
            color=REGIME_COLOURS[regime],
            linewidth=0,
            label=regime,
        )
        bottom = bottom + height
    ax.set_xlim(-0.6, len(xs) - 0.4)
    ax.set_ylim(-0.6, len(ys) - 0.4)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks(range(len(xs)), [fmt(v) for v in xs])
    ax.set_yticks(range(len(ys)), [fmt(v) for v in ys])
    if len(xs) > 7:
        for k, tick in enumerate(ax.get_xticklabels()):
            tick.set_visible(k % 2 == 0)
    if len(ys) > 7:
        for k, tick in enumerate(ax.get_yticklabels()):
            tick.set_visible(k % 2 == 0)
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)


def access_diversity(
    summary: pd.DataFrame,
    x: str = "pooling_intensity",
    *,
    measures: Sequence[str] = ("public_access", "mean_pairwise_distance"),
    fixed: Mapping[str, float] | None = None,
    hybrid_majority: float = 0.5,
    confidence: float = 0.95,
) -> Figure:
    """Public access and practice diversity against pooling intensity, the hybrid band shaded.

    The band covers the pooling intensities at which at least ``hybrid_majority`` of the runs
    end in hybridisation (it spans half-way to the neighbouring levels).

    Args:
        summary: the sweep's summary table.
        x: the factor on the horizontal axis.
        measures: columns drawn, one panel each, sharing the horizontal axis.
        fixed: other factors held at the level nearest a target.
        hybrid_majority: share of hybridisation runs that puts a level in the band.
        confidence: level of the error bands.

    Returns:
        The figure; each panel holds one line with its band (and the shaded hybrid band).
    """
    ok = select(finished(summary), fixed)
    shares = regime_shares(ok, [x]).sort_values(x)
    xs = shares[x].to_numpy(dtype=float)
    inside = shares["hybridisation"].to_numpy() >= hybrid_majority
    st = {"color": "#222222", "linestyle": "-", "marker": "o", "markersize": 3}
    with style.style():
        fig = style.new_figure(style.SINGLE_COLUMN, 0.42 * style.SINGLE_COLUMN * len(measures))
        axes = fig.subplots(len(measures), 1, sharex=True, squeeze=False)[:, 0]
        for ax, measure in zip(axes, measures, strict=True):
            _shade_spans(ax, xs, inside, REGIME_COLOURS["hybridisation"])
            band(ax, mean_ci(ok, [x], measure, confidence), x, st)
            ax.set_ylabel(label(measure))
        axes[-1].set_xlabel(label(x))
        if xs.size:
            pad = 0.04 * (xs.max() - xs.min() or 1.0)
            axes[-1].set_xlim(xs.min() - pad, xs.max() + pad)
        handles = [
            line(st, "mean, 95 % band"),
            patch(REGIME_COLOURS["hybridisation"], "hybridisation in most runs", alpha=0.35),
        ]
        legend_top(fig, handles)
    return fig


def _shade_spans(ax: Axes, xs: np.ndarray, inside: np.ndarray, colour: str) -> None:
    """Shade the runs of consecutive levels flagged ``inside``, half-way to their neighbours."""
    if xs.size == 0:
        return
    mids = (xs[1:] + xs[:-1]) / 2
    lows = np.concatenate([[xs[0] - (mids[0] - xs[0] if mids.size else 0.05)], mids])
    highs = np.concatenate([mids, [xs[-1] + (xs[-1] - mids[-1] if mids.size else 0.05)]])
    k = 0
    while k < xs.size:
        if not inside[k]:
            k += 1
            continue
        start = k
        while k + 1 < xs.size and inside[k + 1]:
            k += 1
        ax.axvspan(lows[start], highs[k], color=colour, alpha=0.35, linewidth=0, zorder=0)
        k += 1
