r"""Valid rows that charge each facility kind the cost of the whole plants its national load needs.

The LP relaxation buys capacity by the tonne: it pays :math:`f_z / K_z` per t/yr of a fraction of a
plant, so where a period's load is a fraction of one plant (black-mass plants in the early periods)
its bound is far below any plan. The packs a period collects must go somewhere: to hubs, then to
black-mass plants (there are no pack exports) or to reuse; what no facility takes is unprocessed,
at :math:`\pi` Myen per t/yr. That gives each kind k a national load it must carry or pay for,

.. math::
    R^{hub}_p = \sum_{r,c} (1-\ell_p) S_{rcp} \qquad
    R^{pre}_p = R^{hub}_p - \bar R^{reuse}_p - \bar E^{pack}_p \qquad
    R^{ref}_p = y^{min} R^{pre}_p - \bar E^{bm}_p

(less the existing capacity of the kind; :math:`\bar R^{reuse}` the reuse market's size, :math:`\bar E`
the export caps of packs and black mass, :math:`y^{min}` the lowest black-mass yield), and a shortfall
of the load costs at least :math:`\pi` per t/yr of packs (:math:`\pi / y^{min}` per t/yr of black
mass). With :math:`\phi_{kp}` the least annual cost of meeting the load with whole plants,

.. math::
    \phi_{kp} = \min_{n \in \mathbb{Z}_{\ge 0}^{Z}} \ \sum_z f_z n_z + \pi_k \max(0, R_{kp} - \sum_z K_z n_z)

(:func:`least_cost`, an enumeration over the few sizes), every plan satisfies

.. math:: \sum_{s} fixed_{s p} + \pi \sum_{r,c} unprocessed_{rcp} \ \ge\ \phi_{kp} \quad (national)

because its new capacity :math:`C` of kind k meets :math:`R_{kp} - unprocessed/y` and costs at least
:math:`\min_n \sum_z f_z n_z` over the unit counts giving :math:`C`. Sizes and fixed costs are the
cheapest any site offers for each size. The row holds for every plan, so it never changes the
optimum; it only lifts the bound (``model.cost_bounds``, on by default; tested in tests/test_bounds.py).
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from netopt.catalogue import FACILITY_KINDS, KINDS
from netopt.model.common import total
from netopt.model.facilities import collects
from netopt.model.inputs import ModelInputs


def add_cost_bounds(m: pyo.ConcreteModel, d: ModelInputs) -> None:
    if not d.settings.model.cost_bounds or d.settings.model.strict:
        return
    b = m.bounds = pyo.Block()
    penalty = d.settings.penalties.unprocessed_packs_myen_per_t
    floors = {}
    for kind in FACILITY_KINDS:
        blk = getattr(m, kind.block)
        units = unit_types(blk)
        for p in d.periods:
            load, per_tonne = national_load(m, d, kind.kind, p)
            phi = least_cost(units, load - existing_capacity(blk, p), per_tonne * penalty)
            if phi > 1e-6:
                floors[kind.kind, p] = phi
    # sets
    b.INDEX = pyo.Set(initialize=sorted(floors), dimen=2, ordered=True)
    b.floor = floors  # (kind, period) -> phi (Myen/yr)
    unprocessed = {p: [k for k in m.sources.INDEX if k[2] == p] for p in d.periods}
    # constraints
    b.national = pyo.Constraint(b.INDEX, rule=lambda b, kind, p: pyo.quicksum(
        getattr(m, KINDS[kind].block).fixed_cost[s, p] for s in getattr(m, KINDS[kind].block).SITE)
        + penalty * total(m.sources.unprocessed, unprocessed[p]) >= floors[kind, p])


def national_load(m: pyo.ConcreteModel, d: ModelInputs, kind: str, period: int) -> tuple[float, float]:
    """(R, scale): the load of ``kind`` in ``period`` (t/yr of its input) and the tonnes of unprocessed
    packs one tonne of shortfall implies at least (1 for packs, 1 / y_min for black mass)."""
    collected = sum((1 - d.leakage[p]) * t for (_, _, p), t in d.supply.items() if p == period)
    if collects(kind):
        return collected, 1.0
    packs = collected - reuse_market(d, period) - trade_cap(d, "export", "pack", period)
    stage = KINDS[kind].stage_in
    if stage == "pack":
        return max(0.0, packs), 1.0
    if stage == "black_mass":
        y = min(d.bm_yield.values())
        return max(0.0, y * packs - trade_cap(d, "export", "black_mass", period)), 1.0 / y
    return 0.0, 0.0


def reuse_market(d: ModelInputs, period: int) -> float:
    """Most collected packs reuse can take in ``period`` (t/yr): per chemistry the fit share of what is
    collected, at most its market's tonnes; in all at most the market's MWh at the lowest kWh per tonne."""
    rows = d.reuse[(d.reuse["period"] == period) & (d.reuse["reuse_fit_share"] > 0) & (d.reuse["max_t_per_yr"] > 0)]
    if rows.empty:
        return 0.0
    collected = {c: sum((1 - d.leakage[p]) * t for (_, c2, p), t in d.supply.items() if p == period and c2 == c)
                 for c in d.chemistries}
    tonnes = sum(min(r.reuse_fit_share * collected.get(r.chemistry, 0.0), r.max_t_per_yr) for r in rows.itertuples())
    energy = d.reuse_cap_mwh.get(period, math.inf)
    return min(tonnes, 1000.0 * energy / rows["usable_kwh_per_t"].min()) if energy < math.inf else tonnes


def trade_cap(d: ModelInputs, direction: str, stage: str, period: int) -> float:
    """Sum of the caps of the trade offers of ``direction`` and ``stage`` in ``period`` (t/yr; inf if any is)."""
    t = d.trade
    rows = t[(t["direction"] == direction) & (t["stage"] == stage) & (t["period"] == period)]
    caps = rows["cap_t_per_yr"].astype(float)
    return math.inf if caps.isna().any() else float(caps.sum())


def existing_capacity(blk: pyo.Block, period: int) -> float:
    return sum(cap for (_, p), cap in blk.existing.items() if p == period)


def unit_types(blk: pyo.Block) -> list[tuple[float, float]]:
    """(capacity t/yr, annual fixed cost Myen/yr) of each size, at the cheapest site offering it."""
    cheapest = {}
    for (site, size), cap in blk.size_capacity.items():
        if any(k[0] == site for k in blk.BUILD):
            key = (size, cap)
            cheapest[key] = min(cheapest.get(key, math.inf), blk.size_fixed_cost[site, size])
    return sorted(((cap, cost) for (_, cap), cost in cheapest.items()), reverse=True)


def least_cost(units: list[tuple[float, float]], load: float, penalty: float) -> float:
    r""":math:`\phi`: least annual cost of whole units covering ``load``, a shortfall costing ``penalty``
    per tonne. Every count of every size but the smallest is tried; the smallest size's count is the
    floor or the ceiling of what is left (the cost is convex in it)."""
    if load <= 0:
        return 0.0
    if not units:
        return penalty * load
    (cap, cost), rest = units[-1], units[:-1]

    def smallest_only(left: float) -> float:
        if left <= 0:
            return 0.0
        if cost >= penalty * cap:  # a whole unit costs more than its tonnes unprocessed
            return penalty * left
        n = math.floor(left / cap)
        return min(cost * n + penalty * (left - cap * n), cost * (n + 1))

    def best(types: list, left: float) -> float:
        if not types:
            return smallest_only(left)
        (k, f), others = types[0], types[1:]
        return min(f * n + best(others, left - k * n) for n in range(0, math.ceil(max(left, 0) / k) + 1))

    return best(rest, load) if penalty else 0.0
