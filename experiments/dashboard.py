"""Launching the Solara dashboard, including on machines that cannot reach Solara's CDN.

Solara's page loads its front-end packages (Vue, Vuetify, RequireJS, Font Awesome) from a CDN
through its own asset proxy, which caches them on disk. On a machine with no route to the CDN
(a training room, a cluster node, a sandbox) the page stays blank; :func:`ensure_front_end`
fills that cache once from the npm registry (``npm pack``), so the dashboard then works offline.

:func:`serve` runs the server as a child process and stops it with the launcher: on Ctrl-C, on
SIGTERM (what ``timeout``, ``docker stop`` and batch schedulers send), and, on Linux, when the
launcher is killed outright (the child gets a parent-death signal).
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from experiments import lifeline


class FrontEndUnavailable(RuntimeError):
    """The page's front-end packages are missing and could not be fetched."""


HEADLESS_CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    # every page plays, not only the one in front
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
)
"""How the dashboard's browser tests and load benchmark start Debian's Chromium: headless,
offline, and with every page running as if it were in front."""


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), in seconds, from ``/proc``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def front_end_packages() -> list[str]:
    """The npm packages (``name@version``) that Solara's page template loads from its CDN."""
    import solara.server
    import solara.server.settings as settings

    template = Path(solara.server.__file__).parent / "templates" / "solara.html.j2"
    found = re.findall(r"\{\{cdn\}\}/((?:@[\w.-]+/)?[\w.-]+@[\w.-]+)/", template.read_text())
    fontawesome = settings.assets.fontawesome_path.strip("/").split("/")[0]
    import altair  # the dashboard's charts load Vega at the majors Altair writes for

    vega = (
        ("vega", altair.VEGA_VERSION),
        ("vega-lite", altair.VEGALITE_VERSION),
        ("vega-embed", altair.VEGAEMBED_VERSION),
    )
    return sorted({*found, fontawesome, *(f"{n}@{v.split('.')[0]}" for n, v in vega)})


def asset_cache() -> Path:
    """Solara's CDN cache folder (``SOLARA_ASSETS_PROXY_CACHE_DIR`` or its default)."""
    import solara.server.settings as settings

    return Path(settings.assets.proxy_cache_dir)


def ensure_front_end(cache: Path | None = None, timeout: float = 300.0) -> list[str]:
    """Unpack every missing front-end package into Solara's CDN cache.

    Returns:
        The packages that were fetched (empty when the cache was complete).

    Raises:
        FrontEndUnavailable: npm is missing or could not fetch a package.
    """
    cache = asset_cache() if cache is None else cache
    missing = [p for p in front_end_packages() if not (cache / p / "package.json").exists()]
    if not missing:
        return []
    npm = shutil.which("npm")
    if npm is None:
        raise FrontEndUnavailable(f"npm is needed once to fetch the page's files: {missing}")
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [npm, "pack", "--silent", *missing],
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if out.returncode != 0:
            raise FrontEndUnavailable(f"npm pack {missing} failed: {out.stderr.strip()[-500:]}")
        for package, tgz in zip(missing, out.stdout.split(), strict=True):
            target = cache / package
            target.mkdir(parents=True, exist_ok=True)
            with tarfile.open(Path(tmp) / tgz) as archive:
                for member in archive.getmembers():
                    if "/" not in member.name:
                        continue
                    member.name = member.name.split("/", 1)[1]  # npm's top folder "package/"
                    archive.extract(member, target, filter="data")
    return missing


def server_command(host: str = "127.0.0.1", port: int = 8765) -> list[str]:
    """The command that serves the dashboard (``simulation.dashboard``) with Solara."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "simulation.dashboard",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
    ]


def server_environment(cache: Path | None = None) -> dict[str, str]:
    """The environment for the server: no usage statistics, the asset cache we filled."""
    return {
        **os.environ,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(asset_cache() if cache is None else cache),
    }


def exposure_warning(host: str) -> str:
    """A warning when ``host`` serves beyond this machine (the page has no authentication)."""
    if host in ("localhost", "ip6-localhost"):
        return ""
    try:
        if ipaddress.ip_address(host).is_loopback:
            return ""
    except ValueError:
        pass
    return (
        f"--host {host} serves the dashboard beyond this machine; the page has no "
        "authentication, so anyone who can reach this address can use it (127.0.0.1 keeps it "
        "local; put it behind an authenticating proxy to share it)"
    )


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    lifeline.set_parent_death_signal(signal.SIGTERM)


def serve(host: str = "127.0.0.1", port: int = 8765, *, grace: float = 10.0) -> int:
    """Serve the dashboard until the server ends, Ctrl-C or SIGTERM; returns an exit status.

    On Ctrl-C or SIGTERM the server is sent SIGTERM and waited for (``grace`` seconds, then
    killed), so no server outlives its launcher.
    """
    linux = lifeline.available()  # loads libc here, not in the child between fork and exec
    process = subprocess.Popen(
        server_command(host, port),
        env=server_environment(),
        preexec_fn=_die_with_parent if linux else None,
    )
    stopped: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        stopped.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        return process.wait()
    except KeyboardInterrupt:
        return 0 if not stopped else 128 + stopped[0]
    finally:
        signal.signal(signal.SIGTERM, previous)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
