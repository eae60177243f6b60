"""Re-running stored runs of a sweep from their seeds: states and drift for the figures.

A run re-run from its stored seed and parameters gives back exactly the stored run;
:func:`run_snapshots` and :func:`drift_table` check that it ends where the stored run ended
(else they warn: the code has changed since the sweep ran).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from experiments.snapshot import Snapshot, sector_drift, snapshot

if TYPE_CHECKING:
    import pandas as pd

    from simulation.model import PoolingModel

MAX_DRIFT_REPLICATES = 10
"""At most this many replicates per level are re-run for the sanitarisation figure."""


def replay(
    folder: str | Path, run_id: str, observe: Callable[[PoolingModel], None] | None = None
) -> PoolingModel:
    """Re-run one run of a sweep from its stored seed and parameters and return the model.

    Args:
        folder: the sweep folder.
        run_id: the run, e.g. ``"p0003-r02"``.
        observe: called with the model at week 0 and at every recorded week.

    Returns:
        The model at the run's last week (the same state the stored run ended in).
    """
    from experiments import storage
    from experiments.runner import plain_value
    from experiments.seeds import parse_key, run_seed
    from simulation.model import PoolingModel

    path = storage.shard_path(Path(folder), run_id)
    if not path.is_file():
        raise FileNotFoundError(f"run {run_id!r} has no shard in {folder}")
    record = storage.read_record(path)
    every, steps = int(record["record_every"]), int(record["steps"])
    params = {k: plain_value(v) for k, v in record["params"].items() if k != "record_every"}
    seed = run_seed(int(record["seed_entropy"]), parse_key(record["spawn_key"]))
    model = PoolingModel(**params, record_every=every, rng=seed)
    if observe is not None:
        observe(model)
    for _ in range(steps):
        model.step()
        if observe is not None and (model.steps % every == 0 or model.steps == steps):
            observe(model)
    return model


def check_replay(model: PoolingModel, stored: Mapping[str, Any], run_id: str) -> bool:
    """Whether a re-run ended where the stored run did (else warn: the code has changed)."""
    now = model.measures()
    for name in ("centroid_distance_ratio", "hybrid_share", "mean_pairwise_distance"):
        a, b = float(now[name]), float(stored[name])
        if not (np.isclose(a, b, rtol=1e-9, atol=1e-12) or (np.isnan(a) and np.isnan(b))):
            warnings.warn(
                f"re-running {run_id} gives {name} = {a:.6g}, but the sweep stored {b:.6g}: "
                "the model has changed since the sweep ran; the state figures show the "
                "current code's run",
                RuntimeWarning,
                stacklevel=3,
            )
            return False
    return True


def run_snapshots(folder: str | Path, run_id: str) -> tuple[Snapshot, Snapshot]:
    """The state of one stored run at week 0 and at its last week (re-run from its seed)."""
    from experiments import storage

    first: list[Snapshot] = []
    model = replay(folder, run_id, lambda m: first.append(snapshot(m)) if not first else None)
    summary = storage.load_summary(folder).set_index("run_id")
    check_replay(model, summary.loc[run_id], run_id)
    return first[0], snapshot(model)


def drift_table(
    folder: str | Path, *, by: str = "asymmetry", max_replicates: int = MAX_DRIFT_REPLICATES
) -> pd.DataFrame:
    """Sector drift over time for the runs of a sweep (re-run from their seeds).

    Returns:
        One row per run and recorded week: ``run_id``, ``by``, ``replicate``, ``step``,
        ``social_drift``, ``health_drift`` (see :func:`sector_drift`).
    """
    import pandas as pd

    from experiments import storage

    summary = storage.load_summary(folder)
    runs = summary[(summary["status"] == "ok") & (summary["replicate"] < max_replicates)]
    rows: list[dict[str, Any]] = []
    for row in runs.itertuples(index=False):
        run_id, level, replicate = row.run_id, getattr(row, by), row.replicate

        def observe(m: PoolingModel, run_id: str = run_id, level: Any = level, r: int = replicate):
            social, health = sector_drift(m)
            rows.append(
                {
                    "run_id": run_id,
                    by: level,
                    "replicate": r,
                    "step": int(m.steps),
                    "social_drift": social,
                    "health_drift": health,
                }
            )

        model = replay(folder, run_id, observe)
        check_replay(model, row._asdict(), run_id)
    return pd.DataFrame(rows)
