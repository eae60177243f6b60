"""A spec's design turned into parameter points: a table, or one point at a time.

Grids are full factorial; Latin hypercubes come from :class:`scipy.stats.qmc.LatinHypercube`;
Sobol (Saltelli's scheme, for variance-based indices; Saltelli et al. 2010, *Computer Physics
Communications* 181: 259-270) and Morris trajectories (Morris 1991, *Technometrics* 33: 161-174)
come from SALib. Random designs draw from the sweep's root seed, so a spec always gives the same
points.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from experiments.seeds import design_rng
from experiments.spec.design import Design, salib_problem
from experiments.spec.encoding import decode, is_levels
from simulation.parameters import PARAMETERS

if TYPE_CHECKING:
    from experiments.spec.sweepspec import SweepSpec


def design_points(spec: SweepSpec) -> pd.DataFrame:
    """The design's points: one row per point (index ``point``), one column per factor.

    Integer parameters sampled from a continuous design are rounded to the nearest integer;
    a factor given as levels is read from its unit sample by equal-width bins
    (:mod:`experiments.spec.encoding`).
    """
    design = spec.design
    if design.kind == "grid":
        names = list(design.factors)
        rows = list(itertools.product(*design.factors.values()))
        frame = pd.DataFrame(rows, columns=names)
    elif design.kind == "table":
        frame = pd.DataFrame([dict(p) for p in design.points])
    else:
        frame = pd.DataFrame(sampled_matrix(spec), columns=list(design.factors))
        for name, factor in design.factors.items():
            if is_levels(factor):
                frame[name] = _column(decode(name, factor["levels"], frame[name].to_numpy()))
            elif PARAMETERS[name].kind == "int":
                frame[name] = frame[name].round().astype("int64")
    frame.index = pd.RangeIndex(len(frame), name="point")
    return frame


def sampled_matrix(spec: SweepSpec) -> np.ndarray:
    """A sampled design's matrix as the method drew it (levels as their unit positions).

    The sensitivity methods read this matrix: it is drawn again from the spec's seed, so it
    is the one the design's points were read from.
    """
    if spec.design.kind not in ("lhs", "sobol", "morris"):
        raise ValueError(f"a {spec.design.kind!r} design is not sampled: no matrix to draw")
    return _sample(spec.design, spec.seed)


def _column(values: list[Any]) -> pd.Series | list[Any]:
    """Decoded levels as a column: bools as bool, integers as int64, others as they are."""
    if all(isinstance(v, bool) for v in values):
        return pd.Series(values, dtype=bool).to_numpy()
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return pd.Series(values, dtype="int64").to_numpy()
    return values


def _sample(design: Design, seed: int) -> np.ndarray:
    problem = salib_problem(design)
    rng = design_rng(seed)
    if design.kind == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=problem["num_vars"], rng=rng).random(design.samples)
        bounds = np.array(problem["bounds"])
        return qmc.scale(unit, bounds[:, 0], bounds[:, 1])
    if design.kind == "sobol":
        from SALib.sample import sobol

        return sobol.sample(
            problem, design.samples, calc_second_order=design.second_order, seed=rng
        )
    from SALib.sample import morris

    return morris.sample(problem, design.trajectories, num_levels=design.levels, seed=rng)


def iter_points(spec: SweepSpec, design: pd.DataFrame | None = None) -> Iterator[dict[str, Any]]:
    """The design's points one at a time, as plain dicts, in design order.

    A grid is walked lazily (nothing the size of the grid is built); a sampled design comes
    from ``design`` when given (the table of :func:`design_points`), otherwise it is sampled.
    A table point lists only the keys it sets.
    """
    if spec.design.kind == "table":
        for point in spec.design.points:
            yield dict(point)
    elif spec.design.kind == "grid":
        names = list(spec.design.factors)
        for row in itertools.product(*spec.design.factors.values()):
            yield {k: _python(v) for k, v in zip(names, row, strict=True)}
    else:
        frame = design_points(spec) if design is None else design
        names = list(frame.columns)
        for row in frame.itertuples(index=False, name=None):
            yield {k: _python(v) for k, v in zip(names, row, strict=True)}


def point_dicts(spec: SweepSpec) -> list[dict[str, Any]]:
    """The design's points as plain dicts (a table point lists only the keys it sets)."""
    if spec.design.kind == "table":
        return [dict(p) for p in spec.design.points]
    frame = design_points(spec)
    return [{k: _python(v) for k, v in row.items()} for row in frame.to_dict("records")]


def point_parameters(spec: SweepSpec, point: dict[str, Any]) -> dict[str, Any]:
    """Every model parameter of a run at ``point``: defaults, then fixed, then the point."""
    from simulation.model import default_parameters

    params = default_parameters()
    if spec.scenario is not None:
        params["scenario"] = spec.scenario
    params.update(spec.fixed)
    params.update({k: _python(v) for k, v in point.items()})
    params["record_every"] = spec.record_every
    return {name: params[name] for name in PARAMETERS}


def _python(value: Any) -> Any:
    """Numpy scalars to plain Python (so parameters pickle, hash and print plainly)."""
    return value.item() if isinstance(value, np.generic) else value
