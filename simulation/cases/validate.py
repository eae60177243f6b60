"""Validation of a case file's contents: every key, value and cross-reference, before any model.

:func:`parse_case` turns the TOML structure (a dict) into a :class:`simulation.cases.case.Case`
or raises a :class:`CaseError` naming the key path (``associations[2].hours``), the bad value
and what is allowed; unknown keys come with the nearest known key as a suggestion.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any

from simulation.cases.case import Case, SiteInfo
from simulation.cases.schema import (
    MAX_WORKERS,
    SLOT_NAMES,
    START_PARAMETERS,
    TABLES,
    Key,
)
from simulation.scenarios import PROTOTYPE_SECTOR, AssociationSpec, Phase

SHARE_SLACK = 1e-9
"""Rounding slack on an association's shares of time summing to at most 1."""

_MISSING = object()


class CaseError(ValueError):
    """A case file is invalid: names the file, line, key path, bad value and what is allowed.

    Attributes:
        key: key path of the bad value (``associations[2].hours``).
        value: the value found.
        problem: what is wrong with it.
        allowed: what would be accepted, in words.
        source: the file (empty for a dict).
        line: line of the file where the key (or its table) is, if found.
    """

    def __init__(
        self,
        key: str,
        value: Any,
        problem: str,
        allowed: str,
        source: str = "",
        line: int | None = None,
    ):
        self.key, self.value, self.problem, self.allowed = key, value, problem, allowed
        self.source, self.line = source, line
        where = f"{source}:{line}: " if source and line else (f"{source}: " if source else "")
        shown = "(missing)" if value is _MISSING else repr(value)
        super().__init__(f"{where}{key} = {shown} {problem}; allowed: {allowed}")

    def located(self, source: str, text: str) -> CaseError:
        """The same error with the file name and the line of its key in ``text``."""
        return CaseError(
            self.key, self.value, self.problem, self.allowed, source, locate(text, self.key)
        )


def parse_case(raw: Any) -> Case:
    """Validate the TOML structure of a case file and build its :class:`Case`.

    Raises:
        CaseError: the first problem found, with its key path.
    """
    if not isinstance(raw, Mapping):
        raise CaseError("(top)", raw, "is not a table", "a TOML document")
    _known_keys("", raw, ("case", "sites", "associations", "schedule"))
    provenance: dict[str, str] = {}
    keys: list[str] = []
    head = _table("case", raw.get("case", _MISSING), TABLES["case"], provenance, keys)
    sites_raw = _array(raw, "sites", required=True)
    sites = [_table(f"sites[{i}]", t, TABLES["sites"], provenance, keys) for i, t in sites_raw]
    infos = _sites(sites)
    assoc_raw = _array(raw, "associations", required=True)
    specs: list[AssociationSpec] = []
    ranges: list[tuple[int, int] | None] = []
    for i, table in assoc_raw:
        path = f"associations[{i}]"
        clean = _table(path, table, TABLES["associations"], provenance, keys)
        for spec, size_range in _associations(path, clean, infos):
            specs.append(spec)
            ranges.append(size_range)
    _check_names("associations", [s.name for s in specs])
    _check_sites_used(infos, specs)
    _check_totals(head, specs, ranges)
    phases, refs = _schedule(raw, provenance, keys)
    return Case(
        name=head["name"],
        title=head.get("title", ""),
        description=head.get("description", ""),
        source=head.get("source", ""),
        weeks=head.get("weeks"),
        workers=head.get("workers"),
        n_associations=head.get("associations"),
        layout_switch=head.get("layout_switch", False),
        sites=tuple(infos),
        associations=tuple(specs),
        size_ranges=tuple(ranges),
        phases=tuple(phases),
        phase_parameters=tuple(refs),
        provenance=provenance,
        keys=tuple(keys),
    )


# --- tables -----------------------------------------------------------------------------------


def _array(raw: Mapping[str, Any], part: str, required: bool) -> list[tuple[int, Any]]:
    allowed = f"one or more [[{part}]] tables"
    value = raw.get(part, _MISSING)
    if value is _MISSING:
        if required:
            raise CaseError(part, _MISSING, "is required", allowed)
        return []
    if not isinstance(value, list) or not all(isinstance(t, Mapping) for t in value):
        raise CaseError(part, value, "is not an array of tables", allowed)
    if not value:
        raise CaseError(part, value, "is empty", allowed)
    return list(enumerate(value))


def _table(
    path: str, table: Any, keys: tuple[Key, ...], provenance: dict[str, str], seen: list[str]
) -> dict[str, Any]:
    """Check one table's keys and values; collect its sources; returns the clean values."""
    if table is _MISSING:
        raise CaseError(path, _MISSING, "is required", f"a [{path}] table")
    if not isinstance(table, Mapping):
        raise CaseError(path, table, "is not a table", f"a [{path}] table")
    by_name = {k.name: k for k in keys}
    _known_keys(path, table, tuple(by_name))
    out: dict[str, Any] = {}
    for key in keys:
        value = table.get(key.name, _MISSING)
        if value is _MISSING:
            if key.required:
                raise CaseError(f"{path}.{key.name}", _MISSING, "is required", key.allowed())
            continue
        out[key.name] = read_value(f"{path}.{key.name}", key, value)
        if key.kind != "sources":
            seen.append(f"{path}.{key.name}")
    for name, passage in out.pop("sources", {}).items():
        if name not in out:
            raise CaseError(
                f"{path}.sources.{name}",
                passage,
                "is the source of a key this table does not set",
                "sources for the keys set: " + ", ".join(out),
            )
        provenance[f"{path}.{name}"] = passage
    return out


def _known_keys(path: str, table: Mapping[str, Any], known: tuple[str, ...]) -> None:
    for name in table:
        if name not in known:
            close = difflib.get_close_matches(str(name), known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            where = f"[{path}]" if path else "the top level"
            raise CaseError(
                f"{path}.{name}" if path else str(name),
                table[name],
                f"is not a key of {where}{hint}",
                ", ".join(known),
            )


# --- values -----------------------------------------------------------------------------------


def read_value(path: str, key: Key, value: Any) -> Any:
    """Check one value against its key's kind and range; returns it normalised.

    Raises:
        CaseError: naming ``path``, the value and what is allowed.
    """
    allowed = key.allowed()

    def bad(problem: str) -> CaseError:
        return CaseError(path, value, problem, allowed)

    kind = key.kind
    if kind == "text":
        if not isinstance(value, str):
            raise bad("has the wrong type")
        return value
    if kind in ("name", "site"):
        if not isinstance(value, str) or not value.strip() or "\n" in value:
            raise bad("is not a usable name")
        return value.strip()
    if kind == "bool":
        if not isinstance(value, bool):
            raise bad("has the wrong type")
        return value
    if kind == "int":
        return _int(value, key, bad)
    if kind == "float":
        return _float(value, key.low, key.high, bad)
    if kind in ("count", "size"):
        if isinstance(value, list):
            if len(value) != 2:
                raise bad("is not a pair [low, high]")
            low, high = (_int(v, key, bad) for v in value)
            if low > high:
                raise bad("does not have low <= high")
            return (low, high)
        return _int(value, key, bad)
    if kind == "choice":
        if not isinstance(value, str) or value not in key.choices:
            raise _unknown_name(path, value, key.choices, allowed)
        return value
    if kind == "facets":
        if not isinstance(value, list) or not 1 <= len(value) <= 64:
            raise bad("is not a list of 1 to 64 facet values")
        return tuple(_float(v, 0.0, 1.0, bad) for v in value)
    if kind in ("weights", "shares"):
        return _weights(path, key, value, bad)
    if kind == "slots":
        return _slots(value, bad)
    if kind == "names":
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise bad("is not a list of names")
        if len(set(value)) != len(value):
            raise bad("repeats a name")
        return tuple(value)
    if kind == "start":
        if isinstance(value, str):
            if value not in START_PARAMETERS:
                raise _unknown_name(path, value, START_PARAMETERS, allowed)
            return value
        return _int(value, key, bad)
    if kind == "sources":
        if not isinstance(value, Mapping):
            raise bad("is not a table")
        for name, passage in value.items():
            if not isinstance(passage, str) or not passage.strip():
                raise CaseError(f"{path}.{name}", passage, "is not a passage", allowed)
        return dict(value)
    raise AssertionError(f"unknown kind {kind!r}")  # a schema bug, not a file's


def _int(value: Any, key: Key, bad: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise bad("has the wrong type")
    if not key.low <= value <= key.high:
        raise bad("is out of range")
    return int(value)


def _float(value: Any, low: float | None, high: float | None, bad: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise bad("has the wrong type")
    if not math.isfinite(value) or not low <= value <= high:
        raise bad("is out of range")
    return float(value)


def _weights(path: str, key: Key, value: Any, bad: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise bad("is not a table")
    if key.kind == "weights" and not value:
        raise bad("is empty")
    out: dict[str, Any] = {}
    for name, v in value.items():
        sub = f"{path}.{name}"
        if key.choices and name not in key.choices:
            raise _unknown_name(sub, name, key.choices, key.allowed())
        if isinstance(v, bool) or not isinstance(v, Real) or not math.isfinite(v):
            raise CaseError(sub, v, "has the wrong type", key.allowed())
        low_ok = v > key.low if key.kind == "weights" else v >= key.low
        if not low_ok or v > key.high:
            raise CaseError(sub, v, "is out of range", key.allowed())
        out[name] = v if key.kind == "weights" else float(v)
    return out


def _slots(value: Any, bad: Any) -> tuple[int, ...]:
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


def _unknown_name(path: str, value: Any, known: tuple[str, ...], allowed: str) -> CaseError:
    close = difflib.get_close_matches(str(value), known, n=1) if isinstance(value, str) else []
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return CaseError(path, value, f"is not allowed here{hint}", allowed)


# --- cross-references -------------------------------------------------------------------------


def _sites(sites: list[dict[str, Any]]) -> list[SiteInfo]:
    _check_names("sites", [s["name"] for s in sites])
    return [SiteInfo(s["name"], s.get("spaces", ())) for s in sites]


def _check_names(part: str, names: list[str]) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise CaseError(f"{part}[{i}].name", name, "repeats a name", "distinct names")
        seen.add(name)


def _associations(
    path: str, clean: dict[str, Any], sites: list[SiteInfo]
) -> list[tuple[AssociationSpec, tuple[int, int] | None]]:
    """The association(s) a table describes (``count`` alike ones), checked against its site."""
    names = [s.name for s in sites]
    site_name = clean.get("site")
    if site_name is None:
        if len(sites) > 1:
            raise CaseError(
                f"{path}.site",
                _MISSING,
                "is required (several sites)",
                "one of " + ", ".join(names),
            )
        site_name = names[0]
    if site_name not in names:
        raise _unknown_name(f"{path}.site", site_name, tuple(names), "one of " + ", ".join(names))
    site = names.index(site_name)
    shared = sites[site].spaces
    for space in clean.get("spaces", {}):
        if space not in shared:
            raise _unknown_name(
                f"{path}.spaces.{space}",
                space,
                shared,
                f"a shared space of site {site_name!r}: " + (", ".join(shared) or "(none)"),
            )
    total = sum(clean.get("spaces", {}).values()) + sum(clean.get("own_spaces", {}).values())
    if total > 1.0 + SHARE_SLACK:
        raise CaseError(
            f"{path}.spaces",
            round(total, 12),
            "sums (with own_spaces) to more than the whole working time",
            "shares of time summing to at most 1",
        )
    sector = clean.get("sector")
    if sector is not None and sector != PROTOTYPE_SECTOR[clean["kind"]]:
        raise CaseError(
            f"{path}.sector",
            sector,
            f"does not match kind {clean['kind']!r}",
            f"{PROTOTYPE_SECTOR[clean['kind']]!r} (the kind's sector), or leave it out",
        )
    count = clean.get("count", 1)
    if count > 1 and "{n}" not in clean["name"]:
        raise CaseError(
            f"{path}.name",
            clean["name"],
            f"names {count} associations alike",
            'a name with {n} where their number goes, e.g. "service {n}"',
        )
    size = clean["size"]
    size_range = size if isinstance(size, tuple) else None
    spaces = dict(clean.get("spaces", {}))
    spaces.update({f"{k}:own": v for k, v in clean.get("own_spaces", {}).items()})
    fields = dataclass_fields("associations", clean)
    fields.update(site=site, spaces=spaces, size=size_range[0] if size_range else size)
    return [
        (
            AssociationSpec(**{**fields, "name": clean["name"].replace("{n}", str(k + 1))}),
            size_range,
        )
        for k in range(count)
    ]


def dataclass_fields(part: str, clean: dict[str, Any]) -> dict[str, Any]:
    """The dataclass fields a table's keys fill (each key's ``field`` in the schema)."""
    return {k.field: clean[k.name] for k in TABLES[part] if k.field and k.name in clean}


def _check_sites_used(sites: list[SiteInfo], specs: list[AssociationSpec]) -> None:
    used = {s.site for s in specs}
    for i, site in enumerate(sites):
        if i not in used:
            raise CaseError(
                f"sites[{i}].name",
                site.name,
                "is a site no association works from",
                "sites that at least one association names with site = ...",
            )


def _check_totals(
    head: dict[str, Any], specs: list[AssociationSpec], ranges: list[tuple[int, int] | None]
) -> None:
    low = sum(r[0] if r else s.size for s, r in zip(specs, ranges, strict=True))
    high = sum(r[1] if r else s.size for s, r in zip(specs, ranges, strict=True))
    span = low if low == high else [low, high]
    if low < 2 or high > MAX_WORKERS:
        raise CaseError(
            "associations[*].size", span, "sums out of range", f"2 to {MAX_WORKERS} workers in all"
        )
    for key, lo, hi, what in (
        ("workers", low, high, "sizes sum"),
        ("associations", len(specs), len(specs), "associations number"),
    ):
        observed = head.get(key)
        if observed is None:
            continue
        olo, ohi = observed if isinstance(observed, tuple) else (observed, observed)
        if not olo <= lo <= hi <= ohi:
            found = lo if lo == hi else [lo, hi]
            raise CaseError(
                f"case.{key}",
                observed,
                f"does not hold what the file describes ({what} to {found})",
                f"a count or range that holds {found}",
            )


def _schedule(
    raw: Mapping[str, Any], provenance: dict[str, str], keys: list[str]
) -> tuple[list[Phase], list[str | None]]:
    tables = _array(raw, "schedule", required=False)
    if not tables:
        return [Phase("pooled", 0)], [None]
    phases, refs = [], []
    for i, table in tables:
        path = f"schedule[{i}]"
        clean = _table(path, table, TABLES["schedule"], provenance, keys)
        if not clean.get("meetings", False):
            for name in ("meeting_every", "attendance"):
                if name in clean:
                    raise CaseError(
                        f"{path}.{name}",
                        clean[name],
                        "is set on a phase without meetings",
                        "meetings = true in the same phase",
                    )
        ref = clean["start"] if isinstance(clean["start"], str) else None
        fields = dataclass_fields("schedule", clean)
        fields["start"] = 0 if ref else clean["start"]  # a parameter's week: set by setting()
        phases.append(Phase(**fields))
        refs.append(ref)
    _check_names("schedule", [p.name for p in phases])
    check_phase_order(phases, refs, resolved=False)
    return phases, refs


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


# --- where in the file ------------------------------------------------------------------------

_PART = re.compile(r"^([A-Za-z_]+)(?:\[(\d+|\*)\])?$")


def locate(text: str, key: str) -> int | None:
    """The line (from 1) of a key path in a case file's text, or of its table; best effort."""
    lines = text.splitlines()
    parts = key.split(".")
    first = _PART.match(parts[0])
    if not first or not text:
        return None
    table, index = first.group(1), first.group(2)
    if index is None or index == "*":
        header = re.compile(rf"^\s*\[{table}\]\s*(#.*)?$")
        hits = [i for i, line in enumerate(lines) if header.match(line)]
        hits = hits[:1] or [i for i, ln in enumerate(lines) if ln.lstrip().startswith(table)][:1]
    else:
        header = re.compile(rf"^\s*\[\[{table}\]\]\s*(#.*)?$")
        hits = [i for i, line in enumerate(lines) if header.match(line)][int(index) :][:1]
    if not hits:
        return None
    start = hits[0]
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if re.match(r"^\s*\[\[?[A-Za-z_]", lines[i])
            and not re.match(rf"^\s*\[{table}\.", lines[i])
        ),
        len(lines),
    )
    for name in reversed(parts[1:]):
        key = rf"\"?{re.escape(name)}\"?\s*="
        pattern = re.compile(rf"^\s*{key}|[{{,]\s*{key}")
        for i in range(start, end):
            if pattern.search(lines[i]):
                return i + 1
    return start + 1
