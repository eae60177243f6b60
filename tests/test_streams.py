"""The model's uniform draws (:mod:`simulation.streams`) are NumPy's own, to the bit.

Consistency checks: the fast path must give exactly what ``Generator.random`` gives and leave
the generator where ``random`` leaves it, so that every seed's run is unchanged.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulation import streams

SIZES = (
    1,
    streams.MIN_FAST - 1,
    streams.MIN_FAST,
    streams.MIN_FAST + 1,
    streams.MIN_FAST + 3,
    50_001,
)


def test_the_fast_path_is_in_use_with_this_numpy() -> None:
    """If NumPy changed its generator, the draws would still be right but no faster: say so."""
    assert streams.fast_path_agrees()


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("n", SIZES)
def test_uniform_draws_numpys_numbers_and_leaves_the_same_state(seed: int, n: int) -> None:
    ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
    for g in (ours, theirs):  # an odd position in the stream, a 32-bit draw buffered
        g.integers(0, 10, seed + 1, dtype=np.int32)
    got = streams.uniform(ours, np.empty((3, n)))
    np.testing.assert_array_equal(got, theirs.random((3, n)))
    assert ours.bit_generator.state == theirs.bit_generator.state
    np.testing.assert_array_equal(ours.normal(size=5), theirs.normal(size=5))
    np.testing.assert_array_equal(ours.integers(0, 2**40, 5), theirs.integers(0, 2**40, 5))


def test_draws_in_a_row_follow_on_as_numpys_do() -> None:
    ours, theirs = np.random.default_rng(3), np.random.default_rng(3)
    for n in (10_000, 7, 20_003, 4_096):
        np.testing.assert_array_equal(streams.uniform(ours, np.empty(n)), theirs.random(n))


@pytest.mark.parametrize("steps", [0, 1, 2, 3, 1023, 2**31 + 5, 2**62 + 11])
def test_the_jump_ahead_equals_numpys_advance(steps: int) -> None:
    bg = np.random.PCG64(17)
    s = bg.state["state"]
    hi, lo = streams._advance(
        np.uint64(s["state"] >> 64),
        np.uint64(s["state"] & (2**64 - 1)),
        np.uint64(s["inc"] >> 64),
        np.uint64(s["inc"] & (2**64 - 1)),
        steps,
    )
    bg.advance(steps)
    assert (int(hi) << 64) | int(lo) == bg.state["state"]["state"]


def test_other_generators_and_layouts_fall_back_to_numpy() -> None:
    """Philox draws are ``random``'s own; a strided or float32 array gets its error."""
    a, b = np.random.Generator(np.random.Philox(5)), np.random.Generator(np.random.Philox(5))
    np.testing.assert_array_equal(streams.uniform(a, np.empty(10_000)), b.random(10_000))
    a, b = np.random.default_rng(5), np.random.default_rng(5)
    with pytest.raises(ValueError, match="contiguous"):
        streams.uniform(a, np.empty((10_000, 2))[:, 0])
    with pytest.raises(TypeError, match="float64"):
        streams.uniform(a, np.empty(10_000, dtype=np.float32))
    np.testing.assert_array_equal(streams.uniform(a, np.empty(10_000)), b.random(10_000))
