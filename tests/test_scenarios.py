"""The named settings match the article's two cases, and landscapes scale."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.cases import cssi, helpline
from simulation.scenarios import (
    PROTOTYPE_SECTOR,
    landscape,
    pair_weights,
)


def test_cssi_matches_the_case() -> None:
    setting = cssi()
    sizes = [a.size for a in setting.associations]
    assert len(sizes) == 4
    assert all(7 <= s <= 15 for s in sizes)  # "entre sept et quinze salariés"
    assert 35 <= sum(sizes) <= 45  # "une quarantaine de travailleurs"
    assert {a.sector for a in setting.associations} == {"health", "social"}
    drug = next(a for a in setting.associations if a.kind == "drug_service")
    assert "waiting_room" not in drug.spaces  # its own waiting room
    assert all("reception:own" in a.spaces for a in setting.associations)  # separate desks


def test_shared_layout_brings_every_pair_together_more() -> None:
    separate = pair_weights(cssi("separate").associations)
    shared = pair_weights(cssi("shared").associations)
    assert set(separate) == set(shared)
    assert all(shared[k] > separate[k] for k in separate)
    assert all(v == pytest.approx(1.0) for v in shared.values())


def test_helpline_matches_the_case() -> None:
    setting = helpline(decentralise_at=26, rng=np.random.default_rng(0))
    sizes = [a.size for a in setting.associations]
    assert 10 <= len(sizes) <= 15
    assert 20 <= sum(sizes) <= 50
    assert {a.sector for a in setting.associations} == {"social"}
    assert setting.phase_at(0).name == "centralised"
    assert setting.phase_at(25).name == "centralised"
    assert setting.phase_at(26).name == "decentralised"
    assert setting.phase_at(26).meetings


@pytest.mark.parametrize("n_workers", [10, 137, 5_000])
@pytest.mark.parametrize("per_site", [1, 3, 6])
def test_landscape_places_every_worker_on_sites_of_k(n_workers: int, per_site: int) -> None:
    setting = landscape(n_workers, np.random.default_rng(1), associations_per_site=per_site)
    assert sum(a.size for a in setting.associations) == n_workers
    sites = np.array([a.site for a in setting.associations])
    counts = np.bincount(sites)
    assert counts.max() <= per_site
    assert (counts[:-1] == per_site).all()  # only the last site may be partial


def test_landscape_sector_mix_sets_the_share_of_health_associations() -> None:
    rng = np.random.default_rng(2)
    for mix in (0.0, 0.3, 1.0):
        setting = landscape(20_000, rng, sector_mix=mix)
        health = np.mean([PROTOTYPE_SECTOR[a.kind] == "health" for a in setting.associations])
        assert health == pytest.approx(mix, abs=0.05)


def test_pair_weights_only_within_sites() -> None:
    setting = landscape(500, np.random.default_rng(3), associations_per_site=3)
    weights = pair_weights(setting.associations)
    specs = setting.associations
    assert weights
    for (a, b), w in weights.items():
        assert a < b
        assert specs[a].site == specs[b].site
        assert 0.0 <= w <= 1.0
