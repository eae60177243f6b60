"""One run of the model from plain data, and the worker side of a sweep (run, then write a shard).

Code crosses process boundaries as parameter dicts and tables, never as live models: a task is a
:class:`RunTask` (parameters, root entropy, spawn key, steps); a worker builds the model, steps
it, and writes the run's Parquet shard itself, so the parent only counts what is done.
"""

from __future__ import annotations

import math
import os
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.seeds import run_seed

N_TWINS_SINGLE = 8
"""Null twins run beside a single run (:func:`run_one`): its regime is judged against their
seed-to-seed spread. A sweep runs one twin per run (:func:`execute`): the twins of the
replicates of a design point give the spread (see :func:`experiments.columns.with_regimes`)."""

THREAD_ENV: Mapping[str, str] = {
    "NUMBA_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}
"""Environment of a worker process: one compiled-kernel and one BLAS thread each, so that
``workers`` processes use ``workers`` cores and results do not depend on thread counts."""

_STATE: dict[str, Any] = {"ready": False, "parent": None}


@dataclass(frozen=True)
class RunTask:
    """One run of a sweep, as plain data.

    Attributes:
        run_id: stable name, ``"p0003-r02"`` for point 3, replicate 2.
        point: index of the design point.
        replicate: replicate number at that point.
        params: every model parameter of the run (``record_every`` included).
        seed_entropy: the sweep's root entropy.
        spawn_key: the run's spawn key under the root, ``(point, replicate)``.
        steps: weeks to run.
        record_every: weeks between records.
    """

    run_id: str
    point: int
    replicate: int
    params: Mapping[str, Any]
    seed_entropy: int
    spawn_key: tuple[int, ...]
    steps: int
    record_every: int = 1


def run_one(
    params: Mapping[str, Any],
    seed_entropy: int,
    spawn_key: Sequence[int],
    steps: int,
    record_every: int = 1,
    *,
    on_step: Callable[[int], None] | None = None,
    n_twins: int = N_TWINS_SINGLE,
) -> pd.DataFrame:
    """Run the model once and return its recorded measures, one row per recorded week.

    The seed is ``SeedSequence(seed_entropy, spawn_key=spawn_key)``: the numbers a sweep stored
    for a run come back exactly when that run is re-run alone with its stored entropy and key.

    Args:
        params: model parameters (keyword arguments of ``PoolingModel``; a ``record_every``
            entry is overridden by the argument). A row of a sweep's summary table works as
            it is (numpy scalars and NaN for unset optional levels are accepted).
        seed_entropy: the sweep's root entropy.
        spawn_key: the run's spawn key, e.g. ``(3, 2)``.
        steps: weeks to run.
        record_every: weeks between records; week 0 and the last week are always recorded.
        on_step: called with the week after each step (for progress bars).
        n_twins: null twins run beside it (the first has the run's own seed).

    Returns:
        The DataCollector's table with a leading ``step`` column (the week), the run's own
        twin's judged measures (``null_*``) and the ``regime`` of each week, judged against
        the twins' spread at that week.
    """
    holder: list[Any] = []
    _simulate(holder, params, seed_entropy, spawn_key, steps, record_every, on_step, n_twins)
    return measures_frame(holder[0], record_every, holder[1])


def _simulate(
    holder: list[Any],
    params: Mapping[str, Any],
    seed_entropy: int,
    spawn_key: Sequence[int],
    steps: int,
    record_every: int,
    on_step: Callable[[int], None] | None = None,
    n_twins: int = 1,
) -> None:
    from simulation.measures import twin_seeds
    from simulation.model import PoolingModel
    from simulation.twins import make_twin

    kwargs = {k: plain_value(v) for k, v in params.items() if k != "record_every"}
    seed = run_seed(seed_entropy, spawn_key)
    model = PoolingModel(**kwargs, record_every=record_every, rng=seed)
    holder.append(model)
    for _ in range(steps):
        model.step()
        if on_step is not None:
            on_step(model.steps)
    if model.steps % record_every:
        model.datacollector.collect(model)  # the final state is always recorded
    twins = [make_twin(kwargs, s, record_every) for s in twin_seeds(seed, n_twins)]
    holder.append(twins)
    for twin in twins:
        for _ in range(steps):
            twin.step()
        if twin.steps % record_every:
            twin.datacollector.collect(twin)


def plain_value(value: Any) -> Any:
    """A parameter read back from a table as plain Python: numpy scalars unboxed, NaN -> None.

    A missing optional level (``co_presence`` left to follow ``pooling_intensity``) is stored as
    a null, which pandas reads as NaN; the model wants ``None``.
    """
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def measures_columns(
    model: Any, record_every: int, twins: Sequence[Any] = ()
) -> dict[str, list[Any]]:
    """The model's recorded measures as columns, one list entry per record.

    ``step`` (weeks 0, k, 2k, ..., last) comes first, then every measure of
    ``MODEL_REPORTERS``, the first twin's judged measures (``null_*``) and the ``regime`` of
    each record, judged against the twins' spread (with one twin, its floors stand in for the
    spread; a sweep judges again against the twins of every replicate,
    :func:`experiments.columns.with_regimes`).
    Sweeps write these lists straight to Arrow, without pandas.
    """
    from simulation.measures import JUDGED_KEYS
    from simulation.model import MODEL_REPORTERS

    recorded = model.datacollector.model_vars
    n = len(recorded[MODEL_REPORTERS[0]]) if MODEL_REPORTERS[0] in recorded else 0
    weeks = list(range(0, model.steps + 1, record_every))
    if weeks[-1] != model.steps:
        weeks.append(model.steps)
    columns = {"step": weeks[:n]}
    columns.update({name: list(recorded.get(name, []))[:n] for name in MODEL_REPORTERS})
    twin_vars = [t.datacollector.model_vars for t in twins]
    for key in JUDGED_KEYS:
        own = list(twin_vars[0].get(key, []))[:n] if twin_vars else []
        columns[f"null_{key}"] = own + [math.nan] * (n - len(own))
    columns["regime"] = _regimes(columns, twin_vars, n)
    return columns


def _regimes(columns: Mapping[str, list[Any]], twin_vars: Sequence[Any], n: int) -> list[str]:
    """The regime of each record against the twins (persistence where no twin ran)."""
    import numpy as np

    from simulation.measures import JUDGED_KEYS
    from simulation.measures.regime import classify_arrays

    if not twin_vars or n == 0:
        return ["persistence"] * n

    def twin_values(key: str) -> np.ndarray:
        rows = [list(v.get(key, []))[:n] for v in twin_vars]
        rows = [r + [math.nan] * (n - len(r)) for r in rows]
        return np.array(rows, dtype=np.float64).reshape(len(rows), n)

    def run_values(key: str) -> np.ndarray:
        return np.array(columns[key], dtype=np.float64).reshape(n)

    values = {k: twin_values(k) for k in JUDGED_KEYS}
    with np.errstate(invalid="ignore"):
        spread = {
            k: (np.nanstd(v, axis=0, ddof=1) if len(v) > 1 else np.full(n, np.nan))
            for k, v in values.items()
        }
    regime, _, _ = classify_arrays(
        {k: run_values(k) - values[k][0] for k in JUDGED_KEYS},
        spread,
        run_values("distinguishability"),
        values["distinguishability"][0],
    )
    return [str(r) for r in regime]


def measures_frame(model: Any, record_every: int, twins: Sequence[Any] = ()) -> pd.DataFrame:
    """The model's recorded measures as a table with a leading ``step`` column."""
    frame = pd.DataFrame(measures_columns(model, record_every, twins))
    frame["step"] = frame["step"].astype("int64")
    return frame


def execute(task: RunTask) -> tuple[dict[str, list[Any]] | None, str]:
    """Run a task; an exception is caught and returned as its traceback text.

    Returns:
        ``(measures, error)``: the recorded measures as columns (those recorded before a
        failure, or ``None`` if the model could not be built) and ``""`` or the traceback.
    """
    holder: list[Any] = []
    try:
        _simulate(
            holder, task.params, task.seed_entropy, task.spawn_key, task.steps, task.record_every
        )
        error = ""
    except Exception:  # a failing run is recorded and the sweep goes on
        error = traceback.format_exc()
    twins = holder[1] if len(holder) > 1 else ()
    measures = measures_columns(holder[0], task.record_every, twins) if holder else None
    return measures, error


def run_chunk(tasks: Sequence[RunTask], out_dir: str, stop_file: str) -> list[dict[str, Any]]:
    """Worker entry point: run each task and write its shard; stop early if asked.

    A run is skipped (``status="stopped"``) once ``stop_file`` exists (the parent was
    interrupted) or the parent process has gone away.

    Returns:
        One small record per task: ``run_id``, ``status`` (``ok``, ``error``, ``stopped``) and
        ``seconds``.
    """
    from experiments import shards

    prepare_worker()
    out: list[dict[str, Any]] = []
    for task in tasks:
        if os.path.exists(stop_file) or _parent_gone():
            out.append({"run_id": task.run_id, "status": "stopped", "seconds": 0.0})
            continue
        started = time.time()
        t0 = time.perf_counter()
        measures, error = execute(task)
        seconds = time.perf_counter() - t0
        shards.write_shard(Path(out_dir), task, measures, error, started, seconds)
        out.append(
            {"run_id": task.run_id, "status": "error" if error else "ok", "seconds": seconds}
        )
    return out


def prepare_worker() -> None:
    """Once per process: load the compiled kernels from their cache before the first run.

    Also notes the current parent, whose disappearance stops the worker's runs; a worker forked
    from a warmed-up pool server has its kernels already and only notes its parent.
    """
    _STATE["parent"] = os.getppid()
    if _STATE["ready"]:
        return
    from simulation.model import PoolingModel

    warm = PoolingModel(rng=0)
    for _ in range(2):
        warm.step()
    _STATE["ready"] = True


def init_process_worker() -> None:
    """Initializer of a local pool's worker: the parent handles Ctrl-C, the worker does not.

    The one-thread environment (:data:`THREAD_ENV`) is inherited from the parent, which sets it
    while the pool starts, so it is in force before numpy and Numba are first imported.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name, value in THREAD_ENV.items():
        os.environ.setdefault(name, value)
    prepare_worker()


def _parent_gone() -> bool:
    parent = _STATE["parent"]
    return parent is not None and parent != 1 and os.getppid() != parent
