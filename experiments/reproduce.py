"""The paper end to end: run the named experiments, analyse them, and draw every figure.

``isohybrid reproduce [--quick] [--out DIR]`` runs each experiment of :data:`REGISTRY` as a
sweep into ``DIR/<name>`` (``DIR/<name>-quick`` for the reduced variants), computes the
sensitivity indices, and draws the figures into ``DIR/figures`` (``DIR/figures-quick``). It
resumes like any sweep: finished runs are not run again. ``isohybrid figures DIR`` draws every
figure a finished sweep supports into ``DIR/figures``.

This module is orchestration only. :data:`REGISTRY` lists the experiments, the spec of each
and the figures it contributes; :mod:`experiments.figure_jobs` says which figures a sweep
supports and how each is drawn; :mod:`experiments.figures` draws them;
:mod:`experiments.drawing` writes them to files, each with a caption file
(:mod:`experiments.captions`: the spec, the seeds and the code version behind it); and
:mod:`experiments.replay` re-runs stored runs for the figures of model state.

This module imports only the standard library at load time, so that the command line answers
``--help`` at once.

Why one module: the registry of experiments and the loop that walks it (run, analyse, draw,
time each stage) are one idea; each entry is a line, and the spec builders it names are small.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from experiments.style import FORMATS

if TYPE_CHECKING:
    from experiments.spec import SweepSpec


# --- the experiments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Experiment:
    """One experiment of the paper: its sweep's spec and the figures it contributes.

    Attributes:
        name: its name: the folder of its sweep, and its named spec unless ``spec`` is given.
        figures: file stems of the figures it contributes (see
            :data:`experiments.figure_jobs.FIGURE_JOBS`).
        spec: builds its spec; ``None`` reads the named spec ``experiments/specs/<name>.toml``.
        sensitivity: the method (``"sobol"`` or ``"morris"``) whose indices are computed,
            written to ``sensitivity.csv`` and drawn in the combined sensitivity figure.
    """

    name: str
    figures: tuple[str, ...] = ()
    spec: Callable[[], SweepSpec] | None = None
    sensitivity: str | None = None


def morris_spec() -> SweepSpec:
    """Morris elementary-effects screening over the Sobol spec's factors (Morris 1991).

    Twenty trajectories of four levels: ``20 (D + 1) = 180`` runs of ten years; the quick
    variant has four trajectories of one year.
    """
    from experiments.spec import Design, SweepSpec, load_spec

    sobol = load_spec("sobol")
    return SweepSpec(
        name="morris",
        description="Morris screening (mu*, sigma) over the main parameters on the CSSI: "
        "which parameters matter, and which act non-linearly or in interaction.",
        scenario=sobol.scenario,
        seed=20230306,
        replicates=1,
        steps=sobol.steps,
        record_every=sobol.record_every,
        fixed=dict(sobol.fixed),
        design=Design.morris(
            20, levels=4, **{k: tuple(v) for k, v in sobol.design.factors.items()}
        ),
        quick={"steps": 52, "design": {"trajectories": 4}},
    )


def sanitarisation_spec() -> SweepSpec:
    """Symmetric against asymmetric influence between sectors on the CSSI (SF6).

    Mid collaboration (pooling intensity 0.5), asymmetry 0 (as observed) and 0.8 (the feared
    "sanitarisation du social"), ten replicates of ten years; quick: four of two years.
    """
    from experiments.spec import Design, SweepSpec

    return SweepSpec(
        name="sanitarisation",
        description="Asymmetric influence of health on social practices switched off and on: "
        "how far each sector's practices drift towards the other's.",
        scenario="cssi",
        seed=20230307,
        replicates=10,
        steps=520,
        record_every=4,
        fixed={"pooling_intensity": 0.5},
        design=Design.grid(asymmetry=[0.0, 0.8]),
        quick={"replicates": 4, "steps": 104},
    )


def two_classifiers_spec() -> SweepSpec:
    """The regime along pooling intensity on the CSSI, for the model-free check (two classifiers).

    Eleven pooling levels from 0 to 1, eight replicates of ten years; quick: four levels,
    three replicates of one year.
    """
    from experiments.classifiers import POOLING_LEVELS
    from experiments.spec import Design, SweepSpec

    return SweepSpec(
        name="two_classifiers",
        description="The regime rule against a model-free classifier (Gaussian mixtures with "
        "BIC on the final practices) along pooling intensity on the CSSI.",
        scenario="cssi",
        seed=20230308,
        replicates=8,
        steps=520,
        record_every=52,
        design=Design.grid(pooling_intensity=list(POOLING_LEVELS)),
        quick={
            "replicates": 3,
            "steps": 52,
            "record_every": 13,
            "design": {"factors": {"pooling_intensity": [0.0, 0.3, 0.6, 1.0]}},
        },
    )


def _robustness(name: str) -> Callable[[], SweepSpec]:
    """The spec builder of one of :data:`experiments.robustness.SPECS` (imported when called)."""
    return lambda: import_module("experiments.robustness").SPECS[name]()


REGISTRY: tuple[Experiment, ...] = (
    Experiment(
        "pooling_identity",
        figures=(
            "regime_map_identity_strength",
            "trajectories",
            "access_diversity",
            "cssi_network",
            "cssi_practice_space",
        ),
    ),
    Experiment("sector_mix", figures=("regime_map_sector_mix",)),
    Experiment("helpline", figures=("helpline_time_course",)),
    Experiment("sanitarisation", figures=("sanitarisation",), spec=sanitarisation_spec),
    Experiment("two_classifiers", figures=("two_classifiers",), spec=two_classifiers_spec),
    Experiment("sobol", sensitivity="sobol"),
    Experiment("morris", spec=morris_spec, sensitivity="morris"),
    Experiment(
        "regime_boundaries", figures=("regime_boundaries",), spec=_robustness("regime_boundaries")
    ),
    Experiment(
        "robustness_oat", figures=("robustness_perturbations",), spec=_robustness("robustness_oat")
    ),
    Experiment(
        "robustness_morris", figures=("morris_regimes",), spec=_robustness("robustness_morris")
    ),
    Experiment("robustness_sobol", figures=("sobol_regimes",)),
    Experiment("discovery", figures=("prim_hybridisation", "prim_isomorphism")),
)
"""The experiments of the paper, in the order they run, with the figures each contributes
(the sensitivity figure combines the ``sobol`` and ``morris`` sweeps)."""

EXPERIMENTS: tuple[str, ...] = tuple(e.name for e in REGISTRY)
"""The experiments' names, in the order they run."""

PAPER_FIGURES: Mapping[str, tuple[str, ...]] = {e.name: e.figures for e in REGISTRY if e.figures}
"""The figures each experiment contributes to the paper."""

CALIBRATIONS: tuple[str, ...] = ("cssi", "helpline")
"""The cases calibrated on the study's patterns (``isohybrid calibrate``) into
``out/calibration-<case>``; their figures (posterior, predictive check, and the CSSI's open
question) join the paper's."""


def experiment_spec(name: str, *, quick: bool = False) -> SweepSpec:
    """The spec of one experiment of :data:`REGISTRY` (its reduced variant with ``quick``)."""
    from experiments.spec import load_spec

    build = {e.name: e.spec for e in REGISTRY}.get(name)
    spec = build() if build is not None else load_spec(name)
    return spec.reduced() if quick else spec


# --- the reproduction --------------------------------------------------------------------------


@dataclass
class Reproduction:
    """What :func:`reproduce` did: folders, figures and timings (also written as JSON)."""

    out: Path
    quick: bool
    sweeps: dict[str, dict[str, Any]] = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``reproduction.json``."""
        return {
            "out": str(self.out),
            "quick": self.quick,
            "sweeps": self.sweeps,
            "figures": self.figures,
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
        }


def suffix(quick: bool) -> str:
    """Suffix of the folders of a quick reproduction (``-quick``), so both can coexist."""
    return "-quick" if quick else ""


def reproduce(
    out: str | Path = "results",
    *,
    quick: bool = False,
    executor: str = "process",
    workers: int | None = None,
    progress: bool = True,
    formats: Sequence[str] = FORMATS,
    experiments: Sequence[str] = EXPERIMENTS,
    calibrations: Sequence[str] = CALIBRATIONS,
    log: Callable[[str], None] | None = print,
) -> Reproduction:
    """Run the paper's experiments, analyse them and draw every figure (resumable).

    Args:
        out: the results folder: sweeps go to ``out/<name>`` (``out/<name>-quick``), the
            sensitivity indices to ``out/<name>/sensitivity.csv``, the figures to
            ``out/figures`` (``out/figures-quick``), a record of the call to
            ``out/reproduction.json`` (``reproduction-quick.json``).
        quick: the reduced variants (about a minute on two cores).
        executor: ``"process"`` (a local pool shared by every sweep), ``"serial"`` or
            ``"dask"``.
        workers: worker processes (default: available cores).
        progress: progress bars on stderr.
        formats: file formats of each figure.
        experiments: a subset of :data:`EXPERIMENTS` (figures that need the others are skipped).
        calibrations: a subset of :data:`CALIBRATIONS` (calibrated into
            ``out/calibration-<case>``, resumable, figures into the figures folder).
        log: called with one line per stage (None: silent).

    Returns:
        A :class:`Reproduction`.
    """
    from experiments.drawing import draw_paper_figures
    from experiments.executors import open_executor
    from experiments.sweep import run_sweep

    say = log or (lambda _line: None)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    end = suffix(quick)
    record = Reproduction(out=out, quick=quick)
    started = time.perf_counter()
    unknown = [e for e in experiments if e not in EXPERIMENTS]
    if unknown:
        raise ValueError(f"experiments {unknown} are unknown; allowed: {', '.join(EXPERIMENTS)}")
    with open_executor(executor, workers) as (pool, n):
        for name in experiments:
            spec = experiment_spec(name, quick=quick)
            folder = out / f"{name}{end}"
            t0 = time.perf_counter()
            report = run_sweep(spec, folder, executor=pool, workers=n, progress=progress)
            seconds = time.perf_counter() - t0
            record.seconds[f"sweep {name}"] = seconds
            record.sweeps[name] = {
                "folder": str(folder),
                "spec": spec.name,
                "runs": report.total,
                "already_done": report.skipped,
                "run_now": report.computed,
                "failed": report.failed,
            }
            say(
                f"{spec.name}: {report.total} runs ({report.skipped} already done, "
                f"{report.failed} raised) in {seconds:.1f} s -> {folder}"
            )
            if not report.complete:
                raise RuntimeError(
                    f"sweep {spec.name} has {report.unfinished} unfinished runs; run the same "
                    "command again to resume"
                )
        from experiments.calibration_commands import calibrate_cases

        calibrated = calibrate_cases(out, quick, calibrations, pool, record.seconds, say, progress)
    figures_dir = out / f"figures{end}"
    t0 = time.perf_counter()
    written = draw_paper_figures(
        {out / f"{e.name}{end}": e.figures for e in REGISTRY if e.name in experiments},
        {e.sensitivity: out / f"{e.name}{end}" for e in REGISTRY if e.name in experiments},
        figures_dir,
        formats,
        say,
    )
    record.seconds["figures"] = time.perf_counter() - t0
    record.figures = [str(p.relative_to(out)) for p in [*written, *calibrated]]
    record.seconds["total"] = time.perf_counter() - started
    (out / f"reproduction{end}.json").write_text(
        json.dumps(record.as_dict(), indent=2) + "\n", encoding="utf-8"
    )
    say(f"reproduction done in {record.seconds['total']:.1f} s; figures in {figures_dir}")
    return record


# --- command line ------------------------------------------------------------------------------


def configure_figures(p: argparse.ArgumentParser) -> None:
    """Arguments of ``isohybrid figures``."""
    p.add_argument("dir", type=Path, help="a finished sweep folder")
    p.add_argument("--out", type=Path, help="folder for the figures (default: DIR/figures)")
    p.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="draw only this figure (repeat for several; --list shows the names)",
    )
    p.add_argument(
        "--format",
        action="append",
        dest="formats",
        metavar="EXT",
        help="file format (repeat for several; default: pdf and png)",
    )
    p.add_argument("--list", action="store_true", help="list the figures the sweep supports")


def figures_command(args: argparse.Namespace) -> int:
    """``isohybrid figures DIR``: draw every figure a sweep supports."""
    from experiments.drawing import draw_figures
    from experiments.figure_jobs import sweep_figures

    if args.list:
        for job in sweep_figures(args.dir):
            print(f"{job.stem}: {job.shows}")
        return 0
    _warn_if_unfinished(args.dir)
    written = draw_figures(
        args.dir,
        args.out,
        only=args.only,
        formats=tuple(args.formats or FORMATS),
        log=lambda line: print(line, file=sys.stderr),
    )
    if not written:
        print(
            f"no figure to draw: the sweep in {args.dir} has no finished run, or its design "
            "supports none of the figures (see docs/figures.md)",
            file=sys.stderr,
        )
        return 1
    for path in written:
        print(path)
    return 0


def _warn_if_unfinished(folder: Path) -> None:
    from experiments import storage

    manifest = storage.read_manifest(folder)
    done = len(storage.finished_runs(folder, repair=False))
    total = manifest.get("runs", {}).get("total", done)
    if done < total:
        print(
            f"note: {done} of {total} runs of {folder} have finished; drawing from those",
            file=sys.stderr,
        )


def configure_reproduce(p: argparse.ArgumentParser) -> None:
    """Arguments of ``isohybrid reproduce``."""
    p.add_argument(
        "--quick", action="store_true", help="reduced sizes: about a minute on two cores"
    )
    p.add_argument(
        "--out", type=Path, default=Path("results"), help="results folder (default: results)"
    )
    p.add_argument(
        "--executor",
        choices=("serial", "process", "dask"),
        default="process",
        help="where the runs go (default: a local process pool)",
    )
    p.add_argument("--workers", type=int, help="worker processes (default: available cores)")
    p.add_argument(
        "--only",
        action="append",
        choices=(*EXPERIMENTS, *(f"calibration-{c}" for c in CALIBRATIONS)),
        metavar="NAME",
        help="run only this experiment (repeat for several): "
        + ", ".join((*EXPERIMENTS, *(f"calibration-{c}" for c in CALIBRATIONS))),
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bars")


def reproduce_command(args: argparse.Namespace) -> int:
    """``isohybrid reproduce``: the paper's experiments and figures."""
    reproduce(
        args.out,
        quick=args.quick,
        executor=args.executor,
        workers=args.workers,
        progress=not args.no_progress,
        experiments=tuple(e for e in args.only or EXPERIMENTS if e in EXPERIMENTS),
        calibrations=tuple(
            c for c in CALIBRATIONS if not args.only or f"calibration-{c}" in args.only
        ),
    )
    return 0


def register_commands(register: Callable[..., None]) -> None:
    """Add ``figures`` and ``reproduce`` to the command line (``experiments.cli.register``)."""
    register(
        "figures",
        "draw every figure a finished sweep supports (PDF, PNG and captions)",
        configure_figures,
        figures_command,
        "Draw every figure a finished sweep supports into DIR/figures: a vector PDF, a PNG\n"
        "and a caption file (the spec, seeds and code version behind it) per figure.\n"
        "Figures of model state re-run single runs from their stored seeds.",
    )
    register(
        "reproduce",
        "run the paper's experiments and draw all its figures (resumable)",
        configure_reproduce,
        reproduce_command,
        "Run the paper's experiments (" + ", ".join(EXPERIMENTS) + ") as sweeps into\n"
        "--out (default results/), compute the sensitivity indices and draw every figure\n"
        "into OUT/figures. --quick runs the reduced variants (about a minute on two cores)\n"
        "into OUT/NAME-quick and OUT/figures-quick. Run the same command again to resume.",
    )
