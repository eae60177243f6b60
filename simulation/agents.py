"""Workers and associations: thin Mesa agents that are views on the model's arrays.

The state lives in :class:`simulation.rules.World` (one row per worker or association), so the
rules run as array kernels; these classes give Mesa's ``AgentSet``, ``DataCollector`` and
``SolaraViz`` the usual agent interface, reading and writing the rows in place. The agents do
not import the model: :class:`Host` says what they read of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np
from mesa import Agent
from mesa.discrete_space import FixedAgent

from simulation.scenarios import PROFESSIONS, SECTORS, AssociationSpec

if TYPE_CHECKING:
    from simulation.rules import World


class Host(Protocol):
    """What the agents read of their model (:class:`simulation.model.PoolingModel` is one).

    Attributes:
        world: every array of the state; the agents are views on their rows.
        associations: the association agents, by row.
        need: ``(B, D)`` the needs of the beneficiaries who stand for the publics.
        need_public: ``(B,)`` the association whose public each beneficiary belongs to.
    """

    world: World
    associations: list[Association]
    need: np.ndarray
    need_public: np.ndarray


class Association(Agent):
    """A non-profit association: a culture (its practice profile), an identity, a site, a public.

    Attributes:
        index: its row in the model's association arrays.
        name: its name in the setting.
        kind: its prototype (medical practice, drug service, social service, family planning).
    """

    model: Host

    def __init__(self, model: Host, index: int, spec: AssociationSpec) -> None:
        super().__init__(model)
        self.index = index
        self.name = spec.name
        self.kind = spec.kind

    @property
    def culture(self) -> np.ndarray:
        """Its culture ("culture associative"): a view on its row of ``model.cultures``."""
        return self.model.world.cultures[self.index]

    @property
    def initial_culture(self) -> np.ndarray:
        """Its culture when pooling began."""
        return self.model.world.initial_cultures[self.index]

    @property
    def identity_strength(self) -> float:
        """How strongly its workers are attached to its culture, in [0, 1]."""
        return float(self.model.world.identity[self.index])

    @property
    def sector(self) -> str:
        """``"health"`` or ``"social"``."""
        return SECTORS[int(self.model.world.sector[self.index])]

    @property
    def site(self) -> int:
        """The site (building) it works from."""
        return int(self.model.world.assoc_site[self.index])

    @property
    def public_needs(self) -> np.ndarray:
        """The needs of the beneficiaries who stand for its public, ``(B_a, D)``."""
        return self.model.need[self.model.need_public == self.index]

    @property
    def worker_rows(self) -> np.ndarray:
        """Rows of its workers in the worker arrays."""
        return np.flatnonzero(self.model.world.membership == self.index)

    def mean_practice(self) -> np.ndarray:
        """The mean practice of its workers now."""
        return self.model.world.practices[self.worker_rows].mean(axis=0)


class Worker(FixedAgent):
    """A worker (a post: when its holder leaves, the replacement takes the same post).

    Attributes:
        row: its row in the model's worker arrays.
    """

    model: Host

    def __init__(self, model: Host, row: int) -> None:
        super().__init__(model)
        self.row = row

    @property
    def practice(self) -> np.ndarray:
        """Its practice, a view on its row of ``model.practices`` (writes go to the model)."""
        return self.model.world.practices[self.row]

    @practice.setter
    def practice(self, value: np.ndarray) -> None:
        self.model.world.practices[self.row] = np.clip(value, 0.0, 1.0)

    @property
    def association(self) -> Association:
        """The association that employs it."""
        return self.model.associations[int(self.model.world.membership[self.row])]

    @property
    def openness(self) -> float:
        """Its susceptibility to other practices, in [0, 1]."""
        return float(self.model.world.openness[self.row])

    @property
    def profession(self) -> str:
        """Its trade (doctor, nurse, social worker, ...)."""
        return PROFESSIONS[int(self.model.world.profession[self.row])]

    @property
    def site(self) -> int:
        """The site it works at."""
        return int(self.model.world.worker_site[self.row])

    @property
    def tenure(self) -> int:
        """Weeks since the current holder of the post was hired."""
        return int(self.model.world.tenure[self.row])

    def distance_to_culture(self) -> float:
        """Mean absolute gap between its practice and its association's culture."""
        return float(np.abs(self.practice - self.association.culture).mean())
