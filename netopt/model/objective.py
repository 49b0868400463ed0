r"""The objective: the discounted sum of every cost block's ``cost[category, period]``, and the
all-virgin reference it is measured against.

.. math:: \min \sum_p w_p \sum_{blocks} \sum_{category} cost_{category,p}

The reference :math:`C^{ref} = \sum_p w_p \sum_{d,m} P^{virgin}_{mp} D_{dmp}` is what meeting every
demand with virgin metal would cost. It is a constant of the data, a large one (about 6.8 trillion
yen on the Japan instance), so a gap measured on the objective says little about the decisions;
the solver measures its gap on the *controllable cost* :math:`objective - C^{ref}`, what the plan
adds to (or saves on) buying everything virgin.
"""

from __future__ import annotations

import pyomo.environ as pyo

from netopt.catalogue import COST_BLOCKS
from netopt.model.inputs import ModelInputs


def add_objective(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    m.objective = pyo.Objective(sense=pyo.minimize, expr=pyo.quicksum(
        d.weight[p] * getattr(m, name).cost[c, p]
        for name in COST_BLOCKS for c in getattr(m, name).COST_CATEGORY for p in d.periods))
    m.reference_cost = all_virgin_cost(d)


def all_virgin_cost(d: ModelInputs) -> float:
    """:math:`C^{ref}` (Myen): every demand bought as virgin metal at its price, discounted."""
    return float(sum(d.weight[p] * d.virgin_price.get((metal, p), 0.0) * tonnes
                     for (_, metal, p), tonnes in d.demand.items()))
