"""One look for every paper figure: journal widths, fonts, colour-blind-safe colours, labels.

Figures are drawn on :class:`matplotlib.figure.Figure` objects (no pyplot state) inside
:func:`style`, and saved with :func:`save_figure`, which writes byte-stable files: vector PDF with
embedded TrueType fonts, 300 dpi PNG, no creation dates.

Colours: the regimes use Paul Tol's *high-contrast* scheme (blue, yellow, red: distinct for the
three common colour-vision deficiencies and in greyscale) plus a light grey for fragmentation;
ordered levels (pooling intensity, meeting frequency) use light-to-dark ramps of Tol's *muted*
scheme with a different dash each, so they never read as regimes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from simulation.palette import REGIME_COLOURS as _REGIME_COLOURS

MM = 1 / 25.4
"""One millimetre in inches (matplotlib sizes figures in inches)."""

SINGLE_COLUMN = 85 * MM
"""Width of a single-column figure (85 mm)."""

DOUBLE_COLUMN = 174 * MM
"""Width of a double-column (full-page-width) figure (174 mm)."""

REGIMES: tuple[str, ...] = tuple(_REGIME_COLOURS)
"""The end states, in the order of :data:`simulation.measures.REGIMES` (the palette's order: read
from it, so that importing the styles does not load the measures)."""

REGIME_COLOURS: Mapping[str, str] = _REGIME_COLOURS
"""One colour per regime, the same in every figure and in the dashboard."""

LEVEL_COLOURS: tuple[str, ...] = ("#88CCEE", "#44AA99", "#117733", "#332288")
"""Ordered levels (low to high), light to dark."""

LEVEL_DASHES: tuple[str, ...] = ("-", "--", "-.", ":")
"""A dash per ordered level, so that levels stay apart without colour."""

SECTOR_COLOURS: Mapping[str, str] = {"health": "#CC6677", "social": "#332288"}
"""Health and social sector (Tol's muted rose and indigo)."""

ASSOCIATION_COLOURS: tuple[str, ...] = (
    "#4477AA",
    "#EE6677",
    "#228833",
    "#CCBB44",
    "#66CCEE",
    "#AA3377",
    "#BBBBBB",
)
"""Associations (Tol's *bright* scheme); more than seven associations are coloured by sector."""

ASSOCIATION_MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X")
"""A marker per association, so associations stay apart without colour."""

NEUTRAL = "#555555"
"""Text, reference lines and colleague ties."""

LABELS: Mapping[str, str] = {
    "step": "time (weeks)",
    "pooling_intensity": "pooling intensity (0-1)",
    "identity_strength": "identity strength (0-1)",
    "sector_mix": "sector mix (share of health associations)",
    "asymmetry": "asymmetric influence (0-1)",
    "intervision_every": "weeks between peer meetings",
    "intervision_attendance": "attendance of peer meetings (share)",
    "decentralise_at": "decentralisation (week)",
    "openness": "openness (0-1)",
    "homophily": "homophily (practice gap, 0-1)",
    "collaboration_influence": "collaboration influence (share of gap)",
    "socialisation": "socialisation (per facet and week)",
    "anchoring": "anchoring (per week)",
    "culture_drift": "culture drift (per week)",
    "centroid_gap_ratio": "distance between associations\n(share of week-0 distance)",
    "centroid_gap": "distance between associations\n(mean gap, 0-1)",
    "distinguishability": "workers told apart by\nassociation (kappa)",
    "separation": "variance between associations\nwithin sites (share)",
    "crossing": "workers crossing over\nfacet by facet (share)",
    "adoption": "facets on a partner's value\n(share)",
    "blending": "facets midway (share)",
    "mean_pairwise_distance": "practice diversity\n(mean gap, 0-1)",
    "between_share": "variance between\nassociations (share)",
    "public_access": "public access\n(share served)",
    "effective_clusters": "practice clusters\n(effective number)",
    "mean_culture_shift": "culture shift\n(mean gap to week 0, 0-1)",
    "sanitarisation": "sanitarisation\n(share of initial distance)",
    "cross_tie_share": "ties across associations (share)",
    "n_ties": "collaboration ties (number)",
}
"""Axis labels with units, by column name."""

BOUNDS: Mapping[str, tuple[float | None, float | None]] = {
    "centroid_gap_ratio": (0.0, None),
    "centroid_gap": (0.0, 1.0),
    "distinguishability": (None, 1.0),
    "separation": (0.0, 1.0),
    "crossing": (0.0, 1.0),
    "adoption": (0.0, 1.0),
    "blending": (0.0, 1.0),
    "mean_pairwise_distance": (0.0, 1.0),
    "between_share": (0.0, 1.0),
    "public_access": (0.0, 1.0),
    "mean_culture_shift": (0.0, 1.0),
    "cross_tie_share": (0.0, 1.0),
    "effective_clusters": (1.0, None),
    "n_ties": (0.0, None),
}
"""Range a measure can take: confidence bands are clipped to it (a share is never below 0)."""

SHORT_LABELS: Mapping[str, str] = {
    "pooling_intensity": "pooling intensity",
    "identity_strength": "identity strength",
    "openness": "openness",
    "homophily": "homophily",
    "collaboration_influence": "collaboration influence",
    "socialisation": "socialisation",
    "anchoring": "anchoring",
    "culture_drift": "culture drift",
    "sector_mix": "sector mix",
    "asymmetry": "asymmetry",
    "intervision_every": "weeks between peer meetings",
    "intervision_attendance": "meeting attendance",
    "centroid_gap_ratio": "distance between associations",
    "distinguishability": "workers told apart",
    "crossing": "workers crossing over",
    "mean_pairwise_distance": "practice diversity",
    "public_access": "public access",
    "regime=isomorphism": "share of runs in isomorphism",
    "regime=compression": "share of runs in compression",
    "regime=hybridisation": "share of runs in hybridisation",
    "regime=persistence": "share of runs in persistence",
}
"""Names of parameters and outcomes in legends, tick labels and titles."""

RC: Mapping[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.title_fontsize": 7,
    "figure.titlesize": 8,
    "axes.linewidth": 0.6,
    "axes.edgecolor": "#333333",
    "axes.labelcolor": "#222222",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlelocation": "left",
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.major.size": 2.5,
    "ytick.major.size": 2.5,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "lines.linewidth": 1.2,
    "lines.markersize": 4,
    "legend.frameon": False,
    "legend.handlelength": 1.8,
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "savefig.bbox": None,
    "savefig.pad_inches": 0.02,
    "figure.constrained_layout.h_pad": 0.03,
    "figure.constrained_layout.w_pad": 0.03,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "none",
    "svg.hashsalt": "isohybrid",
    "path.simplify": False,
    "image.interpolation": "nearest",
}
"""Matplotlib settings of every figure: fonts of 7-8 pt, thin axes, embedded fonts."""

METADATA: Mapping[str, Mapping[str, Any]] = {
    "pdf": {"Creator": "isohybrid", "Producer": "isohybrid", "CreationDate": None},
    "png": {"Software": "isohybrid"},
    "svg": {"Creator": "isohybrid", "Date": None},
}
"""File metadata by format: fixed values and no dates, so the same figure gives the same bytes."""

FORMATS: tuple[str, ...] = ("pdf", "png")
"""Formats written by default: vector PDF for print, PNG for screens and review."""


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Draw (and save) inside this block to use the figures' settings (:data:`RC`)."""
    import matplotlib

    with matplotlib.rc_context(dict(RC)):
        yield


def new_figure(width: float = SINGLE_COLUMN, height: float | None = None) -> Any:
    """An empty figure of a journal width (inches) with constrained layout.

    The figure is a plain :class:`matplotlib.figure.Figure`: not registered with pyplot, so
    drawing many figures holds no global state and needs no GUI backend.
    """
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height or 0.75 * width), layout="constrained")


def label(name: str) -> str:
    """Axis label (with its unit) of a column; the name itself if it has none."""
    return LABELS.get(name, name.replace("_", " "))


def short_label(name: str) -> str:
    """A short name of a parameter or outcome for legends and ticks."""
    return SHORT_LABELS.get(name, name.replace("_", " "))


def level_styles(n: int) -> list[dict[str, Any]]:
    """Line styles (colour and dash) of ``n`` ordered levels, light to dark."""
    if n > len(LEVEL_COLOURS):
        raise ValueError(f"n = {n} levels is too many; allowed: at most {len(LEVEL_COLOURS)}")
    picks = [len(LEVEL_COLOURS) - 1] if n == 1 else [round(k * 3 / (n - 1)) for k in range(n)]
    return [{"color": LEVEL_COLOURS[i], "linestyle": LEVEL_DASHES[k]} for k, i in enumerate(picks)]


def save_figure(
    fig: Any, stem: str | Path, formats: Sequence[str] = FORMATS, *, dpi: int = 300
) -> list[Path]:
    """Write a figure as ``stem.pdf``, ``stem.png`` (and any other format) and return the paths.

    Files are written to a temporary name and renamed, carry fixed metadata (no dates) and
    embed their fonts, so the same figure always gives the same bytes. Saving fixes the
    figure's layout (its layout engine is switched off after one last layout).

    Args:
        fig: a matplotlib Figure.
        stem: path without suffix; its folder is created.
        formats: file formats (suffixes) to write.
        dpi: resolution of raster formats.
    """
    import os

    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    with style():
        # Lay out once and keep it: constrained layout run again on a laid-out figure moves
        # things by a hair, so the layout is fixed here and every format and every later save
        # of this figure draws the same thing.
        if fig.get_layout_engine() is not None:
            fig.draw_without_rendering()
            fig.set_layout_engine("none")
        for fmt in formats:
            path = stem.with_name(f"{stem.name}.{fmt}")
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            fig.savefig(tmp, format=fmt, dpi=dpi, metadata=dict(METADATA.get(fmt, {})))
            os.replace(tmp, path)
            paths.append(path)
    return paths
