"""A sweep killed part-way (SIGKILL, a real subprocess) or stopped with Ctrl-C resumes exactly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import experiments
from experiments import storage
from experiments.spec import Design, SweepSpec
from experiments.sweep import run_sweep

ROOT = Path(__file__).resolve().parent.parent
SPEC = SweepSpec(
    name="crash",
    scenario="cssi",
    seed=31337,
    replicates=4,
    steps=150,
    record_every=10,
    design=Design.grid(pooling_intensity=[0.0, 0.3, 0.6, 0.9], identity_strength=[0.2, 0.5, 0.8]),
)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference")
    run_sweep(SPEC, out, executor="serial", progress=False)
    return out


def sweep_command(spec_path: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "experiments.cli",
        "sweep",
        str(spec_path),
        "--out",
        str(out),
        "--executor",
        "process",
        "--workers",
        "2",
        "--chunk-size",
        "1",
        "--no-progress",
    ]


def start_and_stop(tmp_path: Path, sig: int, after: int) -> tuple[subprocess.Popen, Path, Path]:
    """Start a sweep in its own process group; send ``sig`` to the group once shards exist."""
    spec_path = tmp_path / "crash.toml"
    spec_path.write_text(SPEC.to_toml())
    out = tmp_path / "out"
    proc = subprocess.Popen(
        sweep_command(spec_path, out),
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    shards = out / "shards"
    while not (shards.is_dir() and len(list(shards.glob("*.parquet"))) >= after):
        assert proc.poll() is None, f"sweep ended before it could be stopped: {proc.stderr.read()}"
        assert time.monotonic() < deadline, "no shard appeared"
        time.sleep(0.005)
    os.killpg(proc.pid, sig)
    return proc, spec_path, out


def assert_equals_reference(out: Path, reference: Path) -> None:
    pd.testing.assert_frame_equal(experiments.load(out), experiments.load(reference))
    summary = experiments.load_summary(out)
    assert summary["run_id"].is_unique
    assert len(summary) == SPEC.n_runs
    assert (summary["status"] == "ok").all()


@pytest.mark.slow
def test_sigkill_part_way_then_resume_equals_an_uninterrupted_sweep(tmp_path, reference):
    proc, spec_path, out = start_and_stop(tmp_path, signal.SIGKILL, after=3)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    finished = storage.finished_runs(out)  # drops half-written leftovers
    assert 0 < len(finished) < SPEC.n_runs, "the kill should land part-way"
    killed_call = storage.read_manifest(out)["history"][-1]
    assert killed_call["finished"] is None  # the killed call never wrote its end

    resumed = subprocess.run(
        sweep_command(spec_path, out), cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr
    assert_equals_reference(out, reference)
    calls = storage.read_manifest(out)["history"]
    assert len(calls) == 2
    assert calls[1]["skipped"] == len(finished)
    assert calls[1]["computed"] == SPEC.n_runs - len(finished)  # nothing computed twice
    assert calls[1]["outcome"] == "complete"


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_with_exit_130_and_resumes(tmp_path, reference):
    proc, spec_path, out = start_and_stop(tmp_path, signal.SIGINT, after=3)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "run the same command again to resume" in stderr
    manifest = storage.read_manifest(out)
    assert manifest["status"] == "interrupted"
    assert not (out / storage.STOP_FILE).exists()
    assert not list((out / "shards").glob("*.tmp"))  # runs in progress finished or none began
    done = len(storage.finished_runs(out))
    assert done < SPEC.n_runs

    resumed = subprocess.run(
        sweep_command(spec_path, out), cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr
    assert_equals_reference(out, reference)
    status = json.loads(
        subprocess.run(
            [sys.executable, "-m", "experiments.cli", "status", str(out), "--json"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert (status["finished"], status["remaining"]) == (SPEC.n_runs, 0)
    assert [c["outcome"] for c in status["history"]] == ["interrupted", "complete"]
