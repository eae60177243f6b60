"""Compiled interaction kernels shared by the pooling model and the classic models.

Every kernel is a plain loop over arrays, compiled with Numba (``cache=True``). Random numbers
are never drawn inside a kernel: the caller samples pairs and uniforms in bulk from the model's
generator and the kernel applies them *sequentially*, in order, which is the asynchronous
semantics of the classic models (one interaction sees the result of the previous one).

Each compiled kernel keeps its pure-Python original as ``.py_func``; :func:`pure_python` switches
every caller to those originals (slow, but steppable in a debugger) and gives identical arrays:
the arithmetic is the same IEEE double arithmetic in the same order (no fast-math).

Kernels and their ancestors:

* :func:`bounded_confidence`, :func:`encounters`: Deffuant, Neau, Amblard & Weisbuch (2000),
  "Mixing beliefs among interacting agents", *Advances in Complex Systems* 3: 87-98.
  Co-presence encounters.
* :func:`facet_borrowing`, :func:`collaborate`: Axelrod (1997), "The dissemination of culture",
  *Journal of Conflict Resolution* 41(2): 203-226. Collaboration on shared cases.
* :func:`socialise_to_code`, :func:`pooled_function`: March (1991), "Exploration and
  exploitation in organizational learning", *Organization Science* 2(1): 71-87. Common work.

The generic kernels (:func:`bounded_confidence`, :func:`facet_borrowing`,
:func:`socialise_to_code`) take pre-sampled pairs and per-pair weights, as the classic models
need. The pooling model's rules call fused kernels (:func:`encounters`, :func:`collaborate`,
:func:`pooled_function`, ...) that apply the same rule but look pairs and weights up in the
model's arrays themselves, so that a week costs no temporary per-pair arrays. The collaboration
ties are kept compact, in ascending edge order: the ids of the edges with a tie (``tie_ids``),
their strengths and their two workers, beside a tie count per worker (``degree``); every kernel
that starts, renews or ends a tie keeps them, so that no rule reads the co-presence edges' arrays
for a tie.

The co-presence edges of a large landscape (millions) do not fit in the cache, and a read of one
at random waits for memory. So a kernel first gathers what the week needs in passes of
independent reads, which the memory system serves many at a time (the edges the draws fall on
and their workers), asks for the rows of
the interactions a few ahead (:func:`_prefetch`), and only then applies the interactions in
order. The visits kernel also writes, each week, what a visit reads of a worker (association,
ties, profession, rate of adaptation, first partners) side by side in one 64-byte row
(:meth:`simulation.world.World.rows`), so that a visit waits for the worker's practice and one
row instead of one line per array; the shared cases likewise copy the practice and traits of
each worker with a tie to one row (:func:`_case_rows`) and apply the week's cases there. None
of this changes a value: the same draws meet the same pairs in the same order.

Why one module: :func:`pure_python` rebuilds every kernel, and the pair rules they share, in this
module's one namespace, so that each pure-Python original calls the others' originals; kernels
spread over several modules would each need their own copy of the pair rules.
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import Iterator
from types import SimpleNamespace

import numba
import numpy as np
from llvmlite import binding, ir
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = [
    "active",
    "alias_table",
    "aligned_rows",
    "bounded_confidence",
    "collaborate",
    "cut_ties",
    "decay_ties",
    "encounters",
    "encounters_on_table",
    "facet_borrowing",
    "form_ties",
    "group_mean",
    "group_means_of",
    "incidence",
    "is_compiled",
    "leavers",
    "pooled_function",
    "pull_towards",
    "pure_python",
    "route_visits",
    "serve_publics",
    "socialise_to_code",
]


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn)


PREFETCH_AHEAD = 8
"""Pairs ahead whose rows the generic kernels ask the memory system for (see :func:`_prefetch`)."""

# llvm.prefetch(address, read, high locality, data cache), named for typed or opaque pointers
_PREFETCH = "llvm.prefetch.p0" if binding.llvm_version_info >= (15,) else "llvm.prefetch.p0i8"


@intrinsic
def _prefetch(typingctx, x, i):
    """Hint the CPU to fetch row ``i`` of ``x`` (its first and last element) into the cache.

    The loops below read two rows per pair at random; once the practices are larger than the
    cache each read waits for memory. Asking for the rows of pair ``k + PREFETCH_AHEAD`` while
    pair ``k`` is applied overlaps those waits. On a one-dimensional ``x`` it fetches element
    ``i``. A pure hint: it changes no value.
    """

    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        array = context.make_array(array_type)(context, builder, args[0])
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, _PREFETCH)
        row = context.cast(builder, args[1], signature.args[1], numba.types.intp)
        if array_type.ndim == 1:
            places = [[row]]
        else:
            last = builder.sub(cgutils.unpack_tuple(builder, array.shape)[1], cgutils.intp_t(1))
            places = [[row, cgutils.intp_t(0)], [row, last]]
        for place in places:
            ptr = cgutils.get_item_pointer(
                context, builder, array_type, array, place, wraparound=False
            )
            hint = [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)]
            builder.call(fn, hint)
        return context.get_dummy_value()

    return numba.types.void(x, i), codegen


def _prefetch_nothing(x, i):
    """The pure-Python stand-in for :func:`_prefetch`."""


# --- the rules for one pair ---------------------------------------------------------------------


@_jit
def _within(x, i, j, eps):
    """Whether two practices are closer than ``eps`` (mean absolute difference over facets)."""
    d = x.shape[1]
    dist = 0.0
    for f in range(d):
        dist += abs(x[i, f] - x[j, f])
    dist /= d
    return dist < eps


@_jit
def _confide(x, i, j, eps, a, b):
    """Bounded confidence for one pair: both close shares ``a``, ``b`` of the gap if near."""
    if not _within(x, i, j, eps):
        return False
    for f in range(x.shape[1]):
        xi = x[i, f]
        xj = x[j, f]
        x[i, f] = xi + a * (xj - xi)
        x[j, f] = xj + b * (xi - xj)
    return True


@_jit
def _pick_facet(x, i, j, u_interact, u_facet, tol, floor):
    """The facet a pair works on, or -1 if it does not interact (see :func:`facet_borrowing`).

    One pass over the facets notes which ones differ (a bit each), so that the chosen one is
    then found among those bits without reading the two practices again, in a second pass of
    fixed length (``u_facet`` in ``[0, 1)``; past the last differing facet, the first facet).
    """
    d = x.shape[1]
    differ = 0
    n_differ = 0
    for f in range(d):  # without a branch: which facets differ is a coin toss to the CPU
        bit = int(abs(x[i, f] - x[j, f]) > tol)
        differ |= bit << f
        n_differ += bit
    n_same = d - n_differ
    if n_differ == 0:
        return -1
    p = floor + (1.0 - floor) * n_same / d
    if u_interact >= p:
        return -1
    pick = int(u_facet * n_differ)
    chosen = 0
    seen = 0
    for f in range(d):
        bit = (differ >> f) & 1
        if bit == 1 and seen == pick:
            chosen = f
        seen += bit
    return chosen


@_jit
def _borrow_facet(x, i, j, u_interact, u_facet, tol, floor, a, b, reciprocal):
    """Facet-wise borrowing for one pair; True if a facet moved (see :func:`facet_borrowing`)."""
    chosen = _pick_facet(x, i, j, u_interact, u_facet, tol, floor)
    if chosen < 0:
        return False
    xi = x[i, chosen]
    xj = x[j, chosen]
    x[i, chosen] = xi + a * (xj - xi)
    if reciprocal:
        x[j, chosen] = xj + b * (xi - xj)
    return True


@_jit
def _pair_rates(i, j, mu, openness, sector, influence):
    """Shares of the gap ``i`` and ``j`` close towards each other in one interaction.

    Each is ``mu`` x its openness x the influence of the other's sector on its own, capped at 1.
    """
    si = sector[i]
    sj = sector[j]
    a = min(1.0, mu * (openness[i] * influence[si, sj]))
    b = min(1.0, mu * (openness[j] * influence[sj, si]))
    return a, b


@_jit
def _facet_rate(i, j, f, mu, openness, sector, influence, sector_facet, profession, owned, keep):
    """Share of the gap on facet ``f`` that ``i`` closes towards ``j`` in one interaction.

    ``mu`` x ``i``'s openness, times the influence of ``j``'s sector on ``i``'s on the facets of
    health expertise only (``sector_facet[f] = 1``; 0 elsewhere: symmetric), times ``keep`` when
    ``f`` is a facet ``i``'s profession owns and ``j`` is of another profession; capped at 1.
    """
    w = openness[i]
    sf = sector_facet[f]
    if sf == 1.0:
        w = w * influence[sector[i], sector[j]]
    elif sf != 0.0:
        w = w * (1.0 + sf * (influence[sector[i], sector[j]] - 1.0))
    rate = mu * w
    if profession[i] != profession[j] and owned[profession[i], f]:
        rate *= keep
    return min(1.0, rate)


@_jit
def _meet(x, i, j, near, mu, openness, sector, influence, sector_facet):
    """Bounded confidence's move for one pair, written only if ``near`` (see :func:`_engage`).

    Each side closes ``mu`` x its openness of the gap, times the influence of the other's
    sector on its own on the facets of health expertise (``sector_facet``: fully where 1, in
    part where between 0 and 1), capped at 1. Every candidate weight is computed and the right
    one chosen, and a pair that is not near writes its own values back: no branch, since which
    facet weighs how and whether a pair is near are coin tosses to the CPU.
    """
    si = sector[i]
    sj = sector[j]
    pull_i = influence[si, sj]
    pull_j = influence[sj, si]
    wi = openness[i]
    wj = openness[j]
    for f in range(x.shape[1]):
        sf = sector_facet[f]
        part_i = wi * (1.0 + sf * (pull_i - 1.0))
        part_j = wj * (1.0 + sf * (pull_j - 1.0))
        a = min(1.0, mu * (wi * pull_i if sf == 1.0 else (part_i if sf != 0.0 else wi)))
        b = min(1.0, mu * (wj * pull_j if sf == 1.0 else (part_j if sf != 0.0 else wj)))
        xi = x[i, f]
        xj = x[j, f]
        moved_i = xi + a * (xj - xi)
        moved_j = xj + b * (xi - xj)
        x[i, f] = moved_i if near else xi
        x[j, f] = moved_j if near else xj


@_jit
def _merge_ties(tie_ids, strength, tie_ends, degree, ends, tied):
    """The ties with those on the edges ``tied`` (sorted, repeats allowed) at full strength.

    A tie already on is renewed (strength 1) in its place; a new one is inserted in edge order
    with its ends read from ``ends`` and adds one to both workers' ``degree``. Returns the new
    ``(tie_ids, strength, tie_ends)``, still in ascending edge order.
    """
    m = tie_ids.shape[0]
    q = tied.shape[0]
    ids = np.empty(m + q, dtype=np.int64)
    out = np.empty(m + q)
    pair = np.empty((m + q, 2), dtype=np.int32)
    n = 0
    t = 0
    for k in range(q + 1):
        if 0 < k < q and tied[k - 1] == tied[k]:  # tied again in the week: once is enough
            continue
        e = tied[k] if k < q else np.iinfo(np.int64).max
        while t < m and tie_ids[t] < e:  # the ties before it, copied
            ids[n] = tie_ids[t]
            out[n] = strength[t]
            pair[n, 0] = tie_ends[t, 0]
            pair[n, 1] = tie_ends[t, 1]
            n += 1
            t += 1
        if k == q:
            break
        ids[n] = e
        out[n] = 1.0
        if t < m and tie_ids[t] == e:  # renewed in its place
            pair[n, 0] = tie_ends[t, 0]
            pair[n, 1] = tie_ends[t, 1]
            t += 1
        else:
            pair[n, 0] = ends[e, 0]
            pair[n, 1] = ends[e, 1]
            degree[ends[e, 0]] += 1
            degree[ends[e, 1]] += 1
        n += 1
    return ids[:n], out[:n], pair[:n]


# --- generic kernels over pre-sampled pairs -----------------------------------------------------


@_jit
def bounded_confidence(x, src, dst, eps, mu, weight_src, weight_dst, met):
    """Apply bounded-confidence encounters in order (Deffuant et al. 2000).

    For each pair ``(i, j) = (src[k], dst[k])``, if the distance between their practices (the
    mean absolute difference over facets) is below ``eps``, both move towards each other:
    ``x_i += mu * weight_src[k] * (x_j - x_i)`` and symmetrically for ``j`` (simultaneously,
    from the values before the encounter). With one facet, unit weights and ``mu <= 0.5`` this
    is exactly the published model.

    Args:
        x: practices, ``(N, D)`` float64, modified in place.
        src: first worker of each pair, ``(P,)`` integer.
        dst: second worker of each pair, ``(P,)`` integer.
        eps: confidence threshold in [0, 1].
        mu: convergence parameter in [0, 1].
        weight_src: per-pair multiplier of ``mu`` for ``src`` (its susceptibility), ``(P,)``.
        weight_dst: per-pair multiplier of ``mu`` for ``dst``, ``(P,)``.
        met: output, ``(P,)`` bool: True where the pair was within ``eps`` and influenced.
    """
    n_pairs = src.shape[0]
    for k in range(n_pairs):
        if k + PREFETCH_AHEAD < n_pairs:
            _prefetch(x, src[k + PREFETCH_AHEAD])
            _prefetch(x, dst[k + PREFETCH_AHEAD])
        a = min(1.0, mu * weight_src[k])
        b = min(1.0, mu * weight_dst[k])
        met[k] = _confide(x, src[k], dst[k], eps, a, b)


@_jit
def facet_borrowing(
    x,
    src,
    dst,
    u_interact,
    u_facet,
    tol,
    mu,
    floor,
    reciprocal,
    weight_src,
    weight_dst,
    interacted,
):
    """Apply facet-wise borrowing in order (Axelrod 1997, generalised to continuous facets).

    For each pair ``(i, j)``, the overlap is the share of facets on which they agree (absolute
    difference ``<= tol``). Identical pairs do nothing. Otherwise they interact with probability
    ``floor + (1 - floor) * overlap`` (``u_interact[k]`` is the uniform that decides), and one
    facet on which they differ, chosen by ``u_facet[k]``, moves: ``i`` borrows a share
    ``mu * weight_src[k]`` of ``j``'s value on it and, if ``reciprocal``, ``j`` borrows back
    from ``i``'s previous value. Axelrod's model is ``tol=0`` (traits stored as exact floats),
    ``mu=1``, ``floor=0``, ``reciprocal=False`` and unit weights: ``i`` copies ``j``'s trait.

    Args:
        x: practices, ``(N, D)`` float64, modified in place.
        src: the borrowing (active) worker of each pair, ``(P,)`` integer.
        dst: the partner (neighbour) of each pair, ``(P,)`` integer.
        u_interact: uniforms in [0, 1), ``(P,)``.
        u_facet: uniforms in [0, 1), ``(P,)``, choosing among the differing facets.
        tol: facets closer than this count as shared.
        mu: borrowing share in [0, 1].
        floor: interaction probability of a pair with no shared facet, in [0, 1].
        reciprocal: whether ``j`` borrows back from ``i`` (collaboration is reciprocal).
        weight_src: per-pair multiplier of ``mu`` for ``src``, ``(P,)``.
        weight_dst: per-pair multiplier of ``mu`` for ``dst``, ``(P,)``.
        interacted: output, ``(P,)`` bool: True where a facet was borrowed.
    """
    n_pairs = src.shape[0]
    for k in range(n_pairs):
        if k + PREFETCH_AHEAD < n_pairs:
            _prefetch(x, src[k + PREFETCH_AHEAD])
            _prefetch(x, dst[k + PREFETCH_AHEAD])
        a = min(1.0, mu * weight_src[k])
        b = min(1.0, mu * weight_dst[k])
        interacted[k] = _borrow_facet(
            x, src[k], dst[k], u_interact[k], u_facet[k], tol, floor, a, b, reciprocal
        )


@_jit
def socialise_to_code(x, members, team, codes, active_facets, u, p, mu):
    """Socialise members of a group to its code, facet by facet (March 1991).

    For each member ``i = members[k]`` of team ``t = team[k]``, on every facet ``f`` where the
    team's code is active, with probability ``p`` (``u[k, f] < p``) the member moves a share
    ``mu`` of the way to the code: ``x_i,f += mu * (code_t,f - x_i,f)``. March's socialisation
    is ``mu=1`` (adopt the code's belief) with the code active where it is not 0.

    Args:
        x: practices or beliefs, ``(N, D)`` float64, modified in place.
        members: worker index of each membership, ``(M,)`` integer.
        team: team (code) index of each membership, ``(M,)`` integer.
        codes: the codes (shared standards), ``(T, D)`` float64.
        active_facets: ``(T, D)`` bool, where each code has a view.
        u: uniforms in [0, 1), ``(M, D)``.
        p: socialisation probability per facet and step (March's p1).
        mu: share of the way to the code in [0, 1].
    """
    d = x.shape[1]
    for k in range(members.shape[0]):
        i = members[k]
        t = team[k]
        for f in range(d):
            if active_facets[t, f] and u[k, f] < p:
                x[i, f] += mu * (codes[t, f] - x[i, f])


@_jit
def pull_towards(x, target_of, targets, offset, rate, facet_weight):
    """Move each row towards its own target, facet by facet (anchoring).

    The target of row ``i`` is ``targets[t] + offset[i]`` with ``t = target_of[i]``, clipped to
    [0, 1]: its association's culture plus the worker's personal style. On facet ``f`` the row
    closes a share ``rate[i] * facet_weight[t, f]`` of the gap. In place. An ``offset`` of no
    rows is an offset of 0 for every row (a building's or a tool's norm), added as 0.0 so that
    the numbers are those of an array of zeros, which is then not read.
    """
    d = x.shape[1]
    own = offset.shape[0] > 0
    for i in range(x.shape[0]):
        r = rate[i]
        if r == 0.0:
            continue
        t = target_of[i]
        for f in range(d):
            goal = min(1.0, max(0.0, targets[t, f] + (offset[i, f] if own else 0.0)))
            x[i, f] += r * facet_weight[t, f] * (goal - x[i, f])


@_jit
def group_mean(x, groups, n_groups, out):
    """Mean row of each group into ``out`` (``(n_groups, D)``); returns the group sizes.

    Empty groups keep the row ``out`` had.
    """
    d = x.shape[1]
    sums = np.zeros((n_groups, d))
    counts = np.zeros(n_groups, dtype=np.int64)
    for i in range(x.shape[0]):
        g = groups[i]
        counts[g] += 1
        for f in range(d):
            sums[g, f] += x[i, f]
    for g in range(n_groups):
        if counts[g] > 0:
            for f in range(d):
                out[g, f] = sums[g, f] / counts[g]
    return counts


# --- the pooling model's rules, fused -----------------------------------------------------------


@_jit
def alias_table(weights):
    """Walker's alias table of non-negative ``weights`` (Vose's construction), O(E).

    Returns ``(prob, alias)``: edge ``e`` is drawn with probability proportional to its weight by
    :func:`_alias_draw` from one uniform (Walker 1977, *ACM TOMS* 3: 253-256; Vose 1991, *IEEE
    TSE* 17: 972-975). A draw costs two memory reads, where a binary search over cumulative
    weights costs one per halving: the co-presence layer of a large landscape has millions of
    edges.
    """
    n = weights.shape[0]
    prob = np.ones(n)
    alias = np.arange(n).astype(np.int32)
    total = 0.0
    for e in range(n):
        total += weights[e]
    if n == 0 or total <= 0.0:
        return prob, alias
    scaled = np.empty(n)
    small = np.empty(n, dtype=np.int64)
    large = np.empty(n, dtype=np.int64)
    n_small = 0
    n_large = 0
    for e in range(n):
        scaled[e] = weights[e] * n / total
        if scaled[e] < 1.0:
            small[n_small] = e
            n_small += 1
        else:
            large[n_large] = e
            n_large += 1
    while n_small > 0 and n_large > 0:
        n_small -= 1
        s = small[n_small]
        n_large -= 1
        g = large[n_large]
        prob[s] = scaled[s]
        alias[s] = g
        scaled[g] = (scaled[g] + scaled[s]) - 1.0
        if scaled[g] < 1.0:
            small[n_small] = g
            n_small += 1
        else:
            large[n_large] = g
            n_large += 1
    return prob, alias


@_jit
def _alias_draw(prob, alias, u):
    """The index one uniform ``u`` draws from an alias table."""
    n = prob.shape[0]
    v = u * n
    k = min(int(v), n - 1)
    if v - k < prob[k]:
        return k
    return alias[k]


@_jit
def _alias_draws(prob, alias, u):
    """The index each uniform of ``u`` draws from an alias table, in one pass.

    The draws are independent of each other and of the practices, so they are made before the
    encounters, in a loop whose table reads the memory system can serve in parallel.
    """
    n = u.shape[0]
    size = prob.shape[0]
    out = np.empty(n, dtype=np.int64)
    for k in range(n):
        if k + PREFETCH_AHEAD < n:
            slot = min(int(u[k + PREFETCH_AHEAD] * size), size - 1)
            _prefetch(prob, slot)
            _prefetch(alias, slot)
        out[k] = _alias_draw(prob, alias, u[k])
    return out


@_jit
def encounters(
    x, ends, prob, alias, u, eps, mu, openness, sector, influence, familiarity, sector_facet
):
    """Co-presence encounters: draw each pair by its rate, then bounded confidence, in order.

    Encounter ``k`` is on the edge ``e`` the uniform ``u[k]`` draws from the alias table
    ``(prob, alias)`` of the edges' encounter rates (:func:`alias_table`); its workers
    ``i, j = ends[e]`` meet as in :func:`bounded_confidence`, each with the weight
    ``openness`` (times ``influence[own sector, other sector]`` on the facets of health
    expertise, ``sector_facet``). An engaged pair
    (within ``eps``) adds one to the edge's ``familiarity``. With ``mu = 0`` (the default of the
    model: co-presence as acquaintance) engaged pairs only get to know each other.

    Args:
        x: practices, ``(N, D)`` float64, modified in place.
        ends: ``(E, 2)`` the two workers of each co-presence edge.
        prob: ``(E,)`` alias probabilities of the edges' encounter rates.
        alias: ``(E,)`` alias indices.
        u: ``(P,)`` uniforms in [0, 1), one per encounter.
        eps: homophily threshold.
        mu: share of the gap closed by an engaged pair.
        openness: ``(N,)`` susceptibility of each worker.
        sector: ``(N,)`` sector of each worker.
        influence: ``(K, K)`` multiplier of the pull of sector ``b`` on a receiver of sector ``a``.
        familiarity: ``(E,)`` encounters so far of each edge, incremented in place.
        sector_facet: ``(D,)`` 1 on the facets sector influence acts on, 0 elsewhere.

    Returns:
        The edge of each engaged encounter, in order (an edge appears once per engagement).
    """
    n = u.shape[0]
    edge = _alias_draws(prob, alias, u)
    first = np.empty(n, dtype=np.int64)
    second = np.empty(n, dtype=np.int64)
    for k in range(n):  # independent reads: the memory system serves many at once
        if k + PREFETCH_AHEAD < n:
            _prefetch(ends, edge[k + PREFETCH_AHEAD])
        first[k] = ends[edge[k], 0]
        second[k] = ends[edge[k], 1]
    return _engage(
        x, edge, first, second, eps, mu, openness, sector, influence, familiarity, sector_facet
    )


@_jit
def _engage(x, edge, first, second, eps, mu, openness, sector, influence, familiarity, sf):
    """The encounters on ``edge`` between ``first`` and ``second``, in order; the engaged edges.

    Bounded confidence as in :func:`encounters`; an engaged pair adds one to its edge's
    ``familiarity``. Whether a pair is near (nearly all are, but not predictably which) takes
    no branch: the familiarity gains 0 or 1, the edge is written and the count of engaged
    edges grows by 0 or 1, and with ``mu > 0`` the move is written or not (:func:`_meet`).
    """
    n = edge.shape[0]
    engaged = np.empty(n, dtype=np.int64)
    n_engaged = 0
    moves = mu != 0.0
    for k in range(n):
        if k + PREFETCH_AHEAD < n:
            _prefetch(x, first[k + PREFETCH_AHEAD])
            _prefetch(x, second[k + PREFETCH_AHEAD])
            _prefetch(familiarity, edge[k + PREFETCH_AHEAD])
        e = edge[k]
        i = first[k]
        j = second[k]
        near = _within(x, i, j, eps)
        if moves:  # the same every encounter: the CPU predicts it
            _meet(x, i, j, near, mu, openness, sector, influence, sf)
        familiarity[e] += near
        engaged[n_engaged] = e
        n_engaged += near
    return engaged[:n_engaged].copy()


ENDS_SHIFT = 26
"""Bits of the second worker in an encounter table's packed pair (``first << 26 | second``)."""


@_jit
def encounters_on_table(
    x, table, u, eps, mu, openness, sector, influence, familiarity, sector_facet
):
    """:func:`encounters` with the draw and the pair read from one row of ``table``.

    Row ``k`` of ``table`` (``(E, 4)``, see :meth:`simulation.world.World.encounter_table`)
    holds the alias probability of slot ``k``, its alias edge, and the two workers of edge ``k``
    and of that alias, each pair packed as ``first << ENDS_SHIFT | second`` (exact in a
    float64). A draw then costs one memory read where the alias table and the edges' ends cost
    three; the edges drawn, the engagements and the returned edges are those of
    :func:`encounters` on the same uniforms.
    """
    n = u.shape[0]
    size = table.shape[0]
    mask = (1 << ENDS_SHIFT) - 1
    slot = np.empty(n, dtype=np.int64)
    for k in range(n):
        slot[k] = min(int(u[k] * size), size - 1)
    edge = np.empty(n, dtype=np.int64)
    first = np.empty(n, dtype=np.int64)
    second = np.empty(n, dtype=np.int64)
    for k in range(n):  # independent reads: the memory system serves many at once
        if k + PREFETCH_AHEAD < n:
            _prefetch(table, slot[k + PREFETCH_AHEAD])
        s = slot[k]
        v = u[k] * size
        if v - s < table[s, 0]:
            e = s
            pair = int(table[s, 2])
        else:
            e = int(table[s, 1])
            pair = int(table[s, 3])
        edge[k] = e
        first[k] = pair >> ENDS_SHIFT
        second[k] = pair & mask
    return _engage(
        x, edge, first, second, eps, mu, openness, sector, influence, familiarity, sector_facet
    )


@_jit
def form_ties(tie_ids, strength, tie_ends, degree, ends, engaged, familiarity, u, scale, half):
    """Engaged pairs start a collaboration tie (or renew theirs) at full strength.

    Pair ``k`` on edge ``e = engaged[k]`` ties with probability
    ``scale * familiarity[e] / (familiarity[e] + half)`` (``u[k]`` decides): old acquaintances
    tie more readily. New ties add one to both workers' ``degree``. The ties are the compact
    arrays of :class:`simulation.world.World` (``tie_ids``, ``strength``, ``tie_ends``, in
    ascending edge order); ``ends`` are the co-presence edges' workers, read for new ties only.

    A tie is set to 1 however often its pair engages in the week, so the edges that tie are
    gathered first and merged into the ties in one pass in edge order (:func:`_merge_ties`):
    the same ties, strengths and degrees as one pair at a time. A week whose pairs only renew
    ties already on (often so in a small world) renews them in place (:func:`_renew_in_place`).

    Returns:
        The new ``(tie_ids, strength, tie_ends)`` (the same arrays if no new tie started).
    """
    n = engaged.shape[0]
    tied = np.empty(n, dtype=np.int64)
    c = 0
    for k in range(n):
        if k + PREFETCH_AHEAD < n:
            _prefetch(familiarity, engaged[k + PREFETCH_AHEAD])
        e = engaged[k]
        fam = familiarity[e]
        tied[c] = e  # written every time, kept by moving on: the draw is a coin toss
        c += u[k] < scale * fam / (fam + half)
    if c == 0:
        return tie_ids, strength, tie_ends
    tied = np.sort(tied[:c])
    if _renew_in_place(tie_ids, strength, tied):
        return tie_ids, strength, tie_ends
    return _merge_ties(tie_ids, strength, tie_ends, degree, ends, tied)


@_jit
def _renew_in_place(tie_ids, strength, tied):
    """Set the ties on the edges ``tied`` (sorted) to strength 1 if each is already a tie.

    Returns False, having changed nothing, at the first edge that is not a tie yet (the week
    then needs :func:`_merge_ties`); binary searches among ``tie_ids`` (sorted), each from
    where the last one ended.
    """
    m = tie_ids.shape[0]
    q = tied.shape[0]
    at = np.empty(q, dtype=np.int64)
    lo = 0
    for k in range(q):
        e = tied[k]
        hi = m
        while lo < hi:  # the first tie at or after edge e
            mid = (lo + hi) >> 1
            if tie_ids[mid] < e:
                lo = mid + 1
            else:
                hi = mid
        if lo == m or tie_ids[lo] != e:
            return False
        at[k] = lo
    for k in range(q):
        strength[at[k]] = 1.0
    return True


@_jit
def _tie_table(strength, tie_ends, n):
    """The ties between the workers who have one, numbered among themselves.

    Returns ``(cum, pair, members)``: the cumulative strengths of the ties in edge order, the
    two ends of each by their number among the workers who have a tie (``pair[t]``, int32, side
    by side), and those workers in ascending order (number ``c`` is worker ``members[c]``). One
    pass over the ties' compact arrays and one over the workers, so that a week's cases read
    arrays of the ties' size instead of the workers'.
    """
    m = strength.shape[0]
    cum = np.empty(m)
    pair = np.empty((m, 2), dtype=np.int32)
    local = np.zeros(n, dtype=np.int32)  # first 1 where a worker has a tie, then its number
    acc = 0.0
    for k in range(m):
        acc += strength[k]
        cum[k] = acc
        pair[k, 0] = tie_ends[k, 0]
        pair[k, 1] = tie_ends[k, 1]
        local[tie_ends[k, 0]] = 1
        local[tie_ends[k, 1]] = 1
    members = np.empty(n, dtype=np.int64)
    c = 0
    for w in range(n):  # without a branch: who has a tie is a coin toss to the CPU
        has_tie = local[w]
        local[w] = c
        members[c] = w
        c += has_tie
    for k in range(m):
        pair[k, 0] = local[pair[k, 0]]
        pair[k, 1] = local[pair[k, 1]]
    return cum, pair, members[:c]


@_jit
def _search_right(cum, u):
    """For each uniform, the first index where ``cum`` exceeds ``u * cum[-1]`` (at most m - 1).

    The result of ``np.searchsorted(cum, u * total, side="right")`` (clipped to the last index)
    for a non-decreasing ``cum``, found by a guide table (Chen & Asau 1974): bucket ``j`` of
    ``m`` equal slices of ``[0, total]`` stores where its lower end falls, and each search walks
    from there, about one step on average instead of a binary search's ``log2(m)``.
    """
    m = cum.shape[0]
    total = cum[m - 1]
    guide = np.empty(m + 1, dtype=np.int64)
    idx = 0
    for j in range(m + 1):
        v = total * (j / m)
        while idx < m and cum[idx] <= v:
            idx += 1
        guide[j] = idx
    out = np.empty(u.shape[0], dtype=np.int64)
    for k in range(u.shape[0]):
        v = u[k] * total
        idx = guide[min(max(int(u[k] * m), 0), m)]
        while idx > 0 and cum[idx - 1] > v:
            idx -= 1
        for _ in range(2):  # the usual steps, without a branch: how many is a coin toss
            idx += (idx < m) & (cum[min(idx, m - 1)] <= v)
        while idx < m and cum[idx] <= v:
            idx += 1
        out[k] = min(idx, m - 1)
    return out


_CASE_TRAITS = 2
"""Columns a case row keeps after the practice: openness, then sector and profession (int32)."""


@_jit
def aligned_rows(n, width):
    """Uninitialised ``(n, width)`` float64 rows, the first starting on a 64-byte cache line.

    With ``width`` a multiple of 8, every row starts on a cache line of its own.
    """
    buffer = np.empty(n * width + 8)
    skip = (-buffer.ctypes.data % 64) // 8
    return buffer[skip : skip + n * width].reshape((n, width))


@_jit
def _case_rows(x, members, openness, sector, profession):
    """Each worker with a tie's practice and traits side by side, on 64-byte cache lines.

    Row ``c`` is worker ``members[c]``'s: its practice in columns ``0..D-1``, its openness in
    column ``D``, its sector and profession as two int32 in column ``D + 1``; the width is
    rounded up to a multiple of 8 float64. A shared case reads its two workers at random; on
    these rows (one cache line each up to six facets) it waits for two lines instead of five,
    and the rows span only the workers who have a tie, not all of them.
    """
    n = members.shape[0]
    d = x.shape[1]
    rows = aligned_rows(n, (d + _CASE_TRAITS + 7) // 8 * 8)
    codes = rows.view(np.int32)
    for c in range(n):
        w = members[c]
        for f in range(d):
            rows[c, f] = x[w, f]
        rows[c, d] = openness[w]
        codes[c, 2 * d + 2] = sector[w]
        codes[c, 2 * d + 3] = profession[w]
    return rows


@_jit
def _case_rate(rows, codes, d, i, j, f, mu, influence, sector_facet, owned, keep):
    """:func:`_facet_rate` read from the rows of :func:`_case_rows` (the same arithmetic).

    Each candidate product is computed and the right one chosen, without a branch: the facet
    of a case, hence which rule applies, is a coin toss to the CPU.
    """
    w = rows[i, d]
    sf = sector_facet[f]
    pull = influence[codes[i, 2 * d + 2], codes[j, 2 * d + 2]]
    full = w * pull
    partial = w * (1.0 + sf * (pull - 1.0))
    w = full if sf == 1.0 else (partial if sf != 0.0 else w)
    rate = mu * w
    profession = codes[i, 2 * d + 3]
    barred = (profession != codes[j, 2 * d + 3]) & owned[profession, f]
    rate = rate * keep if barred else rate
    return min(1.0, rate)


@_jit
def collaborate(
    x,
    strength,
    tie_ends,
    u_pick,
    u_flip,
    u_interact,
    u_facet,
    tol,
    mu,
    floor,
    openness,
    sector,
    influence,
    sector_facet,
    profession,
    owned,
    keep,
):
    """Shared cases along collaboration ties: draw each tie by its strength, then borrow.

    Case ``k`` is on the tie where the cumulative strength of the ties (in edge order) first
    exceeds ``u_pick[k]`` times the total; the worker who borrows is the tie's second end if
    ``u_flip[k] < 0.5``, else its first. The pair then works on one facet as in
    :func:`facet_borrowing` (reciprocal); each side closes the share of the gap given by
    :func:`_facet_rate` (openness, sector influence on the facets of health expertise, and
    ``keep`` on a facet its profession owns when the other is of another profession). A case
    where a facet moved renews the tie. Without an active tie there is no case (returns 0).

    Memory: a case reads two workers at random among those who have a tie. So the kernel
    first copies each of them, practice and traits side by side, to one row of its own
    (:func:`_case_rows`: one cache line up to six facets), numbers the ties' ends by these
    rows, applies the cases to the rows and writes the practices back at the end. Each worker
    has one row, read and written in the same order as its practice would be: the same values.

    Args:
        x: practices, ``(N, D)`` float64, modified in place.
        strength: ``(T,)`` strengths of the ties, in edge order, renewed in place.
        tie_ends: ``(T, 2)`` the two workers of each tie (int32).
        u_pick: ``(C,)`` uniforms picking the tie of each case.
        u_flip: ``(C,)`` uniforms orienting it.
        u_interact: ``(C,)`` uniforms deciding whether the pair works together.
        u_facet: ``(C,)`` uniforms choosing the facet.
        tol: facets closer than this count as shared.
        mu: borrowing share.
        floor: interaction probability of a pair with no shared facet.
        openness: ``(N,)`` susceptibility of each worker.
        sector: ``(N,)`` sector of each worker.
        influence: ``(K, K)`` multiplier of the pull of sector ``b`` on a receiver of sector ``a``.
        sector_facet: ``(D,)`` 1 on the facets sector influence acts on, 0 elsewhere.
        profession: ``(N,)`` profession code of each worker.
        owned: ``(P, D)`` bool, the facets each profession owns.
        keep: share of the borrowing left on an owned facet across professions (1 = no barrier).

    Returns:
        The number of cases where a facet moved.
    """
    m = strength.shape[0]
    if m == 0:  # no tie, no case
        return 0
    d = x.shape[1]
    cum, pair, members = _tie_table(strength, tie_ends, x.shape[0])
    pick = _search_right(cum, u_pick)
    rows = _case_rows(x, members, openness, sector, profession)
    codes = rows.view(np.int32)
    practice = rows[:, :d]
    n_cases = u_pick.shape[0]
    n_moved = 0
    for k in range(n_cases):
        if k + PREFETCH_AHEAD < n_cases:
            _prefetch(rows, pair[pick[k + PREFETCH_AHEAD], 0])
            _prefetch(rows, pair[pick[k + PREFETCH_AHEAD], 1])
        t = pick[k]
        s = int(u_flip[k] < 0.5)
        i = pair[t, s]
        j = pair[t, 1 - s]
        f = _pick_facet(practice, i, j, u_interact[k], u_facet[k], tol, floor)
        if f < 0:
            continue
        a = _case_rate(rows, codes, d, i, j, f, mu, influence, sector_facet, owned, keep)
        b = _case_rate(rows, codes, d, j, i, f, mu, influence, sector_facet, owned, keep)
        xi = rows[i, f]
        xj = rows[j, f]
        rows[i, f] = xi + a * (xj - xi)
        rows[j, f] = xj + b * (xi - xj)
        strength[t] = 1.0  # the picks were made on the strengths at the start of the week
        n_moved += 1
    for c in range(members.shape[0]):  # the practices back to the workers, in their order
        for f in range(d):
            x[members[c], f] = rows[c, f]
    return n_moved


@_jit
def route_visits(
    visit_ben,
    need_public,
    assoc_ptr,
    assoc_order,
    assoc_site,
    site_ptr,
    site_order,
    p_shared,
    p_refer,
    u,
):
    """The visits that can change something, and the worker who first sees each.

    Beneficiary ``b = visit_ben[k]`` of association ``a = need_public[b]`` is seen by its
    association's worker ``assoc_order[assoc_ptr[a] + int(u[0, k] * size)]``; where the reception
    of ``a``'s site ``s`` is shared this week (``u[1, k] < p_shared[s]``), by the site's worker
    ``site_order[site_ptr[s] + int(u[2, k] * span)]`` instead.

    A visit seen at its own association's reception can only be referred on (the worker does
    not adapt to its own public), so unless ``u[3, k] < p_refer`` it changes nothing and is
    left out: :func:`serve_publics` then passes over it without reading anything of it.

    Two passes of independent reads (see the module's note on memory): the first finds each
    kept visit's place in ``assoc_order`` or ``site_order``, the second reads the workers there.

    Returns:
        ``(seen, worker, home)``: the kept visits' indices ``k``, ascending, their workers and
        their beneficiaries' associations (so that :func:`serve_publics` need not read them).
    """
    n = visit_ben.shape[0]
    seen = np.empty(n, dtype=np.int64)
    place = np.empty(n, dtype=np.int64)  # >= 0: in assoc_order; < 0: -1 - place in site_order
    home = np.empty(n, dtype=np.int64)
    m = 0
    for k in range(n):
        if k + 2 * PREFETCH_AHEAD < n:
            _prefetch(need_public, visit_ben[k + 2 * PREFETCH_AHEAD])
        a = need_public[visit_ben[k]]
        s = assoc_site[a]
        shared = u[1, k] < p_shared[s]
        start = site_ptr[s]
        colleague = -1 - (start + int(u[2, k] * (site_ptr[s + 1] - start)))
        start = assoc_ptr[a]
        own = start + int(u[0, k] * (assoc_ptr[a + 1] - start))
        # written every time, kept by moving on: no branch the processor could mispredict
        seen[m] = k
        place[m] = colleague if shared else own
        home[m] = a
        m += shared | (u[3, k] < p_refer)
    worker = np.empty(m, dtype=np.int64)
    for c in range(m):
        if c + 2 * PREFETCH_AHEAD < m:
            ahead = place[c + 2 * PREFETCH_AHEAD]
            if ahead >= 0:
                _prefetch(assoc_order, ahead)
            else:
                _prefetch(site_order, -1 - ahead)
        q = place[c]
        worker[c] = assoc_order[q] if q >= 0 else site_order[-1 - q]
    return seen[:m], worker, home[:m]


# columns of the rows :func:`serve_publics` writes for each worker (one cache line a worker)
_ROW_ASSOC, _ROW_DEGREE, _ROW_PROFESSION, _ROW_FIRST, _ROW_END, _ROW_RATE = 0, 1, 2, 3, 4, 5
_ROW_PAIRS = 12  # in the int32 view: a worker's first two partners, (tie, partner) each
_INLINE = 2
ROW_WIDTH = 8
"""Columns of the per-worker rows of :func:`serve_publics` (8 x 8 bytes: one cache line)."""


@_jit
def _worker_rows(rows, membership, tie_degree, profession, openness, learn, mu, end, partners):
    """Write each worker's row: association, ties, profession, partners, adaptation rate.

    The rate is ``mu * openness * learn`` (the same product, in the same order, as the rule's);
    the integer columns are read through int64 and int32 views of the same memory. A worker's
    partners end at ``end[i]`` in ``partners`` and start where the previous worker's end; its
    first two are copied into its row, so that a referral from a worker with few ties reads
    no more than its row and the ties' strengths.
    """
    ints = rows.view(np.int64)
    pairs = rows.view(np.int32)
    start = 0
    for i in range(rows.shape[0]):
        ints[i, _ROW_ASSOC] = membership[i]
        ints[i, _ROW_DEGREE] = tie_degree[i]
        ints[i, _ROW_PROFESSION] = profession[i]
        ints[i, _ROW_FIRST] = start
        ints[i, _ROW_END] = end[i]
        rows[i, _ROW_RATE] = mu * openness[i] * learn[i]
        for q in range(min(_INLINE, end[i] - start)):
            pairs[i, _ROW_PAIRS + 2 * q] = partners[start + q, 0]
            pairs[i, _ROW_PAIRS + 2 * q + 1] = partners[start + q, 1]
        start = end[i]


@_jit
def _partner_lists(tie_ends, rows, membership, tie_degree, profession, openness, learn, mu):
    """Each worker's row (:func:`_worker_rows`) and its collaboration partners.

    Returns ``partners``: ``partners[s] = (t, j)`` for the tie ``t`` (its place in the ties'
    compact arrays) and the worker ``j`` at its other end; worker ``i``'s entries are
    ``partners[first:end]`` with ``first, end`` in its row (columns ``_ROW_FIRST``,
    ``_ROW_END``), in ascending edge order (the order of :func:`incidence`, without the edges
    that have no tie). The counts and fill cursors live in a compact array, so that the rows
    are written in one pass, in order.
    """
    m = tie_ends.shape[0]
    first = tie_ends[:, 0]
    second = tie_ends[:, 1]
    cursor = np.zeros(rows.shape[0], dtype=np.int64)
    for t in range(m):
        cursor[first[t]] += 1
        cursor[second[t]] += 1
    start = 0
    for i in range(cursor.shape[0]):  # counts to where each worker's partners start
        count = cursor[i]
        cursor[i] = start
        start += count
    partners = np.empty((2 * m, 2), dtype=np.int32)
    for t in range(m):
        for i, j in ((first[t], second[t]), (second[t], first[t])):
            s = cursor[i]
            partners[s, 0] = t
            partners[s, 1] = j
            cursor[i] = s + 1
    _worker_rows(rows, membership, tie_degree, profession, openness, learn, mu, cursor, partners)
    return partners


@_jit
def _entry(i, q, s, pairs, partners):
    """Worker ``i``'s ``q``-th partner entry ``(t, j)`` (at ``s`` in ``partners``)."""
    if q < _INLINE:
        return pairs[i, _ROW_PAIRS + 2 * q], pairs[i, _ROW_PAIRS + 2 * q + 1]
    return partners[s, 0], partners[s, 1]


@_jit
def _refer(i, u_pick, rows, partners, strength):
    """The partner a referral goes to, by tie strength, or -1; renews the tie (``strength``)."""
    ints = rows.view(np.int64)
    pairs = rows.view(np.int32)
    lo = ints[i, _ROW_FIRST]
    hi = ints[i, _ROW_END]
    total = 0.0
    for s in range(lo, hi):
        total += strength[_entry(i, s - lo, s, pairs, partners)[0]]
    target = u_pick * total
    acc = 0.0
    chosen = -1
    partner = -1
    for s in range(lo, hi):
        t, j = _entry(i, s - lo, s, pairs, partners)
        if strength[t] > 0.0:
            chosen = t
            partner = j
            acc += strength[t]
            if acc > target:
                break
    if chosen < 0:
        return -1
    strength[chosen] = 1.0
    return partner


@_jit
def _facet_to_adapt(x, i, need, b, u_facet, tol):
    """The facet worker ``i`` adapts towards need ``b``, or -1 if every gap is within ``tol``.

    It is chosen among the facets where the gap exceeds ``tol``, in proportion to the gap.
    """
    d = x.shape[1]
    gap_sum = 0.0
    for f in range(d):
        g = abs(need[b, f] - x[i, f])
        if g > tol:
            gap_sum += g
    if gap_sum == 0.0:
        return -1
    target = u_facet * gap_sum
    acc = 0.0
    f_pick = -1
    for f in range(d):
        g = abs(need[b, f] - x[i, f])
        if g > tol:
            f_pick = f
            acc += g
            if acc > target:
                break
    return f_pick


@_jit
def serve_publics(
    x,
    need,
    membership,
    visit_ben,
    seen,
    visit_worker,
    visit_home,
    u_refer,
    u_pick,
    u_facet,
    p_refer,
    fit,
    tol,
    mu,
    strength,
    tie_ends,
    tie_degree,
    openness,
    learn,
    profession,
    owned,
    keep,
    rows,
):
    """A week of visits: each beneficiary is seen, maybe referred, and the worker adapts.

    Visit ``k = seen[c]`` brings beneficiary ``b = visit_ben[k]`` to worker
    ``i = visit_worker[c]``; the visits not in ``seen`` change nothing and are passed over. If
    ``i`` is of ``b``'s own association, ``b``'s need lies outside ``i``'s practice (a gap above
    ``fit`` on some facet) and ``i`` has collaboration ties, ``b`` is referred with probability
    ``p_refer`` (``u_refer[k]``) to a partner drawn in proportion to tie strength
    (``u_pick[k]``); the referral renews the tie. The worker who sees ``b``, if of another
    association than ``b``'s public, adapts **one** facet towards the need, chosen among the
    facets where the need lies outside its practice (gap above ``tol``) in proportion to the
    gap (``u_facet[k]``): it closes ``mu`` x its openness x ``learn[i]`` of that gap, times
    ``keep`` on a facet its profession owns; capped at 1.

    Args:
        x: practices, ``(N, D)``, modified in place.
        need: ``(B, D)`` needs of the beneficiaries.
        membership: ``(N,)`` association of each worker.
        visit_ben: ``(V,)`` beneficiary of each visit.
        seen: ``(M,)`` the visits that can change something, ascending (:func:`route_visits`);
            the others are seen at their own association's reception and not referred.
        visit_worker: ``(M,)`` worker who first sees each of them (:func:`route_visits`).
        visit_home: ``(M,)`` association whose public each of their beneficiaries belongs to.
        u_refer: ``(V,)`` uniforms deciding referrals.
        u_pick: ``(V,)`` uniforms picking the partner.
        u_facet: ``(V,)`` uniforms picking the facet adapted.
        p_refer: probability that a beneficiary who does not fit is referred.
        fit: largest gap on any facet at which a need fits a practice.
        tol: facets closer than this count as met.
        mu: share of a facet's gap closed per visit at openness 1.
        strength: ``(T,)`` strengths of the ties, in edge order, renewed in place by referrals.
        tie_ends: ``(T, 2)`` the two workers of each tie (int32).
        tie_degree: ``(N,)`` number of ties of each worker.
        openness: ``(N,)`` susceptibility of each worker.
        learn: ``(N,)`` multiplier of learning (newcomers learn faster).
        profession: ``(N,)`` profession code of each worker.
        owned: ``(P, D)`` bool, the facets each profession owns.
        keep: share of the adaptation left on an owned facet.
        rows: ``(N, ROW_WIDTH)`` float64 room, overwritten: each worker's row of what a visit
            reads (association, ties, profession, rate), one cache line a worker, so that a
            visit waits for two lines of the worker's (practice and row) instead of six.

    Returns:
        ``(referred, adapted)``: the numbers of referrals and of adaptations.
    """
    d = x.shape[1]
    partners = _partner_lists(
        tie_ends, rows, membership, tie_degree, profession, openness, learn, mu
    )
    ints = rows.view(np.int64)
    m = seen.shape[0]
    referred = 0
    adapted = 0
    for c in range(m):
        if c + PREFETCH_AHEAD < m:
            ahead = visit_worker[c + PREFETCH_AHEAD]
            _prefetch(x, ahead)
            _prefetch(rows, ahead)
            _prefetch(need, visit_ben[seen[c + PREFETCH_AHEAD]])
        k = seen[c]
        b = visit_ben[k]
        i = visit_worker[c]
        home = visit_home[c]
        if ints[i, _ROW_ASSOC] == home:
            if ints[i, _ROW_DEGREE] == 0 or not u_refer[k] < p_refer:
                continue
            worst = 0.0
            for f in range(d):
                worst = max(worst, abs(need[b, f] - x[i, f]))
            if not worst > fit:
                continue
            i = _refer(i, u_pick[k], rows, partners, strength)
            if i < 0:
                continue
            referred += 1
            if ints[i, _ROW_ASSOC] == home:
                continue
        f = _facet_to_adapt(x, i, need, b, u_facet[k], tol)
        if f < 0:
            continue
        rate = rows[i, _ROW_RATE]
        if owned[ints[i, _ROW_PROFESSION], f]:
            rate *= keep
        rate = min(1.0, rate)
        x[i, f] += rate * (need[b, f] - x[i, f])
        adapted += 1
    return referred, adapted


@_jit
def _weight_sums(facet_weight):
    """The sum of each association's facet weights, facet by facet in order."""
    den = np.zeros(facet_weight.shape[0])
    for t in range(facet_weight.shape[0]):
        for f in range(facet_weight.shape[1]):
            den[t] += facet_weight[t, f]
    return den


@_jit
def _gap_of(x, i, t, targets, offset, facet_weight, den):
    """Worker ``i``'s identity gap: its weighted distance from the practice it would keep.

    For worker ``i`` of association ``t``, the mean over facets of ``|x_i,f - goal_f|``
    weighted by ``facet_weight[t, f]``, where ``goal = targets[t] + offset[i]`` clipped to
    [0, 1] is the practice the worker would keep if left alone (its association's culture plus
    its own style). The weights are the anchoring weights, so the association's core facets
    count in full: the distance between what the worker now does and its association's
    philosophy of intervention. ``den`` is the sum of the association's weights
    (:func:`_weight_sums`, summed once per association in facet order); 0 when it is 0.
    """
    num = 0.0
    for f in range(x.shape[1]):
        goal = min(1.0, max(0.0, targets[t, f] + offset[i, f]))
        num += facet_weight[t, f] * abs(x[i, f] - goal)
    return num / den if den > 0.0 else 0.0


@_jit
def leavers(u, x, target_of, targets, offset, facet_weight, base, threat, bound):
    """The workers whose draw falls under their exit hazard, ascending: ``u[i] < hazard_i``.

    ``hazard_i = base + threat[i] * gap_i``, with ``gap_i`` the worker's identity gap
    (:func:`_gap_of`). ``bound`` is at least every
    worker's gap: ``max(1, largest practice value, 1 - smallest)`` is (1 when every practice
    lies in [0, 1]). A worker whose draw is at least ``base + threat[i] * bound`` (with a margin
    for rounding) cannot leave, and its gap is not computed: with a weekly hazard of a few
    percent, only a few workers in a hundred need theirs. ``bound = inf`` computes every gap
    (a small world, where finding the bound costs more than the gaps).
    """
    bound = bound * (1.0 + 1e-9)
    den = _weight_sums(facet_weight)
    n = x.shape[0]
    out = np.empty(n, dtype=np.int64)
    m = 0
    for i in range(n):
        # "u < base" first: with an infinite bound and no threat, 0 * inf is not a number
        if u[i] < base or u[i] < base + max(threat[i], 0.0) * bound:
            t = target_of[i]
            gap = _gap_of(x, i, t, targets, offset, facet_weight, den[t])
            if u[i] < base + threat[i] * gap:
                out[m] = i
                m += 1
    return out[:m].copy()


@_jit
def group_means_of(x, order, ptr, groups):
    """The mean row of each group of ``groups``, ``(len(groups), D)``, as :func:`group_mean`.

    Group ``g``'s members are ``order[ptr[g]:ptr[g + 1]]``, in ascending order (a stable sort
    by group), so each is summed in the order :func:`group_mean` sums it: the same numbers,
    reading only those groups' rows. The groups must not be empty; one may come more than once
    (the week's leavers' associations), and its mean is then computed once and copied.
    """
    d = x.shape[1]
    out = np.zeros((groups.shape[0], d))
    first = np.full(ptr.shape[0] - 1, -1, dtype=np.int64)  # each group's first row in ``out``
    for k in range(groups.shape[0]):
        g = groups[k]
        if first[g] >= 0:
            out[k] = out[first[g]]
            continue
        first[g] = k
        for q in range(ptr[g], ptr[g + 1]):
            w = order[q]
            for f in range(d):
                out[k, f] += x[w, f]
        count = ptr[g + 1] - ptr[g]
        for f in range(d):
            out[k, f] = out[k, f] / count
    return out


@_jit
def pooled_function(x, members, team, codes, code_set, learning, u, p, mu):
    """A week of common work: each team's standard learns its members, who adopt it (March 1991).

    The standard of team ``t`` starts as its members' mean practice the first week it has
    members (``code_set``), then moves a share ``learning`` towards their mean each week
    (March's p2); then each member ``i = members[k]``, on each facet, with probability ``p``
    (``u[k, f] < p``, March's p1) moves a share ``mu`` of the way to the standard (the members'
    means are taken before anyone moves).

    Args:
        x: practices, ``(N, D)`` float64, modified in place.
        members: ``(M,)`` workers in common work this week.
        team: ``(M,)`` their team (site) index.
        codes: ``(T, D)`` the standards, updated in place.
        code_set: ``(T,)`` bool, whether each standard exists yet, updated in place.
        learning: March's p2.
        u: ``(M, D)`` uniforms in [0, 1).
        p: March's p1.
        mu: share of the way to the standard.
    """
    n_teams, d = codes.shape
    sums = np.zeros((n_teams, d))
    counts = np.zeros(n_teams, dtype=np.int64)
    for k in range(members.shape[0]):
        t = team[k]
        counts[t] += 1
        for f in range(d):
            sums[t, f] += x[members[k], f]
    for t in range(n_teams):
        if counts[t] == 0:
            continue
        for f in range(d):
            mean = sums[t, f] / counts[t]
            if not code_set[t]:
                codes[t, f] = mean
            codes[t, f] += learning * (mean - codes[t, f])
        code_set[t] = True
    for k in range(members.shape[0]):
        i = members[k]
        t = team[k]
        for f in range(d):
            if u[k, f] < p:
                x[i, f] += mu * (codes[t, f] - x[i, f])


@_jit
def cut_ties(leavers, adj_ptr, adj_edge, familiarity, degree, tie_ids, strength, tie_ends):
    """Leavers' edges lose their familiarity and their ties (a new hire knows nobody).

    The ties are the compact arrays of :class:`simulation.world.World`; those with a leaver at
    either end are found in one pass over them, in edge order, and left out.

    Returns:
        The new ``(tie_ids, strength, tie_ends)`` (the same arrays if no leaver had a tie).
    """
    leaving = np.zeros(degree.shape[0], dtype=np.bool_)
    tied = False
    for k in range(leavers.shape[0]):
        i = leavers[k]
        leaving[i] = True
        tied |= degree[i] > 0
        end = adj_ptr[i + 1]
        for s in range(adj_ptr[i], end):
            if s + PREFETCH_AHEAD < end:
                _prefetch(familiarity, adj_edge[s + PREFETCH_AHEAD])
            familiarity[adj_edge[s]] = 0
    if not tied:
        return tie_ids, strength, tie_ends
    m = tie_ids.shape[0]
    ids = np.empty(m, dtype=np.int64)
    out = np.empty(m)
    pair = np.empty((m, 2), dtype=np.int32)
    n = 0
    for t in range(m):
        a = tie_ends[t, 0]
        b = tie_ends[t, 1]
        gone = leaving[a] | leaving[b]
        degree[a] -= gone
        degree[b] -= gone
        ids[n] = tie_ids[t]  # written every time, kept by moving on
        out[n] = strength[t]
        pair[n, 0] = a
        pair[n, 1] = b
        n += 1 - gone
    return ids[:n], out[:n], pair[:n]


@_jit
def decay_ties(tie_ids, strength, tie_ends, degree, keep, floor):
    """Ties keep a share ``keep`` of their strength; those below ``floor`` (or at 0) end.

    The ties are the compact arrays of :class:`simulation.world.World`, read in one pass in
    edge order. The strengths are weakened in place up to the first tie that ends; from there
    the ties still on are copied to new arrays (a week where none ends allocates nothing).

    Returns:
        The ``(tie_ids, strength, tie_ends)`` of the ties still on.
    """
    m = tie_ids.shape[0]
    first = 0
    while first < m:  # in place while every tie stays
        s = strength[first] * keep
        if s < floor or s == 0.0:
            break
        strength[first] = s
        first += 1
    if first == m:
        return tie_ids, strength, tie_ends
    ids = np.empty(m, dtype=np.int64)
    out = np.empty(m)
    pair = np.empty((m, 2), dtype=np.int32)
    ids[:first] = tie_ids[:first]
    out[:first] = strength[:first]
    pair[:first] = tie_ends[:first]
    n = first
    for t in range(first, m):
        s = strength[t] * keep
        a = tie_ends[t, 0]
        b = tie_ends[t, 1]
        gone = (s < floor) | (s == 0.0)
        degree[a] -= gone
        degree[b] -= gone
        ids[n] = tie_ids[t]  # written every time, kept by moving on: no branch to mispredict
        out[n] = s
        pair[n, 0] = a
        pair[n, 1] = b
        n += 1 - gone
    return ids[:n], out[:n], pair[:n]


@_jit
def incidence(ends, n):
    """Edges by worker: CSR pointers ``(n + 1,)`` and edge ids ``(2E,)``, ascending per worker."""
    ptr = np.zeros(n + 1, dtype=np.int64)
    for e in range(ends.shape[0]):
        ptr[ends[e, 0] + 1] += 1
        ptr[ends[e, 1] + 1] += 1
    for i in range(n):
        ptr[i + 1] += ptr[i]
    fill = ptr[:n].copy()
    edge = np.empty(2 * ends.shape[0], dtype=np.int32)
    for e in range(ends.shape[0]):
        for side in range(2):
            i = ends[e, side]
            edge[fill[i]] = e
            fill[i] += 1
    return ptr, edge


# --- compiled or pure Python --------------------------------------------------------------------

_HELPERS = (
    "aligned_rows",
    "_case_rows",
    "_case_rate",
    "_alias_draw",
    "_within",
    "_confide",
    "_meet",
    "_pick_facet",
    "_borrow_facet",
    "_pair_rates",
    "_facet_rate",
    "_merge_ties",
    "_renew_in_place",
    "_weight_sums",
    "_gap_of",
    "_tie_table",
    "_search_right",
    "_alias_draws",
    "_engage",
    "_worker_rows",
    "_partner_lists",
    "_entry",
    "_refer",
    "_facet_to_adapt",
)
_NAMES = (
    "aligned_rows",
    "alias_table",
    "bounded_confidence",
    "facet_borrowing",
    "socialise_to_code",
    "pull_towards",
    "group_mean",
    "encounters_on_table",
    "encounters",
    "form_ties",
    "collaborate",
    "route_visits",
    "serve_publics",
    "leavers",
    "group_means_of",
    "pooled_function",
    "cut_ties",
    "decay_ties",
    "incidence",
)


def _pure_table() -> SimpleNamespace:
    """The ``.py_func`` originals, rebound so that they call each other's originals too."""
    namespace = dict(globals())
    namespace["_prefetch"] = _prefetch_nothing
    for name in _HELPERS + _NAMES:
        py = globals()[name].py_func
        namespace[name] = types.FunctionType(py.__code__, namespace, py.__name__, py.__defaults__)
    return SimpleNamespace(**{name: namespace[name] for name in _NAMES})


_COMPILED = SimpleNamespace(**{name: globals()[name] for name in _NAMES})
_PURE = _pure_table()
_state = {"table": _COMPILED}


def active() -> SimpleNamespace:
    """The kernel table callers use now: compiled, or pure Python inside :func:`pure_python`."""
    return _state["table"]


def is_compiled() -> bool:
    """Whether callers currently get the compiled kernels."""
    return _state["table"] is _COMPILED


@contextlib.contextmanager
def pure_python() -> Iterator[None]:
    """Run every kernel as plain Python inside this block (for debugging and equivalence tests).

    The arithmetic is the same, so the arrays are identical to the compiled path's.
    """
    previous = _state["table"]
    _state["table"] = _PURE
    try:
        yield
    finally:
        _state["table"] = previous
