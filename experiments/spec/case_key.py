"""The spec's ``case`` key: a fixed parameter, with paths relative to the spec file.

A spec names a case at the top level (``case = "mine.toml"``), in ``[fixed]``, or among a
design's factors (``case = ["cssi", "mine.toml"]``) to compare cases.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from experiments.spec.errors import SpecError

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
