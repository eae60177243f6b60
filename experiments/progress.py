"""Progress reports with an ETA: a tqdm bar on a terminal, plain timed lines in a log file."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO


class Progress:
    """Counts finished units and shows rate and ETA on stderr.

    On a terminal or in a notebook this is a tqdm bar. When stderr is not a terminal (CI logs,
    batch jobs), a bar's carriage returns would garble the log, so one line is printed every
    ``interval`` seconds and at the end, each with the count, the rate and the ETA.

    Args:
        total: units to do.
        desc: what is counted (shown first).
        unit: unit name.
        enabled: ``False`` shows nothing.
        stream: where to write (default ``sys.stderr``).
        interval: seconds between log lines when not on a terminal.
    """

    def __init__(
        self,
        total: int,
        desc: str,
        unit: str = "run",
        *,
        enabled: bool = True,
        stream: TextIO | None = None,
        interval: float = 10.0,
    ) -> None:
        self.total, self.desc, self.unit = total, desc, unit
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and total > 0
        self.interval = interval
        self.done = 0
        self._start = time.monotonic()
        self._last = self._start
        self._bar: Any = None
        if self.enabled and (_is_tty(self.stream) or _in_notebook(self.stream)):
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=total, desc=desc, unit=unit, file=self.stream, dynamic_ncols=True
            )

    def update(self, n: int = 1) -> None:
        """Count ``n`` more finished units."""
        self.done += n
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.monotonic()
        if now - self._last >= self.interval or self.done >= self.total:
            self._last = now
            self._line(now)

    def _line(self, now: float) -> None:
        elapsed = now - self._start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else float("nan")
        self.stream.write(
            f"{self.desc}: {self.done}/{self.total} {self.unit}s "
            f"({100 * self.done / self.total:.0f}%), {rate:.2f} {self.unit}s/s, "
            f"elapsed {_clock(elapsed)}, ETA {_clock(left)}\n"
        )
        self.stream.flush()

    def write(self, text: str) -> None:
        """Print a message without breaking the bar."""
        if self._bar is not None:
            self._bar.write(text, file=self.stream)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def close(self) -> None:
        """Finish the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _in_notebook(stream: TextIO) -> bool:
    """A Jupyter kernel's stderr is no terminal, but shows a bar well (tqdm.auto picks it)."""
    return stream is sys.stderr and "ipykernel" in sys.modules


def _clock(seconds: float) -> str:
    if seconds != seconds:  # NaN: no rate yet
        return "?"
    seconds = round(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
