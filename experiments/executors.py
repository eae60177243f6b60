"""Executors a sweep runs on: serial (in-process), a local process pool, or a Dask cluster.

Every one is a :class:`concurrent.futures.Executor`, and a sweep accepts any other Executor as
well. The local pool uses the *spawn* start method (no forked copies of live state) and one
compiled-kernel thread per worker; its workers end with the sweep's process, even when that
process is killed outright (:mod:`experiments.lifeline`), and leave SIGINT and SIGTERM to it.
Dask is an optional extra (``pip install isohybrid[dask]``):
``"dask"`` starts a ``LocalCluster`` on this machine, or connects to ``scheduler`` (for
instance a dask-jobqueue cluster on SLURM or PBS).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

from experiments import lifeline
from experiments.runner import THREAD_ENV, init_process_worker

CONNECT_TIMEOUT = 10.0
"""Seconds to reach a Dask scheduler before giving up (before any folder is created)."""

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


def init_pool_worker(parent: int) -> None:
    """Initializer of a local pool's worker.

    The worker ends when ``parent`` (the sweep's process) dies, and ignores SIGINT and SIGTERM:
    the parent handles them and tells its workers to stop after their current run.
    """
    lifeline.die_with_parent(parent)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    init_process_worker()


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A local pool of ``workers`` spawned processes that die with this one."""
    with worker_environment():
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_pool_worker,
            initargs=(os.getpid(),),
        )


def live_workers(pool: Executor) -> int | None:
    """Workers a Dask executor's scheduler has now (``None`` for other executors)."""
    client = getattr(pool, "_client", None)
    if client is None:
        return None
    try:
        return len(client.scheduler_info(n_workers=-1).get("workers", {}))
    except TypeError:  # older distributed: no n_workers
        return len(client.scheduler_info().get("workers", {}))
    except Exception:  # the scheduler itself is gone
        return 0


@contextlib.contextmanager
def open_executor(
    kind: str = "process",
    workers: int | None = None,
    *,
    scheduler: str | None = None,
    dask_processes: bool = True,
    security: Mapping[str, Any] | None = None,
) -> Iterator[tuple[Executor, int]]:
    """Open an executor by name; yields ``(executor, number of workers)`` and closes it.

    Args:
        kind: ``"serial"``, ``"process"`` or ``"dask"``.
        workers: worker processes (local pool or LocalCluster); default: available cores.
        scheduler: address of an existing Dask scheduler (``tcp://host:8786``); implies dask.
        dask_processes: LocalCluster workers as processes (``False``: threads in this
            process, for quick tests).
        security: keywords of ``distributed.Security`` for ``scheduler`` (TLS certificates).

    Raises:
        ValueError: unknown ``kind``, or ``workers`` below 1.
        ImportError: dask requested but not installed.
        ConnectionError: the scheduler cannot be reached within :data:`CONNECT_TIMEOUT`.
    """
    if workers is not None and workers < 1:
        raise ValueError(f"workers = {workers} is out of range; allowed: an integer >= 1")
    if scheduler is not None:
        kind = "dask"
    if kind not in EXECUTORS:
        raise ValueError(f"executor {kind!r} is unknown; allowed: {', '.join(EXECUTORS)}")
    if kind == "serial":
        yield SerialExecutor(), 1
    elif kind == "process":
        n = workers or default_workers()
        lifeline.available()  # load libc in the parent, once
        pool = process_pool(n)
        try:
            yield pool, n
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        with _dask_executor(workers, scheduler, dask_processes, security) as pair:
            yield pair


@contextlib.contextmanager
def _dask_executor(
    workers: int | None,
    scheduler: str | None,
    processes: bool,
    security: Mapping[str, Any] | None = None,
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
        client = _connect(Client, scheduler, security)
    try:
        n = len(client.scheduler_info().get("workers", {})) or (workers or 1)
        yield client.get_executor(pure=False), n
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _connect(client_class: Any, scheduler: str, security: Mapping[str, Any] | None) -> Any:
    """A client of the scheduler at ``scheduler``, or a one-line ``ConnectionError``."""
    options: dict[str, Any] = {"timeout": CONNECT_TIMEOUT}
    if security:
        from distributed import Security

        try:
            options["security"] = Security(**security)
        except TypeError as err:
            raise ValueError(f"--security: {err}") from None
    try:
        return client_class(scheduler, **options)
    except (OSError, TimeoutError, ValueError) as err:
        raise ConnectionError(
            f"cannot reach the Dask scheduler at {scheduler} within {CONNECT_TIMEOUT:g} s "
            f"({' '.join(str(err).split())[:200] or type(err).__name__}); check the address "
            "and that the scheduler runs"
        ) from None
