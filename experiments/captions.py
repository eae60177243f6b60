"""Caption files of the figures: the spec, seeds and code version behind each figure."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def provenance_text(folder: str | Path) -> str:
    """Spec, seeds and code version behind a sweep, for a figure's caption file."""
    from experiments import storage

    manifest = storage.read_manifest(folder)
    spec = manifest["spec"]
    design = spec["design"]
    prov = manifest.get("provenance", {})
    git = prov.get("git") or {}
    factors = ", ".join(design.get("factors", {})) or f"{len(design.get('points', []))} points"
    runs = manifest.get("runs", {})
    lines = [
        f"sweep: {Path(folder).name} (spec {spec.get('name')!r}, {manifest.get('spec_hash')})",
        f"  {spec.get('description', '')}".rstrip(),
        f"design: {design['kind']} over {factors}; {runs.get('points')} points x "
        f"{spec.get('replicates', 1)} replicates = {runs.get('total')} runs; "
        f"{spec['steps']} weeks, measures every {spec.get('record_every', 1)} weeks; "
        f"scenario {spec.get('scenario', 'as designed')}; fixed {spec.get('fixed') or 'none'}",
        f"runs: {manifest.get('finished_runs')} finished, {manifest.get('failed_runs', 0)} of "
        f"them raised (figures leave those out); sweep status: {manifest.get('status')}",
        f"seeds: root SeedSequence entropy {manifest['seed']['entropy']}; run (point p, "
        "replicate r) seeded by SeedSequence(entropy, spawn_key=(p, r)) "
        "(`isohybrid run --from-sweep DIR --run-id pPPPP-rRR` re-runs one)",
        f"code that ran the sweep: isohybrid {prov.get('version')}, git "
        f"{git.get('commit', 'unknown')}{' (uncommitted changes)' if git.get('dirty') else ''}"
        f", Python {prov.get('python')}, "
        + ", ".join(f"{k} {v}" for k, v in sorted(prov.get("packages", {}).items())),
    ]
    from experiments.cases import caption_lines

    lines[3:3] = caption_lines(manifest)
    return "\n".join(lines)


def _drawing_text() -> str:
    from importlib import metadata

    import matplotlib

    from experiments.storage import provenance

    try:
        version = metadata.version("isohybrid")
    except metadata.PackageNotFoundError:
        version = "unknown"
    git = provenance().get("git") or {}
    dirty = " (uncommitted changes)" if git.get("dirty") else ""
    return (
        f"drawn by: isohybrid {version}, git {git.get('commit', 'unknown')}{dirty}, "
        f"matplotlib {matplotlib.__version__} (experiments/figures/)"
    )


def write_figure(
    fig: Figure, stem: Path, shows: str, sources: Sequence[str | Path], formats: Sequence[str]
) -> list[Path]:
    """Save a figure and its caption file (``stem.txt``); return the paths written."""
    from experiments.style import save_figure

    paths = save_figure(fig, stem, formats)
    text = [f"{stem.name}: {shows}", ""]
    for source in sources:
        text += [provenance_text(source), ""]
    text.append(_drawing_text())
    caption = stem.with_name(f"{stem.name}.txt")
    caption.write_text("\n".join(text) + "\n", encoding="utf-8")
    return [*paths, caption]
