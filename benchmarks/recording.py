"""What recording every measure costs, against another checkout, in the model's own weeks.

Run from the repository root, naming the root of another checkout of the model::

    .venv/bin/python benchmarks/recording.py --against ../other
    .venv/bin/python benchmarks/recording.py --against ../other --processes --reps 6
    .venv/bin/python benchmarks/recording.py --without clusters     # one measure's cost
    .venv/bin/python benchmarks/recording.py --parts

``--against``: one landscape of 1e4 workers (default parameters) runs, and each week both
checkouts' recorders measure the same state, in turn (the order alternating week by week),
timed in processor time; their values must be equal bit for bit. The other checkout's measures
package is loaded under another name (:func:`load_measures`). The median of the weekly ratios
is printed (two copies of one checkout read 0.98 to 1.01 on the shared machine).

``--without NAME``: the same, against this checkout with one measure's kernel left out of
:func:`simulation.measures._fused.measure_all` (``clusters``, ``access``, ``distinguishability``,
``diversity``, ``projection``, ``ties``, ``crossing``): what that measure costs where the model
records it, with the caches as the week leaves them.

``--processes``: each repetition runs, in a fresh process for each checkout in turn (the order
alternating from one repetition to the next), the 1e4-worker landscape as users run it (default
pooling, every measure every week, :func:`benchmarks.week_rules.week_shares`): the week's
processor time and the recording's share of it; and the cost of recording against the rules
alone (:func:`benchmarks.engine.measure_cost`, the engine's "recording <= 2x" ratio) on the
CSSI and the 1e4 and, with ``--large``, 1e5 landscapes. Each process imports its own checkout's
model and benchmarks. Medians over the repetitions and this checkout's ratio to the other's
only: nothing here is asserted.

``--parts`` prints, for this checkout alone, where a recorded 1e4 week's measures go: each
compiled kernel of :func:`simulation.measures._fused.measure_all` timed on its own on the
week's arguments (the week-to-week memories copied first, so each reads what it would have).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

_CHILD = """
import json, sys
sys.path[:0] = [{root!r}, {root!r} + "/benchmarks"]
from week_rules import week_shares
from engine import measure_cost
import simulation
assert simulation.__file__.startswith({root!r}), simulation.__file__
week = week_shares({workers}, {weeks}, warmup=5, pooling_intensity=None, record_every=1)
out = {{"week_cpu_ms": week["week_cpu_ms"], "recording": week["share"].get("recording", 0.0)}}
for n in {sizes}:
    out["ratio_%d" % n] = measure_cost(n, {cost_weeks}[n])["ratio"]
print(json.dumps(out))
"""


def run(root: Path, workers: int, weeks: int, sizes: tuple[int, ...]) -> dict[str, float]:
    """One process of checkout ``root``: its as-run week and its recording-cost ratios."""
    cost_weeks = {0: 400, 10_000: 10, 100_000: 3}
    code = _CHILD.format(
        root=str(root), workers=workers, weeks=weeks, sizes=sizes, cost_weeks=cost_weeks
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(other: Path, reps: int, workers: int, weeks: int, large: bool) -> dict[str, Any]:
    """Medians of each figure for this checkout and the other, alternating, and their ratios."""
    import numpy as np

    sizes = (0, 10_000, 100_000) if large else (0, 10_000)
    roots = {"this": ROOT, "other": other.resolve()}
    rows: dict[str, list[dict[str, float]]] = {"this": [], "other": []}
    for rep in range(reps):
        for name in ("this", "other") if rep % 2 == 0 else ("other", "this"):
            rows[name].append(run(roots[name], workers, weeks, sizes))
    keys = list(rows["this"][0])
    median = {
        name: {k: float(np.median([r[k] for r in rs])) for k in keys} for name, rs in rows.items()
    }
    paired = {
        k: float(np.median([a[k] / b[k] for a, b in zip(*rows.values(), strict=True)]))
        for k in keys
    }
    return {"median": median, "this_over_other": paired, "reps": reps}


_LEFT_OUT = {
    "clusters": (
        "    out[9], out[10], out[11] = site_clusters(",
        "    if False:\n        out[9], out[10], out[11] = site_clusters(",
    ),
    "access": ("    if has_access and need.shape[0] > 0:", "    if False:"),
    "distinguishability": (
        "    credit, counted = _fast.distinguish_counts(",
        "    credit, counted = np.zeros(n_assoc), np.zeros(n_assoc)\n"
        "    if False:\n        _fast.distinguish_counts(",
    ),
    "diversity": ("    if sampled:\n        xs", "    if False:\n        xs"),
    "projection": (
        "    st, sr, n_axis = _fast.projection_sums(x, m, c0, axis, has_axis)",
        "    st, sr, n_axis = 0.0, 0.0, 0",
    ),
    "ties": ("    if has_ties:\n        out[16]", "    if False:\n        out[16]"),
    "crossing": (
        "    n_counted, n_mosaic, n_facets, n_adopted, n_midway = crossing_cells(",
        "    n_counted, n_mosaic, n_facets, n_adopted, n_midway = 0, 0, 0, 0, 0\n"
        "    if False:\n        crossing_cells(",
    ),
}
"""For ``--without``: the line of ``measure_all`` that calls each measure's kernel, and what
replaces it (the call skipped)."""


def without(name: str) -> Path:
    """This checkout's measures with ``name``'s kernel left out, in a temporary folder."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp()) / "simulation"
    shutil.copytree(ROOT / "simulation" / "measures", folder / "measures")
    fused = folder / "measures" / "_fused.py"
    text = fused.read_text()
    call, skipped = _LEFT_OUT[name]
    if call not in text:
        raise ValueError(f"the call of {name} was not found in measure_all")
    text = text.replace(call, skipped, 1)
    if name == "diversity":
        text = text.replace("    else:\n        out[8] = sorted_mean_pairwise(x, perm)\n", "", 1)
    fused.write_text(text)
    return folder.parent


def load_measures(other: Path):
    """Another checkout's measures package, as a package of its own (``other_measures``).

    The package imports nothing of the model but itself: it is copied to a temporary folder
    under another name (so its compiled code is cached there, never beside its sources).
    """
    import importlib
    import re
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp())
    shutil.copytree(other / "simulation" / "measures", folder / "other_measures")
    for path in (folder / "other_measures").glob("*.py"):
        text = re.sub(r"\bsimulation\.measures\b", "other_measures", path.read_text())
        path.write_text(text)
    sys.path.insert(0, str(folder))
    return importlib.import_module("other_measures.record")


def in_week(other: Path, workers: int, weeks: int, check: bool = True) -> dict[str, Any]:
    """Each checkout's recorder on the same weeks of one model, in turn, in this process.

    A landscape with the default parameters runs ``weeks`` weeks (after ten); each week both
    recorders measure the same state, in alternating order, each timed in processor time, and
    their values must be equal bit for bit (NaN where both are NaN).
    """
    sys.path[:0] = [str(ROOT)]
    import numpy as np

    from simulation.collector import world_recorder
    from simulation.model import PoolingModel

    other_record = load_measures(other.resolve())
    kw = {"scenario": "cssi"} if workers == 0 else {"scenario": "landscape", "n_workers": workers}
    model = PoolingModel(**kw, rng=1, record_every=10**5)
    w = model.world
    this = world_recorder(w, model.need_site, model.params.access_tolerance)
    theirs = other_record.Recorder(
        w.practices,
        w.membership,
        w.assoc_site,
        w.sector,
        need=w.need,
        need_site=model.need_site,
        tolerance=model.params.access_tolerance,
        initial_centroids=this.c0,
        health_facets=this.health_facets,
    )
    recorders = {"this": this, "other": theirs}
    spent: dict[str, list[float]] = {"this": [], "other": []}
    for week in range(weeks + 10):
        model.step()
        state = {  # as the model's collector gives them (simulation.collector.week_row)
            "edges": w.tie_ends,
            "strength": w.tie_strength,
            "cultures": w.cultures,
            "initial_cultures": w.initial_cultures,
            "worker_site": w.worker_site,
        }
        values = {}
        for name in ("this", "other") if week % 2 == 0 else ("other", "this"):
            t = time.process_time()
            values[name] = recorders[name].values(w.practices, w.membership, **state)
            spent[name].append(time.process_time() - t)
        if check and not np.array_equal(values["this"], values["other"], equal_nan=True):
            raise AssertionError(f"week {week}: {values['this']} != {values['other']}")
    first = slice(10, None)  # the first weeks may load compiled code: left out
    this_t, other_t = np.array(spent["this"][first]), np.array(spent["other"][first])
    order = np.arange(len(this_t)) % 2 == 0  # weeks 10, 12, ...: this checkout first
    both = np.where(order, this_t, other_t), np.where(order, other_t, this_t)
    return {
        "first_us": 1e6 * float(np.median(both[0])),
        "second_us": 1e6 * float(np.median(both[1])),
        "this_us": 1e6 * float(np.median(this_t)),
        "other_us": 1e6 * float(np.median(other_t)),
        "ratio": float(np.median(this_t / other_t)),
        "ratio_of_sums": float(this_t.sum() / other_t.sum()),
    }


def parts(workers: int = 10_000, weeks: int = 20) -> dict[str, float]:
    """Microseconds a recorded week spends in each kernel of ``measure_all`` (this checkout)."""
    sys.path[:0] = [str(ROOT)]
    import copy

    import numpy as np

    from simulation.measures import _fast, _fused
    from simulation.measures._crossing import crossing_cells
    from simulation.measures._pairwise import sorted_mean_pairwise
    from simulation.measures.clusters import site_clusters
    from simulation.model import PoolingModel

    model = PoolingModel(scenario="landscape", n_workers=workers, rng=1)
    for _ in range(10):
        model.step()
    code = _fused.measure_all.py_func.__code__
    names = code.co_varnames[: code.co_argcount]
    spent: dict[str, float] = {}

    def timed(label: str, fn: Any, *args: Any) -> Any:
        t = time.process_time()
        out = fn(*args)
        spent[label] = spent.get(label, 0.0) + time.process_time() - t
        return out

    for week in range(weeks + 1):
        before = copy.deepcopy(model._recorder._kept[1])  # the memories as they were
        model.step()
        a = dict(zip(names, model._recorder._kept[1], strict=True))
        mem = dict(zip(names, before, strict=True))
        x, m, c0 = a["x"], a["m"], a["c0"]
        n_assoc, d = c0.shape
        sums, counts = np.zeros((n_assoc, d)), np.zeros(n_assoc, np.int64)
        scatter = np.zeros(n_assoc)
        means = timed("assoc_stats", _fast.assoc_stats, x, m, n_assoc, sums, counts, scatter)
        fc = counts.astype(np.float64)
        site = (a["pairs"], a["assoc_site"], a["n_sites"], d)
        timed("site_measures", _fused._site_measures, sums, fc, scatter, means, c0, *site)
        dist = (a["assoc_site"], a["site_ptr"], a["site_assoc"])
        timed("distinguishability", _fast.distinguish_counts, x, m, sums, counts, *dist)
        ent = (a["ent_ptr"], a["ent_facet"], a["ent_inv"], a["ent_r"], a["kept"], a["adopted"])
        timed("crossing", crossing_cells, x, m, c0, *ent, mem["cells"])
        xs = x[a["sample"]] if a["sampled"] else x
        timed("diversity", sorted_mean_pairwise, xs, mem["perm"])
        by_site = (a["worker_order"], a["site_starts"])
        chosen = (a["cluster_eps"], a["major_share"], a["cluster_sites"])
        timed("clusters", site_clusters, x, *by_site, *chosen)
        timed("projection", _fast.projection_sums, x, m, c0, a["axis"], a["has_axis"])
        sectors = (a["sector"], a["health_facets"])
        timed("sanitarisation", _fused._sanitarisation, sums, fc, c0, *sectors)
        timed("ties", _fused._ties, a["edges"], a["strength"], a["tie_ids"], m, n_assoc)
        acc = [mem[k] for k in ("server", "served", "prev", "budget")]
        timed("access", _fast.served, x, a["need"], a["need_site"], *by_site, a["tolerance"], *acc)
        if week == 0:  # the first calls may load compiled code: left out
            spent.clear()
    return {k: 1e6 * v / weeks for k, v in spent.items()}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="root of another checkout")
    parser.add_argument("--reps", type=int, default=4)
    parser.add_argument("--workers", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=30)
    parser.add_argument("--large", action="store_true", help="also the 1e5 recording ratio")
    parser.add_argument("--processes", action="store_true", help="whole weeks, in processes")
    parser.add_argument("--without", choices=sorted(_LEFT_OUT), help="one measure's cost")
    parser.add_argument("--parts", action="store_true", help="each kernel's time, this checkout")
    args = parser.parse_args(argv)
    result: dict[str, Any] = {}
    if args.parts:
        result["parts"] = parts(args.workers)
        total = sum(result["parts"].values())
        print(f"a recorded week of {args.workers:,} workers, each kernel (us, processor time):")
        for k, v in sorted(result["parts"].items(), key=lambda kv: -kv[1]):
            print(f"  {k:20s} {v:8.1f}  {v / total:4.0%}")
        print(f"  {'total':20s} {total:8.1f}")
    if args.against is not None or args.without is not None:
        other = args.against if args.without is None else without(args.without)
        week = in_week(other, args.workers, args.weeks * 2, check=args.without is None)
        result["in_week"] = week
        size = "the CSSI" if args.workers == 0 else f"{args.workers:,} workers"
        print(
            f"the recorder in the model's weeks ({size}, processor time, "
            f"medians): this {week['this_us']:.0f} us, other {week['other_us']:.0f} us, "
            f"this/other {week['ratio']:.3f} (ratio of sums {week['ratio_of_sums']:.3f})"
        )
    if args.against is not None and args.processes:
        result["compare"] = compare(args.against, args.reps, args.workers, args.weeks, args.large)
        med, ratio = result["compare"]["median"], result["compare"]["this_over_other"]
        print(f"medians over {args.reps} alternating repetitions (this / other = paired median):")
        for k in med["this"]:
            print(
                f"  {k:12s} this {med['this'][k]:8.3f}  other {med['other'][k]:8.3f}  "
                f"this/other {ratio[k]:.3f}"
            )
    return result


if __name__ == "__main__":
    main()
