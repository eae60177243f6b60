"""Consistency checks: outcomes that follow from the rules' own definitions.

These are not validation: each outcome is written into a rule (named in the test), so the
test checks that the code does what the rule says, at the scale of whole runs, against the
null twin. Validation against the field study is in ``tests/test_validation.py``. Every claim is
checked over 30 seeds, 520 weeks unless stated.
"""

from __future__ import annotations

import pytest
from _paired import COLLABORATION, COMMON_WORK, effect, paired, share

from simulation.measures import thresholds

pytestmark = pytest.mark.slow

MARGIN = 0.2  # a share over 30 seeds: a little over two standard errors (see test_validation)


def test_consistency_sf2_collaboration_ties_cross_associations() -> None:
    """SF2 (ties): collaboration ties are formed only on co-presence edges, which join workers
    of different associations (``rules.co_presence``): every tie crosses, by construction."""
    frame = paired(**COLLABORATION)
    assert frame["cross_tie_share"].min() == 1.0


def test_consistency_sf3_common_work_draws_associations_to_the_site_standard() -> None:
    """SF3 (a conjecture of the authors, not an observation): members of a pooled function
    adopt its standard facet by facet (``rules.common_work``), so associations' centroids
    converge far more than under collaboration alone. Whether that is isomorphism depends on
    distinguishability, which is reported, not asserted."""
    frame = paired(**COMMON_WORK)
    collaborating = paired(**COLLABORATION)
    floor = thresholds.FLOORS["centroid_gap_ratio"]
    assert effect(frame, "centroid_gap_ratio").mean() < -10 * floor
    assert (
        effect(frame, "centroid_gap_ratio").mean()
        < effect(collaborating, "centroid_gap_ratio").mean() - 2 * floor
    )
    assert share(frame, "persistence") <= MARGIN


@pytest.mark.parametrize("levels", [COLLABORATION, COMMON_WORK], ids=["collab", "common"])
def test_consistency_sf4_strong_identity_keeps_associations_apart(levels: dict) -> None:
    """SF4: anchoring pulls workers back to their culture in proportion to identity strength
    (``rules.anchoring``), so stronger identity keeps more of the initial contrast."""
    weak = paired(identity_strength=0.1, **levels)
    strong = paired(identity_strength=0.9, **levels)
    floor = thresholds.FLOORS["centroid_gap_ratio"]
    assert (
        effect(strong, "centroid_gap_ratio").mean()
        > effect(weak, "centroid_gap_ratio").mean() + 2 * floor
    )
    assert strong["practice_shift"].mean() < weak["practice_shift"].mean()


def test_consistency_sf6_sanitarisation_grows_with_asymmetry() -> None:
    """SF6 (feared, not observed): the sector influence matrix multiplies the pull of health on
    social practice by 1 + ``asymmetry`` on the facets of health expertise
    (``model._build_world``, ``kernels``): the more asymmetry, the more social framing moves
    towards health framing. Tolerance: each step up in asymmetry raises sanitarisation, paired
    by seed, by more than three standard errors of the paired difference. Whether there is
    sanitarisation with the switch off is a question for validation (SF6 in
    ``tests/test_validation.py``)."""
    off = paired(pooling_intensity=0.5)
    half = paired(pooling_intensity=0.5, asymmetry=0.4)
    on = paired(pooling_intensity=0.5, asymmetry=0.8)
    for low, high in ((off, half), (half, on)):
        step = high["sanitarisation"] - low["sanitarisation"]
        assert step.mean() > 3 * step.std(ddof=1) / len(step) ** 0.5
    assert (on["sanitarisation"] > off["sanitarisation"]).mean() >= 1 - MARGIN


def test_consistency_sf8_layout_sets_how_often_associations_meet() -> None:
    """SF8: encounter rates are the overlap of spaces and hours of two associations
    (``network.build_layers``): separate desks, reserved rooms and own hours give fewer."""
    separate = paired(weeks=52, pooling_intensity=0.2, layout="separate")
    shared = paired(weeks=52, pooling_intensity=0.2, layout="shared")
    assert separate["encounters_total"].mean() < 0.5 * shared["encounters_total"].mean()


def test_consistency_unpooled_runs_are_their_own_twins() -> None:
    """The null twin of a run without pooling is that run: persistence in every seed."""
    frame = paired(weeks=104, pooling_intensity=0.0)
    assert share(frame, "persistence") == 1.0
    for key in ("centroid_gap_ratio", "distinguishability", "crossing"):
        assert (effect(frame, key).abs() < 1e-12).all()
