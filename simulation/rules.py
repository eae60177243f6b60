"""The rules of one working week, as functions on the world's arrays.

Each rule draws what it needs in bulk from the generator it is given, then hands the arrays to a
compiled kernel of :mod:`simulation.kernels` (which applies the interactions in order). No rule
loops over agents in Python. The rules, in the order :meth:`PoolingModel.step` applies them:

1. :func:`co_presence`: encounters on shared premises (acquaintance: familiarity and, with
   collaboration, ties; no pull on practices unless ``copresence_influence`` > 0).
2. :func:`serve_publics`: beneficiaries are seen at a reception, referred along ties, and the
   workers who see a public they are not used to adapt to it facet by facet (SF2).
3. :func:`collaboration`: shared cases along collaboration ties (facet-wise, reciprocal
   borrowing; harder on the facets another profession owns).
4. :func:`common_work`: pooled functions socialise their members to a shared standard (March
   1991's organisational code: the route to isomorphism); newcomers learn faster.
5. :func:`shared_tools`: the tools a pooled function wrote outlive it and decay unused.
6. :func:`premises`: the building's norm pulls the workers who lost their own rooms.
7. :func:`anchoring`: each worker is pulled back to its association's culture.
8. :func:`culture_drift`: each culture follows its workers slowly (and an external standard).
9. :func:`turnover`: leavers (more of them under identity threat) are replaced by hires
   socialised to the current culture.
10. :func:`tie_decay`: unused collaboration ties weaken.

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
NEWCOMER_WEEKS = 26.0
"""Weeks over which a new hire's extra learning falls by a factor e (about six months)."""


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
    sector_facet: np.ndarray | None = None  # (D,) 1 where sector influence acts (health facets)
    owned: np.ndarray | None = None  # (P, D) bool, facets each profession owns
    need: np.ndarray | None = None  # (B, D) needs of the beneficiaries
    need_public: np.ndarray | None = None  # (B,) association whose public each belongs to
    norm: np.ndarray | None = None  # (S, D) the practice each site's building is designed for
    norm_mask: np.ndarray | None = None  # (S, D) 1 on the facets the building constrains
    room_lost: np.ndarray | None = None  # (A,) share of its own rooms each association lost
    reception_shared: np.ndarray | None = None  # (S,) 1 where the site has one reception
    tool_mask: np.ndarray | None = None  # (D,) bool, facets the shared tools cover
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
        n, d = self.practices.shape
        n_sites = self.n_sites
        if self.sector_facet is None:
            self.sector_facet = np.ones(d)
        if self.owned is None:
            self.owned = np.zeros((int(self.profession.max(initial=0)) + 1, d), dtype=np.bool_)
        if self.need is None:
            self.need = np.zeros((0, d))
            self.need_public = np.zeros(0, dtype=np.int64)
        if self.norm is None:
            self.norm = np.zeros((n_sites, d))
            self.norm_mask = np.zeros((n_sites, d))
        if self.room_lost is None:
            self.room_lost = np.zeros(self.cultures.shape[0])
        if self.reception_shared is None:
            self.reception_shared = np.zeros(n_sites)
        if self.tool_mask is None:
            self.tool_mask = np.zeros(d, dtype=np.bool_)
        self.zeros = np.zeros((n, d))  # a worker's offset from a building's or tool's norm
        self.tools = np.zeros((n_sites, d))  # the durable shared tools of each site
        self.tool_strength = np.zeros(n_sites)  # 1 when written, decays as they go unused
        self.gap = np.zeros(n)  # identity threat of each worker (see :func:`exit_and_hire`)
        # workers by association and by site (CSR), to route visits
        self.assoc_order, self.assoc_ptr = _groups(self.membership, self.cultures.shape[0])
        self.site_order, self.site_ptr = _groups(self.worker_site, n_sites)
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


def _groups(labels: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Members of each group, grouped (``order``) and the group bounds (``ptr``)."""
    order = np.argsort(labels, kind="stable")
    ptr = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(np.bincount(labels, minlength=n_groups), out=ptr[1:])
    return order, ptr


def keep_owned(r: Parameters) -> float:
    """Share of borrowing or adaptation left on a facet a worker's profession owns."""
    return 1.0 - r.profession_barrier if r.profession_ownership else 1.0


def learning(world: World, r: Parameters) -> np.ndarray:
    """Learning multiplier of each worker: newcomers learn faster (``newcomer_learning``).

    ``1 + newcomer_learning * exp(-tenure / NEWCOMER_WEEKS)``: a hire learns ``1 +
    newcomer_learning`` times as fast as an old hand, half that extra after about four months.
    """
    if r.newcomer_learning <= 0:
        return np.ones(world.n_workers)
    return 1.0 + r.newcomer_learning * np.exp(-world.tenure / NEWCOMER_WEEKS)


def co_presence(
    world: World, level: float, collab_level: float, r: Parameters, rng: np.random.Generator
) -> int:
    """Encounters between workers of different associations sharing premises.

    The number of encounters in the week is Poisson with mean ``level * encounter_rate`` times
    the sum of the pairs' encounter rates (space and hours overlap); pairs are drawn in
    proportion to their rate. Two workers whose practices are closer than ``homophily`` engage
    (bounded confidence, Deffuant et al. 2000): one more encounter of familiarity and, as far
    as collaboration is organised (``collab_level``), a chance to start a collaboration tie that
    grows with familiarity. Co-presence is acquaintance: workers side by side "se côtoient, mais
    ne coopèrent pas" (*Vers une hybridation ...*, SF1), so by default it moves no practice;
    a direct pull (``copresence_influence``) is a parameter that defaults to 0.

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
        world.sector_facet,
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
    practice). Sector influence acts on the facets of health expertise only, and a facet a
    worker's profession owns is borrowed from another profession at ``1 - profession_barrier``
    of the rate (SF9). A case renews the tie.

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
        world.sector_facet,
        world.profession,
        world.owned,
        keep_owned(r),
    )
    return n


def common_work(
    world: World,
    level: float,
    r: Parameters,
    rng: np.random.Generator,
    attendance: float | np.ndarray = 1.0,
) -> int:
    """Pooled functions (one reception, one regulation, common hours) and their standard.

    A share ``level`` of each site's workers are assigned to the site's pooled function (the
    same workers as long as the level stays: a fixed draw per post); with ``attendance < 1``
    only that share of them turns up this week (the helpline's intervisions). The function's
    standard starts as its first members' mean practice and then learns their mean at rate
    ``code_learning``; each member, on each facet, adopts the standard with probability
    ``socialisation`` (March 1991's socialisation to the organisational code, p1 and p2), times
    its learning multiplier (:func:`learning`: newcomers learn faster). ``attendance`` is a share,
    or each worker's chance of attending (``(N,)``, see :func:`intervision_attendance`).

    Returns:
        The number of workers socialised this week.
    """
    if level <= 0 or np.all(np.asarray(attendance) <= 0):
        return 0
    members, team = world.pooled_members(level)
    if np.ndim(attendance) or attendance < 1.0:
        chance = attendance[members] if np.ndim(attendance) else attendance
        present = rng.random(members.size) < chance
        members, team = members[present], team[present]
    if members.size == 0:
        return 0
    u = rng.random((members.size, world.practices.shape[1]))
    if r.newcomer_learning > 0:
        u /= learning(world, r)[members, None]  # u < p * learn
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


def turnover(world: World, r: Parameters, rng: np.random.Generator) -> tuple[int, int]:
    """Workers leave, and each post is filled at once; with ``identity_exit``, threat drives exits.

    Every worker leaves with probability ``turnover`` a week (opportunities, retirements). With
    ``identity_exit`` on, the hazard rises with the worker's identity threat: ``turnover +
    exit_rate * identity * gap``, where ``gap`` (:func:`simulation.kernels.core_gap`) is the
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
    u = rng.random(world.n_workers)
    if threat:
        kernels.active().core_gap(
            world.practices,
            world.membership,
            world.cultures,
            world.style,
            world.facet_weight,
            world.gap,
        )
        hazard = r.turnover + r.exit_rate * world.anchor_rate * world.gap
        leavers = np.flatnonzero(u < hazard)
    else:
        leavers = np.flatnonzero(u < r.turnover)
    if leavers.size == 0:
        return 0, 0
    exits = int(np.count_nonzero(u[leavers] >= r.turnover))
    d = world.practices.shape[1]
    assoc = world.membership[leavers]
    culture = world.cultures[assoc]
    if r.identity_exit:
        current = world.cultures.copy()
        kernels.active().group_mean(world.practices, world.membership, len(current), current)
        base = current[assoc]
    else:
        base = culture
    fresh = np.clip(base + rng.normal(0.0, r.worker_spread, (leavers.size, d)), 0.0, 1.0)
    world.practices[leavers] = fresh
    # its own way is its individual variation only: anchoring then pulls it to the association's
    # culture, not to the team's drift (a hire learns the identity it joins)
    world.style[leavers] = fresh - base
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
    return exits, int(leavers.size)


def serve_publics(
    world: World,
    co_level: float,
    collab_level: float,
    common_level: float,
    r: Parameters,
    rng: np.random.Generator,
) -> tuple[int, int]:
    """Beneficiaries come each week and are seen; a worker adapts to a public it is not used to.

    About ``visit_rate`` visits per worker a week (Poisson), each by a beneficiary drawn at
    random. The beneficiary is seen at its own association's reception by one of its workers,
    or, where the site's reception is shared, by any worker of the site: with probability
    ``1 - (1 - co_presence * reception_shared) * (1 - common_work)`` (one reception in the
    building, or a pooled reception function). A worker of its own association whose practice
    does not fit its need (a gap above ``access_tolerance`` on some facet) refers it along a
    collaboration tie with probability ``collaboration * referral_rate`` ("vous nous passez un
    petit coup de fil et on intercale d'office"). A worker who sees another association's
    beneficiary adapts one facet towards the need, chosen in proportion to the gap among the
    facets where the need lies outside its practice (:func:`simulation.kernels.serve_publics`):
    the family-planning professional who becomes "un peu plus bas seuil" for the drug service's
    patients who miss appointments (*Vers une hybridation ...*: "la mise en présence de
    professionnels avec des publics qu'ils n'ont pas l'habitude d'accueillir, incite ces
    derniers à adapter leurs pratiques", SF2). No worker copies another: the route to mixed
    practices is the public.

    Returns:
        ``(visits, adapted)``: the visits of the week and the adaptations they caused.
    """
    if not r.serving_publics or r.visit_rate <= 0 or world.need.shape[0] == 0:
        return 0, 0
    n = int(rng.poisson(r.visit_rate * world.n_workers))
    if n == 0:
        return 0, 0
    ben = rng.integers(0, world.need.shape[0], n)
    home = world.need_public[ben]
    size = world.assoc_ptr[home + 1] - world.assoc_ptr[home]
    u = rng.random((6, n))
    worker = world.assoc_order[world.assoc_ptr[home] + (u[0] * size).astype(np.int64)]
    p_shared = 1.0 - (1.0 - co_level * world.reception_shared) * (1.0 - common_level)
    site = world.assoc_site[home]
    at_shared = u[1] < p_shared[site]
    if np.any(at_shared):
        s = site[at_shared]
        span = world.site_ptr[s + 1] - world.site_ptr[s]
        worker[at_shared] = world.site_order[
            world.site_ptr[s] + (u[2][at_shared] * span).astype(np.int64)
        ]
    _, adapted = kernels.active().serve_publics(
        world.practices,
        world.need,
        world.need_public,
        world.membership,
        ben,
        worker,
        u[3],
        u[4],
        u[5],
        collab_level * r.referral_rate,
        r.access_tolerance,
        r.facet_tolerance,
        r.service_adaptation,
        world.adj_ptr,
        world.adj_edge,
        world.cp_edges,
        world.tie,
        world.tie_degree,
        world.openness,
        learning(world, r),
        world.profession,
        world.owned,
        keep_owned(r),
    )
    return n, int(adapted)


def premises(world: World, co_level: float, r: Parameters) -> None:
    """The building's norm pulls the workers who lost their own rooms (SF8).

    A site's building is designed for one practice on the facets its layout constrains (access,
    reception, approach: ``Setting.premises_norm``). Each week a worker closes a share
    ``premises_pull * room_lost * co_presence`` of its gap to that norm on those facets, where
    ``room_lost`` is the share of its association's own rooms lost on the site (set by the
    layout: in the CSSI as built, the drug service lost its community room; in the shared layout
    every association did) and ``co_presence`` the share of time spent on the shared premises.
    "Ça aurait pu être un hôpital. Dans la configuration, dans les couleurs, dans l'agencement,
    c'est pensé institution de soin"; "l'organisation communautaire du service est plus difficile
    à mettre en œuvre à cause de l'agencement des nouveaux locaux" (*Partager des locaux*).
    """
    if not r.premises_norms or r.premises_pull <= 0 or co_level <= 0:
        return
    rate = r.premises_pull * co_level * world.room_lost[world.membership]
    if not np.any(rate > 0):
        return
    kernels.active().pull_towards(
        world.practices, world.worker_site, world.norm, world.zeros, rate, world.norm_mask
    )


def tool_gap(world: World) -> np.ndarray:
    """Each worker's mean gap to its site's shared tools on the facets they cover, ``(N,)``."""
    mask = world.tool_mask
    if not mask.any():
        return np.zeros(world.n_workers)
    diff = world.practices[:, mask] - world.tools[world.worker_site][:, mask]
    return np.abs(diff).mean(axis=1)


def shared_tools(world: World, common_level: float, r: Parameters) -> None:
    """Durable shared tools: written in common work, used after it, decaying only when unused.

    While a site has common work, its pooled function writes its standard on the tool facets
    (``Setting.tool_facets``) into the site's shared tools, at full strength: the helpline's
    "balises de travail pour répondants, lexique pour l'encodage des appels, répertoire de
    services" (*Vers une hybridation ...*, SF7). The tools outlive the common work: each week
    every worker of the site closes ``tool_use * strength`` of its gap to them on those facets.
    The strength falls by ``tool_decay`` times the share of the site's workers who no longer use
    them (whose practice lies farther than ``access_tolerance`` from them on those facets): tools
    decay only as far as they go unused.
    """
    if not r.shared_tools or not world.tool_mask.any():
        return
    mask = world.tool_mask
    if common_level > 0:
        written = world.code_set
        world.tools[np.ix_(written, mask)] = world.codes[np.ix_(written, mask)]
        world.tool_strength[written] = 1.0
    if not np.any(world.tool_strength > 0):
        return
    if r.tool_use > 0:
        rate = r.tool_use * world.tool_strength[world.worker_site]
        weight = np.broadcast_to(mask.astype(float), world.tools.shape)
        kernels.active().pull_towards(
            world.practices, world.worker_site, world.tools, world.zeros, rate, weight
        )
    unused = tool_gap(world) > r.access_tolerance
    n_site = np.diff(world.site_ptr)
    share = np.bincount(world.worker_site, unused, minlength=world.n_sites) / np.maximum(n_site, 1)
    world.tool_strength *= 1.0 - r.tool_decay * share


def intervision_attendance(world: World, r: Parameters) -> np.ndarray:
    """Each worker's chance of attending a peer meeting: its sense of meaning in the role.

    ``1 - meaning_sensitivity * gap``, clipped to [0, 1], where ``gap`` is the worker's distance
    to the shared tools that define the respondent role (:func:`tool_gap`): as the role drifts
    from the worker's own practice it makes less sense to it, and it stops coming ("la fonction
    de répondant [...] s'écarte en partie des spécificités du métier d'assistant social [...] il
    ne contribue pas suffisamment à renforcer le sens accordé à leur travail"; "ces réunions ne
    sont pas toujours fréquentées", SF7).
    """
    return np.clip(1.0 - r.meaning_sensitivity * tool_gap(world), 0.0, 1.0)


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
