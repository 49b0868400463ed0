r"""Domestic metal demand at cell and cathode plants: recycled, virgin or unmet.

Sets: (d, m, p) with demand :math:`D_{dmp} > 0` (t/yr).

Variables: ``virgin[d,m,p]`` >= 0, virgin metal bought; ``unmet[d,m,p]`` >= 0, demand not
served (priced slack, 0 in strict mode).

Expressions: ``delivered[d,m,p]``, recycled metal delivered (t/yr), the sum of flows below.

Constraints:

.. math::
    \sum_{a \in in(d)} flow_{a,m,p} + virgin_{dmp} + unmet_{dmp} = D_{dmp}   \quad (demand)\\
    \sum_d virgin_{dmp} \le V_{mp}                                          \quad (virgin\ availability,\ if\ finite)

Costs: :math:`P^{virgin}_{mp} \, virgin + \pi^{unmet} \, unmet`.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from netopt.model.common import add_costs, total
from netopt.model.flows import inflow
from netopt.model.inputs import ModelInputs


def add_demand(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    b = m.demand = pyo.Block()
    # sets
    b.INDEX = pyo.Set(initialize=list(d.demand), dimen=3, ordered=True)
    by_metal_period = {}
    for k in d.demand:
        by_metal_period.setdefault((k[1], k[2]), []).append(k)
    capped = [k for k, cap in d.virgin_cap.items() if math.isfinite(cap) and k in by_metal_period]
    # variables
    b.virgin = pyo.Var(b.INDEX, domain=pyo.NonNegativeReals)
    b.unmet = pyo.Var(b.INDEX, bounds=(0, 0 if d.settings.model.strict else None))
    # expressions
    b.delivered = pyo.Expression(b.INDEX, rule=lambda b, s, k, p: inflow(m, s, "metal", k, p))
    # constraints
    b.balance = pyo.Constraint(b.INDEX, rule=lambda b, s, k, p: b.delivered[s, k, p] + b.virgin[s, k, p]
                               + b.unmet[s, k, p] == d.demand[s, k, p])
    b.virgin_availability = pyo.Constraint(capped, rule=lambda b, k, p: total(b.virgin, by_metal_period[k, p])
                                           <= d.virgin_cap[k, p])
    # costs
    by_period = {p: [k for k in d.demand if k[2] == p] for p in d.periods}
    add_costs(b, d.periods, {
        "virgin_metal": lambda p: pyo.quicksum((d.virgin_price.get((k, p), 0.0) * b.virgin[s, k, p]
                                                for (s, k, _) in by_period[p]), start=0),
        "unmet_penalty": lambda p: d.settings.penalties.unmet_demand_myen_per_t * total(b.unmet, by_period[p]),
    })
