"""Robustness figures: regime boundaries, perturbations, Morris and Sobol indices on regimes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from experiments import style
from experiments.figures.common import legend_top, patch
from experiments.figures.sensitivity import SOBOL_COLOURS, sobol_panel
from experiments.figures.tables import finished
from experiments.style import REGIME_COLOURS, REGIMES, short_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

OTHER = "#777777"
"""Colour of a regime the palette does not know."""


def _colour(regime: str) -> str:
    return REGIME_COLOURS.get(regime, OTHER)


def regime_boundaries(summary: pd.DataFrame, boundaries: pd.DataFrame) -> Figure:
    """Share of runs in each regime along pooling intensity, and where each becomes the majority.

    Args:
        summary: the boundaries sweep's summary (``pooling_intensity``, ``regime`` per run).
        boundaries: :func:`experiments.robustness.boundaries_table` of it.

    Returns:
        The figure: stacked shares, with a vertical line at each regime's first majority and a
        band for its bootstrap interval.
    """
    ok = finished(summary)
    shares = pd.crosstab(ok["pooling_intensity"], ok["regime"], normalize="index").sort_index()
    # stacked bottom to top in the order of REGIMES (as in the regime map), unknown ones last
    order = [r for r in REGIMES if r in shares.columns]
    shares = shares[order + sorted(c for c in shares.columns if c not in order)]
    x = shares.index.to_numpy(dtype=float)
    with style.style():
        fig = style.new_figure(style.SINGLE_COLUMN, 0.75 * style.SINGLE_COLUMN)
        ax = fig.subplots()
        bottom = np.zeros(x.size)
        for regime in shares.columns:
            top = bottom + shares[regime].to_numpy()
            ax.fill_between(x, bottom, top, color=_colour(regime), linewidth=0, step=None)
            bottom = top
        for row in boundaries.itertuples(index=False):
            if np.isfinite(row.first_majority_at) and row.first_majority_at > x[0]:
                ax.axvspan(row.ci_low, row.ci_high, color="black", alpha=0.12, linewidth=0)
                ax.axvline(row.first_majority_at, color="black", linewidth=0.8)
        ax.set_xlim(x[0], x[-1])
        ax.set_ylim(0, 1)
        ax.set_xlabel(style.label("pooling_intensity"))
        ax.set_ylabel("share of runs")
        legend_top(fig, [patch(_colour(r), r) for r in shares.columns])
    return fig


def robustness_perturbations(oat: pd.DataFrame) -> Figure:
    """The regimes the CSSI reaches when one assumption moves to an end of its range.

    Args:
        oat: :func:`experiments.robustness.oat_table` (the default first, then one row per
            perturbation, with a ``share_<regime>`` column per regime).

    Returns:
        The figure: one stacked bar per row (the default on top), the shares of its runs ending
        in each regime; a dot marks the rows whose most common regime differs from the
        default's.
    """
    regimes = [c.removeprefix("share_") for c in oat.columns if c.startswith("share_")]
    pairs = zip(oat["parameter"], oat["value"], strict=True)
    names = ["default" if p == "default" else f"{short_label(p)} = {v}" for p, v in pairs]
    with style.style():
        fig = style.new_figure(style.DOUBLE_COLUMN, 0.6 + 0.13 * len(oat))
        ax = fig.subplots()
        y = np.arange(len(oat))
        left = np.zeros(len(oat))
        for regime in regimes:
            width = oat[f"share_{regime}"].to_numpy()
            ax.barh(y, width, left=left, color=_colour(regime), height=0.8)
            left += width
        moved = ~oat["survives"].to_numpy(dtype=bool)
        ax.plot(
            np.full(moved.sum(), 1.02), y[moved], "o", color="black", markersize=3, clip_on=False
        )
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("share of runs (dot: the most common regime is not the default's)")
        legend_top(fig, [patch(_colour(r), r) for r in regimes])
    return fig


def morris_regimes(effects: pd.DataFrame, top: int = 10) -> Figure:
    """Morris mu* of the assumptions on the probability of each regime (largest ``top``).

    Args:
        effects: :func:`experiments.robustness.morris_table`.
        top: parameters shown per regime.

    Returns:
        The figure: one panel per regime, horizontal bars of mu* with sigma as a tick.
    """
    regimes = sorted(effects["regime"].unique())
    with style.style():
        fig = style.new_figure(style.DOUBLE_COLUMN, 0.5 + 0.16 * top)
        axes = fig.subplots(1, max(len(regimes), 1), squeeze=False)[0]
        for ax, regime in zip(axes, regimes, strict=False):
            part = effects[effects["regime"] == regime].nlargest(top, "mu_star")
            y = np.arange(len(part))
            ax.barh(y, part["mu_star"], color=_colour(regime))
            ax.plot(part["sigma"], y, "|", color="black", markersize=6)
            ax.set_yticks(y, [short_label(p) for p in part["parameter"]])
            ax.invert_yaxis()
            ax.set_title(regime)
            ax.set_xlabel("mu* (| sigma)")
    return fig


def sobol_regimes(indices: pd.DataFrame, top: int = 14) -> Figure:
    """Sobol first-order and total indices of the assumptions on each regime's probability.

    Args:
        indices: :func:`experiments.sobol_regimes.sobol_regimes_table` (``regime``,
            ``parameter``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf``, ``probability``).
        top: parameters shown, those with the largest total index on any regime.

    Returns:
        The figure: one panel per regime reached, the same parameters in the same order in
        each, S1 and ST bars with their 95 % bootstrap intervals as whiskers, a dashed line
        at the share of the variance that is seed noise (when the table has it), the regime's
        share of all runs in the panel's title.
    """
    order = [r for r in REGIMES if r in set(indices["regime"])]
    regimes = order + sorted(set(indices["regime"]) - set(order))
    largest = indices.groupby("parameter", sort=False)["ST"].max()
    shown = largest.sort_values(ascending=False, na_position="last", kind="stable").index[:top]
    with style.style():
        fig = style.new_figure(style.DOUBLE_COLUMN, 0.9 + 0.17 * len(shown))
        axes = fig.subplots(1, max(len(regimes), 1), sharex=True, sharey=True, squeeze=False)[0]
        for ax, regime in zip(axes, regimes, strict=False):
            part = indices[indices["regime"] == regime].set_index("parameter").reindex(shown)
            sobol_panel(ax, part)
            noise = part.get("seed_noise_share", pd.Series(dtype=float)).dropna()
            if len(noise):  # the seeds' share of the variance, which every ST includes
                ax.axvline(float(noise.iloc[0]), color="black", linestyle="--", linewidth=0.7)
            share = float(part["probability"].dropna().iloc[0]) if len(part) else float("nan")
            ax.set_title(f"{regime}\n({share:.0%} of runs)", color=_colour(regime))
            ax.set_xlabel("Sobol index")
        axes[0].set_yticks(range(len(shown)), [short_label(p) for p in shown])
        legend_top(
            fig,
            [patch(SOBOL_COLOURS["S1"], "first order S1"), patch(SOBOL_COLOURS["ST"], "total ST")],
            title="whiskers: 95 % bootstrap confidence intervals; dashed: seed noise",
        )
    return fig
