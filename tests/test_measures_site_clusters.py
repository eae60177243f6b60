"""Practice clusters site by site equal the plain definition, read in place or copied.

:func:`simulation.measures.clusters.site_clusters` reads a site's workers where they lie in the
practices when they are stored side by side in site order (as the model stores them), and
copies them otherwise; either way the counts are the plain ones (every pair of the site's
workers checked, :func:`simulation.measures._grid.components_dense`), bit for bit, over seeds,
empty sites, sites of one worker, sites left out and one facet.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation.measures import thresholds
from simulation.measures._grid import components_dense
from simulation.measures.clusters import site_clusters


def _plain(x, order, starts, eps, major_share, chosen):
    """Each chosen site's components checked pair by pair, summed in site order."""
    total_c = total_m = total_e = 0.0
    occupied = 0
    for s in range(len(starts) - 1):
        rows = x[order[starts[s] : starts[s + 1]]]
        k = len(rows)
        if k == 0 or not chosen[s]:
            continue
        occupied += 1
        sizes = np.bincount(components_dense(np.ascontiguousarray(rows), eps))
        simpson = 0.0
        for size in sizes:
            if size >= major_share * k:
                total_m += 1.0
            share = size / k
            simpson += share * share
        total_c += len(sizes)
        total_e += 1.0 / simpson
    if occupied == 0:
        return (np.nan,) * 3
    return total_c / occupied, total_m / occupied, total_e / occupied


def _landscape(seed):
    """Workers stored site by site, a few clumps per site, some sites empty or of one worker."""
    rng = np.random.default_rng(seed)
    d = int(rng.choice([1, 2, 6]))
    sizes = rng.choice([0, 1, 2, 5, 40], size=int(rng.integers(1, 8)))
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    n = int(starts[-1])
    clumps = rng.random((4, d))
    x = np.clip(clumps[rng.integers(0, 4, n)] + rng.normal(0, 0.06, (n, d)), 0, 1)
    chosen = rng.random(len(sizes)) < 0.8
    return rng, x, np.arange(n, dtype=np.int64), starts, chosen


@pytest.mark.parametrize("seed", range(40))
def test_site_clusters_read_in_place_or_copied_equal_the_plain_count(seed):
    rng, x, order, starts, chosen = _landscape(seed)
    eps, share = thresholds.CLUSTER_EPS, thresholds.MAJOR_SHARE
    plain = _plain(x, order, starts, eps, share, chosen)
    np.testing.assert_array_equal(site_clusters(x, order, starts, eps, share, chosen), plain)
    # the same workers, in the same order within each site, stored shuffled: copied
    place = rng.permutation(len(x)).astype(np.int64)
    shuffled = np.empty_like(x)
    shuffled[place] = x
    copied = site_clusters(shuffled, place[order], starts, eps, share, chosen)
    np.testing.assert_array_equal(copied, plain)
