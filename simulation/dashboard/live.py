"""The parts of the page that change every week, updated in place.

Redrawing the page's component tree for each week costs tens of milliseconds of server time,
whatever changed: the renderer walks every widget. So the week counter, the phase line, the
badge and the charts' rows are widgets registered here once, and each week the play loop sets
their values directly: a week costs the model's step, the rows, and the messages to the
browser. The components draw the same values when the page is drawn again for another reason
(a new run, a toggle), from the same :func:`frame_values`.

Each chart tells back which frame it has drawn; the play loop waits for the browser to draw
a frame before it sends the one after next, so a slow browser slows its own run down instead
of piling up messages.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import solara

from simulation.dashboard import charts, compare, network, regime
from simulation.dashboard.controls import LEVEL_NAMES
from simulation.dashboard.run import Run
from simulation.dashboard.texts import LEVEL_LABELS, PHASE_TEXT
from simulation.dashboard.vega import Payload, VegaView

BADGE_STYLE = (
    "background: {bg}; color: {fg}; border-radius: 8px; padding: 6px 12px; flex: 1 1 360px; "
    "min-width: 240px; display: flex; flex-direction: column; gap: 2px"
)

B_BADGE_STYLE = (
    "background: {bg}; color: {fg}; border-radius: 8px; padding: 6px 10px; flex: 0 1 200px; "
    "min-width: 150px; display: flex; flex-direction: column; gap: 2px; "
    "border: 2px dashed " + charts.B_COLOUR
)
BOX_STYLE: Mapping[str, str] = {"badge-box": BADGE_STYLE, "b-badge-box": B_BADGE_STYLE}
BOX_CLASS: Mapping[str, str] = {"badge-box": "regime-badge", "b-badge-box": "b-badge"}
"""The class of each badge's box (its colour follows the regime it shows)."""


def levels_line(run: Run) -> str:
    """The pooling levels in force, and the phase of the schedule when there are several."""
    m = run.model
    levels = ", ".join(
        f"{LEVEL_LABELS[n]} {v:.0%}" for n, v in zip(LEVEL_NAMES, m.levels, strict=True)
    )
    schedule = m.setting.schedule
    if len(schedule) < 2:
        return f"In force: {levels}."
    phase = m.phase.name
    k = next((i for i, p in enumerate(schedule) if p.name == phase), 0)
    end = (
        f"weeks {schedule[k].start}\u2013{schedule[k + 1].start - 1}"
        if k + 1 < len(schedule)
        else f"from week {schedule[k].start}"
    )
    return f"Phase {phase} ({end}): {PHASE_TEXT.get(phase, '')}. In force: {levels}."


def frame_values(run: Run, band: Mapping[str, list], other: Run | None = None) -> dict[str, Any]:
    """Everything a week changes on the page: texts, the badges, and every chart's rows.

    ``other`` is the compared run B, if any: its badge, and its measures on A's charts.
    """
    with run.lock:
        badge = regime.badge(run.history[-1], run.model.measures(), run.judge.verdict)
        meas = charts.measure_data(run, band)
        values: dict[str, Any] = {
            "week": f"Week {run.week}",
            "phase": levels_line(run),
            "badge-title": badge.title,
            "badge-text": " ".join(badge.lines),
            "badge-box": (badge.label, regime.colour(badge.label), regime.ink(badge.label)),
            "chart-network": network.network_data(run),
            "chart-practices": charts.practice_data(run),
            "chart-band": {"regimes": meas["regimes"]},
        }
    values.update(compare.badge_values(other))
    meas.update(compare.measure_rows(other, run.week))
    for key, _, _ in charts.MEASURES:
        values[f"chart-{key}"] = {
            n: meas[n]
            for n in (key, f"band_{key}", f"null_{key}", f"b_{key}", "phases")
            if n in meas
        }
    return values


ACK_CHART = "chart-band"
"""The chart whose drawn frames pace the play loop (small, and on every page)."""


HISTORY_SETS = (
    "regimes",
    *(key for key, _, _ in charts.MEASURES),
    *(f"null_{key}" for key, _, _ in charts.MEASURES if key in regime.JUDGED),
    *(f"b_{key}" for key, _, _ in charts.MEASURES),
)
"""Data sets that only grow, a row per week: a frame sends their new rows only."""


def _same(a: list | None, b: list) -> bool:
    return a is b or (a is not None and len(a) == len(b) and a == b)


def _grown(a: list | None, b: list) -> bool:
    """Whether ``b`` is ``a`` with rows added at the end (checked on the last common row)."""
    return a is not None and 0 < len(a) <= len(b) and a[-1] == b[len(a) - 1]


def changes(last: dict[str, list], value: Mapping[str, list]) -> dict[str, list]:
    """The part of a chart's rows to send: changed sets whole, grown histories as ``+name``.

    ``last`` (what the browser has) is updated to ``value``.
    """
    out: dict[str, list] = {}
    for name, rows in value.items():
        before = last.get(name)
        if _same(before, rows):
            continue
        if name in HISTORY_SETS and _grown(before, rows):
            if len(rows) > len(before):
                out[f"+{name}"] = rows[len(before) :]
        else:
            out[name] = rows
        last[name] = rows
    return out


class Live:
    """The widgets that change every week, and the browser's acknowledgement of each frame."""

    def __init__(self) -> None:
        self.widgets: dict[str, Any] = {}
        self.sent: dict[str, dict[str, list]] = {}
        self.frame = 0
        self.drawn = 0
        self._acked = threading.Condition()

    def register(self, key: str, widget: Any) -> None:
        """Keep ``widget`` to update it in place (charts also report the frame they drew)."""
        self.widgets[key] = widget
        self.forget(key)
        if isinstance(widget, VegaView) and key == ACK_CHART:
            widget.report = True
            widget.observe(self._on_drawn, "drawn")

    def _on_drawn(self, change: Mapping[str, Any]) -> None:
        with self._acked:
            self.drawn = max(self.drawn, int(change["new"]))
            self._acked.notify_all()

    def wait_drawn(self, frame: int, timeout: float) -> bool:
        """Wait until the browser has drawn ``frame`` (True) or ``timeout`` seconds (False)."""
        with self._acked:
            return self._acked.wait_for(lambda: self.drawn >= frame, timeout)

    def forget(self, key: str) -> None:
        """The widget ``key`` starts afresh (a new run): its next frame sends everything."""
        self.sent.pop(key, None)

    def show(self, key: str, value: Any) -> None:
        """Put one of :func:`frame_values` in its widget."""
        widget = self.widgets.get(key)
        if widget is None:
            return
        if key.startswith("chart-"):
            # only the data sets that changed since the last frame cross the wire
            changed = changes(self.sent.setdefault(key, {}), value)
            if not changed:
                return
            with widget.hold_sync():
                widget.rows = changed
                widget.frame = self.frame
        elif key in BOX_CLASS:
            if self.sent.get(key) == value:
                return
            self.sent[key] = value
            label, bg, fg = value
            with widget.hold_sync():
                widget.style_ = BOX_STYLE[key].format(bg=bg, fg=fg)
                widget.class_ = f"{BOX_CLASS[key]} regime-{label}"
        elif self.sent.get(key) != value:  # a text: sent only when it changes
            self.sent[key] = value
            widget.children = [value]

    def push(self, run: Run, band: Mapping[str, list], other: Run | None = None) -> int:
        """Send this week's values to the browser; returns the frame number."""
        values = frame_values(run, band, other)
        self.frame += 1
        for key, value in values.items():
            self.show(key, value)
        return self.frame


@solara.component
def LiveText(
    live: Live, key: str, text: str, classes: str = "", style: str = "", stamp: Any = None
) -> Any:
    """A text that the play loop updates in place (``key`` in :func:`frame_values`).

    The element carries no text itself, so that drawing the page again never puts back an
    old one; the text is set by the effect below and by :meth:`Live.show`. ``stamp`` (the run
    and its week) changes whenever the page is drawn for another state, even when ``text`` is
    the same as at the last drawing (the weeks in between were sent in place).
    """
    element = solara.use_memo(lambda: solara.v.Html(tag="div", class_=classes, style_=style), [])
    solara.use_effect(lambda: live.register(key, solara.get_widget(element)), [live])
    solara.use_effect(lambda: live.show(key, text), [text, stamp])
    return element


BADGE_PARTS: tuple[tuple[str, str, str], ...] = (
    ("badge-title", "regime-name", "font-size: 1.25rem; font-weight: 700; line-height: 1.5rem"),
    ("badge-text", "regime-text", "font-size: 0.8rem; line-height: 1.25"),
)


@solara.component
def BadgeBox(live: Live, values: Mapping[str, Any], stamp: Any = None, prefix: str = "") -> Any:
    """A regime badge: its colour and words follow the regime the rule has held.

    ``prefix`` is ``"b-"`` for the badge of the compared run B.
    """

    def build() -> dict[str, Any]:
        parts = {
            prefix + key: solara.v.Html(tag="div", class_=prefix + cls, style_=style)
            for key, cls, style in BADGE_PARTS
        }
        children = list(parts.values())
        return {**parts, f"{prefix}badge-box": solara.v.Html(tag="div", children=children)}

    elements = solara.use_memo(build, [])

    def register() -> None:
        for key, element in elements.items():
            live.register(key, solara.get_widget(element))

    shown = tuple(values[key] for key in elements)

    def show() -> None:
        for key, value in zip(elements, shown, strict=True):
            live.show(key, value)

    solara.use_effect(register, [live])
    solara.use_effect(show, [shown, stamp])
    return elements[f"{prefix}badge-box"]


@solara.component
def LiveChart(live: Live, key: str, spec: Payload, rows: Payload) -> Any:
    """A chart whose rows the play loop replaces in place; its spec is sent once per run."""
    view = solara.use_memo(VegaView.element, [])

    def send_spec() -> None:
        widget = solara.get_widget(view)
        widget.spec = spec.value
        live.register(key, widget)
        live.forget(key)

    def send_rows() -> None:
        live.show(key, rows.value)

    solara.use_effect(send_spec, [spec])
    solara.use_effect(send_rows, [rows])
    return solara.Div(children=[view], style={"width": "100%"}, classes=[key])
