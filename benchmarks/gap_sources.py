"""Where the gap lives: the bound with only one facility kind's builds integer (the others relaxed).

    python benchmarks/gap_sources.py [INSTANCE] [--scenario S] [--nodes N] [--set KEY=VALUE ...] [--split]
                                     [--national-split] [--rins NODES]

For the LP relaxation and for each facility kind in turn, the builds of that kind keep their
integrality and every other build is continuous; HiGHS searches that partial relaxation for at most
``--nodes`` branch-and-bound nodes (a work limit, so the figures do not depend on machine load;
``--nodes 0`` skips them).
Each row prints the partial relaxation's bound (valid for the full model, since it relaxes it),
how far it lifts the LP bound, and its best plan when it finished. A kind whose integrality lifts the
bound most is where the LP relaxation is weakest. All figures in Myen against the all-virgin
reference (as the solver prints them). Seconds are wall-clock, for orientation only.

``--split`` then solves the model as ``netopt solve`` does and splits the distance between its plan
and the LP bound into the capital of each kind (the build columns' costs times the plan's values,
less the same for the LP relaxation's values) and the rest (flows, trade, penalties): where the LP
buys capacity in fractions that the plan must buy whole.

``--national-split`` (with the same solve) splits the distance between the plan and the national bound
(docs/model.md, Solving, step 4: the relaxation with the national unit counts integer and the bound
rows on, solved to its end) in the same way: what the national bound still leaves open, by kind.

``--rins NODES`` (with the same solve) searches the plan's RINS neighbourhood: every integer column
on which the LP relaxation and the plan agree is held, the others are free, and HiGHS searches from
the plan for at most NODES nodes. It prints the free columns, the best plan and the neighbourhood's
bound: a cheaper plan means the search leaves gap on the plan side, a bound that barely rises means
the relaxation does.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("instance", nargs="?", default=str(ROOT / "instances" / "japan"))
    p.add_argument("--scenario", default=None)
    p.add_argument("--nodes", type=int, default=200, help="branch-and-bound nodes per partial relaxation")
    p.add_argument("--set", dest="sets", action="append", default=[])
    p.add_argument("--split", action="store_true", help="also split plan - LP bound by kind (one full solve)")
    p.add_argument("--rins", type=int, default=0, metavar="NODES",
                   help="also search the plan's RINS neighbourhood for NODES nodes (one full solve)")
    p.add_argument("--national-split", action="store_true",
                   help="also split plan - national bound by kind (one full solve and the national relaxation)")
    p.add_argument("--paths", action="store_true", help="only: the LP bound with origin-split plant linking")
    a = p.parse_args()

    from netopt.api import load
    from netopt.instance.overrides import parse_assignment
    from netopt.model import build_model
    from netopt.model.inputs import prepare
    from netopt.solve.first_plan import build_options
    from netopt.solve.highs import compile_model

    inst = load(a.instance, a.scenario, overrides=[parse_assignment(x, "gap_sources") for x in a.sets])
    model = build_model(prepare(inst))
    if a.paths:
        path_linking_bound(model)
        return
    compiled = compile_model(model)
    columns = np.flatnonzero(compiled.integer)
    kind_of = {int(columns[pos]): key[0] for pos, key in build_options(compiled)["keys"].items()}
    print(f"{Path(a.instance).name} / {a.scenario or 'baseline'}: {compiled.size}; node limit {a.nodes}")
    print(f"{'integer builds':<16} {'bound':>12} {'lift over LP':>13} {'plan':>12} {'nodes':>7} {'seconds':>8}")
    lp_bound = None
    for label in ["none (LP)", *sorted(set(kind_of.values()))] if a.nodes > 0 else []:
        keep = np.array([kind_of.get(j) == label for j in range(len(compiled.integer))])
        t0 = time.perf_counter()
        bound, plan, nodes = partial_relaxation(compiled, keep, a.nodes)
        lp_bound = bound if lp_bound is None else lp_bound
        print(f"{label:<16} {bound:>12,.0f} {bound - lp_bound:>13,.0f} "
              f"{'-' if plan is None else f'{plan:,.0f}':>12} {nodes:>7} {time.perf_counter() - t0:>8.1f}")
    if a.split or a.rins or a.national_split:
        lp, plan, result = lp_and_plan(model, compiled, inst.settings.solve)
        print(f"plan {result.objective - compiled.reference:,.0f} ({result.status}, gap {result.gap_abs:,.0f} Myen)")
        if a.split:
            capital_split(compiled, kind_of, lp, plan)
        if a.rins:
            rins(compiled, lp, plan, a.rins)
        if a.national_split:
            national = national_relaxation(compiled, plan, inst.settings.solve)
            capital_split(compiled, kind_of, national, plan, label="national")


def lp_and_plan(model, compiled, settings):
    """The LP relaxation's column values, the plan ``netopt solve`` finds (column values) and its result."""
    from netopt.solve import solve
    from netopt.solve.highs import new_highs, set_integrality, solution_values

    h = new_highs(compiled, threads=1, seed=0, log_file=None)
    set_integrality(h, np.flatnonzero(compiled.integer), False)
    h.run()
    lp = solution_values(h)
    result = solve(model, settings)
    return lp, np.array([v.value or 0.0 for v in compiled.form.columns]), result


def capital_split(compiled, kind_of: dict[int, str], lp: np.ndarray, plan: np.ndarray, label: str = "LP") -> None:
    """Print plan - the ``label`` relaxation's bound (its values ``lp``) split into each kind's capital and the
    rest (Myen)."""
    cost = np.asarray(compiled.lp.col_cost_)
    total = float(cost @ plan - cost @ lp)
    print(f"plan - {label} bound: {total:,.0f} Myen")
    rest = total
    for kind in sorted(set(kind_of.values())):
        cols = np.array(sorted(j for j, k in kind_of.items() if k == kind))
        fractional = int(np.sum(np.abs(lp[cols] - np.round(lp[cols])) > 1e-6))
        diff = float(cost[cols] @ plan[cols] - cost[cols] @ lp[cols])
        rest -= diff
        print(f"  {kind:<14} capital: {label} {cost[cols] @ lp[cols]:>10,.0f}  plan {cost[cols] @ plan[cols]:>10,.0f}  "
              f"difference {diff:>8,.0f}  fractional in the {label} {fractional}")
    print(f"  {'the rest':<14} (flows, trade, penalties): difference {rest:,.0f}")


def national_relaxation(compiled, plan: np.ndarray, settings) -> np.ndarray:
    """The column values of the national bound's relaxation (bound rows on, counts integer), solved from
    the plan to its end, as ``netopt.solve.national`` searches it."""
    from netopt.solve.highs import new_highs, release_integers, solution_values, start_from, use_bound_rows
    from netopt.solve.national import RELAXATION_OPTIONS, add_counts, count_groups

    h = new_highs(compiled, threads=1, seed=0, log_file=None)
    use_bound_rows(h, compiled, on=True)
    release_integers(h, compiled, integer=False)
    groups = count_groups(compiled, settings.national_kinds)
    n_cols = h.getNumCol()
    add_counts(h, groups)
    for name, value in RELAXATION_OPTIONS.items():
        h.setOptionValue(name, value)
    start_from(h, np.concatenate([plan, [round(plan[cols].sum()) for cols in groups.values()]]))
    t0 = time.perf_counter()
    h.run()
    values = solution_values(h)[:n_cols]
    print(f"national relaxation: {values @ np.asarray(compiled.lp.col_cost_) + compiled.lp.offset_:,.0f} Myen "
          f"controllable, {time.perf_counter() - t0:.0f} s")
    return values


def rins(compiled, lp: np.ndarray, plan: np.ndarray, nodes: int) -> None:
    """Print the best plan and the bound of the plan's RINS neighbourhood after at most ``nodes`` nodes."""
    from netopt.solve.first_plan import plan_cost
    from netopt.solve.highs import mip_bound, new_highs, set_bounds, solution_values, start_from

    columns = np.flatnonzero(compiled.integer)
    held = np.round(plan[columns])
    agree = np.abs(lp[columns] - held) < 1e-6
    lower, upper = np.asarray(compiled.lp.col_lower_)[columns], np.asarray(compiled.lp.col_upper_)[columns]
    h = new_highs(compiled, threads=1, seed=0, log_file=None)
    set_bounds(h, columns, np.where(agree, held, lower), np.where(agree, held, upper))
    h.setOptionValue("mip_max_nodes", int(nodes))
    h.setOptionValue("mip_rel_gap", 0.0)
    start_from(h, plan)
    t0 = time.perf_counter()
    h.run()
    found = solution_values(h)
    best = plan_cost(compiled, found) if found is not None else None
    print(f"RINS: {int((~agree).sum())} of {len(columns)} integers free, {nodes} nodes: best plan "
          f"{'-' if best is None else f'{best:,.0f}'} (the plan: {plan_cost(compiled, plan):,.0f}), neighbourhood "
          f"bound {mip_bound(h):,.0f}, {time.perf_counter() - t0:.0f} s")


def lp_bound(model) -> tuple[float, float, dict]:
    """(LP relaxation's value against the reference, seconds, model size) of ``model``."""
    from netopt.solve.highs import compile_model

    compiled = compile_model(model)
    t0 = time.perf_counter()
    bound, _, _ = partial_relaxation(compiled, np.zeros(len(compiled.integer), dtype=bool), 0)
    return bound, time.perf_counter() - t0, compiled.size


def path_linking_bound(model) -> None:
    """Print the LP bound before and after adding the origin-split linking rows (module docstring)."""
    import pyomo.environ as pyo

    from netopt.model.facilities import collectable_max

    before, seconds, size = lp_bound(model)
    print(f"LP bound {before:,.0f} Myen ({seconds:.1f} s, {size})")
    d, flow, table = model.inputs, model.flows.flow, model.flows.table
    into_hub, into_plant = {}, {}  # (region, hub, p) / (hub, plant, p) -> flow keys
    for row in table[table["leg"].isin(["collect", "hub_to_pretreatment"])].itertuples():
        arcs = into_hub if row.leg == "collect" else into_plant
        arcs.setdefault((row.from_id, row.to_id, row.period), []).append((row.arc, row.material, row.period))
    regions_of = {}
    for r, h, p in into_hub:
        regions_of.setdefault((h, p), []).append(r)
    paths = [(r, h, s, p) for (h, s, p) in into_plant for r in regions_of.get((h, p), [])]
    by = {"rh": {}, "hs": {}, "rs": {}}
    for r, h, s, p in paths:
        by["rh"].setdefault((r, h, p), []).append((r, h, s, p))
        by["hs"].setdefault((h, s, p), []).append((r, h, s, p))
        by["rs"].setdefault((r, s, p), []).append((r, h, s, p))
    collectable = {}
    for key in d.supply:
        collectable[key[0], key[2]] = collectable.get((key[0], key[2]), 0.0) + collectable_max(d, key)
    plants = model.pretreatment
    biggest = max(plants.size_capacity.values())
    b = model.path_linking = pyo.Block()
    b.z = pyo.Var(paths, domain=pyo.NonNegativeReals)
    b.origin = pyo.Constraint(list(by["rh"]), rule=lambda b, r, h, p: pyo.quicksum(
        b.z[k] for k in by["rh"][r, h, p]) <= pyo.quicksum(flow[k] for k in into_hub[r, h, p]))
    b.arc = pyo.Constraint(list(by["hs"]), rule=lambda b, h, s, p: pyo.quicksum(
        b.z[k] for k in by["hs"][h, s, p]) == pyo.quicksum(flow[k] for k in into_plant[h, s, p]))
    b.link = pyo.Constraint([k for k in by["rs"] if plants.existing[k[1], k[2]] == 0], rule=lambda b, r, s, p:
                            pyo.quicksum(b.z[k] for k in by["rs"][r, s, p])
                            <= min(biggest, collectable[r, p]) * plants.open[s, p])
    after, seconds, size = lp_bound(model)
    print(f"with origin-split plant linking: LP bound {after:,.0f} Myen (+{after - before:,.0f}; {seconds:.1f} s, "
          f"{size})")


def partial_relaxation(compiled, keep: np.ndarray, nodes: int):
    """Solve with only the ``keep`` columns integer: (bound, best plan or None, nodes searched)."""
    import highspy

    from netopt.solve.highs import new_highs

    h = new_highs(compiled, threads=1, seed=0, log_file=None)
    integrality = [highspy.HighsVarType.kInteger if k else highspy.HighsVarType.kContinuous
                   for k in (compiled.integer & keep)]
    h.changeColsIntegrality(len(integrality), np.arange(len(integrality), dtype=np.int32),
                            np.array(integrality))
    h.setOptionValue("mip_max_nodes", int(nodes))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.run()
    info = h.getInfo()
    if not keep.any():
        return info.objective_function_value, None, 0
    plan = info.objective_function_value if info.primal_solution_status == 2 else None
    return info.mip_dual_bound, plan, int(info.mip_node_count)


if __name__ == "__main__":
    main()
