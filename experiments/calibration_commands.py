"""``isohybrid calibrate`` and ``isohybrid discover``: the pipelines and their command line.

``calibrate CASE --out DIR`` runs (or resumes) the ABC-SMC calibration, then the posterior
predictive check, then (for the CSSI) the open question, and draws their figures into
``DIR/figures``. ``discover DIR --regime NAME`` runs PRIM on a finished sweep and draws the
peeling trajectory into ``DIR/figures``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from experiments.style import FORMATS

QUICK_RUNS = 24
"""Posterior runs of the predictive check and the open question under ``--quick``."""

FULL_RUNS = 200
"""Posterior runs of the predictive check and the open question otherwise."""

OPEN_QUESTION_WEEKS = {"quick": 104, "full": 520}
"""Weeks the posterior is run forward under full common work (ten years; two in quick)."""


def _caption(stem: Path, shows: str, out: Path) -> Path:
    from experiments.calibrate import load_settings

    settings = load_settings(out)
    text = (
        f"{stem.name}: {shows}\n\nCalibration of {settings.case} in {out}: population "
        f"{settings.population}, {settings.generations} generations, root seed {settings.seed}"
        f"{' (quick)' if settings.quick else ''}; settings in {out / 'calibration.json'}.\n"
    )
    path = stem.with_name(f"{stem.name}.txt")
    path.write_text(text, encoding="utf-8")
    return path


def calibration_figures(
    out: str | Path, figures: str | Path | None = None, formats: Sequence[str] = FORMATS
) -> list[Path]:
    """Draw the figures of a calibration folder (those its files support); return the paths."""
    from experiments import posterior as post
    from experiments.calibrate import load_posterior, load_settings
    from experiments.figures import calibration as cf
    from experiments.style import save_figure

    out = Path(out)
    figures = out / "figures" if figures is None else Path(figures)
    settings = load_settings(out)
    name = settings.case
    posterior = load_posterior(out)
    jobs: list[tuple[str, Any, str]] = [
        (
            f"{name}_posterior_marginals",
            cf.posterior_marginals(posterior, settings.priors),
            "posterior of each calibrated parameter over its prior range",
        ),
        (
            f"{name}_posterior_pairs",
            cf.posterior_pairs(posterior, settings.priors),
            "posterior particles two parameters at a time (dot area = weight), for the "
            "parameters the patterns constrain most",
        ),
    ]
    if (out / post.PREDICTIVE_FILE).exists():
        table = post.hold_rates(_read(out / post.PREDICTIVE_FILE))
        jobs.append(
            (
                f"{name}_predictive_check",
                cf.predictive_check(table),
                "share of runs drawn from the posterior in which each pattern holds (90 % "
                "credible intervals)",
            )
        )
    if (out / post.OPEN_QUESTION_FILE).exists():
        probs = post.regime_probabilities(_read(out / post.OPEN_QUESTION_FILE))
        jobs.append(
            (
                f"{name}_open_question",
                cf.open_question(probs),
                "probability of each end regime when the calibrated case is run with full "
                "common work (90 % credible intervals)",
            )
        )
    written: list[Path] = []
    for stem, fig, shows in jobs:
        written += save_figure(fig, figures / stem, formats)
        written.append(_caption(figures / stem, shows, out))
    return written


def _read(path: Path) -> Any:
    import pandas as pd

    return pd.read_parquet(path)


def run_calibration(
    case: str,
    out: str | Path,
    *,
    quick: bool = False,
    population: int | None = None,
    generations: int | None = None,
    seed: int | None = None,
    runs: int | None = None,
    executor: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    figures: str | Path | None = None,
    formats: Sequence[str] = FORMATS,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Calibrate a case, check the posterior, answer the open question (CSSI), draw figures.

    Returns:
        A report: folder, generations and their epsilons, runs of the model, the posterior's
        summary, the patterns' hold rates, the regime probabilities (CSSI), figures written.
    """
    from experiments import posterior as post
    from experiments.calibrate import DEFAULT_SEED, calibrate, open_pool
    from experiments.posterior import posterior_summary

    out = Path(out)
    runs = runs or (QUICK_RUNS if quick else FULL_RUNS)
    with open_pool(executor, workers, scheduler) as pool:
        result = calibrate(
            case,
            out,
            executor=pool,
            progress=progress,
            quick=quick,
            population=population,
            generations=generations,
            seed=DEFAULT_SEED if seed is None else seed,
        )
        log(
            f"calibrated {case} in {out}: {len(result.populations) - 1} generations, "
            f"{result.simulations} runs of the model, final epsilon "
            f"{result.populations['epsilon'].iloc[-1]:.3g}"
        )
        if result.missing:
            log(f"patterns left out (measures not recorded): {', '.join(result.missing)}")
        summary = posterior_summary(result.posterior)
        log(summary.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        rates = post.hold_rates(post.predictive_check(out, runs, executor=pool, progress=progress))
        log(rates.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
        report: dict[str, Any] = {
            "out": str(out),
            "simulations": result.simulations,
            "epsilons": result.populations["epsilon"].tolist(),
            "posterior": summary.to_dict("records"),
            "hold_rates": rates.to_dict("records"),
        }
        if case == "cssi":
            weeks = OPEN_QUESTION_WEEKS["quick" if quick else "full"]
            table = post.open_question(out, runs, steps=weeks, executor=pool, progress=progress)
            probs = post.regime_probabilities(table)
            log(f"full common work, {weeks} weeks:")
            log(probs.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
            report["open_question"] = probs.to_dict("records")
    written = calibration_figures(out, figures, formats)
    report["figures"] = [str(p) for p in written]
    (out / "report.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    return report


def calibrate_cases(
    out: Path,
    quick: bool,
    cases: Sequence[str],
    pool: Any,
    seconds: dict[str, float],
    log: Callable[[str], None] = print,
    progress: bool = True,
) -> list[Path]:
    """The calibration stage of ``isohybrid reproduce``: each case into ``out/calibration-<case>``.

    Resumable; figures go to ``out/figures`` (``-quick`` suffixes under ``quick``), each
    case's time to ``seconds``. Returns the figures' paths.
    """
    import time

    end = "-quick" if quick else ""
    written: list[Path] = []
    for case in cases:
        t0 = time.perf_counter()
        report = run_calibration(
            case,
            out / f"calibration-{case}{end}",
            quick=quick,
            executor=pool,
            progress=progress,
            figures=out / f"figures{end}",
            log=log,
        )
        written += [Path(p) for p in report["figures"]]
        seconds[f"calibration {case}"] = time.perf_counter() - t0
    return written


# --- command line ------------------------------------------------------------------------------


def _executor_options(p: argparse.ArgumentParser) -> None:
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
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def configure_calibrate(p: argparse.ArgumentParser) -> None:
    """Arguments of ``isohybrid calibrate``."""
    p.add_argument("case", choices=("cssi", "helpline"), help="which case of the study")
    p.add_argument("--out", type=Path, required=True, help="output folder (resumes if it exists)")
    p.add_argument("--population", type=int, help="particles per generation (default 200)")
    p.add_argument("--generations", type=int, help="generations (default 8)")
    p.add_argument("--seed", type=int, help="root seed entropy")
    p.add_argument("--runs", type=int, help="posterior runs of the checks (default 200)")
    p.add_argument(
        "--quick", action="store_true", help="small sizes: a check of the machinery (< 1 min)"
    )
    _executor_options(p)


def calibrate_command(args: argparse.Namespace) -> int:
    """``isohybrid calibrate CASE --out DIR``."""
    from experiments.calibrate import check_installed

    check_installed()
    report = run_calibration(
        args.case,
        args.out,
        quick=args.quick,
        population=args.population,
        generations=args.generations,
        seed=args.seed,
        runs=args.runs,
        executor=args.executor,
        workers=args.workers,
        scheduler=args.scheduler,
        progress=not args.no_progress,
    )
    print(f"posterior: {args.out / 'posterior.parquet'}; figures: {args.out / 'figures'}")
    return 0 if report else 1


def configure_discover(p: argparse.ArgumentParser) -> None:
    """Arguments of ``isohybrid discover``."""
    p.add_argument("dir", type=Path, help="a finished sweep folder (e.g. of the discovery spec)")
    p.add_argument(
        "--regime", default="hybridisation", help="regime of interest (default hybridisation)"
    )
    p.add_argument(
        "--density",
        type=float,
        default=None,
        help="density the reported box must reach (default 0.8)",
    )
    p.add_argument("--figures", type=Path, help="folder for the figure (default DIR/figures)")


def discover_command(args: argparse.Namespace) -> int:
    """``isohybrid discover DIR --regime NAME``."""
    from experiments.discover import DENSITY, check_installed, discover
    from experiments.figures.calibration import peeling_trajectory
    from experiments.posterior import known_regimes
    from experiments.style import save_figure

    check_installed()
    if args.regime not in known_regimes():
        raise ValueError(
            f"regime {args.regime!r} is unknown; allowed: {', '.join(known_regimes())}"
        )
    found = discover(args.dir, args.regime, density=args.density or DENSITY)
    print(found.table().to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    stem = (args.figures or args.dir / "figures") / f"prim_{args.regime}"
    for path in save_figure(peeling_trajectory(found), stem):
        print(path)
    return 0


def register_commands(register: Callable[..., None]) -> None:
    """Add ``calibrate`` and ``discover`` to the command line."""
    register(
        "calibrate",
        "calibrate a case on the study's patterns (ABC-SMC, resumable)",
        configure_calibrate,
        calibrate_command,
        "Calibrate the model on what the study saw about a case (cssi or helpline) by\n"
        "approximate Bayesian computation (pyabc, ABC-SMC), then run the posterior\n"
        "predictive check and, for the CSSI, the open question (full common work).\n"
        "Writes DIR/calibration.db (pyabc's history), DIR/posterior.parquet and the figures\n"
        "into DIR/figures. Running the same command again resumes an interrupted calibration.",
    )
    register(
        "discover",
        "scenario discovery (PRIM): where a regime is the most likely end state",
        configure_discover,
        discover_command,
        "Find the box of parameter space where REGIME is the most common end state of a\n"
        "finished sweep's design points (PRIM, EMA Workbench): coverage, density and the\n"
        "restricted dimensions, as a table (DIR/discovery-REGIME.csv) and on the peeling\n"
        "trajectory figure. The spec `discovery` is the default design.",
    )
