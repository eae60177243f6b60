"""Validation of a case file's contents: every key, value and cross-reference, before any model.

:func:`parse_case` turns the TOML structure (a dict) into a :class:`simulation.cases.case.Case`
or raises a :class:`CaseError` naming the key path (``associations[2].hours``), the bad value
and what is allowed; unknown keys come with the nearest known key as a suggestion.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from simulation.cases.case import Case, SiteInfo, check_phase_order
from simulation.cases.errors import MISSING, CaseError
from simulation.cases.keys import MAX_WORKERS, Key
from simulation.cases.schema import TABLES
from simulation.cases.values import read_value, unknown_name
from simulation.scenarios import PROTOTYPE_SECTOR, AssociationSpec, Phase

SHARE_SLACK = 1e-9
"""Rounding slack on an association's shares of time summing to at most 1."""


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
    head = _table("case", raw.get("case", MISSING), TABLES["case"], provenance, keys)
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
        premises_norm=_premises_norm(sites),
        tool_facets=head.get("tool_facets", ()),
    )


# --- tables -----------------------------------------------------------------------------------


def _array(raw: Mapping[str, Any], part: str, required: bool) -> list[tuple[int, Any]]:
    allowed = f"one or more [[{part}]] tables"
    value = raw.get(part, MISSING)
    if value is MISSING:
        if required:
            raise CaseError(part, MISSING, "is required", allowed)
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
    if table is MISSING:
        raise CaseError(path, MISSING, "is required", f"a [{path}] table")
    if not isinstance(table, Mapping):
        raise CaseError(path, table, "is not a table", f"a [{path}] table")
    by_name = {k.name: k for k in keys}
    _known_keys(path, table, tuple(by_name))
    out: dict[str, Any] = {}
    for key in keys:
        value = table.get(key.name, MISSING)
        if value is MISSING:
            if key.required:
                raise CaseError(f"{path}.{key.name}", MISSING, "is required", key.allowed())
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


# --- cross-references -------------------------------------------------------------------------


def _sites(sites: list[dict[str, Any]]) -> list[SiteInfo]:
    _check_names("sites", [s["name"] for s in sites])
    return [SiteInfo(s["name"], s.get("spaces", ())) for s in sites]


def _premises_norm(sites: list[dict[str, Any]]) -> dict[str, float]:
    """The premises' norm: the model holds one per case, so the sites that give one agree."""
    norms = [(i, s["norm"]) for i, s in enumerate(sites) if "norm" in s]
    if not norms:
        return {}
    first = norms[0][1]
    for i, norm in norms[1:]:
        if norm != first:
            raise CaseError(
                f"sites[{i}].norm",
                norm,
                f"differs from sites[{norms[0][0]}].norm",
                "the same norm on every site that gives one (one norm per case)",
            )
    if len(norms) < len(sites):
        i = next(i for i, s in enumerate(sites) if "norm" not in s)
        raise CaseError(
            f"sites[{i}].norm",
            MISSING,
            "is missing while another site gives one",
            "the same norm on every site, or none",
        )
    return dict(first)


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
                MISSING,
                "is required (several sites)",
                "one of " + ", ".join(names),
            )
        site_name = names[0]
    if site_name not in names:
        raise unknown_name(f"{path}.site", site_name, tuple(names), "one of " + ", ".join(names))
    site = names.index(site_name)
    shared = sites[site].spaces
    for space in clean.get("spaces", {}):
        if space not in shared:
            raise unknown_name(
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
