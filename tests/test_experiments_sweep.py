"""Sweeps in-process: tidy tables, provenance, resume, failing runs, re-running one run alone."""

from __future__ import annotations

import json
import os
from concurrent.futures import Future

import duckdb
import pandas as pd
import polars as pl
import pytest

import experiments
from experiments import storage
from experiments.executors import SerialExecutor
from experiments.runner import run_one
from experiments.seeds import parse_key
from experiments.spec import Design, SweepSpec
from experiments.status import format_status, sweep_status
from experiments.sweep import SweepInterrupted, run_sweep
from simulation import model as model_module
from simulation.model import MODEL_REPORTERS
from simulation.parameters import PARAMETERS

TINY = SweepSpec(
    name="tiny",
    scenario="cssi",
    seed=99,
    replicates=2,
    steps=13,  # not a multiple of record_every: the last week is still recorded
    record_every=4,
    design=Design.grid(pooling_intensity=[0.1, 0.7], identity_strength=[0.3, 0.8]),
)
TIDY_COLUMNS = [
    "run_id",
    "point",
    "replicate",
    "seed_entropy",
    "spawn_key",
    "status",
    *PARAMETERS,
    "step",
    *MODEL_REPORTERS,
]


@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny")
    report = run_sweep(TINY, out, executor="serial", progress=False)
    return out, report


def test_sweep_runs_every_run_once(tiny_sweep):
    out, report = tiny_sweep
    assert (report.total, report.computed, report.skipped, report.failed) == (8, 8, 0, 0)
    assert report.complete
    assert sorted(p.stem for p in (out / "shards").glob("*.parquet")) == [
        f"p{p:04d}-r{r:02d}" for p in range(4) for r in range(2)
    ]


def test_tidy_table_has_the_documented_schema(tiny_sweep):
    out, _ = tiny_sweep
    tidy = experiments.load(out)
    assert list(tidy.columns) == TIDY_COLUMNS
    assert len(tidy) == 8 * 5
    assert tidy.groupby("run_id")["step"].apply(list).map(tuple).unique().tolist() == [
        (0, 4, 8, 12, 13)
    ]
    assert tidy["status"].eq("ok").all()
    assert tidy["seed_entropy"].eq(99).all()
    first = tidy[tidy["run_id"] == "p0002-r01"].iloc[0]
    assert (first["point"], first["replicate"], first["spawn_key"]) == (2, 1, "2,1")
    assert (first["pooling_intensity"], first["identity_strength"]) == (0.7, 0.3)
    assert first["scenario"] == "cssi"
    assert set(tidy["regime"]) <= {"persistence", "hybridisation", "isomorphism", "fragmentation"}
    assert tidy.equals(tidy.sort_values(["run_id", "step"]).reset_index(drop=True))


def test_summary_is_the_last_week_of_each_run(tiny_sweep):
    out, _ = tiny_sweep
    tidy, summary = experiments.load(out), experiments.load_summary(out)
    assert len(summary) == 8
    assert list(summary.columns[:7]) == [*TIDY_COLUMNS[:6], "error"]
    assert summary["error"].eq("").all()
    last = tidy.groupby("run_id").tail(1).reset_index(drop=True)
    for name in ("step", "regime", "hybrid_share", "pooling_intensity"):
        assert summary[name].tolist() == last[name].tolist()


def test_manifest_records_provenance_and_the_spec(tiny_sweep):
    out, _ = tiny_sweep
    manifest = storage.read_manifest(out)
    assert manifest["spec_hash"] == TINY.digest()
    assert manifest["spec"] == TINY.to_dict()
    prov = manifest["provenance"]
    assert prov["version"] == experiments.read_manifest(out)["provenance"]["version"]
    assert {"numpy", "mesa", "pandas", "pyarrow", "numba"} <= set(prov["packages"])
    assert prov["python"].count(".") == 2
    assert prov["host"]
    (call,) = manifest["history"]
    assert call["outcome"] == "complete"
    assert call["started"] <= call["finished"]
    assert manifest["status"] == "complete"
    assert (out / "spec.toml").read_text() == TINY.to_toml()
    assert len(storage.load_design(out)) == 4


def test_any_single_run_rerun_alone_gives_the_same_numbers(tiny_sweep):
    out, _ = tiny_sweep
    tidy, summary = experiments.load(out), experiments.load_summary(out)
    row = summary.iloc[5]
    params = {name: row[name] for name in PARAMETERS}
    alone = run_one(params, int(row["seed_entropy"]), parse_key(row["spawn_key"]), 13, 4)
    stored = tidy[tidy["run_id"] == row["run_id"]][alone.columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, stored)
    pd.testing.assert_frame_equal(experiments.rerun(out, row["run_id"]), stored)


def test_replicates_differ_and_points_differ(tiny_sweep):
    out, _ = tiny_sweep
    summary = experiments.load_summary(out)
    by_run = summary.set_index("run_id")["mean_pairwise_distance"]
    assert by_run["p0000-r00"] != by_run["p0000-r01"]
    assert by_run.nunique() == 8


def test_tables_are_readable_by_polars_and_duckdb_and_export_to_csv(tiny_sweep):
    out, _ = tiny_sweep
    tidy = experiments.load(out)
    frame = pl.read_parquet(out / "runs.parquet")
    assert frame.columns == TIDY_COLUMNS
    assert frame.height == len(tidy)
    ((count, mean),) = duckdb.sql(
        f"select count(*), avg(hybrid_share) from '{out / 'summary.parquet'}'"
    ).fetchall()
    assert count == 8
    assert mean == pytest.approx(experiments.load_summary(out)["hybrid_share"].mean())
    runs_csv, summary_csv = experiments.export_csv(out)
    back = pd.read_csv(runs_csv)
    assert list(back.columns) == TIDY_COLUMNS
    assert back["hybrid_share"].to_numpy() == pytest.approx(tidy["hybrid_share"].to_numpy())
    assert len(pd.read_csv(summary_csv)) == 8


def test_status_counts_runs(tiny_sweep):
    out, _ = tiny_sweep
    status = sweep_status(out)
    assert (status["total"], status["finished"], status["errors"], status["remaining"]) == (
        8,
        8,
        0,
        0,
    )
    assert status["consolidated"]
    assert "8/8 finished" in format_status(status)


# --- resume --------------------------------------------------------------------------------------


def shard_times(out):
    return {p.name: p.stat().st_mtime_ns for p in (out / "shards").glob("*.parquet")}


def test_resume_runs_only_the_missing_runs(tiny_sweep, tmp_path):
    reference, _ = tiny_sweep
    out = tmp_path / "sweep"
    run_sweep(TINY, out, executor="serial", progress=False)
    for rid in ("p0000-r01", "p0003-r00", "p0003-r01"):
        storage.shard_path(out, rid).unlink()
    (out / "shards" / ".p0001-r00.123.deadbeef.tmp").write_bytes(b"half a shard")
    kept = shard_times(out)
    report = run_sweep(TINY, out, executor="serial", progress=False)
    assert (report.skipped, report.computed) == (5, 3)
    after = shard_times(out)
    assert {k: after[k] for k in kept} == kept  # finished runs untouched
    assert not list((out / "shards").glob("*.tmp"))
    pd.testing.assert_frame_equal(experiments.load(out), experiments.load(reference))
    again = run_sweep(TINY, out, executor="serial", progress=False)
    assert (again.skipped, again.computed) == (8, 0)
    assert [c["computed"] for c in storage.read_manifest(out)["history"]] == [8, 3, 0]


def test_unreadable_shard_counts_as_unfinished(tiny_sweep, tmp_path):
    out = tmp_path / "sweep"
    run_sweep(TINY, out, executor="serial", progress=False)
    storage.shard_path(out, "p0002-r00").write_bytes(b"PAR1 truncated")
    report = run_sweep(TINY, out, executor="serial", progress=False)
    assert report.computed == 1
    pd.testing.assert_frame_equal(experiments.load(out), experiments.load(tiny_sweep[0]))


def test_folder_of_another_sweep_is_refused(tiny_sweep):
    out, _ = tiny_sweep
    other = SweepSpec(design=Design.grid(openness=[0.5]), steps=2, name="other")
    with pytest.raises(storage.SweepFolderError, match="spec hash"):
        run_sweep(other, out, executor="serial", progress=False)


def test_non_empty_folder_that_is_not_a_sweep_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(storage.SweepFolderError, match="not empty"):
        run_sweep(TINY, tmp_path, executor="serial", progress=False)


class InterruptingExecutor(SerialExecutor):
    """Runs tasks in-process and 'presses Ctrl-C' on the n-th submission."""

    def __init__(self, at: int) -> None:
        self.at, self.calls = at, 0

    def submit(self, fn, /, *args, **kwargs) -> Future:
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt
        return super().submit(fn, *args, **kwargs)


def test_ctrl_c_leaves_a_resumable_folder(tiny_sweep, tmp_path):
    out = tmp_path / "sweep"
    with pytest.raises(SweepInterrupted) as info:
        run_sweep(TINY, out, executor=InterruptingExecutor(at=4), chunk_size=2, progress=False)
    assert info.value.report.computed == 6
    assert info.value.report.unfinished == 2
    manifest = storage.read_manifest(out)
    assert manifest["status"] == "interrupted"
    assert manifest["history"][-1]["outcome"] == "interrupted"
    assert not (out / storage.STOP_FILE).exists()
    report = run_sweep(TINY, out, executor="serial", progress=False)
    assert (report.skipped, report.computed) == (6, 2)
    pd.testing.assert_frame_equal(experiments.load(out), experiments.load(tiny_sweep[0]))


# --- failing runs ------------------------------------------------------------------------------


class FailingModel(model_module.PoolingModel):
    """Raises in week 6 at high pooling intensity (a stand-in for a model bug)."""

    def step(self):
        if self.params.pooling_intensity > 0.5 and self.steps == 6:
            raise FloatingPointError("diverged in week 6")
        super().step()


def test_a_run_that_raises_is_recorded_and_the_rest_complete(tmp_path, monkeypatch):
    monkeypatch.setattr(model_module, "PoolingModel", FailingModel)
    out = tmp_path / "sweep"
    report = run_sweep(TINY, out, executor="serial", progress=False)
    assert (report.computed, report.failed, report.unfinished) == (8, 4, 0)
    summary = experiments.load_summary(out)
    failed = summary[summary["status"] == "error"]
    assert set(failed["run_id"]) == {f"p{p:04d}-r{r:02d}" for p in (2, 3) for r in (0, 1)}
    assert failed["error"].str.contains("FloatingPointError: diverged in week 6").all()
    assert failed["error"].str.contains("Traceback").all()
    assert (summary[summary["status"] == "ok"]["error"] == "").all()
    assert failed["step"].eq(4).all()  # the weeks recorded before the failure are kept
    tidy = experiments.load(out)
    assert tidy[tidy["status"] == "error"].groupby("run_id")["step"].max().eq(4).all()
    status = sweep_status(out)
    assert status["errors"] == 4
    assert "FloatingPointError" in format_status(status)

    monkeypatch.setattr(model_module, "PoolingModel", FailingModel.__mro__[1])
    assert run_sweep(TINY, out, executor="serial", progress=False).computed == 0
    retried = run_sweep(TINY, out, executor="serial", progress=False, retry_errors=True)
    assert (retried.computed, retried.failed) == (4, 0)
    assert experiments.load_summary(out)["status"].eq("ok").all()


def test_a_run_whose_model_cannot_be_built_has_a_summary_row_and_no_tidy_rows(
    tmp_path, monkeypatch
):
    class Unbuildable(model_module.PoolingModel):
        def _build_world(self):
            raise MemoryError("no room for the network")

    monkeypatch.setattr(model_module, "PoolingModel", Unbuildable)
    spec = SweepSpec(design=Design.grid(openness=[0.4]), steps=3, replicates=2)
    run_sweep(spec, tmp_path / "s", executor="serial", progress=False)
    summary = experiments.load_summary(tmp_path / "s")
    assert summary["status"].eq("error").all()
    assert summary["error"].str.contains("MemoryError").all()
    assert experiments.load(tmp_path / "s").empty


def test_shard_footer_holds_the_run_record(tiny_sweep):
    out, _ = tiny_sweep
    record = storage.read_record(storage.shard_path(out, "p0001-r01"))
    assert (record["point"], record["replicate"], record["spawn_key"]) == (1, 1, "1,1")
    assert record["status"] == "ok"
    assert record["params"]["identity_strength"] == 0.8
    assert record["seconds"] > 0
    json.dumps(record)  # plain data


def test_consolidation_follows_new_shards(tmp_path):
    out = tmp_path / "sweep"
    run_sweep(TINY, out, executor="serial", progress=False)
    storage.shard_path(out, "p0001-r00").unlink()
    assert len(experiments.load_summary(out)) == 7
    run_sweep(TINY, out, executor="serial", progress=False)
    assert len(experiments.load_summary(out)) == 8
    assert os.path.exists(out / "runs.parquet")
