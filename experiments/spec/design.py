"""Designs of experiments: which parameter points a sweep visits, and how many."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any

from experiments.spec.encoding import sample_bounds

DESIGN_KINDS: tuple[str, ...] = ("grid", "lhs", "sobol", "morris", "table")
"""Designs: full factorial grid, Latin hypercube, Sobol (Saltelli), Morris, explicit table."""


@dataclass(frozen=True, eq=True)
class Design:
    """Which parameter points a sweep visits.

    Build one with the class methods: ``Design.grid(pooling_intensity=[0, 0.5, 1])``,
    ``Design.lhs(64, openness=(0.2, 0.8))``, ``Design.sobol(64, ...)``,
    ``Design.morris(10, ...)`` or ``Design.table([{...}, {...}])``.

    Attributes:
        kind: one of :data:`DESIGN_KINDS`.
        factors: grid: parameter -> list of levels; lhs, sobol, morris: parameter ->
            ``(low, high)`` bounds, or ``{"levels": [...]}`` for a switch, a choice or
            integer levels, sampled on [0, 1] and read by equal-width bins
            (:mod:`experiments.spec.encoding`).
        samples: lhs: number of points; sobol: base sample size N (a power of two), giving
            ``N * (D + 2)`` points, or ``N * (2 D + 2)`` with second-order indices.
        second_order: sobol: also estimate second-order indices.
        trajectories: morris: number of trajectories r, giving ``r * (D + 1)`` points.
        levels: morris: number of grid levels (even).
        points: table: one mapping of parameter values per point.
    """

    kind: str = "grid"
    factors: Mapping[str, Any] = field(default_factory=dict)
    samples: int | None = None
    second_order: bool = False
    trajectories: int | None = None
    levels: int = 4
    points: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def grid(cls, **factors: Sequence[Any]) -> Design:
        """A full factorial grid over the given levels (the last factor varies fastest)."""
        return cls("grid", factors={k: list(v) for k, v in factors.items()})

    @classmethod
    def lhs(cls, samples: int, **bounds: tuple[float, float]) -> Design:
        """A Latin hypercube of ``samples`` points within ``(low, high)`` bounds."""
        return cls("lhs", factors=_factors(bounds), samples=samples)

    @classmethod
    def sobol(
        cls, samples: int, *, second_order: bool = False, **bounds: tuple[float, float]
    ) -> Design:
        """A Saltelli-Sobol sample for variance-based sensitivity (base size ``samples``)."""
        return cls(
            "sobol",
            factors=_factors(bounds),
            samples=samples,
            second_order=second_order,
        )

    @classmethod
    def morris(
        cls, trajectories: int, *, levels: int = 4, **bounds: tuple[float, float]
    ) -> Design:
        """Morris elementary-effects trajectories within ``(low, high)`` bounds."""
        return cls(
            "morris",
            factors=_factors(bounds),
            trajectories=trajectories,
            levels=levels,
        )

    @classmethod
    def table(cls, points: Any) -> Design:
        """Explicit points: a list of mappings, or a pandas DataFrame (one row per point)."""
        if hasattr(points, "to_dict"):
            points = points.to_dict("records")
        return cls("table", points=tuple(dict(p) for p in points))

    def to_dict(self) -> dict[str, Any]:
        """The ``[design]`` table of a TOML spec."""
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind == "table":
            out["points"] = [dict(p) for p in self.points]
            return out
        out["factors"] = {k: _plain(v) for k, v in self.factors.items()}
        if self.kind in ("lhs", "sobol"):
            out["samples"] = self.samples
        if self.kind == "sobol":
            out["second_order"] = self.second_order
        if self.kind == "morris":
            out["trajectories"] = self.trajectories
            out["levels"] = self.levels
        return out


def _factors(bounds: Mapping[str, Any]) -> dict[str, Any]:
    """Sampled factors as plain data: bounds as lists, levels as ``{"levels": [...]}``."""
    return {k: (_levels_copy(v) if isinstance(v, Mapping) else list(v)) for k, v in bounds.items()}


def _levels_copy(table: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a levels table, as it is (validation refuses a malformed one by its key)."""
    out = dict(table)
    if isinstance(out.get("levels"), list | tuple):
        out["levels"] = list(out["levels"])
    return out


def _plain(value: Any) -> Any:
    """Plain Python containers and scalars (tuples become lists), for JSON and TOML."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        return float(value)
    return value


def design_size(design: Design) -> int:
    """Number of points a design visits (without building it)."""
    d = len(design.factors)
    if design.kind == "grid":
        return math.prod(len(v) for v in design.factors.values())
    if design.kind == "lhs":
        return int(design.samples)
    if design.kind == "sobol":
        return int(design.samples) * ((2 * d + 2) if design.second_order else (d + 2))
    if design.kind == "morris":
        return int(design.trajectories) * (d + 1)
    return len(design.points)


def salib_problem(design: Design) -> dict[str, Any]:
    """The SALib problem (names and bounds) of a sampled design (levels on [0, 1])."""
    return {
        "num_vars": len(design.factors),
        "names": list(design.factors),
        "bounds": [sample_bounds(f) for f in design.factors.values()],
    }
