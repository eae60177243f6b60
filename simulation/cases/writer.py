"""Writing case files: a setting as TOML, and commented templates (``isohybrid case new``).

:func:`dumps_setting` writes any :class:`Setting` (a generated landscape included) in the case
file format, so that :func:`simulation.cases.loads_case` reads back the same setting: a
landscape's generator produces exactly the structure a hand-written file describes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any

from simulation.cases.files import BUILTIN_CASES, case_path
from simulation.cases.keys import SLOT_NAMES
from simulation.cases.schema import TABLES
from simulation.scenarios import AssociationSpec, Phase, Setting

TEMPLATE_HEAD = """\
# A case file of one's own, made from {like}.
# Replace each value with what the field notes say, and each [sources] entry with the passage
# it comes from (quoted between « ») or "assumption: why". Keys are described in docs/cases.md
# (table "Every key"); `isohybrid case check FILE` validates the file and prints a summary;
# `isohybrid run --case FILE` runs it.
"""


def template(like: str | None = None) -> str:
    """A commented case file to start from.

    Args:
        like: a built-in case name or a case file to copy (its comments and sources kept), or
            ``"landscape"`` for a generated two-site landscape written out; default ``cssi``.

    Raises:
        FileNotFoundError: ``like`` is neither a case nor ``"landscape"``.
    """
    like = like or "cssi"
    if like == "landscape":
        import numpy as np

        from simulation.scenarios import landscape

        setting = landscape(24, np.random.default_rng(0), associations_per_site=2)
        head = TEMPLATE_HEAD.format(like="a generated landscape (24 workers, two per site)")
        return head + "\n" + dumps_setting(setting, title="A generated landscape", comments=True)
    path = case_path(like)
    what = f"the built-in case {like!r}" if like in BUILTIN_CASES else f"the file {like}"
    return TEMPLATE_HEAD.format(like=what) + "\n" + path.read_text(encoding="utf-8")


def dumps_setting(setting: Setting, *, title: str = "", comments: bool = False) -> str:
    """A setting in the case file format (``loads_case`` reads back an equal setting).

    Sites are named ``site 1``, ``site 2``, ...; each declares the shared spaces its
    associations use. With ``comments``, the first table of each part explains its keys.
    """
    sites: dict[int, dict[str, None]] = {}
    for spec in setting.associations:
        spaces = sites.setdefault(spec.site, {})
        spaces.update(dict.fromkeys(k for k in spec.spaces if not k.endswith(":own")))
    n_sites = max(sites) + 1
    lines = ["[case]", f"name = {toml_value(setting.name)}"]
    if title:
        lines.append(f"title = {toml_value(title)}")
    if setting.tool_facets:
        lines.append(f"tool_facets = {toml_value(list(setting.tool_facets))}")
    for site in range(n_sites):
        lines += ["", "[[sites]]", *_comment("sites", comments and site == 0)]
        lines += [f"name = {toml_value(f'site {site + 1}')}"]
        lines.append(f"spaces = {toml_value(list(sites.get(site, {})))}")
        if setting.premises_norm:
            lines.append(f"norm = {toml_value(dict(setting.premises_norm))}")
    for k, spec in enumerate(setting.associations):
        lines += ["", "[[associations]]", *_comment("associations", comments and k == 0)]
        lines += [f"{key} = {toml_value(v)}" for key, v in _association(spec).items()]
    for k, phase in enumerate(setting.schedule):
        lines += ["", "[[schedule]]", *_comment("schedule", comments and k == 0)]
        lines += [f"{key} = {toml_value(v)}" for key, v in _phase(phase).items()]
    return "\n".join(lines) + "\n"


def _association(spec: AssociationSpec) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": spec.name,
        "kind": spec.kind,
        "sector": spec.sector,
        "site": f"site {spec.site + 1}",
        "size": spec.size,
        "identity": spec.identity,
        "professions": dict(spec.professions),
        "public_size": spec.public_size,
        "room_lost": spec.room_lost,
        "hours": [SLOT_NAMES[h] for h in spec.hours],
        "spaces": {k: v for k, v in spec.spaces.items() if not k.endswith(":own")},
        "own_spaces": {k[:-4]: v for k, v in spec.spaces.items() if k.endswith(":own")},
    }
    if spec.culture is not None:
        out["culture"] = list(spec.culture)
    return out


def _phase(phase: Phase) -> dict[str, Any]:
    out: dict[str, Any] = {"name": phase.name, "start": phase.start}
    for key in ("co_presence", "collaboration", "common_work", "meeting_every", "attendance"):
        if getattr(phase, key) is not None:
            out[key] = getattr(phase, key)
    if phase.meetings:
        out["meetings"] = True
    return out


def _comment(part: str, on: bool) -> list[str]:
    if not on:
        return []
    return [f"# {k.name}: {k.doc} ({k.allowed()})" for k in TABLES[part] if k.name != "sources"]


def toml_value(value: Any) -> str:
    """A TOML value: strings, booleans, numbers, arrays and inline tables (cases and specs)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Real):
        return repr(float(value))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        items = ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write {value!r} as TOML")


def toml_key(key: str) -> str:
    """A TOML key: bare when it is letters, digits, ``_`` and ``-``; quoted otherwise."""
    return key if key.replace("_", "").replace("-", "").isalnum() else json.dumps(key)
