"""What the classic models share: parameter checks, the generator, frozen results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from numbers import Integral
from typing import Any

import numpy as np

from simulation.parameters import ParamSpec, check_value

MIN_CHUNK = 1024
"""Fewest random draws taken from the generator at once (draws are made in bulk, in chunks)."""
MAX_CHUNK = 1 << 20
"""Most random draws taken from the generator at once."""


def int_param(low: int, high: int, unit: str, label: str, optional: bool = False) -> ParamSpec:
    """The spec of an integer parameter in ``[low, high]``."""
    return ParamSpec("int", low, high, optional=optional, unit=unit, label=label)


def float_param(low: float, high: float, unit: str, label: str) -> ParamSpec:
    """The spec of a real parameter in ``[low, high]``."""
    return ParamSpec("float", low, high, unit=unit, label=label)


def check(table: Mapping[str, ParamSpec], name: str, value: Any) -> Any:
    """Validate one parameter of a classic model against its table; returns it normalised."""
    return check_value(name, table[name], value)


def generator(rng: Any) -> np.random.Generator:
    """The run's generator from ``rng`` (None, an int >= 0, a SeedSequence or a Generator)."""
    if rng is None or isinstance(rng, np.random.Generator | np.random.SeedSequence):
        return np.random.default_rng(rng)
    if isinstance(rng, Integral) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise ValueError(
        f"parameter 'rng' = {rng!r} is invalid: expected None, a non-negative integer, "
        "a numpy SeedSequence or a numpy Generator"
    )


def frozen(array: np.ndarray) -> np.ndarray:
    """A read-only copy of an array (a result's state cannot be changed by accident)."""
    array = np.array(array, copy=True)
    array.flags.writeable = False
    return array


class AsDict:
    """``as_dict`` for the result dataclasses: scalars and tuples, and the arrays on request."""

    def as_dict(self, arrays: bool = False) -> dict[str, Any]:
        """The result as a plain, JSON-ready dict.

        Args:
            arrays: also include the final state arrays (as nested lists).
        """
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                if arrays:
                    out[f.name] = value.tolist()
            elif isinstance(value, tuple):
                out[f.name] = list(value)
            else:
                out[f.name] = value
        return out
