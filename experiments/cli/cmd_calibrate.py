"""``isohybrid calibrate`` and ``discover``: see :mod:`experiments.calibration_commands`."""

from __future__ import annotations

from experiments.calibration_commands import register_commands

__all__ = ["register_commands"]
