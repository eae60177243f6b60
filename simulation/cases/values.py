"""Reading one value of a case file: its type and range, by the kind of its key in the schema."""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping
from numbers import Integral, Real
from typing import Any

from simulation.cases.errors import CaseError
from simulation.cases.keys import SLOT_NAMES, START_PARAMETERS, Key
from simulation.scenarios import FACETS

Bad = Callable[[str], CaseError]


def read_value(path: str, key: Key, value: Any) -> Any:
    """Check one value against its key's kind and range; returns it normalised.

    Raises:
        CaseError: naming ``path``, the value and what is allowed.
    """

    def bad(problem: str) -> CaseError:
        return CaseError(path, value, problem, key.allowed())

    return _READERS[key.kind](path, key, value, bad)


def unknown_name(path: str, value: Any, known: tuple[str, ...], allowed: str) -> CaseError:
    """An error for a name that is not among ``known``, with the nearest one as a suggestion."""
    close = difflib.get_close_matches(str(value), known, n=1) if isinstance(value, str) else []
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return CaseError(path, value, f"is not allowed here{hint}", allowed)


def _text(path: str, key: Key, value: Any, bad: Bad) -> str:
    if not isinstance(value, str):
        raise bad("has the wrong type")
    return value


def _name(path: str, key: Key, value: Any, bad: Bad) -> str:
    if not isinstance(value, str) or not value.strip() or "\n" in value:
        raise bad("is not a usable name")
    return value.strip()


def _bool(path: str, key: Key, value: Any, bad: Bad) -> bool:
    if not isinstance(value, bool):
        raise bad("has the wrong type")
    return value


def _int(path: str, key: Key, value: Any, bad: Bad) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise bad("has the wrong type")
    if not key.low <= value <= key.high:
        raise bad("is out of range")
    return int(value)


def _number(value: Any, low: float, high: float, bad: Bad) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise bad("has the wrong type")
    if not math.isfinite(value) or not low <= value <= high:
        raise bad("is out of range")
    return float(value)


def _float(path: str, key: Key, value: Any, bad: Bad) -> float:
    return _number(value, key.low, key.high, bad)


def _count(path: str, key: Key, value: Any, bad: Bad) -> int | tuple[int, int]:
    if not isinstance(value, list):
        return _int(path, key, value, bad)
    if len(value) != 2:
        raise bad("is not a pair [low, high]")
    low, high = (_int(path, key, v, bad) for v in value)
    if low > high:
        raise bad("does not have low <= high")
    return (low, high)


def _choice(path: str, key: Key, value: Any, bad: Bad) -> str:
    if not isinstance(value, str) or value not in key.choices:
        raise unknown_name(path, value, key.choices, key.allowed())
    return value


def _facets(path: str, key: Key, value: Any, bad: Bad) -> tuple[float, ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= 64:
        raise bad("is not a list of 1 to 64 facet values")
    return tuple(_number(v, 0.0, 1.0, bad) for v in value)


def _table(path: str, key: Key, value: Any, bad: Bad) -> dict[str, Any]:
    """Tables of numbers: ``weights`` (> low), ``shares`` and ``facet_values`` (>= low)."""
    if not isinstance(value, Mapping):
        raise bad("is not a table")
    if key.kind == "weights" and not value:
        raise bad("is empty")
    names = FACETS if key.kind == "facet_values" else key.choices
    out: dict[str, Any] = {}
    for name, v in value.items():
        sub = f"{path}.{name}"
        if names and name not in names:
            raise unknown_name(sub, name, names, key.allowed())
        if isinstance(v, bool) or not isinstance(v, Real) or not math.isfinite(v):
            raise CaseError(sub, v, "has the wrong type", key.allowed())
        low_ok = v > key.low if key.kind == "weights" else v >= key.low
        if not low_ok or v > key.high:
            raise CaseError(sub, v, "is out of range", key.allowed())
        out[name] = v if key.kind == "weights" else float(v)
    return out


def _slots(path: str, key: Key, value: Any, bad: Bad) -> tuple[int, ...]:
    if value == "all":
        return tuple(range(len(SLOT_NAMES)))
    if not isinstance(value, list) or not value:
        raise bad("is not a non-empty list of half-day slots")
    slots = []
    for v in value:
        if isinstance(v, str) and v.lower() in SLOT_NAMES:
            slots.append(SLOT_NAMES.index(v.lower()))
        elif isinstance(v, Integral) and not isinstance(v, bool) and 0 <= v < len(SLOT_NAMES):
            slots.append(int(v))
        else:
            raise bad(f"has {v!r}, which is not a half-day slot")
    if len(set(slots)) != len(slots):
        raise bad("repeats a slot")
    return tuple(sorted(slots))


def _names(path: str, key: Key, value: Any, bad: Bad) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise bad("is not a list of names")
    if len(set(value)) != len(value):
        raise bad("repeats a name")
    if key.kind == "facet_names":
        for v in value:
            if v not in FACETS:
                raise unknown_name(path, v, FACETS, key.allowed())
    return tuple(value)


def _start(path: str, key: Key, value: Any, bad: Bad) -> int | str:
    if isinstance(value, str):
        if value not in START_PARAMETERS:
            raise unknown_name(path, value, START_PARAMETERS, key.allowed())
        return value
    return _int(path, key, value, bad)


def _sources(path: str, key: Key, value: Any, bad: Bad) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise bad("is not a table")
    for name, passage in value.items():
        if not isinstance(passage, str) or not passage.strip():
            raise CaseError(f"{path}.{name}", passage, "is not a passage", key.allowed())
    return dict(value)


_READERS: Mapping[str, Callable[[str, Key, Any, Bad], Any]] = {
    "text": _text,
    "name": _name,
    "site": _name,
    "bool": _bool,
    "int": _int,
    "float": _float,
    "count": _count,
    "size": _count,
    "choice": _choice,
    "facets": _facets,
    "weights": _table,
    "shares": _table,
    "facet_values": _table,
    "slots": _slots,
    "names": _names,
    "facet_names": _names,
    "start": _start,
    "sources": _sources,
}
