"""Sweep specifications: what to run (scenario, fixed parameters, design, replicates, seed).

A spec is written in TOML (read with :mod:`tomllib`) or built in Python; both go through the
same validation, which names the bad key, its value and what is allowed, before any run starts.
Parameter names, types and ranges come from :data:`simulation.parameters.PARAMETERS` and
defaults from the model's signature; nothing here repeats them.

Example (``experiments/specs/smoke.toml``)::

    name = "smoke"
    scenario = "cssi"
    seed = 20230301
    replicates = 2
    steps = 20
    record_every = 2

    [fixed]
    openness = 0.5

    [design]
    kind = "grid"
    [design.factors]
    pooling_intensity = [0.0, 0.25, 0.5, 0.75, 1.0]
    identity_strength = { low = 0.1, high = 0.9, num = 4 }

    [quick]
    replicates = 1
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral, Real
from pathlib import Path
from typing import Any

from simulation.parameters import PARAMETERS

SPEC_DIR = Path(__file__).parent / "specs"
"""Folder of the named specs (``isohybrid sweep smoke`` reads ``specs/smoke.toml``)."""

DESIGN_KINDS: tuple[str, ...] = ("grid", "lhs", "sobol", "morris", "table")
"""Designs: full factorial grid, Latin hypercube, Sobol (Saltelli), Morris, explicit table."""

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


@dataclass(frozen=True, eq=True)
class Design:
    """Which parameter points a sweep visits.

    Build one with the class methods: ``Design.grid(pooling_intensity=[0, 0.5, 1])``,
    ``Design.lhs(64, openness=(0.2, 0.8))``, ``Design.sobol(64, ...)``,
    ``Design.morris(10, ...)`` or ``Design.table([{...}, {...}])``.

    Attributes:
        kind: one of :data:`DESIGN_KINDS`.
        factors: grid: parameter -> list of levels; lhs, sobol, morris: parameter ->
            ``(low, high)`` bounds.
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
        return cls("lhs", factors={k: list(v) for k, v in bounds.items()}, samples=samples)

    @classmethod
    def sobol(
        cls, samples: int, *, second_order: bool = False, **bounds: tuple[float, float]
    ) -> Design:
        """A Saltelli-Sobol sample for variance-based sensitivity (base size ``samples``)."""
        return cls(
            "sobol",
            factors={k: list(v) for k, v in bounds.items()},
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
            factors={k: list(v) for k, v in bounds.items()},
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


@dataclass(frozen=True, eq=True)
class SweepSpec:
    """A parameter sweep: scenario, fixed parameters, design, replicates, steps, seed.

    Construction validates everything (a :class:`SpecError` names the bad key, its value and
    what is allowed), so an invalid sweep fails before any run.

    Attributes:
        design: the points to visit (:class:`Design`).
        seed: root entropy of the sweep's ``numpy.random.SeedSequence`` (a non-negative int).
        steps: weeks each run lasts.
        replicates: runs per design point, each with its own spawned seed.
        record_every: the measures are recorded every this many weeks (and at the end).
        scenario: ``cssi``, ``helpline`` or ``landscape``; ``None`` when the design varies it
            (otherwise it defaults to the model's default).
        fixed: parameters held fixed for every run (others take the model's defaults).
        name: short name, used in file names and progress bars.
        description: what question the sweep answers.
        quick: overrides giving a reduced variant (see :meth:`reduced`), same keys as the top
            level (``replicates``, ``steps``, ``record_every``, ``fixed``, ``design``).
    """

    design: Design
    seed: int = 0
    steps: int = 52
    replicates: int = 1
    record_every: int = 1
    scenario: str | None = None
    fixed: Mapping[str, Any] = field(default_factory=dict)
    name: str = "sweep"
    description: str = ""
    quick: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        clean = _validate(self._raw())
        for key in ("seed", "steps", "replicates", "record_every", "scenario", "name"):
            object.__setattr__(self, key, clean[key])
        object.__setattr__(self, "fixed", clean["fixed"])
        object.__setattr__(self, "design", _design_from_dict(clean["design"]))
        if self.quick is not None:
            object.__setattr__(self, "quick", copy.deepcopy(dict(self.quick)))
            self.reduced()  # a broken [quick] table fails now, not later

    def _raw(self) -> dict[str, Any]:
        design = self.design.to_dict() if isinstance(self.design, Design) else self.design
        raw = {
            "name": self.name,
            "description": self.description,
            "scenario": self.scenario,
            "seed": self.seed,
            "replicates": self.replicates,
            "steps": self.steps,
            "record_every": self.record_every,
            "fixed": dict(self.fixed),
            "design": design,
        }
        if self.scenario is None:
            del raw["scenario"]
        return raw

    # --- derived ----------------------------------------------------------------------------

    @property
    def factor_names(self) -> tuple[str, ...]:
        """Parameters the design varies, in design order."""
        if self.design.kind == "table":
            names: dict[str, None] = {}
            for point in self.design.points:
                names.update(dict.fromkeys(point))
            return tuple(names)
        return tuple(self.design.factors)

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (the TOML structure), for the manifest and hashing."""
        raw = self._raw()
        if self.quick is not None:
            raw["quick"] = copy.deepcopy(dict(self.quick))
        return _plain(raw)

    def digest(self) -> str:
        """SHA-256 of what the sweep runs: scenario, seed, replicates, steps, records, design.

        Comments, key order, the name, the description and the ``[quick]`` table do not count,
        so editing them does not stop a folder from resuming.
        """
        runs = {k: v for k, v in self.to_dict().items() if k not in _NOT_RUN}
        text = json.dumps(runs, sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()

    def to_toml(self) -> str:
        """The spec as TOML text that :func:`load_spec` reads back to an equal spec."""
        return dumps_toml(self.to_dict())

    def reduced(self) -> SweepSpec:
        """The quick variant: the ``quick`` overrides applied (the spec itself if none).

        Nested tables merge key by key, so ``[quick.design.factors]`` may shorten only some
        factors' levels. Used by ``isohybrid sweep --quick`` and the quick reproduction.
        """
        if not self.quick:
            return self
        for key, value in self.quick.items():
            if key not in _QUICK_KEYS:
                raise SpecError(
                    f"quick.{key}",
                    value,
                    "is not a key a quick variant may override",
                    ", ".join(_QUICK_KEYS),
                )
        raw = _merge(self._raw(), self.quick)
        raw["name"] = f"{self.name}-quick"
        try:
            return spec_from_dict(raw)
        except SpecError as err:
            raise SpecError(f"quick -> {err.key}", err.value, err.problem, err.allowed) from None

    @property
    def n_points(self) -> int:
        """Number of design points."""
        from experiments.design import design_size

        return design_size(self.design)

    @property
    def n_runs(self) -> int:
        """Number of runs: points times replicates."""
        return self.n_points * self.replicates


# --- loading ---------------------------------------------------------------------------------


def named_specs() -> dict[str, Path]:
    """The named specs shipped in ``experiments/specs``: name -> path."""
    return {p.stem: p for p in sorted(SPEC_DIR.glob("*.toml"))}


def resolve_spec_path(spec: str | Path) -> Path:
    """A spec file path, or the path of a named spec (``"smoke"`` -> ``specs/smoke.toml``)."""
    path = Path(spec)
    if path.is_file():
        return path
    named = named_specs()
    if str(spec) in named:
        return named[str(spec)]
    raise FileNotFoundError(
        f"no spec file {str(spec)!r} and no named spec of that name; named specs: "
        + ", ".join(named)
    )


def load_spec(
    spec: str | Path | Mapping[str, Any] | SweepSpec, *, quick: bool = False
) -> SweepSpec:
    """Read and validate a spec from a TOML file, a named spec, a dict or a spec.

    Args:
        spec: a path to a ``.toml`` file, the name of a spec in ``experiments/specs``, a dict
            with the TOML structure, or a :class:`SweepSpec`.
        quick: return the reduced variant (see :meth:`SweepSpec.reduced`).

    Raises:
        SpecError: naming the bad key, its value and what is allowed.
        FileNotFoundError: no such file or named spec.
    """
    if isinstance(spec, SweepSpec):
        out = spec
    elif isinstance(spec, Mapping):
        out = spec_from_dict(spec)
    else:
        path = resolve_spec_path(spec)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise SpecError("(file)", str(path), f"is not valid TOML ({err})", "TOML") from None
        raw.setdefault("name", path.stem)
        try:
            out = spec_from_dict(raw)
        except SpecError as err:
            raise err.with_source(str(path)) from None
    return out.reduced() if quick else out


def spec_from_dict(raw: Mapping[str, Any]) -> SweepSpec:
    """Build a :class:`SweepSpec` from the TOML structure, with the file's stricter checks.

    Unlike the Python constructor, the file must state ``seed``, ``steps`` and ``[design]``.
    """
    if not isinstance(raw, Mapping):
        raise SpecError("(top)", raw, "is not a table", "a TOML table of spec keys")
    for key in raw:
        if key not in _TOP_KEYS:
            raise SpecError(key, raw[key], "is not a spec key", ", ".join(_TOP_KEYS))
    for key in _REQUIRED:
        if key not in raw:
            raise SpecError(key, _MISSING, "is required", _ALLOWED_TEXT[key])
    design = raw["design"]
    if not isinstance(design, Mapping):
        raise SpecError("design", design, "is not a table", "a [design] table")
    quick = raw.get("quick")
    if quick is not None and not isinstance(quick, Mapping):
        raise SpecError("quick", quick, "is not a table", "a [quick] table of overrides")
    return SweepSpec(
        design=_design_from_dict(_validate_design(design, raw.get("scenario"))),
        **{k: v for k, v in raw.items() if k not in ("design", "quick")},
        quick=quick,
    )


# --- validation ------------------------------------------------------------------------------

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
    except ValueError:
        pass
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


def _bounds(kind: str, name: str, bounds: Any) -> list[float]:
    key = f"design.factors.{name}"
    _check_name(key, name, bounds)
    spec = PARAMETERS[name]
    if spec.kind not in ("float", "int"):
        raise SpecError(
            key,
            bounds,
            f"is a {spec.kind} parameter, which a {kind!r} design cannot sample",
            "a grid or table design for choices and switches",
        )
    allowed = f"[low, high] with low < high, each {spec.allowed()}"
    if isinstance(bounds, str) or not isinstance(bounds, Sequence) or len(bounds) != 2:
        raise SpecError(key, bounds, "is not a pair of bounds", allowed)
    low, high = (_check_param(key, name, b) for b in bounds)
    if low is None or high is None or not low < high:
        raise SpecError(key, list(bounds), "does not have low < high", allowed)
    return [low, high]


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
        factors={k: list(v) for k, v in d["factors"].items()},
        samples=d.get("samples"),
        second_order=d.get("second_order", False),
        trajectories=d.get("trajectories"),
        levels=d.get("levels", 4),
    )


# --- helpers ---------------------------------------------------------------------------------


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
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
