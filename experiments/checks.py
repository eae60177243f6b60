"""Checking a folder's shards against its plan, and the quarantine of those that fail.

:func:`scan` reads every shard in full and checks it (:func:`experiments.shards.check_shard`).
With ``repair``, a shard that fails is moved into ``quarantine/`` with the reason, and its run
counts as unfinished; nothing is deleted.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from experiments import shards
from experiments.manifest import MANIFEST, SweepFolderError, load_design, read_manifest
from experiments.plan import Plan
from experiments.shards import QUARANTINE, QUARANTINE_LOG, ShardError


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

    manifest = read_manifest(out) if manifest is None else manifest
    try:
        spec = load_spec(manifest["spec"])
    except SpecError as err:
        raise SweepFolderError(f"{Path(out) / MANIFEST}: its spec is invalid ({err})") from None
    design = None
    with contextlib.suppress(OSError, ValueError):
        design = load_design(out)
    if design is not None and len(design) != spec.n_points:
        design = None
    return Plan(spec, design)


def plan_checker(
    out: Path, plan: Plan | None = None, manifest: Mapping[str, Any] | None = None
) -> Callable[[str], dict[str, Any] | None]:
    """``expected(run_id)`` for :func:`experiments.shards.check_shard`, from the folder's plan.

    After an allowed drift, parameters left to the model's defaults are not compared (older
    runs used older defaults; that is what was allowed).
    """
    manifest = read_manifest(out) if manifest is None else manifest
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
    entry = {"file": dest.name, "was": f"{shards.SHARDS}/{path.name}", "reason": reason}
    entry["when"] = shards.now()
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
    manifest = read_manifest(out) if manifest is None else manifest
    plan = folder_plan(out, manifest) if plan is None else plan
    expected = plan_checker(out, plan, manifest)
    result = Scan(done=np.zeros(plan.total, dtype=bool))
    folder = shards.shard_dir(out)
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
                record, _ = shards.check_shard(path, expected)
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
