"""Compiled interaction kernels shared by the pooling model and the classic models.

Every kernel is a plain loop over arrays, compiled with Numba (``cache=True``). Random numbers
are never drawn inside a kernel: the caller samples pairs and uniforms in bulk from the model's
generator and the kernel applies them *sequentially*, in order, which is the asynchronous
semantics of the classic models (one interaction sees the result of the previous one).

Each compiled kernel keeps its pure-Python original as ``.py_func``; :func:`pure_python` switches
every caller to those originals (slow, but steppable in a debugger) and gives identical arrays.

Kernels and their ancestors:

* :func:`bounded_confidence`: Deffuant, Neau, Amblard & Weisbuch (2000), "Mixing beliefs among
  interacting agents", *Advances in Complex Systems* 3: 87-98. Co-presence encounters.
* :func:`facet_borrowing`: Axelrod (1997), "The dissemination of culture", *Journal of Conflict
  Resolution* 41(2): 203-226. Collaboration on shared cases.
* :func:`socialise_to_code`: March (1991), "Exploration and exploitation in organizational
  learning", *Organization Science* 2(1): 71-87. Common work (pooled functions).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import SimpleNamespace

import numba
import numpy as np

__all__ = [
    "active",
    "bounded_confidence",
    "facet_borrowing",
    "group_mean",
    "is_compiled",
    "pull_towards",
    "pure_python",
    "socialise_to_code",
]


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn)


@_jit
def bounded_confidence(x, src, dst, eps, mu, weight_src, weight_dst, met):
    """Apply bounded-confidence encounters in order (Deffuant et al. 2000).

    For each pair ``(i, j) = (src[k], dst[k])``, if the distance between their practices (the
    mean absolute difference over facets) is below ``eps``, both move towards each other:
    ``x_i += mu * weight_src[k] * (x_j - x_i)`` and symmetrically for ``j`` (simultaneously,
    from the values before the encounter). With one facet, unit weights and ``mu <= 0.5`` this
    is exactly the published model.

    Args:
        x: practices, ``(N, D)`` float64, modified in place.
        src: first worker of each pair, ``(P,)`` integer.
        dst: second worker of each pair, ``(P,)`` integer.
        eps: confidence threshold in [0, 1].
        mu: convergence parameter in [0, 1].
        weight_src: per-pair multiplier of ``mu`` for ``src`` (its susceptibility), ``(P,)``.
        weight_dst: per-pair multiplier of ``mu`` for ``dst``, ``(P,)``.
        met: output, ``(P,)`` bool: True where the pair was within ``eps`` and influenced.
    """
    n_pairs = src.shape[0]
    d = x.shape[1]
    for k in range(n_pairs):
        i = src[k]
        j = dst[k]
        dist = 0.0
        for f in range(d):
            dist += abs(x[i, f] - x[j, f])
        dist /= d
        if dist < eps:
            met[k] = True
            a = min(1.0, mu * weight_src[k])
            b = min(1.0, mu * weight_dst[k])
            for f in range(d):
                xi = x[i, f]
                xj = x[j, f]
                x[i, f] = xi + a * (xj - xi)
                x[j, f] = xj + b * (xi - xj)
        else:
            met[k] = False


@_jit
def facet_borrowing(
    x,
    src,
    dst,
    u_interact,
    u_facet,
    tol,
    mu,
    floor,
    reciprocal,
    weight_src,
    weight_dst,
    interacted,
):
    """Apply facet-wise borrowing in order (Axelrod 1997, generalised to continuous facets).

    For each pair ``(i, j)``, the overlap is the share of facets on which they agree (absolute
    difference ``<= tol``). Identical pairs do nothing. Otherwise they interact with probability
    ``floor + (1 - floor) * overlap`` (``u_interact[k]`` is the uniform that decides), and one
    facet on which they differ, chosen by ``u_facet[k]``, moves: ``i`` borrows a share
    ``mu * weight_src[k]`` of ``j``'s value on it and, if ``reciprocal``, ``j`` borrows back
    from ``i``'s previous value. Axelrod's model is ``tol=0`` (traits stored as exact floats),
    ``mu=1``, ``floor=0``, ``reciprocal=False`` and unit weights: ``i`` copies ``j``'s trait.

    Args:
        x: practices, ``(N, D)`` float64, modified in place.
        src: the borrowing (active) worker of each pair, ``(P,)`` integer.
        dst: the partner (neighbour) of each pair, ``(P,)`` integer.
        u_interact: uniforms in [0, 1), ``(P,)``.
        u_facet: uniforms in [0, 1), ``(P,)``, choosing among the differing facets.
        tol: facets closer than this count as shared.
        mu: borrowing share in [0, 1].
        floor: interaction probability of a pair with no shared facet, in [0, 1].
        reciprocal: whether ``j`` borrows back from ``i`` (collaboration is reciprocal).
        weight_src: per-pair multiplier of ``mu`` for ``src``, ``(P,)``.
        weight_dst: per-pair multiplier of ``mu`` for ``dst``, ``(P,)``.
        interacted: output, ``(P,)`` bool: True where a facet was borrowed.
    """
    n_pairs = src.shape[0]
    d = x.shape[1]
    for k in range(n_pairs):
        i = src[k]
        j = dst[k]
        n_same = 0
        for f in range(d):
            if abs(x[i, f] - x[j, f]) <= tol:
                n_same += 1
        if n_same == d:
            interacted[k] = False
            continue
        p = floor + (1.0 - floor) * n_same / d
        if u_interact[k] >= p:
            interacted[k] = False
            continue
        pick = int(u_facet[k] * (d - n_same))
        seen = 0
        chosen = 0
        for f in range(d):
            if abs(x[i, f] - x[j, f]) > tol:
                if seen == pick:
                    chosen = f
                    break
                seen += 1
        xi = x[i, chosen]
        xj = x[j, chosen]
        x[i, chosen] = xi + min(1.0, mu * weight_src[k]) * (xj - xi)
        if reciprocal:
            x[j, chosen] = xj + min(1.0, mu * weight_dst[k]) * (xi - xj)
        interacted[k] = True


@_jit
def socialise_to_code(x, members, team, codes, active_facets, u, p, mu):
    """Socialise members of a group to its code, facet by facet (March 1991).

    For each member ``i = members[k]`` of team ``t = team[k]``, on every facet ``f`` where the
    team's code is active, with probability ``p`` (``u[k, f] < p``) the member moves a share
    ``mu`` of the way to the code: ``x_i,f += mu * (code_t,f - x_i,f)``. March's socialisation
    is ``mu=1`` (adopt the code's belief) with the code active where it is not 0.

    Args:
        x: practices or beliefs, ``(N, D)`` float64, modified in place.
        members: worker index of each membership, ``(M,)`` integer.
        team: team (code) index of each membership, ``(M,)`` integer.
        codes: the codes (shared standards), ``(T, D)`` float64.
        active_facets: ``(T, D)`` bool, where each code has a view.
        u: uniforms in [0, 1), ``(M, D)``.
        p: socialisation probability per facet and step (March's p1).
        mu: share of the way to the code in [0, 1].
    """
    d = x.shape[1]
    for k in range(members.shape[0]):
        i = members[k]
        t = team[k]
        for f in range(d):
            if active_facets[t, f] and u[k, f] < p:
                x[i, f] += mu * (codes[t, f] - x[i, f])


@_jit
def pull_towards(x, target_of, targets, offset, rate, facet_weight):
    """Move each row towards its own target, facet by facet (anchoring).

    The target of row ``i`` is ``targets[t] + offset[i]`` with ``t = target_of[i]``, clipped to
    [0, 1]: its association's culture plus the worker's personal style. On facet ``f`` the row
    closes a share ``rate[i] * facet_weight[t, f]`` of the gap. In place.
    """
    d = x.shape[1]
    for i in range(x.shape[0]):
        r = rate[i]
        if r == 0.0:
            continue
        t = target_of[i]
        for f in range(d):
            goal = min(1.0, max(0.0, targets[t, f] + offset[i, f]))
            x[i, f] += r * facet_weight[t, f] * (goal - x[i, f])


@_jit
def group_mean(x, groups, n_groups, out):
    """Mean row of each group into ``out`` (``(n_groups, D)``); returns the group sizes.

    Empty groups keep the row ``out`` had.
    """
    d = x.shape[1]
    sums = np.zeros((n_groups, d))
    counts = np.zeros(n_groups, dtype=np.int64)
    for i in range(x.shape[0]):
        g = groups[i]
        counts[g] += 1
        for f in range(d):
            sums[g, f] += x[i, f]
    for g in range(n_groups):
        if counts[g] > 0:
            for f in range(d):
                out[g, f] = sums[g, f] / counts[g]
    return counts


_NAMES = (
    "bounded_confidence",
    "facet_borrowing",
    "socialise_to_code",
    "pull_towards",
    "group_mean",
)
_COMPILED = SimpleNamespace(**{name: globals()[name] for name in _NAMES})
_PURE = SimpleNamespace(**{name: globals()[name].py_func for name in _NAMES})
_state = {"table": _COMPILED}


def active() -> SimpleNamespace:
    """The kernel table callers use now: compiled, or pure Python inside :func:`pure_python`."""
    return _state["table"]


def is_compiled() -> bool:
    """Whether callers currently get the compiled kernels."""
    return _state["table"] is _COMPILED


@contextlib.contextmanager
def pure_python() -> Iterator[None]:
    """Run every kernel as plain Python inside this block (for debugging and equivalence tests).

    The arithmetic is the same, so the arrays are identical to the compiled path's.
    """
    previous = _state["table"]
    _state["table"] = _PURE
    try:
        yield
    finally:
        _state["table"] = previous
