"""Small Solara components of the page: text, a parameter's widget, groups, the badge."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import solara

from simulation.dashboard.controls import Control, format_value

ACCENT = "#37474F"
"""Colour of buttons and sliders: a neutral slate, so that colour on the page always means an
association or a regime."""


def Para(text: str, classes: Sequence[str] = (), title: str | None = None, **style: str) -> Any:
    """A block of text (``div``); style keywords use underscores for dashes."""
    css = {"font-size": "0.82rem", "color": "#555", "line-height": "1.25"}
    css.update({k.replace("_", "-"): v for k, v in style.items()})
    return solara.v.Html(
        tag="div",
        children=[text],
        class_=" ".join(classes),
        style_="; ".join(f"{k}: {v}" for k, v in css.items()),
        attributes={"title": title} if title else None,
    )


@solara.component
def ValueLabel(label: str, value: str, help: str = "") -> None:
    """A control's label (its tooltip is the help) and its current value on the right."""
    with solara.Row(justify="space-between", style={"align-items": "baseline", "gap": "8px"}):
        Para(
            label,
            ["param-label"],
            title=help or None,
            font_weight="500",
            font_size="0.9rem",
            color="#222",
            cursor="help" if help else "default",
        )
        solara.Text(
            value,
            style={"font-family": "monospace", "font-size": "0.9rem"},
            classes=["param-value"],
        )


@solara.component
def ParamControl(
    control: Control,
    value: Any,
    on_value: Callable[[Any], None],
    implied: float | None = None,
    disabled_reason: str | None = None,
) -> None:
    """The widget of one parameter, in a block of class ``param-<name>``.

    A control the scenario overrides is disabled and says why in one line.

    Why one function: one branch per kind of widget, each a few lines; split, the branches
    would only move into functions that all take the same five arguments.
    """
    spec = control.spec
    cast = int if spec.kind == "int" else float
    off = disabled_reason is not None
    classes = [f"param-{control.name}"] + (["param-disabled"] if off else [])
    slider = {"hide_details": True, "density": "compact", "color": ACCENT, "disabled": off}
    with solara.Column(gap="0px", classes=classes):
        if control.widget == "choice":
            if control.name not in ("scenario", "layout"):
                ValueLabel(control.label, str(value), control.help)
            with solara.ToggleButtonsSingle(value=value, on_value=on_value, dense=True):
                for choice in control.values:
                    solara.Button(
                        str(choice),
                        value=choice,
                        text=True,
                        disabled=off,
                        classes=[f"choice-{choice}"],
                    )
        elif control.widget == "check":
            with solara.v.Html(tag="div", attributes={"title": control.help}):
                solara.Checkbox(
                    label=control.label, value=bool(value), on_value=on_value, disabled=off
                )
        elif control.widget == "ladder":
            values = control.values
            index = values.index(value) if value in values else 0
            ValueLabel(control.label, format_value(value, control), control.help)
            solara.v.Slider(
                v_model=index,
                on_v_model=lambda i: on_value(int(values[round(float(i))])),
                min=0,
                max=len(values) - 1,
                step=1,
                **slider,
            )
        elif control.widget == "optional":
            manual = value is not None
            shown = value if manual else implied
            ValueLabel(
                control.label,
                format_value(shown, control) + ("" if manual else " (auto)"),
                control.help,
            )
            solara.Checkbox(
                label="set by hand",
                value=manual,
                disabled=off,
                on_value=lambda on: on_value(
                    float(implied if implied is not None else spec.low) if on else None
                ),
            )
            solara.v.Slider(
                v_model=shown if shown is not None else spec.low,
                on_v_model=lambda v: on_value(float(v)),
                min=control.low,
                max=control.high,
                step=control.step,
                **{**slider, "disabled": off or not manual},
            )
        else:
            ValueLabel(control.label, format_value(value, control), control.help)
            solara.v.Slider(
                v_model=value,
                on_v_model=lambda v: on_value(cast(round(float(v), 10))),
                min=control.low,
                max=control.high,
                step=control.step,
                **slider,
            )
        if off:
            Para(disabled_reason, ["disabled-reason"], font_size="0.75rem", color="#8D6E63")


@solara.component
def ParamGroup(
    title: str,
    names: Sequence[str],
    is_open: bool,
    ctrls: Mapping[str, Control],
    values: Mapping[str, Any],
    set_param: Callable[[str, Any], None],
    implied: Mapping[str, float],
    reasons: Mapping[str, str],
) -> None:
    """A group of parameter controls; the main knobs are open, the others fold away."""
    opened = solara.use_reactive(False)

    def body() -> None:
        for name in names:
            ParamControl(
                ctrls[name],
                values.get(name),
                lambda v, name=name: set_param(name, v),
                implied=implied.get(name),
                disabled_reason=reasons.get(name),
            )

    slug = title.split(":")[0].split("(")[0].strip().lower().replace(" ", "-")
    if is_open:
        with solara.Column(gap="6px", classes=[f"group-{slug}"]):
            Para(title, font_weight="600", color="#222", font_size="0.9rem")
            body()
    else:
        # a folded group draws its controls only once opened: fewer widgets on the page
        with solara.Column(gap="0px", classes=[f"group-{slug}", "folded-group"]):
            solara.Button(
                title,
                icon_name="mdi-chevron-up" if opened.value else "mdi-chevron-down",
                text=True,
                on_click=lambda: opened.set(not opened.value),
                classes=["group-toggle"],
                style={
                    "width": "100%",
                    "justify-content": "flex-start",
                    "text-transform": "none",
                    "padding": "0 4px",
                },
            )
            if opened.value:
                with solara.Column(gap="8px", style={"padding": "4px 4px 10px 4px"}):
                    body()
