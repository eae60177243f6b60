"""Controls generated from the model's parameter table: widgets, groups, overrides, values.

Every control is built from :data:`simulation.parameters.PARAMETERS` (type and range) and
:func:`simulation.model.default_parameters` (the model's signature), so a parameter added to
the model gets a control, in the expert group, without an edit here.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulation.cases import BUILTIN_CASES, CASES_ENV, list_cases, load_case
from simulation.dashboard.texts import HELP, LABELS
from simulation.model import default_parameters
from simulation.parameters import PARAMETERS, ParamSpec
from simulation.scenarios import build_setting

MAX_DASHBOARD_WORKERS = 10_000
"""Largest landscape the dashboard offers; bigger landscapes are for sweeps."""

LEVEL_NAMES: tuple[str, ...] = ("co_presence", "collaboration", "common_work")

SETTING_CONTROLS: tuple[str, ...] = ("scenario", "layout")
GROUPS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("Main knobs", ("pooling_intensity", "identity_strength", "openness"), True),
    ("Levels of pooling (set by hand)", LEVEL_NAMES, False),
    ("Landscape", ("n_workers", "associations_per_site", "sector_mix"), False),
    (
        "Helpline schedule",
        ("decentralise_at", "intervision_every", "intervision_attendance"),
        False,
    ),
    ("Outside pressures", ("asymmetry", "external_pressure", "turnover"), False),
    (
        "Expert: rates of the rules",
        (
            "encounter_rate",
            "homophily",
            "copresence_influence",
            "tie_formation",
            "tie_decay",
            "case_rate",
            "collaboration_influence",
            "facet_tolerance",
            "collaboration_floor",
            "socialisation",
            "code_learning",
            "anchoring",
            "core_facets",
            "periphery_anchoring",
            "culture_drift",
        ),
        False,
    ),
    (
        "Expert: mechanisms of the study",
        (
            "serving_publics",
            "visit_rate",
            "referral_rate",
            "service_adaptation",
            "premises_norms",
            "premises_pull",
            "identity_exit",
            "exit_rate",
            "profession_ownership",
            "profession_barrier",
            "newcomer_learning",
            "shared_tools",
            "tool_use",
            "tool_decay",
            "meaning_sensitivity",
        ),
        False,
    ),
    (
        "Expert: start and recording",
        (
            "n_facets",
            "worker_spread",
            "culture_spread",
            "multi_need_share",
            "access_tolerance",
            "collect_agents",
            "record_every",
        ),
        False,
    ),
)
"""The order a student meets the controls in; parameters not listed land in the last group."""


@dataclass(frozen=True)
class Control:
    """How one model parameter is shown: its widget and the values it can take.

    Attributes:
        name: the model keyword.
        spec: its type and allowed range (from ``PARAMETERS``).
        widget: ``"slider"``, ``"ladder"`` (a slider over ``values``, for wide integer ranges),
            ``"choice"``, ``"check"`` or ``"optional"`` (a "set by hand" box and a slider).
        low: smallest value the widget offers.
        high: largest value the widget offers.
        step: slider step.
        values: the ladder's values, or the choices.
    """

    name: str
    spec: ParamSpec
    widget: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    values: tuple[Any, ...] = ()

    @property
    def label(self) -> str:
        """The label shown above the control (plain words)."""
        return LABELS.get(self.name) or self.spec.label or self.name.replace("_", " ")

    @property
    def help(self) -> str:
        """The tooltip: plain words first, the model's name in brackets."""
        return HELP.get(self.name, f"{self.spec.unit} ({self.name})".strip())

    def extremes(self) -> tuple[Any, ...]:
        """The smallest and largest value the control offers (every value for choices)."""
        if self.widget in ("choice", "check"):
            return self.values
        if self.widget == "ladder":
            return (self.values[0], self.values[-1])
        return (self.low, self.high)


def _nice_step(low: float, high: float, default: Any) -> float:
    """A round slider step (1, 2 or 5 times a power of ten), refined until the default fits."""
    step = 10 ** math.floor(math.log10((high - low) / 100)) if high > low else 1.0
    for scale in (5, 2, 1):
        if (high - low) / (step * scale) >= 100:
            step *= scale
            break
    if isinstance(default, int | float) and not isinstance(default, bool):
        while step > 1e-6 and abs(default / step - round(default / step)) > 1e-6:
            step /= 10
    return step


def _ladder(low: int, high: int, default: int | None) -> tuple[int, ...]:
    """Round values from ``low`` to ``high`` (1, 2, 5, 10, ...), with the default among them."""
    values = {low, high}
    if default is not None:
        values.add(int(default))
    decade = 1
    while decade <= high:
        values.update(v for v in (decade, 2 * decade, 5 * decade) if low <= v <= high)
        decade *= 10
    return tuple(sorted(values))


def make_control(name: str, spec: ParamSpec, default: Any) -> Control:
    """The control of one parameter: its widget and range, from its spec and default."""
    if spec.kind == "choice":
        return Control(name, spec, "choice", values=tuple(spec.choices))
    if spec.kind == "bool":
        return Control(name, spec, "check", values=(False, True))
    low, high = spec.low, spec.high
    if name == "n_workers":
        high = min(high, MAX_DASHBOARD_WORKERS)
    if spec.kind == "int" and high - low > 100:
        return Control(name, spec, "ladder", low, high, 1, _ladder(int(low), int(high), default))
    widget = "optional" if spec.optional else "slider"
    step = 1 if spec.kind == "int" else _nice_step(low, high, default)
    return Control(name, spec, widget, low, high, step)


def controls() -> dict[str, Control]:
    """Every scalar parameter's control, keyed by parameter name (a case file has none)."""
    defaults = default_parameters()
    return {
        name: make_control(name, spec, defaults.get(name))
        for name, spec in PARAMETERS.items()
        if spec.kind != "case"
    }


def control_groups() -> list[tuple[str, tuple[str, ...], bool]]:
    """The sidebar groups (title, parameter names, open at start); every parameter is in one."""
    listed = set(SETTING_CONTROLS).union(*(names for _, names, _ in GROUPS))
    groups = [
        (title, tuple(n for n in names if n in PARAMETERS), is_open)
        for title, names, is_open in GROUPS
    ]
    rest = tuple(n for n, s in PARAMETERS.items() if n not in listed and s.kind != "case")
    if rest:
        title, names, is_open = groups[-1]
        groups[-1] = (title, names + rest, is_open)
    return [g for g in groups if g[1]]


def format_value(value: Any, control: Control | None = None) -> str:
    """A value as the dashboard shows it."""
    if value is None:
        return "follows intensity"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float):
        step = control.step if control is not None and control.step else 0.01
        digits = max(0, min(4, -math.floor(math.log10(step)))) if step < 1 else 1
        return f"{value:.{digits}f}"
    return str(value)


NO_CASE = "None: the scenario above"
"""The case picker's label for a run whose setting the scenario builds."""


def case_choices(folder: str | None = None) -> tuple[list[tuple[str, str | None]], list[str]]:
    """The case picker's choices and the files it cannot offer.

    Args:
        folder: a folder of case files (default: the one the launcher names in ``CASES_ENV``).

    Returns:
        ``(label, value)`` pairs, the scenario's first (value ``None``), then the built-in cases
        (value: the name) and the folder's valid files (value: the path); and one line per
        invalid file, naming it and what is wrong.
    """
    folder = folder if folder is not None else os.environ.get(CASES_ENV)
    choices: list[tuple[str, str | None]] = [(NO_CASE, None)]
    problems: list[str] = []
    for info in list_cases(folder):
        if info.error:
            problems.append(f"{info.path.name}: {info.error}")
            continue
        value = info.name if info.builtin else str(info.path)
        choices.append((f"{info.title} ({info.name})", value))
    return choices, problems


# --- controls the scenario overrides ------------------------------------------------------------

_SETTING_KEYS = ("n_workers", "layout", "sector_mix", "associations_per_site", "decentralise_at")


def _setting(values: Mapping[str, Any], **change: Any) -> Any:
    """The setting the model would build (a case file's, or a generated landscape's)."""
    values = {**values, **change}
    rng = np.random.default_rng(0)
    source = values.get("case") or (
        values["scenario"] if values["scenario"] in BUILTIN_CASES else None
    )
    if source is not None:
        return load_case(source).setting(values, rng)
    args = {k: values[k] for k in _SETTING_KEYS if k in values}
    return build_setting(values["scenario"], rng=rng, **args)


def overridden(values: Mapping[str, Any]) -> dict[str, str]:
    """Controls that cannot change this scenario's run, each with a one-line reason.

    Found from the scenario's setting itself, not from a list: a structural parameter is
    overridden when changing it leaves the setting unchanged; a pooling level when every phase
    of the schedule fixes it; the intensity when every phase fixes all three levels; the
    intervision controls when no phase has peer meetings.
    """
    reasons: dict[str, str] = {}
    name = values.get("scenario", "")
    if values.get("case"):
        name = os.path.splitext(os.path.basename(str(values["case"])))[0]
        reasons["scenario"] = "The case file gives the associations, sites and schedule."
    try:
        base = _setting(values)
    except Exception:  # the model will report the bad value itself
        return reasons
    for key in _SETTING_KEYS:
        spec = PARAMETERS.get(key)
        if spec is None or key not in values:
            continue
        if spec.kind == "choice":
            other = next((c for c in spec.choices if c != values[key]), values[key])
        else:  # the smallest value, or the next one up from it
            other = spec.low if values[key] != spec.low else spec.low + 1
        try:
            same = _setting(values, **{key: other}) == base
        except Exception:
            continue
        if same:
            reasons[key] = f"The {name} scenario fixes this itself."
    fixed = [all(getattr(p, lv) is not None for p in base.schedule) for lv in LEVEL_NAMES]
    for level, is_fixed in zip(LEVEL_NAMES, fixed, strict=True):
        if is_fixed:
            reasons[level] = f"The {name} schedule sets this level in each phase."
    if all(fixed):
        reasons["pooling_intensity"] = (
            f"The {name} schedule sets every pooling level in each phase."
        )
    if not any(p.meetings for p in base.schedule):
        for key in ("intervision_every", "intervision_attendance"):
            reasons[key] = f"The {name} scenario has no peer meetings."
    return {k: v for k, v in reasons.items() if k in PARAMETERS}
