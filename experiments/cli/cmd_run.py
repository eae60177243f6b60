"""``isohybrid run``: one run of the model, or one run of a sweep re-run alone."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from experiments.cli.core import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    add_force,
    finite_float,
    int_range,
    jsonable,
    output_file,
    run_id_type,
)

FRAME_SUFFIXES: tuple[str, ...] = (".parquet", ".csv")
"""File types ``run --out`` writes."""


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def configure(p: argparse.ArgumentParser) -> None:
    """Arguments of ``isohybrid run``."""
    from simulation.parameters import PARAMETERS

    p.add_argument(
        "--steps", type=int_range(1, 1_000_000), default=520, help="weeks to run (default: 520)"
    )
    p.add_argument(
        "--record-every",
        type=int_range(1, 1_000_000),
        default=4,
        help="weeks between records (default: 4)",
    )
    p.add_argument("--seed", type=int_range(0), default=0, help="root seed entropy (default: 0)")
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
    p.add_argument("--run-id", type=run_id_type, help="run of --from-sweep, e.g. p0003-r02")
    p.add_argument(
        "--out", type=Path, help="write the recorded measures to this .parquet or .csv file"
    )
    add_force(p)
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
        elif spec.kind == "case":
            group.add_argument(_option(name), metavar="FILE", help=help_text + "; see `case`")
        else:
            kind = int if spec.kind == "int" else finite_float
            group.add_argument(
                _option(name),
                type=_optional(kind) if spec.optional else kind,
                metavar=spec.kind.upper(),
                help=help_text,
            )


def _optional(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        return None if text.lower() == "none" else kind(text)

    parse.__name__ = getattr(kind, "__name__", "value")
    return parse


def _spawn_key(text: str) -> tuple[int, ...]:
    from experiments.seeds import parse_key

    try:
        key = parse_key(text)
    except ValueError:
        key = (-1,)
    if any(k < 0 for k in key):
        raise UsageError(
            f"--spawn-key {text!r} is not a spawn key; allowed: non-negative integers separated "
            "by commas, e.g. 3,2"
        )
    return key


def handle(args: argparse.Namespace) -> int:
    """``isohybrid run``."""
    import time

    from experiments.progress import Progress
    from experiments.runner import run_one
    from simulation.model import default_parameters
    from simulation.parameters import PARAMETERS, validate_parameter

    defaults = default_parameters()
    if args.params:
        _print_parameters(defaults)
        return EXIT_OK
    if args.out is not None:
        output_file(args.out, force=args.force, suffixes=FRAME_SUFFIXES)
    if args.from_sweep is not None:
        return _rerun(args)
    params = dict(defaults)
    for name in PARAMETERS:
        value = getattr(args, name, None)
        if value is not None:
            try:
                params[name] = validate_parameter(name, value)
            except ValueError as err:
                raise UsageError(f"{_option(name)}: {err}") from None
    key = _spawn_key(args.spawn_key)
    with Progress(args.steps, "run", unit="week", enabled=not args.no_progress) as bar:
        t0 = time.perf_counter()
        frame = run_one(
            params, args.seed, key, args.steps, args.record_every, on_step=lambda _w: bar.update()
        )
        seconds = max(time.perf_counter() - t0, 1e-9)
    _write_frame(frame, args.out)
    final = frame.iloc[-1].to_dict()
    if args.json:
        print(json.dumps({k: jsonable(v) for k, v in final.items()}, indent=2))
        return EXIT_OK
    changed = {k: v for k, v in params.items() if v != defaults.get(k) and k != "record_every"}
    where = f"case {params['case']}" if params.get("case") else f"scenario {params['scenario']}"
    print(f"{where}, seed {args.seed} (spawn key {args.spawn_key or '-'})")
    print(f"parameters changed from the defaults: {changed or 'none'}")
    print(f"{args.steps} weeks in {seconds:.2f} s ({args.steps / seconds:.0f} weeks/s)")
    print(f"final regime: {final['regime']}  (phase {final['phase']})")
    for name, value in final.items():
        if name not in ("regime", "phase"):
            print(f"  {name:<26} {_fmt(value)}")
    return EXIT_OK


def _rerun(args: argparse.Namespace) -> int:

    from experiments import storage
    from experiments.sweep import rerun

    if not args.run_id:
        raise UsageError("--from-sweep needs --run-id (see `isohybrid status DIR`)")
    frame = rerun(args.from_sweep, args.run_id)
    path = storage.shard_path(args.from_sweep, args.run_id)
    record = storage.read_record(path)
    stored = storage.read_shard(path).to_pandas()
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


def register_commands(register: Callable[..., None]) -> None:
    """Add ``run``."""
    register(
        "run",
        "run the model once and print a summary of the final state",
        configure,
        handle,
        "Run the pooling model once (one step = one working week) and print the final measures.\n"
        "Model parameters are options (--pooling-intensity 0.8); unset ones take the model's\n"
        "defaults (--params lists them). --from-sweep DIR --run-id p0003-r02 re-runs one run of\n"
        "a sweep alone, from its stored seed, and checks it gives the same numbers.",
    )
