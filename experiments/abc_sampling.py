"""pyabc's side of a calibration: one particle's run, and a sampler seeded from the root.

A particle's simulation is one run of the case, summarised by each pattern's distance. The
sampler is pyabc's mapping sampler with one change: the ``n`` tasks of a generation (each
samples until it accepts one particle) get seeds spawned from the root ``SeedSequence`` by
``(generation, call, task)``, and the ``k``-th run inside a task gets ``(generation, call, task,
k)``, so the accepted population does not depend on which worker ran what, or when.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor, as_completed
from typing import Any

import numpy as np

from experiments.patterns import CaseTargets, distances
from experiments.progress import Progress

STREAM_RUN, STREAM_PROPOSAL, STREAM_MAIN = 1, 2, 3
"""Spawn-key heads of the runs, of the proposals (numpy's global generator in a task) and of
the main process's draws between generations."""

_TASK = threading.local()


def run_table(
    params: Mapping[str, Any], entropy: int, key: tuple[int, ...], steps: int, record_every: int
) -> Any:
    """One run's recorded measures (a ``step`` column first), without null twins.

    Patterns read the run alone; only a regime needs the twins. The seed is
    ``SeedSequence(entropy, spawn_key=key)``, as in sweeps.
    """
    import pandas as pd

    from experiments.runner import plain_value
    from experiments.seeds import run_seed
    from simulation.model import PoolingModel

    kwargs = {k: plain_value(v) for k, v in params.items() if k not in ("record_every", "rng")}
    model = PoolingModel(**kwargs, record_every=record_every, rng=run_seed(entropy, key))
    for _ in range(steps):
        model.step()
    if model.steps % record_every:
        model.datacollector.collect(model)  # the final state is always recorded
    frame = pd.DataFrame(model.datacollector.model_vars)
    weeks = list(range(0, steps + 1, record_every))
    if weeks[-1] != steps:
        weeks.append(steps)
    frame.insert(0, "step", weeks[: len(frame)])
    return frame


class PatternSimulator:
    """pyabc's model: one run of a case at a particle's parameters -> pattern distances.

    The run's seed is spawned from the root by the task key that the seeded sampler set for
    the calling thread, and the number of runs the task has made so far.
    """

    def __init__(self, case: CaseTargets, entropy: int, steps: int, record_every: int) -> None:
        self.case, self.entropy = case, int(entropy)
        self.steps, self.record_every = steps, record_every

    def __call__(self, particle: Mapping[str, float]) -> dict[str, float]:
        """Run the case once and return each pattern's distance."""
        key = getattr(_TASK, "key", (0,))
        count = getattr(_TASK, "count", 0)
        _TASK.count = count + 1
        params = {**self.case.fixed, **{k: float(v) for k, v in particle.items()}}
        table = run_table(
            params, self.entropy, (STREAM_RUN, *key, count), self.steps, self.record_every
        )
        return distances(self.case, table)


def total_distance(x: Mapping[str, float], _observed: Mapping[str, float]) -> float:
    """A particle's distance: the sum of its patterns' distances (0 when all hold)."""
    return float(sum(x.values()))


def sampler_class() -> type:
    """Pyabc's mapping sampler, seeded from the root (built on first use: pyabc is optional)."""
    from pyabc.sampler import MappingSampler

    class SeededMappingSampler(MappingSampler):
        """pyabc's mapping sampler with tasks seeded from the root ``SeedSequence``."""

        def __init__(self, map_: Callable[..., Any], entropy: int) -> None:
            super().__init__(map_=map_)
            self.entropy = int(entropy)
            self.calls: dict[int, int] = {}

        def sample_until_n_accepted(self, n: int, simulate_one: Any, t: int, **_: Any) -> Any:
            call = self.calls.get(t, 0)
            self.calls[t] = call + 1
            task = functools.partial(
                seeded_task, self.sample_factory, self.entropy, self.pickle(simulate_one)
            )
            keys = [(t + 1, call, i) for i in range(n)]
            results = list(self.map_(task, keys))
            self.nr_evaluations_ = sum(evals for _, evals in results)
            sample = self._create_empty_sample()
            for part, _ in results:
                sample += part
            return sample

    return SeededMappingSampler


def seeded_task(factory: Any, entropy: int, simulate_one: bytes, key: tuple[int, ...]) -> Any:
    """Sample until one particle is accepted, every draw seeded by ``key`` under the root.

    Returns:
        ``(sample, runs)``: pyabc's sample of the task and the runs it took.
    """
    import cloudpickle

    simulate = cloudpickle.loads(simulate_one)
    seq = np.random.SeedSequence(entropy, spawn_key=(STREAM_PROPOSAL, *key))
    # pyabc draws proposals from numpy's global generator: seed it for this task
    np.random.seed(seq.generate_state(1)[0])  # noqa: NPY002, TID251
    _TASK.key, _TASK.count = key, 0
    sample, n = factory(), 0
    while True:
        particle = simulate()
        n += 1
        sample.append(particle)
        if particle.accepted:
            return sample, n


def progress_map(executor: Executor, bar: Progress) -> Callable[..., list[Any]]:
    """A ``map`` over an executor that counts each finished task on ``bar`` (order kept)."""

    def map_(fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        futures = [executor.submit(fn, item) for item in items]
        for _ in as_completed(futures):
            bar.update()
        return [f.result() for f in futures]

    return map_
