"""Rates of the week that change only with the parameters or the phase, kept from week to week.

The weekly rules multiply parameters by the world's fixed arrays (identities, rooms lost, shared
receptions): the same products every week as long as the parameters and the phase's levels stay.
Each function here returns the product for the values it is given, computed the first time and
kept on the world (next to the arrays it was computed from, which it compares by identity: they
are built once and never written); a new value of a parameter or a level recomputes it. The
products are those the rules would compute, to the bit.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from simulation.scenarios import pooling_levels
from simulation.world import World


@lru_cache(maxsize=64)
def ladder(pooling_intensity: float) -> tuple[float, float, float]:
    """:func:`simulation.scenarios.pooling_levels`, kept per value of the knob."""
    return pooling_levels(pooling_intensity)


def _kept(world: World, name: str, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """``compute()``, kept on ``world`` under ``name`` while ``key`` stays the same.

    Arrays in ``key`` are compared by identity (the world's arrays are built once and replaced,
    never written), numbers by value.
    """
    kept = getattr(world, name, None)
    if kept is None or not _same(kept[0], key):
        kept = (key, compute())
        setattr(world, name, kept)
    return kept[1]


def _same(old: tuple[Any, ...], new: tuple[Any, ...]) -> bool:
    """Whether two keys hold the same arrays (by identity) and equal numbers.

    Week after week the key holds the very objects it held before (the world's arrays and the
    parameters' numbers), so identity is tried first: a plain loop, as several rules ask every
    week and a generator costs more than the comparisons.
    """
    for a, b in zip(old, new, strict=True):
        if a is b:
            continue
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray) or a != b:
            return False
    return True


def shared_reception(world: World, co_level: float, common_level: float) -> np.ndarray:
    """Each site's chance that a visit is seen by any worker of the site (kept per levels)."""
    shared = world.reception_shared
    return _kept(
        world,
        "_shared_reception",
        (co_level, common_level, shared),
        lambda: 1.0 - (1.0 - co_level * shared) * (1.0 - common_level),
    )


def anchor_rate(world: World, anchoring_rate: float) -> np.ndarray:
    """``anchoring * identity`` of each worker, kept while the rate and identities stay."""
    base = world.anchor_rate
    return _kept(world, "_anchor_rate", (anchoring_rate, base), lambda: anchoring_rate * base)


def drift_rate(world: World, drift: float) -> np.ndarray:
    """``(culture_drift * (1 - identity))[:, None]``, kept while the drift and identities stay."""
    identity = world.identity
    return _kept(
        world, "_drift_rate", (drift, identity), lambda: (drift * (1.0 - identity))[:, None]
    )


def premises_rate(world: World, pull: float, co_level: float) -> np.ndarray | None:
    """Each worker's weekly pull to its building's norm (None when nobody is pulled).

    Kept from week to week while the pull, the level and the rooms lost stay the same.
    """

    def compute() -> np.ndarray | None:
        rate = pull * co_level * world.room_lost[world.membership]
        return rate if np.any(rate > 0) else None

    key = (pull, co_level, world.room_lost, world.membership)
    return _kept(world, "_premises_rate", key, compute)


def threat_rate(world: World, exit_rate: float) -> np.ndarray:
    """``exit_rate * identity`` of each worker, kept while the rate and identities stay."""
    base = world.anchor_rate
    return _kept(world, "_threat_rate", (exit_rate, base), lambda: exit_rate * base)
