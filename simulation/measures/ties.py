"""Collaboration structure: does collaboration cross association boundaries?"""

from __future__ import annotations

import numpy as np

from simulation.measures._arrays import as_labels

__all__ = ["cross_tie_share", "tie_modularity"]


def _ties(edges, strength):
    e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    w = np.asarray(strength, dtype=np.float64).reshape(-1)
    keep = w > 0
    return e[keep], w[keep]


def cross_tie_share(edges: np.ndarray, strength: np.ndarray, membership: np.ndarray) -> float:
    """Share of the collaboration that crosses association boundaries.

    Strength-weighted share of the collaboration ties linking workers of different
    associations: 0 = everyone collaborates only at home (co-presence), high = collaboration
    across associations on shared cases.

    Args:
        edges: ``(E, 2)`` worker indices of each undirected tie.
        strength: ``(E,)`` tie strengths >= 0; ties of strength 0 are ignored.
        membership: ``(N,)`` association index of each worker.

    Returns:
        Share in [0, 1]; 0 when there is no tie.
    """
    e, w = _ties(edges, strength)
    total = float(w.sum())
    if total <= 0:
        return 0.0
    m = as_labels(membership)
    cross = m[e[:, 0]] != m[e[:, 1]]
    return min(1.0, float(w[cross].sum()) / total)


def tie_modularity(
    edges: np.ndarray, strength: np.ndarray, membership: np.ndarray, n_assoc: int
) -> float:
    """Newman modularity of the collaboration layer split by association.

    ``Q = sum_a [W_aa / W - (S_a / 2W)^2]`` with ``W`` the total tie strength, ``W_aa`` the
    strength of ties inside association ``a`` and ``S_a`` the summed strength (weighted degree)
    of its workers (a self-tie counts twice in ``S_a``, as in networkx). High = collaboration
    stays inside associations; 0 = as mixed as chance; negative = mostly across associations.
    Repeated edges add up.

    Args:
        edges: ``(E, 2)`` worker indices of each undirected tie (each listed once).
        strength: ``(E,)`` tie strengths >= 0; ties of strength 0 are ignored.
        membership: ``(N,)`` association index of each worker.
        n_assoc: number of associations A.

    Returns:
        Q in [-1/2, 1); 0 when there is no tie.
    """
    e, w = _ties(edges, strength)
    total = float(w.sum())
    if total <= 0:
        return 0.0
    m = as_labels(membership)
    ga, gb = m[e[:, 0]], m[e[:, 1]]
    inside = np.bincount(ga[ga == gb], weights=w[ga == gb], minlength=n_assoc)
    degree = np.bincount(ga, weights=w, minlength=n_assoc) + np.bincount(
        gb, weights=w, minlength=n_assoc
    )
    return float(np.sum(inside / total - (degree / (2.0 * total)) ** 2))
