"""Dispatching a sweep's runs to an executor, and counting what comes back.

Runs are taken lazily from the plan, in chunks, and a bounded number of chunks is kept in
flight, so memory does not grow with the number of runs. A local pool whose worker dies is
restarted and its lost runs dispatched again; a Dask cluster without workers for
``no_worker_timeout`` seconds stops the sweep; a full disk stops it at the first failed write;
Ctrl-C or SIGTERM lets the runs in progress finish.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, CancelledError, Executor, Future
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from experiments import shards
from experiments.executors import SerialExecutor, live_workers, open_executor
from experiments.manifest import STOP_FILE
from experiments.plan import Plan
from experiments.progress import Progress
from experiments.runner import RunTask, run_chunk


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
            requeue = [t for t in lost if not shards.shard_path(out, t.run_id).exists()]
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

    Why one function: the submission loop, the watch for a Dask cluster without workers, the
    handling of a broken pool and the Ctrl-C path all act on the same in-flight futures and
    their chunks; split apart, each piece would need all of that state passed back and forth.

    Returns:
        ``None``, or the runs of the tasks lost when the executor broke.
    """
    stop_file = out / STOP_FILE
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
                    stop(_disk_full(future.exception(), out, to_run - bar.done))
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


def _disk_full(err: BaseException | None, out: Path, left: int) -> str:
    """One line: the folder is full, and about how much space the runs left need."""
    sizes = [p.stat().st_size for p in shards.shard_files(out)[:200]]
    per_run = sum(sizes) / len(sizes) if sizes else 64_000
    return (
        f"{err}; the {left} runs left need about {shards.human_bytes(per_run * left)} more; "
        "free space and run the same command to resume"
    )


def _collect(future: Future, chunk: list[RunTask], report: SweepReport, bar: Progress) -> str:
    """Count a finished task; ``"broken"``, ``"disk full"``, ``"lost"`` or ``"ok"``."""
    try:
        records = future.result()
    except CancelledError:
        return "lost"
    except BrokenExecutor:
        return "broken"
    except shards.DiskFull:
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
