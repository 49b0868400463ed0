r"""Refineries: black mass in, battery-grade metal out.

Sets: refinery sites F (see :mod:`netopt.model.facilities` for build and capacity).

Variables: ``surplus[f,m,p]`` >= 0, recovered metal neither delivered nor exported (stockpiled).

Expressions: ``recovered[f,m,p]``, metal recovered (t/yr), the right-hand side below; and those of
every facility kind (:mod:`netopt.model.facilities`).

Constraints, with black mass in :math:`in_{fcp}` from pre-treatment plants and import ports,
metal per tonne of black mass :math:`\mu_{cm} = content_{cm} / y_c` and recovery :math:`\eta_m`:

.. math::
    \sum_{a \in out(f)} flow_{a,m,p} + surplus_{fmp} = \eta_m \sum_c \mu_{cm} \, in_{fcp}  \quad (recovery)\\
    \sum_c in_{fcp} \le cap_{fp}                                                       \quad (capacity,\ t\ BM)

Costs: fixed and processing costs.
"""

from __future__ import annotations

import pyomo.environ as pyo

from netopt.model.common import add_costs, relation
from netopt.model.facilities import add_facility
from netopt.model.flows import inflow, outflow
from netopt.model.inputs import ModelInputs


def add_refineries(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    b = m.refineries = pyo.Block()
    costs = add_facility(m, b, d, "refinery")  # sites, builds, throughput, capacity
    # variables
    b.surplus = pyo.Var(b.SITE, d.metals, d.periods, domain=pyo.NonNegativeReals)
    # expressions
    b.recovered = pyo.Expression(b.SITE, d.metals, d.periods, rule=lambda b, f, k, p: d.recovery[k] * pyo.quicksum(
        (d.metal_per_t_bm.get((c, k), 0.0) * inflow(m, f, "black_mass", c, p) for c in d.chemistries), start=0))
    # constraints
    b.recovery = pyo.Constraint(b.SITE, d.metals, d.periods, rule=lambda b, f, k, p: relation(
        outflow(m, f, "metal", k, p) + b.surplus[f, k, p] == b.recovered[f, k, p]))
    # costs
    add_costs(b, d.periods, costs)
