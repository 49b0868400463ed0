r"""The planning model: a Pyomo MILP built from :class:`~netopt.model.inputs.ModelInputs`.

:func:`build_model` reads like the formulation's table of contents; each line adds one
part, and each part is one block built in the same order (sets, variables, expressions,
constraints, cost). The objective is the discounted sum of every block's
``cost[category, period]`` (:mod:`netopt.model.objective`):

.. math:: \min \sum_p w_p \sum_{blocks} \sum_{category} cost_{category,p}

where :math:`w_p` sums the discount factors of the years period p stands for. What the results
report is a named expression of the block that states it (``throughput``, ``fixed_cost``,
``recovered``, ``leaked``, ``co2``, ...), so that :mod:`netopt.results.extract` only reads values.
The full formulation is in ``docs/model.md``.
"""

from __future__ import annotations

import gc

import pyomo.environ as pyo

from netopt.model.bounds import add_cost_bounds
from netopt.model.demand import add_demand
from netopt.model.flows import add_flows
from netopt.model.hubs import add_aggregate_capacity, add_hubs
from netopt.model.inputs import ModelInputs
from netopt.model.objective import add_objective
from netopt.model.policy import add_policy
from netopt.model.pretreatment import add_pretreatment
from netopt.model.refineries import add_refineries
from netopt.model.sources import add_sources
from netopt.model.trade import add_trade


def build_model(d: ModelInputs) -> pyo.ConcreteModel:
    """Build the network-design MILP for the prepared inputs ``d``."""
    gc_was_enabled = gc.isenabled()
    gc.disable()  # halves Pyomo build time (measured in the project's Pyomo/HiGHS performance study)
    try:
        m = pyo.ConcreteModel(name="netopt")
        m.inputs = d
        m.bound_rows = []             # valid rows only the solve's bound steps use (netopt.solve)
        add_flows(m, d)               # flows on arcs, transport cost and CO2
        add_sources(m, d)             # end-of-life supply, leakage, retention, collection
        add_hubs(m, d)                # collection/diagnosis hubs and reuse
        add_pretreatment(m, d)        # black-mass plants
        add_refineries(m, d)          # metal recovery
        add_demand(m, d)              # domestic demand: recycled, virgin, unmet
        add_trade(m, d)               # imports and exports through ports, sea-leg CO2
        add_policy(m, d)              # recycled content, facility cap, carbon
        add_aggregate_capacity(m, d)  # redundant total hub capacity row (linking = "aggregate")
        add_cost_bounds(m, d)         # valid rows: each kind pays for the whole plants its load needs
        add_objective(m, d)           # discounted sum of every block's cost
        return m
    finally:
        if gc_was_enabled:
            gc.enable()
