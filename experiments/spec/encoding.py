"""Numeric encoding of discrete factors in sampled designs: switches, choices, integer levels.

Sobol (Saltelli), Morris and Latin-hypercube designs sample numbers. A discrete factor (a
switch such as ``serving_publics``, a choice such as ``layout``, or integer levels such as
``core_facets``) is given in a spec as its levels, ``{ levels = [...] }``, sampled as a number
``u`` on the unit interval and read as the level of the equal-width bin it falls in:

    level = levels[min(floor(u * k), k - 1)]        (k levels; bin i is [i/k, (i+1)/k))

so that under a uniform ``u`` every level has probability ``1 / k``, and the sensitivity
methods see one more uniform factor. This is the "trigger" factor of Crosetto and Tarantola
(2001, *International Journal of Geographical Information Science* 15: 415-437) and Saltelli
et al. (2008, *Global Sensitivity Analysis. The Primer*, Wiley), which select among
alternative inputs or model structures by a uniform factor cut into bins; it is also the
approach SALib's maintainers give for discrete inputs (SALib issues 98, 195 and 581: sample a
continuous range, then bin or floor). ``u = 1`` (a Morris grid's top level) reads as the last
level. A small change of ``u`` inside a bin changes nothing, which the methods treat as they
would a flat stretch of a continuous response.

Integer parameters given as bounds ``[low, high]`` are sampled as numbers and rounded to the
nearest integer (so the two end values get half the weight of the inner ones); give them as
``{ levels = [...] }`` for equal weights.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

LEVELS_KEY = "levels"
"""The key of a discrete factor's table in a sampled design: ``{ levels = [...] }``."""


def levels(*values: Any) -> dict[str, list[Any]]:
    """A discrete factor of a sampled design: ``Design.sobol(8, layout=levels("a", "b"))``."""
    return {LEVELS_KEY: list(values)}


def is_levels(factor: Any) -> bool:
    """Whether a design factor is discrete levels (``{ levels = [...] }``) rather than bounds."""
    return isinstance(factor, Mapping) and LEVELS_KEY in factor


def sample_bounds(factor: Any) -> list[float]:
    """The interval a factor is sampled on: ``[0, 1]`` for levels, its bounds otherwise."""
    if is_levels(factor):
        return [0.0, 1.0]
    low, high = factor
    return [float(low), float(high)]


def level_index(name: str, k: int, u: Any) -> np.ndarray:
    """The bin of each unit position ``u``: ``min(floor(u k), k - 1)``.

    Raises:
        ValueError: a position outside [0, 1] (or not a number), naming the parameter.
    """
    x = np.atleast_1d(np.asarray(u, dtype=float))
    bad = ~np.isfinite(x) | (x < 0.0) | (x > 1.0)
    if bad.any():
        value = x[bad].flat[0]
        raise ValueError(
            f"{name}: unit position {value!r} is out of range; allowed: a number in [0, 1] "
            f"(read as one of its {k} levels by equal-width bins)"
        )
    return np.minimum(np.floor(x * k).astype(np.int64), k - 1)


def decode(name: str, values: Sequence[Any], u: Any) -> list[Any]:
    """The levels that unit positions ``u`` stand for (equal-width bins of [0, 1]).

    Args:
        name: the parameter, for error messages.
        values: its levels, in order.
        u: positions in [0, 1] (a number or an array).

    Raises:
        ValueError: a position outside [0, 1].
    """
    index = level_index(name, len(values), u)
    return [values[i] for i in index]


def encode(name: str, values: Sequence[Any], chosen: Any) -> np.ndarray:
    """The centre of each chosen level's bin: the inverse of :func:`decode`, bin for bin.

    Raises:
        ValueError: a value that is not one of the levels, naming the parameter and listing
            the allowed levels.
    """
    position = {repr(v): i for i, v in enumerate(values)}
    k = len(values)
    out = []
    for value in np.atleast_1d(np.asarray(chosen, dtype=object)):
        plain = value.item() if isinstance(value, np.generic) else value
        i = position.get(repr(plain))
        if i is None:
            raise ValueError(
                f"{name}: {plain!r} is not one of its levels; allowed: "
                + ", ".join(repr(v) for v in values)
            )
        out.append((i + 0.5) / k)
    return np.array(out, dtype=float)


def bin_edges(k: int) -> np.ndarray:
    """The ``k + 1`` edges of the equal-width bins of [0, 1]."""
    return np.linspace(0.0, 1.0, k + 1)
