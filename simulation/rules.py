"""The rules of one working week, as functions on the world's arrays.

Each rule draws what it needs in bulk from the generator it is given, then hands the arrays to a
compiled kernel of :mod:`simulation.kernels` (which applies the interactions in order). No rule
loops over agents in Python. The rules, in the order :meth:`PoolingModel.step` applies them:

1. :func:`co_presence`: encounters on shared premises (bounded confidence; builds familiarity
   and, with collaboration, starts ties).
2. :func:`collaboration`: shared cases along collaboration ties (facet-wise, reciprocal
   borrowing: the source of hybrid profiles).
3. :func:`common_work`: pooled functions socialise their members to a shared standard (March
   1991's organisational code: the route to isomorphism).
4. :func:`anchoring`: each worker is pulled back to its association's culture.
5. :func:`culture_drift`: each culture follows its workers slowly (and an external standard).
6. :func:`turnover`: leavers are replaced by hires socialised to the culture.
7. :func:`tie_decay`: unused collaboration ties weaken.

Nothing static is recomputed in a week: pair weights are looked up inside the kernels, the
members of the pooled functions are cached per level, and the kernels that start or end a tie
keep an index of the active ties (``World.tie_ids``, ``World.tie_degree``), so that no rule
scans all co-presence edges. :func:`collaboration_sweeps` runs the collaboration rule alone on a
fixed graph (the classic setting the Mesa baseline of ``benchmarks/`` is compared with).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulation import kernels
from simulation.parameters import Parameters

FAMILIARITY_HALF = 2.0
"""Encounters after which a pair is half as likely to start a tie as two old acquaintances."""
TIE_FLOOR = 0.05
"""Ties weaker than this are dropped."""
EXTERNAL_RATE = 0.02
"""Weekly pull of cultures to the external standard at ``external_pressure = 1``."""


@dataclass
class World:
    """Every array of the model's state; the agents are views on their rows.

    Worker arrays have N rows, association arrays A rows, site arrays S rows, co-presence edge
    arrays E rows.
    """

    practices: np.ndarray  # (N, D) practice of each worker, in [0, 1]
    membership: np.ndarray  # (N,) association of each worker
    openness: np.ndarray  # (N,) susceptibility to others' practices, in [0, 1]
    profession: np.ndarray  # (N,) profession code
    tenure: np.ndarray  # (N,) weeks since hire
    cultures: np.ndarray  # (A, D) association cultures
    identity: np.ndarray  # (A,) identity strength in [0, 1]
    sector: np.ndarray  # (A,) 0 = health, 1 = social
    assoc_site: np.ndarray  # (A,) site of each association
    influence: np.ndarray  # (K, K) multiplier of the pull of sector b on a receiver of sector a
    cp_edges: np.ndarray  # (E, 2) co-presence pairs (int32)
    cp_weight: np.ndarray  # (E,) space-and-hours overlap of the pair
    cp_cum: np.ndarray  # (E,) cumulative encounter rates, for sampling
    adj_ptr: np.ndarray  # (N + 1,) CSR pointers from workers to their co-presence edges
    adj_edge: np.ndarray  # (2E,) edge ids, by worker (int32)
    familiarity: np.ndarray  # (E,) encounters so far (int32)
    tie: np.ndarray  # (E,) collaboration tie strength in [0, 1]
    style: np.ndarray  # (N, D) each worker's own way: its offset from the culture it learnt
    facet_weight: np.ndarray  # (A, D) anchoring weight: 1 on core facets, less elsewhere
    cw_draw: np.ndarray  # (N,) fixed uniform: in common work when below its level
    codes: np.ndarray  # (S, D) the shared standard of each site's pooled function
    code_set: np.ndarray  # (S,) whether the site's standard exists yet
    standard: np.ndarray  # (D,) the external (funders') standard
    initial_practices: np.ndarray = field(init=False)
    initial_cultures: np.ndarray = field(init=False)
    tie_ids: np.ndarray = field(init=False)  # (T,) sorted ids of the edges with a tie
    tie_degree: np.ndarray = field(init=False)  # (N,) number of ties of each worker

    def __post_init__(self) -> None:
        self.initial_practices = self.practices.copy()
        self.initial_cultures = self.cultures.copy()
        self.worker_sector = self.sector[self.membership]
        self.worker_site = self.assoc_site[self.membership]
        self.anchor_rate = self.identity[self.membership]  # times Parameters.anchoring
        self.n_sites = int(self.assoc_site.max()) + 1 if self.assoc_site.size else 1
        self._pooled: tuple[float, np.ndarray, np.ndarray] | None = None
        self.refresh_ties()

    def refresh_ties(self) -> None:
        """Rebuild the tie index (``tie_ids``, ``tie_degree``) from ``tie``.

        The rules keep the index up to date; call this after writing to ``tie`` by hand.
        """
        self.tie_ids = np.flatnonzero(self.tie).astype(np.int64)
        ends = self.cp_edges[self.tie_ids].ravel()
        self.tie_degree = np.bincount(ends, minlength=self.n_workers).astype(np.int32)

    def pooled_members(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """Workers in common work at this level (``cw_draw < level``) and their sites.

        The draw is fixed per post, so the members only change with the level (cached).
        """
        if self._pooled is None or self._pooled[0] != level:
            members = np.flatnonzero(self.cw_draw < level)
            self._pooled = (level, members, self.worker_site[members])
        return self._pooled[1], self._pooled[2]

    @property
    def n_workers(self) -> int:
        """Number of workers (posts)."""
        return self.practices.shape[0]

    @property
    def n_associations(self) -> int:
        """Number of associations."""
        return self.cultures.shape[0]

    def pair_weights(self, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Susceptibility of each side of each pair to the other (openness x sector influence)."""
        ws, wd = self.worker_sector[src], self.worker_sector[dst]
        return (
            self.openness[src] * self.influence[ws, wd],
            self.openness[dst] * self.influence[wd, ws],
        )


def co_presence(
    world: World, level: float, collab_level: float, r: Parameters, rng: np.random.Generator
) -> int:
    """Encounters between workers of different associations sharing premises.

    The number of encounters in the week is Poisson with mean ``level * encounter_rate`` times
    the sum of the pairs' encounter rates (space and hours overlap); pairs are drawn in
    proportion to their rate. Two workers whose practices are closer than ``homophily`` engage
    (bounded confidence, Deffuant et al. 2000): a small mutual pull (``copresence_influence``),
    one more encounter of familiarity, and, as far as collaboration is organised
    (``collab_level``), a chance to start a collaboration tie that grows with familiarity.
    Workers who do not engage keep their practices: co-presence alone changes little (SF1).

    Returns:
        The number of encounters.
    """
    if level <= 0 or world.cp_cum.size == 0:
        return 0
    total = world.cp_cum[-1]
    n = int(rng.poisson(level * r.encounter_rate * total))
    if n == 0:
        return 0
    k = kernels.active()
    engaged = k.encounters(
        world.practices,
        world.cp_edges,
        world.cp_cum,
        rng.random(n),
        r.homophily,
        r.copresence_influence,
        world.openness,
        world.worker_sector,
        world.influence,
        world.familiarity,
    )
    if collab_level > 0 and engaged.size:
        world.tie_ids = k.form_ties(
            world.tie,
            world.tie_ids,
            world.tie_degree,
            world.cp_edges,
            engaged,
            world.familiarity,
            rng.random(engaged.size),
            collab_level * r.tie_formation,
            FAMILIARITY_HALF,
        )
    return n


def collaboration(world: World, level: float, r: Parameters, rng: np.random.Generator) -> int:
    """Shared cases along collaboration ties: reciprocal, facet-wise borrowing.

    Each worker who has a tie spends a share ``level`` of its time on shared cases, about
    ``level * case_rate`` cases a week, each with a partner drawn in proportion to tie strength.
    On a case the two adapt one facet on which they differ towards each other (Axelrod 1997's
    rule made continuous and reciprocal; the family planning professional who fits in
    drug-service patients without appointment borrows the walk-in facet, not the whole
    practice). A case renews the tie.

    Returns:
        The number of shared cases.
    """
    if level <= 0 or world.tie_ids.size == 0:
        return 0
    n = int(rng.poisson(level * r.case_rate * np.count_nonzero(world.tie_degree)))
    if n == 0:
        return 0
    u_pick = rng.random(n)
    u_flip = rng.random(n)
    u = rng.random((2, n))
    kernels.active().collaborate(
        world.practices,
        world.cp_edges,
        world.tie,
        world.tie_ids,
        u_pick,
        u_flip,
        u[0],
        u[1],
        r.facet_tolerance,
        r.collaboration_influence,
        r.collaboration_floor,
        world.openness,
        world.worker_sector,
        world.influence,
    )
    return n


def common_work(
    world: World,
    level: float,
    r: Parameters,
    rng: np.random.Generator,
    attendance: float = 1.0,
) -> int:
    """Pooled functions (one reception, one regulation, common hours) and their standard.

    A share ``level`` of each site's workers are assigned to the site's pooled function (the
    same workers as long as the level stays: a fixed draw per post); with ``attendance < 1``
    only that share of them turns up this week (the helpline's intervisions). The function's
    standard starts as its first members' mean practice and then learns their mean at rate
    ``code_learning``; each member, on each facet, adopts the standard with probability
    ``socialisation`` (March 1991's socialisation to the organisational code, p1 and p2).

    Returns:
        The number of workers socialised this week.
    """
    if level <= 0 or attendance <= 0:
        return 0
    members, team = world.pooled_members(level)
    if attendance < 1.0 and members.size:
        present = rng.random(members.size) < attendance
        members, team = members[present], team[present]
    if members.size == 0:
        return 0
    u = rng.random((members.size, world.practices.shape[1]))
    kernels.active().pooled_function(
        world.practices,
        members,
        team,
        world.codes,
        world.code_set,
        r.code_learning,
        u,
        r.socialisation,
        1.0,
    )
    return int(members.size)


def anchoring(world: World, r: Parameters) -> None:
    """Each worker is pulled back to its association's culture (plus its own style).

    The weekly pull is ``anchoring * identity``: the stronger the "culture associative", the
    faster a worker returns to it (SF4: marked identities resist). It is full on the
    association's *core* facets, those that make it distinct ("cette identité est au cœur de la
    mission même du service"), and weaker on the others (``World.facet_weight``): workers give
    way on peripheral facets first, which is what makes borrowing facet-wise (hybrid mosaics)
    rather than wholesale. The target is the culture plus the worker's personal offset from it,
    so that a worker left alone keeps its practice and an association its internal variety.
    """
    if r.anchoring > 0:
        kernels.active().pull_towards(
            world.practices,
            world.membership,
            world.cultures,
            world.style,
            r.anchoring * world.anchor_rate,
            world.facet_weight,
        )


def culture_drift(world: World, r: Parameters) -> None:
    """Each association's culture follows its workers' mean practice, slowly.

    The weekly rate is ``culture_drift * (1 - identity)``: a marked identity keeps its culture.
    With ``external_pressure`` > 0 every culture is also pulled towards the funders' standard
    (coercive isomorphism), at ``EXTERNAL_RATE * external_pressure`` a week.
    """
    if r.culture_drift > 0:
        means = world.cultures.copy()
        kernels.active().group_mean(world.practices, world.membership, world.n_associations, means)
        rate = (r.culture_drift * (1.0 - world.identity))[:, None]
        world.cultures += rate * (means - world.cultures)
    if r.external_pressure > 0:
        world.cultures += EXTERNAL_RATE * r.external_pressure * (world.standard - world.cultures)


def turnover(world: World, r: Parameters, rng: np.random.Generator) -> int:
    """Workers leave with probability ``turnover`` a week; each post is filled at once.

    The new hire is socialised to the association's culture (its practice is the culture plus
    individual variation of sd ``worker_spread``), has a fresh openness, and starts with no
    familiarity or ties. Membership never changes: the post stays with its association.

    Returns:
        The number of replacements.
    """
    if r.turnover <= 0:
        return 0
    leavers = np.flatnonzero(rng.random(world.n_workers) < r.turnover)
    if leavers.size == 0:
        return 0
    d = world.practices.shape[1]
    culture = world.cultures[world.membership[leavers]]
    fresh = np.clip(culture + rng.normal(0.0, r.worker_spread, (leavers.size, d)), 0.0, 1.0)
    world.practices[leavers] = fresh
    world.style[leavers] = fresh - culture
    world.openness[leavers] = draw_openness(rng, r.openness, leavers.size)
    world.tenure[leavers] = 0
    world.tie_ids = kernels.active().cut_ties(
        leavers,
        world.adj_ptr,
        world.adj_edge,
        world.cp_edges,
        world.tie,
        world.familiarity,
        world.tie_degree,
        world.tie_ids,
    )
    return int(leavers.size)


def tie_decay(world: World, r: Parameters) -> None:
    """Collaboration ties lose a share ``tie_decay`` of their strength a week; weak ones end."""
    if r.tie_decay <= 0 or world.tie_ids.size == 0:
        return
    world.tie_ids = kernels.active().decay_ties(
        world.tie, world.tie_ids, world.tie_degree, world.cp_edges, 1.0 - r.tie_decay, TIE_FLOOR
    )


def draw_openness(rng: np.random.Generator, mean: float, size: int) -> np.ndarray:
    """Openness of new workers: Beta distributed with the given mean and concentration 10."""
    if mean <= 0.0 or mean >= 1.0:
        return np.full(size, float(mean))
    return rng.beta(10.0 * mean, 10.0 * (1.0 - mean), size)


# --- the collaboration rule alone, on a fixed graph ---------------------------------------------


def sweep_pairs(
    ptr: np.ndarray, nbr: np.ndarray, sweeps: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of ``sweeps`` sweeps of random sequential activation on a graph.

    In each sweep every worker that has a neighbour is activated once, in a random order (what
    Mesa's ``shuffle_do`` does), and meets one of its neighbours chosen uniformly.

    Args:
        ptr: ``(N + 1,)`` CSR pointers: the neighbours of ``i`` are ``nbr[ptr[i]:ptr[i + 1]]``.
        nbr: neighbour lists.
        sweeps: number of sweeps.
        rng: the generator to draw from.

    Returns:
        ``(src, dst)``, each ``(sweeps * N_active,)`` int64, sweep after sweep.
    """
    degree = np.diff(ptr)
    active = np.flatnonzero(degree)
    src = rng.permuted(np.broadcast_to(active, (sweeps, active.size)), axis=1).ravel()
    dst = nbr[ptr[src] + (rng.random(src.size) * degree[src]).astype(np.int64)]
    return src, dst.astype(np.int64)


def collaboration_sweeps(
    practices: np.ndarray,
    ptr: np.ndarray,
    nbr: np.ndarray,
    sweeps: int,
    rng: np.random.Generator,
    *,
    tolerance: float,
    influence: float,
    floor: float,
    reciprocal: bool = True,
    chunk: int = 1 << 20,
) -> int:
    """The collaboration rule alone on a fixed graph, sweep after sweep (in place).

    Each sweep activates every worker once in random order (:func:`sweep_pairs`); the pairs
    are sampled in bulk and applied in order by :func:`simulation.kernels.facet_borrowing`
    with unit weights (Axelrod 1997's dyadic borrowing, continuous, reciprocal if asked). This
    is the engine's counterpart of the one-agent-at-a-time Mesa model of ``benchmarks/``.

    Args:
        practices: ``(N, D)`` float64, modified in place.
        ptr: CSR pointers of the graph.
        nbr: neighbour lists of the graph.
        sweeps: number of sweeps (steps of the Mesa model).
        rng: the generator to draw from.
        tolerance: facets closer than this count as shared.
        influence: share of the gap borrowed on one facet.
        floor: chance that two workers with nothing in common still borrow.
        reciprocal: whether the neighbour borrows back.
        chunk: largest number of pairs sampled at once (bounds the memory used).

    Returns:
        The number of interactions in which a facet moved.
    """
    n_active = max(int(np.count_nonzero(np.diff(ptr))), 1)
    per_chunk = max(1, chunk // n_active)
    moved = 0
    kernel = kernels.active().facet_borrowing
    for start in range(0, sweeps, per_chunk):
        src, dst = sweep_pairs(ptr, nbr, min(per_chunk, sweeps - start), rng)
        u = rng.random((2, src.size))
        ones = np.ones(src.size)
        done = np.empty(src.size, dtype=np.bool_)
        kernel(
            practices,
            src,
            dst,
            u[0],
            u[1],
            tolerance,
            influence,
            floor,
            reciprocal,
            ones,
            ones,
            done,
        )
        moved += int(np.count_nonzero(done))
    return moved


def csr(edges: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Neighbour lists of an undirected graph given as ``(E, 2)`` pairs: ``(ptr, nbr)``."""
    ends = np.concatenate([edges, edges[:, ::-1]])
    order = np.lexsort((ends[:, 1], ends[:, 0]))
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(ends[:, 0], minlength=n), out=ptr[1:])
    return ptr, ends[order, 1].astype(np.int64)
