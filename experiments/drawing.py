"""Drawing figures to files: every figure a sweep supports, and the paper's figures.

Each figure is written as a vector PDF and a PNG beside a caption file
(:mod:`experiments.captions`); which figures a sweep supports, and how each is drawn, is the
registry of :mod:`experiments.figure_jobs`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from experiments import figures, storage
from experiments.captions import write_figure
from experiments.figure_jobs import sensitivity_table, sensitivity_text, sweep_figures
from experiments.style import FORMATS


def draw_figures(
    folder: str | Path,
    out: str | Path | None = None,
    *,
    only: Sequence[str] | None = None,
    formats: Sequence[str] = FORMATS,
    log: Callable[[str], None] | None = None,
) -> list[Path]:
    """Draw every figure a sweep supports (or those named in ``only``) with their captions.

    Args:
        folder: a sweep folder.
        out: folder for the figures (default: ``folder/figures``).
        only: figure stems to draw (see :func:`sweep_figures`); others are skipped.
        formats: file formats of each figure.
        log: called with a line per figure written.

    Returns:
        Paths written: for each figure, one file per format and the caption ``.txt``.

    Raises:
        ValueError: a stem of ``only`` that this sweep does not support.
    """
    folder = Path(folder)
    out = folder / "figures" if out is None else Path(out)
    jobs = sweep_figures(folder)
    if only is not None:
        known = {j.stem for j in jobs}
        missing = [s for s in only if s not in known]
        if missing:
            raise ValueError(
                f"figures {missing} are not supported by the sweep in {folder}; "
                f"allowed: {', '.join(sorted(known)) or 'none'}"
            )
        jobs = [j for j in jobs if j.stem in only]
    written: list[Path] = []
    for job in jobs:
        t0 = time.perf_counter()
        fig = job.draw()
        written += write_figure(fig, out / job.stem, job.shows, [folder], formats)
        if log is not None:
            log(f"  {out / job.stem}.{{{','.join(formats)}}} ({time.perf_counter() - t0:.1f} s)")
    return written


def draw_paper_figures(
    stems: Mapping[Path, Sequence[str]],
    sensitivity: Mapping[str | None, Path],
    out: Path,
    formats: Sequence[str],
    log: Callable[[str], None],
) -> list[Path]:
    """Draw the paper's figures of several sweeps, and the combined sensitivity figure.

    Args:
        stems: sweep folder -> the stems of its figures the paper uses (none: skipped).
        sensitivity: method (``"sobol"``, ``"morris"``) -> its sweep folder; the indices are
            written to ``sensitivity.csv`` in the folder and drawn in one figure (``None``
            keys are ignored).
        out: folder for the figures.
        formats: file formats of each figure.
        log: called with a line per figure written.

    Returns:
        Paths written, in order.
    """
    written: list[Path] = []
    for folder, only in stems.items():
        if only:
            log(f"figures of {folder.name}:")
            written += draw_figures(folder, out, only=only, formats=formats, log=log)
    tables: dict[str, pd.DataFrame] = {}
    for method, folder in sensitivity.items():
        if method is not None:
            tables[method] = sensitivity_table(folder, method)
            tables[method].to_csv(folder / "sensitivity.csv", index=False)
            written.append(folder / "sensitivity.csv")
    if tables:
        fig = figures.sensitivity_indices(**tables)
        shows = " ".join(
            sensitivity_text(k, storage.read_manifest(sensitivity[k])) for k in tables
        )
        sources = [sensitivity[k] for k in tables]
        written += write_figure(fig, out / "sensitivity_indices", shows, sources, formats)
        log(f"  {out / 'sensitivity_indices'}.{{{','.join(formats)}}}")
    return written
