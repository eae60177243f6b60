"""`isohybrid figures` and `isohybrid reproduce`: expected files, captions, resume, re-runs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import experiments
from experiments import drawing, figure_jobs, figures, replay, reproduce
from experiments.cli import main
from experiments.spec import Design, SweepSpec
from experiments.sweep import run_sweep

FORMATS = ("pdf", "png", "txt")


@pytest.fixture(scope="module")
def cssi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "cssi"
    spec = SweepSpec(
        name="repro-cssi",
        scenario="cssi",
        seed=21,
        steps=20,
        record_every=4,
        replicates=2,
        design=Design.grid(pooling_intensity=[0.1, 0.5, 1.0], identity_strength=[0.5, 0.9]),
    )
    run_sweep(spec, out, executor="serial", progress=False)
    return out


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_figures_command_draws_every_supported_figure_with_a_caption(
    cssi: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["figures", str(cssi)]) == 0
    stems = [
        "regime_map_identity_strength",
        "trajectories",
        "access_diversity",
        "cssi_network",
        "cssi_practice_space",
    ]
    assert _files(cssi / "figures") == {f"{s}.{ext}" for s in stems for ext in FORMATS}
    printed = capsys.readouterr().out.split()
    assert len(printed) == len(stems) * len(FORMATS)
    manifest = experiments.read_manifest(cssi)
    caption = (cssi / "figures" / "regime_map_identity_strength.txt").read_text()
    assert manifest["spec_hash"] in caption
    assert "root SeedSequence entropy 21" in caption
    assert "isohybrid" in caption
    assert "drawn by: isohybrid" in caption
    git = manifest["provenance"]["git"]
    if git:
        assert git["commit"] in caption


def test_figures_command_lists_and_selects_figures(
    cssi: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["figures", str(cssi), "--list"]) == 0
    listed = [line.split(":")[0] for line in capsys.readouterr().out.splitlines()]
    assert "regime_map_identity_strength" in listed
    out = tmp_path / "only"
    code = main(["figures", str(cssi), "--out", str(out), "--only", "trajectories"])
    assert code == 0
    assert _files(out) == {f"trajectories.{ext}" for ext in FORMATS}


def test_an_unsupported_figure_is_refused_with_the_allowed_names(cssi: Path) -> None:
    with pytest.raises(ValueError, match=r"helpline_time_course.*allowed: access_diversity"):
        drawing.draw_figures(cssi, only=["helpline_time_course"])


def test_a_new_figure_is_one_function_and_one_registry_line(
    cssi: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def end_states_job(sweep: figure_jobs.Sweep) -> figure_jobs.FigureJob | None:
        if "identity_strength" not in sweep.varying:
            return None
        return figure_jobs.FigureJob(
            "end_states",
            "Regimes by identity strength.",
            lambda: figures.regime_map(sweep.ok, x="identity_strength", y="pooling_intensity"),
        )

    monkeypatch.setattr(figure_jobs, "FIGURE_JOBS", (*figure_jobs.FIGURE_JOBS, end_states_job))
    assert [job.stem for job in figure_jobs.sweep_figures(cssi)][-1] == "end_states"
    written = drawing.draw_figures(cssi, tmp_path, only=["end_states"], formats=("png",))
    assert [p.name for p in written] == ["end_states.png", "end_states.txt"]
    assert "Regimes by identity strength." in (tmp_path / "end_states.txt").read_text()


def test_the_registry_names_each_experiment_once_with_its_spec() -> None:
    names = [e.name for e in reproduce.REGISTRY]
    assert len(set(names)) == len(names) == len(reproduce.EXPERIMENTS)
    assert {e.sensitivity for e in reproduce.REGISTRY} - {None} == {"sobol", "morris"}


def test_the_model_free_check_is_drawn_from_its_experiment(tmp_path: Path) -> None:
    assert "two_classifiers" in reproduce.PAPER_FIGURES["two_classifiers"]
    spec = reproduce.experiment_spec("two_classifiers", quick=True)
    tiny = SweepSpec(
        name=spec.name,
        scenario=spec.scenario,
        seed=spec.seed,
        steps=8,
        record_every=4,
        replicates=2,
        design=Design.grid(pooling_intensity=[0.0, 1.0]),
    )
    run_sweep(tiny, tmp_path / "sweep", executor="serial", progress=False)
    written = drawing.draw_paper_figures(
        {tmp_path / "sweep": reproduce.PAPER_FIGURES["two_classifiers"]},
        {},
        tmp_path / "figures",
        ("png",),
        lambda _line: None,
    )
    assert {p.name for p in written} == {"two_classifiers.png", "two_classifiers.txt"}
    assert "regime rule" in (tmp_path / "figures" / "two_classifiers.txt").read_text()


def test_a_replayed_run_ends_where_the_stored_run_ended(cssi: Path) -> None:
    summary = experiments.load_summary(cssi).set_index("run_id")
    weeks: list[int] = []
    model = replay.replay(cssi, "p0003-r01", lambda m: weeks.append(int(m.steps)))
    assert weeks == [0, 4, 8, 12, 16, 20]
    stored = summary.loc["p0003-r01"]
    now = model.measures()
    for name in ("centroid_gap_ratio", "crossing", "public_access"):
        assert now[name] == stored[name]
    before, after = replay.run_snapshots(cssi, "p0003-r01")
    assert (before.week, after.week) == (0, 20)
    assert (after.practices == model.practices).all()


def test_built_in_specs_are_valid_and_have_quick_variants() -> None:
    for name in reproduce.EXPERIMENTS:
        full = reproduce.experiment_spec(name)
        quick = reproduce.experiment_spec(name, quick=True)
        assert quick.name == f"{name}-quick"
        assert quick.n_runs * quick.steps < full.n_runs * full.steps
    morris = reproduce.experiment_spec("morris")
    assert morris.design.kind == "morris"
    assert set(morris.design.factors) == set(reproduce.experiment_spec("sobol").design.factors)


@pytest.mark.slow
def test_reproduce_quick_writes_every_expected_file_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "results"
    assert main(["reproduce", "--quick", "--out", str(out), "--no-progress"]) == 0
    sweeps = [f"{name}-quick" for name in reproduce.EXPERIMENTS]
    calibrations = [f"calibration-{case}-quick" for case in reproduce.CALIBRATIONS]
    assert _files(out) == {*sweeps, *calibrations, "figures-quick", "reproduction-quick.json"}
    for sweep in sweeps:
        names = _files(out / sweep)
        assert {"manifest.json", "spec.toml", "design.parquet", "shards"} <= names
        assert {"runs.parquet", "summary.parquet"} <= names
        summary = pd.read_parquet(out / sweep / "summary.parquet")
        assert (summary["status"] == "ok").all()
    for method in ("sobol", "morris"):
        table = pd.read_csv(out / f"{method}-quick" / "sensitivity.csv")
        assert set(table["outcome"]) == {
            "centroid_gap_ratio",
            "crossing",
            "public_access",
        }
    stems = [s for stems in reproduce.PAPER_FIGURES.values() for s in stems]
    stems.append("sensitivity_indices")
    for case in reproduce.CALIBRATIONS:
        stems += [f"{case}_{s}" for s in ("posterior_marginals", "posterior_pairs")]
        stems.append(f"{case}_predictive_check")
    stems.append("cssi_open_question")
    assert _files(out / "figures-quick") == {f"{s}.{ext}" for s in stems for ext in FORMATS}
    for path in (out / "figures-quick").iterdir():
        assert path.stat().st_size > 0
    record = json.loads((out / "reproduction-quick.json").read_text())
    assert record["quick"] is True
    assert {s["run_now"] for s in record["sweeps"].values()} != {0}
    first = (out / "figures-quick" / "regime_map_identity_strength.png").read_bytes()

    # the same command again: every run is already done, the figures come out the same
    assert main(["reproduce", "--quick", "--out", str(out), "--no-progress"]) == 0
    record = json.loads((out / "reproduction-quick.json").read_text())
    assert {s["run_now"] for s in record["sweeps"].values()} == {0}
    assert (out / "figures-quick" / "regime_map_identity_strength.png").read_bytes() == first
