"""Serial, local process pool and Dask LocalCluster sweeps give identical consolidated tables."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

import experiments
from experiments.executors import EXECUTORS, open_executor
from experiments.spec import Design, SweepSpec
from experiments.sweep import auto_chunk_size, run_sweep

SPEC = SweepSpec(
    name="executors",
    scenario="cssi",
    seed=2024,
    replicates=3,
    steps=20,
    record_every=5,
    design=Design.grid(pooling_intensity=[0.0, 0.45, 0.9], identity_strength=[0.25, 0.75]),
)


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    run_sweep(SPEC, out, executor="serial", progress=False)
    return out


def assert_same_tables(a, b):
    pd.testing.assert_frame_equal(experiments.load(a), experiments.load(b))
    pd.testing.assert_frame_equal(experiments.load_summary(a), experiments.load_summary(b))


def test_process_pool_equals_serial(serial, tmp_path):
    report = run_sweep(SPEC, tmp_path, executor="process", workers=2, progress=False)
    assert report.computed == SPEC.n_runs
    assert experiments.read_manifest(tmp_path)["history"][0]["workers"] == 2
    assert_same_tables(serial, tmp_path)


@pytest.mark.slow
def test_dask_local_cluster_equals_serial(serial, tmp_path):
    report = run_sweep(SPEC, tmp_path, executor="dask", workers=2, progress=False)
    assert report.computed == SPEC.n_runs
    assert experiments.read_manifest(tmp_path)["history"][0]["executor"] == "dask"
    assert_same_tables(serial, tmp_path)


def test_dask_threads_and_any_executor_equal_serial(serial, tmp_path):
    run_sweep(
        SPEC, tmp_path / "dask", executor="dask", workers=2, dask_processes=False, progress=False
    )
    assert_same_tables(serial, tmp_path / "dask")
    with ThreadPoolExecutor(max_workers=3) as pool:
        run_sweep(
            SPEC, tmp_path / "threads", executor=pool, workers=3, chunk_size=1, progress=False
        )
    assert_same_tables(serial, tmp_path / "threads")


def test_chunk_size_is_bounded_and_keeps_every_worker_busy():
    assert auto_chunk_size(1000, 2) == 16
    assert auto_chunk_size(40, 2) == 3
    assert auto_chunk_size(3, 8) == 1
    for n in (1, 7, 40, 1000, 10_000):
        for workers in (1, 2, 16):
            size = auto_chunk_size(n, workers)
            assert 1 <= size <= 16
            assert -(-n // size) >= min(n, workers)  # at least one task per worker


def test_unknown_executor_is_refused():
    with (
        pytest.raises(ValueError, match="'threads' is unknown; allowed: serial, process, dask"),
        open_executor("threads"),
    ):
        pass
    assert EXECUTORS == ("serial", "process", "dask")


def test_sweep_sent_to_a_running_dask_scheduler_equals_serial(serial, tmp_path):
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        report = run_sweep(SPEC, tmp_path, scheduler=cluster.scheduler_address, progress=False)
    assert report.computed == SPEC.n_runs
    (call,) = experiments.read_manifest(tmp_path)["history"]
    assert (call["executor"], call["scheduler"], call["workers"]) == (
        "dask",
        cluster.scheduler_address,
        2,
    )
    assert_same_tables(serial, tmp_path)
