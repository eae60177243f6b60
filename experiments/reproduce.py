"""The paper end to end: run the named experiments, analyse them, and draw every figure.

``isohybrid reproduce [--quick] [--out DIR]`` runs each experiment of :data:`EXPERIMENTS` as a
sweep into ``DIR/<name>`` (``DIR/<name>-quick`` for the reduced variants), computes the
sensitivity indices, and draws the figures into ``DIR/figures`` (``DIR/figures-quick``). It
resumes like any sweep: finished runs are not run again. ``isohybrid figures DIR`` draws every
figure a finished sweep supports into ``DIR/figures``.

Figures of model state (the CSSI network and practice space, the sectors' drift) re-run single
runs of a sweep from their stored seeds, which gives back exactly the stored run, and check
that the re-run ends where the stored run ended. Each figure is written as a vector PDF and a
PNG beside a caption file naming the spec, the seeds and the code version behind it.

This module imports only the standard library and numpy at load time, so that the command
line answers ``--help`` at once.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from experiments.style import FORMATS

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from experiments.spec import SweepSpec
    from simulation.model import PoolingModel

EXPERIMENTS: tuple[str, ...] = (
    "pooling_identity",
    "sector_mix",
    "helpline",
    "sanitarisation",
    "sobol",
    "morris",
)
"""The experiments of the paper, in the order they run (named specs or built-in specs)."""

PAPER_FIGURES: Mapping[str, tuple[str, ...]] = {
    "pooling_identity": (
        "regime_map_identity_strength",
        "trajectories",
        "access_diversity",
        "cssi_network",
        "cssi_practice_space",
    ),
    "sector_mix": ("regime_map_sector_mix",),
    "helpline": ("helpline_time_course",),
    "sanitarisation": ("sanitarisation",),
}
"""The figures each experiment contributes to the paper (the sensitivity figure combines the
``sobol`` and ``morris`` sweeps)."""

REFERENCE_POINT: Mapping[str, float] = {"pooling_intensity": 0.5, "identity_strength": 0.5}
"""The design point whose first replicate stands for a sweep in the state figures (the level
nearest each target): mid collaboration, the default identity strength."""

MAX_DRIFT_REPLICATES = 10
"""At most this many replicates per level are re-run for the sanitarisation figure."""


# --- built-in specs ----------------------------------------------------------------------------


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


BUILT_IN_SPECS: Mapping[str, Callable[[], SweepSpec]] = {
    "morris": morris_spec,
    "sanitarisation": sanitarisation_spec,
}
"""Experiments whose spec is built here rather than read from ``experiments/specs``."""


def experiment_spec(name: str, *, quick: bool = False) -> SweepSpec:
    """The spec of one experiment of :data:`EXPERIMENTS` (its reduced variant with ``quick``)."""
    from experiments.spec import load_spec

    spec = BUILT_IN_SPECS[name]() if name in BUILT_IN_SPECS else load_spec(name)
    return spec.reduced() if quick else spec


# --- model state -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """The state of a model at one week, as plain arrays (what the state figures draw).

    Attributes:
        week: weeks run so far.
        scenario: the scenario's name.
        practices: ``(N, D)`` workers' practices in [0, 1].
        membership: ``(N,)`` association of each worker.
        positions: ``(N, 2)`` plot layout of the workers (by site and association; no units).
        colleague: ``(E, 2)`` colleague ties (workers of the same association).
        ties: ``(K, 3)`` collaboration ties as rows ``(i, j, strength)``.
        associations: association names.
        sectors: sector of each association (``"health"`` or ``"social"``).
        initial_centroids: ``(A, D)`` each association's mean practice at week 0.
        facets: facet names.
    """

    week: int
    scenario: str
    practices: np.ndarray
    membership: np.ndarray
    positions: np.ndarray
    colleague: np.ndarray
    ties: np.ndarray
    associations: tuple[str, ...]
    sectors: tuple[str, ...]
    initial_centroids: np.ndarray
    facets: tuple[str, ...] = field(default=())


def snapshot(model: PoolingModel) -> Snapshot:
    """Copy what the state figures need out of a model, now."""
    specs = model.setting.associations
    return Snapshot(
        week=int(model.steps),
        scenario=str(model.scenario_name),
        practices=np.array(model.practices, dtype=float),
        membership=np.array(model.membership, dtype=np.int64),
        positions=np.array(model.positions, dtype=float),
        colleague=np.array(model.layers.colleague, dtype=np.int64).reshape(-1, 2),
        ties=np.array(model.ties(), dtype=float).reshape(-1, 3),
        associations=tuple(s.name for s in specs),
        sectors=tuple(s.sector for s in specs),
        initial_centroids=np.array(model.initial_centroids, dtype=float),
        facets=tuple(model.facets),
    )


def sector_drift(model: PoolingModel) -> tuple[float, float]:
    """How far the social and the health workers' mean practices moved towards each other.

    The two terms of :func:`simulation.metrics.sanitarisation` (whose value is their
    difference): with ``s0``, ``h0`` the initial social and health centroids (initial
    association centroids weighted by current numbers of workers) and ``s1``, ``h1`` the
    current ones, ``social = (s1 - s0).(h0 - s0) / |h0 - s0|^2`` and
    ``health = (h1 - h0).(s0 - h0) / |h0 - s0|^2``, in shares of the initial distance.

    Returns:
        ``(social, health)``; NaN when a sector has no worker or both start at one point.
    """
    x = np.asarray(model.practices, dtype=float)
    m = np.asarray(model.membership)
    c0 = np.asarray(model.initial_centroids, dtype=float)
    sector = np.asarray(model.world.sector)
    counts = np.bincount(m, minlength=len(c0)).astype(float)
    sums = np.zeros_like(c0)
    np.add.at(sums, m, x)
    means = sums / np.maximum(counts, 1.0)[:, None]
    ends = []
    for code in (1, 0):  # social, health (simulation.scenarios.SECTORS)
        w = np.where(sector == code, counts, 0.0)
        if w.sum() <= 0:
            return float("nan"), float("nan")
        ends.append((w @ c0 / w.sum(), w @ means / w.sum()))
    (s0, s1), (h0, h1) = ends
    axis = h0 - s0
    length2 = float(axis @ axis)
    if length2 <= 1e-12:
        return float("nan"), float("nan")
    return float((s1 - s0) @ axis / length2), float((h1 - h0) @ -axis / length2)


def replay(
    folder: str | Path, run_id: str, observe: Callable[[PoolingModel], None] | None = None
) -> PoolingModel:
    """Re-run one run of a sweep from its stored seed and parameters and return the model.

    Args:
        folder: the sweep folder.
        run_id: the run, e.g. ``"p0003-r02"``.
        observe: called with the model at week 0 and at every recorded week.

    Returns:
        The model at the run's last week (the same state the stored run ended in).
    """
    from experiments import storage
    from experiments.runner import plain_value
    from experiments.seeds import parse_key, run_seed
    from simulation.model import PoolingModel

    path = storage.shard_path(Path(folder), run_id)
    if not path.is_file():
        raise FileNotFoundError(f"run {run_id!r} has no shard in {folder}")
    record = storage.read_record(path)
    every, steps = int(record["record_every"]), int(record["steps"])
    params = {k: plain_value(v) for k, v in record["params"].items() if k != "record_every"}
    seed = run_seed(int(record["seed_entropy"]), parse_key(record["spawn_key"]))
    model = PoolingModel(**params, record_every=every, rng=seed)
    if observe is not None:
        observe(model)
    for _ in range(steps):
        model.step()
        if observe is not None and (model.steps % every == 0 or model.steps == steps):
            observe(model)
    return model


def _check_replay(model: PoolingModel, stored: Mapping[str, Any], run_id: str) -> bool:
    """Whether a re-run ended where the stored run did (else warn: the code has changed)."""
    now = model.measures()
    for name in ("centroid_distance_ratio", "hybrid_share", "mean_pairwise_distance"):
        a, b = float(now[name]), float(stored[name])
        if not (np.isclose(a, b, rtol=1e-9, atol=1e-12) or (np.isnan(a) and np.isnan(b))):
            warnings.warn(
                f"re-running {run_id} gives {name} = {a:.6g}, but the sweep stored {b:.6g}: "
                "the model has changed since the sweep ran; the state figures show the "
                "current code's run",
                RuntimeWarning,
                stacklevel=3,
            )
            return False
    return True


def run_snapshots(folder: str | Path, run_id: str) -> tuple[Snapshot, Snapshot]:
    """The state of one stored run at week 0 and at its last week (re-run from its seed)."""
    from experiments import storage

    first: list[Snapshot] = []
    model = replay(folder, run_id, lambda m: first.append(snapshot(m)) if not first else None)
    summary = storage.load_summary(folder).set_index("run_id")
    _check_replay(model, summary.loc[run_id], run_id)
    return first[0], snapshot(model)


def drift_table(
    folder: str | Path, *, by: str = "asymmetry", max_replicates: int = MAX_DRIFT_REPLICATES
) -> pd.DataFrame:
    """Sector drift over time for the runs of a sweep (re-run from their seeds).

    Returns:
        One row per run and recorded week: ``run_id``, ``by``, ``replicate``, ``step``,
        ``social_drift``, ``health_drift`` (see :func:`sector_drift`).
    """
    import pandas as pd

    from experiments import storage

    summary = storage.load_summary(folder)
    runs = summary[(summary["status"] == "ok") & (summary["replicate"] < max_replicates)]
    rows: list[dict[str, Any]] = []
    for row in runs.itertuples(index=False):
        run_id, level, replicate = row.run_id, getattr(row, by), row.replicate

        def observe(m: PoolingModel, run_id: str = run_id, level: Any = level, r: int = replicate):
            social, health = sector_drift(m)
            rows.append(
                {
                    "run_id": run_id,
                    by: level,
                    "replicate": r,
                    "step": int(m.steps),
                    "social_drift": social,
                    "health_drift": health,
                }
            )

        model = replay(folder, run_id, observe)
        _check_replay(model, row._asdict(), run_id)
    return pd.DataFrame(rows)


# --- figures of a sweep ------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureJob:
    """One figure a sweep supports: its file stem, what it shows, and how to draw it."""

    stem: str
    shows: str
    draw: Callable[[], Figure]


def _varying(design: pd.DataFrame) -> list[str]:
    return [c for c in design.columns if design[c].nunique(dropna=True) > 1]


def _defaults_for(names: Iterable[str], design: pd.DataFrame) -> dict[str, float]:
    """Targets for factors held fixed in a figure: the reference point, else the default."""
    from simulation.model import default_parameters

    defaults = default_parameters()
    out = {}
    for name in names:
        if name in design.columns and design[name].nunique() > 1:
            target = REFERENCE_POINT.get(name, defaults.get(name))
            if isinstance(target, int | float):
                out[name] = float(target)
    return out


def _held(fixed: Mapping[str, float]) -> str:
    """``; identity strength held at the level nearest 0.5`` (empty when nothing is held)."""
    if not fixed:
        return ""
    parts = [f"{k.replace('_', ' ')} at the level nearest {v:g}" for k, v in fixed.items()]
    return "; " + ", ".join(parts)


def _value(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float | np.number) else str(value)


def _levels_text(values: pd.Series) -> str:
    levels = np.sort(values.unique())
    return ", ".join(f"{v:g}" for v in levels)


def sweep_figures(folder: str | Path) -> list[FigureJob]:
    """Every figure a finished sweep supports (nothing is drawn until a job's ``draw``).

    A grid over ``pooling_intensity`` and another factor gives a regime map (a third factor
    gives its panels); varying ``pooling_intensity`` gives trajectories and the access and
    diversity figure; a CSSI sweep gives the network and practice space of its reference run;
    a helpline sweep its time course; varying ``asymmetry`` the sanitarisation figure; a Sobol
    or Morris design the sensitivity indices.
    """
    from experiments import figures, storage

    folder = Path(folder)
    manifest = storage.read_manifest(folder)
    kind = manifest["spec"]["design"]["kind"]
    summary = storage.load_summary(folder)
    ok = summary[summary["status"] == "ok"]
    if ok.empty:
        return []
    design = storage.load_design(folder)
    varying = _varying(design)
    scenario = str(ok["scenario"].iloc[0]) if ok["scenario"].nunique() == 1 else None
    case = _single_case(ok)  # a sweep of one case file draws that case's state figures
    if case is not None:
        scenario = case if case in ("cssi", "helpline") else None
    state_of = case or scenario
    jobs: list[FigureJob] = []
    n_rep = int(summary["replicate"].max()) + 1

    if kind == "grid" and "pooling_intensity" in varying and len(varying) >= 2:
        others = [v for v in varying if v != "pooling_intensity"]
        y = next((f for f in ("identity_strength", "sector_mix") if f in others), others[0])
        col = next((f for f in others if f != y), None)
        rest = _defaults_for([f for f in others if f not in (y, col)], design)
        data = figures.select(ok, rest)
        jobs.append(
            FigureJob(
                f"regime_map_{y}",
                f"Regime map: share of runs ending in each regime (stacked, bottom to top: "
                f"persistence, hybridisation, isomorphism, fragmentation) by pooling intensity "
                f"and {y.replace('_', ' ')}"
                + (f", one panel per {col.replace('_', ' ')}" if col else "")
                + f"; {n_rep} runs per cell"
                + _held(rest)
                + ".",
                lambda data=data, y=y, col=col: figures.regime_map(data, y=y, col=col),
            )
        )
    if kind in ("grid", "table") and "pooling_intensity" in varying:
        fixed = _defaults_for([v for v in varying if v != "pooling_intensity"], design)
        levels = [
            figures.nearest_level(ok["pooling_intensity"], t) for t in figures.POOLING_REFERENCE
        ]
        jobs.append(
            FigureJob(
                "trajectories",
                "Measures over time at pooling intensities "
                + ", ".join(f"{v:g}" for v in dict.fromkeys(levels))
                + f" (co-presence, collaboration, common work): mean over {n_rep} replicates "
                "with the 95 % confidence band of the mean (Student's t)" + _held(fixed) + ".",
                lambda: figures.trajectories(storage.load(folder), fixed=fixed),
            )
        )
        if ok["pooling_intensity"].nunique() >= 3:
            jobs.append(
                FigureJob(
                    "access_diversity",
                    "Public access (share of beneficiaries who find a fitting practice at "
                    "their site) and practice diversity (mean gap between workers) at the "
                    "end of the runs against pooling intensity (levels "
                    f"{_levels_text(ok['pooling_intensity'])}): mean and 95 % confidence band "
                    f"over {n_rep} replicates; shaded: pooling intensities at which most runs "
                    "end in hybridisation" + _held(fixed) + ".",
                    lambda: figures.access_diversity(ok, fixed=fixed),
                )
            )
    if (scenario == "cssi" or case is not None) and kind in ("grid", "table"):
        reference = figures.select(ok, _defaults_for(REFERENCE_POINT, design))
        run_id = str(reference.sort_values(["point", "replicate"])["run_id"].iloc[0])
        row = ok.set_index("run_id").loc[run_id]
        where = ", ".join(f"{f} {_value(row[f])}" for f in varying) or "the spec's parameters"
        state: dict[str, tuple[Snapshot, Snapshot]] = {}

        def snaps() -> tuple[Snapshot, Snapshot]:
            if not state:
                state["pair"] = run_snapshots(folder, run_id)
            return state["pair"]

        jobs.append(
            FigureJob(
                f"{state_of}_network",
                f"{_whose(state_of, start=True)} workers at week 0 and week {int(row['step'])} "
                f"of run {run_id} ({where}), re-run from its stored seed: colour and marker = "
                "association; grey = colleague ties; black = collaboration ties "
                "(width = strength).",
                lambda: figures.network_before_after(*snaps()),
            )
        )
        jobs.append(
            FigureJob(
                f"{state_of}_practice_space",
                f"Practices of {_whose(state_of)} workers at week 0 and week {int(row['step'])} "
                f"of run {run_id} ({where}) on the first two principal components of both states; "
                "large markers = association centroids; hollow = week-0 centroids.",
                lambda: figures.practice_space(*snaps()),
            )
        )
    if scenario == "helpline" and ok["step"].max() > 0:
        fixed = {"decentralise_at": 26}
        panels = "intervision_attendance" if "intervision_attendance" in varying else None
        by = "intervision_every" if "intervision_every" in varying else "decentralise_at"
        jobs.append(
            FigureJob(
                "helpline_time_course",
                "The helpline: distance between the services' mean practices (share of the "
                "week-0 distance) over time; shaded: the lockdown room (centralised phase); "
                "dashed: decentralisation; ticks: weeks of peer meetings; mean and 95 % band "
                f"over {n_rep} replicates; decentralisation at the week nearest 26"
                + ("; panels: meeting attendance nearest 30 % and 100 %" if panels else "")
                + ".",
                lambda: figures.helpline_time_course(
                    storage.load(folder), by=by, panels=panels, fixed=fixed
                ),
            )
        )
    if "asymmetry" in varying and scenario in ("cssi", "landscape"):
        reps = min(n_rep, MAX_DRIFT_REPLICATES)
        jobs.append(
            FigureJob(
                "sanitarisation",
                "Mean practice of the social and of the health workers along the line from "
                "the initial social centroid (0) to the initial health centroid (1), without "
                "and with asymmetric influence; mean and 95 % band over "
                f"{reps} replicates re-run from their stored seeds.",
                lambda: figures.sanitarisation(drift_table(folder)),
            )
        )
    if kind in ("sobol", "morris"):
        jobs.append(
            FigureJob(
                "sensitivity_indices",
                _sensitivity_text(kind, manifest),
                lambda: _sensitivity_figure(folder, kind),
            )
        )
    return jobs


def _sensitivity_text(kind: str, manifest: Mapping[str, Any]) -> str:
    runs = manifest["runs"]["total"]
    if kind == "sobol":
        return (
            "Sobol first-order (S1) and total-order (ST) indices of end-state outcomes "
            f"(Saltelli scheme, {runs} runs) with 95 % bootstrap intervals (100 resamples)."
        )
    return (
        f"Morris screening ({runs} runs): mu* (mean absolute elementary effect, with its 95 % "
        "bootstrap interval) and sigma (spread of the effects: non-linearity or interaction)."
    )


def sensitivity_table(folder: str | Path, method: str) -> pd.DataFrame:
    """Indices of :data:`experiments.figures.SENSITIVITY_OUTCOMES` for a Sobol or Morris sweep."""
    from experiments.figures import SENSITIVITY_OUTCOMES
    from experiments.sensitivity import analyse_sensitivity

    return analyse_sensitivity(folder, list(SENSITIVITY_OUTCOMES), method)


def _sensitivity_figure(folder: str | Path, kind: str) -> Figure:
    from experiments import figures

    table = sensitivity_table(folder, kind)
    return figures.sensitivity_indices(**{kind: table})


def _single_case(ok: pd.DataFrame) -> str | None:
    """The case's name when every run of a sweep ran one case file, else ``None``."""
    if "case" not in ok or ok["case"].isna().all() or ok["case"].nunique(dropna=False) != 1:
        return None
    from simulation.cases import load_case

    return load_case(str(ok["case"].iloc[0])).name


def _whose(name: str, start: bool = False) -> str:
    text = "the CSSI's" if name == "cssi" else f"the {name} case's"
    return text[0].upper() + text[1:] if start else text


def provenance_text(folder: str | Path) -> str:
    """Spec, seeds and code version behind a sweep, for a figure's caption file."""
    from experiments import storage

    manifest = storage.read_manifest(folder)
    spec = manifest["spec"]
    design = spec["design"]
    prov = manifest.get("provenance", {})
    git = prov.get("git") or {}
    factors = ", ".join(design.get("factors", {})) or f"{len(design.get('points', []))} points"
    runs = manifest.get("runs", {})
    lines = [
        f"sweep: {Path(folder).name} (spec {spec.get('name')!r}, {manifest.get('spec_hash')})",
        f"  {spec.get('description', '')}".rstrip(),
        f"design: {design['kind']} over {factors}; {runs.get('points')} points x "
        f"{spec.get('replicates', 1)} replicates = {runs.get('total')} runs; "
        f"{spec['steps']} weeks, measures every {spec.get('record_every', 1)} weeks; "
        f"scenario {spec.get('scenario', 'as designed')}; fixed {spec.get('fixed') or 'none'}",
        f"runs: {manifest.get('finished_runs')} finished, {manifest.get('failed_runs', 0)} of "
        f"them raised (figures leave those out); sweep status: {manifest.get('status')}",
        f"seeds: root SeedSequence entropy {manifest['seed']['entropy']}; run (point p, "
        "replicate r) seeded by SeedSequence(entropy, spawn_key=(p, r)) "
        "(`isohybrid run --from-sweep DIR --run-id pPPPP-rRR` re-runs one)",
        f"code that ran the sweep: isohybrid {prov.get('version')}, git "
        f"{git.get('commit', 'unknown')}{' (uncommitted changes)' if git.get('dirty') else ''}"
        f", Python {prov.get('python')}, "
        + ", ".join(f"{k} {v}" for k, v in sorted(prov.get("packages", {}).items())),
    ]
    from experiments.cases import caption_lines

    lines[3:3] = caption_lines(manifest)
    return "\n".join(lines)


def _drawing_text() -> str:
    from importlib import metadata

    import matplotlib

    from experiments.storage import provenance

    try:
        version = metadata.version("isohybrid")
    except metadata.PackageNotFoundError:
        version = "unknown"
    git = provenance().get("git") or {}
    dirty = " (uncommitted changes)" if git.get("dirty") else ""
    return (
        f"drawn by: isohybrid {version}, git {git.get('commit', 'unknown')}{dirty}, "
        f"matplotlib {matplotlib.__version__} (experiments/figures.py)"
    )


def write_figure(
    fig: Figure, stem: Path, shows: str, sources: Sequence[str | Path], formats: Sequence[str]
) -> list[Path]:
    """Save a figure and its caption file (``stem.txt``); return the paths written."""
    from experiments.style import save_figure

    paths = save_figure(fig, stem, formats)
    text = [f"{stem.name}: {shows}", ""]
    for source in sources:
        text += [provenance_text(source), ""]
    text.append(_drawing_text())
    caption = stem.with_name(f"{stem.name}.txt")
    caption.write_text("\n".join(text) + "\n", encoding="utf-8")
    return [*paths, caption]


def draw_figures(
    folder: str | Path,
    out: str | Path | None = None,
    *,
    only: Sequence[str] | None = None,
    formats: Sequence[str] = FORMATS,
    log: Callable[[str], None] | None = None,
) -> list[Path]:
    """Draw every figure a sweep supports (or those named in ``only``) with their captions.

    Args:
        folder: a sweep folder.
        out: folder for the figures (default: ``folder/figures``).
        only: figure stems to draw (see :func:`sweep_figures`); others are skipped.
        formats: file formats of each figure.
        log: called with a line per figure written.

    Returns:
        Paths written: for each figure, one file per format and the caption ``.txt``.

    Raises:
        ValueError: a stem of ``only`` that this sweep does not support.
    """
    folder = Path(folder)
    out = folder / "figures" if out is None else Path(out)
    jobs = sweep_figures(folder)
    if only is not None:
        known = {j.stem for j in jobs}
        missing = [s for s in only if s not in known]
        if missing:
            raise ValueError(
                f"figures {missing} are not supported by the sweep in {folder}; "
                f"allowed: {', '.join(sorted(known)) or 'none'}"
            )
        jobs = [j for j in jobs if j.stem in only]
    written: list[Path] = []
    for job in jobs:
        t0 = time.perf_counter()
        fig = job.draw()
        written += write_figure(fig, out / job.stem, job.shows, [folder], formats)
        if log is not None:
            log(f"  {out / job.stem}.{{{','.join(formats)}}} ({time.perf_counter() - t0:.1f} s)")
    return written


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
        log: called with one line per stage (None: silent).

    Returns:
        A :class:`Reproduction`.
    """
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
    figures_dir = out / f"figures{end}"
    t0 = time.perf_counter()
    written = _paper_figures(out, end, figures_dir, experiments, formats, say)
    record.seconds["figures"] = time.perf_counter() - t0
    record.figures = [str(p.relative_to(out)) for p in written]
    record.seconds["total"] = time.perf_counter() - started
    (out / f"reproduction{end}.json").write_text(
        json.dumps(record.as_dict(), indent=2) + "\n", encoding="utf-8"
    )
    say(f"reproduction done in {record.seconds['total']:.1f} s; figures in {figures_dir}")
    return record


def _paper_figures(
    out: Path,
    end: str,
    figures_dir: Path,
    experiments: Sequence[str],
    formats: Sequence[str],
    say: Callable[[str], None],
) -> list[Path]:
    from experiments import figures

    written: list[Path] = []
    for name, stems in PAPER_FIGURES.items():
        if name in experiments:
            say(f"figures of {name}{end}:")
            written += draw_figures(
                out / f"{name}{end}", figures_dir, only=stems, formats=formats, log=say
            )
    tables: dict[str, pd.DataFrame] = {}
    for method in ("sobol", "morris"):
        if method in experiments:
            folder = out / f"{method}{end}"
            tables[method] = sensitivity_table(folder, method)
            tables[method].to_csv(folder / "sensitivity.csv", index=False)
            written.append(folder / "sensitivity.csv")
    if tables:
        fig = figures.sensitivity_indices(**tables)
        shows = " ".join(_sensitivity_text(k, _manifest(out / f"{k}{end}")) for k in tables)
        sources = [out / f"{k}{end}" for k in tables]
        written += write_figure(fig, figures_dir / "sensitivity_indices", shows, sources, formats)
        say(f"  {figures_dir / 'sensitivity_indices'}.{{{','.join(formats)}}}")
    return written


def _manifest(folder: Path) -> dict[str, Any]:
    from experiments.storage import read_manifest

    return read_manifest(folder)


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
        choices=EXPERIMENTS,
        metavar="NAME",
        help=f"run only this experiment (repeat for several): {', '.join(EXPERIMENTS)}",
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
        experiments=tuple(args.only or EXPERIMENTS),
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
