"""The pooling model: associations pool premises and workers; practices persist, mix or converge.

One step is one working week. ``step()`` applies the rules of :mod:`simulation.rules` in order:
co-presence, collaboration, common work, anchoring, culture drift, turnover, tie decay; then the
DataCollector records the measures of :mod:`simulation.measures`. The world is drawn by
:mod:`simulation.build`, recorded by :mod:`simulation.collector`, shown by :mod:`simulation.views`.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import mesa

from simulation.agents import Association, Worker
from simulation.build import (
    BENEFICIARY_SPREAD,
    build_world,
    core_weights,
    draw_beneficiaries,
    draw_tenure,
    extend_prototypes,
    facet_mask,
    facet_names,
    owned_facets,
    reception_shared,
)
from simulation.cases import BUILTIN_CASES, Case, load_case
from simulation.collector import (
    COUNTERS,
    MODEL_REPORTERS,
    MeasureCollector,
    model_reporters,
    week_measures,
    world_recorder,
)
from simulation.network import Layers, layout_positions
from simulation.parameters import PARAMETERS, Parameters, check_seed
from simulation.rules import (
    World,
    anchoring,
    co_presence,
    collaboration,
    common_work,
    culture_drift,
    levels_in_force,
    premises,
    serve_publics,
    shared_tools,
    tie_decay,
    turnover,
)
from simulation.rules import intervision_attendance as attendance_by_meaning
from simulation.scenarios import Phase, Setting, build_setting
from simulation.views import SPACE_LIMIT, StateViews


class PoolingModel(StateViews, mesa.Model):
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
        super().__init__(rng=check_seed(rng))
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
        self.need, self.need_public, self.need_site = draw_beneficiaries(
            self.world, self.setting, p, self.rng
        )
        self.world.need, self.world.need_public = self.need, self.need_public
        self.world.tenure[:] = draw_tenure(p, self.world.n_workers, self.rng)
        self.associations = [
            Association(self, a, spec) for a, spec in enumerate(self.setting.associations)
        ]
        self.workers = [Worker(self, row) for row in range(self.world.n_workers)]
        self.positions = layout_positions(self.world.membership, self.world.assoc_site)
        self.grid = self._space() if self.world.n_workers <= SPACE_LIMIT else None
        self.counts = dict.fromkeys(COUNTERS, 0)
        self.phase: Phase = self.setting.phase_at(0)
        self.levels = self._levels(self.phase, week=0)[:3]
        self._measures: tuple[int, dict[str, Any]] | None = None
        self._recorder = world_recorder(self.world, self.need_site, p.access_tolerance)
        self.datacollector = MeasureCollector(
            model_reporters=model_reporters(),
            agenttype_reporters=(
                {Worker: {"practice": lambda w: tuple(w.practice)}} if p.collect_agents else None
            ),
        )
        self.datacollector.collect(self)

    def _build_world(self) -> tuple[World, Layers]:
        """The world and its layers, drawn from the setting (:func:`build_world`)."""
        return build_world(self.setting, self.params, self.facets, self.rng, self.random)

    def measures(self) -> dict[str, Any]:
        """Every measure of the current state (computed once per step and cached)."""
        if self._measures is None or self._measures[0] != self.steps:
            self._measures = (
                self.steps,
                week_measures(self._recorder, self.world, self.counts, self.levels, self.phase),
            )
        return self._measures[1]

    # --- dynamics -----------------------------------------------------------------------------

    def _levels(self, phase: Phase, week: int) -> tuple[float, float, float, float]:
        """Pooling levels in force this week, and the attendance of common work."""
        return levels_in_force(self.params, phase, week)

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
        self.counts["socialised"], self.counts["called"] = common_work(w, cw, r, rng, attendance)
        shared_tools(w, cw, r)
        premises(w, cp, r)
        anchoring(w, r)
        culture_drift(w, r)
        self.counts["exits"], self.counts["hires"] = turnover(w, r, rng)
        tie_decay(w, r)
        w.tenure += 1
        if self.steps % self.params.record_every == 0:
            self.datacollector.collect(self)


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
    "BENEFICIARY_SPREAD",
    "COUNTERS",
    "MODEL_REPORTERS",
    "SPACE_LIMIT",
    "MeasureCollector",
    "PoolingModel",
    "World",
    "core_weights",
    "default_parameters",
    "extend_prototypes",
    "facet_mask",
    "facet_names",
    "owned_facets",
    "parameters_table",
    "reception_shared",
    "run",
]


def parameters_table() -> Mapping[str, Any]:
    """Name -> (default, allowed range, unit) of every scalar parameter, for docs and UIs."""
    defaults = default_parameters()
    return {name: (defaults[name], spec.allowed(), spec.unit) for name, spec in PARAMETERS.items()}
