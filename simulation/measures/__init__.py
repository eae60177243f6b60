"""Measures of a run's state, and its regime judged against the null twin.

One module per quantity: :mod:`.convergence` (distance between association centroids against
week 0), :mod:`.distinguishability` (can a worker be told apart by association, on its site),
:mod:`.crossing` (facet-wise adoption against blending), :mod:`.access` (public access),
:mod:`.ties` (collaboration structure), :mod:`.asymmetry` (sanitarisation), :mod:`.clusters`
(practice clusters); :mod:`.record` computes them all each week, :mod:`.regime` names the end
state, :mod:`.null` holds the null twin's parameters and the judging of sweep tables,
:mod:`.thresholds` every cut-off with its reason, :mod:`.recovery` a model-free check (do
Gaussian mixtures of the practices recover the associations?).
"""

from simulation.measures.null import (
    POOLING_OFF,
    NullReference,
    twin_parameters,
    twin_seeds,
)
from simulation.measures.record import (
    JUDGED_KEYS,
    MEASURE_KEYS,
    NULL_COLUMNS,
    Recorder,
    summary,
)
from simulation.measures.regime import (
    REGIME_SENTENCES,
    REGIMES,
    Verdict,
    classify_regime,
    judge,
    judge_table,
    regime_code,
)
from simulation.measures.thresholds import Thresholds

__all__ = [
    "JUDGED_KEYS",
    "MEASURE_KEYS",
    "NULL_COLUMNS",
    "POOLING_OFF",
    "REGIMES",
    "REGIME_SENTENCES",
    "NullReference",
    "Recorder",
    "Thresholds",
    "Verdict",
    "classify_regime",
    "judge",
    "judge_table",
    "regime_code",
    "summary",
    "twin_parameters",
    "twin_seeds",
]
