"""A run being watched: the model, its fixed view frame, its measures history and a lock."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulation.dashboard import regime
from simulation.dashboard.texts import DISPLAY_NAMES, KIND_LABELS
from simulation.model import PoolingModel
from simulation.scenarios import FACET_POLES

DETAIL_LIMIT = 2_000
"""Above this many workers the practice view draws a fixed sample of workers."""

HISTORY_KEYS: tuple[str, ...] = (
    *(key for key, _, _ in regime.MEASURES),
    "co_presence_level",
    "collaboration_level",
    "common_work_level",
)
"""Measures kept week by week for the plots and the CSV download."""

# Twelve colours that stay apart (Paul Tol's muted scheme, plus three of Okabe & Ito), and four
# shapes: twelve services differ by colour and, for colour-blind readers, by shape as well.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#332288",
    "#88CCEE",
    "#117733",
    "#999933",
    "#882255",
    "#44AA99",
    "#D55E00",
    "#6E6E6E",
)
SHAPES: tuple[str, ...] = ("circle", "square", "triangle-up", "diamond")
KIND_COLOURS: Mapping[str, str] = {
    "medical_practice": "#0072B2",
    "drug_service": "#E69F00",
    "social_service": "#009E73",
    "family_planning": "#CC79A7",
}


@dataclass(frozen=True)
class Basis:
    """A fixed 2-D projection of the practice space (principal axes of the initial practices).

    Attributes:
        center: ``(D,)`` mean initial practice.
        axes: ``(D, 2)`` unit vectors of the two axes.
        explained: share of the initial spread along each axis.
        labels: the two axis titles, in facets' words.
    """

    center: np.ndarray
    axes: np.ndarray
    explained: tuple[float, float]
    labels: tuple[str, str]

    def project(self, x: np.ndarray) -> np.ndarray:
        """Project ``(N, D)`` practices onto the two axes, ``(N, 2)``."""
        return (np.asarray(x, dtype=float) - self.center) @ self.axes


def _axis_label(loading: np.ndarray, facets: Sequence[str], explained: float, k: int) -> str:
    """An axis title from its poles, e.g. "by appointment → walk-in (axis 1: 62% of ...)"."""
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
        f"{', '.join(low_end)} \u2192 {', '.join(high_end)} "
        f"(axis {k}: {explained:.0%} of week-0 differences)"
    )


def practice_basis(practices: np.ndarray, facets: Sequence[str]) -> Basis:
    """Principal axes of the initial practices: the practice view's fixed frame.

    Computed once when a run starts, so the view does not jump as practices move; each axis's
    largest loading is positive. With a single facet the second axis is zero.
    """
    x = np.asarray(practices, dtype=float)
    center = x.mean(axis=0)
    _, s, vt = np.linalg.svd(x - center, full_matrices=False)
    axes = np.zeros((x.shape[1], 2))
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
    return Basis(center, axes, explained, labels)


@dataclass(frozen=True)
class Styles:
    """Names, colours and shapes of the associations (by kind above twelve associations)."""

    names: tuple[str, ...]
    colours: tuple[str, ...]
    shapes: tuple[str, ...]
    groups: tuple[str, ...]
    """The legend entry each association falls under (its name, or its kind)."""
    by_kind: bool


def association_styles(names: Sequence[str], kinds: Sequence[str]) -> Styles:
    """Styles of the associations of a setting: each its own up to twelve, else by kind."""
    shown = tuple(DISPLAY_NAMES.get(n, n) for n in names)
    n = len(names)
    if n <= len(PALETTE):
        colours = PALETTE[:n]
        shapes = tuple(SHAPES[a % len(SHAPES)] for a in range(n))
        return Styles(shown, colours, shapes, shown, by_kind=False)
    colours = tuple(KIND_COLOURS.get(k, "#777777") for k in kinds)
    groups = tuple(KIND_LABELS.get(k, k) for k in kinds)
    return Styles(shown, colours, ("circle",) * n, groups, by_kind=True)


_RUN_SERIAL = itertools.count()


@dataclass(eq=False)
class Run:
    """A model being watched: the model, its view frame, its measures week by week, a lock.

    ``history`` holds one row per recorded week (``HISTORY_KEYS`` and the raw regime label);
    it is filled as the run steps, so a frame never rebuilds a table from the DataCollector.
    """

    model: PoolingModel
    seed: int
    params: Mapping[str, Any]
    basis: Basis
    styles: Styles
    sample: np.ndarray
    judge: regime.Judge
    history: list[dict[str, Any]] = field(default_factory=list)
    cache: dict[Any, Any] = field(default_factory=dict)
    """Rows of the views that change rarely (kept by the views, keyed as they like)."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    serial: int = field(default_factory=lambda: next(_RUN_SERIAL))
    """A number no other run of this process has (``id`` can be reused after a run is freed)."""

    @property
    def week(self) -> int:
        """Weeks stepped so far."""
        return int(self.model.steps)

    def record(self) -> None:
        """Append this week's measures and the regime rule's judgement to the history."""
        m = self.model.measures()
        row = {"week": self.week, **{k: _number(m.get(k)) for k in HISTORY_KEYS}}
        row["phase"] = str(m.get("phase", ""))
        row.update(self.judge.update(self.week, m))
        self.history.append(row)

    def step(self, weeks: int = 1) -> None:
        """Advance the model ``weeks`` working weeks, recording every week."""
        with self.lock:
            for _ in range(weeks):
                self.model.step()
                self.record()

    def step_to(self, week: int) -> None:
        """Advance the model to week ``week`` (nothing if it is there already or past it)."""
        with self.lock:
            while self.week < week:
                self.model.step()
                self.record()


def _number(value: Any) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) else None


def start_run(params: Mapping[str, Any], seed: int) -> Run:
    """Build the model with ``params`` and an integer ``seed``, and fix its view frame."""
    model = PoolingModel(**params, rng=int(seed))
    specs = model.setting.associations
    n = model.world.n_workers
    sample = (
        np.sort(np.random.default_rng(0).choice(n, DETAIL_LIMIT, replace=False))
        if n > DETAIL_LIMIT
        else np.arange(n)
    )
    run = Run(
        model=model,
        seed=int(seed),
        params=dict(params),
        basis=practice_basis(model.practices, model.facets),
        styles=association_styles([s.name for s in specs], [s.kind for s in specs]),
        sample=sample,
        judge=regime.Judge(params, int(seed), int(n)),
    )
    run.record()
    return run
