"""Who meets whom, drawn at the scale of the run.

Up to ``AGGREGATE_ABOVE`` workers, each worker is a mark (colour and shape by association):

- rooms: the premises in force; one box per site, or one per association when co-presence is
  off (the helpline after decentralisation);
- co-presence: thin lines between workers who share premises, only when co-presence is in
  force, their opacity following its level;
- collaboration ties: darker and thicker when stronger, faded when weak;
- common work: a dashed hull around the members of each site's pooled function.

Above it, sites and associations are the nodes (area = workers) and the edges count the
collaboration ties between associations, so the view stays readable and fast.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np

from simulation.dashboard.charts import _association_scales, _spec
from simulation.dashboard.run import Run

AGGREGATE_ABOVE = 400
"""Above this many workers the network shows associations, not workers."""

EDGE_SAMPLE = 1_500
"""At most this many co-presence pairs are drawn (a fixed sample)."""

NO_AXIS = alt.Axis(title=None, labels=False, ticks=False, domain=False, grid=False)


def aggregated(run: Run) -> bool:
    """Whether the run is drawn as associations rather than workers."""
    return run.model.world.n_workers > AGGREGATE_ABOVE


def _turn(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """Twice the signed area of the triangle o, a, b (positive when counter-clockwise)."""
    return float((a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]))


def _hull(points: np.ndarray) -> np.ndarray:
    """Convex hull of 2-D points, counter-clockwise (Andrew's monotone chain)."""
    pts = np.unique(np.round(points, 6), axis=0)
    if len(pts) < 3:
        return pts
    pts = pts[np.lexsort((pts[:, 1], pts[:, 0]))]

    def half(seq: np.ndarray) -> list:
        out: list = []
        for p in seq:
            while len(out) >= 2 and _turn(out[-2], out[-1], p) <= 0:
                out.pop()
            out.append(p)
        return out

    lower, upper = half(pts), half(pts[::-1])
    return np.array(lower[:-1] + upper[:-1])


def _box(points: np.ndarray, pad: float, label: str) -> dict[str, Any]:
    lo, hi = points.min(0) - pad, points.max(0) + pad
    return {"x": lo[0], "y": lo[1], "x2": hi[0], "y2": hi[1], "room": label}


def rooms(run: Run) -> list[dict[str, Any]]:
    """The premises in force: one box per site, or per association when co-presence is off."""
    m = run.model
    pos, mem, site = m.positions, m.membership, m.world.assoc_site
    if float(m.levels[0]) <= 0.0:
        return [
            _box(pos[mem == a], 0.12, f"{run.styles.names[a]}'s own room") for a in np.unique(mem)
        ]
    wsite = site[mem]
    return [_box(pos[wsite == s], 0.3, f"site {s + 1}: shared premises") for s in np.unique(wsite)]


def _edges(x: alt.X, y: alt.Y) -> alt.Chart:
    """Collaboration ties: thicker and darker when stronger, faded when weak."""
    width = alt.Scale(domain=[0, 1], range=[0.3, 3])
    fade = alt.Scale(domain=[0, 1], range=[0.08, 0.8])
    return (
        alt.Chart(alt.Data(name="ties"))
        .mark_rule(color="#263238")
        .encode(
            x=x,
            y=y,
            x2="x2:Q",
            y2="y2:Q",
            strokeWidth=alt.StrokeWidth("s:Q", scale=width, legend=None),
            opacity=alt.Opacity("s:Q", scale=fade, legend=None),
            tooltip=[alt.Tooltip("s:Q", title="tie strength", format=".2f")],
        )
    )


def _association_layers(run: Run, x: alt.X, y: alt.Y, legend: alt.Legend) -> list[alt.Chart]:
    colour, _ = _association_scales(run)
    nodes = (
        alt.Chart(alt.Data(name="nodes"))
        .mark_circle(opacity=0.85, stroke="white", strokeWidth=0.5)
        .encode(
            x=x,
            y=y,
            size=alt.Size("workers:Q", legend=None, scale=alt.Scale(range=[4, 200])),
            color=alt.Color("group:N", scale=colour, legend=legend),
            tooltip=["name:N", "workers:Q", alt.Tooltip("site:Q", title="site")],
        )
    )
    return [_edges(x, y), nodes]


def _worker_layers(run: Run, x: alt.X, y: alt.Y, legend: alt.Legend) -> list[alt.Chart]:
    colour, shape = _association_scales(run)
    opacity = alt.Opacity("o:Q", legend=None, scale=None)
    copresence = (
        alt.Chart(alt.Data(name="copresence"))
        .mark_rule(color="#90A4AE", strokeWidth=0.6)
        .encode(x=x, y=y, x2="x2:Q", y2="y2:Q", opacity=opacity)
    )
    hull = (
        alt.Chart(alt.Data(name="hull"))
        .mark_line(color="#D55E00", strokeDash=[5, 3], strokeWidth=1.5)
        .encode(x=x, y=y, detail="site:N", order="k:Q")
    )
    size = 70 if run.model.world.n_workers <= 60 else 25
    workers = (
        alt.Chart(alt.Data(name="workers", values=_workers(run)))
        .mark_point(filled=True, size=size, stroke="white", strokeWidth=0.5, opacity=1)
        .encode(
            x=x,
            y=y,
            color=alt.Color("group:N", scale=colour, legend=legend),
            shape=alt.Shape("group:N", scale=shape, legend=legend),
            tooltip=[alt.Tooltip("name:N", title="association")],
        )
    )
    return [copresence, _edges(x, y), hull, workers]


def network_spec(run: Run) -> dict[str, Any]:
    """The network chart of this run at its scale (static parts inline, dynamic ones named)."""
    x = alt.X("x:Q", axis=NO_AXIS, scale=alt.Scale(zero=False, nice=False))
    y = alt.Y("y:Q", axis=NO_AXIS, scale=alt.Scale(zero=False, nice=False))
    legend = alt.Legend(title=None, orient="right", labelLimit=160)
    room = (
        alt.Chart(alt.Data(name="rooms"))
        .mark_rect(fill="#f4f4f4", stroke="#cfcfcf", cornerRadius=6)
        .encode(x=x, y=y, x2="x2:Q", y2="y2:Q", tooltip=[alt.Tooltip("room:N", title="room")])
    )
    if aggregated(run):
        layers = _association_layers(run, x, y, legend)
        title = f"{run.model.world.n_workers:,} workers: a disc per association, lines = ties"
    else:
        layers = _worker_layers(run, x, y, legend)
        title = "Grey: share premises. Dark: collaboration ties. Dashed: common work."
    chart = alt.layer(room, *layers).properties(
        width="container",
        height=250,
        title=alt.Title(title, fontSize=11, anchor="start", fontWeight="normal"),
    )
    return _spec(chart)


def _workers(run: Run) -> list[dict[str, Any]]:
    s = run.styles
    pos = np.round(run.model.positions, 4).tolist()
    return [
        {"x": p[0], "y": p[1], "group": s.groups[k], "name": s.names[k]}
        for p, k in zip(pos, run.model.membership.tolist(), strict=True)
    ]


def _copresence(run: Run, level: float) -> list[dict[str, float]]:
    """Lines between workers who share premises, only when co-presence is in force."""
    pairs = run.model.world.cp_edges
    if level <= 0 or not len(pairs):
        return []
    if len(pairs) > EDGE_SAMPLE:
        pick = np.random.default_rng(1).choice(len(pairs), EDGE_SAMPLE, replace=False)
        pairs = pairs[np.sort(pick)]
    ends = np.round(run.model.positions[pairs], 4).tolist()
    return [
        {"x": a[0], "y": a[1], "x2": b[0], "y2": b[1], "o": 0.05 + 0.25 * level} for a, b in ends
    ]


def _line(a: Any, b: Any, strength: float) -> dict[str, float]:
    return {
        "x": float(a[0]),
        "y": float(a[1]),
        "x2": float(b[0]),
        "y2": float(b[1]),
        "s": strength,
    }


def _association_data(run: Run, ties: np.ndarray) -> dict[str, list]:
    """Associations as discs at their workers' centre; lines count the ties between them."""
    w = run.model.world
    n = len(run.styles.names)
    counts = np.bincount(w.membership, minlength=n)
    sums = np.zeros((n, 2))
    np.add.at(sums, w.membership, run.model.positions)
    centre = sums / np.maximum(counts, 1)[:, None]
    nodes = [
        {
            "x": float(centre[a, 0]),
            "y": float(centre[a, 1]),
            "workers": int(counts[a]),
            "group": run.styles.groups[a],
            "name": run.styles.names[a],
            "site": int(w.assoc_site[a]) + 1,
        }
        for a in np.flatnonzero(counts).tolist()
    ]
    lines = []
    if ties.size:
        ai = w.membership[ties[:, 0].astype(np.int64)]
        aj = w.membership[ties[:, 1].astype(np.int64)]
        key, count = np.unique(np.minimum(ai, aj) * n + np.maximum(ai, aj), return_counts=True)
        i, j = np.divmod(key, n)
        keep = i != j
        share = (count / count.max())[keep].tolist()
        pairs = zip(i[keep].tolist(), j[keep].tolist(), share, strict=True)
        lines = [_line(centre[a], centre[b], v) for a, b, v in pairs]
    return {"nodes": nodes, "ties": lines}


def _hull_rows(run: Run) -> list[dict[str, float]]:
    """The outline of each site's pooled function (its members' convex hull, closed)."""
    pos = run.model.positions
    try:
        members, sites = run.model.world.pooled_members(float(run.model.levels[2]))
    except Exception:  # a world without pooled functions
        return []
    rows: list[dict[str, float]] = []
    for site in np.unique(sites).tolist():
        pts = _hull(pos[members[sites == site]])
        if len(pts) >= 2:
            pts = np.vstack([pts, pts[:1]])
            rows += [
                {"x": float(a), "y": float(b), "site": site, "k": k}
                for k, (a, b) in enumerate(pts.tolist())
            ]
    return rows


def network_data(run: Run) -> dict[str, list]:
    """The rows of the dynamic layers for this frame (rooms and co-presence kept per level)."""
    level = float(run.model.levels[0])
    if ("rooms", level) not in run.cache:
        run.cache[("rooms", level)] = rooms(run)
    out: dict[str, list] = {"rooms": run.cache[("rooms", level)]}
    ties = run.model.ties()
    if aggregated(run):
        return {**out, **_association_data(run, ties)}
    if ("copresence", level) not in run.cache:
        run.cache[("copresence", level)] = _copresence(run, level)
    out["copresence"] = run.cache[("copresence", level)]
    pos = run.model.positions
    out["ties"] = [_line(pos[int(i)], pos[int(j)], float(s)) for i, j, s in ties.tolist()]
    out["hull"] = _hull_rows(run)
    return out
