r"""What every facility kind shares: sites, build decisions, capacity and its linking to flows.

Sets: sites S of the kind; build options B = {(s, z, p)}: site s may get size z operating
from period p (candidates only, p >= earliest period).

Variables: ``build[s,z,p]`` in {0,1}: size z added at site s, operating from period p.

Expressions (named, so that results read them): ``throughput[s,p]`` (all that flows in at the
kind's input stage, t/yr), ``capacity[s,p]``, ``open[s,p]``, ``fixed_cost[s,p]``,
``processing_cost[s,p]`` (Myen/yr) and ``co2[p]`` (process CO2 of the kind, t/yr), with

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
    flow_{akp} \le \min(K^{max}, U_{akp}) \, open_{sp} \quad \forall a \in in(s)
    \quad (strong\ linking\ only,\ if\ \bar K_{sp}=0)

The capacity row uses :math:`\min(K_z, U_{sp})`, where :math:`U_{sp}` bounds the input the site could ever
receive (:func:`input_bound`); it is valid because throughput never exceeds :math:`U_{sp}`, and it is much
tighter in the LP relaxation when early volumes are small next to plant sizes. :math:`U_{akp}` is the most a
collection arc can carry (its region's collectable packs).

Costs (Myen/yr): fixed = :math:`\sum_{z,p'\le p} f_s (capex_z \cdot CRF_z + FOM_z)\, build_{szp'}`;
processing = :math:`v \cdot throughput_{sp}`. Annualising capex over the option's lifetime counts only
the years inside the horizon, so a late build is not charged for years after the horizon.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from netopt.catalogue import ARC_LEGS, KINDS, STAGES
from netopt.model.common import relation
from netopt.model.flows import inflow
from netopt.model.inputs import ModelInputs


def materials(d: ModelInputs, stage: str) -> list[str]:
    """What the flows of ``stage`` are indexed by: chemistries (packs, black mass) or metals."""
    return d.metals if next(s for s in STAGES if s.name == stage).material == "metal" else d.chemistries


def collects(kind: str) -> bool:
    """True for a kind that regions ship to directly (its sites' input is bounded by their regions)."""
    return any(leg.origin == "region" and leg.destination == kind for leg in ARC_LEGS)


def add_facility(m: pyo.ConcreteModel, b: pyo.Block, d: ModelInputs, kind: str) -> dict:
    """Everything block ``b`` of facility ``kind`` shares with every kind, in the block order sets ->
    variables -> expressions -> constraints; returns its fixed and processing cost rules."""
    add_site_sets(b, d, kind)
    add_build_variables(b)
    add_throughput(m, b, d)
    costs = add_facility_expressions(b, d)
    add_capacity_constraints(m, b, d)
    return costs


def add_site_sets(b: pyo.Block, d: ModelInputs, kind: str) -> None:
    sites = d.sites[d.sites["kind"] == kind]
    options = d.options[d.options["kind"] == kind]
    b.kind = kind
    b.stage_in = KINDS[kind].stage_in
    b.SITE = pyo.Set(initialize=list(sites.index), ordered=True)
    sizes = site_sizes(d, kind)  # (site, size) -> capacity, annual fixed cost: what each site may build
    b.BUILD = pyo.Set(dimen=3, ordered=True, initialize=[
        (s, z, p) for s, row in sites.iterrows() if row["candidate"] == 1
        for z in options["size"] if (s, z) in sizes for p in d.periods if p >= row["earliest_period"]])
    b.builds_at = {s: [k for k in b.BUILD if k[0] == s] for s in b.SITE}
    b.size_capacity = {k: cap for k, (cap, _) in sizes.items()}  # (site, size) -> t/yr
    b.size_fixed_cost = {k: fixed for k, (_, fixed) in sizes.items()}  # (site, size) -> Myen/yr, capex factor in
    b.existing = {(s, p): row["existing_capacity_t_per_yr"] if p >= row["existing_from_period"] else 0.0
                  for s, row in sites.iterrows() for p in d.periods}
    b.capex_factor = sites["capex_factor"].to_dict()


def site_sizes(d: ModelInputs, kind: str) -> dict[tuple[str, str], tuple[float, float]]:
    """(site, size) -> (capacity t/yr, annual fixed cost Myen/yr) of every size a site of ``kind`` may build
    (``ModelInputs.site_sizes``: the kind's sizes, or those site_options.csv lists for the site)."""
    rows = d.site_sizes[d.site_sizes["kind"] == kind]
    return {(s, z): (float(c), float(f)) for s, z, c, f in zip(rows["site_id"], rows["size"], rows["capacity_t_per_yr"],
                                                                rows["annual_fixed_myen_per_yr"])}


def add_throughput(m: pyo.ConcreteModel, b: pyo.Block, d: ModelInputs) -> None:
    """``throughput[s,p]``: everything that flows into site s at the kind's input stage (t/yr)."""
    b.throughput = pyo.Expression(b.SITE, d.periods, rule=lambda b, s, p: pyo.quicksum(
        (inflow(m, s, b.stage_in, c, p) for c in materials(d, b.stage_in)), start=0))


def add_build_variables(b: pyo.Block) -> None:
    b.build = pyo.Var(b.BUILD, domain=pyo.Binary)
    b.new_capacity = pyo.Expression(b.SITE, _periods(b), rule=lambda b, s, p: pyo.quicksum(
        (b.size_capacity[s, z] * b.build[s, z, q] for (_, z, q) in b.builds_at[s] if q <= p), start=0))
    b.open = pyo.Expression(b.SITE, _periods(b), rule=lambda b, s, p: pyo.quicksum(
        (b.build[s, z, q] for (_, z, q) in b.builds_at[s] if q <= p), start=0))
    b.capacity = pyo.Expression(b.SITE, _periods(b), rule=lambda b, s, p: b.existing[s, p] + b.new_capacity[s, p])


def _periods(b: pyo.Block) -> list[int]:
    return sorted({p for (_, p) in b.existing}) or sorted({p for (_, _, p) in b.BUILD})


def add_capacity_constraints(m: pyo.ConcreteModel, b: pyo.Block, d: ModelInputs) -> None:
    """Capacity, one build per site, minimum utilisation and (optionally) strong linking."""
    periods = d.periods
    throughput = b.throughput
    if d.settings.model.allow_expansion:
        b.one_build = pyo.Constraint(b.SITE, periods, rule=lambda b, s, p: relation(pyo.quicksum(
            (b.build[k] for k in b.builds_at[s] if k[2] == p), start=0) <= 1))
    else:
        b.one_build = pyo.Constraint(b.SITE, rule=lambda b, s: pyo.quicksum(b.build[k] for k in b.builds_at[s]) <= 1
                                     if b.builds_at[s] else pyo.Constraint.Skip)
    if collects(b.kind):
        bound = {(s, p): input_bound(m, d, b.kind, s, p) for s in b.SITE for p in periods}
    else:  # the same national bound for every site of the kind
        national = {p: input_bound(m, d, b.kind, None, p) for p in periods}
        bound = {(s, p): national[p] for s in b.SITE for p in periods}
    b.capacity_limit = pyo.Constraint(b.SITE, periods, rule=lambda b, s, p: relation(
        throughput[s, p] <= b.existing[s, p] + pyo.quicksum(
            (min(b.size_capacity[s, z], bound[s, p]) * b.build[s, z, q] for (_, z, q) in b.builds_at[s] if q <= p),
            start=0)))
    share = d.settings.policy.min_utilisation_share
    if share > 0:
        b.min_utilisation = pyo.Constraint(b.SITE, periods, rule=lambda b, s, p: relation(
            throughput[s, p] >= share * b.new_capacity[s, p]))
    if d.settings.model.linking == "strong":
        biggest = max(b.size_capacity.values(), default=0.0)
        keys = [(s, k) for s in b.SITE for p in periods if b.existing[s, p] == 0
                for mat in materials(d, b.stage_in) for k in m.flows.into.get((s, b.stage_in, mat, p), [])]
        b.LINK = pyo.Set(initialize=keys, dimen=4, ordered=True)
        b.strong_link = pyo.Constraint(b.LINK, rule=lambda b, s, a, k, p: m.flows.flow[a, k, p]
                                       <= min(biggest, arc_flow_bound(m, d, a, k, p)) * b.open[s, p])
    if d.settings.model.linking == "arc":
        add_arc_linking(m, b, d)


def add_arc_linking(m: pyo.ConcreteModel, b: pyo.Block, d: ModelInputs) -> None:
    r"""One row per arc a = (o, s) into a site without existing capacity and per period (``linking = "arc"``):

    .. math:: \sum_c flow_{acp} \le \min(K^{max}, U_{op}) \, open_{sp}

    with :math:`U_{op}` the most origin o can send: all that a region can collect (collection arcs),
    all that a hub can receive (hub to black-mass plant). A region or hub that sends all it has to one
    site must open it whole, even in the LP relaxation; arcs whose origin has no bound below
    :math:`K^{max}` get no row (the capacity row implies it). Per chemistry (``strong``) the rows are
    several times as many for little more bound."""
    biggest = max(b.size_capacity.values(), default=0.0)
    arcs = {}
    for s in b.SITE:
        for p in d.periods:
            if b.existing[s, p] > 0:
                continue
            for mat in materials(d, b.stage_in):
                for key in m.flows.into.get((s, b.stage_in, mat, p), []):
                    arcs.setdefault((s, key[0], p), []).append(key)
    bound = {k: min(biggest, origin_bound(m, d, k[1], keys)) for k, keys in arcs.items()}
    bound = {k: v for k, v in bound.items() if v < biggest}
    b.ARC_LINK = pyo.Set(initialize=sorted(bound), dimen=3, ordered=True)
    b.arc_link = pyo.Constraint(b.ARC_LINK, rule=lambda b, s, a, p: pyo.quicksum(
        m.flows.flow[key] for key in arcs[s, a, p]) <= bound[s, a, p] * b.open[s, p])
    if d.settings.model.collected_linking:
        add_collected_linking(m, b, d, arcs, biggest)


def add_collected_linking(m: pyo.ConcreteModel, b: pyo.Block, d: ModelInputs, arcs: dict, biggest: float) -> None:
    r"""Where a region may retain packs, the arc rows above bound its flow by all it *could* collect,
    :math:`U = (1-\ell)S + \bar\rho\ell S`, several times what it does collect when retention does not pay
    (the Japan baseline retains nothing: :math:`U` is 4.5 times the collection in 2025). One more row per
    such collection arc a = (r, s) and period, with what the region collects without retention
    :math:`C_{rp} = \sum_c (1-\ell_p) S_{rcp}`:

    .. math:: \sum_c flow_{acp} \le \min(K^{max}, C_{rp})\, open_{sp} + \sum_c retained_{rcp}

    Valid: an open site takes at most what the region collects, :math:`C + retained`, and at most its
    capacity, :math:`K^{max} \cdot open`; a closed one nothing (the arc row). It never binds a plan (integer
    builds), only the relaxation, so it is a *bound row* (``m.bound_rows``): the bound steps of the solve use
    it; the dive and the local search, which follow the relaxation, do not (measured on the Japan baseline:
    the dive on the tighter relaxation ended 6.9 bn yen dearer after the local search). The same split of
    the hubs' capacity rows, and of the hub to black-mass plant arc rows too, lifted the LP bound by 28 and 97
    Myen more for 1.12 and 1.61 times the nonzeros; the split of the capacity rows of every kind (black-mass
    plants and refineries against the national volume) lifted the national bound by 37 Myen (-10,479 to
    -10,442) with 9 s more in that step (2026-12-03): not built."""
    def region(key):  # (region, chemistry, period) of a flow key on a collection arc, or None
        origin = (m.flows.origin[key[0]], key[1], key[2])
        return origin if origin in d.supply else None

    retained = m.sources.retained
    rows = {k: [region(key) for key in keys] for k, keys in arcs.items()
            if all(region(key) for key in keys) and any(retained[region(key)].ub > 0 for key in keys)}
    b.COLLECTED_LINK = pyo.Set(initialize=sorted(rows), dimen=3, ordered=True)
    b.collected_link = pyo.Constraint(b.COLLECTED_LINK, rule=lambda b, s, a, p: pyo.quicksum(
        m.flows.flow[key] for key in arcs[s, a, p]) <= min(biggest, sum(
            (1 - d.leakage[p]) * d.supply[k] for k in rows[s, a, p])) * b.open[s, p]
        + pyo.quicksum(retained[k] for k in rows[s, a, p]))
    m.bound_rows.append(b.collected_link)


def origin_bound(m: pyo.ConcreteModel, d: ModelInputs, arc: str, keys: list[tuple]) -> float:
    """Most the origin of ``arc`` can send on it in a period (t/yr): a region's collectable packs, a
    collecting kind's (hub's) input bound; inf otherwise."""
    if any(key for key in keys if (m.flows.origin[arc], key[1], key[2]) in d.supply):
        return sum(arc_flow_bound(m, d, *key) for key in keys)
    origin, period = m.flows.origin[arc], keys[0][2]
    for kind in (k for k in KINDS if collects(k)):
        if origin in set(getattr(m, KINDS[kind].block).SITE):
            return input_bound(m, d, kind, origin, period)
    return math.inf


def input_bound(m: pyo.ConcreteModel, d: ModelInputs, kind: str, site: str | None, period: int) -> float:
    """Most input a site of ``kind`` could receive in ``period`` (t/yr), whatever is built.

    Hubs (a kind regions ship to): what the regions linked to them can collect. A kind that takes
    packs otherwise (pre-treatment): all collectable packs plus pack import caps. A kind that takes
    black mass (refineries): the black mass of all of that plus black-mass import caps. Else no bound.
    """
    if collects(kind):
        return sum(arc_flow_bound(m, d, a, c, p) for c in d.chemistries
                   for (a, _, p) in m.flows.into.get((site, "pack", c, period), []))
    packs = {c: sum(collectable_max(d, k) for k in d.supply if k[1] == c and k[2] == period) for c in d.chemistries}
    pack_imports = import_cap(d, "pack", period)
    stage = KINDS[kind].stage_in
    if stage == "pack":
        return sum(packs.values()) + pack_imports
    if stage == "black_mass":
        return (sum(d.bm_yield[c] * t for c, t in packs.items()) + max(d.bm_yield.values()) * pack_imports
                + import_cap(d, "black_mass", period))
    return math.inf


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


def add_facility_expressions(b: pyo.Block, d: ModelInputs) -> dict:
    """``fixed_cost[s,p]``, ``processing_cost[s,p]`` (Myen/yr) and ``co2[p]`` (t/yr); returns the
    block's fixed and processing cost rules, built from those expressions."""
    b.fixed_cost = pyo.Expression(b.SITE, d.periods, rule=lambda b, s, p: pyo.quicksum(
        (b.size_fixed_cost[s, z] * b.build[s, z, q] for (_, z, q) in b.builds_at[s] if q <= p),
        start=0))
    b.processing_cost = pyo.Expression(b.SITE, d.periods, rule=lambda b, s, p: d.processing_cost[b.kind]
                                       * b.throughput[s, p])
    b.co2 = pyo.Expression(d.periods, rule=lambda b, p: d.process_co2.get(b.kind, 0.0) * pyo.quicksum(
        (b.throughput[s, p] for s in b.SITE), start=0))
    return {
        "fixed": lambda p: pyo.quicksum((b.fixed_cost[s, p] for s in b.SITE), start=0),
        "processing": lambda p: pyo.quicksum((b.processing_cost[s, p] for s in b.SITE), start=0),
    }
