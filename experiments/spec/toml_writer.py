"""Writing the spec structure back as TOML text."""

from __future__ import annotations

import json
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any


def dumps_toml(data: Mapping[str, Any]) -> str:
    """Write the spec structure as TOML (scalars, arrays, tables, arrays of tables)."""
    lines: list[str] = []
    _emit_table(lines, [], data)
    return "\n".join(lines).strip() + "\n"


def _emit_table(lines: list[str], path: list[str], table: Mapping[str, Any]) -> None:
    scalars = {k: v for k, v in table.items() if not _is_table(v) and not _is_table_array(v)}
    for key, value in scalars.items():
        if value is not None:
            lines.append(f"{_key(key)} = {_toml_value(value)}")
    for key, value in table.items():
        if _is_table(value):
            lines.extend(["", "[" + ".".join(_key(k) for k in [*path, key]) + "]"])
            _emit_table(lines, [*path, key], value)
        elif _is_table_array(value):
            for item in value:
                lines.extend(["", "[[" + ".".join(_key(k) for k in [*path, key]) + "]]"])
                _emit_table(lines, [*path, key], item)


def _is_table(value: Any) -> bool:
    return isinstance(value, Mapping)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else json.dumps(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Real):
        return repr(float(value))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")
