"""Runs of the model per second through pyabc, on the local pool and on Dask, against a sweep.

Calibrates the CSSI for ``--generations`` generations of ``--population`` particles (the
calibration sample included) on a local process pool and on a Dask ``LocalCluster`` of the
same number of workers, counts the runs of the model pyabc made (accepted or not), and runs the
same number of CSSI runs (same weeks, same records, parameters drawn from the same priors) as a
plain sweep on the local pool. Reports runs per second of each and the ratios to the sweep:
what pyabc's bookkeeping (proposals, weights, its SQLite history, one task per accepted
particle) costs against a sweep's chunked tasks. Ratios only, no timed asserts.

Writes ``benchmarks/out/calibration.json``. Run by hand:
``.venv/bin/python benchmarks/calibration.py`` (``--population 24 --generations 1`` for a
quick look).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from experiments.calibrate import calibrate, make_settings
from experiments.executors import open_executor
from experiments.patterns import CSSI
from experiments.spec import Design, SweepSpec
from experiments.sweep import run_sweep

OUT = Path(__file__).parent / "out" / "calibration.json"


def through_pyabc(kind: str, workers: int, population: int, generations: int) -> dict:
    """Wall time and runs of a CSSI calibration on one kind of executor."""
    folder = Path(tempfile.mkdtemp(prefix="isohybrid-bench-"))
    try:
        settings = make_settings("cssi", population=population, generations=generations)
        with open_executor(kind, workers) as (pool, _n):
            t0 = time.perf_counter()
            result = calibrate("cssi", folder, settings=settings, executor=pool, progress=False)
            seconds = time.perf_counter() - t0
        return {
            "runs": result.simulations,
            "seconds": seconds,
            "runs_per_s": result.simulations / seconds,
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def through_sweep(runs: int, workers: int, seed: int = 1) -> dict:
    """Wall time of a plain sweep of ``runs`` CSSI runs drawn from the calibration's priors."""
    settings = make_settings("cssi")
    rng = np.random.default_rng(seed)
    points = [
        {k: float(rng.uniform(lo, hi)) for k, (lo, hi) in settings.priors.items()}
        for _ in range(runs)
    ]
    spec = SweepSpec(
        name="calibration-baseline",
        scenario="cssi",
        seed=seed,
        replicates=1,
        steps=CSSI.steps,
        record_every=CSSI.record_every,
        design=Design.table(points),
    )
    folder = Path(tempfile.mkdtemp(prefix="isohybrid-bench-"))
    try:
        t0 = time.perf_counter()
        run_sweep(spec, folder, executor="process", workers=workers, progress=False)
        seconds = time.perf_counter() - t0
        return {"runs": runs, "seconds": seconds, "runs_per_s": runs / seconds}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=100)
    parser.add_argument("--generations", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    pool = through_pyabc("process", args.workers, args.population, args.generations)
    dask = through_pyabc("dask", args.workers, args.population, args.generations)
    sweep = through_sweep(pool["runs"], args.workers)
    report = {
        "population": args.population,
        "generations": args.generations,
        "workers": args.workers,
        "pyabc_local_pool": pool,
        "pyabc_dask_local_cluster": dask,
        "plain_sweep": sweep,
        "ratio_pool_to_sweep": pool["runs_per_s"] / sweep["runs_per_s"],
        "ratio_dask_to_sweep": dask["runs_per_s"] / sweep["runs_per_s"],
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
