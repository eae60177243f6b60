"""Run a sweep: check the budget, lock the folder, check the shards, run the rest, consolidate.

Re-running the same sweep on the same folder resumes it: a run whose shard exists and passes
its checks is not run again. A run that raises is recorded (status ``error`` and its
traceback) and the others go on. Ctrl-C or SIGTERM stops cleanly: runs in progress finish and
are written (a second signal stops at once), nothing else starts, the manifest records the end,
and the folder is left ready to resume. A local pool whose worker dies is restarted; a Dask
sweep left without workers stops after ``no_worker_timeout`` seconds; a full disk stops the
sweep at the first failed write.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, CancelledError, Executor, Future
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments import folder, storage
from experiments.executors import SerialExecutor, live_workers, open_executor
from experiments.plan import DEFAULT_MAX_RUNS, Plan, check_budget
from experiments.progress import Progress
from experiments.runner import RunTask, run_chunk
from experiments.spec import SweepSpec, load_spec

DEFAULT_NO_WORKER_TIMEOUT = 300.0
"""Seconds a Dask sweep waits without any worker before it stops (``--no-worker-timeout``)."""

MAX_RESTARTS = 3
"""Times a broken local pool is restarted within one call before the sweep gives up."""

__all__ = [
    "DEFAULT_MAX_RUNS",
    "DEFAULT_NO_WORKER_TIMEOUT",
    "SweepInterrupted",
    "SweepReport",
    "auto_chunk_size",
    "plan",
    "rerun",
    "run_sweep",
]


@dataclass
class SweepReport:
    """What a call of :func:`run_sweep` did (counts come from the shards on disk).

    Attributes:
        out: the sweep folder.
        name: the spec's name.
        total: runs in the sweep.
        skipped: runs already finished before this call (resumed).
        computed: runs finished by this call (``ok`` or ``error``).
        failed: runs of this call that raised (recorded with their traceback).
        unfinished: runs still to do (interrupted, or their worker was lost).
        interrupted: the call stopped before the end (a signal, a full disk, no workers).
        signal: ``"SIGINT"`` or ``"SIGTERM"`` when a signal stopped it.
        stop_reason: why it stopped, when not a signal (one line).
        seconds: wall time of this call.
        problems: messages about lost workers, restarts and taken-over locks.
        quarantined: shards moved to ``quarantine/`` by this call, each with the reason.
        restarts: times the local pool was restarted after a worker died.
    """

    out: Path
    name: str
    total: int
    skipped: int = 0
    computed: int = 0
    failed: int = 0
    unfinished: int = 0
    interrupted: bool = False
    signal: str = ""
    stop_reason: str = ""
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    restarts: int = 0

    @property
    def complete(self) -> bool:
        """Every run of the sweep has finished (some may have raised)."""
        return self.unfinished == 0


class SweepInterrupted(KeyboardInterrupt):
    """A sweep stopped early: Ctrl-C, SIGTERM, a full disk or no Dask workers.

    The folder is consistent and the same call resumes it.
    """

    def __init__(self, report: SweepReport) -> None:
        why = report.stop_reason or f"interrupted ({report.signal or 'SIGINT'})"
        super().__init__(f"sweep {report.name!r}: {why}; {report.unfinished} runs to do")
        self.report = report


def plan(spec: SweepSpec) -> Plan:
    """The sweep's plan: its runs, made on demand (iterate it), and its design's points."""
    return Plan(spec)


def rerun(out: str | Path, run_id: str) -> pd.DataFrame:
    """Re-run one run of a sweep folder alone, from the seed and parameters stored with it.

    Returns:
        Its recorded measures (as :func:`experiments.runner.run_one`), which equal the stored
        ones.

    Raises:
        ValueError: ``run_id`` is not a run of this sweep's plan.
        FileNotFoundError: the run has no shard yet.
        ShardError: its shard fails its checks.
    """
    from experiments.runner import run_one
    from experiments.seeds import parse_key

    out = Path(out)
    the_plan = folder.folder_plan(out)
    if the_plan.index(run_id) is None:
        raise ValueError(
            f"run id {run_id!r} is not a run of the sweep in {out}; allowed: p0000-r00 to "
            f"{storage.run_id(the_plan.n_points - 1, the_plan.replicates - 1)}"
        )
    path = storage.shard_path(out, run_id)
    if not path.is_file():
        raise FileNotFoundError(f"run {run_id} has no shard in {out} (not finished yet)")
    record, _ = storage.check_shard(path, folder.plan_checker(out, the_plan))
    return run_one(
        record["params"],
        int(record["seed_entropy"]),
        parse_key(record["spawn_key"]),
        record["steps"],
        record["record_every"],
    )


def chunked(tasks: Iterator[RunTask], size: int) -> Iterator[list[RunTask]]:
    """Consecutive chunks of ``size`` tasks, taken lazily from ``tasks``."""
    tasks = iter(tasks)
    while chunk := list(itertools.islice(tasks, size)):
        yield chunk


def auto_chunk_size(n_tasks: int, workers: int) -> int:
    """Runs per task: about eight tasks per worker, at most 16 runs each.

    Batching several short runs in one task keeps the executor's per-task overhead small;
    keeping several tasks per worker keeps the load balanced and the progress bar moving.
    """
    return max(1, min(16, math.ceil(n_tasks / (8 * max(workers, 1)))))


@dataclass(frozen=True)
class _Options:
    executor: str | Executor
    workers: int | None
    scheduler: str | None
    chunk_size: int | None
    progress: bool
    dask_processes: bool
    no_worker_timeout: float
    max_restarts: int

    @property
    def label(self) -> str:
        if self.scheduler:
            return "dask"
        return self.executor if isinstance(self.executor, str) else type(self.executor).__name__


def _check_options(workers: Any, chunk_size: Any, no_worker_timeout: Any) -> None:
    for name, value in (("workers", workers), ("chunk_size", chunk_size)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"{name} = {value!r} has the wrong type; allowed: an integer >= 1")
        if value is not None and value < 1:
            raise ValueError(f"{name} = {value} is out of range; allowed: an integer >= 1")
    if not (isinstance(no_worker_timeout, int | float) and 0 < no_worker_timeout < math.inf):
        raise ValueError(
            f"no_worker_timeout = {no_worker_timeout!r} is out of range; allowed: seconds > 0"
        )


class _Signals:
    """SIGTERM handled like Ctrl-C while a sweep runs (in the main thread only).

    The first SIGINT or SIGTERM raises ``KeyboardInterrupt``; while :meth:`deferred` is active
    (writing the manifest's end), a signal is remembered and raised afterwards.
    """

    def __init__(self) -> None:
        self.name = ""
        self._defer = 0
        self._pending = False
        self._saved: dict[int, Any] = {}

    def __enter__(self) -> _Signals:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                self._saved[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._saved.items():
            signal.signal(sig, handler)

    def _handle(self, signum: int, _frame: Any) -> None:
        self.name = self.name or signal.Signals(signum).name
        if self._defer:
            self._pending = True
            return
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        self._defer += 1
        try:
            yield
        finally:
            self._defer -= 1
            if not self._defer and self._pending:
                self._pending = False
                raise KeyboardInterrupt


def run_sweep(
    spec: SweepSpec | str | Path,
    out: str | Path,
    *,
    executor: str | Executor = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    security: dict[str, Any] | None = None,
    chunk_size: int | None = None,
    retry_errors: bool = False,
    quick: bool = False,
    progress: bool = True,
    consolidate: bool = True,
    csv: bool = False,
    dask_processes: bool = True,
    max_runs: int = DEFAULT_MAX_RUNS,
    allow_drift: bool = False,
    no_worker_timeout: float = DEFAULT_NO_WORKER_TIMEOUT,
    max_restarts: int = MAX_RESTARTS,
) -> SweepReport:
    """Run (or resume) a sweep into an output folder.

    Args:
        spec: a :class:`SweepSpec`, a spec file or the name of a spec in ``experiments/specs``.
        out: output folder (created; if it holds this sweep already, the sweep resumes).
        executor: ``"serial"``, ``"process"`` (default), ``"dask"``, or any
            ``concurrent.futures.Executor`` (its tasks must be able to write to ``out``).
        workers: workers of the local pool or LocalCluster (default: available cores).
        scheduler: address of a running Dask scheduler; implies ``executor="dask"``.
        security: keywords of ``distributed.Security`` for ``scheduler`` (TLS).
        chunk_size: runs per task (default: :func:`auto_chunk_size`).
        retry_errors: run again the runs that raised last time (their shards are moved to
            ``quarantine/``).
        quick: run the spec's reduced variant.
        progress: show a progress bar (stderr).
        consolidate: write the consolidated tables once every run has finished.
        csv: also export them as CSV.
        dask_processes: LocalCluster workers as processes (``False``: threads).
        max_runs: refuse a sweep of more runs (checked before anything is built).
        allow_drift: resume a folder made under another plan (recorded in the manifest).
        no_worker_timeout: Dask: stop after this many seconds without any worker.
        max_restarts: times a broken local pool is restarted.

    Returns:
        A :class:`SweepReport`; ``report.complete`` tells whether every run has finished.

    Raises:
        SweepInterrupted: Ctrl-C, SIGTERM, a full disk or no Dask workers (a
            ``KeyboardInterrupt`` carrying the report).
        SpecError: the spec is invalid (nothing has run).
        BudgetError: too many runs (nothing has been created).
        SweepFolderError: ``out`` holds another sweep, another process writes to it, or its
            plan has drifted.
    """
    started = time.monotonic()
    spec = load_spec(spec, quick=quick)
    _check_options(workers, chunk_size, no_worker_timeout)
    check_budget(spec, max_runs)
    the_plan = Plan(spec)
    out = Path(out).absolute()
    options = _Options(
        executor,
        workers,
        scheduler,
        chunk_size,
        progress,
        dask_processes,
        float(no_worker_timeout),
        max_restarts,
    )
    report = SweepReport(out=out, name=spec.name, total=the_plan.total)
    with contextlib.ExitStack() as stack:
        signals = stack.enter_context(_Signals())
        external = None
        if scheduler is not None:  # reach the scheduler before creating anything
            external = stack.enter_context(
                open_executor("dask", workers, scheduler=scheduler, security=security)
            )
        manifest, lock = folder.open_folder(out, spec, the_plan, allow_drift=allow_drift)
        stack.callback(lock.release)
        if lock.message:
            report.problems.append(lock.message)
        _close_dangling(manifest)
        (out / storage.STOP_FILE).unlink(missing_ok=True)
        done = _check_shards(out, the_plan, manifest, report, retry_errors)
        report.skipped = int(done.sum())
        entry = _begin_call(out, manifest, report, options, the_plan.total - report.skipped)
        try:
            if report.skipped < the_plan.total:
                _execute(the_plan, done.copy(), out, report, entry, options, external)
        except KeyboardInterrupt:
            report.interrupted = True
        finally:
            report.signal = signals.name if report.interrupted and not report.stop_reason else ""
            with signals.deferred():
                _end_call(out, manifest, entry, report, the_plan, done, started)
        if report.interrupted:
            raise SweepInterrupted(report)
        if report.complete and consolidate:
            storage.consolidate(out)
            if csv:
                storage.export_csv(out)
    return report


def _close_dangling(manifest: dict[str, Any]) -> None:
    """Give an end state to calls that were killed outright (they never wrote one)."""
    for entry in manifest.get("history", []):
        if entry.get("finished") is None and entry.get("outcome") == "running":
            entry["outcome"] = "killed"
            entry["closed"] = storage.now()
            entry["note"] = "ended without writing its end (SIGKILL, power loss, or similar)"


def _check_shards(
    out: Path, the_plan: Plan, manifest: dict[str, Any], report: SweepReport, retry: bool
) -> np.ndarray:
    """Check every shard; quarantine what fails (and, with ``retry``, the runs that raised)."""
    found = folder.scan(out, the_plan, repair=True, manifest=manifest, records=retry)
    report.quarantined = [f"{err.path.name}: {err.kind}: {err.reason}" for err in found.problems]
    report.quarantined += [f"{p.name}: an interrupted write" for p in found.leftovers]
    done = found.done
    if retry:
        for rid, record in found.finished.items():
            if record["status"] == "error":
                folder.quarantine(out, storage.shard_path(out, rid), "retried (--retry-errors)")
                done[the_plan.index(rid)] = False
    return done


def _begin_call(
    out: Path, manifest: dict[str, Any], report: SweepReport, options: _Options, to_run: int
) -> dict[str, Any]:
    """Add this call to the manifest's history (it has no end time until it ends)."""
    here = storage.provenance()
    entry: dict[str, Any] = {
        "started": storage.now(),
        "finished": None,
        "outcome": "running",
        "executor": options.label,
        "scheduler": options.scheduler,
        "workers": None,
        "host": here["host"],
        "pid": os.getpid(),
        "skipped": report.skipped,
        "to_run": to_run,
        "quarantined": report.quarantined,
        "version": here["version"],
        "git": here["git"],
    }
    manifest["history"].append(entry)
    manifest["status"] = "running"
    storage.write_manifest(out, manifest)
    return entry


def _count(out: Path, the_plan: Plan, before: np.ndarray) -> tuple[np.ndarray, int]:
    """Runs with a shard now, and how many of the new ones raised (from their footers)."""
    now = before.copy()
    failed = 0
    for path in storage.shard_files(out):
        index = the_plan.index(path.name.removesuffix(".parquet"))
        if index is None or now[index]:
            continue
        try:
            failed += storage.read_record(path)["status"] == "error"
        except (OSError, ValueError, KeyError):
            continue  # checked (and quarantined) on the next call
        now[index] = True
    return now, failed


def _end_call(
    out: Path,
    manifest: dict[str, Any],
    entry: dict[str, Any],
    report: SweepReport,
    the_plan: Plan,
    before: np.ndarray,
    started: float,
) -> None:
    """Count what is finished, from the shards, and close this call's history entry."""
    (out / storage.STOP_FILE).unlink(missing_ok=True)
    now, failed = _count(out, the_plan, before)
    finished = int(now.sum())
    report.computed = finished - report.skipped
    report.failed = failed
    report.unfinished = the_plan.total - finished
    report.seconds = time.monotonic() - started
    if report.interrupted:
        outcome = "interrupted"
    else:
        outcome = "complete" if report.complete else "incomplete"
    entry.update(
        finished=storage.now(),
        outcome=outcome,
        reason=report.stop_reason or report.signal or None,
        computed=report.computed,
        failed=report.failed,
        restarts=report.restarts,
        seconds=round(report.seconds, 3),
        problems=report.problems,
    )
    manifest["status"] = outcome
    manifest["finished_runs"] = finished
    manifest["failed_runs"] = manifest.get("failed_runs", 0) + failed
    storage.write_manifest(out, manifest)


def _execute(
    the_plan: Plan,
    done: np.ndarray,
    out: Path,
    report: SweepReport,
    entry: dict[str, Any],
    options: _Options,
    external: tuple[Executor, int] | None,
) -> None:
    to_run = the_plan.total - int(done.sum())
    bar = Progress(to_run, f"sweep {report.name}", enabled=options.progress)
    for line in [*report.problems, *(f"quarantined {q}" for q in report.quarantined)]:
        bar.write(line)
    if report.skipped:
        bar.write(f"resuming: {report.skipped} of {report.total} runs already finished")
    source = the_plan.tasks(done)
    requeue: list[RunTask] = []
    try:
        while True:
            tasks = itertools.chain(requeue, source)
            if external is not None:
                pool, n = external
                entry["workers"] = n
                lost = _drive(pool, n, tasks, to_run, out, report, bar, options)
            elif isinstance(options.executor, Executor):
                entry["workers"] = options.workers or 1
                lost = _drive(
                    options.executor, entry["workers"], tasks, to_run, out, report, bar, options
                )
            else:
                with open_executor(
                    options.executor, options.workers, dask_processes=options.dask_processes
                ) as (pool, n):
                    entry["workers"] = n
                    lost = _drive(pool, n, tasks, to_run, out, report, bar, options)
            if lost is None or report.interrupted:
                return
            requeue = [t for t in lost if not storage.shard_path(out, t.run_id).exists()]
            if options.executor != "process" or report.restarts >= options.max_restarts:
                message = (
                    f"the executor broke and {len(requeue)} runs were lost; "
                    "run the same command to resume"
                )
                report.problems.append(message)
                bar.write(message)
                return
            report.restarts += 1
            message = (
                f"a worker died; restarting the pool ({report.restarts} of "
                f"{options.max_restarts}) and running its {len(requeue)} lost runs again"
            )
            report.problems.append(message)
            bar.write(message)
    finally:
        bar.close()


def _drive(
    pool: Executor,
    workers: int,
    tasks: Iterator[RunTask],
    to_run: int,
    out: Path,
    report: SweepReport,
    bar: Progress,
    options: _Options,
) -> list[RunTask] | None:
    """Keep every worker busy with chunks of runs; count what comes back.

    Returns:
        ``None``, or the runs of the tasks lost when the executor broke.
    """
    stop_file = out / storage.STOP_FILE
    size = options.chunk_size or auto_chunk_size(to_run, workers)
    chunks = chunked(tasks, size)
    owner: dict[Future, list[RunTask]] = {}
    inflight: set[Future] = set()
    broken: list[RunTask] = []
    is_broken = False
    # In-process tasks run on submit: one at a time, so the progress bar moves run by run.
    # Otherwise keep a queue deep enough for a cluster that grows after the sweep starts
    # (adaptive dask-jobqueue), but bounded, so a huge sweep is never all in memory.
    limit = 1 if isinstance(pool, SerialExecutor) else max(4 * workers, 64)
    watch = live_workers(pool) is not None
    poll = min(5.0, options.no_worker_timeout / 4) if watch else None
    no_workers_since: float | None = None

    def stop(reason: str) -> None:
        report.interrupted = True
        report.stop_reason = report.stop_reason or reason
        stop_file.touch()

    def fill() -> None:
        nonlocal is_broken
        while len(inflight) < limit and not report.interrupted and not is_broken:
            chunk = next(chunks, None)
            if chunk is None:
                return
            try:
                future = pool.submit(run_chunk, chunk, str(out), str(stop_file))
            except BrokenExecutor:  # every worker is gone
                is_broken = True
                broken.extend(chunk)
                return
            owner[future] = chunk
            inflight.add(future)

    try:
        fill()
        while inflight:
            finished, _ = wait_futures(inflight, timeout=poll, return_when=FIRST_COMPLETED)
            if not finished and watch:
                if live_workers(pool):
                    no_workers_since = None
                elif no_workers_since is None:
                    no_workers_since = time.monotonic()
                elif time.monotonic() - no_workers_since >= options.no_worker_timeout:
                    stop(
                        f"no Dask worker for {options.no_worker_timeout:g} s "
                        f"(--no-worker-timeout); {len(inflight)} tasks left unfinished in "
                        f"{out}; run the same command with workers to resume"
                    )
                    for future in inflight:
                        future.cancel()
                    return None
            for future in finished:
                inflight.discard(future)
                chunk = owner.pop(future)
                outcome = _collect(future, chunk, report, bar)
                if outcome == "broken":
                    is_broken = True
                    broken.extend(chunk)
                elif outcome == "disk full":
                    stop(f"{future.exception()}; free space and run the same command to resume")
            fill()
    except KeyboardInterrupt:
        report.interrupted = True
        stop_file.touch()
        for future in inflight:
            future.cancel()
        bar.write(
            "interrupted: finishing the runs in progress (Ctrl-C again to stop at once); "
            "run the same command again to resume"
        )
        try:
            for future in wait_futures(inflight).done:
                if not future.cancelled():
                    _collect(future, owner.pop(future), report, bar)
        except KeyboardInterrupt:
            _terminate(pool)
        return None
    if report.stop_reason and inflight:
        wait_futures(inflight)
    if is_broken:
        broken.extend(t for chunk in chunks for t in chunk)  # not yet dispatched either
        return broken
    return None


def _collect(future: Future, chunk: list[RunTask], report: SweepReport, bar: Progress) -> str:
    """Count a finished task; ``"broken"``, ``"disk full"``, ``"lost"`` or ``"ok"``."""
    try:
        records = future.result()
    except CancelledError:
        return "lost"
    except BrokenExecutor:
        return "broken"
    except storage.DiskFull:
        return "disk full"
    except Exception as err:  # a lost worker: its runs stay unfinished and run on resume
        message = f"a task of {len(chunk)} runs ({chunk[0].run_id}...) was lost: {err!r}"
        report.problems.append(message)
        bar.write(message)
        return "lost"
    bar.update(sum(record["status"] != "stopped" for record in records))
    return "ok"


def _terminate(pool: Executor) -> None:
    """Stop a local pool's workers at once (their runs in progress are dropped)."""
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:
        terminate()
        return
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
