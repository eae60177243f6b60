"""Calibration: the machinery recovers a parameter from patterns the model itself made.

Validation of the machinery, not of the model: simulate at a known setting, turn its output
into a pattern, calibrate, and check that the truth lies in the 90 % credible interval in most
repetitions. ABC with a tolerance above zero widens the posterior, so the intervals should
cover at least as often as their nominal 90 %.
"""

import math

import pandas as pd
import pytest

pytest.importorskip("pyabc")

from experiments.abc_sampling import run_table
from experiments.calibrate import calibrate, make_settings, prior_bounds
from experiments.patterns import CaseTargets, Pattern, outside
from experiments.posterior import credible_interval, posterior_summary

TRUTH = {"encounter_rate": 10.0}
"""The known setting (the model's default encounter rate); prior: uniform on [0, 100]."""

WEEKS = 4
POPULATION, GENERATIONS = 12, 2
FIXED = {"scenario": "cssi", "pooling_intensity": 0.4}
REPETITIONS = 20
MIN_COVERED = 15
"""Tolerance: the truth in the 90 % interval in at least 15 of 20 repetitions. At the nominal
90 %, fewer than 15 happens with probability 0.011 (binomial)."""


def _encounters(table: pd.DataFrame) -> float:
    return float(table["encounters"].sum())


def synthetic_case(observed: float) -> CaseTargets:
    """A case whose one pattern is "as many encounters as the run at the truth had"."""

    def distance(table: pd.DataFrame) -> float:
        return outside(_encounters(table), observed, observed) / max(observed, 1.0)

    pattern = Pattern(
        "encounters_as_observed",
        "as many encounters across associations as the synthetic observation",
        "(synthetic: made by the model at a known setting)",
        "tests",
        distance,
        (),
    )
    return CaseTargets("synthetic", "synthetic", FIXED, WEEKS, 1, (pattern,))


def recovery(rep: int, folder: str) -> tuple[bool, float]:
    """One repetition: observe at the truth, calibrate; is the truth in the 90 % interval?

    Returns:
        ``(covered, width)``: whether it is, and the interval's width over the prior's.
    """
    table = run_table({**FIXED, **TRUTH}, 900 + rep, (rep,), WEEKS, 1)
    case = synthetic_case(_encounters(table))
    settings = make_settings(
        case, population=POPULATION, generations=GENERATIONS, seed=rep, parameters=list(TRUTH)
    )
    post = calibrate(case, folder, settings=settings, executor="serial", progress=False).posterior
    lo, hi = credible_interval(post["encounter_rate"], post["weight"], 0.9)
    return bool(lo <= TRUTH["encounter_rate"] <= hi), (hi - lo) / 100.0


@pytest.mark.slow
def test_calibration_recovers_a_known_parameter(tmp_path, pool) -> None:
    """Validation of the machinery (20 small calibrations on two worker processes)."""
    found = list(
        pool.map(recovery, range(REPETITIONS), [str(tmp_path / f"r{k}") for k in range(20)])
    )
    covered = sum(c for c, _ in found)
    assert covered >= MIN_COVERED, f"truth covered in {covered} of {REPETITIONS} repetitions"
    # and the patterns taught something: the intervals are narrower than the prior
    widths = sorted(w for _, w in found)
    assert widths[len(widths) // 2] < 0.5, f"median interval width {widths} of the prior"


def test_priors_are_the_parameter_table_ranges() -> None:
    assert prior_bounds(["openness", "encounter_rate"]) == {
        "openness": (0.0, 1.0),
        "encounter_rate": (0.0, 100.0),
    }
    with pytest.raises(ValueError, match="'layout' cannot be calibrated"):
        prior_bounds(["layout"])


def test_a_weighted_credible_interval_holds_its_mass() -> None:
    values = pd.Series(range(100), dtype=float)
    weights = pd.Series([1.0] * 100)
    lo, hi = credible_interval(values, weights, 0.9)
    assert (lo, hi) == (4.0, 94.0)  # the 5 % and 95 % quantiles: 91 of 100 values inside
    summary = posterior_summary(
        pd.DataFrame({"openness": values / 100, "weight": weights, "generation": 1})
    )
    assert math.isclose(summary.loc[0, "mean"], 0.495)


@pytest.fixture(scope="module")
def pool():
    """Two worker processes shared by the slow tests (spawning them is the costly part)."""
    from experiments.executors import open_executor

    with open_executor("process", 2) as (executor, _n):
        yield executor


def _small(case: CaseTargets, folder, generations: int, executor) -> pd.DataFrame:
    settings = make_settings(
        case, population=8, generations=generations, seed=3, parameters=list(TRUTH)
    )
    return calibrate(case, folder, settings=settings, executor=executor, progress=False).posterior


def test_a_calibration_resumed_after_a_generation_gives_the_same_posterior(tmp_path) -> None:
    """Determinism: stopped after one generation, resumed, same numbers as straight through."""
    case = synthetic_case(_encounters(run_table({**FIXED, **TRUTH}, 7, (0,), WEEKS, 1)))
    straight = _small(case, tmp_path / "a", 2, "serial")
    _small(case, tmp_path / "b", 1, "serial")
    pd.testing.assert_frame_equal(straight, _small(case, tmp_path / "b", 2, "serial"))


@pytest.mark.slow
def test_the_same_seed_gives_the_same_posterior_on_one_core_or_a_pool(tmp_path, pool) -> None:
    """Determinism: the seeded map gives the same particles serially and on two processes
    (processes, not threads: pyabc draws from numpy's global generator, which threads share)."""
    case = synthetic_case(_encounters(run_table({**FIXED, **TRUTH}, 7, (0,), WEEKS, 1)))
    serial = _small(case, tmp_path / "a", 2, "serial")
    pd.testing.assert_frame_equal(serial, _small(case, tmp_path / "c", 2, pool))


def test_calibrate_command_writes_posterior_checks_and_figures(tmp_path) -> None:
    """Smoke: the command end to end at toy sizes (serial), then resumed as a no-op."""
    from experiments.cli import main

    out = tmp_path / "helpline"
    args = ["calibrate", "helpline", "--quick", "--out", str(out), "--executor", "serial"]
    args += ["--population", "4", "--generations", "1", "--runs", "3", "--no-progress"]
    assert main(args) == 0
    posterior = pd.read_parquet(out / "posterior.parquet")
    assert len(posterior) == 4
    assert posterior["weight"].sum() == pytest.approx(1.0)
    assert set(posterior.columns) >= {"meaning_sensitivity", "weight", "generation"}
    assert (out / "calibration.db").exists()
    for stem in ("posterior_marginals", "posterior_pairs", "predictive_check"):
        assert (out / "figures" / f"helpline_{stem}.png").exists()
    assert main(args) == 0  # resumes: nothing left to run
    other = [*args[:-1], "--seed", "5", "--no-progress"]
    assert main(other) != 0  # other settings in the same folder: refused
