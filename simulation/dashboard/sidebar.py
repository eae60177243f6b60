"""The sidebar: set-up, seed, knobs, folded groups and tools, scrolling on their own."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Any

import solara

from simulation.dashboard import controller
from simulation.dashboard.components import Para, ParamControl, ParamGroup
from simulation.dashboard.controls import (
    LEVEL_NAMES,
    NO_CASE,
    case_choices,
    control_groups,
    overridden,
)
from simulation.dashboard.run import Run
from simulation.dashboard.texts import INTRO, LAYOUT_TEXT, SCENARIO_TEXT
from simulation.scenarios import pooling_levels


@solara.component
def Sidebar(
    ctrls: Mapping[str, Any],
    values: Mapping[str, Any],
    set_param: Callable[[str, Any], None],
    seed: solara.Reactive[int],
    run: Run | None,
    actions: Mapping[str, Callable],
    comparing: bool,
    compared: bool,
    drawer: solara.Reactive[bool],
    kept: bool = False,
    other: Run | None = None,
) -> None:
    """Set-up, knobs, finer controls and tools, scrolling on their own (``other``: run B).

    Why one function: the sidebar's parts in reading order, top to bottom; each part is
    already its own component (controls, groups, seed box, tools).
    """
    reasons = overridden(values)
    implied = dict(
        zip(LEVEL_NAMES, pooling_levels(values.get("pooling_intensity", 0.0)), strict=True)
    )
    with solara.Row(justify="space-between", style={"align-items": "center"}):
        Para(
            "Pooling associations: do practices mix or converge?",
            font_weight="700",
            font_size="1rem",
            color="#222",
        )
        solara.Button(
            icon_name="mdi-close",
            icon=True,
            on_click=lambda: drawer.set(False),
            classes=["drawer-close"],
        )
    Para(INTRO, ["intro"])
    scenario = values.get("scenario")
    _headed_control("Scenario", "scenario", ctrls, values, set_param, reasons)
    Para(SCENARIO_TEXT.get(scenario, (scenario, ""))[1], ["scenario-text"])
    CasePicker(values.get("case"), lambda v: set_param("case", v))
    if "layout" in ctrls:
        _headed_control("Premises", "layout", ctrls, values, set_param, reasons)
        Para(LAYOUT_TEXT.get(values.get("layout"), ""))
    SeedBox(seed)
    with solara.Row(gap="6px", style={"flex-wrap": "wrap"}):
        solara.Button(
            "Restore defaults",
            icon_name="mdi-backup-restore",
            text=True,
            on_click=actions["defaults"],
            classes=["restore-defaults"],
        )
    for title, names, is_open in control_groups():
        if is_open:
            ParamGroup(title, names, True, ctrls, values, set_param, implied, reasons)
    Para("More controls", font_weight="600", color="#222", font_size="0.9rem", margin_top="8px")
    for title, names, is_open in control_groups():
        if not is_open:
            ParamGroup(title, names, False, ctrls, values, set_param, implied, reasons)
    Tools(run, actions, comparing, compared, other)
    CompareSettings(actions, kept)


def _headed_control(
    title: str,
    name: str,
    ctrls: Mapping[str, Any],
    values: Mapping[str, Any],
    set_param: Callable[[str, Any], None],
    reasons: Mapping[str, str],
) -> None:
    """A control under its own heading (the scenario, the premises).

    The heading's tooltip is the control's plain help.
    """
    Para(
        title,
        font_weight="600",
        color="#222",
        font_size="0.9rem",
        margin_top="6px",
        title=ctrls[name].help,
    )
    ParamControl(
        ctrls[name],
        values.get(name),
        lambda v: set_param(name, v),
        disabled_reason=reasons.get(name),
    )


@solara.component
def CasePicker(case: str | None, set_case: Callable[[str | None], None]) -> None:
    """A case file instead of the scenario: the built-in cases and the launcher's folder."""
    choices, problems = solara.use_memo(case_choices, [])
    labels = {value: label for label, value in choices}
    by_label = {label: value for label, value in choices}
    current = labels.get(case, str(case) if case else NO_CASE)
    with solara.Div(classes=["param-case"]):
        solara.Select(
            "Case file",
            values=[label for label, _ in choices],
            value=current if current in by_label else NO_CASE,
            on_value=lambda label: set_case(by_label.get(label)),
        )
        for line in problems:
            Para(f"Not offered: {line}", font_size="0.75rem", color="#C62828")


@solara.component
def SeedBox(seed: solara.Reactive[int]) -> None:
    """The seed: a whole number; anything else is shown as an error and not used."""
    text = solara.use_reactive(str(seed.value))
    error = solara.use_reactive("")

    def follow() -> None:  # the seed changed elsewhere (new random seed, URL)
        if controller.parse_seed(text.value) != seed.value:
            text.set(str(seed.value))
            error.set("")

    solara.use_effect(follow, [seed.value])

    def set_text(value: str | None) -> None:
        text.set(value or "")
        parsed = controller.parse_seed(value)
        if parsed is None:
            error.set("Not used: the seed is a whole number, 0 or more.")
            return
        error.set("")
        seed.set(parsed)

    def new_seed() -> None:
        seed.set(secrets.randbelow(1_000_000))

    with solara.Row(gap="6px", style={"align-items": "flex-start"}, classes=["param-seed"]):
        solara.InputText(
            "Seed (same seed, same run)",
            value=text.value,
            on_value=set_text,
            continuous_update=False,
            error=error.value or False,
            style={"flex": "1 1 auto"},
        )
        solara.Button(icon_name="mdi-dice-5", icon=True, on_click=new_seed, classes=["new-seed"])
    if error.value:
        Para(error.value, ["seed-message"], color="#C62828", white_space="normal")


@solara.component
def CompareSettings(actions: Mapping[str, Callable], kept: bool) -> None:
    """Keep the settings of the moment as run B, to compare with other settings."""
    with solara.Row(gap="6px", style={"flex-wrap": "wrap"}):
        solara.Button(
            "Keep these settings as B",
            icon_name="mdi-content-copy",
            text=True,
            on_click=actions["keep_b"],
            classes=["compare-settings"],
        )
        if kept:
            solara.Button(
                "Clear B", text=True, on_click=actions["clear_b"], classes=["compare-b-clear"]
            )
    Para(
        "Compare with other settings: keep these settings (and seed) as B, then change any "
        "control. The run starts again as A; B plays alongside, week for week, as a dashed "
        "line on each measure, with its own badge. The address and the CSV carry B too.",
        font_size="0.75rem",
    )


@solara.component
def Tools(
    run: Run | None,
    actions: Mapping[str, Callable],
    comparing: bool,
    compared: bool,
    other: Run | None = None,
) -> None:
    """Run to a week, compare seeds, download the measures (with run B's, when kept)."""
    week = solara.use_reactive(52)
    Para("Tools", font_weight="600", color="#222", font_size="0.9rem", margin_top="8px")
    with solara.Row(gap="6px", style={"align-items": "center"}, classes=["run-to"]):
        solara.InputInt(
            "week",
            value=week.value,
            on_value=lambda v: week.set(v or 0),
            style={"max-width": "90px"},
        )
        solara.Button(
            "Run to week",
            on_click=lambda: actions["run_to"](week.value),
            text=True,
            classes=["run-to-button"],
        )
    with solara.Row(gap="6px", style={"flex-wrap": "wrap"}):
        solara.Button(
            "Comparing seeds..." if comparing else f"Compare {controller.COMPARE_SEEDS} seeds",
            icon_name="mdi-chart-areaspline",
            text=True,
            disabled=comparing,
            on_click=actions["compare"],
            classes=["compare-seeds"],
        )
        if compared:
            solara.Button("Clear", text=True, on_click=actions["clear"], classes=["compare-clear"])
    Para(
        f"The grey band: lowest to highest over seeds seed+1 to seed+{controller.COMPARE_SEEDS}, "
        "same settings.",
        font_size="0.75rem",
    )
    if run is not None:
        solara.FileDownload(
            lambda: controller.measures_csv(run, other),
            controller.csv_name(run, other),
            label="Download measures (CSV)",
            mime_type="text/csv",
        )
    Para(
        "Each chart's menu (...) saves it as PNG or SVG. The address bar holds this set-up: "
        "copy it to share it.",
        font_size="0.75rem",
    )
