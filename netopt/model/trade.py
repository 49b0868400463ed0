r"""Processing trade through ports: imports of packs and black mass, exports of black mass and metal.

Sets: offers O = (market k, direction, stage, material, period) with a positive cap; ports Q.

Variables: ``imports[k,q,s,x,p]`` and ``exports[k,q,s,x,p]`` >= 0 (t/yr) for every offer and port.

Constraints:

.. math::
    \sum_k imports_{kqsxp} = \sum_{a \in out(q)} flow_{a,x,p}   \quad (import\ port\ balance)\\
    \sum_{a \in in(q)} flow_{a,x,p} = \sum_k exports_{kqsxp}    \quad (export\ port\ balance)\\
    \sum_q imports_{kqsxp} \le cap_{ksxp}, \ \sum_q exports_{kqsxp} \le cap_{ksxp}   \quad (market\ caps)

Expressions: ``co2[p]``, sea-leg CO2 of imports and exports (t/yr).

Costs: :math:`\sum v^{imp} \, imports - \sum v^{exp} \, exports`, with v the delivered unit values of
:func:`netopt.model.inputs._trade_values` (freight included); sea-leg CO2 enters the carbon account.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from netopt.model.common import add_costs, group, relation
from netopt.model.flows import inflow, outflow
from netopt.model.inputs import ModelInputs


def add_trade(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    b = m.trade = pyo.Block()
    offers = d.trade
    # sets
    rows = {direction: offers[offers["direction"] == direction] for direction in ("import", "export")}
    keys = {direction: [(r.market_id, q, r.stage, r.material, r.period) for r in rows[direction].itertuples()
                        for q in d.ports] for direction in rows}
    b.IMPORT = pyo.Set(initialize=keys["import"], dimen=5, ordered=True)
    b.EXPORT = pyo.Set(initialize=keys["export"], dimen=5, ordered=True)
    value = {(r.market_id, r.direction, r.stage, r.material, r.period): r.value_myen_per_t for r in offers.itertuples()}
    cap = {(r.market_id, r.direction, r.stage, r.material, r.period): r.cap_t_per_yr for r in offers.itertuples()}
    sea_co2 = {(r.market_id, r.direction, r.stage, r.material, r.period): r.sea_co2_t_per_t
               for r in offers.itertuples()}
    markets_at = {d_: group(keys[d_], lambda k: k[1:]) for d_ in keys}
    # variables
    b.imports = pyo.Var(b.IMPORT, domain=pyo.NonNegativeReals)
    b.exports = pyo.Var(b.EXPORT, domain=pyo.NonNegativeReals)
    # expressions
    b.co2 = pyo.Expression(d.periods, rule=lambda b, p: pyo.quicksum(
        [sea_co2[k, "import", s, x, p] * b.imports[k, q, s, x, p] for (k, q, s, x, pp) in b.IMPORT if pp == p]
        + [sea_co2[k, "export", s, x, p] * b.exports[k, q, s, x, p] for (k, q, s, x, pp) in b.EXPORT if pp == p],
        start=0))
    # constraints
    port_materials = sorted({(q, s, x, p) for (_, q, s, x, p) in keys["import"]})
    b.import_balance = pyo.Constraint(port_materials, rule=lambda b, q, s, x, p: relation(pyo.quicksum(
        b.imports[k, q, s, x, p] for (k, *_) in markets_at["import"][q, s, x, p]) == outflow(m, q, s, x, p)))
    port_materials = sorted({(q, s, x, p) for (_, q, s, x, p) in keys["export"]})
    b.export_balance = pyo.Constraint(port_materials, rule=lambda b, q, s, x, p: relation(
        inflow(m, q, s, x, p)
        == pyo.quicksum(b.exports[k, q, s, x, p] for (k, *_) in markets_at["export"][q, s, x, p])))
    limited = [k for k, c in cap.items() if math.isfinite(c)]
    b.market_cap = pyo.Constraint(limited, rule=lambda b, k, direction, s, x, p: pyo.quicksum(
        (b.imports if direction == "import" else b.exports)[k, q, s, x, p] for q in d.ports)
        <= cap[k, direction, s, x, p])
    # costs
    add_costs(b, d.periods, {
        "imports": lambda p: pyo.quicksum((value[k, "import", s, x, p] * b.imports[k, q, s, x, p]
                                           for (k, q, s, x, pp) in b.IMPORT if pp == p), start=0),
        "export_revenue": lambda p: -pyo.quicksum((value[k, "export", s, x, p] * b.exports[k, q, s, x, p]
                                                   for (k, q, s, x, pp) in b.EXPORT if pp == p), start=0),
    })

