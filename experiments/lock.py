"""One writer per sweep folder: ``DIR/.lock`` records the writer's process id, host and start.

A second writer is refused with that information; a lock left by a dead process on this host is
taken over, with a message. The lock's process start time (Linux) tells a reused process id.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from experiments import shards
from experiments.manifest import LOCK_FILE, SweepFolderError


class FolderLocked(SweepFolderError):
    """Another process is writing to the sweep folder."""


def _start_ticks(pid: int) -> int | None:
    """A process's start time in clock ticks since boot (Linux), to tell a reused pid."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
        return int(text.rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _alive(holder: Mapping[str, Any]) -> bool | None:
    """Whether a lock's holder runs (``None``: cannot tell, it is on another host)."""
    if holder.get("host") != socket.gethostname():
        return None
    pid = holder.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    ticks = holder.get("start_ticks")
    return ticks is None or _start_ticks(pid) in (None, ticks)


def describe_holder(holder: Mapping[str, Any]) -> str:
    """``"process 1234 on host node1 since 2026-01-01T10:00:00+00:00"``."""
    return (
        f"process {holder.get('pid')} on host {holder.get('host')} since {holder.get('started')}"
    )


def read_lock(out: Path, path: Path | None = None) -> dict[str, Any] | None:
    """The holder recorded in a folder's lock file (``{}`` if unreadable, ``None`` if none)."""
    try:
        text = (path or Path(out) / LOCK_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError:
        return {}
    try:
        holder = json.loads(text)
    except ValueError:
        return {}
    return holder if isinstance(holder, dict) else {}


def lock_state(out: Path) -> str | None:
    """Who holds the folder, in words, or ``None`` when nobody does (a stale lock says so)."""
    holder = read_lock(out)
    if holder is None:
        return None
    alive = _alive(holder)
    if alive is False:
        return f"stale lock of {describe_holder(holder)} (that process is gone)"
    return f"locked by {describe_holder(holder)}"


@dataclass
class FolderLock:
    """The exclusive lock of a sweep folder (``DIR/.lock``), held by this process."""

    out: Path
    message: str = ""
    held: bool = False
    lock_path: Path | None = None

    @property
    def path(self) -> Path:
        """The lock file (``DIR/.lock`` unless given)."""
        return self.lock_path or Path(self.out) / LOCK_FILE

    def _record(self) -> bytes:
        pid = os.getpid()
        return json.dumps(
            {
                "pid": pid,
                "host": socket.gethostname(),
                "started": shards.now(),
                "start_ticks": _start_ticks(pid),
                "command": " ".join(sys.argv[:6])[:300],
            }
        ).encode()

    def write_new(self, path: Path) -> None:
        """Create the lock file at ``path`` (raises ``FileExistsError`` if there is one)."""
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        try:
            os.write(fd, self._record())
        finally:
            os.close(fd)

    def acquire(self, *, wait: float = 1.0) -> FolderLock:
        """Take the lock, or take over a stale one.

        Raises:
            FolderLocked: a live process holds it, or one on another host (whose state cannot
                be checked from here).
        """
        path = self.path
        deadline = time.monotonic() + wait
        while True:
            try:
                self.write_new(path)
                self.held = True
                return self
            except FileExistsError:
                pass
            holder = read_lock(self.out, path)
            if holder is None:
                continue  # released meanwhile
            if not holder and time.monotonic() < deadline:
                time.sleep(0.05)  # being written: read it again
                continue
            alive = _alive(holder) if holder else False
            if alive is None:
                raise FolderLocked(
                    f"{self.out} is locked by {describe_holder(holder)}, which cannot be "
                    f"checked from {socket.gethostname()}; if that process has ended, delete "
                    f"{path} and run the command again"
                )
            if alive and time.monotonic() < deadline and self.lock_path is not None:
                time.sleep(0.05)  # another process is creating the folder: let it finish
                continue
            if alive:
                raise FolderLocked(
                    f"{self.out} is being written by {describe_holder(holder)}; wait for it "
                    "to end (`isohybrid status` shows its progress), or stop it first"
                )
            stale = path.with_name(f"{LOCK_FILE}.stale-{os.getpid()}-{uuid.uuid4().hex[:6]}")
            try:
                os.rename(path, stale)  # only one taker succeeds
            except FileNotFoundError:
                continue
            stale.unlink(missing_ok=True)
            shown = describe_holder(holder) if holder else "an unreadable lock"
            self.message = f"took over the stale lock of {shown} (that process is gone)"

    def release(self) -> None:
        """Remove the lock file if this process still holds it."""
        if not self.held:
            return
        self.held = False
        holder = read_lock(self.out, self.path)
        if holder and holder.get("pid") == os.getpid():
            with contextlib.suppress(OSError):
                self.path.unlink()
