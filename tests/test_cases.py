"""Case files: the study's two cases as files, bit-identical to the code they replace; a case
of one's own runs everywhere; every validation error names the file, key, value and range."""

from __future__ import annotations

import json
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


# --- a case of one's own, written by hand, through run, a sweep and the figures -----------

RENOVATION = """\
[case]
name = "renovation"
title = "Neighbourhood centre: shared reception, joint work during renovation"
weeks = 78
workers = [20, 30]
associations = 3

[case.sources]
weeks = "assumption: a year and a half of fieldwork"
workers = "field notes, 12 March: «about twenty-five of us in the house»"
associations = "field notes: three associations signed the agreement"

[[sites]]
name = "house"
spaces = ["reception", "waiting_room", "rooms"]

[sites.sources]
spaces = "field notes: «one desk at the entrance for everybody»; shared waiting and meeting rooms"

[[associations]]
name = "health centre"
kind = "medical_practice"
size = 10
identity = 0.9
professions = { doctor = 3, nurse = 5, receptionist = 2 }
public_size = 30
hours = "all"
spaces = { reception = 0.2, waiting_room = 0.1, rooms = 0.3 }
own_spaces = { rooms = 0.4 }

[associations.sources]
size = "staff list, 2024"
identity = "assumption: young team"
professions = "staff list, 2024"
public_size = "assumption"
hours = "door sign"
spaces = "observation, two weeks in May"
own_spaces = "observation: two consulting rooms are theirs"

[[associations]]
name = "youth work"
kind = "social_service"
size = 7
identity = 1.4
culture = [0.95, 0.9, 0.2, 0.9, 0.4, 0.6]
professions = { "social worker" = 5, mediator = 2 }
public_size = 20
hours = ["mon-pm", "tue-pm", "wed-am", "wed-pm", "fri-pm"]
spaces = { reception = 0.2, waiting_room = 0.2, rooms = 0.4 }

[associations.sources]
size = "staff list, 2024"
identity = "interview 3: «we are street workers first»"
culture = "interviews 3 and 5: walk-in, informal, community, social framing"
professions = "staff list, 2024"
public_size = "assumption"
hours = "door sign"
spaces = "observation"

[[associations]]
name = "debt advice"
kind = "social_service"
size = 6
professions = { "social worker" = 4, mediator = 2 }
public_size = 25
hours = ["mon-am", "tue-am", "thu-am", "thu-pm"]
spaces = { reception = 0.2, waiting_room = 0.1, rooms = 0.5 }

[associations.sources]
size = "staff list, 2024"
professions = "staff list, 2024"
public_size = "assumption"
hours = "door sign"
spaces = "observation"

[[schedule]]
name = "side by side"
start = 0

[[schedule]]
name = "renovation"
start = 26
co_presence = 1.0
collaboration = 0.6
common_work = 0.5

[[schedule]]
name = "back in the house"
start = 52
meetings = true
meeting_every = 4
attendance = 0.5

[schedule.sources]
start = "field notes: works ended in week 52"
meetings = "team minutes: a monthly team meeting"
meeting_every = "team minutes"
attendance = "team minutes: about half come"
"""


@pytest.fixture(scope="module")
def renovation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mine")
    path = folder / "renovation.toml"
    path.write_text(RENOVATION, encoding="utf-8")
    return path


def test_the_hand_written_case_describes_the_centre(renovation: Path) -> None:
    case = load_case(renovation)
    assert [a.name for a in case.associations] == ["health centre", "youth work", "debt advice"]
    assert all(a.spaces["reception"] == 0.2 for a in case.associations)  # one shared reception
    assert case.associations[1].culture == (0.95, 0.9, 0.2, 0.9, 0.4, 0.6)
    setting = case.setting({"layout": "separate"})
    assert [setting.phase_at(w).name for w in (0, 26, 51, 52)] == [
        "side by side",
        "renovation",
        "renovation",
        "back in the house",
    ]
    assert setting.phase_at(60).meeting_every == 4


def test_the_hand_written_case_runs_from_the_command_line(
    renovation: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from experiments import cli

    args = ["run", "--case", str(renovation), "--steps", "30", "--no-progress", "--json"]
    assert cli.main(args) == 0
    final = json.loads(capsys.readouterr().out)
    assert final["phase"] == "renovation"
    assert final["common_work_level"] == 0.5


def test_the_hand_written_case_runs_a_sweep_with_its_provenance_in_manifest_and_captions(
    renovation: Path, tmp_path: Path
) -> None:
    from experiments import storage
    from experiments.drawing import draw_figures
    from experiments.sweep import run_sweep

    spec = renovation.parent / "spec.toml"
    spec.write_text(SPEC, encoding="utf-8")
    out = tmp_path / "sweep"
    report = run_sweep(spec, out, executor="serial", progress=False)
    assert report.complete
    assert report.failed == 0
    manifest = storage.read_manifest(out)
    entry = manifest["cases"][str(renovation.resolve())]
    assert entry["name"] == "renovation"
    assert entry["digest"] == load_case(renovation).digest
    assert entry["provenance"]["associations[1].identity"].startswith("interview 3")
    summary = storage.load_summary(out)
    assert set(summary["case"]) == {str(renovation.resolve())}
    assert set(summary["phase"]) == {"renovation"}
    paths = draw_figures(out, only=["renovation_network"], formats=("png",))
    caption = next(p for p in paths if p.suffix == ".txt").read_text(encoding="utf-8")
    assert "The renovation case's workers" in caption
    assert "case: renovation (Neighbourhood centre" in caption


SPEC = """\
name = "renovation"
seed = 3
replicates = 1
steps = 30
record_every = 10
case = "renovation.toml"   # relative to this spec

[design]
kind = "grid"
[design.factors]
pooling_intensity = [0.2, 0.8]
"""


def test_a_design_varies_cases(renovation: Path) -> None:
    from experiments.spec import SpecError, load_spec, point_dicts

    spec = renovation.parent / "compare.toml"
    spec.write_text(
        SPEC.replace('case = "renovation.toml"', "").replace(
            "pooling_intensity = [0.2, 0.8]", 'case = ["cssi", "renovation.toml"]'
        ),
        encoding="utf-8",
    )
    points = point_dicts(load_spec(spec))
    assert [p["case"] for p in points] == ["cssi", str(renovation.resolve())]
    spec.write_text(SPEC.replace("renovation.toml", "nowhere.toml"), encoding="utf-8")
    with pytest.raises(SpecError, match=r"fixed\.case") as err:
        load_spec(spec)
    assert "no case file" in str(err.value)
    spec.write_text(SPEC + '\n[fixed]\ncase = "cssi"\n', encoding="utf-8")
    with pytest.raises(SpecError, match="also set at the top level"):
        load_spec(spec)


def test_case_check_new_and_list(
    renovation: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from experiments import cli

    assert cli.main(["case", "check", str(renovation)]) == 0
    out = capsys.readouterr().out
    assert "associations: 3, 23 workers" in out
    assert "week 26: renovation; co-presence 1, collaboration 0.6, common work 0.5" in out
    assert "values without a source (8)" in out
    assert cli.main(["case", "check", "--strict", str(renovation)]) == 1
    assert cli.main(["case", "check", "--strict", "cssi"]) == 0
    capsys.readouterr()
    assert cli.main(["case", "new", "--like", "cssi"]) == 0
    mine = tmp_path / "mine.toml"
    mine.write_text(capsys.readouterr().out, encoding="utf-8")
    assert load_case(mine).setting({"layout": "separate"}) == load_case("cssi").setting()
    bad = tmp_path / "bad.toml"
    bad.write_text(RENOVATION.replace('site = "house"', "").replace("size = 7", "size = 0"))
    assert cli.main(["case", "check", str(bad)]) == 2
    assert "associations[1].size = 0 is out of range" in capsys.readouterr().err
    assert cli.main(["case", "list", str(tmp_path)]) == 0
    listing = capsys.readouterr().out
    assert "INVALID" in listing
    assert "cssi" in listing


def test_the_dashboard_launcher_passes_its_case_folder_to_the_page(
    renovation: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from experiments.cli.cmd_tools import _offer_cases
    from simulation.cases import CASES_ENV

    monkeypatch.delenv(CASES_ENV, raising=False)
    _offer_cases(str(renovation.parent))
    infos = list_cases(os.environ[CASES_ENV])
    assert "renovation" in [i.name for i in infos if not i.builtin]


def test_the_docs_walk_through_the_case_this_test_runs() -> None:
    docs = (ROOT / "docs" / "cases.md").read_text(encoding="utf-8")
    assert RENOVATION in docs


@pytest.mark.slow
def test_the_built_in_case_files_install_with_the_package(tmp_path: Path) -> None:
    import subprocess
    import sys
    import zipfile

    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path)]
    done = subprocess.run([*command, str(ROOT)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {done.stderr.strip()[-200:]}")
    wheel = next(tmp_path.glob("isohybrid-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for case in BUILTIN_CASES:
        assert f"simulation/cases/{case}.toml" in names


def test_resuming_a_sweep_after_its_case_file_changed_is_a_plan_drift(tmp_path: Path) -> None:
    from experiments.folder import PlanDrift
    from experiments.sweep import run_sweep

    case = tmp_path / "renovation.toml"
    case.write_text(RENOVATION, encoding="utf-8")
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC.replace("steps = 30", "steps = 2"), encoding="utf-8")
    run_sweep(spec, tmp_path / "out", executor="serial", progress=False)
    case.write_text(RENOVATION.replace("size = 10", "size = 11"), encoding="utf-8")
    with pytest.raises(PlanDrift, match=r"case file .*renovation\.toml changed"):
        run_sweep(spec, tmp_path / "out", executor="serial", progress=False)
