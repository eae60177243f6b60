"""Case files in sweeps: each case a sweep runs, with its provenance for the manifest.

The manifest records, for each case a sweep runs, its file, digest and the source of each value
(:func:`case_provenance`); figure captions carry a line per case (:func:`caption_lines`). The
spec's ``case`` key itself is read by :mod:`experiments.spec.case_key`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CASE_KEY = "case"


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
