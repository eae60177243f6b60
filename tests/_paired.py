"""Pooled runs beside their null twins, for the validation and consistency tests."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from simulation import kernels
from simulation.measures import JUDGED_KEYS, judge_table
from simulation.model import PoolingModel
from simulation.twins import make_twin

SEEDS = range(30)
WEEKS = 520


def _extras(model: PoolingModel, encounters: int) -> dict[str, float]:
    centroids = np.zeros_like(model.cultures)
    kernels.group_mean(model.practices, model.membership, len(centroids), centroids)
    return {
        "encounters_total": float(encounters),
        # how far associations' practices moved (turnover noise averages out in the mean)
        "practice_shift": float(np.abs(centroids - model.initial_centroids).mean()),
        "ties_per_worker": model.world.tie_ids.size / model.practices.shape[0],
        "sanitarisation": float(model.measures()["sanitarisation"]),
    }


@cache
def paired(weeks: int = WEEKS, **params: object) -> pd.DataFrame:
    """End states of 30 seeded runs, each beside its own null twin (cached: tests share runs).

    Columns: every measure of the run, ``null_<key>`` for the twin's judged measures,
    ``twin_<extra>`` for the twin's extras, and ``regime`` judged against the twins' spread.
    """
    rows = []
    for seed in SEEDS:
        run = PoolingModel(**params, record_every=100_000, rng=seed)
        twin = make_twin(params, seed)
        encounters = [0, 0]
        for _ in range(weeks):
            run.step()
            twin.step()
            encounters[0] += run.counts["encounters"]
            encounters[1] += twin.counts["encounters"]
        row: dict[str, object] = {"seed": seed, "step": weeks}
        row.update({f"null_{k}": twin.measures()[k] for k in JUDGED_KEYS})
        row.update(_extras(run, encounters[0]))
        row.update(run.measures())
        row.update({f"twin_{k}": v for k, v in _extras(twin, encounters[1]).items()})
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["regime"] = judge_table(frame, by=())
    return frame


def share(frame: pd.DataFrame, regime: str) -> float:
    """Share of the runs judged in ``regime``."""
    return float((frame["regime"] == regime).mean())


def effect(frame: pd.DataFrame, key: str) -> pd.Series:
    """Run minus own twin, per seed, for a judged key."""
    return frame[key] - frame[f"null_{key}"]


# Pooling levels set one at a time (the article's three forms of pooling).
CO_PRESENCE_ONLY = {"co_presence": 1.0, "collaboration": 0.0, "common_work": 0.0}
COLLABORATION = {"co_presence": 1.0, "collaboration": 1.0, "common_work": 0.0}
COMMON_WORK = {"co_presence": 1.0, "collaboration": 1.0, "common_work": 1.0}
