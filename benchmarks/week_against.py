"""A week of this checkout against another version's, alternating, in the same run.

Run from the repository root, with another version unpacked somewhere (``git archive REV |
tar -x -C OTHER``)::

    .venv/bin/python benchmarks/week_against.py --against OTHER            # 1e5 workers
    .venv/bin/python benchmarks/week_against.py --against OTHER --repeats 6 --weeks 20
    .venv/bin/python benchmarks/week_against.py --against OTHER --cssi    # the small case

Each repetition runs :func:`week_rules.week_shares` (pooling 0.8, nothing recorded) once for
each version, in turn, each in a fresh process that imports that version's ``simulation``; the
order alternates from one repetition to the next, so that the machine's drift falls on both.
It prints each run's processor time a week and each rule's milliseconds, then the medians and
their ratio. Ratios only, on a shared machine: nothing here is asserted.

With ``--cssi`` each process runs the CSSI as the engine's target states it (every measure
recorded every week; default ``--weeks`` 4,000 after 200 weeks of warm-up): first the weeks
alone, timed as a whole (weeks per second of processor time, the engine's figure), then as
many again with each rule and the recording timed (microseconds a week). The snippet each
process runs needs only the other version's ``simulation`` package, so any version compares.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from week_rules import RULES

ROOT = Path(__file__).resolve().parents[1]

_RUN = """
import json, sys
sys.path.insert(0, {bench!r})
import week_rules
r = week_rules.week_shares({workers}, {weeks}, {warmup})
print(json.dumps(r))
"""

_RUN_CSSI = """
import json, sys, time
sys.path.insert(0, {root!r})
from simulation import model as module
from simulation.model import PoolingModel
names = {rules!r}
spent = dict.fromkeys((*names, "recording"), 0)
def timed(name, fn):
    def wrapper(*args, **kwargs):
        t = time.perf_counter_ns()
        out = fn(*args, **kwargs)
        spent[name] += time.perf_counter_ns() - t
        return out
    return wrapper
model = PoolingModel(scenario="cssi", rng=1)
for _ in range({warmup}):
    model.step()
t, cpu = time.perf_counter(), time.process_time()
for _ in range({weeks}):
    model.step()
wall, cpu = time.perf_counter() - t, time.process_time() - cpu
for name in names:
    setattr(module, name, timed(name, getattr(module, name)))
model.datacollector.collect = timed("recording", model.datacollector.collect)
t = time.perf_counter()
for _ in range({weeks}):
    model.step()
timed_wall = time.perf_counter() - t
print(json.dumps({{
    "week_ms": 1e3 * wall / {weeks}, "week_cpu_ms": 1e3 * cpu / {weeks},
    "weeks_per_cpu_s": {weeks} / cpu,
    "share": {{k: v / 1e9 / timed_wall for k, v in spent.items() if v > 0}},
}}))
"""


def one_cssi(root: Path, weeks: int, warmup: int) -> dict[str, Any]:
    """The CSSI's figures of the version at ``root``, in a process of its own (see above)."""
    code = _RUN_CSSI.format(root=str(root), rules=RULES, weeks=weeks, warmup=warmup)
    return _run(root, code)


def _run(root: Path, code: str) -> dict[str, Any]:
    """Run ``code`` in a fresh process at ``root``; its last line's JSON, with each rule's ms."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, check=True, capture_output=True, text=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["rule_ms"] = {k: v * result["week_ms"] for k, v in result["share"].items()}  # wall
    return result


def one_week(root: Path, workers: int, weeks: int, warmup: int) -> dict[str, Any]:
    """The week's figures of the version at ``root``, measured in a process of its own."""
    code = _RUN.format(bench=str(root / "benchmarks"), workers=workers, weeks=weeks, warmup=warmup)
    return _run(root, code)


def compare(
    other: Path, workers: int, weeks: int, warmup: int, repeats: int, cssi: bool = False
) -> dict[str, Any]:
    """Alternating runs of this version and ``other``; per-run figures and medians."""
    versions = {"this": ROOT, "other": other}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in versions}
    for rep in range(repeats):
        order = list(versions) if rep % 2 == 0 else list(versions)[::-1]
        for name in order:
            root = versions[name]
            r = one_cssi(root, weeks, warmup) if cssi else one_week(root, workers, weeks, warmup)
            runs[name].append(r)
            rules = ", ".join(f"{k} {v:.4g}" for k, v in r["rule_ms"].items())
            print(
                f"{name:5s} cpu {r['week_cpu_ms']:.4g} ms/week (wall {r['week_ms']:.4g}); {rules}",
                flush=True,
            )
    medians = {
        name: {
            "week_cpu_ms": statistics.median(r["week_cpu_ms"] for r in rs),
            "week_ms": statistics.median(r["week_ms"] for r in rs),
            "rule_ms": {
                k: statistics.median(r["rule_ms"].get(k, 0.0) for r in rs)
                for k in rs[0]["rule_ms"]
            },
        }
        for name, rs in runs.items()
    }
    return {"runs": runs, "medians": medians}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, required=True, help="the other version's root")
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, help="default 20 (4,000 with --cssi)")
    parser.add_argument("--warmup", type=int, help="default 10 (200 with --cssi)")
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--cssi", action="store_true", help="the CSSI, every measure recorded")
    args = parser.parse_args(argv)
    weeks = args.weeks or (4000 if args.cssi else 20)
    warmup = args.warmup if args.warmup is not None else (200 if args.cssi else 10)
    other_root = args.against.resolve()
    result = compare(other_root, args.workers, weeks, warmup, args.repeats, args.cssi)
    this, other = result["medians"]["this"], result["medians"]["other"]
    if args.cssi:
        rates = {n: [r["weeks_per_cpu_s"] for r in rs] for n, rs in result["runs"].items()}
        print(
            f"CSSI weeks/s of processor time, median: this {statistics.median(rates['this']):,.0f}"
            f", other {statistics.median(rates['other']):,.0f}"
        )
    print(
        f"median processor time a week: this {this['week_cpu_ms']:.4g} ms, other "
        f"{other['week_cpu_ms']:.4g} ms, ratio {this['week_cpu_ms'] / other['week_cpu_ms']:.3f}"
        f" (wall: {this['week_ms']:.4g} against {other['week_ms']:.4g} ms)"
    )
    for k in this["rule_ms"]:
        print(f"  {k:14s} {this['rule_ms'][k]:8.4g} ms against {other['rule_ms'].get(k, 0):8.4g}")
    return result


if __name__ == "__main__":
    main()
