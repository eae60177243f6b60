"""Launching the Solara dashboard, including on machines that cannot reach Solara's CDN.

Solara's page loads its front-end packages (Vue, Vuetify, RequireJS, Font Awesome) from a CDN
through its own asset proxy, which caches them on disk. On a machine with no route to the CDN
(a training room, a cluster node, a sandbox) the page stays blank; :func:`ensure_front_end`
fills that cache once from the npm registry (``npm pack``), so the dashboard then works offline.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path


class FrontEndUnavailable(RuntimeError):
    """The page's front-end packages are missing and could not be fetched."""


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
