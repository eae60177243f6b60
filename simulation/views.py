"""Views on a model's state: its arrays by name, its networks and Mesa's space.

:class:`StateViews` is what :class:`simulation.model.PoolingModel` shows of its
:class:`simulation.world.World` to the measures, the dashboard and the snapshots, without
copying: the arrays by name, the ties now, the pairs in common work, the multilayer network and
Mesa's ``Network`` space over the co-location layers.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
from mesa.discrete_space import Network

from simulation.network import to_networkx

SPACE_LIMIT = 5_000
"""Largest number of workers for which Mesa's ``Network`` space (a Python cell per worker and
per tie) is built; larger landscapes run on the arrays alone and ``model.grid`` is ``None``."""


class StateViews:
    """Views on the state of a model holding ``world``, ``layers``, ``levels``, ``positions``.

    A mixin of :class:`simulation.model.PoolingModel`, which sets those attributes (and
    ``params``, ``workers``, ``random``) when it builds the world.
    """

    world: Any
    layers: Any
    levels: tuple[float, float, float]
    positions: np.ndarray
    params: Any
    workers: list[Any]
    random: Any

    def _space(self) -> Network:
        """Mesa's ``Network`` space over the colleague and co-presence layers, laid out by site."""
        g = nx.Graph()
        g.add_nodes_from(range(self.world.n_workers))
        g.add_edges_from(self.layers.colleague.tolist())
        g.add_edges_from(self.layers.co_presence.tolist())
        layout = dict(enumerate(map(tuple, self.positions.tolist())))
        grid = Network(g, capacity=1, random=self.random, layout=layout)
        for worker in self.workers:
            worker.cell = grid._cells[worker.row]
        return grid

    @property
    def scenario_name(self) -> str:
        """The scenario's name (``params.scenario``; Mesa's ``Model.scenario`` is its own)."""
        return self.params.scenario

    @property
    def practices(self) -> np.ndarray:
        """Practices of all workers, ``(N, D)`` in [0, 1] (the model's own array)."""
        return self.world.practices

    @property
    def membership(self) -> np.ndarray:
        """Association index of each worker, ``(N,)``."""
        return self.world.membership

    @property
    def cultures(self) -> np.ndarray:
        """Association cultures, ``(A, D)``."""
        return self.world.cultures

    @property
    def initial_cultures(self) -> np.ndarray:
        """Association cultures when pooling began, ``(A, D)``."""
        return self.world.initial_cultures

    @property
    def initial_centroids(self) -> np.ndarray:
        """Each association's mean initial practice, ``(A, D)`` (the measures' reference)."""
        return self.world.initial_centroids

    @property
    def pooled(self) -> np.ndarray:
        """``(A, A)`` True where two different associations share a site."""
        site = self.world.assoc_site
        same = site[:, None] == site[None, :]
        np.fill_diagonal(same, False)
        return same

    def ties(self) -> np.ndarray:
        """Current collaboration ties as rows ``(i, j, strength)``, in edge order."""
        return np.column_stack([self.world.tie_ends, self.world.tie_strength])

    def common_work_pairs(self) -> np.ndarray:
        """Pairs of workers in the same pooled function now (consecutive members of a site)."""
        members, _ = self.world.pooled_members(self.levels[2])
        if members.size < 2:
            return np.empty((0, 2), dtype=np.int64)
        members = members[np.argsort(self.world.worker_site[members], kind="stable")]
        same = self.world.worker_site[members[1:]] == self.world.worker_site[members[:-1]]
        return np.stack([members[:-1][same], members[1:][same]], axis=1)

    def network(self) -> nx.MultiGraph:
        """The multilayer co-location network now (colleagues, co-presence, ties, common work)."""
        return to_networkx(
            self.world.membership,
            self.world.assoc_site,
            self.layers,
            collaboration=self.ties(),
            common_work=self.common_work_pairs(),
            positions=self.positions,
        )
