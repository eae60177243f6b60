"""A second run with other settings, played alongside the first: run B against run A.

The student keeps the settings of the moment as **B**, then changes the controls: the run on
the page (**A**) starts again with the new settings, and B, the kept settings with the kept
seed, plays in step with it, week for week. B is a run like A (:class:`Run`): it is judged by
the same regime rule against its own null twins, so its badge means what A's means. Its
measures are drawn as a dashed line on A's charts, sent like A's, a row per week.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from simulation.dashboard import regime
from simulation.dashboard.controls import controls, format_value
from simulation.dashboard.run import Run, start_run


@dataclass(frozen=True)
class Setup:
    """The settings kept as B: every parameter's value and the seed."""

    values: tuple[tuple[str, Any], ...]
    seed: int

    @classmethod
    def of(cls, values: Mapping[str, Any], seed: int) -> Setup:
        """The set-up of ``values`` and ``seed`` (hashable, so that a page can keep it)."""
        return cls(tuple(sorted(values.items())), int(seed))

    def params(self) -> dict[str, Any]:
        """The parameters as the model takes them."""
        return dict(self.values)


def start_b(setup: Setup) -> Run:
    """B's run at week 0."""
    return start_run(setup.params(), setup.seed)


def differences(a: Mapping[str, Any], a_seed: int, b: Setup) -> list[tuple[str, str, str]]:
    """The settings in which A and B differ, as (label, A's value, B's value).

    The seed comes first when it differs; then the controls, in the order of the page.
    """
    ctrls = controls()
    b_values = b.params()
    out = []
    if int(a_seed) != b.seed:
        out.append(("seed", str(int(a_seed)), str(b.seed)))
    for name, control in ctrls.items():
        if a.get(name) != b_values.get(name):
            out.append(
                (
                    control.label.lower(),
                    format_value(a.get(name), control),
                    format_value(b_values.get(name), control),
                )
            )
    return out


def legend(a: Mapping[str, Any], a_seed: int, b: Setup) -> tuple[str, str]:
    """The two legend entries, "A: ..." and "B: ...", naming the settings that differ."""
    diff = differences(a, a_seed, b)
    if not diff:
        same = "same settings and seed as B (the two lines coincide)"
        return f"A (solid): {same}", "B (dashed): kept settings, identical to A"
    a_text = ", ".join(f"{label} {value}" for label, value, _ in diff)
    b_text = ", ".join(f"{label} {value}" for label, _, value in diff)
    return f"A (solid): {a_text}", f"B (dashed): {b_text}"


def measure_rows(b: Run | None, week: int) -> dict[str, list[dict[str, Any]]]:
    """B's rows of each measure chart (``b_<measure>``), up to A's ``week``; empty without B."""
    keys = [key for key, _, _ in regime.MEASURES]
    if b is None:
        return {f"b_{key}": [] for key in keys}
    hist = [r for r in b.history if r["week"] <= week]
    return {
        f"b_{key}": [{"week": r["week"], "value": r[key]} for r in hist if r[key] is not None]
        for key in keys
    }


def badge_values(b: Run | None) -> dict[str, Any]:
    """B's badge: its regime, judged by the same rule against B's own twins."""
    if b is None:
        return {
            "b-badge-title": "",
            "b-badge-text": "",
            "b-badge-box": (regime.NONE, regime.colour(regime.NONE), regime.ink(regime.NONE)),
        }
    with b.lock:
        row = b.history[-1]
        shown = regime.badge(row, b.model.measures(), b.judge.verdict)
    text = "Judged by the same rule, against B's own twins without pooling."
    if row["week"] > 0 and row["raw"] != row["regime"]:
        text = f"This week the rule reads {row['raw']} for B, against B's own twins."
    return {
        "b-badge-title": f"B: {shown.title}",
        "b-badge-text": text,
        "b-badge-box": (shown.label, regime.colour(shown.label), regime.ink(shown.label)),
    }
