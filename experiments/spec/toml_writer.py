"""Writing the spec structure back as TOML text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from experiments.spec.encoding import is_levels
from simulation.cases.writer import toml_key, toml_value


def dumps_toml(data: Mapping[str, Any]) -> str:
    """Write the spec structure as TOML (scalars, arrays, tables, arrays of tables)."""
    lines: list[str] = []
    _emit_table(lines, [], data)
    return "\n".join(lines).strip() + "\n"


def _emit_table(lines: list[str], path: list[str], table: Mapping[str, Any]) -> None:
    scalars = {k: v for k, v in table.items() if not _is_table(v) and not _is_table_array(v)}
    for key, value in scalars.items():
        if value is not None:
            lines.append(f"{toml_key(key)} = {toml_value(value)}")
    for key, value in table.items():
        if _is_table(value):
            lines.extend(["", "[" + ".".join(toml_key(k) for k in [*path, key]) + "]"])
            _emit_table(lines, [*path, key], value)
        elif _is_table_array(value):
            for item in value:
                lines.extend(["", "[[" + ".".join(toml_key(k) for k in [*path, key]) + "]]"])
                _emit_table(lines, [*path, key], item)


def _is_table(value: Any) -> bool:
    # a factor's levels stay inline, in their place: the order of a sampled design's factors
    # says which column of the sample each factor reads
    return isinstance(value, Mapping) and not is_levels(value)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)
