"""What the page does with a run besides drawing it: play, run to a week, compare, URL, export.

The play loop also notices a page whose browser is gone, and stops.
"""

from __future__ import annotations

import csv
import io
import math
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from simulation.dashboard import regime
from simulation.dashboard.charts import MEASURES
from simulation.dashboard.compare import Setup
from simulation.dashboard.run import HISTORY_KEYS, Run, start_run
from simulation.model import PoolingModel, default_parameters
from simulation.parameters import validate_parameter

PLAY_INTERVAL = 0.05
"""Shortest time between two frames while playing, in seconds (at most 20 frames a second)."""

ACK_TIMEOUT = 2.0
"""Longest wait, in seconds, for the browser to catch up before the next frame is sent."""

IN_FLIGHT = 10
"""Frames sent ahead of the last one the browser reported drawn (it reports twice a second)."""

ABANDONED_AFTER = 10.0
"""Seconds without a connected browser after which a playing run pauses."""

COMPARE_SEEDS = 5
"""How many other seeds the comparison runs to draw the band of the measures."""


# --- the browser's presence ---------------------------------------------------------------------


def browser_probe() -> Callable[[], bool]:
    """A function telling whether a browser is still connected to this page.

    Outside a Solara server (a notebook, the tests) there is no connection to lose: it is always
    True.
    """
    try:
        from solara.server import kernel_context

        context = kernel_context.get_current_context()
    except Exception:
        return lambda: True
    connected = kernel_context.PageStatus.CONNECTED

    def alive() -> bool:
        if context.closed_event.is_set():
            return False
        return connected in list(context.page_status.values())

    return alive


class Player:
    """The play loop of one page: steps the run, hands each frame to the page, waits for it.

    A week is sent once the browser is at most ``IN_FLIGHT`` frames behind, so a slow browser
    slows its own run instead of piling up messages. A run whose browser has been gone for
    ``abandoned_after`` seconds stops: a closed laptop does not keep a core busy.
    """

    def __init__(
        self,
        alive: Callable[[], bool],
        wait_drawn: Callable[[int], bool] = lambda frame: True,
        abandoned_after: float = ABANDONED_AFTER,
    ):
        self.alive = alive
        self.wait_drawn = wait_drawn
        self.abandoned_after = abandoned_after

    def play(
        self,
        run: Run,
        weeks: Callable[[], int],
        frame: Callable[[], int],
        keep_going: Callable[[], bool],
        stop: Callable[[str], None],
        cancel: threading.Event,
        interval: float = PLAY_INTERVAL,
        until: int | None = None,
    ) -> None:
        """Step ``run`` and send each ``frame()`` while ``keep_going()``.

        At most ``IN_FLIGHT`` frames are ahead of the last one the browser reported drawn.
        """
        gone_since: float | None = None
        while keep_going() and not cancel.is_set():
            started = time.perf_counter()
            if not self.alive():
                gone_since = gone_since or time.monotonic()
                if time.monotonic() - gone_since > self.abandoned_after:
                    stop("abandoned")
                    return
            else:
                gone_since = None
            step = weeks() if until is None else min(weeks(), until - run.week)
            if step <= 0:
                stop("done")
                return
            try:
                run.step(step)
            except Exception as exc:
                stop(f"The model failed at week {run.week}: {exc}")
                return
            sent = frame()
            if sent > IN_FLIGHT:
                self.wait_drawn(sent - IN_FLIGHT)
            cancel.wait(max(0.0, interval - (time.perf_counter() - started)))


def run_to(run: Run, target: int, cancel: threading.Event | None = None) -> None:
    """Step ``run`` up to week ``target`` without drawing."""
    while run.week < target and not (cancel is not None and cancel.is_set()):
        run.step(min(10, target - run.week))


# --- comparison of seeds -----------------------------------------------------------------------


def seed_band(
    params: Mapping[str, Any], seed: int, weeks: int, n: int = COMPARE_SEEDS
) -> dict[str, list[dict[str, Any]]]:
    """The range (lowest, highest) of each measure over ``n`` other seeds, week by week.

    The seeds are ``seed + 1`` to ``seed + n``, so the band is the same every time.
    """
    keys = [k for k, _, _ in MEASURES]
    values = np.full((n, weeks + 1, len(keys)), np.nan)
    for s in range(n):
        model = PoolingModel(**params, rng=int(seed) + 1 + s)
        for week in range(weeks + 1):
            if week:
                model.step()
            m = model.measures()
            values[s, week] = [_num(m.get(k)) for k in keys]
    with np.errstate(all="ignore"):
        low, high = np.nanmin(values, axis=0), np.nanmax(values, axis=0)
    return {
        k: [
            {"week": w, "low": float(low[w, j]), "high": float(high[w, j]), "seeds": n}
            for w in range(weeks + 1)
            if math.isfinite(low[w, j])
        ]
        for j, k in enumerate(keys)
    }


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


# --- the set-up in the URL ---------------------------------------------------------------------


B_PREFIX = "b."
"""Prefix of run B's entries in the query string (``b.seed``, ``b.openness``, ...)."""


def encode(values: Mapping[str, Any], seed: int, b: Setup | None = None) -> str:
    """The query string of a set-up: the seed and every value that differs from the default.

    With a run B kept, B's seed and its values that differ from the default follow, each
    prefixed with :data:`B_PREFIX`, so that a shared address opens the same comparison.
    """
    items = _entries(values, seed)
    if b is not None:
        items.update({B_PREFIX + k: text for k, text in _entries(b.params(), b.seed).items()})
    return urllib.parse.urlencode(items)


def _entries(values: Mapping[str, Any], seed: int) -> dict[str, str]:
    defaults = default_parameters()
    items = {"seed": str(int(seed))}
    for name, value in values.items():
        if name in defaults and value != defaults[name]:
            items[name] = "auto" if value is None else str(value)
    return items


def decode(query: str | None) -> tuple[dict[str, Any], int | None, list[str]]:
    """Parameters, seed and problems read from a query string (bad entries are left out).

    Run B's entries (:data:`B_PREFIX`) are read by :func:`decode_b`, not here.
    """
    pairs = urllib.parse.parse_qsl(query or "")
    return _decode([(name, text) for name, text in pairs if not name.startswith(B_PREFIX)])


def decode_b(query: str | None) -> tuple[Setup | None, list[str]]:
    """Run B's kept settings read from a query string, or None, and the problems met.

    B's values that are absent take the defaults, as in :func:`encode`; an address with B's
    entries but no valid ``b.seed`` keeps no B and says why.
    """
    pairs = urllib.parse.parse_qsl(query or "")
    own = [(name[len(B_PREFIX) :], text) for name, text in pairs if name.startswith(B_PREFIX)]
    if not own:
        return None, []
    values, seed, problems = _decode(own)
    problems = [f"run B: {problem}" for problem in problems]
    if seed is None:
        if not any(name == "seed" for name, _ in own):
            problems.append("run B: b.seed is missing, so no run B was kept")
        return None, problems
    return Setup.of({**default_parameters(), **values}, seed), problems


def _decode(pairs: list[tuple[str, str]]) -> tuple[dict[str, Any], int | None, list[str]]:
    values: dict[str, Any] = {}
    seed: int | None = None
    problems: list[str] = []
    for name, text in pairs:
        if name == "seed":
            seed = parse_seed(text)
            if seed is None:
                problems.append(f"seed={text!r} is not a whole number, 0 or more")
            continue
        try:
            values[name] = validate_parameter(name, _parse(name, text))
        except ValueError as error:
            problems.append(str(error))
    return values, seed, problems


def _parse(name: str, text: str) -> Any:
    default = default_parameters().get(name)
    if text == "auto":
        return None
    if isinstance(default, bool):
        return text.lower() in ("true", "1", "yes")
    for kind in (int, float):
        try:
            number = kind(text)
        except ValueError:
            continue
        return float(number) if isinstance(default, float) or default is None else number
    return text


def parse_seed(text: Any) -> int | None:
    """The seed in ``text`` (a whole number, 0 or more), or None when it is not one."""
    try:
        value = int(str(text).strip())
    except ValueError:
        return None
    return value if value >= 0 else None


# --- export ------------------------------------------------------------------------------------


def measures_csv(run: Run, other: Run | None = None) -> str:
    """The run's measures week by week, with the regime shown, as CSV text.

    With a run B beside it, B's measures and regime of the same week follow in columns
    prefixed ``b_`` (empty where B has no row for that week).
    """
    out = io.StringIO()
    columns = ["week", *HISTORY_KEYS, "phase", "raw", "regime"]
    columns += [f"{end}_{key}" for key in regime.JUDGED for end in ("low", "high")]
    b_keys = [*HISTORY_KEYS, "phase", "raw", "regime"] if other is not None else []
    columns += [f"b_{key}" for key in b_keys]
    b_rows = {row["week"]: row for row in other.history} if other is not None else {}
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in run.history:
        b_row = b_rows.get(row["week"], {})
        writer.writerow({**row, **{f"b_{key}": b_row.get(key) for key in b_keys}})
    return out.getvalue()


def csv_name(run: Run, other: Run | None = None) -> str:
    """A file name that says which run the CSV is (and which B, when one is beside it)."""
    name = f"isohybrid-{run.params.get('scenario', 'run')}-seed{run.seed}-week{run.week}"
    if other is not None:
        name += f"-and-B-{other.params.get('scenario', 'run')}-seed{other.seed}"
    return name + ".csv"


__all__ = [
    "B_PREFIX",
    "Player",
    "decode",
    "decode_b",
    "encode",
    "parse_seed",
    "run_to",
    "seed_band",
    "start_run",
]
