"""Shards: one self-proving Parquet file per finished run, and the run ids that name them.

A shard is written by its worker to a temporary name and renamed, so a folder never holds half
a shard. Its footer holds the run's record: id, point, replicate, seed, spawn key, steps,
``record_every``, every resolved parameter, status and timing, and a checksum of its data
(:func:`table_digest`); its data pages carry CRC checksums. :func:`check_shard` reads a shard in
full and checks all of it, against the plan when given one.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import socket
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.seeds import format_key, stored_entropy
from simulation.parameters import PARAMETERS

SHARDS = "shards"


QUARANTINE = "quarantine"


QUARANTINE_LOG = "reasons.jsonl"


FORMAT = 2


_META_KEY = b"isohybrid.run"


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


_ARROW_KIND = {
    "float": pa.float64(),
    "int": pa.int64(),
    "choice": pa.string(),
    "bool": pa.bool_(),
    "case": pa.string(),
}


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
    from experiments.columns import sweep_columns

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
    for name in sweep_columns():
        columns[name] = _measure_array(None if measures is None else measures.get(name))
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


def shard_files(out: Path) -> list[Path]:
    """The ``.parquet`` files in ``shards/``, sorted by name."""
    folder = shard_dir(out)
    if not folder.is_dir():
        return []
    return sorted(
        (Path(e.path) for e in os.scandir(folder) if e.name.endswith(".parquet")),
        key=lambda p: p.name,
    )
