"""Docking: published results of the classic models against ours, on the pooling model's kernels.

Run from the repository root::

    .venv/bin/python benchmarks/docking.py            # full run (about one minute, one core)
    .venv/bin/python benchmarks/docking.py --quick    # fewer replicates and sizes (about 10 s)

It prints the tables as markdown and writes them as JSON to ``benchmarks/out/docking.json``
(with the seed entropy, replicates, versions and run time). Every run is seeded with
``SeedSequence(entropy, spawn_key=(cell, replicate))`` (``experiments.seeds.run_seed``), so any
single run can be rebuilt. Sections:

* ``axelrod_fq``: stable regions on a 10 x 10 grid, 4 neighbours, by features F and traits q,
  against the table of Axelrod (1997).
* ``axelrod_neighbours`` and ``axelrod_territory``: regions by range of interaction and by
  territory size (F = 5, q = 15), against Axelrod's (1997) qualitative findings.
* ``deffuant``: major clusters (>= 2 % of the agents) of 1,000 agents, mu = 0.5, by threshold,
  against Deffuant et al.'s (2000) rule of thumb: the integer part of 1 / (2 eps).
* ``march``: equilibrium knowledge of the code (m = 30, n = 50) by p1 and p2, against March's
  (1991) Fig. 1 as reproduced from his program (Christensen 2015; 10,000 runs per cell), for
  the clarified rules and for the 1991 text read literally.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from experiments.seeds import run_seed  # noqa: E402
from simulation.classic import axelrod, deffuant, march  # noqa: E402

ENTROPY = 19_970_203
OUT = ROOT / "benchmarks" / "out" / "docking.json"

AXELROD_1997 = {
    (5, 5): 1.0,
    (5, 10): 3.2,
    (5, 15): 20.0,
    (10, 5): 1.0,
    (10, 10): 1.0,
    (10, 15): 1.4,
    (15, 5): 1.0,
    (15, 10): 1.0,
    (15, 15): 1.2,
}
"""Axelrod (1997): average number of stable regions, 10 x 10 sites, von Neumann neighbours."""

AXELROD_1997_SOURCE = "Axelrod (1997), stable regions by F and q, 10x10, 4 neighbours"

MARCH_FIG1 = {
    0.1: (0.863, 0.817, 0.805, 0.802, 0.799, 0.803, 0.806, 0.809, 0.813),
    0.5: (0.954, 0.909, 0.869, 0.837, 0.811, 0.787, 0.768, 0.754, 0.742),
    0.9: (0.972, 0.940, 0.908, 0.874, 0.840, 0.807, 0.780, 0.756, 0.728),
}
"""March (1991) Fig. 1, equilibrium knowledge by p2 (key) for p1 = 0.1, ..., 0.9, as reproduced
from March's program with Christensen's (2015) clarifications, 10,000 runs per cell
(M. Workiewicz, "March_1991_Original", 2023). March's own figure shows the same curves on a
0.70-1.00 axis without printed values."""

MARCH_SOURCE = "March (1991) Fig. 1 via Christensen (2015); 10,000 runs/cell (Workiewicz 2023)"

P1_GRID = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def replicate(
    fn: Callable[..., Any], cell: int, reps: int, key: str, *extra: str, **params: Any
) -> dict[str, Any]:
    """Mean, standard error and share converged of ``key`` over seeded replicates.

    The means of the ``extra`` keys come along as ``<key>_mean``.
    """
    results = [fn(**params, rng=run_seed(ENTROPY, (cell, r))) for r in range(reps)]
    values = np.array([float(getattr(res, key)) for res in results])
    se = float(values.std(ddof=1) / math.sqrt(reps)) if reps > 1 else float("nan")
    out = {
        "mean": float(values.mean()),
        "se": se,
        "converged": float(np.mean([res.converged for res in results])),
        "runs": reps,
    }
    for name in extra:
        out[f"{name}_mean"] = float(np.mean([getattr(res, name) for res in results]))
    return out


def axelrod_fq(reps: int, cell0: int) -> list[dict[str, Any]]:
    rows = []
    for c, ((f, q), published) in enumerate(AXELROD_1997.items()):
        stats = replicate(axelrod, cell0 + c, reps, "regions", features=f, traits=q)
        rows.append({"F": f, "q": q, "published": published, **stats})
    return rows


def axelrod_neighbours(reps: int, cell0: int) -> list[dict[str, Any]]:
    rows = []
    for c, nb in enumerate((4, 8, 12)):
        stats = replicate(
            axelrod, cell0 + c, reps, "regions", features=5, traits=15, neighbours=nb
        )
        rows.append({"neighbours": nb, "published": "fewer as the range grows", **stats})
    return rows


def axelrod_territory(sizes: Sequence[int], reps: dict[int, int], cell0: int) -> list[dict]:
    rows = []
    for c, size in enumerate(sizes):
        stats = replicate(
            axelrod, cell0 + c, reps[size], "regions", size=size, features=5, traits=15
        )
        rows.append({"size": size, "published": "rise, then fall past some size", **stats})
    return rows


def deffuant_eps(epsilons: Sequence[float], reps: int, cell0: int) -> list[dict[str, Any]]:
    rows = []
    for c, eps in enumerate(epsilons):
        stats = replicate(deffuant, cell0 + c, reps, "major_clusters", "clusters", eps=eps, mu=0.5)
        rows.append({"eps": eps, "published": math.floor(1.0 / (2.0 * eps) + 1e-9), **stats})
    return rows


def march_fig1(reps: int, literal_reps: int, cell0: int) -> list[dict[str, Any]]:
    rows, c = [], cell0
    for p2, published in MARCH_FIG1.items():
        for p1, ref in zip(P1_GRID, published, strict=True):
            stats = replicate(march, c, reps, "knowledge", p1=p1, p2=p2)
            literal = replicate(
                march, c, literal_reps, "knowledge", p1=p1, p2=p2, variant="literal"
            )
            rows.append(
                {
                    "p2": p2,
                    "p1": p1,
                    "published": ref,
                    **stats,
                    "literal_mean": literal["mean"],
                    "literal_se": literal["se"],
                }
            )
            c += 1
    return rows


def fmt(mean: float, se: float) -> str:
    return f"{mean:.2f} ± {se:.2f}" if math.isfinite(se) else f"{mean:.2f}"


def markdown(results: dict[str, Any]) -> str:
    out = [f"### Axelrod (1997): stable regions, 10x10, 4 neighbours — {AXELROD_1997_SOURCE}", ""]
    out += ["| F | q | published | reproduced (mean ± se) | runs |", "|---|---|---|---|---|"]
    for r in results["axelrod_fq"]:
        row = f"| {r['F']} | {r['q']} | {r['published']:.1f} | {fmt(r['mean'], r['se'])} |"
        out.append(f"{row} {r['runs']} |")
    out += ["", "### Axelrod (1997): range of interaction (F = 5, q = 15, 10x10)", ""]
    out += ["| neighbours | published | reproduced | runs |", "|---|---|---|---|"]
    for r in results["axelrod_neighbours"]:
        row = f"| {r['neighbours']} | {r['published']} | {fmt(r['mean'], r['se'])} |"
        out.append(f"{row} {r['runs']} |")
    out += ["", "### Axelrod (1997): territory size (F = 5, q = 15, 4 neighbours)", ""]
    out += ["| L x L | published | reproduced | runs |", "|---|---|---|---|"]
    for r in results["axelrod_territory"]:
        row = f"| {r['size']}x{r['size']} | {r['published']} | {fmt(r['mean'], r['se'])} |"
        out.append(f"{row} {r['runs']} |")
    out += ["", "### Deffuant et al. (2000): major clusters (>= 2 %), N = 1000, mu = 0.5", ""]
    out += [
        "| eps | published ⌊1/(2 eps)⌋ | reproduced major | all clusters | runs |",
        "|---|---|---|---|---|",
    ]
    for r in results["deffuant"]:
        row = f"| {r['eps']} | {r['published']} | {fmt(r['mean'], r['se'])} |"
        out.append(f"{row} {r['clusters_mean']:.2f} | {r['runs']} |")
    out += ["", f"### March (1991): equilibrium knowledge, m = 30, n = 50 — {MARCH_SOURCE}", ""]
    out += [
        "| p2 | p1 | published | reproduced (clarified) | literal text | runs |",
        "|---|---|---|---|---|---|",
    ]
    for r in results["march"]:
        row = f"| {r['p2']} | {r['p1']} | {r['published']:.3f} | {r['mean']:.3f} ± {r['se']:.3f}"
        out.append(f"{row} | {r['literal_mean']:.3f} | {r['runs']} |")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer replicates (about 10 s)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"JSON output (default {OUT})")
    args = parser.parse_args(argv)
    quick = args.quick
    start = time.perf_counter()
    sizes = (5, 10, 20) if quick else (5, 10, 20, 50)
    territory_reps = {5: 20, 10: 20, 20: 10} if quick else {5: 100, 10: 100, 20: 40, 50: 6}
    epsilons = (0.1, 0.2, 0.3, 0.5) if quick else (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)
    results = {
        "axelrod_fq": axelrod_fq(20 if quick else 100, cell0=0),
        "axelrod_neighbours": axelrod_neighbours(20 if quick else 100, cell0=100),
        "axelrod_territory": axelrod_territory(sizes, territory_reps, cell0=200),
        "deffuant": deffuant_eps(epsilons, 10 if quick else 50, cell0=300),
        "march": march_fig1(20 if quick else 200, 10 if quick else 80, cell0=400),
    }
    meta = {
        "entropy": ENTROPY,
        "quick": quick,
        "seconds": round(time.perf_counter() - start, 1),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "command": "python benchmarks/docking.py" + (" --quick" if quick else ""),
        "sources": {"axelrod": AXELROD_1997_SOURCE, "march": MARCH_SOURCE},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"meta": meta, **results}, indent=2) + "\n")
    print(markdown(results))
    print(f"\n{meta['seconds']} s; wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
