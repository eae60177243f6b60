"""A model-free check of the regime: can the associations be recovered from practices alone?

Knowing nothing of the model's rules, nor of the null twin, fit Gaussian mixtures to the
practices of each site's workers with 1 to ``A + 2`` components (``A`` the site's associations)
and keep the number the Bayesian information criterion prefers; compare the mixture's groups
with the associations by the adjusted Rand index (ARI). Associations that are *recovered*
(ARI of at least :data:`~simulation.measures.thresholds.RECOVERY_ARI`) are still told apart by
their practices; *merged* (one component preferred) is one common practice; anything else is
*mixed*. Where this and the regime rule agree (recovered with persistence, compression or
hybridisation; merged with isomorphism), the label does not hang on the rule's construction.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from simulation.measures import thresholds
from simulation.measures._arrays import as_labels, as_practices

__all__ = ["RECOVERY_LABELS", "Recovery", "recover"]

RECOVERY_LABELS: tuple[str, ...] = ("recovered", "mixed", "merged")
"""The model-free labels, from associations intact to one common practice."""


class Recovery(NamedTuple):
    """What Gaussian mixtures of the practices say, pooled over sites.

    Attributes:
        label: the label of most workers' sites (one of :data:`RECOVERY_LABELS`).
        ari: worker-weighted mean adjusted Rand index over sites.
        components: worker-weighted mean number of components BIC prefers per site.
        associations: worker-weighted mean number of associations per site.
    """

    label: str
    ari: float
    components: float
    associations: float


def _site(x: np.ndarray, m: np.ndarray, seed: int) -> tuple[int, float]:
    from sklearn.metrics import adjusted_rand_score
    from sklearn.mixture import GaussianMixture

    n_assoc = len(np.unique(m))
    best, best_bic, best_labels = 1, math.inf, np.zeros(len(x), dtype=int)
    for k in range(1, min(n_assoc + 2, len(x) // 2) + 1):
        gm = GaussianMixture(k, covariance_type="diag", reg_covar=1e-4, random_state=seed)
        gm.fit(x)
        bic = gm.bic(x)
        if bic < best_bic:
            best, best_bic, best_labels = k, bic, gm.predict(x)
    return best, float(adjusted_rand_score(m, best_labels))


def recover(practices, membership, assoc_site, *, seed: int = 0) -> Recovery:
    """Gaussian mixtures with BIC on each site's practices, against the associations.

    Args:
        practices: ``(N, D)`` practices.
        membership: ``(N,)`` association of each worker.
        assoc_site: ``(A,)`` site of each association.
        seed: seed of the mixtures' initialisation (k-means).

    Returns:
        A :class:`Recovery`; NaN numbers and label ``"recovered"`` when no site holds two
        associations with at least two workers each.
    """
    x, m = as_practices(practices), as_labels(membership)
    site = as_labels(assoc_site)[m]
    weights, aris, comps, assocs, labels = [], [], [], [], []
    for s in np.unique(site):
        here = site == s
        present = np.unique(m[here])
        if len(present) < 2 or here.sum() < 4:
            continue
        k, ari = _site(x[here], m[here], seed)
        weights.append(here.sum())
        aris.append(ari)
        comps.append(k)
        assocs.append(len(present))
        labels.append(
            "merged" if k == 1 else ("recovered" if ari >= thresholds.RECOVERY_ARI else "mixed")
        )
    if not weights:
        return Recovery("recovered", math.nan, math.nan, math.nan)
    w = np.asarray(weights, dtype=float)
    votes = {name: w[np.array(labels) == name].sum() for name in RECOVERY_LABELS}
    return Recovery(
        max(RECOVERY_LABELS, key=lambda name: votes[name]),
        float(np.average(aris, weights=w)),
        float(np.average(comps, weights=w)),
        float(np.average(assocs, weights=w)),
    )
