"""The command line's frame: the registry of subcommands, the parser, and one-line errors.

Every error reaches the user as one line, ``isohybrid COMMAND: error: ...``, naming the option
or file and what is allowed, with exit status 2 for a usage error (a bad option or spec, a file
that is not there) and 1 for a runtime failure. ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
EXIT_TERMINATED = 143
"""Exit status after SIGTERM (128 + 15), as a shell reports a process that SIGTERM ended."""


class UsageError(ValueError):
    """A bad option value or combination; reported in one line with exit status 2."""


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, one-line help, argument set-up and handler."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    handler: Callable[[argparse.Namespace], int]
    description: str = ""


COMMANDS: dict[str, Command] = {}
"""Registered subcommands, in the order ``--help`` lists them."""


def register(
    name: str,
    help: str,
    configure: Callable[[argparse.ArgumentParser], None],
    handler: Callable[[argparse.Namespace], int],
    description: str = "",
) -> None:
    """Add a subcommand (``handler(args)`` returns the exit code)."""
    COMMANDS[name] = Command(name, help, configure, handler, description or help)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: ``isohybrid sweep: error: ...``."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = _Parser(
        prog="isohybrid",
        description="Pooling, isomorphism and hybridisation of professional practices: run the "
        "model, sweep its parameters, analyse the results.",
        epilog="`isohybrid COMMAND --help` describes each command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument(
        "--debug",
        "--traceback",
        dest="debug",
        action="store_true",
        help="show the full traceback of an error",
    )
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=_Parser
    )
    for cmd in COMMANDS.values():
        p = sub.add_parser(
            cmd.name,
            help=cmd.help,
            description=cmd.description,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        cmd.configure(p)
        p.set_defaults(_handler=cmd.handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``isohybrid``; returns the exit code.

    No traceback reaches the user unless ``--debug`` is given: every exception becomes one
    line naming what went wrong. A closed output pipe (``isohybrid status DIR | head``) ends
    the command quietly.
    """
    args = build_parser().parse_args(argv)
    try:
        return args._handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    except SystemExit:
        raise
    except BaseException as err:
        if args.debug:
            raise
        print(f"isohybrid {args.command}: error: {one_line(err)}", file=sys.stderr)
        return EXIT_USAGE if is_usage_error(err) else EXIT_FAILED


def one_line(err: BaseException) -> str:
    """An exception as one line: its message (or its type when it has none), newlines folded."""
    text = str(err).strip() or type(err).__name__
    if isinstance(err, OSError) and err.filename is not None and str(err.filename) not in text:
        text = f"{text}: {err.filename}"
    if isinstance(err, KeyError | TypeError | AttributeError | IndexError | AssertionError):
        text = f"{type(err).__name__}: {text} (run with --debug for the traceback)"
    return " ".join(text.split())


def is_usage_error(err: BaseException) -> bool:
    """Whether an error is the user's input (exit 2) rather than a failure (exit 1)."""
    from experiments.spec import SpecError
    from simulation.cases import CaseError

    usage = SpecError | CaseError | UsageError | FileNotFoundError | IsADirectoryError
    return isinstance(err, usage)


def _silence_stdout() -> None:
    """After a closed pipe: point stdout at /dev/null so the interpreter's flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("isohybrid")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- option types: range checks at parse time, before anything is created ----------------------


def int_range(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer in ``[low, high]`` (``high=None``: no upper bound)."""
    allowed = f"an integer in [{low}, {high}]" if high is not None else f"an integer >= {low}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {allowed}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{value} is out of range; allowed: {allowed}")
        return value

    parse.__name__ = "int"
    return parse


def finite_float(text: str) -> float:
    """An argparse type: a finite number (``nan`` and ``inf`` are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def output_file(
    path: Path, *, force: bool, option: str = "--out", suffixes: Sequence[str] = ()
) -> Path:
    """Check, before any work, that ``path`` can be written as a new file.

    Raises:
        UsageError: the path is a folder, its folder does not exist or is not writable, it has
            the wrong extension, it exists and ``force`` is not set, or it lies in a sweep's
            ``shards/`` folder.
    """
    path = Path(path)
    if suffixes and path.suffix not in suffixes:
        raise UsageError(
            f"{option} {path}: unknown file type {path.suffix or '(none)'!r}; "
            f"allowed: {', '.join(suffixes)}"
        )
    if path.is_dir():
        raise UsageError(f"{option} {path} is a folder; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{option} {path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise UsageError(f"{option} {path}: folder {parent} is not writable")
    if parent.name == "shards" and (parent.parent / "manifest.json").is_file():
        raise UsageError(f"{option} {path} is inside a sweep's shards/ folder; write elsewhere")
    if path.exists() and not force:
        raise UsageError(f"{option} {path} exists; add --force to overwrite it")
    return path


def add_force(p: argparse.ArgumentParser) -> None:
    """The ``--force`` option: allow overwriting an existing output file."""
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")


def run_id_type(text: str) -> str:
    """An argparse type: a run id of a sweep, ``p<point>-r<replicate>`` (``p0003-r02``)."""
    from experiments.storage import RUN_ID_PATTERN

    if not RUN_ID_PATTERN.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a run id; allowed: p<point, 4+ digits>-r<replicate, 2+ digits>, "
            "e.g. p0003-r02 (see `isohybrid status DIR`)"
        )
    return text


def jsonable(value: Any) -> Any:
    """Numpy scalars unboxed for JSON."""
    return value.item() if hasattr(value, "item") else value
