"""Server time per week of a dashboard page that compares two settings, against one run alone.

A page with a run B steps B with A every week and sends B's rows: this measures the CPU time of
a week (the model's step with its null twins, and the frame's values) with and without B, in
the same process, and prints the ratio. No browser: only the server's share of a week.

    python benchmarks/dashboard_compare.py --weeks 52 --repeats 3
"""

from __future__ import annotations

import argparse
import time

from simulation.dashboard import compare, live, run
from simulation.model import default_parameters


def week_cost(weeks: int, with_b: bool, scenario: str) -> float:
    """CPU seconds per week of stepping A (and B) and computing the frame's values."""
    params = {**default_parameters(), "scenario": scenario}
    a = run.start_run(params, 42)
    b = compare.start_b(compare.Setup.of({**params, "openness": 0.9}, 42)) if with_b else None
    started = time.process_time()
    for _ in range(weeks):
        a.step(1)
        if b is not None:
            b.step_to(a.week)
        live.frame_values(a, {}, b)
    return (time.process_time() - started) / weeks


def main() -> None:
    """Print the time per week of one run and of a pair, and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenario", default="cssi")
    args = parser.parse_args()
    alone = min(week_cost(args.weeks, False, args.scenario) for _ in range(args.repeats))
    pair = min(week_cost(args.weeks, True, args.scenario) for _ in range(args.repeats))
    print(f"{args.scenario}, {args.weeks} weeks, best of {args.repeats}")
    print(f"A alone: {alone * 1e3:.2f} ms of CPU per week")
    print(f"A and B: {pair * 1e3:.2f} ms of CPU per week ({pair / alone:.2f} x A alone)")


if __name__ == "__main__":
    main()
