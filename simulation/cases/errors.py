"""The error a bad case file raises, and where in the file its key is."""

from __future__ import annotations

import re
from typing import Any

MISSING = object()
"""Stands for a required key the file does not have."""


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
        shown = "(missing)" if value is MISSING else repr(value)
        super().__init__(f"{where}{key} = {shown} {problem}; allowed: {allowed}")

    def located(self, source: str, text: str) -> CaseError:
        """The same error with the file name and the line of its key in ``text``."""
        return CaseError(
            self.key, self.value, self.problem, self.allowed, source, locate(text, self.key)
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
