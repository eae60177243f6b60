"""One key of a case file's schema: its kind (how its value is read), unit, range and meaning."""

from __future__ import annotations

from dataclasses import dataclass

from simulation.scenarios import FACETS

SLOT_NAMES: tuple[str, ...] = tuple(
    f"{day}-{half}" for day in ("mon", "tue", "wed", "thu", "fri") for half in ("am", "pm")
)
"""Names of the week's half-day slots: ``mon-am`` = 0, ``mon-pm`` = 1, ... ``fri-pm`` = 9."""

START_PARAMETERS: tuple[str, ...] = ("decentralise_at",)
"""Model parameters a phase's start may follow (``start = "decentralise_at"``)."""

MAX_WORKERS = 1_000_000
"""Most workers a case may hold in all (the model's largest landscape)."""

KINDS: tuple[str, ...] = (
    "text",  # a string
    "name",  # a short name: letters, digits, spaces and - _ . ' ( )
    "int",
    "float",
    "bool",
    "count",  # an integer, or [low, high]: an observed range
    "size",  # an integer, or [low, high]: drawn uniformly with the model's seed
    "choice",
    "site",  # the name of a declared site
    "facets",  # a list of numbers in [0, 1], one per facet
    "facet_values",  # a table facet = number in [0, 1]
    "facet_names",  # a list of distinct facet names
    "weights",  # a table name = positive number
    "shares",  # a table name = share of time in [0, 1]
    "slots",  # a list of half-day slots, or "all"
    "names",  # a list of distinct names
    "start",  # a week, or the name of a model parameter that gives it
    "sources",  # a table key = passage or "assumption: ..."
)


@dataclass(frozen=True)
class Key:
    """One key of a case file's table.

    Attributes:
        name: the key as written in the file.
        kind: how its value is read and checked (one of :data:`KINDS`).
        doc: what it means, in the model's vocabulary.
        unit: its unit, or the meaning of its scale.
        low: smallest allowed number (numbers, sizes, counts; each share or weight).
        high: largest allowed number.
        choices: allowed values (``choice``), or the allowed names of a table (``weights``).
        required: whether the table must have it.
        field: the dataclass field it fills (``None`` for case metadata and checks only).
    """

    name: str
    kind: str
    doc: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    required: bool = False
    field: str | None = None

    def allowed(self) -> str:
        """What the key accepts, in words (for errors and the docs)."""
        span = f"[{_num(self.low)}, {_num(self.high)}]"
        return {
            "text": "a string",
            "name": "a non-empty name on one line",
            "int": f"an integer in {span}",
            "float": f"a number in {span}",
            "bool": "true or false",
            "count": f"an integer in {span}, or [low, high] within it",
            "size": f"an integer in {span}, or [low, high] within it (drawn with the seed)",
            "choice": "one of " + ", ".join(self.choices),
            "site": "the name of a site declared in [[sites]]",
            "facets": "a list of 1 to 64 numbers in [0, 1] (facets in the model's order)",
            "weights": f"a table name = number in ({_num(self.low)}, {_num(self.high)}], "
            "names among " + ", ".join(self.choices),
            "shares": "a table space = share of time in [0, 1], shares summing to at most 1",
            "slots": 'a list of distinct half-day slots (0..9 or mon-am ... fri-pm), or "all"',
            "names": "a list of distinct names",
            "start": f"a week in {span}, or the name of a model parameter: "
            + ", ".join(START_PARAMETERS),
            "facet_values": "a table facet = value in [0, 1], facets among " + ", ".join(FACETS),
            "facet_names": "a list of distinct facets among " + ", ".join(FACETS),
            "sources": 'a table key = passage of the study (in «»), or "assumption: ..."',
        }[self.kind]


def _num(x: float | None) -> str:
    if x is None:
        return "-"
    return str(int(x)) if float(x).is_integer() else str(x)
