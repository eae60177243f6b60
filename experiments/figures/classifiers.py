"""The regime along pooling intensity under two independent classifiers, and where they agree."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from experiments import style
from experiments.figures.common import legend_top, patch
from experiments.style import REGIME_COLOURS, REGIMES, label

if TYPE_CHECKING:
    from matplotlib.figure import Figure

RECOVERY_COLOURS: dict[str, str] = {
    "recovered": REGIME_COLOURS["persistence"],
    "mixed": REGIME_COLOURS["hybridisation"],
    "merged": REGIME_COLOURS["isomorphism"],
}
"""The model-free labels in the colours of the regimes they stand closest to."""

# the rule's regimes in which associations are still told apart
_DISTINCT = ("persistence", "compression", "hybridisation")


def agreement(table: pd.DataFrame) -> pd.Series:
    """Per run, whether the two classifiers agree on whether associations are still distinct.

    The rule says distinct for persistence, compression and hybridisation; the mixtures say
    distinct when they recover the associations. Agreement is equality of the two answers.
    """
    rule = table["regime"].isin(_DISTINCT)
    free = table["recovery"].eq("recovered")
    return rule.eq(free)


def two_classifiers(table: pd.DataFrame, x: str = "pooling_intensity") -> Figure:
    """Shares of runs in each label along ``x``: the null-twin rule, the mixtures, agreement.

    Top: the regime rule's shares (stacked, in the order of ``REGIMES``). Middle: the
    model-free labels (recovered, mixed, merged). Bottom: the share of runs in which the two
    agree on whether the associations are still told apart.

    Args:
        table: :func:`experiments.classifiers.two_classifiers_table`'s output.
        x: the factor along the horizontal axis.

    Returns:
        The figure (three panels sharing ``x``).
    """
    levels = np.sort(table[x].unique())
    width = np.min(np.diff(levels)) * 0.8 if len(levels) > 1 else 0.8
    with style.style():
        fig = style.new_figure(style.SINGLE_COLUMN, 3.6)
        axes = fig.subplots(3, 1, sharex=True, gridspec_kw={"height_ratios": [2, 2, 1]})
        for ax, column, names, colours in (
            (axes[0], "regime", REGIMES, REGIME_COLOURS),
            (axes[1], "recovery", tuple(RECOVERY_COLOURS), RECOVERY_COLOURS),
        ):
            shares = pd.crosstab(table[x], table[column], normalize="index").reindex(
                index=levels, columns=list(names), fill_value=0.0
            )
            bottom = np.zeros(len(levels))
            for name in names:
                ax.bar(levels, shares[name], width, bottom=bottom, color=colours[name])
                bottom += shares[name].to_numpy()
            ax.set_ylim(0, 1)
        axes[0].set_ylabel("regime rule\n(share of runs)")
        axes[1].set_ylabel("mixtures + BIC\n(share of runs)")
        agree = agreement(table).groupby(table[x]).mean().reindex(levels)
        axes[2].plot(levels, agree.to_numpy(), marker="o", color="#333333")
        axes[2].set_ylim(0, 1.05)
        axes[2].set_ylabel("agree")
        axes[2].set_xlabel(label(x))
        legend_top(fig, [patch(REGIME_COLOURS[r], r) for r in REGIMES], ncols=3)
        axes[1].legend(
            handles=[patch(c, n) for n, c in RECOVERY_COLOURS.items()],
            loc="center left",
            bbox_to_anchor=(1.0, 0.5),
            fontsize="small",
            frameon=False,
        )
    return fig
