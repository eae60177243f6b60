"""The dashboard in a real browser: the Solara server driven by headless Chromium (Playwright).

Layout at three window sizes, the badge at week 0 and on a 10,000-worker landscape, the
helpline's disabled controls, comparison, export, run to a week, the URL, the seed box, and
the stop of a run whose browser is gone. Screenshots go to pytest's temporary folder (and to
``$DASHBOARD_SCREENSHOTS`` if set).

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
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cases import RENOVATION

from experiments.dashboard import (
    HEADLESS_CHROMIUM_ARGS,
    FrontEndUnavailable,
    ensure_front_end,
    process_cpu_seconds,
    server_command,
    server_environment,
)
from simulation.cases import CASES_ENV

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
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
def cases_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of case files the launcher gives the page: a hand-written centre of one's own."""
    folder = tmp_path_factory.mktemp("cases")
    (folder / "renovation.toml").write_text(RENOVATION, encoding="utf-8")
    return folder


SERVER_PIDS: dict[str, int] = {}
"""The process serving each test server's address."""


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, cases_folder: Path
) -> Iterator[tuple[str, Path]]:
    """``python -m solara run simulation.dashboard`` on a free loopback port; yields (url, log)."""
    try:
        ensure_front_end()
    except FrontEndUnavailable as error:
        _unavailable(str(error))
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    cmd, env = server_command("127.0.0.1", port), server_environment()
    env = {**env, CASES_ENV: str(cases_folder)}
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    SERVER_PIDS[url] = proc.pid
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


# --- reading the page---------------------------------------------------------------------------


def _save(page, path: Path) -> Path:
    page.mouse.move(0, 0)  # no hover effect in the picture
    page.screenshot(path=str(path))
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


def _href(page) -> str:
    """The address in the address bar (the page changes it with the history API)."""
    return page.evaluate("() => window.location.href")


def _in_view(page, selector: str) -> bool:
    """Whether the element is entirely inside the window."""
    box = page.locator(selector).first.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["x"] >= -1
        and box["y"] >= -1
        and box["x"] + box["width"] <= size["width"] + 1
        and box["y"] + box["height"] <= size["height"] + 1
    )


VIEWS = (
    ".regime-badge",
    ".run-play",
    ".week-counter",
    ".view-network canvas",
    ".view-practices canvas",
    *(f".chart-{k} canvas" for k in (
        "centroid_gap_ratio", "distinguishability", "crossing", "public_access"
    )),
    ".chart-band canvas",
)  # fmt: skip


@pytest.fixture(scope="module")
def pw(chromium: Path):
    """Playwright, once for the module (its synchronous API runs once per thread)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(pw, chromium: Path):
    b = pw.chromium.launch(
        executable_path=str(chromium), args=list(HEADLESS_CHROMIUM_ARGS), headless=True
    )
    yield b
    b.close()


@pytest.fixture
def open_page(browser, server):
    """Open the dashboard (with a query string) at a window size; no error may show."""
    url, log = server
    problems: list[str] = []
    contexts = []

    def go(query: str = "", width: int = 1440, height: int = 900, downloads: bool = False):
        context = browser.new_context(
            viewport={"width": width, "height": height}, accept_downloads=downloads
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on(
            "console",
            lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None,
        )
        page.set_default_timeout(60_000)
        page.goto(url + query)
        page.locator(".regime-badge").wait_for()
        page.locator(".chart-band canvas").wait_for()
        return page

    yield go
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)
    server_log = log.read_text()
    assert "Traceback" not in server_log, server_log[-3000:]


# --- the tests --------------------------------------------------------------------------------


def test_everything_in_one_window_at_1440x900(open_page, tmp_path: Path) -> None:
    page = open_page()
    assert _week(page) == 0
    for selector in VIEWS:
        assert _in_view(page, selector), f"{selector} is not in the 1440x900 window"
    _save(page, tmp_path / "dashboard-1440x900.png")
    # the controls scroll on their own: the views stay put
    page.locator(".controls").evaluate("e => e.scrollTo(0, e.scrollHeight)")
    assert _in_view(page, ".view-network canvas")


def test_stacks_at_1280x720_with_the_run_bar_always_on_screen(open_page, tmp_path) -> None:
    page = open_page(width=1280, height=720)
    page.locator(".views").evaluate("e => e.scrollTo(0, e.scrollHeight)")
    time.sleep(0.3)
    assert _in_view(page, ".chart-band canvas")
    for selector in (".regime-badge", ".run-play", ".week-counter"):
        assert _in_view(page, selector), f"{selector} scrolled away"
    _save(page, tmp_path / "dashboard-1280x720.png")


def test_a_phone_gets_the_controls_in_a_drawer(open_page, tmp_path) -> None:
    page = open_page(width=390, height=844)
    for selector in (".regime-badge", ".run-play", ".week-counter"):
        assert _in_view(page, selector), selector
    controls = page.locator(".controls").bounding_box()
    assert controls["x"] + controls["width"] <= 0, "the drawer starts closed"
    page.locator(".views").evaluate("e => e.scrollTo(0, e.scrollHeight)")
    time.sleep(0.3)
    assert _in_view(page, ".run-play")
    _save(page, tmp_path / "dashboard-390x844.png")
    page.locator(".drawer-toggle").click()
    _wait_until(lambda: page.locator(".controls").bounding_box()["x"] >= -1, 10, "the drawer")
    assert _in_view(page, ".param-pooling_intensity")
    _save(page, tmp_path / "dashboard-390x844-controls.png")


def test_badge_at_week_zero_and_on_a_landscape_of_10000_workers(open_page, tmp_path) -> None:
    page = open_page("?scenario=landscape&n_workers=10000")
    assert page.locator(".regime-name").inner_text() == "Nothing has happened yet"
    assert "press Play" in page.locator(".regime-text").inner_text()
    page.locator(".run-step").click()
    _wait_until(lambda: _week(page) == 1, 60, "week 1")
    _wait_until(
        lambda: page.locator(".regime-name").inner_text() == "Too early to say", 30, "the badge"
    )
    assert (
        "10,000 workers" in page.locator(".view-network").inner_text()
        or page.locator(".view-network canvas").count()
    )
    _save(page, tmp_path / "dashboard-landscape.png")


def test_the_helpline_disables_pooling_and_premises_with_a_reason(open_page, tmp_path) -> None:
    page = open_page("?scenario=helpline")
    block = page.locator(".param-pooling_intensity")
    assert "helpline" in block.locator(".disabled-reason").inner_text()
    assert block.locator("input").first.is_disabled()
    assert page.locator(".param-layout .disabled-reason").count() == 1
    assert page.locator(".choice-shared").is_disabled()
    assert page.locator(".param-openness .disabled-reason").count() == 0
    _save(page, tmp_path / "dashboard-helpline.png")


def test_seed_url_run_to_compare_and_export(open_page, tmp_path) -> None:
    page = open_page(downloads=True)
    seed = page.locator(".param-seed input")
    # an invalid seed is refused visibly and the run keeps its seed
    seed.fill("abc")
    seed.press("Enter")
    page.locator(".seed-message").wait_for()
    assert "whole number" in page.locator(".seed-message").inner_text()
    assert seed.input_value() == "abc"
    seed.fill("7")
    seed.press("Enter")
    _wait_until(lambda: "seed=7" in _href(page), 30, "the seed in the URL")
    page.locator(".param-openness [role=slider]").focus()
    page.keyboard.press("End")
    _wait_until(lambda: "openness=1.0" in _href(page), 30, "openness in the URL")
    # the URL gives the same set-up to another page
    other = open_page("?" + _href(page).split("?", 1)[1])
    assert other.locator(".param-openness .param-value").inner_text() == "1.00"
    assert other.locator(".param-seed input").input_value() == "7"
    # run to week N
    target = page.locator(".run-to input")
    target.fill("25")
    target.press("Enter")
    page.locator(".run-to-button").click()
    _wait_until(lambda: _week(page) == 25, 60, "week 25")
    # compare five seeds: a band under the measures
    page.locator(".compare-seeds").click()
    page.locator(".compare-clear").wait_for(timeout=90_000)
    # export: the measures as CSV, a chart as PNG from its menu
    with page.expect_download() as csv:
        page.get_by_text("Download measures (CSV)").click()
    text = Path(csv.value.path()).read_text().splitlines()
    assert text[0].startswith("week,")
    assert len(text) == 1 + 26  # a header, weeks 0 to 25
    page.locator(".chart-band summary").click()
    with page.expect_download() as png:
        page.locator(".chart-band").get_by_text("Save as PNG").click()
    assert Path(png.value.path()).read_bytes()[:4] == b"\x89PNG"
    _save(page, tmp_path / "dashboard-compare.png")


def test_a_fresh_page_has_its_set_up_in_the_url(open_page) -> None:
    """A teacher copies the address of a page nobody touched: the seed is in it, and stays."""
    page = open_page()
    _wait_until(lambda: "seed=42" in _href(page), 30, "the seed in a fresh page's URL")
    page.wait_for_timeout(1000)
    assert "seed=42" in _href(page), "the browser's own address did not replace it"
    other = open_page("?" + _href(page).split("?", 1)[1])
    assert other.locator(".param-seed input").input_value() == "42"


def test_compare_with_other_settings(open_page, server, tmp_path) -> None:
    """Keep the settings as B, change openness: A and B play together, two badges, a legend;
    once they stop, the pair costs the server no more than an idle page (see below). The
    address carries B: opened in another window, it shows the same comparison."""
    page = open_page()
    page.locator(".compare-settings").click()
    page.locator(".b-badge").wait_for()
    page.locator(".param-openness [role=slider]").focus()
    page.keyboard.press("End")
    _wait_until(lambda: "openness=1.0" in _href(page), 30, "openness in the URL")
    _wait_until(lambda: "b.seed=42" in _href(page), 30, "B in the URL")
    shared = open_page("?" + urllib.parse.urlsplit(_href(page)).query)
    shared.locator(".b-badge").wait_for()
    assert "B (dashed): openness 0.50" in shared.locator(".compare-legend").inner_text()
    shared.close()
    legend = page.locator(".compare-legend")
    _wait_until(lambda: "openness 1.00" in legend.inner_text(), 30, "the legend")
    assert "B (dashed): openness 0.50" in legend.inner_text()
    target = page.locator(".run-to input")
    target.fill("20")
    target.press("Enter")
    page.locator(".run-to-button").click()
    _wait_until(lambda: _week(page) == 20, 60, "week 20")
    _wait_until(
        lambda: page.locator(".b-regime-name").inner_text() != "B: Nothing has happened yet",
        30,
        "B's badge",
    )
    for selector in (".regime-badge", ".b-badge", ".compare-legend"):
        assert _in_view(page, selector), f"{selector} is not in the 1440x900 window"
    _save(page, tmp_path / "dashboard-compare-settings.png")
    pid = SERVER_PIDS[server[0]]
    page.wait_for_timeout(1000)
    before = process_cpu_seconds(pid)
    page.wait_for_timeout(5000)
    assert process_cpu_seconds(pid) - before < 0.2
    page.locator(".compare-b-clear").click()
    _wait_until(lambda: page.locator(".b-badge").count() == 0, 30, "B to go")
    _wait_until(lambda: "b.seed" not in _href(page), 30, "B to leave the URL")


def test_a_case_file_of_ones_own_is_offered_and_runs(open_page, cases_folder, tmp_path) -> None:
    """The hand-written centre (three associations, one shared reception, joint work during a
    renovation) from the launcher's folder: picked through the URL, shown in the picker, the
    scenario control set aside with its reason, and run to a week."""
    case = cases_folder / "renovation.toml"
    page = open_page("?" + urllib.parse.urlencode({"case": str(case)}))
    assert "renovation" in page.locator(".param-case").inner_text()
    assert page.locator(".param-scenario .disabled-reason").count() == 1
    target = page.locator(".run-to input")
    target.fill("5")
    target.press("Enter")
    page.locator(".run-to-button").click()
    _wait_until(lambda: _week(page) == 5, 60, "week 5 of the case file's run")
    _save(page, tmp_path / "dashboard-case-file.png")


def test_an_open_page_that_is_not_playing_costs_the_server_nothing(open_page, server) -> None:
    """No message goes back and forth while nothing happens.

    Vega writes into the rows it draws; had the charts handed it the synced rows themselves,
    every chart would send its rows back to the server, and be redrawn, in a loop (about a
    third of a core per open page). 0.2 s of CPU in 5 s is ten times what an idle server uses
    here and a sixth of what that loop cost.
    """
    url, _ = server
    page = open_page()
    page.wait_for_timeout(2000)
    pid = SERVER_PIDS[url]
    before = process_cpu_seconds(pid)
    page.wait_for_timeout(5000)
    assert _week(page) == 0
    assert process_cpu_seconds(pid) - before < 0.2


def test_a_run_whose_browser_is_gone_stops_within_30_s(pw, chromium, server, tmp_path) -> None:
    """Chromium is killed while playing: the server pauses the run and says so."""
    url, log = server
    port = _free_port()
    proc = subprocess.Popen(
        [str(chromium), *HEADLESS_CHROMIUM_ARGS, f"--remote-debugging-port={port}",
         f"--user-data-dir={tmp_path / 'profile'}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                b = pw.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        page = b.contexts[0].new_page()
        page.set_default_timeout(60_000)
        page.goto(url)
        page.locator(".chart-band canvas").wait_for()
        page.locator(".run-play").click()
        _wait_until(lambda: _week(page) >= 3, 60, "the run to play")
        before = log.read_text().count("run paused")
        proc.kill()  # a crash: no goodbye from the page
        proc.wait(timeout=10)
        killed = time.monotonic()
        _wait_until(lambda: log.read_text().count("run paused") > before, 30, "the run to stop")
        assert time.monotonic() - killed <= 30
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
