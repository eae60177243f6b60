"""Which settings reproduce a case: ABC-SMC calibration of the model on the study's patterns.

Approximate Bayesian computation by sequential Monte Carlo (Toni et al. 2009, *J. R. Soc.
Interface* 6: 187-202; Beaumont et al. 2009, *Biometrika* 96: 983-990) with pyabc (Schälte et al.
2022, *JOSS* 7: 4304). A particle is a parameter setting; its simulation is one run of the case
(:mod:`experiments.patterns`), summarised by the distance of the run from each pattern; the
distance of a particle is the sum over the case's patterns (0 when every pattern holds). Priors
are uniform over each parameter's allowed range in :data:`simulation.parameters.PARAMETERS`.

One seed drives everything. The ``n`` tasks of a generation (each samples until it accepts one
particle) get seeds spawned from the root ``SeedSequence`` by ``(generation, call, task)``; the
``k``-th run inside a task gets ``(generation, call, task, k)``. The accepted population is
therefore the same on one core, a local pool or a Dask cluster, and a calibration interrupted
between generations resumes from pyabc's SQLite history into exactly the same numbers. pyabc's
own Dask sampler schedules particles dynamically (whichever worker answers first), which would
tie the population to the workers' timing: the Dask cluster is used through the same seeded map.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.abc_sampling import (
    STREAM_MAIN,
    PatternSimulator,
    progress_map,
    run_table,
    sampler_class,
    total_distance,
)
from experiments.patterns import CaseTargets, get_case, missing_patterns
from experiments.progress import Progress
from simulation.parameters import PARAMETERS

DB_FILE = "calibration.db"
SETTINGS_FILE = "calibration.json"
POSTERIOR_FILE = "posterior.parquet"
POPULATIONS_FILE = "populations.parquet"

DEFAULT_SEED = 20210901
"""Root entropy of a calibration when none is given."""

PRIORS: Mapping[str, tuple[str, ...]] = {
    "cssi": (
        "pooling_intensity",
        "identity_strength",
        "openness",
        "homophily",
        "tie_formation",
        "tie_decay",
        "collaboration_influence",
        "anchoring",
        "service_adaptation",
        "profession_barrier",
    ),
    "helpline": (
        "identity_strength",
        "openness",
        "homophily",
        "socialisation",
        "code_learning",
        "anchoring",
        "tool_use",
        "tool_decay",
        "meaning_sensitivity",
    ),
}
"""Parameters each case's calibration lets vary (uniform over their allowed range); the others
keep the model's defaults or the case's fixed values. These are the knobs whose values the
study does not give: the pooling level of the CSSI and the rates of every rule."""

QUICK: Mapping[str, int] = {"population": 16, "generations": 2}
"""Sizes of ``--quick`` (a smoke test of the machinery, well under a minute)."""


def check_installed() -> None:
    """Raise a one-line error if pyabc is missing."""
    try:
        import pyabc  # noqa: F401
    except ImportError as err:
        raise ImportError("calibration needs pyabc: pip install 'isohybrid[calibration]'") from err


def prior_bounds(names: Iterable[str]) -> dict[str, tuple[float, float]]:
    """Uniform prior bounds of each parameter: its allowed range in the parameter table.

    Raises:
        ValueError: an unknown parameter, or one that is not a real number.
    """
    out = {}
    for name in names:
        spec = PARAMETERS.get(name)
        if spec is None or spec.kind != "float":
            raise ValueError(
                f"parameter {name!r} cannot be calibrated: expected a float parameter of "
                f"the model ({', '.join(n for n, s in PARAMETERS.items() if s.kind == 'float')})"
            )
        out[name] = (float(spec.low), float(spec.high))
    return out


@dataclass(frozen=True)
class Settings:
    """What a calibration folder holds; resuming needs the same settings.

    Attributes:
        case: the case's name.
        priors: parameter -> (low, high) of its uniform prior.
        population: particles per generation.
        generations: generations to run (fewer if every pattern holds sooner).
        seed: root entropy.
        steps: weeks per run.
        record_every: weeks between records.
        quick: whether these are the ``--quick`` sizes.
    """

    case: str
    priors: Mapping[str, tuple[float, float]]
    population: int
    generations: int
    seed: int
    steps: int
    record_every: int
    quick: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``calibration.json``."""
        out = asdict(self)
        out["priors"] = {k: list(v) for k, v in self.priors.items()}
        return out


@dataclass
class CalibrationResult:
    """What a calibration left in its folder."""

    out: Path
    settings: Settings
    posterior: pd.DataFrame
    populations: pd.DataFrame
    run_now: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def simulations(self) -> int:
        """Runs of the model over every generation (the calibration sample included)."""
        return int(self.populations["samples"].sum())


# --- the calibration --------------------------------------------------------------------------


def make_settings(
    case: str | CaseTargets,
    *,
    population: int | None = None,
    generations: int | None = None,
    seed: int = DEFAULT_SEED,
    quick: bool = False,
    parameters: Sequence[str] | None = None,
) -> Settings:
    """Settings of a calibration of a case (``--quick`` sizes unless given).

    Args:
        case: a case or its name.
        population: particles per generation.
        generations: generations to run.
        seed: root entropy.
        quick: the ``--quick`` sizes, for those not given.
        parameters: parameters to calibrate (default: :data:`PRIORS` of the case).
    """
    the_case = get_case(case) if isinstance(case, str) else case
    sizes = dict(QUICK) if quick else {"population": 200, "generations": 8}
    population = sizes["population"] if population is None else int(population)
    generations = sizes["generations"] if generations is None else int(generations)
    if population < 2:
        raise ValueError(f"parameter 'population' = {population} is invalid: expected >= 2")
    if generations < 1:
        raise ValueError(f"parameter 'generations' = {generations} is invalid: expected >= 1")
    return Settings(
        case=the_case.name,
        priors=prior_bounds(parameters or PRIORS[the_case.name]),
        population=population,
        generations=generations,
        seed=int(seed),
        steps=the_case.steps,
        record_every=the_case.record_every,
        quick=quick,
    )


def calibrate(
    case: str | CaseTargets,
    out: str | Path,
    *,
    settings: Settings | None = None,
    executor: str | Executor = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    **options: Any,
) -> CalibrationResult:
    """Run (or resume) an ABC-SMC calibration of a case into ``out``.

    Args:
        case: ``"cssi"``, ``"helpline"`` or a :class:`~experiments.patterns.CaseTargets`.
        out: the folder: ``calibration.db`` (pyabc's history), ``calibration.json``,
            ``posterior.parquet`` (the last generation's weighted particles) and
            ``populations.parquet`` (epsilon and runs per generation).
        settings: the calibration's settings (default: :func:`make_settings` of ``options``).
        executor: ``"serial"``, ``"process"``, ``"dask"`` or an open Executor.
        workers: worker processes of a local pool or LocalCluster.
        scheduler: address of a running Dask scheduler (implies dask).
        progress: a progress bar counting accepted particles.
        **options: passed to :func:`make_settings` (population, generations, seed, quick,
            parameters).

    Returns:
        A :class:`CalibrationResult`.

    Raises:
        ValueError: the folder holds a calibration with other settings.
    """
    check_installed()
    the_case = get_case(case) if isinstance(case, str) else case
    if settings is None:
        settings = make_settings(the_case, **options)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _check_settings(out, settings)
    db = f"sqlite:///{(out / DB_FILE).resolve()}"
    done = _generations_done(out)
    missing = _probe_missing(the_case, settings)
    todo = 0 if _finished(out, settings) else settings.generations - done
    total = settings.population * (todo + (1 if done == 0 else 0))
    logging.getLogger("ABC").setLevel(logging.WARNING)
    with (
        open_pool(executor, workers, scheduler) as pool,
        Progress(total, f"calibrate {the_case.name}", "particle", enabled=progress) as bar,
    ):
        sampler = sampler_class()(progress_map(pool, bar), settings.seed)
        for _ in range(todo):
            abc = _abcsmc(the_case, settings, sampler)
            t = _generations_done(out)
            _seed_main(settings.seed, t)
            if t == 0:
                abc.new(db, {p.name: 0.0 for p in the_case.patterns})
            else:
                abc.load(db, 1)
            abc.run(minimum_epsilon=0.0, max_nr_populations=1)
            if _finished(out, settings):
                break
    posterior, populations = write_posterior(out)
    return CalibrationResult(out, settings, posterior, populations, todo, missing)


def _abcsmc(case: CaseTargets, settings: Settings, sampler: Any) -> Any:
    import pyabc

    prior = pyabc.Distribution(
        **{k: pyabc.RV("uniform", lo, hi - lo) for k, (lo, hi) in settings.priors.items()}
    )
    model = PatternSimulator(case, settings.seed, settings.steps, settings.record_every)
    return pyabc.ABCSMC(
        model, prior, total_distance, population_size=settings.population, sampler=sampler
    )


def _seed_main(entropy: int, t: int) -> None:
    seq = np.random.SeedSequence(entropy, spawn_key=(STREAM_MAIN, t))
    np.random.seed(seq.generate_state(1)[0])  # noqa: NPY002, TID251 (pyabc's global draws)


@contextlib.contextmanager
def open_pool(
    executor: str | Executor, workers: int | None, scheduler: str | None
) -> Iterator[Any]:
    """Open an executor by name (or pass an open one through); yields the executor."""
    if isinstance(executor, Executor):
        yield executor
        return
    from experiments.executors import open_executor

    with open_executor(executor, workers, scheduler=scheduler) as (pool, _n):
        yield pool


def _probe_missing(case: CaseTargets, settings: Settings) -> list[str]:
    """Patterns the model cannot judge yet (their measures are not recorded): said, not hidden."""
    mid = {k: (lo + hi) / 2 for k, (lo, hi) in settings.priors.items()}
    table = run_table({**case.fixed, **mid}, settings.seed, (0,), 2, 1)
    missing = missing_patterns(case, table)
    if missing:
        logging.getLogger(__name__).warning(
            "patterns left out (their measures are not recorded): %s", ", ".join(missing)
        )
    return missing


def _check_settings(out: Path, settings: Settings) -> None:
    path = out / SETTINGS_FILE
    mine = settings.as_dict()
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
        keep = {k: v for k, v in stored.items() if k != "generations"}
        if keep != {k: v for k, v in mine.items() if k != "generations"}:
            raise ValueError(
                f"{out} holds a calibration with other settings ({path}); use another --out "
                "or the same case, sizes and seed to resume"
            )
    path.write_text(json.dumps(mine, indent=2) + "\n", encoding="utf-8")


def _history(out: Path) -> Any:
    import pyabc

    return pyabc.History(f"sqlite:///{(out / DB_FILE).resolve()}", _id=1)


def _generations_done(out: Path) -> int:
    if not (out / DB_FILE).exists():
        return 0
    try:
        return int(_history(out).max_t) + 1
    except Exception:  # an empty or half-written database: start again
        (out / DB_FILE).unlink()
        return 0


def _finished(out: Path, settings: Settings) -> bool:
    done = _generations_done(out)
    if done >= settings.generations:
        return True
    if done == 0:
        return False
    eps = _history(out).get_all_populations()["epsilon"].iloc[-1]
    return bool(eps <= 0.0)


def write_posterior(out: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write the last generation's weighted particles and the generations' summary as Parquet.

    Returns:
        ``(posterior, populations)``: one row per particle (parameters, ``weight``,
        ``generation``, ``epsilon``); one row per generation (``generation``, ``epsilon``,
        ``samples`` = runs of the model, ``particles``).
    """
    out = Path(out)
    history = _history(out)
    pops = history.get_all_populations().rename(columns={"t": "generation"})
    pops = pops[["generation", "epsilon", "samples", "particles"]].reset_index(drop=True)
    t = int(history.max_t)
    frame, weights = history.get_distribution(m=0, t=t)
    posterior = frame.reset_index(drop=True).rename_axis(columns=None)
    posterior["weight"] = np.asarray(weights, dtype=float)
    posterior["generation"] = t
    posterior["epsilon"] = float(pops["epsilon"].iloc[-1])
    posterior.to_parquet(out / POSTERIOR_FILE, index=False)
    pops.to_parquet(out / POPULATIONS_FILE, index=False)
    return posterior, pops


def load_posterior(out: str | Path) -> pd.DataFrame:
    """The posterior a calibration folder holds (weighted particles)."""
    path = Path(out) / POSTERIOR_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: run `isohybrid calibrate CASE --out {out}`")
    return pd.read_parquet(path)


def load_settings(out: str | Path) -> Settings:
    """The settings of a calibration folder."""
    raw = json.loads((Path(out) / SETTINGS_FILE).read_text(encoding="utf-8"))
    raw["priors"] = {k: tuple(v) for k, v in raw["priors"].items()}
    return Settings(**raw)
