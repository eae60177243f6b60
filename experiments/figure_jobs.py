"""Which figures a finished sweep supports: the registry of figure jobs.

Each entry of :data:`FIGURE_JOBS` is a small function that looks at a :class:`Sweep` (its
design, scenario and finished runs) and returns a :class:`FigureJob` (the file stem, the
caption's sentence, and how to draw the figure from the sweep's tables) or ``None`` when the
sweep does not support that figure. Nothing is drawn until a job's ``draw`` is called
(:mod:`experiments.drawing` draws them to files).

To add a figure: write the pure function in its family's module of :mod:`experiments.figures`,
then one job function here and one line in :data:`FIGURE_JOBS`.

Why one module: it is the registry itself, a flat list of short, independent job functions
(one per figure) next to the tuple that orders them; splitting it by family would scatter the
one place that says which figures a sweep can give.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from experiments import figures, storage
from experiments.replay import MAX_DRIFT_REPLICATES, drift_table, run_snapshots

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from experiments.snapshot import Snapshot

REFERENCE_POINT: Mapping[str, float] = {"pooling_intensity": 0.5, "identity_strength": 0.5}
"""The design point whose first replicate stands for a sweep in the state figures (the level
nearest each target): mid collaboration, the default identity strength."""


@dataclass(frozen=True)
class FigureJob:
    """One figure a sweep supports: its file stem, what it shows, and how to draw it."""

    stem: str
    shows: str
    draw: Callable[[], Figure]


@dataclass(frozen=True)
class Sweep:
    """What the figure jobs read of a finished sweep.

    Attributes:
        folder: the sweep folder.
        manifest: its manifest.
        summary: one row per run (every run, finished or not).
        ok: the runs that finished without error.
        design: the design points.
    """

    folder: Path
    manifest: Mapping[str, Any]
    summary: pd.DataFrame
    ok: pd.DataFrame
    design: pd.DataFrame
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def open(cls, folder: str | Path) -> Sweep:
        """Read a sweep's manifest, summary and design."""
        folder = Path(folder)
        summary = storage.load_summary(folder)
        ok = summary[summary["status"] == "ok"]
        design = storage.load_design(folder) if not ok.empty else pd.DataFrame()
        return cls(folder, storage.read_manifest(folder), summary, ok, design)

    @property
    def kind(self) -> str:
        """The design's kind (``grid``, ``table``, ``sobol``, ``morris``...)."""
        return self.manifest["spec"]["design"]["kind"]

    @property
    def varying(self) -> list[str]:
        """Design columns that take more than one value."""
        d = self.design
        return [c for c in d.columns if d[c].nunique(dropna=True) > 1]

    @property
    def scenario(self) -> str | None:
        """The scenario of every finished run, or None if they differ (or ran a case file)."""
        if self.case is not None:
            return self.case if self.case in ("cssi", "helpline") else None
        return str(self.ok["scenario"].iloc[0]) if self.ok["scenario"].nunique() == 1 else None

    @property
    def case(self) -> str | None:
        """The case's name when every finished run ran one case file (``case=``), else None."""
        ok = self.ok
        if "case" not in ok or ok["case"].isna().all() or ok["case"].nunique(dropna=False) != 1:
            return None
        from simulation.cases import load_case

        return load_case(str(ok["case"].iloc[0])).name

    @property
    def replicates(self) -> int:
        """Replicates per design point."""
        return int(self.summary["replicate"].max()) + 1

    def tidy(self) -> pd.DataFrame:
        """The sweep's tidy table (read on each call: only figures over time need it)."""
        return storage.load(self.folder)

    def held(self, names: Iterable[str]) -> dict[str, float]:
        """Targets for factors held fixed in a figure: the reference point, else the default."""
        from simulation.model import default_parameters

        defaults = default_parameters()
        out = {}
        for name in names:
            if name in self.design.columns and self.design[name].nunique() > 1:
                target = REFERENCE_POINT.get(name, defaults.get(name))
                if isinstance(target, int | float):
                    out[name] = float(target)
        return out

    def reference_run(self) -> tuple[str, pd.Series]:
        """The run that stands for the sweep in the state figures, and its summary row."""
        reference = figures.select(self.ok, self.held(REFERENCE_POINT))
        run_id = str(reference.sort_values(["point", "replicate"])["run_id"].iloc[0])
        return run_id, self.ok.set_index("run_id").loc[run_id]

    def reference_snapshots(self) -> tuple[Snapshot, Snapshot]:
        """The reference run's state at week 0 and at its end (re-run once, then kept)."""
        if "snapshots" not in self._cache:
            self._cache["snapshots"] = run_snapshots(self.folder, self.reference_run()[0])
        return self._cache["snapshots"]


# --- the jobs, one per figure ------------------------------------------------------------------


def regime_map_job(s: Sweep) -> FigureJob | None:
    """A grid over pooling intensity and another factor (a third gives panels): regime map."""
    if not (s.kind == "grid" and "pooling_intensity" in s.varying and len(s.varying) >= 2):
        return None
    others = [v for v in s.varying if v != "pooling_intensity"]
    y = next((f for f in ("identity_strength", "sector_mix") if f in others), others[0])
    col = next((f for f in others if f != y), None)
    rest = s.held([f for f in others if f not in (y, col)])
    data = figures.select(s.ok, rest)
    return FigureJob(
        f"regime_map_{y}",
        f"Regime map: share of runs ending in each regime (stacked, bottom to top: "
        f"persistence, compression, hybridisation, isomorphism, fragmentation) by pooling "
        f"intensity and {y.replace('_', ' ')}"
        + (f", one panel per {col.replace('_', ' ')}" if col else "")
        + f"; {s.replicates} runs per cell"
        + _held(rest)
        + ".",
        lambda: figures.regime_map(data, y=y, col=col),
    )


def trajectories_job(s: Sweep) -> FigureJob | None:
    """Pooling intensity varies: measures over time at the article's three levels."""
    if not (s.kind in ("grid", "table") and "pooling_intensity" in s.varying):
        return None
    fixed = s.held([v for v in s.varying if v != "pooling_intensity"])
    levels = [
        figures.nearest_level(s.ok["pooling_intensity"], t) for t in figures.POOLING_REFERENCE
    ]
    return FigureJob(
        "trajectories",
        "Measures over time at pooling intensities "
        + ", ".join(f"{v:g}" for v in dict.fromkeys(levels))
        + f" (co-presence, collaboration, common work): mean over {s.replicates} replicates "
        "with the 95 % confidence band of the mean (Student's t)" + _held(fixed) + ".",
        lambda: figures.trajectories(s.tidy(), fixed=fixed),
    )


def access_diversity_job(s: Sweep) -> FigureJob | None:
    """Three or more pooling intensities: public access and diversity against pooling."""
    if not (s.kind in ("grid", "table") and "pooling_intensity" in s.varying):
        return None
    if s.ok["pooling_intensity"].nunique() < 3:
        return None
    fixed = s.held([v for v in s.varying if v != "pooling_intensity"])
    return FigureJob(
        "access_diversity",
        "Public access (share of beneficiaries who find a fitting practice at "
        "their site) and practice diversity (mean gap between workers) at the "
        "end of the runs against pooling intensity (levels "
        f"{_levels_text(s.ok['pooling_intensity'])}): mean and 95 % confidence band "
        f"over {s.replicates} replicates; shaded: pooling intensities at which most runs "
        "end in hybridisation" + _held(fixed) + ".",
        lambda: figures.access_diversity(s.ok, fixed=fixed),
    )


def _whose(s: Sweep, start: bool = False) -> str:
    name = s.case or "cssi"
    text = "the CSSI's" if name == "cssi" else f"the {name} case's"
    return text[0].upper() + text[1:] if start else text


def cssi_network_job(s: Sweep) -> FigureJob | None:
    """A CSSI sweep (or one of a case file): the network of its reference run before and after."""
    if not ((s.scenario == "cssi" or s.case is not None) and s.kind in ("grid", "table")):
        return None
    run_id, row = s.reference_run()
    return FigureJob(
        f"{s.case or 'cssi'}_network",
        f"{_whose(s, start=True)} workers at week 0 and week {int(row['step'])} of run {run_id} "
        f"({_where(s, row)}), re-run from its stored seed: colour and marker = association; "
        "grey = colleague ties; black = collaboration ties (width = strength).",
        lambda: figures.network_before_after(*s.reference_snapshots()),
    )


def cssi_practice_space_job(s: Sweep) -> FigureJob | None:
    """A CSSI sweep (or one of a case file): its reference run's practices before and after."""
    if not ((s.scenario == "cssi" or s.case is not None) and s.kind in ("grid", "table")):
        return None
    run_id, row = s.reference_run()
    return FigureJob(
        f"{s.case or 'cssi'}_practice_space",
        f"Practices of {_whose(s)} workers at week 0 and week {int(row['step'])} of run "
        f"{run_id} ({_where(s, row)}) on the first two principal components of both states; "
        "large markers = association centroids; hollow = week-0 centroids.",
        lambda: figures.practice_space(*s.reference_snapshots()),
    )


def helpline_job(s: Sweep) -> FigureJob | None:
    """A helpline sweep: its time course, one line per meeting frequency."""
    if not (s.scenario == "helpline" and s.ok["step"].max() > 0):
        return None
    fixed = {"decentralise_at": 26}
    panels = "intervision_attendance" if "intervision_attendance" in s.varying else None
    by = "intervision_every" if "intervision_every" in s.varying else "decentralise_at"
    return FigureJob(
        "helpline_time_course",
        "The helpline: distance between the services' mean practices (share of the "
        "week-0 distance) over time; shaded: the lockdown room (centralised phase); "
        "dashed: decentralisation; ticks: weeks of peer meetings; mean and 95 % band "
        f"over {s.replicates} replicates; decentralisation at the week nearest 26"
        + ("; panels: meeting attendance nearest 30 % and 100 %" if panels else "")
        + ".",
        lambda: figures.helpline_time_course(s.tidy(), by=by, panels=panels, fixed=fixed),
    )


def sanitarisation_job(s: Sweep) -> FigureJob | None:
    """Asymmetry varies (CSSI or landscape): the sectors' drift, re-run from the seeds."""
    if not ("asymmetry" in s.varying and s.scenario in ("cssi", "landscape")):
        return None
    reps = min(s.replicates, MAX_DRIFT_REPLICATES)
    return FigureJob(
        "sanitarisation",
        "Mean practice of the social and of the health workers along the line from "
        "the initial social centroid (0) to the initial health centroid (1), without "
        "and with asymmetric influence; mean and 95 % band over "
        f"{reps} replicates re-run from their stored seeds.",
        lambda: figures.sanitarisation(drift_table(s.folder)),
    )


def sensitivity_job(s: Sweep) -> FigureJob | None:
    """A Sobol or Morris design: the sensitivity indices of the end-state outcomes."""
    if s.kind not in ("sobol", "morris"):
        return None
    return FigureJob(
        "sensitivity_indices",
        sensitivity_text(s.kind, s.manifest),
        lambda: figures.sensitivity_indices(**{s.kind: sensitivity_table(s.folder, s.kind)}),
    )


def _robustness_sweep(s: Sweep) -> str:
    """The robustness sweep's name (``experiments.robustness.SPECS``), or ``""``."""
    return str(s.manifest["spec"].get("name", "")).removesuffix("-quick")


def regime_boundaries_job(s: Sweep) -> FigureJob | None:
    """The boundaries sweep: regime shares along pooling intensity with bootstrap intervals."""
    if _robustness_sweep(s) != "regime_boundaries":
        return None
    from experiments import robustness

    return FigureJob(
        "regime_boundaries",
        f"Share of the CSSI's runs ending in each regime along pooling intensity "
        f"({s.replicates} seeds per level); vertical lines: where a regime first holds the "
        "majority, grey bands: its 95 % bootstrap interval over seeds.",
        lambda: figures.regime_boundaries(s.ok, robustness.boundaries_table(s.ok)),
    )


def robustness_perturbations_job(s: Sweep) -> FigureJob | None:
    """The one-at-a-time sweep: which perturbations keep the default's regime."""
    if _robustness_sweep(s) != "robustness_oat":
        return None
    from experiments import robustness

    return FigureJob(
        "robustness_perturbations",
        "Share of the CSSI's runs at pooling intensity 0.5 ending in the default's regime when "
        "one assumption is set to an end of its range (the others at their defaults); bar "
        f"colour: the regime then most common; line: the default ({s.replicates} seeds each).",
        lambda: figures.robustness_perturbations(robustness.oat_table(s.ok)),
    )


def morris_regimes_job(s: Sweep) -> FigureJob | None:
    """The Morris sweep over the assumptions: mu* on each regime's probability."""
    if _robustness_sweep(s) != "robustness_morris":
        return None
    from experiments import robustness

    return FigureJob(
        "morris_regimes",
        "Morris elementary effects (mu*, bars; sigma, ticks) of every assumption, switches and "
        "structural choices included, on the probability of each regime of the CSSI at "
        f"pooling intensity 0.5 ({s.replicates} seeds per point).",
        lambda: figures.morris_regimes(robustness.morris_table(s.ok)),
    )


def sobol_regimes_job(s: Sweep) -> FigureJob | None:
    """The Sobol sweep over the assumptions: S1 and ST on each regime's probability."""
    if _robustness_sweep(s) != "robustness_sobol" or s.kind != "sobol":
        return None
    from experiments.sobol_regimes import NUM_RESAMPLES, sobol_regimes_table

    base = int(s.manifest["spec"]["design"]["samples"])
    factors = len(s.manifest["spec"]["design"]["factors"])
    resamples = NUM_RESAMPLES if base >= 16 else 100
    return FigureJob(
        "sobol_regimes",
        "Sobol first-order (S1) and total (ST) indices of every assumption acting on the CSSI, "
        "switches, layout and integer structure included (read from the unit interval by "
        "equal-width bins), on the probability of each regime at pooling intensity 0.5: the "
        f"share of {s.replicates} seeds per point ending in it; Saltelli scheme, base sample "
        f"{base}, {factors} factors, {len(s.design)} points; whiskers: 95 % bootstrap "
        f"intervals ({resamples} resamples); dashed: the share of the variance of the probability "
        "that is noise of the seeds, which every ST includes; the 14 factors with the largest "
        "ST on any regime.",
        lambda: figures.sobol_regimes(sobol_regimes_table(s.folder, num_resamples=resamples)),
    )


def two_classifiers_job(s: Sweep) -> FigureJob | None:
    """The two-classifiers sweep: the regime rule against the model-free mixtures."""
    if _robustness_sweep(s) != "two_classifiers":
        return None
    from experiments.classifiers import sweep_table

    return FigureJob(
        "two_classifiers",
        "Share of the CSSI's runs in each regime along pooling intensity under the regime rule "
        "(judged against null twins, top) and under Gaussian mixtures with BIC on the final "
        "practices, which know nothing of the rules (middle); bottom: share of runs in which "
        "both agree on whether the associations are still told apart "
        f"({s.replicates} seeds per level, re-run from their stored seeds).",
        lambda: figures.two_classifiers(sweep_table(s.folder)),
    )


def _prim_job(s: Sweep, regime: str) -> FigureJob | None:
    """A Latin hypercube whose points end in ``regime`` (most often) at least once: PRIM."""
    if s.kind != "lhs" or "regime" not in s.ok or len(s.varying) < 2:
        return None
    from experiments.discover import DENSITY, discover, modal_regimes

    if not (modal_regimes(s.ok)["modal_regime"] == regime).any():
        return FigureJob(
            f"prim_{regime}",
            f"Scenario discovery (PRIM): no design point ends most often in {regime}.",
            lambda: figures.no_box(regime, len(s.design)),
        )
    return FigureJob(
        f"prim_{regime}",
        f"Scenario discovery (PRIM) over the sweep's {len(s.design)} design points: the "
        f"peeling trajectory of the box where {regime} is the most common end regime, from "
        f"the whole design to the densest box; circled, the box of highest coverage with "
        f"density at least {DENSITY:g}, its limits listed (also in discovery-{regime}.csv).",
        lambda: figures.peeling_trajectory(discover(s.folder, regime)),
    )


def prim_hybridisation_job(s: Sweep) -> FigureJob | None:
    """A Latin hypercube: where hybridisation is the most likely regime (PRIM)."""
    return _prim_job(s, "hybridisation")


def prim_isomorphism_job(s: Sweep) -> FigureJob | None:
    """A Latin hypercube: where isomorphism is the most likely regime (PRIM)."""
    return _prim_job(s, "isomorphism")


FIGURE_JOBS: tuple[Callable[[Sweep], FigureJob | None], ...] = (
    regime_map_job,
    trajectories_job,
    access_diversity_job,
    cssi_network_job,
    cssi_practice_space_job,
    helpline_job,
    sanitarisation_job,
    sensitivity_job,
    regime_boundaries_job,
    robustness_perturbations_job,
    morris_regimes_job,
    sobol_regimes_job,
    two_classifiers_job,
    prim_hybridisation_job,
    prim_isomorphism_job,
)
"""Every figure a sweep may support, in the order they are drawn."""


# --- captions' pieces --------------------------------------------------------------------------


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


def _where(s: Sweep, row: pd.Series) -> str:
    return ", ".join(f"{f} {_value(row[f])}" for f in s.varying) or "the spec's parameters"


def sensitivity_text(kind: str, manifest: Mapping[str, Any]) -> str:
    """The caption's sentence of a Sobol or Morris figure."""
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
    from experiments.sensitivity import analyse_sensitivity

    return analyse_sensitivity(folder, list(figures.SENSITIVITY_OUTCOMES), method)


def sweep_figures(folder: str | Path) -> list[FigureJob]:
    """Every figure a finished sweep supports (nothing is drawn until a job's ``draw``).

    A grid over ``pooling_intensity`` and another factor gives a regime map (a third factor
    gives its panels); varying ``pooling_intensity`` gives trajectories and the access and
    diversity figure; a CSSI sweep gives the network and practice space of its reference run;
    a helpline sweep its time course; varying ``asymmetry`` the sanitarisation figure; a Sobol
    or Morris design the sensitivity indices (see :data:`FIGURE_JOBS`).
    """
    sweep = Sweep.open(folder)
    if sweep.ok.empty:
        return []
    return [job for make in FIGURE_JOBS if (job := make(sweep)) is not None]
