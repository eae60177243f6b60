"""Throughput of a CSSI sweep on the local process pool.

Measures, for a sweep of ``--runs`` CSSI runs (520 weeks each, measures every 4 weeks):

* the wall time and runs per second of the whole sweep on ``--workers`` processes (target:
  under 60 s for 1,000 runs on 2 cores);
* the parallel efficiency of 2 workers against 1 on a subset: ``T1 / (2 * T2)``;
* the per-run overhead: pool worker-seconds per run minus the pure model time per run
  (``run_one`` in this process, no storage), i.e. what seeding, task shipping, the shard write
  and the pool's start-up add to each run (``overhead_s_per_run``; on a busy machine it also
  holds the slow-down of two workers sharing the cores with other work), and the same against
  the model time measured inside the workers (``io_overhead_s_per_run``: shipping, shard
  writing and start-up only). CPU seconds do not depend on what else the machine runs:
  ``cpu_overhead_s_per_run`` is the sweep's CPU time (parent and workers, start-up included)
  per run minus the model's, and ``projected_wall_s_on_idle_cores`` that CPU time divided by
  the workers.

Writes ``benchmarks/out/sweep_throughput.json``. Run by hand or by CI:
``.venv/bin/python benchmarks/sweep_throughput.py`` (``--runs 200`` for a quick look).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from experiments import storage
from experiments.executors import open_executor
from experiments.runner import prepare_worker, run_one
from experiments.spec import Design, SweepSpec
from experiments.sweep import plan, run_sweep

OUT = Path(__file__).parent / "out" / "sweep_throughput.json"


def cssi_spec(runs: int, steps: int, record_every: int) -> SweepSpec:
    """A 10 x 10 grid of pooling intensity x identity strength, replicated up to ``runs``."""
    levels = [round(float(v), 6) for v in np.linspace(0.0, 1.0, 10)]
    return SweepSpec(
        name=f"throughput-{runs}",
        scenario="cssi",
        seed=1,
        replicates=max(1, runs // 100),
        steps=steps,
        record_every=record_every,
        design=Design.grid(pooling_intensity=levels, identity_strength=levels),
    )


def pure_model_seconds(spec: SweepSpec, n: int) -> tuple[float, float]:
    """Mean wall and CPU seconds of one run in this process: model only, no pool, no storage."""
    prepare_worker()
    tasks, _ = plan(spec)
    sample = tasks[:: max(1, len(tasks) // n)][:n]
    t0, c0 = time.perf_counter(), time.process_time()
    for t in sample:
        run_one(t.params, t.seed_entropy, t.spawn_key, t.steps, t.record_every)
    return (time.perf_counter() - t0) / len(sample), (time.process_time() - c0) / len(sample)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def pool_startup_seconds(workers: int) -> float:
    """Seconds to start a pool and have every worker import the model and load the kernels."""
    t0 = time.perf_counter()
    with open_executor("process", workers) as (pool, _):
        for future in [pool.submit(prepare_worker) for _ in range(workers)]:
            future.result()
        return time.perf_counter() - t0


def timed_sweep(spec: SweepSpec, workers: int, root: Path, progress: bool) -> dict[str, float]:
    out = root / f"{spec.name}-w{workers}"
    shutil.rmtree(out, ignore_errors=True)
    t0, c0, k0 = time.perf_counter(), time.process_time(), _children_cpu()
    report = run_sweep(
        spec, out, executor="process", workers=workers, progress=progress, consolidate=False
    )
    wall = time.perf_counter() - t0
    # the pool has shut down and its workers were reaped: their CPU time is counted
    cpu = time.process_time() - c0 + _children_cpu() - k0
    if not report.complete or report.failed:
        raise RuntimeError(f"benchmark sweep did not finish cleanly: {report}")
    t1 = time.perf_counter()
    storage.consolidate(out)
    consolidate = time.perf_counter() - t1
    in_worker = [r["seconds"] for r in storage.finished_runs(out, repair=False).values()]
    return {
        "runs": report.total,
        "workers": workers,
        "wall_s": wall,
        "runs_per_s": report.total / wall,
        "worker_s_per_run": float(np.mean(in_worker)),
        "cpu_s": cpu,
        "consolidate_s": consolidate,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=520)
    parser.add_argument("--record-every", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--subset", type=int, default=200, help="runs for the efficiency test")
    parser.add_argument("--pure", type=int, default=50, help="runs timed in-process")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    spec = cssi_spec(args.runs, args.steps, args.record_every)
    subset = cssi_spec(args.subset, args.steps, args.record_every)
    model_s, model_cpu = pure_model_seconds(spec, args.pure)
    print(f"pure model: {model_s * 1000:.1f} ms per run ({args.steps / model_s:.0f} weeks/s)")
    startup = {w: pool_startup_seconds(w) for w in (1, args.workers)}
    print(f"pool start-up: {startup}")
    with tempfile.TemporaryDirectory(prefix="isohybrid-bench-") as tmp:
        root = Path(tmp)
        full = timed_sweep(spec, args.workers, root, not args.no_progress)
        print(f"full sweep: {full}")
        one = timed_sweep(subset, 1, root, not args.no_progress)
        two = timed_sweep(subset, 2, root, not args.no_progress)
    efficiency = one["wall_s"] / (2 * two["wall_s"])
    pool_s_per_run = full["wall_s"] * full["workers"] / full["runs"]
    overhead = pool_s_per_run - model_s
    result = {
        "benchmark": "sweep_throughput",
        "scenario": "cssi",
        "steps": args.steps,
        "record_every": args.record_every,
        "runs": full["runs"],
        "workers": args.workers,
        "wall_s": round(full["wall_s"], 3),
        "runs_per_s": round(full["runs_per_s"], 2),
        "target_wall_s": 60.0 if full["runs"] >= 1000 else None,
        "model_s_per_run": round(model_s, 5),
        "worker_s_per_run": round(full["worker_s_per_run"], 5),
        "overhead_s_per_run": round(overhead, 5),
        "overhead_share": round(overhead / pool_s_per_run, 4),
        "io_overhead_s_per_run": round(pool_s_per_run - full["worker_s_per_run"], 5),
        "model_cpu_s_per_run": round(model_cpu, 5),
        "cpu_s_per_run": round(full["cpu_s"] / full["runs"], 5),
        "cpu_overhead_s_per_run": round(full["cpu_s"] / full["runs"] - model_cpu, 5),
        "projected_wall_s_on_idle_cores": round(full["cpu_s"] / full["workers"], 2),
        "pool_startup_s": {str(k): round(v, 3) for k, v in startup.items()},
        "consolidate_s": round(full["consolidate_s"], 3),
        "efficiency_runs": subset.n_runs,
        "wall_1_worker_s": round(one["wall_s"], 3),
        "wall_2_workers_s": round(two["wall_s"], 3),
        "parallel_efficiency_2v1": round(efficiency, 3),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": [round(v, 2) for v in os.getloadavg()],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
