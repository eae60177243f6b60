"""What the study saw in each case, as patterns a run of the model meets or misses.

Pattern-oriented modelling (Grimm et al. 2005, *Science* 310: 987-991) compares a model with
several qualitative or ordinal patterns at once rather than with one number. Rosenzweig &
Boussart report no numbers about the CSSI or the helpline, so every pattern here is an ordinal
statement with the article's own words and where they stand; its distance is 0 when a run's
recorded measures meet it and grows with how far they miss it. Cut-offs come from the words'
meaning ("a minority" is less than half, "kept" is not lost by half), never from the model's
output.

Patterns read the recorded measures through :data:`MEASURES`, a role -> column mapping kept in
one place: pointing a pattern at another measure is one edit there.

Why one module: the patterns of both cases are read together, against the article and the
one mapping of measures; most of its length is the quoted passages.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

MEASURES: Mapping[str, tuple[str, ...]] = {
    "ties": ("n_ties",),
    "cross_tie_share": ("cross_tie_share",),
    "common_work": ("common_work_level",),
    "crossing": ("crossing", "hybrid_share"),
    "adoption": ("adoption", "mean_borrowing_share"),
    "distinguishability": ("distinguishability", "identity_kappa"),
    "convergence": ("centroid_gap_ratio", "centroid_distance_ratio"),
    "phase": ("phase",),
    "attendance": ("intervision_attendance_rate",),
    "tools": ("tool_strength",),
    "adaptations": ("adaptations",),
}
"""Role a pattern reads -> the columns of a run's recorded measures that play it.

The first name recorded is read: the measure's current key, then the key it had before the
measures were renamed (so that older sweeps and runs still read).

- ``ties``, ``cross_tie_share``: collaboration ties, and the share of their strength that
  crosses associations.
- ``common_work``: share of workers in pooled functions (one reception, one regulation).
- ``crossing``: share of pooled workers who took a partner's practice on some facets and kept
  their own on others; ``adoption``: share of borrowable facets taken.
- ``distinguishability``: how well a worker's practice tells its association (1 = always).
- ``convergence``: gap between pooled associations' average practices over its initial value.
- ``phase``: the schedule's phase (helpline: ``centralised`` then ``decentralised``).
- ``attendance``: share of respondents at the helpline's intervisions (a pattern whose column
  is not recorded is left out of the distance, and said so).
- ``adaptations``: facet adaptations of workers to a public not their association's, per week.
- ``tools``: strength of a site's shared tools (guidelines, lexicon, directory), 0 to 1.
"""

FINAL_WEEKS = 26
"""End states are averaged over the last half-year of records, not read off one week."""

MINORITY = 0.5
"""A minority is less than half ("une minorité", "limitées"): the one cut-off of the patterns
about how many workers collaborate or borrow."""

KEPT = 0.5
"""An identity is kept while distinguishability stays above half its initial value: losing it
by half or more is what the regime rule calls isomorphism."""

COMMON_APPROACH = 0.5
"""A common approach was built when the pooled associations' average practices came at least
halfway to one another."""


def column_name(table: pd.DataFrame, role: str) -> str | None:
    """The recorded column that plays ``role`` (see :data:`MEASURES`), or None."""
    return next((n for n in MEASURES[role] if n in table.columns), None)


def column(table: pd.DataFrame, role: str) -> pd.Series:
    """The recorded column that plays ``role`` (see :data:`MEASURES`).

    Raises:
        KeyError: the run did not record it.
    """
    name = column_name(table, role)
    if name is None:
        raise KeyError(f"measure {MEASURES[role][0]!r} (role {role!r}) was not recorded")
    return table[name]


def final(table: pd.DataFrame, role: str, weeks: int = FINAL_WEEKS) -> float:
    """Mean of a measure over the last ``weeks`` weeks of records (NaN-aware)."""
    last = table["step"].max()
    values = pd.to_numeric(column(table, role)[table["step"] >= last - weeks], errors="coerce")
    return float(np.nanmean(values)) if values.notna().any() else math.nan


def initial(table: pd.DataFrame, role: str) -> float:
    """A measure at the first recorded week."""
    return float(column(table, role).iloc[0])


def outside(value: float, low: float = -math.inf, high: float = math.inf) -> float:
    """How far ``value`` lies outside ``[low, high]``.

    0 inside; 1 for NaN, where the pattern cannot be said to hold.
    """
    if value is None or math.isnan(value):
        return 1.0
    return float(max(low - value, value - high, 0.0))


@dataclass(frozen=True)
class Pattern:
    """One thing the study saw, as a distance of a run from it.

    Attributes:
        name: short key (a column of the pattern tables).
        statement: what holds in the model's terms, in English.
        passage: the article's own words (French), quoted.
        where: where the passage stands in the article.
        distance: ``f(table) -> float``, 0 when the pattern holds, larger the further off;
            ``table`` is one run's recorded measures with a ``step`` column.
        roles: the roles of :data:`MEASURES` it reads.
    """

    name: str
    statement: str
    passage: str
    where: str
    distance: Callable[[pd.DataFrame], float]
    roles: tuple[str, ...]

    def available(self, table: pd.DataFrame) -> bool:
        """Whether the run recorded every measure this pattern reads."""
        return all(column_name(table, r) is not None for r in self.roles)


@dataclass(frozen=True)
class CaseTargets:
    """What the study saw in one of its cases: how to run it and the patterns it should show.

    Attributes:
        name: ``"cssi"`` or ``"helpline"``.
        title: a human label.
        fixed: model parameters the article fixes (scenario, layout, schedule).
        steps: weeks from the start of pooling to the fieldwork.
        record_every: weeks between records.
        patterns: the patterns, in the order of the article.
        n_workers: workers of the setting (for per-worker rates).
    """

    name: str
    title: str
    fixed: Mapping[str, Any]
    steps: int
    record_every: int
    patterns: tuple[Pattern, ...]
    n_workers: int = 0


# --- the CSSI ----------------------------------------------------------------------------------

CSSI_WORKERS = 40
"""Workers of the CSSI setting ("une quarantaine de travailleurs")."""


def few_cross_ties(table: pd.DataFrame) -> float:
    """Some cross-association ties, held by at most a minority of workers.

    A tie joins two workers, so ``2 x cross ties / workers`` bounds the share of workers who
    hold one; none at all misses the pattern by 1.
    """
    cross = final(table, "ties") * final(table, "cross_tie_share")
    if math.isnan(cross) or cross <= 0:
        return 1.0
    return outside(2 * cross / CSSI_WORKERS, high=MINORITY)


def divided_receptions(table: pd.DataFrame) -> float:
    """No worker in a pooled function: each service keeps its own reception desk."""
    return outside(final(table, "common_work"), high=0.0)


def borrowed_by_minority(table: pd.DataFrame) -> float:
    """Some workers, fewer than half, took a partner's practice on a few facets (not all)."""
    crossing = final(table, "crossing")
    adoption = final(table, "adoption")
    miss = outside(crossing, high=MINORITY) + outside(adoption, high=MINORITY)
    if not crossing > 0:
        miss += 1.0
    return float(miss)


def adapted_to_other_publics(table: pd.DataFrame) -> float:
    """Workers still adapt to publics other than their association's: some adaptation a week.

    Missing it counts 1 (there is no scale for "how much less than some").
    """
    return 0.0 if final(table, "adaptations") > 0 else 1.0


def identities_kept(table: pd.DataFrame) -> float:
    """Workers can still be told apart by association: at least half the initial value."""
    start = initial(table, "distinguishability")
    return outside(final(table, "distinguishability"), low=KEPT * start)


CSSI = CaseTargets(
    name="cssi",
    title="CSSI, two years after the move",
    fixed={"scenario": "cssi", "layout": "separate"},
    steps=104,
    record_every=4,
    n_workers=CSSI_WORKERS,
    patterns=(
        Pattern(
            "few_cross_ties",
            "some collaboration ties cross associations, held by a minority of workers",
            "« Néanmoins, les collaborations entre travailleurs et les formes d'intégration des "
            "services restent limitées »; « le regroupement de services au sein de mêmes locaux "
            "a encouragé le développement de collaborations entre travailleurs »",
            "résumé; section « Vers une hybridation des pratiques professionnelles ? »",
            few_cross_ties,
            ("ties", "cross_tie_share"),
        ),
        Pattern(
            "divided_receptions",
            "no pooled function: each service keeps its own reception",
            "« la constitution de fonctions partagées entre organisations reste limitée. C'est "
            "le cas de la fonction d'accueil »; « chaque service prévoit ses propres "
            "accueillants »",
            "section « Vers une hybridation des pratiques professionnelles ? »",
            divided_receptions,
            ("common_work",),
        ),
        Pattern(
            "borrowed_by_minority",
            "some workers, fewer than half, took a partner's practice on a minority of facets",
            "« ils essayent d'être un peu plus bas seuil, un peu plus tolérants […] dans leurs "
            "conditions d'accès pour le public »; « Ces transformations restent néanmoins "
            "limitées »",
            "section « Vers une hybridation des pratiques professionnelles ? »; introduction",
            borrowed_by_minority,
            ("crossing", "adoption"),
        ),
        Pattern(
            "adapted_to_other_publics",
            "workers adapt their practice to publics other than their association's",
            "« Les services proposés par les travailleurs s'adaptent ainsi à de nouveaux publics "
            "ou à des publics peu touchés précédemment »",
            "conclusion",
            adapted_to_other_publics,
            ("adaptations",),
        ),
        Pattern(
            "identities_kept",
            "workers can still be told apart by association (at least half the start)",
            "« les effets d'intégration des mutualisations sont limités, chaque travailleur "
            "restant principalement associé à son organisation »",
            "conclusion",
            identities_kept,
            ("distinguishability",),
        ),
    ),
)


# --- the helpline ------------------------------------------------------------------------------


def _phase_end(table: pd.DataFrame, name: str) -> pd.DataFrame:
    phase = column(table, "phase").astype(str)
    return table[phase == name]


def common_approach_built(table: pd.DataFrame) -> float:
    """By the end of the centralised phase, the services' practices came halfway together."""
    rows = _phase_end(table, "centralised")
    if rows.empty:
        return 1.0
    return outside(float(column(rows, "convergence").iloc[-1]), high=COMMON_APPROACH)


def approach_fades(table: pd.DataFrame) -> float:
    """After decentralisation, the services drift apart again (the gap grows back)."""
    built = _phase_end(table, "centralised")
    if built.empty or len(built) == len(table):
        return 1.0
    at_split = float(column(built, "convergence").iloc[-1])
    return outside(final(table, "convergence"), low=at_split)


def intervisions_poorly_attended(table: pd.DataFrame) -> float:
    """Fewer than half the respondents attend an intervision, on average."""
    rows = _phase_end(table, "decentralised")
    values = pd.to_numeric(column(rows, "attendance"), errors="coerce")
    return outside(float(values.mean()) if values.notna().any() else math.nan, high=MINORITY)


def tools_kept(table: pd.DataFrame) -> float:
    """The shared tools written in the room are still in use at the end (at least half)."""
    return outside(final(table, "tools"), low=KEPT)


def service_identities_kept(table: pd.DataFrame) -> float:
    """Respondents can still be told apart by service at the end (at least half the start)."""
    start = initial(table, "distinguishability")
    return outside(final(table, "distinguishability"), low=KEPT * start)


HELPLINE = CaseTargets(
    name="helpline",
    title="Helpline, from the lockdown room to decentralised shifts",
    # March 2020 to September 2020 is 26 weeks; the fieldwork came two years later
    fixed={"scenario": "helpline", "decentralise_at": 26},
    steps=130,
    record_every=2,
    patterns=(
        Pattern(
            "common_approach_built",
            "in the shared room the services' practices came at least halfway together",
            "« Le fait qu'ils se côtoient tous les jours, durant la première phase du "
            "dispositif, et soient confrontés aux mêmes problèmes et questions leur a permis de "
            "construire une approche commune »",
            "section « Partager des locaux : changer les habitudes et apprendre à cohabiter »",
            common_approach_built,
            ("phase", "convergence"),
        ),
        Pattern(
            "approach_fades",
            "after decentralisation the services' practices drift apart again",
            "« Les permanences sont alors décentralisées au sein des services, perdant dès lors "
            "cette mise en commun »",
            "section « Partager des locaux : changer les habitudes et apprendre à cohabiter »",
            approach_fades,
            ("phase", "convergence"),
        ),
        Pattern(
            "shared_tools_kept",
            "the tools written in the shared room are still in use at the end (at least half)",
            "« la création d'outils partagés pour la gestion de la ligne téléphonique : balises "
            "de travail pour répondants, lexique pour l'encodage des appels, répertoire de "
            "services »",
            "section « Vers une hybridation des pratiques professionnelles ? »",
            tools_kept,
            ("tools",),
        ),
        Pattern(
            "intervisions_poorly_attended",
            "fewer than half the respondents attend the intervisions",
            "« les coordinateurs du dispositif choisissent d'organiser des intervisions entre "
            "répondants au numéro vert. Mais ces réunions ne sont pas toujours fréquentées par "
            "ces derniers »",
            "section « Partager des locaux : changer les habitudes et apprendre à cohabiter »",
            intervisions_poorly_attended,
            ("phase", "attendance"),
        ),
        Pattern(
            "service_identities_kept",
            "respondents can still be told apart by service (at least half the start)",
            "« On constate dans ce cas un maintien des identités propres à chaque service, la "
            "création d'une identité collective entre répondants au numéro vert restant "
            "limitée »",
            "section « Partager des locaux : changer les habitudes et apprendre à cohabiter »",
            service_identities_kept,
            ("distinguishability",),
        ),
    ),
)

CASES: Mapping[str, CaseTargets] = {"cssi": CSSI, "helpline": HELPLINE}
"""The study's two cases, by name."""


def get_case(name: str) -> CaseTargets:
    """A case by name.

    Raises:
        ValueError: unknown name (the message lists the allowed ones).
    """
    try:
        return CASES[name]
    except KeyError:
        raise ValueError(f"case {name!r} is unknown; allowed: {', '.join(CASES)}") from None


def distances(case: CaseTargets, table: pd.DataFrame) -> dict[str, float]:
    """Each available pattern's distance for one run.

    Patterns whose measures were not recorded are left out.
    """
    return {p.name: float(p.distance(table)) for p in case.patterns if p.available(table)}


def missing_patterns(case: CaseTargets, table: pd.DataFrame) -> list[str]:
    """Patterns of the case that this run cannot judge (a measure they read was not recorded)."""
    return [p.name for p in case.patterns if not p.available(table)]


def holds(case: CaseTargets, table: pd.DataFrame) -> dict[str, bool]:
    """Whether each available pattern holds (its distance is 0)."""
    return {name: d == 0.0 for name, d in distances(case, table).items()}


def passages_table(case: CaseTargets) -> pd.DataFrame:
    """The patterns of a case with their statements and passages, for docs and captions."""
    return pd.DataFrame(
        [
            {
                "pattern": p.name,
                "statement": p.statement,
                "passage": p.passage,
                "where": p.where,
                "reads": ", ".join(MEASURES[r][0] for r in p.roles),
            }
            for p in case.patterns
        ]
    )
