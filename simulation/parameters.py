"""The model's scalar parameters: their allowed ranges, their validation, and the typed object.

:data:`PARAMETERS` gives each parameter's type, range and unit; :class:`Parameters` is the frozen,
validated object a :class:`~simulation.model.PoolingModel` holds as ``model.params`` and the rules
read by attribute. Defaults are *not* kept here: they live in the signature of
:class:`simulation.model.PoolingModel` (read with :func:`inspect.signature`), so the dashboard,
sweeps and docs all share one source.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from numbers import Integral, Real
from typing import Any

import numpy as np

from simulation.scenarios import LAYOUTS, SCENARIOS


@dataclass(frozen=True)
class ParamSpec:
    """The type and allowed range of one scalar parameter.

    Attributes:
        kind: ``"float"``, ``"int"``, ``"choice"``, ``"bool"`` or ``"case"`` (a case file, a
            built-in case name or a loaded case; checked by loading it).
        low: smallest allowed value (numbers).
        high: largest allowed value (numbers).
        choices: allowed values (choices).
        optional: whether ``None`` is allowed (it then means "follow pooling_intensity").
        unit: unit or meaning of the scale, for docs and the dashboard.
        label: a short human label.
    """

    kind: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    optional: bool = False
    unit: str = ""
    label: str = ""

    def allowed(self) -> str:
        """The allowed range in words, for error messages."""
        if self.kind == "choice":
            text = "one of " + ", ".join(repr(c) for c in self.choices)
        elif self.kind == "bool":
            text = "True or False"
        elif self.kind == "case":
            text = "a case file (.toml) or a built-in case (cssi, helpline)"
        else:
            noun = "an integer" if self.kind == "int" else "a number"
            text = f"{noun} in [{self.low}, {self.high}]"
        return text + (" or None" if self.optional else "")


def _f(low: float, high: float, unit: str, label: str, optional: bool = False) -> ParamSpec:
    return ParamSpec("float", low, high, optional=optional, unit=unit, label=label)


def _i(low: int, high: int, unit: str, label: str) -> ParamSpec:
    return ParamSpec("int", low, high, unit=unit, label=label)


PARAMETERS: Mapping[str, ParamSpec] = {
    "scenario": ParamSpec("choice", choices=SCENARIOS, label="Scenario"),
    "case": ParamSpec("case", optional=True, unit="file or built-in name", label="Case file"),
    "layout": ParamSpec("choice", choices=LAYOUTS, label="Layout of shared premises"),
    "n_workers": _i(10, 1_000_000, "workers", "Workers (landscape)"),
    "n_facets": _i(1, 64, "facets", "Facets of practice"),
    "associations_per_site": _i(1, 20, "associations", "Associations per site (landscape)"),
    "sector_mix": _f(0.0, 1.0, "share of health associations", "Sector mix (landscape)"),
    "pooling_intensity": _f(0.0, 1.0, "0 = none, 1 = full common work", "Pooling intensity"),
    "co_presence": _f(0.0, 1.0, "share of time on shared premises", "Co-presence", True),
    "collaboration": _f(0.0, 1.0, "share of time on shared cases", "Collaboration", True),
    "common_work": _f(0.0, 1.0, "share of workers in pooled functions", "Common work", True),
    "identity_strength": _f(0.0, 1.0, "attachment to the association's culture", "Identity"),
    "openness": _f(0.0, 1.0, "mean susceptibility to other practices", "Openness"),
    "encounter_rate": _f(0.0, 100.0, "encounters per worker per week", "Encounter rate"),
    "homophily": _f(0.0, 1.0, "practice distance below which workers engage", "Homophily"),
    "copresence_influence": _f(0.0, 0.5, "gap share closed per encounter", "Encounter pull"),
    "tie_formation": _f(0.0, 1.0, "probability an encounter starts a tie", "Tie formation"),
    "tie_decay": _f(0.0, 1.0, "share of tie strength lost per week unused", "Tie decay"),
    "case_rate": _f(0.0, 50.0, "shared cases per collaborating worker per week", "Case rate"),
    "collaboration_influence": _f(0.0, 1.0, "share of a facet's gap borrowed", "Borrowing"),
    "facet_tolerance": _f(0.0, 1.0, "facets closer than this are shared", "Facet tolerance"),
    "collaboration_floor": _f(0.0, 1.0, "chance two unlike workers still borrow", "Floor"),
    "socialisation": _f(0.0, 1.0, "per facet and week (March's p1)", "Socialisation"),
    "code_learning": _f(0.0, 1.0, "per week (March's p2)", "Code learning"),
    "anchoring": _f(0.0, 1.0, "weekly pull to the culture at identity 1", "Anchoring"),
    "core_facets": _i(0, 64, "facets anchored in full", "Core facets"),
    "periphery_anchoring": _f(0.0, 1.0, "anchoring off the core, relative", "Periphery anchoring"),
    "culture_drift": _f(0.0, 1.0, "weekly pull of a culture to its workers", "Culture drift"),
    "turnover": _f(0.0, 0.2, "probability a worker leaves per week", "Turnover"),
    "asymmetry": _f(0.0, 1.0, "extra pull of health on social practices", "Sanitarisation"),
    "external_pressure": _f(0.0, 1.0, "funders' pull to one standard", "External standard"),
    # the lockdown room lasts at least a week: at week 0 there would be no centralised phase
    "decentralise_at": _i(1, 10_000, "week", "Decentralisation week (helpline)"),
    "intervision_every": _i(0, 52, "weeks between meetings (0 = none)", "Intervisions"),
    "intervision_attendance": _f(0.0, 1.0, "share attending a meeting", "Attendance"),
    "worker_spread": _f(0.0, 0.5, "sd of workers around their culture", "Worker spread"),
    "culture_spread": _f(0.0, 0.5, "sd of cultures around their prototype", "Culture spread"),
    "multi_need_share": _f(0.0, 1.0, "share of beneficiaries with mixed needs", "Mixed needs"),
    "access_tolerance": _f(0.0, 1.0, "largest facet gap accepted", "Access tolerance"),
    "serving_publics": ParamSpec("bool", label="Serving publics"),
    "visit_rate": _f(0.0, 50.0, "beneficiaries seen per worker per week", "Visits"),
    "referral_rate": _f(0.0, 1.0, "chance a misfit need is referred along a tie", "Referrals"),
    "service_adaptation": _f(0.0, 1.0, "facet gap share closed per visit", "Adaptation"),
    "premises_norms": ParamSpec("bool", label="Premises carry a norm"),
    "premises_pull": _f(0.0, 1.0, "weekly pull to the building's norm", "Premises pull"),
    "identity_exit": ParamSpec("bool", label="Exit under identity threat"),
    "exit_rate": _f(0.0, 1.0, "weekly exit hazard per unit of identity threat", "Exit rate"),
    "profession_ownership": ParamSpec("bool", label="Professions own facets"),
    "profession_barrier": _f(0.0, 1.0, "borrowing lost on owned facets", "Profession barrier"),
    "newcomer_learning": _f(0.0, 10.0, "extra learning of a new hire", "Newcomer learning"),
    "shared_tools": ParamSpec("bool", label="Durable shared tools"),
    "tool_use": _f(0.0, 1.0, "weekly pull of the shared tools", "Tool use"),
    "tool_decay": _f(0.0, 1.0, "weekly loss of unused shared tools", "Tool decay"),
    "meaning_sensitivity": _f(0.0, 20.0, "attendance lost per unit of role gap", "Meaning"),
    "collect_agents": ParamSpec("bool", label="Collect agent data"),
    "record_every": _i(1, 100_000, "weeks between records", "Record every"),
}
"""Type and allowed range of every scalar keyword parameter of ``PoolingModel``."""


def validate_parameter(name: str, value: Any) -> Any:
    """Check one parameter of ``PoolingModel`` and return it normalised.

    Raises:
        ValueError: naming the parameter, the value and the allowed range.
    """
    spec = PARAMETERS.get(name)
    if spec is None:
        raise ValueError(f"unknown parameter {name!r}; known: {', '.join(sorted(PARAMETERS))}")
    return check_value(name, spec, value)


def check_value(name: str, spec: ParamSpec, value: Any, expected: str | None = None) -> Any:
    """Check a value against its spec and return it normalised (ints as int, floats as float).

    Args:
        name: the parameter's name, for the message.
        spec: its type and allowed range.
        value: the value to check.
        expected: the allowed range in words, if not ``spec.allowed()``.

    Raises:
        ValueError: naming the parameter, the value and the allowed range.
    """
    expected = spec.allowed() if expected is None else expected
    bad = ValueError(f"parameter {name!r} = {value!r} is invalid: expected {expected}")
    if value is None:
        if spec.optional:
            return None
        raise bad
    if spec.kind == "bool":
        if isinstance(value, bool):
            return value
        raise bad
    if spec.kind == "choice":
        if isinstance(value, str) and value in spec.choices:
            return value
        raise bad
    if spec.kind == "case":
        return _check_case(name, value, expected)
    if isinstance(value, bool) or not isinstance(value, Real):
        raise bad
    if spec.kind == "int":
        if not isinstance(value, Integral):
            raise bad
        value = int(value)
    else:
        value = float(value)
        if not math.isfinite(value):
            raise bad
    if not spec.low <= value <= spec.high:
        raise bad
    return value


def _check_case(name: str, value: Any, expected: str) -> Any:
    """A case parameter: loaded now, so that a bad file fails before any model is built."""
    import os

    from simulation.cases import Case, load_case

    if isinstance(value, Case):
        if value.path is None:
            raise ValueError(
                f"parameter {name!r} = case {value.name!r} is invalid: expected {expected} "
                "(a case read from text has no file: save it, and pass its path)"
            )
        return str(value.path)
    if not isinstance(value, str | os.PathLike):
        raise ValueError(f"parameter {name!r} = {value!r} is invalid: expected {expected}")
    try:
        load_case(value)
    except FileNotFoundError as err:
        raise ValueError(
            f"parameter {name!r} = {str(value)!r} is invalid: expected {expected} ({err})"
        ) from None
    return str(value)


def validate(params: Mapping[str, Any]) -> dict[str, Any]:
    """Validate every parameter of a mapping; returns the normalised copy."""
    return {name: validate_parameter(name, value) for name, value in params.items()}


@dataclass(frozen=True, slots=True)
class Parameters:
    """The validated scalar parameters of one model, in the order of its signature.

    Built by :class:`~simulation.model.PoolingModel` from its keyword arguments and held as
    ``model.params``; the rules read it by attribute (``params.encounter_rate``). Construction
    validates and normalises every field (ints as int, floats as float) against
    :data:`PARAMETERS`, so a ``Parameters`` is always within range. The meaning, unit and default
    of each field are those of the model's keyword argument of the same name.

    Raises:
        ValueError: naming the first bad parameter, its value and the allowed range.
    """

    # structure: which associations, sites and facets
    scenario: str
    case: str | None
    n_workers: int
    n_facets: int
    layout: str
    associations_per_site: int
    sector_mix: float
    # how much is pooled (None: follow pooling_intensity)
    pooling_intensity: float
    co_presence: float | None
    collaboration: float | None
    common_work: float | None
    # workers and their associations
    identity_strength: float
    openness: float
    # co-presence
    encounter_rate: float
    homophily: float
    copresence_influence: float
    tie_formation: float
    tie_decay: float
    # collaboration
    case_rate: float
    collaboration_influence: float
    facet_tolerance: float
    collaboration_floor: float
    # common work
    socialisation: float
    code_learning: float
    # anchoring, drift and turnover
    anchoring: float
    core_facets: int
    periphery_anchoring: float
    culture_drift: float
    turnover: float
    asymmetry: float
    external_pressure: float
    # the helpline's schedule
    decentralise_at: int
    intervision_every: int
    intervision_attendance: float
    # initial state and beneficiaries
    worker_spread: float
    culture_spread: float
    multi_need_share: float
    access_tolerance: float
    # serving publics
    serving_publics: bool
    visit_rate: float
    referral_rate: float
    service_adaptation: float
    # premises
    premises_norms: bool
    premises_pull: float
    # exit under identity threat
    identity_exit: bool
    exit_rate: float
    # professions and tenure
    profession_ownership: bool
    profession_barrier: float
    newcomer_learning: float
    # durable shared tools and the sense of meaning
    shared_tools: bool
    tool_use: float
    tool_decay: float
    meaning_sensitivity: float
    # recording
    collect_agents: bool
    record_every: int

    def __post_init__(self) -> None:
        for f in fields(self):
            value = validate_parameter(f.name, getattr(self, f.name))
            object.__setattr__(self, f.name, value)

    def as_dict(self) -> dict[str, Any]:
        """The parameters as a plain ``name -> value`` dict, in the order of the signature."""
        return asdict(self)


if {f.name for f in fields(Parameters)} != set(PARAMETERS):
    raise RuntimeError(
        "Parameters and PARAMETERS name different parameters: "
        f"{sorted({f.name for f in fields(Parameters)} ^ set(PARAMETERS))}"
    )


def check_seed(rng: Any) -> Any:
    """The model's seed, checked: None, a non-negative int, a ``SeedSequence`` or ``Generator``.

    Raises:
        ValueError: naming the parameter ``rng`` and what it may be.
    """
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
