"""Opening a sweep folder: atomic creation, one creator at a time, and the plan's drift.

- **Atomic creation.** A new folder is built under a temporary name beside it (manifest, spec,
  design, ``shards/``, lock) and renamed into place, so a kill at any moment leaves either no
  folder or a complete one, which the same command resumes.
- **Lock.** The folder is opened with its lock held (:mod:`experiments.lock`).
- **Drift.** :func:`open_folder` refuses to resume a folder whose plan hash differs (the
  model's defaults, the package version or the resolved parameters changed), with a diff,
  unless the drift is allowed; the allowance is recorded in the manifest.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import socket
import uuid
from pathlib import Path
from typing import Any

from experiments import shards
from experiments.checks import folder_plan, plan_checker, quarantine, scan
from experiments.lock import FolderLock, FolderLocked, _alive
from experiments.manifest import (
    DESIGN_FILE,
    LOCK_FILE,
    MANIFEST,
    SPEC_FILE,
    SweepFolderError,
    atomic_text,
    provenance,
    read_manifest,
    write_manifest,
)
from experiments.plan import Plan, components_digest, plan_diff

__all__ = [
    "FolderLock",
    "FolderLocked",
    "PlanDrift",
    "folder_plan",
    "open_folder",
    "plan_checker",
    "quarantine",
    "scan",
]


class PlanDrift(SweepFolderError):
    """The folder was made under another plan (other defaults, version or parameters)."""


def _is_empty(out: Path) -> bool:
    """No entries, or only an empty ``shards/`` left by an older, interrupted creation."""
    entries = list(out.iterdir())
    if not entries:
        return True
    if len(entries) == 1 and entries[0].name == shards.SHARDS and entries[0].is_dir():
        return not any(entries[0].iterdir())
    return False


def _new_manifest(spec: Any, plan: Plan) -> dict[str, Any]:
    from experiments.cases import case_provenance

    components = plan.components()
    return {
        "format": shards.FORMAT,
        "created": shards.now(),
        "status": "new",
        "spec_hash": spec.digest(),
        "plan": {"hash": components_digest(components), **components},
        "spec": spec.to_dict(),
        "runs": {"points": plan.n_points, "replicates": spec.replicates, "total": plan.total},
        "seed": {"entropy": str(spec.seed), "spawn_keys": "(point, replicate)"},
        "provenance": provenance(),
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
    creating = FolderLock(out, lock_path=parent / f".{out.name}.creating")
    creating.acquire(wait=30.0)  # one creator at a time; a stale one is taken over
    try:
        if out.exists() and not (out.is_dir() and _is_empty(out)):
            return None  # created meanwhile (or filled): open it as an existing folder
        return _build(out, spec, plan)
    finally:
        creating.release()


def _build(out: Path, spec: Any, plan: Plan) -> tuple[dict[str, Any], FolderLock] | None:
    parent = out.parent
    _clean_old_temporaries(out)
    tmp = parent / f".{out.name}.new-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    manifest = _new_manifest(spec, plan)
    try:
        tmp.mkdir()
        lock = FolderLock(out)
        lock.write_new(tmp / LOCK_FILE)
        (tmp / shards.SHARDS).mkdir()
        atomic_text(tmp / SPEC_FILE, spec.to_toml())
        tmp_design = tmp / f".{DESIGN_FILE}.tmp"
        shards.write_file(
            tmp_design,
            lambda p: plan.design.reset_index().to_parquet(p, index=False),
            tmp / DESIGN_FILE,
        )
        write_manifest(tmp, manifest)
        if out.is_dir():
            with contextlib.suppress(OSError):
                (out / shards.SHARDS).rmdir()  # an empty shards/ of an older layout
        os.rename(tmp, out)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        if err.errno in (errno.ENOTEMPTY, errno.EEXIST):
            return None
        if shards._is_disk_full(err):
            raise shards.DiskFull(str(parent), 100_000) from None
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
        manifest = read_manifest(out)
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
        {"allowed": shards.now(), "from": old.get("hash"), "to": new_hash, "changes": changes}
    )
    manifest["plan"] = {"hash": new_hash, **new}
