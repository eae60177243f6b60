"""The regime of a run: a statement about convergence, distinguishability and crossing.

A regime is never read off one run alone. Each judged quantity of the pooled run is compared
with its null twin (the same seed and world with pooling off, :mod:`.null`): the difference
counts only when it exceeds ``Z`` times the twins' seed-to-seed standard deviation (or the
quantity's floor, whichever is larger; :mod:`.thresholds`), and only in the direction a regime
is about. Then, with *converged* = the centroid gap ratio significantly below the twin's,
*lost* = distinguishability significantly below the twin's and under half of it, *crossed* =
crossing significantly above the twin's:

1. lost and converged: **isomorphism** (one standard, associations no longer told apart);
2. lost, not converged: **fragmentation** (no longer told apart, but not drawn together);
3. crossed: **hybridisation** (facet-wise borrowing, associations still told apart);
4. converged: **compression** (closer in absolute terms, still told apart, no crossing);
5. otherwise **persistence**.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simulation.measures.null import NullReference
from simulation.measures.record import JUDGED_KEYS
from simulation.measures.thresholds import DEFAULT, Thresholds

__all__ = [
    "REGIMES",
    "REGIME_SENTENCES",
    "Verdict",
    "classify_arrays",
    "classify_regime",
    "judge",
    "judge_table",
    "regime_code",
]

REGIMES: tuple[str, ...] = (
    "persistence",
    "compression",
    "hybridisation",
    "isomorphism",
    "fragmentation",
)
"""The end states of a run, in the order of :func:`regime_code`."""

REGIME_SENTENCES: Mapping[str, str] = {
    "persistence": (
        "Nothing differs from the same world without pooling beyond seed-to-seed noise: "
        "associations keep their practices apart."
    ),
    "compression": (
        "Associations' average practices moved closer together than without pooling, yet a "
        "worker can still be told apart by association, and no more workers crossed over "
        "facet by facet than without pooling."
    ),
    "hybridisation": (
        "More workers than without pooling adopted a partner association's practice on some "
        "facets while keeping their own on others, and a worker can still be told apart by "
        "association."
    ),
    "isomorphism": (
        "Associations' average practices converged and a worker can no longer be told apart "
        "by association: one common standard."
    ),
    "fragmentation": (
        "A worker can no longer be told apart by association, but associations' average "
        "practices did not converge: practices scattered rather than merged."
    ),
}
"""One plain-language sentence per regime, true of the measures that define it."""

# the direction in which each judged quantity moves away from persistence
_DIRECTION = {"centroid_gap_ratio": -1.0, "distinguishability": -1.0, "crossing": 1.0}


@dataclass(frozen=True)
class Verdict:
    """A run judged against its null.

    Attributes:
        regime: one of :data:`REGIMES`.
        sentence: its plain-language sentence.
        effects: run minus twin, per judged quantity (NaN where undefined).
        noise: the noise each effect was compared with (twins' sd, at least the floor).
        significant: whether each effect exceeds ``Z`` times its noise in its regime's
            direction.
        lost: whether distinguishability fell below the isomorphism fraction of the twin's.
    """

    regime: str
    sentence: str
    effects: dict[str, float] = field(default_factory=dict)
    noise: dict[str, float] = field(default_factory=dict)
    significant: dict[str, bool] = field(default_factory=dict)
    lost: bool = False


def classify_arrays(
    effects: Mapping[str, np.ndarray],
    noise: Mapping[str, np.ndarray],
    run_distinguishability: np.ndarray,
    twin_distinguishability: np.ndarray,
    thresholds: Thresholds = DEFAULT,
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """The rule on arrays of runs (vectorised; :func:`judge` is the one-run form).

    Args:
        effects: per judged key, run minus twin.
        noise: per judged key, the twins' standard deviation (before the floor).
        run_distinguishability: the runs' distinguishability.
        twin_distinguishability: their twins'.
        thresholds: the rule's settings.

    Returns:
        ``(regimes, significant, lost)``: an object array of regime names, the significance of
        each key, and whether distinguishability was lost.
    """
    t = thresholds
    sig: dict[str, np.ndarray] = {}
    for key in JUDGED_KEYS:
        e = np.asarray(effects[key], dtype=np.float64)
        sd = np.asarray(noise[key], dtype=np.float64)
        level = np.fmax(np.nan_to_num(sd, nan=0.0), t.floor(key))
        with np.errstate(invalid="ignore"):
            sig[key] = np.nan_to_num(_DIRECTION[key] * e, nan=-np.inf) > t.z * level
    d_run = np.asarray(run_distinguishability, dtype=np.float64)
    d_twin = np.asarray(twin_distinguishability, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        lost = sig["distinguishability"] & (d_twin > 0) & (d_run < t.isomorphism_fraction * d_twin)
    converged, crossed = sig["centroid_gap_ratio"], sig["crossing"]
    regime = np.select(
        [lost & converged, lost, crossed, converged],
        ["isomorphism", "fragmentation", "hybridisation", "compression"],
        default="persistence",
    ).astype(object)
    return regime, sig, lost


def judge(
    measures: Mapping[str, float], null: NullReference, thresholds: Thresholds = DEFAULT
) -> Verdict:
    """Judge one run's measures against its null twins.

    Args:
        measures: the run's measures (at least :data:`JUDGED_KEYS`; a missing key or NaN is no
            evidence).
        null: the twins at the same week (:class:`NullReference`); if it is paired, twin 0 has
            the run's own seed and is the one the run is compared with, otherwise the twins'
            mean is.
        thresholds: the rule's settings.

    Returns:
        The :class:`Verdict`.
    """

    def value(key: str) -> float:
        v = measures.get(key, math.nan)
        return math.nan if v is None else float(v)

    effects = {k: value(k) - null.twin(k) for k in JUDGED_KEYS}
    sds = {k: null.sd(k) for k in JUDGED_KEYS}
    regime, sig, lost = classify_arrays(
        {k: np.array([v]) for k, v in effects.items()},
        {k: np.array([v]) for k, v in sds.items()},
        np.array([value("distinguishability")]),
        np.array([null.twin("distinguishability")]),
        thresholds,
    )
    name = str(regime[0])
    return Verdict(
        regime=name,
        sentence=REGIME_SENTENCES[name],
        effects=effects,
        noise={k: max(0.0 if math.isnan(v) else v, thresholds.floor(k)) for k, v in sds.items()},
        significant={k: bool(v[0]) for k, v in sig.items()},
        lost=bool(lost[0]),
    )


def classify_regime(
    measures: Mapping[str, float], null: NullReference, thresholds: Thresholds = DEFAULT
) -> str:
    """The regime of one run against its null twins (``judge(...).regime``)."""
    return judge(measures, null, thresholds).regime


def regime_code(name: str) -> int:
    """Integer code of a regime (its index in :data:`REGIMES`), for maps and arrays.

    Raises:
        ValueError: for an unknown regime name.
    """
    try:
        return REGIMES.index(name)
    except ValueError:
        raise ValueError(f"unknown regime {name!r}; expected one of {REGIMES}") from None


def judge_table(
    table: pd.DataFrame,
    by: Sequence[str] = ("point",),
    thresholds: Thresholds = DEFAULT,
) -> pd.Series:
    """The regime of every row of a sweep's table (one row per run and recorded week).

    Each row holds a run's measures and, in :data:`~simulation.measures.record.NULL_COLUMNS`,
    its own twin's. A row is judged against its twin (paired effect) with, as noise, the
    standard deviation of the twins of every replicate of its design point at the same week
    (rows grouped by ``by`` and ``step``). A design point's label is then the most common label
    of its runs, so labels do not depend on how many replicates were run.

    Args:
        table: the sweep's rows (``step``, the ``by`` columns, the judged keys and the null
            columns).
        by: the columns that identify a design point.
        thresholds: the rule's settings.

    Returns:
        The regime of each row, indexed like ``table`` (all persistence without null columns).
    """
    null = [f"null_{k}" for k in JUDGED_KEYS]
    if table.empty or any(c not in table for c in (*null, *JUDGED_KEYS)):
        return pd.Series("persistence", index=table.index, dtype=object)
    keys = [c for c in (*by, "step") if c in table]
    grouped = table.groupby(keys, dropna=False, sort=False) if keys else None

    def spread(col: str) -> np.ndarray:
        values = pd.to_numeric(table[col], errors="coerce")
        if grouped is None:
            return np.full(len(table), values.std(ddof=1))
        return values.groupby([table[k] for k in keys], dropna=False).transform("std").to_numpy()

    effects = {
        k: pd.to_numeric(table[k], errors="coerce").to_numpy()
        - pd.to_numeric(table[f"null_{k}"], errors="coerce").to_numpy()
        for k in JUDGED_KEYS
    }
    noise = {k: spread(f"null_{k}") for k in JUDGED_KEYS}
    regime, _, _ = classify_arrays(
        effects,
        noise,
        pd.to_numeric(table["distinguishability"], errors="coerce").to_numpy(),
        pd.to_numeric(table["null_distinguishability"], errors="coerce").to_numpy(),
        thresholds,
    )
    return pd.Series(regime, index=table.index, dtype=object)
