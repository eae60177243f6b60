"""The classic models our three rules descend from, run on the same kernels as the pooling model.

Docking (Axtell, Axelrod, Epstein & Cohen 1996, "Aligning simulation models") asks whether a new
model reduces to the ones reviewers know. Each rule of :mod:`simulation.rules` has a classic
ancestor, and each ancestor is rebuilt here, one module each (named after the paper), as a plain
function (parameters in, a frozen result out) that calls the very kernel the rule calls, through
:func:`simulation.kernels.active`:

* :func:`axelrod`: Axelrod (1997), "The dissemination of culture: a model with local convergence
  and global polarization", *Journal of Conflict Resolution* 41(2): 203-226. The ancestor of
  collaboration (dyadic, facet-wise borrowing): kernel ``facet_borrowing``.
* :func:`deffuant`: Deffuant, Neau, Amblard & Weisbuch (2000), "Mixing beliefs among interacting
  agents", *Advances in Complex Systems* 3: 87-98. The ancestor of co-presence encounters gated by
  homophily (bounded confidence): kernel ``bounded_confidence``.
* :func:`march`: March (1991), "Exploration and exploitation in organizational learning",
  *Organization Science* 2(1): 71-87, with the steps of March's program that the paper leaves out,
  as documented by Rodan (2005, *Scandinavian Journal of Management* 21: 407-428) and Christensen
  (2015). The ancestor of common work (socialisation to a shared code): kernel
  ``socialise_to_code``.

Randomness is drawn in bulk from one numpy Generator (``rng``: None, a non-negative int, a
SeedSequence or a Generator, as everywhere in the package) and handed to the kernels, which apply
the interactions in order: the asynchronous updating of the published models. The allowed range
of every parameter is in :data:`CLASSIC_PARAMETERS`; :data:`CLASSIC_MODELS` maps the command-line
names to the functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from simulation.classic import axelrod_1997, deffuant_2000, march_1991
from simulation.classic.axelrod_1997 import NEIGHBOURHOODS, AxelrodResult, axelrod, lattice
from simulation.classic.deffuant_2000 import (
    CONVERGED_SPREAD,
    MAJOR_SHARE,
    DeffuantResult,
    deffuant,
    opinion_clusters,
)
from simulation.classic.march_1991 import MARCH_HORIZON, MARCH_PERIODS, MarchResult, march
from simulation.parameters import ParamSpec

__all__ = [
    "CLASSIC_MODELS",
    "CLASSIC_PARAMETERS",
    "CONVERGED_SPREAD",
    "MAJOR_SHARE",
    "MARCH_HORIZON",
    "MARCH_PERIODS",
    "NEIGHBOURHOODS",
    "AxelrodResult",
    "DeffuantResult",
    "MarchResult",
    "axelrod",
    "deffuant",
    "lattice",
    "march",
    "opinion_clusters",
]

CLASSIC_PARAMETERS: Mapping[str, Mapping[str, ParamSpec]] = {
    "axelrod": axelrod_1997.PARAMETERS,
    "deffuant": deffuant_2000.PARAMETERS,
    "march": march_1991.PARAMETERS,
}
"""Type and allowed range of every scalar keyword of :func:`axelrod`, :func:`deffuant` and
:func:`march` (all but ``rng``, as in :data:`simulation.parameters.PARAMETERS`); defaults live in
the functions' signatures."""


CLASSIC_MODELS: Mapping[str, Callable[..., Any]] = {
    "axelrod": axelrod,
    "deffuant": deffuant,
    "march": march,
}
"""Command-line name -> function; each takes the keywords of :data:`CLASSIC_PARAMETERS`."""
