"""The study's patterns: distances on hand-made run tables, and passages quoted as written.

Consistency checks of each pattern's own definition (0 when it holds, more when missed), not
validation: the calibration compares the model with the patterns.
"""

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments import patterns
from experiments.patterns import CASES, CSSI, HELPLINE, MEASURES, distances, outside

ARTICLE = [
    text
    for folder in Path(__file__).resolve().parents
    for text in sorted((folder / "shared" / "seed").glob("*.txt"))
][:1]
"""The article's text, where a copy of the shared material sits beside the repository."""


def _cssi_table(**final: float) -> pd.DataFrame:
    """A CSSI run's records: week 0 and the last half-year at given values."""
    values = {
        "ties": 6.0,
        "cross_tie_share": 1.0,
        "common_work": 0.0,
        "crossing": 0.2,
        "adoption": 0.2,
        "adaptations": 3.0,
        "distinguishability": 0.8,
    }
    values.update(final)
    start = {MEASURES[k][0]: v for k, v in values.items()}
    start[MEASURES["distinguishability"][0]] = 0.9
    rows = [{"step": 0, **start}]
    rows += [{"step": w, **{MEASURES[k][0]: v for k, v in values.items()}} for w in (96, 100, 104)]
    return pd.DataFrame(rows)


def test_a_cssi_run_like_the_study_meets_every_pattern() -> None:
    assert distances(CSSI, _cssi_table()) == dict.fromkeys([p.name for p in CSSI.patterns], 0.0)


@pytest.mark.parametrize(
    ("change", "missed"),
    [
        ({"ties": 0.0}, "few_cross_ties"),
        ({"ties": 30.0}, "few_cross_ties"),  # 60 of 40 workers could hold one: not a few
        ({"common_work": 0.3}, "divided_receptions"),
        ({"crossing": 0.0}, "borrowed_by_minority"),
        ({"crossing": 0.7}, "borrowed_by_minority"),
        ({"adaptations": 0.0}, "adapted_to_other_publics"),
        ({"distinguishability": 0.3}, "identities_kept"),
    ],
)
def test_a_cssi_run_that_misses_one_pattern_is_off_on_that_one_only(change, missed) -> None:
    found = distances(CSSI, _cssi_table(**change))
    assert found[missed] > 0
    assert all(d == 0 for name, d in found.items() if name != missed)


def test_a_pattern_whose_measure_is_not_recorded_is_left_out() -> None:
    table = _cssi_table().drop(columns=[MEASURES["adaptations"][0]])
    assert "adapted_to_other_publics" not in distances(CSSI, table)
    assert patterns.missing_patterns(CSSI, table) == ["adapted_to_other_publics"]


def _helpline_table(at_split: float, end: float, tools: float = 1.0) -> pd.DataFrame:
    weeks = np.arange(0, 132, 2)
    phase = np.where(weeks < 26, "centralised", "decentralised")
    gap = np.where(weeks == 0, 1.0, np.where(weeks < 26, at_split, end))
    return pd.DataFrame(
        {
            "step": weeks,
            MEASURES["phase"][0]: phase,
            MEASURES["convergence"][0]: gap,
            MEASURES["tools"][0]: tools,
            MEASURES["distinguishability"][0]: 0.8,
            MEASURES["attendance"][0]: np.where(phase == "decentralised", 0.3, np.nan),
        }
    )


def test_helpline_patterns_follow_the_two_phases() -> None:
    held = distances(HELPLINE, _helpline_table(at_split=0.3, end=0.6))
    assert held == dict.fromkeys([p.name for p in HELPLINE.patterns], 0.0)
    never_built = distances(HELPLINE, _helpline_table(at_split=0.8, end=0.9))
    assert never_built["common_approach_built"] == pytest.approx(0.3)
    kept = distances(HELPLINE, _helpline_table(at_split=0.3, end=0.2))
    assert kept["approach_fades"] == pytest.approx(0.1)
    assert distances(HELPLINE, _helpline_table(0.3, 0.6, tools=0.1))["shared_tools_kept"] > 0


def test_runs_recorded_under_the_former_measure_names_still_read() -> None:
    table = _cssi_table()
    former = {MEASURES[r][0]: MEASURES[r][-1] for r in ("crossing", "distinguishability")}
    assert distances(CSSI, table.rename(columns=former)) == distances(CSSI, table)


def test_outside_is_zero_inside_and_one_for_nan() -> None:
    assert outside(0.3, 0.0, 0.5) == 0.0
    assert outside(0.7, high=0.5) == pytest.approx(0.2)
    assert outside(math.nan, 0.0, 1.0) == 1.0


def _plain(text: str) -> str:
    text = text.replace("’", "'").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text)


@pytest.mark.skipif(not ARTICLE, reason="the article's text is not beside the repository")
def test_every_quoted_passage_is_in_the_article() -> None:
    article = _plain(ARTICLE[0].read_text(encoding="utf-8"))
    for case in CASES.values():
        for pattern in case.patterns:
            quotes = re.findall(r"«\s*(.+?)\s*»", pattern.passage)
            assert quotes, pattern.name
            for quote in quotes:
                for piece in re.split(r"\s*\[…\]\s*", quote):
                    assert _plain(piece) in article, (pattern.name, piece)
