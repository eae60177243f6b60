"""Validation: outcomes no rule writes in, compared with what the field study observed.

Each test names the passage of the article it tests (Rosenzweig & Boussart; the stylised facts
SFn of ``MODEL_BRIEF.md``), judges pooled runs against their null twins (the same seed and world
with pooling off), and states its tolerance and why. Every claim is checked over 30 seeds, ten
years of working weeks (520 steps) unless stated. Outcomes that follow from a rule's own
definition are consistency checks, in ``tests/test_consistency.py``; the regime reached along
pooling intensity is a finding of the model, reported, not tested against a band.
"""

from __future__ import annotations

import numpy as np
import pytest
from _paired import CO_PRESENCE_ONLY, COLLABORATION, SEEDS, effect, paired, share

from experiments.patterns import MINORITY
from simulation.measures import thresholds
from simulation.model import PoolingModel
from simulation.twins import make_twin

pytestmark = pytest.mark.slow

# A share of runs is judged with a margin of 0.2: with 30 seeds the standard error of a share
# is at most 0.09, so 0.2 is a little over two standard errors (a true share at the bound
# passes about 98 % of the time).
MARGIN = 0.2


@pytest.mark.xfail(
    strict=True,
    reason="measured after the mechanisms of publics and premises: co-presence alone is judged "
    "hybridisation in about 70 % of runs (30 seeds), against SF1",
)
def test_validation_sf1_co_presence_alone_leaves_associations_as_without_pooling() -> None:
    """SF1: workers side by side "se côtoient, mais ne coopèrent pas".

    Co-presence alone (no collaboration, no common work) should leave the associations as they
    would have been without pooling: most runs judged persistence against their twins, and
    associations exactly as recognisable. What could make it fail: encounters pull engaged
    workers together every week for ten years, and the pull accumulates.
    """
    frame = paired(**CO_PRESENCE_ONLY)
    assert share(frame, "persistence") >= 1 - MARGIN
    # distinguishability within the floor of noise of its twin, on average over seeds
    assert (
        abs(effect(frame, "distinguishability").mean()) <= thresholds.FLOORS["distinguishability"]
    )
    # workers moved far less than when they collaborate (half: a change of kind, not degree)
    collaborating = paired(**COLLABORATION)
    assert frame["practice_shift"].mean() < 0.5 * collaborating["practice_shift"].mean()


def test_validation_sf2_collaboration_crosses_facets_and_keeps_associations_apart() -> None:
    """SF2: "on intercale d'office"; the family-planning professional is "un peu plus bas seuil".

    Collaboration on shared cases should make workers adopt a partner's practice on some facets
    while keeping their own on others (crossing beyond the twin's), with associations still
    recognisable (distinguishability not lost). The collaboration rule borrows one facet at a
    time; whether that shows as crossing, and whether identities survive anchoring and ten
    years of it, is not written in any rule. Tolerance: at least half of the runs hybridise
    (the observation is that this happened, not that it always does), and in at most
    ``MARGIN`` of them distinguishability is lost.
    """
    frame = paired(**COLLABORATION)
    assert share(frame, "hybridisation") >= 0.5
    assert share(frame, "isomorphism") + share(frame, "fragmentation") <= MARGIN
    # reciprocal: workers of every association cross, not one side only
    assert effect(frame, "crossing").mean() > 3 * thresholds.FLOORS["crossing"]


def test_validation_sf5_cross_sector_pooling_moves_practices_more() -> None:
    """SF5: "La mutualisation vient d'autant plus affecter le travail quand les associations
    impliquées sont de secteurs d'activité différents"; within one sector it is "davantage
    capable de renforcer la solidarité entre travailleurs".

    Landscapes of 240 workers at pooling 0.5, social services only against half health, half
    social. Sectors enter no rule of influence (asymmetry is off): only the cultures differ.
    Against each run's twin, practices should move further across sectors (by a fifth at
    least, a difference well beyond the seeds' spread of the mean), and collaboration ties
    per unit of change should be more numerous within one sector.
    """
    common = {"scenario": "landscape", "n_workers": 240, "pooling_intensity": 0.5}
    same = paired(sector_mix=0.0, **common)
    mixed = paired(sector_mix=0.5, **common)

    def moved(f):
        return f["practice_shift"] - f["twin_practice_shift"]

    assert moved(mixed).mean() > 1.2 * moved(same).mean()
    ties_per_change = {
        name: (f["ties_per_worker"] / moved(f).clip(lower=1e-9)).mean()
        for name, f in (("same", same), ("mixed", mixed))
    }
    assert ties_per_change["same"] > ties_per_change["mixed"]


@pytest.mark.xfail(
    strict=True,
    reason="measured after the mechanisms of publics, premises and professions: with symmetric "
    "influence, social framing moves towards health framing by about 0.20 of the initial gap "
    "against the twin (sd 0.13 over 30 seeds), against SF6",
)
def test_validation_sf6_no_sanitarisation_without_asymmetric_influence() -> None:
    """SF6: the feared "sanitarisation du social" was not observed.

    With symmetric influence (``asymmetry`` 0, the default) and pooling 0.5, social framing
    should not move towards health framing more than the reverse, against each run's twin.
    Nothing in the rules forbids it (unequal sizes, identities, professions and premises can
    all tilt it). Tolerance: the mean paired effect within three standard errors of zero, and
    under 5 % of the initial framing gap.
    """
    frame = paired(pooling_intensity=0.5)
    drift = frame["sanitarisation"] - frame["twin_sanitarisation"]
    se = drift.std(ddof=1) / len(drift) ** 0.5
    assert abs(drift.mean()) < max(3 * se, 0.05)


def _helpline_course(intervision_every: int) -> np.ndarray:
    """Centroid gap ratio of the helpline at weeks 0..104, run minus twin, one row per seed."""
    params = {
        "scenario": "helpline",
        "decentralise_at": 26,
        "intervision_every": intervision_every,
    }
    courses = []
    for seed in SEEDS:
        run = PoolingModel(**params, rng=seed)
        twin = make_twin(params, seed, record_every=1)
        for _ in range(104):
            run.step()
            twin.step()
        ours = run.datacollector.get_model_vars_dataframe()["centroid_gap_ratio"].to_numpy()
        null = twin.datacollector.get_model_vars_dataframe()["centroid_gap_ratio"].to_numpy()
        courses.append(ours - null)
    return np.array(courses)


def test_validation_sf7_common_approach_fades_after_decentralisation() -> None:
    """SF7: "Les permanences sont alors décentralisées ... des intervisions ... ne sont pas
    toujours fréquentées ... un maintien des identités propres à chaque service".

    The lockdown room built a common approach (services much closer than their twins at
    decentralisation); it fades once shifts go back to the services; poorly attended
    intervisions slow the fade only. The schedule switches common work off; how fast the
    approach fades, and what thin intervisions do, follow from no single rule. Tolerances: a
    closing of at least a quarter of the initial gap at decentralisation, and a fade (and its
    slowing) of at least 5 % of it a year later, the floor of noise of the ratio.
    """
    without = _helpline_course(intervision_every=0)
    meetings = _helpline_course(intervision_every=4)
    at_decentralisation, a_year_later = 26, 78
    floor = thresholds.FLOORS["centroid_gap_ratio"]
    assert without[:, at_decentralisation].mean() < -0.25
    assert without[:, a_year_later].mean() > without[:, at_decentralisation].mean() + floor
    assert meetings[:, a_year_later].mean() < without[:, a_year_later].mean() - floor


@pytest.mark.xfail(
    strict=True,
    reason="measured when the model began recording attendance: at the defaults about 95 % of "
    "the respondents come to each intervision after decentralisation (mean 0.946, sd 0.014, "
    "30 seeds), against SF7",
)
def test_validation_sf7_intervisions_are_poorly_attended() -> None:
    """SF7: "ces réunions ne sont pas toujours fréquentées par ces derniers".

    After decentralisation, fewer than half the respondents called to an intervision come, on
    average over the meetings of the phase (the threshold of the calibration's pattern,
    ``experiments.patterns.MINORITY``, read from "poorly attended" before any run). There is
    no twin to judge against: a run without pooling has no meetings. Attendance follows each
    respondent's sense of meaning (``intervision_attendance`` by ``meaning_sensitivity``),
    which no rule sets low. Tolerance: the mean over 30 seeds below one half.
    """
    rates = []
    for seed in SEEDS:
        model = PoolingModel(scenario="helpline", rng=seed)
        for _ in range(130):  # from March 2020 to the fieldwork (the helpline pattern's span)
            model.step()
        table = model.datacollector.get_model_vars_dataframe()
        after = table[table["phase"] == "decentralised"]
        rates.append(after["intervision_attendance_rate"].mean())
    assert np.mean(rates) < MINORITY
