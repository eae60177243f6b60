"""The null twin: the same seed and the same world with pooling off, and its seed-to-seed spread.

A pooled run is judged against what the same associations, workers and beneficiaries would have
become without pooling. Its *twin* has the run's parameters with every pooling level at 0 (and
no pooling phase in the schedule) and the run's own seed, so that the world built at week 0 is
identical; further twins with other seeds give the seed-to-seed noise against which the run's
difference from its twin is judged. This module holds the parts that need no model (parameters,
seeds, the reference); :mod:`simulation.measures.regime` judges runs and sweep tables against it,
and :mod:`simulation.twins` builds and steps twin models.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulation.measures.record import JUDGED_KEYS

__all__ = [
    "POOLING_OFF",
    "NullReference",
    "twin_parameters",
    "twin_seeds",
]

POOLING_OFF: Mapping[str, Any] = {
    "pooling_intensity": 0.0,
    "co_presence": 0.0,
    "collaboration": 0.0,
    "common_work": 0.0,
}
"""The parameters a twin sets, and their "off" values."""


def twin_parameters(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of a run's null twin: the same, with pooling off.

    Args:
        params: the run's model parameters (``rng`` is ignored here; seeds go separately).

    Returns:
        A new dict with :data:`POOLING_OFF` applied.
    """
    out = {k: v for k, v in params.items() if k != "rng"}
    out.update(POOLING_OFF)
    return out


def twin_seeds(seed: Any, n: int) -> list[Any]:
    """Seeds of ``n`` twins: the run's own seed first, then ``n - 1`` others derived from it.

    Twin ``k >= 1`` gets ``SeedSequence(entropy, spawn_key=key + (k,))``, where ``entropy`` and
    ``key`` are the run's (an int seed is entropy with an empty key): never the seed of the run
    itself nor of another run of a sweep (whose keys have the sweep's length).

    Args:
        seed: the run's seed (an int or a ``numpy.random.SeedSequence``).
        n: number of twins (>= 1).

    Raises:
        ValueError: if ``n < 1`` or the seed is neither an int nor a SeedSequence.
    """
    if n < 1:
        raise ValueError(f"number of twins must be >= 1, got {n}")
    if isinstance(seed, np.random.SeedSequence):
        entropy, key = seed.entropy, tuple(seed.spawn_key)
    elif isinstance(seed, int | np.integer) and not isinstance(seed, bool):
        entropy, key = int(seed), ()
    else:
        raise ValueError(f"a twin's seed must be an int or a SeedSequence, got {seed!r}")
    return [seed] + [np.random.SeedSequence(entropy, spawn_key=(*key, k)) for k in range(1, n)]


@dataclass(frozen=True)
class NullReference:
    """The twins' values of the judged quantities at one week.

    Attributes:
        values: per key, ``(n_twins,)`` values (NaN where undefined).
        paired: whether ``values[key][0]`` is the twin with the judged run's own seed.
    """

    values: Mapping[str, np.ndarray]
    paired: bool = True

    @classmethod
    def from_measures(cls, rows: Sequence[Mapping[str, float]], paired: bool = True):
        """A reference from the twins' measure dicts (twin 0 first when paired)."""
        values = {
            k: np.array([math.nan if r.get(k) is None else float(r[k]) for r in rows])
            for k in JUDGED_KEYS
        }
        return cls(values, paired)

    def mean(self, key: str) -> float:
        """The twins' mean (NaN if none is defined)."""
        v = self.values[key]
        ok = v[~np.isnan(v)]
        return float(ok.mean()) if ok.size else math.nan

    def sd(self, key: str) -> float:
        """The twins' seed-to-seed standard deviation (``ddof=1``; NaN with < 2 values)."""
        v = self.values[key]
        ok = v[~np.isnan(v)]
        return float(ok.std(ddof=1)) if ok.size >= 2 else math.nan

    def twin(self, key: str) -> float:
        """The value a run is compared with: its paired twin's, else the twins' mean."""
        if self.paired:
            v = float(self.values[key][0])
            return v if not math.isnan(v) else self.mean(key)
        return self.mean(key)
