"""The world: every array of the model's state, and the structure the rules walk on.

A :class:`World` holds the workers' and associations' rows, the co-presence edges and their
sampling tables, the collaboration ties and the pooled functions' standards; the agents of
:mod:`simulation.agents` are views on its rows and the rules of :mod:`simulation.rules` change it
in place. Nothing static is recomputed in a week: the members of the pooled functions are cached
per level, and the collaboration ties are kept compact (:class:`World`'s ``tie_ids``,
``tie_strength``, ``tie_ends``, ``tie_degree``), so that no rule reads all co-presence edges.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulation import streams
from simulation.kernels import ENDS_SHIFT, aligned_rows


@dataclass
class World:
    """Every array of the model's state; the agents are views on their rows.

    Worker arrays have N rows, association arrays A rows, site arrays S rows, co-presence edge
    arrays E rows.

    The collaboration ties are the rules' state in compact arrays of T rows, one per edge with a
    tie, in ascending edge order: ``tie_ids`` (the edges), ``tie_strength`` (in ``(0, 1]``) and
    ``tie_ends`` (the edges' two workers, int32), with ``tie_degree`` the ties of each worker.
    ``tie`` is their per-edge view, ``(E,)``, made when read (see :attr:`tie`); a world is built
    from one.
    """

    practices: np.ndarray  # (N, D) practice of each worker, in [0, 1]
    membership: np.ndarray  # (N,) association of each worker
    openness: np.ndarray  # (N,) susceptibility to others' practices, in [0, 1]
    profession: np.ndarray  # (N,) profession code
    tenure: np.ndarray  # (N,) weeks since hire
    cultures: np.ndarray  # (A, D) association cultures
    identity: np.ndarray  # (A,) identity strength in [0, 1]
    sector: np.ndarray  # (A,) 0 = health, 1 = social
    assoc_site: np.ndarray  # (A,) site of each association
    influence: np.ndarray  # (K, K) multiplier of the pull of sector b on a receiver of sector a
    cp_edges: np.ndarray  # (E, 2) co-presence pairs (int32)
    cp_weight: np.ndarray  # (E,) space-and-hours overlap of the pair
    cp_prob: np.ndarray  # (E,) alias table of the edges' encounter rates: probabilities
    cp_alias: np.ndarray  # (E,) ... and alias indices (int32), for sampling in O(1)
    cp_total: float  # sum of the edges' encounter rates
    adj_ptr: np.ndarray  # (N + 1,) CSR pointers from workers to their co-presence edges
    adj_edge: np.ndarray  # (2E,) edge ids, by worker (int32)
    familiarity: np.ndarray  # (E,) encounters so far (int32)
    tie: np.ndarray  # (E,) collaboration tie strength in [0, 1]: a view (see World.tie below)
    style: np.ndarray  # (N, D) each worker's own way: its offset from the culture it learnt
    facet_weight: np.ndarray  # (A, D) anchoring weight: 1 on core facets, less elsewhere
    cw_draw: np.ndarray  # (N,) fixed uniform: in common work when below its level
    codes: np.ndarray  # (S, D) the shared standard of each site's pooled function
    code_set: np.ndarray  # (S,) whether the site's standard exists yet
    standard: np.ndarray  # (D,) the external (funders') standard
    sector_facet: np.ndarray | None = None  # (D,) 1 where sector influence acts (health facets)
    owned: np.ndarray | None = None  # (P, D) bool, facets each profession owns
    need: np.ndarray | None = None  # (B, D) needs of the beneficiaries
    need_public: np.ndarray | None = None  # (B,) association whose public each belongs to
    norm: np.ndarray | None = None  # (S, D) the practice each site's building is designed for
    norm_mask: np.ndarray | None = None  # (S, D) 1 on the facets the building constrains
    room_lost: np.ndarray | None = None  # (A,) share of its own rooms each association lost
    reception_shared: np.ndarray | None = None  # (S,) 1 where the site has one reception
    tool_mask: np.ndarray | None = None  # (D,) bool, facets the shared tools cover
    initial_practices: np.ndarray = field(init=False)
    initial_cultures: np.ndarray = field(init=False)
    tie_ids: np.ndarray = field(init=False)  # (T,) sorted ids of the edges with a tie
    tie_strength: np.ndarray = field(init=False)  # (T,) their strengths
    tie_ends: np.ndarray = field(init=False)  # (T, 2) their two workers (int32)
    tie_degree: np.ndarray = field(init=False)  # (N,) number of ties of each worker

    def __post_init__(self) -> None:
        self.initial_practices = self.practices.copy()
        self.initial_cultures = self.cultures.copy()
        self.worker_sector = self.sector[self.membership]
        self.worker_site = self.assoc_site[self.membership]
        self.anchor_rate = self.identity[self.membership]  # times Parameters.anchoring
        self.n_sites = int(self.assoc_site.max()) + 1 if self.assoc_site.size else 1
        self._pooled: tuple[float, np.ndarray, np.ndarray] | None = None
        d = self.practices.shape[1]
        n_sites = self.n_sites
        if self.sector_facet is None:
            self.sector_facet = np.ones(d)
        if self.owned is None:
            self.owned = np.zeros((int(self.profession.max(initial=0)) + 1, d), dtype=np.bool_)
        if self.need is None:
            self.need = np.zeros((0, d))
            self.need_public = np.zeros(0, dtype=np.int64)
        if self.norm is None:
            self.norm = np.zeros((n_sites, d))
            self.norm_mask = np.zeros((n_sites, d))
        if self.room_lost is None:
            self.room_lost = np.zeros(self.cultures.shape[0])
        if self.reception_shared is None:
            self.reception_shared = np.zeros(n_sites)
        if self.tool_mask is None:
            self.tool_mask = np.zeros(d, dtype=np.bool_)
        self.no_offset = np.zeros((0, d))  # no offset from a building's or tool's norm
        self.tools = np.zeros((n_sites, d))  # the durable shared tools of each site
        self.tool_strength = np.zeros(n_sites)  # 1 when written, decays as they go unused
        self._draws = np.empty(0)  # room for a week's uniforms, reused (see :meth:`uniforms`)
        self._rows = np.empty((0, 0))  # room for a row per worker, reused (see :meth:`rows`)
        # newcomer_learning, the learning multiplier at each tenure, and room for the workers'
        # multipliers (see workforce.learning)
        self.learned: tuple[float, np.ndarray, np.ndarray] | None = None
        # workers by association and by site (CSR), to route visits
        self.assoc_order, self.assoc_ptr = _groups(self.membership, self.cultures.shape[0])
        self.site_order, self.site_ptr = _groups(self.worker_site, n_sites)

    def refresh_ties(self) -> None:
        """Rebuild the compact ties (ids, strengths, ends, degrees) from ``tie``.

        The rules keep the compact arrays up to date; call this after writing to ``tie`` by
        hand (``world.tie[edges] = strengths``). If the rules moved the ties since ``tie`` was
        last read or set, that view is out of date and is not read: the ties stay the rules'.
        """
        if self._tie_view is not None and self._tie_view_current:
            view = self._tie_view
            self.tie_ids = np.flatnonzero(view).astype(np.int64)
            self.tie_strength = view[self.tie_ids].astype(np.float64)
            self.tie_ends = self.cp_edges[self.tie_ids].astype(np.int32).reshape(-1, 2)
        ends = self.tie_ends.ravel()
        self.tie_degree = np.bincount(ends, minlength=self.n_workers).astype(np.int32)

    def update_ties(self, ties: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> None:
        """Take the ties a kernel returns, ``(tie_ids, tie_strength, tie_ends)``.

        Without ``ties``, the kernel renewed the strengths in place. Either way the per-edge
        view :attr:`tie` handed out before is out of date (it is made again when next read).
        """
        if ties is not None:
            self.tie_ids, self.tie_strength, self.tie_ends = ties
        self._tie_view_current = False

    def uniforms(self, rng: np.random.Generator, rows: int, n: int) -> np.ndarray:
        """``rng.random((rows, n))``, the same numbers, written into memory kept from week to week.

        A week's visits draw over a million uniforms at 100,000 workers; filling the same
        buffer spares the fresh allocation (and its page faults) each week, and
        :func:`simulation.streams.uniform` draws the same numbers four runs at a time. The array
        is overwritten by the next call (below ``streams.MIN_FAST`` draws it is a fresh one: for
        a small world's few draws the plain call costs less than the reuse).
        """
        size = rows * n
        if size < streams.MIN_FAST:  # a small world's few draws: NumPy's own call is quicker
            return rng.random((rows, n))
        if self._draws.shape[0] < size:
            self._draws = np.empty(size + size // 8)
        return streams.uniform(rng, self._draws[:size].reshape(rows, n))

    def rows(self, width: int) -> np.ndarray:
        """``(N, width)`` float64 room, each row starting on a 64-byte cache line, kept.

        A kernel that reads several per-worker values at random writes them side by side here
        first (:func:`simulation.kernels.serve_publics`), so that a worker costs one cache line,
        not one per array. The memory is kept from week to week; its contents are the caller's.
        """
        if self._rows.shape != (self.n_workers, width):
            self._rows = aligned_rows(self.n_workers, width)
        return self._rows

    def encounter_table(self) -> np.ndarray:
        """The co-presence edges' alias table and ends in one ``(E, 4)`` float64 array, cached.

        Row ``k``: ``cp_prob[k]``, ``cp_alias[k]``, and the workers of edge ``k`` and of edge
        ``cp_alias[k]``, each pair packed as ``first << ENDS_SHIFT | second`` (exact below
        ``2**ENDS_SHIFT`` workers), rows on 32-byte boundaries, so that an encounter's draw and
        pair cost one memory read (:func:`simulation.kernels.encounters_on_table`). Rebuilt
        whenever one of the three arrays is replaced.
        """
        key = (id(self.cp_prob), id(self.cp_alias), id(self.cp_edges))
        cached = getattr(self, "_encounter_table", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        if self.n_workers >= 1 << ENDS_SHIFT:
            raise ValueError(f"an encounter table packs fewer than 2**{ENDS_SHIFT} workers")
        n = self.cp_prob.shape[0]
        buffer = np.empty(4 * n + 8)
        skip = (-buffer.ctypes.data % 64) // 8
        table = buffer[skip : skip + 4 * n].reshape(n, 4)
        ends = self.cp_edges.astype(np.int64)
        pairs = (ends[:, 0] << ENDS_SHIFT) | ends[:, 1]
        table[:, 0] = self.cp_prob
        table[:, 1] = self.cp_alias
        table[:, 2] = pairs
        table[:, 3] = pairs[self.cp_alias]
        self._encounter_table = (key, table)
        return table

    def pooled_members(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """Workers in common work at this level (``cw_draw < level``) and their sites.

        The draw is fixed per post, so the members only change with the level (cached).
        """
        if self._pooled is None or self._pooled[0] != level:
            members = np.flatnonzero(self.cw_draw < level)
            self._pooled = (level, members, self.worker_site[members])
        return self._pooled[1], self._pooled[2]

    @property
    def n_workers(self) -> int:
        """Number of workers (posts)."""
        return self.practices.shape[0]

    @property
    def n_associations(self) -> int:
        """Number of associations."""
        return self.cultures.shape[0]

    def pair_weights(self, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Susceptibility of each side of each pair to the other (openness x sector influence)."""
        ws, wd = self.worker_sector[src], self.worker_sector[dst]
        return (
            self.openness[src] * self.influence[ws, wd],
            self.openness[dst] * self.influence[wd, ws],
        )


def _read_tie(world: World) -> np.ndarray:
    """The ties' strength on every co-presence edge, 0 where there is none, ``(E,)``."""
    n_edges = world.cp_edges.shape[0]
    view = world._tie_view
    if view is None or view.shape != (n_edges,):
        view = world._tie_view = np.zeros(n_edges)
    else:
        view.fill(0.0)
    view[world.tie_ids] = world.tie_strength
    world._tie_view_current = True
    return view


def _set_tie(world: World, strengths: np.ndarray) -> None:
    """Set every edge's tie strength (0: no tie); the compact ties are rebuilt from it."""
    world._tie_view = np.array(strengths, dtype=np.float64).reshape(-1)
    world._tie_view_current = True
    world.refresh_ties()


World._tie_view = None
World._tie_view_current = False
World.tie = property(  # the dataclass's field ``tie`` becomes a view when built
    _read_tie,
    _set_tie,
    doc="""The ties' strength on every co-presence edge, ``(E,)``, 0 where there is none.

    Made from the compact ties (``tie_ids``, ``tie_strength``) each time it is read, in memory
    kept from one read to the next, so that writing to it by hand and then calling
    :meth:`World.refresh_ties` sets the ties; the rules read and change only the compact
    arrays. Assigning an array sets the ties at once. A week's rules do not read it: at
    100,000 workers it is 2.6 million strengths, most of them 0.""",
)


def _groups(labels: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Members of each group, grouped (``order``) and the group bounds (``ptr``)."""
    order = np.argsort(labels, kind="stable")
    ptr = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(np.bincount(labels, minlength=n_groups), out=ptr[1:])
    return order, ptr


def csr(edges: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Neighbour lists of an undirected graph given as ``(E, 2)`` pairs: ``(ptr, nbr)``."""
    ends = np.concatenate([edges, edges[:, ::-1]])
    order = np.lexsort((ends[:, 1], ends[:, 0]))
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(ends[:, 0], minlength=n), out=ptr[1:])
    return ptr, ends[order, 1].astype(np.int64)
