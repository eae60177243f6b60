"""``isohybrid sweep``, ``status`` and ``export``: run, inspect and export sweep folders."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from experiments.cli.core import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    UsageError,
    int_range,
)


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is out of range; allowed: seconds > 0")
    return value


def configure_sweep(p: argparse.ArgumentParser) -> None:
    """Arguments of ``isohybrid sweep``."""
    from experiments.sweep import DEFAULT_MAX_RUNS, DEFAULT_NO_WORKER_TIMEOUT

    p.add_argument("spec", help="a spec file (.toml) or the name of a spec in experiments/specs")
    p.add_argument("--out", type=Path, required=True, help="output folder (resumes if it exists)")
    p.add_argument(
        "--executor",
        choices=("serial", "process", "dask"),
        default="process",
        help="serial (in this process), process (a local pool, default) or dask "
        "(a LocalCluster here, or --scheduler)",
    )
    p.add_argument(
        "--workers",
        type=int_range(1, 4096),
        help="worker processes, 1 to 4096 (default: available cores)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="address of a running Dask scheduler, e.g. tls://10.0.0.5:8786 (implies dask)",
    )
    p.add_argument(
        "--security",
        action="append",
        metavar="KEY=VALUE",
        help="a keyword of distributed.Security for --scheduler, e.g. tls_ca_file=ca.pem, "
        "tls_client_cert=cert.pem, tls_client_key=key.pem, require_encryption=true (repeat)",
    )
    p.add_argument(
        "--no-worker-timeout",
        type=_positive_seconds,
        default=DEFAULT_NO_WORKER_TIMEOUT,
        metavar="SECONDS",
        help="dask: stop cleanly after this long without any worker "
        f"(default {DEFAULT_NO_WORKER_TIMEOUT:g}); the same command resumes",
    )
    p.add_argument(
        "--chunk-size", type=int_range(1, 10_000), help="runs per task (default: automatic)"
    )
    p.add_argument(
        "--max-runs",
        type=int_range(1),
        default=DEFAULT_MAX_RUNS,
        help=f"refuse a sweep of more runs than this (default {DEFAULT_MAX_RUNS:,})",
    )
    p.add_argument(
        "--allow-drift",
        action="store_true",
        help="resume although the model's defaults, the package version or the resolved "
        "parameters changed since the folder was made (recorded in the manifest)",
    )
    p.add_argument("--quick", action="store_true", help="run the spec's reduced [quick] variant")
    p.add_argument(
        "--retry-errors", action="store_true", help="run again the runs that raised last time"
    )
    p.add_argument("--csv", action="store_true", help="also export the tables as CSV")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def parse_security(items: list[str] | None) -> dict[str, Any] | None:
    """``["tls_ca_file=ca.pem", "require_encryption=true"]`` -> keywords of ``Security``."""
    if not items:
        return None
    out: dict[str, Any] = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise UsageError(f"--security {item!r} is not KEY=VALUE, e.g. tls_ca_file=ca.pem")
        lowered = value.lower()
        out[key.strip()] = lowered == "true" if lowered in ("true", "false") else value
    return out


def handle_sweep(args: argparse.Namespace) -> int:
    """``isohybrid sweep``."""
    from experiments.sweep import SweepInterrupted, run_sweep

    if args.security and not args.scheduler:
        raise UsageError("--security applies to --scheduler ADDR; give both")
    try:
        report = run_sweep(
            args.spec,
            args.out,
            executor=args.executor,
            workers=args.workers,
            scheduler=args.scheduler,
            security=parse_security(args.security),
            chunk_size=args.chunk_size,
            quick=args.quick,
            retry_errors=args.retry_errors,
            csv=args.csv,
            progress=not args.no_progress,
            max_runs=args.max_runs,
            allow_drift=args.allow_drift,
            no_worker_timeout=args.no_worker_timeout,
        )
    except SweepInterrupted as stop:
        r = stop.report
        if r.stop_reason:
            print(f"isohybrid sweep: error: {r.stop_reason}", file=sys.stderr)
            return EXIT_FAILED
        print(
            f"interrupted: {r.total - r.unfinished}/{r.total} runs finished in {r.out}; "
            "run the same command again to resume",
            file=sys.stderr,
        )
        return EXIT_TERMINATED if r.signal == "SIGTERM" else EXIT_INTERRUPTED
    print(
        f"sweep {report.name!r}: {report.total} runs, {report.skipped} already done, "
        f"{report.computed} run now ({report.failed} raised) in {report.seconds:.1f} s -> "
        f"{report.out}"
    )
    if report.failed:
        print(f"{report.failed} runs raised; see `isohybrid status {args.out}`", file=sys.stderr)
    if not report.complete:
        print(
            f"{report.unfinished} runs unfinished; run the same command again to resume",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


def configure_status(p: argparse.ArgumentParser) -> None:
    """Arguments of ``isohybrid status``."""
    p.add_argument("dir", type=Path, help="a sweep folder")
    p.add_argument("--json", action="store_true", help="print the status as JSON")


def handle_status(args: argparse.Namespace) -> int:
    """``isohybrid status``."""
    from experiments.status import format_status, sweep_status

    status = sweep_status(args.dir)
    print(json.dumps(status, indent=2) if args.json else format_status(status))
    return EXIT_OK


def configure_export(p: argparse.ArgumentParser) -> None:
    """Arguments of ``isohybrid export``."""
    p.add_argument("dir", type=Path, help="a sweep folder")


def handle_export(args: argparse.Namespace) -> int:
    """``isohybrid export``."""
    from experiments.storage import export_csv

    for path in export_csv(args.dir):
        print(path)
    return EXIT_OK


def register_commands(register: Callable[..., None]) -> None:
    """Add ``sweep``, ``status`` and ``export``."""
    register(
        "sweep",
        "run (or resume) a parameter sweep from a spec",
        configure_sweep,
        handle_sweep,
        "Run every run of a sweep spec into --out, one Parquet shard per run. Re-running the\n"
        "same command on the same folder resumes it: finished runs are skipped. Ctrl-C or\n"
        "SIGTERM stops cleanly. Named specs: smoke, pooling_identity, sector_mix, helpline,\n"
        "sobol (experiments/specs).",
    )
    register("status", "show how far a sweep folder has got", configure_status, handle_status)
    register(
        "export",
        "write a sweep's consolidated tables as CSV (DIR/csv/)",
        configure_export,
        handle_export,
    )
