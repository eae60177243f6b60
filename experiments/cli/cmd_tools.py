"""``isohybrid dashboard`` and ``isohybrid classic``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from experiments.cli.core import EXIT_OK, UsageError, int_range, jsonable


def configure_dashboard(p: argparse.ArgumentParser) -> None:
    """Arguments of ``isohybrid dashboard``."""
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to serve on (default 127.0.0.1; any other address exposes the page, "
        "which has no authentication)",
    )
    p.add_argument(
        "--port", type=int_range(1, 65535), default=8765, help="port, 1 to 65535 (default 8765)"
    )
    p.add_argument(
        "--cases", metavar="DIR", help="a folder of case files the page offers beside the built-in"
    )


def handle_dashboard(args: argparse.Namespace) -> int:
    """``isohybrid dashboard``: serve the page until Ctrl-C or SIGTERM, then stop the server."""
    from experiments import dashboard

    try:
        fetched = dashboard.ensure_front_end()
        if fetched:
            print(f"fetched the page's front-end packages: {', '.join(fetched)}", file=sys.stderr)
    except dashboard.FrontEndUnavailable as error:
        print(f"warning: {error}; the page needs Solara's CDN to load", file=sys.stderr)
    warning = dashboard.exposure_warning(args.host)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    if args.cases is not None:
        _offer_cases(args.cases)
    print(f"serving the dashboard on http://{args.host}:{args.port}", file=sys.stderr)
    return dashboard.serve(args.host, args.port)


def _offer_cases(folder: str) -> None:
    """Pass ``--cases DIR`` to the page's server (which inherits this environment)."""
    import os
    from pathlib import Path

    from simulation.cases import CASES_ENV

    path = Path(folder).expanduser().resolve()
    if not path.is_dir():
        raise UsageError(f"--cases {folder!r} is not a folder of case files")
    os.environ[CASES_ENV] = str(path)


CLASSIC_MODELS: tuple[str, ...] = ("axelrod", "deffuant", "march")
"""Classic models the pooling model's rules come from (``simulation.classic``)."""


def configure_classic(p: argparse.ArgumentParser) -> None:
    """Arguments of ``isohybrid classic``."""
    p.add_argument("model", choices=CLASSIC_MODELS, help="which classic model to run")
    p.add_argument(
        "options",
        nargs=argparse.REMAINDER,
        metavar="--key value",
        help="keyword arguments of simulation.classic.MODEL, e.g. --n-agents 100 --steps 5000 "
        "(--params lists them)",
    )


def handle_classic(args: argparse.Namespace) -> int:
    """``isohybrid classic``."""
    import importlib
    import inspect

    classic = importlib.import_module("simulation.classic")
    fn = getattr(classic, args.model)
    if "--params" in args.options or "-h" in args.options or "--help" in args.options:
        print(f"simulation.classic.{args.model}{inspect.signature(fn)}\n")
        print(inspect.getdoc(fn) or "")
        return EXIT_OK
    options = parse_options(args.options)
    _check_keywords(fn, args.model, options)
    result = fn(**options)
    out = result.as_dict() if hasattr(result, "as_dict") else result
    print(json.dumps(out, indent=2, default=jsonable))
    return EXIT_OK


def _check_keywords(fn: Callable[..., Any], model: str, options: dict[str, Any]) -> None:
    """Refuse an unknown option, listing the model's keywords."""
    import inspect

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    allowed = [
        name
        for name, p in params.items()
        if p.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    for key in options:
        if key not in allowed:
            shown = ", ".join("--" + a.replace("_", "-") for a in allowed)
            raise UsageError(
                f"--{key.replace('_', '-')} is not an option of {model}; allowed: {shown}"
            )


def parse_options(tokens: Sequence[str]) -> dict[str, Any]:
    """``["--n-agents", "100", "--mu=0.3", "--flag"]`` -> ``{"n_agents": 100, "mu": 0.3, ...}``.

    Values are read as int, float, true/false, none, or kept as strings; an option without a
    value is ``True``.

    Raises:
        UsageError: a token that is not ``--key`` or ``--key=value``.
    """
    out: dict[str, Any] = {}
    tokens = list(tokens)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not token.startswith("--") or len(token) < 3:
            raise UsageError(f"expected --key value, got {token!r}")
        key, eq, value = token[2:].partition("=")
        if not eq:
            if i + 1 < len(tokens) and not tokens[i + 1].startswith("--"):
                value, i = tokens[i + 1], i + 1
            else:
                value = "true"
        out[key.replace("-", "_")] = _literal(value)
        i += 1
    return out


def _literal(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "none":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def register_commands(register: Callable[..., None]) -> None:
    """Add ``dashboard`` and ``classic``."""
    register(
        "dashboard",
        "serve the interactive dashboard (Solara) in the browser",
        configure_dashboard,
        handle_dashboard,
    )
    register(
        "classic",
        "run a classic model: Axelrod (1997), Deffuant et al. (2000) or March (1991)",
        configure_classic,
        handle_classic,
    )
