"""The schema of a case file: every key of every table, its unit, allowed range and meaning.

A case file is a TOML file with four parts::

    [case]             what the case is: name, title, source, observed totals, run length
    [[sites]]          one table per site (building): its name and its shared spaces
    [[associations]]   one table per association: kind, size, culture, hours, time in spaces
    [[schedule]]       one table per phase of pooling, from its start week to the next phase

Each table may carry a ``sources`` table that gives, for each of its keys, the passage of the
study the value comes from, or ``"assumption: ..."``.

The keys of ``[[associations]]`` and ``[[schedule]]`` fill the fields of
:class:`simulation.scenarios.AssociationSpec` and :class:`simulation.scenarios.Phase`: a field
added to those dataclasses (with a default) is read from files as soon as it has a
:class:`Key` here (:func:`undocumented_fields` lists the ones that have none, and a test keeps
that list empty). ``docs/cases.md``'s field table is :func:`markdown_table`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from simulation.cases.keys import MAX_WORKERS, Key
from simulation.scenarios import (
    PROFESSIONS,
    PROTOTYPES,
    SECTORS,
    AssociationSpec,
    Phase,
    Setting,
)

_SOURCES = Key(
    "sources", "sources", "provenance of this table's values: key = passage or assumption"
)

CASE_KEYS: tuple[Key, ...] = (
    Key(
        "name",
        "name",
        "short name of the case (used in file names and captions)",
        required=True,
        field="name",
    ),
    Key("title", "text", "a one-line title"),
    Key("description", "text", "what the case is, in a few sentences"),
    Key("source", "text", "the study the case comes from (authors, title, year)"),
    Key("weeks", "int", "suggested run length: the weeks the case covers", "weeks", 1, 100_000),
    Key("workers", "count", "observed number of workers in all", "workers", 1, MAX_WORKERS),
    Key("associations", "count", "observed number of associations", "associations", 1, 10_000),
    Key(
        "layout_switch",
        "bool",
        'whether the model\'s layout = "shared" replaces these premises with the fully shared '
        "counterfactual (one waiting room, one reception, free rooms, common hours)",
    ),
    Key(
        "tool_facets",
        "facet_names",
        "facets on which pooled work writes durable shared tools (guidelines, a lexicon for "
        "coding, a directory), which outlive it",
        field="tool_facets",
    ),
    _SOURCES,
)

SITE_KEYS: tuple[Key, ...] = (
    Key("name", "name", "name of the site (building, or set of premises)", required=True),
    Key(
        "spaces",
        "names",
        "spaces of the site that the associations on it share: waiting room, reception, "
        "kitchen, rooms (an association's own spaces are declared with it)",
    ),
    Key(
        "norm",
        "facet_values",
        "the practice the premises are designed for, on the facets their layout constrains "
        "(one norm per case: every site that gives one gives the same)",
        "0..1 per facet",
        0.0,
        1.0,
        field="premises_norm",
    ),
    _SOURCES,
)

ASSOCIATION_KEYS: tuple[Key, ...] = (
    Key(
        "name",
        "name",
        "name of the association; with count > 1, {n} numbers them",
        "",
        required=True,
        field="name",
    ),
    Key(
        "count",
        "int",
        "number of alike associations this table stands for",
        "associations",
        1,
        1_000,
    ),
    Key(
        "kind",
        "choice",
        "the prototype its culture draws from; it also sets its sector",
        "",
        choices=tuple(PROTOTYPES),
        required=True,
        field="kind",
    ),
    Key("sector", "choice", "its sector (checked against its kind)", "", choices=SECTORS),
    Key(
        "culture",
        "facets",
        "its culture's facet values, in place of its prototype's",
        "0..1 per facet (access, reception, framing, approach, tools, hours)",
        field="culture",
    ),
    Key(
        "site",
        "site",
        "the site it works from (may be left out when there is one site)",
        field="site",
    ),
    Key(
        "size", "size", "number of its workers", "workers", 1, 100_000, required=True, field="size"
    ),
    Key(
        "identity",
        "float",
        "relative identity strength (culture associative); the model "
        "multiplies it by identity_strength",
        "x identity_strength",
        0.0,
        5.0,
        field="identity",
    ),
    Key(
        "professions",
        "weights",
        "its profession mix: profession = weight (normalised)",
        "relative weight",
        0.0,
        1_000.0,
        choices=PROFESSIONS,
        field="professions",
    ),
    Key(
        "public_size",
        "int",
        "beneficiaries who stand for its public in the access measure",
        "beneficiaries",
        0,
        1_000_000,
        field="public_size",
    ),
    Key("hours", "slots", "its opening half-days in the week", "half-day slots", field="hours"),
    Key(
        "spaces",
        "shares",
        "share of its workers' time in each shared space of its site",
        "share of working time",
        0.0,
        1.0,
        field="spaces",
    ),
    Key(
        "own_spaces",
        "shares",
        "share of its workers' time in spaces of its own (its own reception desk, reserved rooms)",
        "share of working time",
        0.0,
        1.0,
    ),
    Key(
        "room_lost",
        "float",
        "share of its own former rooms it lost on the site (0 = kept them, 1 = works only in "
        "shared rooms); sets how hard the premises' norm pulls its workers",
        "share of its rooms",
        0.0,
        1.0,
        field="room_lost",
    ),
    _SOURCES,
)

PHASE_KEYS: tuple[Key, ...] = (
    Key("name", "name", "name of the phase", required=True, field="name"),
    Key(
        "start",
        "start",
        "week the phase starts (the first phase starts at week 0)",
        "week",
        0,
        100_000,
        required=True,
        field="start",
    ),
    Key(
        "co_presence",
        "float",
        "co-presence level the phase imposes (else the model's)",
        "share of time on shared premises",
        0.0,
        1.0,
        field="co_presence",
    ),
    Key(
        "collaboration",
        "float",
        "collaboration level the phase imposes (else the model's)",
        "share of time on shared cases",
        0.0,
        1.0,
        field="collaboration",
    ),
    Key(
        "common_work",
        "float",
        "common-work level the phase imposes (else the model's)",
        "share of workers in pooled functions",
        0.0,
        1.0,
        field="common_work",
    ),
    Key(
        "meetings",
        "bool",
        "common work happens only at peer meetings (intervisions)",
        field="meetings",
    ),
    Key(
        "meeting_every",
        "int",
        "weeks between peer meetings (else the model's intervision_every)",
        "weeks",
        1,
        520,
        field="meeting_every",
    ),
    Key(
        "attendance",
        "float",
        "share of workers attending a peer meeting (else the model's intervision_attendance)",
        "share of workers",
        0.0,
        1.0,
        field="attendance",
    ),
    _SOURCES,
)

TABLES: Mapping[str, tuple[Key, ...]] = {
    "case": CASE_KEYS,
    "sites": SITE_KEYS,
    "associations": ASSOCIATION_KEYS,
    "schedule": PHASE_KEYS,
}
"""The keys of each part of a case file (``[case]``, ``[[sites]]``, ...)."""

DATACLASSES: Mapping[str, tuple[type, tuple[str, ...]]] = {
    "associations": (AssociationSpec, ("associations",)),
    "schedule": (Phase, ("schedule",)),
    "case": (Setting, ("case", "sites")),
}
"""The dataclass each part fills, and the tables whose keys fill it."""

STRUCTURAL: tuple[str, ...] = ("associations", "schedule")
"""Fields of :class:`Setting` that the file's arrays of tables fill as a whole."""


def undocumented_fields() -> dict[str, list[str]]:
    """Dataclass fields that no key of the schema fills: part -> field names.

    A field added to :class:`AssociationSpec` or :class:`Phase` shows up here until it has a
    :class:`Key`; until then files cannot set it and it keeps its default.
    """
    out: dict[str, list[str]] = {}
    for part, (cls, tables) in DATACLASSES.items():
        filled = {k.field for t in tables for k in TABLES[t]} | set(STRUCTURAL)
        missing = [f.name for f in dataclasses.fields(cls) if f.name not in filled]
        if missing:
            out[part] = missing
    return out


def markdown_table() -> str:
    """The field table of ``docs/cases.md``: part, key, unit, allowed values, meaning."""
    heads = {
        "case": "[case]",
        "sites": "[[sites]]",
        "associations": "[[associations]]",
        "schedule": "[[schedule]]",
    }
    lines = [
        "| table | key | unit | allowed | meaning |",
        "|---|---|---|---|---|",
    ]
    for part, keys in TABLES.items():
        for key in keys:
            name = f"**{key.name}**" if key.required else key.name
            allowed = key.allowed().replace("|", "\\|")
            lines.append(f"| `{heads[part]}` | {name} | {key.unit} | {allowed} | {key.doc} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m simulation.cases.schema > the table of docs/cases.md
    print(markdown_table(), end="")
