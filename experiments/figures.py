"""Paper figures: pure functions from result tables (or model snapshots) to matplotlib Figures.

Every function takes plain data (the tidy or summary table of a sweep, a table of sensitivity
indices, or :class:`experiments.reproduce.Snapshot` objects), returns a
:class:`matplotlib.figure.Figure` in the style of :mod:`experiments.style`, and reads or writes
no file: the caller saves it (:func:`experiments.style.save_figure`). Uncertainty is always
drawn: 95 % confidence bands of the mean across replicates (Student's t), bootstrap intervals
of sensitivity indices, and the share of runs in each regime rather than a single label.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from experiments import style
from experiments.style import (
    ASSOCIATION_COLOURS,
    ASSOCIATION_MARKERS,
    NEUTRAL,
    REGIME_COLOURS,
    REGIMES,
    SECTOR_COLOURS,
    label,
    level_styles,
    short_label,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from experiments.reproduce import Snapshot

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

SENSITIVITY_OUTCOMES: tuple[str, ...] = (
    "centroid_distance_ratio",
    "hybrid_share",
    "public_access",
)
"""Outcomes whose indices :func:`sensitivity_indices` draws by default."""


# --- table helpers -----------------------------------------------------------------------------


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


def pooling_level_name(pooling_intensity: float) -> str:
    """The highest of the article's levels a pooling intensity reaches (for legends)."""
    from simulation.scenarios import pooling_levels

    co_presence, collaboration, common_work = pooling_levels(pooling_intensity)
    if common_work > 0:
        return "common work"
    if collaboration > 0:
        return "collaboration"
    return "co-presence" if co_presence > 0 else "no pooling"


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float | np.number) else str(value)


def _legend_top(fig: Figure, handles: list[Any], ncols: int | None = None, **kw: Any) -> None:
    fig.legend(
        handles=handles,
        loc="outside upper center",
        ncols=ncols or len(handles),
        columnspacing=1.2,
        handletextpad=0.5,
        **kw,
    )


# --- the regime map ----------------------------------------------------------------------------


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
                ax.set_title(f"{short_label(col)} = {_fmt(level)}")
        axes[0].set_ylabel(label(y))
        handles = [_patch(REGIME_COLOURS[r], r) for r in REGIMES]
        _legend_top(fig, handles, ncols=4 if legend_rows == 1 else 2)
    return fig


def _patch(colour: str, name: str, **kw: Any) -> Any:
    from matplotlib.patches import Patch

    return Patch(facecolor=colour, edgecolor="none", label=name, **kw)


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
    ax.set_xticks(range(len(xs)), [_fmt(v) for v in xs])
    ax.set_yticks(range(len(ys)), [_fmt(v) for v in ys])
    if len(xs) > 7:
        for k, tick in enumerate(ax.get_xticklabels()):
            tick.set_visible(k % 2 == 0)
    if len(ys) > 7:
        for k, tick in enumerate(ax.get_yticklabels()):
            tick.set_visible(k % 2 == 0)
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)


# --- trajectories ------------------------------------------------------------------------------


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
                _band(ax, mean_ci(part, ["step"], measure, confidence), "step", st)
            ax.set_ylabel(label(measure))
            ax.margins(x=0)
        for ax in axes[n_panels:]:
            ax.set_visible(False)
        for ax in axes[-ncols:]:
            ax.set_xlabel(label("step"))
        handles = [
            _line(st, _level_label(by, level)) for level, st in zip(chosen, styles, strict=True)
        ]
        _legend_top(fig, handles, title=f"{short_label(by)} (mean, 95 % band across replicates)")
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
        return f"{_fmt(level)} ({pooling_level_name(level)})"
    return _fmt(level)


def _line(st: Mapping[str, Any], name: str) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([], [], label=name, **st)


def _band(ax: Axes, stats: pd.DataFrame, x: str, st: Mapping[str, Any], **kw: Any) -> None:
    xs = stats[x].to_numpy(dtype=float)
    ax.fill_between(
        xs, stats["low"], stats["high"], color=st["color"], alpha=0.25, linewidth=0, **kw
    )
    ax.plot(xs, stats["mean"], **st)


# --- public access and diversity ---------------------------------------------------------------


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
            _band(ax, mean_ci(ok, [x], measure, confidence), x, st)
            ax.set_ylabel(label(measure))
        axes[-1].set_xlabel(label(x))
        if xs.size:
            pad = 0.04 * (xs.max() - xs.min() or 1.0)
            axes[-1].set_xlim(xs.min() - pad, xs.max() + pad)
        handles = [
            _line(st, "mean, 95 % band"),
            _patch(REGIME_COLOURS["hybridisation"], "hybridisation in most runs", alpha=0.35),
        ]
        _legend_top(fig, handles)
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


# --- model state: network and practice space -------------------------------------------------


def _association_styles(snap: Snapshot) -> tuple[list[str], list[str], list[tuple[str, str, str]]]:
    """Colour and marker per association, and legend entries (name, colour, marker)."""
    n = len(snap.associations)
    if n <= len(ASSOCIATION_COLOURS):
        colours = list(ASSOCIATION_COLOURS[:n])
        markers = list(ASSOCIATION_MARKERS[:n])
        legend = [
            (f"{name} ({sector})", c, m)
            for name, sector, c, m in zip(
                snap.associations, snap.sectors, colours, markers, strict=True
            )
        ]
        return colours, markers, legend
    colours = [SECTOR_COLOURS[s] for s in snap.sectors]
    markers = ["o" if s == "health" else "s" for s in snap.sectors]
    legend = [
        (f"{s} association", SECTOR_COLOURS[s], "o" if s == "health" else "s")
        for s in ("health", "social")
        if s in snap.sectors
    ]
    return colours, markers, legend


def _workers(ax: Axes, xy: np.ndarray, snap: Snapshot, colours: list, markers: list) -> None:
    for a in range(len(snap.associations)):
        rows = snap.membership == a
        if rows.any():
            ax.scatter(
                xy[rows, 0],
                xy[rows, 1],
                s=14,
                c=colours[a],
                marker=markers[a],
                edgecolors="white",
                linewidths=0.4,
                zorder=3,
            )


def network_before_after(before: Snapshot, after: Snapshot) -> Figure:
    """The co-location network before and after pooling: workers by association, ties drawn.

    Workers sit by association (the model's plot layout, which has no units); thin grey lines
    are colleague ties within associations, dark lines collaboration ties, their width the
    tie's strength.

    Args:
        before: the state at the start (week 0).
        after: the state at the end.

    Returns:
        A two-panel figure; each panel holds one scatter per association and two line
        collections (colleague ties, collaboration ties).
    """
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    colours, markers, legend = _association_styles(before)
    with style.style():
        fig = style.new_figure(style.DOUBLE_COLUMN, 0.5 * style.DOUBLE_COLUMN)
        axes = fig.subplots(1, 2, sharex=True, sharey=True)
        for ax, snap in zip(axes, (before, after), strict=True):
            pos = snap.positions
            ax.add_collection(
                LineCollection(pos[snap.colleague], colors="#BBBBBB", linewidths=0.4, zorder=1)
            )
            ties = snap.ties
            strength = ties[:, 2] if len(ties) else np.empty(0)
            pairs = ties[:, :2].astype(np.int64) if len(ties) else np.empty((0, 2), int)
            ax.add_collection(
                LineCollection(
                    pos[pairs],
                    colors="#222222",
                    linewidths=0.2 + 0.8 * strength,
                    alpha=0.7,
                    zorder=2,
                )
            )
            _workers(ax, pos, snap, colours, markers)
            ax.set_title(f"week {snap.week}: {len(ties)} collaboration ties")
            ax.set_aspect("equal")
            ax.set_axis_off()
        handles = [
            Line2D([], [], ls="", marker=m, color=c, markersize=4, label=name)
            for name, c, m in legend
        ]
        handles += [
            Line2D([], [], color="#BBBBBB", lw=0.6, label="colleagues (same association)"),
            Line2D([], [], color="#222222", lw=1.0, alpha=0.7, label="collaboration tie"),
        ]
        _legend_top(fig, handles, ncols=3)
    return fig


def practice_projection(
    *practices: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
    """A principal-component projection of practices shared by several states.

    The components are fitted on all the states stacked, so that positions compare across
    panels; each component's sign is fixed (largest loading positive) so the projection is
    deterministic.

    Returns:
        ``(mean, components (2, D), explained variance shares (2,), projected states)``.
    """
    stacked = np.vstack([np.asarray(p, dtype=float) for p in practices])
    mean = stacked.mean(axis=0)
    _, s, vt = np.linalg.svd(stacked - mean, full_matrices=False)
    comps = vt[:2]
    flip = np.sign(comps[np.arange(comps.shape[0]), np.argmax(np.abs(comps), axis=1)])
    comps = comps * flip[:, None]
    var = s**2
    shares = var[:2] / var.sum() if var.sum() > 0 else np.zeros(2)
    return mean, comps, shares, [(np.asarray(p) - mean) @ comps.T for p in practices]


def _component_label(k: int, comp: np.ndarray, share: float, facets: Sequence[str]) -> str:
    """``component 1 (62 % of variance)`` and the two facets that weigh most on it."""
    top = np.argsort(-np.abs(comp), kind="stable")[:2]
    names = " and ".join(facets[i] for i in top) if len(facets) else ""
    text = f"component {k + 1} ({share:.0%} of variance)".replace("%", " %")
    return f"{text}\nmainly {names}" if names else text


def practice_space(before: Snapshot, after: Snapshot) -> Figure:
    """Workers' practices before and after pooling, projected on two principal components.

    Small markers are workers, large ones each association's mean practice (centroid); in
    the second panel, hollow markers are the week-0 centroids and arrows show how far each
    centroid moved. Axes are in practice units (facets run from 0 to 1).

    Args:
        before: the state at the start.
        after: the state at the end.

    Returns:
        A two-panel figure; each panel holds one worker scatter and one centroid scatter per
        association.
    """
    from matplotlib.lines import Line2D

    colours, markers, legend = _association_styles(before)
    mean, comps, shares, (xy0, xy1) = practice_projection(before.practices, after.practices)
    centroids = [
        (_group_means(xy, snap.membership, len(snap.associations)))
        for xy, snap in ((xy0, before), (xy1, after))
    ]
    c_init = (np.asarray(before.initial_centroids) - mean) @ comps.T
    with style.style():
        fig = style.new_figure(style.DOUBLE_COLUMN, 0.6 * style.DOUBLE_COLUMN)
        axes = fig.subplots(1, 2, sharex=True, sharey=True)
        for ax, xy, snap, cents in zip(axes, (xy0, xy1), (before, after), centroids, strict=True):
            _workers(ax, xy, snap, colours, markers)
            for a in range(len(snap.associations)):
                ax.scatter(
                    *cents[a],
                    s=70,
                    c=colours[a],
                    marker=markers[a],
                    edgecolors="black",
                    linewidths=0.8,
                    zorder=5,
                )
            if snap is after:
                for a in range(len(snap.associations)):
                    ax.scatter(
                        *c_init[a],
                        s=60,
                        facecolors="none",
                        edgecolors=colours[a],
                        marker=markers[a],
                        linewidths=1.0,
                        zorder=4,
                    )
                    ax.annotate(
                        "",
                        xy=cents[a],
                        xytext=c_init[a],
                        arrowprops={"arrowstyle": "->", "color": "black", "lw": 0.7},
                        zorder=6,
                    )
            ax.set_title(f"week {snap.week}")
            ax.set_xlabel(_component_label(0, comps[0], shares[0], before.facets))
        axes[0].set_ylabel(_component_label(1, comps[1], shares[1], before.facets))
        _equal_limits(axes, np.vstack([xy0, xy1, c_init]))
        handles = [
            Line2D([], [], ls="", marker=m, color=c, markersize=4, label=name)
            for name, c, m in legend
        ]
        handles += [
            Line2D([], [], ls="", marker="o", mfc="#DDDDDD", mec="black", ms=6, label="centroid"),
            Line2D(
                [], [], ls="", marker="o", mfc="none", mec=NEUTRAL, ms=6, label="week-0 centroid"
            ),
        ]
        _legend_top(fig, handles, ncols=3)
    return fig


def _equal_limits(axes: Sequence[Axes], points: np.ndarray, pad: float = 0.06) -> None:
    """Common limits with one unit the same length on both axes (distances read true)."""
    low, high = points.min(axis=0), points.max(axis=0)
    span = float(max(high - low)) or 1.0
    centre = (low + high) / 2
    for ax in axes:
        ax.set_xlim(centre[0] - (0.5 + pad) * span, centre[0] + (0.5 + pad) * span)
        ax.set_ylim(centre[1] - (0.5 + pad) * span, centre[1] + (0.5 + pad) * span)
        ax.set_aspect("equal", adjustable="box")


def _group_means(xy: np.ndarray, membership: np.ndarray, n: int) -> np.ndarray:
    sums = np.zeros((n, xy.shape[1]))
    np.add.at(sums, membership, xy)
    counts = np.bincount(membership, minlength=n)
    return sums / np.maximum(counts, 1)[:, None]


# --- the helpline ------------------------------------------------------------------------------


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
                _band(ax, mean_ci(rows, ["step"], measure, confidence), "step", st)
            ax.set_xlim(0, last)
            if level is not None:
                ax.set_title(f"{short_label(panels)} {_fmt_level(panels, level)}")
            if strip:
                _meeting_strip(grid[1, k], meetings, decentralise, last, first=k == 0)
            grid[-1, k].set_xlabel(label("step"))
        grid[0, 0].set_ylabel(label(measure))
        handles = [_patch("#E8E8E8", "lockdown room (centralised)")]
        handles += [
            _line(st, _meeting_label(value)) for value, st in zip(chosen, styles, strict=True)
        ]
        _legend_top(fig, handles, ncols=3 if width > 4 else 2)
    return fig


def _fmt_level(name: str, value: float) -> str:
    if name.endswith("attendance"):
        return f"{value:.0%}".replace("%", " %")
    return _fmt(value)


def _meeting_label(every: float) -> str:
    return "no peer meetings" if every == 0 else f"peer meeting every {_fmt(every)} weeks"


def _meeting_strip(
    ax: Axes, meetings: list[tuple[float, dict]], start: int, last: int, *, first: bool
) -> None:
    """One row of ticks per meeting frequency, at the weeks its meetings are held."""
    for row, (every, st) in enumerate(meetings):
        k = int(every)
        weeks = np.arange(start + k, last + 1, k)  # a meeting in week w is recorded at step w
        ax.vlines(weeks, row - 0.35, row + 0.35, color=st["color"], linewidth=0.9)
    ax.set_ylim(len(meetings) - 0.5, -0.5)
    ax.set_yticks(range(len(meetings)), [f"every {_fmt(e)} wk" for e, _ in meetings])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    if first:
        ax.set_ylabel("meetings", rotation=0, ha="right", va="center")


# --- sanitarisation ----------------------------------------------------------------------------


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
                _band(ax, mean_ci(part, ["step"], column, confidence), "step", st)
            ax.set_title(f"asymmetry {_fmt(level)}" + (" (off)" if level == 0 else ""))
            ax.set_xlabel(label("step"))
            ax.set_ylim(-0.05, 1.05)
            ax.margins(x=0)
        axes[0].set_ylabel("position between initial centroids\n(0 = social, 1 = health)")
        handles = [
            _line({"color": SECTOR_COLOURS[s], "linestyle": "-"}, f"{s} workers") for s, _ in sides
        ]
        _legend_top(fig, handles, title="mean practice (95 % band across replicates)")
    return fig


# --- sensitivity -------------------------------------------------------------------------------


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
                    _sobol_panel(ax, part)
                else:
                    _morris_panel(ax, part)
                if r == 0:
                    ax.set_title(short_label(outcome))
            axes[r, 0].set_yticks(range(len(order)), [short_label(p) for p in order])
        handles = []
        if sobol is not None:
            handles += [
                _patch(SOBOL_COLOURS["S1"], "first order S1"),
                _patch(SOBOL_COLOURS["ST"], "total order ST"),
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
        _legend_top(fig, handles, title="whiskers: 95 % bootstrap confidence intervals")
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


def _sobol_panel(ax: Axes, part: pd.DataFrame) -> None:
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


FIGURES: Mapping[str, Any] = {
    "regime_map": regime_map,
    "trajectories": trajectories,
    "access_diversity": access_diversity,
    "network_before_after": network_before_after,
    "practice_space": practice_space,
    "helpline_time_course": helpline_time_course,
    "sanitarisation": sanitarisation,
    "sensitivity_indices": sensitivity_indices,
}
"""Every figure function by name."""
