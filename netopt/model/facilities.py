r"""What every facility kind shares: sites, build decisions, capacity and its linking to flows.

Sets: sites S of the kind; build options B = {(s, z, p)}: site s may get size z operating
from period p (candidates only, p >= earliest period).

Variables: ``build[s,z,p]`` in {0,1}: size z added at site s, operating from period p.

Expressions:

.. math::
    cap_{sp} = \bar K_{sp} + \sum_{z,\, p' \le p} K_z \, build_{s z p'}
    \qquad open_{sp} = \sum_{z,\, p' \le p} build_{s z p'}

with existing or scheduled capacity :math:`\bar K_{sp}` (from its first period on).

Constraints:

.. math::
    \sum_{z} build_{szp} \le 1 \ \forall p \quad (one\ build\ per\ site\ and\ period;\ with
    \ allow\_expansion = false: \sum_{z,p} build_{szp} \le 1)\\
    throughput_{sp} \le \bar K_{sp} + \sum_{z,\, p' \le p} \min(K_z, U_{sp}) \, build_{s z p'} \quad (capacity)\\
    throughput_{sp} \ge u \, (cap_{sp} - \bar K_{sp}) \quad (minimum\ utilisation,\ if\ u > 0)\\
    flow_{akp} \le \min(K^{max}, U_{akp}) \, open_{sp} \quad \forall a \in in(s) \quad (strong\ linking\ only,\ if\ \bar K_{sp}=0)

The capacity row uses :math:`\min(K_z, U_{sp})`, where :math:`U_{sp}` bounds the input the site could ever
receive (:func:`input_bound`); it is valid because throughput never exceeds :math:`U_{sp}`, and it is much
tighter in the LP relaxation when early volumes are small next to plant sizes. :math:`U_{akp}` is the most a collection arc can carry (its region's collectable packs).

Costs (Myen/yr): fixed = :math:`\sum_{z,p'\le p} f_s (capex_z \cdot CRF_z + FOM_z)\, build_{szp'}`;
processing = :math:`v \cdot throughput_{sp}`. Annualising capex over the option's lifetime counts only
the years inside the horizon, so a late build is not charged for years after the horizon.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from netopt.model.common import relation
from netopt.model.inputs import ModelInputs


def packs_or_black_mass_in(m: pyo.ConcreteModel, d: ModelInputs, stage: str):
    """Throughput rule of a facility: all chemistries that flow in at ``stage`` (pack or black_mass), t/yr."""
    from netopt.model.flows import inflow

    def throughput(s, p):
        return pyo.quicksum((inflow(m, s, stage, c, p) for c in d.chemistries), start=0)

    return throughput


def add_site_sets(b: pyo.Block, d: ModelInputs, kind: str) -> None:
    sites = d.sites[d.sites["kind"] == kind]
    options = d.options[d.options["kind"] == kind]
    b.kind = kind
    b.SITE = pyo.Set(initialize=list(sites.index), ordered=True)
    b.BUILD = pyo.Set(dimen=3, ordered=True, initialize=[
        (s, z, p) for s, row in sites.iterrows() if row["candidate"] == 1
        for z in options["size"] for p in d.periods if p >= row["earliest_period"]])
    b.builds_at = {s: [k for k in b.BUILD if k[0] == s] for s in b.SITE}
    b.size_capacity = dict(zip(options["size"], options["capacity_t_per_yr"]))
    b.size_fixed_cost = dict(zip(options["size"], options["annual_fixed_myen_per_yr"]))
    b.existing = {(s, p): row["existing_capacity_t_per_yr"] if p >= row["existing_from_period"] else 0.0
                  for s, row in sites.iterrows() for p in d.periods}
    b.capex_factor = sites["capex_factor"].to_dict()


def add_build_variables(b: pyo.Block) -> None:
    b.build = pyo.Var(b.BUILD, domain=pyo.Binary)
    b.new_capacity = pyo.Expression(b.SITE, _periods(b), rule=lambda b, s, p: pyo.quicksum(
        (b.size_capacity[z] * b.build[s, z, q] for (_, z, q) in b.builds_at[s] if q <= p), start=0))
    b.open = pyo.Expression(b.SITE, _periods(b), rule=lambda b, s, p: pyo.quicksum(
        (b.build[s, z, q] for (_, z, q) in b.builds_at[s] if q <= p), start=0))
    b.capacity = pyo.Expression(b.SITE, _periods(b), rule=lambda b, s, p: b.existing[s, p] + b.new_capacity[s, p])


def _periods(b: pyo.Block) -> list[int]:
    return sorted({p for (_, p) in b.existing}) or sorted({p for (_, _, p) in b.BUILD})


def add_capacity_constraints(m: pyo.ConcreteModel, b: pyo.Block, d: ModelInputs, throughput) -> None:
    """Capacity, one build per site, minimum utilisation and (optionally) strong linking."""
    periods = d.periods
    if d.settings.model.allow_expansion:
        b.one_build = pyo.Constraint(b.SITE, periods, rule=lambda b, s, p: relation(pyo.quicksum(
            (b.build[k] for k in b.builds_at[s] if k[2] == p), start=0) <= 1))
    else:
        b.one_build = pyo.Constraint(b.SITE, rule=lambda b, s: pyo.quicksum(b.build[k] for k in b.builds_at[s]) <= 1
                                     if b.builds_at[s] else pyo.Constraint.Skip)
    if b.kind == "hub":
        bound = {(s, p): input_bound(m, d, b.kind, s, p) for s in b.SITE for p in periods}
    else:  # the same national bound for every site of the kind
        national = {p: input_bound(m, d, b.kind, None, p) for p in periods}
        bound = {(s, p): national[p] for s in b.SITE for p in periods}
    b.capacity_limit = pyo.Constraint(b.SITE, periods, rule=lambda b, s, p: relation(
        throughput(s, p) <= b.existing[s, p] + pyo.quicksum(
            (min(b.size_capacity[z], bound[s, p]) * b.build[s, z, q] for (_, z, q) in b.builds_at[s] if q <= p),
            start=0)))
    share = d.settings.policy.min_utilisation_share
    if share > 0:
        b.min_utilisation = pyo.Constraint(b.SITE, periods, rule=lambda b, s, p: relation(
            throughput(s, p) >= share * b.new_capacity[s, p]))
    if d.settings.model.linking == "strong":
        biggest = max(b.size_capacity.values(), default=0.0)
        keys = [(s, k) for s in b.SITE for p in periods if b.existing[s, p] == 0
                for stage in ("pack", "black_mass") for mat in d.chemistries
                for k in m.flows.into.get((s, stage, mat, p), [])]
        b.LINK = pyo.Set(initialize=keys, dimen=4, ordered=True)
        b.strong_link = pyo.Constraint(b.LINK, rule=lambda b, s, a, k, p: m.flows.flow[a, k, p]
                                       <= min(biggest, arc_flow_bound(m, d, a, k, p)) * b.open[s, p])


def input_bound(m: pyo.ConcreteModel, d: ModelInputs, kind: str, site: str | None, period: int) -> float:
    """Most input a site of ``kind`` could receive in ``period`` (t/yr), whatever is built.

    Hubs: what the regions linked to them can collect. Pre-treatment: all collectable packs plus
    pack import caps. Refineries: the black mass of all of that plus black-mass import caps.
    """
    if kind == "hub":
        return sum(arc_flow_bound(m, d, a, c, p) for c in d.chemistries
                   for (a, _, p) in m.flows.into.get((site, "pack", c, period), []))
    packs = {c: sum(collectable_max(d, k) for k in d.supply if k[1] == c and k[2] == period) for c in d.chemistries}
    pack_imports = import_cap(d, "pack", period)
    if kind == "pretreatment":
        return sum(packs.values()) + pack_imports
    return (sum(d.bm_yield[c] * t for c, t in packs.items()) + max(d.bm_yield.values()) * pack_imports
            + import_cap(d, "black_mass", period))


def import_cap(d: ModelInputs, stage: str, period: int) -> float:
    offers = d.trade[(d.trade["direction"] == "import") & (d.trade["stage"] == stage) & (d.trade["period"] == period)]
    return float(offers["cap_t_per_yr"].sum())


def collectable_max(d: ModelInputs, key: tuple) -> float:
    """Most packs a region can collect: all that does not leak, plus all that retention can keep."""
    leak = d.leakage[key[2]]
    retainable = d.max_retained[key[2]] if math.isfinite(d.retention_cost[key[2]]) else 0.0
    return d.supply[key] * (1 - leak + leak * retainable)


def arc_flow_bound(m: pyo.ConcreteModel, d: ModelInputs, arc: str, material: str, period: int) -> float:
    """Most an arc can carry: on a collection arc, all that its region can collect; elsewhere no bound."""
    key = (m.flows.origin[arc], material, period)
    return collectable_max(d, key) if key in d.supply else math.inf


def facility_costs(b: pyo.Block, d: ModelInputs, throughput) -> dict:
    return {
        "fixed": lambda p: pyo.quicksum((b.capex_factor[s] * b.size_fixed_cost[z] * b.build[s, z, q]
                                         for (s, z, q) in b.BUILD if q <= p), start=0),
        "processing": lambda p: d.processing_cost[b.kind] * pyo.quicksum(
            (throughput(s, p) for s in b.SITE), start=0),
    }


def process_co2(b: pyo.Block, d: ModelInputs, throughput, p) -> pyo.Expression:
    return d.process_co2.get(b.kind, 0.0) * pyo.quicksum((throughput(s, p) for s in b.SITE), start=0)
