"""The loops over facets compiled for the article's six facets, the model's default, on their own.

A measure's work is short loops over the facets of each worker, and their length is known only
when the kernel runs. A kernel written as ``_body(..., d)`` and inlined into its caller with
``d`` equal to :data:`ARTICLE_FACETS` is compiled with loops of a known length, which the
compiler unrolls into straight code (the per-worker kernels some 10 to 20 % faster); any other
number of facets runs the same body with ``d`` read from the array. The arithmetic, and its
order, is the same either way, so are the values, bit for bit.
"""

from __future__ import annotations

import numba

__all__ = ["ARTICLE_FACETS", "body"]

ARTICLE_FACETS = 6
"""The six facets of practice of the article (``simulation.scenarios.FACETS``), the default."""


def body(fn):
    """Compile ``fn`` to be inlined where it is called (so that a constant ``d`` reaches it)."""
    return numba.njit(cache=True, nogil=True, inline="always")(fn)
