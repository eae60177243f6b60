"""Executors a sweep runs on: serial (in-process), a local process pool, or a Dask cluster.

Every one is a :class:`concurrent.futures.Executor`, and a sweep accepts any other Executor as
well. The local pool uses the *spawn* start method (no forked copies of live state) and one
compiled-kernel thread per worker. Dask is an optional extra (``pip install isohybrid[dask]``):
``"dask"`` starts a ``LocalCluster`` on this machine, or connects to ``scheduler`` (for
instance a dask-jobqueue cluster on SLURM or PBS).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

from experiments.runner import THREAD_ENV, init_process_worker

EXECUTORS: tuple[str, ...] = ("serial", "process", "dask")
"""Names accepted by ``isohybrid sweep --executor``."""


class SerialExecutor(Executor):
    """Runs each task at once in the calling process (for notebooks and debuggers)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` now; the returned future is already done."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as err:
            future.set_exception(err)
        return future


def default_workers() -> int:
    """Workers of a local pool when not given: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def worker_environment() -> Iterator[None]:
    """Inherit one thread per library in processes started inside this block."""
    saved = {name: os.environ.get(name) for name in THREAD_ENV}
    os.environ.update(THREAD_ENV)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def open_executor(
    kind: str = "process",
    workers: int | None = None,
    *,
    scheduler: str | None = None,
    dask_processes: bool = True,
) -> Iterator[tuple[Executor, int]]:
    """Open an executor by name; yields ``(executor, number of workers)`` and closes it.

    Args:
        kind: ``"serial"``, ``"process"`` or ``"dask"``.
        workers: worker processes (local pool or LocalCluster); default: available cores.
        scheduler: address of an existing Dask scheduler (``tcp://host:8786``); implies dask.
        dask_processes: LocalCluster workers as processes (``False``: threads in this
            process, for quick tests).

    Raises:
        ValueError: unknown ``kind``.
        ImportError: dask requested but not installed.
    """
    if scheduler is not None:
        kind = "dask"
    if kind not in EXECUTORS:
        raise ValueError(f"executor {kind!r} is unknown; allowed: {', '.join(EXECUTORS)}")
    if kind == "serial":
        yield SerialExecutor(), 1
    elif kind == "process":
        n = workers or default_workers()
        with worker_environment():
            pool = ProcessPoolExecutor(
                max_workers=n,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=init_process_worker,
            )
            try:
                yield pool, n
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
    else:
        with _dask_executor(workers, scheduler, dask_processes) as pair:
            yield pair


@contextlib.contextmanager
def _dask_executor(
    workers: int | None, scheduler: str | None, processes: bool
) -> Iterator[tuple[Executor, int]]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the dask executor needs the optional extra: pip install 'isohybrid[dask]'"
        ) from err
    cluster = None
    if scheduler is None:
        n = workers or default_workers()
        options: dict[str, Any] = {"env": dict(THREAD_ENV)} if processes else {}
        with worker_environment():
            cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=processes,
                dashboard_address=None,
                **options,
            )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        n = len(client.scheduler_info().get("workers", {})) or (workers or 1)
        yield client.get_executor(pure=False), n
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
