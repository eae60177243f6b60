"""Scenario discovery: PRIM finds a box planted in a synthetic outcome."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ema_workbench")

from experiments.discover import modal_regimes, point_outcome, prim_box

PLANTED = {"a": (0.2, 0.6), "b": (0.5, 0.9)}
TOLERANCE = 0.1
"""Each limit of the found box within 0.1 of the planted one (a tenth of the range)."""


def _planted(n: int = 1000, noise: float = 0.05, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.random((n, 4)), columns=["a", "b", "c", "d"])
    inside = np.ones(n, dtype=bool)
    for name, (lo, hi) in PLANTED.items():
        inside &= (x[name] >= lo) & (x[name] <= hi)
    flip = rng.random(n) < noise
    return x, inside ^ flip


def test_prim_finds_a_planted_box() -> None:
    x, y = _planted()
    found = prim_box(x, y, density=0.8)
    box = found.box.set_index("parameter")
    assert set(box.index[box["restricted"]]) >= set(PLANTED)
    for name, (lo, hi) in PLANTED.items():
        assert abs(box.loc[name, "low"] - lo) < TOLERANCE
        assert abs(box.loc[name, "high"] - hi) < TOLERANCE
    for name in ("c", "d"):  # the dimensions that do not matter stay (almost) free
        assert box.loc[name, "high"] - box.loc[name, "low"] > 0.8
    assert found.stats["density"] >= 0.8
    assert found.stats["coverage"] > 0.7
    table = found.table()
    assert {"parameter", "low", "high", "coverage", "density", "regime"} <= set(table.columns)


def test_the_modal_regime_of_a_point_is_the_most_common_of_its_replicates() -> None:
    summary = pd.DataFrame(
        {
            "point": [0, 0, 0, 1, 1, 1],
            "regime": ["hybridisation", "hybridisation", "persistence"] + ["isomorphism"] * 3,
        }
    )
    modal = modal_regimes(summary)
    assert modal.loc[0, "modal_regime"] == "hybridisation"
    assert modal.loc[0, "hybridisation"] == pytest.approx(2 / 3)
    design = pd.DataFrame({"p": [0.1, 0.9], "q": [0.5, 0.5]}, index=pd.Index([0, 1], name="point"))
    x, y = point_outcome(summary, design, "isomorphism")
    assert list(x.columns) == ["p"]  # a factor held fixed is no dimension of the box
    assert y.tolist() == [False, True]
    with pytest.raises(ValueError, match="no design point has 'fragmentation'"):
        point_outcome(summary, design, "fragmentation")


def test_discover_command_on_a_finished_sweep(tmp_path) -> None:
    from experiments.cli import main
    from experiments.storage import load_summary

    folder = tmp_path / "sweep"
    args = ["sweep", "smoke", "--quick", "--out", str(folder), "--executor", "serial"]
    assert main([*args, "--no-progress"]) == 0
    regime = load_summary(folder)["regime"].value_counts().index[0]
    assert main(["discover", str(folder), "--regime", regime]) == 0
    assert (folder / f"discovery-{regime}.csv").exists()
    assert (folder / "figures" / f"prim_{regime}.png").exists()
    assert main(["discover", str(folder), "--regime", "nonsense"]) != 0
