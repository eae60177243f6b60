"""Storage of a sweep: one Parquet shard per run, a provenance manifest, consolidated tables.

Layout of an output folder::

    manifest.json     provenance (versions, git commit, host, times), the spec and its hash
    spec.toml         the spec that was run
    design.parquet    the design's points (``point`` + one column per factor)
    shards/           one ``<run_id>.parquet`` per finished run, written by its worker
    runs.parquet      consolidated tidy table: one row per (run, recorded week)
    summary.parquet   one row per run: the last recorded week and the regime
    csv/              ``runs.csv`` and ``summary.csv`` (on request)

A shard is written to a temporary name and renamed, so a folder never holds half a shard; a
run's shard existing is what "finished" means when a sweep resumes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import socket
import subprocess
import sys
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.seeds import format_key, stored_entropy
from simulation.parameters import PARAMETERS

MANIFEST = "manifest.json"
SPEC_FILE = "spec.toml"
DESIGN_FILE = "design.parquet"
SHARDS = "shards"
TIDY_FILE = "runs.parquet"
SUMMARY_FILE = "summary.parquet"
CSV_DIR = "csv"
STOP_FILE = ".stop"
FORMAT = 1
_META_KEY = b"isohybrid.run"
_FINGERPRINT_KEY = b"isohybrid.shards"

ID_COLUMNS: tuple[str, ...] = (
    "run_id",
    "point",
    "replicate",
    "seed_entropy",
    "spawn_key",
    "status",
)
"""Leading columns of the tidy and summary tables, identifying a run and its seed."""

PACKAGES: tuple[str, ...] = (
    "numpy",
    "numba",
    "scipy",
    "pandas",
    "pyarrow",
    "mesa",
    "networkx",
    "SALib",
    "dask",
    "distributed",
)
"""Packages whose versions the manifest records."""

_ARROW_KIND = {
    "float": pa.float64(),
    "int": pa.int64(),
    "choice": pa.string(),
    "bool": pa.bool_(),
    "case": pa.string(),
}


class SweepFolderError(RuntimeError):
    """An output folder belongs to another sweep, or is not a sweep folder."""


def run_id(point: int, replicate: int) -> str:
    """Stable name of a run: ``run_id(3, 2) == "p0003-r02"``."""
    return f"p{point:04d}-r{replicate:02d}"


def now() -> str:
    """The current UTC time, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- shards ----------------------------------------------------------------------------------


def shard_dir(out: Path) -> Path:
    """Folder of a sweep's shards."""
    return Path(out) / SHARDS


def shard_path(out: Path, rid: str) -> Path:
    """Path of one run's shard."""
    return shard_dir(out) / f"{rid}.parquet"


def shard_table(task: Any, measures: Mapping[str, list[Any]] | None, error: str) -> pa.Table:
    """The tidy rows of one run: identity, seed, status, parameters, week, measures.

    Args:
        task: the run (a :class:`experiments.runner.RunTask`).
        measures: ``step`` and the recorded measures as columns, or ``None`` when the model
            could not be built.
        error: ``""`` or the traceback of the run's failure.
    """
    from simulation.model import MODEL_REPORTERS

    n = 0 if measures is None else len(measures["step"])
    entropy = stored_entropy(task.seed_entropy)
    columns: dict[str, pa.Array] = {
        "run_id": pa.array([task.run_id] * n, pa.string()),
        "point": pa.array([task.point] * n, pa.int64()),
        "replicate": pa.array([task.replicate] * n, pa.int64()),
        "seed_entropy": pa.array(
            [entropy] * n, pa.string() if isinstance(entropy, str) else pa.int64()
        ),
        "spawn_key": pa.array([format_key(task.spawn_key)] * n, pa.string()),
        "status": pa.array(["error" if error else "ok"] * n, pa.string()),
    }
    for name, spec in PARAMETERS.items():
        columns[name] = pa.array([task.params.get(name)] * n, _ARROW_KIND[spec.kind])
    columns["step"] = pa.array([] if measures is None else measures["step"], pa.int64())
    for name in MODEL_REPORTERS:
        columns[name] = _measure_array(None if measures is None else measures[name])
    return pa.table(columns)


def _measure_array(values: list[Any] | None) -> pa.Array:
    """One measure's records as an Arrow array (numbers, or text for regime and phase)."""
    if values is None:  # the model could not be built: no records, type unknown
        return pa.array([], pa.null())
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # e.g. ints mixed with floats
        return pa.array(pd.to_numeric(pd.Series(values, dtype=object)), pa.float64())


def write_shard(
    out: Path,
    task: Any,
    measures: Mapping[str, list[Any]] | None,
    error: str,
    started: float,
    seconds: float,
) -> Path:
    """Write one finished run's shard atomically (temporary file, then rename)."""
    record = {
        "format": FORMAT,
        "run_id": task.run_id,
        "point": task.point,
        "replicate": task.replicate,
        "seed_entropy": stored_entropy(task.seed_entropy),
        "spawn_key": format_key(task.spawn_key),
        "status": "error" if error else "ok",
        "error": error,
        "params": dict(task.params),
        "steps": task.steps,
        "record_every": task.record_every,
        "started": datetime.fromtimestamp(started, UTC).isoformat(timespec="milliseconds"),
        "seconds": round(seconds, 6),
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }
    table = shard_table(task, measures, error)
    table = table.replace_schema_metadata({_META_KEY: json.dumps(record).encode()})
    final = shard_path(out, task.run_id)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f".{task.run_id}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    pq.write_table(table, tmp)
    os.replace(tmp, final)
    return final


def read_record(path: Path) -> dict[str, Any]:
    """The run record stored in a shard's footer (status, error, seed, parameters, timing)."""
    meta = pq.read_schema(path).metadata or {}
    return json.loads(meta[_META_KEY])


def finished_runs(out: Path, *, repair: bool = True) -> dict[str, dict[str, Any]]:
    """Records of the runs whose shard is complete: run_id -> record.

    With ``repair``, leftovers of interrupted writes (temporary files) and unreadable shards
    (a machine stopped between write and flush) are deleted, so those runs run again.
    """
    folder = shard_dir(out)
    if not folder.is_dir():
        return {}
    records = {}
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        path = Path(entry.path)
        if entry.name.endswith(".tmp"):
            if repair:
                path.unlink(missing_ok=True)
            continue
        if not entry.name.endswith(".parquet"):
            continue
        try:
            records[path.stem] = read_record(path)
        except (OSError, KeyError, ValueError, pa.ArrowException):
            if repair:
                path.unlink(missing_ok=True)
    return records


# --- manifest and provenance -----------------------------------------------------------------


def provenance() -> dict[str, Any]:
    """Where and with what a sweep ran: versions, git commit, Python, host."""
    packages = {}
    for name in PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            packages[name] = metadata.version(name)
    try:
        version = metadata.version("isohybrid")
    except metadata.PackageNotFoundError:
        version = None
    return {
        "package": "isohybrid",
        "version": version,
        "git": _git_state(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "host": socket.gethostname(),
        "cpus": os.cpu_count(),
        "packages": packages,
    }


def _git_state() -> dict[str, Any] | None:
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "dirty": bool(dirty)}


def read_manifest(out: Path | str) -> dict[str, Any]:
    """The manifest of a sweep folder."""
    path = Path(out) / MANIFEST
    if not path.is_file():
        raise SweepFolderError(f"{out} is not a sweep folder (no {MANIFEST})")
    return json.loads(path.read_text(encoding="utf-8"))


def write_manifest(out: Path, manifest: Mapping[str, Any]) -> None:
    """Write the manifest atomically."""
    _atomic_text(Path(out) / MANIFEST, json.dumps(manifest, indent=2, sort_keys=False) + "\n")


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def open_folder(out: Path, spec: Any, design: pd.DataFrame, n_runs: int) -> dict[str, Any]:
    """Create a sweep folder, or check that an existing one holds the same spec (resume).

    Raises:
        SweepFolderError: the folder holds another sweep, or files that are not a sweep's.
    """
    out = Path(out)
    digest = spec.digest()
    if (out / MANIFEST).is_file():
        manifest = read_manifest(out)
        if manifest.get("spec_hash") != digest:
            raise SweepFolderError(
                f"{out} holds sweep {manifest.get('spec', {}).get('name')!r} with spec hash "
                f"{manifest.get('spec_hash')}, not this spec ({spec.name!r}, {digest}); "
                "resume with the same spec, or choose another output folder"
            )
        return manifest
    if out.exists() and any(out.iterdir()):
        raise SweepFolderError(
            f"{out} is not empty and is not a sweep folder; choose a new or empty folder"
        )
    shard_dir(out).mkdir(parents=True, exist_ok=True)
    manifest = {
        "format": FORMAT,
        "created": now(),
        "status": "new",
        "spec_hash": digest,
        "spec": spec.to_dict(),
        "runs": {"points": len(design), "replicates": spec.replicates, "total": n_runs},
        "seed": {"entropy": str(spec.seed), "spawn_keys": "(point, replicate)"},
        "provenance": provenance(),
        "history": [],
    }
    _atomic_text(out / SPEC_FILE, spec.to_toml())
    design.reset_index().to_parquet(out / DESIGN_FILE, index=False)
    write_manifest(out, manifest)
    return manifest


# --- consolidation ---------------------------------------------------------------------------


def _fingerprint(out: Path) -> str:
    folder = shard_dir(out)
    h = hashlib.sha256()
    if folder.is_dir():
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.name.endswith(".parquet"):
                st = entry.stat()
                h.update(f"{entry.name}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()


def _is_fresh(out: Path) -> bool:
    path = Path(out) / TIDY_FILE
    if not path.is_file() or not (Path(out) / SUMMARY_FILE).is_file():
        return False
    meta = pq.read_schema(path).metadata or {}
    return meta.get(_FINGERPRINT_KEY, b"").decode() == _fingerprint(out)


def consolidate(out: Path | str, *, force: bool = False) -> tuple[Path, Path]:
    """Gather the shards into ``runs.parquet`` (tidy) and ``summary.parquet``.

    Rows are sorted by ``run_id`` then ``step``, so the tables do not depend on which worker
    finished first. Skipped when the tables are already up to date with the shards.

    Returns:
        Paths of the tidy and summary tables.
    """
    out = Path(out)
    read_manifest(out)
    tidy_path, summary_path = out / TIDY_FILE, out / SUMMARY_FILE
    if not force and _is_fresh(out):
        return tidy_path, summary_path
    fingerprint = _fingerprint(out)
    tables, records = [], []
    for path in sorted(shard_dir(out).glob("*.parquet")):
        table = pq.ParquetFile(path).read(use_threads=False)
        records.append(json.loads(table.schema.metadata[_META_KEY]))
        tables.append(table.replace_schema_metadata(None))
    tidy = _concat(tables).combine_chunks()
    tidy = tidy.sort_by([("run_id", "ascending"), ("step", "ascending")])
    summary = _summary(tidy, records)
    tidy = tidy.replace_schema_metadata({_FINGERPRINT_KEY: fingerprint.encode()})
    _atomic_parquet(summary, summary_path)
    _atomic_parquet(tidy, tidy_path)  # last: it carries the fingerprint that marks both fresh
    return tidy_path, summary_path


def _concat(tables: list[pa.Table]) -> pa.Table:
    if not tables:
        from simulation.model import MODEL_REPORTERS

        names = [*ID_COLUMNS, *PARAMETERS, "step", *MODEL_REPORTERS]
        return pa.table({n: pa.array([], pa.null()) for n in names})
    return pa.concat_tables(tables, promote_options="permissive")


def _summary(tidy: pa.Table, records: list[dict[str, Any]]) -> pa.Table:
    """One row per run: identity, error, parameters, and the last recorded week's measures."""
    arrays: dict[str, pa.Array] = {}
    for name in ID_COLUMNS:
        values = [rec[name] for rec in records]
        if name in ("point", "replicate"):
            arrays[name] = pa.array(values, pa.int64())
        elif name == "seed_entropy":
            arrays[name] = pa.array(values, _entropy_type(values))
        else:
            arrays[name] = pa.array(values, pa.string())
    arrays["error"] = pa.array([rec["error"] for rec in records], pa.string())
    for name, spec in PARAMETERS.items():
        values = [rec["params"].get(name) for rec in records]
        arrays[name] = pa.array(values, _ARROW_KIND[spec.kind])
    last = last_rows(tidy)
    row_of = {rid: i for i, rid in enumerate(last.column("run_id").to_pylist())}
    index = pa.array([row_of.get(rec["run_id"]) for rec in records], pa.int64())
    for name in tidy.column_names:
        if name not in ID_COLUMNS and name not in PARAMETERS:
            arrays[name] = last.column(name).take(index)
    return pa.table(arrays)


def _entropy_type(values: list[Any]) -> pa.DataType:
    return pa.string() if any(isinstance(v, str) for v in values) else pa.int64()


def last_rows(tidy: pa.Table) -> pa.Table:
    """The last row of each run of a table sorted by run and week."""
    ids = tidy.column("run_id").to_pylist()
    keep = [i for i in range(len(ids)) if i + 1 == len(ids) or ids[i + 1] != ids[i]]
    return tidy.take(pa.array(keep, pa.int64()))


def _atomic_parquet(table: pa.Table, path: Path) -> None:
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def load(out: Path | str) -> pd.DataFrame:
    """The consolidated tidy table of a sweep folder (consolidating first if needed).

    One row per (run, recorded week): ``run_id``, ``point``, ``replicate``, ``seed_entropy``,
    ``spawn_key``, ``status``, every model parameter, ``step``, then every measure of
    ``MODEL_REPORTERS`` (``regime`` and ``phase`` as strings).
    """
    tidy_path, _ = consolidate(out)
    return pd.read_parquet(tidy_path)


def load_summary(out: Path | str) -> pd.DataFrame:
    """One row per run: identity, seed, ``status``, ``error``, parameters, last week, regime."""
    _, summary_path = consolidate(out)
    return pd.read_parquet(summary_path)


def export_csv(out: Path | str) -> tuple[Path, Path]:
    """Write ``csv/runs.csv`` and ``csv/summary.csv`` beside the Parquet tables."""
    out = Path(out)
    tidy_path, summary_path = consolidate(out)
    folder = out / CSV_DIR
    folder.mkdir(exist_ok=True)
    paths = []
    for src, name in ((tidy_path, "runs.csv"), (summary_path, "summary.csv")):
        dest = folder / name
        tmp = folder / f".{name}.tmp"
        pd.read_parquet(src).to_csv(tmp, index=False)
        os.replace(tmp, dest)
        paths.append(dest)
    return paths[0], paths[1]


def load_design(out: Path | str) -> pd.DataFrame:
    """The design's points of a sweep folder, indexed by ``point``."""
    return pd.read_parquet(Path(out) / DESIGN_FILE).set_index("point")
