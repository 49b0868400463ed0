"""What-if: a plan's builds fixed, the flows re-solved under another scenario; the regret matrix.

``netopt evaluate PLAN_RUN --scenario B`` reads the plan's builds from its run folder
(facilities.csv), and solves scenario B with every build decision fixed to them
(:class:`~netopt.instance.decisions.FixBuilds`): an LP in the flows. Evaluating a plan under its
own scenario gives back its own objective.

The ``regret`` study kind solves each scenario of ``plans`` for its own plan, evaluates every plan
under every scenario of ``scenarios``, and reports the regret matrix: plan i under scenario j costs
``cost[i, j]``; the regret is ``cost[i, j] - min_i cost[i, j]``, so each column has a zero (the best
plan for j). As the column minimum is itself a MIP plan within its gap, the true regret lies
between the figure and the figure plus that plan's own gap (``regret_upper_myen``).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from netopt.instance.decisions import FixBuilds
from netopt.instance.runspec import RunSpec
from netopt.results.store import RunData
from netopt.studies.common import Result, Runs
from netopt.studies.kpis import builds, gap_abs


def fix_plan(plan: RunData, through: int | None = None, named: bool = True) -> FixBuilds:
    """The decision that fixes ``plan``'s builds (those of periods <= ``through``, if given); ``named``
    records the plan's run id in it (studies leave it out, so that plans with the same builds share runs)."""
    return FixBuilds(builds=tuple(builds(plan)), through=through,
                     source=str(plan.run_info.get("run_id", "")) if named else "")


def evaluate_spec(plan: RunData, scenario: str, instance: str | Path | None = None, overrides=(),
                  solve: dict | None = None) -> RunSpec:
    """The RunSpec of ``plan`` evaluated under ``scenario``: its instance and solve settings, its builds fixed."""
    spec = plan.run_info.get("run_spec") or {}
    path = instance or spec.get("instance") or plan.run_info.get("instance_path")
    if not path:
        raise ValueError(f"{plan.folder}: run.json names no instance; pass the instance folder")
    return RunSpec.make(instance=str(path), scenario=scenario, overrides=tuple(overrides),
                        solve={**spec.get("solve", {}), **(solve or {})}, seed=spec.get("seed"),
                        decisions=(fix_plan(plan),))


def drive(study, runner) -> Result:
    section = study.section
    plans, scenarios = list(section.plans), list(section.scenarios or section.plans)
    own = [study.spec(p) for p in plans]
    rows = runner.run(own, labels=[f"plan {p}" for p in plans], params=[{"plan": p} for p in plans],
                      title=f"{study.name}: own plans")
    runs = Runs.of(runner)
    plan_runs = {p: runs.get(rows.get(s.id)) for p, s in zip(plans, own)}
    tasks, labels, params, cells = [], [], [], []
    for p, plan in plan_runs.items():
        if plan is None:
            continue
        for j in scenarios:
            spec = study.spec(j, decisions=(fix_plan(plan, named=False),))
            tasks.append(spec)
            labels.append(f"plan {p} under {j}")
            params.append({"plan": p, "scenario": j})
            cells.append((p, j, spec.id))
    rows.update(runner.run(tasks, labels, params, title=f"{study.name}: evaluations"))
    table = []
    for p, j, key in cells:
        k = runs.kpis(rows.get(key))
        table.append({"plan": p, "scenario": j, "cost_myen": k.get("objective", math.nan), "id": key,
                      "status": rows.get(key, {}).get("status", "missing")})
    df = pd.DataFrame(table, columns=["plan", "scenario", "cost_myen", "id", "status"])
    own_gap = {p: gap_abs(r) if r is not None else math.inf for p, r in plan_runs.items()}
    best = df.groupby("scenario")["cost_myen"].transform("min")
    best_plan = df.loc[df.groupby("scenario")["cost_myen"].idxmin().dropna(), ["scenario", "plan"]] \
        if df["cost_myen"].notna().any() else pd.DataFrame(columns=["scenario", "plan"])
    best_of = dict(zip(best_plan["scenario"], best_plan["plan"]))
    df["best_myen"] = best
    df["regret_myen"] = df["cost_myen"] - best
    df["regret_upper_myen"] = df["regret_myen"] + df["scenario"].map(lambda j: own_gap.get(best_of.get(j), 0.0))
    matrix = df.pivot(index="plan", columns="scenario", values="regret_myen").reindex(
        index=[p for p in plans if p in set(df["plan"])], columns=scenarios).reset_index()
    own_check = [{"plan": p, "own_objective_myen": r.summary["objective_myen"],
                  "evaluated_myen": float(df[(df["plan"] == p) & (df["scenario"] == p)]["cost_myen"].iloc[0])
                  if ((df["plan"] == p) & (df["scenario"] == p)).any() else math.nan, "own_gap_myen": own_gap[p]}
                 for p, r in plan_runs.items() if r is not None]
    worst = df.groupby("plan")["regret_myen"].max().sort_values()
    notes = {"plans_without_plan": [p for p, r in plan_runs.items() if r is None],
             "max_regret_myen": {p: float(v) for p, v in worst.items()},
             "least_max_regret_plan": worst.index[0] if len(worst) else None}
    return Result({"regret": df, "regret_matrix": matrix, "own_plans": pd.DataFrame(own_check)}, notes)
