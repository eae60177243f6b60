"""Run a sweep: plan the runs, skip those already finished, execute the rest, consolidate.

Re-running the same sweep on the same folder resumes it: a run whose shard exists is not run
again. A run that raises is recorded (status ``error`` and its traceback) and the others go on.
Ctrl-C stops cleanly: runs in progress finish and are written (a second Ctrl-C stops at once),
nothing else starts, and the folder is left ready to resume.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from experiments import storage
from experiments.design import design_points, point_dicts, point_parameters
from experiments.executors import SerialExecutor, open_executor
from experiments.progress import Progress
from experiments.runner import RunTask, run_chunk
from experiments.seeds import run_key
from experiments.spec import SweepSpec, load_spec


@dataclass
class SweepReport:
    """What a call of :func:`run_sweep` did.

    Attributes:
        out: the sweep folder.
        name: the spec's name.
        total: runs in the sweep.
        skipped: runs already finished before this call (resumed).
        computed: runs finished by this call (``ok`` or ``error``).
        failed: runs of this call that raised (recorded with their traceback).
        unfinished: runs still to do (interrupted, or their worker was lost).
        interrupted: the call was stopped by Ctrl-C.
        seconds: wall time of this call.
        problems: messages about lost workers.
    """

    out: Path
    name: str
    total: int
    skipped: int = 0
    computed: int = 0
    failed: int = 0
    unfinished: int = 0
    interrupted: bool = False
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every run of the sweep has finished (some may have raised)."""
        return self.unfinished == 0


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a sweep; the folder is consistent and the same call resumes it."""

    def __init__(self, report: SweepReport) -> None:
        super().__init__(f"sweep {report.name!r} interrupted; {report.unfinished} runs to do")
        self.report = report


def plan(spec: SweepSpec) -> tuple[list[RunTask], pd.DataFrame]:
    """Every run of a sweep (point-major, then replicate) and the design's points."""
    design = design_points(spec)
    tasks = [
        RunTask(
            run_id=storage.run_id(p, r),
            point=p,
            replicate=r,
            params=point_parameters(spec, point),
            seed_entropy=spec.seed,
            spawn_key=run_key(p, r),
            steps=spec.steps,
            record_every=spec.record_every,
        )
        for p, point in enumerate(point_dicts(spec))
        for r in range(spec.replicates)
    ]
    return tasks, design


def rerun(out: str | Path, run_id: str) -> pd.DataFrame:
    """Re-run one run of a sweep folder alone, from the seed and parameters stored with it.

    Returns:
        Its recorded measures (as :func:`experiments.runner.run_one`), which equal the stored
        ones.
    """
    from experiments.runner import run_one
    from experiments.seeds import parse_key

    path = storage.shard_path(Path(out), run_id)
    if not path.is_file():
        raise FileNotFoundError(f"run {run_id!r} has no shard in {out}")
    record = storage.read_record(path)
    return run_one(
        record["params"],
        int(record["seed_entropy"]),
        parse_key(record["spawn_key"]),
        record["steps"],
        record["record_every"],
    )


def chunked(tasks: Sequence[RunTask], size: int) -> Iterator[list[RunTask]]:
    """Consecutive chunks of ``size`` tasks."""
    for start in range(0, len(tasks), size):
        yield list(tasks[start : start + size])


def auto_chunk_size(n_tasks: int, workers: int) -> int:
    """Runs per task: about eight tasks per worker, at most 16 runs each.

    Batching several short runs in one task keeps the executor's per-task overhead small;
    keeping several tasks per worker keeps the load balanced and the progress bar moving.
    """
    return max(1, min(16, math.ceil(n_tasks / (8 * max(workers, 1)))))


def run_sweep(
    spec: SweepSpec | str | Path,
    out: str | Path,
    *,
    executor: str | Executor = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    retry_errors: bool = False,
    quick: bool = False,
    progress: bool = True,
    consolidate: bool = True,
    csv: bool = False,
    dask_processes: bool = True,
) -> SweepReport:
    """Run (or resume) a sweep into an output folder.

    Args:
        spec: a :class:`SweepSpec`, a spec file or the name of a spec in ``experiments/specs``.
        out: output folder (created; if it holds this sweep already, the sweep resumes).
        executor: ``"serial"``, ``"process"`` (default), ``"dask"``, or any
            ``concurrent.futures.Executor`` (its tasks must be able to write to ``out``).
        workers: workers of the local pool or LocalCluster (default: available cores).
        scheduler: address of a running Dask scheduler; implies ``executor="dask"``.
        chunk_size: runs per task (default: :func:`auto_chunk_size`).
        retry_errors: run again the runs that raised last time.
        quick: run the spec's reduced variant.
        progress: show a progress bar (stderr).
        consolidate: write the consolidated tables once every run has finished.
        csv: also export them as CSV.
        dask_processes: LocalCluster workers as processes (``False``: threads).

    Returns:
        A :class:`SweepReport`; ``report.complete`` tells whether every run has finished.

    Raises:
        SweepInterrupted: Ctrl-C (a ``KeyboardInterrupt`` carrying the report).
        SpecError: the spec is invalid (nothing has run).
        SweepFolderError: ``out`` holds another sweep.
    """
    started = time.monotonic()
    spec = load_spec(spec, quick=quick)
    tasks, design = plan(spec)
    out = Path(out).resolve()
    manifest = storage.open_folder(out, spec, design, len(tasks))
    (out / storage.STOP_FILE).unlink(missing_ok=True)
    done = storage.finished_runs(out)
    if retry_errors:
        for rid in [rid for rid, rec in done.items() if rec["status"] == "error"]:
            storage.shard_path(out, rid).unlink(missing_ok=True)
            del done[rid]
    todo = [t for t in tasks if t.run_id not in done]
    report = SweepReport(out=out, name=spec.name, total=len(tasks), skipped=len(tasks) - len(todo))
    options = _Options(executor, workers, scheduler, chunk_size, progress, dask_processes)
    entry = _begin_call(out, manifest, report, options, len(todo))
    try:
        if todo:
            _execute(todo, out, report, entry, options)
    finally:
        _end_call(out, manifest, entry, report, tasks, started)
    if report.interrupted:
        raise SweepInterrupted(report)
    if report.complete and consolidate:
        storage.consolidate(out)
        if csv:
            storage.export_csv(out)
    return report


@dataclass(frozen=True)
class _Options:
    executor: str | Executor
    workers: int | None
    scheduler: str | None
    chunk_size: int | None
    progress: bool
    dask_processes: bool

    @property
    def label(self) -> str:
        if self.scheduler:
            return "dask"
        return self.executor if isinstance(self.executor, str) else type(self.executor).__name__


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
        "version": here["version"],
        "git": here["git"],
    }
    manifest["history"].append(entry)
    manifest["status"] = "running"
    storage.write_manifest(out, manifest)
    return entry


def _end_call(
    out: Path,
    manifest: dict[str, Any],
    entry: dict[str, Any],
    report: SweepReport,
    tasks: Sequence[RunTask],
    started: float,
) -> None:
    """Count what is finished and close this call's history entry."""
    (out / storage.STOP_FILE).unlink(missing_ok=True)
    finished = storage.finished_runs(out, repair=False)
    report.unfinished = sum(t.run_id not in finished for t in tasks)
    report.seconds = time.monotonic() - started
    if report.interrupted:
        outcome = "interrupted"
    else:
        outcome = "complete" if report.complete else "incomplete"
    entry.update(
        finished=storage.now(),
        outcome=outcome,
        computed=report.computed,
        failed=report.failed,
        seconds=round(report.seconds, 3),
        problems=report.problems,
    )
    manifest["status"] = outcome
    manifest["finished_runs"] = len(finished)
    manifest["failed_runs"] = sum(r["status"] == "error" for r in finished.values())
    storage.write_manifest(out, manifest)


def _execute(
    todo: list[RunTask], out: Path, report: SweepReport, entry: dict[str, Any], options: _Options
) -> None:
    bar = Progress(len(todo), f"sweep {report.name}", enabled=options.progress)
    if report.skipped:
        bar.write(f"resuming: {report.skipped} of {report.total} runs already finished")
    try:
        if isinstance(options.executor, Executor):
            entry["workers"] = options.workers or 1
            _drive(options.executor, entry["workers"], todo, out, report, bar, options.chunk_size)
        else:
            with open_executor(
                options.executor,
                options.workers,
                scheduler=options.scheduler,
                dask_processes=options.dask_processes,
            ) as (pool, n):
                entry["workers"] = n
                _drive(pool, n, todo, out, report, bar, options.chunk_size)
    finally:
        bar.close()


def _drive(
    pool: Executor,
    workers: int,
    todo: list[RunTask],
    out: Path,
    report: SweepReport,
    bar: Progress,
    chunk_size: int | None,
) -> None:
    """Keep every worker busy with chunks of runs; count what comes back."""
    stop_file = out / storage.STOP_FILE
    size = chunk_size or auto_chunk_size(len(todo), workers)
    chunks = chunked(todo, size)
    owner: dict[Future, list[RunTask]] = {}
    inflight: set[Future] = set()
    broken: list[BaseException] = []
    # In-process tasks run on submit: one at a time, so the progress bar moves run by run.
    # Otherwise keep a queue deep enough for a cluster that grows after the sweep starts
    # (adaptive dask-jobqueue), but bounded, so a huge sweep is not all in memory at once.
    limit = 1 if isinstance(pool, SerialExecutor) else max(4 * workers, 64)

    def fill() -> None:
        while len(inflight) < limit and not stop_file.exists() and not broken:
            chunk = next(chunks, None)
            if chunk is None:
                return
            try:
                future = pool.submit(run_chunk, chunk, str(out), str(stop_file))
            except BrokenExecutor as err:  # every worker is gone: stop, resume later
                broken.append(err)
                message = f"the executor broke ({err!r}); run the same command to resume"
                report.problems.append(message)
                bar.write(message)
                return
            owner[future] = chunk
            inflight.add(future)

    try:
        fill()
        while inflight:
            finished, _ = wait(inflight, return_when=FIRST_COMPLETED)
            for future in finished:
                inflight.discard(future)
                _collect(future, owner.pop(future), report, bar)
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
            for future in wait(inflight).done:
                if not future.cancelled():
                    _collect(future, owner.pop(future), report, bar)
        except KeyboardInterrupt:
            _terminate(pool)


def _collect(future: Future, chunk: list[RunTask], report: SweepReport, bar: Progress) -> None:
    try:
        records = future.result()
    except Exception as err:  # a lost worker: its runs stay unfinished and run on resume
        message = f"a task of {len(chunk)} runs ({chunk[0].run_id}...) was lost: {err!r}"
        report.problems.append(message)
        bar.write(message)
        return
    for record in records:
        if record["status"] == "stopped":
            continue
        report.computed += 1
        report.failed += record["status"] == "error"
        bar.update(1)


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
