"""The Solara dashboard: move the sliders, step the weeks, and watch practices mix or converge.

Launch it with ``isohybrid dashboard`` (or ``python -m solara run simulation.app``). Every
control is built from :data:`simulation.parameters.PARAMETERS` (type and range) and
:func:`simulation.model.default_parameters` (the model's signature), so nothing here repeats a
default. The views are pure functions from a :class:`Snapshot` of the model to a matplotlib
``Figure``; the Solara components only wire controls, the run loop and those figures.

Mesa's ``SolaraViz`` is not used as the page itself: its Reset rebuilds the model with Mesa's own
``Scenario`` object in place of our ``scenario`` keyword (the names clash) and its seed box hands
the model a string. The page below keeps Mesa's layout (controls on the left, views on the right,
Step / Play / Reset) and builds the model with an integer seed every time.
"""

from __future__ import annotations

import io
import itertools
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import reacton.ipywidgets as rw
import solara
import solara.server.settings
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch, Patch
from matplotlib.ticker import MaxNLocator

from simulation.metrics import REGIMES, RegimeThresholds
from simulation.model import PoolingModel, default_parameters
from simulation.palette import REGIME_COLOURS, text_colour
from simulation.parameters import PARAMETERS, ParamSpec
from simulation.scenarios import FACET_POLES, pooling_levels

# Workshops run offline, and nobody asked for usage statistics: no Solara telemetry.
solara.server.settings.telemetry.mixpanel_enable = False

# --- settings of the dashboard (not of the model) ---------------------------------------------

DEFAULT_SEED = 42
"""The dashboard's first seed, so that two students who open it see the same run."""

MAX_DASHBOARD_WORKERS = 10_000
"""Largest landscape the dashboard offers: a week then takes about half a second; bigger
landscapes are for sweeps (``isohybrid sweep``), not for watching."""

DETAIL_LIMIT = 2_000
"""Above this many workers the network view draws associations instead of workers and the
practice view draws a fixed sample of workers, so that a frame stays fast."""

EDGE_SAMPLE = 2_500
"""At most this many co-presence pairs (and as many collaboration ties) are drawn."""

PLAY_INTERVAL = 0.1
"""Seconds between two frames while playing (a frame waits for the previous one)."""

# Okabe & Ito (2008) colour-blind-safe palette.
BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILLION, YELLOW = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
)
PALETTE: tuple[str, ...] = (BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILLION)
MARKERS: tuple[str, ...] = ("o", "s", "^", "D")
KIND_COLOURS: Mapping[str, str] = {
    "medical_practice": BLUE,
    "drug_service": ORANGE,
    "social_service": GREEN,
    "family_planning": PURPLE,
}
KIND_LABELS: Mapping[str, str] = {
    "medical_practice": "medical practice (health)",
    "drug_service": "drug-user service (health)",
    "social_service": "social service (social)",
    "family_planning": "family planning (social)",
}
REGIME_TEXT: Mapping[str, str] = {
    "persistence": "Each association keeps its own way of working: workers borrow little "
    "from the others.",
    "hybridisation": "Workers borrow from each other facet by facet, yet each association "
    "stays recognisable: new mixes of practices.",
    "isomorphism": "Practices converge on one standard: the associations can no longer be "
    "told apart by how their workers work.",
    "fragmentation": "Practices scatter into more groups than there are associations, with "
    "no common standard.",
}
SCENARIO_TEXT: Mapping[str, tuple[str, str]] = {
    "cssi": (
        "CSSI",
        "One building, four associations (medical practice, drug-user service, social "
        "service, family planning): about 40 workers.",
    ),
    "helpline": (
        "Helpline",
        "Twelve social services answer one helpline: everyone in one room during the "
        "lockdown, then shifts go back to each service.",
    ),
    "landscape": (
        "Landscape",
        "A region of pooled sites, each with a few associations of the health or the social "
        "sector.",
    ),
}
LAYOUT_TEXT: Mapping[str, str] = {
    "separate": "Separate premises (as observed): own reception desks, reserved rooms, "
    "different hours.",
    "shared": "Shared premises: one waiting room, one reception, free rooms, common hours.",
}
PHASE_TEXT: Mapping[str, str] = {
    "pooled": "pooling in force",
    "centralised": "everyone in one room, one common approach",
    "decentralised": "shifts back in each service; peer meetings (intervisions)",
}
INTRO = (
    "Associations that share premises and workers: do their ways of working stay apart "
    "(persistence), borrow from each other (hybridisation) or end up all alike (isomorphism)? "
    "Pick a scenario and press Play. Moving a control starts the run again from week 0 with "
    "the same seed."
)
LEVEL_NAMES: tuple[str, ...] = ("co_presence", "collaboration", "common_work")
LEVEL_LABELS: Mapping[str, str] = {
    "co_presence": "co-presence",
    "collaboration": "collaboration",
    "common_work": "common work",
}

# The order a first-year student meets the controls in; anything PARAMETERS adds later and is
# not listed here lands in the last group, so every parameter always has a control.
SETTING_CONTROLS: tuple[str, ...] = ("scenario", "layout")
GROUPS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("Main knobs", ("pooling_intensity", "identity_strength", "openness"), True),
    ("Levels of pooling (set by hand)", LEVEL_NAMES, False),
    ("Landscape", ("n_workers", "associations_per_site", "sector_mix"), False),
    (
        "Helpline schedule",
        ("decentralise_at", "intervision_every", "intervision_attendance"),
        False,
    ),
    ("Outside pressures", ("asymmetry", "external_pressure", "turnover"), False),
    (
        "Advanced: rates of the rules",
        (
            "encounter_rate",
            "homophily",
            "copresence_influence",
            "tie_formation",
            "tie_decay",
            "case_rate",
            "collaboration_influence",
            "facet_tolerance",
            "collaboration_floor",
            "socialisation",
            "code_learning",
            "anchoring",
            "core_facets",
            "periphery_anchoring",
            "culture_drift",
        ),
        False,
    ),
    (
        "Advanced: start and recording",
        (
            "n_facets",
            "worker_spread",
            "culture_spread",
            "multi_need_share",
            "access_tolerance",
            "collect_agents",
            "record_every",
        ),
        False,
    ),
)

# --- controls ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Control:
    """How one model parameter is shown: its widget and the values it can take.

    Attributes:
        name: the model keyword.
        spec: its type and allowed range (from ``PARAMETERS``).
        widget: ``"slider"``, ``"ladder"`` (a slider over ``values``, for wide integer ranges),
            ``"choice"``, ``"check"`` or ``"optional"`` (a "set by hand" box and a slider).
        low: smallest value the widget offers.
        high: largest value the widget offers.
        step: slider step.
        values: the ladder's values, or the choices.
    """

    name: str
    spec: ParamSpec
    widget: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    values: tuple[Any, ...] = ()

    @property
    def label(self) -> str:
        """The label shown above the control."""
        return self.spec.label or self.name.replace("_", " ")

    def extremes(self) -> tuple[Any, ...]:
        """The smallest and largest value the control offers (every value for choices)."""
        if self.widget in ("choice", "check"):
            return self.values
        if self.widget == "ladder":
            return (self.values[0], self.values[-1])
        return (self.low, self.high)


def _nice_step(low: float, high: float, default: Any) -> float:
    """A round slider step (1, 2 or 5 times a power of ten) of about a hundredth of the range.

    The step is refined tenfold until the default lies on a slider position.
    """
    step = 10 ** math.floor(math.log10((high - low) / 100)) if high > low else 1.0
    for scale in (5, 2, 1):
        if (high - low) / (step * scale) >= 100:
            step *= scale
            break
    if isinstance(default, int | float) and not isinstance(default, bool):
        while step > 1e-6 and abs(default / step - round(default / step)) > 1e-6:
            step /= 10
    return step


def _ladder(low: int, high: int, default: int | None) -> tuple[int, ...]:
    """Round values from ``low`` to ``high`` (1, 2, 5, 10, ...), with the default among them."""
    values = {low, high}
    if default is not None:
        values.add(int(default))
    decade = 1
    while decade <= high:
        values.update(v for v in (decade, 2 * decade, 5 * decade) if low <= v <= high)
        decade *= 10
    return tuple(sorted(values))


def make_control(name: str, spec: ParamSpec, default: Any) -> Control:
    """The control of one parameter: its widget and range, from its spec and default."""
    if spec.kind == "choice":
        return Control(name, spec, "choice", values=tuple(spec.choices))
    if spec.kind == "bool":
        return Control(name, spec, "check", values=(False, True))
    low, high = spec.low, spec.high
    if name == "n_workers":
        high = min(high, MAX_DASHBOARD_WORKERS)
    if spec.kind == "int" and high - low > 100:
        return Control(name, spec, "ladder", low, high, 1, _ladder(int(low), int(high), default))
    widget = "optional" if spec.optional else "slider"
    step = 1 if spec.kind == "int" else _nice_step(low, high, default)
    return Control(name, spec, widget, low, high, step)


def controls() -> dict[str, Control]:
    """Every scalar parameter's control, keyed by parameter name (a case file has none)."""
    defaults = default_parameters()
    return {
        name: make_control(name, spec, defaults.get(name))
        for name, spec in PARAMETERS.items()
        if spec.kind != "case"
    }


def control_groups() -> list[tuple[str, tuple[str, ...], bool]]:
    """The sidebar groups (title, parameter names, open at start); every parameter is in one."""
    listed = set(SETTING_CONTROLS).union(*(names for _, names, _ in GROUPS))
    groups = [
        (title, tuple(n for n in names if n in PARAMETERS), is_open)
        for title, names, is_open in GROUPS
    ]
    rest = tuple(n for n, s in PARAMETERS.items() if n not in listed and s.kind != "case")
    if rest:
        title, names, is_open = groups[-1]
        groups[-1] = (title, names + rest, is_open)
    return [g for g in groups if g[1]]


def format_value(value: Any, control: Control | None = None) -> str:
    """A value as the dashboard shows it."""
    if value is None:
        return "follows intensity"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float):
        step = control.step if control is not None and control.step else 0.01
        digits = max(0, min(4, -math.floor(math.log10(step)))) if step < 1 else 1
        return f"{value:.{digits}f}"
    return str(value)


# --- the run: a model, its fixed practice-space basis, its styles, a lock ---------------------


@dataclass(frozen=True)
class Basis:
    """A fixed 2-D projection of the practice space (principal axes of the initial practices).

    Attributes:
        center: ``(D,)`` mean initial practice.
        axes: ``(D, 2)`` unit vectors of the two axes.
        explained: share of the initial spread along each axis.
        labels: the two axis labels, in facets' words.
        limits: ``((x0, x1), (y0, y1))`` fixed plot limits.
    """

    center: np.ndarray
    axes: np.ndarray
    explained: tuple[float, float]
    labels: tuple[str, str]
    limits: tuple[tuple[float, float], tuple[float, float]]

    def project(self, x: np.ndarray) -> np.ndarray:
        """Project ``(N, D)`` practices onto the two axes, ``(N, 2)``."""
        return (np.asarray(x, dtype=float) - self.center) @ self.axes


def _axis_label(loading: np.ndarray, facets: Sequence[str], explained: float, k: int) -> str:
    """Two lines: the facets' poles at both ends of the axis, then how much it explains.

    For example ``"<- by appointment, formal  |  walk-in, informal ->"`` over
    ``"axis 1: 62% of the differences at week 0"``; the poles are those of the (at most two)
    facets that weigh most on the axis.
    """
    top = np.argsort(-np.abs(loading))[:2]
    top = [i for i in top if abs(loading[i]) > 0.3] or [int(np.argmax(np.abs(loading)))]
    low_end, high_end = [], []
    for i in top:
        poles = FACET_POLES.get(facets[i], (f"low {facets[i]}", f"high {facets[i]}"))
        poles = tuple(p.split(" (")[0] for p in poles)
        lo, hi = (poles[0], poles[1]) if loading[i] > 0 else (poles[1], poles[0])
        low_end.append(lo)
        high_end.append(hi)
    return (
        f"\u2190 {', '.join(low_end)}   |   {', '.join(high_end)} \u2192\n"
        f"axis {k}: {explained:.0%} of the differences at week 0"
    )


def practice_basis(practices: np.ndarray, facets: Sequence[str]) -> Basis:
    """Principal axes of the initial practices: the practice view's fixed frame.

    Computed once, when a run starts, so that the view does not jump as practices move. The
    sign of each axis is fixed so that its largest loading is positive. With a single facet
    the second axis is empty (zero).
    """
    x = np.asarray(practices, dtype=float)
    center = x.mean(axis=0)
    d = x.shape[1]
    _, s, vt = np.linalg.svd(x - center, full_matrices=False)
    axes = np.zeros((d, 2))
    k = min(2, vt.shape[0])
    axes[:, :k] = vt[:k].T
    for j in range(k):
        if axes[np.argmax(np.abs(axes[:, j])), j] < 0:
            axes[:, j] *= -1
    var = s**2
    total = var.sum() if var.sum() > 0 else 1.0
    explained = tuple(float(var[j] / total) if j < var.size else 0.0 for j in range(2))
    labels = tuple(
        _axis_label(axes[:, j], facets, explained[j], j + 1)
        if np.any(axes[:, j])
        else "(one facet only)"
        for j in range(2)
    )
    proj = (x - center) @ axes
    limits = []
    for j in range(2):
        lo, hi = (float(proj[:, j].min()), float(proj[:, j].max())) if proj.size else (0, 0)
        pad = max(0.25 * (hi - lo), 0.08)
        limits.append((lo - pad, hi + pad))
    return Basis(center, axes, explained, labels, tuple(limits))


@dataclass(frozen=True)
class Styles:
    """Colours, markers and legend names of the associations.

    Up to twelve associations each get their own colour and marker and a legend entry with its
    name; more (a landscape) are coloured by their kind of association.
    """

    colours: tuple[str, ...]
    markers: tuple[str, ...]
    legend: tuple[tuple[str, str, str], ...]
    """(label, colour, marker) entries of the legend."""
    by_kind: bool


def association_styles(names: Sequence[str], kinds: Sequence[str]) -> Styles:
    """Styles of the associations of a setting (see :class:`Styles`)."""
    n = len(names)
    if n <= 12:
        colours = tuple(PALETTE[a % len(PALETTE)] for a in range(n))
        markers = tuple(MARKERS[(a // len(PALETTE)) % len(MARKERS)] for a in range(n))
        legend = tuple(zip(names, colours, markers, strict=True))
        return Styles(colours, markers, legend, by_kind=False)
    colours = tuple(KIND_COLOURS.get(k, "#777777") for k in kinds)
    present = [k for k in KIND_COLOURS if k in set(kinds)]
    legend = tuple((KIND_LABELS[k], KIND_COLOURS[k], "o") for k in present)
    return Styles(colours, ("o",) * n, legend, by_kind=True)


_RUN_SERIAL = itertools.count()


@dataclass(eq=False)
class Run:
    """A model being watched: the model, its fixed view frame and a lock for its state."""

    model: PoolingModel
    seed: int
    basis: Basis
    styles: Styles
    sample: np.ndarray
    lock: threading.Lock = field(default_factory=threading.Lock)
    serial: int = field(default_factory=lambda: next(_RUN_SERIAL))
    """A number no other run of this process has (``id`` can be reused after a run is freed)."""

    def step(self, weeks: int = 1) -> None:
        """Advance the model ``weeks`` working weeks."""
        with self.lock:
            for _ in range(weeks):
                self.model.step()


def start_run(params: Mapping[str, Any], seed: int) -> Run:
    """Build the model with ``params`` and an integer ``seed``, and fix its view frame."""
    model = PoolingModel(**params, rng=int(seed))
    specs = model.setting.associations
    n = model.world.n_workers
    # the drawn sample of a large landscape is fixed for the run (a view choice, not the model's)
    sample = (
        np.sort(np.random.default_rng(0).choice(n, DETAIL_LIMIT, replace=False))
        if n > DETAIL_LIMIT
        else np.arange(n)
    )
    return Run(
        model=model,
        seed=int(seed),
        basis=practice_basis(model.practices, model.facets),
        styles=association_styles([s.name for s in specs], [s.kind for s in specs]),
        sample=sample,
    )


# --- snapshots and views ----------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """Everything the views draw, copied from the model at one moment."""

    week: int
    practices: np.ndarray
    membership: np.ndarray
    positions: np.ndarray
    assoc_site: np.ndarray
    cp_edges: np.ndarray
    cp_weight: np.ndarray
    ties: np.ndarray
    common: np.ndarray
    initial_centroids: np.ndarray
    names: tuple[str, ...]
    measures: Mapping[str, Any]
    history: pd.DataFrame
    record_every: int
    phase: str
    schedule: tuple[Any, ...]
    levels: tuple[float, float, float]
    scenario: str


def snapshot(run: Run) -> Snapshot:
    """Copy what the views need from the run's model (under its lock)."""
    with run.lock:
        m = run.model
        w = m.world
        return Snapshot(
            week=int(m.steps),
            practices=w.practices.copy(),
            membership=w.membership.copy(),
            positions=m.positions,
            assoc_site=w.assoc_site,
            cp_edges=w.cp_edges,
            cp_weight=m.layers.weight,
            ties=m.ties(),
            common=m.common_work_pairs(),
            initial_centroids=m.initial_centroids,
            names=tuple(s.name for s in m.setting.associations),
            measures=dict(m.measures()),
            history=m.datacollector.get_model_vars_dataframe().copy(),
            record_every=int(m.params.record_every),
            phase=str(m.phase.name),
            schedule=tuple(m.setting.schedule),
            levels=tuple(float(v) for v in m.levels),
            scenario=m.scenario_name,
        )


def _centroids(x: np.ndarray, membership: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    counts = np.bincount(membership, minlength=n)
    sums = np.zeros((n, x.shape[1]))
    np.add.at(sums, membership, x)
    return sums / np.maximum(counts, 1)[:, None], counts


def _sample_rows(rows: np.ndarray, k: int) -> np.ndarray:
    if len(rows) <= k:
        return rows
    pick = np.random.default_rng(1).choice(len(rows), k, replace=False)
    return rows[np.sort(pick)]


def _legend_handles(styles: Styles, size: float = 7) -> list[Line2D]:
    return [
        Line2D([], [], ls="", marker=mk, color=c, markersize=size, label=label)
        for label, c, mk in styles.legend
    ]


def _scatter(
    ax: Any, xy: np.ndarray, colours: Sequence[str], markers: Sequence[str], **kw: Any
) -> None:
    """One scatter call per marker shape (a call per association is slow for landscapes)."""
    markers = np.asarray(markers)
    colours = np.asarray(colours)
    for marker in np.unique(markers):
        rows = markers == marker
        ax.scatter(xy[rows, 0], xy[rows, 1], c=list(colours[rows]), marker=str(marker), **kw)


def network_figure(snap: Snapshot, styles: Styles) -> Figure:
    """The co-location network: workers by site and association, co-presence and ties.

    Grey lines join workers who share premises (co-presence, thicker where their associations
    share more space and hours); dark lines are collaboration ties (thicker = stronger); dashed
    vermillion lines join workers in the same pooled function (common work). Above
    ``DETAIL_LIMIT`` workers, each association is drawn as one disc (area = its workers) and
    dark lines count the ties between associations.
    """
    named = not styles.by_kind and snap.membership.size <= DETAIL_LIMIT
    fig = Figure(figsize=(6.4, 4.8), dpi=100)
    ax = fig.add_axes((0.01, 0.15, 0.98, 0.84))
    ax.set_aspect("equal", adjustable="box")
    ax.axis("off")
    site_xy = _site_centres(snap)
    for s, (x, y) in enumerate(site_xy):
        ax.add_patch(_site_patch(x, y))
        if 1 < len(site_xy) <= 30:
            ax.text(
                x - 1.3, y + 1.3, f"site {s + 1}", ha="left", va="top", fontsize=6.5, color="#666"
            )
    if snap.membership.size > DETAIL_LIMIT:
        _draw_associations(ax, snap, styles)
    else:
        _draw_workers(ax, snap, styles)
    handles = [
        Patch(facecolor="#f3f3f3", edgecolor="#d0d0d0", label="one site (building)"),
        Line2D([], [], color="#999999", lw=1, label="share premises (co-presence)"),
        Line2D([], [], color="#222222", lw=2.2, label="collaboration tie"),
        Line2D([], [], color=VERMILLION, lw=1.5, ls="--", label="common work"),
    ]
    # a case's associations are named on the picture; a landscape's kinds need a legend
    fig.legend(
        handles=handles + ([] if named else _legend_handles(styles)),
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        ncols=2 if named else 3,
        fontsize=8,
        frameon=False,
        columnspacing=1.5,
    )
    # the site boxes, plus room for the association names around a case's single site
    lo = np.minimum(snap.positions.min(axis=0), site_xy.min(axis=0) - 1.4)
    hi = np.maximum(snap.positions.max(axis=0), site_xy.max(axis=0) + 1.4)
    pad = (1.2, 0.35) if named else (0.15, 0.15)
    ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
    ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])
    return fig


def _site_centres(snap: Snapshot) -> np.ndarray:
    """Centre of each site: the mean of its associations' centres.

    Not the mean of its workers, so that a large association does not pull the box off the
    site's place in the layout.
    """
    n_sites = int(snap.assoc_site.max()) + 1 if snap.assoc_site.size else 1
    assoc_xy, counts = _centroids(snap.positions, snap.membership, len(snap.names))
    has = counts > 0
    sums = np.zeros((n_sites, 2))
    np.add.at(sums, snap.assoc_site[has], assoc_xy[has])
    return sums / np.maximum(np.bincount(snap.assoc_site[has], minlength=n_sites), 1)[:, None]


def _site_patch(x: float, y: float) -> FancyBboxPatch:
    return FancyBboxPatch(
        (x - 1.38, y - 1.38),
        2.76,
        2.76,
        boxstyle="round,pad=0.02,rounding_size=0.4",
        facecolor="#f3f3f3",
        edgecolor="#d0d0d0",
        lw=0.8,
        zorder=0,
    )


def _draw_workers(ax: Any, snap: Snapshot, styles: Styles) -> None:
    pos = snap.positions
    cp = _sample_rows(np.arange(len(snap.cp_edges)), EDGE_SAMPLE)
    if cp.size:
        weight = snap.cp_weight[cp] if len(snap.cp_weight) == len(snap.cp_edges) else 1.0
        lc = LineCollection(
            pos[snap.cp_edges[cp]],
            colors="#999999",
            linewidths=0.3 + 0.9 * weight,
            alpha=0.25,
            zorder=1,
        )
        ax.add_collection(lc)
    if snap.common.size:
        ax.add_collection(
            LineCollection(
                pos[_sample_rows(snap.common, EDGE_SAMPLE)],
                colors=VERMILLION,
                linewidths=1.2,
                linestyles="--",
                zorder=2,
            )
        )
    if snap.ties.size:
        ties = _sample_rows(snap.ties, EDGE_SAMPLE)
        ends = ties[:, :2].astype(np.int64)
        # many workers: thinner ties, so that the sites do not turn into black knots
        width = 2.5 if snap.membership.size <= 100 else 1.0
        ax.add_collection(
            LineCollection(
                pos[ends],
                colors="#222222",
                linewidths=0.3 + width * ties[:, 2],
                alpha=0.6,
                zorder=3,
            )
        )
    n = snap.membership.size
    size = 60 if n <= 100 else 14 if n <= 600 else 6
    _scatter(
        ax,
        pos,
        np.asarray(styles.colours)[snap.membership],
        np.asarray(styles.markers)[snap.membership],
        s=size,
        edgecolors="white",
        linewidths=0.6,
        zorder=4,
    )
    if not styles.by_kind:
        centres, _ = _centroids(pos, snap.membership, len(snap.names))
        middle = pos.mean(axis=0)
        for a, (x, y) in enumerate(centres):
            dx, dy = x - middle[0], y - middle[1]
            norm = math.hypot(dx, dy) or 1.0
            ax.text(
                x + 0.6 * dx / norm,
                y + 0.6 * dy / norm,
                snap.names[a],
                ha="center" if abs(dx) < 0.3 * norm else "left" if dx > 0 else "right",
                va="center",
                fontsize=8.5,
                color="#222",
                zorder=5,
            )


def _draw_associations(ax: Any, snap: Snapshot, styles: Styles) -> None:
    n_assoc = len(snap.names)
    centres, counts = _centroids(snap.positions, snap.membership, n_assoc)
    site = snap.assoc_site
    i, j = np.nonzero(np.triu(site[:, None] == site[None, :], k=1))
    if i.size:
        segs = np.stack([centres[i], centres[j]], axis=1)
        ax.add_collection(LineCollection(segs, colors="#999999", linewidths=0.6, alpha=0.5))
    if snap.ties.size:
        ai = snap.membership[snap.ties[:, 0].astype(np.int64)]
        aj = snap.membership[snap.ties[:, 1].astype(np.int64)]
        key, count = np.unique(
            np.minimum(ai, aj) * n_assoc + np.maximum(ai, aj), return_counts=True
        )
        pairs = np.stack(np.divmod(key, n_assoc), axis=1)
        ax.add_collection(
            LineCollection(
                centres[pairs],
                colors="#222222",
                linewidths=0.4 + 3.0 * count / count.max(),
                alpha=0.7,
            )
        )
    ax.scatter(
        centres[:, 0],
        centres[:, 1],
        s=4 + 2.0 * counts,
        c=list(styles.colours),
        edgecolors="white",
        linewidths=0.5,
        zorder=4,
    )
    ax.set_title(
        f"{snap.membership.size:,} workers: one disc per association (area = workers)", fontsize=8
    )


def practice_figure(snap: Snapshot, basis: Basis, styles: Styles, sample: np.ndarray) -> Figure:
    """The practice space: workers, association centres now (filled) and at week 0 (rings).

    Practices are projected on the fixed principal axes of the initial practices (see
    :func:`practice_basis`); an arrow joins each association's starting centre to its centre
    now. Associations that drift together converge; a worker between two colours has a mixed
    practice. A landscape above ``DETAIL_LIMIT`` workers shows a fixed sample of workers.
    """
    fig = Figure(figsize=(6.4, 4.8), dpi=100)
    ax = fig.add_axes((0.13, 0.15, 0.52, 0.82))
    n_assoc = len(snap.names)
    colours = np.asarray(styles.colours)
    markers = np.asarray(styles.markers)
    xy = basis.project(snap.practices[sample])
    mem = snap.membership[sample]
    if not np.any(basis.axes[:, 1]):
        # a single facet: spread the workers vertically by association so that they show
        xy[:, 1] = (mem - (n_assoc - 1) / 2) * 0.02
    many = snap.membership.size > 200
    ax.scatter(
        xy[:, 0],
        xy[:, 1],
        s=6 if many else 22,
        c=list(colours[mem]),
        alpha=0.45 if many else 0.65,
        linewidths=0,
        zorder=2,
    )
    now, counts = _centroids(snap.practices, snap.membership, n_assoc)
    present = np.flatnonzero(counts > 0)
    start = basis.project(snap.initial_centroids)[present]
    now_xy = basis.project(now)[present]
    if not np.any(basis.axes[:, 1]):
        start[:, 1] = now_xy[:, 1] = (present - (n_assoc - 1) / 2) * 0.02
    big = n_assoc <= 12
    ax.quiver(
        start[:, 0],
        start[:, 1],
        now_xy[:, 0] - start[:, 0],
        now_xy[:, 1] - start[:, 1],
        angles="xy",
        scale_units="xy",
        scale=1,
        color=list(colours[present]),
        width=0.004,
        zorder=3,
    )
    ax.scatter(
        start[:, 0],
        start[:, 1],
        s=110 if big else 30,
        facecolors="none",
        edgecolors=list(colours[present]),
        linewidths=1.6,
        zorder=3,
    )
    _scatter(
        ax,
        now_xy,
        colours[present],
        markers[present],
        s=130 if big else 36,
        edgecolors="black",
        linewidths=1.0,
        zorder=4,
    )
    (x0, x1), (y0, y1) = basis.limits
    seen = np.vstack([xy, now_xy, start])
    ax.set_xlim(min(x0, seen[:, 0].min() - 0.02), max(x1, seen[:, 0].max() + 0.02))
    ax.set_ylim(min(y0, seen[:, 1].min() - 0.02), max(y1, seen[:, 1].max() + 0.02))
    ax.set_xlabel(basis.labels[0], fontsize=8)
    ax.set_ylabel(basis.labels[1], fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(True, color="#eeeeee", lw=0.6)
    worker = "one worker"
    if snap.membership.size > sample.size:
        worker = f"workers ({sample.size:,} of\n{snap.membership.size:,} shown)"
    handles = [
        Line2D(
            [],
            [],
            ls="",
            marker="o",
            mfc="none",
            mec="#444",
            mew=1.5,
            ms=9,
            label="association\nat week 0",
        ),
        Line2D(
            [], [], ls="", marker="o", color="#444", mec="black", ms=9, label="association now"
        ),
        Line2D([], [], ls="", marker="o", color="#444", alpha=0.5, ms=4, label=worker),
    ]
    fig.legend(
        handles=handles + _legend_handles(styles),
        loc="upper left",
        bbox_to_anchor=(0.66, 0.98),
        fontsize=8,
        frameon=False,
        labelspacing=0.45,
    )
    return fig


METRIC_LINES: tuple[tuple[int, str, str, str, str], ...] = (
    (0, "centroid_distance_ratio", "distance between associations (1 = as at week 0)", BLUE, "-"),
    (0, "identity_kappa", "workers recognisable by their association", SKY, "--"),
    (1, "hybrid_share", "workers with a hybrid practice", GREEN, "-"),
    (1, "public_access", "beneficiaries who find a practice that fits", ORANGE, "--"),
)
"""(panel, measure, plain-language label, colour, line style) of the live plots."""


def metrics_figure(snap: Snapshot) -> Figure:
    """Live plots of the measures over the weeks, with the regime of each week as a band.

    Left: are the associations still distinct? (centroid distance ratio and identity kappa,
    with the isomorphism thresholds dotted). Right: are practices mixing, and can the public
    still find a fitting practice? (hybrid share, public access). Below: the regime week by
    week. When the schedule has phases (the helpline), every other phase is shaded.
    """
    fig = Figure(figsize=(11.5, 4.4), dpi=100)
    left = fig.add_axes((0.05, 0.30, 0.43, 0.47))
    right = fig.add_axes((0.555, 0.30, 0.43, 0.47), sharex=left)
    band = fig.add_axes((0.05, 0.09, 0.935, 0.07), sharex=left)
    df = snap.history
    weeks = np.arange(len(df)) * snap.record_every
    thresholds = RegimeThresholds()
    for panel, key, label, colour, ls in METRIC_LINES:
        if key in df:
            values = pd.to_numeric(df[key], errors="coerce").to_numpy(dtype=float)
            (left, right)[panel].plot(
                weeks,
                values,
                color=colour,
                ls=ls,
                lw=2,
                label=label,
                marker="o",
                markersize=3 if len(weeks) < 40 else 0,
            )
    left.axhline(thresholds.isomorphism_ratio, color=BLUE, lw=0.9, ls=":")
    left.axhline(
        thresholds.isomorphism_kappa,
        color=SKY,
        lw=0.9,
        ls=":",
        label="isomorphism below a dotted line",
    )
    titles = (
        "Are the associations still distinct?",
        "Are practices mixing? Is the public served?",
    )
    for ax, title in zip((left, right), titles, strict=True):
        fig.text(
            ax.get_position().x0,
            0.955,
            title,
            fontsize=10,
            fontweight="bold",
            color="#333",
            va="top",
        )
        ax.set_ylim(-0.04, 1.1)
        ax.grid(True, color="#eeeeee", lw=0.6)
        ax.tick_params(labelsize=8)
        ax.legend(
            fontsize=8,
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            frameon=False,
            borderaxespad=0.2,
            handlelength=2.5,
        )
        _shade_phases(ax, df, weeks, snap.record_every)
    _regime_band(band, df, weeks, snap.record_every)
    band.set_xlabel("week", fontsize=8, labelpad=1)
    band.set_xlim(0, max(weeks[-1] if len(weeks) else 0, 10) + snap.record_every)
    left.tick_params(labelbottom=True)
    right.tick_params(labelbottom=True)
    band.xaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


def _runs(labels: Sequence[Any]) -> list[tuple[int, int, Any]]:
    """Runs of equal consecutive labels as (first index, last index + 1, label)."""
    out: list[tuple[int, int, Any]] = []
    for i, label in enumerate(labels):
        if out and out[-1][2] == label:
            out[-1] = (out[-1][0], i + 1, label)
        else:
            out.append((i, i + 1, label))
    return out


def _shade_phases(ax: Any, df: pd.DataFrame, weeks: np.ndarray, every: int) -> None:
    if "phase" not in df or df["phase"].nunique() < 2:
        return
    runs = _runs(list(df["phase"]))
    for k, (i, j, name) in enumerate(runs):
        if k % 2 == 0:
            ax.axvspan(weeks[i], weeks[j - 1] + every, color="#f4f4f4", zorder=0)
        ax.text(weeks[i], 1.13, f" {name}", fontsize=7, color="#555", va="top")


def _regime_band(ax: Any, df: pd.DataFrame, weeks: np.ndarray, every: int) -> None:
    ax.set_yticks([])
    ax.set_ylabel("regime", fontsize=8, rotation=0, ha="right", va="center")
    ax.tick_params(labelsize=8)
    if "regime" not in df or not len(df):
        return
    for i, j, name in _runs(list(df["regime"])):
        ax.axvspan(weeks[i], weeks[j - 1] + every, color=REGIME_COLOURS.get(name, "#999"))
    handles = [Line2D([], [], color=REGIME_COLOURS[r], lw=6, label=r) for r in REGIMES]
    ax.legend(
        handles=handles,
        ncols=4,
        fontsize=8,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        frameon=False,
        borderaxespad=0.1,
    )


# --- Solara components ------------------------------------------------------------------------

ACCENT = "#37474F"
"""Colour of the app bar, buttons and sliders: a neutral slate, so that colour on the page
always means an association or a regime."""
SIDEBAR_STYLE = {"width": "370px", "min-width": "370px", "max-width": "370px"}
CARD_STYLE = {"padding": "10px 14px"}


def _style(style: Mapping[str, str]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in style.items())


def Para(text: str, classes: Sequence[str] = (), **style: str) -> Any:
    """A block of text (``div``); style keywords use underscores for dashes."""
    css = {"font-size": "0.82rem", "color": "#555", "line-height": "1.25"}
    css.update({k.replace("_", "-"): v for k, v in style.items()})
    return solara.v.Html(tag="div", children=[text], class_=" ".join(classes), style_=_style(css))


@solara.component
def ValueLabel(label: str, value: str, unit: str = "") -> None:
    """A control's label, its current value on the right, and its unit below in grey."""
    with solara.Row(justify="space-between", style={"align-items": "baseline", "gap": "8px"}):
        solara.Text(label, style={"font-weight": "500", "font-size": "0.95rem"})
        solara.Text(
            value,
            style={"font-family": "monospace", "font-size": "0.95rem"},
            classes=["param-value"],
        )
    if unit:
        Para(unit, font_size="0.78rem", color="#666", margin_top="-10px")


@solara.component
def ParamControl(
    control: Control, value: Any, on_value: Callable[[Any], None], implied: float | None = None
) -> None:
    """The widget of one parameter, wrapped in a block of class ``param-<name>``."""
    spec = control.spec
    cast = int if spec.kind == "int" else float
    with solara.Column(gap="2px", classes=[f"param-{control.name}"]):
        if control.widget == "choice":
            labels = SCENARIO_TEXT if control.name == "scenario" else {}
            with solara.ToggleButtonsSingle(value=value, on_value=on_value, dense=True):
                for choice in control.values:
                    text = labels.get(choice, (choice,))[0] if labels else choice
                    solara.Button(text, value=choice, text=True, classes=[f"choice-{choice}"])
        elif control.widget == "check":
            solara.Checkbox(label=control.label, value=bool(value), on_value=on_value)
        elif control.widget == "ladder":
            values = control.values
            index = values.index(value) if value in values else 0
            ValueLabel(control.label, format_value(value, control), spec.unit)
            solara.v.Slider(
                v_model=index,
                on_v_model=lambda i: on_value(int(values[round(float(i))])),
                min=0,
                max=len(values) - 1,
                step=1,
                hide_details=True,
                density="compact",
                color=ACCENT,
            )
        elif control.widget == "optional":
            manual = value is not None
            shown = value if manual else implied
            ValueLabel(
                control.label,
                format_value(shown, control) + ("" if manual else " (auto)"),
                spec.unit,
            )
            solara.Checkbox(
                label="set by hand",
                value=manual,
                on_value=lambda on: on_value(
                    float(implied if implied is not None else spec.low) if on else None
                ),
            )
            solara.v.Slider(
                v_model=shown if shown is not None else spec.low,
                on_v_model=lambda v: on_value(float(v)),
                min=control.low,
                max=control.high,
                step=control.step,
                hide_details=True,
                density="compact",
                disabled=not manual,
                color=ACCENT,
            )
        else:
            ValueLabel(control.label, format_value(value, control), spec.unit)
            solara.v.Slider(
                v_model=value,
                on_v_model=lambda v: on_value(cast(round(float(v), 10))),
                min=control.low,
                max=control.high,
                step=control.step,
                hide_details=True,
                density="compact",
                color=ACCENT,
            )


@solara.component
def RegimeBadge(regime: str, week: int) -> None:
    """The regime now, as a coloured badge with a plain-language explanation."""
    colour = REGIME_COLOURS.get(regime, "#777777")
    ink = text_colour(colour)
    with solara.Column(
        gap="4px",
        classes=["regime-badge", f"regime-{regime}"],
        style={
            "background": colour,
            "color": ink,
            "border-radius": "10px",
            "padding": "12px 16px",
            "min-width": "300px",
            "flex": "2 1 340px",
        },
    ):
        Para(
            f"Week {week}: what pooling is doing now",
            ["regime-week"],
            color=ink,
            font_size="0.8rem",
            opacity="0.9",
        )
        Para(
            regime.capitalize(),
            ["regime-name"],
            color=ink,
            font_size="1.6rem",
            font_weight="700",
            line_height="1.9rem",
        )
        Para(REGIME_TEXT.get(regime, ""), ["regime-text"], color=ink, font_size="0.92rem")


def _percent_bar(label: str, share: float, colour: str) -> None:
    share = 0.0 if share is None or not math.isfinite(share) else min(max(share, 0.0), 1.0)
    with solara.Row(style={"align-items": "center", "gap": "6px"}):
        solara.Text(label, style={"width": "108px", "font-size": "0.85rem"})
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f'<div style="width:110px;height:10px;background:#e6e6e6;border-radius:5px">'
                f'<div style="width:{share * 100:.0f}%;height:10px;background:{colour};'
                f'border-radius:5px"></div></div>'
            ),
        )
        solara.Text(f"{share:.0%}", style={"font-size": "0.85rem", "font-family": "monospace"})


@solara.component
def StatusCards(snap: Snapshot) -> None:
    """The regime badge, the pooling levels and phase in force, and public access."""
    m = snap.measures
    with solara.Row(style={"flex-wrap": "wrap", "gap": "12px", "align-items": "stretch"}):
        RegimeBadge(str(m.get("regime", "persistence")), snap.week)
        with solara.Card(style={**CARD_STYLE, "flex": "1 1 280px"}, classes=["pooling-card"]):
            phase_line = _phase_line(snap)
            Para(
                phase_line,
                ["phase-text"],
                font_size="0.85rem",
                font_weight="500",
                color="#222",
                margin_bottom="6px",
            )
            for name, level, colour in zip(
                LEVEL_NAMES, snap.levels, (SKY, GREEN, VERMILLION), strict=True
            ):
                _percent_bar(LEVEL_LABELS[name], level, colour)
        with solara.Card(style={**CARD_STYLE, "flex": "1 1 200px"}, classes=["access-card"]):
            access = m.get("public_access", math.nan)
            text = "n/a" if access is None or not math.isfinite(access) else f"{access:.0%}"
            Para("Public access", font_size="0.85rem", font_weight="500", color="#222")
            Para(text, ["access-value"], font_size="1.6rem", font_weight="700", color="#B06E00")
            Para("of beneficiaries find, on their site, a worker whose practice fits their needs")


def _phase_line(snap: Snapshot) -> str:
    if len(snap.schedule) < 2:
        return "Pooling levels in force (from the intensity, or set by hand)"
    parts = []
    for k, phase in enumerate(snap.schedule):
        end = snap.schedule[k + 1].start - 1 if k + 1 < len(snap.schedule) else None
        span = f"weeks {phase.start}\u2013{end}" if end is not None else f"from week {phase.start}"
        parts.append((phase.name, span))
    now = next(((name, span) for name, span in parts if name == snap.phase), (snap.phase, ""))
    what = PHASE_TEXT.get(now[0], "")
    return f"Phase now: {now[0]} ({now[1]}): {what}"


@solara.component
def FigureView(make: Callable[[], Figure], dependencies: Sequence[Any]) -> None:
    """A figure as a PNG image, drawn again only when ``dependencies`` change."""

    def png() -> bytes:
        buffer = io.BytesIO()
        make().savefig(buffer, format="png")
        return buffer.getvalue()

    image = solara.use_memo(png, list(dependencies))
    rw.Image(value=image, format="png", layout={"max_width": "100%", "height": "auto"})


@solara.component
def Views(run: Run, tick: solara.Reactive[int], drawn: threading.Event | None = None) -> None:
    """The status cards and the three views of the current state.

    Reading ``tick`` subscribes this component (and not the whole page) to every step;
    ``drawn`` is set once the views of a step are drawn (the play loop waits for it).
    """
    frame = tick.value
    solara.use_effect(lambda: drawn.set() if drawn is not None else None, [frame])
    snap = snapshot(run)
    StatusCards(snap)
    with solara.Row(style={"flex-wrap": "wrap", "gap": "12px"}):
        for title, caption, make, cls in (
            (
                "Who meets whom",
                "Workers by site and association: grey = share premises, "
                "dark = collaboration ties, dashed = common work.",
                lambda: network_figure(snap, run.styles),
                "view-network",
            ),
            (
                "Practice space",
                "Each dot is a worker's way of working; rings = where each association "
                "started, filled marks = where it is now.",
                lambda: practice_figure(snap, run.basis, run.styles, run.sample),
                "view-practices",
            ),
            (
                "Measures over the weeks",
                "Lines that fall mean associations merge; the band shows the regime each week.",
                lambda: metrics_figure(snap),
                "view-metrics",
            ),
        ):
            wide = cls == "view-metrics"
            flex = "1 1 100%" if wide else "1 1 520px"
            with solara.Card(title, style={**CARD_STYLE, "flex": flex}, classes=[cls]):
                Para(caption)
                FigureView(make, [run.serial, snap.week])


@solara.component
def Dashboard(
    initial: Mapping[str, Any] | None = None,
    seed: int = DEFAULT_SEED,
    play_interval: float = PLAY_INTERVAL,
) -> None:
    """The whole dashboard: controls on the left, the run's views on the right.

    Args:
        initial: parameter values that replace the model's defaults at start.
        seed: the first seed.
        play_interval: seconds between frames while playing.
    """
    ctrls = solara.use_memo(controls, [])
    values = solara.use_reactive({**default_parameters(), **(initial or {})})
    seed_value = solara.use_reactive(int(seed))
    resets = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    tick = solara.use_reactive(0)
    drawn = solara.use_memo(threading.Event, [])
    speed = solara.use_reactive(1)
    error = solara.use_reactive((-1, ""))  # (serial of the run that failed, message)
    last_good = solara.use_ref(None)

    def build() -> tuple[Run | None, str | None]:
        try:
            new = start_run(values.value, seed_value.value)
        except Exception as exc:  # a combination of controls the model refuses
            return last_good.current, f"Could not build the model with these settings: {exc}"
        last_good.current = new
        return new, None

    key = (tuple(sorted(values.value.items())), seed_value.value, resets.value)
    run, build_error = solara.use_memo(build, [key])

    def play(cancel: threading.Event) -> None:
        while playing.value and not cancel.is_set() and run is not None:
            started = time.perf_counter()
            try:
                run.step(speed.value)
            except Exception as exc:
                error.set((run.serial, f"The model failed at week {run.model.steps}: {exc}"))
                playing.set(False)
                return
            drawn.clear()
            tick.set(tick.value + 1)
            # the next week waits until this one is drawn: drawing, not the model, is the slow
            # part, and a week stepped during a redraw would make the page redraw forever
            drawn.wait(timeout=30)
            cancel.wait(max(0.0, play_interval - (time.perf_counter() - started)))

    solara.use_thread(play, dependencies=[playing.value, run], intrusive_cancel=False)

    def set_param(name: str, value: Any) -> None:
        values.set({**values.value, name: value})

    def reset() -> None:
        """Back to week 0 with the same settings and seed, paused."""
        playing.set(False)
        resets.set(resets.value + 1)

    def step() -> None:
        if run is None:
            return
        try:
            run.step(speed.value)
        except Exception as exc:
            error.set((run.serial, f"The model failed at week {run.model.steps}: {exc}"))
        tick.set(tick.value + 1)

    solara.Title("Pooling: isomorphism or hybridisation?")
    solara.AppBarTitle("Pooling associations: do practices mix or converge?")
    with solara.Row(style={"align-items": "flex-start", "gap": "16px", "padding": "8px"}):
        with solara.Column(style=SIDEBAR_STYLE, gap="12px", classes=["controls"]):
            RunCard(run, tick, playing, speed, step, reset)
            SettingCard(ctrls, values.value, set_param, seed_value)
            groups = control_groups()
            for title, names, _ in (g for g in groups if g[2]):
                ParamGroup(title, names, True, ctrls, values.value, set_param)
            with solara.Card("More controls", style=CARD_STYLE, classes=["more-controls"]):
                Para("Open a group to change the finer rules of the model.")
                for title, names, _ in (g for g in groups if not g[2]):
                    ParamGroup(title, names, False, ctrls, values.value, set_param)
        with solara.Column(
            style={"flex": "1 1 auto", "min-width": "0"}, gap="12px", classes=["views"]
        ):
            Para(INTRO, ["intro"], font_size="0.95rem", color="#333")
            failed = error.value[1] if run is not None and error.value[0] == run.serial else None
            for message in (build_error, failed):
                if message:
                    solara.Error(message, classes=["dashboard-error"])
            if run is not None:
                Views(run, tick, drawn)


@solara.component
def RunCard(
    run: Run | None,
    tick: solara.Reactive[int],
    playing: solara.Reactive[bool],
    speed: solara.Reactive[int],
    on_step: Callable[[], None],
    on_reset: Callable[[], None],
) -> None:
    """Week counter, Step, Play / Pause, Reset, and the speed (``tick``: redraw on a step)."""
    _ = tick.value
    with solara.Card(style=CARD_STYLE, classes=["run-card"]):
        week = run.model.steps if run is not None else 0
        Para(
            f"Week {week}",
            ["week-counter"],
            font_size="1.3rem",
            font_weight="700",
            color="#222",
            margin_bottom="6px",
        )
        with solara.Row(gap="8px"):
            solara.Button(
                "Pause" if playing.value else "Play",
                icon_name="mdi-pause" if playing.value else "mdi-play",
                color=ACCENT,
                on_click=lambda: playing.set(not playing.value),
                classes=["run-play"],
            )
            solara.Button(
                "Step",
                icon_name="mdi-step-forward",
                on_click=on_step,
                disabled=playing.value,
                classes=["run-step"],
            )
            solara.Button(
                "Reset", icon_name="mdi-restart", on_click=on_reset, classes=["run-reset"]
            )
        with solara.Column(gap="0px", classes=["param-speed"]):
            ValueLabel("Weeks per frame", str(speed.value))
            solara.v.Slider(
                v_model=speed.value,
                on_v_model=lambda v: speed.set(int(float(v))),
                min=1,
                max=10,
                step=1,
                hide_details=True,
                density="compact",
            )


@solara.component
def SettingCard(
    ctrls: Mapping[str, Control],
    values: Mapping[str, Any],
    set_param: Callable[[str, Any], None],
    seed: solara.Reactive[int],
) -> None:
    """Scenario, layout of the premises and seed: the set-up of the run."""
    message = solara.use_reactive("")

    def set_seed(value: int | None) -> None:
        if value is None or value < 0:
            message.set("The seed is a whole number, 0 or more.")
            return
        message.set("")
        seed.set(int(value))

    with solara.Card(style=CARD_STYLE, classes=["setting-card"]):
        scenario = values.get("scenario")
        Para("Scenario", font_weight="500", color="#222", font_size="0.95rem")
        ParamControl(ctrls["scenario"], scenario, lambda v: set_param("scenario", v))
        Para(SCENARIO_TEXT.get(scenario, (scenario, ""))[1], ["scenario-text"])
        if "layout" in ctrls:
            Para("Premises", font_weight="500", color="#222", font_size="0.95rem")
            ParamControl(ctrls["layout"], values.get("layout"), lambda v: set_param("layout", v))
            Para(LAYOUT_TEXT.get(values.get("layout"), ""))
        with solara.Column(gap="0px", classes=["param-seed"]):
            solara.InputInt(
                "Seed (same seed, same run)",
                value=seed.value,
                on_value=set_seed,
                continuous_update=False,
            )
            if message.value:
                Para(message.value, ["seed-message"], color=VERMILLION)


@solara.component
def ParamGroup(
    title: str,
    names: Sequence[str],
    is_open: bool,
    ctrls: Mapping[str, Control],
    values: Mapping[str, Any],
    set_param: Callable[[str, Any], None],
) -> None:
    """A group of parameter controls; the main knobs are open, the others fold away."""
    implied = dict(
        zip(LEVEL_NAMES, pooling_levels(values.get("pooling_intensity", 0.0)), strict=True)
    )

    def body() -> None:
        for name in names:
            ParamControl(
                ctrls[name],
                values.get(name),
                lambda v, name=name: set_param(name, v),
                implied=implied.get(name),
            )

    slug = title.split(":")[0].split("(")[0].strip().lower().replace(" ", "-")
    if is_open:
        with solara.Card(title, style=CARD_STYLE, classes=[f"group-{slug}"]):
            body()
    else:
        with (
            solara.Column(gap="0px", classes=[f"group-{slug}"]),
            solara.Details(title, expand=False),
            solara.Column(gap="10px", style={"padding": "4px 4px 10px 4px"}),
        ):
            body()


@solara.component
def Layout(children: Sequence[Any] = ()) -> None:
    """Solara's app layout with the dashboard's neutral app bar."""
    solara.AppLayout(children=list(children), color=ACCENT)


@solara.component
def Page() -> None:
    """The page Solara serves (``solara run simulation.app``)."""
    Dashboard()


page = Page
"""Alias of :func:`Page` for Mesa's and Jupyter's ``page`` convention."""
