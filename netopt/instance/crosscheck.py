"""Checks that involve two tables at once (stated for people in each table's ``rules`` in the schema):
node ids unique across tables, trade materials by stage, candidates with capacity options, listed
arcs that fit a leg, site options of known sizes; and the warning for arcs on legs that are not built."""

from __future__ import annotations

from netopt.catalogue import ARC_LEGS, KIND_NAMES
from netopt.instance.problems import Columns, Problem, _preview, _records, _where, suggest


def node_roles(tables: dict[str, Columns]) -> dict[str, str]:
    """Node id -> its role in the network (region, a facility kind, demand, port)."""
    roles: dict[str, str] = {}
    for name, col in (("regions", "region_id"), ("demand_sites", "site_id"), ("ports", "port_id")):
        role = {"regions": "region", "demand_sites": "demand", "ports": "port"}[name]
        roles.update({v: role for v in tables[name][col] if isinstance(v, str)})
    sites = tables["sites"]
    roles.update({s: k for s, k in zip(sites["site_id"], sites["kind"])
                  if isinstance(s, str) and k in KIND_NAMES})
    return roles


def check_cross(tables: dict[str, Columns]) -> list[Problem]:
    """Checks that involve two tables at once (``Table.rules`` in the schema states them)."""
    problems = []
    ids: dict[str, str] = {}
    for name, col in (("regions", "region_id"), ("sites", "site_id"), ("demand_sites", "site_id"),
                      ("ports", "port_id"), ("markets", "market_id")):
        df = tables[name]
        for i, v in enumerate(df[col]):
            if v is None:
                continue
            if v in ids and ids[v] != name:
                file, line = _where(df, i)
                problems.append(Problem(file, line, col, f"id is already used in {ids[v]}.csv; node ids must be "
                                        "unique across regions, sites, demand sites, ports and markets", v))
            ids.setdefault(v, name)
    trade = tables["trade"]
    chems = set(tables["chemistries"]["chemistry"])
    metals = set(tables["metals"]["metal"])
    for i, (stage, material) in enumerate(_records(trade, ["stage", "material"])):
        if stage is None or material is None or stage not in ("pack", "black_mass", "metal"):
            continue
        allowed = metals if stage == "metal" else chems
        if material not in allowed:
            kind = "metal" if stage == "metal" else "chemistry"
            file, line = _where(trade, i)
            problems.append(Problem(file, line, "material", f"unknown {kind} for stage {stage}; must be one of "
                                    f"{_preview(allowed)}{suggest(material, allowed)}", material))
    sites = tables["sites"]
    options = tables["capacity_options"]
    kinds_with_options = set(options["kind"])
    for i, (kind, cand, cap) in enumerate(_records(sites, ["kind", "candidate", "existing_capacity_t_per_yr"])):
        file, line = _where(sites, i)
        if cand == 1 and kind in KIND_NAMES and kind not in kinds_with_options:
            problems.append(Problem(file, line, "candidate", f"no capacity option for kind {kind!r}; add one to "
                                    "capacity_options.csv or set candidate to 0"))
        if cand == 0 and isinstance(cap, int | float) and cap <= 0:
            problems.append(Problem(file, line, "existing_capacity_t_per_yr", "a site that is not a candidate needs "
                                    "existing capacity", cap))
    problems += _check_arcs(tables)
    problems += _check_site_options(tables)
    return problems


def leg_names(origin: str, destination: str) -> list[str]:
    return [leg.name for leg in ARC_LEGS if leg.origin == origin and leg.destination == destination]


def _check_arcs(tables: dict[str, Columns]) -> list[Problem]:
    """Each listed arc joins two nodes whose roles are the two ends of some leg."""
    arcs = tables["arcs"]
    roles = node_roles(tables)
    problems = []
    for i, (a, b) in enumerate(_records(arcs, ["from_id", "to_id"])):
        if a not in roles or b not in roles:
            continue  # an unknown id is reported by its column's reference check
        if not leg_names(roles[a], roles[b]):
            file, line = _where(arcs, i)
            out = [f"{leg.name} ({leg.origin} -> {leg.destination})" for leg in ARC_LEGS if leg.origin == roles[a]]
            into = [f"{leg.name} ({leg.origin} -> {leg.destination})" for leg in ARC_LEGS
                    if leg.destination == roles[b]]
            problems.append(Problem(file, line, "from_id+to_id", f"no leg links a {roles[a]} to a {roles[b]}; a "
                                    f"{roles[a]} ships on {', '.join(out) or 'no leg'}, a {roles[b]} receives on "
                                    f"{', '.join(into) or 'no leg'}", (a, b)))
    return problems


def _check_site_options(tables: dict[str, Columns]) -> list[Problem]:
    opts = tables["site_options"]
    sites = tables["sites"]
    kind_of = dict(zip(sites["site_id"], sites["kind"]))
    candidate = dict(zip(sites["site_id"], sites["candidate"]))
    sizes: dict[str, set] = {}
    for kind, size in _records(tables["capacity_options"], ["kind", "size"]):
        sizes.setdefault(kind, set()).add(size)
    problems = []
    for i, (site, size) in enumerate(_records(opts, ["site_id", "size"])):
        if site not in kind_of or size is None:
            continue
        file, line = _where(opts, i)
        if candidate[site] != 1:
            problems.append(Problem(file, line, "site_id", "the site is not a candidate (sites.csv candidate = 0); "
                                    "remove the row or make it a candidate", site))
        allowed = sizes.get(kind_of[site], set())
        if size not in allowed:
            problems.append(Problem(file, line, "size", f"no size {size!r} for kind {kind_of[site]!r} in "
                                    f"capacity_options.csv ({_preview(allowed)}){suggest(size, allowed)}", size))
    return problems


def unbuilt_arc_warnings(tables: dict[str, Columns]) -> list[Problem]:
    """Listed arcs on a port leg that is not built because no market trades there (they are ignored)."""
    trade = tables["trade"]
    offered = {(d, s) for d, s, cap in _records(trade, ["direction", "stage", "cap_t_per_yr"]) if cap and cap > 0}
    roles = node_roles(tables)
    arcs = tables["arcs"]
    out = []
    for i, (a, b) in enumerate(_records(arcs, ["from_id", "to_id"])):
        legs = [leg for leg in ARC_LEGS if leg.name in leg_names(roles.get(a, ""), roles.get(b, ""))]
        if legs and all(leg.direction and (leg.direction, leg.stage) not in offered for leg in legs):
            file, line = _where(arcs, i)
            out.append(Problem(file, line, "from_id+to_id", f"ignored: leg {legs[0].name} is not built because no "
                               f"market in trade.csv takes {legs[0].direction}s of {legs[0].stage}", (a, b),
                               severity="warning"))
    return out
