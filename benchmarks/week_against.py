"""A week of this checkout against another version's, alternating, in the same run.

Run from the repository root, with another version unpacked somewhere (``git archive REV |
tar -x -C OTHER``)::

    .venv/bin/python benchmarks/week_against.py --against OTHER            # 1e5 workers
    .venv/bin/python benchmarks/week_against.py --against OTHER --repeats 6 --weeks 20

Each repetition runs :func:`week_rules.week_shares` (pooling 0.8, nothing recorded) once for
each version, in turn, each in a fresh process that imports that version's ``simulation``; the
order alternates from one repetition to the next, so that the machine's drift falls on both.
It prints each run's processor time a week and each rule's milliseconds, then the medians and
their ratio. Ratios only, on a shared machine: nothing here is asserted.
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

ROOT = Path(__file__).resolve().parents[1]

_RUN = """
import json, sys
sys.path.insert(0, {bench!r})
import week_rules
r = week_rules.week_shares({workers}, {weeks}, {warmup})
print(json.dumps(r))
"""


def one_week(root: Path, workers: int, weeks: int, warmup: int) -> dict[str, Any]:
    """The week's figures of the version at ``root``, measured in a process of its own."""
    code = _RUN.format(bench=str(root / "benchmarks"), workers=workers, weeks=weeks, warmup=warmup)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, check=True, capture_output=True, text=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["rule_ms"] = {k: v * result["week_ms"] for k, v in result["share"].items()}  # wall
    return result


def compare(other: Path, workers: int, weeks: int, warmup: int, repeats: int) -> dict[str, Any]:
    """Alternating runs of this version and ``other``; per-run figures and medians."""
    versions = {"this": ROOT, "other": other}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in versions}
    for rep in range(repeats):
        order = list(versions) if rep % 2 == 0 else list(versions)[::-1]
        for name in order:
            r = one_week(versions[name], workers, weeks, warmup)
            runs[name].append(r)
            rules = ", ".join(f"{k} {v:.2f}" for k, v in r["rule_ms"].items())
            print(
                f"{name:5s} cpu {r['week_cpu_ms']:.2f} ms/week (wall {r['week_ms']:.2f}); {rules}",
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
    parser.add_argument("--weeks", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=4)
    args = parser.parse_args(argv)
    result = compare(args.against.resolve(), args.workers, args.weeks, args.warmup, args.repeats)
    this, other = result["medians"]["this"], result["medians"]["other"]
    print(
        f"median processor time a week: this {this['week_cpu_ms']:.2f} ms, other "
        f"{other['week_cpu_ms']:.2f} ms, ratio {this['week_cpu_ms'] / other['week_cpu_ms']:.3f}"
        f" (wall: {this['week_ms']:.2f} against {other['week_ms']:.2f} ms)"
    )
    for k in this["rule_ms"]:
        print(f"  {k:14s} {this['rule_ms'][k]:6.2f} ms against {other['rule_ms'].get(k, 0):6.2f}")
    return result


if __name__ == "__main__":
    main()
