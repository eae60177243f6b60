"""Executors a sweep runs on: serial (in-process), a local process pool, or a Dask cluster.

Every one is a :class:`concurrent.futures.Executor`, and a sweep accepts any other Executor as
well. The local pool forks its workers from a clean pool server that has loaded the model once
(*forkserver*; *spawn* where there is none: never a forked copy of live state) and gives one
compiled-kernel thread per worker; its workers end with the sweep's process, even when that
process is killed outright (:mod:`experiments.lifeline`), and leave Ctrl-C to it.
Dask is an optional extra (``pip install isohybrid[dask]``):
``"dask"`` starts a ``LocalCluster`` on this machine, or connects to ``scheduler`` (for
instance a dask-jobqueue cluster on SLURM or PBS).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
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


def init_pool_worker() -> None:
    """Initializer of a local pool's worker.

    The worker ends when its parent dies (the pool server, which ends with the sweep's
    process), and ignores SIGINT (Ctrl-C reaches the whole terminal group; the sweep handles
    it and tells its workers to stop after their current run). SIGTERM keeps its default: the
    pool itself ends broken workers with it.
    """
    _release_pool_server()
    lifeline.die_with_parent()
    init_process_worker()


def _release_pool_server() -> None:
    """Close a forked worker's copy of the pool server's keep-alive pipe.

    The server exits when that pipe's last writer closes; the sweep's process holds one, and
    every worker would hold another (to start processes of its own, which workers never do),
    so without this a server whose sweep was killed would wait for its workers, and they, tied
    to it, for the server.
    """
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    fd = getattr(server, "_forkserver_alive_fd", None)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)
        server._forkserver_alive_fd = None


POOL_SERVER_MODULE = "experiments.pool_server"
"""Module the pool server imports once, before it forks workers (see :func:`process_pool`)."""


def pool_context() -> multiprocessing.context.BaseContext:
    """The start method of local pools: *forkserver* where available, else *spawn*.

    Either way no worker is a forked copy of the sweep's own process. The fork server is a
    fresh interpreter that imports the model and loads its compiled kernels once
    (:mod:`experiments.pool_server`); each worker is forked from it, so starting a worker costs
    a fork instead of an interpreter start, the imports and the kernels' cache load.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([POOL_SERVER_MODULE])
        return context
    return multiprocessing.get_context("spawn")


def stop_pool_server() -> None:
    """Stop the local pools' server, if this process started one, and wait for it.

    The server would end by itself when this process exits; stopping it first lets a
    command's process account for all the CPU time of its workers (and frees its memory).
    """
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    stop = getattr(server, "_stop", None)
    if stop is not None and getattr(server, "_forkserver_pid", None) is not None:
        with contextlib.suppress(Exception):
            stop()


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A local pool of ``workers`` processes that die with this one.

    Start it inside :func:`worker_environment`, so that the workers (and the pool server) get
    one compiled-kernel and one BLAS thread each.
    """
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=pool_context(), initializer=init_pool_worker
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
        with worker_environment():  # workers start at the first submission
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
