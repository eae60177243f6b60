"""The pooling model: associations pool premises and workers; practices persist, mix or converge.

One step is one working week. ``step()`` applies the rules of :mod:`simulation.rules` in order:
co-presence, collaboration, common work, anchoring, culture drift, turnover, tie decay; then the
DataCollector records the measures of :mod:`simulation.metrics`.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from numbers import Integral
from typing import Any

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import Network

from simulation import kernels, metrics
from simulation.agents import Association, Worker
from simulation.cases import BUILTIN_CASES, Case, load_case
from simulation.network import Layers, build_layers, layout_positions, to_networkx
from simulation.parameters import PARAMETERS, Parameters
from simulation.rules import (
    World,
    anchoring,
    co_presence,
    collaboration,
    common_work,
    culture_drift,
    draw_openness,
    premises,
    serve_publics,
    shared_tools,
    tie_decay,
    turnover,
)
from simulation.rules import intervision_attendance as attendance_by_meaning
from simulation.scenarios import (
    FACETS,
    HEALTH_FACETS,
    PROFESSION_FACETS,
    PROFESSIONS,
    PROTOTYPES,
    SECTORS,
    AssociationSpec,
    Phase,
    Setting,
    build_setting,
    pooling_levels,
)

SPACE_LIMIT = 5_000
"""Largest number of workers for which Mesa's ``Network`` space (a Python cell per worker and
per tie) is built; larger landscapes run on the arrays alone and ``model.grid`` is ``None``."""

BENEFICIARY_SPREAD = 0.03
"""sd of a beneficiary's needs around its public's profile."""


class PoolingModel(mesa.Model):
    """Workers of several associations pooled on shared sites; one step is one working week.

    Structural set-ups are named scenarios (``cssi``, ``helpline``, ``landscape``); every other
    argument is a scalar knob, validated at construction (a ``ValueError`` names the parameter,
    the value and the allowed range; see :data:`simulation.parameters.PARAMETERS`).

    Args:
        scenario: ``"cssi"`` (four associations, one building), ``"helpline"`` (twelve social
            services, centralised then decentralised) or ``"landscape"`` (many pooled sites).
            The two cases are read from their files (``simulation/cases/*.toml``).
        case: a case file (a path, a built-in case name or a loaded
            :class:`simulation.cases.Case`) giving the associations, sites and schedule in
            place of ``scenario`` (see ``docs/cases.md``); ``None`` follows ``scenario``.
        n_workers: number of workers of a landscape (ignored by the two cases).
        n_facets: facets of a practice; the first six are named after the article (``FACETS``).
        layout: ``"separate"`` (premises as observed in the CSSI: own reception desks, reserved
            rooms) or ``"shared"`` (one waiting room, one reception, free rooms, common hours).
        associations_per_site: associations pooled on each site of a landscape.
        sector_mix: share of health associations in a landscape.
        pooling_intensity: the single knob, 0 to 1, that climbs co-presence -> collaboration
            -> common work (see :func:`simulation.scenarios.pooling_levels`).
        co_presence: overrides the co-presence level (share of time on shared premises).
        collaboration: overrides the collaboration level (share of time on shared cases).
        common_work: overrides the common-work level (share of workers in pooled functions).
        identity_strength: attachment to the association's culture, scaled per association.
        openness: mean susceptibility of workers to other practices.
        encounter_rate: encounters with other associations' workers per worker and week at
            full co-presence on fully shared premises.
        homophily: practice distance (mean absolute gap) under which an encounter engages.
        copresence_influence: share of the gap two engaged workers close on an encounter.
        tie_formation: chance that an engaged encounter between old acquaintances starts a
            collaboration tie at full collaboration.
        tie_decay: share of a tie's strength lost per week without a shared case.
        case_rate: shared cases per collaborating worker per week at full collaboration.
        collaboration_influence: share of the gap on one facet borrowed on a shared case.
        facet_tolerance: facets closer than this count as already shared.
        collaboration_floor: chance that two workers with nothing in common still borrow.
        socialisation: chance per facet and week that a member of a pooled function adopts
            its standard (March 1991's p1).
        code_learning: weekly rate at which a standard learns its members' mean (March's p2).
        anchoring: weekly pull of a worker back to its culture at identity strength 1.
        core_facets: facets on which each association's culture is most distinct (its core);
            anchoring is full there.
        periphery_anchoring: anchoring on the other facets, relative to the core.
        culture_drift: weekly pull of a culture to its workers at identity strength 0.
        turnover: chance a worker leaves in a week (replaced at once).
        asymmetry: extra pull of health practices on social workers and less of social on
            health ("sanitarisation du social"); 0 = symmetric (off).
        external_pressure: pull of every culture to one external standard (coercive
            isomorphism from funders); 0 = off.
        decentralise_at: week the helpline's shifts go back to the services.
        intervision_every: weeks between the helpline's peer meetings (0 = none).
        intervision_attendance: share of respondents attending a peer meeting.
        worker_spread: sd of workers' initial practices around their association's culture.
        culture_spread: sd of association cultures around their prototype.
        multi_need_share: share of beneficiaries whose needs mix two publics of their site.
        access_tolerance: largest gap on any facet at which a practice fits a need.
        serving_publics: beneficiaries visit each week; workers who see another association's
            public adapt to it facet by facet (the study's route to hybridisation).
        visit_rate: beneficiaries seen per worker per week.
        referral_rate: chance, at full collaboration, that a beneficiary whose need does not
            fit its own worker is referred along a collaboration tie.
        service_adaptation: share of the gap on one facet a worker closes per visit of
            another public, at openness 1.
        premises_norms: a building's layout carries a norm on the facets it constrains.
        premises_pull: weekly pull towards the building's norm of a worker whose association
            lost all its own rooms, at full co-presence.
        identity_exit: workers leave under identity threat; hires learn the current culture.
        exit_rate: extra weekly exit hazard per unit of identity threat (distance from the
            association's core, times identity strength).
        profession_ownership: professions own facets (medical framing, psychosocial
            reception, orientation) and borrow them from other professions less readily.
        profession_barrier: share of borrowing lost on an owned facet across professions.
        newcomer_learning: extra learning rate of a new hire (decays over about six months).
        shared_tools: the helpline's pooled function writes durable tools; intervision
            attendance follows the sense of meaning (else a fixed ``intervision_attendance``).
        tool_use: weekly pull of the shared tools on the facets they cover, at full strength.
        tool_decay: weekly loss of the tools' strength when no worker uses them.
        meaning_sensitivity: attendance lost per unit of gap between the respondent role's
            tools and the worker's practice.
        collect_agents: also record each worker's practice (memory-hungry).
        record_every: the DataCollector records every ``record_every`` weeks (and week 0).
        rng: seed (an int, a ``numpy.random.SeedSequence`` or ``Generator``); one seed drives
            every draw, the network included.
    """

    def __init__(
        self,
        *,
        scenario: str = "cssi",
        case: str | Case | None = None,
        n_workers: int = 1000,
        n_facets: int = 6,
        layout: str = "separate",
        associations_per_site: int = 4,
        sector_mix: float = 0.5,
        pooling_intensity: float = 0.4,
        co_presence: float | None = None,
        collaboration: float | None = None,
        common_work: float | None = None,
        identity_strength: float = 0.5,
        openness: float = 0.5,
        encounter_rate: float = 10.0,
        homophily: float = 0.4,
        copresence_influence: float = 0.0,
        tie_formation: float = 0.3,
        tie_decay: float = 0.05,
        case_rate: float = 1.0,
        collaboration_influence: float = 0.3,
        facet_tolerance: float = 0.05,
        collaboration_floor: float = 0.2,
        socialisation: float = 0.1,
        code_learning: float = 0.1,
        anchoring: float = 0.1,
        core_facets: int = 2,
        periphery_anchoring: float = 0.2,
        culture_drift: float = 0.003,
        turnover: float = 0.002,
        asymmetry: float = 0.0,
        external_pressure: float = 0.0,
        decentralise_at: int = 26,
        intervision_every: int = 4,
        intervision_attendance: float = 0.3,
        worker_spread: float = 0.05,
        culture_spread: float = 0.05,
        multi_need_share: float = 0.3,
        access_tolerance: float = 0.2,
        serving_publics: bool = True,
        visit_rate: float = 2.0,
        referral_rate: float = 0.5,
        service_adaptation: float = 0.05,
        premises_norms: bool = True,
        premises_pull: float = 0.01,
        identity_exit: bool = True,
        exit_rate: float = 0.05,
        profession_ownership: bool = True,
        profession_barrier: float = 0.8,
        newcomer_learning: float = 1.0,
        shared_tools: bool = True,
        tool_use: float = 0.05,
        tool_decay: float = 0.05,
        meaning_sensitivity: float = 4.0,
        collect_agents: bool = False,
        record_every: int = 1,
        rng: Any = None,
    ) -> None:
        """Validate the parameters, then build the world, its agents and the DataCollector.

        Why one function: the keyword signature is the schema Mesa's ``SolaraViz`` and
        ``batch_run`` read, and each keyword is handed on to :class:`Parameters` by name, one
        line each, so that a parameter can be followed from the signature to the rules.
        """
        self.params = Parameters(
            scenario=scenario,
            case=case,
            n_workers=n_workers,
            n_facets=n_facets,
            layout=layout,
            associations_per_site=associations_per_site,
            sector_mix=sector_mix,
            pooling_intensity=pooling_intensity,
            co_presence=co_presence,
            collaboration=collaboration,
            common_work=common_work,
            identity_strength=identity_strength,
            openness=openness,
            encounter_rate=encounter_rate,
            homophily=homophily,
            copresence_influence=copresence_influence,
            tie_formation=tie_formation,
            tie_decay=tie_decay,
            case_rate=case_rate,
            collaboration_influence=collaboration_influence,
            facet_tolerance=facet_tolerance,
            collaboration_floor=collaboration_floor,
            socialisation=socialisation,
            code_learning=code_learning,
            anchoring=anchoring,
            core_facets=core_facets,
            periphery_anchoring=periphery_anchoring,
            culture_drift=culture_drift,
            turnover=turnover,
            asymmetry=asymmetry,
            external_pressure=external_pressure,
            decentralise_at=decentralise_at,
            intervision_every=intervision_every,
            intervision_attendance=intervision_attendance,
            worker_spread=worker_spread,
            culture_spread=culture_spread,
            multi_need_share=multi_need_share,
            access_tolerance=access_tolerance,
            serving_publics=serving_publics,
            visit_rate=visit_rate,
            referral_rate=referral_rate,
            service_adaptation=service_adaptation,
            premises_norms=premises_norms,
            premises_pull=premises_pull,
            identity_exit=identity_exit,
            exit_rate=exit_rate,
            profession_ownership=profession_ownership,
            profession_barrier=profession_barrier,
            newcomer_learning=newcomer_learning,
            shared_tools=shared_tools,
            tool_use=tool_use,
            tool_decay=tool_decay,
            meaning_sensitivity=meaning_sensitivity,
            collect_agents=collect_agents,
            record_every=record_every,
        )
        super().__init__(rng=_check_seed(rng))
        p = self.params
        source = p.case
        if source is None and p.scenario in BUILTIN_CASES:
            source = p.scenario
        self.case: Case | None = None if source is None else load_case(source)
        self.setting: Setting = (
            self.case.setting({name: getattr(p, name) for name in PARAMETERS}, self.rng)
            if self.case is not None
            else build_setting(
                p.scenario,
                n_workers=p.n_workers,
                layout=p.layout,
                sector_mix=p.sector_mix,
                associations_per_site=p.associations_per_site,
                decentralise_at=p.decentralise_at,
                rng=self.rng,
            )
        )
        self.facets: tuple[str, ...] = facet_names(p.n_facets)
        self.world, self.layers = self._build_world()
        self._draw_beneficiaries()
        self.world.need, self.world.need_public = self.need, self.need_public
        self.world.tenure[:] = self._draw_tenure()
        self.associations = [
            Association(self, a, spec) for a, spec in enumerate(self.setting.associations)
        ]
        self.workers = [Worker(self, row) for row in range(self.world.n_workers)]
        self.positions = layout_positions(self.world.membership, self.world.assoc_site)
        self.grid = self._build_space() if self.world.n_workers <= SPACE_LIMIT else None
        self.counts = dict.fromkeys(COUNTERS, 0)
        self.phase: Phase = self.setting.phase_at(0)
        self.levels = self._levels(self.phase, week=0)[:3]
        self._measures: tuple[int, dict[str, Any]] | None = None
        self.datacollector = mesa.DataCollector(
            model_reporters=_model_reporters(),
            agenttype_reporters=(
                {Worker: {"practice": lambda w: tuple(w.practice)}} if p.collect_agents else None
            ),
        )
        self.datacollector.collect(self)

    # --- construction -------------------------------------------------------------------------

    def _build_world(self) -> tuple[World, Layers]:
        rng, specs, p = self.rng, self.setting.associations, self.params
        d = p.n_facets
        prototypes = extend_prototypes(d, rng)
        cultures = np.array([_culture(s, prototypes[s.kind]) for s in specs])
        cultures = np.clip(cultures + rng.normal(0.0, p.culture_spread, cultures.shape), 0, 1)
        sizes = np.array([s.size for s in specs])
        membership = np.repeat(np.arange(len(specs)), sizes)
        practices = cultures[membership] + rng.normal(0.0, p.worker_spread, (sizes.sum(), d))
        profession = np.concatenate(
            [
                rng.choice(
                    [PROFESSIONS.index(p) for p in s.professions],
                    size=s.size,
                    p=np.array(list(s.professions.values())) / sum(s.professions.values()),
                )
                for s in specs
            ]
        )
        layers = build_layers(specs, membership, self.random)
        n = membership.size
        adj_ptr, adj_edge = kernels.active().incidence(layers.co_presence, n)
        asym = p.asymmetry
        n_sites = max(s.site for s in specs) + 1
        practices = np.clip(practices, 0.0, 1.0)
        norm_mask = facet_mask(self.facets, tuple(self.setting.premises_norm)).astype(float)
        norm = np.array([self.setting.premises_norm.get(f, 0.0) for f in self.facets])
        world = World(
            practices=practices,
            membership=membership,
            openness=draw_openness(rng, p.openness, n),
            profession=profession,
            tenure=np.zeros(n, dtype=np.int64),
            cultures=cultures,
            identity=np.clip(p.identity_strength * np.array([s.identity for s in specs]), 0, 1),
            sector=np.array([SECTORS.index(s.sector) for s in specs]),
            assoc_site=np.array([s.site for s in specs]),
            # influence[receiver sector, source sector]: health = 0, social = 1
            influence=np.array([[1.0, 1.0 - asym], [1.0 + asym, 1.0]]),
            cp_edges=layers.co_presence,
            cp_weight=layers.weight,
            cp_cum=np.cumsum(layers.rate),
            adj_ptr=adj_ptr,
            adj_edge=adj_edge,
            familiarity=np.zeros(len(layers.weight), dtype=np.int32),
            tie=np.zeros(len(layers.weight)),
            style=practices - cultures[membership],
            facet_weight=core_weights(cultures, p.core_facets, p.periphery_anchoring),
            cw_draw=rng.random(n),
            codes=np.zeros((n_sites, d)),
            code_set=np.zeros(n_sites, dtype=np.bool_),
            standard=cultures.mean(axis=0),
            sector_facet=facet_mask(self.facets, HEALTH_FACETS).astype(float),
            owned=owned_facets(self.facets),
            norm=np.tile(norm, (n_sites, 1)),
            norm_mask=np.tile(norm_mask, (n_sites, 1)),
            room_lost=np.array([s.room_lost for s in specs], dtype=float),
            reception_shared=reception_shared(specs, n_sites),
            tool_mask=facet_mask(self.facets, self.setting.tool_facets),
        )
        world.initial_centroids = np.zeros_like(cultures)
        kernels.active().group_mean(practices, membership, len(specs), world.initial_centroids)
        return world, layers

    def _draw_beneficiaries(self) -> None:
        """Draw the beneficiaries who stand for each association's public.

        Each beneficiary needs what its association was built for (its initial culture, up to
        a small individual spread); a share ``multi_need_share`` has mixed needs: on some facets
        (each with probability 1/2, at least one) its need lies part of the way (a quarter to
        three quarters) towards another public of the same site: the drug user who needs a
        gynaecological consultation "un peu plus bas seuil", without appointment.
        """
        w, rng, p = self.world, self.rng, self.params
        specs = self.setting.associations
        public = np.repeat(np.arange(len(specs)), [s.public_size for s in specs])
        need = w.initial_cultures[public] + rng.normal(
            0.0, BENEFICIARY_SPREAD, (public.size, p.n_facets)
        )
        mixed = rng.random(public.size) < p.multi_need_share
        # a partner public on the same site: another association of the site, at random
        site_of = w.assoc_site
        order = np.argsort(site_of, kind="stable")
        first = np.searchsorted(site_of[order], site_of)
        count = np.bincount(site_of)[site_of]
        offset = rng.integers(1, np.maximum(count[public], 2))
        pos_in_site = np.empty_like(order)
        pos_in_site[order] = np.arange(order.size) - first[order]
        partner_pos = (pos_in_site[public] + offset) % np.maximum(count[public], 1)
        partner = order[first[public] + partner_pos]
        mixed &= (count[public] > 1) & (partner != public)
        take = rng.random((public.size, p.n_facets)) < 0.5
        take[np.arange(public.size), rng.integers(0, p.n_facets, public.size)] = True
        take &= mixed[:, None]
        reach = rng.uniform(0.25, 0.75, take.shape)
        shift = reach * (w.initial_cultures[partner] - w.initial_cultures[public])
        self.need = np.clip(np.where(take, need + shift, need), 0.0, 1.0)
        self.need_public = public
        self.need_site = site_of[public]

    def _draw_tenure(self) -> np.ndarray:
        """Weeks each initial worker has been in post: the stationary spread of the turnover.

        Geometric with the weekly hazard ``turnover`` (at least 1/520, ten years on average at
        most), so that the workers present when pooling begins are mostly old hands.
        """
        hazard = max(self.params.turnover, 1.0 / 520.0)
        return self.rng.geometric(hazard, self.world.n_workers) - 1

    def _build_space(self) -> Network:
        """Mesa's ``Network`` space over the colleague and co-presence layers, laid out by site."""
        g = nx.Graph()
        g.add_nodes_from(range(self.world.n_workers))
        g.add_edges_from(self.layers.colleague.tolist())
        g.add_edges_from(self.layers.co_presence.tolist())
        layout = dict(enumerate(map(tuple, self.positions.tolist())))
        grid = Network(g, capacity=1, random=self.random, layout=layout)
        for worker in self.workers:
            worker.cell = grid._cells[worker.row]
        return grid

    # --- views on the state -------------------------------------------------------------------

    @property
    def scenario_name(self) -> str:
        """The scenario's name (``params.scenario``; Mesa's ``Model.scenario`` is its own)."""
        return self.params.scenario

    @property
    def practices(self) -> np.ndarray:
        """Practices of all workers, ``(N, D)`` in [0, 1] (the model's own array)."""
        return self.world.practices

    @property
    def membership(self) -> np.ndarray:
        """Association index of each worker, ``(N,)``."""
        return self.world.membership

    @property
    def cultures(self) -> np.ndarray:
        """Association cultures, ``(A, D)``."""
        return self.world.cultures

    @property
    def initial_cultures(self) -> np.ndarray:
        """Association cultures when pooling began, ``(A, D)``."""
        return self.world.initial_cultures

    @property
    def initial_centroids(self) -> np.ndarray:
        """Each association's mean initial practice, ``(A, D)`` (the metrics' reference)."""
        return self.world.initial_centroids

    @property
    def pooled(self) -> np.ndarray:
        """``(A, A)`` True where two different associations share a site."""
        site = self.world.assoc_site
        same = site[:, None] == site[None, :]
        np.fill_diagonal(same, False)
        return same

    def ties(self) -> np.ndarray:
        """Current collaboration ties as rows ``(i, j, strength)``, in edge order."""
        active = self.world.tie_ids
        return np.column_stack([self.world.cp_edges[active], self.world.tie[active]])

    def common_work_pairs(self) -> np.ndarray:
        """Pairs of workers in the same pooled function now (consecutive members of a site)."""
        members, _ = self.world.pooled_members(self.levels[2])
        if members.size < 2:
            return np.empty((0, 2), dtype=np.int64)
        members = members[np.argsort(self.world.worker_site[members], kind="stable")]
        same = self.world.worker_site[members[1:]] == self.world.worker_site[members[:-1]]
        return np.stack([members[:-1][same], members[1:][same]], axis=1)

    def network(self) -> nx.MultiGraph:
        """The multilayer co-location network now (colleagues, co-presence, ties, common work)."""
        return to_networkx(
            self.world.membership,
            self.world.assoc_site,
            self.layers,
            collaboration=self.ties(),
            common_work=self.common_work_pairs(),
            positions=self.positions,
        )

    def measures(self) -> dict[str, Any]:
        """Every measure of the current state (computed once per step and cached)."""
        if self._measures is None or self._measures[0] != self.steps:
            self._measures = (self.steps, self._compute_measures())
        return self._measures[1]

    def _compute_measures(self) -> dict[str, Any]:
        w = self.world
        ties = w.tie_ids
        out = metrics.summary(
            practices=w.practices,
            membership=w.membership,
            initial_centroids=w.initial_centroids,
            pooled=self.pooled,
            sector=w.sector,
            worker_site=w.worker_site,
            need=self.need,
            need_site=self.need_site,
            edges=w.cp_edges[ties],
            strength=w.tie[ties],
            cultures=w.cultures,
            initial_cultures=w.initial_cultures,
            tolerance=self.params.access_tolerance,
            eps=0.2,
            min_gap=0.25,
        )
        out.update(self.counts)
        out["tool_strength"] = float(w.tool_strength.mean())
        out["n_ties"] = int(ties.size)
        out["co_presence_level"], out["collaboration_level"], out["common_work_level"] = (
            self.levels
        )
        out["phase"] = self.phase.name
        return out

    # --- dynamics -----------------------------------------------------------------------------

    def _levels(self, phase: Phase, week: int) -> tuple[float, float, float, float]:
        """Pooling levels in force this week, and the attendance of common work."""
        base = pooling_levels(self.params.pooling_intensity)
        own = (self.params.co_presence, self.params.collaboration, self.params.common_work)
        from_phase = (phase.co_presence, phase.collaboration, phase.common_work)
        levels = [
            p if p is not None else (o if o is not None else b)
            for p, o, b in zip(from_phase, own, base, strict=True)
        ]
        attendance = 1.0
        if phase.meetings:
            p = self.params
            every = p.intervision_every if phase.meeting_every is None else phase.meeting_every
            share = p.intervision_attendance if phase.attendance is None else phase.attendance
            meeting = every > 0 and (week - phase.start) % every == every - 1
            levels[2], attendance = (1.0, share) if meeting else (0.0, 1.0)
        return levels[0], levels[1], levels[2], attendance

    def step(self) -> None:
        """One working week: the rules in order, then the measures are recorded."""
        week = self.steps - 1
        w, r, rng = self.world, self.params, self.rng
        self.phase = self.setting.phase_at(week)
        cp, col, cw, attendance = self._levels(self.phase, week)
        self.levels = (cp, col, cw)
        if self.phase.meetings and cw > 0 and r.shared_tools and w.tool_mask.any():
            attendance = attendance_by_meaning(w, r)
        self.counts["encounters"] = co_presence(w, cp, col, r, rng)
        self.counts["visits"], self.counts["adaptations"] = serve_publics(w, cp, col, cw, r, rng)
        self.counts["shared_cases"] = collaboration(w, col, r, rng)
        self.counts["socialised"] = common_work(w, cw, r, rng, attendance)
        shared_tools(w, cw, r)
        premises(w, cp, r)
        anchoring(w, r)
        culture_drift(w, r)
        self.counts["exits"], self.counts["hires"] = turnover(w, r, rng)
        tie_decay(w, r)
        w.tenure += 1
        if self.steps % self.params.record_every == 0:
            self.datacollector.collect(self)


def _model_reporters() -> dict[str, Any]:
    return {name: _reporter(name) for name in MODEL_REPORTERS}


def _reporter(name: str) -> Any:
    def report(model: PoolingModel) -> Any:
        return model.measures()[name]

    report.__name__ = name
    return report


COUNTERS: tuple[str, ...] = (
    "encounters",
    "visits",
    "adaptations",
    "shared_cases",
    "socialised",
    "exits",
    "hires",
)
"""Activity of the week, counted by the rules."""

MODEL_REPORTERS: tuple[str, ...] = (
    *metrics.SUMMARY_KEYS,
    *COUNTERS,
    "tool_strength",
    "n_ties",
    "co_presence_level",
    "collaboration_level",
    "common_work_level",
    "phase",
)
"""Columns the DataCollector records every step."""


def core_weights(cultures: np.ndarray, core_facets: int, periphery: float) -> np.ndarray:
    """Anchoring weight of each association on each facet: 1 on its core, ``periphery`` elsewhere.

    An association's core facets are the ``core_facets`` on which its culture lies farthest
    from the mean of all cultures: what makes it distinct (the drug service's walk-in access and
    community approach, the medical practice's medical framing).
    """
    weights = np.full(cultures.shape, float(periphery))
    k = min(int(core_facets), cultures.shape[1])
    if k > 0:
        distinct = np.abs(cultures - cultures.mean(axis=0))
        core = np.argsort(-distinct, axis=1, kind="stable")[:, :k]
        np.put_along_axis(weights, core, 1.0, axis=1)
    return weights


def facet_mask(facets: tuple[str, ...], names: tuple[str, ...]) -> np.ndarray:
    """``(D,)`` bool: True on the facets named (names beyond ``facets`` are ignored)."""
    return np.array([f in names for f in facets], dtype=np.bool_)


def owned_facets(facets: tuple[str, ...]) -> np.ndarray:
    """``(P, D)`` bool: the facets each profession of ``PROFESSIONS`` owns."""
    return np.array([facet_mask(facets, PROFESSION_FACETS[p]) for p in PROFESSIONS])


def reception_shared(specs: tuple[AssociationSpec, ...], n_sites: int) -> np.ndarray:
    """``(S,)`` 1.0 where a site's associations use one shared reception space, else 0.0."""
    out = np.zeros(n_sites)
    for s in specs:
        if s.spaces.get("reception", 0.0) > 0:
            out[s.site] = 1.0
    return out


def facet_names(n_facets: int) -> tuple[str, ...]:
    """Names of the facets: the article's six, then ``facet_7``, ``facet_8``, ..."""
    extra = tuple(f"facet_{k + 1}" for k in range(len(FACETS), n_facets))
    return (FACETS + extra)[:n_facets]


def extend_prototypes(n_facets: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Prototype cultures on ``n_facets`` facets: the article's six, then random extra facets."""
    out = {}
    for kind, proto in PROTOTYPES.items():
        extra = rng.random(max(n_facets - len(proto), 0))
        out[kind] = np.concatenate([np.asarray(proto, dtype=float), extra])[:n_facets]
    return out


def _culture(spec: Any, prototype: np.ndarray) -> np.ndarray:
    """An association's culture before its spread: its own facet values, else its prototype's.

    Facets a case file leaves out (or the extra facets beyond its values) are the prototype's.
    """
    if spec.culture is None:
        return prototype
    own = np.asarray(spec.culture, dtype=float)[: prototype.size]
    return np.concatenate([own, prototype[own.size :]])


def _check_seed(rng: Any) -> Any:
    ok = (
        rng is None
        or (isinstance(rng, Integral) and not isinstance(rng, bool) and int(rng) >= 0)
        or isinstance(rng, np.random.Generator | np.random.SeedSequence)
    )
    if not ok:
        raise ValueError(
            f"parameter 'rng' = {rng!r} is invalid: expected None, a non-negative integer, "
            "a numpy SeedSequence or a numpy Generator"
        )
    return int(rng) if isinstance(rng, Integral) else rng


def default_parameters() -> dict[str, Any]:
    """The model's defaults, read from its signature (the one source of defaults)."""
    sig = inspect.signature(PoolingModel.__init__)
    return {
        name: p.default
        for name, p in sig.parameters.items()
        if name in PARAMETERS and p.default is not inspect.Parameter.empty
    }


def run(steps: int, **params: Any) -> PoolingModel:
    """Build a model with ``params`` and step it ``steps`` weeks."""
    model = PoolingModel(**params)
    for _ in range(steps):
        model.step()
    return model


__all__ = [
    "MODEL_REPORTERS",
    "PoolingModel",
    "default_parameters",
    "facet_names",
    "run",
]


def parameters_table() -> Mapping[str, Any]:
    """Name -> (default, allowed range, unit) of every scalar parameter, for docs and UIs."""
    defaults = default_parameters()
    return {name: (defaults[name], spec.allowed(), spec.unit) for name, spec in PARAMETERS.items()}
