"""Every check of a case file: each error names the key path, the bad value and what is allowed,
before any model is built; a property test fuzzes the schema."""

from __future__ import annotations

import copy
import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from experiments.spec.toml_writer import dumps_toml
from simulation.cases import CaseError, load_case, loads_case, parse_case
from simulation.cases.keys import SLOT_NAMES
from simulation.model import PoolingModel
from simulation.scenarios import FACETS, PROFESSIONS, PROTOTYPE_SECTOR, PROTOTYPES

BASE = """
[case]
name = "base"
workers = [10, 40]
associations = 2

[[sites]]
name = "house"
spaces = ["reception", "rooms"]

[[associations]]
name = "clinic"
kind = "medical_practice"
size = 10
professions = { doctor = 1, nurse = 2 }
hours = "all"
spaces = { reception = 0.2, rooms = 0.3 }
own_spaces = { rooms = 0.4 }

[associations.sources]
size = "staff list"

[[associations]]
name = "advice"
kind = "social_service"
size = 6
spaces = { reception = 0.2 }

[[schedule]]
name = "side by side"
start = 0

[[schedule]]
name = "works"
start = 26
common_work = 0.5
"""

DELETE = object()


def _base() -> dict[str, Any]:
    return tomllib.loads(BASE)


def _set(raw: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``raw`` with the value at ``a.0.b`` replaced (or deleted)."""
    out = copy.deepcopy(raw)
    *head, last = path.split(".")
    node: Any = out
    for part in head:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if value is DELETE:
        del node[key]
    else:
        node[key] = value
    return out


def test_the_base_case_is_valid() -> None:
    case = parse_case(_base())
    assert [a.name for a in case.associations] == ["clinic", "advice"]
    assert case.associations[0].spaces == {"reception": 0.2, "rooms": 0.3, "rooms:own": 0.4}


TWO_SITES = [{"name": "house", "spaces": ["reception", "rooms"]}, {"name": "annex"}]

ERRORS: list[tuple[str, Any, str, str]] = [
    # (path to change, new value, key path named, words of the problem)
    ("extra", 1, "extra", "is not a key of the top level"),
    ("associations.0.hour", "all", "associations[0].hour", "did you mean 'hours'"),
    ("case", DELETE, "case", "is required"),
    ("case", 3, "case", "is not a table"),
    ("case.name", DELETE, "case.name", "is required"),
    ("case.name", " ", "case.name", "is not a usable name"),
    ("case.title", 3, "case.title", "has the wrong type"),
    ("case.weeks", 0, "case.weeks", "is out of range"),
    ("case.weeks", 1.5, "case.weeks", "has the wrong type"),
    ("case.weeks", True, "case.weeks", "has the wrong type"),
    ("case.layout_switch", "yes", "case.layout_switch", "has the wrong type"),
    ("case.workers", [30, 20], "case.workers", "does not have low <= high"),
    ("case.workers", [1, 2, 3], "case.workers", "is not a pair"),
    ("case.workers", 5, "case.workers", "does not hold what the file describes"),
    ("case.associations", 5, "case.associations", "does not hold what the file describes"),
    ("sites", DELETE, "sites", "is required"),
    ("sites", {"name": "house"}, "sites", "is not an array of tables"),
    ("sites", [], "sites", "is empty"),
    ("sites.0.spaces", ["rooms", "rooms"], "sites[0].spaces", "repeats a name"),
    ("sites.0.spaces", "rooms", "sites[0].spaces", "is not a list of names"),
    ("sites", [*TWO_SITES[:1], {"name": "house"}], "sites[1].name", "repeats a name"),
    ("associations.0.site", "hous", "associations[0].site", "did you mean 'house'"),
    ("associations.0.kind", "medical", "associations[0].kind", "did you mean 'medical_practice'"),
    ("associations.0.kind", DELETE, "associations[0].kind", "is required"),
    ("associations.0.sector", "social", "associations[0].sector", "does not match kind"),
    ("associations.0.culture", [], "associations[0].culture", "is not a list of 1 to 64"),
    ("associations.0.culture", [0.5, 1.5], "associations[0].culture", "is out of range"),
    ("associations.0.culture", ["a"], "associations[0].culture", "has the wrong type"),
    ("associations.0.size", 0, "associations[0].size", "is out of range"),
    ("associations.0.size", "ten", "associations[0].size", "has the wrong type"),
    ("associations.0.size", [5, 3], "associations[0].size", "does not have low <= high"),
    ("associations.0.identity", 9, "associations[0].identity", "is out of range"),
    ("associations.0.identity", math.nan, "associations[0].identity", "is out of range"),
    ("associations.0.professions", {}, "associations[0].professions", "is empty"),
    ("associations.0.professions", 3, "associations[0].professions", "is not a table"),
    (
        "associations.0.professions",
        {"docter": 1},
        "associations[0].professions.docter",
        "did you mean 'doctor'",
    ),
    ("associations.0.professions.doctor", 0, "associations[0].professions.doctor", "range"),
    ("associations.0.professions.doctor", "x", "associations[0].professions.doctor", "type"),
    ("associations.0.public_size", -1, "associations[0].public_size", "is out of range"),
    ("associations.0.hours", [12], "associations[0].hours", "has 12, which is not a half-day"),
    ("associations.0.hours", ["sun-am"], "associations[0].hours", "is not a half-day slot"),
    ("associations.0.hours", [0, 0], "associations[0].hours", "repeats a slot"),
    ("associations.0.hours", [], "associations[0].hours", "is not a non-empty list"),
    ("associations.0.hours", "some", "associations[0].hours", "is not a non-empty list"),
    ("associations.0.spaces.reception", 1.5, "associations[0].spaces.reception", "range"),
    ("associations.0.spaces.garden", 0.1, "associations[0].spaces.garden", "not allowed here"),
    ("associations.0.spaces.reception", 0.6, "associations[0].spaces", "sums (with own_spaces)"),
    ("associations.0.own_spaces.rooms", -0.1, "associations[0].own_spaces.rooms", "range"),
    ("associations.0.count", 2, "associations[0].name", "names 2 associations alike"),
    ("associations.0.count", 0, "associations[0].count", "is out of range"),
    ("associations.1.name", "clinic", "associations[1].name", "repeats a name"),
    ("associations", [], "associations", "is empty"),
    ("associations.1.sources", {"hours": "sign"}, "associations[1].sources.hours", "not set"),
    ("associations.0.sources.size", "", "associations[0].sources.size", "is not a passage"),
    ("associations.0.sources", "x", "associations[0].sources", "is not a table"),
    ("associations.0.room_lost", 1.5, "associations[0].room_lost", "is out of range"),
    ("sites.0.norm", {"acces": 0.2}, "sites[0].norm.acces", "did you mean 'access'"),
    ("sites.0.norm", {"access": 2}, "sites[0].norm.access", "is out of range"),
    ("sites.0.norm", [0.2], "sites[0].norm", "is not a table"),
    ("case.tool_facets", ["tool"], "case.tool_facets", "did you mean 'tools'"),
    ("case.tool_facets", ["tools", "tools"], "case.tool_facets", "repeats a name"),
    ("schedule", [], "schedule", "is empty"),
    ("schedule.0.start", 3, "schedule[0].start", "is not week 0"),
    ("schedule.0.start", "decentralise_at", "schedule[0].start", "is not week 0"),
    ("schedule.1.start", 0, "schedule[1].start", "is not after the previous phase"),
    ("schedule.1.start", -1, "schedule[1].start", "is out of range"),
    ("schedule.1.start", "decentralise", "schedule[1].start", "did you mean 'decentralise_at'"),
    ("schedule.1.name", "side by side", "schedule[1].name", "repeats a name"),
    ("schedule.1.meeting_every", 4, "schedule[1].meeting_every", "phase without meetings"),
    ("schedule.1.attendance", 0.5, "schedule[1].attendance", "phase without meetings"),
    ("schedule.1.co_presence", 2, "schedule[1].co_presence", "is out of range"),
]


@pytest.mark.parametrize(("path", "value", "key", "problem"), ERRORS)
def test_each_check_names_the_key_the_value_and_what_is_allowed(
    path: str, value: Any, key: str, problem: str
) -> None:
    raw = _set(_base(), path, value)
    with pytest.raises(CaseError) as err:
        parse_case(raw)
    assert err.value.key == key
    assert problem in str(err.value)
    assert "; allowed: " in str(err.value)
    assert err.value.allowed


def test_a_site_must_be_named_when_there_are_several() -> None:
    raw = _set(_base(), "sites", TWO_SITES)
    raw["associations"][1]["site"] = "annex"
    with pytest.raises(CaseError, match="is required") as err:
        parse_case(raw)
    assert err.value.key == "associations[0].site"


def test_the_sites_agree_on_one_premises_norm() -> None:
    annex = {"name": "annex", "spaces": ["reception"]}
    raw = _set(_base(), "sites", [{**TWO_SITES[0], "norm": {"access": 0.2}}, annex])
    raw["associations"][0]["site"] = "house"
    raw["associations"][1]["site"] = "annex"
    with pytest.raises(CaseError, match="is missing while another site gives one") as err:
        parse_case(raw)
    assert err.value.key == "sites[1].norm"
    raw["sites"][1]["norm"] = {"access": 0.3}
    with pytest.raises(CaseError, match=r"differs from sites\[0\].norm"):
        parse_case(raw)
    raw["sites"][1]["norm"] = {"access": 0.2}
    assert parse_case(raw).setting().premises_norm == {"access": 0.2}


def test_every_site_is_used() -> None:
    raw = _set(_base(), "sites", TWO_SITES)
    for table in raw["associations"]:
        table["site"] = "house"
    with pytest.raises(CaseError, match="is a site no association works from") as err:
        parse_case(raw)
    assert err.value.key == "sites[1].name"


def test_sizes_must_sum_to_at_least_two_workers() -> None:
    raw = _set(_base(), "associations", [_base()["associations"][1]])
    raw = _set(_set(raw, "case", {"name": "one"}), "associations.0.size", 1)
    with pytest.raises(CaseError, match="sums out of range") as err:
        parse_case(raw)
    assert err.value.key == "associations[*].size"


def test_errors_from_a_file_name_the_file_and_line(tmp_path: Path) -> None:
    text = BASE.replace('hours = "all"', 'hours = ["mon-am", "sun-pm"]')
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CaseError) as err:
        load_case(path)
    line = text.splitlines().index('hours = ["mon-am", "sun-pm"]') + 1
    assert (err.value.source, err.value.line) == (str(path.resolve()), line)
    assert str(err.value).startswith(f"{path.resolve()}:{line}: associations[0].hours = ")


def test_a_file_that_is_not_toml_is_named() -> None:
    with pytest.raises(CaseError, match="is not valid TOML"):
        loads_case("[case\n", source="broken.toml")


def test_a_missing_file_is_not_found_and_a_model_names_its_parameter(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="built-in cases: cssi, helpline"):
        load_case(tmp_path / "none.toml")
    with pytest.raises(ValueError, match="parameter 'case'"):
        PoolingModel(case=str(tmp_path / "none.toml"))


def test_a_parameter_that_puts_phases_out_of_order_stops_the_model_before_it_is_built() -> None:
    # week 0 is outside the parameter's range (no lockdown room at all): named as a parameter
    with pytest.raises(ValueError, match=r"parameter 'decentralise_at' = 0 is invalid"):
        PoolingModel(scenario="helpline", decentralise_at=0)
    # within the range, the case itself checks the order of its phases
    with pytest.raises(CaseError, match=r"schedule\[1\].start = 'decentralise_at = 0'"):
        load_case("helpline").setting({"decentralise_at": 0})
    with pytest.raises(CaseError, match="needs the model parameter"):
        load_case("helpline").setting({})


def test_a_case_read_from_text_has_no_file_to_give_a_model() -> None:
    with pytest.raises(ValueError, match="has no file"):
        PoolingModel(case=loads_case(BASE))


# --- the property test: the schema fuzzed ---------------------------------------------------

_name = st.text(alphabet="abcdefghij -", min_size=1, max_size=8).filter(str.strip)


@st.composite
def valid_cases(draw: st.DrawFn) -> dict[str, Any]:
    """A valid case file's structure: 1-4 associations on 1-2 sites, 1-3 phases."""
    n_assoc = draw(st.integers(1, 4))
    n_sites = draw(st.integers(1, min(2, n_assoc)))
    spaces = draw(st.lists(_name, min_size=0, max_size=3, unique_by=str.strip))
    spaces = list(dict.fromkeys(s.strip() for s in spaces))
    sites = [{"name": f"site {k}", "spaces": spaces} for k in range(n_sites)]
    if draw(st.booleans()):
        norm = draw(st.dictionaries(st.sampled_from(FACETS), st.floats(0, 1), max_size=3))
        for site in sites:
            site["norm"] = norm
    associations = []
    for a in range(n_assoc):
        kind = draw(st.sampled_from(sorted(PROTOTYPES)))
        table: dict[str, Any] = {
            "name": f"association {a}",
            "kind": kind,
            "site": f"site {a % n_sites}",
            "size": draw(st.integers(2, 6)),
        }
        if draw(st.booleans()):
            table["sector"] = PROTOTYPE_SECTOR[kind]
        if draw(st.booleans()):
            table["identity"] = draw(st.floats(0, 5))
        if draw(st.booleans()):
            table["culture"] = draw(st.lists(st.floats(0, 1), min_size=1, max_size=8))
        if draw(st.booleans()):
            names = draw(st.lists(st.sampled_from(PROFESSIONS), min_size=1, unique=True))
            table["professions"] = {p: draw(st.integers(1, 5)) for p in names}
        if draw(st.booleans()):
            slots = draw(st.lists(st.integers(0, 9), min_size=1, max_size=10, unique=True))
            table["hours"] = [SLOT_NAMES[s] if draw(st.booleans()) else s for s in slots]
        if spaces and draw(st.booleans()):
            table["spaces"] = {s: 1.0 / (2 * len(spaces)) for s in spaces}
        if draw(st.booleans()):
            table["own_spaces"] = {"desk": draw(st.floats(0, 0.5))}
        if draw(st.booleans()):
            table["room_lost"] = draw(st.floats(0, 1))
        associations.append(table)
    starts = sorted(draw(st.sets(st.integers(1, 100), max_size=2)))
    schedule = [{"name": "phase 0", "start": 0}]
    for k, start in enumerate(starts, 1):
        phase: dict[str, Any] = {"name": f"phase {k}", "start": start}
        if draw(st.booleans()):
            phase["common_work"] = draw(st.floats(0, 1))
        if draw(st.booleans()):
            phase.update(meetings=True, meeting_every=draw(st.integers(1, 8)))
        schedule.append(phase)
    return {
        "case": {
            "name": "fuzzed",
            "weeks": draw(st.integers(1, 200)),
            "tool_facets": draw(st.lists(st.sampled_from(FACETS), unique=True, max_size=3)),
        },
        "sites": sites,
        "associations": associations,
        "schedule": schedule,
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=valid_cases(), seed=st.integers(0, 2**16))
def test_valid_files_load_and_run(raw: dict[str, Any], seed: int) -> None:
    case = loads_case(dumps_toml(raw), source="fuzzed.toml")
    assert len(case.associations) == len(raw["associations"])
    model = PoolingModel(case=_saved(case, raw), rng=seed)
    model.step()
    assert np.isfinite(model.practices).all()


_SAVED: dict[str, Path] = {}


def _saved(case: Any, raw: dict[str, Any]) -> str:
    """A file for the model (a case read from text has none), one per distinct text."""
    import tempfile

    text = dumps_toml(raw)
    if text not in _SAVED:
        folder = Path(tempfile.mkdtemp(prefix="fuzzed-case-"))
        _SAVED[text] = folder / "case.toml"
        _SAVED[text].write_text(text, encoding="utf-8")
    return str(_SAVED[text])


_junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**7), 10**7),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.lists(st.integers(-3, 12), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


def _paths(node: Any, prefix: str = "") -> list[str]:
    out = []
    items = enumerate(node) if isinstance(node, list) else node.items()
    for key, value in items:
        path = f"{prefix}{key}"
        out.append(path)
        if isinstance(value, dict | list):
            out += _paths(value, path + ".")
    return out


@settings(max_examples=300, deadline=None)
@given(raw=valid_cases(), data=st.data())
def test_mutated_files_raise_the_named_error_never_a_traceback(
    raw: dict[str, Any], data: st.DataObject
) -> None:
    path = data.draw(st.sampled_from(_paths(raw)), label="path")
    value = data.draw(st.one_of(st.just(DELETE), _junk), label="value")
    mutated = _set(raw, path, value)
    error: CaseError | None = None
    try:
        parse_case(mutated)
    except CaseError as err:
        error = err
    if error is not None:
        assert "; allowed: " in str(error)
        assert error.key
