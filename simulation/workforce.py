"""The workforce: who leaves and who is hired, and how fast a newcomer learns.

:func:`turnover` is the ninth weekly rule of :mod:`simulation.rules` (exits, more of them under
identity threat, and hires socialised to the current culture); :func:`learning` is the newcomers'
learning multiplier the rules of service and common work apply; :func:`draw_openness` draws the
openness of the initial workers and of each hire.
"""

from __future__ import annotations

import math

import numpy as np

from simulation import kernels, rates
from simulation.parameters import Parameters
from simulation.world import World

NEWCOMER_WEEKS = 26.0
"""Weeks over which a new hire's extra learning falls by a factor e (about six months)."""


def learning(world: World, r: Parameters) -> np.ndarray:
    """Learning multiplier of each worker: newcomers learn faster (``newcomer_learning``).

    ``1 + newcomer_learning * exp(-tenure / NEWCOMER_WEEKS)``: a hire learns ``1 +
    newcomer_learning`` times as fast as an old hand, half that extra after about four months.
    A worker's multiplier depends on it only through its tenure, a whole number of weeks, so it
    is read from a table of the multiplier at every tenure up to past the longest, computed by
    the same NumPy expression (the same numbers) and kept while ``newcomer_learning`` stays: a
    week, when every tenure grows by one, costs a lookup per worker, not an ``exp``. The
    multipliers are written into memory kept from call to call: read them, never write them.
    """
    tenure = world.tenure
    longest = int(tenure.max(initial=0))
    kept = world.learned
    if kept is None or kept[0] != r.newcomer_learning or kept[1].shape[0] <= longest:
        weeks = np.arange(2 * longest + 520)  # ten years of weeks to spare
        if r.newcomer_learning <= 0:
            table = np.ones(weeks.shape[0])
        else:
            table = 1.0 + r.newcomer_learning * np.exp(-weeks / NEWCOMER_WEEKS)
        world.learned = kept = (r.newcomer_learning, table, np.empty(0))
    if kept[2].shape != tenure.shape:
        world.learned = kept = (*kept[:2], np.empty(tenure.shape[0]))
    # every tenure is within the table (and none below 0): "clip" only spares NumPy a copy
    return np.take(kept[1], tenure, out=kept[2], mode="clip")


def turnover(world: World, r: Parameters, rng: np.random.Generator) -> tuple[int, int]:
    """Workers leave, and each post is filled at once; with ``identity_exit``, threat drives exits.

    Every worker leaves with probability ``turnover`` a week (opportunities, retirements). With
    ``identity_exit`` on, the hazard rises with the worker's identity threat: ``turnover +
    exit_rate * identity * gap``, where ``gap`` (``simulation.kernels._gap_of``) is the
    distance, weighted by the association's core facets, between what the worker now does and
    the practice it would keep at its association (its culture plus its own style), and
    ``identity`` the association's identity strength ("moi, ce déménagement, c'est perdre
    l'identité"; "cette crainte est d'autant plus forte que l'identité de la structure est
    marquée"; a "perte de sens du travail à cause d'un décalage entre les réalités pratiques du
    partage et les philosophies d'intervention", *L'importance de la « culture associative »*).

    The hire has a fresh openness and starts with no familiarity, no ties and tenure 0. With
    ``identity_exit`` on it is socialised to the *current* culture, what its new colleagues do
    now (their mean practice, plus individual variation of sd ``worker_spread``), and anchoring
    then pulls it, like its colleagues, towards the association's culture plus that individual
    variation; off, it is drawn at the association's culture. Membership never
    changes: the post stays with its association.

    Returns:
        ``(exits, hires)``: the departures beyond the baseline rate (those the threat caused)
        and all replacements.
    """
    threat = r.identity_exit and r.exit_rate > 0
    if r.turnover <= 0 and not threat:
        return 0, 0
    u = world.uniforms(rng, 1, world.n_workers)[0]  # rng.random(n_workers), the same numbers
    if threat:  # u < turnover + exit_rate * identity * gap, the gap found where it can matter
        leavers = kernels.active().leavers(
            u,
            world.practices,
            world.membership,
            world.cultures,
            world.style,
            world.facet_weight,
            r.turnover,
            rates.threat_rate(world, r.exit_rate),
            gap_bound(world.practices),
        )
    else:
        leavers = (u < r.turnover).nonzero()[0]
    if leavers.size == 0:
        return 0, 0
    exits = int(np.count_nonzero(u[leavers] >= r.turnover))
    d = world.practices.shape[1]
    assoc = world.membership[leavers]
    if r.identity_exit:  # the current culture of the leavers' associations only
        base = kernels.active().group_means_of(
            world.practices, world.assoc_order, world.assoc_ptr, assoc
        )
    else:
        base = world.cultures[assoc]
    fresh = np.clip(base + rng.normal(0.0, r.worker_spread, (leavers.size, d)), 0.0, 1.0)
    world.practices[leavers] = fresh
    # its own way is its individual variation only: anchoring then pulls it to the association's
    # culture, not to the team's drift (a hire learns the identity it joins)
    world.style[leavers] = fresh - base
    world.openness[leavers] = draw_openness(rng, r.openness, leavers.size)
    world.tenure[leavers] = 0
    ties = kernels.active().cut_ties(
        leavers,
        world.adj_ptr,
        world.adj_edge,
        world.familiarity,
        world.tie_degree,
        world.tie_ids,
        world.tie_strength,
        world.tie_ends,
    )
    world.update_ties(ties)
    return exits, int(leavers.size)


SMALL_WORLD = 4096
"""Practice values below which :func:`gap_bound` does not look for the bound (it costs more)."""


def gap_bound(practices: np.ndarray) -> float:
    """An upper bound of every worker's identity gap: 1 while practices stay in [0, 1].

    In a small world (fewer than :data:`SMALL_WORLD` practice values) the bound is infinite:
    the exit kernel then computes every worker's gap, which costs less than two reductions.
    """
    if practices.size == 0:
        return 1.0
    if practices.size < SMALL_WORLD:
        return math.inf
    return max(1.0, float(practices.max()), 1.0 - float(practices.min()))


def draw_openness(rng: np.random.Generator, mean: float, size: int) -> np.ndarray:
    """Openness of new workers: Beta distributed with the given mean and concentration 10."""
    if mean <= 0.0 or mean >= 1.0:
        return np.full(size, float(mean))
    return rng.beta(10.0 * mean, 10.0 * (1.0 - mean), size)
