"""Figures of model state: the co-location network and the practice space, before and after."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from experiments import style
from experiments.figures.common import legend_top
from experiments.style import (
    ASSOCIATION_COLOURS,
    ASSOCIATION_MARKERS,
    NEUTRAL,
    SECTOR_COLOURS,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from experiments.snapshot import Snapshot


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
        legend_top(fig, handles, ncols=3)
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
        legend_top(fig, handles, ncols=3)
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
