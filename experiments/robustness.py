"""Robustness as a result: how the CSSI's regime moves when the assumptions move.

Three analyses, all run through the sweep engine (``experiments.run_sweep``) and read from the
sweep's summary table (one row per run, with its ``regime``):

* :func:`morris` — Morris elementary effects (Morris 1991, *Technometrics* 33: 161-174; mu*
  after Campolongo et al. 2007) over every parameter marked *assumption* in the ODD's
  provenance table, structural ones included (``core_facets``, ``layout``, ``n_facets``, the
  rules' switches), on the probability of each regime over a point's replicates. Switches and
  choices are sampled on the unit interval and read as ``x >= 0.5`` / the ``floor(x * n)``-th
  choice, so the design is a table of points (the engine's sampled designs take numbers only).
* :func:`one_at_a_time` — each assumption at the low and the high end of its range, the others
  at their defaults: the modal regime and its share, for the table of which conclusions survive
  which perturbations (``docs/robustness.md``).
* :func:`boundaries` — the regimes along pooling intensity, with the intensity at which each
  regime's share first crosses one half, and a bootstrap confidence interval over seeds.

Run ``python -m experiments.robustness OUT [--quick]``: it writes the three tables as CSV and a
Markdown summary into ``OUT``. The quick variant (a few runs of one year) checks the plumbing in
well under a minute; the full one (ten years) is what the docs report.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

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


def morris_points(trajectories: int, seed: int, levels: int = 4) -> tuple[np.ndarray, list[dict]]:
    """A Morris design on the unit cube and the parameter points it stands for."""
    from SALib.sample import morris as morris_sample

    prob = problem()
    unit = morris_sample.sample(prob, trajectories, num_levels=levels, seed=seed)
    points = [
        {name: value_at(name, x) for name, x in zip(prob["names"], row, strict=True)}
        for row in unit
    ]
    return unit, points


def _sweep(
    name: str, points: list[dict], out: Path, *, steps: int, replicates: int, seed: int
) -> pd.DataFrame:
    from experiments import SweepSpec, load_summary, run_sweep
    from experiments.spec import Design

    spec = SweepSpec(
        design=Design("table", points=tuple(points)),
        seed=seed,
        steps=steps,
        replicates=replicates,
        record_every=steps,
        scenario="cssi",
        fixed={"pooling_intensity": POOLING} if "pooling_intensity" not in points[0] else {},
        name=name,
        description=f"robustness of the CSSI's regime: {name}",
    )
    run_sweep(spec, out / name, executor="serial", progress=False)
    return load_summary(out / name)


def regime_shares(summary: pd.DataFrame) -> pd.DataFrame:
    """Share of each point's replicates ending in each regime (points as rows)."""
    done = summary[summary["status"] == "ok"] if "status" in summary else summary
    return pd.crosstab(done["point"], done["regime"], normalize="index")


def morris(
    out: Path, *, trajectories: int, steps: int, replicates: int, seed: int
) -> pd.DataFrame:
    """Morris mu* and sigma of each assumption on the probability of each regime."""
    from SALib.analyze import morris as morris_analyze

    unit, points = morris_points(trajectories, seed)
    shares = regime_shares(
        _sweep("morris", points, out, steps=steps, replicates=replicates, seed=seed)
    )
    prob = problem()
    rows = []
    for regime in shares.columns:
        y = shares[regime].reindex(range(len(points)), fill_value=0.0).to_numpy()
        res = morris_analyze.analyze(prob, unit, y, num_levels=4, seed=seed)
        for k, name in enumerate(prob["names"]):
            rows.append(
                {
                    "regime": regime,
                    "parameter": name,
                    "mu_star": float(res["mu_star"][k]),
                    "sigma": float(res["sigma"][k]),
                }
            )
    return pd.DataFrame(rows)


def one_at_a_time(out: Path, *, steps: int, replicates: int, seed: int) -> pd.DataFrame:
    """The modal regime and its share at the default and at each assumption's two ends."""
    from simulation.model import default_parameters

    defaults = default_parameters()
    points: list[dict] = [{"pooling_intensity": POOLING}]
    labels = [("default", "", defaults["pooling_intensity"])]
    for name in ASSUMPTIONS:
        for end, x in (("low", 0.0), ("high", 1.0)):
            value = value_at(name, x)
            if value == defaults[name]:
                continue
            points.append({"pooling_intensity": POOLING, name: value})
            labels.append((name, end, value))
    shares = regime_shares(
        _sweep("oat", points, out, steps=steps, replicates=replicates, seed=seed)
    )
    rows = []
    for k, (name, end, value) in enumerate(labels):
        row = shares.loc[k] if k in shares.index else pd.Series(dtype=float)
        modal = str(row.idxmax()) if len(row) else ""
        rows.append(
            {
                "parameter": name,
                "end": end,
                "value": value,
                "regime": modal,
                "share": float(row.max()) if len(row) else np.nan,
            }
        )
    table = pd.DataFrame(rows)
    table["survives"] = table["regime"] == table.loc[0, "regime"]
    return table


def boundaries(
    out: Path, *, intensities: Sequence[float], steps: int, replicates: int, seed: int, boot: int
) -> pd.DataFrame:
    """Regime shares along pooling intensity and where each regime's share first passes 1/2.

    The crossing point is interpolated linearly between the two intensities that bracket it; its
    confidence interval is the 2.5 and 97.5 percentiles over ``boot`` bootstrap resamples of the
    replicates (seeds) at each intensity.
    """
    points = [{"pooling_intensity": float(p)} for p in intensities]
    summary = _sweep("boundaries", points, out, steps=steps, replicates=replicates, seed=seed)
    done = summary[summary["status"] == "ok"] if "status" in summary else summary
    regimes = sorted(done["regime"].unique())
    by_point = {p: done.loc[done["point"] == p, "regime"].to_numpy() for p in range(len(points))}
    rng = np.random.default_rng(seed)
    x = np.asarray(intensities, dtype=float)

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
    for regime in regimes:
        curve = np.array([(by_point[p] == regime).mean() for p in range(len(points))])
        draws = []
        for _ in range(boot):
            resampled = np.array(
                [(rng.choice(by_point[p], by_point[p].size) == regime).mean() for p in by_point]
            )
            draws.append(crossing(resampled))
        draws = np.array(draws)
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


def summary_markdown(oat: pd.DataFrame, bounds: pd.DataFrame, effects: pd.DataFrame) -> str:
    """The three results as Markdown tables."""
    lines = ["## One assumption at a time (pooling intensity 0.5)", ""]
    lines.append(markdown_table(oat))
    lines += ["", "## Regime boundaries along pooling intensity", ""]
    lines.append(markdown_table(bounds))
    lines += ["", "## Morris mu* on the probability of each regime (largest first)", ""]
    top = effects.sort_values(["regime", "mu_star"], ascending=[True, False])
    lines.append(markdown_table(top.groupby("regime").head(8)))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Run the three analyses into a folder and print the Markdown summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    quick = args.quick
    steps, reps = (52, 2) if quick else (520, 8)
    seed = 20260112
    args.out.mkdir(parents=True, exist_ok=True)
    oat = one_at_a_time(args.out, steps=steps, replicates=reps, seed=seed)
    bounds = boundaries(
        args.out,
        intensities=(0.0, 0.5, 1.0) if quick else tuple(np.round(np.linspace(0, 1, 11), 2)),
        steps=steps,
        replicates=reps,
        seed=seed,
        boot=50 if quick else 1000,
    )
    effects = morris(
        args.out, trajectories=2 if quick else 6, steps=steps, replicates=reps, seed=seed
    )
    oat.to_csv(args.out / "one_at_a_time.csv", index=False)
    bounds.to_csv(args.out / "boundaries.csv", index=False)
    effects.to_csv(args.out / "morris.csv", index=False)
    text = summary_markdown(oat, bounds, effects)
    (args.out / "robustness.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
