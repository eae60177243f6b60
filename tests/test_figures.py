"""Paper figures draw from a small real sweep, with their labels and series, deterministically."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.text
import numpy as np
import pandas as pd
import pytest

import experiments
from experiments import figures, style
from experiments.replay import drift_table
from experiments.snapshot import sector_drift, snapshot
from experiments.spec import Design, SweepSpec
from experiments.sweep import run_sweep
from simulation.measures import REGIMES
from simulation.model import PoolingModel


def _sweep(root: Path, name: str, spec: SweepSpec) -> Path:
    out = root / name
    run_sweep(spec, out, executor="serial", progress=False)
    return out


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Five small real sweeps, one per kind of figure (about five seconds in all)."""
    root = tmp_path_factory.mktemp("sweeps")
    factors = {"pooling_intensity": (0.0, 1.0), "identity_strength": (0.0, 1.0)}
    factors["openness"] = (0.1, 0.9)
    return {
        "cssi": _sweep(
            root,
            "cssi",
            SweepSpec(
                name="fig-cssi",
                scenario="cssi",
                seed=7,
                steps=24,
                record_every=4,
                replicates=2,
                design=Design.grid(
                    pooling_intensity=[0.1, 0.5, 1.0], identity_strength=[0.3, 0.7]
                ),
            ),
        ),
        "helpline": _sweep(
            root,
            "helpline",
            SweepSpec(
                name="fig-helpline",
                scenario="helpline",
                seed=8,
                steps=20,
                record_every=2,
                replicates=2,
                design=Design.grid(
                    decentralise_at=[8],
                    intervision_every=[0, 4],
                    intervision_attendance=[0.3, 1.0],
                ),
            ),
        ),
        "asymmetry": _sweep(
            root,
            "asymmetry",
            SweepSpec(
                name="fig-asymmetry",
                scenario="cssi",
                seed=9,
                steps=16,
                record_every=4,
                replicates=2,
                fixed={"pooling_intensity": 0.5},
                design=Design.grid(asymmetry=[0.0, 0.8]),
            ),
        ),
        "sobol": _sweep(
            root,
            "sobol",
            SweepSpec(
                name="fig-sobol",
                scenario="cssi",
                seed=10,
                steps=8,
                record_every=4,
                design=Design.sobol(4, **factors),
            ),
        ),
        "morris": _sweep(
            root,
            "morris",
            SweepSpec(
                name="fig-morris",
                scenario="cssi",
                seed=11,
                steps=8,
                record_every=4,
                design=Design.morris(3, **factors),
            ),
        ),
    }


@pytest.fixture(scope="module")
def snapshots() -> tuple:
    model = PoolingModel(scenario="cssi", pooling_intensity=0.5, rng=3)
    before = snapshot(model)
    for _ in range(30):
        model.step()
    return before, snapshot(model)


@pytest.fixture(scope="module")
def sensitivity(folders: dict[str, Path]) -> dict[str, pd.DataFrame]:
    outcomes = list(figures.SENSITIVITY_OUTCOMES)
    return {
        kind: experiments.analyse_sensitivity(folders[kind], outcomes, kind, num_resamples=20)
        for kind in ("sobol", "morris")
    }


def _draw(name: str, folders: dict[str, Path], snapshots: tuple, sensitivity: dict):
    """Draw one figure from the small sweeps."""
    if name == "regime_map":
        return figures.regime_map(experiments.load_summary(folders["cssi"]))
    if name == "trajectories":
        return figures.trajectories(experiments.load(folders["cssi"]))
    if name == "access_diversity":
        return figures.access_diversity(experiments.load_summary(folders["cssi"]))
    if name == "network_before_after":
        return figures.network_before_after(*snapshots)
    if name == "practice_space":
        return figures.practice_space(*snapshots)
    if name == "helpline_time_course":
        return figures.helpline_time_course(experiments.load(folders["helpline"]))
    if name == "sanitarisation":
        return figures.sanitarisation(drift_table(folders["asymmetry"]))
    if name == "sobol_regimes":
        return figures.sobol_regimes(_regime_indices())
    return figures.sensitivity_indices(**sensitivity)


def _regime_indices() -> pd.DataFrame:
    """A small table of Sobol indices on two regimes' probabilities."""
    rows = []
    for k, regime in enumerate(("hybridisation", "compression")):
        for j, parameter in enumerate(("openness", "layout", "serving_publics")):
            s1 = 0.1 * (j + k)
            rows.append(
                {
                    "regime": regime,
                    "parameter": parameter,
                    "S1": s1,
                    "S1_conf": 0.05,
                    "ST": s1 + 0.1,
                    "ST_conf": 0.07,
                    "probability": 0.6 - 0.3 * k,
                    "seed_noise_share": 0.2,
                }
            )
    return pd.DataFrame(rows)


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    with style.style():
        fig.savefig(buffer, format="png", dpi=100, metadata=dict(style.METADATA["png"]))
    return buffer.getvalue()


# --- every figure ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(figures.FIGURES))
def test_every_figure_has_a_journal_width_readable_fonts_and_labelled_axes(
    name: str, folders, snapshots, sensitivity
) -> None:
    fig = _draw(name, folders, snapshots, sensitivity)
    width = fig.get_size_inches()[0]
    assert width == pytest.approx(style.SINGLE_COLUMN) or width == pytest.approx(
        style.DOUBLE_COLUMN
    )
    texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()]
    assert texts
    assert min(t.get_fontsize() for t in texts) >= 7
    assert fig.legends, "every figure explains its colours in a legend"
    for ax in fig.axes:
        if not (ax.get_visible() and ax.axison):
            continue  # the network panels: a layout without units, drawn without axes
        assert any(a.get_xlabel() for a in ax.get_shared_x_axes().get_siblings(ax))
        assert any(_y_named(a) for a in ax.get_shared_y_axes().get_siblings(ax))


def _y_named(ax) -> bool:
    """A y label, or tick labels that are names (parameters) rather than numbers."""
    names = [t.get_text() for t in ax.get_yticklabels()]
    return bool(ax.get_ylabel()) or any(n and not n[-1].isdigit() for n in names)


@pytest.mark.parametrize("name", sorted(figures.FIGURES))
def test_the_same_data_draws_the_same_png_bytes(name: str, folders, snapshots, sensitivity):
    first = _png(_draw(name, folders, snapshots, sensitivity))
    second = _png(_draw(name, folders, snapshots, sensitivity))
    assert first == second


def test_saved_files_embed_fonts_and_carry_no_date(tmp_path: Path, snapshots) -> None:
    fig = figures.practice_space(*snapshots)
    pdf, png = style.save_figure(fig, tmp_path / "space")
    again = style.save_figure(figures.practice_space(*snapshots), tmp_path / "again")
    assert style.save_figure(fig, tmp_path / "twice")[1].read_bytes() == png.read_bytes()
    data = pdf.read_bytes()
    assert b"/FontFile2" in data  # TrueType fonts embedded (pdf.fonttype 42)
    assert b"CreationDate" not in data
    assert data == again[0].read_bytes()
    assert png.read_bytes() == again[1].read_bytes()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- one figure at a time ----------------------------------------------------------------------


def test_regime_map_stacks_the_regime_shares_of_every_cell(folders) -> None:
    summary = experiments.load_summary(folders["cssi"])
    fig = figures.regime_map(summary)
    (ax,) = fig.axes
    assert ax.get_xlabel() == style.label("pooling_intensity")
    assert ax.get_ylabel() == style.label("identity_strength")
    assert len(ax.containers) == len(REGIMES)  # one series per regime
    assert [c.get_label() for c in ax.containers] == list(REGIMES)
    heights = np.array([[bar.get_height() for bar in c] for c in ax.containers])
    assert heights.shape == (len(REGIMES), 6)  # 3 x 2 cells
    np.testing.assert_allclose(heights.sum(axis=0), 0.9)  # shares of each cell sum to one
    assert [t.get_text() for t in fig.legends[0].get_texts()] == list(REGIMES)
    colours = [c.patches[0].get_facecolor() for c in ax.containers]
    assert len({tuple(np.round(c, 3)) for c in colours}) == len(REGIMES)


def test_regime_map_draws_a_panel_per_level_of_a_third_factor(folders) -> None:
    summary = experiments.load_summary(folders["cssi"])
    fig = figures.regime_map(summary, y="replicate", col="identity_strength")
    assert len(fig.axes) == 2
    assert [ax.get_title(loc="left") for ax in fig.axes] == [
        "identity strength = 0.3",
        "identity strength = 0.7",
    ]


def test_regime_shares_count_finished_runs_only() -> None:
    summary = pd.DataFrame(
        {
            "status": ["ok", "ok", "ok", "error"],
            "pooling_intensity": [0.0, 0.0, 1.0, 1.0],
            "regime": ["persistence", "hybridisation", "isomorphism", None],
        }
    )
    shares = figures.regime_shares(summary, ["pooling_intensity"]).set_index("pooling_intensity")
    assert shares.loc[0.0, "persistence"] == 0.5
    assert shares.loc[0.0, "hybridisation"] == 0.5
    assert shares.loc[1.0, "isomorphism"] == 1.0
    assert shares["n"].tolist() == [2, 1]


def test_trajectories_draw_one_line_per_pooling_level_in_each_panel(folders) -> None:
    tidy = experiments.load(folders["cssi"])
    fig = figures.trajectories(tidy, fixed={"identity_strength": 0.3})
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_ylabel() for ax in axes] == [
        style.label(m) for m in figures.TRAJECTORY_MEASURES
    ]
    assert all(len(ax.get_lines()) == 3 for ax in axes)  # 0.1, 0.5 and 1.0
    assert all(len(ax.collections) == 3 for ax in axes)  # a band each
    assert axes[-1].get_xlabel() == "time (weeks)"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["0.1 (co-presence)", "0.5 (collaboration)", "1 (common work)"]
    line = axes[0].get_lines()[0]
    assert list(line.get_xdata()) == [0, 4, 8, 12, 16, 20, 24]


def test_access_diversity_shades_the_levels_where_most_runs_hybridise() -> None:
    rows = []
    for p, regime in [(0.0, "persistence"), (0.5, "hybridisation"), (1.0, "isomorphism")]:
        for r in range(4):
            rows.append(
                {
                    "status": "ok",
                    "pooling_intensity": p,
                    "regime": regime,
                    "public_access": 0.8 + 0.01 * r,
                    "mean_pairwise_distance": 0.2 - 0.1 * p,
                }
            )
    fig = figures.access_diversity(pd.DataFrame(rows))
    top, bottom = fig.axes
    assert top.get_ylabel() == style.label("public_access")
    assert bottom.get_xlabel() == style.label("pooling_intensity")
    for ax in (top, bottom):
        assert len(ax.get_lines()) == 1
        (span,) = ax.patches
        low, high = span.get_x(), span.get_x() + span.get_width()
        assert (low, high) == pytest.approx((0.25, 0.75))  # half-way to the neighbours


def test_mean_ci_is_a_student_t_interval_clipped_to_the_measure_range() -> None:
    table = pd.DataFrame({"g": [0, 0, 0, 1], "crossing": [0.0, 0.1, 0.2, 0.5]})
    out = figures.mean_ci(table, ["g"], "crossing").set_index("g")
    half = 4.302652729911275 * 0.1 / np.sqrt(3)  # t(0.975, 2) * sd / sqrt(n)
    assert out.loc[0, "mean"] == pytest.approx(0.1)
    assert out.loc[0, "high"] == pytest.approx(0.1 + half)
    assert out.loc[0, "low"] == 0.0  # 0.1 - 0.248 clipped: a share is never negative
    assert out.loc[1, "low"] == out.loc[1, "high"] == 0.5  # one run: no interval
    assert out["n"].tolist() == [3, 1]


def test_network_draws_workers_by_association_and_every_tie(snapshots) -> None:
    before, after = snapshots
    fig = figures.network_before_after(before, after)
    left, right = fig.axes
    for ax, snap in ((left, before), (right, after)):
        colleagues, ties = ax.collections[:2]
        assert len(colleagues.get_segments()) == len(snap.colleague)
        assert len(ties.get_segments()) == len(snap.ties)
        assert len(ax.collections[2:]) == len(snap.associations)  # one scatter each
    assert len(before.ties) == 0 < len(after.ties)
    assert right.get_title(loc="left") == f"week 30: {len(after.ties)} collaboration ties"


def test_practice_space_projects_both_states_on_shared_components(snapshots) -> None:
    before, after = snapshots
    mean, comps, shares, (xy0, _) = figures.practice_projection(before.practices, after.practices)
    np.testing.assert_allclose(comps @ comps.T, np.eye(2), atol=1e-12)
    assert 0 < shares[1] <= shares[0]
    assert shares.sum() <= 1
    np.testing.assert_allclose(xy0, (before.practices - mean) @ comps.T)
    fig = figures.practice_space(before, after)
    left, right = fig.axes
    assert left.get_xlabel().startswith("component 1 (")
    assert left.get_ylabel().startswith("component 2 (")
    assert left.get_xlim() == right.get_xlim()
    assert left.get_ylim() == right.get_ylim()
    # workers and centroids per association; the second panel adds the week-0 centroids
    assert len(left.collections) == 2 * len(before.associations)
    assert len(right.collections) == 3 * len(after.associations)


def test_helpline_time_course_draws_a_line_per_meeting_frequency_and_the_meetings(
    folders,
) -> None:
    fig = figures.helpline_time_course(experiments.load(folders["helpline"]))
    panels = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert [ax.get_title(loc="left") for ax in panels] == [
        "meeting attendance 30 %",
        "meeting attendance 100 %",
    ]
    assert all(len(ax.get_lines()) == 1 + 2 for ax in panels)  # decentralisation + 2 lines
    strips = [ax for ax in fig.axes if not ax.get_title(loc="left")]
    (ticks,) = strips[0].collections
    weeks = sorted({seg[0][0] for seg in ticks.get_segments()})
    assert weeks == [12.0, 16.0, 20.0]  # meetings every 4 weeks after week 8
    assert panels[0].get_ylabel() == style.label("centroid_gap_ratio")


def test_sector_drift_splits_the_sanitarisation_measure() -> None:
    for seed, asymmetry in ((1, 0.0), (2, 0.8), (3, 0.4)):
        model = PoolingModel(scenario="cssi", pooling_intensity=0.5, asymmetry=asymmetry, rng=seed)
        for _ in range(20):
            model.step()
        social, health = sector_drift(model)
        assert social - health == pytest.approx(model.measures()["sanitarisation"], abs=1e-12)


def test_sanitarisation_draws_both_sectors_at_each_asymmetry(folders) -> None:
    drift = drift_table(folders["asymmetry"])
    assert set(drift["asymmetry"]) == {0.0, 0.8}
    assert drift.groupby("run_id")["step"].apply(list).map(lambda s: s == [0, 4, 8, 12, 16]).all()
    assert (drift[drift["step"] == 0][["social_drift", "health_drift"]] == 0).all().all()
    fig = figures.sanitarisation(drift)
    assert len(fig.axes) == 2
    assert all(len(ax.get_lines()) == 1 + 2 for ax in fig.axes)  # midpoint + two sectors
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "social workers",
        "health workers",
    ]


def test_sensitivity_indices_draw_sobol_and_morris_rows(sensitivity) -> None:
    fig = figures.sensitivity_indices(**sensitivity)
    outcomes = list(figures.SENSITIVITY_OUTCOMES)
    assert len(fig.axes) == 2 * len(outcomes)
    sobol_axes, morris_axes = fig.axes[: len(outcomes)], fig.axes[len(outcomes) :]
    for ax in sobol_axes:
        assert [c.get_label() for c in ax.containers if hasattr(c, "patches")] == ["S1", "ST"]
        assert all(len(c.patches) == 3 for c in ax.containers if hasattr(c, "patches"))
        assert "Sobol index" in ax.get_xlabel()
    for ax in morris_axes:
        assert len(ax.get_lines()) >= 2  # mu* points and sigma points (and the zero line)
        assert "elementary effect" in ax.get_xlabel()
    assert [ax.get_title(loc="left") for ax in sobol_axes] == [
        style.short_label(o) for o in outcomes
    ]
    names = [t.get_text() for t in sobol_axes[0].get_yticklabels()]
    assert sorted(names) == ["identity strength", "openness", "pooling intensity"]


def test_sensitivity_indices_need_a_table() -> None:
    with pytest.raises(ValueError, match="sobol or a morris table"):
        figures.sensitivity_indices()


def test_select_keeps_the_level_nearest_each_target() -> None:
    table = pd.DataFrame({"identity_strength": [0.2, 0.2, 0.6, 0.9], "x": [1, 2, 3, 4]})
    assert figures.select(table, {"identity_strength": 0.5})["x"].tolist() == [3]
    with pytest.raises(ValueError, match="'openness' is not in the table"):
        figures.select(table, {"openness": 0.5})


def test_level_styles_stay_apart_without_colour() -> None:
    for n in range(1, 5):
        st = style.level_styles(n)
        assert len({s["linestyle"] for s in st}) == n
        assert len({s["color"] for s in st}) == n
    with pytest.raises(ValueError, match="n = 5 levels"):
        style.level_styles(5)
