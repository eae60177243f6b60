"""The error a bad sweep spec raises: it names the key, its value and what is allowed."""

from __future__ import annotations

from typing import Any


class SpecError(ValueError):
    """A sweep spec is invalid; the message names the key, its value and what is allowed.

    Attributes:
        key: dotted path of the bad key (``"design.factors.identity_strength"``).
        value: the value found.
        allowed: what would be accepted, in words.
    """

    def __init__(self, key: str, value: Any, problem: str, allowed: str, source: str = ""):
        self.key, self.value, self.problem, self.allowed = key, value, problem, allowed
        where = f"{source}: " if source else ""
        shown = "(missing)" if value is _MISSING else repr(value)
        super().__init__(f"{where}spec key '{key}' = {shown} {problem}; allowed: {allowed}")

    def with_source(self, source: str) -> SpecError:
        """The same error, prefixed with the file it came from."""
        return SpecError(self.key, self.value, self.problem, self.allowed, source)


_MISSING = object()
