"""isohybrid model: workers, associations and the rules of pooling (no I/O, no plotting).

``from simulation import PoolingModel`` is the entry point. The names of :data:`__all__` load on
first use, so that importing a light module (``simulation.parameters``, ``simulation.palette``)
does not compile the kernels.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS: dict[str, str] = {
    "PoolingModel": "simulation.model",
    "default_parameters": "simulation.model",
    "run": "simulation.model",
    "PARAMETERS": "simulation.parameters",
    "Parameters": "simulation.parameters",
    "LAYOUTS": "simulation.scenarios",
    "SCENARIOS": "simulation.scenarios",
    "Setting": "simulation.scenarios",
    "build_setting": "simulation.scenarios",
    "pooling_levels": "simulation.scenarios",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'simulation' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
