"""Validation of a spec's plain structure with the model's own names, types and ranges."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any

from experiments.spec.design import DESIGN_KINDS, Design, _factors
from experiments.spec.encoding import LEVELS_KEY
from experiments.spec.errors import _MISSING, SpecError
from simulation.parameters import PARAMETERS

_DESIGN_KEYS: Mapping[str, tuple[str, ...]] = {
    "grid": ("kind", "factors"),
    "lhs": ("kind", "factors", "samples"),
    "sobol": ("kind", "factors", "samples", "second_order"),
    "morris": ("kind", "factors", "trajectories", "levels"),
    "table": ("kind", "points"),
}
_TOP_KEYS: tuple[str, ...] = (
    "name",
    "description",
    "scenario",
    "seed",
    "replicates",
    "steps",
    "record_every",
    "fixed",
    "design",
    "quick",
)
_REQUIRED: tuple[str, ...] = ("seed", "steps", "design")
_NOT_RUN: tuple[str, ...] = ("name", "description", "quick")
_QUICK_KEYS: tuple[str, ...] = ("replicates", "steps", "record_every", "fixed", "design")
_RESERVED: Mapping[str, str] = {
    "record_every": "set it with the top-level key 'record_every'",
    "collect_agents": "sweeps store model-level measures only",
}
_MAX_REPLICATES = 100_000
_MAX_STEPS = 1_000_000
_MAX_POINTS = 10_000_000


_ALLOWED_TEXT: Mapping[str, str] = {
    "name": "a short name (letters, digits, '-', '_' and '.')",
    "description": "a string",
    "seed": "a non-negative integer (or a string of decimal digits)",
    "replicates": f"an integer in [1, {_MAX_REPLICATES}]",
    "steps": f"an integer in [1, {_MAX_STEPS}]",
    "design": "a [design] table with kind = " + " | ".join(DESIGN_KINDS),
}


def _validate(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check a spec's plain structure; returns it normalised."""
    out: dict[str, Any] = {}
    name = raw.get("name", "sweep")
    if not isinstance(name, str) or not name or not all(c.isalnum() or c in "-_." for c in name):
        raise SpecError("name", name, "is not a usable name", _ALLOWED_TEXT["name"])
    out["name"] = name
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise SpecError("description", description, "has the wrong type", "a string")
    out["seed"] = _check_seed(raw.get("seed", 0))
    out["replicates"] = _check_int("replicates", raw.get("replicates", 1), 1, _MAX_REPLICATES)
    out["steps"] = _check_int("steps", raw.get("steps", 52), 1, _MAX_STEPS)
    out["record_every"] = _check_param("record_every", "record_every", raw.get("record_every", 1))
    fixed = raw.get("fixed", {})
    if not isinstance(fixed, Mapping):
        raise SpecError("fixed", fixed, "is not a table", "a [fixed] table: parameter = value")
    design = _validate_design(raw.get("design"), raw.get("scenario"))
    varied = set(_design_names(design))
    clean_fixed = {}
    for key, value in fixed.items():
        _check_name(f"fixed.{key}", key, value)
        if key == "scenario":
            raise SpecError(
                "fixed.scenario", value, "belongs at the top level", 'scenario = "..."'
            )
        if key in varied:
            raise SpecError(
                f"fixed.{key}",
                value,
                "is also varied by the design",
                "each parameter either fixed or in the design, not both",
            )
        clean_fixed[key] = _check_param(f"fixed.{key}", key, value)
    out["fixed"] = clean_fixed
    scenario = raw.get("scenario")
    if "scenario" in varied:
        if scenario is not None:
            raise SpecError(
                "scenario",
                scenario,
                "is also varied by the design",
                "either a top-level scenario or scenario in the design",
            )
    else:
        if scenario is None:
            from simulation.model import default_parameters

            scenario = default_parameters()["scenario"]
        scenario = _check_param("scenario", "scenario", scenario)
    out["scenario"] = scenario
    out["design"] = design
    return out


def _check_seed(value: Any) -> int:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise SpecError("seed", value, "has the wrong type", _ALLOWED_TEXT["seed"])
    if value < 0:
        raise SpecError("seed", value, "is out of range", _ALLOWED_TEXT["seed"])
    return int(value)


def _check_int(key: str, value: Any, low: int, high: int) -> int:
    allowed = f"an integer in [{low}, {high}]"
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise SpecError(key, value, "has the wrong type", allowed)
    if not low <= value <= high:
        raise SpecError(key, value, "is out of range", allowed)
    return int(value)


def _check_name(key: str, name: str, value: Any) -> None:
    if name in _RESERVED:
        raise SpecError(key, value, f"cannot be set here ({_RESERVED[name]})", "model parameters")
    if name not in PARAMETERS:
        raise SpecError(
            key,
            value,
            "is not a model parameter",
            ", ".join(n for n in PARAMETERS if n not in _RESERVED),
        )


def _check_param(key: str, name: str, value: Any) -> Any:
    """Validate one parameter value with the model's own ranges."""
    from simulation.parameters import validate_parameter

    spec = PARAMETERS[name]
    try:
        return validate_parameter(name, value)
    except ValueError as err:
        if spec.kind == "case":  # the case file's own message names its file, key and value
            raise SpecError(key, value, f"is not a usable case ({err})", spec.allowed()) from None
    number = isinstance(value, Real) and not isinstance(value, bool)
    in_kind = (
        (spec.kind == "float" and number)
        or (spec.kind == "int" and number and isinstance(value, Integral))
        or (spec.kind == "choice" and isinstance(value, str))
    )
    if spec.kind == "float" and number and not math.isfinite(value):
        in_kind = False
    problem = "is out of range" if in_kind else "has the wrong type"
    raise SpecError(key, value, problem, spec.allowed()) from None


def _design_names(design: Mapping[str, Any]) -> list[str]:
    if design["kind"] == "table":
        names: dict[str, None] = {}
        for point in design["points"]:
            names.update(dict.fromkeys(point))
        return list(names)
    return list(design["factors"])


def _validate_design(design: Any, scenario: Any) -> dict[str, Any]:
    """Check a ``[design]`` table; returns it normalised.

    Why one function: it walks the table's keys in the order a reader checks them (kind, keys
    of that kind, factors, then the kind's own sizes), each check naming the key it refuses.
    """
    if design is None:
        raise SpecError("design", _MISSING, "is required", _ALLOWED_TEXT["design"])
    if isinstance(design, Design):
        design = design.to_dict()
    if not isinstance(design, Mapping):
        raise SpecError("design", design, "is not a table", _ALLOWED_TEXT["design"])
    kind = design.get("kind", "grid")
    if kind not in DESIGN_KINDS:
        raise SpecError("design.kind", kind, "is not a design", " | ".join(DESIGN_KINDS))
    for key in design:
        if key not in _DESIGN_KEYS[kind]:
            raise SpecError(
                f"design.{key}",
                design[key],
                f"is not a key of a {kind!r} design",
                ", ".join(_DESIGN_KEYS[kind]),
            )
    if kind == "table":
        return {"kind": kind, "points": _validate_points(design.get("points"))}
    factors = design.get("factors")
    if factors is None or (isinstance(factors, Mapping) and not factors):
        example = (
            "pooling_intensity = [0.0, 0.5, 1.0]" if kind == "grid" else "openness = [0.2, 0.8]"
        )
        raise SpecError(
            "design.factors",
            factors if factors is not None else _MISSING,
            "is empty: a design must vary at least one parameter",
            f"a [design.factors] table, e.g. {example} (one level repeats one configuration)",
        )
    if not isinstance(factors, Mapping):
        raise SpecError("design.factors", factors, "is not a table", "parameter = levels")
    out: dict[str, Any] = {"kind": kind}
    if kind == "grid":
        out["factors"] = {k: _grid_levels(k, v) for k, v in factors.items()}
        size = math.prod(len(v) for v in out["factors"].values())
        if size > _MAX_POINTS:
            raise SpecError("design.factors", size, "points is too many", f"<= {_MAX_POINTS}")
        return out
    out["factors"] = {k: _bounds(kind, k, v) for k, v in factors.items()}
    if kind in ("lhs", "sobol"):
        out["samples"] = _check_int("design.samples", design.get("samples"), 1, _MAX_POINTS)
    if kind == "sobol":
        n = out["samples"]
        if n & (n - 1):
            raise SpecError(
                "design.samples",
                n,
                "is not a power of two (Sobol sequences need one)",
                "1, 2, 4, 8, 16, 32, 64, 128, ...",
            )
        second = design.get("second_order", False)
        if not isinstance(second, bool):
            raise SpecError("design.second_order", second, "has the wrong type", "true or false")
        out["second_order"] = second
    if kind == "morris":
        key = "design.trajectories"
        out["trajectories"] = _check_int(key, design.get("trajectories"), 2, _MAX_POINTS)
        levels = _check_int("design.levels", design.get("levels", 4), 2, 1000)
        if levels % 2:
            raise SpecError("design.levels", levels, "is odd", "an even integer >= 2")
        out["levels"] = levels
    return out


def _grid_levels(name: str, levels: Any) -> list[Any]:
    key = f"design.factors.{name}"
    _check_name(key, name, levels)
    if isinstance(levels, Mapping):
        levels = _linspace(key, name, levels)
    if isinstance(levels, str) or not isinstance(levels, Sequence):
        raise SpecError(
            key,
            levels,
            "has the wrong type",
            "a list of levels, or a table { low = ..., high = ..., num = ... }",
        )
    if not levels:
        raise SpecError(key, list(levels), "is empty", "at least one level")
    out = [_check_param(key, name, v) for v in levels]
    if len(set(map(repr, out))) != len(out):
        raise SpecError(key, list(levels), "repeats a level", "distinct levels")
    return out


def _linspace(key: str, name: str, table: Mapping[str, Any]) -> list[Any]:
    allowed = "{ low = number, high = number, num = integer >= 2 }"
    if set(table) != {"low", "high", "num"}:
        raise SpecError(key, dict(table), "is not a range table", allowed)
    num = _check_int(f"{key}.num", table["num"], 2, _MAX_POINTS)
    low = _check_param(f"{key}.low", name, table["low"])
    high = _check_param(f"{key}.high", name, table["high"])
    if not isinstance(low, Real) or isinstance(low, bool) or not low < high:
        raise SpecError(key, dict(table), "does not have low < high", allowed)
    values = [low + (high - low) * i / (num - 1) for i in range(num)]
    if PARAMETERS[name].kind == "int":
        return list(dict.fromkeys(round(v) for v in values))
    return [round(v, 12) for v in values]


def _bounds(kind: str, name: str, bounds: Any) -> list[float] | dict[str, list[Any]]:
    key = f"design.factors.{name}"
    _check_name(key, name, bounds)
    spec = PARAMETERS[name]
    if isinstance(bounds, Mapping):
        return _levels(kind, name, bounds)
    if spec.kind not in ("float", "int"):
        raise SpecError(
            key,
            bounds,
            f"is a {spec.kind} parameter, which a {kind!r} design cannot sample as bounds",
            f"its levels, sampled in equal-probability bins: {_levels_example(name)}; "
            "or a grid or table design",
        )
    allowed = f"[low, high] with low < high, each {spec.allowed()}"
    if isinstance(bounds, str) or not isinstance(bounds, Sequence) or len(bounds) != 2:
        raise SpecError(key, bounds, "is not a pair of bounds", allowed)
    low, high = (_check_param(key, name, b) for b in bounds)
    if low is None or high is None or not low < high:
        raise SpecError(key, list(bounds), "does not have low < high", allowed)
    return [low, high]


def _levels_example(name: str) -> str:
    spec = PARAMETERS[name]
    if spec.kind == "bool":
        return "{ levels = [false, true] }"
    if spec.kind == "choice":
        return "{ levels = [" + ", ".join(f'"{c}"' for c in spec.choices) + "] }"
    return "{ levels = [a, b, ...] }, each " + spec.allowed()


def _levels(kind: str, name: str, table: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Check a discrete factor ``{ levels = [...] }`` of a sampled design (at least two)."""
    key = f"design.factors.{name}"
    allowed = f"{_levels_example(name)}: at least two distinct levels"
    if set(table) != {LEVELS_KEY}:
        raise SpecError(key, dict(table), "is not a levels table", allowed)
    values = table[LEVELS_KEY]
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise SpecError(f"{key}.levels", values, "has the wrong type", allowed)
    if PARAMETERS[name].kind == "case":
        raise SpecError(key, dict(table), f"cannot be sampled by a {kind!r} design", "a grid")
    out = [_check_param(f"{key}.levels", name, v) for v in values]
    if len(out) < 2:
        raise SpecError(f"{key}.levels", list(values), "has fewer than two levels", allowed)
    if len(set(map(repr, out))) != len(out):
        raise SpecError(f"{key}.levels", list(values), "repeats a level", allowed)
    return {LEVELS_KEY: out}


def _validate_points(points: Any) -> list[dict[str, Any]]:
    allowed = "a non-empty array of tables [[design.points]], each parameter = value"
    if points is None or (isinstance(points, Sequence) and not points):
        raise SpecError(
            "design.points", points if points is not None else _MISSING, "is empty", allowed
        )
    if isinstance(points, str) or not isinstance(points, Sequence):
        raise SpecError("design.points", points, "has the wrong type", allowed)
    out = []
    for i, point in enumerate(points):
        if not isinstance(point, Mapping) or not point:
            raise SpecError(f"design.points[{i}]", point, "is not a non-empty table", allowed)
        clean = {}
        for name, value in point.items():
            _check_name(f"design.points[{i}].{name}", name, value)
            clean[name] = _check_param(f"design.points[{i}].{name}", name, value)
        out.append(clean)
    return out


def _design_from_dict(d: Mapping[str, Any]) -> Design:
    if isinstance(d, Design):
        return d
    kind = d["kind"]
    if kind == "table":
        return Design("table", points=tuple(dict(p) for p in d["points"]))
    return Design(
        kind,
        factors=_factors(d["factors"]),
        samples=d.get("samples"),
        second_order=d.get("second_order", False),
        trajectories=d.get("trajectories"),
        levels=d.get("levels", 4),
    )
