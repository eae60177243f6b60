"""The co-location network: colleagues, co-presence, collaboration and common-work layers.

Builders here are pure functions from a setting and a generator to arrays (edge lists), which
is what the rules run on; :func:`to_networkx` turns the arrays into a networkx multigraph with
one edge key per layer, and :func:`layout_positions` places workers by site and association in
O(N) (a spring layout takes minutes at 10k nodes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from simulation.scenarios import AssociationSpec, pair_weights

LAYERS: tuple[str, ...] = ("colleague", "co_presence", "collaboration", "common_work")
COMPLETE_TEAM_LIMIT = 30
"""Associations up to this size have every colleague tie; larger ones a small world."""


@dataclass
class Layers:
    """The static layers as edge arrays (worker indices, ``src < dst`` not required).

    Attributes:
        colleague: ``(E_c, 2)`` pairs of workers of the same association.
        co_presence: ``(E, 2)`` pairs of workers of different associations on one site.
        weight: ``(E,)`` how much the pair's associations share space and hours, in [0, 1].
        rate: ``(E,)`` encounter rate of the pair at full co-presence and unit encounter rate:
            ``weight / (site workers - 1)``, so that a worker of a fully shared site meets
            about ``encounter_rate`` people of other associations a week.
    """

    colleague: np.ndarray
    co_presence: np.ndarray
    weight: np.ndarray
    rate: np.ndarray


def _block_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.stack([np.repeat(a, b.size), np.tile(b, a.size)], axis=1)


def _colleague_pairs(members: np.ndarray, py_random: Any) -> np.ndarray:
    n = members.size
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    if n <= COMPLETE_TEAM_LIMIT:
        i, j = np.triu_indices(n, k=1)
    else:
        g = nx.connected_watts_strogatz_graph(n, k=8, p=0.1, seed=py_random)
        edges = np.asarray(g.edges(), dtype=np.int64)
        i, j = edges[:, 0], edges[:, 1]
    return np.stack([members[i], members[j]], axis=1)


def build_layers(
    specs: tuple[AssociationSpec, ...],
    membership: np.ndarray,
    py_random: Any,
) -> Layers:
    """Build the colleague and co-presence layers of a setting.

    Args:
        specs: the associations (their sites, spaces and hours).
        membership: association index of each worker, workers grouped by association.
        py_random: the model's seeded ``random.Random``, for networkx generators.
    """
    n_assoc = len(specs)
    order = np.argsort(membership, kind="stable")
    bounds = np.searchsorted(membership[order], np.arange(n_assoc + 1))
    members = [order[bounds[a] : bounds[a + 1]] for a in range(n_assoc)]
    colleague = [_colleague_pairs(m, py_random) for m in members]

    site = np.array([s.site for s in specs])
    site_size = np.bincount(site, weights=[s.size for s in specs])
    blocks, weights, rates = [], [], []
    for (a, b), w in pair_weights(specs).items():
        if w <= 0 or members[a].size == 0 or members[b].size == 0:
            continue
        pairs = _block_pairs(members[a], members[b])
        blocks.append(pairs)
        weights.append(np.full(len(pairs), w))
        rates.append(np.full(len(pairs), w / max(site_size[site[a]] - 1, 1)))
    empty = np.empty((0, 2), dtype=np.int64)
    return Layers(
        colleague=np.concatenate(colleague) if colleague else empty,
        co_presence=np.concatenate(blocks) if blocks else empty,
        weight=np.concatenate(weights) if weights else np.empty(0),
        rate=np.concatenate(rates) if rates else np.empty(0),
    )


def layout_positions(membership: np.ndarray, assoc_site: np.ndarray) -> np.ndarray:
    """Plot positions of workers: sites on a grid, associations around them, workers in discs.

    Returns:
        ``(N, 2)`` array of x, y coordinates, computed in O(N).
    """
    n_sites = int(assoc_site.max()) + 1 if assoc_site.size else 1
    cols = int(np.ceil(np.sqrt(n_sites)))
    site_xy = np.stack([np.arange(n_sites) % cols, np.arange(n_sites) // cols], axis=1) * 3.0
    # rank of each association within its site, and the number of associations per site
    n_assoc = assoc_site.size
    order = np.lexsort((np.arange(n_assoc), assoc_site))
    rank = np.empty(n_assoc, dtype=np.int64)
    first = np.searchsorted(assoc_site[order], assoc_site[order])
    rank[order] = np.arange(n_assoc) - first
    per_site = np.bincount(assoc_site, minlength=n_sites)
    angle = 2 * np.pi * rank / np.maximum(per_site[assoc_site], 1)
    radius = np.where(per_site[assoc_site] > 1, 0.9, 0.0)
    assoc_xy = site_xy[assoc_site] + radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1)
    # workers on a sunflower spiral around their association's point
    w_order = np.argsort(membership, kind="stable")
    w_first = np.searchsorted(membership[w_order], membership[w_order])
    w_rank = np.empty(membership.size, dtype=np.int64)
    w_rank[w_order] = np.arange(membership.size) - w_first
    size = np.bincount(membership, minlength=n_assoc)[membership]
    r = 0.45 * np.sqrt((w_rank + 0.5) / np.maximum(size, 1))
    theta = w_rank * 2.399963229728653  # golden angle
    return assoc_xy[membership] + np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)


def to_networkx(
    membership: np.ndarray,
    assoc_site: np.ndarray,
    layers: Layers,
    collaboration: np.ndarray | None = None,
    common_work: np.ndarray | None = None,
    positions: np.ndarray | None = None,
) -> nx.MultiGraph:
    """The multilayer co-location network as a networkx ``MultiGraph``.

    Nodes are worker indices with attributes ``association``, ``site`` and ``pos``; each edge
    has a key naming its layer (``colleague``, ``co_presence``, ``collaboration``,
    ``common_work``) and a ``weight``.

    Args:
        membership: association of each worker.
        assoc_site: site of each association.
        layers: the static layers.
        collaboration: optional ``(K, 3)`` rows ``(i, j, strength)`` of current ties.
        common_work: optional ``(K, 2)`` pairs of workers in the same pooled function.
        positions: optional ``(N, 2)`` node positions (default :func:`layout_positions`).
    """
    pos = layout_positions(membership, assoc_site) if positions is None else positions
    g = nx.MultiGraph()
    g.add_nodes_from(
        (
            int(i),
            {
                "association": int(membership[i]),
                "site": int(assoc_site[membership[i]]),
                "pos": (float(pos[i, 0]), float(pos[i, 1])),
            },
        )
        for i in range(membership.size)
    )
    g.add_edges_from((int(i), int(j), "colleague", {"weight": 1.0}) for i, j in layers.colleague)
    g.add_edges_from(
        (int(i), int(j), "co_presence", {"weight": float(w)})
        for (i, j), w in zip(layers.co_presence, layers.weight, strict=True)
    )
    if collaboration is not None:
        g.add_edges_from(
            (int(i), int(j), "collaboration", {"weight": float(s)}) for i, j, s in collaboration
        )
    if common_work is not None:
        g.add_edges_from((int(i), int(j), "common_work", {"weight": 1.0}) for i, j in common_work)
    return g
