"""Case files: a pooling setting (associations, sites, schedule, provenance) as validated data.

``load_case("cssi")`` reads a built-in case, ``load_case("mine.toml")`` a file of one's own;
``PoolingModel(case=...)`` runs on either. The schema (every key, unit and range) is in
:mod:`simulation.cases.schema`, the checks in :mod:`simulation.cases.validate`; ``docs/cases.md``
walks through describing a centre of one's own.
"""

import numpy as np

from simulation.cases.case import Case, SiteInfo
from simulation.cases.errors import CaseError
from simulation.cases.files import (
    BUILTIN_CASES,
    CASE_DIR,
    CASES_ENV,
    CaseInfo,
    case_path,
    list_cases,
    load_case,
    loads_case,
)
from simulation.cases.validate import parse_case
from simulation.scenarios import Setting


def cssi(layout: str = "separate") -> Setting:
    """The integrated social-health centre: four associations, about forty workers, one building.

    Read from ``cssi.toml``, where each value has its passage of the article. ``layout="shared"``
    is the counterfactual of a fully shared layout: one waiting room, one reception, every room
    free, common hours.
    """
    return load_case("cssi").setting({"layout": layout})


def helpline(decentralise_at: int = 26, rng: np.random.Generator | None = None) -> Setting:
    """The social helpline (numéro vert): 12 social-work associations, 24 to 48 workers.

    Read from ``helpline.toml``: one room in March 2020, then from week ``decentralise_at``
    (September 2020) shifts back in each service, with peer meetings. Service sizes (2 to 4)
    are drawn with ``rng`` (default: seed 0).
    """
    return load_case("helpline").setting({"decentralise_at": decentralise_at}, rng)


__all__ = [
    "BUILTIN_CASES",
    "CASES_ENV",
    "CASE_DIR",
    "Case",
    "CaseError",
    "CaseInfo",
    "SiteInfo",
    "case_path",
    "cssi",
    "helpline",
    "list_cases",
    "load_case",
    "loads_case",
    "parse_case",
]
