"""The objective: the discounted sum of every cost block's ``cost[category, period]``."""

from __future__ import annotations

import pyomo.environ as pyo

from netopt.catalogue import COST_BLOCKS
from netopt.model.inputs import ModelInputs


def add_objective(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    m.objective = pyo.Objective(sense=pyo.minimize, expr=pyo.quicksum(
        d.weight[p] * getattr(m, name).cost[c, p]
        for name in COST_BLOCKS for c in getattr(m, name).COST_CATEGORY for p in d.periods))
