"""A model's state at one week as plain arrays: what the figures of model state draw.

:class:`Snapshot` is the input type of :mod:`experiments.figures.state`; :func:`snapshot` and
:func:`sector_drift` copy it (or the sectors' drift) out of a live model, so that figures never
hold a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from simulation.model import PoolingModel


@dataclass(frozen=True)
class Snapshot:
    """The state of a model at one week, as plain arrays (what the state figures draw).

    Attributes:
        week: weeks run so far.
        scenario: the scenario's name.
        practices: ``(N, D)`` workers' practices in [0, 1].
        membership: ``(N,)`` association of each worker.
        positions: ``(N, 2)`` plot layout of the workers (by site and association; no units).
        colleague: ``(E, 2)`` colleague ties (workers of the same association).
        ties: ``(K, 3)`` collaboration ties as rows ``(i, j, strength)``.
        associations: association names.
        sectors: sector of each association (``"health"`` or ``"social"``).
        initial_centroids: ``(A, D)`` each association's mean practice at week 0.
        facets: facet names.
    """

    week: int
    scenario: str
    practices: np.ndarray
    membership: np.ndarray
    positions: np.ndarray
    colleague: np.ndarray
    ties: np.ndarray
    associations: tuple[str, ...]
    sectors: tuple[str, ...]
    initial_centroids: np.ndarray
    facets: tuple[str, ...] = field(default=())


def snapshot(model: PoolingModel) -> Snapshot:
    """Copy what the state figures need out of a model, now."""
    specs = model.setting.associations
    return Snapshot(
        week=int(model.steps),
        scenario=str(model.scenario_name),
        practices=np.array(model.practices, dtype=float),
        membership=np.array(model.membership, dtype=np.int64),
        positions=np.array(model.positions, dtype=float),
        colleague=np.array(model.layers.colleague, dtype=np.int64).reshape(-1, 2),
        ties=np.array(model.ties(), dtype=float).reshape(-1, 3),
        associations=tuple(s.name for s in specs),
        sectors=tuple(s.sector for s in specs),
        initial_centroids=np.array(model.initial_centroids, dtype=float),
        facets=tuple(model.facets),
    )


def sector_drift(model: PoolingModel) -> tuple[float, float]:
    """How far the social and the health workers' mean practices moved towards each other.

    The two terms of :func:`simulation.metrics.sanitarisation` (whose value is their
    difference): with ``s0``, ``h0`` the initial social and health centroids (initial
    association centroids weighted by current numbers of workers) and ``s1``, ``h1`` the
    current ones, ``social = (s1 - s0).(h0 - s0) / |h0 - s0|^2`` and
    ``health = (h1 - h0).(s0 - h0) / |h0 - s0|^2``, in shares of the initial distance.

    Returns:
        ``(social, health)``; NaN when a sector has no worker or both start at one point.
    """
    x = np.asarray(model.practices, dtype=float)
    m = np.asarray(model.membership)
    c0 = np.asarray(model.initial_centroids, dtype=float)
    sector = np.asarray(model.world.sector)
    counts = np.bincount(m, minlength=len(c0)).astype(float)
    sums = np.zeros_like(c0)
    np.add.at(sums, m, x)
    means = sums / np.maximum(counts, 1.0)[:, None]
    ends = []
    for code in (1, 0):  # social, health (simulation.scenarios.SECTORS)
        w = np.where(sector == code, counts, 0.0)
        if w.sum() <= 0:
            return float("nan"), float("nan")
        ends.append((w @ c0 / w.sum(), w @ means / w.sum()))
    (s0, s1), (h0, h1) = ends
    axis = h0 - s0
    length2 = float(axis @ axis)
    if length2 <= 1e-12:
        return float("nan"), float("nan")
    return float((s1 - s0) @ axis / length2), float((h1 - h0) @ -axis / length2)
