"""Global sensitivity analysis of a finished sweep's scalar outcomes, with SALib.

Methods: Sobol variance decomposition on a Sobol (Saltelli) design (Saltelli et al. 2010,
*Computer Physics Communications* 181: 259-270); Morris elementary effects on a Morris design
(Morris 1991, *Technometrics* 33: 161-174; mu* after Campolongo et al. 2007); on a grid,
main-effect variance shares (the correlation ratio of a full factorial ANOVA); and RBD-FAST
(Tarantola et al. 2006; Plischke 2010), which accepts any sample. An outcome is a measure's
value at a run's last recorded week (a column of the summary table) averaged over a point's
replicates, or ``regime=NAME``: the share of a point's replicates that end in that regime.
A sampled design's discrete factors (switches, choices, integer levels) enter the methods as
the unit positions they were read from (:mod:`experiments.spec.encoding`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments import storage
from experiments.spec import load_spec, salib_problem, sampled_matrix
from experiments.spec.encoding import is_levels
from simulation.parameters import PARAMETERS

METHODS: tuple[str, ...] = ("auto", "sobol", "morris", "rbd_fast", "anova")
"""Sensitivity methods; ``auto`` picks the one the design was made for."""

_AUTO = {"sobol": "sobol", "morris": "morris", "grid": "anova"}


def scalar_outcomes(summary: pd.DataFrame) -> list[str]:
    """Numeric measures of the summary table that vary between runs (candidate outcomes)."""
    from simulation.model import MODEL_REPORTERS

    out = []
    for name in MODEL_REPORTERS:
        column = summary.get(name)
        if column is None or not pd.api.types.is_numeric_dtype(column):
            continue
        if pd.api.types.is_bool_dtype(column):
            continue
        if column.nunique(dropna=True) > 1:
            out.append(name)
    return out


def known_regimes() -> tuple[str, ...]:
    """The regime names a run can end in (the model's own list)."""
    for module in ("simulation.measures", "simulation.metrics"):
        try:
            return tuple(__import__(module, fromlist=["REGIMES"]).REGIMES)
        except (ImportError, AttributeError):
            continue
    return ()  # pragma: no cover


def check_outcomes(summary: pd.DataFrame, outcomes: Sequence[str]) -> None:
    """Refuse an outcome that is not a numeric measure or ``regime=`` a known regime.

    Raises:
        ValueError: naming the outcome and listing the allowed ones.
    """
    numeric = scalar_outcomes(summary)
    regimes = sorted({*known_regimes(), *summary.get("regime", pd.Series(dtype=str)).dropna()})
    for outcome in outcomes:
        if outcome.startswith("regime="):
            name = outcome.split("=", 1)[1]
            if name not in regimes:
                raise ValueError(
                    f"outcome {outcome!r} names no regime; allowed: "
                    + ", ".join(f"regime={r}" for r in regimes)
                )
        elif outcome not in summary.columns or not _is_numeric(summary[outcome]):
            raise ValueError(
                f"outcome {outcome!r} is not a numeric measure; allowed: "
                + ", ".join(numeric)
                + ", or regime=NAME with NAME one of "
                + ", ".join(regimes)
            )


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


class IncompleteSweep(ValueError):
    """A sweep has missing or failed runs, so indices over its design would be biased."""


def check_complete(out: str | Path, *, allow_incomplete: bool = False) -> list[str]:
    """Refuse a sweep with missing or failed runs, unless allowed; then say what is missing.

    Returns:
        Warning lines (empty for a complete sweep without failures).

    Raises:
        IncompleteSweep: runs are missing or failed and ``allow_incomplete`` is not set; the
            message counts them and names the design points concerned.
    """
    from experiments.checks import scan

    manifest = storage.read_manifest(out)
    replicates = manifest["runs"]["replicates"]
    total = manifest["runs"]["total"]
    finished = scan(Path(out), repair=False, manifest=manifest).finished
    failed = sorted(rid for rid, rec in finished.items() if rec["status"] == "error")
    missing = total - len(finished)
    if not missing and not failed:
        return []
    missing_points = sorted(
        p
        for p in range(total // max(replicates, 1))
        if any(storage.run_id(p, r) not in finished for r in range(replicates))
    )
    failed_points = sorted({storage.parse_run_id(rid)[0] for rid in failed})
    parts = []
    if missing:
        parts.append(
            f"{missing} of {total} runs are missing (design points {_points(missing_points)})"
        )
    if failed:
        parts.append(
            f"{len(failed)} runs failed (design points {_points(failed_points)}; "
            "their outcomes are left out)"
        )
    text = f"the sweep in {out} is incomplete: " + "; ".join(parts)
    if not allow_incomplete:
        raise IncompleteSweep(
            f"{text}; finish it with the same `isohybrid sweep` command (--retry-errors for "
            "failed runs), or analyse it anyway with --allow-incomplete"
        )
    return [text]


def _points(points: list[int], shown: int = 12) -> str:
    text = ", ".join(map(str, points[:shown]))
    return text + (f", ... ({len(points)} in all)" if len(points) > shown else "")


def outcome_by_point(summary: pd.DataFrame, outcome: str, n_points: int) -> pd.Series:
    """Mean of an outcome over each point's successful replicates, indexed by point.

    Args:
        summary: the sweep's summary table.
        outcome: a numeric column, or ``"regime=NAME"`` for the share of runs ending in NAME.
        n_points: points of the design (points without a successful run get NaN).
    """
    ok = summary[summary["status"] == "ok"]
    if outcome.startswith("regime="):
        values = (ok["regime"] == outcome.split("=", 1)[1]).astype(float)
    elif outcome in ok.columns and pd.api.types.is_numeric_dtype(ok[outcome]):
        values = ok[outcome].astype(float)
    else:
        allowed = ", ".join(scalar_outcomes(summary)) + ", regime=<regime name>"
        raise ValueError(f"outcome {outcome!r} is not a numeric measure; allowed: {allowed}")
    means = values.groupby(ok["point"]).mean()
    return means.reindex(pd.RangeIndex(n_points, name="point"))


def analyse_sensitivity(
    out: str | Path,
    outcomes: str | Sequence[str] | None = None,
    method: str = "auto",
    *,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    allow_incomplete: bool = False,
) -> pd.DataFrame:
    """Sensitivity indices of scalar outcomes of a finished sweep.

    Args:
        out: the sweep folder.
        outcomes: one or several outcomes (see :func:`outcome_by_point`); default: every
            numeric measure that varies.
        method: ``auto`` (Sobol for a Sobol design, Morris for a Morris design, ANOVA for a
            grid, RBD-FAST otherwise), ``sobol``, ``morris``, ``rbd_fast`` or ``anova``.
        num_resamples: bootstrap resamples for the confidence intervals.
        conf_level: confidence level of the intervals.
        allow_incomplete: analyse a sweep with missing or failed runs (see
            :func:`check_complete`, whose warnings are issued as ``RuntimeWarning``).

    Returns:
        A long table: ``outcome``, ``method``, ``parameter`` and the method's indices
        (sobol: ``S1, S1_conf, ST, ST_conf``; morris: ``mu, mu_star, sigma, mu_star_conf``;
        rbd_fast: ``S1, S1_conf``; anova: ``S1, S1_conf``, the share of the runs' variance
        explained by each factor's levels, with a bootstrap interval over runs).

    Raises:
        ValueError: unknown method or outcome (listing the allowed ones), a resample count
            or confidence level out of range, a method that does not fit the design, or
            points without any finished run where the method needs them all.
        IncompleteSweep: missing or failed runs without ``allow_incomplete``.
    """
    if isinstance(num_resamples, bool) or not isinstance(num_resamples, int):
        raise ValueError(f"num_resamples = {num_resamples!r}; allowed: an integer in [1, 100000]")
    if not 1 <= num_resamples <= 100_000:
        raise ValueError(f"num_resamples = {num_resamples} is out of range; allowed: [1, 100000]")
    if not 0 < conf_level < 1:
        raise ValueError(f"conf_level = {conf_level} is out of range; allowed: (0, 1)")
    for line in check_complete(out, allow_incomplete=allow_incomplete):
        warnings.warn(line, RuntimeWarning, stacklevel=2)
    manifest = storage.read_manifest(out)
    spec = load_spec(manifest["spec"])
    summary = storage.load_summary(out)
    design = storage.load_design(out)
    kind = spec.design.kind
    if method not in METHODS:
        raise ValueError(f"method {method!r} is unknown; allowed: {', '.join(METHODS)}")
    if method == "auto":
        method = _AUTO.get(kind, "rbd_fast")
    if method in ("sobol", "morris") and kind != method:
        raise ValueError(
            f"method {method!r} needs a {method!r} design; this sweep's design is {kind!r} "
            "(rbd_fast accepts any design; anova fits grids)"
        )
    if isinstance(outcomes, str):
        outcomes = [outcomes]
    if outcomes is None:
        outcomes = scalar_outcomes(summary)
    check_outcomes(summary, outcomes)
    problem, x = _problem(spec, design)
    seed = int(spec.seed % 2**32)
    frames = []
    for outcome in outcomes:
        if method == "anova":
            table = _anova(summary, design, problem["names"], outcome, seed, num_resamples)
        else:
            y = outcome_by_point(summary, outcome, len(design)).to_numpy()
            table = _analyse(method, problem, x, y, spec, seed, num_resamples, conf_level)
        table.insert(0, "method", method)
        table.insert(0, "outcome", outcome)
        frames.append(table)
    if not frames:
        return pd.DataFrame(columns=["outcome", "method", "parameter"])
    return pd.concat(frames, ignore_index=True)


def _problem(spec: Any, design: pd.DataFrame) -> tuple[dict[str, Any], np.ndarray]:
    """SALib problem and the design matrix (numeric factors that vary)."""
    if spec.design.kind in ("lhs", "sobol", "morris"):
        problem = salib_problem(spec.design)
        discrete = [is_levels(spec.design.factors[name]) for name in problem["names"]]
        drawn = sampled_matrix(spec) if any(discrete) else None
        columns = [
            drawn[:, k]  # a factor's levels: the unit positions they were read from
            if drawn is not None and discrete[k]
            else design[name].to_numpy(dtype=float)
            for k, name in enumerate(problem["names"])
        ]
        return problem, np.column_stack(columns)
    names = [
        n
        for n in design.columns
        if PARAMETERS[n].kind in ("float", "int")
        and design[n].notna().all()
        and design[n].nunique() > 1
    ]
    if not names:
        raise ValueError("the design varies no numeric parameter: nothing to analyse")
    x = design[names].to_numpy(dtype=float)
    bounds = [[float(lo), float(hi)] for lo, hi in zip(x.min(0), x.max(0), strict=True)]
    return {"num_vars": len(names), "names": names, "bounds": bounds}, x


def _analyse(
    method: str,
    problem: dict[str, Any],
    x: np.ndarray,
    y: np.ndarray,
    spec: Any,
    seed: int,
    num_resamples: int,
    conf_level: float,
) -> pd.DataFrame:
    missing = np.isnan(y)
    if missing.any():
        if method in ("sobol", "morris"):
            points = np.flatnonzero(missing)[:10].tolist()
            raise ValueError(
                f"{method} indices need every design point; {int(missing.sum())} points have "
                f"no successful run (first: {points}); see `isohybrid status`"
            )
        x, y = x[~missing], y[~missing]
    options = {"num_resamples": num_resamples, "conf_level": conf_level, "seed": seed}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if method == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(problem, y, calc_second_order=spec.design.second_order, **options)
            keys = ("S1", "S1_conf", "ST", "ST_conf")
        elif method == "morris":
            from SALib.analyze import morris

            res = morris.analyze(problem, x, y, num_levels=spec.design.levels, **options)
            keys = ("mu", "mu_star", "sigma", "mu_star_conf")
        else:
            from SALib.analyze import rbd_fast

            harmonics = max(1, min(10, (len(y) - 1) // 2 - 1))
            res = rbd_fast.analyze(problem, x, y, M=harmonics, **options)
            keys = ("S1", "S1_conf")
    table = pd.DataFrame({k: np.asarray(res[k], dtype=float) for k in keys})
    table.insert(0, "parameter", problem["names"])
    return table


def _anova(
    summary: pd.DataFrame,
    design: pd.DataFrame,
    names: list[str],
    outcome: str,
    seed: int,
    num_resamples: int,
) -> pd.DataFrame:
    """Main-effect variance shares over runs: ``Var(E[Y | X_i]) / Var(Y)`` per factor."""
    ok = summary[summary["status"] == "ok"].reset_index(drop=True)
    y = outcome_by_run(ok, outcome)
    levels = design.loc[ok["point"].to_numpy(), names].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    rows = []
    for name in names:
        s1 = _eta_squared(y, levels[name].to_numpy())
        boot = [
            _eta_squared(y[idx], levels[name].to_numpy()[idx])
            for idx in (rng.integers(0, len(y), len(y)) for _ in range(num_resamples))
        ]
        rows.append({"parameter": name, "S1": s1, "S1_conf": 1.96 * float(np.nanstd(boot))})
    return pd.DataFrame(rows)


def outcome_by_run(ok: pd.DataFrame, outcome: str) -> np.ndarray:
    """An outcome's value for each successful run (``regime=NAME`` gives 0 or 1)."""
    if outcome.startswith("regime="):
        return (ok["regime"] == outcome.split("=", 1)[1]).to_numpy(dtype=float)
    return ok[outcome].to_numpy(dtype=float)


def _eta_squared(y: np.ndarray, groups: np.ndarray) -> float:
    total = float(np.var(y))
    if total == 0.0 or y.size == 0:
        return float("nan")
    frame = pd.DataFrame({"y": y, "g": groups})
    means = frame.groupby("g")["y"].transform("mean").to_numpy()
    return float(np.var(means) / total)
