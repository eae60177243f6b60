"""Each rule's share of a week, with every rule on, and the week's interactions per second.

Run from the repository root (``benchmarks/engine.py`` runs it too, as its ``week`` section)::

    .venv/bin/python benchmarks/week_rules.py               # 1e5 workers, 20 weeks
    .venv/bin/python benchmarks/week_rules.py --workers 10000 --weeks 50
    .venv/bin/python benchmarks/week_rules.py --workers 10000 --as-run   # as users run it

A landscape at ``pooling_intensity = 0.8`` (co-presence, collaboration and common work all in
force) with every mechanism switched on is warmed up, then stepped; each rule function the
model calls is wrapped by a timer, so the shares add up to the rules' part of the week (the
remainder is the step's own bookkeeping; nothing is recorded). An *interaction* is one
application of a rule to one pair or one beneficiary: an encounter, a visit, a shared case, or
one member's week in a pooled function. The per-worker pulls (anchoring, premises, tools,
culture drift, exits) touch every worker without pairing them and are counted in the time only.
With ``--as-run`` the model keeps its default pooling and records every measure every week, as
users run it (the recording is then one more share). Ratios and rates only: nothing here is
asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # one BLAS thread, as in benchmarks/engine.py (why there)

RULES: tuple[str, ...] = (
    "co_presence",
    "serve_publics",
    "collaboration",
    "common_work",
    "shared_tools",
    "premises",
    "anchoring",
    "culture_drift",
    "turnover",
    "tie_decay",
)
"""The rule functions :meth:`PoolingModel.step` calls, in order."""

INTERACTIONS: tuple[str, ...] = ("encounters", "visits", "shared_cases", "socialised")


def week_shares(
    workers: int = 100_000,
    weeks: int = 20,
    warmup: int = 10,
    *,
    pooling_intensity: float | None = 0.8,
    record_every: int = 10**5,
) -> dict[str, Any]:
    """Time each rule over ``weeks`` weeks of a landscape with every rule on.

    ``pooling_intensity=None`` keeps the model's default; ``record_every=1`` records every
    measure every week, as the model does by default (the recording's share is then timed too).
    Wall-clock and processor time are both reported: on a shared machine the processor time of
    this process is the steadier of the two.
    """
    from simulation import model as model_module
    from simulation.model import PoolingModel

    spent = dict.fromkeys((*RULES, "recording"), 0.0)
    originals = {name: getattr(model_module, name) for name in RULES}

    def timed(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            out = fn(*args, **kwargs)
            spent[name] += time.perf_counter() - t
            return out

        return wrapper

    intensity = {} if pooling_intensity is None else {"pooling_intensity": pooling_intensity}
    model = PoolingModel(
        scenario="landscape", n_workers=workers, record_every=record_every, rng=1, **intensity
    )
    for _ in range(warmup):
        model.step()
    counted = dict.fromkeys(INTERACTIONS, 0)
    collect = model.datacollector.collect
    try:
        for name, fn in originals.items():
            setattr(model_module, name, timed(name, fn))
        model.datacollector.collect = timed("recording", collect)
        t, cpu = time.perf_counter(), time.process_time()
        for _ in range(weeks):
            model.step()
            for key in INTERACTIONS:
                counted[key] += model.counts[key]
        elapsed, elapsed_cpu = time.perf_counter() - t, time.process_time() - cpu
    finally:
        for name, fn in originals.items():
            setattr(model_module, name, fn)
        model.datacollector.collect = collect
    total = sum(counted.values())
    return {
        "workers": workers,
        "weeks": weeks,
        "pooling_intensity": model.params.pooling_intensity,
        "record_every": record_every,
        "week_ms": 1e3 * elapsed / weeks,
        "week_cpu_ms": 1e3 * elapsed_cpu / weeks,
        "interactions_per_week": total / weeks,
        "interactions_per_s": total / elapsed,
        "interactions_per_cpu_s": total / elapsed_cpu,
        "by_kind": {k: v / weeks for k, v in counted.items()},
        "share": {name: spent[name] / elapsed for name in spent if spent[name] > 0},
    }


def table(result: dict[str, Any]) -> str:
    """The result as lines of text."""
    recorded = "every measure every week" if result["record_every"] == 1 else "nothing recorded"
    lines = [
        f"a week of {result['workers']:,} workers with every rule on (pooling "
        f"{result['pooling_intensity']:g}, {recorded}): {result['week_ms']:.1f} ms "
        f"({result['week_cpu_ms']:.1f} ms processor time), "
        f"{result['interactions_per_week']:,.0f} interactions "
        f"({', '.join(f'{k} {v:,.0f}' for k, v in result['by_kind'].items())}) -> "
        f"{result['interactions_per_s']:.3g} interactions/s end to end "
        f"({result['interactions_per_cpu_s']:.3g} per processor second)",
        "  share of the week: "
        + ", ".join(f"{name} {share:.0%}" for name, share in result["share"].items()),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=20)
    parser.add_argument(
        "--as-run", action="store_true", help="default pooling, every measure recorded weekly"
    )
    args = parser.parse_args(argv)
    as_run = {"pooling_intensity": None, "record_every": 1} if args.as_run else {}
    result = week_shares(args.workers, args.weeks, **as_run)
    print(table(result))
    return result


if __name__ == "__main__":
    main()
