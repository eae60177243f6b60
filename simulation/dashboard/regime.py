"""The one place the dashboard reads the regime rule: measures, null twins, verdicts, held label.

Everything the page says about regimes goes through this module, so that following a change
of the measures' regime rule is an edit here only. A run is judged as the measures package
judges it: against its null twins, the same world (same seed, and a few other seeds) with
pooling off, stepped to the run's week (:class:`simulation.twins.NullTwins`), with
:func:`simulation.measures.judge`. The badge is honest in three ways:

- at week 0 nothing has happened yet, and the badge says so;
- a label is shown only once the rule has given it ``HOLD_WEEKS`` weeks in a row (the band
  under the measures shows the same held label), so a reading wobbling around the twins'
  noise does not make the badge flicker;
- its sentence is the rule's own sentence for the regime (``REGIME_SENTENCES``), followed by
  the judged measures against their twins, so every word can be checked on the charts, where
  each judged measure carries the twins' noise band.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simulation.measures import JUDGED_KEYS, REGIME_SENTENCES, REGIMES, Verdict, judge
from simulation.measures.null import NullReference, twin_parameters
from simulation.measures.thresholds import DEFAULT, N_TWINS
from simulation.palette import REGIME_COLOURS, text_colour
from simulation.twins import NullTwins

HOLD_WEEKS = 8
"""Weeks in a row a regime must be read before the badge shows it: two months of working
weeks, the time a visitor of a pooled site would need to notice a change of practice. Fixed by
that meaning, not tuned on any run."""

NONE = "none"
"""The held label before any regime has held ``HOLD_WEEKS`` weeks."""

Z = DEFAULT.z
"""Twins' standard deviations a measure must move, in the regime's direction, to count."""

LARGE = 2_000
"""Above this many workers a run is judged against fewer twins, less often (see below)."""

LARGE_TWINS = 3
"""Null twins of a large run (its own seed and two others), instead of ``N_TWINS``: each twin
costs a whole model week per week, so eight twins would make a 10,000-worker run nine times
slower. The noise is then a rougher estimate (still never below the rule's floors)."""

LARGE_EVERY = 4
"""A large run is judged every this many weeks; between two judgements the last reading holds
(the held label still needs ``HOLD_WEEKS`` weeks)."""

MEASURES: tuple[tuple[str, str, str], ...] = (
    ("centroid_gap_ratio", "Distance between associations", "% of week 0"),
    ("distinguishability", "Workers recognisable by association", "% beyond chance"),
    ("crossing", "Workers who crossed over facet by facet", "% of pooled workers"),
    ("public_access", "Public finding a practice that fits", "% of beneficiaries"),
)
"""(measure key, title, unit) of the measures the page plots: the three the rule judges, then
the public's access. The keys are the model's; they change here when the rule's measures do."""

JUDGED: tuple[str, ...] = tuple(JUDGED_KEYS)
"""The measures judged against the twins (each drawn with the twins' noise band)."""

SENTENCES: Mapping[str, str] = dict(REGIME_SENTENCES)
"""The rule's plain-language sentence of each regime."""


def colour(label: str) -> str:
    """The regime's colour (grey when no regime is shown)."""
    return REGIME_COLOURS.get(label, "#9E9E9E")


def ink(label: str) -> str:
    """Black or white text on the regime's colour."""
    return text_colour(colour(label))


def regimes() -> tuple[str, ...]:
    """Every regime the rule can name, in the rule's order."""
    return tuple(REGIMES)


def twin_plan(n_workers: int) -> tuple[int, int]:
    """(number of twins, judge every k weeks) for a run of ``n_workers`` workers."""
    return (LARGE_TWINS, LARGE_EVERY) if n_workers > LARGE else (N_TWINS, 1)


def classify(measures: Mapping[str, Any], twins: NullTwins | NullReference) -> Verdict:
    """The regime rule applied to one week's measures, against the twins at the same week."""
    reference = twins.reference() if isinstance(twins, NullTwins) else twins
    return judge(measures, reference)


class SharedTwins:
    """One set of null twins whose readings every page judging the same world reads.

    Twins depend only on the run's parameters (with pooling off), its seed and their number,
    never on what the student does with pooling; so a class of thirty playing the CSSI with
    its default seed needs one set of twins, not thirty. The twins step forward once, and the
    reading of every judged week is kept for the pages that are behind. Readings are the ones
    the page's own twins would give: twins are deterministic in their parameters and seeds.
    """

    def __init__(self, params: Mapping[str, Any], seed: int, n: int, every: int) -> None:
        self.params, self.seed, self.n, self.every = dict(params), seed, n, every
        self.twins: NullTwins | None = None
        self.readings: dict[int, NullReference] = {}
        self.lock = threading.Lock()

    def reference(self, week: int) -> NullReference | None:
        """The twins' reading at ``week``; None if they have already gone past it unread."""
        with self.lock:
            if week in self.readings:
                return self.readings[week]
            if self.twins is None:
                self.twins = NullTwins(self.params, self.seed, n=self.n)
            if self.twins.week > week:
                return None
            while self.twins.week < week:
                self.twins.advance_to(self.twins.week + 1)
                w = self.twins.week
                if w == 1 or w % self.every == 0:
                    self.readings[w] = self.twins.reference()
            if week not in self.readings:
                self.readings[week] = self.twins.reference()
            return self.readings[week]


SHARED_TWINS_KEPT = 16
"""Sets of shared twins the server keeps (least recently used dropped first): a classroom's
few settings and seeds; a page holds on to its own set as long as it needs it."""

_SHARED: OrderedDict[tuple, SharedTwins] = OrderedDict()
_SHARED_LOCK = threading.Lock()


def shared_twins(params: Mapping[str, Any], seed: int, n: int, every: int) -> SharedTwins | None:
    """The server's twins for these parameters and seed.

    None if the parameters are not all plain values, so that two different worlds can never
    share a key.
    """
    twin = twin_parameters(params)
    if not all(v is None or isinstance(v, bool | int | float | str) for v in twin.values()):
        return None
    key = (tuple(sorted((k, type(v).__name__, v) for k, v in twin.items())), seed, n, every)
    with _SHARED_LOCK:
        entry = _SHARED.pop(key, None) or SharedTwins(params, seed, n, every)
        _SHARED[key] = entry
        while len(_SHARED) > SHARED_TWINS_KEPT:
            _SHARED.popitem(last=False)
    return entry


def noise_band(verdict: Verdict, measures: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """Per judged measure, the twins' band: the value the run is compared with +- Z x noise."""
    out = {}
    for key in JUDGED:
        value = measures.get(key)
        if value is None or key not in verdict.effects:
            continue
        centre = float(value) - verdict.effects[key]
        if centre != centre:  # NaN: no evidence this week
            continue
        half = Z * verdict.noise[key]
        out[key] = (centre - half, centre + half)
    return out


@dataclass
class Judge:
    """The regime rule week by week, against the run's null twins, with the held label.

    The twins are built on the first judged week (never at week 0, where nothing is judged),
    once per run, and stepped with it; pages judging the same world share them
    (:func:`shared_twins`).

    Attributes:
        params: the run's parameters.
        seed: the run's seed.
        n_workers: the run's workforce (decides the twins' number and the judging step).
        hold: weeks a new label must hold before it is shown.
    """

    params: Mapping[str, Any]
    seed: int
    n_workers: int
    hold: int = HOLD_WEEKS
    twins: NullTwins | None = None
    """The page's own twins, used only when the shared ones cannot give a week."""
    shared: SharedTwins | None = None
    held: str = NONE
    verdict: Verdict | None = None
    n_twins: int = 0
    every: int = 1
    _candidate: tuple[str, int] = (NONE, 0)
    _band: dict[str, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.n_twins, self.every = twin_plan(self.n_workers)

    def _reference(self, week: int) -> NullReference:
        """The twins' reading at ``week``: from the server's shared twins when they have it."""
        if self.twins is None:
            if self.shared is None:
                self.shared = shared_twins(self.params, self.seed, self.n_twins, self.every)
            reading = self.shared.reference(week) if self.shared is not None else None
            if reading is not None:
                return reading
            self.twins = NullTwins(self.params, self.seed, n=self.n_twins)
        self.twins.advance_to(week)
        return self.twins.reference()

    def _hold(self, raw: str) -> None:
        label, count = self._candidate
        count = count + 1 if raw == label else 1
        self._candidate = (raw, count)
        if count >= self.hold:
            self.held = raw

    def update(self, week: int, measures: Mapping[str, Any]) -> dict[str, Any]:
        """Judge one week; returns the history columns of the rule and of the twins' band.

        The columns are ``raw``, ``regime``, and ``low_<key>``, ``high_<key>`` of each judged
        measure (``None`` when not judged).
        """
        row: dict[str, Any] = {"raw": NONE, "regime": NONE}
        row.update({f"low_{k}": None for k in JUDGED} | {f"high_{k}": None for k in JUDGED})
        if week == 0:
            return row
        if self.verdict is None or week % self.every == 0:
            self.verdict = classify(measures, self._reference(week))
            self._band = noise_band(self.verdict, measures)
        self._hold(self.verdict.regime)
        row.update(raw=self.verdict.regime, regime=self.held)
        for key, (low, high) in self._band.items():
            row[f"low_{key}"], row[f"high_{key}"] = low, high
        return row

    def describe(self) -> str:
        """What the run is compared with, in one sentence (stated on the page)."""
        others = self.n_twins - 1
        text = (
            f"Judged against {self.n_twins} runs of the same world without pooling (its own seed "
            f"and {others} other{'s' if others != 1 else ''})"
        )
        if self.every > 1:
            text += f", every {self.every} weeks (more than {LARGE:,} workers)"
        return text + "."


@dataclass(frozen=True)
class Badge:
    """What the badge says: a title, its colour, and sentences true of the measures shown."""

    label: str
    title: str
    lines: tuple[str, ...]


def evidence(verdict: Verdict, measures: Mapping[str, Any]) -> str:
    """The judged measures this week against their twins, in the page's words (percentages)."""
    titles = {key: title for key, title, _ in MEASURES}
    parts = []
    for key in JUDGED:
        value = measures.get(key)
        effect = verdict.effects.get(key, float("nan"))
        if value is None or effect != effect:
            continue
        twin = float(value) - effect
        mark = "beyond" if verdict.significant.get(key) else "within"
        parts.append(
            f"{titles.get(key, key).lower()} {float(value):.0%} against {twin:.0%} without "
            f"pooling ({mark} the twins' noise, ±{Z * verdict.noise[key]:.0%})"
        )
    return ("; ".join(parts).capitalize() + ".") if parts else ""


def badge(
    row: Mapping[str, Any],
    measures: Mapping[str, Any],
    verdict: Verdict | None = None,
    hold: int = HOLD_WEEKS,
) -> Badge:
    """The badge of one week of a run's history (``row``), its measures and this week's verdict."""
    week, held, raw = row["week"], row["regime"], row["raw"]
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
    lines = [SENTENCES.get(held, "")] if raw == held else []
    if raw != held:
        lines.append(
            f"The rule read {held} for {hold} weeks in a row; this week it reads {raw}: "
            f"{SENTENCES.get(raw, '')} The badge changes if that holds {hold} weeks."
        )
    if verdict is not None:
        lines.append(evidence(verdict, measures))
    return Badge(held, held.capitalize(), tuple(line for line in lines if line))
