"""A sweep spec: scenario, fixed parameters, design, replicates, steps and seed."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from experiments.spec.design import Design, _plain, design_size
from experiments.spec.errors import _MISSING, SpecError
from experiments.spec.toml_writer import dumps_toml
from experiments.spec.validation import (
    _ALLOWED_TEXT,
    _NOT_RUN,
    _QUICK_KEYS,
    _REQUIRED,
    _TOP_KEYS,
    _design_from_dict,
    _validate,
    _validate_design,
)


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
        return design_size(self.design)

    @property
    def n_runs(self) -> int:
        """Number of runs: points times replicates."""
        return self.n_points * self.replicates


def spec_from_dict(raw: Mapping[str, Any]) -> SweepSpec:
    """Build a :class:`SweepSpec` from the TOML structure, with the file's stricter checks.

    Unlike the Python constructor, the file must state ``seed``, ``steps`` and ``[design]``.
    """
    if not isinstance(raw, Mapping):
        raise SpecError("(top)", raw, "is not a table", "a TOML table of spec keys")
    from experiments.spec.case_key import place_case_key

    raw = place_case_key(raw)  # a top-level case = "..." is a fixed parameter
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


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
