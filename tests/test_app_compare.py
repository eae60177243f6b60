"""The dashboard's second run with other settings (B), played alongside the run on the page (A),
and the one name of each kind of association (rendered with ``solara.render``)."""

from __future__ import annotations

import csv
import io
from typing import Any

import ipyvuetify as v
import solara
from test_app import (
    _click,
    _inside,
    _one,
    _rows,
    _settled,
    _text,
    _wait,
    _walk,
    _week,
    built,
    page,
)

from simulation.dashboard import app, charts, compare, controller, live, run
from simulation.model import default_parameters
from simulation.scenarios import PROTOTYPE_NAMES

__all__ = ["built", "page"]  # the fixtures of the page, shared with tests/test_app.py

_START_RUN = run.start_run
OTHER = {**default_parameters(), "openness": 0.9}


def _b_rows(values: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return values[f"chart-{key}"][f"b_{key}"]


# --- the comparison's data ---------------------------------------------------------------------


def test_b_is_the_run_its_kept_settings_give_stepped_in_step_with_a() -> None:
    a = _START_RUN(default_parameters(), 42)
    b = compare.start_b(compare.Setup.of(OTHER, 7))
    a.step(6)
    b.step_to(a.week)
    b.step_to(3)  # never back, never past A
    assert b.week == a.week == 6
    alone = _START_RUN(OTHER, 7)
    alone.step(6)
    values = live.frame_values(a, {}, b)
    for key, _, _ in charts.MEASURES:
        expected = [{"week": r["week"], "value": r[key]} for r in alone.history]
        assert _b_rows(values, key) == [r for r in expected if r["value"] is not None], key
        own = [{"week": r["week"], "value": r[key]} for r in a.history]
        assert values[f"chart-{key}"][key] == [r for r in own if r["value"] is not None], key


def test_b_is_judged_by_the_same_rule_against_its_own_twins() -> None:
    a = _START_RUN(default_parameters(), 42)
    b = compare.start_b(compare.Setup.of(OTHER, 7))
    a.step(12)
    b.step_to(12)
    assert (b.judge.seed, b.judge.params["openness"]) == (7, 0.9)
    assert a.judge.shared is not None
    assert b.judge.shared is not a.judge.shared, "B's world has twins of its own"
    values = live.frame_values(a, {}, b)
    label = b.history[-1]["regime"]
    assert values["b-badge-box"][0] == label
    title = "Too early to say" if label == "none" else label.capitalize()
    assert values["b-badge-title"] == f"B: {title}"


def test_without_b_its_rows_are_empty_and_its_badge_blank() -> None:
    a = _START_RUN(default_parameters(), 42)
    a.step(2)
    values = live.frame_values(a, {})
    assert all(_b_rows(values, k) == [] for k, _, _ in charts.MEASURES)
    assert values["b-badge-title"] == ""


def test_b_rows_grow_a_row_per_week_like_a_history() -> None:
    a = _START_RUN(default_parameters(), 42)
    b = compare.start_b(compare.Setup.of(OTHER, 42))
    last: dict[str, list] = {}
    live.changes(last, live.frame_values(a, {}, b)["chart-crossing"])
    a.step(1)
    b.step_to(1)
    sent = live.changes(last, live.frame_values(a, {}, b)["chart-crossing"])
    assert [r["week"] for r in sent["+b_crossing"]] == [1]


def test_the_legend_names_only_the_settings_that_differ() -> None:
    kept = compare.Setup.of(default_parameters(), 42)
    a_text, b_text = compare.legend({**default_parameters(), "openness": 0.9}, 7, kept)
    assert (a_text, b_text) == (
        "A (solid): seed 7, openness 0.90",
        "B (dashed): seed 42, openness 0.50",
    )
    a_text, _ = compare.legend(default_parameters(), 42, kept)
    assert "same settings and seed" in a_text


# --- on the page ------------------------------------------------------------------------------


def _legend(root: Any) -> str:
    block = _one(root, "compare-legend")
    return " ".join(c for w in _walk(block) for c in (w.children or ()) if isinstance(c, str))


def test_keeping_b_then_changing_a_control_plays_both_with_two_badges(page, built) -> None:
    _click(page, "compare-settings")
    _inside(_one(page, "param-openness"), v.Slider)[0].v_model = 0.9
    assert built[-1][0]["openness"] == 0.9
    assert "openness 0.90" in _legend(page)
    assert "openness 0.50" in _legend(page)
    for _ in range(3):
        _click(page, "run-step")
    assert _week(page) == 3
    kept = _START_RUN(default_parameters(), app.DEFAULT_SEED)
    kept.step(3)
    sent = _rows(page, "chart-crossing")
    b_rows = sent.get("+b_crossing") or sent["b_crossing"]
    assert b_rows[-1] == {"week": 3, "value": kept.history[-1]["crossing"]}
    assert _text(page, "b-regime-name").startswith("B: ")
    _click(page, "compare-b-clear")
    assert not [w for w in _walk(page) if "b-badge" in (getattr(w, "class_", "") or "")]


def test_b_kept_at_week_n_catches_up_with_a(page) -> None:
    for _ in range(5):
        _click(page, "run-step")
    _click(page, "compare-settings")
    _wait(lambda: _text(page, "b-regime-name") != "B: Nothing has happened yet", timeout=60)
    rows = _settled(lambda: _rows(page, "chart-centroid_gap_ratio"), quiet=0.5)
    b_rows = rows.get("b_centroid_gap_ratio") or rows["+b_centroid_gap_ratio"]
    a = _START_RUN(default_parameters(), app.DEFAULT_SEED)
    a.step(5)
    # same settings, same seed: B is A again, week for week
    assert b_rows[-1] == {"week": 5, "value": a.history[-1]["centroid_gap_ratio"]}
    assert "same settings and seed" in _legend(page)


# --- B in the address and in the CSV -----------------------------------------------------------


def test_the_url_round_trips_a_comparison() -> None:
    a_values = {**default_parameters(), "scenario": "helpline", "openness": 0.7}
    kept = compare.Setup.of(OTHER, 7)
    query = controller.encode(a_values, 9, kept)
    assert "b.seed=7" in query
    assert "b.openness=0.9" in query
    assert "b.scenario" not in query, "B's values equal to the defaults stay out"
    got, seed, problems = controller.decode(query)
    assert ({**default_parameters(), **got}, seed, problems) == (a_values, 9, [])
    assert controller.decode_b(query) == (kept, [])
    assert controller.decode_b(controller.encode(a_values, 9)) == (None, [])


def test_a_bad_b_in_the_url_says_why_and_keeps_what_it_can() -> None:
    b, problems = controller.decode_b("seed=1&b.openness=0.9")
    assert b is None
    assert problems == ["run B: b.seed is missing, so no run B was kept"]
    b, problems = controller.decode_b("b.seed=x")
    assert b is None
    assert len(problems) == 1
    assert problems[0].startswith("run B: seed='x'")
    b, problems = controller.decode_b("b.seed=3&b.openness=7")
    assert b == compare.Setup.of(default_parameters(), 3)
    assert len(problems) == 1
    assert problems[0].startswith("run B: ")
    assert "openness" in problems[0]


def test_the_page_reads_b_from_the_url_and_writes_it_back(built) -> None:
    pushed: list[str] = []
    router = solara.routing.Router("/?seed=5&b.seed=7&b.openness=0.9", [], pushed.append)

    @solara.component
    def Routed() -> None:
        solara.routing.router_context.provide(router)
        app.Dashboard()

    box, _ = solara.render(Routed(), handle_error=False)
    try:
        assert built[-1][1] == 5
        assert "openness 0.50" in _legend(box)
        assert "openness 0.90" in _legend(box)
        assert _one(box, "compare-b-clear") is not None
        assert pushed == [], "the address already holds A and B"
        _click(box, "compare-b-clear")
        assert pushed
        assert "b.seed" not in pushed[-1]
        assert "seed=5" in pushed[-1]
    finally:
        box.close()


def test_the_csv_carries_b_week_for_week() -> None:
    a = _START_RUN(default_parameters(), 42)
    b = compare.start_b(compare.Setup.of(OTHER, 7))
    a.step(6)
    b.step_to(4)  # B behind A: its later weeks are empty
    rows = list(csv.DictReader(io.StringIO(controller.measures_csv(a, b))))
    assert [int(r["week"]) for r in rows] == list(range(7))
    for row in rows[:5]:
        expected = b.history[int(row["week"])]
        assert row["b_regime"] == expected["regime"]
        got = row["b_crossing"]
        assert got == ("" if expected["crossing"] is None else str(expected["crossing"]))
    assert all(r["b_regime"] == "" for r in rows[5:])
    alone = controller.measures_csv(a).splitlines()[0]
    assert "b_" not in alone
    assert controller.csv_name(a, b) == "isohybrid-cssi-seed42-week6-and-B-cssi-seed7.csv"


# --- names --------------------------------------------------------------------------------------


def test_one_name_per_kind_of_association_on_every_view() -> None:
    cssi = _START_RUN(default_parameters(), 1)
    assert cssi.styles.names == tuple(PROTOTYPE_NAMES.values())
    land = _START_RUN({**default_parameters(), "scenario": "landscape", "n_workers": 600}, 1)
    assert land.styles.by_kind
    for group in set(land.styles.groups):
        assert group.split(" (")[0] in PROTOTYPE_NAMES.values(), group
    from simulation.dashboard.texts import SCENARIO_TEXT

    for name in PROTOTYPE_NAMES.values():
        assert name in SCENARIO_TEXT["cssi"][1]
