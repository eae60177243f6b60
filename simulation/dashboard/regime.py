"""The one place the dashboard reads the regime rule: labels, cut-offs, null twin, held label.

Everything the page says about regimes goes through this module, so that following a change
of the measures' regime rule is an edit here only. The badge is honest in three ways:

- at week 0 nothing has happened yet, and the badge says so;
- a label is shown only once the rule has given it ``HOLD_WEEKS`` weeks in a row (the band
  under the measures shows the same held label), so a measure wobbling around a cut-off does
  not make the badge flicker;
- the run is compared with its null twin, the same run (same seed) with pooling off: when the
  twin reads the same regime, the badge says that pooling is not what made it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simulation.metrics import REGIMES, RegimeThresholds, classify_regime
from simulation.model import PoolingModel
from simulation.palette import REGIME_COLOURS, text_colour
from simulation.scenarios import Phase

HOLD_WEEKS = 8
"""Weeks in a row a regime must be read before the badge shows it: two months of working
weeks, the time a visitor of a pooled site would need to notice a change of practice. Fixed by
that meaning, not tuned on any run."""

NONE = "none"
"""The held label before any regime has held ``HOLD_WEEKS`` weeks."""

THRESHOLDS = RegimeThresholds()

MEASURES: tuple[tuple[str, str, str], ...] = (
    ("centroid_distance_ratio", "Distance between associations", "% of week 0"),
    ("identity_kappa", "Workers recognisable by association", "% beyond chance"),
    ("hybrid_share", "Workers with a hybrid practice", "% of workers"),
    ("public_access", "Public finding a practice that fits", "% of beneficiaries"),
)
"""(measure key, title, unit) of the measures the page plots: those the rule reads, then the
public's access. The keys are the model's; they change here when the rule's measures do."""

CUTOFFS: Mapping[str, tuple[tuple[float, str], ...]] = {
    "centroid_distance_ratio": (
        (THRESHOLDS.isomorphism_ratio, "isomorphism below"),
        (THRESHOLDS.hybrid_ratio, "hybridisation below"),
    ),
    "identity_kappa": ((THRESHOLDS.isomorphism_kappa, "isomorphism below"),),
    "hybrid_share": ((THRESHOLDS.hybrid_share, "hybridisation from"),),
}
"""The regime rule's cut-offs, drawn on the measure each applies to."""

SENTENCES: Mapping[str, str] = {
    "persistence": "Each association keeps its own way of working.",
    "hybridisation": "Associations stay recognisable while their practices mix.",
    "isomorphism": "The associations can no longer be told apart by how their workers work.",
    "fragmentation": "Practices split into more groups than there are associations.",
}


def colour(label: str) -> str:
    """The regime's colour (grey when no regime is shown)."""
    return REGIME_COLOURS.get(label, "#9E9E9E")


def ink(label: str) -> str:
    """Black or white text on the regime's colour."""
    return text_colour(colour(label))


def regimes() -> tuple[str, ...]:
    """Every regime the rule can name, in the rule's order."""
    return tuple(REGIMES)


def classify(measures: Mapping[str, Any], n_assoc: int) -> str:
    """The regime rule applied to one week's measures."""
    return classify_regime(measures, n_assoc, THRESHOLDS)


def evidence(label: str, m: Mapping[str, Any]) -> str:
    """Why the rule reads ``label`` this week, in the measures the page shows (percentages)."""
    t = THRESHOLDS

    def pct(key: str) -> str:
        value = m.get(key)
        return "n/a" if value is None else f"{float(value):.0%}"

    ratio, kappa, hybrid = (m.get(k) for k in CUTOFFS)
    if label == "isomorphism":
        parts = []
        if ratio is not None and ratio < t.isomorphism_ratio:
            parts.append(
                f"distance between associations {pct('centroid_distance_ratio')} of week 0 "
                f"(below {t.isomorphism_ratio:.0%})"
            )
        if kappa is not None and kappa < t.isomorphism_kappa:
            parts.append(
                f"workers recognisable by association {pct('identity_kappa')} "
                f"(below {t.isomorphism_kappa:.0%})"
            )
        return "; ".join(parts).capitalize() + "."
    if label == "hybridisation":
        parts = []
        if hybrid is not None and hybrid >= t.hybrid_share:
            parts.append(
                f"{pct('hybrid_share')} of workers have a hybrid practice "
                f"(from {t.hybrid_share:.0%})"
            )
        if ratio is not None and ratio < t.hybrid_ratio:
            parts.append(
                f"associations have drawn closer: distance {pct('centroid_distance_ratio')} of "
                f"week 0 (below {t.hybrid_ratio:.0%})"
            )
        return "; ".join(parts).capitalize() + "."
    if label == "fragmentation":
        return f"{m.get('n_major_clusters', '?')} practice clusters for the associations."
    return (
        f"Distance between associations {pct('centroid_distance_ratio')} of week 0, "
        f"{pct('hybrid_share')} of workers hybrid."
    )


def null_twin(params: Mapping[str, Any], seed: int) -> PoolingModel:
    """The same run with pooling off: same seed, no co-presence, collaboration or common work."""
    off = {**params, "pooling_intensity": 0.0}
    off.update(co_presence=0.0, collaboration=0.0, common_work=0.0)
    twin = PoolingModel(**off, rng=int(seed))
    twin.setting = dataclasses.replace(
        twin.setting, schedule=(Phase("no pooling", 0, 0.0, 0.0, 0.0),)
    )
    return twin


@dataclass
class Judge:
    """The regime rule week by week, with its null twin and the held (hysteresis) label.

    Attributes:
        params: the run's parameters.
        seed: the run's seed.
        n_assoc: associations of the setting.
        hold: weeks a new label must hold before it is shown.
    """

    params: Mapping[str, Any]
    seed: int
    n_assoc: int
    hold: int = HOLD_WEEKS
    twin: PoolingModel | None = None
    held: str = NONE
    null_held: str = NONE
    _candidate: tuple[str, int] = (NONE, 0)
    _null_candidate: tuple[str, int] = (NONE, 0)
    _raw: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.twin = null_twin(self.params, self.seed)

    def step_null(self) -> None:
        """Advance the null twin one week (with the run)."""
        if self.twin is not None:
            self.twin.step()

    def _hold(self, candidate: tuple[str, int], held: str, raw: str) -> tuple[tuple, str]:
        label, count = candidate
        count = count + 1 if raw == label else 1
        if count >= self.hold:
            held = raw
        return (raw, count), held

    def update(self, week: int, measures: Mapping[str, Any]) -> dict[str, Any]:
        """Judge one week; returns the history columns ``raw``, ``regime`` and ``null``."""
        if week == 0:
            return {"raw": NONE, "regime": NONE, "null": NONE}
        raw = classify(measures, self.n_assoc)
        self._candidate, self.held = self._hold(self._candidate, self.held, raw)
        null_raw = NONE
        if self.twin is not None:
            null_raw = classify(self.twin.measures(), self.n_assoc)
            self._null_candidate, self.null_held = self._hold(
                self._null_candidate, self.null_held, null_raw
            )
        return {"raw": raw, "regime": self.held, "null": self.null_held}


@dataclass(frozen=True)
class Badge:
    """What the badge says: a title, its colour, and sentences true of the measures shown."""

    label: str
    title: str
    lines: tuple[str, ...]


def badge(row: Mapping[str, Any], measures: Mapping[str, Any], hold: int = HOLD_WEEKS) -> Badge:
    """The badge of one week of a run's history (``row``) and its measures."""
    week, held, raw, null = row["week"], row["regime"], row["raw"], row["null"]
    if week == 0:
        return Badge(
            NONE,
            "Nothing has happened yet",
            ("Week 0: press Play or Step to let the weeks go by.",),
        )
    if held == NONE:
        return Badge(
            NONE,
            "Too early to say",
            (
                f"A regime is named once the rule has read it {hold} weeks in a row; "
                f"this week it reads {raw}.",
            ),
        )
    lines = [SENTENCES.get(held, ""), evidence(held, measures)]
    if raw != held:
        lines.append(
            f"This week the rule reads {raw}; the badge changes if it holds {hold} weeks."
        )
    if null == held and held != "persistence":
        lines.append(f"Without pooling the same run reads {null} too: it is not pooling's doing.")
    elif null == held:
        lines.append("Without pooling the same run reads the same.")
    elif null != NONE:
        lines.append(f"Without pooling the same run reads {null}.")
    return Badge(held, held.capitalize(), tuple(line for line in lines if line))
