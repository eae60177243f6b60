"""The study's own mechanisms: each rule against the same runs with the rule off, over seeds.

Every test here compares runs that differ only by one rule's switch (same seeds, so the same
worlds), over ``SEEDS``, with the tolerance and the direction written in the test. Crossing is
measured as the measures define it (a worker who adopted a pooled partner's value on some
facets and kept its own on others; positions read in thirds, borrowable facets where the two
associations' initial centroids differ by at least three within-association standard
deviations, and at least 0.1).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest

from simulation import kernels
from simulation.model import PoolingModel

SEEDS = range(8)
WEEKS = 520

OFF = {"pooling_intensity": 0.0, "co_presence": 0.0, "collaboration": 0.0, "common_work": 0.0}
"""Pooling off: the null twin of a run."""
NEW_RULES_OFF = {
    "serving_publics": False,
    "premises_norms": False,
    "identity_exit": False,
    "profession_ownership": False,
    "shared_tools": False,
}
SERVING_ALONE = {
    **NEW_RULES_OFF,
    "serving_publics": True,
    "copresence_influence": 0.0,
    "collaboration_influence": 0.0,
    "co_presence": 1.0,
    "collaboration": 1.0,
    "common_work": 0.0,
}
"""Beneficiaries referred along ties; no worker-to-worker influence of any kind."""


def crossing(model: PoolingModel) -> float:
    """Share of pooled workers who crossed over facet by facet (a mosaic, not a blend)."""
    w = model.world
    x0, x, m = w.initial_practices, w.practices, w.membership
    n_assoc = w.cultures.shape[0]
    c0 = np.zeros_like(w.cultures)
    kernels.group_mean(x0, m, n_assoc, c0)
    sd = np.array([x0[m == a].std(axis=0) for a in range(n_assoc)])
    crossed = np.zeros(m.size, dtype=bool)
    eligible = np.zeros(m.size, dtype=bool)
    for a in range(n_assoc):
        rows = np.flatnonzero(m == a)
        for p in np.flatnonzero(w.assoc_site == w.assoc_site[a]):
            gap = c0[p] - c0[a]
            floor = np.maximum(3 * np.sqrt((sd[a] ** 2 + sd[p] ** 2) / 2), 0.1)
            ok = (np.abs(gap) >= floor) & (p != a)
            if ok.sum() < 2:
                continue
            t = (x[np.ix_(rows, ok)] - c0[a, ok]) / gap[ok]
            eligible[rows] = True
            crossed[rows] |= (t >= 2 / 3).any(axis=1) & (t <= 1 / 3).any(axis=1)
    return float(crossed[eligible].mean()) if eligible.any() else 0.0


def centroid_shift(model: PoolingModel) -> float:
    """How far associations' mean practices moved from their start (mean over facets)."""
    now = np.zeros_like(model.cultures)
    kernels.group_mean(model.practices, model.membership, len(now), now)
    return float(np.abs(now - model.initial_centroids).mean())


@cache
def _runs(weeks: int = WEEKS, **params: object) -> tuple[PoolingModel, ...]:
    out = []
    for seed in SEEDS:
        model = PoolingModel(rng=seed, record_every=weeks, **params)
        for _ in range(weeks):
            model.step()
        out.append(model)
    return tuple(out)


def _mean(measure, weeks: int = WEEKS, **params: object) -> np.ndarray:
    return np.array([measure(m) for m in _runs(weeks, **params)])


# --- co-presence as acquaintance (SF1) ---------------------------------------------------------


def test_co_presence_alone_keeps_practices_put_but_builds_familiarity() -> None:
    levels = {"co_presence": 1.0, "collaboration": 0.0, "common_work": 0.0, "layout": "shared"}
    alone = {**NEW_RULES_OFF, **levels}
    twin = {**NEW_RULES_OFF, **OFF, "layout": "shared"}
    shift = _mean(centroid_shift, **alone) - _mean(centroid_shift, **twin)
    # paired by seed: no more movement than without pooling (within a hundredth of the scale)
    assert abs(shift.mean()) < 0.01
    assert abs(_mean(crossing, **alone).mean() - _mean(crossing, **twin).mean()) < 0.05
    # yet workers got to know each other
    assert min(int(m.world.familiarity.sum()) for m in _runs(**alone)) > 0
    # the former direct pull, set as a parameter, would move them
    pulled = _mean(centroid_shift, **alone, copresence_influence=0.05)
    assert pulled.mean() > _mean(centroid_shift, **alone).mean() + 0.02


# --- serving publics (SF2) ---------------------------------------------------------------------


def test_serving_publics_alone_produces_crossing_without_worker_to_worker_influence() -> None:
    setting = {**SERVING_ALONE, "service_adaptation": 0.3}
    on = _mean(crossing, **setting)
    off = _mean(crossing, **{**setting, "serving_publics": False})
    twin = _mean(crossing, **{**setting, **OFF})
    # the rule alone: a third or more of the pooled workers more cross over than without it
    assert on.mean() > off.mean() + 0.3
    # and more than the null's seed-to-seed noise allows (three sd, at least 0.05 each)
    assert on.mean() - twin.mean() > 3 * max(twin.std(), 0.05)
    # without the rule, nothing moves beyond the null
    assert abs(off.mean() - twin.mean()) < 0.05


def test_referred_publics_move_the_access_conditions_of_the_family_planning() -> None:
    """The family-planning workers become "un peu plus bas seuil" through referrals."""
    setting = {**SERVING_ALONE, "service_adaptation": 0.3}
    access = 0  # appointments (0) -> walk-in (1)

    def fp_access(model: PoolingModel) -> float:
        fp = model.membership == 3
        return float(model.practices[fp, access].mean() - model.initial_centroids[3, access])

    on = _mean(fp_access, **{**setting, "referral_rate": 1.0})
    off = _mean(fp_access, **{**setting, "referral_rate": 0.0})
    gain = on - off  # paired by seed
    # towards walk-in, beyond three standard errors of the paired difference over the seeds
    assert gain.mean() > 3 * gain.std(ddof=1) / np.sqrt(gain.size)
    assert (gain > 0).mean() >= 0.75


# --- premises (SF8) ----------------------------------------------------------------------------


def _towards_norm(model: PoolingModel) -> np.ndarray:
    """Per association, how much closer to the building's norm (on its facets) than at start."""
    w = model.world
    mask = w.norm_mask[0] > 0
    now = np.zeros_like(model.cultures)
    kernels.group_mean(model.practices, model.membership, len(now), now)
    before = np.abs(model.initial_centroids[:, mask] - w.norm[0, mask]).mean(axis=1)
    return before - np.abs(now[:, mask] - w.norm[0, mask]).mean(axis=1)


@pytest.mark.parametrize("layout", ["separate", "shared"])
def test_premises_pull_the_workers_who_lost_their_rooms_towards_the_buildings_norm(layout) -> None:
    base = {**NEW_RULES_OFF, "pooling_intensity": 0.2, "layout": layout}
    on = np.array([_towards_norm(m) for m in _runs(**{**base, "premises_norms": True})])
    off = np.array([_towards_norm(m) for m in _runs(**base)])
    gain = (on - off).mean(axis=0)  # per association
    drug, others = 1, [0, 2, 3]
    assert gain[drug] > 0.03  # the drug service lost its community room in both layouts
    if layout == "separate":
        assert np.all(np.abs(gain[others]) < 0.01)  # the others kept their rooms
    else:
        assert np.all(gain[[2, 3]] > 0.01)  # in one shared building nobody keeps a room


# --- exit under identity threat (SF4) ----------------------------------------------------------


def test_identity_threat_drives_exits_and_hires_learn_the_current_culture() -> None:
    pooled = {"pooling_intensity": 1.0, "turnover": 0.002}
    with_exit = _runs(**pooled)
    without = _runs(**{**pooled, "identity_exit": False})

    def departures(models: tuple[PoolingModel, ...]) -> float:
        return float(np.mean([(m.world.tenure < WEEKS).mean() for m in models]))

    # more posts changed hands under threat than at the baseline rate alone
    assert departures(with_exit) > departures(without) + 0.02
    # and more the more pooling threatens identity (no pooling: the baseline)
    quiet = _runs(**{**OFF, "turnover": 0.002})
    assert departures(with_exit) > departures(quiet) + 0.02


# --- professions (SF9) -------------------------------------------------------------------------


def test_professions_hold_their_owned_facets_against_other_professions() -> None:
    collab = {"pooling_intensity": 0.5, "serving_publics": False, "premises_norms": False}
    framing = 2

    def medical_framing_moved(model: PoolingModel) -> float:
        # doctors and nurses still in post (hires start afresh and would only add noise)
        stayed = model.world.tenure >= 156
        doctors = np.isin(model.world.profession, [0, 1]) & stayed
        moved = np.abs(model.practices - model.world.initial_practices)[doctors, framing]
        return float(moved.mean())

    # three years, so that most workers are still in post
    owned = _mean(medical_framing_moved, 156, **collab)
    free = _mean(medical_framing_moved, 156, **{**collab, "profession_ownership": False})
    held = free - owned  # paired by seed
    # less movement on their own facet, beyond three standard errors over the seeds
    assert held.mean() > 3 * held.std(ddof=1) / np.sqrt(held.size)


# --- durable shared tools (SF7) ----------------------------------------------------------------


def _helpline(weeks: int, **params: object) -> tuple[PoolingModel, ...]:
    return _runs(weeks, scenario="helpline", decentralise_at=26, **params)


def test_shared_tools_outlive_the_lockdown_room_on_their_facets() -> None:
    def tool_spread(model: PoolingModel) -> float:
        mask = model.world.tool_mask
        now = np.zeros_like(model.cultures)
        kernels.group_mean(model.practices, model.membership, len(now), now)
        return float(now[:, mask].std(axis=0).mean())

    with_tools = np.array([tool_spread(m) for m in _helpline(104)])
    without = np.array([tool_spread(m) for m in _helpline(104, shared_tools=False)])
    # a year and a half after decentralisation, services still closer on the tools' facets
    assert with_tools.mean() < 0.8 * without.mean()
    assert np.mean([m.world.tool_strength.max() for m in _helpline(104)]) > 0


def test_intervision_attendance_follows_the_sense_of_meaning() -> None:
    """Attendance falls as the respondent role drifts from each worker's own practice.

    With the tools unused between meetings (``tool_use=0``) each respondent drifts back to its
    service's way, away from the role the lockdown room defined, and comes less and less; with a
    fixed share (the rule off) attendance would not trend. The helpline's services are variations
    on one social prototype, so the drift is small (a few hundredths): the test reads it with a
    sensitive respondent (``meaning_sensitivity=20``, the top of its range).
    """
    attended = []
    for seed in SEEDS:
        model = PoolingModel(
            scenario="helpline",
            decentralise_at=26,
            rng=seed,
            tool_use=0.0,
            meaning_sensitivity=20.0,
        )
        series = []
        for _ in range(156):
            model.step()
            if model.levels[2] > 0 and model.phase.meetings:
                series.append(model.counts["socialised"] / model.world.n_workers)
        attended.append((np.mean(series[:3]), np.mean(series[-3:])))
    first, last = np.array(attended).T
    assert first.mean() > last.mean() + 0.05
    assert (first > last).mean() >= 0.75


def _recorded(weeks: int, **params) -> pd.DataFrame:
    model = PoolingModel(**params)
    for _ in range(weeks):
        model.step()
    return model.datacollector.get_model_vars_dataframe()


def test_intervision_attendance_is_recorded_on_meeting_weeks_only() -> None:
    """Consistency check: the column is socialised / called on a meeting's week, else empty."""
    table = _recorded(80, scenario="helpline", rng=3)
    meeting = (table["phase"] == "decentralised") & (table["common_work_level"] > 0)
    assert meeting.sum() >= 10
    rate = table["intervision_attendance_rate"]
    np.testing.assert_array_equal(
        rate[meeting].to_numpy(), (table["socialised"] / table["called"])[meeting].to_numpy()
    )
    assert rate[~meeting].isna().all()
    assert (table.loc[meeting, "called"] > 0).all()
    assert _recorded(10, scenario="cssi", rng=3)["intervision_attendance_rate"].isna().all()


def test_a_fixed_attendance_is_read_back_by_the_recorded_rate() -> None:
    """Consistency check: with the meaning rule off, respondents come with the fixed chance
    ``intervision_attendance``, so the recorded rate averages it: within three binomial
    standard errors over every meeting of ``SEEDS``."""
    share, came, called = 0.3, 0, 0
    for seed in SEEDS:
        table = _recorded(
            104, scenario="helpline", rng=seed, shared_tools=False, intervision_attendance=share
        )
        meeting = table["intervision_attendance_rate"].notna()
        came += int(table.loc[meeting, "socialised"].sum())
        called += int(table.loc[meeting, "called"].sum())
    assert called > 1000
    assert abs(came / called - share) < 3 * np.sqrt(share * (1 - share) / called)


# --- sanitarisation on the right axis (SF6) ----------------------------------------------------


def test_sanitarisation_moves_the_medical_framing_not_the_low_threshold_traits() -> None:
    setting = {"pooling_intensity": 0.5, "serving_publics": False, "premises_norms": False}

    def social_shift(model: PoolingModel) -> np.ndarray:
        social = model.world.sector == 1
        now = np.zeros_like(model.cultures)
        kernels.group_mean(model.practices, model.membership, len(now), now)
        return (now - model.initial_centroids)[social].mean(axis=0)

    sym = np.array([social_shift(m) for m in _runs(**setting)])
    asym = np.array([social_shift(m) for m in _runs(**{**setting, "asymmetry": 0.8})])
    framing, low_threshold = 2, [0, 1, 3]  # access, reception, approach
    effect = asym - sym  # paired by seed
    # social framing moves towards the medical pole
    assert effect[:, framing].mean() > 0.04
    # the access, reception and approach of the social side only by second-order noise: within
    # three standard errors over the seeds (their sd is about 0.03, so 0.03 at eight seeds)
    assert np.abs(effect[:, low_threshold].mean(axis=0)).max() < 0.03
    assert effect[:, framing].mean() > 3 * np.abs(effect[:, low_threshold].mean(axis=0)).max()
