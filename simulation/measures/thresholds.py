"""Every cut-off the measures and the regime rule use, each with the reason for its value.

The values were fixed before any pooled run was measured with them. Each comes from what the
quantity means (a share of workers, a share of the distance between two cultures, a number of
standard deviations of individual spread) or from the spread of the null twins (the same world
with pooling off, over seeds); none was moved to make a figure come out. ``docs/ODD.md``
(section "Measures' settings and their history") repeats them with the history of the earlier
values.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACCESS_TOLERANCE",
    "ADOPTED",
    "CLUSTER_EPS",
    "CLUSTER_SITES",
    "DEFAULT",
    "DIVERSITY_SAMPLE",
    "FLOORS",
    "GAP_SD",
    "ISOMORPHISM_FRACTION",
    "KEPT",
    "MAJOR_SHARE",
    "MIN_GAP",
    "N_TWINS",
    "RECOVERY_ARI",
    "Thresholds",
    "Z",
]

Z: float = 3.0
"""A pooled run differs from its null twin when the difference exceeds ``Z`` times the twins'
seed-to-seed standard deviation. Three standard deviations: were the null normal, a run in which
pooling changed nothing would be called different in about 0.3 % of runs per quantity and
direction, so that over the hundreds of runs of a sweep a regime other than persistence is
almost never the product of chance alone. (Chebyshev's bound, which needs no normality, still
keeps it under 11 %.)"""

FLOORS: dict[str, float] = {
    "centroid_gap_ratio": 0.05,
    "distinguishability": 0.05,
    "crossing": 0.05,
}
"""Smallest noise used for each judged quantity, when the twins happen to spread less (e.g.
every twin still assigns every worker to its association, a standard deviation of 0). Each is
the smallest change that can be read in the study's terms: for the two shares of workers
(``distinguishability`` is a chance-corrected share of workers told apart, ``crossing`` a share
of workers), two of the CSSI's forty workers (2/40 = 0.05): one worker changing side is an
anecdote, not a change of regime. For ``centroid_gap_ratio``, 5 % of the initial distance
between two associations, the same resolution expressed as a share of the contrast."""

ISOMORPHISM_FRACTION: float = 0.5
"""Associations count as no longer distinguishable when their distinguishability fell (beyond
noise) below this fraction of their twin's. Half way between the twin (as recognisable as
without pooling) and chance (0): a worker's association is then closer to a guess than to what
it was."""

N_TWINS: int = 8
"""Default number of null twins (the run's own seed and seven others) for a single run: the
smallest number for which the standard deviation of a normal sample is within about 25 % of the
true value with two chances in three (its relative standard error is 1/sqrt(2(n - 1)) = 0.27)."""

KEPT: float = 1.0 / 3.0
ADOPTED: float = 2.0 / 3.0
"""A worker's position on a facet, from its association's initial value (0) to a pooled
partner's (1), is read in thirds: up to ``KEPT`` (towards every partner) it kept its own; within
a third of the partner's value (``ADOPTED`` to ``2 - ADOPTED``) it adopted that partner's; else
it sits midway (blending). Thirds split the segment into an own side, a middle and a partner
side of equal widths, with nothing to tune."""

GAP_SD: float = 3.0
"""A facet is borrowable from a partner only when the two associations' initial centroids
differ on it by at least ``GAP_SD`` times their workers' initial standard deviation on that
facet (the root mean square of the two). With positions read in thirds, a worker who stays
within one standard deviation of its own centroid then reads as "kept" (one third of three
standard deviations), and reading "adopted" by chance needs a two-standard-deviation deviation
(about 2 % per facet). Where the gap is smaller, individual heterogeneity alone would make
workers look as if they had crossed over: the finding the previous ``min_gap`` ran into."""

MIN_GAP: float = 0.1
"""...and by at least this much in absolute terms: a tenth of a facet's range, the smallest
difference between two cultures of the kind the study describes (appointments against walk-in,
formal against informal reception). Only binds when workers have (almost) no initial spread."""

CLUSTER_EPS: float = 0.2
"""Practice clusters link workers closer than this on every facet (descriptive measure only;
not used by the regime rule). A fifth of a facet's range: about the distance between two
neighbouring points of a five-point scale on which an interviewer would place a practice."""

MAJOR_SHARE: float = 0.02
"""A practice cluster is major when it holds at least this share of the workers (descriptive;
one worker in fifty)."""

DIVERSITY_SAMPLE: int = 2048
"""Above this many workers, the recorder estimates ``mean_pairwise_distance`` on a fixed sample
of this many workers (chosen once per run, the same every week) instead of sorting every
worker's practice every week. The estimate is the U-statistic of the sample: unbiased, with a
standard error of at most ``2 * 0.5 / sqrt(2048)``, about 0.022, since a distance lies in [0, 1]
(measured on a 10,000-worker landscape it is about 0.002, under 1 % of the value; see
``tests/test_measures.py``). Up to this size every worker is used and the value is exact."""

CLUSTER_SITES: int = 64
"""The recorder counts practice clusters (a comparison of every pair of workers of a site) on at
most this many sites, chosen once per run and the same every week; with more sites, the
per-site means are estimates from that sample: unbiased, with a standard error of the sites'
standard deviation of the count over 8 (sqrt(64)), times the finite-population correction.
A landscape of 10,000 workers has about 140 sites; the CSSI, the helpline and any landscape
of up to 64 sites are counted in full."""

RECOVERY_ARI: float = 0.5
"""The model-free check calls a site's associations recovered when Gaussian mixtures of its
final practices (components chosen by BIC) agree with the associations at an adjusted Rand
index of at least this: half way between chance (0) and a perfect recovery (1)."""

ACCESS_TOLERANCE: float = 0.2
"""Default largest gap on any facet at which a worker's practice fits a beneficiary's need (the
model's ``access_tolerance`` parameter; its provenance is in the ODD's parameter table)."""


@dataclass(frozen=True)
class Thresholds:
    """The regime rule's settings in one object (defaults: the module constants).

    Attributes:
        z: number of twin standard deviations a difference must exceed.
        floors: smallest noise per judged quantity.
        isomorphism_fraction: distinguishability below this fraction of the twin's counts as
            lost.
    """

    z: float = Z
    floors: tuple[tuple[str, float], ...] = tuple(FLOORS.items())
    isomorphism_fraction: float = ISOMORPHISM_FRACTION

    def floor(self, key: str) -> float:
        """The floor of one judged quantity (0 for a key without one)."""
        return dict(self.floors).get(key, 0.0)


DEFAULT = Thresholds()
"""The rule's settings as fixed in this module."""
