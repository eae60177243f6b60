"""Named settings of the model: the CSSI, the social helpline, and a generator of landscapes.

A setting says *which* associations pool *where*, how their spaces and hours overlap, and how
pooling changes over time (the schedule). The scalar knobs (pooling intensity, identity strength,
rates) are the model's keyword parameters, not part of a setting.

Source: Rosenzweig & Boussart, "Les travailleurs sociaux face à la mutualisation associative"
(case 1: "un centre social-santé intégré"; case 2: "une ligne d'appel social").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

FACETS: tuple[str, ...] = ("access", "reception", "framing", "approach", "tools", "hours")
"""Default facet names of a practice vector; each runs from 0 to the label on its right."""

FACET_POLES: Mapping[str, tuple[str, str]] = {
    "access": ("by appointment", "walk-in (low threshold)"),
    "reception": ("formal", "informal"),
    "framing": ("social", "medical"),
    "approach": ("individual", "community"),
    "tools": ("own tools", "shared tools"),
    "hours": ("own hours", "common hours"),
}

SECTORS: tuple[str, ...] = ("health", "social")
"""Sector codes: 0 = health (soins), 1 = social (aide sociale)."""

HEALTH_FACETS: tuple[str, ...] = ("framing",)
"""The facets of health expertise: the only ones on which sector influence acts and on which
sanitarisation is measured. The study defines sanitarisation as addressing problems "en
recourant aux formes d'expertise propres au champ de la santé" (Moriau & Bottero 2023, quoted
in *Vers une hybridation ...*): that is the medical framing of a case, not the walk-in access,
informal reception or community approach of the low-threshold drug service, which is coded
health by its sector (a therapeutic service with doctors) but whose low-threshold traits are
the social side's as much as the health side's. Coding of every association kind: see
``PROTOTYPE_SECTOR`` and ``docs/ODD.md`` (section 5)."""

SCENARIOS: tuple[str, ...] = ("cssi", "helpline", "landscape")
LAYOUTS: tuple[str, ...] = ("separate", "shared")

# Practice profiles of the association types met in the article, on the six default facets.
PROTOTYPES: Mapping[str, tuple[float, ...]] = {
    # maison médicale: appointments, formal desk, medical framing, individual care
    "medical_practice": (0.15, 0.30, 0.85, 0.30, 0.20, 0.30),
    # therapeutic service for drug users: walk-in, informal, community-style reception
    "drug_service": (0.90, 0.90, 0.60, 0.85, 0.35, 0.65),
    # general social service: appointments and permanences, social framing
    "social_service": (0.40, 0.45, 0.10, 0.35, 0.70, 0.25),
    # family planning + debt mediation: psychosocial reception, mixed framing
    "family_planning": (0.25, 0.25, 0.50, 0.45, 0.50, 0.55),
}
PROTOTYPE_NAMES: Mapping[str, str] = {
    "medical_practice": "medical practice",
    "drug_service": "drug service",
    "social_service": "social service",
    "family_planning": "family planning",
}
"""The one English name of each kind of association, wherever a reader sees it (the article's
"maison médicale", "service pour usagers de drogues", "service social généraliste", "planning
familial")."""
PROTOTYPE_SECTOR: Mapping[str, str] = {
    "medical_practice": "health",
    "drug_service": "health",
    "social_service": "social",
    "family_planning": "social",
}

PROFESSIONS: tuple[str, ...] = (
    "doctor",
    "nurse",
    "psychologist",
    "social worker",
    "receptionist",
    "mediator",
)

PROFESSION_FACETS: Mapping[str, tuple[str, ...]] = {
    "doctor": ("framing",),
    "nurse": ("framing",),
    "psychologist": ("reception",),
    "social worker": ("tools",),
    "receptionist": (),
    "mediator": (),
}
"""The facets each profession owns (SF9: "chaque service dispose d'un accueil spécialisé qui
demande des compétences spécifiques"): the medical framing for doctors and nurses; the
psychosocial reception, which the family-planning centre must staff with "un travailleur formé à
cette démarche", for its counsellors (coded ``psychologist``); and orientation, the respondent's
"mission d'orientation" with its directory of services, for social workers (the ``tools`` facet:
own or shared tools of encoding and orientation). Borrowing across professions is harder on
these facets (``profession_barrier``)."""

# Opening hours as weekly half-day slots (Monday morning = 0 ... Friday afternoon = 9).
_ALL_WEEK = tuple(range(10))


@dataclass(frozen=True)
class AssociationSpec:
    """One association of a setting.

    Attributes:
        name: short name.
        kind: its prototype (a key of ``PROTOTYPES``), which also fixes its sector.
        size: number of workers.
        site: index of the site (building) it works from.
        identity: relative identity strength; the model multiplies it by ``identity_strength``.
        spaces: share of its workers' time spent in each space of the site. A space named
            ``"x"`` is shared by every association that uses it; ``"x:own"`` is its own.
        hours: opening half-day slots in the week.
        professions: profession mix as ``{profession: weight}``.
        public_size: beneficiaries who stand for its public (they visit, and are measured).
        room_lost: share of its own former rooms it lost on the site (0 = kept them all, 1 =
            works only in shared rooms); sets how hard the building's norm pulls its workers.
        culture: its culture's facet values in place of its kind's prototype (``None``: the
            prototype); facets beyond the given ones are the prototype's.
    """

    name: str
    kind: str
    size: int
    site: int = 0
    identity: float = 1.0
    spaces: Mapping[str, float] = field(default_factory=dict)
    hours: tuple[int, ...] = _ALL_WEEK
    professions: Mapping[str, float] = field(default_factory=lambda: {"social worker": 1.0})
    public_size: int = 30
    room_lost: float = 0.0
    culture: tuple[float, ...] | None = None

    @property
    def sector(self) -> str:
        """The association's sector, from its kind."""
        return PROTOTYPE_SECTOR[self.kind]


@dataclass(frozen=True)
class Phase:
    """A period of the pooling schedule, from week ``start`` until the next phase.

    A level left as ``None`` follows the model's parameters; a number overrides it. During a
    phase with ``meetings=True``, common work happens only on meeting weeks (every
    ``intervision_every`` weeks, or ``meeting_every``) among the workers who attend
    (``intervision_attendance``, or ``attendance``).
    """

    name: str
    start: int
    co_presence: float | None = None
    collaboration: float | None = None
    common_work: float | None = None
    meetings: bool = False
    meeting_every: int | None = None
    attendance: float | None = None


@dataclass(frozen=True)
class Setting:
    """A named structural set-up: associations, sites and the pooling schedule.

    Attributes:
        name: short name.
        associations: the associations, with their sites.
        schedule: the pooling phases.
        premises_norm: the practice the buildings are designed for, on the facets their layout
            constrains (``{facet: value}``); empty for none.
        tool_facets: the facets a pooled function writes durable shared tools on (the
            helpline's guidelines, lexicon and directory); empty for none.
    """

    name: str
    associations: tuple[AssociationSpec, ...]
    schedule: tuple[Phase, ...] = (Phase("pooled", 0),)
    premises_norm: Mapping[str, float] = field(default_factory=dict)
    tool_facets: tuple[str, ...] = ()

    def phase_at(self, week: int) -> Phase:
        """The phase in force in a given week (steps count from 0)."""
        current = self.schedule[0]
        for phase in self.schedule:
            if phase.start <= week:
                current = phase
        return current


def pooling_levels(pooling_intensity: float) -> tuple[float, float, float]:
    """Map the single pooling knob onto the article's three levels of pooling.

    ``pooling_intensity`` in [0, 1] climbs the ladder co-présence -> collaboration -> travail en
    commun, each level a linear ramp from 0 to 1:

    * co-presence over [0, 0.2]: how much of their time workers share the premises;
    * collaboration over [0.2, 0.6]: the share of time spent on shared cases;
    * common work over [0.6, 1.0]: the share of workers assigned to pooled functions.

    Returns:
        ``(co_presence, collaboration, common_work)``, each in [0, 1].
    """
    p = float(pooling_intensity)
    return (
        float(np.clip(p / 0.2, 0.0, 1.0)),
        float(np.clip((p - 0.2) / 0.4, 0.0, 1.0)),
        float(np.clip((p - 0.6) / 0.4, 0.0, 1.0)),
    )


CARE_BUILDING: Mapping[str, float] = {"access": 0.2, "reception": 0.3, "approach": 0.3}
"""The practice a purpose-built care centre is designed for, on the facets its layout
constrains: appointments (access), a formal desk (reception) and individual consultation rooms
(approach). The drug service's users say of the CSSI: "ça aurait pu être un hôpital. Dans la
configuration, dans les couleurs, dans l'agencement, c'est pensé institution de soin"
(*Partager des locaux*). Values: assumption, at the appointment-based, formal, individual end
of each facet (the medical practice's prototype, rounded)."""


# --- landscapes -------------------------------------------------------------------------------


def _generic_spaces(layout: str) -> dict[str, float]:
    if layout == "shared":
        return {"waiting_room": 0.15, "reception": 0.15, "kitchen": 0.1, "rooms": 0.6}
    return {
        "waiting_room": 0.1,
        "reception:own": 0.15,
        "kitchen": 0.1,
        "rooms": 0.3,
        "rooms:own": 0.35,
    }


def landscape(
    n_workers: int,
    rng: np.random.Generator,
    associations_per_site: int = 4,
    sector_mix: float = 0.5,
    layout: str = "separate",
) -> Setting:
    """A region of pooled sites: each site pools ``associations_per_site`` associations.

    Association sizes are drawn between 5 and 30 workers until ``n_workers`` are placed (the last
    one is trimmed); each association is of the health sector with probability ``sector_mix``
    and of a random kind within its sector. Hours overlap partially at random.
    """
    kinds_by_sector = {
        "health": ("medical_practice", "drug_service"),
        "social": ("social_service", "family_planning"),
    }
    sizes: list[int] = []
    total = 0
    while total < n_workers:
        size = int(min(rng.integers(5, 31), n_workers - total))
        sizes.append(size)
        total += size
    n_assoc = len(sizes)
    health = rng.random(n_assoc) < sector_mix
    kind_pick = rng.integers(0, 2, size=n_assoc)
    hour_masks = rng.random((n_assoc, 10)) < 0.7
    spaces = _generic_spaces(layout)
    # the share of its rooms' time an association spends in shared rather than own rooms
    rooms = {k: v for k, v in spaces.items() if k.startswith("rooms")}
    room_lost = sum(v for k, v in rooms.items() if not k.endswith(":own")) / sum(rooms.values())
    specs = []
    for a in range(n_assoc):
        kind = kinds_by_sector["health" if health[a] else "social"][kind_pick[a]]
        hours = _ALL_WEEK if layout == "shared" else tuple(np.flatnonzero(hour_masks[a]).tolist())
        specs.append(
            AssociationSpec(
                f"association {a + 1}",
                kind,
                size=sizes[a],
                site=a // associations_per_site,
                spaces=spaces,
                hours=hours or (0,),
                professions=_PROFESSION_MIX[kind],
                public_size=max(3, sizes[a]),
                room_lost=room_lost,
            )
        )
    return Setting("landscape", tuple(specs), premises_norm=CARE_BUILDING)


_PROFESSION_MIX: Mapping[str, Mapping[str, float]] = {
    "medical_practice": {"doctor": 4, "nurse": 4, "receptionist": 2, "social worker": 1},
    "drug_service": {"doctor": 2, "psychologist": 2, "social worker": 4, "receptionist": 1},
    "social_service": {"social worker": 6, "receptionist": 2},
    "family_planning": {"doctor": 2, "psychologist": 2, "social worker": 2, "mediator": 3},
}


def pair_weights(specs: tuple[AssociationSpec, ...]) -> dict[tuple[int, int], float]:
    """How much two associations' workers share space and time, for pairs on the same site.

    Returns ``{(a, b): w}`` for ``a < b``, ``w`` in [0, 1]: (overlap of opening hours) x (sum
    over shared spaces of the product of the two associations' time shares there), normalised
    so that a fully shared layout with common hours gives every pair weight 1.
    """
    w: dict[tuple[int, int], float] = {}
    reference = 0.15**2 * 2 + 0.1**2 + 0.6**2  # the fully shared layout's space overlap
    by_site: dict[int, list[int]] = {}
    for a, spec in enumerate(specs):
        by_site.setdefault(spec.site, []).append(a)
    for members in by_site.values():
        for pos, a in enumerate(members):
            for b in members[pos + 1 :]:
                sa, sb = specs[a], specs[b]
                space = sum(
                    share * sb.spaces.get(name, 0.0)
                    for name, share in sa.spaces.items()
                    if not name.endswith(":own")
                )
                hours = len(set(sa.hours) & set(sb.hours)) / 10.0
                w[(a, b)] = min(1.0, space / reference) * hours
    return w


def build_setting(
    scenario: str,
    *,
    n_workers: int,
    layout: str,
    sector_mix: float,
    associations_per_site: int,
    decentralise_at: int,
    rng: np.random.Generator,
) -> Setting:
    """The setting of a generated scenario (a landscape) with these parameters.

    The study's two cases (``cssi``, ``helpline``) are case files: see :mod:`simulation.cases`.
    """
    if scenario != "landscape":
        raise ValueError(
            f"scenario {scenario!r} is a case file: read it with simulation.cases.load_case"
        )
    return landscape(n_workers, rng, associations_per_site, sector_mix, layout)
