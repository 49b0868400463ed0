"""Why not here: the cost of forcing each candidate site open, and of forbidding each built one.

The base plan first; then, for every candidate site (of ``kinds``, of ``region``, or the ``sites``
named), one run: a site the base plan builds is forbidden any build, a site it does not build must
get one operating by ``by`` (default: by the end of the horizon)
(:class:`~netopt.instance.decisions.ForceSite`). ``whynot.csv`` ranks the sites by what that costs
against the base: a difference within the two runs' gaps is "within the solver tolerance", and a
site whose difference is within ``near_equal_share`` of the base objective (or the tolerance) is a
near-equal alternative. Each row lists what else the alternative plan changes.
"""

from __future__ import annotations

import math

import pandas as pd

from netopt.instance.decisions import ForceSite
from netopt.studies.common import Result, Runs, status_of, tolerance, verdict
from netopt.studies.kpis import new_facilities


def candidates(study) -> pd.DataFrame:
    s = study.section
    sites = study.scenario_instance(study.scenario()).table("sites")
    sites = sites[sites["candidate"] == 1]
    if s.kinds:
        sites = sites[sites["kind"].isin(s.kinds)]
    if s.region:
        sites = sites[sites["region_id"] == s.region]
    if s.sites:
        unknown = sorted(set(s.sites) - set(sites["site_id"]))
        if unknown:
            raise ValueError(f"not candidate sites of the base: {', '.join(unknown)}")
        sites = sites[sites["site_id"].isin(s.sites)]
    if sites.empty:
        raise ValueError("no candidate site matches the [whynot] selection")
    return sites


def _sites_built(run) -> dict[str, str]:
    return {str(r.site_id): str(r.builds) for r in new_facilities(run).itertuples()}


def drive(study, runner) -> Result:
    s = study.section
    sites = candidates(study)
    base = study.spec()
    runs = Runs.of(runner, study.instance.settings.period_years())
    rows = runner.run([base], ["base plan"], [{}], title=f"{study.name}: base")
    base_run = runs.get(rows.get(base.id))
    if base_run is None:
        return Result({}, {"result": f"the base run holds no plan: {status_of(rows.get(base.id))}"})
    built = _sites_built(base_run)
    tasks, labels, params = [], [], []
    for site in sites.itertuples():
        opened = str(site.site_id) in built
        decision = ForceSite(site=str(site.site_id), open=not opened, by=None if opened else s.by)
        tasks.append(base.extended(decisions=(decision,)))
        labels.append(f"{'forbid' if opened else 'force open'} {site.site_id}")
        params.append({"site": str(site.site_id), "action": "forbid" if opened else "force open"})
    rows.update(runner.run(tasks, labels, params, title=f"why not here {study.name}"))
    obj0 = base_run.summary["objective_myen"]
    table = []
    for site, task, par in zip(sites.itertuples(), tasks, params):
        row = rows.get(task.id)
        run = runs.get(row)
        rec = {"site_id": site.site_id, "name": site.name, "kind": site.kind, "region_id": site.region_id,
               "in_base_plan": built.get(str(site.site_id), ""), "action": par["action"], "status": status_of(row),
               "objective_myen": math.nan, "difference_myen": math.nan, "tolerance_myen": math.nan,
               "verdict": "", "near_equal": False, "other_changes": "", "id": task.id}
        if run is not None:
            diff = run.summary["objective_myen"] - obj0
            tol = tolerance(run, base_run)
            alt = _sites_built(run)
            changes = [f"+{k} {v}" for k, v in alt.items() if built.get(k) != v and k != site.site_id]
            changes += [f"-{k}" for k in built if k not in alt and k != site.site_id]
            rec.update({"objective_myen": run.summary["objective_myen"], "difference_myen": diff,
                        "tolerance_myen": tol, "verdict": verdict(diff, tol),
                        "near_equal": bool(diff <= max(tol, s.near_equal_share * abs(obj0))),
                        "other_changes": "; ".join(sorted(changes)),
                        "forced_builds": alt.get(str(site.site_id), "")})
        table.append(rec)
    df = pd.DataFrame(table).sort_values("difference_myen", na_position="last").reset_index(drop=True)
    df.insert(0, "rank", range(1, len(df) + 1))
    notes = {"base_objective_myen": obj0, "base_gap_myen": base_run.summary.get("gap_abs_myen"),
             "base_builds": built, "near_equal": list(df[df["near_equal"]]["site_id"]), "by": s.by,
             "sites": len(df)}
    return Result({"whynot": df}, notes)
