"""A sweep folder's safety: one writer at a time, atomic creation, checked shards, quarantine.

- **Lock.** A writer holds ``DIR/.lock`` (its process id, host and start time) for the whole
  call. A second writer is refused with that information; a lock left by a dead process on this
  host is taken over, with a message.
- **Atomic creation.** A new folder is built under a temporary name beside it (manifest, spec,
  design, ``shards/``, lock) and renamed into place, so a kill at any moment leaves either no
  folder or a complete one, which the same command resumes.
- **Checked shards.** :func:`scan` reads every shard in full and checks it against the plan
  (:func:`experiments.storage.check_shard`). With ``repair``, a shard that fails is moved into
  ``quarantine/`` with the reason, and its run counts as unfinished; nothing is deleted.
- **Drift.** :func:`open_folder` refuses to resume a folder whose plan hash differs (the
  model's defaults, the package version or the resolved parameters changed), with a diff,
  unless the drift is allowed; the allowance is recorded in the manifest.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import socket
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from experiments import storage
from experiments.plan import Plan, components_digest, plan_diff
from experiments.storage import (
    LOCK_FILE,
    MANIFEST,
    QUARANTINE,
    QUARANTINE_LOG,
    ShardError,
    SweepFolderError,
)


class FolderLocked(SweepFolderError):
    """Another process is writing to the sweep folder."""


class PlanDrift(SweepFolderError):
    """The folder was made under another plan (other defaults, version or parameters)."""


# --- lock ------------------------------------------------------------------------------------


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


def read_lock(out: Path) -> dict[str, Any] | None:
    """The holder recorded in a folder's lock file (``{}`` if unreadable, ``None`` if none)."""
    try:
        text = (Path(out) / LOCK_FILE).read_text(encoding="utf-8")
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

    def _record(self) -> bytes:
        pid = os.getpid()
        return json.dumps(
            {
                "pid": pid,
                "host": socket.gethostname(),
                "started": storage.now(),
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
        path = Path(self.out) / LOCK_FILE
        deadline = time.monotonic() + wait
        while True:
            try:
                self.write_new(path)
                self.held = True
                return self
            except FileExistsError:
                pass
            holder = read_lock(self.out)
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
        holder = read_lock(self.out)
        if holder and holder.get("pid") == os.getpid():
            with contextlib.suppress(OSError):
                (Path(self.out) / LOCK_FILE).unlink()


# --- opening a folder ------------------------------------------------------------------------


def _is_empty(out: Path) -> bool:
    """No entries, or only an empty ``shards/`` left by an older, interrupted creation."""
    entries = list(out.iterdir())
    if not entries:
        return True
    if len(entries) == 1 and entries[0].name == storage.SHARDS and entries[0].is_dir():
        return not any(entries[0].iterdir())
    return False


def _new_manifest(spec: Any, plan: Plan) -> dict[str, Any]:
    from experiments.cases import case_provenance

    components = plan.components()
    return {
        "format": storage.FORMAT,
        "created": storage.now(),
        "status": "new",
        "spec_hash": spec.digest(),
        "plan": {"hash": components_digest(components), **components},
        "spec": spec.to_dict(),
        "runs": {"points": plan.n_points, "replicates": spec.replicates, "total": plan.total},
        "seed": {"entropy": str(spec.seed), "spawn_keys": "(point, replicate)"},
        "provenance": storage.provenance(),
        "cases": case_provenance(spec),
        "drift": [],
        "history": [],
    }


def _create(out: Path, spec: Any, plan: Plan) -> tuple[dict[str, Any], FolderLock] | None:
    """Build the folder under a temporary name and rename it into place.

    Returns:
        The manifest and the held lock, or ``None`` if another process created it first.
    """
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise SweepFolderError(f"cannot create {out}: {err.strerror or err}") from None
    _clean_old_temporaries(out)
    tmp = parent / f".{out.name}.new-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    manifest = _new_manifest(spec, plan)
    try:
        tmp.mkdir()
        lock = FolderLock(out)
        lock.write_new(tmp / LOCK_FILE)
        (tmp / storage.SHARDS).mkdir()
        storage.atomic_text(tmp / storage.SPEC_FILE, spec.to_toml())
        tmp_design = tmp / f".{storage.DESIGN_FILE}.tmp"
        storage.write_file(
            tmp_design,
            lambda p: plan.design.reset_index().to_parquet(p, index=False),
            tmp / storage.DESIGN_FILE,
        )
        storage.write_manifest(tmp, manifest)
        if out.is_dir():
            with contextlib.suppress(OSError):
                (out / storage.SHARDS).rmdir()  # an empty shards/ of an older layout
        os.rename(tmp, out)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        if err.errno in (errno.ENOTEMPTY, errno.EEXIST):
            return None
        if storage._is_disk_full(err):
            raise storage.DiskFull(str(parent), 100_000) from None
        raise SweepFolderError(f"cannot create {out}: {err.strerror or err}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    lock.held = True
    return manifest, lock


def _clean_old_temporaries(out: Path) -> None:
    """Remove half-built folders of ``out`` left by processes of this host that are gone."""
    for entry in out.parent.glob(f".{out.name}.new-*"):
        try:
            pid = int(entry.name.rsplit("-", 2)[1])
        except (IndexError, ValueError):
            continue
        if not _alive({"host": socket.gethostname(), "pid": pid}):
            shutil.rmtree(entry, ignore_errors=True)


def open_folder(
    out: Path, spec: Any, plan: Plan, *, allow_drift: bool = False
) -> tuple[dict[str, Any], FolderLock]:
    """Create a sweep folder, or lock an existing one of the same plan to resume it.

    Returns:
        The manifest and the held lock (release it when the call ends).

    Raises:
        SweepFolderError: the path is a file, the folder holds another sweep or foreign files,
            or it cannot be created.
        FolderLocked: another process is writing to it.
        PlanDrift: its plan differs and ``allow_drift`` is not set (the message lists what
            changed).
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise SweepFolderError(f"{out} is a file, not a folder; choose a folder for --out")
    if not out.exists() or _is_empty(out):
        created = _create(out, spec, plan)
        if created is not None:
            return created
    if not (out / MANIFEST).is_file():
        raise SweepFolderError(
            f"{out} is not empty and is not a sweep folder; choose a new or empty folder"
        )
    if not os.access(out, os.W_OK):
        raise SweepFolderError(f"{out} is read-only; a sweep cannot write there")
    lock = FolderLock(out).acquire()
    try:
        manifest = storage.read_manifest(out)
        _check_same_sweep(out, manifest, spec, plan, allow_drift)
    except BaseException:
        lock.release()
        raise
    return manifest, lock


def _check_same_sweep(
    out: Path, manifest: dict[str, Any], spec: Any, plan: Plan, allow_drift: bool
) -> None:
    digest = spec.digest()
    if manifest.get("spec_hash") != digest:
        raise SweepFolderError(
            f"{out} holds sweep {manifest.get('spec', {}).get('name')!r} with spec hash "
            f"{manifest.get('spec_hash')}, not this spec ({spec.name!r}, {digest}); "
            "resume with the same spec, or choose another output folder"
        )
    new = plan.components()
    new_hash = components_digest(new)
    old = manifest.get("plan")
    if old is None:  # a folder from before plans were hashed: adopt this plan
        manifest["plan"] = {"hash": new_hash, **new}
        return
    if old.get("hash") == new_hash:
        return
    changes = plan_diff(old, new) or ["the plan's hash differs"]
    if not allow_drift:
        raise PlanDrift(
            f"{out} was made under another plan: {'; '.join(changes)}; its runs would mix "
            "both. Resume anyway with --allow-drift (recorded in the manifest), or use a new "
            "folder"
        )
    manifest.setdefault("drift", []).append(
        {"allowed": storage.now(), "from": old.get("hash"), "to": new_hash, "changes": changes}
    )
    manifest["plan"] = {"hash": new_hash, **new}


# --- checking shards -------------------------------------------------------------------------


@dataclass
class Scan:
    """What :func:`scan` found in ``shards/`` and ``quarantine/``.

    Attributes:
        finished: run_id -> record, of the shards that passed every check.
        done: a flag per run of the plan (point-major), set when its shard passed.
        problems: the shards that failed (with ``repair``, now in ``quarantine/``).
        leftovers: temporary files of interrupted writes.
        quarantine: entries of ``quarantine/reasons.jsonl`` (every file ever moved there).
    """

    finished: dict[str, dict[str, Any]] = field(default_factory=dict)
    done: np.ndarray | None = None
    problems: list[ShardError] = field(default_factory=list)
    leftovers: list[Path] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)


def folder_plan(out: Path, manifest: Mapping[str, Any] | None = None) -> Plan:
    """The plan of a sweep folder, from its manifest's spec and its stored design."""
    from experiments.spec import SpecError, load_spec

    manifest = storage.read_manifest(out) if manifest is None else manifest
    try:
        spec = load_spec(manifest["spec"])
    except SpecError as err:
        raise SweepFolderError(f"{Path(out) / MANIFEST}: its spec is invalid ({err})") from None
    design = None
    with contextlib.suppress(OSError, ValueError):
        design = storage.load_design(out)
    if design is not None and len(design) != spec.n_points:
        design = None
    return Plan(spec, design)


def plan_checker(
    out: Path, plan: Plan | None = None, manifest: Mapping[str, Any] | None = None
) -> Callable[[str], dict[str, Any] | None]:
    """``expected(run_id)`` for :func:`experiments.storage.check_shard`, from the folder's plan.

    After an allowed drift, parameters left to the model's defaults are not compared (older
    runs used older defaults; that is what was allowed).
    """
    manifest = storage.read_manifest(out) if manifest is None else manifest
    plan = folder_plan(out, manifest) if plan is None else plan
    strict = not manifest.get("drift")
    return lambda rid: plan.expected(rid, defaults=strict)


def quarantine(out: Path, path: Path, reason: str) -> Path:
    """Move a file of ``shards/`` into ``quarantine/`` and log why; returns its new path."""
    folder = Path(out) / QUARANTINE
    folder.mkdir(exist_ok=True)
    dest = folder / path.name
    n = 1
    while dest.exists():
        dest = folder / f"{path.name}.{n}"
        n += 1
    os.rename(path, dest)
    entry = {"file": dest.name, "was": f"{storage.SHARDS}/{path.name}", "reason": reason}
    entry["when"] = storage.now()
    with open(folder / QUARANTINE_LOG, "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")
    return dest


def quarantine_log(out: Path) -> list[dict[str, Any]]:
    """Every entry of ``quarantine/reasons.jsonl`` (files never logged are listed too)."""
    folder = Path(out) / QUARANTINE
    if not folder.is_dir():
        return []
    entries, logged = [], set()
    with contextlib.suppress(OSError):
        for line in (folder / QUARANTINE_LOG).read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                entries.append(entry)
                logged.add(entry.get("file"))
    for path in sorted(folder.iterdir()):
        if path.name != QUARANTINE_LOG and path.name not in logged:
            entries.append({"file": path.name, "reason": "(no reason logged)"})
    return entries


def scan(
    out: Path,
    plan: Plan | None = None,
    *,
    repair: bool = False,
    manifest: Mapping[str, Any] | None = None,
    records: bool = True,
) -> Scan:
    """Check every file of ``shards/`` against the plan.

    Args:
        out: the sweep folder.
        plan: its plan (default: rebuilt from the manifest).
        repair: move what fails, and leftovers of interrupted writes, into ``quarantine/``.
        manifest: the folder's manifest, if already read.
        records: keep each finished run's record (``False`` keeps only the flags).
    """
    out = Path(out)
    manifest = storage.read_manifest(out) if manifest is None else manifest
    plan = folder_plan(out, manifest) if plan is None else plan
    expected = plan_checker(out, plan, manifest)
    result = Scan(done=np.zeros(plan.total, dtype=bool))
    folder = storage.shard_dir(out)
    entries = sorted(os.scandir(folder), key=lambda e: e.name) if folder.is_dir() else []
    for entry in entries:
        path = Path(entry.path)
        if entry.name.endswith(".tmp"):
            result.leftovers.append(path)
            if repair:
                quarantine(out, path, "an interrupted write (temporary file)")
            continue
        if not entry.name.endswith(".parquet") or entry.is_dir():
            err = ShardError(path, "foreign", "not a shard (not a .parquet file)")
        else:
            try:
                record, _ = storage.check_shard(path, expected)
            except ShardError as problem:
                err = problem
            else:
                index = plan.index(record["run_id"])
                result.done[index] = True
                if records:
                    record.pop("params", None)
                    result.finished[record["run_id"]] = record
                continue
        result.problems.append(err)
        if repair:
            quarantine(out, path, f"{err.kind}: {err.reason}")
    result.quarantine = quarantine_log(out)
    return result
