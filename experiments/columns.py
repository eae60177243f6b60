"""The columns a sweep stores for each run, and the regimes judged from them.

Beside the model's measures (``MODEL_REPORTERS``), each recorded week of a run carries its null
twin's judged measures (``null_*``) and a ``regime``; when the tables are built, the regime is
judged again against the twins of every replicate of the run's design point.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["sweep_columns", "with_regimes"]


def sweep_columns() -> tuple[str, ...]:
    """The measure columns of a run's records: the model's, its twin's, and the regime."""
    from simulation.measures import NULL_COLUMNS
    from simulation.model import MODEL_REPORTERS

    return (*MODEL_REPORTERS, *NULL_COLUMNS, "regime")


def with_regimes(tidy: pd.DataFrame) -> pd.DataFrame:
    """A sweep's tidy table with each row's ``regime`` judged against its design point's twins.

    Each run was stored with its own twin's judged measures (``null_*``): the noise of a row is
    the spread of the twins of every replicate of its design point at the same week, and the
    effect is the row's difference from its own twin
    (:func:`simulation.measures.judge_table`).
    """
    from simulation.measures import judge_table

    out = tidy.copy()
    out["regime"] = judge_table(out, by=("point",))
    return out
