"""Sweep specifications: what to run (scenario, fixed parameters, design, replicates, seed).

A spec is written in TOML (read with :mod:`tomllib`) or built in Python; both go through the
same validation, which names the bad key, its value and what is allowed, before any run starts.
Parameter names, types and ranges come from :data:`simulation.parameters.PARAMETERS` and
defaults from the model's signature; nothing here repeats them.

The package has one module per concern, each importing only those before it:
:mod:`~experiments.spec.errors`, :mod:`~experiments.spec.encoding` (discrete factors of sampled
designs), :mod:`~experiments.spec.design` (designs and their sizes),
:mod:`~experiments.spec.validation`, :mod:`~experiments.spec.toml_writer`,
:mod:`~experiments.spec.sweepspec` (the spec), :mod:`~experiments.spec.parsing` (files and named
specs) and :mod:`~experiments.spec.points` (a design's parameter points).

Example (``experiments/specs/smoke.toml``)::

    name = "smoke"
    scenario = "cssi"
    seed = 20230301
    replicates = 2
    steps = 20
    record_every = 2

    [fixed]
    openness = 0.5

    [design]
    kind = "grid"
    [design.factors]
    pooling_intensity = [0.0, 0.25, 0.5, 0.75, 1.0]
    identity_strength = { low = 0.1, high = 0.9, num = 4 }

    [quick]
    replicates = 1
"""

from __future__ import annotations

from experiments.spec.design import DESIGN_KINDS, Design, design_size, salib_problem
from experiments.spec.encoding import decode, encode, levels
from experiments.spec.errors import SpecError
from experiments.spec.parsing import SPEC_DIR, load_spec, named_specs, resolve_spec_path
from experiments.spec.points import (
    design_points,
    iter_points,
    point_dicts,
    point_parameters,
    sampled_matrix,
)
from experiments.spec.sweepspec import SweepSpec, spec_from_dict
from experiments.spec.toml_writer import dumps_toml

__all__ = [
    "DESIGN_KINDS",
    "SPEC_DIR",
    "Design",
    "SpecError",
    "SweepSpec",
    "decode",
    "design_points",
    "design_size",
    "dumps_toml",
    "encode",
    "iter_points",
    "levels",
    "load_spec",
    "named_specs",
    "point_dicts",
    "point_parameters",
    "resolve_spec_path",
    "salib_problem",
    "sampled_matrix",
    "spec_from_dict",
]
