"""Flows on arcs: one variable per arc, material and period, and their transport cost and CO2.

Variables: ``flow[a, k, p]`` >= 0 (t/yr) for arc a, material k (chemistry for packs and
black mass, metal for metal) and period p. Collection arcs carry only the chemistries that
arise at their origin in that period.

Expressions: ``co2[p]``, transport CO2 (t/yr), :math:`\\sum_{a,k} g_a \\, flow_{a,k,p}`.

Cost: :math:`\\sum_{a,k} c_a \\, flow_{a,k,p}` with unit cost c_a (Myen/t).
"""

from __future__ import annotations

import pandas as pd
import pyomo.environ as pyo

from netopt.catalogue import ARC_LEGS, STAGES
from netopt.model.common import add_costs, group
from netopt.model.inputs import ModelInputs

DIRECTION = {leg.name: leg.direction for leg in ARC_LEGS if leg.direction}
COLLECTION_LEGS = tuple(leg.name for leg in ARC_LEGS if leg.origin == "region")


def flow_index(d: ModelInputs) -> pd.DataFrame:
    """(arc, material, period) rows of every flow variable, with the arc's data.

    Collection arcs carry only what arises at their origin; port arcs only what some
    market offers (imports) or bids for (exports) in that period.
    """
    of = {"chemistry": d.chemistries, "metal": d.metals}
    materials = pd.DataFrame([(s.name, x) for s in STAGES for x in of[s.material]], columns=["stage", "material"])
    idx = d.arcs.merge(materials, on="stage").merge(pd.DataFrame({"period": d.periods}), how="cross")
    idx["direction"] = idx["leg"].map(DIRECTION).astype(object)
    supplied = pd.DataFrame(list(d.supply), columns=["from_id", "material", "period"]).assign(supplied=True)
    offered = d.trade[["direction", "stage", "material", "period"]].drop_duplicates().assign(offered=True)
    idx = idx.merge(supplied, how="left", on=["from_id", "material", "period"]).merge(
        offered, how="left", on=["direction", "stage", "material", "period"])
    keep = ~idx["leg"].isin(COLLECTION_LEGS) | idx["supplied"].fillna(False).astype(bool)
    keep &= idx["direction"].isna() | idx["offered"].fillna(False).astype(bool)
    idx = idx.drop(columns=["direction", "supplied", "offered"])
    return idx[keep].reset_index(drop=True)


def add_flows(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    b = m.flows = pyo.Block()
    index = flow_index(d)
    keys = list(zip(index["arc"], index["material"], index["period"]))
    # sets
    b.INDEX = pyo.Set(initialize=keys, dimen=3, ordered=True)
    b.table = index  # plain attribute: the arc data behind each index, for the other blocks and results
    cost = dict(zip(keys, index["cost_myen_per_t"]))
    co2 = dict(zip(keys, index["co2_t_per_t"]))
    b.into, b.out_of = {}, {}  # (node, stage, material, period) -> flow keys; stage keeps packs and black mass apart
    for key, frm, to, stage in zip(keys, index["from_id"], index["to_id"], index["stage"]):
        b.out_of.setdefault((frm, stage, key[1], key[2]), []).append(key)
        b.into.setdefault((to, stage, key[1], key[2]), []).append(key)
    b.by_period = group(keys, lambda k: k[2])
    b.origin = dict(zip(index["arc"], index["from_id"]))
    # variables
    b.flow = pyo.Var(b.INDEX, domain=pyo.NonNegativeReals)
    # cost expression and emissions
    b.co2 = pyo.Expression(d.periods, rule=lambda b, p: pyo.quicksum(
        (co2[k] * b.flow[k] for k in b.by_period.get(p, []) if co2[k]), start=0))
    add_costs(b, d.periods, {"transport": lambda p: pyo.quicksum(
        (cost[k] * b.flow[k] for k in b.by_period.get(p, [])), start=0)})


def inflow(m: pyo.ConcreteModel, node: str, stage: str, material: str, period: int):
    """Sum of the flows of ``material`` at ``stage`` (pack, black_mass, metal) into ``node``."""
    return pyo.quicksum((m.flows.flow[k] for k in m.flows.into.get((node, stage, material, period), [])),
                        start=0)


def outflow(m: pyo.ConcreteModel, node: str, stage: str, material: str, period: int):
    """Sum of the flows of ``material`` at ``stage`` out of ``node``."""
    return pyo.quicksum((m.flows.flow[k] for k in m.flows.out_of.get((node, stage, material, period), [])),
                        start=0)
