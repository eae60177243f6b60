"""The shared-cases kernel against another version of it, in the same process, as a ratio.

Run from the repository root, naming the ``kernels.py`` of another checkout::

    .venv/bin/python benchmarks/shared_cases.py --against ../other/simulation/kernels.py
    .venv/bin/python benchmarks/shared_cases.py --against OTHER --workers 10000 --weeks 60
    .venv/bin/python benchmarks/shared_cases.py --against OTHER --kernel encounters_on_table

A landscape at ``pooling_intensity = 0.8`` is warmed up, then stepped; week by week the model's
call of ``collaborate`` (or of ``--kernel``: the encounters' ``encounters_on_table``, with
``--mu`` for a ``copresence_influence`` other than the default 0) goes to this checkout's
kernel and to the other's in turn, each timed
where the model calls it (so with the caches as the week's other rules leave them). Both must
give the same practices, so the run is the same whichever answers. Then the kernel alone: one
week's arguments, copied afresh before each call (the copies push the large edge arrays out of
the cache), the two kernels in turn. Medians and their ratio only: nothing here is asserted.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402

from simulation import kernels  # noqa: E402
from simulation.model import PoolingModel  # noqa: E402


def load(path: str) -> ModuleType:
    """Another ``kernels.py`` as a module of its own (it imports nothing of the package).

    It is loaded from a copy in a temporary folder, so that its compiled code is cached there
    and never beside the other checkout's sources.
    """
    copy = Path(tempfile.mkdtemp()) / "other_kernels.py"
    shutil.copyfile(path, copy)
    spec = importlib.util.spec_from_file_location("other_kernels", copy)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


UNIFORMS = {"collaborate": 4, "encounters_on_table": 2}
"""The argument of each kernel timed whose size is the week's count of interactions."""


def compare(
    other: ModuleType,
    workers: int,
    weeks: int,
    repeats: int,
    kernel: str = "collaborate",
    mu: float = 0.0,
) -> dict[str, Any]:
    """Median milliseconds of each kernel, in the model's weeks and alone on one week's calls."""
    model = PoolingModel(
        scenario="landscape",
        n_workers=workers,
        pooling_intensity=0.8,
        rng=1,
        record_every=10**5,
        copresence_influence=mu,
    )
    for _ in range(10):
        model.step()
    table = kernels.active()
    fns = {"this": getattr(table, kernel), "other": getattr(other, kernel)}
    in_week = {name: [] for name in fns}
    saved = []

    def timed(name: str):
        def call(*args: Any) -> int:
            if not saved:
                saved.append([a.copy() if isinstance(a, np.ndarray) else a for a in args])
            t = time.perf_counter()
            out = fns[name](*args)
            in_week[name].append(time.perf_counter() - t)
            return out

        return call

    try:
        for week in range(weeks + 2):  # each kernel's first call may compile: left out
            name = ("this", "other")[week % 2]
            kernels._state["table"] = SimpleNamespace(**{**vars(table), kernel: timed(name)})
            model.step()
    finally:
        kernels._state["table"] = table
    alone = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            args = [a.copy() if isinstance(a, np.ndarray) else a for a in saved[0]]
            t = time.perf_counter()
            fn(*args)
            alone[name].append(time.perf_counter() - t)
    ms = {f"alone {name}": 1e3 * float(np.median(alone[name])) for name in fns}
    ms |= {f"week {name}": 1e3 * float(np.median(in_week[name][1:])) for name in fns}
    return {"workers": workers, "cases": saved[0][UNIFORMS[kernel]].size, **ms}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", required=True, help="the other checkout's kernels.py")
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--kernel", choices=sorted(UNIFORMS), default="collaborate")
    parser.add_argument("--mu", type=float, default=0.0, help="copresence_influence")
    args = parser.parse_args(argv)
    other = load(args.against)
    r = compare(other, args.workers, args.weeks, args.repeats, args.kernel, args.mu)
    print(f"{r['workers']:,} workers, about {r['cases']:,} calls of {args.kernel} a week")
    for where in ("week", "alone"):
        this, other = r[f"{where} this"], r[f"{where} other"]
        print(f"  {where:5}: this {this:.2f} ms, other {other:.2f} ms, ratio {this / other:.3f}")
    return r


if __name__ == "__main__":
    main()
