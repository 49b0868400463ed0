r"""Sources: end-of-life packs arising in regions, leakage abroad, retention and collection.

Sets: (r, c, p) with supply :math:`S_{rcp} > 0` (t/yr).

Variables: ``retained[r,c,p]`` >= 0, packs kept in the country by incentives;
``unprocessed[r,c,p]`` >= 0, collected packs no facility takes (priced slack, 0 in strict mode).

Constraints:

.. math::
    retained_{rcp} \le \bar\rho_p \, \ell_p S_{rcp}                           \quad (retention)\\
    \sum_{a \in out(r)} flow_{a,c,p} + unprocessed_{rcp} = (1-\ell_p) S_{rcp} + retained_{rcp}   \quad (collection)

Expressions: ``collected[r,c,p]`` :math:`= (1-\ell_p) S_{rcp} + retained_{rcp}` (the right-hand side
above), ``leaked[r,c,p]`` :math:`= \ell_p S_{rcp} - retained_{rcp}` and ``leaked_metal[r,c,p]``, the metal
in the leaked packs (t/yr).

Cost: :math:`\kappa_p \, retained + \pi^{unproc} \, unprocessed`.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from netopt.model.common import add_costs, total
from netopt.model.flows import outflow
from netopt.model.inputs import ModelInputs


def leaked_before_retention(d: ModelInputs, key) -> float:
    return d.leakage[key[2]] * d.supply[key]


def add_sources(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    b = m.sources = pyo.Block()
    # sets
    b.INDEX = pyo.Set(initialize=list(d.supply), dimen=3, ordered=True)

    # variables
    def retention_bounds(b, r, c, p):
        lever = math.isfinite(d.retention_cost[p])
        return (0, d.max_retained[p] * leaked_before_retention(d, (r, c, p)) if lever else 0)

    b.retained = pyo.Var(b.INDEX, bounds=retention_bounds)
    b.unprocessed = pyo.Var(b.INDEX, bounds=(0, 0 if d.settings.model.strict else None))

    # expressions
    metal = {c: sum(v for (c2, _), v in d.metal_per_t_pack.items() if c2 == c) for c in d.chemistries}
    b.collected = pyo.Expression(b.INDEX, rule=lambda b, r, c, p: (1 - d.leakage[p]) * d.supply[r, c, p]
                                 + b.retained[r, c, p])
    b.leaked = pyo.Expression(b.INDEX, rule=lambda b, r, c, p: leaked_before_retention(d, (r, c, p))
                              - b.retained[r, c, p])
    b.leaked_metal = pyo.Expression(b.INDEX, rule=lambda b, r, c, p: metal[c] * b.leaked[r, c, p])

    # constraints
    b.collection = pyo.Constraint(b.INDEX, rule=lambda b, r, c, p: outflow(m, r, "pack", c, p) + b.unprocessed[r, c, p]
                                  == b.collected[r, c, p])
    by_period = {p: [k for k in d.supply if k[2] == p] for p in d.periods}

    # cost
    def retention(p):
        cost = d.retention_cost[p]
        return cost * total(b.retained, by_period[p]) if math.isfinite(cost) else 0

    add_costs(b, d.periods, {
        "retention": retention,
        "unprocessed_penalty": lambda p: d.settings.penalties.unprocessed_packs_myen_per_t
        * total(b.unprocessed, by_period[p]),
    })
