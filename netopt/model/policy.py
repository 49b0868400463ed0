r"""Policy constraints, each optional and set by scenario.

- Recycled content (metal m, period p, minimum share :math:`\sigma_{mp} > 0`):

  .. math:: \sum_{d} \sum_{a \in in(d)} flow_{a,m,p} + short_{mp} \ge \sigma_{mp} \sum_d D_{dmp}

  with a priced shortfall slack (0 in strict mode).
  A redundant row states the same through refinery capacity (recovery x richest black mass x
  :math:`\sum_f cap_{fp}` + shortfall >= minimum), so that the solver sees the minimum as a cover
  on the refinery builds.
- New facilities: :math:`\sum build \le N` over all kinds, sizes and periods.
- Carbon: emissions :math:`E_p` = transport + process + sea-leg CO2 (t/yr), ``co2[p]``, the sum of
  every emitting block's ``co2[p]`` (:data:`netopt.catalogue.EMISSION_SOURCES`); cost
  :math:`\tau E_p / 10^6` (Myen/yr) at price τ (yen/t CO2); cap :math:`E_p \le \bar E + excess_p`
  with priced excess (0 in strict mode).
"""

from __future__ import annotations

import pyomo.environ as pyo

from netopt.catalogue import FACILITY_KINDS
from netopt.model.common import add_costs
from netopt.model.inputs import ModelInputs


def add_policy(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    b = m.policy = pyo.Block()
    pol, pen, strict = d.settings.policy, d.settings.penalties, d.settings.model.strict
    # sets
    b.CONTENT = pyo.Set(initialize=[k for k in d.recycled_content if _demand_total(d, *k) > 0], dimen=2)
    # variables
    b.shortfall = pyo.Var(b.CONTENT, bounds=(0, 0 if strict else None))
    b.co2_excess = pyo.Var(d.periods, bounds=(0, 0 if strict else None))
    # expressions
    b.co2 = pyo.Expression(d.periods, rule=lambda b, p: m.flows.co2[p] + m.trade.co2[p] + pyo.quicksum(
        getattr(m, k.block).co2[p] for k in FACILITY_KINDS))
    # constraints
    b.recycled_content = pyo.Constraint(b.CONTENT, rule=lambda b, k, p: _recycled_delivered(m, d, k, p)
                                        + b.shortfall[k, p] >= d.recycled_content[k, p] * _demand_total(d, k, p))
    b.content_capacity = pyo.Constraint(b.CONTENT, rule=lambda b, k, p: _recycled_capacity(m, d, k, p)
                                        + b.shortfall[k, p] >= d.recycled_content[k, p] * _demand_total(d, k, p))
    if pol.max_new_facilities is not None:
        b.max_new_facilities = pyo.Constraint(expr=pyo.quicksum(
            getattr(m, kind.block).build[k] for kind in FACILITY_KINDS for k in getattr(m, kind.block).BUILD)
            <= pol.max_new_facilities)
    if pol.carbon_cap_t_co2_per_yr is not None:
        b.carbon_cap = pyo.Constraint(d.periods, rule=lambda b, p: b.co2[p] <= pol.carbon_cap_t_co2_per_yr
                                      + b.co2_excess[p])
    else:
        b.co2_excess.fix(0)
    # costs
    add_costs(b, d.periods, {
        "carbon": lambda p: pol.carbon_price_yen_per_t_co2 / 1e6 * b.co2[p] if pol.carbon_price_yen_per_t_co2 else 0,
        "recycled_content_penalty": lambda p: pen.recycled_content_shortfall_myen_per_t * pyo.quicksum(
            (b.shortfall[k, q] for (k, q) in b.CONTENT if q == p), start=0),
        "carbon_cap_penalty": lambda p: pen.carbon_cap_excess_myen_per_t_co2 * b.co2_excess[p],
    })


def _recycled_capacity(m: pyo.ConcreteModel, d: ModelInputs, metal: str, p: int):
    """Most recycled metal the refineries' capacity could yield: recovery x richest black mass x capacity."""
    richest = max((d.metal_per_t_bm.get((c, metal), 0.0) for c in d.chemistries), default=0.0)
    return d.recovery[metal] * richest * pyo.quicksum(m.refineries.capacity[f, p] for f in m.refineries.SITE)


def _demand_total(d: ModelInputs, metal: str, p: int) -> float:
    return sum(v for (s, k, q), v in d.demand.items() if k == metal and q == p)


def _recycled_delivered(m: pyo.ConcreteModel, d: ModelInputs, metal: str, p: int):
    sites = sorted({s for (s, k, q) in d.demand if k == metal and q == p})
    return pyo.quicksum((m.demand.delivered[s, metal, p] for s in sites), start=0)
