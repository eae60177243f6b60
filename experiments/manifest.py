"""A sweep folder's manifest (provenance, spec, plan, history) and its fixed file names."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import socket
import subprocess
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.shards import DiskFull, _reason, write_file

MANIFEST = "manifest.json"


SPEC_FILE = "spec.toml"


DESIGN_FILE = "design.parquet"


TIDY_FILE = "runs.parquet"


SUMMARY_FILE = "summary.parquet"


CSV_DIR = "csv"


STOP_FILE = ".stop"


LOCK_FILE = ".lock"


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


class SweepFolderError(RuntimeError):
    """An output folder belongs to another sweep, is not a sweep folder, or is damaged."""


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


def load_design(out: Path | str) -> pd.DataFrame:
    """The design's points of a sweep folder, indexed by ``point``."""
    return pd.read_parquet(Path(out) / DESIGN_FILE).set_index("point")
