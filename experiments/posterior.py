"""Runs drawn from a calibrated posterior: the predictive check and the authors' open question.

The *posterior predictive check* draws settings from the weighted particles, runs the case with
fresh seeds, and counts how often each pattern holds: a calibration that worked shows the
patterns holding in most runs. The *open question* ("Se pose alors la question de savoir s'il
est possible d'achever ces processus sans un certain degré d'isomorphisme", introduction) runs
the CSSI's posterior forward with full common work and reports the probability of each end
regime, with a credible interval.

Draws and runs are seeded from the calibration's root: particles are resampled with
``SeedSequence(root, spawn_key=(stream,))`` and run ``k`` gets ``(stream, k)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.calibrate import load_posterior, load_settings, open_pool
from experiments.patterns import CaseTargets, distances, get_case
from experiments.progress import Progress
from simulation.parameters import PARAMETERS

_STREAM_PREDICTIVE, _STREAM_OPEN = 11, 12

FULL_COMMON_WORK: Mapping[str, Any] = {"pooling_intensity": 1.0, "layout": "shared"}
"""*Travail en commun* taken all the way: every level of pooling at its top (co-presence,
collaboration, common work) on premises with one waiting room, one reception, free rooms and
common hours ("fonctions réellement partagées", section « Vers une hybridation des pratiques
professionnelles ? »)."""

CREDIBLE_MASS = 0.9
"""Mass of the credible intervals reported."""

PREDICTIVE_FILE = "predictive.parquet"
OPEN_QUESTION_FILE = "open_question.parquet"


def draw_particles(posterior: pd.DataFrame, n: int, entropy: int, stream: int) -> pd.DataFrame:
    """Resample ``n`` settings from the weighted particles (with replacement)."""
    rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(stream,)))
    w = posterior["weight"].to_numpy(float)
    rows = rng.choice(len(posterior), size=n, replace=True, p=w / w.sum())
    names = [c for c in posterior.columns if c not in ("weight", "generation", "epsilon")]
    return posterior.iloc[rows][names].reset_index(drop=True)


def _pattern_run(
    job: tuple[CaseTargets, dict[str, Any], int, tuple[int, ...]],
) -> dict[str, float]:
    from experiments.abc_sampling import run_table

    case, params, entropy, key = job
    table = run_table(params, entropy, key, case.steps, case.record_every)
    return distances(case, table)


def _regime_run(job: tuple[dict[str, Any], int, tuple[int, ...], int]) -> str:
    params, entropy, key, steps = job
    return end_regime(params, entropy, key, steps)


def end_regime(params: Mapping[str, Any], entropy: int, key: tuple[int, ...], steps: int) -> str:
    """The regime a run ends in, judged against its null twins (same world, pooling off)."""
    from experiments.runner import plain_value
    from experiments.seeds import run_seed

    try:
        from simulation.twins import judge_run
    except ImportError:  # a model that records its own regime
        from experiments.runner import run_one

        return str(run_one(params, entropy, key, steps, steps)["regime"].iloc[-1])
    plain = {k: plain_value(v) for k, v in params.items()}
    _measures, verdict = judge_run(plain, run_seed(entropy, key), steps)
    return str(verdict.regime)


def _map(
    fn: Any, jobs: list[Any], executor: str | Executor, workers: int | None, desc: str, bar: bool
) -> list[Any]:
    from concurrent.futures import as_completed

    with (
        open_pool(executor, workers, None) as pool,
        Progress(len(jobs), desc, enabled=bar) as prog,
    ):
        futures = [pool.submit(fn, job) for job in jobs]
        for _ in as_completed(futures):
            prog.update()
        return [f.result() for f in futures]


def predictive_check(
    out: str | Path,
    runs: int = 100,
    *,
    executor: str | Executor = "process",
    workers: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Run the case at ``runs`` settings drawn from the posterior; one row per run.

    Columns: the drawn parameters, each pattern's distance, and ``holds_<pattern>``. Written
    to ``out/predictive.parquet``.
    """
    settings = load_settings(out)
    case = get_case(settings.case)
    draws = draw_particles(load_posterior(out), runs, settings.seed, _STREAM_PREDICTIVE)
    jobs = [
        (case, {**case.fixed, **row}, settings.seed, (_STREAM_PREDICTIVE, k))
        for k, row in enumerate(draws.to_dict("records"))
    ]
    found = _map(_pattern_run, jobs, executor, workers, "predictive check", progress)
    dist = pd.DataFrame(found)
    holds = (dist == 0.0).add_prefix("holds_")
    table = pd.concat([draws, dist, holds], axis=1)
    table.to_parquet(Path(out) / PREDICTIVE_FILE, index=False)
    return table


def hold_rates(predictive: pd.DataFrame, mass: float = CREDIBLE_MASS) -> pd.DataFrame:
    """Per pattern: the share of posterior runs where it holds, with a credible interval."""
    rows = []
    for col in [c for c in predictive.columns if c.startswith("holds_")]:
        k, n = int(predictive[col].sum()), int(predictive[col].notna().sum())
        lo, hi = share_interval(k, n, mass)
        rows.append(
            {"pattern": col[6:], "holds": k, "runs": n, "rate": k / n, "low": lo, "high": hi}
        )
    return pd.DataFrame(rows)


def share_interval(k: int, n: int, mass: float = CREDIBLE_MASS) -> tuple[float, float]:
    """Equal-tailed credible interval of a share seen ``k`` times in ``n`` (Jeffreys prior)."""
    from scipy.stats import beta

    tail = (1 - mass) / 2
    lo = 0.0 if k == 0 else float(beta.ppf(tail, k + 0.5, n - k + 0.5))
    hi = 1.0 if k == n else float(beta.ppf(1 - tail, k + 0.5, n - k + 0.5))
    return lo, hi


def open_question(
    out: str | Path,
    runs: int = 100,
    *,
    steps: int = 520,
    counterfactual: Mapping[str, Any] = FULL_COMMON_WORK,
    executor: str | Executor = "process",
    workers: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Run the posterior forward under ``counterfactual``; one row per run with its regime.

    Written to ``out/open_question.parquet``. :func:`regime_probabilities` summarises it.
    """
    settings = load_settings(out)
    case = get_case(settings.case)
    draws = draw_particles(load_posterior(out), runs, settings.seed, _STREAM_OPEN)
    jobs = [
        ({**case.fixed, **row, **counterfactual}, settings.seed, (_STREAM_OPEN, k), steps)
        for k, row in enumerate(draws.to_dict("records"))
    ]
    draws["regime"] = _map(_regime_run, jobs, executor, workers, "open question", progress)
    draws["steps"] = steps
    draws.to_parquet(Path(out) / OPEN_QUESTION_FILE, index=False)
    return draws


def regime_probabilities(
    table: pd.DataFrame, regimes: tuple[str, ...] | None = None, mass: float = CREDIBLE_MASS
) -> pd.DataFrame:
    """Probability of each regime among posterior runs, with a credible interval."""
    if regimes is None:
        regimes = known_regimes()
    n = len(table)
    rows = []
    for name in regimes:
        k = int((table["regime"] == name).sum())
        lo, hi = share_interval(k, n, mass)
        rows.append(
            {"regime": name, "runs": k, "of": n, "probability": k / n, "low": lo, "high": hi}
        )
    return pd.DataFrame(rows)


def known_regimes() -> tuple[str, ...]:
    """The model's regimes, in their order."""
    try:
        from simulation.measures import REGIMES
    except ImportError:
        from simulation.metrics import REGIMES
    return tuple(REGIMES)


def credible_interval(
    values: np.ndarray, weights: np.ndarray, mass: float = 0.9
) -> tuple[float, float]:
    """Equal-tailed weighted credible interval holding ``mass`` of the posterior."""
    order = np.argsort(values)
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    cum = np.cumsum(w) / w.sum()
    tail = (1.0 - mass) / 2
    lo = v[min(np.searchsorted(cum, tail), len(v) - 1)]
    hi = v[min(np.searchsorted(cum, 1.0 - tail), len(v) - 1)]
    return float(lo), float(hi)


def posterior_summary(posterior: pd.DataFrame, mass: float = 0.9) -> pd.DataFrame:
    """Per parameter: weighted mean, credible interval, and its width relative to the prior."""
    settings_cols = {"weight", "generation", "epsilon"}
    rows = []
    for name in [c for c in posterior.columns if c not in settings_cols]:
        v, w = posterior[name].to_numpy(float), posterior["weight"].to_numpy(float)
        lo, hi = credible_interval(v, w, mass)
        spec = PARAMETERS[name]
        span = float(spec.high - spec.low) or math.nan
        rows.append(
            {
                "parameter": name,
                "mean": float(np.average(v, weights=w)),
                "low": lo,
                "high": hi,
                "width_vs_prior": (hi - lo) / span,
            }
        )
    return pd.DataFrame(rows)
