"""Words of the dashboard: names, plain-language help for every control, the Info panel.

Every control's help is written plain words first, with the model's own (jargon) name second,
so that a first-year student can read it and a modeller can find the parameter in the ODD.
"""

from __future__ import annotations

from collections.abc import Mapping

from simulation.scenarios import PROTOTYPE_NAMES, PROTOTYPE_SECTOR

DISPLAY_NAMES: Mapping[str, str] = {"maison médicale": PROTOTYPE_NAMES["medical_practice"]}
"""One English name for each association everywhere on the page (the model keeps its own)."""

KIND_LABELS: Mapping[str, str] = {
    kind: f"{name} ({PROTOTYPE_SECTOR[kind]})" for kind, name in PROTOTYPE_NAMES.items()
}
"""The legend of a landscape's associations, by kind: the kind's one name and its sector."""

SCENARIO_TEXT: Mapping[str, tuple[str, str]] = {
    "cssi": (
        "CSSI",
        f"One building, four associations ({', '.join(PROTOTYPE_NAMES.values())}): about 40 "
        "workers.",
    ),
    "helpline": (
        "Helpline",
        "Twelve social services answer one helpline: everyone in one room during the "
        "lockdown, then shifts go back to each service.",
    ),
    "landscape": (
        "Landscape",
        "A region of pooled sites, each with a few associations of the health or the social "
        "sector.",
    ),
}
LAYOUT_TEXT: Mapping[str, str] = {
    "separate": "Separate premises (as observed): own reception desks, reserved rooms, "
    "different hours.",
    "shared": "Shared premises: one waiting room, one reception, free rooms, common hours.",
}
PHASE_TEXT: Mapping[str, str] = {
    "pooled": "pooling in force",
    "centralised": "everyone in one room, one common approach",
    "decentralised": "shifts back in each service; peer meetings (intervisions)",
}
LEVEL_LABELS: Mapping[str, str] = {
    "co_presence": "co-presence",
    "collaboration": "collaboration",
    "common_work": "common work",
}

HELP: Mapping[str, str] = {
    "scenario": "Which pooled organisations to watch. (scenario)",
    "layout": "Do the associations keep their own desks, rooms and hours, or share them all? "
    "(layout)",
    "pooling_intensity": "How much the associations pool: 0 = each on its own; then sharing "
    "premises, then shared cases, then whole common functions. (pooling_intensity)",
    "co_presence": "Share of working time spent on shared premises, where workers of "
    "different associations meet. (co_presence)",
    "collaboration": "Share of working time spent on cases handled with another "
    "association's workers. (collaboration)",
    "common_work": "Share of workers moved into a pooled function (a common reception, a "
    "common team) that follows one standard. (common_work)",
    "identity_strength": "How strongly workers hold on to their own association's way of "
    "working. (identity_strength)",
    "openness": "How easily workers take up what they see others do. (openness)",
    "n_workers": "How many workers the region has. (n_workers)",
    "associations_per_site": "How many associations share each building. (associations_per_site)",
    "sector_mix": "Share of health associations; the rest are social. (sector_mix)",
    "decentralise_at": "The week the helpline's shifts go back to each service. (decentralise_at)",
    "intervision_every": "Weeks between two peer meetings after decentralisation; 0 = none. "
    "(intervision_every)",
    "intervision_attendance": "Share of workers who come to a peer meeting. "
    "(intervision_attendance)",
    "asymmetry": "Extra pull of health practices on social workers: the 'sanitarisation' of "
    "social work. 0 = none. (asymmetry)",
    "external_pressure": "Pull of funders towards one standard for everyone (coercive "
    "isomorphism). 0 = none. (external_pressure)",
    "turnover": "Chance a worker leaves in a week and is replaced by a newcomer. (turnover)",
    "encounter_rate": "Meetings with other associations' workers per worker and week, on fully "
    "shared premises. (encounter_rate)",
    "homophily": "How alike two workers must already be to really talk shop. (homophily)",
    "copresence_influence": "How much of their difference two workers close when they talk "
    "shop. (copresence_influence, 'encounter pull')",
    "tie_formation": "Chance that a good conversation starts a working relationship. "
    "(tie_formation)",
    "tie_decay": "How fast a working relationship fades without a shared case. (tie_decay)",
    "case_rate": "Shared cases per collaborating worker and week. (case_rate)",
    "collaboration_influence": "How much of one aspect of their practice a worker borrows on a "
    "shared case. (collaboration_influence)",
    "facet_tolerance": "Aspects closer than this already count as shared. (facet_tolerance)",
    "collaboration_floor": "Chance that two very different workers still borrow from each "
    "other. (collaboration_floor)",
    "socialisation": "Weekly chance that a worker in a common function adopts its standard, "
    "aspect by aspect. (socialisation, March's p1)",
    "code_learning": "Weekly rate at which a common function's standard learns from its "
    "members. (code_learning, March's p2)",
    "anchoring": "Weekly pull of a worker back to the association's culture. (anchoring)",
    "core_facets": "Number of aspects an association holds on to most (its core). (core_facets)",
    "periphery_anchoring": "Pull back on the other aspects, relative to the core. "
    "(periphery_anchoring)",
    "culture_drift": "Weekly pull of an association's culture towards what its workers do. "
    "(culture_drift)",
    "n_facets": "Number of aspects of a practice (access, reception, framing, ...). (n_facets)",
    "worker_spread": "How different workers of one association are at the start. (worker_spread)",
    "culture_spread": "How different associations of one kind are at the start. (culture_spread)",
    "multi_need_share": "Share of people who need two kinds of help at once. (multi_need_share)",
    "access_tolerance": "How far a practice may be from what someone needs and still fit. "
    "(access_tolerance)",
    "serving_publics": "Workers see beneficiaries and adapt to their needs. (serving_publics)",
    "visit_rate": "Beneficiaries each worker sees in a week. (visit_rate)",
    "referral_rate": "Chance that a need a worker cannot meet is passed to a colleague they "
    "know. (referral_rate)",
    "service_adaptation": "How much a worker adapts to each beneficiary seen. "
    "(service_adaptation)",
    "premises_norms": "The building itself carries a way of working (its rooms, desk, hours). "
    "(premises_norms)",
    "premises_pull": "How strongly the building's way of working pulls each week. (premises_pull)",
    "identity_exit": "Workers who feel their identity threatened may leave. (identity_exit)",
    "exit_rate": "How readily a threatened worker leaves. (exit_rate)",
    "profession_ownership": "Each profession guards some aspects of practice as its own. "
    "(profession_ownership)",
    "profession_barrier": "How much less workers borrow on another profession's aspects. "
    "(profession_barrier)",
    "newcomer_learning": "How much faster a new hire learns the local ways. (newcomer_learning)",
    "shared_tools": "Shared tools (files, software, forms) that outlast the people who use "
    "them. (shared_tools)",
    "tool_use": "Weekly pull of the shared tools on those who use them. (tool_use)",
    "tool_decay": "How fast unused shared tools fall out of use. (tool_decay)",
    "meaning_sensitivity": "How much a worker stays away from common work that does not fit "
    "their role. (meaning_sensitivity)",
    "collect_agents": "Also record every worker's practice every week (uses memory). "
    "(collect_agents)",
    "record_every": "Weeks between two recorded points of the measures. (record_every)",
}
"""Plain-language help of each parameter, its model name second (in brackets)."""

LABELS: Mapping[str, str] = {
    "copresence_influence": "Pull of a conversation",
    "socialisation": "Learning the common standard",
    "code_learning": "Standard learning from members",
    "collaboration_influence": "Borrowing on a shared case",
    "collaboration_floor": "Borrowing between unlike workers",
    "layout": "Premises",
}
"""Plain labels that replace the parameter table's short (jargon) labels on the page."""

INTRO = (
    "Associations that share premises and workers: do their ways of working stay apart "
    "(persistence), borrow from each other (hybridisation) or end up all alike (isomorphism)? "
    "Pick a scenario and press Play."
)

INFO = """
**What is it?** An agent-based model of workers from several non-profit associations (health
and social) who pool premises and staff. Each week they meet on shared premises, handle shared
cases and work in common functions; their ways of working (*practices*, six aspects such as
access, reception and framing) can stay apart, borrow from each other, or converge. It follows
the field study of Rosenzweig & Boussart, *Les travailleurs sociaux face à la mutualisation
associative* (Brussels, 2022-2023), which observed mostly hybridisation.

**Things to try.**
- CSSI, press Play: do the four associations stay distinct after two years?
- Raise *pooling intensity* to 1 (common work for many): does the badge reach isomorphism?
- Set *premises* to shared: more encounters, more borrowing?
- Helpline: everyone in one room, then back in their services: what stays?
- *Compare 5 seeds*: is what you see the rule, or luck of one seed?
- *Keep these settings as B*, then change one control: A and B play side by side, B dashed.

**Reading the badge.** It names the regime of the run with the model's regime rule: the run is
compared with the same world *without pooling* (null twins: its own seed and a few others),
and a measure counts only when it moved beyond the twins' seed-to-seed noise (the red band on
each judged measure). Nothing beyond noise reads persistence. A new label is shown only after
it has held for {hold} weeks in a row, so a reading wobbling at the band's edge does not make
the badge flicker; the band under the measures shows the same held label.

**More.** The buttons below show, in this page, the model's full description (the ODD
protocol, `docs/ODD.md`, with the passage of the article behind each rule and value) and the
guide to this dashboard (`docs/dashboard.md`).
"""
