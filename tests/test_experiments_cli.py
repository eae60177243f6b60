"""The isohybrid command line: help everywhere, run, sweep, status, sensitivity, plugins."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import types
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
import pytest

import experiments
from experiments import cli
from experiments.progress import Progress
from experiments.runner import run_one
from experiments.sensitivity import METHODS
from experiments.spec import Design, SweepSpec
from simulation.model import default_parameters

SPEC = SweepSpec(
    name="cli",
    scenario="cssi",
    seed=5,
    replicates=2,
    steps=6,
    record_every=3,
    design=Design.grid(pooling_intensity=[0.1, 0.5, 0.9]),
)


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("spec") / "cli.toml"
    path.write_text(SPEC.to_toml())
    return path


@pytest.fixture(scope="module")
def swept(spec_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("swept") / "out"
    code = cli.main(
        [
            "sweep",
            str(spec_file),
            "--out",
            str(out),
            "--executor",
            "serial",
            "--no-progress",
            "--csv",
        ]
    )
    assert code == 0
    return out


@pytest.mark.parametrize("command", [None, *cli.COMMANDS])
def test_help_everywhere(command, capsys):
    argv = ["--help"] if command is None else [command, "--help"]
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert "usage: isohybrid" in text
    if command is None:
        for name in ("run", "sweep", "status", "sensitivity", "dashboard", "classic"):
            assert name in text


def test_sweep_help_lists_executors_and_scheduler(capsys):
    with pytest.raises(SystemExit):
        cli.main(["sweep", "--help"])
    text = capsys.readouterr().out
    for word in ("--out", "--executor", "serial", "process", "dask", "--workers", "--scheduler"):
        assert word in text


def test_entry_point_module_runs():
    result = subprocess.run(
        [sys.executable, "-m", "experiments.cli", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "isohybrid" in result.stdout


def test_run_prints_the_final_state_of_the_same_run_as_run_one(capsys):
    code = cli.main(
        [
            "run",
            "--steps",
            "8",
            "--record-every",
            "2",
            "--seed",
            "4",
            "--pooling-intensity",
            "0.8",
            "--no-progress",
            "--json",
        ]
    )
    assert code == 0
    final = json.loads(capsys.readouterr().out)
    params = dict(default_parameters(), pooling_intensity=0.8)
    expected = run_one(params, 4, (), 8, 2).iloc[-1]
    assert final["step"] == 8
    assert final["regime"] == expected["regime"]
    assert final["crossing"] == pytest.approx(expected["crossing"], abs=0)


def test_run_prints_a_readable_summary_and_writes_the_series(tmp_path, capsys):
    out = tmp_path / "series.csv"
    assert (
        cli.main(
            ["run", "--steps", "5", "--scenario", "helpline", "--no-progress", "--out", str(out)]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "final regime:" in text
    assert "'scenario': 'helpline'" in text
    assert pd.read_csv(out)["step"].tolist() == [0, 4, 5]


def test_run_lists_parameters_with_defaults(capsys):
    assert cli.main(["run", "--params"]) == 0
    text = capsys.readouterr().out
    assert "pooling_intensity" in text
    assert repr(default_parameters()["identity_strength"]) in text


def test_run_rejects_an_out_of_range_parameter(capsys):
    assert cli.main(["run", "--steps", "2", "--identity-strength", "1.5", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "'identity_strength' = 1.5" in err


def test_sweep_writes_tables_and_csv(swept):
    assert (swept / "runs.parquet").is_file()
    assert (swept / "csv" / "runs.csv").is_file()
    assert len(experiments.load_summary(swept)) == SPEC.n_runs


def test_sweep_again_resumes_with_nothing_to_do(spec_file, swept, capsys):
    assert (
        cli.main(
            ["sweep", str(spec_file), "--out", str(swept), "--executor", "serial", "--no-progress"]
        )
        == 0
    )
    assert "6 already done, 0 run now" in capsys.readouterr().out


def test_sweep_with_a_bad_spec_exits_2_naming_the_key(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(SPEC.to_toml().replace("replicates = 2", "replicates = 0"))
    assert cli.main(["sweep", str(bad), "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "'replicates' = 0" in err
    assert not (tmp_path / "o").exists()


def test_status_reports_counts(swept, capsys):
    assert cli.main(["status", str(swept)]) == 0
    assert "6/6 finished (6 ok, 0 raised)" in capsys.readouterr().out
    assert cli.main(["status", str(swept), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["remaining"] == 0


def test_status_of_a_folder_that_is_not_a_sweep(tmp_path, capsys):
    assert cli.main(["status", str(tmp_path)]) == 1
    assert "not a sweep folder" in capsys.readouterr().err
    with pytest.raises(experiments.SweepFolderError):
        cli.main(["--traceback", "status", str(tmp_path)])


def test_rerun_one_run_of_a_sweep(swept, capsys):
    assert cli.main(["run", "--from-sweep", str(swept), "--run-id", "p0002-r01"]) == 0
    assert "identical to the stored shard" in capsys.readouterr().out


def test_sensitivity_prints_and_writes_indices(swept, capsys):
    code = cli.main(
        ["sensitivity", str(swept), "--outcome", "collaboration_level", "--resamples", "20"]
    )
    assert code == 0
    assert "pooling_intensity" in capsys.readouterr().out
    table = pd.read_csv(swept / "sensitivity.csv")
    assert table.loc[0, "S1"] == pytest.approx(1.0)
    assert cli.SENSITIVITY_METHODS == METHODS


def test_export_writes_csv(swept, capsys):
    assert cli.main(["export", str(swept)]) == 0
    paths = capsys.readouterr().out.split()
    assert [Path(p).name for p in paths] == ["runs.csv", "summary.csv"]


def test_dashboard_serves_the_app_with_solara(monkeypatch, capsys):
    import experiments.dashboard as dashboard

    calls = []

    class FakePopen:
        def __init__(self, command, env, **kwargs):
            calls.append((command, env))

        def wait(self, timeout=None):
            return 0

        def poll(self):
            return 0

    monkeypatch.setattr(dashboard, "ensure_front_end", lambda: [])
    monkeypatch.setattr(dashboard.subprocess, "Popen", FakePopen)
    assert cli.main(["dashboard", "--host", "0.0.0.0", "--port", "9001"]) == 0
    assert "has no authentication" in capsys.readouterr().err
    [(command, env)] = calls
    assert command == [
        sys.executable,
        "-m",
        "solara",
        "run",
        "simulation.dashboard",
        "--host",
        "0.0.0.0",
        "--port",
        "9001",
        "--production",
        "--no-open",
    ]
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert "SOLARA_ASSETS_PROXY_CACHE_DIR" in env


def test_dashboard_fetches_missing_front_end_packages_with_npm(monkeypatch, tmp_path):
    import experiments.dashboard as dashboard

    packages = dashboard.front_end_packages()
    assert any(p.startswith("requirejs@") for p in packages)
    monkeypatch.setattr(dashboard.shutil, "which", lambda name: None)
    with pytest.raises(dashboard.FrontEndUnavailable, match="npm"):
        dashboard.ensure_front_end(tmp_path)
    for package in packages:  # a complete cache needs nothing
        (tmp_path / package).mkdir(parents=True)
        (tmp_path / package / "package.json").write_text("{}")
    assert dashboard.ensure_front_end(tmp_path) == []


@dataclass
class FakeResult:
    kwargs: dict

    def as_dict(self):
        return asdict(self)


def test_classic_passes_options_as_keywords(monkeypatch, capsys):
    fake = types.ModuleType("simulation.classic")
    fake.axelrod = lambda **kwargs: FakeResult(kwargs)
    monkeypatch.setitem(sys.modules, "simulation.classic", fake)
    code = cli.main(
        ["classic", "axelrod", "--n-agents", "50", "--mu=0.3", "--name", "grid", "--verbose"]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"kwargs": {"n_agents": 50, "mu": 0.3, "name": "grid", "verbose": True}}


def test_classic_rejects_an_unknown_model(capsys):
    with pytest.raises(SystemExit):
        cli.main(["classic", "schelling"])
    assert "invalid choice" in capsys.readouterr().err


def test_parse_options_reads_literals():
    assert cli.parse_options(["--a", "1", "--b=2.5", "--c", "none", "--d", "False"]) == {
        "a": 1,
        "b": 2.5,
        "c": None,
        "d": False,
    }
    with pytest.raises(cli.UsageError, match="expected --key value"):
        cli.parse_options(["a", "1"])


def test_a_new_subcommand_is_one_register_call(monkeypatch, capsys):
    monkeypatch.setattr(cli, "COMMANDS", dict(cli.COMMANDS))
    cli.register(
        "hello",
        "say hello",
        lambda p: p.add_argument("--who", default="world"),
        lambda args: print(f"hello {args.who}") or 0,
    )
    assert cli.main(["hello", "--who", "CSSI"]) == 0
    assert capsys.readouterr().out == "hello CSSI\n"


def test_progress_in_a_log_prints_plain_lines_with_an_eta():
    stream = io.StringIO()
    with Progress(4, "sweep x", stream=stream, interval=0) as bar:
        for _ in range(4):
            bar.update()
    text = stream.getvalue()
    lines = text.splitlines()
    assert len(lines) == 4
    assert lines[-1].startswith("sweep x: 4/4 runs (100%)")
    assert all("ETA" in line for line in lines)
    assert "\r" not in text
    quiet = io.StringIO()
    with Progress(4, "sweep x", stream=quiet, enabled=False) as bar:
        bar.update(4)
    assert quiet.getvalue() == ""
