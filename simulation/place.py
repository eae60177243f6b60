"""The rules of the place: the building's norm and the pooled function's durable tools.

Two of the weekly rules of :mod:`simulation.rules` act through what the premises and the pooled
function leave behind rather than through other workers: :func:`premises` (the building's layout
pulls the workers who lost their own rooms, SF8) and :func:`shared_tools` (the tools a pooled
function wrote outlive it and decay unused, SF7), with :func:`intervision_attendance`, the
chance of attending a peer meeting that the tools' distance to one's practice sets.
"""

from __future__ import annotations

import numpy as np

from simulation import kernels, rates
from simulation.parameters import Parameters
from simulation.world import World


def premises(world: World, co_level: float, r: Parameters) -> None:
    """The building's norm pulls the workers who lost their own rooms (SF8).

    A site's building is designed for one practice on the facets its layout constrains (access,
    reception, approach: ``Setting.premises_norm``). Each week a worker closes a share
    ``premises_pull * room_lost * co_presence`` of its gap to that norm on those facets, where
    ``room_lost`` is the share of its association's own rooms lost on the site (set by the
    layout: in the CSSI as built, the drug service lost its community room; in the shared layout
    every association did) and ``co_presence`` the share of time spent on the shared premises.
    "Ça aurait pu être un hôpital. Dans la configuration, dans les couleurs, dans l'agencement,
    c'est pensé institution de soin"; "l'organisation communautaire du service est plus difficile
    à mettre en œuvre à cause de l'agencement des nouveaux locaux" (*Partager des locaux*).
    """
    if not r.premises_norms or r.premises_pull <= 0 or co_level <= 0:
        return
    rate = rates.premises_rate(world, r.premises_pull, co_level)
    if rate is None:
        return
    kernels.active().pull_towards(
        world.practices, world.worker_site, world.norm, world.no_offset, rate, world.norm_mask
    )


def tool_gap(world: World) -> np.ndarray:
    """Each worker's mean gap to its site's shared tools on the facets they cover, ``(N,)``."""
    mask = world.tool_mask
    if not mask.any():
        return np.zeros(world.n_workers)
    diff = world.practices[:, mask] - world.tools[world.worker_site][:, mask]
    return np.abs(diff).mean(axis=1)


def shared_tools(world: World, common_level: float, r: Parameters) -> None:
    """Durable shared tools: written in common work, used after it, decaying only when unused.

    While a site has common work, its pooled function writes its standard on the tool facets
    (``Setting.tool_facets``) into the site's shared tools, at full strength: the helpline's
    "balises de travail pour répondants, lexique pour l'encodage des appels, répertoire de
    services" (*Vers une hybridation ...*, SF7). The tools outlive the common work: each week
    every worker of the site closes ``tool_use * strength`` of its gap to them on those facets.
    The strength falls by ``tool_decay`` times the share of the site's workers who no longer use
    them (whose practice lies farther than ``access_tolerance`` from them on those facets): tools
    decay only as far as they go unused.
    """
    if not r.shared_tools or not world.tool_mask.any():
        return
    mask = world.tool_mask
    if common_level > 0:
        written = world.code_set
        world.tools[np.ix_(written, mask)] = world.codes[np.ix_(written, mask)]
        world.tool_strength[written] = 1.0
    if not np.any(world.tool_strength > 0):
        return
    if r.tool_use > 0:
        rate = r.tool_use * world.tool_strength[world.worker_site]
        weight = np.broadcast_to(mask.astype(float), world.tools.shape)
        kernels.active().pull_towards(
            world.practices, world.worker_site, world.tools, world.no_offset, rate, weight
        )
    unused = tool_gap(world) > r.access_tolerance
    n_site = np.diff(world.site_ptr)
    share = np.bincount(world.worker_site, unused, minlength=world.n_sites) / np.maximum(n_site, 1)
    world.tool_strength *= 1.0 - r.tool_decay * share


def intervision_attendance(world: World, r: Parameters) -> np.ndarray:
    """Each worker's chance of attending a peer meeting: its sense of meaning in the role.

    ``1 - meaning_sensitivity * gap``, clipped to [0, 1], where ``gap`` is the worker's distance
    to the shared tools that define the respondent role (:func:`tool_gap`): as the role drifts
    from the worker's own practice it makes less sense to it, and it stops coming ("la fonction
    de répondant [...] s'écarte en partie des spécificités du métier d'assistant social [...] il
    ne contribue pas suffisamment à renforcer le sens accordé à leur travail"; "ces réunions ne
    sont pas toujours fréquentées", SF7).
    """
    return np.clip(1.0 - r.meaning_sensitivity * tool_gap(world), 0.0, 1.0)
