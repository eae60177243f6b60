"""Speed of the engine against plain Mesa: interactions/s, CSSI weeks/s, the 100k landscape.

Run from the repository root::

    .venv/bin/python benchmarks/engine.py            # full run (about ten minutes)
    .venv/bin/python benchmarks/engine.py --quick    # fewer steps and sizes (about two minutes)

It prints one table and writes it as JSON to ``benchmarks/out/engine.json``. Sections:

* ``bandwidth``: streaming copy and add over arrays far larger than the caches (STREAM's
  convention: bytes read plus bytes written), single thread, and the bound it implies on
  interactions/s once the practices leave the cache.
* ``interactions``: one interaction is one application of the collaboration rule
  (``kernels.facet_borrowing``) to one pre-sampled pair of neighbours, on a random graph of mean
  degree 8, with the model's default collaboration parameters. The engine is timed on the
  kernel alone (pairs sampled in bulk beforehand) and end to end (sampling included); the
  naive Mesa model (``benchmarks/naive_mesa.py``) on ``model.step()``. Both start from the same
  uniform practices and run the same number of sweeps, at D = 16 and D = 6 facets.
* ``cssi``: weeks per second of the CSSI scenario with every measure recorded every week.
* ``measures``: what recording every measure every week costs against the rules alone, as the
  ratio of the two week times on the same model in one run (CSSI, 1e4 and 1e5 workers), and
  ``clusters``: the grid union-find against SciPy's ``query_pairs`` + ``connected_components``.
* ``landscape``: build time, weeks per second and peak memory (max RSS of a fresh process) of
  the 100,000-worker landscape over 1,000 weeks.
* ``week``: a 100,000-worker week with every rule on, each rule's share of it and the week's
  interactions per second end to end (``benchmarks/week_rules.py``): encounters, visits,
  shared cases and members' weeks in pooled functions, all counted.
* ``as_run``: the model as users run it, against the per-agent Mesa model in the same run: a
  10,000-worker landscape with the default parameters (every rule on) and the default recording
  (every measure every week), counting the interactions of every rule, divided by the agent
  steps per second of ``benchmarks/naive_mesa.py`` on as many workers (D = 6, one interaction
  per agent per step). Both as wall-clock and as processor-time ratios.
* ``first_call``: import, build and first week of a CSSI model in a fresh process, with the
  Numba cache cold (an empty ``NUMBA_CACHE_DIR``) and then warm.

Targets (checked in the table, never in the tests): >= 1e7 interactions/s end to end in a
1e5-worker week with every rule on (``week``), >= 100x the naive Mesa model at 1e4 workers as
users run the model (``as_run``), each in wall-clock and in this process's processor time (the
steadier figure on a shared machine), CSSI >= 7,000 weeks/s with the measures every week,
a week with every measure at most twice a rules-only week (CSSI, 1e4, 1e5 workers), the 1e5
landscape built in < 10 s and run in < 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# The model runs on one thread. OpenBLAS's idle threads spin for a while after any call made
# while a model is built, which processor time would count against the weeks that follow; the
# sweep engine's workers run with one BLAS thread for the same reason (experiments/runner.py).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from naive_mesa import NaiveCollaboration, random_graph  # noqa: E402
from week_rules import table as week_table  # noqa: E402
from week_rules import week_shares  # noqa: E402

from simulation import kernels, rules  # noqa: E402

RULE = {"tolerance": 0.05, "influence": 0.3, "floor": 0.2, "reciprocal": True}
TARGETS = {
    "week_interactions_per_s_1e5": 1e7,
    "week_interactions_per_cpu_s_1e5": 1e7,
    "as_run_vs_mesa_1e4": 100.0,
    "as_run_vs_mesa_1e4_cpu": 100.0,
    "cssi_weeks_per_s": 7000.0,
    "measures_ratio_cssi": 2.0,
    "measures_ratio_1e4": 2.0,
    "measures_ratio_1e5": 2.0,
    "landscape_build_s": 10.0,
    "landscape_peak_gb": 2.0,
}
CACHE_LINE = 64
PAIR_STREAM_BYTES = 8 + 8 + 8 + 8 + 8 + 8 + 1  # src, dst, two uniforms, two weights, flag


# --- memory bandwidth ---------------------------------------------------------------------------


def bandwidth(megabytes: int = 512, repeats: int = 5) -> dict[str, float]:
    """Best single-thread copy and add bandwidth (GB/s) over arrays of ``megabytes`` each."""
    n = megabytes * (1 << 20) // 8
    a, b, c = np.ones(n), np.ones(n), np.ones(n)
    copy = add = 0.0
    for _ in range(repeats):
        t = time.perf_counter()
        np.copyto(b, a)
        copy = max(copy, 2 * a.nbytes / (time.perf_counter() - t) / 1e9)
        t = time.perf_counter()
        np.add(a, b, out=c)
        add = max(add, 3 * a.nbytes / (time.perf_counter() - t) / 1e9)
    return {"copy_gb_s": copy, "add_gb_s": add, "array_mb": megabytes}


def random_lines(megabytes: int = 512, repeats: int = 3) -> float:
    """Random cache lines fetched per second by one thread (independent gathers, ``np.take``).

    Random rows, not streams, are what the interaction loop reads, so this (latency and
    memory-level parallelism) is the practical ceiling once the practices leave the cache.
    """
    n = megabytes * (1 << 20) // 8
    a = np.ones(n)
    idx = np.random.default_rng(0).integers(0, n, 1 << 22)
    best = 0.0
    for _ in range(repeats):
        t = time.perf_counter()
        np.take(a, idx)
        best = max(best, idx.size / (time.perf_counter() - t))
    return best


def lines_per_row(d: int) -> float:
    """Cache lines a row of ``d`` float64 spans, averaged over the rows' alignments."""
    row = 8 * d
    spans = [((off + row - 1) // CACHE_LINE) + 1 for off in (np.arange(64) * row) % CACHE_LINE]
    return float(np.mean(spans))


def bytes_per_interaction(d: int) -> float:
    """Memory traffic of one interaction once the practices leave the cache.

    Both rows are read (every cache line they span, averaged over row alignments), the line
    holding the borrowed facet is written back on both sides (reciprocal), and the pair's own
    data streams in (indices, uniforms, weights, flag).
    """
    return 2 * lines_per_row(d) * CACHE_LINE + 2 * CACHE_LINE + PAIR_STREAM_BYTES


# --- interactions per second --------------------------------------------------------------------


def _setting(n: int, d: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    edges = random_graph(n, 8, rng)
    return edges, rng.random((n, d))


def engine_rate(n: int, d: int, sweeps: int, budget: float) -> dict[str, float]:
    """Interactions/s of the compiled collaboration kernel, alone and with sampling."""
    edges, x0 = _setting(n, d)
    ptr, nbr = rules.csr(edges, n)
    rng = np.random.default_rng(2)
    src, dst = rules.sweep_pairs(ptr, nbr, sweeps, rng)
    u = rng.random((2, src.size))
    ones = np.ones(src.size)
    done = np.empty(src.size, dtype=np.bool_)
    args = (src, dst, u[0], u[1], RULE["tolerance"], RULE["influence"], RULE["floor"], True)
    kernels.facet_borrowing(x0.copy(), *args, ones, ones, done)  # compiled or loaded once
    kernel_times, total_times = [], []
    spent = 0.0
    while spent < budget or len(kernel_times) < 3:
        x = x0.copy()
        t = time.perf_counter()
        kernels.facet_borrowing(x, *args, ones, ones, done)
        kernel_times.append(time.perf_counter() - t)
        x = x0.copy()
        t = time.perf_counter()
        rules.collaboration_sweeps(x, ptr, nbr, sweeps, rng, **RULE)
        total_times.append(time.perf_counter() - t)
        spent += kernel_times[-1] + total_times[-1]
    return {
        "kernel": src.size / float(np.median(kernel_times)),
        "end_to_end": src.size / float(np.median(total_times)),
        "moved_share": float(done.mean()),
        "pairs": int(src.size),
    }


def naive_rate(n: int, d: int, sweeps: int, budget: float) -> dict[str, float]:
    """Interactions/s (agent steps/s) of the one-agent-at-a-time Mesa model."""
    edges, x0 = _setting(n, d)
    t = time.perf_counter()
    model = NaiveCollaboration(edges, x0, rng=3, **RULE)
    build = time.perf_counter() - t
    steps, t, cpu = 0, time.perf_counter(), time.process_time()
    while steps < sweeps and (steps == 0 or time.perf_counter() - t < budget):
        model.step()
        steps += 1
    elapsed, elapsed_cpu = time.perf_counter() - t, time.process_time() - cpu
    return {
        "rate": steps * n / elapsed,
        "rate_cpu": steps * n / elapsed_cpu,
        "moved_share": model.interactions / (steps * n),
        "sweeps": steps,
        "build_s": build,
    }


def interactions(sizes: list[int], naive_sizes: list[int], budget: float) -> list[dict]:
    rows = []
    for n in sizes:
        sweeps = int(np.clip(2_000_000 // n, 1, 20))
        for d in (16, 6):
            row: dict[str, Any] = {"workers": n, "facets": d, "sweeps": sweeps}
            row["engine"] = engine_rate(n, d, sweeps, budget)
            if n in naive_sizes:
                row["mesa"] = naive_rate(n, d, sweeps, budget)
                row["speedup_kernel"] = row["engine"]["kernel"] / row["mesa"]["rate"]
                row["speedup_end_to_end"] = row["engine"]["end_to_end"] / row["mesa"]["rate"]
            row["state_mb"] = n * d * 8 / 1e6
            rows.append(row)
            _progress(f"interactions n={n} D={d}: {row['engine']['kernel']:.3g}/s")
    return rows


# --- the pooling model --------------------------------------------------------------------------


def cssi(weeks: int) -> dict[str, float]:
    """Weeks/s of the CSSI scenario, measures recorded every week (and without, for scale)."""
    from simulation.model import PoolingModel

    out = {}
    for label, every in (("with_measures", 1), ("rules_only", 100_000)):
        model = PoolingModel(scenario="cssi", record_every=every, rng=1)
        for _ in range(20):
            model.step()
        t = time.perf_counter()
        for _ in range(weeks):
            model.step()
        out[label] = weeks / (time.perf_counter() - t)
    out["weeks"] = weeks
    return out


def measure_cost(n: int, weeks: int, rounds: int = 5) -> dict[str, float]:
    """What recording every measure costs, relative to the rules alone, in one process.

    One model (the CSSI for ``n = 0``, else a landscape of ``n`` workers, default parameters)
    runs alternate blocks of ``weeks`` weeks: rules only, then rules with every measure
    recorded (``model.measures()`` and the DataCollector, as ``record_every=1`` does). Timing
    the two in alternation on the same trajectory, in processor time of this process, cancels
    most of the drift of a shared machine; the median over ``rounds`` pairs of blocks is
    reported.

    Returns:
        ``ms_rules`` and ``ms_with_measures`` per week, ``ratio`` (target <= 2: recording every
        measure at most halves throughput) and, for the CSSI, ``weeks_per_s_with_measures``.
    """
    from simulation.model import PoolingModel

    params = {"scenario": "cssi"} if n == 0 else {"scenario": "landscape", "n_workers": n}
    model = PoolingModel(**params, record_every=100_000, rng=1)
    for _ in range(5):
        model.step()
        model.datacollector.collect(model)
    rules, full = [], []
    for _ in range(rounds):
        t = time.process_time()
        for _ in range(weeks):
            model.step()
        rules.append((time.process_time() - t) / weeks)
        t = time.process_time()
        for _ in range(weeks):
            model.step()
            model.datacollector.collect(model)
        full.append((time.process_time() - t) / weeks)
    ratios = np.array(full) / np.array(rules)
    out = {
        "workers": int(model.world.n_workers),
        "ms_rules": float(np.median(rules)) * 1e3,
        "ms_with_measures": float(np.median(full)) * 1e3,
        "ratio": float(np.median(ratios)),
    }
    if n == 0:
        out["weeks_per_s_with_measures"] = 1e3 / out["ms_with_measures"]
        out["weeks_per_s_rules"] = 1e3 / out["ms_rules"]
    return out


def as_run(n: int, weeks: int, budget: float) -> dict[str, Any]:
    """The model as users run it against the per-agent Mesa model, in this one process.

    A landscape of ``n`` workers with the default parameters and recording (every measure every
    week) runs ``weeks`` weeks; its interactions of every rule per second are divided by the
    agent steps per second of the naive Mesa model on ``n`` workers (D = 6).
    """
    week = week_shares(n, weeks, warmup=5, pooling_intensity=None, record_every=1)
    mesa = naive_rate(n, 6, sweeps=20, budget=budget)
    return {
        "week": week,
        "mesa": mesa,
        "speedup": week["interactions_per_s"] / mesa["rate"],
        "speedup_cpu": week["interactions_per_cpu_s"] / mesa["rate_cpu"],
    }


def clusters_grid_vs_scipy(n: int = 10_000, weeks: int = 20) -> dict[str, float]:
    """Seconds per call of the grid union-find and of SciPy's pairs + components (same result)."""
    from simulation.measures.clusters import practice_clusters, practice_clusters_scipy
    from simulation.model import PoolingModel

    model = PoolingModel(scenario="landscape", n_workers=n, pooling_intensity=0.5, rng=1)
    for _ in range(weeks):
        model.step()
    x = model.practices.copy()
    out = {}
    for label, fn in (("grid_s", practice_clusters), ("scipy_s", practice_clusters_scipy)):
        fn(x)
        t = time.perf_counter()
        for _ in range(3):
            fn(x)
        out[label] = (time.perf_counter() - t) / 3
    out["scipy_over_grid"] = out["scipy_s"] / out["grid_s"]
    return out


def _maxrss_gb() -> float:
    """Peak resident memory of this process so far, in GB.

    Linux's ``VmHWM`` starts afresh at ``exec``; ``ru_maxrss`` would carry over the parent's
    peak into a child process, so it is only the fallback (macOS).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e9
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, kB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e9


def landscape_part(n: int, weeks: int) -> dict[str, float]:
    """Build and run a landscape in this process (call in a fresh one, for its peak memory)."""
    from simulation.model import PoolingModel

    PoolingModel(scenario="cssi", rng=0)  # load the kernels, so the build is timed alone
    base = _maxrss_gb()
    t = time.perf_counter()
    model = PoolingModel(scenario="landscape", n_workers=n, record_every=100, rng=1)
    build = time.perf_counter() - t
    after_build = _maxrss_gb()
    t = time.perf_counter()
    for _ in range(weeks):
        model.step()
    run = time.perf_counter() - t
    frame = model.datacollector.get_model_vars_dataframe()
    return {
        "workers": n,
        "weeks": weeks,
        "build_s": build,
        "weeks_per_s": weeks / run,
        "peak_gb": _maxrss_gb(),
        "peak_after_build_gb": after_build,
        "baseline_gb": base,
        "co_presence_edges": int(model.world.cp_edges.shape[0]),
        "ties_at_end": int(model.world.tie_ids.size),
        "records": len(frame),
    }


FIRST_CALL = """
import json, time
t0 = time.perf_counter()
from simulation.model import PoolingModel
t1 = time.perf_counter()
model = PoolingModel(scenario="cssi", rng=1)
model.step()
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "build_and_first_week_s": t2 - t1, "total_s": t2 - t0}))
"""
"""Import, build and first recorded week of a CSSI model, timed inside a fresh interpreter."""


def _in_fresh_process(args: list[str], env: dict[str, str] | None = None) -> dict:
    done = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def first_call() -> dict[str, dict]:
    """First call in a fresh process: Numba cache cold, then warm, then the repository's own."""
    with tempfile.TemporaryDirectory() as cache:
        env = {"NUMBA_CACHE_DIR": cache}
        cold = _in_fresh_process(["-c", FIRST_CALL], env)
        warm = _in_fresh_process(["-c", FIRST_CALL], env)
    default = _in_fresh_process(["-c", FIRST_CALL])
    return {"cold_cache": cold, "warm_cache": warm, "repository_cache": default}


# --- table --------------------------------------------------------------------------------------


def _progress(message: str) -> None:
    print(f"  ... {message}", file=sys.stderr, flush=True)


def _targets(result: dict) -> dict[str, dict]:
    checks = {}
    checks["week_interactions_per_s_1e5"] = result["week"]["interactions_per_s"]
    checks["week_interactions_per_cpu_s_1e5"] = result["week"]["interactions_per_cpu_s"]
    checks["as_run_vs_mesa_1e4"] = result["as_run"]["speedup"]
    checks["as_run_vs_mesa_1e4_cpu"] = result["as_run"]["speedup_cpu"]
    checks["cssi_weeks_per_s"] = result["cssi"]["with_measures"]
    for size in ("cssi", "1e4", "1e5"):
        checks[f"measures_ratio_{size}"] = result["measures"][size]["ratio"]
    checks["landscape_build_s"] = result["landscape"]["build_s"]
    checks["landscape_peak_gb"] = result["landscape"]["peak_gb"]
    out = {}
    for name, value in checks.items():
        goal = TARGETS[name]
        lower = name.startswith(("landscape", "measures_ratio"))
        ok = value <= goal if lower else value >= goal
        out[name] = {"value": value, "target": goal, "met": bool(ok)}
    return out


def table(result: dict) -> str:
    bw = result["bandwidth"]
    lines = [
        f"machine: {result['machine']['cpu']}, {result['machine']['cores']} cores; "
        f"numba {result['machine']['numba']}, mesa {result['machine']['mesa']}; "
        f"load average at start {result['machine']['load_average_at_start']:.1f}",
        f"bandwidth (1 thread, {bw['array_mb']} MB arrays): copy {bw['copy_gb_s']:.1f} GB/s, "
        f"add {bw['add_gb_s']:.1f} GB/s",
    ]
    lines.append(f"random cache lines (1 thread): {bw['random_lines_per_s']:.3g}/s")
    for d, bound in result["bound"].items():
        lines.append(
            f"  bound once the state leaves the cache, D={d}: {bound['bytes']:.0f} B/interaction"
            f" -> {bound['interactions_per_s']:.2g}/s by bandwidth; "
            f"{bound['random_lines']:.0f} random lines -> "
            f"{bound['interactions_per_s_random']:.2g}/s by random access"
        )
    lines += [
        "",
        f"{'workers':>9} {'D':>3} {'state MB':>9} {'kernel /s':>11} {'end-to-end /s':>14} "
        f"{'Mesa /s':>10} {'x kernel':>9} {'x e2e':>7}",
    ]
    for r in result["interactions"]:
        mesa = r.get("mesa")
        lines.append(
            f"{r['workers']:>9,} {r['facets']:>3} {r['state_mb']:>9.1f} "
            f"{r['engine']['kernel']:>11.3g} {r['engine']['end_to_end']:>14.3g} "
            + (
                f"{mesa['rate']:>10.3g} {r['speedup_kernel']:>9.0f} "
                f"{r['speedup_end_to_end']:>7.0f}"
                if mesa
                else f"{'-':>10} {'-':>9} {'-':>7}"
            )
        )
    c, land, fc = result["cssi"], result["landscape"], result["first_call"]
    lines += [
        "",
        f"CSSI: {c['with_measures']:,.0f} weeks/s with every measure every week "
        f"({c['rules_only']:,.0f} weeks/s rules only)",
        "cost of recording every measure every week (same model, alternate blocks, median):",
    ]
    for size, mc in result["measures"].items():
        lines.append(
            f"  {size:>5} ({mc['workers']:,} workers): {mc['ms_rules']:.3f} ms/week rules only, "
            f"{mc['ms_with_measures']:.3f} ms with every measure: ratio {mc['ratio']:.2f}"
        )
    cl = result["clusters"]
    lines += [
        f"practice clusters of 10,000 workers: grid {cl['grid_s'] * 1e3:.1f} ms, SciPy pairs + "
        f"components {cl['scipy_s'] * 1e3:.1f} ms ({cl['scipy_over_grid']:.1f}x)",
        f"landscape {land['workers']:,} workers ({land['co_presence_edges']:,} co-presence "
        f"edges): built in {land['build_s']:.2f} s, {land['weeks']} weeks at "
        f"{land['weeks_per_s']:.1f} weeks/s, peak RSS {land['peak_gb']:.2f} GB "
        f"(after build {land['peak_after_build_gb']:.2f} GB, "
        f"interpreter and libraries {land['baseline_gb']:.2f} GB)",
    ]
    if fc:
        lines.append(
            "first call (import + build + first week of a CSSI model, fresh process): "
            f"cold cache {fc['cold_cache']['total_s']:.1f} s, "
            f"warm cache {fc['warm_cache']['total_s']:.1f} s "
            f"(import {fc['warm_cache']['import_s']:.1f} s)"
        )
    if "week" in result:
        lines.append(week_table(result["week"]))
    if "as_run" in result:
        run = result["as_run"]
        lines += [
            "as users run it:",
            week_table(run["week"]),
            f"  per-agent Mesa model, {run['week']['workers']:,} workers: "
            f"{run['mesa']['rate']:.3g} interactions/s ({run['mesa']['rate_cpu']:.3g} per "
            f"processor second) -> the model is {run['speedup']:.0f}x faster "
            f"({run['speedup_cpu']:.0f}x in processor time)",
        ]
        lines += _as_run_scale(result, run)
    lines += ["", "targets:"]
    for name, t in result["targets"].items():
        lines.append(
            f"  {name:<32} {t['value']:>12.4g}  target {t['target']:<8g} "
            + ("met" if t["met"] else "NOT MET")
        )
    return "\n".join(lines)


def _as_run_scale(result: dict, run: dict) -> list[str]:
    """The as-run ratio beside what bounds it: the week without recording, and one rule alone."""
    week, mesa = run["week"], run["mesa"]["rate"]
    rules_share = 1.0 - week["share"].get("recording", 0.0)
    rules_rate = week["interactions_per_s"] / max(rules_share, 1e-9)
    lines = [
        f"  for scale: the same week without its recording would run {rules_rate:.3g} "
        f"interactions/s ({rules_rate / mesa:.0f}x Mesa)"
    ]
    alone = [
        r
        for r in result.get("interactions", [])
        if r["workers"] == week["workers"] and r["facets"] == 6 and "mesa" in r
    ]
    if alone:
        lines.append(
            f"  for scale: the collaboration rule alone on as many workers (D = 6, pairs drawn "
            f"in bulk, nothing recorded) runs {alone[0]['speedup_end_to_end']:.0f}x its Mesa "
            "model end to end"
        )
    return lines


def _machine() -> dict[str, Any]:
    import mesa
    import numba

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "mesa": mesa.__version__,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sizes and weeks")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "engine.json")
    parser.add_argument("--part", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.part:  # the landscape, run in a fresh process by the parent
        part = landscape_part(*map(int, args.part))
        print(json.dumps(part))
        return part

    quick = args.quick
    result: dict[str, Any] = {"quick": quick, "machine": _machine()}
    _progress("memory bandwidth")
    result["bandwidth"] = bandwidth(256 if quick else 512)
    result["bandwidth"]["random_lines_per_s"] = random_lines(256 if quick else 512)
    sustained = max(result["bandwidth"]["copy_gb_s"], result["bandwidth"]["add_gb_s"])
    result["bound"] = {
        d: {
            "bytes": bytes_per_interaction(d),
            "interactions_per_s": sustained * 1e9 / bytes_per_interaction(d),
            "random_lines": 2 * lines_per_row(d),
            "interactions_per_s_random": result["bandwidth"]["random_lines_per_s"]
            / (2 * lines_per_row(d)),
        }
        for d in (16, 6)
    }
    sizes = [1_000, 10_000, 100_000] + ([] if quick else [1_000_000])
    naive_sizes = [1_000, 10_000] + ([] if quick else [100_000])
    result["interactions"] = interactions(sizes, naive_sizes, budget=0.5 if quick else 2.0)
    _progress("CSSI weeks/s")
    result["cssi"] = cssi(500 if quick else 3000)
    _progress("cost of the measures against the rules")
    result["measures"] = {
        "cssi": measure_cost(0, 200 if quick else 1000),
        "1e4": measure_cost(10_000, 10 if quick else 40),
        "1e5": measure_cost(100_000, 2 if quick else 8, rounds=3 if quick else 5),
    }
    result["clusters"] = clusters_grid_vs_scipy()
    _progress("landscape of 100,000 workers")
    weeks = "100" if quick else "1000"
    result["landscape"] = _in_fresh_process([__file__, "--part", "100000", weeks])
    _progress("a week with every rule on")
    result["week"] = week_shares(100_000, 10 if quick else 50)
    _progress("the model as users run it, against the per-agent Mesa model")
    result["as_run"] = as_run(10_000, 20 if quick else 100, budget=0.5 if quick else 2.0)
    _progress("first-call compilation")
    result["first_call"] = first_call()
    result["targets"] = _targets(result)
    result["table"] = table(result)
    print(result["table"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=float) + "\n")
    print(
        f"\nwritten to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}"
    )
    return result


if __name__ == "__main__":
    main()
