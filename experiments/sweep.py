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
import math
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments import checks, folder, storage
from experiments.dispatch import SweepReport, _execute, _Options, auto_chunk_size
from experiments.executors import open_executor
from experiments.plan import DEFAULT_MAX_RUNS, Plan, check_budget
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
    the_plan = checks.folder_plan(out)
    if the_plan.index(run_id) is None:
        raise ValueError(
            f"run id {run_id!r} is not a run of the sweep in {out}; allowed: p0000-r00 to "
            f"{storage.run_id(the_plan.n_points - 1, the_plan.replicates - 1)}"
        )
    path = storage.shard_path(out, run_id)
    if not path.is_file():
        raise FileNotFoundError(f"run {run_id} has no shard in {out} (not finished yet)")
    record, _ = storage.check_shard(path, checks.plan_checker(out, the_plan))
    return run_one(
        record["params"],
        int(record["seed_entropy"]),
        parse_key(record["spawn_key"]),
        record["steps"],
        record["record_every"],
    )


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
    found = checks.scan(out, the_plan, repair=True, manifest=manifest, records=retry)
    report.quarantined = [f"{err.path.name}: {err.kind}: {err.reason}" for err in found.problems]
    report.quarantined += [f"{p.name}: an interrupted write" for p in found.leftovers]
    done = found.done
    if retry:
        for rid, record in found.finished.items():
            if record["status"] == "error":
                checks.quarantine(out, storage.shard_path(out, rid), "retried (--retry-errors)")
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
