"""March (1991), "Exploration and exploitation in organizational learning": mutual learning.

The ancestor of common work (socialisation to a shared code), run on the kernel
``socialise_to_code`` that the pooling model's common-work rule calls.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulation import kernels
from simulation.classic.common import (
    AsDict,
    check,
    float_param,
    frozen,
    generator,
    int_param,
)
from simulation.parameters import ParamSpec

MARCH_PERIODS = 10_000
"""March: cap on periods when the run should reach equilibrium (no turnover, no turbulence)."""

MARCH_HORIZON = 100
"""March: periods run when turnover or turbulence leave no equilibrium to reach."""

PARAMETERS: Mapping[str, ParamSpec] = {
    "n_individuals": int_param(1, 100_000, "individuals (n)", "Individuals"),
    "m_dimensions": int_param(1, 100_000, "dimensions of reality (m)", "Dimensions"),
    "p1": float_param(0.0, 1.0, "socialisation rate", "Socialisation"),
    "p2": float_param(0.0, 1.0, "code learning rate", "Code learning"),
    "p3": float_param(0.0, 1.0, "turnover per individual and period", "Turnover"),
    "p4": float_param(0.0, 1.0, "turbulence per dimension and period", "Turbulence"),
    "variant": ParamSpec(
        "choice", choices=("clarified", "literal"), unit="rules", label="Variant"
    ),
    "max_periods": int_param(1, 10**7, "periods before giving up", "Period cap", optional=True),
}
"""Type and allowed range of every keyword of :func:`march` but ``rng``."""


def _check(name: str, value: Any) -> Any:
    return check(PARAMETERS, name, value)


@dataclass(frozen=True)
class MarchResult(AsDict):
    """Outcome of one run of March's (1991) mutual learning model.

    Attributes:
        knowledge: the code's knowledge of reality, ``code . reality / m`` (dimensions right
            minus dimensions wrong, over m; a neutral dimension counts 0): the measure of
            March's Fig. 1 as his program computed it (Christensen 2015).
        correct: share of dimensions on which the code matches reality.
        individual_knowledge: mean of ``beliefs . reality / m`` over the individuals.
        periods: periods run.
        converged: whether the run reached March's equilibrium (nothing can change any more);
            always False with turnover or turbulence, which run a fixed horizon.
        n_individuals: n.
        m_dimensions: m.
        p1: socialisation rate.
        p2: code learning rate.
        p3: turnover.
        p4: turbulence.
        variant: ``"clarified"`` or ``"literal"``.
        code: final code, ``(m,)`` in {-1, 0, 1}, read-only.
        beliefs: final beliefs, ``(n, m)`` in {-1, 0, 1}, read-only.
        reality: final reality, ``(m,)`` in {-1, 1}, read-only.
    """

    knowledge: float
    correct: float
    individual_knowledge: float
    periods: int
    converged: bool
    n_individuals: int
    m_dimensions: int
    p1: float
    p2: float
    p3: float
    p4: float
    variant: str
    code: np.ndarray = field(repr=False, compare=False)
    beliefs: np.ndarray = field(repr=False, compare=False)
    reality: np.ndarray = field(repr=False, compare=False)


class _Organisation:
    """March's organisation: reality, the individuals' beliefs and the code, all float arrays.

    Values are -1.0, 0.0 and 1.0 exactly, so that the socialisation kernel's arithmetic
    (``x + 1.0 * (target - x)``) lands on them exactly.
    """

    def __init__(self, n: int, m: int, variant: str, gen: np.random.Generator) -> None:
        self.gen, self.variant = gen, variant
        self.reality = gen.choice(np.array([-1.0, 1.0]), m)
        self.beliefs = gen.integers(-1, 2, (n, m)).astype(np.float64)
        self.code = np.zeros(m)
        self.members = np.arange(n, dtype=np.int64)

    def turnover(self, p3: float) -> None:
        """Each individual leaves with probability p3; the newcomer's beliefs are random."""
        leave = np.flatnonzero(self.gen.random(self.members.size) < p3)
        self.beliefs[leave] = self.gen.integers(-1, 2, (leave.size, self.code.size))

    def turbulence(self, p4: float) -> None:
        """Each dimension of reality flips with probability p4."""
        self.reality[self.gen.random(self.code.size) < p4] *= -1.0

    def act(self) -> np.ndarray:
        """What each individual does: its belief, or a coin flip where it has none."""
        coin = self.gen.choice(np.array([-1.0, 1.0]), self.beliefs.shape)
        return np.where(self.beliefs == 0.0, coin, self.beliefs)

    def socialise(self, p1: float, kernel: Callable[..., None]) -> None:
        """Individuals learn the code on each dimension where it has a view, with prob. p1.

        Literal (March 1991: 74): the belief becomes the code's, the common-work call of the
        pooling model (one team, the code as its standard). Clarified (Christensen 2015): the
        belief moves one step towards the code's (-1 -> 0 -> 1), i.e. the same kernel with each
        individual's target one step away from its belief.
        """
        n, m = self.beliefs.shape
        u = self.gen.random((n, m))
        if self.variant == "literal":
            team = np.zeros(n, dtype=np.int64)
            has_view = (self.code != 0.0)[None, :]
            kernel(self.beliefs, self.members, team, self.code[None, :], has_view, u, p1, 1.0)
        else:
            targets = np.clip(self.beliefs + self.code, -1.0, 1.0)
            active = np.repeat((self.code != 0.0)[None, :], n, axis=0)
            kernel(self.beliefs, self.members, self.members, targets, active, u, p1, 1.0)

    def superior_majority(self, actions: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """The superior group's dominant view on each dimension and its margin ``k``.

        The superior group is those who beat the code: on outcomes of their actions against
        the code's (clarified: Christensen 2015), or on dimensions right (literal: March 1991).
        Clarified: the view is the sign of the summed actions, ``k`` its absolute value.
        Literal: the view is the belief, 1 or -1, held by more of the group (a neutral belief is
        no view, so the code never turns neutral again), ``k`` the number of superior
        individuals who differ from the code minus those who agree (March's note 1).

        Returns:
            ``(view, k)``, ``(m,)`` each; ``view`` is NaN where no view dominates.
        """
        m = self.code.size
        if self.variant == "literal":
            right = np.count_nonzero(self.beliefs == self.reality, axis=1)
            group = self.beliefs[right > np.count_nonzero(self.code == self.reality)]
            lead = np.count_nonzero(group == 1.0, axis=0) - np.count_nonzero(group == -1.0, axis=0)
            view = np.where(lead != 0, np.sign(lead).astype(np.float64), np.nan)
            differ = np.count_nonzero(group != self.code, axis=0)
            return view, (differ - (group.shape[0] - differ)).astype(np.float64)
        score = actions @ self.reality
        group = actions[score > self.code @ self.reality]
        if group.shape[0] == 0:
            return np.full(m, np.nan), np.zeros(m)
        total = group.sum(axis=0)
        return np.where(total != 0.0, np.sign(total), np.nan), np.abs(total)

    def learn_code(self, p2: float, view: np.ndarray, k: np.ndarray) -> None:
        """The code adopts the superior group's view where it differs, with prob. 1-(1-p2)^k.

        The probability of a change grows with the group's majority margin ``k``
        (March 1991: 74, note 1).
        """
        differs = ~np.isnan(view) & (view != self.code) & (k > 0)
        if differs.any():
            adopt = differs & (self.gen.random(self.code.size) >= (1.0 - p2) ** k)
            self.code[adopt] = view[adopt]

    def settled(self) -> bool:
        """March's equilibrium: neither the individuals nor the code can change any more.

        Individuals can change while they differ from the code where it has a view. Literal:
        the code can change while the superior group's view differs from it (with beliefs
        fixed, that group is fixed). Clarified: while some individual could still beat the
        code, i.e. its best possible outcome (right beliefs plus lucky coin flips on its
        neutral dimensions) exceeds the code's.
        """
        if np.any((self.beliefs != self.code) & (self.code != 0.0)):
            return False
        if self.variant == "literal":
            view, k = self.superior_majority(None)
            return not np.any(~np.isnan(view) & (view != self.code) & (k > 0))
        best = self.beliefs @ self.reality + np.count_nonzero(self.beliefs == 0.0, axis=1)
        return not np.any(best > self.code @ self.reality)


def march(
    *,
    n_individuals: int = 50,
    m_dimensions: int = 30,
    p1: float = 0.1,
    p2: float = 0.5,
    p3: float = 0.0,
    p4: float = 0.0,
    variant: str = "clarified",
    max_periods: int | None = None,
    rng: Any = None,
) -> MarchResult:
    """March's (1991) model of mutual learning, run to equilibrium.

    Reality has ``m_dimensions`` dimensions, each 1 or -1 with probability 1/2. Each of
    ``n_individuals`` individuals holds a belief of 1, 0 or -1 on each (equally likely); the
    organisational code starts neutral (all 0). Each period, in order (Christensen 2015):

    1. turnover: each individual leaves with probability ``p3`` and is replaced by one with
       random beliefs; turbulence: each dimension of reality flips with probability ``p4``;
    2. individuals act (clarified variant: on their beliefs, a coin flip where neutral);
    3. socialisation: on each dimension where the code is not 0 and differs from an
       individual's belief, the belief moves to the code with probability ``p1`` (the
       common-work kernel ``socialise_to_code``);
    4. code learning, from the state at the start of the period: the superior group (those who
       beat the code) holds a dominant view on a dimension; where it differs from the code, the
       code adopts it with probability ``1 - (1 - p2) ** k``, ``k`` the group's majority margin.

    Variants. ``"clarified"`` (default) follows March's program as Rodan (2005) and Christensen
    (2015) document it, which is what reproduces Fig. 1: individuals and code are judged on the
    outcomes of their actions (``action . reality``), the dominant view is the sign of the
    superior group's summed actions with ``k`` its absolute value, and socialisation moves a
    belief one step (-1 -> 0 -> 1). ``"literal"`` reads the 1991 text as written: superiority
    counts dimensions right, the dominant view is the belief (1 or -1) held by more of the
    superior group, ``k`` is the number who differ from the code minus those who agree (note 1),
    and socialisation adopts the code's belief at once.

    Equilibrium: without turnover and turbulence the run stops when nothing can change any more
    (see ``_Organisation.settled``), or after :data:`MARCH_PERIODS` periods. With turnover or
    turbulence there is no equilibrium: the run lasts :data:`MARCH_HORIZON` periods and the
    result is the state at the end.

    Args:
        n_individuals: n.
        m_dimensions: m.
        p1: socialisation rate (learning from the code), in [0, 1].
        p2: code learning rate (learning by the code), in [0, 1].
        p3: turnover per individual and period, in [0, 1].
        p4: turbulence per dimension and period, in [0, 1].
        variant: ``"clarified"`` or ``"literal"``.
        max_periods: cap on periods; None for the defaults above.
        rng: seed or numpy Generator.

    Returns:
        The equilibrium knowledge of the code and the final state.

    Raises:
        ValueError: naming a parameter, its value and the allowed range.
    """
    n = _check("n_individuals", n_individuals)
    m = _check("m_dimensions", m_dimensions)
    p1, p2 = _check("p1", p1), _check("p2", p2)
    p3, p4 = _check("p3", p3), _check("p4", p4)
    variant = _check("variant", variant)
    max_periods = _check("max_periods", max_periods)
    gen = generator(rng)
    closed = p3 == 0.0 and p4 == 0.0
    if max_periods is None:
        max_periods = MARCH_PERIODS if closed else MARCH_HORIZON

    org = _Organisation(n, m, variant, gen)
    kernel = kernels.active().socialise_to_code
    periods, converged = 0, False
    while periods < max_periods:
        if p3 > 0.0:
            org.turnover(p3)
        if p4 > 0.0:
            org.turbulence(p4)
        actions = org.act() if variant == "clarified" else None
        view, k = org.superior_majority(actions)
        org.socialise(p1, kernel)
        org.learn_code(p2, view, k)
        periods += 1
        if closed and org.settled():
            converged = True
            break

    return MarchResult(
        knowledge=float(org.code @ org.reality) / m,
        correct=float(np.mean(org.code == org.reality)),
        individual_knowledge=float(np.mean(org.beliefs @ org.reality)) / m,
        periods=periods,
        converged=converged,
        n_individuals=n,
        m_dimensions=m,
        p1=p1,
        p2=p2,
        p3=p3,
        p4=p4,
        variant=variant,
        code=frozen(org.code.astype(np.int64)),
        beliefs=frozen(org.beliefs.astype(np.int64)),
        reality=frozen(org.reality.astype(np.int64)),
    )
