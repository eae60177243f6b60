"""The measures and the practice space as Vega-Lite charts (built with Altair).

Each chart is built once per run with *named* data sets; a frame only sends the rows (see
:mod:`simulation.dashboard.vega`). Percentages throughout, weeks on the time axis, hover values,
and on each measure the regime rule judges, the null twins' noise band.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import numpy as np

from simulation.dashboard import regime
from simulation.dashboard.run import Run

MEASURES = regime.MEASURES
"""(measure, title, unit) of the small multiples: the regime rule's measures, then access."""

NONE_LABEL = "not yet named"
WEEK_AXIS = alt.Axis(title="week (52 weeks = 1 year)", format="d", tickMinStep=1)
B_COLOUR = "#AA3377"
"""Colour of the compared run B's line: a purple no regime and no other line uses."""
B_DASH = [5, 3]
"""B's line is dashed (dash and gap, in pixels), so that it reads without colour as well."""
EXPORT = {"embedOptions": {"actions": {"export": True, "source": False, "editor": False}}}


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    spec = chart.to_dict()
    spec["usermeta"] = EXPORT
    return spec


def regime_scale() -> alt.Scale:
    """Every regime's colour, plus grey for weeks before a regime is named."""
    names = [*regime.regimes(), NONE_LABEL]
    return alt.Scale(domain=names, range=[regime.colour(n) for n in names])


def measure_spec(key: str, title: str, unit: str) -> dict[str, Any]:
    """One small multiple: the measure, the seeds' band, phases, the twins' noise band."""
    x = alt.X("week:Q", axis=WEEK_AXIS, scale=alt.Scale(nice=False))
    y = alt.Y("value:Q", title=unit, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1.1]))
    phases = (
        alt.Chart(alt.Data(name="phases"))
        .mark_rect(color="#f0f0f0")
        .encode(x="start:Q", x2="end:Q", tooltip=[alt.Tooltip("phase:N", title="phase")])
    )
    band = (
        alt.Chart(alt.Data(name=f"band_{key}"))
        .mark_area(color="#888", opacity=0.25)
        .encode(x=x, y=alt.Y("low:Q"), y2="high:Q", tooltip=["week:Q", "seeds:Q"])
    )
    line = alt.Chart(alt.Data(name=key)).mark_line(color="#263238", strokeWidth=2).encode(x=x, y=y)
    hover = (
        alt.Chart(alt.Data(name=key))
        .mark_circle(size=60, opacity=0)
        .encode(
            x=x,
            y=y,
            tooltip=[
                alt.Tooltip("week:Q", title="week"),
                alt.Tooltip("value:Q", title=title, format=".0%"),
            ],
        )
    )
    other = (
        alt.Chart(alt.Data(name=f"b_{key}"))
        .mark_line(color=B_COLOUR, strokeWidth=2, strokeDash=B_DASH)
        .encode(
            x=x,
            y=y,
            tooltip=[
                alt.Tooltip("week:Q", title="week"),
                alt.Tooltip("value:Q", title=f"B: {title}", format=".0%"),
            ],
        )
    )
    layers = [phases, band, other, line, hover]
    if key in regime.JUDGED:
        twins = (
            alt.Chart(alt.Data(name=f"null_{key}"))
            .mark_area(color="#C62828", opacity=0.15)
            .encode(
                x=x,
                y=alt.Y("low:Q"),
                y2="high:Q",
                tooltip=[
                    alt.Tooltip("week:Q", title="week"),
                    alt.Tooltip("low:Q", title="no pooling, low", format=".0%"),
                    alt.Tooltip("high:Q", title="no pooling, high", format=".0%"),
                ],
            )
        )
        layers.insert(1, twins)
    chart = alt.layer(*layers).properties(
        width="container", height=130, title=alt.Title(title, fontSize=12, anchor="start")
    )
    return _spec(chart)


def band_spec() -> dict[str, Any]:
    """The held regime week by week (the badge's label), with the rule's raw reading on hover."""
    chart = (
        alt.Chart(alt.Data(name="regimes"))
        .mark_rect()
        .encode(
            x=alt.X("week:Q", axis=WEEK_AXIS, scale=alt.Scale(nice=False)),
            x2="end:Q",
            color=alt.Color(
                "regime:N",
                scale=regime_scale(),
                legend=alt.Legend(
                    orient="top",
                    direction="horizontal",
                    title="regime shown:",
                    symbolType="square",
                ),
            ),
            tooltip=[
                alt.Tooltip("week:Q"),
                alt.Tooltip("regime:N", title="regime shown"),
                alt.Tooltip("raw:N", title="rule this week"),
            ],
        )
        .properties(width="container", height=22)
    )
    return _spec(chart)


def _history_rows(run: Run) -> dict[str, list]:
    """The rows that only grow, a row per recorded week, built once per week and kept.

    Each frame extends them with the weeks recorded since the last one (the history is only
    ever appended to), so a frame costs the same at week 500 as at week 5.
    """
    done, rows = run.cache.get("history_rows", (0, None))
    if rows is None:
        rows = {"regimes": []}
        for key, _, _ in MEASURES:
            rows[key] = []
            if key in regime.JUDGED:
                rows[f"null_{key}"] = []
    for r in run.history[done:]:
        for key, _, _ in MEASURES:
            if r[key] is not None:
                rows[key].append({"week": r["week"], "value": r[key]})
            low, high = f"low_{key}", f"high_{key}"
            if key in regime.JUDGED and r.get(low) is not None:
                rows[f"null_{key}"].append({"week": r["week"], "low": r[low], "high": r[high]})
        label = NONE_LABEL if r["regime"] == regime.NONE else r["regime"]
        rows["regimes"].append(
            {"week": r["week"], "end": r["week"] + 1, "regime": label, "raw": r["raw"]}
        )
    run.cache["history_rows"] = (len(run.history), rows)
    return rows


def measure_data(run: Run, bands: Mapping[str, list] | None = None) -> dict[str, list]:
    """Rows of every named data set of the measure charts and the band, for this frame.

    The lists are fresh each frame (their rows are shared with the last frame's), so a page
    can tell what grew by comparing the lists it sent with these.
    """
    out = {name: list(rows) for name, rows in _history_rows(run).items()}
    for key, _, _ in MEASURES:
        out[f"band_{key}"] = list((bands or {}).get(key, []))
    out["phases"] = phase_rows(run.history)
    return out


def phase_rows(hist: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every other phase of a schedule as a shaded span (none for a single phase)."""
    spans: list[dict[str, Any]] = []
    for r in hist:
        if spans and spans[-1]["phase"] == r["phase"]:
            spans[-1]["end"] = r["week"] + 1
        else:
            spans.append({"phase": r["phase"], "start": r["week"], "end": r["week"] + 1})
    return spans[1::2] if len(spans) > 1 else []


# --- practice space ---------------------------------------------------------------------------


def _association_scales(run: Run) -> tuple[alt.Scale, alt.Scale]:
    s = run.styles
    names = list(dict.fromkeys(s.groups))
    first = [s.groups.index(n) for n in names]
    colour = alt.Scale(domain=names, range=[s.colours[i] for i in first])
    shape = alt.Scale(domain=names, range=[s.shapes[i] for i in first])
    return colour, shape


def practice_spec(run: Run) -> dict[str, Any]:
    """Workers' practices on the fixed axes; association centres at week 0 (rings) and now."""
    colour, shape = _association_scales(run)
    start = run.basis.project(run.model.initial_centroids)
    xy = run.basis.project(run.model.practices[run.sample])
    seen = np.vstack([xy, start])
    pad = np.maximum(0.25 * (seen.max(0) - seen.min(0)), 0.08)
    lo, hi = seen.min(0) - pad, seen.max(0) + pad
    x = alt.X(
        "x:Q",
        title=run.basis.labels[0],
        scale=alt.Scale(domain=[lo[0], hi[0]], nice=False),
        axis=alt.Axis(titleFontSize=10, titleLimit=420),
    )
    y = alt.Y(
        "y:Q",
        title=run.basis.labels[1],
        scale=alt.Scale(domain=[lo[1], hi[1]], nice=False),
        axis=alt.Axis(titleFontSize=10, titleLimit=230),
    )
    legend = alt.Legend(title=None, orient="right", labelLimit=160)
    workers = (
        alt.Chart(alt.Data(name="workers"))
        .mark_point(filled=True, opacity=0.55, size=30 if run.sample.size <= 200 else 8)
        .encode(
            x=x,
            y=y,
            color=alt.Color("group:N", scale=colour, legend=legend),
            shape=alt.Shape("group:N", scale=shape, legend=None),
            tooltip=[alt.Tooltip("name:N", title="association")],
        )
    )
    arrows = (
        alt.Chart(alt.Data(name="centres"))
        .mark_rule(strokeWidth=2)
        .encode(x="x0:Q", y="y0:Q", x2="x:Q", y2="y:Q", color=alt.Color("group:N", scale=colour))
    )
    rings = (
        alt.Chart(alt.Data(name="centres"))
        .mark_point(size=140, strokeWidth=2, filled=False)
        .encode(x=alt.X("x0:Q"), y=alt.Y("y0:Q"), color=alt.Color("group:N", scale=colour))
    )
    now = (
        alt.Chart(alt.Data(name="centres"))
        .mark_point(size=150, filled=True, stroke="black", strokeWidth=1, opacity=1)
        .encode(
            x=x,
            y=y,
            color=alt.Color("group:N", scale=colour),
            shape=alt.Shape("group:N", scale=shape, legend=None),
            tooltip=[
                alt.Tooltip("name:N", title="association"),
                alt.Tooltip("moved:Q", title="moved since week 0", format=".2f"),
            ],
        )
    )
    chart = alt.layer(workers, arrows, rings, now).properties(width="container", height=250)
    return _spec(chart)


def practice_data(run: Run) -> dict[str, list]:
    """Rows of the practice view for this frame (workers sampled above the detail limit)."""
    s = run.styles
    m = run.model
    xy = run.basis.project(m.practices[run.sample])
    mem = m.membership[run.sample]
    workers = [
        {"x": float(a), "y": float(b), "group": s.groups[k], "name": s.names[k]}
        for (a, b), k in zip(np.round(xy, 4).tolist(), mem.tolist(), strict=True)
    ]
    n = len(s.names)
    counts = np.bincount(m.membership, minlength=n)
    sums = np.zeros((n, m.practices.shape[1]))
    np.add.at(sums, m.membership, m.practices)
    now = run.basis.project(sums / np.maximum(counts, 1)[:, None])
    start = run.basis.project(m.initial_centroids)
    centres = []
    if n <= 60:
        for a in np.flatnonzero(counts > 0).tolist():
            centres.append(
                {
                    "x0": float(start[a, 0]),
                    "y0": float(start[a, 1]),
                    "x": float(now[a, 0]),
                    "y": float(now[a, 1]),
                    "group": s.groups[a],
                    "name": s.names[a],
                    "moved": float(np.hypot(*(now[a] - start[a]))),
                }
            )
    return {"workers": workers, "centres": centres}
