"""A validated case: what a case file describes, and the :class:`Setting` a model runs on.

A :class:`Case` holds the file's associations, sites and schedule as the dataclasses of
:mod:`simulation.scenarios`, with what still depends on a run: sizes given as a range are drawn
with the run's generator, a phase may start at a model parameter's week, and the model's
``layout = "shared"`` may swap the premises for the fully shared counterfactual.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simulation.cases.errors import CaseError
from simulation.scenarios import AssociationSpec, Phase, Setting

SHARED_PREMISES: Mapping[str, float] = {
    "waiting_room": 0.15,
    "reception": 0.15,
    "kitchen": 0.1,
    "rooms": 0.6,
}
"""Time shares of the fully shared counterfactual: one waiting room, one reception, free rooms
(no association keeps a room of its own: each has lost them all, ``room_lost = 1``)."""

ALL_WEEK: tuple[int, ...] = tuple(range(10))
"""Every half-day slot of the week (common hours)."""

ASSUMPTION = "assumption"
"""Sources that start with this word are modelling assumptions, not passages of the study."""


@dataclass(frozen=True)
class SiteInfo:
    """A site of a case: its name and the spaces its associations share."""

    name: str
    spaces: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    """A pooling setting described by a case file, validated.

    Attributes:
        name: short name (``cssi``).
        title: one-line title.
        description: what the case is.
        source: the study it comes from.
        weeks: suggested run length (weeks the case covers), if given.
        workers: observed number of workers (an int or a ``(low, high)`` range), if given.
        n_associations: observed number of associations, if given.
        layout_switch: whether ``layout = "shared"`` swaps in the fully shared premises.
        sites: the sites, in the order of the file (an association's ``site`` indexes them).
        associations: the associations; a size drawn from a range holds its low end here.
        size_ranges: per association, the ``(low, high)`` its size is drawn from, or ``None``.
        phases: the schedule; a phase that follows a parameter holds week 0 until
            :meth:`setting` sets the parameter's week.
        phase_parameters: per phase, the model parameter its start follows, or ``None``.
        provenance: key path -> the passage, or ``"assumption: ..."``.
        keys: key paths the file sets (provenance expected for each).
        path: the file it was read from (``None`` for a dict).
        digest: ``"sha256:..."`` of the file's text (empty for a dict).
        premises_norm: the practice the premises are designed for (``{facet: value}``).
        tool_facets: facets on which pooled work writes durable shared tools.
    """

    name: str
    title: str
    description: str
    source: str
    weeks: int | None
    workers: int | tuple[int, int] | None
    n_associations: int | tuple[int, int] | None
    layout_switch: bool
    sites: tuple[SiteInfo, ...]
    associations: tuple[AssociationSpec, ...]
    size_ranges: tuple[tuple[int, int] | None, ...]
    phases: tuple[Phase, ...]
    phase_parameters: tuple[str | None, ...]
    provenance: Mapping[str, str] = field(default_factory=dict)
    keys: tuple[str, ...] = ()
    path: Path | None = None
    digest: str = ""
    premises_norm: Mapping[str, float] = field(default_factory=dict)
    tool_facets: tuple[str, ...] = ()

    def setting(
        self, params: Mapping[str, Any] | None = None, rng: np.random.Generator | None = None
    ) -> Setting:
        """The setting a model with these parameters runs on.

        Args:
            params: model parameters: ``layout`` (default ``"separate"``), and those a phase's
                start follows (required then).
            rng: the run's generator, for sizes drawn from a range (default: seed 0).

        Raises:
            CaseError: a parameter puts the phases out of order.
        """
        params = {} if params is None else params
        specs = list(self.associations)
        if any(r is not None for r in self.size_ranges):
            rng = np.random.default_rng(0) if rng is None else rng
            ranged = [a for a, r in enumerate(self.size_ranges) if r is not None]
            lows = np.array([self.size_ranges[a][0] for a in ranged])
            highs = np.array([self.size_ranges[a][1] for a in ranged])
            for a, size in zip(ranged, rng.integers(lows, highs + 1), strict=True):
                specs[a] = dataclasses.replace(specs[a], size=int(size))
        if self.layout_switch and params.get("layout", "separate") == "shared":
            specs = [
                dataclasses.replace(s, spaces=dict(SHARED_PREMISES), hours=ALL_WEEK, room_lost=1.0)
                for s in specs
            ]
        phases = list(self.phases)
        for i, ref in enumerate(self.phase_parameters):
            if ref is not None:
                if ref not in params:
                    raise CaseError(
                        f"schedule[{i}].start",
                        ref,
                        "needs the model parameter it follows",
                        f"params with {ref!r}",
                    )
                phases[i] = dataclasses.replace(phases[i], start=int(params[ref]))
        check_phase_order(phases, self.phase_parameters)
        return Setting(
            self.name,
            tuple(specs),
            tuple(phases),
            premises_norm=dict(self.premises_norm),
            tool_facets=self.tool_facets,
        )

    # --- reading it -----------------------------------------------------------------------

    def unsourced(self) -> list[str]:
        """Key paths the file sets without a source (names and text excepted)."""
        exempt = (".name", ".title", ".description", ".source", ".count", ".site")
        return [k for k in self.keys if k not in self.provenance and not k.endswith(exempt)]

    def provenance_counts(self) -> dict[str, int]:
        """How many values come from the study, are assumptions, or have no source."""
        assumed = sum(v.lower().startswith(ASSUMPTION) for v in self.provenance.values())
        return {
            "sourced": len(self.provenance) - assumed,
            "assumed": assumed,
            "unsourced": len(self.unsourced()),
        }

    def summary(self) -> str:
        """Associations, sites, weeks and schedule, in plain text (``isohybrid case check``)."""
        lines = [f"case {self.name}: {self.title}".rstrip(": ")]
        if self.path is not None:
            lines.append(f"file: {self.path} ({self.digest[:19]})")
        if self.source:
            lines.append(f"source: {self.source}")
        sizes = [
            _size_text(s.size, r) for s, r in zip(self.associations, self.size_ranges, strict=True)
        ]
        low = sum(
            r[0] if r else s.size for s, r in zip(self.associations, self.size_ranges, strict=True)
        )
        high = sum(
            r[1] if r else s.size for s, r in zip(self.associations, self.size_ranges, strict=True)
        )
        total = str(low) if low == high else f"{low} to {high}"
        lines.append(f"associations: {len(self.associations)}, {total} workers")
        for first, last in _alike_runs(self.associations, self.size_ranges):
            spec = self.associations[first]
            name = spec.name if first == last else f"{spec.name} .. {self.associations[last].name}"
            culture = "own culture" if spec.culture is not None else "prototype"
            each = " each" if first != last else ""
            lines.append(
                f"  {name:<22} {spec.kind} ({spec.sector}, {culture}), {sizes[first]} workers"
                f"{each}, site {self.sites[spec.site].name!r}, identity {spec.identity:g}, "
                f"open {len(spec.hours)}/10 half-days, public {spec.public_size}"
            )
        lines.append(f"sites: {len(self.sites)}")
        for i, site in enumerate(self.sites):
            members = sum(s.site == i for s in self.associations)
            shared = ", ".join(site.spaces) or "none"
            lines.append(f"  {site.name}: {members} associations; shared spaces: {shared}")
        if self.premises_norm:
            norm = ", ".join(f"{k} {v:g}" for k, v in self.premises_norm.items())
            lines.append(f"  premises designed for: {norm}")
        if self.tool_facets:
            lines.append(f"  shared tools written on: {', '.join(self.tool_facets)}")
        weeks = f"{self.weeks}" if self.weeks else "not given (the run's --steps)"
        lines.append(f"weeks: {weeks}")
        lines.append(f"schedule: {len(self.phases)} phase(s)")
        for phase, ref in zip(self.phases, self.phase_parameters, strict=True):
            lines.append(f"  {_phase_text(phase, ref)}")
        counts = self.provenance_counts()
        lines.append(
            f"provenance: {counts['sourced']} values with a source, {counts['assumed']} "
            f"assumptions, {counts['unsourced']} without a source"
        )
        return "\n".join(lines)


def _alike_runs(
    specs: tuple[AssociationSpec, ...], ranges: tuple[tuple[int, int] | None, ...]
) -> list[tuple[int, int]]:
    """Runs ``(first, last)`` of consecutive associations alike but for their names."""
    runs: list[tuple[int, int]] = []
    for a, spec in enumerate(specs):
        if runs:
            first = runs[-1][0]
            same = dataclasses.replace(specs[first], name="") == dataclasses.replace(spec, name="")
            if same and ranges[first] == ranges[a]:
                runs[-1] = (first, a)
                continue
        runs.append((a, a))
    return runs


def _size_text(size: int, size_range: tuple[int, int] | None) -> str:
    return f"{size_range[0]}-{size_range[1]}" if size_range else str(size)


def _phase_text(phase: Phase, ref: str | None) -> str:
    start = f"week = {ref}" if ref else f"week {phase.start}"
    levels = [
        f"{name} {value:g}"
        for name, value in (
            ("co-presence", phase.co_presence),
            ("collaboration", phase.collaboration),
            ("common work", phase.common_work),
        )
        if value is not None
    ]
    text = f"{start}: {phase.name}; " + (", ".join(levels) or "levels from the parameters")
    if phase.meetings:
        every = phase.meeting_every if phase.meeting_every is not None else "intervision_every"
        share = phase.attendance if phase.attendance is not None else "intervision_attendance"
        text += f"; common work only at peer meetings every {every} weeks, attendance {share}"
    return text


def check_phase_order(
    phases: list[Phase] | tuple[Phase, ...], refs: Any, resolved: bool = True
) -> None:
    """Phases start at week 0 and in strictly increasing weeks.

    Args:
        phases: the schedule.
        refs: per phase, the model parameter its start follows, or ``None``.
        resolved: whether those parameters' weeks are in ``phases`` (else those phases are
            left for :meth:`Case.setting` to check).

    Raises:
        CaseError: naming the phase's start (and the parameter it follows, if any).
    """
    if refs[0] is not None:
        raise CaseError(
            "schedule[0].start", refs[0], "is not week 0", "a first phase that starts at week 0"
        )
    known = [(i, p) for i, p in enumerate(phases) if resolved or refs[i] is None]
    for (i, phase), prev in zip(known, [None, *known[:-1]], strict=True):
        shown = f"{refs[i]} = {phase.start}" if refs[i] else phase.start
        if prev is None and phase.start != 0:
            raise CaseError(
                "schedule[0].start", shown, "is not week 0", "a first phase that starts at week 0"
            )
        if prev is not None and phase.start <= prev[1].start:
            raise CaseError(
                f"schedule[{i}].start",
                shown,
                f"is not after the previous phase's start (week {prev[1].start})",
                "phases in order of start",
            )
