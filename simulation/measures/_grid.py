"""The grid union-find behind practice clusters: exact single linkage at any size.

Workers are bucketed into cubic cells slightly wider than ``eps``; a cell whose span is below
``eps`` is a clique, and only pairs in neighbouring cells are checked, after a bounding-box
test, stopping at the first link between two cliques. It gives the same partition as checking
every pair (:func:`components_dense`, also here, with the union-find both share).

Why not SciPy: ``cKDTree.query_pairs`` (Chebyshev radius) with
``scipy.sparse.csgraph.connected_components`` gives the same partition but lists every linked
pair, and the workers of one association sit within ``eps`` of each other, so the pairs grow as
the square of the association sizes; ``benchmarks/engine.py`` (section ``clusters``) times both
on a 10,000-worker landscape and prints the ratio (the grid is the faster; see the README's
benchmark table). :func:`simulation.measures.clusters.practice_clusters_scipy` is kept as an
independent check.
"""

from __future__ import annotations

import functools
import itertools
import math

import numba
import numpy as np
from scipy.spatial import cKDTree

__all__ = ["components_dense", "components_grid"]

# Above this dimension the 3^D neighbouring cells are found with a k-d tree, not a table.
_MAX_GRID_DIM = 7
# Grids of at most this many cells are indexed by a dense table (4 bytes a cell).
_MAX_TABLE_CELLS = 1 << 23


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn)


def _jit_inline(fn):
    return numba.njit(cache=True, nogil=True, inline="always")(fn)


@_jit_inline
def _find(parent, i):
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:
        nxt = parent[i]
        parent[i] = root
        i = nxt
    return root


@_jit_inline
def _union(parent, i, j):
    ri = _find(parent, i)
    rj = _find(parent, j)
    if ri < rj:
        parent[rj] = ri
    elif rj < ri:
        parent[ri] = rj


@_jit_inline
def _close(x, i, y, j, eps):
    """Whether rows ``x[i]`` and ``y[j]`` differ by less than ``eps`` on every facet."""
    close = True
    for f in range(x.shape[1]):
        if abs(x[i, f] - y[j, f]) >= eps:
            close = False
            break
    return close


@_jit
def _labels_from_parent(parent, order):
    """Cluster labels in the original row order, numbered by first appearance."""
    n = parent.shape[0]
    root_label = np.full(n, -1, dtype=np.int64)
    labels = np.empty(n, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)
    for k in range(n):
        pos[order[k]] = k
    next_label = 0
    for i in range(n):
        r = _find(parent, pos[i])
        if root_label[r] < 0:
            root_label[r] = next_label
            next_label += 1
        labels[i] = root_label[r]
    return labels


@_jit
def components_dense(x, eps):
    """Single-linkage components (Chebyshev distance < eps) by checking every close pair.

    Rows are swept in the order of their most spread facet: the pairs checked for a row stop
    at the first row at least ``eps`` further on that facet (no later row can be linked to it).
    """
    n, d = x.shape
    parent = np.arange(n)
    if d == 0:
        for i in range(1, n):
            _union(parent, 0, i)
        return _labels_from_parent(parent, np.arange(n))
    best = 0
    widest = -1.0
    for f in range(d):
        mean = 0.0
        for i in range(n):
            mean += x[i, f]
        mean /= n
        var = 0.0
        for i in range(n):
            var += (x[i, f] - mean) ** 2
        if var > widest:
            widest = var
            best = f
    order = np.argsort(x[:, best], kind="mergesort")
    xs = np.empty_like(x)
    for k in range(n):
        xs[k] = x[order[k]]
    for i in range(n):
        for j in range(i + 1, n):
            if xs[j, best] - xs[i, best] >= eps:
                break
            if _find(parent, i) != _find(parent, j) and _close(xs, i, xs, j, eps):
                _union(parent, i, j)
    return _labels_from_parent(parent, order)


@_jit
def _cell_boxes(xs, starts, eps):
    """Bounding box of each cell and whether it is a clique (all spans < eps)."""
    m = starts.shape[0] - 1
    d = xs.shape[1]
    lo = np.empty((m, d))
    hi = np.empty((m, d))
    tight = np.ones(m, dtype=np.bool_)
    for c in range(m):
        for f in range(d):
            lo[c, f] = xs[starts[c], f]
            hi[c, f] = xs[starts[c], f]
        for i in range(starts[c] + 1, starts[c + 1]):
            for f in range(d):
                v = xs[i, f]
                if v < lo[c, f]:
                    lo[c, f] = v
                if v > hi[c, f]:
                    hi[c, f] = v
        for f in range(d):
            if hi[c, f] - lo[c, f] >= eps:
                tight[c] = False
    return lo, hi, tight


@_jit
def _link_within(xs, starts, tight, parent, eps):
    m = starts.shape[0] - 1
    for c in range(m):
        s, e = starts[c], starts[c + 1]
        if tight[c]:
            for i in range(s + 1, e):
                _union(parent, s, i)
        else:  # a cell wider than eps only through rounding at its edges: check its pairs
            for i in range(s, e):
                for j in range(i + 1, e):
                    if _close(xs, i, xs, j, eps):
                        _union(parent, i, j)


@_jit
def _link_neighbours(xs, starts, lo, hi, tight, parent, eps, keys, steps, mode, ptr, nbr):
    """Link the workers of every pair of occupied neighbouring cells closer than eps.

    The neighbours of cell ``c`` are the occupied cells with keys ``keys[c] + step`` for each
    key step to a neighbouring cell, looked up in a dense table of the grid (``mode`` 0, one
    array read each) or a hash table (``mode`` 1); or (``mode`` 2) precomputed lists
    ``nbr[ptr[c]:ptr[c + 1]]``. A pair of cells is skipped when both are cliques already
    joined, or when their bounding boxes are eps apart on some facet; otherwise the workers
    of ``a`` near the box of ``b`` are compared with those of ``b``, stopping at the first
    link when both cells are cliques. (The pair logic is written inline: a function call per
    pair of cells costs more than the work it does.)

    Why one function: the pair logic is inline on purpose (see above): a call per pair of
    cells costs more than the work it does.
    """
    m = starts.shape[0] - 1
    d = xs.shape[1]
    size = 1
    if mode == 0:
        size = int(keys[m - 1] + 1 + steps.max()) if steps.shape[0] else 1
    elif mode == 1:
        while size < 2 * m:
            size *= 2
    mask = size - 1
    table = np.full(size, -1, dtype=np.int32)
    if mode == 0:
        for c in range(m):
            table[keys[c]] = c
    elif mode == 1:
        for c in range(m):
            h = (keys[c] * 0x9E3779B1) & mask
            while table[h] >= 0:
                h = (h + 1) & mask
            table[h] = c
    buf = np.empty(max(steps.shape[0], nbr.shape[0]), dtype=np.int64)
    for a in range(m):
        count = 0
        if mode == 0:
            for k in range(steps.shape[0]):
                other = table[keys[a] + steps[k]]
                if other >= 0:
                    buf[count] = other
                    count += 1
        elif mode == 1:
            for k in range(steps.shape[0]):
                key = keys[a] + steps[k]
                h = (key * 0x9E3779B1) & mask
                while table[h] >= 0 and keys[table[h]] != key:
                    h = (h + 1) & mask
                if table[h] >= 0:
                    buf[count] = table[h]
                    count += 1
        else:
            for k in range(ptr[a], ptr[a + 1]):
                buf[count] = nbr[k]
                count += 1
        for q in range(count):
            b = buf[q]
            both_tight = tight[a] and tight[b]
            if both_tight and _find(parent, starts[a]) == _find(parent, starts[b]):
                continue
            apart = False
            for f in range(d):
                if lo[b, f] - hi[a, f] >= eps or lo[a, f] - hi[b, f] >= eps:
                    apart = True
                    break
            if apart:
                continue
            done = False
            for i in range(starts[a], starts[a + 1]):
                near = True  # is worker i within eps of the box of b? (same rounding as _close)
                for f in range(d):
                    v = xs[i, f]
                    if lo[b, f] - v >= eps or v - hi[b, f] >= eps:
                        near = False
                        break
                if not near:
                    continue
                for j in range(starts[b], starts[b + 1]):
                    if _close(xs, i, xs, j, eps):
                        _union(parent, i, j)
                        if both_tight:
                            done = True
                            break
                if done:
                    break


@functools.lru_cache(maxsize=32)
def _half_offsets(d: int, base: int) -> np.ndarray:
    """Key steps to the neighbouring cells whose first non-zero offset is +1 (each pair once)."""
    steps = base ** np.arange(d, dtype=np.int64)
    out = [
        int(np.dot(o, steps))
        for o in itertools.product((-1, 0, 1), repeat=d)
        if any(o) and next(v for v in o if v) == 1
    ]
    return np.array(out, dtype=np.int64)


def components_grid(x: np.ndarray, eps: float) -> np.ndarray:
    """Single-linkage components (Chebyshev distance < eps) on a grid of cells of width eps.

    Workers are bucketed into cubic cells slightly wider than eps; a cell whose span is below
    eps is a clique, and only pairs in neighbouring cells (offsets in {-1, 0, 1} per facet)
    are checked, after a bounding-box test, stopping at the first link between two cliques.
    Exact: gives the same partition as checking every pair. Occupied neighbouring cells are
    looked up by key (dense table of the grid up to 2^23 cells, else hash table) for
    ``D <= 7``, found with a k-d tree on the cell coordinates above.
    """
    n, d = x.shape
    cells = np.floor(x / (eps * (1.0 + 1e-9))).astype(np.int64)
    cells -= cells.min(axis=0) - 1  # coordinates >= 1, so neighbours never wrap around
    base = int(cells.max()) + 2
    by_key = d <= _MAX_GRID_DIM and d * math.log2(base) < 62
    new_cell = np.empty(n, dtype=bool)
    new_cell[0] = True
    if by_key:
        keys = cells @ (base ** np.arange(d, dtype=np.int64))
        order = np.argsort(keys, kind="stable")
        cells_sorted = keys[order]
        np.not_equal(cells_sorted[1:], cells_sorted[:-1], out=new_cell[1:])
    else:
        order = np.lexsort(cells.T[::-1])
        cells_sorted = cells[order]
        np.any(cells_sorted[1:] != cells_sorted[:-1], axis=1, out=new_cell[1:])
    first = np.flatnonzero(new_cell)
    starts = np.append(first, n).astype(np.int64)
    xs = np.ascontiguousarray(x[order])
    lo, hi, tight = _cell_boxes(xs, starts, eps)
    parent = np.arange(n)
    _link_within(xs, starts, tight, parent, eps)
    common = (xs, starts, lo, hi, tight, parent, eps)
    none = np.zeros(0, dtype=np.int64)
    if by_key:
        mode = 0 if base**d <= _MAX_TABLE_CELLS else 1
        steps = _half_offsets(d, base)
        _link_neighbours(*common, cells_sorted[first], steps, mode, none, none)
    else:
        tree = cKDTree(cells_sorted[first])
        pairs = tree.query_pairs(1.0, p=np.inf, output_type="ndarray").astype(np.int64)
        pairs = pairs[np.argsort(pairs[:, 0], kind="stable")]
        ptr = np.searchsorted(pairs[:, 0], np.arange(len(first) + 1)).astype(np.int64)
        _link_neighbours(*common, none, none, 2, ptr, np.ascontiguousarray(pairs[:, 1]))
    return _labels_from_parent(parent, order.astype(np.int64))
