"""First plans: a dive on the LP relaxation, relax-and-fix over the build periods, and a local search.

Each is limited by work (LP solves, node counts, passes), never by time; see :mod:`netopt.solve`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from netopt.instance.settings import SolveSettings
from netopt.solve.highs import (
    Compiled,
    Control,
    mip_bound,
    run,
    set_bounds,
    set_integrality,
    solution_values,
    start_from,
)
from netopt.solve.progress import Progress


def plan_cost(compiled: Compiled, values: np.ndarray) -> float:
    """Controllable cost of ``values`` (Myen)."""
    return float(np.asarray(compiled.lp.col_cost_) @ values) + compiled.lp.offset_


def relax_and_fix(h, compiled: Compiled, stage_of, options: SolveSettings, control: Control,
                  progress: Progress) -> tuple[np.ndarray | None, float | None]:
    """Steps 1 of the module docstring; returns a complete plan (or None) and the first stage's bound."""
    columns = np.flatnonzero(compiled.integer)
    keys = [stage_of(compiled.form.columns[j]) for j in columns]
    stages = sorted({k for k in keys if k is not None})
    keys = np.array([stages.index(k) if k is not None else -1 for k in keys])
    unstaged = columns[keys < 0]
    set_integrality(h, columns[keys >= 0], False)
    h.setOptionValue("mip_max_nodes", int(options.stage_nodes))
    values, bound = None, None
    for i, stage in enumerate(stages):
        this = columns[keys == i]
        set_integrality(h, this, True)
        if values is not None:
            start_from(h, values)
        status = run(h, control)
        found = solution_values(h)
        stage_bound = mip_bound(h)
        if i == 0 and stage_bound is not None and not len(unstaged):
            bound, progress.bound_source = stage_bound, f"first relax-and-fix stage ({stage})"
        progress.step(f"stage {stage}", status, None if found is None else h.getInfo().objective_function_value,
                      bound)
        if found is None or control.stopped:
            return None, bound
        values = found
        fixed = np.round(values[this])
        set_bounds(h, this, fixed, fixed)
        set_integrality(h, this, False)
    set_integrality(h, unstaged, True)
    return values, bound


def dive(h, compiled: Compiled, options: SolveSettings, control: Control,
         progress: Progress) -> tuple[np.ndarray | None, float | None]:
    """A first plan by diving on the LP relaxation; returns it and the LP bound.

    Solve the LP with every integer relaxed; fix each fractional integer variable within ``dive_snap``
    of its upper integer to that integer (a build the LP nearly takes); if there is none, round up the
    fractional variable with the largest value (ties to the lowest column); solve again from the
    last basis, until every integer variable is integer. Variables are only rounded up, so every
    region keeps the hubs the LP spreads its packs over; what the LP leaves at 0 stays free. Each
    LP is a fixed amount of work, so the plan does not depend on machine load.
    """
    columns = np.flatnonzero(compiled.integer)
    set_integrality(h, columns, False)
    free = np.ones(len(columns), dtype=bool)
    bound, rounds = None, 0
    while True:
        status = run(h, control)
        values = solution_values(h) if status == "optimal" else None
        if values is None or control.stopped:
            progress.step(f"dive {rounds}", status, None, bound)
            return None, bound
        if bound is None:
            bound, progress.bound_source = h.getInfo().objective_function_value, "LP relaxation"
            progress.lp_values = values[columns].copy()
            progress.step("LP relaxation", status, None, bound)
        x = values[columns]
        distance = np.abs(x - np.round(x))
        fractional = free & (distance > 1e-6)
        if not fractional.any():
            break
        pick = fractional & (np.ceil(x) - x <= options.dive_snap)
        if not pick.any():
            candidates = np.flatnonzero(fractional)
            pick = np.zeros_like(free)
            pick[candidates[np.argmax(x[candidates] - np.floor(x[candidates]))]] = True
        fixed = np.ceil(x[pick] - 1e-6)
        set_bounds(h, columns[pick], fixed, fixed)
        free &= ~pick
        rounds += 1
    progress.step(f"dive ({rounds} rounds)", status, plan_cost(compiled, values), bound)
    return values, bound


def improve(h, compiled: Compiled, values: np.ndarray, options: SolveSettings, control: Control,
            progress: Progress) -> np.ndarray:
    r"""Local search on a complete plan: for each build (the costliest first, ``improve_builds`` of them),
    try closing it, moving it one period earlier or later, building another size instead and moving it to
    another site (``improve_relocate`` sites, :func:`relocations`); then try adding each
    option the LP relaxation used (value > 0.01, the costliest first). Each try is the LP with every
    build held; a try that lowers the cost is kept. Passes repeat until one changes nothing (at most
    ``improve_passes`` per phase), first without moves between sites and then with them (:func:`phases`), so
    the plan is never dearer than the search without them. Deterministic: fixed order, fixed amounts
    of work.

    Pruning (``improve_prune``): the LP's value :math:`v(u)` as a function of the held build levels
    :math:`u` is convex, and the reduced costs :math:`d` of the build columns at the current plan's
    optimum are a subgradient (weak duality), so a move :math:`\Delta u` costs at least
    :math:`v(u + \Delta u) - v(u) \ge d \cdot \Delta u`. A move whose floor :math:`d \cdot \Delta u` is
    above ``PRUNE_MYEN`` cannot be kept and is not solved: the same plan, fewer LPs.

    The last pass, which changed nothing, priced every single change to every build of the final plan
    (the pruned ones only where their floor is below the build's cheapest priced change):
    ``progress.alternatives`` keeps, per build, the cheapest of them and what it costs more (Myen); a
    build whose every alternative costs more than the gap is not overturned by any one change."""
    columns = np.flatnonzero(compiled.integer)
    options_of = build_options(compiled)
    cost = np.asarray(compiled.lp.col_cost_)
    current = np.round(values[columns])
    hold(h, columns, current)
    best = evaluate(h, control)
    if best is None:
        return values
    state = Search(current, best, solution_values(h), reduced_costs(h, columns))
    changed = False
    for relocate in phases(options):
        for _ in range(options.improve_passes):
            changed = one_pass(h, columns, state, candidate_moves(state.current, cost[columns], options_of,
                                                                   progress.lp_values, options, relocate),
                               options, control)
            if not changed or control.stopped:
                break
    if not changed and not control.stopped:
        state.tries += price_pruned(h, columns, state, control)
        progress.alternatives = [describe_alternative(options_of, j, delta, move)
                                 for j, (delta, move) in sorted(state.nearest.items())]
    hold(h, columns, state.current)
    progress.step(f"improve ({state.kept}/{state.tries}, {state.pruned} pruned)", "optimal", state.best,
                  progress_bound(progress, compiled))
    return state.best_values


@dataclass
class Search:
    """The local search's incumbent (held build levels, its cost, column values and the build columns'
    reduced costs), its counters, and what the current pass priced: per build its cheapest tried change
    (``nearest``) and the floors of the changes it pruned (``floors``)."""

    current: np.ndarray
    best: float
    best_values: np.ndarray
    reduced: np.ndarray
    tries: int = 0
    kept: int = 0
    pruned: int = 0
    nearest: dict = field(default_factory=dict)
    floors: dict = field(default_factory=dict)


def one_pass(h, columns: np.ndarray, state: Search, candidates, options: SolveSettings, control: Control) -> bool:
    """Try each build's moves in order, keeping the first that lowers the cost (then on to the next
    build); moves whose reduced-cost floor is above ``PRUNE_MYEN`` are skipped. True if a move was kept."""
    changed, state.nearest, state.floors = False, {}, {}
    for of, tried in candidates:
        for move in tried:
            if control.stopped:
                return changed
            floor = float(sum((v - state.current[i]) * state.reduced[i] for i, v in move))
            if options.improve_prune and floor > PRUNE_MYEN:
                state.pruned += 1
                if of is not None:
                    state.floors.setdefault(of, []).append((floor, move))
                continue
            trial = changed_plan(state.current, move)
            value = try_plan(h, columns, trial, control)
            state.tries += 1
            if of is not None and value is not None and value - state.best < state.nearest.get(of, (np.inf,))[0]:
                state.nearest[of] = (value - state.best, move)
            if value is not None and value < state.best - 1e-6:
                state.best, state.current, changed = value, trial, True
                state.best_values, state.reduced = solution_values(h), reduced_costs(h, columns)
                state.kept += 1
                break
    return changed


PRUNE_MYEN = 0.01
"""A move whose reduced-cost floor is above this (Myen) is not solved; the margin absorbs HiGHS's dual
feasibility tolerance, so that a move that could lower the cost by more than 1e-6 Myen is always solved."""


def phases(options: SolveSettings) -> list[int]:
    """Sites per build a move between sites may try, per phase: none first, then ``improve_relocate``. The
    first phase is the search without such moves, so the plan is never dearer than that search's."""
    return [0, options.improve_relocate] if options.improve_relocate > 0 else [0]


def candidate_moves(current: np.ndarray, cost: np.ndarray, options_of: dict, lp_values: np.ndarray | None,
                    options: SolveSettings, relocate: int) -> list[tuple[int | None, list]]:
    """(build or None, its moves) in the order a pass tries them: each build's changes, the costliest build
    first, then each unbuilt option the LP relaxation used as an addition."""
    order = np.argsort(-cost, kind="stable")
    built = [j for j in order if current[j] >= 0.5][:options.improve_builds]
    liked = [] if lp_values is None else [
        j for j in order if current[j] < 0.5 and lp_values[j] > 0.01][:options.improve_builds]
    out = [(j, moves(j, current, options_of) + relocations(j, current, options_of, lp_values, relocate))
           for j in built]
    return out + [(None, [[(j, 1.0)]]) for j in liked if not occupied(j, current, options_of)]


def changed_plan(current: np.ndarray, move) -> np.ndarray:
    trial = current.copy()
    for i, v in move:
        trial[i] = v
    return trial


def try_plan(h, columns: np.ndarray, levels: np.ndarray, control: Control) -> float | None:
    hold(h, columns, levels)
    return evaluate(h, control)


def price_pruned(h, columns: np.ndarray, state: Search, control: Control) -> int:
    """Solve the pruned changes of each build whose floor is below its cheapest priced change, in
    order of floor, so that ``state.nearest`` holds every build's cheapest single change; returns the LPs
    solved."""
    solved, nearest = 0, state.nearest
    for of in sorted(state.floors):
        for floor, move in sorted(state.floors[of], key=lambda t: t[0]):
            if control.stopped or floor >= nearest.get(of, (np.inf,))[0]:
                break
            value = try_plan(h, columns, changed_plan(state.current, move), control)
            solved += 1
            if value is not None and value - state.best < nearest.get(of, (np.inf,))[0]:
                nearest[of] = (value - state.best, move)
    return solved


def reduced_costs(h, columns: np.ndarray) -> np.ndarray:
    """Reduced costs of the build columns at the last LP's optimum (Myen per unit of the held level)."""
    return np.asarray(h.getSolution().col_dual, dtype=float)[columns]


def describe_alternative(options_of: dict, pos: int, delta: float, move) -> dict:
    """A build of the plan and its cheapest single change, in words, with its extra cost (Myen)."""
    block, site, size, period = options_of["keys"].get(pos, ("?", "?", "?", "?"))
    other = [options_of["keys"].get(i) for i, v in move if v >= 0.5]
    if not other:
        change = "not built"
    elif other[0][1] != site:
        change = f"at {other[0][1]} instead"
    elif other[0][3] != period:
        change = f"built from {other[0][3]} instead"
    else:
        change = f"size {other[0][2]} instead"
    return {"block": block, "site": site, "size": size, "period": period, "alternative": change,
            "extra_cost_myen": round(float(delta), 3)}


def progress_bound(progress: Progress, compiled: Compiled) -> float | None:
    bounds = [r["bound_myen"] for r in progress.records if r.get("bound_myen") is not None]
    return max(bounds) - compiled.reference if bounds else None


def hold(h, columns: np.ndarray, levels: np.ndarray) -> None:
    set_bounds(h, columns, levels, levels)


def evaluate(h, control: Control) -> float | None:
    """Cost of the held plan (controllable, Myen), or None if it has no feasible flows."""
    return h.getInfo().objective_function_value if run(h, control) == "optimal" else None


def build_options(compiled: Compiled) -> dict:
    """Integer column position -> (block, site, size, period), and (block, site, size, period) -> position."""
    keys, index = {}, {}
    for pos, j in enumerate(np.flatnonzero(compiled.integer)):
        var = compiled.form.columns[j]
        if var.parent_component().local_name != "build":
            continue
        key = (var.parent_block().local_name, *var.index())
        keys[pos], index[key] = key, pos
    return {"keys": keys, "index": index}


def occupied(pos: int, current: np.ndarray, options_of: dict) -> bool:
    """True if the site of option ``pos`` already has a build in its period (one build per site and period)."""
    key = options_of["keys"].get(pos)
    if key is None:
        return False
    return any(current[i] >= 0.5 for k, i in options_of["index"].items() if k[:2] == key[:2] and k[3] == key[3])


def moves(pos: int, current: np.ndarray, options_of: dict) -> list[list[tuple[int, float]]]:
    """Close the build, move it one period earlier or later, or build another size (same site and period)."""
    key = options_of["keys"].get(pos)
    if key is None:
        return [[(pos, current[pos] - 1)]]
    block, site, size, period = key
    out = [[(pos, 0.0)]]
    periods = sorted(k[3] for k in options_of["index"] if k[:3] == (block, site, size))
    at = periods.index(period)
    for neighbour in periods[max(0, at - 1):at] + periods[at + 1:at + 2]:
        other = options_of["index"][(block, site, size, neighbour)]
        if current[other] < 0.5 and not occupied(other, current, options_of):
            out.append([(pos, 0.0), (other, 1.0)])
    for other, i in options_of["index"].items():
        if other[0] == block and other[1] == site and other[3] == period and other[2] != size and current[i] < 0.5:
            out.append([(pos, 0.0), (i, 1.0)])
    return out


def relocations(pos: int, current: np.ndarray, options_of: dict, lp_values: np.ndarray | None,
                limit: int) -> list[list[tuple[int, float]]]:
    """Move the build to another site of its kind (same size and period): at most ``limit`` sites, those
    where the LP relaxation builds most of the kind in that period first (ties by site name)."""
    key = options_of["keys"].get(pos)
    if key is None or lp_values is None or limit <= 0:
        return []
    block, site, size, period = key
    liked: dict[str, float] = {}
    for (b, s, _, p), i in options_of["index"].items():
        if b == block and p == period and s != site:
            liked[s] = liked.get(s, 0.0) + float(lp_values[i])
    out = []
    for s in sorted((s for s in liked if liked[s] > 0.01), key=lambda s: (-liked[s], s)):
        other = options_of["index"].get((block, s, size, period))
        if other is not None and not occupied(other, current, options_of):
            out.append([(pos, 0.0), (other, 1.0)])
        if len(out) == limit:
            break
    return out
