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
from netopt.model.facilities import (add_build_variables, add_capacity_constraints, add_site_sets,
                                     facility_costs, packs_or_black_mass_in)
from netopt.model.flows import inflow, outflow
from netopt.model.inputs import ModelInputs


def add_pretreatment(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    b = m.pretreatment = pyo.Block()

    throughput = packs_or_black_mass_in(m, d, "pack")

    # sets
    add_site_sets(b, d, "pretreatment")
    # variables
    add_build_variables(b)
    # constraints
    add_capacity_constraints(m, b, d, throughput)
    b.black_mass_yield = pyo.Constraint(b.SITE, d.chemistries, d.periods, rule=lambda b, t, c, p:
                                        relation(outflow(m, t, "black_mass", c, p) == d.bm_yield[c] * inflow(m, t, "pack", c, p)))
    # costs
    add_costs(b, d.periods, facility_costs(b, d, throughput))
    b.throughput = throughput
