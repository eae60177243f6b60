"""Child processes that do not outlive their parent.

A worker of a local pool, or the dashboard's server, must stop when the process that started it
dies, even when that process is killed outright (``SIGKILL`` leaves no chance to clean up). On
Linux the kernel does it: :func:`set_parent_death_signal` asks for a signal when the parent
thread dies (``prctl(PR_SET_PDEATHSIG)``). Elsewhere :func:`start_watchdog` polls the parent's
id and ends the process when it changes.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
_LIBC: list[ctypes.CDLL] = []


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    if not _LIBC:
        for find in (lambda: "libc.so.6", lambda: ctypes.util.find_library("c")):
            with contextlib.suppress(OSError, TypeError):
                _LIBC.append(ctypes.CDLL(find(), use_errno=True))
                break
        else:
            return None
    return _LIBC[0]


def available() -> bool:
    """Whether the parent-death signal is available (loads libc once, before any fork)."""
    return _libc() is not None


def set_parent_death_signal(sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent dies (Linux only).

    Returns:
        Whether the request was accepted (``False`` off Linux).
    """
    libc = _libc()
    if libc is None:
        return False
    return libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0


def start_watchdog(parent: int, interval: float = 1.0) -> threading.Thread:
    """End this process (exit status 1) once ``parent`` is no longer its parent."""

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(1)

    thread = threading.Thread(target=watch, name="parent-watchdog", daemon=True)
    thread.start()
    return thread


def die_with_parent(parent: int | None = None) -> None:
    """Make this process end when ``parent`` (default: the current parent) dies.

    Uses the parent-death signal on Linux and a watchdog thread elsewhere. If the parent has
    already gone by the time this runs (a race at start-up), the process ends at once.
    """
    parent = os.getppid() if parent is None else parent
    if not set_parent_death_signal(signal.SIGKILL):
        start_watchdog(parent)
    if os.getppid() != parent:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os._exit(1)
