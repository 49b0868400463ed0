r"""Collection and diagnosis hubs: packs in, packs for reuse or pre-treatment out.

Sets: hub sites H (see :mod:`netopt.model.facilities` for build and capacity).

Variables: ``reuse[h,c,p]`` >= 0, packs sold for second life (only where a reuse market exists).

Constraints, with :math:`in_{hcp} = \sum_{a \in in(h)} flow_{a,c,p}`:

.. math::
    \sum_{a \in out(h)} flow_{a,c,p} + reuse_{hcp} = in_{hcp}   \quad (balance)\\
    reuse_{hcp} \le \phi_{cp} \, in_{hcp}                      \quad (fit\ for\ reuse)\\
    \sum_h reuse_{hcp} \le R_{cp}                               \quad (reuse\ market,\ t)\\
    \sum_{h,c} e_{cp} \, reuse_{hcp} \le 1000 \, E_p              \quad (reuse\ market,\ MWh;\ e\ in\ kWh/t)\\
    \sum_c in_{hcp} \le cap_{hp}                                \quad (capacity)

Costs: fixed and processing (diagnosis) costs, minus reuse revenue :math:`\sum p^{reuse}_{cp} reuse_{hcp}`.
"""

from __future__ import annotations

import pyomo.environ as pyo

from netopt.model.common import add_costs, relation
from netopt.model.facilities import (add_build_variables, add_capacity_constraints, add_site_sets,
                                     facility_costs, packs_or_black_mass_in)
from netopt.model.flows import inflow, outflow
from netopt.model.inputs import ModelInputs


def add_hubs(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    b = m.hubs = pyo.Block()
    market = d.reuse[(d.reuse["max_t_per_yr"] > 0) & (d.reuse["reuse_fit_share"] > 0)].set_index(
        ["chemistry", "period"])

    throughput = packs_or_black_mass_in(m, d, "pack")

    # sets
    add_site_sets(b, d, "hub")
    b.REUSE = pyo.Set(dimen=3, ordered=True, initialize=[(h, c, p) for h in b.SITE for (c, p) in market.index])
    # variables
    add_build_variables(b)
    b.reuse = pyo.Var(b.REUSE, domain=pyo.NonNegativeReals)
    # constraints
    add_capacity_constraints(m, b, d, throughput)
    reused = lambda h, c, p: b.reuse[h, c, p] if (h, c, p) in b.REUSE else 0  # noqa: E731
    b.balance = pyo.Constraint(b.SITE, d.chemistries, d.periods, rule=lambda b, h, c, p:
                               relation(outflow(m, h, "pack", c, p) + reused(h, c, p) == inflow(m, h, "pack", c, p)))
    b.reuse_fit = pyo.Constraint(b.REUSE, rule=lambda b, h, c, p:
                                 relation(b.reuse[h, c, p] <= market.at[(c, p), "reuse_fit_share"] * inflow(m, h, "pack", c, p)))
    b.reuse_market = pyo.Constraint(list(market.index), rule=lambda b, c, p: pyo.quicksum(
        b.reuse[h, c, p] for h in b.SITE) <= market.at[(c, p), "max_t_per_yr"])
    b.reuse_energy = pyo.Constraint(sorted(d.reuse_cap_mwh), rule=lambda b, p: relation(pyo.quicksum(
        (market.at[(c, q), "usable_kwh_per_t"] * b.reuse[h, c, q] for (h, c, q) in b.REUSE if q == p), start=0)
        <= 1000.0 * d.reuse_cap_mwh[p]))
    # costs
    add_costs(b, d.periods, {
        **facility_costs(b, d, throughput),
        "reuse_revenue": lambda p: -pyo.quicksum((market.at[(c, q), "price_myen_per_t"] * b.reuse[h, c, q]
                                                  for (h, c, q) in b.REUSE if q == p), start=0),
    })
    b.throughput = throughput
