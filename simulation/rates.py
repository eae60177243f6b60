"""Rates of the week that change only with the parameters or the phase, kept from week to week.

The weekly rules multiply parameters by the world's fixed arrays (identities, rooms lost, shared
receptions): the same products every week as long as the parameters and the phase's levels stay.
Each function here returns the product for the values it is given, computed the first time and
kept on the world (next to the arrays it was computed from, which it compares by identity: they
are built once and never written); a new value of a parameter or a level recomputes it. The
products are those the rules would compute, to the bit.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from simulation.scenarios import pooling_levels
from simulation.world import World


@lru_cache(maxsize=64)
def ladder(pooling_intensity: float) -> tuple[float, float, float]:
    """:func:`simulation.scenarios.pooling_levels`, kept per value of the knob."""
    return pooling_levels(pooling_intensity)


def shared_reception(world: World, co_level: float, common_level: float) -> np.ndarray:
    """Each site's chance that a visit is seen by any worker of the site (kept per levels)."""
    kept = getattr(world, "_shared_reception", None)
    if (
        kept is None
        or kept[0] != co_level
        or kept[1] != common_level
        or kept[2] is not world.reception_shared
    ):
        shared = 1.0 - (1.0 - co_level * world.reception_shared) * (1.0 - common_level)
        kept = (co_level, common_level, world.reception_shared, shared)
        world._shared_reception = kept
    return kept[3]


def anchor_rate(world: World, anchoring_rate: float) -> np.ndarray:
    """``anchoring * identity`` of each worker, kept while the rate and identities stay."""
    kept = getattr(world, "_anchor_rate", None)
    if kept is None or kept[0] != anchoring_rate or kept[1] is not world.anchor_rate:
        kept = (anchoring_rate, world.anchor_rate, anchoring_rate * world.anchor_rate)
        world._anchor_rate = kept
    return kept[2]


def drift_rate(world: World, drift: float) -> np.ndarray:
    """``(culture_drift * (1 - identity))[:, None]``, kept while the drift and identities stay."""
    kept = getattr(world, "_drift_rate", None)
    if kept is None or kept[0] != drift or kept[1] is not world.identity:
        kept = (drift, world.identity, (drift * (1.0 - world.identity))[:, None])
        world._drift_rate = kept
    return kept[2]


def premises_rate(world: World, pull: float, co_level: float) -> np.ndarray | None:
    """Each worker's weekly pull to its building's norm (None when nobody is pulled).

    Kept from week to week while the pull, the level and the rooms lost stay the same.
    """
    kept = getattr(world, "_premises_rate", None)
    if (
        kept is None
        or kept[0] != pull
        or kept[1] != co_level
        or kept[2] is not world.room_lost
        or kept[3] is not world.membership
    ):
        rate = pull * co_level * world.room_lost[world.membership]
        kept = (
            pull,
            co_level,
            world.room_lost,
            world.membership,
            rate if np.any(rate > 0) else None,
        )
        world._premises_rate = kept
    return kept[4]


def threat_rate(world: World, exit_rate: float) -> np.ndarray:
    """``exit_rate * identity`` of each worker, kept while the rate and identities stay."""
    kept = getattr(world, "_threat_rate", None)
    if kept is None or kept[0] != exit_rate or kept[1] is not world.anchor_rate:
        kept = (exit_rate, world.anchor_rate, exit_rate * world.anchor_rate)
        world._threat_rate = kept
    return kept[2]
