"""Case files in sweeps: the spec's ``case`` key, and each case's provenance for the manifest.

A spec names a case at the top level (``case = "mine.toml"``, a path relative to the spec
file), in ``[fixed]``, or among a design's factors (``case = ["cssi", "mine.toml"]``) to compare
cases. The manifest records, for each case a sweep runs, its file, digest and the source of
each value; figure captions carry a line per case.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

CASE_KEY = "case"


def place_case_key(raw: Mapping[str, Any], base: Path | None = None) -> dict[str, Any]:
    """A spec's TOML structure with a top-level ``case`` moved to ``[fixed]``, paths resolved.

    Args:
        raw: the spec's TOML structure.
        base: the spec file's folder: a relative case path that names a file there is made
            absolute (a built-in name, or a path that is not there, is left as written).

    Raises:
        SpecError: ``case`` is both at the top level and in ``[fixed]``.
    """
    from experiments.spec import SpecError

    out = copy.deepcopy(dict(raw))
    if CASE_KEY in out:
        fixed = out.get("fixed", {})
        if isinstance(fixed, Mapping) and CASE_KEY in fixed:
            raise SpecError(
                "fixed.case", fixed[CASE_KEY], "is also set at the top level", "one of the two"
            )
        out["fixed"] = {**(fixed if isinstance(fixed, Mapping) else {}), CASE_KEY: out[CASE_KEY]}
        del out[CASE_KEY]
    if base is not None:
        for table in _tables(out):
            _resolve_in(table, base)
    return out


def _tables(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """Every table of a spec where a parameter's value may stand."""
    found: list[dict[str, Any]] = []
    for top in (raw, raw.get("quick")):
        if not isinstance(top, dict):
            continue
        design = top.get("design")
        for table in (
            top.get("fixed"),
            design.get("factors") if isinstance(design, dict) else None,
            *(design.get("points", []) if isinstance(design, dict) else []),
        ):
            if isinstance(table, dict):
                found.append(table)
    return found


def _resolve_in(table: dict[str, Any], base: Path) -> None:
    value = table.get(CASE_KEY)
    if isinstance(value, str):
        table[CASE_KEY] = _resolve(value, base)
    elif isinstance(value, list):
        table[CASE_KEY] = [_resolve(v, base) if isinstance(v, str) else v for v in value]


def _resolve(value: str, base: Path) -> str:
    from simulation.cases import BUILTIN_CASES

    path = Path(value).expanduser()
    if value in BUILTIN_CASES or path.is_absolute() or not (base / path).is_file():
        return value
    return str((base / path).resolve())


def spec_cases(spec: Any) -> list[str]:
    """The cases a sweep runs: its ``case`` values, or its built-in scenario's case."""
    from simulation.cases import BUILTIN_CASES

    values: list[Any] = [spec.fixed.get(CASE_KEY)]
    design = spec.design
    values += list(design.factors.get(CASE_KEY, [])) if design.kind != "table" else []
    values += [p.get(CASE_KEY) for p in design.points]
    cases = list(dict.fromkeys(str(v) for v in values if v is not None))
    if cases:
        return cases
    scenarios = [spec.scenario] if spec.scenario else []
    if design.kind == "grid":
        scenarios += list(design.factors.get("scenario", []))
    scenarios += [p.get("scenario") for p in design.points]
    return list(dict.fromkeys(s for s in scenarios if s in BUILTIN_CASES))


def case_provenance(spec: Any) -> dict[str, dict[str, Any]]:
    """For the manifest: each case the sweep runs -> its file, digest and value sources."""
    from simulation.cases import load_case

    out = {}
    for value in spec_cases(spec):
        case = load_case(value)
        out[value] = {
            "name": case.name,
            "title": case.title,
            "path": str(case.path),
            "digest": case.digest,
            "source": case.source,
            "counts": case.provenance_counts(),
            "unsourced": case.unsourced(),
            "provenance": dict(case.provenance),
        }
    return out


def caption_lines(manifest: Mapping[str, Any]) -> list[str]:
    """A caption line per case of a sweep's manifest (none for generated landscapes)."""
    lines = []
    for entry in manifest.get("cases", {}).values():
        counts = entry["counts"]
        lines.append(
            f"case: {entry['name']} ({entry['title']}), file {entry['path']} "
            f"({entry['digest'][:19]}); {counts['sourced']} values with a source, "
            f"{counts['assumed']} assumptions, {counts['unsourced']} without a source"
            + (f"; source: {entry['source']}" if entry.get("source") else "")
        )
    return lines
