"""Experiments on the isohybrid model: sweeps, storage, sensitivity, figures and the CLI.

The entry points: ``load_spec`` (a sweep's spec), ``run_sweep`` (run it, resumably) and
``load`` (its tidy table). The names of ``__all__`` are imported on first use, so that
``import experiments`` (done by every worker process and by ``isohybrid --help``) stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS: dict[str, str] = {
    "Design": "experiments.spec",
    "SpecError": "experiments.spec",
    "SweepSpec": "experiments.spec",
    "load_spec": "experiments.spec",
    "named_specs": "experiments.spec",
    "design_points": "experiments.spec",
    "run_one": "experiments.runner",
    "RunTask": "experiments.runner",
    "SweepReport": "experiments.sweep",
    "SweepInterrupted": "experiments.sweep",
    "plan": "experiments.sweep",
    "rerun": "experiments.sweep",
    "run_sweep": "experiments.sweep",
    "SweepFolderError": "experiments.storage",
    "consolidate": "experiments.storage",
    "export_csv": "experiments.storage",
    "load": "experiments.storage",
    "load_design": "experiments.storage",
    "load_summary": "experiments.storage",
    "read_manifest": "experiments.storage",
    "analyse_sensitivity": "experiments.sensitivity",
    "sweep_status": "experiments.status",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'experiments' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
