"""The dashboard in a real browser: the Solara server driven by headless Chromium (Playwright).

Debian's Chromium (``apt-get install chromium``) is used, not Playwright's own browser build.
Without it the tests are skipped on a workstation and fail in CI (``CI`` set). The page's
front-end files, which Solara otherwise fetches from a CDN at run time, are put in Solara's
asset cache from the npm registry first (:func:`experiments.dashboard.ensure_front_end`), so the
page loads offline; the server is started exactly as ``isohybrid dashboard`` starts it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from experiments.dashboard import (
    FrontEndUnavailable,
    ensure_front_end,
    server_command,
    server_environment,
)

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = os.environ.get("DASHBOARD_SCREENSHOTS")
"""Directory where the screenshots are also copied (they are always in pytest's tmp dir)."""


def _unavailable(reason: str) -> None:
    """Skip on a workstation; in CI a missing prerequisite is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found: apt-get install chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    return CHROMIUM


# --- the server -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``python -m solara run simulation.dashboard`` on a free loopback port; yields (url, log)."""
    try:
        ensure_front_end()
    except FrontEndUnavailable as error:
        _unavailable(str(error))
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    cmd, env = server_command("127.0.0.1", port), server_environment()
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the server stopped (code {proc.returncode}):\n{log.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer within 120 s:\n{log.read_text()}")
            time.sleep(0.5)
        yield url, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- the test ---------------------------------------------------------------------------------


def _save(page, path: Path) -> Path:
    page.mouse.move(0, 0)  # no hover effect in the picture
    page.screenshot(path=str(path), full_page=True)
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(SCREENSHOTS) / path.name)
    return path


def _week(page) -> int:
    return int(page.locator(".week-counter").inner_text().split()[-1])


def _wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def _settled(read, quiet: float = 1.5, timeout: float = 60.0):
    """The value of ``read()`` once it has not changed for ``quiet`` seconds."""
    value, since, deadline = read(), time.monotonic(), time.monotonic() + timeout
    while time.monotonic() - since < quiet:
        if time.monotonic() > deadline:
            pytest.fail(f"the page kept changing for {timeout:.0f} s after Pause")
        time.sleep(0.1)
        now = read()
        if now != value:
            value, since = now, time.monotonic()
    return value


def test_dashboard_in_chromium(chromium: Path, server: tuple[str, Path], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    url, log = server
    problems: list[str] = []
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path / "profile"),
            executable_path=str(chromium),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1600, "height": 1800},
        )
        try:
            page = context.new_page()
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on(
                "console",
                lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None,
            )
            page.on(
                "response",
                lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None,
            )
            page.set_default_timeout(60_000)
            page.goto(url)
            page.locator(".regime-badge").wait_for()
            page.locator(".view-metrics img").wait_for()
            assert _week(page) == 0
            assert page.locator(".param-pooling_intensity .param-value").inner_text() == "0.40"
            _save(page, tmp_path / "dashboard-start.png")

            # a slider: pooling intensity to its maximum, from the keyboard
            page.locator(".param-pooling_intensity [role=slider]").focus()
            page.keyboard.press("End")
            value = page.locator(".param-pooling_intensity .param-value")
            _wait_until(lambda: value.inner_text() == "1.00", 30, "the slider to reach 1.00")

            # Step: the week, the plots and the badge's week move on
            plot = page.locator(".view-metrics img")
            before = plot.get_attribute("src")
            page.locator(".run-step").click()
            _wait_until(lambda: _week(page) == 1, 30, "week 1 after Step")
            _wait_until(lambda: plot.get_attribute("src") != before, 30, "the plots to redraw")
            assert page.locator(".regime-week").inner_text().startswith("Week 1")

            # the scenario: the helpline, with its schedule phase
            page.locator(".choice-helpline").click()
            phase = page.locator(".phase-text")
            _wait_until(lambda: "centralised" in phase.inner_text(), 30, "the helpline phase")
            assert _week(page) == 0
            first_regime = page.locator(".regime-name").inner_text()

            # Play until the regime changes, then Pause: the weeks stop
            seen = {first_regime}
            page.locator(".run-play").click()
            _wait_until(
                lambda: seen.add(page.locator(".regime-name").inner_text()) or len(seen) > 1,
                120,
                f"the regime badge to change from {first_regime} while playing",
            )
            page.locator(".run-play").click()
            page.locator(".run-play").get_by_text("Play").wait_for()
            paused_at = _settled(lambda: _week(page))  # the frame under way finishes
            time.sleep(1.0)
            assert _week(page) == paused_at, "Pause stops the weeks"
            assert paused_at >= 1
            shot = _save(page, tmp_path / "dashboard-helpline.png")

            assert page.locator(".dashboard-error").count() == 0
            assert page.locator(".v-alert").count() == 0
            assert shot.stat().st_size > 10_000
        finally:
            context.close()
    assert not problems, "\n".join(problems)
    server_log = log.read_text()
    assert "Traceback" not in server_log, server_log
    assert "Could not load URL" not in server_log, server_log
