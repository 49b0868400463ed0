"""Robust plans: first-stage builds shared by every scenario (or sample), the rest free.

Two-stage stochastic programming in extensive form. The members are named scenarios (or Monte
Carlo samples of the parameters, drawn as the ``montecarlo`` kind draws them), with probabilities
(default: equal). Steps, each a batch of ordinary runs except the second:

1. each member's own optimum (its own plan);
2. the extensive form (:class:`~netopt.studies.tasks.ExtensiveForm`): one copy of the model per
   member under one parent, the build decisions of periods up to ``first_stage`` tied together,
   minimising the expected cost (``objective = "expected"``) or the largest regret against the
   members' own optima (``"max_regret"``);
3. the robust first stage fixed (:class:`~netopt.instance.decisions.FixBuilds` with ``through``)
   and each member re-solved, later builds free: the robust plan's cost under each member;
4. each member's own first stage fixed the same way under every member, for comparison.

``robust.csv``: per member its probability, own optimum, the robust plan's cost and regret.
``first_stages.csv``: per first stage (the robust one, each member's own) its cost under each
member, expected cost and largest regret. ``first_stage_builds.csv``: the robust first stage.
Notes: RP (expected cost of the robust plan), WS (expected own optimum, "wait and see"),
EVPI = RP - WS, EEV (expected cost of the ``expected_value_scenario``'s first stage), the value of
the stochastic solution VSS = EEV - RP, and the gain over the best single-member first stage.
"""

from __future__ import annotations

import math

import pandas as pd

from netopt.instance.decisions import Build, FixBuilds
from netopt.studies.common import Result, Runs, status_of
from netopt.studies.evaluate import fix_plan
from netopt.studies.montecarlo import draws
from netopt.studies.tasks import ExtensiveForm

ROBUST = "robust"


def members(study) -> tuple[list[str], list]:
    s = study.section
    if s.scenarios is not None:
        return list(s.scenarios), [study.spec(name) for name in s.scenarios]
    samples = draws(study, study.spec_file.parameter, s.widths, s.samples, s.seed)
    return [f"sample {i}" for i in range(len(samples))], [study.spec(overrides=d["_overrides"]) for d in samples]


def drive(study, runner) -> Result:
    s = study.section
    labels, specs = members(study)
    probs = list(s.probabilities or [1 / len(specs)] * len(specs))
    runs = Runs.of(runner, study.instance.settings.period_years())
    rows = runner.run(specs, [f"own plan {x}" for x in labels], [{"member": x} for x in labels],
                      title=f"{study.name}: own plans")
    own = {x: runs.get(rows.get(spec.id)) for x, spec in zip(labels, specs)}
    missing = [x for x, r in own.items() if r is None]
    if missing:
        return Result({}, {"result": f"no own plan for {', '.join(missing)}; the robust plan needs all of them"})
    optima = [own[x].summary["objective_myen"] for x in labels]
    ef = ExtensiveForm(members=tuple(specs), probabilities=tuple(probs), first_stage=s.first_stage,
                       objective=s.objective, optima=tuple(optima) if s.objective == "max_regret" else ())
    rows.update(runner.run([ef], ["extensive form"], [{"members": len(specs)}], title=f"{study.name}: extensive form"))
    info = runs.extensive(rows.get(ef.id))
    if info is None:
        return Result({}, {"result": f"the extensive form failed: {status_of(rows.get(ef.id))}"})
    robust = FixBuilds(builds=tuple(Build(**b) for b in info["builds"]), through=s.first_stage)
    stages = {ROBUST: robust, **{x: fix_plan(own[x], through=s.first_stage, named=False) for x in labels}}
    tasks, names, params, cells = [], [], [], []
    for stage, decision in stages.items():
        for x, spec in zip(labels, specs):
            task = spec.extended(decisions=(decision,))
            tasks.append(task)
            names.append(f"first stage of {stage} under {x}")
            params.append({"first_stage": stage, "member": x})
            cells.append((stage, x, task.id))
    rows.update(runner.run(tasks, names, params, title=f"{study.name}: first stages"))
    cost = {(stage, x): runs.kpis(rows.get(key)).get("objective", math.nan) for stage, x, key in cells}
    ef_costs = info.get("member_costs_myen") or [math.nan] * len(labels)
    per_member = pd.DataFrame([{"member": x, "probability": p, "own_optimum_myen": o,
                                "own_gap_myen": own[x].summary.get("gap_abs_myen"),
                                "robust_cost_myen": cost[(ROBUST, x)], "regret_myen": cost[(ROBUST, x)] - o,
                                "extensive_form_cost_myen": ef_costs[i]}
                               for i, (x, p, o) in enumerate(zip(labels, probs, optima))])
    stage_rows = []
    for stage in stages:
        costs = {x: cost[(stage, x)] for x in labels}
        stage_rows.append({"first_stage": stage, **costs,
                           "expected_myen": sum(p * costs[x] for x, p in zip(labels, probs)),
                           "max_regret_myen": max(costs[x] - o for x, o in zip(labels, optima))})
    stage_df = pd.DataFrame(stage_rows)
    first = pd.DataFrame([b.model_dump() for b in robust.builds], columns=["kind", "site", "size", "period", "units"])
    own_first = {x: {(b.kind, b.site, b.size, b.period) for b in d.builds} for x, d in stages.items() if x != ROBUST}
    for x in labels:
        first[f"in own plan {x}"] = [(r.kind, r.site, r.size, r.period) in own_first[x] for r in first.itertuples()]
    rp = float(stage_df.loc[stage_df["first_stage"] == ROBUST, "expected_myen"].iloc[0])
    ws = sum(p * o for p, o in zip(probs, optima))
    ev = s.expected_value_scenario or labels[0]
    eev = float(stage_df.loc[stage_df["first_stage"] == ev, "expected_myen"].iloc[0]) if ev in stages else math.nan
    singles = stage_df[stage_df["first_stage"] != ROBUST]
    best = singles.loc[singles["expected_myen"].idxmin()]
    notes = {"objective": s.objective, "first_stage": s.first_stage, "members": labels, "probabilities": probs,
             "extensive_form": {k: info.get(k) for k in ("status", "objective_myen", "bound_myen", "gap",
                                                          "gap_abs_myen", "size", "seconds")},
             "RP_myen": rp, "WS_myen": ws, "EVPI_myen": rp - ws, "expected_value_member": ev, "EEV_myen": eev,
             "VSS_myen": eev - rp, "best_single_first_stage": best["first_stage"],
             "gain_over_best_single_myen": float(best["expected_myen"]) - rp,
             "robust_max_regret_myen": float(per_member["regret_myen"].max()),
             "gap_note": "RP and the other expected costs come from re-solving each member with the first stage fixed; "
                         "each re-solve is within its own gap (own_gap_myen and the runs' summaries)."}
    return Result({"robust": per_member, "first_stages": stage_df, "first_stage_builds": first}, notes)
