"""Compare runs: cost by category, builds, self-sufficiency, leaked metal, trade, CO2 and slack.

``netopt compare RUN_A RUN_B ...`` and the ``compare`` study kind. Every table has one column per
run; ``differences`` lists each number against the reference run (the first, or ``reference``).

A cost difference is **resolved** only when it exceeds the sum of the two runs' absolute gaps
(``gap_abs_myen``): within that, the true optima may be in either order, and the difference is
"within the solver tolerance". The gaps bound costs only; a difference in tonnes, shares or builds
is marked resolved when the two runs' objectives are resolved apart, because within the tolerance
a plan of nearly the same cost might not show it.
"""

from __future__ import annotations

import math

import pandas as pd

from netopt.results.store import RunData
from netopt.studies.common import RESOLVED, WITHIN, Result, Runs, tolerance, verdict
from netopt.studies.kpis import gap_abs, horizon_years, new_facilities


def _wide(rows: list[dict], labels: list[str], key: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=[*key, *labels])
    df[key] = df[key].astype(object).where(df[key].notna(), "")  # a NaN key (e.g. no region) would drop the row
    wide = df.pivot_table(index=key, columns="run", values="value", aggfunc="sum", sort=False)
    return wide.reindex(columns=labels).reset_index()


def cost_table(runs: dict[str, RunData]) -> pd.DataFrame:
    rows = []
    for label, r in runs.items():
        s = r.summary
        rows += [{"item": "objective", "run": label, "value": s.get("objective_myen")},
                 {"item": "bound", "run": label, "value": s.get("bound_myen")},
                 {"item": "gap_abs", "run": label, "value": gap_abs(r)}]
        for name in ("reference_cost_myen", "controllable_cost_myen"):
            if s.get(name) is not None:
                rows.append({"item": name.removesuffix("_myen"), "run": label, "value": s[name]})
        for cat, v in r.table("costs").groupby("category", sort=False)["discounted_myen"].sum().items():
            rows.append({"item": f"cost.{cat}", "run": label, "value": float(v)})
    return _wide(rows, list(runs), ["item"]).assign(unit="Myen")


def builds_table(runs: dict[str, RunData]) -> pd.DataFrame:
    rows = []
    for label, r in runs.items():
        for b in new_facilities(r).itertuples():
            for part in str(b.builds).split(";"):
                if part.strip():
                    *size, period = part.split()
                    rows.append({"kind": b.kind, "site_id": b.site_id, "name": b.name, "region_id": b.region_id,
                                 "size": " ".join(size), "period": int(period), "run": label, "value": 1})
    wide = _wide(rows, list(runs), ["kind", "site_id", "name", "region_id", "size", "period"])
    for label in runs:
        wide[label] = wide[label].fillna(0).astype(int)
    return wide.sort_values(["kind", "period", "site_id"]).reset_index(drop=True)


def metal_table(runs: dict[str, RunData], column: str) -> pd.DataFrame:
    rows = [{"metal": m.metal, "period": int(m.period), "run": label, "value": float(getattr(m, column))}
            for label, r in runs.items() for m in r.table("metals").itertuples()]
    return _wide(rows, list(runs), ["metal", "period"])


def leakage_table(runs: dict[str, RunData]) -> pd.DataFrame:
    rows = []
    for label, r in runs.items():
        years = horizon_years(r)
        reg = r.table("regions")
        for p, v in reg.groupby("period")["leaked_metal_t_per_yr"].sum().items():
            rows.append({"period": int(p), "item": "leaked metal t/yr", "run": label, "value": float(v)})
        total = sum(float(v) * years.get(int(p), 0) for p, v in reg.groupby("period")["leaked_metal_t_per_yr"].sum()
                    .items())
        rows.append({"period": 0, "item": "leaked metal t (horizon)", "run": label, "value": total})
    return _wide(rows, list(runs), ["item", "period"])


def trade_table(runs: dict[str, RunData]) -> pd.DataFrame:
    rows = []
    for label, r in runs.items():
        flows = r.table("flows")
        legs = flows[flows["leg"].isin(["import_market", "export_market"])] if not flows.empty else flows
        for (leg, stage, p), v in legs.groupby(["leg", "stage", "period"])["tonnes_per_yr"].sum().items():
            rows.append({"direction": "import" if leg == "import_market" else "export", "stage": stage,
                         "period": int(p), "run": label, "value": float(v)})
    table = _wide(rows, list(runs), ["direction", "stage", "period"])
    return table.fillna(0.0)


def co2_table(runs: dict[str, RunData]) -> pd.DataFrame:
    rows = []
    for label, r in runs.items():
        years = horizon_years(r)
        em = r.table("emissions")
        for (source, p), v in em.groupby(["source", "period"])["t_co2_per_yr"].sum().items():
            rows.append({"source": source, "period": int(p), "item": "t CO2/yr", "run": label, "value": float(v)})
        for source, g in em.groupby("source"):
            total = sum(float(v) * years.get(int(p), 0) for p, v in zip(g["period"], g["t_co2_per_yr"]))
            rows.append({"source": source, "period": 0, "item": "t CO2 (horizon)", "run": label, "value": total})
    return _wide(rows, list(runs), ["source", "item", "period"])


def slack_table(runs: dict[str, RunData]) -> pd.DataFrame:
    rows = []
    for label, r in runs.items():
        slack = r.summary.get("kpis", {}).get("slack", {})
        for item in ("unmet_demand_t_total", "unprocessed_packs_t_total", "penalty_discounted_myen"):
            rows.append({"item": item, "run": label, "value": float(slack.get(item, math.nan))})
    return _wide(rows, list(runs), ["item"])


TABLES = {"costs": cost_table, "builds": builds_table,
          "self_sufficiency": lambda r: metal_table(r, "self_sufficiency_share"),
          "recycled_share": lambda r: metal_table(r, "recycled_share"), "leakage": leakage_table,
          "trade": trade_table, "co2": co2_table, "slack": slack_table}


def differences(tables: dict[str, pd.DataFrame], runs: dict[str, RunData], reference: str) -> pd.DataFrame:
    """Every number of every table against the reference run, with its verdict."""
    ref = runs[reference]
    objective_verdict = {}
    for label, r in runs.items():
        d = (r.summary.get("objective_myen") or math.nan) - (ref.summary.get("objective_myen") or math.nan)
        objective_verdict[label] = verdict(d, tolerance(r, ref))
    rows = []
    for name, df in tables.items():
        key = [c for c in df.columns if c not in runs and c != "unit"]
        for rec in df.to_dict("records"):
            item = " / ".join(str(rec[k]) for k in key)
            money = name == "costs" and rec.get("item") not in ("gap_abs",)
            for label, r in runs.items():
                if label == reference:
                    continue
                a, b = rec.get(label), rec.get(reference)
                diff = (float(a) if pd.notna(a) else 0.0) - (float(b) if pd.notna(b) else 0.0)
                tol = tolerance(r, ref)
                if abs(diff) <= 1e-9:
                    v = "same"
                elif money:
                    v = verdict(diff, tol)
                else:
                    v = objective_verdict[label]
                rows.append({"table": name, "item": item, "run": label, "value": a, "reference": b,
                             "difference": diff, "tolerance_myen": tol if money else math.nan, "verdict": v})
    return pd.DataFrame(rows, columns=["table", "item", "run", "value", "reference", "difference", "tolerance_myen",
                                       "verdict"])


def compare_runs(runs: dict[str, RunData], reference: str | None = None) -> Result:
    """The comparison tables of ``runs`` (label -> run with a plan) against ``reference`` (default: the first)."""
    if not runs:
        raise ValueError("nothing to compare: no run holds a plan")
    reference = reference or next(iter(runs))
    if reference not in runs:
        raise ValueError(f"the reference {reference!r} is not among the runs ({', '.join(runs)})")
    tables = {name: make(runs) for name, make in TABLES.items()}
    tables["differences"] = differences(tables, runs, reference)
    diffs = tables["differences"]
    objective = diffs[(diffs["table"] == "costs") & (diffs["item"] == "objective")]
    notes = {"reference": reference, "runs": list(runs),
             "objective_differences": {r["run"]: {"difference_myen": r["difference"], "tolerance_myen":
                                                  r["tolerance_myen"], "verdict": r["verdict"]}
                                       for r in objective.to_dict("records")},
             "resolved_rule": f"'{RESOLVED}' when a cost difference exceeds the sum of the two runs' absolute gaps; "
                              f"else '{WITHIN}'"}
    return Result(tables, notes)


def drive(study, runner) -> Result:
    section = study.section
    specs = [study.spec(s) for s in section.scenarios]
    rows = runner.run(specs, labels=list(section.scenarios), params=[{"scenario": s} for s in section.scenarios],
                      title=f"compare {study.name}")
    runs_ = Runs.of(runner)
    runs = {s: runs_.get(rows.get(spec.id)) for s, spec in zip(section.scenarios, specs)}
    missing = [s for s, r in runs.items() if r is None]
    result = compare_runs({s: r for s, r in runs.items() if r is not None},
                          section.reference if section.reference not in missing else None)
    result.notes["without_plan"] = missing
    result.notes["run_ids"] = {s: spec.id for s, spec in zip(section.scenarios, specs)}
    return result
