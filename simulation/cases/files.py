"""Reading case files: the built-in cases shipped with the package, and any file or folder.

This is the only module of the simulation package that reads files; the model calls it when
given ``case=`` (or ``scenario="cssi"`` / ``"helpline"``), before it draws anything.
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from simulation.cases.case import Case
from simulation.cases.errors import CaseError
from simulation.cases.validate import parse_case

CASE_DIR = Path(__file__).parent
"""Folder of the built-in case files (installed with the package)."""

BUILTIN_CASES: tuple[str, ...] = ("cssi", "helpline")
"""Names of the built-in cases: the study's two cases."""

CASES_ENV = "ISOHYBRID_CASES"
"""Environment variable through which ``isohybrid dashboard --cases DIR`` passes its folder."""


@dataclass(frozen=True)
class CaseInfo:
    """A case a picker can offer: its name, title, file, and why it cannot load (if so)."""

    name: str
    title: str
    path: Path
    builtin: bool
    error: str | None = None


def case_path(path_or_name: str | Path) -> Path:
    """The file of a built-in case name (``"cssi"``) or of a path.

    Raises:
        FileNotFoundError: no such file, and no built-in case of that name.
    """
    text = str(path_or_name)
    if text in BUILTIN_CASES and not Path(text).is_file():
        return CASE_DIR / f"{text}.toml"
    path = Path(path_or_name).expanduser()
    if not path.is_file():
        raise FileNotFoundError(
            f"no case file {text!r} and no built-in case of that name; built-in cases: "
            + ", ".join(BUILTIN_CASES)
        )
    return path


def load_case(path_or_name: str | Path | Case) -> Case:
    """Read and validate a case file (or a built-in case by name).

    Args:
        path_or_name: a ``.toml`` path, a built-in name (:data:`BUILTIN_CASES`), or a
            :class:`Case` (returned as it is).

    Raises:
        CaseError: the file is invalid; names the file, line, key path, value and what is
            allowed.
        FileNotFoundError: no such file or built-in case.
    """
    if isinstance(path_or_name, Case):
        return path_or_name
    path = case_path(path_or_name).resolve()
    stat = path.stat()
    return _load(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _load(path: Path, _mtime: int, _size: int) -> Case:
    """Parse once per file version (sweeps build many models from one case)."""
    text = path.read_text(encoding="utf-8")
    return loads_case(text, source=str(path), path=path)


def loads_case(text: str, source: str = "<string>", path: Path | None = None) -> Case:
    """Validate a case file's text.

    Raises:
        CaseError: as :func:`load_case`.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise CaseError("(file)", source, f"is not valid TOML ({err})", "TOML", source) from None
    try:
        case = parse_case(raw)
    except CaseError as err:
        raise err.located(source, text) from None
    digest = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    return replace(case, path=path, digest=digest)


def list_cases(folder: str | Path | None = None) -> list[CaseInfo]:
    """The built-in cases, then every ``*.toml`` file of ``folder`` (sorted by file name).

    Never raises for a bad file: its :attr:`CaseInfo.error` says what is wrong.

    Raises:
        FileNotFoundError: ``folder`` is given and is not a folder.
    """
    paths = [(CASE_DIR / f"{name}.toml", True) for name in BUILTIN_CASES]
    if folder is not None:
        folder = Path(folder).expanduser()
        if not folder.is_dir():
            raise FileNotFoundError(f"no folder of case files {str(folder)!r}")
        paths += [(p, False) for p in sorted(folder.glob("*.toml"))]
    out = []
    for path, builtin in paths:
        try:
            case = load_case(path)
            out.append(CaseInfo(case.name, case.title, path, builtin))
        except (CaseError, OSError, UnicodeDecodeError) as err:
            out.append(CaseInfo(path.stem, "", path, builtin, str(err)))
    return out
