"""The ``isohybrid`` command line: run, sweep, status, sensitivity, export, dashboard, classic.

Each subcommand is a pair of functions (one adds its arguments, one does the work) registered
with :func:`register`. The commands live in modules of this package named ``cmd_*.py``, each
with a ``register_commands(register)`` function; a new module of that name is found and its
commands added without editing anything else. Heavy imports happen inside the commands, so
``isohybrid --help`` and ``isohybrid status`` answer at once.
"""

from __future__ import annotations

import pkgutil
import sys
from importlib import import_module

from experiments.cli.cmd_analysis import SENSITIVITY_METHODS
from experiments.cli.cmd_tools import CLASSIC_MODELS, parse_options
from experiments.cli.core import (
    COMMANDS,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_USAGE,
    Command,
    UsageError,
    build_parser,
    main,
    register,
)

__all__ = [
    "CLASSIC_MODELS",
    "COMMANDS",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "SENSITIVITY_METHODS",
    "Command",
    "UsageError",
    "build_parser",
    "main",
    "parse_options",
    "register",
]

_FIRST: tuple[str, ...] = ("cmd_run", "cmd_sweep", "cmd_analysis", "cmd_tools")
"""Command modules listed first in ``--help``; other ``cmd_*`` modules follow by name."""


def _register_all() -> None:
    found = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("cmd_"))
    for name in [*_FIRST, *(n for n in found if n not in _FIRST)]:
        import_module(f"{__name__}.{name}").register_commands(register)
    from experiments.reproduce import register_commands  # figures, reproduce

    register_commands(register)


_register_all()

if __name__ == "__main__":
    sys.exit(main())
