"""The dashboard: controls from the model's signature and ranges, runs, views and extremes."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import ipyvuetify as v
import ipywidgets
import numpy as np
import pytest
import solara

from simulation import app
from simulation.model import PoolingModel, default_parameters
from simulation.parameters import PARAMETERS, validate_parameter

_START_RUN = app.start_run

# --- helpers: walk the rendered widget tree ---------------------------------------------------


def _walk(widget: Any) -> Iterator[Any]:
    yield widget
    for child in getattr(widget, "children", None) or ():
        if isinstance(child, ipywidgets.Widget):
            yield from _walk(child)


def _with_class(root: Any, token: str) -> list[Any]:
    return [w for w in _walk(root) if token in (getattr(w, "class_", None) or "").split()]


def _one(root: Any, token: str) -> Any:
    found = _with_class(root, token)
    assert len(found) == 1, f"{len(found)} widgets of class {token!r}"
    return found[0]


def _inside(root: Any, kind: type) -> list[Any]:
    return [w for w in _walk(root) if isinstance(w, kind)]


def _text(root: Any, token: str) -> str:
    return "".join(str(c) for c in _one(root, token).children)


def _errors(root: Any) -> list[Any]:
    return _with_class(root, "dashboard-error") + [
        w for w in _inside(root, v.Alert) if getattr(w, "type", None) == "error"
    ]


def _images(root: Any, view: str) -> list[bytes]:
    return [w.value for w in _inside(_one(root, view), ipywidgets.Image)]


def _click(root: Any, token: str) -> None:
    _one(root, token).click()


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[tuple[dict[str, Any], int]]:
    """Record the parameters and seed of every model the dashboard builds."""
    calls: list[tuple[dict[str, Any], int]] = []

    def recording(params: Any, seed: int) -> app.Run:
        calls.append((dict(params), seed))
        return _START_RUN(params, seed)

    monkeypatch.setattr(app, "start_run", recording)
    return calls


@pytest.fixture
def page(built: list) -> Iterator[Any]:
    box, _ = solara.render(app.Dashboard(), handle_error=False)
    yield box
    box.close()


# --- controls ---------------------------------------------------------------------------------


def test_every_parameter_has_one_control_whose_range_is_the_validated_range() -> None:
    ctrls = app.controls()
    scalar = [n for n, spec in PARAMETERS.items() if spec.kind != "case"]
    assert set(ctrls) == set(scalar)
    grouped = [n for _, names, _ in app.control_groups() for n in names]
    placed = list(app.SETTING_CONTROLS) + grouped
    assert sorted(placed) == sorted(scalar), "every parameter in exactly one place"
    for name, c in ctrls.items():
        spec = PARAMETERS[name]
        if spec.kind in ("choice", "bool"):
            expected = tuple(spec.choices) if spec.kind == "choice" else (False, True)
            assert c.values == expected
            continue
        low, high = c.extremes()
        assert low == spec.low, name
        cap = app.MAX_DASHBOARD_WORKERS if name == "n_workers" else spec.high
        assert high == min(spec.high, cap), name
        for value in (low, high, *c.values):
            assert validate_parameter(name, value) == value, (name, value)


def test_slider_steps_land_on_the_defaults() -> None:
    defaults = default_parameters()
    for name, c in app.controls().items():
        default = defaults[name]
        if c.widget == "slider":
            ratio = (default - c.low) / c.step
            assert ratio == pytest.approx(round(ratio), abs=1e-6), name
        elif c.widget == "ladder":
            assert default in c.values, name


def test_wide_integer_ranges_become_round_ladders() -> None:
    assert app._ladder(0, 10_000, 26) == (
        0, 1, 2, 5, 10, 20, 26, 50, 100, 200, 500, 1000, 2000, 5000, 10_000,
    )  # fmt: skip
    assert app.controls()["n_workers"].values[-1] == app.MAX_DASHBOARD_WORKERS


def test_page_starts_from_the_signature_defaults_and_an_integer_seed(page, built) -> None:
    params, seed = built[-1]
    assert params == default_parameters()
    assert seed == app.DEFAULT_SEED
    assert type(seed) is int
    for name, value in default_parameters().items():
        if PARAMETERS[name].kind == "case":
            continue  # the case file is picked apart from the sliders
        block = _one(page, f"param-{name}")
        sliders = _inside(block, v.Slider)
        c = app.controls()[name]
        if c.widget == "slider":
            assert sliders[0].v_model == pytest.approx(value), name
        elif c.widget == "ladder":
            assert c.values[int(sliders[0].v_model)] == value, name
        elif c.widget == "optional":
            assert _inside(block, v.Checkbox)[0].v_model == (value is not None), name


def test_a_default_changed_in_the_signature_shows_in_the_controls(monkeypatch) -> None:
    """The dashboard keeps no copy of a default: it reads default_parameters() each time."""
    changed = {**default_parameters(), "pooling_intensity": 0.77, "turnover": 0.01}
    monkeypatch.setattr(app, "default_parameters", lambda: changed)
    box, _ = solara.render(app.Dashboard(), handle_error=False)
    slider = _inside(_one(box, "param-pooling_intensity"), v.Slider)[0]
    assert slider.v_model == pytest.approx(0.77)
    assert _inside(_one(box, "param-turnover"), v.Slider)[0].v_model == pytest.approx(0.01)
    box.close()


# --- running ----------------------------------------------------------------------------------


def test_step_advances_the_week_and_redraws_the_plots_and_badge(page) -> None:
    assert _text(page, "week-counter") == "Week 0"
    before = {view: _images(page, view) for view in ("view-metrics", "view-practices")}
    badge = _text(page, "regime-week")
    _click(page, "run-step")
    assert _text(page, "week-counter") == "Week 1"
    assert _text(page, "regime-week") != badge
    for view, images in before.items():
        assert _images(page, view) != images, view
    assert not _errors(page)


def test_step_follows_the_weeks_per_frame(page) -> None:
    speed = _inside(_one(page, "param-speed"), v.Slider)[0]
    speed.v_model = 3
    _click(page, "run-step")
    assert _text(page, "week-counter") == "Week 3"


def test_regime_badge_names_the_model_regime_and_explains_it(monkeypatch, built) -> None:
    box, _ = solara.render(app.Dashboard(initial={"pooling_intensity": 1.0}), handle_error=False)
    for _ in range(3):
        _click(box, "run-step")
    regime = _text(box, "regime-name").lower()
    assert regime in app.REGIME_TEXT
    assert _text(box, "regime-text") == app.REGIME_TEXT[regime]
    assert _with_class(box, f"regime-{regime}")
    box.close()


def test_changing_a_slider_rebuilds_the_model_at_week_zero_with_that_value(page, built) -> None:
    _click(page, "run-step")
    slider = _inside(_one(page, "param-pooling_intensity"), v.Slider)[0]
    slider.v_model = 0.9
    assert built[-1][0]["pooling_intensity"] == 0.9
    assert _text(page, "week-counter") == "Week 0"


def test_seed_is_an_integer_that_survives_edits_and_reset(page, built) -> None:
    field = _inside(_one(page, "param-seed"), v.TextField)[0]
    field.v_model = "7"
    field.fire_event("keyup.enter", None)
    assert built[-1][1] == 7
    _inside(_one(page, "param-identity_strength"), v.Slider)[0].v_model = 0.8
    assert built[-1] == ({**default_parameters(), "identity_strength": 0.8}, 7)
    _click(page, "run-step")
    _click(page, "run-reset")
    params, seed = built[-1]
    assert (seed, type(seed)) == (7, int)
    assert _text(page, "week-counter") == "Week 0"
    assert not _errors(page)
    # the run after Reset is the run a script gets with the same integer seed
    again = app.start_run(params, 7).model
    ours = PoolingModel(**params, rng=7)
    np.testing.assert_array_equal(again.practices, ours.practices)


def test_a_negative_or_missing_seed_is_refused_with_a_message(page, built) -> None:
    field = _inside(_one(page, "param-seed"), v.TextField)[0]
    n = len(built)
    field.v_model = "-3"
    field.fire_event("keyup.enter", None)
    assert len(built) == n
    assert "0 or more" in _text(page, "seed-message")


def test_scenario_switch_shows_the_helpline_schedule_phase(page, built) -> None:
    toggle = _inside(_one(page, "param-scenario"), v.BtnToggle)[0]
    toggle.v_model = "helpline"
    assert built[-1][0]["scenario"] == "helpline"
    assert _text(page, "phase-text").startswith("Phase now: centralised")
    assert "Twelve social services" in _text(page, "scenario-text")
    speed = _inside(_one(page, "param-speed"), v.Slider)[0]
    speed.v_model = 10
    for _ in range(3):
        _click(page, "run-step")
    assert _text(page, "phase-text").startswith("Phase now: decentralised")


def test_levels_follow_the_intensity_until_set_by_hand(page, built) -> None:
    block = _one(page, "param-common_work")
    box = _inside(block, v.Checkbox)[0]
    slider = _inside(block, v.Slider)[0]
    assert slider.disabled
    box.v_model = True
    assert built[-1][0]["common_work"] == 0.0  # what intensity 0.4 implies
    _inside(_one(page, "param-common_work"), v.Slider)[0].v_model = 0.5
    assert built[-1][0]["common_work"] == 0.5
    _inside(_one(page, "param-common_work"), v.Checkbox)[0].v_model = False
    assert built[-1][0]["common_work"] is None


def _settled(read, quiet: float = 1.5, timeout: float = 30.0) -> Any:
    """The value of ``read()`` once it has not changed for ``quiet`` seconds."""
    value, since, deadline = read(), time.monotonic(), time.monotonic() + timeout
    while time.monotonic() - since < quiet:
        assert time.monotonic() < deadline, "the value never settled"
        time.sleep(0.1)
        now = read()
        if now != value:
            value, since = now, time.monotonic()
    return value


def test_play_steps_until_paused(page) -> None:
    _click(page, "run-play")
    deadline = time.monotonic() + 30
    while _text(page, "week-counter") == "Week 0" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _one(page, "run-step").disabled  # no Step while playing
    _click(page, "run-play")
    paused = int(_text(page, "week-counter").split()[1])
    week = _settled(lambda: _text(page, "week-counter"))
    assert paused >= 1
    assert int(week.split()[1]) <= paused + 1  # at most the week under way when paused
    time.sleep(0.5)
    assert _text(page, "week-counter") == week
    assert not _errors(page)


def test_reset_pauses_and_returns_to_week_zero(page, built) -> None:
    _click(page, "run-step")
    _click(page, "run-play")
    _click(page, "run-reset")
    _settled(lambda: _text(page, "week-counter"), quiet=0.5)
    assert _text(page, "week-counter") == "Week 0"
    assert _one(page, "run-play").children[-1] == "Play"
    assert built[-1] == (default_parameters(), app.DEFAULT_SEED)


def test_every_control_reaches_its_extremes_through_its_widget(monkeypatch, built) -> None:
    cached: dict[str, app.Run] = {}

    def fast(params: Any, seed: int) -> app.Run:
        """Record the request, show one prebuilt run (the widgets are under test here)."""
        built.append((dict(params), seed))
        if "run" not in cached:
            cached["run"] = _START_RUN(default_parameters(), seed)
        return cached["run"]

    monkeypatch.setattr(app, "start_run", fast)
    box, _ = solara.render(app.Dashboard(), handle_error=False)
    for name, c in app.controls().items():
        block = _one(box, f"param-{name}")
        if c.widget == "choice":
            for value in c.values:
                _inside(block, v.BtnToggle)[0].v_model = value
                assert built[-1][0][name] == value
        elif c.widget == "check":
            for value in (True, False):
                _inside(block, v.Checkbox)[0].v_model = value
                assert built[-1][0][name] is value
        else:
            if c.widget == "optional":
                _inside(block, v.Checkbox)[0].v_model = True
            for index, value in ((0, c.extremes()[0]), (-1, c.extremes()[1])):
                slider = _inside(_one(box, f"param-{name}"), v.Slider)[0]
                slider.v_model = slider.max if index else slider.min
                got = built[-1][0][name]
                assert got == value, (name, got, value)
                assert type(got) is type(value), (name, got, value)
    box.close()


# --- views ------------------------------------------------------------------------------------


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def test_practice_basis_is_fixed_at_week_zero() -> None:
    run = app.start_run(default_parameters(), 3)
    axes = run.basis.axes.copy()
    for _ in range(5):
        run.step()
    assert run.basis.axes is not None
    np.testing.assert_array_equal(run.basis.axes, axes)
    # the axes are the principal axes of the initial practices: orthonormal
    np.testing.assert_allclose(axes.T @ axes, np.eye(2), atol=1e-12)


def test_large_landscape_draws_associations_and_a_worker_sample() -> None:
    params = {**default_parameters(), "scenario": "landscape", "n_workers": 3000}
    run = app.start_run(params, 1)
    run.step()
    snap = app.snapshot(run)
    assert run.sample.size == app.DETAIL_LIMIT
    fig = app.network_figure(snap, run.styles)
    drawn = sum(len(c.get_offsets()) for c in fig.axes[0].collections if hasattr(c, "get_sizes"))
    assert drawn < snap.membership.size  # one disc per association, not one per worker
    assert run.styles.by_kind
    assert _png(app.practice_figure(snap, run.basis, run.styles, run.sample))


def test_association_legend_names_each_association_of_a_case() -> None:
    run = app.start_run({**default_parameters(), "scenario": "cssi"}, 1)
    names = [label for label, _, _ in run.styles.legend]
    assert names == [s.name for s in run.model.setting.associations]
    assert len(set(zip(run.styles.colours, run.styles.markers, strict=True))) == len(names)


def _extreme_cases() -> list[Any]:
    cases = []
    for scenario in PARAMETERS["scenario"].choices:
        for name, c in app.controls().items():
            if name == "scenario":
                continue
            for value in c.extremes():
                cases.append(pytest.param(scenario, name, value, id=f"{scenario}-{name}={value}"))
    return cases


@pytest.mark.slow
@pytest.mark.parametrize(("scenario", "name", "value"), _extreme_cases())
def test_extreme_value_of_every_control_renders_without_error(scenario, name, value) -> None:
    params = {**default_parameters(), "scenario": scenario, name: value}
    run = app.start_run(params, 5)
    run.step(2)
    snap = app.snapshot(run)
    assert snap.week == 2
    for fig in (
        app.network_figure(snap, run.styles),
        app.practice_figure(snap, run.basis, run.styles, run.sample),
        app.metrics_figure(snap),
    ):
        assert _png(fig)[:4] == b"\x89PNG"
    box, _ = solara.render(app.StatusCards(snap), handle_error=False)
    assert _text(box, "regime-name").lower() in app.REGIME_TEXT
    box.close()
