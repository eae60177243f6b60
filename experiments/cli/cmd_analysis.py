"""``isohybrid sensitivity``: sensitivity indices of a finished sweep's outcomes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from experiments.cli.core import EXIT_OK, add_force, int_range, output_file

SENSITIVITY_METHODS: tuple[str, ...] = ("auto", "sobol", "morris", "rbd_fast", "anova")
"""Choices of ``--method`` (those of :data:`experiments.sensitivity.METHODS`)."""


def configure(p: argparse.ArgumentParser) -> None:
    """Arguments of ``isohybrid sensitivity``."""
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
    p.add_argument(
        "--resamples",
        type=int_range(1, 100_000),
        default=100,
        help="bootstrap resamples, 1 to 100000 (default 100)",
    )
    p.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="analyse a sweep with missing or failed runs (they are listed)",
    )
    p.add_argument(
        "--out", type=Path, help="CSV file for the indices (default: DIR/sensitivity.csv)"
    )
    add_force(p)


def handle(args: argparse.Namespace) -> int:
    """``isohybrid sensitivity``."""
    import pandas as pd

    from experiments.progress import Progress
    from experiments.sensitivity import (
        analyse_sensitivity,
        check_complete,
        check_outcomes,
        scalar_outcomes,
    )
    from experiments.storage import load_summary

    if args.out is not None:
        output_file(args.out, force=args.force, suffixes=(".csv",))
    out = args.out or args.dir / "sensitivity.csv"
    for line in check_complete(args.dir, allow_incomplete=args.allow_incomplete):
        print(f"warning: {line}", file=sys.stderr)
    summary = load_summary(args.dir)
    outcomes = args.outcome or scalar_outcomes(summary)
    check_outcomes(summary, outcomes)
    frames = []
    with Progress(len(outcomes), "sensitivity", unit="outcome") as bar:
        for outcome in outcomes:
            frames.append(
                analyse_sensitivity(
                    args.dir,
                    outcome,
                    args.method,
                    num_resamples=args.resamples,
                    allow_incomplete=True,  # checked above, once
                )
            )
            bar.update()
    table = pd.concat(frames, ignore_index=True)
    table.to_csv(out, index=False)
    with pd.option_context("display.width", 120, "display.max_rows", 500):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"wrote {out}", file=sys.stderr)
    return EXIT_OK


def register_commands(register: Callable[..., None]) -> None:
    """Add ``sensitivity``."""
    register(
        "sensitivity",
        "Sobol, Morris, ANOVA or RBD-FAST indices of a finished sweep's outcomes",
        configure,
        handle,
    )
