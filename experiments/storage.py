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
(:mod:`experiments.checks`); the derived tables are rebuilt from checked shards whenever they
are missing, stale or unreadable.


The pieces live in :mod:`experiments.shards` (shards and run ids), :mod:`experiments.manifest`
(the manifest and file names), :mod:`experiments.checks` (checking shards against the plan),
:mod:`experiments.lock` and :mod:`experiments.folder` (one writer, atomic creation, drift);
this module gathers the names users need and builds the derived tables.
"""

from __future__ import annotations

import errno
import hashlib
import os
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.manifest import (
    CSV_DIR,
    DESIGN_FILE,
    LOCK_FILE,
    MANIFEST,
    PACKAGES,
    SPEC_FILE,
    STOP_FILE,
    SUMMARY_FILE,
    TIDY_FILE,
    SweepFolderError,
    atomic_text,
    load_design,
    provenance,
    read_manifest,
    write_manifest,
)
from experiments.shards import (
    _ARROW_KIND,
    FORMAT,
    ID_COLUMNS,
    QUARANTINE,
    QUARANTINE_LOG,
    RUN_ID_PATTERN,
    SHARDS,
    DiskFull,
    ShardError,
    check_shard,
    human_bytes,
    now,
    parse_run_id,
    read_record,
    read_shard,
    run_id,
    shard_dir,
    shard_files,
    shard_path,
    shard_table,
    table_digest,
    write_file,
    write_shard,
)
from simulation.parameters import PARAMETERS

__all__ = [
    "CSV_DIR",
    "DESIGN_FILE",
    "FORMAT",
    "ID_COLUMNS",
    "LOCK_FILE",
    "MANIFEST",
    "PACKAGES",
    "QUARANTINE",
    "QUARANTINE_LOG",
    "RUN_ID_PATTERN",
    "SHARDS",
    "SPEC_FILE",
    "STOP_FILE",
    "SUMMARY_FILE",
    "TIDY_FILE",
    "DiskFull",
    "ShardError",
    "SweepFolderError",
    "atomic_text",
    "check_shard",
    "consolidate",
    "export_csv",
    "finished_runs",
    "human_bytes",
    "last_rows",
    "load",
    "load_design",
    "load_summary",
    "now",
    "parse_run_id",
    "provenance",
    "read_manifest",
    "read_record",
    "read_shard",
    "run_id",
    "shard_dir",
    "shard_files",
    "shard_path",
    "shard_table",
    "table_digest",
    "write_file",
    "write_manifest",
    "write_shard",
]

_FINGERPRINT_KEY = b"isohybrid.shards"


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
    tidy = _judged(tidy)
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


def _judged(tidy: pa.Table) -> pa.Table:
    """The tidy table with ``regime`` judged against each design point's twins."""
    from experiments.columns import with_regimes
    from simulation.measures import JUDGED_KEYS, NULL_COLUMNS

    needed = ["point", "step", *JUDGED_KEYS, *NULL_COLUMNS]
    if tidy.num_rows == 0 or any(c not in tidy.column_names for c in needed):
        return tidy
    regime = with_regimes(tidy.select(needed).to_pandas())["regime"]
    column = pa.array(regime.tolist(), pa.string())
    if "regime" in tidy.column_names:
        return tidy.set_column(tidy.column_names.index("regime"), "regime", column)
    return tidy.append_column("regime", column)


def _expected_from_manifest(out: Path) -> Callable[[str], Mapping[str, Any] | None] | None:
    from experiments.checks import plan_checker

    try:
        return plan_checker(out)
    except SweepFolderError:
        return None


def _warn(problems: list[ShardError]) -> None:
    for err in problems:
        warnings.warn(f"left out of the tables: {err}", RuntimeWarning, stacklevel=3)


def _concat(tables: list[pa.Table]) -> pa.Table:
    if not tables:
        from experiments.columns import sweep_columns

        names = [*ID_COLUMNS, *PARAMETERS, "step", *sweep_columns()]
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


def finished_runs(out: Path, *, repair: bool = True) -> dict[str, dict[str, Any]]:
    """Records of the runs whose shard passes every check: run_id -> record.

    With ``repair``, shards that fail (damaged, foreign, stray) and leftovers of interrupted
    writes are moved to ``quarantine/`` with the reason, so those runs run again; nothing is
    deleted.
    """
    from experiments.checks import scan

    return scan(Path(out), repair=repair).finished
