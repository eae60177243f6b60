"""Building the world: from a setting and the parameters to the arrays of the state.

Pure functions of ``(setting, parameters, generators)``: no I/O and no agents. The model calls
them in a fixed order (:func:`build_world`, :func:`draw_beneficiaries`, :func:`draw_tenure`), so
that one seed gives the same world. The helpers name the facets and derive the static arrays of
a setting: the anchoring weights of core facets, the facets the professions own, the shared
receptions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulation import kernels
from simulation.network import Layers, build_layers
from simulation.parameters import Parameters
from simulation.scenarios import (
    FACETS,
    HEALTH_FACETS,
    PROFESSION_FACETS,
    PROFESSIONS,
    PROTOTYPES,
    SECTORS,
    AssociationSpec,
    Setting,
)
from simulation.workforce import draw_openness
from simulation.world import World

BENEFICIARY_SPREAD = 0.03
"""sd of a beneficiary's needs around its public's profile."""


def build_world(
    setting: Setting,
    p: Parameters,
    facets: tuple[str, ...],
    rng: np.random.Generator,
    py_random: Any,
) -> tuple[World, Layers]:
    """The world's arrays and the co-location layers, drawn from a setting and parameters.

    Draws, in this order: extra prototype facets, cultures, practices, professions (from
    ``rng``), the co-presence layers (from ``py_random``, the model's seeded ``random``),
    openness and the common-work draw (from ``rng``).

    Why one function: it is the list of the :class:`World`'s fields, one line each, in the
    order the draws are made.
    """
    specs = setting.associations
    d = p.n_facets
    prototypes = extend_prototypes(d, rng)
    cultures = np.array([_culture(s, prototypes[s.kind]) for s in specs])
    cultures = np.clip(cultures + rng.normal(0.0, p.culture_spread, cultures.shape), 0, 1)
    sizes = np.array([s.size for s in specs])
    membership = np.repeat(np.arange(len(specs)), sizes)
    practices = cultures[membership] + rng.normal(0.0, p.worker_spread, (sizes.sum(), d))
    profession = np.concatenate(
        [
            rng.choice(
                [PROFESSIONS.index(p) for p in s.professions],
                size=s.size,
                p=np.array(list(s.professions.values())) / sum(s.professions.values()),
            )
            for s in specs
        ]
    )
    layers = build_layers(specs, membership, py_random)
    n = membership.size
    adj_ptr, adj_edge = kernels.active().incidence(layers.co_presence, n)
    cp_prob, cp_alias = kernels.active().alias_table(layers.rate)
    asym = p.asymmetry
    n_sites = max(s.site for s in specs) + 1
    practices = np.clip(practices, 0.0, 1.0)
    norm_mask = facet_mask(facets, tuple(setting.premises_norm)).astype(float)
    norm = np.array([setting.premises_norm.get(f, 0.0) for f in facets])
    world = World(
        practices=practices,
        membership=membership,
        openness=draw_openness(rng, p.openness, n),
        profession=profession,
        tenure=np.zeros(n, dtype=np.int64),
        cultures=cultures,
        identity=np.clip(p.identity_strength * np.array([s.identity for s in specs]), 0, 1),
        sector=np.array([SECTORS.index(s.sector) for s in specs]),
        assoc_site=np.array([s.site for s in specs]),
        # influence[receiver sector, source sector]: health = 0, social = 1
        influence=np.array([[1.0, 1.0 - asym], [1.0 + asym, 1.0]]),
        cp_edges=layers.co_presence,
        cp_weight=layers.weight,
        cp_prob=cp_prob,
        cp_alias=cp_alias,
        cp_total=float(layers.rate.sum()),
        adj_ptr=adj_ptr,
        adj_edge=adj_edge,
        familiarity=np.zeros(len(layers.weight), dtype=np.int32),
        tie=np.zeros(len(layers.weight)),
        style=practices - cultures[membership],
        facet_weight=core_weights(cultures, p.core_facets, p.periphery_anchoring),
        cw_draw=rng.random(n),
        codes=np.zeros((n_sites, d)),
        code_set=np.zeros(n_sites, dtype=np.bool_),
        standard=cultures.mean(axis=0),
        sector_facet=facet_mask(facets, HEALTH_FACETS).astype(float),
        owned=owned_facets(facets),
        norm=np.tile(norm, (n_sites, 1)),
        norm_mask=np.tile(norm_mask, (n_sites, 1)),
        room_lost=np.array([s.room_lost for s in specs], dtype=float),
        reception_shared=reception_shared(specs, n_sites),
        tool_mask=facet_mask(facets, setting.tool_facets),
    )
    world.initial_centroids = np.zeros_like(cultures)
    kernels.active().group_mean(practices, membership, len(specs), world.initial_centroids)
    return world, layers


def draw_beneficiaries(
    world: World, setting: Setting, p: Parameters, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw the beneficiaries who stand for each association's public.

    Each beneficiary needs what its association was built for (its initial culture, up to
    a small individual spread); a share ``multi_need_share`` has mixed needs: on some facets
    (each with probability 1/2, at least one) its need lies part of the way (a quarter to
    three quarters) towards another public of the same site: the drug user who needs a
    gynaecological consultation "un peu plus bas seuil", without appointment.

    Returns:
        ``(need, need_public, need_site)``: each beneficiary's needs ``(B, D)``, the
        association whose public it belongs to and that association's site ``(B,)``.
    """
    w = world
    specs = setting.associations
    public = np.repeat(np.arange(len(specs)), [s.public_size for s in specs])
    need = w.initial_cultures[public] + rng.normal(
        0.0, BENEFICIARY_SPREAD, (public.size, p.n_facets)
    )
    mixed = rng.random(public.size) < p.multi_need_share
    # a partner public on the same site: another association of the site, at random
    site_of = w.assoc_site
    order = np.argsort(site_of, kind="stable")
    first = np.searchsorted(site_of[order], site_of)
    count = np.bincount(site_of)[site_of]
    offset = rng.integers(1, np.maximum(count[public], 2))
    pos_in_site = np.empty_like(order)
    pos_in_site[order] = np.arange(order.size) - first[order]
    partner_pos = (pos_in_site[public] + offset) % np.maximum(count[public], 1)
    partner = order[first[public] + partner_pos]
    mixed &= (count[public] > 1) & (partner != public)
    take = rng.random((public.size, p.n_facets)) < 0.5
    take[np.arange(public.size), rng.integers(0, p.n_facets, public.size)] = True
    take &= mixed[:, None]
    reach = rng.uniform(0.25, 0.75, take.shape)
    shift = reach * (w.initial_cultures[partner] - w.initial_cultures[public])
    return np.clip(np.where(take, need + shift, need), 0.0, 1.0), public, site_of[public]


def draw_tenure(p: Parameters, n_workers: int, rng: np.random.Generator) -> np.ndarray:
    """Weeks each initial worker has been in post: the stationary spread of the turnover.

    Geometric with the weekly hazard ``turnover`` (at least 1/520, ten years on average at
    most), so that the workers present when pooling begins are mostly old hands.
    """
    hazard = max(p.turnover, 1.0 / 520.0)
    return rng.geometric(hazard, n_workers) - 1


def core_weights(cultures: np.ndarray, core_facets: int, periphery: float) -> np.ndarray:
    """Anchoring weight of each association on each facet: 1 on its core, ``periphery`` elsewhere.

    An association's core facets are the ``core_facets`` on which its culture lies farthest
    from the mean of all cultures: what makes it distinct (the drug service's walk-in access and
    community approach, the medical practice's medical framing).
    """
    weights = np.full(cultures.shape, float(periphery))
    k = min(int(core_facets), cultures.shape[1])
    if k > 0:
        distinct = np.abs(cultures - cultures.mean(axis=0))
        core = np.argsort(-distinct, axis=1, kind="stable")[:, :k]
        np.put_along_axis(weights, core, 1.0, axis=1)
    return weights


def facet_mask(facets: tuple[str, ...], names: tuple[str, ...]) -> np.ndarray:
    """``(D,)`` bool: True on the facets named (names beyond ``facets`` are ignored)."""
    return np.array([f in names for f in facets], dtype=np.bool_)


def owned_facets(facets: tuple[str, ...]) -> np.ndarray:
    """``(P, D)`` bool: the facets each profession of ``PROFESSIONS`` owns."""
    return np.array([facet_mask(facets, PROFESSION_FACETS[p]) for p in PROFESSIONS])


def reception_shared(specs: tuple[AssociationSpec, ...], n_sites: int) -> np.ndarray:
    """``(S,)`` 1.0 where a site's associations use one shared reception space, else 0.0."""
    out = np.zeros(n_sites)
    for s in specs:
        if s.spaces.get("reception", 0.0) > 0:
            out[s.site] = 1.0
    return out


def facet_names(n_facets: int) -> tuple[str, ...]:
    """Names of the facets: the article's six, then ``facet_7``, ``facet_8``, ..."""
    extra = tuple(f"facet_{k + 1}" for k in range(len(FACETS), n_facets))
    return (FACETS + extra)[:n_facets]


def extend_prototypes(n_facets: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Prototype cultures on ``n_facets`` facets: the article's six, then random extra facets."""
    out = {}
    for kind, proto in PROTOTYPES.items():
        extra = rng.random(max(n_facets - len(proto), 0))
        out[kind] = np.concatenate([np.asarray(proto, dtype=float), extra])[:n_facets]
    return out


def _culture(spec: Any, prototype: np.ndarray) -> np.ndarray:
    """An association's culture before its spread: its own facet values, else its prototype's.

    Facets a case file leaves out (or the extra facets beyond its values) are the prototype's.
    """
    if spec.culture is None:
        return prototype
    own = np.asarray(spec.culture, dtype=float)[: prototype.size]
    return np.concatenate([own, prototype[own.size :]])
