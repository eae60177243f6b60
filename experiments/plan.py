"""The plan of a sweep: its runs, generated lazily, what each must be, and the plan's hash.

A plan never lists its runs: a run is made from its point and replicate when it is dispatched,
so memory does not grow with the number of replicates. Before any work the total number of runs
is checked against a budget (:data:`DEFAULT_MAX_RUNS`, raised with ``--max-runs``).

The plan's hash covers what determines every run's resolved parameters (the spec, the design's
points, the model's defaults and its parameter names) and the package version. A folder made
under another hash is not resumed unless the caller allows the drift (``--allow-drift``),
and :func:`plan_diff` says what changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd

from experiments.runner import RunTask
from experiments.seeds import format_key, run_key, stored_entropy
from experiments.spec import SweepSpec, design_points
from experiments.storage import parse_run_id, run_id
from simulation.parameters import PARAMETERS

DEFAULT_MAX_RUNS = 1_000_000
"""Runs a sweep may have unless the caller raises the limit (``--max-runs``): about 20 CPU-hours
of ten-year CSSI runs, and about 1 MB of bookkeeping per million runs in the parent."""


class BudgetError(ValueError):
    """A sweep has more runs than the budget allows; nothing has been created or run."""


def check_budget(spec: SweepSpec, max_runs: int = DEFAULT_MAX_RUNS) -> int:
    """The number of runs, after checking it against ``max_runs`` (without building anything).

    Raises:
        BudgetError: naming the points, the replicates, their product and the limit.
    """
    if max_runs < 1:
        raise BudgetError(f"max_runs = {max_runs} is out of range; allowed: an integer >= 1")
    points, replicates = spec.n_points, spec.replicates
    total = points * replicates
    if total > max_runs:
        raise BudgetError(
            f"sweep {spec.name!r} has {points:,} design points x {replicates:,} replicates = "
            f"{total:,} runs, over the limit of {max_runs:,} runs; reduce the design or the "
            "replicates, or raise the limit with --max-runs (max_runs=)"
        )
    return total


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def package_version() -> str | None:
    """The installed version of isohybrid."""
    try:
        return metadata.version("isohybrid")
    except metadata.PackageNotFoundError:
        return None


class Plan:
    """Every run of a sweep, made on demand.

    Args:
        spec: the sweep.
        design: its points (:func:`experiments.spec.design_points`), if already built.

    Attributes:
        spec: the sweep.
        design: the design's points, one row per point.
        n_points: number of points.
        replicates: runs per point.
        total: number of runs.
    """

    def __init__(self, spec: SweepSpec, design: pd.DataFrame | None = None) -> None:
        from simulation.model import default_parameters

        self.spec = spec
        self.design = design_points(spec) if design is None else design
        self.n_points = len(self.design)
        self.replicates = spec.replicates
        self.total = self.n_points * self.replicates
        self.defaults = default_parameters()
        self._columns = {k: self.design[k].to_numpy() for k in self.design.columns}
        self.spec_keys = frozenset(
            {"scenario", "record_every", *spec.fixed, *spec.factor_names} & set(PARAMETERS)
        )

    # --- runs ----------------------------------------------------------------------------------

    def point(self, p: int) -> dict[str, Any]:
        """The parameters point ``p`` sets (a table point only the keys it lists)."""
        if self.spec.design.kind == "table":
            return dict(self.spec.design.points[p])
        return {k: _plain(values[p]) for k, values in self._columns.items()}

    def params(self, point: Mapping[str, Any]) -> dict[str, Any]:
        """Every model parameter of a run at ``point``: defaults, then fixed, then the point."""
        params = dict(self.defaults)
        if self.spec.scenario is not None:
            params["scenario"] = self.spec.scenario
        params.update(self.spec.fixed)
        params.update({k: _plain(v) for k, v in point.items()})
        params["record_every"] = self.spec.record_every
        return {name: params[name] for name in PARAMETERS}

    def task(self, p: int, r: int, params: Mapping[str, Any] | None = None) -> RunTask:
        """The run of point ``p``, replicate ``r``."""
        return RunTask(
            run_id=run_id(p, r),
            point=p,
            replicate=r,
            params=self.params(self.point(p)) if params is None else params,
            seed_entropy=self.spec.seed,
            spawn_key=run_key(p, r),
            steps=self.spec.steps,
            record_every=self.spec.record_every,
        )

    def tasks(self, done: np.ndarray | None = None) -> Iterator[RunTask]:
        """The runs not marked in ``done`` (a flag per run, point-major), one at a time."""
        for p in range(self.n_points):
            first = p * self.replicates
            if done is not None and done[first : first + self.replicates].all():
                continue
            params = self.params(self.point(p))
            for r in range(self.replicates):
                if done is None or not done[first + r]:
                    yield self.task(p, r, params)

    def __iter__(self) -> Iterator[RunTask]:
        return self.tasks()

    def __len__(self) -> int:
        return self.total

    def index(self, rid: str) -> int | None:
        """Position of a run in the plan (point-major), or ``None`` if the plan has no such run."""
        parsed = parse_run_id(rid)
        if parsed is None:
            return None
        p, r = parsed
        if p >= self.n_points or r >= self.replicates:
            return None
        return p * self.replicates + r

    def expected(self, rid: str, *, defaults: bool = True) -> dict[str, Any] | None:
        """What a shard of run ``rid`` must hold, or ``None`` if the plan has no such run.

        Args:
            rid: the run id.
            defaults: also require the parameters the spec leaves to the model's defaults
                (``False`` after an allowed drift, when older runs used older defaults).
        """
        if self.index(rid) is None:
            return None
        p, r = parse_run_id(rid) or (0, 0)
        params = self.params(self.point(p))
        if not defaults:
            params = {k: v for k, v in params.items() if k in self.spec_keys}
        return {
            "point": p,
            "replicate": r,
            "seed_entropy": stored_entropy(self.spec.seed),
            "spawn_key": format_key(run_key(p, r)),
            "steps": self.spec.steps,
            "record_every": self.spec.record_every,
            "params": params,
        }

    # --- hash ----------------------------------------------------------------------------------

    def components(self) -> dict[str, Any]:
        """What the plan's hash covers, as stored in the manifest (for a diff on resume)."""
        return {
            "spec": self.spec.digest(),
            "design": _frame_digest(self.design),
            "defaults": {k: _jsonable(v) for k, v in sorted(self.defaults.items())},
            "parameters": sorted(PARAMETERS),
            "version": package_version(),
            "cases": case_digests(self.spec),
        }

    def digest(self) -> str:
        """SHA-256 of :meth:`components`."""
        return components_digest(self.components())


def case_digests(spec: Any) -> dict[str, str]:
    """The digest of each case file the sweep runs (an edited file is a changed plan)."""
    from experiments.cases import spec_cases
    from simulation.cases import load_case

    return {case: load_case(case).digest for case in spec_cases(spec)}


def components_digest(components: Mapping[str, Any]) -> str:
    """SHA-256 of a plan's components."""
    text = json.dumps(components, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _jsonable(value: Any) -> Any:
    value = _plain(value)
    return value if isinstance(value, bool | int | float | str | type(None)) else repr(value)


def _frame_digest(frame: pd.DataFrame) -> str:
    """A checksum of a design's points (names, then values column by column)."""
    h = hashlib.sha256(json.dumps(list(frame.columns)).encode())
    h.update(str(len(frame)).encode())
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            h.update(np.ascontiguousarray(column.to_numpy(dtype=float)).tobytes())
        else:
            h.update("\0".join(map(str, column.tolist())).encode())
    return "sha256:" + h.hexdigest()


def plan_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What changed between two plans' components, one phrase per change."""
    changes = []
    if old.get("version") != new.get("version"):
        changes.append(f"package version {old.get('version')} -> {new.get('version')}")
    before, after = old.get("defaults", {}), new.get("defaults", {})
    for name in sorted(set(before) | set(after)):
        if name not in after:
            changes.append(f"parameter {name} removed (default was {before[name]!r})")
        elif name not in before:
            changes.append(f"parameter {name} added (default {after[name]!r})")
        elif before[name] != after[name]:
            changes.append(f"default {name} {before[name]!r} -> {after[name]!r}")
    if old.get("design") != new.get("design"):
        changes.append("the design's points differ (sampling code changed)")
    if old.get("spec") != new.get("spec"):
        changes.append("the spec differs")
    before, after = old.get("cases", {}), new.get("cases", {})
    for case in sorted(set(before) | set(after)):
        if before.get(case) != after.get(case):
            changes.append(f"case file {case} changed ({before.get(case)} -> {after.get(case)})")
    return changes
