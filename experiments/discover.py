"""Scenario discovery: the boxes of parameter space where one regime is the most likely.

The Patient Rule Induction Method (Friedman & Fisher 1999, *Statistics and Computing* 9:
123-143), as scenario discovery uses it (Bryant & Lempert 2010, *Technological Forecasting and
Social Change* 77: 34-49), through EMA Workbench's ``prim`` (Kwakkel 2017, *Environmental
Modelling & Software* 96: 239-250). Each design point of a finished sweep is a case of interest
when the regime most of its replicates end in is the one asked for; PRIM peels the design's
box, one slice at a time, towards the points of interest, which traces a trajectory from
high coverage (share of all points of interest inside the box) to high density (share of the
box's points that are of interest). The box reported is the one of highest coverage whose
density reaches ``density`` (default :data:`DENSITY`).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

DENSITY = 0.8
"""Density a box must reach to be reported: four of its points in five are of interest, the
target density scenario discovery conventionally asks of a policy-relevant box."""

TABLE_FILE = "discovery-{regime}.csv"
TRAJECTORY_FILE = "discovery-{regime}-trajectory.csv"


def check_installed() -> None:
    """Raise a one-line error if EMA Workbench is missing."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # optional parts it does not need here
            import ema_workbench  # noqa: F401
    except ImportError as err:
        raise ImportError(
            "scenario discovery needs EMA Workbench: pip install 'isohybrid[calibration]'"
        ) from err


@dataclass
class Discovery:
    """A box found by PRIM and the trajectory it was chosen from.

    Attributes:
        regime: the regime of interest.
        box: one row per parameter (``low``, ``high``, the design's ``min`` and ``max``,
            ``restricted``), plus the box's ``coverage``, ``density``, ``mass`` as attributes.
        trajectory: one row per peeling step (``coverage``, ``density``, ``mass``,
            ``res_dim``, ``id``).
        chosen: index of the reported box on the trajectory.
        points: number of design points; ``of_interest``: those whose modal regime is
            ``regime``.
    """

    regime: str
    box: pd.DataFrame
    trajectory: pd.DataFrame
    chosen: int
    points: int
    of_interest: int

    @property
    def stats(self) -> dict[str, float]:
        """Coverage, density, mass and restricted dimensions of the reported box."""
        row = self.trajectory.iloc[self.chosen]
        return {
            "coverage": float(row["coverage"]),
            "density": float(row["density"]),
            "mass": float(row["mass"]),
            "res_dim": int(row["res_dim"]),
        }

    def table(self) -> pd.DataFrame:
        """The restricted dimensions with their limits and the box's statistics on each row."""
        out = self.box[self.box["restricted"]].copy()
        for key, value in self.stats.items():
            out[key] = value
        out.insert(0, "regime", self.regime)
        return out.reset_index(drop=True)


def modal_regimes(summary: pd.DataFrame) -> pd.DataFrame:
    """Per design point: the most common end regime of its replicates and each regime's share.

    Ties go to the regime listed first among the tied ones (alphabetically), so the label does
    not depend on replicate order.
    """
    done = summary[summary.get("status", "ok") == "ok"] if "status" in summary else summary
    shares = pd.crosstab(done["point"], done["regime"], normalize="index")
    modal = shares.idxmax(axis=1).rename("modal_regime")
    return shares.join(modal)


def point_outcome(
    summary: pd.DataFrame, design: pd.DataFrame, regime: str
) -> tuple[pd.DataFrame, np.ndarray]:
    """The design's varying factors and, per point, whether ``regime`` is its modal regime.

    Raises:
        ValueError: the design has no varying factor, or no run ended in ``regime``.
    """
    regimes = modal_regimes(summary)
    x = design.loc[regimes.index]
    x = x[[c for c in x.columns if x[c].nunique() > 1]]
    if x.empty:
        raise ValueError("the sweep's design varies no parameter: nothing to discover")
    numeric = x.select_dtypes("number").astype(float)
    y = (regimes["modal_regime"] == regime).to_numpy()
    if not y.any():
        seen = ", ".join(sorted(regimes["modal_regime"].unique()))
        raise ValueError(
            f"no design point has {regime!r} as its most common regime (seen: {seen}); "
            "nothing to discover"
        )
    return numeric.reset_index(drop=True), y


def prim_box(
    x: pd.DataFrame,
    y: np.ndarray,
    *,
    regime: str = "of interest",
    density: float = DENSITY,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> Discovery:
    """Run PRIM on a table of inputs and a boolean outcome; report the chosen box.

    Args:
        x: one row per point, one float column per parameter.
        y: True where the point is of interest.
        regime: a name for what ``y`` marks.
        density: the box reported is the one of highest coverage reaching this density (the
            densest one if none does).
        peel_alpha: share of points peeled at each step.
        mass_min: smallest share of points a box may hold.
    """
    check_installed()
    with warnings.catch_warnings():
        # EMA Workbench warns of optional parts it does not need here and of pandas changes
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        logging.getLogger("EMA").setLevel(logging.WARNING)
        finder = prim.Prim(
            x.astype(float), np.asarray(y, dtype=bool), peel_alpha=peel_alpha, mass_min=mass_min
        )
        found = finder.find_box()
    trajectory = found.peeling_trajectory.reset_index(drop=True)
    ok = trajectory.index[trajectory["density"] >= density]
    chosen = int(ok[0]) if len(ok) else int(trajectory["density"].idxmax())
    limits = found.box_lims[chosen]
    rows = []
    for name in x.columns:
        low, high = float(limits.loc[0, name]), float(limits.loc[1, name])
        lo, hi = float(x[name].min()), float(x[name].max())
        rows.append(
            {
                "parameter": name,
                "low": low,
                "high": high,
                "min": lo,
                "max": hi,
                "restricted": bool(low > lo or high < hi),
            }
        )
    return Discovery(
        regime,
        pd.DataFrame(rows),
        trajectory,
        chosen,
        points=len(y),
        of_interest=int(np.sum(y)),
    )


def discover(
    folder: str | Path,
    regime: str = "hybridisation",
    *,
    density: float = DENSITY,
    write: bool = True,
) -> Discovery:
    """Scenario discovery on a finished sweep: where is ``regime`` the most likely end state?

    Args:
        folder: a sweep folder (any design; a Latin hypercube suits PRIM best).
        regime: the regime of interest.
        density: see :func:`prim_box`.
        write: write the box table and the trajectory as CSV into the folder.

    Returns:
        A :class:`Discovery`.
    """
    from experiments import storage

    folder = Path(folder)
    summary = storage.load_summary(folder)
    x, y = point_outcome(summary, storage.load_design(folder), regime)
    found = prim_box(x, y, regime=regime, density=density)
    if write:
        found.table().to_csv(folder / TABLE_FILE.format(regime=regime), index=False)
        found.trajectory.to_csv(folder / TRAJECTORY_FILE.format(regime=regime), index=False)
    return found
