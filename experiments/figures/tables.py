"""Tidy-table helpers of the figures: finished runs, chosen levels, means with intervals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from experiments import style
from experiments.style import REGIMES


def finished(table: pd.DataFrame) -> pd.DataFrame:
    """Rows of runs that finished without error (all rows if there is no ``status``)."""
    if "status" in table.columns:
        return table[table["status"] == "ok"]
    return table


def nearest_level(values: pd.Series | Sequence[float], target: float) -> float:
    """The level of ``values`` closest to ``target`` (the lower one on a tie)."""
    levels = np.unique(np.asarray(values, dtype=float))
    if levels.size == 0:
        raise ValueError("no levels to choose from: the table is empty")
    return float(levels[np.argmin(np.abs(levels - target))])


def select(table: pd.DataFrame, fixed: Mapping[str, float] | None) -> pd.DataFrame:
    """Rows at the level of each column nearest its target: ``{"identity_strength": 0.5}``."""
    for column, target in (fixed or {}).items():
        if column not in table.columns:
            raise ValueError(f"column {column!r} is not in the table; cannot fix it")
        table = table[np.isclose(table[column], nearest_level(table[column], target))]
    return table


def mean_ci(
    table: pd.DataFrame, by: Sequence[str], value: str, confidence: float = 0.95
) -> pd.DataFrame:
    """Mean of ``value`` by groups with a Student-t confidence interval of the mean.

    The interval is clipped to the range the measure can take (:data:`style.BOUNDS`): with
    few replicates a Student-t interval of a share can reach below 0.

    Returns:
        Columns ``by``, ``mean``, ``low``, ``high``, ``n`` (runs in the group); the interval
        is the mean itself for a group of one run.
    """
    from scipy import stats

    grouped = table.groupby(list(by), sort=True)[value]
    out = grouped.agg(["mean", "std", "count"]).reset_index().rename(columns={"count": "n"})
    n = out["n"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1)) * out["std"] / np.sqrt(n)
    half = np.where(n > 1, np.nan_to_num(half), 0.0)
    low, high = style.BOUNDS.get(value, (None, None))
    out["low"] = (out["mean"] - half).clip(lower=low)
    out["high"] = (out["mean"] + half).clip(upper=high)
    return out.drop(columns="std")


def regime_shares(summary: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Share of finished runs ending in each regime, by groups (one column per regime, + ``n``)."""
    ok = finished(summary)
    counts = pd.crosstab([ok[c] for c in by], ok["regime"])
    counts = counts.reindex(columns=list(REGIMES), fill_value=0)
    n = counts.sum(axis=1)
    shares = counts.div(n, axis=0)
    shares["n"] = n
    return shares.reset_index()
