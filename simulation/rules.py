"""The rules of one working week, as functions on the world's arrays.

Each rule draws what it needs in bulk from the generator it is given, then hands the arrays to a
compiled kernel of :mod:`simulation.kernels` (which applies the interactions in order). No rule
loops over agents in Python. Each week :func:`levels_in_force` gives the pooling levels of the
setting's phase; then the rules, in the order :meth:`PoolingModel.step` applies them:

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

The state is a :class:`simulation.world.World`. Rules 5 and 6 live in :mod:`simulation.place`
and rule 9 in :mod:`simulation.workforce` (all importable from here);
:mod:`simulation.sweeps` runs the collaboration rule alone on a fixed graph.
"""

from __future__ import annotations

import numpy as np

from simulation import kernels, rates
from simulation.parameters import Parameters
from simulation.place import intervision_attendance, premises, shared_tools, tool_gap
from simulation.scenarios import Phase
from simulation.sweeps import collaboration_sweeps, sweep_pairs
from simulation.workforce import NEWCOMER_WEEKS, draw_openness, learning, turnover
from simulation.world import World, csr

FAMILIARITY_HALF = 2.0
"""Encounters after which a pair is half as likely to start a tie as two old acquaintances."""
TIE_FLOOR = 0.05
"""Ties weaker than this are dropped."""
EXTERNAL_RATE = 0.02
"""Weekly pull of cultures to the external standard at ``external_pressure = 1``."""


def keep_owned(r: Parameters) -> float:
    """Share of borrowing or adaptation left on a facet a worker's profession owns."""
    return 1.0 - r.profession_barrier if r.profession_ownership else 1.0


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
    if level <= 0 or world.cp_prob.size == 0:
        return 0
    total = world.cp_total
    n = int(rng.poisson(level * r.encounter_rate * total))
    if n == 0:
        return 0
    k = kernels.active()
    engaged = k.encounters_on_table(
        world.practices,
        world.encounter_table(),
        world.uniforms(rng, 1, n)[0],  # rng.random(n), the same numbers
        r.homophily,
        r.copresence_influence,
        world.openness,
        world.worker_sector,
        world.influence,
        world.familiarity,
        world.sector_facet,
    )
    if collab_level > 0 and engaged.size:
        ties = k.form_ties(
            world.tie_ids,
            world.tie_strength,
            world.tie_ends,
            world.tie_degree,
            world.cp_edges,
            engaged,
            world.familiarity,
            world.uniforms(rng, 1, engaged.size)[0],
            collab_level * r.tie_formation,
            FAMILIARITY_HALF,
        )
        world.update_ties(ties)
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
    u = world.uniforms(rng, 4, n)  # the tie picked, the direction, the facet's two draws
    moved = kernels.active().collaborate(
        world.practices,
        world.tie_strength,
        world.tie_ends,
        u[0],
        u[1],
        u[2],
        u[3],
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
    if moved:
        world.update_ties()  # the cases renewed their ties
    return n


def common_work(
    world: World,
    level: float,
    r: Parameters,
    rng: np.random.Generator,
    attendance: float | np.ndarray = 1.0,
) -> tuple[int, int]:
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
        ``(socialised, called)``: the workers socialised this week, and the workers called to
        the pooled function (at a peer meeting, those expected; socialised / called is the
        meeting's attendance).
    """
    if level <= 0:
        return 0, 0
    members, team = world.pooled_members(level)
    called = int(members.size)
    if np.all(np.asarray(attendance) <= 0):
        return 0, called
    if np.ndim(attendance) or attendance < 1.0:
        chance = attendance[members] if np.ndim(attendance) else attendance
        present = rng.random(members.size) < chance
        members, team = members[present], team[present]
    if members.size == 0:
        return 0, called
    u = world.uniforms(rng, members.size, world.practices.shape[1])
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
    return int(members.size), called


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
            rates.anchor_rate(world, r.anchoring),
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
        rate = rates.drift_rate(world, r.culture_drift)
        world.cultures += rate * (means - world.cultures)
    if r.external_pressure > 0:
        world.cultures += EXTERNAL_RATE * r.external_pressure * (world.standard - world.cultures)


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
    u = world.uniforms(rng, 6, n)
    p_shared = rates.shared_reception(world, co_level, common_level)
    p_refer = collab_level * r.referral_rate
    k = kernels.active()
    seen, worker, home = k.route_visits(
        ben,
        world.need_public,
        world.assoc_ptr,
        world.assoc_order,
        world.assoc_site,
        world.site_ptr,
        world.site_order,
        p_shared,
        p_refer,
        u,
    )
    referred, adapted = k.serve_publics(
        world.practices,
        world.need,
        world.membership,
        ben,
        seen,
        worker,
        home,
        u[3],
        u[4],
        u[5],
        p_refer,
        r.access_tolerance,
        r.facet_tolerance,
        r.service_adaptation,
        world.tie_strength,
        world.tie_ends,
        world.tie_degree,
        world.openness,
        learning(world, r),
        world.profession,
        world.owned,
        keep_owned(r),
        world.rows(kernels.ROW_WIDTH),
    )
    if referred:
        world.update_ties()  # the referrals renewed their ties
    return n, int(adapted)


def levels_in_force(r: Parameters, phase: Phase, week: int) -> tuple[float, float, float, float]:
    """Pooling levels in force this week, and the attendance of common work.

    Each level is the phase's if it sets one, else the parameter's override, else the
    level :func:`simulation.scenarios.pooling_levels` gives ``pooling_intensity``. In a
    phase of peer meetings, common work is full on a meeting's week (with the share
    attending) and nil between meetings.
    """
    base = rates.ladder(r.pooling_intensity)
    own = (r.co_presence, r.collaboration, r.common_work)
    from_phase = (phase.co_presence, phase.collaboration, phase.common_work)
    levels = [
        p if p is not None else (o if o is not None else b)
        for p, o, b in zip(from_phase, own, base, strict=True)
    ]
    attendance = 1.0
    if phase.meetings:
        every = r.intervision_every if phase.meeting_every is None else phase.meeting_every
        share = r.intervision_attendance if phase.attendance is None else phase.attendance
        meeting = every > 0 and (week - phase.start) % every == every - 1
        levels[2], attendance = (1.0, share) if meeting else (0.0, 1.0)
    return levels[0], levels[1], levels[2], attendance


def tie_decay(world: World, r: Parameters) -> None:
    """Collaboration ties lose a share ``tie_decay`` of their strength a week; weak ones end."""
    if r.tie_decay <= 0 or world.tie_ids.size == 0:
        return
    ties = kernels.active().decay_ties(
        world.tie_ids,
        world.tie_strength,
        world.tie_ends,
        world.tie_degree,
        1.0 - r.tie_decay,
        TIE_FLOOR,
    )
    world.update_ties(ties)


__all__ = [
    "EXTERNAL_RATE",
    "FAMILIARITY_HALF",
    "NEWCOMER_WEEKS",
    "TIE_FLOOR",
    "World",
    "anchoring",
    "co_presence",
    "collaboration",
    "collaboration_sweeps",
    "common_work",
    "csr",
    "culture_drift",
    "draw_openness",
    "intervision_attendance",
    "keep_owned",
    "learning",
    "levels_in_force",
    "premises",
    "serve_publics",
    "shared_tools",
    "sweep_pairs",
    "tie_decay",
    "tool_gap",
    "turnover",
]
