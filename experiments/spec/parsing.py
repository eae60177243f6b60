"""Reading specs: TOML files, named specs in ``experiments/specs``, dicts."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from experiments.spec.errors import SpecError
from experiments.spec.sweepspec import SweepSpec, spec_from_dict

SPEC_DIR = Path(__file__).resolve().parent.parent / "specs"
"""Folder of the named specs (``isohybrid sweep smoke`` reads ``specs/smoke.toml``)."""


def named_specs() -> dict[str, Path]:
    """The named specs shipped in ``experiments/specs``: name -> path."""
    return {p.stem: p for p in sorted(SPEC_DIR.glob("*.toml"))}


def resolve_spec_path(spec: str | Path) -> Path:
    """A spec file path, or the path of a named spec (``"smoke"`` -> ``specs/smoke.toml``)."""
    path = Path(spec)
    if path.is_file():
        return path
    named = named_specs()
    if str(spec) in named:
        return named[str(spec)]
    raise FileNotFoundError(
        f"no spec file {str(spec)!r} and no named spec of that name; named specs: "
        + ", ".join(named)
    )


def load_spec(
    spec: str | Path | Mapping[str, Any] | SweepSpec, *, quick: bool = False
) -> SweepSpec:
    """Read and validate a spec from a TOML file, a named spec, a dict or a spec.

    Args:
        spec: a path to a ``.toml`` file, the name of a spec in ``experiments/specs``, a dict
            with the TOML structure, or a :class:`SweepSpec`.
        quick: return the reduced variant (see :meth:`SweepSpec.reduced`).

    Raises:
        SpecError: naming the bad key, its value and what is allowed.
        FileNotFoundError: no such file or named spec.
    """
    if isinstance(spec, SweepSpec):
        out = spec
    elif isinstance(spec, Mapping):
        out = spec_from_dict(spec)
    else:
        path = resolve_spec_path(spec)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise SpecError("(file)", str(path), f"is not valid TOML ({err})", "TOML") from None
        raw.setdefault("name", path.stem)
        from experiments.spec.case_key import place_case_key

        raw = place_case_key(raw, path.parent)  # case paths are relative to the spec
        try:
            out = spec_from_dict(raw)
        except SpecError as err:
            raise err.with_source(str(path)) from None
    return out.reduced() if quick else out
