"""Case files: a pooling setting (associations, sites, schedule, provenance) as validated data.

``load_case("cssi")`` reads a built-in case, ``load_case("mine.toml")`` a file of one's own;
``PoolingModel(case=...)`` runs on either. The schema (every key, unit and range) is in
:mod:`simulation.cases.schema`, the checks in :mod:`simulation.cases.validate`; ``docs/cases.md``
walks through describing a centre of one's own.
"""

from simulation.cases.case import Case, SiteInfo
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
from simulation.cases.validate import CaseError, parse_case

__all__ = [
    "BUILTIN_CASES",
    "CASES_ENV",
    "CASE_DIR",
    "Case",
    "CaseError",
    "CaseInfo",
    "SiteInfo",
    "case_path",
    "list_cases",
    "load_case",
    "loads_case",
    "parse_case",
]
