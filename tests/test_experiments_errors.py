"""Bad inputs get one clean line: budgets, option ranges, files, run ids, sensitivity inputs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

import experiments
from experiments import cli, storage
from experiments.plan import BudgetError, Plan, check_budget
from experiments.spec import Design, SweepSpec
from experiments.sweep import run_sweep

ROOT = Path(__file__).resolve().parent.parent
SPEC = SweepSpec(
    name="errors",
    scenario="cssi",
    seed=8,
    replicates=2,
    steps=6,
    record_every=3,
    design=Design.grid(pooling_intensity=[0.1, 0.5, 0.9]),
)


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("spec") / "errors.toml"
    path.write_text(SPEC.to_toml())
    return path


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    out = tmp_path_factory.mktemp("swept") / "out"
    run_sweep(SPEC, out, executor="serial", progress=False)
    return out


def one_line_error(capsys, command: str) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"isohybrid {command}: error: "), err
    assert "Traceback" not in err
    return lines[0]


# --- budget and lazy plan --------------------------------------------------------------------


def huge(points: int, replicates: int) -> SweepSpec:
    return SweepSpec(
        design=Design(
            "grid",
            factors={
                "pooling_intensity": {"low": 0.0, "high": 1.0, "num": points // 100},
                "identity_strength": {"low": 0.0, "high": 1.0, "num": 100},
            },
        ),
        replicates=replicates,
        steps=2,
    )


def test_a_sweep_over_the_budget_is_refused_naming_both_factors_the_total_and_the_limit():
    spec = huge(10_000, 100_000)
    with pytest.raises(BudgetError) as info:
        check_budget(spec)
    text = str(info.value)
    for part in ("10,000 design points", "100,000 replicates", "1,000,000,000 runs", "1,000,000"):
        assert part in text
    assert "--max-runs" in text
    assert check_budget(spec, max_runs=10**9) == 10**9


def test_the_cli_refuses_an_oversized_sweep_before_creating_anything(tmp_path, capsys):
    path = tmp_path / "huge.toml"
    path.write_text(huge(10_000, 100_000).to_toml())
    out = tmp_path / "out"
    assert cli.main(["sweep", str(path), "--out", str(out), "--no-progress"]) == 2
    assert "over the limit of 1,000,000 runs" in one_line_error(capsys, "sweep")
    assert not out.exists()


def test_planning_is_lazy_so_memory_is_flat_in_the_number_of_runs():
    def peak(replicates: int) -> int:
        tracemalloc.start()
        the_plan = Plan(huge(1_000, replicates))
        tasks = iter(the_plan)
        for _ in range(2_000):
            next(tasks)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert the_plan.total == 1_000 * replicates
        return top

    small, large = peak(10), peak(100_000)  # 10 thousand runs, then 100 million
    assert large < 2 * small + 1_000_000


# --- options are range-checked before any folder exists ----------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--workers", "-2", "out of range"),
        ("--workers", "0", "out of range"),
        ("--chunk-size", "-5", "out of range"),
        ("--chunk-size", "0", "out of range"),
        ("--max-runs", "0", "out of range"),
        ("--no-worker-timeout", "0", "out of range"),
    ],
)
def test_sweep_options_out_of_range_exit_2_before_the_folder_exists(
    spec_file, tmp_path, capsys, option, value, expected
):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as info:
        cli.main(["sweep", str(spec_file), "--out", str(out), option, value])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert option in err
    assert expected in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "--steps", "-5"], "--steps"),
        (["run", "--record-every", "0"], "--record-every"),
        (["run", "--pooling-intensity", "nan"], "not a finite number"),
        (["dashboard", "--port", "70000"], "--port"),
        (["sensitivity", "DIR", "--resamples", "-5"], "--resamples"),
        (["run", "--from-sweep", "DIR", "--run-id", "../../other/shards/p0000-r00"], "run id"),
        (["run", "--from-sweep", "DIR", "--run-id", "/etc/passwd"], "run id"),
    ],
)
def test_bad_option_values_exit_2_in_one_line(argv, expected, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert expected in err


def test_run_out_checks_the_file_before_simulating(tmp_path, capsys):
    assert cli.main(["run", "--steps", "100000", "--out", str(tmp_path)]) == 2
    assert "is a folder" in one_line_error(capsys, "run")
    existing = tmp_path / "x.csv"
    existing.write_text("mine")
    assert cli.main(["run", "--steps", "2", "--no-progress", "--out", str(existing)]) == 2
    assert "--force" in one_line_error(capsys, "run")
    assert existing.read_text() == "mine"
    argv = ["run", "--steps", "2", "--no-progress", "--out", str(existing), "--force"]
    assert cli.main(argv) == 0
    assert existing.read_text() != "mine"
    capsys.readouterr()
    assert cli.main(["run", "--steps", "2", "--out", str(tmp_path / "x.txt")]) == 2
    assert "allowed: .parquet, .csv" in one_line_error(capsys, "run")


def test_run_out_never_writes_into_a_sweeps_shards(swept, capsys):
    shard = storage.shard_path(swept, "p0000-r00")
    before = shard.read_bytes()
    assert cli.main(["run", "--steps", "2", "--out", str(shard), "--force"]) == 2
    assert "shards/" in one_line_error(capsys, "run")
    assert shard.read_bytes() == before


def test_a_run_id_outside_the_plan_is_refused(swept, capsys):
    assert cli.main(["run", "--from-sweep", str(swept), "--run-id", "p9999-r99"]) == 1
    assert "not a run of the sweep" in one_line_error(capsys, "run")


def test_classic_unknown_option_lists_the_allowed_ones(capsys):
    assert cli.main(["classic", "axelrod", "--sise", "10"]) == 2
    line = one_line_error(capsys, "classic")
    assert "--sise is not an option of axelrod; allowed:" in line


def test_sweep_out_on_a_file_or_in_an_unwritable_place_is_one_line(spec_file, tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert cli.main(["sweep", str(spec_file), "--out", str(afile), "--no-progress"]) == 1
    assert "is a file, not a folder" in one_line_error(capsys, "sweep")
    assert cli.main(["sweep", str(spec_file), "--out", str(afile / "sub"), "--no-progress"]) == 1
    assert "cannot create" in one_line_error(capsys, "sweep")


def test_an_unreachable_scheduler_fails_fast_before_the_folder_exists(
    spec_file, tmp_path, capsys, monkeypatch
):
    from experiments import executors

    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 1.0)
    out = tmp_path / "out"
    argv = ["sweep", str(spec_file), "--out", str(out), "--scheduler", "tcp://127.0.0.1:1"]
    assert cli.main([*argv, "--no-progress"]) == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in one_line_error(
        capsys, "sweep"
    )
    assert not out.exists()


def test_a_non_utf8_spec_names_the_file(tmp_path, capsys):
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(SPEC.to_toml().encode() + "# caf\xe9\n".encode("latin-1"))
    assert cli.main(["sweep", str(bad), "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    line = one_line_error(capsys, "sweep")
    assert str(bad) in line
    assert "not UTF-8" in line


def test_a_truncated_manifest_names_the_file(swept, tmp_path, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(swept, copy)
    manifest = copy / storage.MANIFEST
    manifest.write_bytes(manifest.read_bytes()[:100])
    assert cli.main(["status", str(copy)]) == 1
    line = one_line_error(capsys, "status")
    assert str(manifest) in line
    assert "damaged" in line


def test_any_unexpected_error_is_one_line_and_debug_shows_the_traceback(monkeypatch, capsys):
    from experiments import status

    def boom(out):
        raise KeyError("nosuch")

    monkeypatch.setattr(status, "sweep_status", boom)
    assert cli.main(["status", "x"]) == 1
    assert "KeyError" in one_line_error(capsys, "status")
    with pytest.raises(KeyError):
        cli.main(["--debug", "status", "x"])


def test_status_into_a_closed_pipe_is_quiet(swept):
    command = f"{sys.executable} -m experiments.cli status {swept} | head -c 10"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], cwd=ROOT, capture_output=True, text=True
    )
    assert "Traceback" not in result.stderr
    assert "BrokenPipe" not in result.stderr
    assert result.stdout == "sweep 'err"


# --- sensitivity -------------------------------------------------------------------------------


def test_sensitivity_refuses_an_incomplete_sweep_and_names_the_missing_points(
    swept, tmp_path, capsys
):
    copy = tmp_path / "copy"
    shutil.copytree(swept, copy)
    storage.shard_path(copy, "p0001-r00").unlink()
    assert cli.main(["sensitivity", str(copy), "--outcome", "collaboration_level"]) == 1
    line = one_line_error(capsys, "sensitivity")
    assert "1 of 6 runs are missing (design points 1)" in line
    assert "--allow-incomplete" in line
    argv = ["sensitivity", str(copy), "--outcome", "collaboration_level", "--allow-incomplete"]
    assert cli.main(argv) == 0
    assert "warning: the sweep in" in capsys.readouterr().err


def test_sensitivity_unknown_outcomes_list_the_allowed_ones(swept, capsys):
    assert cli.main(["sensitivity", str(swept), "--outcome", "regime=nosuch"]) == 1
    line = one_line_error(capsys, "sensitivity")
    assert "names no regime; allowed: regime=" in line
    assert "regime=isomorphism" in line
    assert cli.main(["sensitivity", str(swept), "--outcome", "nosuch"]) == 1
    line = one_line_error(capsys, "sensitivity")
    assert "'nosuch' is not a numeric measure; allowed:" in line
    with pytest.raises(ValueError, match="num_resamples"):
        experiments.analyse_sensitivity(swept, "collaboration_level", num_resamples=-5)


def test_sensitivity_out_must_be_a_new_csv_file(swept, tmp_path, capsys):
    argv = ["sensitivity", str(swept), "--outcome", "collaboration_level", "--out"]
    assert cli.main([*argv, str(tmp_path)]) == 2
    assert "is a folder" in one_line_error(capsys, "sensitivity")


# --- exposure --------------------------------------------------------------------------------


def test_only_loopback_hosts_serve_without_a_warning():
    from experiments.dashboard import exposure_warning

    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        assert exposure_warning(host) == ""
    for host in ("0.0.0.0", "192.168.1.5", "::", "myhost.example"):
        assert "no authentication" in exposure_warning(host)


def test_the_docs_show_tls_for_dask_and_the_security_option():
    text = (ROOT / "docs" / "experiments.md").read_text()
    assert "tls://" in text
    assert "--security" in text
    assert "require_encryption" in text


def test_status_json_lists_suspect_files(swept, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(swept, copy)
    shutil.copy(storage.shard_path(copy, "p0000-r00"), copy / "shards" / "p9999-r99.parquet")
    status = experiments.sweep_status(copy)
    assert (status["finished"], status["total"], status["remaining"]) == (6, 6, 0)
    assert [f["file"] for f in status["foreign"]] == ["shards/p9999-r99.parquet"]
    json.dumps(status)


def test_figures_out_on_a_file_is_one_line(swept, tmp_path, capsys):
    afile = tmp_path / "figures.txt"
    afile.write_text("x")
    assert cli.main(["figures", str(swept), "--out", str(afile)]) in (1, 2)
    assert str(afile) in one_line_error(capsys, "figures")
