"""The panels of the page: the sidebar, the run bar with the badge, the views, the Info panel."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import solara

from simulation.dashboard import charts, network, regime
from simulation.dashboard.components import ACCENT, Para
from simulation.dashboard.live import BadgeBox, Live, LiveChart, LiveText, frame_values
from simulation.dashboard.run import Run
from simulation.dashboard.texts import (
    INFO,
)
from simulation.dashboard.vega import Payload

DOCS = Path(__file__).resolve().parents[2] / "docs"
"""The project's documentation, shown in the Info panel."""


@solara.component
def LivePart(
    run: Run | None,
    live: Live,
    playing: solara.Reactive[bool],
    speed: solara.Reactive[int],
    actions: Mapping[str, Callable],
    drawer: solara.Reactive[bool],
    info: solara.Reactive[bool],
    band: Mapping[str, list],
    notes: tuple[str | None, ...],
    pair: tuple[Run, tuple[str, str]] | None = None,
) -> None:
    """The run bar and the views; each week updates them in place (see :mod:`.live`).

    ``pair`` is the compared run B and the legend naming what differs, if any.
    """
    other, legend = pair if pair is not None else (None, None)
    values = frame_values(run, band, other) if run is not None else None
    stamp = (run.serial, run.week, live.frame) if run is not None else None
    RunBar(run, live, values, stamp, playing, speed, actions, drawer, info, other is not None)
    if info.value:
        InfoPanel()
    for text in notes:
        if text:
            solara.Error(text, classes=["dashboard-error"])
    if run is not None and values is not None:
        Views(run, live, values, legend)


@solara.component
def RunBar(
    run: Run | None,
    live: Live,
    values: Mapping[str, Any] | None,
    stamp: Any,
    playing: solara.Reactive[bool],
    speed: solara.Reactive[int],
    actions: Mapping[str, Callable],
    drawer: solara.Reactive[bool],
    info: solara.Reactive[bool],
    compared: bool = False,
) -> None:
    """Week, Play / Pause, Step, Reset, speed, and the badge (and B's): always on screen.

    Why one function: the bar's buttons in screen order, each one call with its arguments.
    """
    with solara.Div(classes=["run-bar"]):
        with solara.Column(gap="4px", classes=["run-card", "card"], style={"flex": "0 0 auto"}):
            with solara.Row(gap="4px", style={"align-items": "center"}):
                solara.Button(
                    icon_name="mdi-tune",
                    icon=True,
                    on_click=lambda: drawer.set(not drawer.value),
                    classes=["drawer-toggle"],
                )
                LiveText(
                    live,
                    "week",
                    values["week"] if values else "Week 0",
                    "week-counter",
                    "font-size: 1.15rem; font-weight: 700; color: #222; min-width: 90px",
                    stamp,
                )
                solara.Button(
                    "Pause" if playing.value else "Play",
                    icon_name="mdi-pause" if playing.value else "mdi-play",
                    color=ACCENT,
                    on_click=lambda: playing.set(not playing.value),
                    classes=["run-play"],
                    dark=True,
                )
                solara.Button(
                    "Step",
                    icon_name="mdi-step-forward",
                    on_click=actions["step"],
                    disabled=playing.value,
                    classes=["run-step"],
                    text=True,
                )
                solara.Button(
                    "Reset",
                    icon_name="mdi-restart",
                    on_click=actions["reset"],
                    classes=["run-reset"],
                    text=True,
                )
                solara.Button(
                    "Info",
                    icon_name="mdi-information-outline",
                    text=True,
                    on_click=lambda: info.set(not info.value),
                    classes=["info-button"],
                )
            with solara.Row(gap="6px", style={"align-items": "center"}, classes=["param-speed"]):
                Para("weeks per frame", font_size="0.75rem")
                solara.v.Slider(
                    v_model=speed.value,
                    on_v_model=lambda v: speed.set(int(float(v))),
                    min=1,
                    max=10,
                    step=1,
                    hide_details=True,
                    dense=True,
                    style_="max-width: 120px",
                    color=ACCENT,
                )
                Para(str(speed.value), font_size="0.75rem")
            if values is not None:
                LiveText(
                    live,
                    "phase",
                    values["phase"],
                    "phase-text",
                    "font-size: 0.75rem; color: #555; max-width: 360px",
                    stamp,
                )
        if values is not None:
            BadgeBox(live, values, stamp)
            if compared:
                BadgeBox(live, values, stamp, prefix="b-")


@solara.component
def Views(
    run: Run, live: Live, values: Mapping[str, Any], legend: tuple[str, str] | None = None
) -> None:
    """The network, the practice space and the measures of the current week (and B's)."""
    specs = solara.use_memo(
        lambda: {
            "chart-network": Payload(network.network_spec(run)),
            "chart-practices": Payload(charts.practice_spec(run)),
            "chart-band": Payload(charts.band_spec()),
            **{f"chart-{k}": Payload(charts.measure_spec(k, t, u)) for k, t, u in charts.MEASURES},
        },
        [run.serial],
    )

    def chart(key: str) -> None:
        LiveChart(live, key, specs[key], Payload(values[key]))

    with solara.Div(classes=["view-grid"]):
        with solara.Div(classes=["card", "view-network"]):
            Para("Who meets whom", ["card-title"])
            chart("chart-network")
        with solara.Div(classes=["card", "view-practices"]):
            Para(
                "Practice space: rings = week 0, filled = now",
                ["card-title"],
                title="Each dot is a worker's way of working on the two axes that separated the "
                "associations most at week 0.",
            )
            chart("chart-practices")
    with solara.Div(classes=["card", "view-metrics"], style={"margin-top": "8px"}):
        if legend is not None:
            CompareLegend(legend)
        with solara.Div(classes=["measure-grid"]):
            for key, _, _ in charts.MEASURES:
                with solara.Div(classes=[f"measure-{key}"]):
                    chart(f"chart-{key}")
        with solara.Div(classes=["regime-band"]):
            chart("chart-band")
        Para(
            f"Band: the regime the badge shows (a reading must hold {regime.HOLD_WEEKS} weeks). "
            "Red band on a judged measure: the same world without pooling (null twins), its "
            f"value ± {regime.Z:g} times the twins' seed-to-seed spread; beyond it, pooling made "
            f"a difference. {regime.N_TWINS} twins; above {regime.LARGE:,} workers "
            f"{regime.LARGE_TWINS} twins, judged every {regime.LARGE_EVERY} weeks. "
            "Grey stripes: the helpline's later phase.",
            font_size="0.75rem",
        )


@solara.component
def CompareLegend(legend: tuple[str, str]) -> None:
    """Which line is A and which is B, naming the settings in which they differ."""
    a, b = legend
    line = "display: inline-block; width: 26px; vertical-align: middle; margin-right: 4px; "
    with solara.Row(gap="16px", classes=["compare-legend"], style={"flex-wrap": "wrap"}):
        with solara.Div(classes=["legend-a"]):
            solara.v.Html(tag="span", style_=line + "border-top: 2px solid #263238")
            solara.v.Html(tag="span", children=[a], style_="font-size: 0.8rem; color: #222")
        with solara.Div(classes=["legend-b"]):
            solara.v.Html(tag="span", style_=line + f"border-top: 2px dashed {charts.B_COLOUR}")
            solara.v.Html(tag="span", children=[b], style_="font-size: 0.8rem; color: #222")


@solara.component
def InfoPanel() -> None:
    """What the model is, what to try, where to read more."""
    doc = solara.use_reactive("")
    with solara.Div(classes=["card", "info-panel"], style={"margin-bottom": "8px"}):
        solara.Markdown(INFO.format(hold=regime.HOLD_WEEKS))
        with solara.Row(gap="6px"):
            for name in ("ODD", "dashboard"):
                solara.Button(
                    f"docs/{name}.md",
                    text=True,
                    on_click=lambda n=name: doc.set(n),
                    classes=[f"doc-{name}"],
                )
        if doc.value and (DOCS / f"{doc.value}.md").exists():
            solara.Markdown((DOCS / f"{doc.value}.md").read_text())
