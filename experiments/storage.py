"""Storage of a sweep: one self-proving Parquet shard per run, a manifest, derived tables.

Layout of an output folder::

    manifest.json     provenance (versions, git commit, host, times), the spec, the plan's hash
    spec.toml         the spec that was run
    design.parquet    the design's points (``point`` + one column per factor)
    shards/           one ``<run_id>.parquet`` per finished run, written by its worker
    quarantine/       shards that failed a check, moved aside with the reason (never deleted)
    runs.parquet      consolidated tidy table: one row per (run, recorded week)
    summary.parquet   one row per run: the last recorded week and the regime
    csv/              ``runs.csv`` and ``summary.csv`` (on request)
    .lock             the one writer's process id, host and start time, while it runs

A shard is written to a temporary name and renamed, so a folder never holds half a shard. A
shard proves itself: its footer holds the run's id, seed, steps, ``record_every``, resolved
parameters and a checksum of its data, and its data pages carry CRC checksums. A shard counts as
finished only once it has been read in full and checked against the plan
(:mod:`experiments.folder`); the derived tables are rebuilt from checked shards whenever they
are missing, stale or unreadable.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import platform
import re
import socket
import subprocess
import sys
import uuid
import warnings
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.seeds import format_key, stored_entropy
from simulation.parameters import PARAMETERS

MANIFEST = "manifest.json"
SPEC_FILE = "spec.toml"
DESIGN_FILE = "design.parquet"
SHARDS = "shards"
QUARANTINE = "quarantine"
QUARANTINE_LOG = "reasons.jsonl"
TIDY_FILE = "runs.parquet"
SUMMARY_FILE = "summary.parquet"
CSV_DIR = "csv"
STOP_FILE = ".stop"
LOCK_FILE = ".lock"
FORMAT = 2
_META_KEY = b"isohybrid.run"
_FINGERPRINT_KEY = b"isohybrid.shards"

RUN_ID_PATTERN = re.compile(r"p(\d{4,})-r(\d{2,})")
"""A run id: ``p<point>-r<replicate>``, at least 4 and 2 digits (``p0003-r02``)."""

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
    """An output folder belongs to another sweep, is not a sweep folder, or is damaged."""


class ShardError(ValueError):
    """A shard failed a check: unreadable, damaged, or not the run its name says.

    Attributes:
        path: the shard.
        kind: ``"unreadable"`` (cannot be read in full, or its checksum does not match) or
            ``"foreign"`` (readable, but not a run of this sweep's plan under that name).
        reason: what was found, in words.
    """

    def __init__(self, path: Path | str, kind: str, reason: str) -> None:
        self.path, self.kind, self.reason = Path(path), kind, reason
        super().__init__(f"{path}: {kind}: {reason}")


class DiskFull(RuntimeError):
    """No space left to write a file of the sweep folder; nothing half-written is left.

    Attributes:
        folder: the folder that is full.
        needed: bytes the write needed (about).
    """

    def __init__(self, folder: str, needed: int) -> None:
        super().__init__(str(folder), int(needed))
        self.folder, self.needed = str(folder), int(needed)

    def __str__(self) -> str:
        return (
            f"disk full: no space left in {self.folder} "
            f"(a write of about {human_bytes(self.needed)} failed)"
        )


def human_bytes(n: float) -> str:
    """``1536`` -> ``"1.5 kB"``."""
    for unit in ("B", "kB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover


def run_id(point: int, replicate: int) -> str:
    """Stable name of a run: ``run_id(3, 2) == "p0003-r02"``."""
    return f"p{point:04d}-r{replicate:02d}"


def parse_run_id(rid: str) -> tuple[int, int] | None:
    """``"p0003-r02"`` -> ``(3, 2)``; ``None`` if ``rid`` is not a canonical run id."""
    match = RUN_ID_PATTERN.fullmatch(rid)
    if match is None:
        return None
    point, replicate = int(match.group(1)), int(match.group(2))
    return (point, replicate) if run_id(point, replicate) == rid else None


def now() -> str:
    """The current UTC time, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- shards ----------------------------------------------------------------------------------


def shard_dir(out: Path) -> Path:
    """Folder of a sweep's shards."""
    return Path(out) / SHARDS


def shard_path(out: Path, rid: str) -> Path:
    """Path of one run's shard.

    Raises:
        ValueError: ``rid`` is not a run id (so no path outside ``shards/`` can be named).
    """
    if parse_run_id(str(rid)) is None:
        raise ValueError(
            f"run id {rid!r} is not a run id; allowed: p<point>-r<replicate>, e.g. p0003-r02"
        )
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


def table_digest(table: pa.Table) -> str:
    """A checksum of a table's content: column names, types and values (not its layout).

    The same values give the same digest however the table is chunked or was read back, so a
    shard's stored digest can be checked against what is read from it.
    """
    h = hashlib.sha256()
    h.update(f"{table.num_rows};".encode())
    for name, column in zip(table.column_names, table.columns, strict=True):
        array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
        h.update(f"{name}:{array.type}:{array.null_count};".encode())
        if pa.types.is_null(array.type) or len(array) == 0:
            continue
        if pa.types.is_integer(array.type) or pa.types.is_floating(array.type):
            values = array.to_numpy(zero_copy_only=False)
            h.update(np.ascontiguousarray(values).tobytes())
            if array.null_count:
                h.update(np.asarray(array.is_null()).tobytes())
        else:
            h.update(json.dumps(array.to_pylist(), default=str).encode())
    return "sha256:" + h.hexdigest()


def write_shard(
    out: Path,
    task: Any,
    measures: Mapping[str, list[Any]] | None,
    error: str,
    started: float,
    seconds: float,
) -> Path:
    """Write one finished run's shard atomically (temporary file, then rename).

    The footer holds the run's record (identity, seed, steps, parameters, status, timing) and
    a checksum of the data; the data pages carry CRC checksums.

    Raises:
        DiskFull: no space left; the temporary file is removed.
    """
    table = shard_table(task, measures, error)
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
        "rows": table.num_rows,
        "checksum": table_digest(table),
        "started": datetime.fromtimestamp(started, UTC).isoformat(timespec="milliseconds"),
        "seconds": round(seconds, 6),
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }
    table = table.replace_schema_metadata({_META_KEY: json.dumps(record).encode()})
    final = shard_path(out, task.run_id)
    tmp = final.parent / f".{task.run_id}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    write_file(tmp, lambda path: pq.write_table(table, path, write_page_checksum=True), final)
    return final


def write_file(tmp: Path, write: Callable[[Path], Any], final: Path, size: int = 0) -> None:
    """``write(tmp)`` then rename ``tmp`` to ``final``; on any failure ``tmp`` is removed.

    Raises:
        DiskFull: the write ran out of space (``errno.ENOSPC`` or ``EDQUOT``).
    """
    try:
        write(tmp)
        os.replace(tmp, final)
    except BaseException as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if _is_disk_full(err):
            raise DiskFull(str(final.parent), size or _size_hint(tmp)) from None
        raise


def _is_disk_full(err: BaseException) -> bool:
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return isinstance(err, OSError | pa.ArrowException) and "No space left" in str(err)


def _size_hint(path: Path) -> int:
    return 64_000


def read_record(path: Path) -> dict[str, Any]:
    """The run record stored in a shard's footer (status, error, seed, parameters, timing)."""
    meta = pq.read_schema(path).metadata or {}
    return json.loads(meta[_META_KEY])


def read_shard(path: Path) -> pa.Table:
    """A shard's data, read in full with its page checksums verified.

    Raises:
        ShardError: the file cannot be read in full (a damaged page, a truncated file).
    """
    try:
        return pq.ParquetFile(path, page_checksum_verification=True).read(use_threads=False)
    except (OSError, ValueError, pa.ArrowException) as err:
        raise ShardError(path, "unreadable", _reason(err)) from None


def _reason(err: BaseException) -> str:
    return " ".join(str(err).split())[:200] or type(err).__name__


def check_shard(
    path: Path, expected: Callable[[str], Mapping[str, Any] | None] | None = None
) -> tuple[dict[str, Any], pa.Table]:
    """Read a shard in full and check it: readable, checksum, name, and the plan's run.

    Args:
        path: the shard.
        expected: ``expected(run_id)`` gives what the plan says of that run (``run_id``,
            ``point``, ``replicate``, ``seed_entropy``, ``spawn_key``, ``steps``,
            ``record_every`` and ``params``, of which only the listed keys are compared),
            or ``None`` when the plan has no such run.

    Returns:
        The run's record and its data (without the footer's metadata).

    Raises:
        ShardError: ``unreadable`` (damaged) or ``foreign`` (another run, or another sweep).
    """
    table = read_shard(path)
    meta = table.schema.metadata or {}
    try:
        record = json.loads(meta[_META_KEY])
    except (KeyError, ValueError) as err:
        raise ShardError(path, "unreadable", f"no run record ({_reason(err)})") from None
    table = table.replace_schema_metadata(None)
    stem = path.name.removesuffix(".parquet")
    if record.get("run_id") != stem:
        raise ShardError(path, "foreign", f"holds run {record.get('run_id')!r}, not {stem!r}")
    checksum = record.get("checksum")
    if checksum is not None and table_digest(table) != checksum:
        raise ShardError(path, "unreadable", "its data do not match its checksum")
    if checksum is None and record.get("format", 1) >= 2:
        raise ShardError(path, "unreadable", "no checksum in its record")
    if expected is not None:
        want = expected(stem)
        if want is None:
            raise ShardError(path, "foreign", f"run {stem} is not in this sweep's plan")
        for key, value in want.items():
            if key == "params":
                for name, param in value.items():
                    got = record.get("params", {}).get(name, _ABSENT)
                    if not _same(got, param):
                        raise ShardError(
                            path, "foreign", f"parameter {name} = {got!r}, the plan has {param!r}"
                        )
            elif not _same(record.get(key, _ABSENT), value):
                raise ShardError(
                    path, "foreign", f"{key} = {record.get(key)!r}, the plan has {value!r}"
                )
    return record, table


_ABSENT = "(absent)"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (a != a and b != b)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (type(a) is type(b) and a == b)
    return a == b


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
    """The manifest of a sweep folder.

    Raises:
        SweepFolderError: no manifest, or a damaged one (naming the file).
    """
    path = Path(out) / MANIFEST
    if not Path(out).is_dir():
        raise SweepFolderError(f"{out} is not a sweep folder (no such folder)")
    if not path.is_file():
        raise SweepFolderError(f"{out} is not a sweep folder (no {MANIFEST})")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise SweepFolderError(
            f"{path} is damaged ({_reason(err)}); the shards are intact: move the folder's "
            "shards/ into a new folder and run the same sweep there to rebuild it"
        ) from None
    except OSError as err:
        raise SweepFolderError(f"cannot read {path}: {err.strerror or err}") from None
    if not isinstance(manifest, dict) or "spec" not in manifest or "runs" not in manifest:
        raise SweepFolderError(f"{path} is not a sweep manifest (no spec or runs)")
    return manifest


_MANIFEST_RESERVE = 16_384
"""Blank bytes kept at the end of the manifest, so that it can still be rewritten in place
(with its end state) when the disk is full."""


def write_manifest(out: Path, manifest: Mapping[str, Any]) -> None:
    """Write the manifest atomically; on a full disk, rewrite it in place in its reserve.

    The file ends in blank space (valid JSON), so a manifest that grew by less than the reserve
    still fits in the blocks the file already has.

    Raises:
        DiskFull: the disk is full and the manifest does not fit in place.
    """
    path = Path(out) / MANIFEST
    text = json.dumps(manifest, indent=2, sort_keys=False) + "\n"
    data = text.encode() + b" " * _MANIFEST_RESERVE
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    try:
        write_file(tmp, lambda p: p.write_bytes(data), path, len(data))
    except DiskFull:
        size = path.stat().st_size if path.exists() else 0
        if len(text.encode()) > size:
            raise
        with open(path, "r+b") as handle:  # blocks already allocated: no new space needed
            handle.write(text.encode().ljust(size))
            handle.flush()
            os.fsync(handle.fileno())


def atomic_text(path: Path, text: str) -> None:
    """Write a text file atomically (no temporary file is left on failure)."""
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    write_file(tmp, lambda p: p.write_text(text, encoding="utf-8"), path)


# --- consolidation ---------------------------------------------------------------------------


def shard_files(out: Path) -> list[Path]:
    """The ``.parquet`` files in ``shards/``, sorted by name."""
    folder = shard_dir(out)
    if not folder.is_dir():
        return []
    return sorted(
        (Path(e.path) for e in os.scandir(folder) if e.name.endswith(".parquet")),
        key=lambda p: p.name,
    )


def _fingerprint(out: Path) -> str:
    h = hashlib.sha256()
    for path in shard_files(out):
        st = path.stat()
        h.update(f"{path.name}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()


def _is_fresh(out: Path) -> bool:
    """Whether both derived tables exist, are readable and match the shards."""
    path, summary = Path(out) / TIDY_FILE, Path(out) / SUMMARY_FILE
    try:
        meta = pq.read_schema(path).metadata or {}
        pq.read_metadata(summary)
    except (OSError, ValueError, pa.ArrowException):
        return False
    return meta.get(_FINGERPRINT_KEY, b"").decode() == _fingerprint(out)


def gather(
    out: Path, expected: Callable[[str], Mapping[str, Any] | None] | None = None
) -> tuple[pa.Table, pa.Table, list[ShardError]]:
    """Read and check every shard; the tidy and summary tables of those that pass.

    Returns:
        ``(tidy, summary, problems)``: ``problems`` lists the shards left out.
    """
    tables, records, problems = [], [], []
    for path in shard_files(out):
        try:
            record, table = check_shard(path, expected)
        except ShardError as err:
            problems.append(err)
            continue
        records.append(record)
        tables.append(table)
    tidy = _concat(tables).combine_chunks()
    tidy = tidy.sort_by([("run_id", "ascending"), ("step", "ascending")])
    return tidy, _summary(tidy, records), problems


def consolidate(out: Path | str, *, force: bool = False) -> tuple[Path, Path]:
    """Gather the checked shards into ``runs.parquet`` (tidy) and ``summary.parquet``.

    Rows are sorted by ``run_id`` then ``step``, so the tables do not depend on which worker
    finished first. Skipped when the tables are readable and up to date with the shards;
    rebuilt when they are missing, stale or unreadable. Shards that fail their check are left
    out with a warning (the next ``sweep`` moves them to ``quarantine/``).

    Returns:
        Paths of the tidy and summary tables.

    Raises:
        SweepFolderError: not a sweep folder.
        PermissionError: the folder is read-only (:func:`load` then works in memory).
        DiskFull: no space for the tables (no temporary file is left).
    """
    out = Path(out)
    read_manifest(out)
    tidy_path, summary_path = out / TIDY_FILE, out / SUMMARY_FILE
    if not force and _is_fresh(out):
        return tidy_path, summary_path
    if not os.access(out, os.W_OK):
        raise PermissionError(errno.EACCES, "the sweep folder is read-only", str(out))
    fingerprint = _fingerprint(out)
    tidy, summary, problems = gather(out, _expected_from_manifest(out))
    _warn(problems)
    tidy = tidy.replace_schema_metadata({_FINGERPRINT_KEY: fingerprint.encode()})
    _atomic_parquet(summary, summary_path)
    _atomic_parquet(tidy, tidy_path)  # last: it carries the fingerprint that marks both fresh
    return tidy_path, summary_path


def _expected_from_manifest(out: Path) -> Callable[[str], Mapping[str, Any] | None] | None:
    from experiments.folder import plan_checker

    try:
        return plan_checker(out)
    except SweepFolderError:
        return None


def _warn(problems: list[ShardError]) -> None:
    for err in problems:
        warnings.warn(f"left out of the tables: {err}", RuntimeWarning, stacklevel=3)


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
    write_file(tmp, lambda p: pq.write_table(table, p), path, table.nbytes)


def _tables(out: Path | str) -> tuple[pa.Table | Path, pa.Table | Path]:
    """The derived tables' paths, or the tables themselves when the folder is read-only."""
    try:
        return consolidate(out)
    except PermissionError:
        tidy, summary, problems = gather(Path(out), _expected_from_manifest(Path(out)))
        _warn(problems)
        return tidy, summary


def _frame(source: pa.Table | Path) -> pd.DataFrame:
    if isinstance(source, pa.Table):
        return source.to_pandas()
    return pd.read_parquet(source)


def load(out: Path | str) -> pd.DataFrame:
    """The consolidated tidy table of a sweep folder (consolidating first if needed).

    One row per (run, recorded week): ``run_id``, ``point``, ``replicate``, ``seed_entropy``,
    ``spawn_key``, ``status``, every model parameter, ``step``, then every measure of
    ``MODEL_REPORTERS`` (``regime`` and ``phase`` as strings). On a read-only folder whose
    tables are missing or stale, the shards are consolidated in memory.
    """
    return _frame(_tables(out)[0])


def load_summary(out: Path | str) -> pd.DataFrame:
    """One row per run: identity, seed, ``status``, ``error``, parameters, last week, regime."""
    return _frame(_tables(out)[1])


def export_csv(out: Path | str) -> tuple[Path, Path]:
    """Write ``csv/runs.csv`` and ``csv/summary.csv`` beside the Parquet tables."""
    out = Path(out)
    tidy_path, summary_path = consolidate(out)
    folder = out / CSV_DIR
    folder.mkdir(exist_ok=True)
    paths = []
    for src, name in ((tidy_path, "runs.csv"), (summary_path, "summary.csv")):
        dest = folder / name
        frame = pd.read_parquet(src)
        write_file(folder / f".{name}.tmp", lambda p, f=frame: f.to_csv(p, index=False), dest)
        paths.append(dest)
    return paths[0], paths[1]


def load_design(out: Path | str) -> pd.DataFrame:
    """The design's points of a sweep folder, indexed by ``point``."""
    return pd.read_parquet(Path(out) / DESIGN_FILE).set_index("point")


def finished_runs(out: Path, *, repair: bool = True) -> dict[str, dict[str, Any]]:
    """Records of the runs whose shard passes every check: run_id -> record.

    With ``repair``, shards that fail (damaged, foreign, stray) and leftovers of interrupted
    writes are moved to ``quarantine/`` with the reason, so those runs run again; nothing is
    deleted.
    """
    from experiments.folder import scan

    return scan(Path(out), repair=repair).finished
