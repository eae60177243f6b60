"""Every recorded measure in one compiled call (the recorder's fast path).

At the CSSI's size (forty workers) the measures cost nothing to compute and everything to call:
dozens of small numpy operations, each a few microseconds, cost more than a week of the rules.
:func:`measure_all` computes every measure of :data:`simulation.measures.record.MEASURE_KEYS`
in a single call, reusing one pass of per-association statistics for convergence,
distinguishability, separation, eta squared and sanitarisation. The values are those of the
module functions (the same kernels where there is one; elsewhere the same formulas, summed in
a possibly different order, equal to about 1e-15 relative). The per-worker kernels it calls
are compiled for the article's six facets on their own (:mod:`simulation.measures._facets`).
"""

from __future__ import annotations

import numba
import numpy as np

from simulation.measures import _fast
from simulation.measures._arrays import SCATTER_TOL, TINY
from simulation.measures._crossing import crossing_cells
from simulation.measures._pairwise import sorted_mean_pairwise
from simulation.measures.clusters import site_clusters

__all__ = ["N_OUT", "measure_all", "same_labels"]

N_OUT = 19
"""Length of :func:`measure_all`'s output (the order of ``MEASURE_KEYS``)."""


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn)


@_jit
def same_labels(a, b):
    """Whether two label arrays are equal (what ``np.array_equal`` says, without its overhead)."""
    same = a.shape[0] == b.shape[0]
    k = 0
    while same and k < a.shape[0]:
        same = a[k] == b[k]
        k += 1
    return same


@_jit
def _site_measures(sums, counts, scatter, means, c0, pairs, assoc_site, n_sites, d):
    """Centroid gap (and ratio), separation and between share from per-association stats.

    Why one function: the three quantities share one pass over the associations' statistics.
    """
    n_assoc = counts.shape[0]
    now = 0.0
    then = 0.0
    live = 0
    for q in range(pairs.shape[0]):
        a, b = pairs[q, 0], pairs[q, 1]
        if counts[a] > 0 and counts[b] > 0:
            dn = 0.0
            dt = 0.0
            for f in range(d):
                dn += abs(means[a, f] - means[b, f])
                dt += abs(c0[a, f] - c0[b, f])
            now += dn / d
            then += dt / d
            live += 1
    gap = now / live if live else np.nan
    ratio = np.nan
    if live and then > TINY * live:
        ratio = now / then
    # separation: eta squared within sites that hold two associations with workers
    occupied = np.zeros(n_sites)
    n_s = np.zeros(n_sites)
    site_sum = np.zeros((n_sites, d))
    for a in range(n_assoc):
        s = assoc_site[a]
        n_s[s] += counts[a]
        if counts[a] > 0:
            occupied[s] += 1
        for f in range(d):
            site_sum[s, f] += sums[a, f]
    between = 0.0
    within = 0.0
    kept = 0.0
    for a in range(n_assoc):
        s = assoc_site[a]
        if occupied[s] < 2:
            continue
        kept += counts[a]
        acc = 0.0
        for f in range(d):
            dev = means[a, f] - site_sum[s, f] / max(n_s[s], 1.0)
            acc += dev * dev
        between += counts[a] * acc
        within += scatter[a]
    separation = np.nan
    if kept > 0:
        total = between + within
        if total <= SCATTER_TOL * max(1.0, kept) * d:
            separation = 0.0
        else:
            separation = min(1.0, max(0.0, between / total))
    # eta squared over all workers
    n = 0.0
    for a in range(n_assoc):
        n += counts[a]
    eta2 = 0.0
    if n > 0:
        grand = np.zeros(d)
        for a in range(n_assoc):
            for f in range(d):
                grand[f] += sums[a, f]
        between = 0.0
        within = 0.0
        for a in range(n_assoc):
            acc = 0.0
            for f in range(d):
                dev = means[a, f] - grand[f] / n
                acc += dev * dev
            between += counts[a] * acc
            within += scatter[a]
        total = between + within
        if total > SCATTER_TOL * n * d:
            eta2 = min(1.0, max(0.0, between / total))
    return gap, ratio, separation, eta2


@_jit
def _kappa(credit, counted, assoc_site, n_sites):
    n_site = np.zeros(n_sites)
    sq = np.zeros(n_sites)
    total = 0.0
    hits = 0.0
    for a in range(counted.shape[0]):
        s = assoc_site[a]
        n_site[s] += counted[a]
        sq[s] += counted[a] * counted[a]
        total += counted[a]
        hits += credit[a]
    expected = 0.0
    for s in range(n_sites):
        if n_site[s] > 0:
            expected += sq[s] / n_site[s]
    if total <= 0 or total - expected <= 1e-9:
        return np.nan
    return (hits - expected) / (total - expected)


@_jit
def _sanitarisation(sums, counts, c0, sector, facets):
    n_assoc, d = c0.shape
    out = np.zeros((2, 2, d))  # [social, health] x [initial, now]
    for k in range(2):
        code = 1 - k  # social first
        w = 0.0
        for a in range(n_assoc):
            if sector[a] == code:
                w += counts[a]
        if w <= 0:
            return 0.0
        for a in range(n_assoc):
            if sector[a] == code:
                for f in range(d):
                    out[k, 0, f] += counts[a] * c0[a, f] / w
                    out[k, 1, f] += counts[a] * (sums[a, f] / max(counts[a], 1)) / w
    length2 = 0.0
    social = 0.0
    health = 0.0
    for f in range(d):
        if not facets[f]:
            continue
        axis = out[1, 0, f] - out[0, 0, f]
        length2 += axis * axis
        social += (out[0, 1, f] - out[0, 0, f]) * axis
        health += (out[1, 1, f] - out[1, 0, f]) * -axis
    if length2 <= TINY:
        return 0.0
    return social / length2 - health / length2


@_jit
def _ties(edges, strength, ids, m, n_assoc):
    """Cross-association share and modularity of the ties ``edges[ids]`` (``strength[ids]``)."""
    total = 0.0
    cross = 0.0
    inside = np.zeros(n_assoc)
    degree = np.zeros(n_assoc)
    for e in ids:
        w = strength[e]
        if w <= 0:
            continue
        ga, gb = m[edges[e, 0]], m[edges[e, 1]]
        total += w
        if ga != gb:
            cross += w
        else:
            inside[ga] += w
        degree[ga] += w
        degree[gb] += w
    if total <= 0:
        return 0.0, 0.0
    q = 0.0
    for a in range(n_assoc):
        q += inside[a] / total - (degree[a] / (2.0 * total)) ** 2
    return min(1.0, cross / total), q


@_jit
def measure_all(
    x,
    m,
    c0,
    pairs,
    assoc_site,
    n_sites,
    site_ptr,
    site_assoc,
    ent_ptr,
    ent_facet,
    ent_inv,
    ent_r,
    cells,
    axis,
    has_axis,
    kept,
    adopted,
    perm,
    sample,
    sampled,
    sector,
    health_facets,
    cultures,
    initial_cultures,
    has_cultures,
    edges,
    strength,
    tie_ids,
    has_ties,
    need,
    need_site,
    worker_order,
    site_starts,
    tolerance,
    server,
    served,
    prev,
    budget,
    has_access,
    cluster_eps,
    major_share,
    cluster_sites,
):
    """Every measure of ``MEASURE_KEYS`` in order.

    ``cells`` is crossing's memory of each worker's cell (see
    :func:`simulation.measures._crossing.crossing_cells`), updated in place.
    ``edges[tie_ids]`` (int32) are the ties, of strengths ``strength[tie_ids]``.
    ``worker_order`` and ``site_starts`` group the workers by site (for site-wise clusters, on
    the sites flagged in ``cluster_sites``, and public access); ``server``, ``served``,
    ``prev`` and ``budget`` are public access's memory, updated in place.

    Why one function: one compiled call per recorded week is the point (each call from Python
    costs microseconds, as much as a measure at the CSSI's size); it only sequences kernels.
    """
    d = x.shape[1]
    n_assoc = c0.shape[0]
    out = np.full(N_OUT, np.nan)
    sums = np.zeros((n_assoc, d))
    counts = np.zeros(n_assoc, dtype=np.int64)
    scatter = np.zeros(n_assoc)
    means = _fast.assoc_stats(x, m, n_assoc, sums, counts, scatter)
    fcounts = counts.astype(np.float64)
    gap, ratio, separation, eta2 = _site_measures(
        sums, fcounts, scatter, means, c0, pairs, assoc_site, n_sites, d
    )
    out[0] = gap
    out[1] = ratio
    credit, counted = _fast.distinguish_counts(
        x, m, sums, counts, assoc_site, site_ptr, site_assoc
    )
    out[2] = _kappa(credit, counted, assoc_site, n_sites)
    out[3] = separation
    n_counted, n_mosaic, n_facets, n_adopted, n_midway = crossing_cells(
        x, m, c0, ent_ptr, ent_facet, ent_inv, ent_r, kept, adopted, cells
    )
    if n_counted > 0:
        out[4] = n_mosaic / n_counted
        out[5] = n_adopted / n_facets
        out[6] = n_midway / n_facets
    out[7] = eta2
    if sampled:
        xs = np.empty((sample.shape[0], d))
        for k in range(sample.shape[0]):
            for f in range(d):
                xs[k, f] = x[sample[k], f]
        out[8] = sorted_mean_pairwise(xs, perm)
    else:
        out[8] = sorted_mean_pairwise(x, perm)
    out[9], out[10], out[11] = site_clusters(
        x, worker_order, site_starts, cluster_eps, major_share, cluster_sites
    )
    st, sr, n_axis = _fast.projection_sums(x, m, c0, axis, has_axis)
    if n_axis > 0:
        out[12] = st / n_axis
        out[13] = sr / n_axis
    if has_cultures:
        acc = 0.0
        for a in range(n_assoc):
            shift = 0.0
            for f in range(d):
                shift += abs(cultures[a, f] - initial_cultures[a, f])
            acc += shift / d
        out[14] = acc / n_assoc if n_assoc else np.nan
    out[15] = _sanitarisation(sums, fcounts, c0, sector, health_facets)
    if has_ties:
        out[16], out[17] = _ties(edges, strength, tie_ids, m, n_assoc)
    if has_access and need.shape[0] > 0:
        _fast.served(
            x, need, need_site, worker_order, site_starts, tolerance, server, served, prev, budget
        )
        hits = 0
        for k in range(served.shape[0]):
            if served[k]:
                hits += 1
        out[18] = hits / served.shape[0]
    return out
