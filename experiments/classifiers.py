"""The regime along pooling intensity under two classifiers: the null-twin rule, a model-free one.

For each pooling level and seed, a run and its null twin end after ``weeks`` weeks; the run is
labelled by the regime rule (judged against the twins of every seed at that level,
:func:`simulation.measures.judge_table`) and, independently, by Gaussian mixtures of its final
practices (:func:`simulation.measures.recovery.recover`), which know nothing of the rules.
``isohybrid``'s figure :func:`experiments.figures.classifiers.two_classifiers` draws the table;
in ``isohybrid reproduce`` it comes from the ``two_classifiers`` sweep (:func:`sweep_table`:
the sweep's regimes, and the mixtures on each run re-run from its stored seed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from experiments.progress import Progress

POOLING_LEVELS: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def two_classifiers_table(
    params: Mapping[str, Any] | None = None,
    levels: Sequence[float] = POOLING_LEVELS,
    seeds: Sequence[int] = range(8),
    weeks: int = 520,
    *,
    progress: bool = True,
) -> pd.DataFrame:
    """One row per (pooling level, seed): both classifiers' labels and their measures.

    Args:
        params: model parameters besides ``pooling_intensity`` (default: the CSSI).
        levels: pooling intensities.
        seeds: seeds (each run's twin has the same seed).
        weeks: weeks run.
        progress: show a progress bar.

    Returns:
        Columns ``pooling_intensity``, ``seed``, the judged measures and their ``null_*``,
        ``regime`` (the rule's), ``recovery`` (the model-free label), ``ari``, ``components``.
    """
    from simulation.measures import JUDGED_KEYS, judge_table
    from simulation.measures.recovery import recover
    from simulation.model import PoolingModel
    from simulation.twins import make_twin

    base = dict(params or {"scenario": "cssi"})
    rows = []
    with Progress(len(levels) * len(seeds), "runs", unit="run", enabled=progress) as bar:
        for level in levels:
            for seed in seeds:
                p = {**base, "pooling_intensity": float(level)}
                run = PoolingModel(**p, record_every=100_000, rng=seed)
                twin = make_twin(p, seed)
                for _ in range(weeks):
                    run.step()
                    twin.step()
                found = recover(run.practices, run.membership, run.world.assoc_site)
                row = {"pooling_intensity": float(level), "seed": seed, "step": weeks}
                row.update({k: run.measures()[k] for k in JUDGED_KEYS})
                row.update({f"null_{k}": twin.measures()[k] for k in JUDGED_KEYS})
                row.update(recovery=found.label, ari=found.ari, components=found.components)
                rows.append(row)
                bar.update()
    table = pd.DataFrame(rows)
    table["regime"] = judge_table(table, by=("pooling_intensity",))
    return table


def sweep_table(folder: Any) -> pd.DataFrame:
    """The same table from a finished sweep over pooling intensity (runs re-run from their seeds).

    The regime rule's label is the sweep's own (each run judged against the twins of every
    replicate at its design point); the model-free label comes from the mixtures on the run's
    final practices, re-run from its stored seed (:func:`experiments.replay.replay`).

    Args:
        folder: the sweep folder.

    Returns:
        One row per finished run: ``pooling_intensity``, ``replicate``, ``run_id``, ``regime``,
        ``recovery``, ``ari``, ``components``.
    """
    from experiments import storage
    from experiments.replay import replay
    from simulation.measures.recovery import recover

    summary = storage.load_summary(folder)
    ok = summary[summary["status"] == "ok"]
    rows = []
    for row in ok.itertuples(index=False):
        model = replay(folder, row.run_id)
        found = recover(model.practices, model.membership, model.world.assoc_site)
        rows.append(
            {
                "pooling_intensity": float(row.pooling_intensity),
                "replicate": int(row.replicate),
                "run_id": row.run_id,
                "regime": row.regime,
                "recovery": found.label,
                "ari": found.ari,
                "components": found.components,
            }
        )
    return pd.DataFrame(rows)
