"""Imported once by the local pool's fork server: the model, its measures and compiled kernels.

Every pool worker is forked from that server (:func:`experiments.executors.pool_context`), so
each starts with the kernels loaded instead of importing and loading them itself. The server is
a fresh interpreter started with one thread per library (:data:`experiments.runner.THREAD_ENV`),
so nothing of the sweep's own process, and no thread, is copied into a worker.
"""

from __future__ import annotations

from experiments.runner import prepare_worker

prepare_worker()
