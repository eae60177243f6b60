"""Figures of calibration and scenario discovery: pure functions from tables to Figures.

- :func:`posterior_marginals`: each calibrated parameter's posterior over its prior range.
- :func:`posterior_pairs`: the particles two parameters at a time (which trade off).
- :func:`predictive_check`: how often each pattern holds in runs drawn from the posterior.
- :func:`open_question`: probability of each regime under full common work, with intervals.
- :func:`peeling_trajectory`: PRIM's coverage-density trade-off and the box reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from experiments import style

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from experiments.discover import Discovery

_NOT_PARAMETERS = ("weight", "generation", "epsilon")
_POSTERIOR_COLOUR = "#332288"
_PRIOR_COLOUR = "#BBBBBB"


def _parameters(posterior: pd.DataFrame) -> list[str]:
    return [c for c in posterior.columns if c not in _NOT_PARAMETERS]


def posterior_marginals(
    posterior: pd.DataFrame, priors: Mapping[str, tuple[float, float]], bins: int = 20
) -> Figure:
    """Weighted histogram of each parameter's posterior over its whole prior range.

    A parameter the patterns pin down has a narrow peak; one they leave free stays as flat as
    its uniform prior (the grey line).
    """
    names = _parameters(posterior)
    ncols = 4 if len(names) > 4 else max(len(names), 1)
    nrows = -(-len(names) // ncols)
    w = posterior["weight"].to_numpy(float)
    with style.style():
        fig = style.new_figure(style.DOUBLE_COLUMN, 1.35 * nrows + 0.3)
        axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
        for ax, name in zip(axes, names, strict=False):
            lo, hi = priors[name]
            edges = np.linspace(lo, hi, bins + 1)
            ax.hist(posterior[name], bins=edges, weights=w, density=True, color=_POSTERIOR_COLOUR)
            ax.axhline(1 / (hi - lo), color=_PRIOR_COLOUR, linewidth=1.2, label="prior")
            ax.set_xlim(lo, hi)
            ax.set_xlabel(style.short_label(name))
            ax.set_yticks([])
        for ax in axes[len(names) :]:
            ax.set_visible(False)
        axes[0].set_ylabel("posterior density")
    return fig


PAIRS_MAX = 6
"""Parameters drawn in the pairs figure: the most constrained ones (a readable grid)."""


def most_constrained(
    posterior: pd.DataFrame, priors: Mapping[str, tuple[float, float]], n: int = PAIRS_MAX
) -> list[str]:
    """The ``n`` parameters whose weighted posterior sd is smallest relative to the prior's."""
    w = posterior["weight"].to_numpy(float)

    def spread(name: str) -> float:
        v = posterior[name].to_numpy(float)
        mean = np.average(v, weights=w)
        lo, hi = priors[name]
        return float(np.sqrt(np.average((v - mean) ** 2, weights=w)) / (hi - lo))

    return sorted(_parameters(posterior), key=spread)[:n]


def posterior_pairs(
    posterior: pd.DataFrame,
    priors: Mapping[str, tuple[float, float]],
    names: Sequence[str] | None = None,
) -> Figure:
    """The particles two parameters at a time, dot area by weight, over the prior box.

    A diagonal band means the patterns fix a combination of the two, not each alone. By
    default the :data:`PAIRS_MAX` most constrained parameters are drawn (the marginals figure
    shows every one).
    """
    names = list(names or most_constrained(posterior, priors))
    k = len(names)
    w = posterior["weight"].to_numpy(float)
    size = 2 + 30 * w / w.max()
    with style.style():
        from matplotlib.figure import Figure

        # a fixed grid: constrained layout over k x k panels costs seconds and gains little
        fig = Figure(figsize=(style.DOUBLE_COLUMN, style.DOUBLE_COLUMN))
        fig.subplots_adjust(left=0.09, right=0.98, bottom=0.08, top=0.98, wspace=0.1, hspace=0.1)
        axes = fig.subplots(k, k, squeeze=False)
        for i, yname in enumerate(names):
            for j, xname in enumerate(names):
                ax = axes[i][j]
                if j >= i:
                    ax.set_visible(j == i)
                    if j == i:
                        lo, hi = priors[xname]
                        ax.hist(
                            posterior[xname],
                            bins=15,
                            range=(lo, hi),
                            weights=w,
                            color=_POSTERIOR_COLOUR,
                        )
                        ax.set_xlim(lo, hi)
                        ax.set_yticks([])
                else:
                    ax.scatter(
                        posterior[xname],
                        posterior[yname],
                        s=size,
                        alpha=0.5,
                        color=_POSTERIOR_COLOUR,
                        linewidths=0,
                    )
                    ax.set_xlim(*priors[xname])
                    ax.set_ylim(*priors[yname])
                ax.locator_params(nbins=3)
                if i == k - 1:
                    ax.set_xlabel(style.short_label(xname), fontsize="small")
                else:
                    ax.set_xticklabels([])
                if j == 0 and i > 0:
                    ax.set_ylabel(style.short_label(yname), fontsize="small")
                elif j != i:
                    ax.set_yticklabels([])
    return fig


def predictive_check(rates: pd.DataFrame) -> Figure:
    """Share of posterior runs in which each pattern holds, with its credible interval.

    Args:
        rates: :func:`experiments.posterior.hold_rates` (``pattern``, ``rate``, ``low``,
            ``high``, ``runs``).
    """
    y = np.arange(len(rates))
    with style.style():
        fig = style.new_figure(style.SINGLE_COLUMN, 0.45 * len(rates) + 0.8)
        ax = fig.subplots()
        ax.barh(y, rates["rate"], color=_POSTERIOR_COLOUR, height=0.6)
        err = np.vstack([rates["rate"] - rates["low"], rates["high"] - rates["rate"]])
        ax.errorbar(rates["rate"], y, xerr=err, fmt="none", ecolor="black", capsize=2)
        ax.set_yticks(y, [p.replace("_", " ") for p in rates["pattern"]])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        n = int(rates["runs"].max()) if len(rates) else 0
        ax.set_xlabel(f"holds in this share of {n} runs")
    return fig


def open_question(probabilities: pd.DataFrame) -> Figure:
    """Probability of each end regime when the calibrated CSSI goes to full common work.

    Args:
        probabilities: :func:`experiments.posterior.regime_probabilities` (``regime``,
            ``probability``, ``low``, ``high``, ``of``).
    """
    x = np.arange(len(probabilities))
    colours = [style.REGIME_COLOURS.get(r, "#777777") for r in probabilities["regime"]]
    with style.style():
        fig = style.new_figure(style.SINGLE_COLUMN, 0.7 * style.SINGLE_COLUMN)
        ax = fig.subplots()
        ax.bar(x, probabilities["probability"], color=colours, width=0.65)
        err = np.vstack(
            [
                probabilities["probability"] - probabilities["low"],
                probabilities["high"] - probabilities["probability"],
            ]
        )
        ax.errorbar(
            x, probabilities["probability"], yerr=err, fmt="none", ecolor="black", capsize=3
        )
        ax.set_xticks(x, probabilities["regime"], rotation=20)
        ax.set_ylim(0, 1)
        n = int(probabilities["of"].max()) if len(probabilities) else 0
        ax.set_ylabel(f"probability ({n} posterior runs)")
    return fig


def peeling_trajectory(found: Discovery) -> Figure:
    """PRIM's peeling trajectory: coverage against density, coloured by restricted dimensions.

    The reported box is circled and its restricted dimensions listed with their limits.
    """
    traj = found.trajectory
    with style.style():
        fig = style.new_figure(style.DOUBLE_COLUMN, 0.45 * style.DOUBLE_COLUMN)
        ax, text = fig.subplots(1, 2, width_ratios=[1.4, 1])
        points = ax.scatter(
            traj["coverage"], traj["density"], c=traj["res_dim"], cmap="viridis", s=14
        )
        fig.colorbar(points, ax=ax, label="restricted dimensions")
        row = traj.iloc[found.chosen]
        ax.scatter(
            [row["coverage"]],
            [row["density"]],
            s=120,
            facecolors="none",
            edgecolors="black",
            linewidths=1.2,
        )
        ax.set_xlabel("coverage")
        ax.set_ylabel("density")
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        stats = found.stats
        lines = [
            f"{found.regime}: {found.of_interest} of {found.points} points",
            f"coverage {stats['coverage']:.2f}, density {stats['density']:.2f}",
            f"mass {stats['mass']:.2f}, {stats['res_dim']} restricted:",
        ]
        for r in found.table().itertuples():
            lines.append(f"  {style.short_label(r.parameter)} in [{r.low:.3g}, {r.high:.3g}]")
        text.axis("off")
        text.text(
            0, 1, "\n".join(lines), va="top", ha="left", fontsize="small", family="monospace"
        )
    return fig


def no_box(regime: str, points: int) -> Figure:
    """The PRIM figure of a sweep in which no design point ends most often in ``regime``."""
    with style.style():
        fig = style.new_figure(style.SINGLE_COLUMN, 0.4 * style.SINGLE_COLUMN)
        ax = fig.subplots()
        ax.axis("off")
        ax.text(
            0.5,
            0.5,
            f"No design point of {points} ends most often in {regime}:\nno box to find.",
            ha="center",
            va="center",
        )
    return fig
