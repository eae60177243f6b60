"""Robustness as a result: how the CSSI's regime moves when the assumptions move.

Three analyses, all run through the sweep engine (``experiments.run_sweep``) and read from the
sweep's summary table (one row per run, with its ``regime``):

* :func:`morris` — Morris elementary effects (Morris 1991, *Technometrics* 33: 161-174; mu*
  after Campolongo et al. 2007) over every parameter marked *assumption* in the ODD's
  provenance table, structural ones included (``core_facets``, ``layout``, ``n_facets``, the
  rules' switches), on the probability of each regime over a point's replicates. Switches and
  choices are sampled on the unit interval and read as ``x >= 0.5`` / the ``floor(x * n)``-th
  choice (the equal-width bins of :mod:`experiments.spec.encoding`), written out as a table of
  points; the Sobol analysis of the same assumptions is :mod:`experiments.sobol_regimes`.
* :func:`one_at_a_time` — each assumption at the low and the high end of its range, the others
  at their defaults: the modal regime and its share, for the table of which conclusions survive
  which perturbations (``docs/robustness.md``).
* :func:`boundaries` — the regimes along pooling intensity, with the intensity at which each
  regime's share first crosses one half, and a bootstrap confidence interval over seeds.

Each analysis is a named sweep (:data:`SPECS`, registered in :mod:`experiments.reproduce`) and
a pure function of its summary table. ``python -m experiments.robustness OUT [--quick]
[--only NAME]`` runs the three sweeps (or those named), writes the tables as CSV and a Markdown
summary into ``OUT``; the quick variants (one run of half a year per point) check the
plumbing, the full ones (eight runs of ten years per point) are what ``docs/robustness.md``
reports.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from experiments.spec import SweepSpec

ASSUMPTIONS: Mapping[str, tuple[Any, ...]] = {
    # continuous rates (low, high)
    "identity_strength": (0.2, 0.8),
    "openness": (0.2, 0.8),
    "encounter_rate": (2.0, 20.0),
    "homophily": (0.3, 0.5),
    "tie_formation": (0.1, 0.6),
    "tie_decay": (0.02, 0.1),
    "case_rate": (0.5, 3.0),
    "collaboration_influence": (0.1, 0.5),
    "collaboration_floor": (0.1, 0.5),
    "anchoring": (0.05, 0.2),
    "periphery_anchoring": (0.1, 0.5),
    "culture_drift": (0.0, 0.01),
    "turnover": (0.001, 0.005),
    "worker_spread": (0.02, 0.1),
    "visit_rate": (0.5, 5.0),
    "referral_rate": (0.2, 0.8),
    "service_adaptation": (0.01, 0.3),
    "premises_pull": (0.0, 0.03),
    "exit_rate": (0.0, 0.1),
    "profession_barrier": (0.5, 1.0),
    "newcomer_learning": (0.0, 2.0),
    # structural: integers, a choice and the rules' switches
    "core_facets": (0, 4),
    "n_facets": (6, 10),
    "layout": ("separate", "shared"),
    "serving_publics": (False, True),
    "premises_norms": (False, True),
    "identity_exit": (False, True),
    "profession_ownership": (False, True),
}
"""Each assumption's range: ``(low, high)`` for numbers (integers when both are ints), the
choices for a choice, ``(False, True)`` for a switch. Ranges bracket the default by what the ODD
calls plausible; the hand-tuned defaults' former values lie inside them."""

POOLING = 0.5
"""The pooling intensity at which the assumptions are perturbed: the middle of the ladder, where
the earlier reading found its band fragile."""


def _is_switch(values: tuple[Any, ...]) -> bool:
    return all(isinstance(v, bool) for v in values)


def _is_choice(values: tuple[Any, ...]) -> bool:
    return all(isinstance(v, str) for v in values)


def value_at(name: str, x: float) -> Any:
    """The value of assumption ``name`` at position ``x`` in [0, 1] of its range."""
    values = ASSUMPTIONS[name]
    if _is_switch(values):
        return bool(x >= 0.5)
    if _is_choice(values):
        return values[min(int(x * len(values)), len(values) - 1)]
    low, high = values
    value = low + x * (high - low)
    if isinstance(low, int) and isinstance(high, int):
        return round(value)
    return float(value)


def problem(names: Sequence[str] | None = None) -> dict[str, Any]:
    """SALib's problem over the unit cube of the assumptions."""
    names = list(ASSUMPTIONS if names is None else names)
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


MORRIS_SEED = 20260112
"""Seed of the Morris design on the unit cube (the design is rebuilt from it for the analysis)."""
MORRIS_TRAJECTORIES = (6, 2)
"""Trajectories of the full and the quick Morris designs: ``r (k + 1)`` points each."""
REPLICATES = (8, 1)
"""Runs per point (the seeds over which regime probabilities are taken), full and quick."""
STEPS = (520, 26)
"""Weeks per run, full (ten years) and quick."""
INTENSITIES = tuple(round(0.1 * k, 1) for k in range(11))
"""Pooling intensities of the boundaries' sweep (quick: 0, 0.5 and 1)."""


def morris_points(trajectories: int, seed: int = MORRIS_SEED, levels: int = 4) -> tuple:
    """A Morris design on the unit cube and the parameter points it stands for."""
    from SALib.sample import morris as morris_sample

    prob = problem()
    unit = morris_sample.sample(prob, trajectories, num_levels=levels, seed=seed)
    points = [
        {name: value_at(name, x) for name, x in zip(prob["names"], row, strict=True)}
        for row in unit
    ]
    return unit, points


def oat_points() -> list[dict[str, Any]]:
    """The default point, then each assumption at each end of its range (where not default)."""
    from simulation.model import default_parameters

    defaults = default_parameters()
    points: list[dict[str, Any]] = [{"pooling_intensity": POOLING}]
    for name in ASSUMPTIONS:
        for x in (0.0, 1.0):
            value = value_at(name, x)
            if value != defaults[name]:
                points.append({"pooling_intensity": POOLING, name: value})
    return points


def _spec(
    name: str,
    points: list[dict],
    quick_points: list[dict] | None,
    description: str,
) -> SweepSpec:
    from experiments.spec import Design, SweepSpec

    quick: dict[str, Any] = {"replicates": REPLICATES[1], "steps": STEPS[1]}
    quick["record_every"] = STEPS[1]
    if quick_points is not None:
        quick["design"] = {"kind": "table", "points": quick_points}
    return SweepSpec(
        design=Design("table", points=tuple(points)),
        seed=MORRIS_SEED,
        steps=STEPS[0],
        replicates=REPLICATES[0],
        record_every=STEPS[0],
        scenario="cssi",
        name=name,
        description=description,
        quick=quick,
    )


def oat_spec() -> SweepSpec:
    """Each assumption at each end of its range, the others at default (CSSI, pooling 0.5)."""
    return _spec(
        "robustness_oat",
        oat_points(),
        None,
        "The CSSI's regime at pooling intensity 0.5 with each assumption at each end of its "
        "range: which conclusions survive which perturbations.",
    )


def boundaries_spec() -> SweepSpec:
    """The regimes along pooling intensity, replicated over seeds (CSSI)."""
    full = [{"pooling_intensity": p} for p in INTENSITIES]
    quick = [{"pooling_intensity": p} for p in (0.0, 0.5, 1.0)]
    return _spec(
        "regime_boundaries",
        full,
        quick,
        "The CSSI's regime along pooling intensity over seeds, for the boundaries between "
        "regimes and their bootstrap intervals.",
    )


def morris_regimes_spec() -> SweepSpec:
    """Morris trajectories over every assumption, switches and structure included (CSSI)."""
    _, full = morris_points(MORRIS_TRAJECTORIES[0])
    _, quick = morris_points(MORRIS_TRAJECTORIES[1])
    return _spec(
        "robustness_morris",
        [{"pooling_intensity": POOLING, **p} for p in full],
        [{"pooling_intensity": POOLING, **p} for p in quick],
        "Morris elementary effects of every assumption, switches and structural choices "
        "included, on the probability of each regime of the CSSI at pooling intensity 0.5.",
    )


SPECS: Mapping[str, Any] = {
    "robustness_oat": oat_spec,
    "regime_boundaries": boundaries_spec,
    "robustness_morris": morris_regimes_spec,
}
"""The robustness sweeps by name, each a function returning its :class:`SweepSpec`."""


def regime_shares(summary: pd.DataFrame) -> pd.DataFrame:
    """Share of each point's replicates ending in each regime (points as rows)."""
    done = summary[summary["status"] == "ok"] if "status" in summary else summary
    return pd.crosstab(done["point"], done["regime"], normalize="index")


def morris_table(summary: pd.DataFrame, seed: int = MORRIS_SEED) -> pd.DataFrame:
    """Morris mu* and sigma of each assumption on the probability of each regime.

    The unit-cube design is rebuilt from ``seed`` and the number of points (``r (k + 1)``).
    """
    from SALib.analyze import morris as morris_analyze

    prob = problem()
    n_points = int(summary["point"].max()) + 1
    unit, _ = morris_points(n_points // (prob["num_vars"] + 1), seed)
    shares = regime_shares(summary)
    rows = []
    for regime in shares.columns:
        y = shares[regime].reindex(range(len(unit)), fill_value=0.0).to_numpy()
        res = morris_analyze.analyze(prob, unit, y, num_levels=4, seed=seed)
        for k, name in enumerate(prob["names"]):
            mu_star, sigma = float(res["mu_star"][k]), float(res["sigma"][k])
            rows.append({"regime": regime, "parameter": name, "mu_star": mu_star, "sigma": sigma})
    return pd.DataFrame(rows)


def oat_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The modal regime and its share at the default and at each assumption's ends.

    ``survives`` says whether the default's modal regime is still the modal one.
    """
    points = oat_points()
    shares = regime_shares(summary)
    rows = []
    for k, point in enumerate(points):
        changed = [n for n in point if n != "pooling_intensity"]
        name = changed[0] if changed else "default"
        row = shares.loc[k] if k in shares.index else pd.Series(dtype=float)
        rows.append(
            {
                "parameter": name,
                "value": point.get(name, ""),
                "regime": str(row.idxmax()) if len(row) else "",
                "share": float(row.max()) if len(row) else np.nan,
                "default_regime_share": float(row.get(_modal(shares), 0.0)),
                **{f"share_{r}": float(row.get(r, 0.0)) for r in shares.columns},
            }
        )
    table = pd.DataFrame(rows)
    table["survives"] = table["regime"] == table.loc[0, "regime"]
    return table


def _modal(shares: pd.DataFrame) -> str:
    return str(shares.loc[0].idxmax()) if 0 in shares.index else ""


def boundaries_table(summary: pd.DataFrame, boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Where each regime's share along pooling intensity first reaches one half, with its CI.

    The crossing is interpolated linearly between the two intensities that bracket it; its
    interval is the 2.5 and 97.5 percentiles over ``boot`` bootstrap resamples of the runs
    (seeds) at each intensity.
    """
    done = summary[summary["status"] == "ok"] if "status" in summary else summary
    x = np.sort(done["pooling_intensity"].unique())
    by_level = {v: done.loc[done["pooling_intensity"] == v, "regime"].to_numpy() for v in x}
    rng = np.random.default_rng(seed)

    def crossing(curve: np.ndarray) -> float:
        above = np.flatnonzero(curve >= 0.5)
        if above.size == 0:
            return np.nan
        k = above[0]
        if k == 0:
            return float(x[0])
        y0, y1 = curve[k - 1], curve[k]
        return float(x[k - 1] + (0.5 - y0) / (y1 - y0) * (x[k] - x[k - 1]))

    rows = []
    for regime in sorted(done["regime"].unique()):
        curve = np.array([(by_level[v] == regime).mean() for v in x])
        draws = np.array(
            [
                crossing(
                    np.array([(rng.choice(r, r.size) == regime).mean() for r in by_level.values()])
                )
                for _ in range(boot)
            ]
        )
        ok = draws[np.isfinite(draws)]
        rows.append(
            {
                "regime": regime,
                "shares": ", ".join(f"{v:.2f}" for v in curve),
                "first_majority_at": crossing(curve),
                "ci_low": float(np.percentile(ok, 2.5)) if ok.size else np.nan,
                "ci_high": float(np.percentile(ok, 97.5)) if ok.size else np.nan,
                "resamples_with_a_majority": ok.size / boot,
            }
        )
    return pd.DataFrame(rows)


def _resampled(by_level: dict, regime: str, rng: np.random.Generator) -> np.ndarray:
    """Each level's share of ``regime`` in one bootstrap resample of its runs."""
    return np.array([(rng.choice(r, r.size) == regime).mean() for r in by_level.values()])


def markdown_table(frame: pd.DataFrame) -> str:
    """A data frame as a Markdown table (numbers to three significant figures)."""

    def cell(v: Any) -> str:
        if isinstance(v, float | np.floating):
            return f"{v:.3g}"
        return str(v)

    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    body = [
        "| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)
    ]
    return "\n".join([head, rule, *body])


def main(argv: list[str] | None = None) -> None:
    """Run the three sweeps into a folder, analyse them and print the Markdown summary."""
    from experiments import load_summary, run_sweep

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument(
        "--only",
        action="append",
        choices=tuple(SPECS),
        metavar="NAME",
        help="run and analyse only this sweep (repeat for several): " + ", ".join(SPECS),
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    tables = {}
    for name, build in SPECS.items():
        if args.only and name not in args.only:
            continue
        spec = build().reduced() if args.quick else build()
        run_sweep(spec, args.out / spec.name, workers=args.workers, progress=False)
        tables[name] = load_summary(args.out / spec.name)
    parts = []
    if "robustness_oat" in tables:
        oat = oat_table(tables["robustness_oat"])
        oat.to_csv(args.out / "one_at_a_time.csv", index=False)
        parts += ["## One assumption at a time (pooling intensity 0.5)", "", markdown_table(oat)]
    if "regime_boundaries" in tables:
        boot = 100 if args.quick else 1000
        bounds = boundaries_table(tables["regime_boundaries"], boot=boot)
        bounds.to_csv(args.out / "boundaries.csv", index=False)
        parts += ["", "## Regime boundaries along pooling intensity", "", markdown_table(bounds)]
    if "robustness_morris" in tables:
        effects = morris_table(tables["robustness_morris"])
        effects.to_csv(args.out / "morris.csv", index=False)
        top = effects.sort_values(["regime", "mu_star"], ascending=[True, False])
        parts += ["", "## Morris mu* on the probability of each regime (largest first)", ""]
        parts.append(markdown_table(top.groupby("regime").head(8)))
    text = "\n".join(parts).strip() + "\n"
    (args.out / "robustness.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
