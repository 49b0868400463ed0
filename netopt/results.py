"""Results: the solved model turned into plain tables, and written to a run folder.

:func:`extract` reads the Pyomo model once and returns :class:`Results`, a set of pandas
DataFrames and a summary dict; nothing downstream (maps, reports, CLI) touches Pyomo.
:func:`write` puts them in a folder atomically: everything is written to a temporary folder
beside the target and moved into place only when complete.

All flows are annual averages within a period (t/yr); costs are Myen/yr, and
``discounted_myen`` is the period's contribution to the objective.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyomo.environ as pyo

from netopt.model import COST_BLOCKS
from netopt.model.inputs import ModelInputs
from netopt.solve import SolveResult

TABLE_FILES = ("facilities", "flows", "metals", "costs", "regions", "nodes")
SLACK_LIMIT = 1e-6


@dataclass
class Results:
    summary: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)


def _v(x) -> float:
    value = pyo.value(x, exception=False)
    return 0.0 if value is None else float(value)


# ---------------------------------------------------------------- extraction


def extract(m: pyo.ConcreteModel, solved: SolveResult, instance_name: str, scenario: str) -> Results:
    d: ModelInputs = m.inputs
    if not solved.has_solution:
        return Results(summary=_summary_head(solved, instance_name, scenario))
    tables = {
        "nodes": nodes_table(d),
        "flows": flows_table(m, d),
        "facilities": facilities_table(m, d, solved),
        "regions": regions_table(m, d),
        "metals": metals_table(m, d),
        "costs": costs_table(m, d),
    }
    summary = _summary_head(solved, instance_name, scenario)
    summary["kpis"] = kpis(tables, d)
    return Results(summary=summary, tables=tables)


def nodes_table(d: ModelInputs) -> pd.DataFrame:
    """Every node with its role and coordinates (for maps)."""
    frames = []
    for role, df in d.nodes.items():
        frames.append(df.assign(role=role))
    nodes = pd.concat(frames, ignore_index=True)
    nodes["name"] = nodes["id"].map(d.sites["name"]).fillna(nodes["id"])
    return nodes.rename(columns={"id": "node_id"})[["node_id", "name", "role", "lat", "lon"]]


def flows_table(m: pyo.ConcreteModel, d: ModelInputs) -> pd.DataFrame:
    """Positive flows on arcs, plus the market legs of imports and exports and sales to reuse."""
    b = m.flows
    index = b.table
    tonnes = [_v(b.flow[k]) for k in zip(index["arc"], index["material"], index["period"])]
    flows = index.assign(tonnes_per_yr=tonnes)
    flows = flows[flows["tonnes_per_yr"] > SLACK_LIMIT]
    flows = flows.assign(cost_myen_per_yr=flows["tonnes_per_yr"] * flows["cost_myen_per_t"])
    flows = flows.rename(columns={"from_id": "origin", "to_id": "destination"})
    extra = []
    for (k, q, s, x, p), var in m.trade.imports.items():
        if _v(var) > SLACK_LIMIT:
            extra.append(("import_market", s, k, q, x, p, _v(var)))
    for (k, q, s, x, p), var in m.trade.exports.items():
        if _v(var) > SLACK_LIMIT:
            extra.append(("export_market", s, q, k, x, p, _v(var)))
    for (h, c, p), var in m.hubs.reuse.items():
        if _v(var) > SLACK_LIMIT:
            extra.append(("reuse", "pack", h, "reuse_market", c, p, _v(var)))
    extra = pd.DataFrame(extra, columns=["leg", "stage", "origin", "destination", "material", "period",
                                         "tonnes_per_yr"])
    columns = ["leg", "stage", "origin", "destination", "material", "period", "tonnes_per_yr", "distance_km",
               "cost_myen_per_yr"]
    out = pd.concat([flows.reindex(columns=columns), extra.reindex(columns=columns)], ignore_index=True)
    return out.sort_values(["period", "leg", "origin", "destination", "material"]).reset_index(drop=True)


def facilities_table(m: pyo.ConcreteModel, d: ModelInputs, solved: SolveResult) -> pd.DataFrame:
    """One row per facility that exists or is built, and period."""
    rows = []
    for name in ("hubs", "pretreatment", "refineries"):
        b = getattr(m, name)
        builds = {}
        for (s, z, p) in b.BUILD:  # every build of a site in period order; the first one opens it
            if _v(b.build[s, z, p]) > 0.5:
                builds.setdefault(s, []).append((p, z))
        built = {s: min(v)[::-1] for s, v in builds.items()}
        for s in b.SITE:
            if not built.get(s) and all(b.existing[s, p] == 0 for p in d.periods):
                continue
            site = d.sites.loc[s]
            size, period_built = built.get(s, ("", None))
            for p in d.periods:
                capacity = _v(b.capacity[s, p])
                throughput = _v(b.throughput(s, p))
                dual = solved.duals.get(b.capacity_limit[s, p]) if (s, p) in b.capacity_limit else None
                rows.append({
                    "site_id": s, "name": site["name"], "kind": b.kind, "region_id": site["region_id"],
                    "lat": site["lat"], "lon": site["lon"],
                    "status": "new" if s in built else "existing",
                    "built_size": size, "built_period": period_built,
                    "builds": "; ".join(f"{z} {q}" for q, z in sorted(builds.get(s, []))),
                    "period": p, "capacity_t_per_yr": capacity, "throughput_t_per_yr": throughput,
                    "utilisation_share": throughput / capacity if capacity > 0 else 0.0,
                    "marginal_value_myen_per_t_yr": None if dual is None else -dual / d.weight[p],
                    "fixed_cost_myen_per_yr": sum(b.capex_factor[s] * b.size_fixed_cost[z] * _v(b.build[s, z, q])
                                                  for (s2, z, q) in b.builds_at[s] if q <= p),
                    "processing_cost_myen_per_yr": d.processing_cost[b.kind] * throughput,
                })
    df = pd.DataFrame(rows)
    if not df.empty:
        df["built_period"] = df["built_period"].astype("Int64")
    return df


def regions_table(m: pyo.ConcreteModel, d: ModelInputs) -> pd.DataFrame:
    """End-of-life packs per region and period: arising, leaked, retained, collected, unprocessed."""
    rows = []
    src = m.sources
    for (r, c, p) in src.INDEX:
        eol = d.supply[r, c, p]
        retained = _v(src.retained[r, c, p])
        leaked = d.leakage[p] * eol - retained
        metal = sum(v for (c2, k), v in d.metal_per_t_pack.items() if c2 == c)
        rows.append({"region_id": r, "period": p, "chemistry": c, "eol_packs_t_per_yr": eol,
                     "leaked_t_per_yr": leaked, "retained_t_per_yr": retained,
                     "collected_t_per_yr": eol - leaked, "unprocessed_t_per_yr": _v(src.unprocessed[r, c, p]),
                     "leaked_metal_t_per_yr": leaked * metal})
    return pd.DataFrame(rows)


def metals_table(m: pyo.ConcreteModel, d: ModelInputs) -> pd.DataFrame:
    """Per metal and period: demand and how it is met, recovery, exports and surplus."""
    from netopt.model.refineries import recovered  # local: results may be imported without building

    rows = []
    for p in d.periods:
        for k in d.metals:
            keys = [key for key in d.demand if key[1] == k and key[2] == p]
            demand = sum(d.demand[key] for key in keys)
            virgin = sum(_v(m.demand.virgin[key]) for key in keys)
            unmet = sum(_v(m.demand.unmet[key]) for key in keys)
            recovered_t = sum(_v(recovered(m, d, f, k, p)) for f in m.refineries.SITE)
            exported = sum(_v(v) for (mk, q, s, x, pp), v in m.trade.exports.items()
                           if s == "metal" and x == k and pp == p)
            surplus = sum(_v(m.refineries.surplus[f, k, p]) for f in m.refineries.SITE)
            recycled = demand - virgin - unmet
            rows.append({"period": p, "metal": k, "demand_t_per_yr": demand, "recycled_t_per_yr": recycled,
                         "virgin_t_per_yr": virgin, "unmet_t_per_yr": unmet, "recovered_t_per_yr": recovered_t,
                         "exported_t_per_yr": exported, "surplus_t_per_yr": surplus,
                         "recycled_share": recycled / demand if demand else 0.0,
                         "self_sufficiency_share": recovered_t / demand if demand else 0.0})
    return pd.DataFrame(rows)


def costs_table(m: pyo.ConcreteModel, d: ModelInputs) -> pd.DataFrame:
    rows = []
    for name in COST_BLOCKS:
        b = getattr(m, name)
        for c in b.COST_CATEGORY:
            for p in d.periods:
                annual = _v(b.cost[c, p])
                rows.append({"block": name, "category": c, "period": p, "annual_myen_per_yr": annual,
                             "discounted_myen": annual * d.weight[p]})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- KPIs


def kpis(tables: dict[str, pd.DataFrame], d: ModelInputs) -> dict:
    years = d.settings.period_years()
    metals, regions, costs, fac = tables["metals"], tables["regions"], tables["costs"], tables["facilities"]

    def by_metal_period(column: str) -> dict:
        return {k: {str(p): round(float(v), 4) for p, v in g.set_index("period")[column].items()}
                for k, g in metals.groupby("metal")}

    def period_sum(df: pd.DataFrame, column: str) -> dict:
        return {str(p): float(v) for p, v in df.groupby("period")[column].sum().items()}

    def horizon_total(df: pd.DataFrame, column: str) -> float:
        return float(sum(v * years[p] for p, v in df.groupby("period")[column].sum().items()))

    new = fac[fac["status"] == "new"].drop_duplicates("site_id") if not fac.empty else fac
    cost = costs.groupby("category")["discounted_myen"].sum()
    return {
        "self_sufficiency_share": by_metal_period("self_sufficiency_share"),
        "recycled_share_of_demand": by_metal_period("recycled_share"),
        "leaked_packs_t_per_yr": period_sum(regions, "leaked_t_per_yr"),
        "leaked_metal_t_per_yr": period_sum(regions, "leaked_metal_t_per_yr"),
        "leaked_packs_t_total": horizon_total(regions, "leaked_t_per_yr"),
        "leaked_metal_t_total": horizon_total(regions, "leaked_metal_t_per_yr"),
        "retained_packs_t_total": horizon_total(regions, "retained_t_per_yr"),
        "facilities_opened": {
            "count": int(len(new)),
            "by_kind": {k: int(v) for k, v in new.groupby("kind").size().items()} if len(new) else {},
            "list": [{"site_id": r.site_id, "name": r.name, "kind": r.kind, "size": r.built_size,
                      "period": int(r.built_period)} for r in new.itertuples()],
        },
        "cost_by_category_discounted_myen": {k: round(float(v), 3) for k, v in cost.items()},
        "slack": {
            "unmet_demand_t_total": horizon_total(metals, "unmet_t_per_yr"),
            "unprocessed_packs_t_total": horizon_total(regions, "unprocessed_t_per_yr"),
            "penalty_discounted_myen": float(cost[[c for c in cost.index if c.endswith("_penalty")]].sum()),
            "note": "Priced slack: demand or collected packs that the network could not serve, at the penalties "
                    "in instance.toml [penalties]. Zero means every tonne was served.",
        },
    }


def _summary_head(solved: SolveResult, instance_name: str, scenario: str) -> dict:
    return {
        "instance": instance_name,
        "scenario": scenario,
        "status": solved.status,
        "proven_optimal": solved.proven_optimal,
        "objective_myen": solved.objective,
        "bound_myen": solved.bound,
        "gap": solved.gap,
        "gap_abs_myen": None if solved.objective is None or solved.bound is None else solved.objective - solved.bound,
        "bound_source": solved.bound_source,
        "mip_gap_target": solved.options.get("mip_gap"),
        "solve_seconds": round(solved.seconds.get("solve", 0.0), 3),
        "note": status_note(solved.status, solved.gap, solved.has_solution),
    }


def status_note(status: str, gap: float | None, has_solution: bool = True) -> str:
    """What a reader must know about the status, in words."""
    if not has_solution:
        return f"NO PLAN: solver status {status}; no feasible plan was found."
    if status == "optimal":
        return ("Optimal within the requested relative MIP gap" + (f" (gap {100 * gap:.3f} %)" if gap else "")
                + ". The gap is relative to the total cost, virgin metal included; gap_abs_myen gives it in Myen.")
    g = "unknown" if gap is None or not math.isfinite(gap) else f"{100 * gap:.2f} %"
    if status == "time_limit":
        return f"NOT PROVEN OPTIMAL: stopped at the time limit; best plan found, gap to the bound {g}."
    return f"NOT PROVEN OPTIMAL: solver status {status}; best plan found, gap to the bound {g}."


# ---------------------------------------------------------------- writing


class OutputExists(Exception):
    pass


def check_target(out: Path, overwrite: bool) -> None:
    if out.exists() and not overwrite:
        raise OutputExists(f"{out} already holds a run; pass --overwrite to replace it, or --out to write elsewhere")


def write(results: Results, run_info: dict, out: Path, overwrite: bool = False,
          log_file: Path | None = None) -> Path:
    """Write every table, summary.json, run.json (and the solver log) to ``out`` atomically."""
    out = Path(out)
    check_target(out, overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes the folder private; a run folder is as shareable as any other
    try:
        for name, df in results.tables.items():
            df.to_csv(tmp / f"{name}.csv", index=False)
        (tmp / "summary.json").write_text(json.dumps(results.summary, indent=2, default=_json_default) + "\n")
        (tmp / "run.json").write_text(json.dumps(run_info, indent=2, default=_json_default) + "\n")
        if log_file and Path(log_file).exists():
            shutil.copy(log_file, tmp / "solver.log")
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _json_default(x):
    if hasattr(x, "item"):
        return x.item()
    if isinstance(x, Path):
        return str(x)
    return str(x)


def read(folder: str | Path) -> Results:
    """Load a written run folder back (for maps, reports and comparisons)."""
    folder = Path(folder)
    summary = json.loads((folder / "summary.json").read_text())
    tables = {name: pd.read_csv(folder / f"{name}.csv") for name in TABLE_FILES if (folder / f"{name}.csv").exists()}
    return Results(summary=summary, tables=tables)
