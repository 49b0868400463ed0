r"""Pre-treatment (black-mass) plants: packs in, black mass out.

Sets: pre-treatment sites T (see :mod:`netopt.model.facilities` for build and capacity).

Constraints, with packs in :math:`in_{tcp}` from hubs and import ports:

.. math::
    \sum_{a \in out(t)} flow_{a,c,p} = y_c \, in_{tcp}   \quad (black\ mass\ yield)\\
    \sum_c in_{tcp} \le cap_{tp}                         \quad (capacity,\ t\ packs)

Costs: fixed and processing costs.
"""

from __future__ import annotations

import pyomo.environ as pyo

from netopt.model.common import add_costs, relation
from netopt.model.facilities import add_facility
from netopt.model.flows import inflow, outflow
from netopt.model.inputs import ModelInputs


def add_pretreatment(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    b = m.pretreatment = pyo.Block()
    costs = add_facility(m, b, d, "pretreatment")  # sites, builds, throughput, capacity
    # constraints
    b.black_mass_yield = pyo.Constraint(b.SITE, d.chemistries, d.periods, rule=lambda b, t, c, p: relation(
        outflow(m, t, "black_mass", c, p) == d.bm_yield[c] * inflow(m, t, "pack", c, p)))
    # costs
    add_costs(b, d.periods, costs)
