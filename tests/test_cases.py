"""Case files: the study's two cases as files, bit-identical to the code they replace; a case
of one's own runs everywhere; every validation error names the file, key, value and range."""

from __future__ import annotations

import os
import re
from pathlib import Path

import former_settings as former
import numpy as np
import pytest

import simulation.model as model_module
from simulation.cases import (
    BUILTIN_CASES,
    CaseError,
    list_cases,
    load_case,
    loads_case,
)
from simulation.cases.case import SHARED_PREMISES
from simulation.cases.schema import markdown_table, undocumented_fields
from simulation.cases.writer import dumps_setting, template
from simulation.model import PoolingModel
from simulation.scenarios import _generic_spaces, landscape

ROOT = Path(__file__).resolve().parents[1]

# --- the study's two cases: files bit-identical to the code-defined settings ------------------


def _same_setting(a, b) -> None:
    assert a == b
    for x, y in zip(a.associations, b.associations, strict=True):
        # the order of professions sets the draws; the order of shared spaces sets sums
        assert list(x.professions.items()) == list(y.professions.items())
        shared = [k for k in x.spaces if not k.endswith(":own")]
        assert shared == [k for k in y.spaces if not k.endswith(":own")]


@pytest.mark.parametrize("layout", ["separate", "shared"])
def test_cssi_file_is_the_code_defined_setting(layout: str) -> None:
    _same_setting(load_case("cssi").setting({"layout": layout}), former.cssi(layout))


@pytest.mark.parametrize(("seed", "week"), [(0, 26), (1, 13), (7, 52)])
def test_helpline_file_is_the_code_defined_setting(seed: int, week: int) -> None:
    from_file = load_case("helpline").setting(
        {"decentralise_at": week}, np.random.default_rng(seed)
    )
    _same_setting(from_file, former.helpline(week, np.random.default_rng(seed)))


def _former_build_setting(scenario, *, layout, decentralise_at, rng, **_):
    if scenario == "cssi":
        return former.cssi(layout)
    return former.helpline(decentralise_at, rng)


@pytest.mark.parametrize(
    "params",
    [
        {"scenario": "cssi"},
        {"scenario": "cssi", "layout": "shared", "pooling_intensity": 0.9},
        {"scenario": "helpline", "decentralise_at": 8, "intervision_every": 2},
    ],
)
def test_runs_from_the_files_are_bit_identical_to_the_code_defined_settings(
    params: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run(seed: int) -> PoolingModel:
        m = PoolingModel(rng=seed, **params)
        for _ in range(16):
            m.step()
        return m

    from_file = run(11)
    assert from_file.case is not None
    monkeypatch.setattr(model_module, "BUILTIN_CASES", ())
    monkeypatch.setattr(model_module, "build_setting", _former_build_setting)
    from_code = run(11)
    assert from_code.case is None
    for name in ("practices", "cultures", "membership", "tie", "familiarity", "profession"):
        a, b = getattr(from_file.world, name), getattr(from_code.world, name)
        assert np.array_equal(a, b), name
    assert np.array_equal(from_file.need, from_code.need)
    frame_a = from_file.datacollector.get_model_vars_dataframe()
    frame_b = from_code.datacollector.get_model_vars_dataframe()
    assert frame_a.equals(frame_b)


def test_the_shared_counterfactual_is_the_landscapes_shared_layout() -> None:
    """Consistency check: one fully shared layout for the CSSI and for landscapes."""
    assert dict(SHARED_PREMISES) == _generic_spaces("shared")


# --- provenance -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", BUILTIN_CASES)
def test_every_value_of_the_built_in_cases_has_its_source(name: str) -> None:
    case = load_case(name)
    assert case.unsourced() == []
    assert all(p.strip() for p in case.provenance.values())


ARTICLE = os.environ.get("ISOHYBRID_ARTICLE", "")


@pytest.mark.skipif(not Path(ARTICLE).is_file(), reason="set ISOHYBRID_ARTICLE to the article")
@pytest.mark.parametrize("name", BUILTIN_CASES)
def test_every_quoted_passage_is_in_the_article(name: str) -> None:
    article = " ".join(Path(ARTICLE).read_text(encoding="utf-8").split())
    for key, passage in load_case(name).provenance.items():
        for quote in re.findall(r"«([^»]*)»", passage):
            for piece in re.split(r"\s*\[\.\.\.\]\s*", " ".join(quote.split())):
                assert piece.strip() in article, f"{key}: {piece!r}"


# --- landscapes: generated, with the structure a file has -------------------------------------


@pytest.mark.parametrize("seed", [0, 3])
def test_a_generated_landscape_written_as_a_file_reads_back_the_same(seed: int) -> None:
    setting = landscape(150, np.random.default_rng(seed), associations_per_site=3)
    case = loads_case(dumps_setting(setting))
    _same_setting(case.setting(), setting)


# --- the schema -------------------------------------------------------------------------------


def test_every_dataclass_field_is_in_the_schema() -> None:
    assert undocumented_fields() == {}


def test_docs_field_table_is_the_schema() -> None:
    docs = (ROOT / "docs" / "cases.md").read_text(encoding="utf-8")
    assert markdown_table() in docs, "regenerate with: python -m simulation.cases.schema"


def test_templates_load() -> None:
    for like in (None, "helpline", "landscape"):
        assert loads_case(template(like)).associations


def test_list_cases_offers_the_built_ins_and_the_folder_with_errors_named(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(template("cssi"), encoding="utf-8")
    (tmp_path / "bad.toml").write_text("[case]\nname = 1\n", encoding="utf-8")
    infos = list_cases(tmp_path)
    assert [i.name for i in infos] == ["cssi", "helpline", "bad", "cssi"]
    assert [i.builtin for i in infos] == [True, True, False, False]
    assert infos[2].error is not None
    assert "case.name" in infos[2].error
    assert infos[3].error is None
    with pytest.raises(FileNotFoundError):
        list_cases(tmp_path / "nowhere")


def test_case_errors_are_value_errors_with_their_parts() -> None:
    with pytest.raises(CaseError) as err:
        loads_case('[case]\nname = "x"\nweeks = 0\n', source="x.toml")
    assert isinstance(err.value, ValueError)
    assert (err.value.key, err.value.value, err.value.line) == ("case.weeks", 0, 3)
    assert str(err.value).startswith("x.toml:3: case.weeks = 0 is out of range; allowed:")
