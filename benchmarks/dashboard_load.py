"""A classroom on one server: N headless pages press Play on the CSSI at once.

Run from the repository root::

    .venv/bin/python benchmarks/dashboard_load.py                  # N = 1, 10, 30
    .venv/bin/python benchmarks/dashboard_load.py --pages 1 --seconds 10

It starts ``isohybrid dashboard``'s server on a free loopback port (``127.0.0.1`` only), opens
N pages in one headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright), waits
until every page shows week 0, presses Play on all of them, and measures for ``--seconds``:

* the weeks per second each page reached (median, lowest), read from the page's week counter;
* the server process's CPU time (user + system, all threads) per page-week, from
  ``/proc/<pid>/stat``: the cost a classroom pays on the laptop that serves it;
* the server's CPU time per page opened (drawing the page and building its first run), what a
  class pays once when everyone opens the page.

The browser shares the machine with the server, so the page speeds depend on how many cores
the browser gets; the server's CPU per page-week does not. Everything is bounded: every wait
has a timeout, the server and the browser are stopped at the end (also on error or Ctrl-C),
and the whole run stops by itself. The table is printed as markdown and written as JSON to
``benchmarks/out/dashboard_load.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from experiments.dashboard import (  # noqa: E402
    HEADLESS_CHROMIUM_ARGS,
    ensure_front_end,
    server_command,
    server_environment,
)
from experiments.dashboard import process_cpu_seconds as cpu_seconds  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TARGET_MS = 15.0
"""Server CPU per page-week the classroom needs: 30 pages at 3 weeks/s in 1.5 cores."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            server_command("127.0.0.1", port),
            cwd=ROOT,
            env=server_environment(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server stopped:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the server did not answer within 120 s")


def week(page: Any) -> int:
    return int(page.locator(".week-counter").inner_text(timeout=30_000).split()[-1])


def measure(browser: Any, url: str, pid: int, n: int, seconds: float) -> dict[str, Any]:
    """Open ``n`` pages, press Play on all, and measure the pages' speed and the server's CPU."""
    contexts = [browser.new_context(viewport={"width": 1440, "height": 900}) for _ in range(n)]
    pages = [c.new_page() for c in contexts]
    try:
        opening = cpu_seconds(pid)
        for page in pages:  # students arrive one after another, not all in one instant
            page.set_default_timeout(600_000)
            page.goto(url)
            page.locator(".regime-badge").wait_for()
            page.locator(".chart-band canvas").wait_for()
        time.sleep(2.0)
        opened = cpu_seconds(pid) - opening
        idle0, i0 = cpu_seconds(pid), time.monotonic()
        time.sleep(min(5.0, seconds / 2))  # the server with every page open, none playing
        idle = (cpu_seconds(pid) - idle0) / (time.monotonic() - i0)
        for page in pages:
            page.locator(".run-play").click()
        time.sleep(min(5.0, seconds / 3))  # every page under way
        start_weeks = [week(p) for p in pages]
        cpu0, t0 = cpu_seconds(pid), time.monotonic()
        time.sleep(seconds)
        end_weeks = [week(p) for p in pages]
        cpu1, t1 = cpu_seconds(pid), time.monotonic()
        for page in pages:
            page.locator(".run-play").click()
    finally:
        for c in contexts:
            c.close()
    elapsed = t1 - t0
    rates = [(b - a) / elapsed for a, b in zip(start_weeks, end_weeks, strict=True)]
    page_weeks = sum(b - a for a, b in zip(start_weeks, end_weeks, strict=True))
    cpu = cpu1 - cpu0
    return {
        "pages": n,
        "seconds": round(elapsed, 1),
        "weeks_per_s_median": round(statistics.median(rates), 2),
        "weeks_per_s_lowest": round(min(rates), 2),
        "page_weeks": page_weeks,
        "server_cpu_s": round(cpu, 2),
        "server_cores": round(cpu / elapsed, 2),
        "server_ms_per_page_week": round(1000 * cpu / max(page_weeks, 1), 2),
        "server_idle_cores": round(idle, 3),
        "server_s_per_page_opened": round(opened / n, 2),
        "server_ms_per_page_week_above_idle": round(
            1000 * max(cpu - idle * elapsed, 0.0) / max(page_weeks, 1), 2
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured time per level")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args(argv)
    if max(args.pages) > 60 or min(args.pages) < 1:
        parser.error("--pages between 1 and 60")
    from playwright.sync_api import sync_playwright

    ensure_front_end()
    args.out.mkdir(parents=True, exist_ok=True)
    log = args.out / "dashboard_load_server.log"
    proc, url = start_server(log)
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=list(HEADLESS_CHROMIUM_ARGS)
            )
            try:
                for n in args.pages:
                    row = measure(browser, url, proc.pid, n, args.seconds)
                    rows.append(row)
                    print(row, flush=True)
            finally:
                browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    print()
    print(
        "| pages | weeks/s per page (median, lowest) | server CPU per page-week "
        "| of which above idle | server cores playing | server cores idle "
        "| server CPU per page opened |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['pages']} | {r['weeks_per_s_median']:.1f}, {r['weeks_per_s_lowest']:.1f} "
            f"| {r['server_ms_per_page_week']:.1f} ms "
            f"| {r['server_ms_per_page_week_above_idle']:.1f} ms "
            f"| {r['server_cores']:.2f} | {r['server_idle_cores']:.2f} "
            f"| {r['server_s_per_page_opened']:.2f} s |"
        )
    target = all(r["server_ms_per_page_week"] <= TARGET_MS for r in rows)
    verdict = "met" if target else "missed"
    print(f"\ntarget <= {TARGET_MS:.0f} ms of server CPU per page-week: {verdict}")
    (args.out / "dashboard_load.json").write_text(
        json.dumps(
            {
                "rows": rows,
                "target_ms": TARGET_MS,
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "load_average": os.getloadavg(),
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
