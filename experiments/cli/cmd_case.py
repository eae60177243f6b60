"""``isohybrid case``: check a case file, write a new one from a template, list cases."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from experiments.cli.core import EXIT_FAILED, EXIT_OK


def configure_case(p: argparse.ArgumentParser) -> None:
    """Arguments of ``isohybrid case check|new|list``."""
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = sub.add_parser(
        "check", help="validate a case file and print a summary of what it describes"
    )
    check.add_argument("file", help="a case file (.toml) or a built-in case (cssi, helpline)")
    check.add_argument(
        "--strict", action="store_true", help="fail (exit 1) when a value has no source"
    )
    new = sub.add_parser("new", help="print a commented case file to start from")
    new.add_argument(
        "--like",
        default="cssi",
        help="cssi, helpline, landscape (a generated one, written out) or a case file "
        "(default: cssi)",
    )
    listing = sub.add_parser("list", help="list the built-in cases and those of a folder")
    listing.add_argument("folder", nargs="?", type=Path, help="a folder of case files")


def handle_case(args: argparse.Namespace) -> int:
    """``isohybrid case``."""
    if args.action == "new":
        from simulation.cases.writer import template

        sys.stdout.write(template(args.like))
        return EXIT_OK
    if args.action == "list":
        from simulation.cases import list_cases

        for info in list_cases(args.folder):
            where = "built-in" if info.builtin else str(info.path)
            state = f"INVALID: {info.error}" if info.error else info.title
            print(f"{info.name:<16} {where:<40} {state}")
        return EXIT_OK
    return _check(args.file, args.strict)


def _check(file: str, strict: bool) -> int:
    from simulation.cases import load_case
    from simulation.model import default_parameters

    case = load_case(file)
    case.setting(default_parameters())  # phases that follow a parameter, at its default
    print(case.summary())
    missing = case.unsourced()
    if missing:
        print(f"values without a source ({len(missing)}): " + ", ".join(missing))
    print(f"{file}: valid")
    return EXIT_FAILED if strict and missing else EXIT_OK


def register_commands(register) -> None:
    """Register ``isohybrid case``."""
    register(
        "case",
        "check a case file, write a new one from a template, list cases",
        configure_case,
        handle_case,
        "Case files describe a pooling setting of one's own (associations, sites, schedule,\n"
        "with the source of each value): see docs/cases.md.\n"
        "  isohybrid case new --like cssi > mine.toml   a commented file to start from\n"
        "  isohybrid case check mine.toml               validate it and print a summary\n"
        "  isohybrid case list [DIR]                    the built-in cases and DIR's files\n"
        "  isohybrid run --case mine.toml               run it",
    )
