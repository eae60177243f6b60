"""The classic models our three rules descend from, run on the same kernels as the pooling model.

Docking (Axtell, Axelrod, Epstein & Cohen 1996, "Aligning simulation models") asks whether a new
model reduces to the ones reviewers know. Each rule of :mod:`simulation.rules` has a classic
ancestor, and each ancestor is rebuilt here as a plain function (parameters in, a frozen result
out) that calls the very kernel the rule calls, through :func:`simulation.kernels.active`:

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
from dataclasses import dataclass, field, fields
from numbers import Integral
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from simulation import kernels
from simulation.parameters import ParamSpec, check_value

__all__ = [
    "CLASSIC_MODELS",
    "CLASSIC_PARAMETERS",
    "AxelrodResult",
    "DeffuantResult",
    "MarchResult",
    "axelrod",
    "deffuant",
    "lattice",
    "march",
    "opinion_clusters",
]

NEIGHBOURHOODS: Mapping[int, tuple[tuple[int, int], ...]] = {
    4: ((-1, 0), (1, 0), (0, -1), (0, 1)),
    8: ((-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)),
    12: (
        (-1, 0),
        (1, 0),
        (0, -1),
        (0, 1),
        (-1, -1),
        (-1, 1),
        (1, -1),
        (1, 1),
        (-2, 0),
        (2, 0),
        (0, -2),
        (0, 2),
    ),
}
"""Axelrod's (1997) neighbourhoods: von Neumann (4), Moore (8), and Moore plus the four sites two
steps away along the axes (12). Offsets (row, column) on a grid that does not wrap."""

MAJOR_SHARE = 0.02
"""Deffuant et al. (2000): a cluster holding at least this share of the agents is a major one."""

CONVERGED_SPREAD = 1e-6
"""Deffuant: a group of opinions that can still interact is one opinion below this spread."""

MARCH_PERIODS = 10_000
"""March: cap on periods when the run should reach equilibrium (no turnover, no turbulence)."""

MARCH_HORIZON = 100
"""March: periods run when turnover or turbulence leave no equilibrium to reach."""

_MIN_CHUNK = 1024
_MAX_CHUNK = 1 << 20


def _i(low: int, high: int, unit: str, label: str, optional: bool = False) -> ParamSpec:
    return ParamSpec("int", low, high, optional=optional, unit=unit, label=label)


def _f(low: float, high: float, unit: str, label: str) -> ParamSpec:
    return ParamSpec("float", low, high, unit=unit, label=label)


CLASSIC_PARAMETERS: Mapping[str, Mapping[str, ParamSpec]] = {
    "axelrod": {
        "size": _i(2, 2_000, "sites per side (L x L grid, not wrapping)", "Grid side"),
        "features": _i(1, 1_000, "cultural features (F)", "Features"),
        "traits": _i(1, 1_000_000, "traits per feature (q)", "Traits"),
        "neighbours": ParamSpec("int", 4, 12, unit="4, 8 or 12 neighbours", label="Neighbourhood"),
        "max_sweeps": _i(1, 10**9, "activations per site before giving up", "Sweep cap"),
    },
    "deffuant": {
        "n_agents": _i(2, 10_000_000, "agents", "Agents"),
        "eps": _f(0.0, 1.0, "confidence threshold (d in the paper)", "Threshold"),
        "mu": _f(0.0, 0.5, "convergence parameter", "Convergence"),
        "max_sweeps": _i(1, 10**9, "encounters per agent before giving up", "Sweep cap"),
    },
    "march": {
        "n_individuals": _i(1, 100_000, "individuals (n)", "Individuals"),
        "m_dimensions": _i(1, 100_000, "dimensions of reality (m)", "Dimensions"),
        "p1": _f(0.0, 1.0, "socialisation rate", "Socialisation"),
        "p2": _f(0.0, 1.0, "code learning rate", "Code learning"),
        "p3": _f(0.0, 1.0, "turnover per individual and period", "Turnover"),
        "p4": _f(0.0, 1.0, "turbulence per dimension and period", "Turbulence"),
        "variant": ParamSpec(
            "choice", choices=("clarified", "literal"), unit="rules", label="Variant"
        ),
        "max_periods": _i(1, 10**7, "periods before giving up", "Period cap", optional=True),
    },
}
"""Type and allowed range of every scalar keyword of :func:`axelrod`, :func:`deffuant` and
:func:`march` (all but ``rng``, as in :data:`simulation.parameters.PARAMETERS`); defaults live in
the functions' signatures."""


def _check(model: str, name: str, value: Any) -> Any:
    """Validate one parameter of a classic model; returns it normalised."""
    spec = CLASSIC_PARAMETERS[model][name]
    if name == "neighbours":
        expected = "one of 4, 8, 12"
        value = check_value(name, spec, value, expected)
        if value not in NEIGHBOURHOODS:
            raise ValueError(f"parameter {name!r} = {value!r} is invalid: expected {expected}")
        return value
    return check_value(name, spec, value)


def _generator(rng: Any) -> np.random.Generator:
    """The run's generator from ``rng`` (None, an int >= 0, a SeedSequence or a Generator)."""
    if rng is None or isinstance(rng, np.random.Generator | np.random.SeedSequence):
        return np.random.default_rng(rng)
    if isinstance(rng, Integral) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise ValueError(
        f"parameter 'rng' = {rng!r} is invalid: expected None, a non-negative integer, "
        "a numpy SeedSequence or a numpy Generator"
    )


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array, copy=True)
    array.flags.writeable = False
    return array


class _AsDict:
    """``as_dict`` for the result dataclasses: scalars and tuples, and the arrays on request."""

    def as_dict(self, arrays: bool = False) -> dict[str, Any]:
        """The result as a plain, JSON-ready dict.

        Args:
            arrays: also include the final state arrays (as nested lists).
        """
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                if arrays:
                    out[f.name] = value.tolist()
            elif isinstance(value, tuple):
                out[f.name] = list(value)
            else:
                out[f.name] = value
        return out


# --- Axelrod (1997): the dissemination of culture -------------------------------------------


@dataclass(frozen=True)
class AxelrodResult(_AsDict):
    """Outcome of one run of Axelrod's culture model.

    Attributes:
        regions: stable regions: connected sets of neighbouring sites with identical culture.
        cultures: distinct cultures (feature vectors) left on the grid.
        largest_region: sites in the largest region.
        events: activations up to and including the last one that changed a trait (the time to
            the absorbing state, in Axelrod's "events").
        changes: activations that changed a trait.
        converged: whether no neighbouring pair can interact any more (overlap 0 or F).
        size: grid side L.
        features: F.
        traits: q.
        neighbours: 4, 8 or 12.
        grid: final traits, ``(L, L, F)`` integers, read-only.
    """

    regions: int
    cultures: int
    largest_region: int
    events: int
    changes: int
    converged: bool
    size: int
    features: int
    traits: int
    neighbours: int
    grid: np.ndarray = field(repr=False, compare=False)


def lattice(size: int, neighbours: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The neighbour lists of a bounded ``size x size`` grid (sites numbered row by row).

    Returns:
        ``(ptr, nbr, edges)``: the neighbours of site ``s`` are ``nbr[ptr[s]:ptr[s + 1]]``
        (sites on the border have fewer); ``edges`` holds each neighbouring pair once,
        ``(E, 2)`` with the smaller site first.
    """
    n = size * size
    row, col = np.divmod(np.arange(n), size)
    src, dst = [], []
    for dr, dc in NEIGHBOURHOODS[neighbours]:
        r, c = row + dr, col + dc
        inside = (r >= 0) & (r < size) & (c >= 0) & (c < size)
        src.append(np.flatnonzero(inside))
        dst.append((r * size + c)[inside])
    a, b = np.concatenate(src), np.concatenate(dst)
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    ptr = np.searchsorted(a, np.arange(n + 1)).astype(np.int64)
    keep = a < b
    return ptr, b.astype(np.int64), np.column_stack([a[keep], b[keep]]).astype(np.int64)


def _shared_features(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    return np.count_nonzero(x[edges[:, 0]] == x[edges[:, 1]], axis=1)


def axelrod(
    *,
    size: int = 10,
    features: int = 5,
    traits: int = 10,
    neighbours: int = 4,
    max_sweeps: int = 100_000,
    rng: Any = None,
) -> AxelrodResult:
    """Axelrod's (1997) model of the dissemination of culture, run to its absorbing state.

    Each site of a bounded (non-wrapping) ``size x size`` grid holds a culture of ``features``
    features, each one of ``traits`` traits drawn uniformly. An event activates a site chosen at
    random (with replacement) and one of its neighbours chosen at random; with probability equal
    to the share of features on which they agree, the active site copies the neighbour's trait
    on one feature, chosen at random among those on which they differ. Events run until no
    neighbouring pair can interact (each shares either every feature or none), checked between
    chunks of about ``16 L^2`` events; the events of a chunk after the last change change
    nothing, and ``events`` counts up to the last change only.

    This is the collaboration kernel (``facet_borrowing``) with traits stored as exact floats,
    ``tol=0`` (shared means equal), ``mu=1`` (copy), ``floor=0``, one-way borrowing and unit
    weights: the pooling model's collaboration is the same loop made continuous and reciprocal.

    Args:
        size: grid side L (the grid has L x L sites).
        features: number of cultural features F.
        traits: number of traits per feature q.
        neighbours: 4 (von Neumann), 8 (Moore) or 12 (Moore and the sites two steps away along
            the axes).
        max_sweeps: give up after ``max_sweeps * L * L`` events (the result then says
            ``converged=False``).
        rng: seed or numpy Generator.

    Returns:
        The number of stable regions, of distinct cultures, and the final grid.

    Raises:
        ValueError: naming a parameter, its value and the allowed range.
    """
    size = _check("axelrod", "size", size)
    features = _check("axelrod", "features", features)
    traits = _check("axelrod", "traits", traits)
    neighbours = _check("axelrod", "neighbours", neighbours)
    max_sweeps = _check("axelrod", "max_sweeps", max_sweeps)
    gen = _generator(rng)

    n = size * size
    ptr, nbr, edges = lattice(size, neighbours)
    degree = np.diff(ptr)
    x = gen.integers(0, traits, (n, features)).astype(np.float64)
    max_events = max_sweeps * n
    chunk = min(max(_MIN_CHUNK, 16 * n), _MAX_CHUNK)
    kernel = kernels.active().facet_borrowing
    ones = np.ones(chunk)
    changed = np.empty(chunk, dtype=np.bool_)
    events = last_change = changes = 0

    def absorbed() -> bool:
        shared = _shared_features(x, edges)
        return bool(np.all((shared == 0) | (shared == features)))

    converged = absorbed()
    while not converged and events < max_events:
        p = min(chunk, max_events - events)
        site = gen.integers(0, n, p)
        partner = nbr[ptr[site] + (gen.random(p) * degree[site]).astype(np.int64)]
        u = gen.random((2, p))
        kernel(x, site, partner, u[0], u[1], 0.0, 1.0, 0.0, False, ones[:p], ones[:p], changed)
        hits = np.flatnonzero(changed[:p])
        if hits.size:
            changes += hits.size
            last_change = events + int(hits[-1]) + 1
        events += p
        converged = absorbed()

    identical = _shared_features(x, edges) == features
    graph = coo_matrix(
        (np.ones(np.count_nonzero(identical)), (edges[identical, 0], edges[identical, 1])),
        shape=(n, n),
    )
    regions, labels = connected_components(graph, directed=False)
    return AxelrodResult(
        regions=int(regions),
        cultures=len(np.unique(x, axis=0)),
        largest_region=int(np.bincount(labels).max()),
        events=last_change,
        changes=changes,
        converged=converged,
        size=size,
        features=features,
        traits=traits,
        neighbours=neighbours,
        grid=_frozen(x.reshape(size, size, features).astype(np.int64)),
    )


# --- Deffuant, Neau, Amblard & Weisbuch (2000): bounded confidence --------------------------


@dataclass(frozen=True)
class DeffuantResult(_AsDict):
    """Outcome of one run of the Deffuant-Weisbuch bounded-confidence model.

    Attributes:
        clusters: groups of opinions separated by gaps of at least ``eps`` (no pair across a gap
            can interact).
        major_clusters: clusters holding at least 2 % of the agents (Deffuant et al. 2000).
        cluster_sizes: agents in each cluster, from the lowest opinion up.
        cluster_opinions: mean opinion of each cluster, from the lowest up.
        encounters: random pairs drawn.
        converged: whether every cluster had shrunk to one opinion (spread below
            :data:`CONVERGED_SPREAD`), after which the clusters can never change.
        n_agents: N.
        eps: confidence threshold.
        mu: convergence parameter.
        opinions: final opinions, ``(N,)``, read-only.
    """

    clusters: int
    major_clusters: int
    cluster_sizes: tuple[int, ...]
    cluster_opinions: tuple[float, ...]
    encounters: int
    converged: bool
    n_agents: int
    eps: float
    mu: float
    opinions: np.ndarray = field(repr=False, compare=False)


def opinion_clusters(opinions: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Split opinions into the groups that can never interact with each other.

    Sorted opinions are cut wherever two neighbours are at least ``eps`` apart: every pair
    across a cut is then at least ``eps`` apart and, since encounters only move opinions
    within the hull of their group, stays so (Deffuant et al. 2000's rule needs a distance
    below ``eps``).

    Returns:
        ``(sorted_opinions, starts)``: the groups are ``sorted_opinions[starts[k]:starts[k+1]]``
        (with ``starts`` closed by ``len(opinions)``).
    """
    xs = np.sort(np.asarray(opinions, dtype=np.float64).ravel())
    cuts = np.flatnonzero(np.diff(xs) >= eps) + 1
    return xs, np.concatenate([[0], cuts, [xs.size]]).astype(np.int64)


def deffuant(
    *,
    n_agents: int = 1000,
    eps: float = 0.2,
    mu: float = 0.5,
    max_sweeps: int = 100_000,
    rng: Any = None,
) -> DeffuantResult:
    """Deffuant et al.'s (2000) bounded-confidence model, run to convergence.

    ``n_agents`` opinions start uniform on [0, 1]. At each step two distinct agents are drawn at
    random; if their opinions differ by less than ``eps``, each moves a share ``mu`` of the way
    to the other's. Pairs are drawn in chunks and applied in order by the co-presence kernel
    (``bounded_confidence``, one facet, unit weights: exactly the published rule).

    Convergence: the sorted opinions are cut into groups wherever two neighbours are at least
    ``eps`` apart (see :func:`opinion_clusters`); the run stops when each group has shrunk to
    one opinion (its spread is below :data:`CONVERGED_SPREAD`, 1e-6). From then on no pair
    across groups can ever interact and the groups only shrink, so the clusters are final.
    The criterion is checked between chunks of about ``10 N`` encounters (at most 2^20).

    Args:
        n_agents: number of agents N.
        eps: confidence threshold (``d`` in the paper), in [0, 1].
        mu: convergence parameter, in [0, 0.5].
        max_sweeps: give up after ``max_sweeps * N`` encounters (``converged=False``).
        rng: seed or numpy Generator.

    Returns:
        The clusters (count, major count, sizes and positions) and the final opinions.

    Raises:
        ValueError: naming a parameter, its value and the allowed range.
    """
    n = _check("deffuant", "n_agents", n_agents)
    eps = _check("deffuant", "eps", eps)
    mu = _check("deffuant", "mu", mu)
    max_sweeps = _check("deffuant", "max_sweeps", max_sweeps)
    gen = _generator(rng)

    x = gen.random((n, 1))
    chunk = min(max(_MIN_CHUNK, 10 * n), _MAX_CHUNK)
    max_encounters = max_sweeps * n
    kernel = kernels.active().bounded_confidence
    ones = np.ones(chunk)
    met = np.empty(chunk, dtype=np.bool_)
    encounters = 0

    def state() -> tuple[bool, np.ndarray, np.ndarray]:
        xs, starts = opinion_clusters(x, eps)
        spread = xs[starts[1:] - 1] - xs[starts[:-1]]
        return bool(np.all(spread < CONVERGED_SPREAD)), xs, starts

    converged, xs, starts = state()
    while not converged and encounters < max_encounters:
        p = min(chunk, max_encounters - encounters)
        i = gen.integers(0, n, p)
        j = gen.integers(0, n - 1, p)
        j += j >= i
        kernel(x, i, j, eps, mu, ones[:p], ones[:p], met[:p])
        encounters += p
        converged, xs, starts = state()

    sizes = np.diff(starts)
    means = np.add.reduceat(xs, starts[:-1]) / sizes
    return DeffuantResult(
        clusters=int(sizes.size),
        major_clusters=int(np.count_nonzero(sizes >= MAJOR_SHARE * n)),
        cluster_sizes=tuple(int(s) for s in sizes),
        cluster_opinions=tuple(float(m) for m in means),
        encounters=encounters,
        converged=converged,
        n_agents=n,
        eps=eps,
        mu=mu,
        opinions=_frozen(x[:, 0]),
    )


# --- March (1991): mutual learning between individuals and the organisational code ----------


@dataclass(frozen=True)
class MarchResult(_AsDict):
    """Outcome of one run of March's (1991) mutual learning model.

    Attributes:
        knowledge: the code's knowledge of reality, ``code . reality / m`` (dimensions right
            minus dimensions wrong, over m; a neutral dimension counts 0): the measure of
            March's Fig. 1 as his program computed it (Christensen 2015).
        correct: share of dimensions on which the code matches reality.
        individual_knowledge: mean of ``beliefs . reality / m`` over the individuals.
        periods: periods run.
        converged: whether the run reached March's equilibrium (nothing can change any more);
            always False with turnover or turbulence, which run a fixed horizon.
        n_individuals: n.
        m_dimensions: m.
        p1: socialisation rate.
        p2: code learning rate.
        p3: turnover.
        p4: turbulence.
        variant: ``"clarified"`` or ``"literal"``.
        code: final code, ``(m,)`` in {-1, 0, 1}, read-only.
        beliefs: final beliefs, ``(n, m)`` in {-1, 0, 1}, read-only.
        reality: final reality, ``(m,)`` in {-1, 1}, read-only.
    """

    knowledge: float
    correct: float
    individual_knowledge: float
    periods: int
    converged: bool
    n_individuals: int
    m_dimensions: int
    p1: float
    p2: float
    p3: float
    p4: float
    variant: str
    code: np.ndarray = field(repr=False, compare=False)
    beliefs: np.ndarray = field(repr=False, compare=False)
    reality: np.ndarray = field(repr=False, compare=False)


class _Organisation:
    """March's organisation: reality, the individuals' beliefs and the code, all float arrays.

    Values are -1.0, 0.0 and 1.0 exactly, so that the socialisation kernel's arithmetic
    (``x + 1.0 * (target - x)``) lands on them exactly.
    """

    def __init__(self, n: int, m: int, variant: str, gen: np.random.Generator) -> None:
        self.gen, self.variant = gen, variant
        self.reality = gen.choice(np.array([-1.0, 1.0]), m)
        self.beliefs = gen.integers(-1, 2, (n, m)).astype(np.float64)
        self.code = np.zeros(m)
        self.members = np.arange(n, dtype=np.int64)

    def turnover(self, p3: float) -> None:
        """Each individual leaves with probability p3; the newcomer's beliefs are random."""
        leave = np.flatnonzero(self.gen.random(self.members.size) < p3)
        self.beliefs[leave] = self.gen.integers(-1, 2, (leave.size, self.code.size))

    def turbulence(self, p4: float) -> None:
        """Each dimension of reality flips with probability p4."""
        self.reality[self.gen.random(self.code.size) < p4] *= -1.0

    def act(self) -> np.ndarray:
        """What each individual does: its belief, or a coin flip where it has none."""
        coin = self.gen.choice(np.array([-1.0, 1.0]), self.beliefs.shape)
        return np.where(self.beliefs == 0.0, coin, self.beliefs)

    def socialise(self, p1: float, kernel: Callable[..., None]) -> None:
        """Individuals learn the code on each dimension where it has a view, with prob. p1.

        Literal (March 1991: 74): the belief becomes the code's, the common-work call of the
        pooling model (one team, the code as its standard). Clarified (Christensen 2015): the
        belief moves one step towards the code's (-1 -> 0 -> 1), i.e. the same kernel with each
        individual's target one step away from its belief.
        """
        n, m = self.beliefs.shape
        u = self.gen.random((n, m))
        if self.variant == "literal":
            team = np.zeros(n, dtype=np.int64)
            has_view = (self.code != 0.0)[None, :]
            kernel(self.beliefs, self.members, team, self.code[None, :], has_view, u, p1, 1.0)
        else:
            targets = np.clip(self.beliefs + self.code, -1.0, 1.0)
            active = np.repeat((self.code != 0.0)[None, :], n, axis=0)
            kernel(self.beliefs, self.members, self.members, targets, active, u, p1, 1.0)

    def superior_majority(self, actions: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """The superior group's dominant view on each dimension and its margin ``k``.

        The superior group is those who beat the code: on outcomes of their actions against
        the code's (clarified: Christensen 2015), or on dimensions right (literal: March 1991).
        Clarified: the view is the sign of the summed actions, ``k`` its absolute value.
        Literal: the view is the belief, 1 or -1, held by more of the group (a neutral belief is
        no view, so the code never turns neutral again), ``k`` the number of superior
        individuals who differ from the code minus those who agree (March's note 1).

        Returns:
            ``(view, k)``, ``(m,)`` each; ``view`` is NaN where no view dominates.
        """
        m = self.code.size
        if self.variant == "literal":
            right = np.count_nonzero(self.beliefs == self.reality, axis=1)
            group = self.beliefs[right > np.count_nonzero(self.code == self.reality)]
            lead = np.count_nonzero(group == 1.0, axis=0) - np.count_nonzero(group == -1.0, axis=0)
            view = np.where(lead != 0, np.sign(lead).astype(np.float64), np.nan)
            differ = np.count_nonzero(group != self.code, axis=0)
            return view, (differ - (group.shape[0] - differ)).astype(np.float64)
        score = actions @ self.reality
        group = actions[score > self.code @ self.reality]
        if group.shape[0] == 0:
            return np.full(m, np.nan), np.zeros(m)
        total = group.sum(axis=0)
        return np.where(total != 0.0, np.sign(total), np.nan), np.abs(total)

    def learn_code(self, p2: float, view: np.ndarray, k: np.ndarray) -> None:
        """The code adopts the superior group's view where it differs, with prob. 1-(1-p2)^k.

        The probability of a change grows with the group's majority margin ``k``
        (March 1991: 74, note 1).
        """
        differs = ~np.isnan(view) & (view != self.code) & (k > 0)
        if differs.any():
            adopt = differs & (self.gen.random(self.code.size) >= (1.0 - p2) ** k)
            self.code[adopt] = view[adopt]

    def settled(self) -> bool:
        """March's equilibrium: neither the individuals nor the code can change any more.

        Individuals can change while they differ from the code where it has a view. Literal:
        the code can change while the superior group's view differs from it (with beliefs
        fixed, that group is fixed). Clarified: while some individual could still beat the
        code, i.e. its best possible outcome (right beliefs plus lucky coin flips on its
        neutral dimensions) exceeds the code's.
        """
        if np.any((self.beliefs != self.code) & (self.code != 0.0)):
            return False
        if self.variant == "literal":
            view, k = self.superior_majority(None)
            return not np.any(~np.isnan(view) & (view != self.code) & (k > 0))
        best = self.beliefs @ self.reality + np.count_nonzero(self.beliefs == 0.0, axis=1)
        return not np.any(best > self.code @ self.reality)


def march(
    *,
    n_individuals: int = 50,
    m_dimensions: int = 30,
    p1: float = 0.1,
    p2: float = 0.5,
    p3: float = 0.0,
    p4: float = 0.0,
    variant: str = "clarified",
    max_periods: int | None = None,
    rng: Any = None,
) -> MarchResult:
    """March's (1991) model of mutual learning, run to equilibrium.

    Reality has ``m_dimensions`` dimensions, each 1 or -1 with probability 1/2. Each of
    ``n_individuals`` individuals holds a belief of 1, 0 or -1 on each (equally likely); the
    organisational code starts neutral (all 0). Each period, in order (Christensen 2015):

    1. turnover: each individual leaves with probability ``p3`` and is replaced by one with
       random beliefs; turbulence: each dimension of reality flips with probability ``p4``;
    2. individuals act (clarified variant: on their beliefs, a coin flip where neutral);
    3. socialisation: on each dimension where the code is not 0 and differs from an
       individual's belief, the belief moves to the code with probability ``p1`` (the
       common-work kernel ``socialise_to_code``);
    4. code learning, from the state at the start of the period: the superior group (those who
       beat the code) holds a dominant view on a dimension; where it differs from the code, the
       code adopts it with probability ``1 - (1 - p2) ** k``, ``k`` the group's majority margin.

    Variants. ``"clarified"`` (default) follows March's program as Rodan (2005) and Christensen
    (2015) document it, which is what reproduces Fig. 1: individuals and code are judged on the
    outcomes of their actions (``action . reality``), the dominant view is the sign of the
    superior group's summed actions with ``k`` its absolute value, and socialisation moves a
    belief one step (-1 -> 0 -> 1). ``"literal"`` reads the 1991 text as written: superiority
    counts dimensions right, the dominant view is the belief (1 or -1) held by more of the
    superior group, ``k`` is the number who differ from the code minus those who agree (note 1),
    and socialisation adopts the code's belief at once.

    Equilibrium: without turnover and turbulence the run stops when nothing can change any more
    (see ``_Organisation.settled``), or after :data:`MARCH_PERIODS` periods. With turnover or
    turbulence there is no equilibrium: the run lasts :data:`MARCH_HORIZON` periods and the
    result is the state at the end.

    Args:
        n_individuals: n.
        m_dimensions: m.
        p1: socialisation rate (learning from the code), in [0, 1].
        p2: code learning rate (learning by the code), in [0, 1].
        p3: turnover per individual and period, in [0, 1].
        p4: turbulence per dimension and period, in [0, 1].
        variant: ``"clarified"`` or ``"literal"``.
        max_periods: cap on periods; None for the defaults above.
        rng: seed or numpy Generator.

    Returns:
        The equilibrium knowledge of the code and the final state.

    Raises:
        ValueError: naming a parameter, its value and the allowed range.
    """
    n = _check("march", "n_individuals", n_individuals)
    m = _check("march", "m_dimensions", m_dimensions)
    p1, p2 = _check("march", "p1", p1), _check("march", "p2", p2)
    p3, p4 = _check("march", "p3", p3), _check("march", "p4", p4)
    variant = _check("march", "variant", variant)
    max_periods = _check("march", "max_periods", max_periods)
    gen = _generator(rng)
    closed = p3 == 0.0 and p4 == 0.0
    if max_periods is None:
        max_periods = MARCH_PERIODS if closed else MARCH_HORIZON

    org = _Organisation(n, m, variant, gen)
    kernel = kernels.active().socialise_to_code
    periods, converged = 0, False
    while periods < max_periods:
        if p3 > 0.0:
            org.turnover(p3)
        if p4 > 0.0:
            org.turbulence(p4)
        actions = org.act() if variant == "clarified" else None
        view, k = org.superior_majority(actions)
        org.socialise(p1, kernel)
        org.learn_code(p2, view, k)
        periods += 1
        if closed and org.settled():
            converged = True
            break

    return MarchResult(
        knowledge=float(org.code @ org.reality) / m,
        correct=float(np.mean(org.code == org.reality)),
        individual_knowledge=float(np.mean(org.beliefs @ org.reality)) / m,
        periods=periods,
        converged=converged,
        n_individuals=n,
        m_dimensions=m,
        p1=p1,
        p2=p2,
        p3=p3,
        p4=p4,
        variant=variant,
        code=_frozen(org.code.astype(np.int64)),
        beliefs=_frozen(org.beliefs.astype(np.int64)),
        reality=_frozen(org.reality.astype(np.int64)),
    )


CLASSIC_MODELS: Mapping[str, Callable[..., Any]] = {
    "axelrod": axelrod,
    "deffuant": deffuant,
    "march": march,
}
"""Command-line name -> function; each takes the keywords of :data:`CLASSIC_PARAMETERS`."""
