"""Consistency: the ODD's provenance table gives a source for every scalar parameter."""

from __future__ import annotations

import re
from pathlib import Path

from simulation.model import default_parameters
from simulation.parameters import PARAMETERS

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
KINDS = ("passage", "published", "design", "assumption")


def _rows() -> dict[str, tuple[str, str]]:
    text = ODD.read_text(encoding="utf-8")
    table = text[text.index("## 9. Parameters and their provenance") :]
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        for name in re.findall(r"`([a-z_]+)`", cells[0]):
            rows[name] = (cells[1], cells[2])
    return rows


def test_every_parameter_has_a_row_with_a_kind_of_source() -> None:
    rows = _rows()
    missing = sorted(set(PARAMETERS) - set(rows) - {"case"})
    assert not missing, f"parameters without provenance: {missing}"
    for name, (_, kind) in rows.items():
        assert any(k in kind for k in KINDS), f"{name}: unknown kind of source {kind!r}"


def test_the_table_states_the_defaults_of_the_signature() -> None:
    rows, defaults = _rows(), default_parameters()
    words = {True: "on", False: "off", None: "None"}
    for name, (stated, _) in rows.items():
        if name not in defaults:
            continue
        value = defaults[name]
        expected = words.get(value, value) if isinstance(value, bool | None) else value
        assert stated.strip("`") == str(expected) or float(stated) == float(expected), name
