"""``isohybrid sweep`` against ``mesa.batch_run`` on the same CSSI runs, in one run.

Both run the same ``--runs`` CSSI runs (a 10 x 10 grid of pooling intensity x identity strength,
replicated; 520 weeks each, the model recording every 4 weeks) on ``--workers`` processes:

* ``isohybrid sweep SPEC --out DIR --workers N``, the command a user types: budget check,
  folder lock, lazy plan, one checksummed Parquet shard per run (every record kept), shard
  checks on resume, end-of-call counts from the shards, consolidated tables;
* ``mesa.batch_run(PoolingModel, ..., number_processes=N, data_collection_period=-1)`` in a
  fresh interpreter: the same models and seeds, the final row of each run kept in memory.

Each is timed as a whole process (interpreter start and imports included), ``--repeats`` times,
alternating, and the best of each is kept; the result is their ratio (sweep / batch_run; at or
below 1 the sweep is no slower). CPU seconds (parent and children) are reported beside wall
seconds, since they do not depend on what else the machine runs.

Writes ``benchmarks/out/sweep_throughput.json``:
``.venv/bin/python benchmarks/sweep_throughput.py`` (``--runs 200 --workers 2`` by default).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from experiments.spec import Design, SweepSpec

OUT = Path(__file__).parent / "out" / "sweep_throughput.json"
ROOT = Path(__file__).resolve().parent.parent

BATCH_RUN = """
import sys, mesa
from simulation.model import PoolingModel
levels = {levels!r}
results = mesa.batch_run(
    PoolingModel,
    parameters={{
        "scenario": "cssi",
        "pooling_intensity": levels,
        "identity_strength": levels,
        "record_every": {record_every},
    }},
    rng=list(range({replicates})),
    max_steps={steps},
    data_collection_period=-1,
    number_processes={workers},
    display_progress=False,
)
assert len(results) == {runs}, len(results)
"""


def levels() -> list[float]:
    return [round(float(v), 6) for v in np.linspace(0.0, 1.0, 10)]


def cssi_spec(runs: int, steps: int, record_every: int) -> SweepSpec:
    """A 10 x 10 grid of pooling intensity x identity strength, replicated up to ``runs``."""
    return SweepSpec(
        name=f"throughput-{runs}",
        scenario="cssi",
        seed=1,
        replicates=max(1, runs // 100),
        steps=steps,
        record_every=record_every,
        design=Design.grid(pooling_intensity=levels(), identity_strength=levels()),
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str]) -> dict[str, float]:
    """Wall and CPU seconds of a command (its process tree, once it has ended)."""
    c0, t0 = _children_cpu(), time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if result.returncode != 0:
        raise RuntimeError(f"{command[:4]} failed: {result.stderr[-2000:]}")
    return {"wall_s": wall, "cpu_s": _children_cpu() - c0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--steps", type=int, default=520)
    parser.add_argument("--record-every", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    spec = cssi_spec(args.runs, args.steps, args.record_every)
    runs = spec.n_runs
    batch = BATCH_RUN.format(
        levels=levels(),
        record_every=args.record_every,
        replicates=spec.replicates,
        steps=args.steps,
        workers=args.workers,
        runs=runs,
    )
    times: dict[str, list[dict[str, float]]] = {"sweep": [], "batch_run": []}
    with tempfile.TemporaryDirectory(prefix="isohybrid-bench-") as tmp:
        spec_path = Path(tmp) / "throughput.toml"
        spec_path.write_text(spec.to_toml())
        for k in range(args.repeats):
            out = Path(tmp) / f"sweep-{k}"
            sweep = [
                sys.executable,
                "-m",
                "experiments.cli",
                "sweep",
                str(spec_path),
                "--out",
                str(out),
                "--workers",
                str(args.workers),
                "--no-progress",
            ]
            pair = [("sweep", sweep), ("batch_run", [sys.executable, "-c", batch])]
            for name, command in pair if k % 2 == 0 else pair[::-1]:
                times[name].append(timed(command))
                print(f"{name}: {times[name][-1]}", flush=True)
            shutil.rmtree(out, ignore_errors=True)
    best = {name: min(t, key=lambda x: x["wall_s"]) for name, t in times.items()}
    ratio = best["sweep"]["wall_s"] / best["batch_run"]["wall_s"]
    result = {
        "benchmark": "sweep_throughput",
        "scenario": "cssi",
        "runs": runs,
        "steps": args.steps,
        "record_every": args.record_every,
        "workers": args.workers,
        "repeats": args.repeats,
        "sweep_wall_s": round(best["sweep"]["wall_s"], 3),
        "sweep_cpu_s": round(best["sweep"]["cpu_s"], 3),
        "batch_run_wall_s": round(best["batch_run"]["wall_s"], 3),
        "batch_run_cpu_s": round(best["batch_run"]["cpu_s"], 3),
        "ratio_sweep_over_batch_run": round(ratio, 3),
        "cpu_ratio_sweep_over_batch_run": round(
            best["sweep"]["cpu_s"] / best["batch_run"]["cpu_s"], 3
        ),
        "all_wall_s": {k: [round(t["wall_s"], 3) for t in v] for k, v in times.items()},
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": [round(v, 2) for v in os.getloadavg()],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
