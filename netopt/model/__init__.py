r"""The planning model: a Pyomo MILP built from :class:`~netopt.model.inputs.ModelInputs`.

:func:`build_model` reads like the formulation's table of contents; each line adds one
part, and each part is one block built in the same order (sets, variables, constraints,
cost). The objective is the discounted sum of every block's ``cost[category, period]``:

.. math:: \min \sum_p w_p \sum_{blocks} \sum_{category} cost_{category,p}

where :math:`w_p` sums the discount factors of the years period p stands for. The full
formulation is in ``docs/model.md``.
"""

from __future__ import annotations

import gc

import pyomo.environ as pyo

from netopt.model.demand import add_demand
from netopt.model.flows import add_flows
from netopt.model.hubs import add_hubs
from netopt.model.inputs import ModelInputs, prepare
from netopt.model.policy import add_policy
from netopt.model.pretreatment import add_pretreatment
from netopt.model.refineries import add_refineries
from netopt.model.sources import add_sources
from netopt.model.trade import add_trade

COST_BLOCKS = ("flows", "sources", "hubs", "pretreatment", "refineries", "demand", "trade", "policy")

__all__ = ["build_model", "build_period", "build_stage", "prepare", "ModelInputs", "COST_BLOCKS"]


def build_model(d: ModelInputs) -> pyo.ConcreteModel:
    """Build the network-design MILP for the prepared inputs ``d``."""
    gc_was_enabled = gc.isenabled()
    gc.disable()  # halves Pyomo build time (measured in the project's Pyomo/HiGHS performance study); nothing cyclic is freed during the build
    try:
        m = pyo.ConcreteModel(name="netopt")
        m.inputs = d
        add_flows(m, d)          # flows on arcs, transport cost and CO2
        add_sources(m, d)        # end-of-life supply, leakage, retention, collection
        add_hubs(m, d)           # collection/diagnosis hubs and reuse
        add_pretreatment(m, d)   # black-mass plants
        add_refineries(m, d)     # metal recovery
        add_demand(m, d)         # domestic demand: recycled, virgin, unmet
        add_trade(m, d)          # imports and exports through ports
        add_policy(m, d)         # recycled content, facility cap, carbon
        add_aggregate_capacity(m, d)
        add_objective(m, d)
        return m
    finally:
        if gc_was_enabled:
            gc.enable()


def build_period(var) -> int | None:
    """The period of a build decision, else None."""
    parent = var.parent_component()
    return var.index()[-1] if parent.local_name == "build" else None


FIRST_STAGE = "refineries"


def build_stage(var) -> tuple[int, int] | None:
    """Stage of a build decision in the solver's relax-and-fix start, else None.

    Refineries, the costliest plants, form the first stage, all periods at once: that stage
    is a relaxation of the whole model whose bound counts their fixed costs in whole plants
    (see :func:`netopt.solve._relax_and_fix`). The other kinds follow period by period.
    """
    period = build_period(var)
    if period is None:
        return None
    kind = var.parent_block().local_name
    return (0, 0) if kind == FIRST_STAGE else (1, period)


def add_aggregate_capacity(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    r"""Redundant total-capacity row (Aardal's cover inequality), on with ``linking = "aggregate"``:

    .. math:: \sum_h cap_{hp} + \sum unprocessed_{\cdot p} \ge \sum_{r,c} ((1-\ell_p) S_{rcp} + retained_{rcp})
    """
    if d.settings.model.linking != "aggregate":
        return
    src = m.sources
    m.aggregate_hub_capacity = pyo.Constraint(d.periods, rule=lambda m, p: pyo.quicksum(
        m.hubs.capacity[h, p] for h in m.hubs.SITE) + pyo.quicksum(
        src.unprocessed[k] for k in src.INDEX if k[2] == p) >= pyo.quicksum(
        (1 - d.leakage[p]) * d.supply[k] + src.retained[k] for k in src.INDEX if k[2] == p)
        if any(k[2] == p for k in src.INDEX) else pyo.Constraint.Skip)


def add_objective(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    m.objective = pyo.Objective(sense=pyo.minimize, expr=pyo.quicksum(
        d.weight[p] * getattr(m, name).cost[c, p]
        for name in COST_BLOCKS for c in getattr(m, name).COST_CATEGORY for p in d.periods))
