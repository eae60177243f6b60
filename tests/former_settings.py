"""The CSSI and helpline settings as the code defined them before they moved to case files.

Frozen at the move, as the reference that pins the files: ``tests/test_cases.py`` checks that
``simulation/cases/cssi.toml`` and ``helpline.toml`` give the same settings and bit-identical
runs at the same seed. Do not edit: change the case files instead.
"""

from __future__ import annotations

import numpy as np

from simulation.scenarios import CARE_BUILDING, AssociationSpec, Phase, Setting

_ALL_WEEK = tuple(range(10))


def _cssi_spaces(layout: str) -> list[dict[str, float]]:
    """Time shares in the spaces of the CSSI building, for the four associations in order.

    ``separate`` is the building as observed: a shared waiting room except for the drug service,
    one reception desk per service ("le desk comme à l'aéroport"), medical rooms (with a water
    point) apart from social rooms, some rooms reserved. ``shared`` is the counterfactual of a
    fully shared layout: one waiting room, one reception, every room free.
    """
    if layout == "shared":
        common = {"waiting_room": 0.15, "reception": 0.15, "kitchen": 0.1, "rooms": 0.6}
        return [dict(common) for _ in range(4)]
    return [
        # medical practice: shared waiting room, own desk, medical rooms half reserved
        {
            "waiting_room": 0.1,
            "reception:own": 0.15,
            "kitchen": 0.1,
            "medical_rooms": 0.3,
            "rooms:own": 0.35,
        },
        # drug service: own waiting/activity room, own desk, social rooms
        {
            "waiting_room:own": 0.3,
            "reception:own": 0.15,
            "kitchen": 0.1,
            "social_rooms": 0.2,
            "medical_rooms": 0.05,
            "rooms:own": 0.2,
        },
        # general social service
        {
            "waiting_room": 0.1,
            "reception:own": 0.15,
            "kitchen": 0.1,
            "social_rooms": 0.35,
            "rooms:own": 0.3,
        },
        # family planning + debt mediation: both kinds of rooms
        {
            "waiting_room": 0.1,
            "reception:own": 0.15,
            "kitchen": 0.1,
            "medical_rooms": 0.2,
            "social_rooms": 0.2,
            "rooms:own": 0.25,
        },
    ]


def cssi(layout: str = "separate") -> Setting:
    """The integrated social-health centre: four associations, about forty workers, one building.

    Sizes within the article's "entre sept et quinze salariés" (about forty in all); the drug
    service and the family planning centre have the most marked identities (founded in the
    struggles for methadone substitution and for contraception and abortion rights).
    """
    spaces = _cssi_spaces(layout)
    shared_hours = layout == "shared"
    # separate: the drug service lost its community room ("une grande pièce qui faisait en même
    # temps salle d'attente et salle d'activité"); shared: nobody keeps a room of its own
    lost = [1.0] * 4 if layout == "shared" else [0.0, 1.0, 0.0, 0.0]
    hours = [
        _ALL_WEEK,
        _ALL_WEEK if shared_hours else (0, 1, 2, 3, 4, 6, 8),
        _ALL_WEEK if shared_hours else (0, 2, 4, 5, 6, 8),
        _ALL_WEEK if shared_hours else (1, 3, 5, 7, 9),
    ]
    specs = (
        AssociationSpec(
            "maison médicale",
            "medical_practice",
            size=12,
            identity=0.8,
            spaces=spaces[0],
            hours=hours[0],
            professions={"doctor": 4, "nurse": 4, "receptionist": 2, "social worker": 1},
            public_size=40,
            room_lost=lost[0],
        ),
        AssociationSpec(
            "drug service",
            "drug_service",
            size=9,
            identity=1.3,
            spaces=spaces[1],
            hours=hours[1],
            professions={"doctor": 2, "psychologist": 2, "social worker": 4, "receptionist": 1},
            public_size=30,
            room_lost=lost[1],
        ),
        AssociationSpec(
            "social service",
            "social_service",
            size=8,
            identity=1.0,
            spaces=spaces[2],
            hours=hours[2],
            professions={"social worker": 6, "receptionist": 2},
            public_size=30,
            room_lost=lost[2],
        ),
        AssociationSpec(
            "family planning",
            "family_planning",
            size=11,
            identity=1.3,
            spaces=spaces[3],
            hours=hours[3],
            professions={
                "doctor": 2,
                "psychologist": 2,
                "social worker": 2,
                "mediator": 3,
                "receptionist": 2,
            },
            public_size=30,
            room_lost=lost[3],
        ),
    )
    return Setting("cssi", specs, premises_norm=CARE_BUILDING)


# --- the social helpline ----------------------------------------------------------------------


def helpline(decentralise_at: int = 26, rng: np.random.Generator | None = None) -> Setting:
    """The social helpline (numéro vert): 12 social-work associations, 36 workers.

    March 2020: every respondent in one room (co-presence and common work: a common approach,
    shared guidelines, call-coding lexicon and directory). From September 2020 (week
    ``decentralise_at``) shifts go back to each service; intervisions are the only common work
    left. Associations are social services that differ by speciality and neighbourhood, so their
    cultures are small variations on one prototype (drawn with ``rng``).
    """
    rng = np.random.default_rng(0) if rng is None else rng
    sizes = rng.integers(2, 5, size=12)  # 20 to 50 workers in all, 2 to 4 per service
    specs = tuple(
        AssociationSpec(
            f"service {k + 1}",
            "social_service",
            size=int(sizes[k]),
            identity=1.0,
            spaces={"room": 1.0},
            professions={"social worker": 1.0},
            public_size=10,
        )
        for k in range(12)
    )
    schedule = (
        Phase("centralised", 0, co_presence=1.0, collaboration=1.0, common_work=0.8),
        Phase(
            "decentralised",
            decentralise_at,
            co_presence=0.0,
            collaboration=0.05,
            common_work=0.0,
            meetings=True,
        ),
    )
    # "balises de travail pour répondants, lexique pour l'encodage des appels, répertoire de
    # services": how calls are received (reception) and the tools of encoding and orientation
    return Setting("helpline", specs, schedule, tool_facets=("reception", "tools"))
