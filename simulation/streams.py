"""The model's uniform draws: the numbers of ``Generator.random``, drawn four at a time.

A week of 100,000 workers draws about 1.7 million uniforms in bulk (six per visit, four per
shared case), and NumPy draws them one after the other: PCG64 (O'Neill 2014, "PCG: a family of
simple fast space-efficient statistically good algorithms for random number generation", HMC-CS
2014-0905), the default generator of ``numpy.random.default_rng``, is a 128-bit linear
congruential generator, each state computed from the one before. :func:`uniform` fills the
same array with the same numbers in four independent runs: the generator is jumped ahead to the
start of each quarter (the LCG's closed-form advance, Brown 1994, "Random number generation
with arbitrary strides", *Trans. Am. Nucl. Soc.* 71: 202), and the four quarters are stepped
side by side, which the processor overlaps. The generator is left in the state ``random``
would leave it in; the numbers are ``(output >> 11) * 2**-53``, NumPy's conversion to doubles.

Nothing changes in any run: the first call in a process checks the fast path against NumPy's
own draws, and any generator that is not a PCG64, any short draw, or a failed check goes
through ``Generator.random`` itself.
"""

from __future__ import annotations

import functools

import numba
import numpy as np
from llvmlite import ir
from numba.extending import intrinsic

MIN_FAST = 4096
"""Draws below which the generator's own ``random`` is used (the jump costs a few microseconds)."""

_MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341  # PCG64's, as NumPy's pcg64.h
_M_HI = np.uint64(_MULTIPLIER >> 64)
_M_LO = np.uint64(_MULTIPLIER & (2**64 - 1))
_ZERO = np.uint64(0)
_ONE = np.uint64(1)
_S11 = np.uint64(11)
_S58 = np.uint64(58)
_S63 = np.uint64(63)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53
_MASK = 2**64 - 1


@intrinsic
def _mul_add(typingctx, a_hi, a_lo, b_hi, b_lo, c_hi, c_lo):
    """``a * b + c`` modulo 2**128, each number given as its high and low 64 bits."""

    def codegen(context, builder, signature, args):
        i128 = ir.IntType(128)
        i64 = ir.IntType(64)
        shift = ir.Constant(i128, 64)

        def join(hi, lo):
            return builder.or_(builder.shl(builder.zext(hi, i128), shift), builder.zext(lo, i128))

        a, b, c = (join(args[k], args[k + 1]) for k in (0, 2, 4))
        s = builder.add(builder.mul(a, b), c)
        hi = builder.trunc(builder.lshr(s, shift), i64)
        return context.make_tuple(builder, signature.return_type, [hi, builder.trunc(s, i64)])

    u64 = numba.types.uint64
    return numba.types.UniTuple(u64, 2)(u64, u64, u64, u64, u64, u64), codegen


@numba.njit(cache=True, nogil=True, inline="always")
def _step(hi, lo, inc_hi, inc_lo):
    """The next state of the generator: ``state * multiplier + increment``."""
    return _mul_add(hi, lo, _M_HI, _M_LO, inc_hi, inc_lo)


@numba.njit(cache=True, nogil=True, inline="always")
def _unit(hi, lo):
    """The double in [0, 1) of a state: PCG64's XSL-RR output, its top 53 bits scaled."""
    x = hi ^ lo
    r = hi >> _S58
    v = (x >> r) | (x << ((-r) & _S63))
    return np.float64(np.int64(v >> _S11)) * _TO_UNIT


@numba.njit(cache=True, nogil=True)
def _advance(hi, lo, inc_hi, inc_lo, steps):
    """The state ``steps`` steps ahead, in ``log2(steps)`` products (Brown 1994)."""
    acc_m_hi, acc_m_lo = _ZERO, _ONE  # the product of the multipliers so far
    acc_c_hi, acc_c_lo = _ZERO, _ZERO  # and of the increments
    m_hi, m_lo = _M_HI, _M_LO
    c_hi, c_lo = inc_hi, inc_lo
    d = np.uint64(steps)
    while d > _ZERO:
        if d & _ONE:
            acc_m_hi, acc_m_lo = _mul_add(acc_m_hi, acc_m_lo, m_hi, m_lo, _ZERO, _ZERO)
            acc_c_hi, acc_c_lo = _mul_add(acc_c_hi, acc_c_lo, m_hi, m_lo, c_hi, c_lo)
        c_hi, c_lo = _mul_add(m_hi, m_lo, c_hi, c_lo, c_hi, c_lo)  # (m + 1) * c
        m_hi, m_lo = _mul_add(m_hi, m_lo, m_hi, m_lo, _ZERO, _ZERO)
        d = d >> _ONE
    return _mul_add(acc_m_hi, acc_m_lo, hi, lo, acc_c_hi, acc_c_lo)


@numba.njit(cache=True, nogil=True)
def _fill(hi, lo, inc_hi, inc_lo, out):
    """Fill ``out`` with the next ``len(out)`` doubles from this state; return the state after.

    Quarter ``k`` starts ``k * q`` steps ahead; the four quarters are stepped side by side, the
    draws beyond ``4 * q`` taken from the last one.
    """
    n = out.shape[0]
    q = n // 4
    h0, l0 = hi, lo
    h1, l1 = _advance(hi, lo, inc_hi, inc_lo, q)
    h2, l2 = _advance(hi, lo, inc_hi, inc_lo, 2 * q)
    h3, l3 = _advance(hi, lo, inc_hi, inc_lo, 3 * q)
    for t in range(q):
        h0, l0 = _step(h0, l0, inc_hi, inc_lo)
        h1, l1 = _step(h1, l1, inc_hi, inc_lo)
        h2, l2 = _step(h2, l2, inc_hi, inc_lo)
        h3, l3 = _step(h3, l3, inc_hi, inc_lo)
        out[t] = _unit(h0, l0)
        out[q + t] = _unit(h1, l1)
        out[2 * q + t] = _unit(h2, l2)
        out[3 * q + t] = _unit(h3, l3)
    for k in range(4 * q, n):
        h3, l3 = _step(h3, l3, inc_hi, inc_lo)
        out[k] = _unit(h3, l3)
    return h3, l3


def _fast_fill(bit_generator: np.random.PCG64, flat: np.ndarray) -> None:
    """Fill ``flat`` by :func:`_fill` and move the generator on as ``random`` would."""
    with bit_generator.lock:
        state = bit_generator.state
        inner = state["state"]
        s, inc = inner["state"], inner["inc"]
        hi, lo = _fill(
            np.uint64(s >> 64),
            np.uint64(s & _MASK),
            np.uint64(inc >> 64),
            np.uint64(inc & _MASK),
            flat,
        )
        inner["state"] = (int(hi) << 64) | int(lo)
        bit_generator.state = state


@functools.cache
def fast_path_agrees() -> bool:
    """Whether the fast path gives NumPy's own numbers here (checked once per process)."""
    try:
        same = True
        for seed, n in ((0, MIN_FAST), (1, MIN_FAST + 3), (2, 3 * MIN_FAST + 1)):
            ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
            theirs.random(7)
            ours.random(7)
            out = np.empty(n)
            _fast_fill(ours.bit_generator, out)
            same &= np.array_equal(out, theirs.random(n)) and ours.random() == theirs.random()
    except Exception:  # no compiler, or a generator NumPy changed: keep NumPy's path
        return False
    return bool(same)


def uniform(rng: np.random.Generator, out: np.ndarray) -> np.ndarray:
    """``rng.random(out=out)``: the same numbers in ``out`` and the same generator state after.

    ``out`` is a C-contiguous float64 array of any shape (filled in C order, as ``random``
    fills it).
    """
    if (
        out.size >= MIN_FAST
        and out.dtype == np.float64
        and out.flags.c_contiguous
        and type(rng.bit_generator) is np.random.PCG64
        and fast_path_agrees()
    ):
        _fast_fill(rng.bit_generator, out.reshape(-1))
        return out
    return rng.random(out=out)
