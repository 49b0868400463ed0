"""The solved model turned into plain tables: the only part of the results layer that needs Pyomo.

:func:`extract` reads the Pyomo model once and returns a :class:`~netopt.results.store.RunData`
of pandas DataFrames and a summary dict; nothing downstream (maps, reports, CLI) touches Pyomo.
Every number it reports is the value of a variable or of a named expression of the block that
states it (``throughput``, ``fixed_cost``, ``processing_cost``, ``recovered``, ``leaked``,
``collected``, ``delivered``, ``co2``, ``cost``); no formula of the model is written again here.
"""

from __future__ import annotations

import pandas as pd
import pyomo.environ as pyo

from netopt.catalogue import COST_BLOCKS, EMISSION_SOURCES, FACILITY_KINDS
from netopt.model.inputs import ModelInputs
from netopt.results.kpis import kpis, summary_head
from netopt.results.store import RunData
from netopt.solve import SolveResult

SLACK_LIMIT = 1e-6


def _v(x) -> float:
    value = pyo.value(x, exception=False)
    return 0.0 if value is None else float(value)


def extract(m: pyo.ConcreteModel, solved: SolveResult, instance_name: str, scenario: str) -> RunData:
    d: ModelInputs = m.inputs
    language = {"language": d.settings.meta.language}
    if not solved.has_solution:
        return RunData(summary={**summary_head(solved, instance_name, scenario), **language})
    tables = {
        "nodes": nodes_table(d),
        "flows": flows_table(m),
        "facilities": facilities_table(m, d, solved),
        "regions": regions_table(m, d, solved),
        "metals": metals_table(m, d),
        "costs": costs_table(m, d),
        "emissions": emissions_table(m, d),
    }
    summary = {**summary_head(solved, instance_name, scenario), **language}
    summary["kpis"] = kpis(tables, d.settings.period_years())
    return RunData(summary=summary, tables=tables)


def nodes_table(d: ModelInputs) -> pd.DataFrame:
    """Every node with its role, names (name = name_en, name_ja), coordinates and land mass (for maps and pages);
    the sea ports sea legs pass (role sea_port) and the foreign markets (role market) too."""
    frames = [df.assign(role=role) for role, df in d.nodes.items()]
    if d.sea is not None and not d.sea.ports.empty:
        frames.append(d.sea.ports.rename(columns={"port_id": "id"}).assign(role="sea_port"))
    if d.markets is not None and not d.markets.empty:
        frames.append(d.markets.rename(columns={"market_id": "id"}).assign(role="market", landmass=""))
    nodes = pd.concat(frames, ignore_index=True)
    name = nodes["name"].fillna("").astype(str)
    nodes["name"] = name.where(name.str.strip() != "", nodes["id"])
    ja = nodes["name_ja"].fillna("").astype(str)
    nodes["name_en"] = nodes["name"]
    nodes["name_ja"] = ja.where(ja.str.strip() != "", nodes["name"])
    return nodes.rename(columns={"id": "node_id"})[["node_id", "name", "name_en", "name_ja", "role", "lat", "lon",
                                                     "landmass"]]


def flows_table(m: pyo.ConcreteModel) -> pd.DataFrame:
    """Positive flows on arcs, plus the market legs of imports and exports and sales to reuse."""
    b = m.flows
    index = b.table
    tonnes = [_v(b.flow[k]) for k in zip(index["arc"], index["material"], index["period"], strict=True)]
    flows = index.assign(tonnes_per_yr=tonnes)
    flows = flows[flows["tonnes_per_yr"] > SLACK_LIMIT]
    flows = flows.assign(cost_myen_per_yr=flows["tonnes_per_yr"] * flows["cost_myen_per_t"])
    flows = flows.rename(columns={"from_id": "origin", "to_id": "destination"})
    extra = []
    for (k, q, s, x, p), var in m.trade.imports.items():
        if _v(var) > SLACK_LIMIT:
            extra.append(("import_market", s, k, q, x, p, _v(var), "sea"))
    for (k, q, s, x, p), var in m.trade.exports.items():
        if _v(var) > SLACK_LIMIT:
            extra.append(("export_market", s, q, k, x, p, _v(var), "sea"))
    for (h, c, p), var in m.hubs.reuse.items():
        if _v(var) > SLACK_LIMIT:
            extra.append(("reuse", "pack", h, "reuse_market", c, p, _v(var), ""))
    extra = pd.DataFrame(extra, columns=["leg", "stage", "origin", "destination", "material", "period",
                                         "tonnes_per_yr", "mode"])
    columns = ["leg", "stage", "origin", "destination", "material", "period", "tonnes_per_yr", "distance_km",
               "cost_myen_per_yr", "mode", "sea_km", "via"]
    out = pd.concat([flows.reindex(columns=columns), extra.reindex(columns=columns)], ignore_index=True)
    return out.sort_values(["period", "leg", "origin", "destination", "material"]).reset_index(drop=True)


def facilities_table(m: pyo.ConcreteModel, d: ModelInputs, solved: SolveResult) -> pd.DataFrame:
    """One row per facility that exists or is built, and period."""
    rows = []
    for kind in FACILITY_KINDS:
        b = getattr(m, kind.block)
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
                throughput = _v(b.throughput[s, p])
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
                    "fixed_cost_myen_per_yr": _v(b.fixed_cost[s, p]),
                    "processing_cost_myen_per_yr": _v(b.processing_cost[s, p]),
                })
    df = pd.DataFrame(rows)
    if not df.empty:
        df["built_period"] = df["built_period"].astype("Int64")
    return df


def regions_table(m: pyo.ConcreteModel, d: ModelInputs, solved: SolveResult) -> pd.DataFrame:
    """End-of-life packs per region and period: arising, leaked, retained, collected, unprocessed; and the
    marginal cost of one more collected tonne: the dual of the region's collection balance in the LP with the
    builds fixed (objective units per t/yr), over the period's discount weight, so Myen per t in the
    period's money (blank when no duals were computed)."""
    src = m.sources

    def marginal(r, c, p):
        dual = solved.duals.get(src.collection[r, c, p]) if (r, c, p) in src.collection else None
        return None if dual is None else dual / d.weight[p]

    rows = [{"region_id": r, "period": p, "chemistry": c, "eol_packs_t_per_yr": d.supply[r, c, p],
             "leaked_t_per_yr": _v(src.leaked[r, c, p]), "retained_t_per_yr": _v(src.retained[r, c, p]),
             "collected_t_per_yr": _v(src.collected[r, c, p]), "unprocessed_t_per_yr": _v(src.unprocessed[r, c, p]),
             "leaked_metal_t_per_yr": _v(src.leaked_metal[r, c, p]), "marginal_cost_myen_per_t": marginal(r, c, p)}
            for (r, c, p) in src.INDEX]
    return pd.DataFrame(rows)


def metals_table(m: pyo.ConcreteModel, d: ModelInputs) -> pd.DataFrame:
    """Per metal and period: demand and how it is met, recovery, exports and surplus."""
    rows = []
    refineries = m.refineries
    for p in d.periods:
        for k in d.metals:
            keys = [key for key in d.demand if key[1] == k and key[2] == p]
            demand = sum(d.demand[key] for key in keys)
            recycled = sum(_v(m.demand.delivered[key]) for key in keys)
            recovered = sum(_v(refineries.recovered[f, k, p]) for f in refineries.SITE)
            exported = sum(_v(v) for (_, _, s, x, pp), v in m.trade.exports.items()
                           if s == "metal" and x == k and pp == p)
            rows.append({"period": p, "metal": k, "demand_t_per_yr": demand, "recycled_t_per_yr": recycled,
                         "virgin_t_per_yr": sum(_v(m.demand.virgin[key]) for key in keys),
                         "unmet_t_per_yr": sum(_v(m.demand.unmet[key]) for key in keys),
                         "recovered_t_per_yr": recovered, "exported_t_per_yr": exported,
                         "surplus_t_per_yr": sum(_v(refineries.surplus[f, k, p]) for f in refineries.SITE),
                         "recycled_share": recycled / demand if demand else 0.0,
                         "self_sufficiency_share": recovered / demand if demand else 0.0})
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


def emissions_table(m: pyo.ConcreteModel, d: ModelInputs) -> pd.DataFrame:
    """CO2 per period and source (t CO2/yr): each emitting block's ``co2[p]``."""
    return pd.DataFrame([{"period": p, "source": source, "t_co2_per_yr": _v(getattr(m, block).co2[p])}
                         for p in d.periods for source, block in EMISSION_SOURCES])
