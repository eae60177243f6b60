"""Robustness as a result: Sobol indices of the assumptions on the probability of each regime.

Variance-based sensitivity (Sobol 2001; the Saltelli scheme and estimators of Saltelli et al.
2010, *Computer Physics Communications* 181: 259-270, via SALib) of the CSSI's regime at pooling
intensity 0.5 over every assumption of the ODD's provenance table that acts on the CSSI,
structural ones included: ``core_facets``, ``n_facets`` and ``layout``, and the new rules'
switches (``serving_publics``, ``premises_norms``, ``identity_exit``,
``profession_ownership``). Those discrete factors are sampled on [0, 1] and read by
equal-width bins (:mod:`experiments.spec.encoding`).

The sweep is the named spec ``robustness_sobol`` (``experiments/specs/robustness_sobol.toml``),
run by the sweep engine: resumable, every run's seed spawned from the spec's one root seed. The
outcome of a design point is the share of its replicates (seeds) that end in a regime: the
average of the regime's indicator, each run judged against the null twins of every replicate of
its point. First-order (``S1``) and total (``ST``) indices come with bootstrap confidence
intervals (``S1_conf``, ``ST_conf``: half-widths at 95 %).

``python -m experiments.sobol_regimes OUT [--quick] [--workers N]`` runs the sweep into
``OUT/robustness_sobol`` (``-quick``), writes ``sobol_regimes.csv`` there (and
``sobol_regimes_half.csv``, the same from the first half of the base sample, to judge
convergence) and prints a Markdown summary; ``isohybrid reproduce`` draws its figure.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from experiments.spec import SweepSpec

SPEC_NAME = "robustness_sobol"
"""The named spec of the Sobol sweep over the assumptions."""

INERT_ON_THE_CSSI: tuple[str, ...] = (
    "intervision_every",
    "tool_use",
    "tool_decay",
    "meaning_sensitivity",
)
"""Assumptions of the provenance table that are not factors: the helpline's peer meetings and
shared tools, which leave a CSSI run unchanged (``tests/test_sobol_regimes.py`` checks it)."""

NUM_RESAMPLES = 1000
"""Bootstrap resamples of the indices' confidence intervals."""


def sobol_spec(*, quick: bool = False) -> SweepSpec:
    """The Sobol sweep's spec (its reduced variant with ``quick``)."""
    from experiments.spec import load_spec

    spec = load_spec(SPEC_NAME)
    return spec.reduced() if quick else spec


def regimes_reached(summary: pd.DataFrame) -> list[str]:
    """The regimes at least one finished run ends in, in the model's order.

    A regime no run reaches has a constant zero probability and no variance to apportion.
    """
    from experiments.sensitivity import known_regimes

    ok = summary[summary["status"] == "ok"]
    seen = set(ok["regime"].dropna())
    order = [r for r in known_regimes() if r in seen]
    return order + sorted(seen - set(order))


def sobol_regimes_table(
    out: str | Path, *, num_resamples: int = NUM_RESAMPLES, allow_incomplete: bool = False
) -> pd.DataFrame:
    """S1, ST and their 95 % intervals of every factor on the probability of each regime.

    Args:
        out: the finished Sobol sweep's folder.
        num_resamples: bootstrap resamples of the intervals (their seed is the spec's).
        allow_incomplete: analyse a sweep with missing runs (points without any run fail).

    Returns:
        One row per regime reached and factor: ``regime``, ``parameter``, ``S1``,
        ``S1_conf``, ``ST``, ``ST_conf``, ``probability`` (the regime's share of all runs) and
        ``seed_noise_share`` (:func:`seed_noise_share`).
    """
    from experiments import storage
    from experiments.sensitivity import analyse_sensitivity

    summary = storage.load_summary(out)
    regimes = regimes_reached(summary)
    with warnings.catch_warnings():
        # a regime reached at a few points only has constant stretches: SALib says so, and
        # its intervals say the rest
        warnings.filterwarnings("ignore", message="Constant values", category=UserWarning)
        table = analyse_sensitivity(
            out,
            [f"regime={r}" for r in regimes],
            "sobol",
            num_resamples=num_resamples,
            allow_incomplete=allow_incomplete,
        )
    table.insert(0, "regime", table.pop("outcome").str.removeprefix("regime="))
    ok = summary[summary["status"] == "ok"]
    shares = ok["regime"].value_counts(normalize=True)
    table["probability"] = table["regime"].map(shares).astype(float)
    table["seed_noise_share"] = table["regime"].map({r: seed_noise_share(ok, r) for r in regimes})
    return table.drop(columns="method")


def first_blocks_table(
    out: str | Path, base: int, *, num_resamples: int = NUM_RESAMPLES
) -> pd.DataFrame:
    """The indices from the design's first ``base`` base samples only (``S1``, ``ST``, CIs).

    SALib lays a Saltelli design out base sample by base sample, each a block of ``D + 2``
    points (A, the D mixed rows, B), and the first points of a Sobol sequence are a Sobol
    sequence themselves: the first ``base`` blocks are the design of the smaller base size.
    This checks the indices' convergence (half the base sample against all of it), and
    analyses a sweep whose first blocks are finished while the rest still runs.

    Raises:
        ValueError: ``base`` is not in [2, N], or a point of the first blocks has no run.
    """
    import numpy as np
    from SALib.analyze import sobol

    from experiments import storage
    from experiments.sensitivity import outcome_by_point
    from experiments.spec import load_spec, salib_problem

    spec = load_spec(storage.read_manifest(out)["spec"])
    if not 2 <= base <= spec.design.samples:
        raise ValueError(f"base = {base} is out of range; allowed: [2, {spec.design.samples}]")
    problem = salib_problem(spec.design)
    n = base * (problem["num_vars"] + 2)
    summary = storage.load_summary(out)
    rows = []
    for regime in regimes_reached(summary):
        y = outcome_by_point(summary, f"regime={regime}", spec.n_points).to_numpy()[:n]
        if np.isnan(y).any():
            raise ValueError(f"the first {base} blocks ({n} points) are not all finished")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.filterwarnings("ignore", message="Constant values", category=UserWarning)
            res = sobol.analyze(
                problem, y, calc_second_order=False, num_resamples=num_resamples, seed=spec.seed
            )
        for k, name in enumerate(problem["names"]):
            rows.append({"regime": regime, "parameter": name, "base": base})
            rows[-1].update(
                {key: float(res[key][k]) for key in ("S1", "S1_conf", "ST", "ST_conf")}
            )
    return pd.DataFrame(rows)


def seed_noise_share(ok: pd.DataFrame, regime: str) -> float:
    """Share of the variance of a regime's probability over points that is noise of the seeds.

    A point's probability is the mean of its replicates' indicators, whose variance is
    estimated without bias by ``p (1 - p) / (R - 1)`` (``p`` the point's share, ``R`` its
    replicates). Averaged over points and divided by the variance of the shares across
    points, it is the part of that variance no parameter explains: every total index
    includes about this much (NaN with one replicate per point or no variance).
    """
    hit = (ok["regime"] == regime).astype(float).groupby(ok["point"])
    p, r = hit.mean(), hit.size()
    if (r < 2).all() or p.var(ddof=0) == 0:
        return float("nan")
    noise = (p * (1 - p) / (r - 1)).where(r > 1).mean()
    return float(noise / p.var(ddof=0))


def summary_markdown(table: pd.DataFrame, n_runs: int, n_points: int, top: int = 8) -> str:
    """The largest total indices per regime as Markdown, with the design's size."""
    from experiments.robustness import markdown_table

    lines = [
        f"## Sobol indices on the probability of each regime ({n_points} points, {n_runs} runs)",
        "",
    ]
    for regime, rows in table.groupby("regime", sort=False):
        share = float(rows["probability"].iloc[0])
        noise = float(rows["seed_noise_share"].iloc[0])
        lines += [
            f"### {regime} (share of all runs {share:.3f}; seed noise {noise:.2f} of the "
            "variance of its probability)",
            "",
        ]
        best = rows.sort_values("ST", ascending=False).head(top)
        columns = ["parameter", "S1", "S1_conf", "ST", "ST_conf"]
        lines += [markdown_table(best[columns]), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run the Sobol sweep (resumable), analyse it, write the CSV and print the summary."""
    from experiments import run_sweep

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    spec = sobol_spec(quick=args.quick)
    folder = args.out / spec.name
    run_sweep(spec, folder, workers=args.workers, progress=False)
    resamples = 100 if args.quick else NUM_RESAMPLES
    table = sobol_regimes_table(folder, num_resamples=resamples)
    table.to_csv(folder / "sobol_regimes.csv", index=False)
    half = spec.design.samples // 2
    if half >= 2:  # the convergence check: the same indices from half the base sample
        first_blocks_table(folder, half, num_resamples=resamples).to_csv(
            folder / "sobol_regimes_half.csv", index=False
        )
    text = summary_markdown(table, spec.n_runs, spec.n_points)
    (folder / "sobol_regimes.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
