"""The Sobol analysis of the regimes: its spec, its reproducibility, its analysis and figure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.container import BarContainer
from test_provenance import _rows

from experiments import figure_jobs, reproduce, robustness, storage
from experiments.runner import run_one
from experiments.sensitivity import analyse_sensitivity
from experiments.sobol_regimes import (
    INERT_ON_THE_CSSI,
    SPEC_NAME,
    first_blocks_table,
    regimes_reached,
    seed_noise_share,
    sobol_regimes_table,
    sobol_spec,
)
from experiments.spec import Design, SweepSpec, design_points, levels
from experiments.sweep import run_sweep
from simulation.model import default_parameters


def _tiny(seed: int = 20260113) -> SweepSpec:
    """The Sobol sweep's shape at a toy size: three factors, two of them levels."""
    return SweepSpec(
        name=SPEC_NAME,
        scenario="cssi",
        seed=seed,
        steps=26,
        record_every=26,
        replicates=2,
        fixed={"pooling_intensity": 0.5},
        design=Design.sobol(
            2,
            identity_strength=(0.2, 0.8),
            layout=levels("separate", "shared"),
            serving_publics=levels(False, True),
        ),
    )


@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sobol") / SPEC_NAME
    run_sweep(_tiny(), out, executor="serial", progress=False)
    return out


# --- the spec ----------------------------------------------------------------------------------


def test_the_spec_varies_every_assumption_over_its_robustness_range() -> None:
    factors = sobol_spec().design.factors
    for name, values in robustness.ASSUMPTIONS.items():
        low, high = values
        if isinstance(low, bool | str):
            assert factors[name] == {"levels": list(values)}, name
        elif isinstance(low, int) and isinstance(high, int):
            assert factors[name] == {"levels": list(range(low, high + 1))}, name
        else:
            assert factors[name] == [low, high], name
    assert sobol_spec().fixed == {"pooling_intensity": robustness.POOLING}


def test_every_assumption_of_the_provenance_table_is_a_factor_or_inert_on_the_cssi() -> None:
    assumed = {name for name, (_, kind) in _rows().items() if "assumption" in kind}
    factors = set(sobol_spec().design.factors)
    assert assumed - factors == set(INERT_ON_THE_CSSI)
    assert factors <= assumed | set(robustness.ASSUMPTIONS)


@pytest.mark.parametrize("name", INERT_ON_THE_CSSI)
def test_the_assumptions_left_out_leave_a_cssi_run_unchanged(name: str) -> None:
    params = {**default_parameters(), "scenario": "cssi", "pooling_intensity": 0.5}
    base = run_one(params, 7, (0, 0), 26, 13, n_twins=1)
    value = params[name]
    moved = {**params, name: value * 3 if value else 1}
    assert run_one(moved, 7, (0, 0), 26, 13, n_twins=1).equals(base)


def test_the_quick_variant_is_tiny_and_the_full_one_a_whole_saltelli_design() -> None:
    full, quick = sobol_spec(), sobol_spec(quick=True)
    assert full.design.kind == quick.design.kind == "sobol"
    assert quick.n_runs <= 100
    assert full.n_points == full.design.samples * (len(full.design.factors) + 2)
    assert full.replicates >= 4


def test_the_reproduction_registers_the_sweep_and_its_figure() -> None:
    assert reproduce.PAPER_FIGURES[SPEC_NAME] == ("sobol_regimes",)
    assert reproduce.experiment_spec(SPEC_NAME) == sobol_spec()


# --- the analysis ------------------------------------------------------------------------------


def test_sobol_through_levels_finds_the_only_factor_that_matters(tmp_path: Path) -> None:
    # collaboration_level follows pooling_intensity alone: given as two levels, it must take
    # all the variance, and openness none
    design = Design.sobol(16, pooling_intensity=levels(0.2, 0.9), openness=(0.1, 0.9))
    spec = SweepSpec(design=design, steps=2, seed=3, name="levels")
    run_sweep(spec, tmp_path, executor="serial", progress=False)
    table = analyse_sensitivity(tmp_path, "collaboration_level").set_index("parameter")
    assert table.loc["pooling_intensity", "ST"] > 0.8
    assert table.loc["openness", "ST"] == pytest.approx(0.0, abs=1e-12)
    assert set(design_points(spec)["pooling_intensity"]) == {0.2, 0.9}


def test_the_outcome_is_the_share_of_a_points_seeds_in_each_regime(tiny_sweep: Path) -> None:
    table = sobol_regimes_table(tiny_sweep, num_resamples=50)
    summary = storage.load_summary(tiny_sweep)
    assert list(table["regime"].unique()) == regimes_reached(summary)
    assert list(table.columns) == [
        "regime",
        "parameter",
        "S1",
        "S1_conf",
        "ST",
        "ST_conf",
        "probability",
        "seed_noise_share",
    ]
    shares = summary["regime"].value_counts(normalize=True)
    for regime, rows in table.groupby("regime"):
        assert rows["probability"].iloc[0] == pytest.approx(shares[regime])
        assert set(rows["parameter"]) == {"identity_strength", "layout", "serving_publics"}


def test_the_sweep_is_reproduced_from_its_seed_and_resumes(
    tiny_sweep: Path, tmp_path: Path
) -> None:
    again = tmp_path / SPEC_NAME
    run_sweep(_tiny(), again, executor="serial", progress=False)
    keep = ["run_id", "point", "replicate", "regime", "layout", "serving_publics"]
    keep += ["identity_strength", "centroid_gap_ratio", "crossing", "null_crossing"]
    first, second = storage.load_summary(tiny_sweep), storage.load_summary(again)
    assert first[keep].equals(second[keep])
    one = sobol_regimes_table(tiny_sweep, num_resamples=50)
    two = sobol_regimes_table(again, num_resamples=50)
    pd.testing.assert_frame_equal(one, two)
    assert run_sweep(_tiny(), again, executor="serial", progress=False).computed == 0
    other = design_points(_tiny(seed=1))
    assert not other.equals(design_points(_tiny()))


def test_the_figure_job_draws_the_indices_of_a_tiny_design(tiny_sweep: Path) -> None:
    jobs = {job.stem: job for job in figure_jobs.sweep_figures(tiny_sweep)}
    job = jobs["sobol_regimes"]
    assert "equal-width bins" in job.shows
    fig = job.draw()
    table = sobol_regimes_table(tiny_sweep, num_resamples=100)
    panels = {_title(ax): ax for ax in fig.axes if _title(ax)}
    assert sorted(panels) == sorted(table["regime"].unique())
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]  # shared by the panels
    for regime, ax in panels.items():
        bars = [c for c in ax.containers if isinstance(c, BarContainer)]
        assert len(bars) == 2  # S1 and ST
        widths = [bar.get_width() for bar in bars[1]]
        part = table[table["regime"] == regime].set_index("parameter")["ST"]
        assert len(widths) == len(labels) == 3
        assert sorted(pd.Series(widths).fillna(-1)) == sorted(part.fillna(-1))


def _title(ax: object) -> str:
    """A panel's regime: the first line of its title, wherever the style places it."""
    text = next(
        (ax.get_title(loc) for loc in ("center", "left", "right") if ax.get_title(loc)), ""
    )
    return text.split("\n")[0]


def test_the_seed_noise_share_is_the_replicates_variance_over_the_points_variance() -> None:
    # point 0: 2 of 4 runs in the regime; point 1: 0 of 4; point 2: 4 of 4
    hits = [1, 1, 0, 0] + [0] * 4 + [1] * 4
    ok = pd.DataFrame(
        {"point": [0] * 4 + [1] * 4 + [2] * 4, "regime": ["a" if h else "b" for h in hits]}
    )
    p = pd.Series([0.5, 0.0, 1.0])
    expected = (0.25 / 3) / 3 / p.var(ddof=0)
    assert seed_noise_share(ok, "a") == pytest.approx(expected)
    assert np.isnan(seed_noise_share(ok.assign(regime="a"), "a"))  # no variance


def test_the_first_blocks_of_the_whole_design_give_the_same_indices(tiny_sweep: Path) -> None:
    whole = sobol_regimes_table(tiny_sweep, num_resamples=50)
    blocks = first_blocks_table(tiny_sweep, 2, num_resamples=50)
    columns = ["regime", "parameter", "S1", "ST"]
    pd.testing.assert_frame_equal(whole[columns], blocks[columns])
    with pytest.raises(ValueError, match=r"base = 4 is out of range; allowed: \[2, 2\]"):
        first_blocks_table(tiny_sweep, 4)
