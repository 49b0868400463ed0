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

Expressions: those of every facility kind (:mod:`netopt.model.facilities`).

Costs: fixed and processing (diagnosis) costs, minus reuse revenue :math:`\sum p^{reuse}_{cp} reuse_{hcp}`.
"""

from __future__ import annotations

import pyomo.environ as pyo

from netopt.model.common import add_costs, relation
from netopt.model.facilities import add_facility
from netopt.model.flows import inflow, outflow
from netopt.model.inputs import ModelInputs


def add_hubs(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    b = m.hubs = pyo.Block()
    market = d.reuse[(d.reuse["max_t_per_yr"] > 0) & (d.reuse["reuse_fit_share"] > 0)].set_index(
        ["chemistry", "period"])
    facility_costs = add_facility(m, b, d, "hub")  # sites, builds, throughput, capacity
    # sets
    b.REUSE = pyo.Set(dimen=3, ordered=True, initialize=[(h, c, p) for h in b.SITE for (c, p) in market.index])
    # variables
    b.reuse = pyo.Var(b.REUSE, domain=pyo.NonNegativeReals)
    # constraints
    reused = lambda h, c, p: b.reuse[h, c, p] if (h, c, p) in b.REUSE else 0  # noqa: E731
    b.balance = pyo.Constraint(b.SITE, d.chemistries, d.periods, rule=lambda b, h, c, p:
                               relation(outflow(m, h, "pack", c, p) + reused(h, c, p) == inflow(m, h, "pack", c, p)))
    b.reuse_fit = pyo.Constraint(b.REUSE, rule=lambda b, h, c, p: relation(
        b.reuse[h, c, p] <= market.at[(c, p), "reuse_fit_share"] * inflow(m, h, "pack", c, p)))
    b.reuse_market = pyo.Constraint(list(market.index), rule=lambda b, c, p: pyo.quicksum(
        b.reuse[h, c, p] for h in b.SITE) <= market.at[(c, p), "max_t_per_yr"])
    b.reuse_energy = pyo.Constraint(sorted(d.reuse_cap_mwh), rule=lambda b, p: relation(pyo.quicksum(
        (market.at[(c, q), "usable_kwh_per_t"] * b.reuse[h, c, q] for (h, c, q) in b.REUSE if q == p), start=0)
        <= 1000.0 * d.reuse_cap_mwh[p]))
    # costs
    add_costs(b, d.periods, {
        **facility_costs,
        "reuse_revenue": lambda p: -pyo.quicksum((market.at[(c, q), "price_myen_per_t"] * b.reuse[h, c, q]
                                                  for (h, c, q) in b.REUSE if q == p), start=0),
    })


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
