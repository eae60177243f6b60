"""The collaboration rule written the way a Mesa user would: one ``Agent.step`` per worker.

This is the baseline the engine is measured against (``benchmarks/engine.py``) and checked
against (``tests/test_engine.py``). Each worker sits on a cell of Mesa's ``Network`` space and
holds its practice as a Python list; every step, ``model.agents.shuffle_do("step")`` activates
each worker once, in random order, and the worker borrows from a neighbour chosen at random with
the rule of :func:`simulation.kernels.facet_borrowing` (Axelrod 1997, continuous and reciprocal):

* the overlap is the share of facets on which the two agree (gap ``<= tolerance``);
* identical pairs do nothing; otherwise they interact with probability
  ``floor + (1 - floor) * overlap``;
* on one facet where they differ, chosen at random, the worker moves a share ``influence`` of
  the way to its neighbour's value and, if ``reciprocal``, the neighbour moves back towards the
  worker's previous value.

All randomness comes from the model's own ``random.Random`` (``model.random``), seeded by ``rng``,
as Mesa users are told to do. Nothing here is compiled or vectorised: that is the point.
"""

from __future__ import annotations

from typing import Any

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import FixedAgent, Network


class Worker(FixedAgent):
    """A worker with a practice (a list of facet values) on a cell of the network."""

    def __init__(self, model: NaiveCollaboration, practice: list[float], cell: Any) -> None:
        super().__init__(model)
        self.practice = practice
        self.cell = cell

    def step(self) -> None:
        """Borrow one facet from a random neighbour (collaboration on a shared case)."""
        model = self.model
        partner = self.cell.neighborhood.select_random_agent(default=None)
        if partner is None:
            return
        mine, theirs = self.practice, partner.practice
        differ = [f for f in range(len(mine)) if abs(mine[f] - theirs[f]) > model.tolerance]
        if not differ:
            return
        overlap = 1.0 - len(differ) / len(mine)
        if self.random.random() >= model.floor + (1.0 - model.floor) * overlap:
            return
        f = differ[int(self.random.random() * len(differ))]
        xi, xj = mine[f], theirs[f]
        mine[f] = xi + model.influence * (xj - xi)
        if model.reciprocal:
            theirs[f] = xj + model.influence * (xi - xj)
        model.interactions += 1


class NaiveCollaboration(mesa.Model):
    """Workers on a graph borrowing practices from their neighbours, one agent step at a time.

    Args:
        edges: ``(E, 2)`` worker pairs (the collaboration network); workers are ``0..n-1``.
        practices: ``(n, D)`` initial practices in [0, 1].
        tolerance: facets closer than this count as shared.
        influence: share of the gap borrowed on one facet.
        floor: chance that two workers with nothing in common still borrow.
        reciprocal: whether the neighbour borrows back.
        rng: seed of the model's generators.
    """

    def __init__(
        self,
        edges: np.ndarray,
        practices: np.ndarray,
        *,
        tolerance: float = 0.05,
        influence: float = 0.3,
        floor: float = 0.2,
        reciprocal: bool = True,
        rng: Any = None,
    ) -> None:
        super().__init__(rng=rng)
        self.tolerance = tolerance
        self.influence = influence
        self.floor = floor
        self.reciprocal = reciprocal
        self.interactions = 0
        graph = nx.Graph()
        graph.add_nodes_from(range(len(practices)))
        graph.add_edges_from(np.asarray(edges).tolist())
        # layout=None: a purely topological network (Mesa's default spring layout takes minutes)
        self.grid = Network(graph, capacity=1, random=self.random, layout=None)
        for node, practice in enumerate(np.asarray(practices, dtype=float).tolist()):
            Worker(self, practice, self.grid._cells[node])

    def step(self) -> None:
        """Every worker once, in random order."""
        self.agents.shuffle_do("step")

    @property
    def practices(self) -> np.ndarray:
        """The practices as an ``(n, D)`` array, in node order."""
        by_node = sorted(self.agents, key=lambda a: a.cell.coordinate)
        return np.array([a.practice for a in by_node])


def random_graph(n: int, degree: int, rng: np.random.Generator) -> np.ndarray:
    """A random graph without isolated workers: each links to ``degree / 2`` others at random.

    Returns:
        ``(E, 2)`` int64 pairs, ``i < j``, no loops nor duplicates (mean degree about ``degree``).
    """
    half = max(1, degree // 2)
    src = np.repeat(np.arange(n), half)
    dst = (src + rng.integers(1, n, src.size)) % n  # never src itself
    pairs = np.sort(np.stack([src, dst], axis=1), axis=1)
    return np.unique(pairs, axis=0)
