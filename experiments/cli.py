"""The ``isohybrid`` command line: run, sweep, status, sensitivity, export, dashboard, classic.

Each subcommand is a pair of functions (one adds its arguments, one does the work) registered
with :func:`register`; adding a subcommand is one more pair and one more call. Heavy imports
happen inside the commands, so ``isohybrid --help`` and ``isohybrid status`` answer at once.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, one-line help, argument set-up and handler."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    handler: Callable[[argparse.Namespace], int]
    description: str = ""


COMMANDS: dict[str, Command] = {}
"""Registered subcommands, in the order ``--help`` lists them."""


def register(
    name: str,
    help: str,
    configure: Callable[[argparse.ArgumentParser], None],
    handler: Callable[[argparse.Namespace], int],
    description: str = "",
) -> None:
    """Add a subcommand (``handler(args)`` returns the exit code)."""
    COMMANDS[name] = Command(name, help, configure, handler, description or help)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="isohybrid",
        description="Pooling, isomorphism and hybridisation of professional practices: run the "
        "model, sweep its parameters, analyse the results.",
        epilog="`isohybrid COMMAND --help` describes each command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument(
        "--traceback", action="store_true", help="show the full traceback of an error"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for cmd in COMMANDS.values():
        p = sub.add_parser(
            cmd.name,
            help=cmd.help,
            description=cmd.description,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        cmd.configure(p)
        p.set_defaults(_handler=cmd.handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``isohybrid``; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args._handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (ValueError, FileNotFoundError, RuntimeError, ImportError) as err:
        if args.traceback:
            raise
        print(f"isohybrid {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE if _is_usage_error(err) else EXIT_FAILED


def _is_usage_error(err: BaseException) -> bool:
    from experiments.spec import SpecError

    return isinstance(err, SpecError | FileNotFoundError)


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("isohybrid")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- run ---------------------------------------------------------------------------------------


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def _configure_run(p: argparse.ArgumentParser) -> None:
    from simulation.parameters import PARAMETERS

    p.add_argument("--steps", type=int, default=520, help="weeks to run (default: 520)")
    p.add_argument(
        "--record-every", type=int, default=4, help="weeks between records (default: 4)"
    )
    p.add_argument("--seed", type=int, default=0, help="root seed entropy (default: 0)")
    p.add_argument(
        "--spawn-key",
        default="",
        help="spawn key under the root seed, e.g. '3,2' (point 3, replicate 2 of a sweep)",
    )
    p.add_argument(
        "--from-sweep",
        metavar="DIR",
        type=Path,
        help="re-run one run of a sweep folder alone (with --run-id) and check its numbers",
    )
    p.add_argument("--run-id", help="run of --from-sweep to re-run, e.g. p0003-r02")
    p.add_argument(
        "--out", type=Path, help="write the recorded measures to this .parquet or .csv file"
    )
    p.add_argument("--json", action="store_true", help="print the final measures as JSON")
    p.add_argument(
        "--params", action="store_true", help="list the parameters with defaults and exit"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    group = p.add_argument_group(
        "model parameters", "any keyword of PoolingModel; unset ones take the model's default"
    )
    for name, spec in PARAMETERS.items():
        if name in ("record_every", "collect_agents"):
            continue
        help_text = f"{spec.label or name}: {spec.allowed()}"
        if spec.unit:
            help_text += f" ({spec.unit})"
        if spec.kind == "choice":
            group.add_argument(_option(name), choices=spec.choices, help=help_text)
        elif spec.kind == "bool":
            group.add_argument(
                _option(name), action=argparse.BooleanOptionalAction, help=help_text
            )
        else:
            kind = int if spec.kind == "int" else float
            group.add_argument(
                _option(name),
                type=_optional(kind) if spec.optional else kind,
                metavar=spec.kind.upper(),
                help=help_text,
            )


def _optional(kind: type) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        return None if text.lower() == "none" else kind(text)

    parse.__name__ = kind.__name__
    return parse


def _run(args: argparse.Namespace) -> int:
    import time

    from experiments.progress import Progress
    from experiments.runner import run_one
    from experiments.seeds import parse_key
    from simulation.model import default_parameters
    from simulation.parameters import PARAMETERS

    defaults = default_parameters()
    if args.params:
        _print_parameters(defaults)
        return EXIT_OK
    if args.from_sweep is not None:
        return _rerun(args)
    params = dict(defaults)
    for name in PARAMETERS:
        value = getattr(args, name, None)
        if value is not None:
            params[name] = value
    key = parse_key(args.spawn_key)
    with Progress(args.steps, "run", unit="week", enabled=not args.no_progress) as bar:
        t0 = time.perf_counter()
        frame = run_one(
            params, args.seed, key, args.steps, args.record_every, on_step=lambda _w: bar.update()
        )
        seconds = time.perf_counter() - t0
    _write_frame(frame, args.out)
    final = frame.iloc[-1].to_dict()
    if args.json:
        print(json.dumps({k: _jsonable(v) for k, v in final.items()}, indent=2))
        return EXIT_OK
    changed = {k: v for k, v in params.items() if v != defaults.get(k) and k != "record_every"}
    print(f"scenario {params['scenario']}, seed {args.seed} (spawn key {args.spawn_key or '-'})")
    print(f"parameters changed from the defaults: {changed or 'none'}")
    print(f"{args.steps} weeks in {seconds:.2f} s ({args.steps / seconds:.0f} weeks/s)")
    print(f"final regime: {final['regime']}  (phase {final['phase']})")
    for name, value in final.items():
        if name not in ("regime", "phase"):
            print(f"  {name:<26} {_fmt(value)}")
    return EXIT_OK


def _rerun(args: argparse.Namespace) -> int:
    import pandas as pd

    from experiments import storage
    from experiments.sweep import rerun

    if not args.run_id:
        raise ValueError("--from-sweep needs --run-id (see `isohybrid status DIR`)")
    frame = rerun(args.from_sweep, args.run_id)
    path = storage.shard_path(args.from_sweep, args.run_id)
    record = storage.read_record(path)
    stored = pd.read_parquet(path)
    _write_frame(frame, args.out)
    same = stored[frame.columns].reset_index(drop=True).equals(frame.reset_index(drop=True))
    print(
        f"re-ran {args.run_id} (entropy {record['seed_entropy']}, spawn key "
        f"{record['spawn_key']}): {len(frame)} records, "
        + ("identical to the stored shard" if same else "DIFFERENT from the stored shard")
    )
    return EXIT_OK if same else EXIT_FAILED


def _print_parameters(defaults: dict[str, Any]) -> None:
    from simulation.parameters import PARAMETERS

    for name, spec in PARAMETERS.items():
        print(f"{name:<26} {defaults.get(name)!r:<12} {spec.allowed():<34} {spec.unit}")


def _write_frame(frame: Any, out: Path | None) -> None:
    if out is None:
        return
    if out.suffix == ".csv":
        frame.to_csv(out, index=False)
    else:
        frame.to_parquet(out, index=False)
    print(f"wrote {out}", file=sys.stderr)


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _jsonable(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


# --- sweep ---------------------------------------------------------------------------------------


def _configure_sweep(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", help="a spec file (.toml) or the name of a spec in experiments/specs")
    p.add_argument("--out", type=Path, required=True, help="output folder (resumes if it exists)")
    p.add_argument(
        "--executor",
        choices=("serial", "process", "dask"),
        default="process",
        help="serial (in this process), process (a local pool, default) or dask "
        "(a LocalCluster here, or --scheduler)",
    )
    p.add_argument("--workers", type=int, help="worker processes (default: available cores)")
    p.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies dask)",
    )
    p.add_argument("--chunk-size", type=int, help="runs per task (default: automatic)")
    p.add_argument("--quick", action="store_true", help="run the spec's reduced [quick] variant")
    p.add_argument(
        "--retry-errors", action="store_true", help="run again the runs that raised last time"
    )
    p.add_argument("--csv", action="store_true", help="also export the tables as CSV")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def _sweep(args: argparse.Namespace) -> int:
    from experiments.sweep import SweepInterrupted, run_sweep

    try:
        report = run_sweep(
            args.spec,
            args.out,
            executor=args.executor,
            workers=args.workers,
            scheduler=args.scheduler,
            chunk_size=args.chunk_size,
            quick=args.quick,
            retry_errors=args.retry_errors,
            csv=args.csv,
            progress=not args.no_progress,
        )
    except SweepInterrupted as stop:
        r = stop.report
        print(
            f"interrupted: {r.total - r.unfinished}/{r.total} runs finished in {r.out}; "
            "run the same command again to resume",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
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


# --- status, export, sensitivity -----------------------------------------------------------------


def _configure_status(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", type=Path, help="a sweep folder")
    p.add_argument("--json", action="store_true", help="print the status as JSON")


def _status(args: argparse.Namespace) -> int:
    from experiments.status import format_status, sweep_status

    status = sweep_status(args.dir)
    print(json.dumps(status, indent=2) if args.json else format_status(status))
    return EXIT_OK


def _configure_export(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", type=Path, help="a sweep folder")


def _export(args: argparse.Namespace) -> int:
    from experiments.storage import export_csv

    for path in export_csv(args.dir):
        print(path)
    return EXIT_OK


SENSITIVITY_METHODS: tuple[str, ...] = ("auto", "sobol", "morris", "rbd_fast", "anova")
"""Choices of ``--method`` (those of :data:`experiments.sensitivity.METHODS`)."""


def _configure_sensitivity(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", type=Path, help="a finished sweep folder")
    p.add_argument(
        "--outcome",
        action="append",
        help="a numeric measure (at the last recorded week), or regime=NAME for the share of "
        "runs ending in NAME; repeat for several (default: every measure that varies)",
    )
    p.add_argument(
        "--method",
        choices=SENSITIVITY_METHODS,
        default="auto",
        help="auto: sobol for a Sobol design, morris for a Morris design, anova for a grid, "
        "rbd_fast otherwise",
    )
    p.add_argument("--resamples", type=int, default=100, help="bootstrap resamples (default 100)")
    p.add_argument(
        "--out", type=Path, help="CSV file for the indices (default: DIR/sensitivity.csv)"
    )


def _sensitivity(args: argparse.Namespace) -> int:
    import pandas as pd

    from experiments.progress import Progress
    from experiments.sensitivity import analyse_sensitivity, scalar_outcomes
    from experiments.storage import load_summary

    outcomes = args.outcome or scalar_outcomes(load_summary(args.dir))
    frames = []
    with Progress(len(outcomes), "sensitivity", unit="outcome") as bar:
        for outcome in outcomes:
            frames.append(
                analyse_sensitivity(args.dir, outcome, args.method, num_resamples=args.resamples)
            )
            bar.update()
    table = pd.concat(frames, ignore_index=True)
    out = args.out or args.dir / "sensitivity.csv"
    table.to_csv(out, index=False)
    with pd.option_context("display.width", 120, "display.max_rows", 500):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"wrote {out}", file=sys.stderr)
    return EXIT_OK


# --- dashboard and classic models ---------------------------------------------------------


def _configure_dashboard(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")


def _dashboard(args: argparse.Namespace) -> int:
    from experiments.dashboard import (
        FrontEndUnavailable,
        ensure_front_end,
        server_command,
        server_environment,
    )

    try:
        fetched = ensure_front_end()
        if fetched:
            print(f"fetched the page's front-end packages: {', '.join(fetched)}", file=sys.stderr)
    except FrontEndUnavailable as error:
        print(f"warning: {error}; the page needs Solara's CDN to load", file=sys.stderr)
    print(f"serving the dashboard on http://{args.host}:{args.port}", file=sys.stderr)
    try:
        command = server_command(args.host, args.port)
        return subprocess.run(command, env=server_environment(), check=False).returncode
    except KeyboardInterrupt:
        return EXIT_OK


CLASSIC_MODELS: tuple[str, ...] = ("axelrod", "deffuant", "march")
"""Classic models the pooling model's rules come from (``simulation.classic``)."""


def _configure_classic(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", choices=CLASSIC_MODELS, help="which classic model to run")
    p.add_argument(
        "options",
        nargs=argparse.REMAINDER,
        metavar="--key value",
        help="keyword arguments of simulation.classic.MODEL, e.g. --n-agents 100 --steps 5000 "
        "(--params lists them)",
    )


def _classic(args: argparse.Namespace) -> int:
    import importlib
    import inspect

    classic = importlib.import_module("simulation.classic")
    fn = getattr(classic, args.model)
    if "--params" in args.options or "-h" in args.options or "--help" in args.options:
        print(f"simulation.classic.{args.model}{inspect.signature(fn)}\n")
        print(inspect.getdoc(fn) or "")
        return EXIT_OK
    result = fn(**parse_options(args.options))
    out = result.as_dict() if hasattr(result, "as_dict") else result
    print(json.dumps(out, indent=2, default=_jsonable))
    return EXIT_OK


def parse_options(tokens: Sequence[str]) -> dict[str, Any]:
    """``["--n-agents", "100", "--mu=0.3", "--flag"]`` -> ``{"n_agents": 100, "mu": 0.3, ...}``.

    Values are read as int, float, true/false, none, or kept as strings; an option without a
    value is ``True``.
    """
    out: dict[str, Any] = {}
    tokens = list(tokens)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not token.startswith("--") or len(token) < 3:
            raise ValueError(f"expected --key value, got {token!r}")
        key, eq, value = token[2:].partition("=")
        if not eq:
            if i + 1 < len(tokens) and not tokens[i + 1].startswith("--"):
                value, i = tokens[i + 1], i + 1
            else:
                value = "true"
        out[key.replace("-", "_")] = _literal(value)
        i += 1
    return out


def _literal(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "none":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


register(
    "run",
    "run the model once and print a summary of the final state",
    _configure_run,
    _run,
    "Run the pooling model once (one step = one working week) and print the final measures.\n"
    "Model parameters are options (--pooling-intensity 0.8); unset ones take the model's\n"
    "defaults (--params lists them). --from-sweep DIR --run-id p0003-r02 re-runs one run of a\n"
    "sweep alone, from its stored seed, and checks it gives the same numbers.",
)
register(
    "sweep",
    "run (or resume) a parameter sweep from a spec",
    _configure_sweep,
    _sweep,
    "Run every run of a sweep spec into --out, one Parquet shard per run. Re-running the same\n"
    "command on the same folder resumes it: finished runs are skipped. Ctrl-C stops cleanly.\n"
    "Named specs: smoke, pooling_identity, sector_mix, helpline, sobol (experiments/specs).",
)
register("status", "show how far a sweep folder has got", _configure_status, _status)
register(
    "sensitivity",
    "Sobol, Morris, ANOVA or RBD-FAST indices of a finished sweep's outcomes",
    _configure_sensitivity,
    _sensitivity,
)
register(
    "export", "write a sweep's consolidated tables as CSV (DIR/csv/)", _configure_export, _export
)
register(
    "dashboard",
    "serve the interactive dashboard (Solara) in the browser",
    _configure_dashboard,
    _dashboard,
)
register(
    "classic",
    "run a classic model: Axelrod (1997), Deffuant et al. (2000) or March (1991)",
    _configure_classic,
    _classic,
)

from experiments.reproduce import register_commands  # noqa: E402  (figures, reproduce)

register_commands(register)

from experiments.calibration_commands import register_commands as _calibration  # noqa: E402

_calibration(register)


if __name__ == "__main__":
    sys.exit(main())
