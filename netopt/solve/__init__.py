r"""Solve a built model with HiGHS, deterministically, and say how good the answer is.

Every number is on the *controllable cost*, the objective less the all-virgin reference
(:mod:`netopt.model.objective`). The target is a gap of at most

.. math:: target = \max(mip\_gap \cdot |objective - C^{ref}|,\ mip\_gap\_abs\_myen)

and "optimal" is claimed only when the bound proves it. The steps, each one HiGHS call on one
HiGHS object (one log):

1. **Relax-and-fix** over the build periods (``stage_of``, :mod:`netopt.model.staging`): for each
   period in turn its builds are integer, earlier periods' are held at what was chosen and later
   ones relaxed; each stage is a MIP limited by ``stage_nodes`` branch-and-bound nodes, a unit of
   work and not of time, so the plan is the same on a loaded machine. The first stage relaxes every
   later build, so its bound is a lower bound on the whole model.
2. **Search** (``search_nodes`` > 0): HiGHS's branch-and-bound on the whole model from that plan,
   for at most that many nodes or until the target is proven.
3. **Fixed LP**: the builds held, the flows solved exactly; its objective is the plan's cost and
   its duals the marginal values the results report.

The wall-clock ``time_limit`` only guards: when it is hit the status is ``time_limit`` and the
plan, bound and gap so far are returned. A first Ctrl-C stops the current step and returns the
plan so far as ``interrupted`` (if a complete plan exists); a second raises :class:`Aborted`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyomo.environ as pyo

from netopt.instance.settings import SolveSettings
from netopt.solve.highs import (
    Aborted,
    Compiled,
    Control,
    compile_model,
    load_values,
    mip_bound,
    new_highs,
    row_duals,
    run,
    set_bounds,
    set_integrality,
    solution_values,
    start_from,
)

__all__ = ["Aborted", "SolveResult", "model_size", "solve"]


@dataclass
class SolveResult:
    status: str  # optimal | not_proven | time_limit | interrupted | infeasible | unbounded | error
    solver_status: str  # what HiGHS said for the call that decided the status
    objective: float | None  # Myen, the plan's total discounted cost
    bound: float | None  # Myen, a proven lower bound on every plan's cost
    reference: float = 0.0  # Myen, the all-virgin reference
    target_gap_abs: float | None = None  # Myen, the gap that counts as proven
    has_solution: bool = False
    bound_source: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    stages: list[dict] = field(default_factory=list)  # one record per step (name, objective, bound, seconds)
    options: dict = field(default_factory=dict)
    duals: dict = field(default_factory=dict)  # ConstraintData -> dual (objective units per unit of rhs)
    size: dict[str, int] = field(default_factory=dict)

    @property
    def proven_optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def controllable(self) -> float | None:
        """Objective less the all-virgin reference (Myen)."""
        return None if self.objective is None else self.objective - self.reference

    @property
    def gap_abs(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return max(0.0, self.objective - self.bound)

    @property
    def gap(self) -> float | None:
        """The gap as a share of |controllable cost| (inf when that is 0 and the gap is not)."""
        if self.gap_abs is None:
            return None
        scale = abs(self.controllable)
        return self.gap_abs / scale if scale > 0 else (0.0 if self.gap_abs == 0 else math.inf)

    def describe(self) -> str:
        """One line for people: status, objective, controllable cost and gap."""
        if not self.has_solution:
            return f"status {self.status}: no feasible plan ({self.solver_status})"
        gap = "unknown" if self.gap_abs is None else f"{self.gap_abs:,.0f} Myen ({_share(self.gap)} of controllable)"
        return (f"status {self.status}, objective {self.objective:,.0f} Myen (controllable {self.controllable:+,.0f}"
                f" vs all-virgin {self.reference:,.0f}), bound {_myen(self.bound)}, gap {gap}, "
                f"target {_myen(self.target_gap_abs)}")

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("duals")
        d.update(controllable=self.controllable, gap_abs=self.gap_abs, gap=self.gap)
        return d


def _myen(x: float | None) -> str:
    return "unknown" if x is None else f"{x:,.0f} Myen"


def _share(x: float | None) -> str:
    return "unknown" if x is None or not math.isfinite(x) else f"{100 * x:.2f} %"


Report = Callable[[str], None]


def solve(model: pyo.ConcreteModel, options: SolveSettings | None = None, stage_of=None,
          log_file: str | Path | None = None, report: Report | None = None) -> SolveResult:
    """Solve ``model`` (steps in the module docstring); load the plan (if any) into its variables.

    ``stage_of(var)`` names the relax-and-fix stage (a sortable key) of each integer variable, None
    for none; without it the search starts cold. ``report`` receives one progress line per step.
    """
    options = options or SolveSettings()
    control = Control(float(options.time_limit))
    compiled = compile_model(model)
    seconds = {"compile": control.elapsed()}
    h = new_highs(compiled, options.threads, options.seed, log_file)
    seconds["handoff"] = control.elapsed() - seconds["compile"]
    progress = Progress(compiled.reference, options, control, report)
    h.setOptionValue("mip_rel_gap", float(options.mip_gap))
    h.setOptionValue("mip_abs_gap", float(options.mip_gap_abs_myen))

    values, bound = None, None
    columns = np.flatnonzero(compiled.integer)
    if len(columns) and options.warm_start and options.first_plan == "dive":
        values, bound = dive(h, compiled, options, control, progress)
    elif len(columns) and options.warm_start and stage_of is not None:
        values, bound = relax_and_fix(h, compiled, stage_of, options, control, progress)
    if values is not None and options.improve_passes > 0 and not control.stopped:
        values = improve(h, compiled, values, options, control, progress)
    if len(columns) and not control.stopped and options.search_nodes > 0:
        values, bound = search(h, compiled, values, bound, options, control, progress)
    elif not len(columns) and not control.stopped:  # an LP
        status = run(h, control)
        values = solution_values(h) if status == "optimal" else None
        bound = None if values is None else h.getInfo().objective_function_value
        progress.step("LP", status, None if values is None else bound, bound)

    result = SolveResult("error", progress.solver_status, None, None, reference=compiled.reference,
                         size=compiled.size, stages=progress.records, bound_source=progress.bound_source)
    if values is not None and len(columns):
        values = fixed_lp(h, compiled, values, control, progress)
    _finish(result, h, compiled, values, bound, progress, control, options)
    seconds["solve"] = control.elapsed() - seconds["compile"] - seconds["handoff"]
    result.seconds = seconds
    result.options = {**options.model_dump(), "log_file": None if log_file is None else str(log_file)}
    return result


def _finish(result: SolveResult, h, compiled: Compiled, values, bound, progress: "Progress", control: Control,
            options: SolveSettings) -> None:
    result.solver_status = progress.solver_status
    if values is None:
        result.status = progress.failure()
        return
    result.has_solution = True
    result.objective = plan_cost(compiled, values) + compiled.reference
    result.bound = None if bound is None else min(bound + compiled.reference, result.objective)
    result.bound_source = progress.bound_source
    result.target_gap_abs = max(options.mip_gap * abs(result.controllable), options.mip_gap_abs_myen)
    load_values(compiled, values)
    if options.duals and progress.last_status == "optimal":
        result.duals = row_duals(h, compiled)
    proven = result.gap_abs is not None and result.gap_abs <= result.target_gap_abs + 1e-9
    if proven:
        result.status = "optimal"
    elif control.interrupted:
        result.status = "interrupted"
    elif control.timed_out:
        result.status = "time_limit"
    else:
        result.status = "not_proven"


class Progress:
    """Step records and progress lines: incumbent, bound, gap in Myen and % of controllable cost."""

    def __init__(self, reference: float, options: SolveSettings, control: Control, report: Report | None):
        self.reference, self.options, self.control, self.report = reference, options, control, report
        self.records: list[dict] = []
        self.solver_status = "not run"
        self.last_status = "not run"
        self.bound_source: str | None = None
        self.lp_values: np.ndarray | None = None  # integer columns at the LP relaxation's optimum

    def step(self, name: str, status: str, objective: float | None, bound: float | None) -> None:
        """Record a step; ``objective`` and ``bound`` are on the controllable cost (HiGHS's view)."""
        self.solver_status = self.last_status = status
        record = {"step": name, "status": status, "seconds": round(self.control.elapsed(), 3),
                  "objective_myen": None if objective is None else objective + self.reference,
                  "bound_myen": None if bound is None else bound + self.reference}
        self.records.append(record)
        if self.report:
            self.report(self._line(record, objective, bound))

    def _line(self, record: dict, objective: float | None, bound: float | None) -> str:
        parts = [f"{record['step']:<14}", f"{record['status']:<11}"]
        parts.append("plan " + ("-" if objective is None else f"{objective:+,.0f}"))
        parts.append("bound " + ("-" if bound is None else f"{bound:+,.0f}"))
        if objective is not None and bound is not None:
            gap = max(0.0, objective - bound)
            share = gap / abs(objective) if objective else math.inf
            parts.append(f"gap {gap:,.0f} Myen ({_share(share)})")
        parts.append(f"{record['seconds']:.1f} s")
        return "  ".join(parts) + "   (Myen against the all-virgin reference)"

    def failure(self) -> str:
        if self.control.interrupted:
            return "interrupted"
        if self.control.timed_out:
            return "time_limit"
        return {"infeasible": "infeasible", "unbounded": "unbounded",
                "infeasible_or_unbounded": "infeasible_or_unbounded"}.get(self.last_status, "error")


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
    """Local search on a complete plan: for each build (the costliest first, ``improve_builds`` of them),
    try closing it, moving it one period earlier or later and building another size instead; then try adding each
    option the LP relaxation used (value > 0.01, the costliest first). Each try is the LP with every
    build held; a try that lowers the cost is kept. Passes repeat until one changes nothing (at most
    ``improve_passes``). Deterministic: fixed order, fixed amounts of work."""
    columns = np.flatnonzero(compiled.integer)
    options_of = build_options(compiled)
    cost = np.asarray(compiled.lp.col_cost_)
    current = np.round(values[columns])
    hold(h, columns, current)
    best = evaluate(h, control)
    if best is None:
        return values
    best_values = solution_values(h)
    tries = kept = 0
    for _ in range(options.improve_passes):
        changed = False
        order = np.argsort(-cost[columns], kind="stable")
        built = [j for j in order if current[j] >= 0.5][:options.improve_builds]
        liked = [] if progress.lp_values is None else [
            j for j in order if current[j] < 0.5 and progress.lp_values[j] > 0.01][:options.improve_builds]
        tries_of = [(j, moves(j, current, options_of, columns)) for j in built]
        tries_of += [(j, [[(j, 1.0)]]) for j in liked if not occupied(j, current, options_of)]
        for j, tried in tries_of:
            for move in tried:
                if control.stopped:
                    break
                trial = current.copy()
                for i, v in move:
                    trial[i] = v
                hold(h, columns, trial)
                value = evaluate(h, control)
                tries += 1
                if value is not None and value < best - 1e-6:
                    best, current, best_values, changed = value, trial, solution_values(h), True
                    kept += 1
                    break
        if not changed or control.stopped:
            break
    hold(h, columns, current)
    progress.step(f"improve ({kept}/{tries})", "optimal", best, progress_bound(progress, compiled))
    return best_values


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


def moves(pos: int, current: np.ndarray, options_of: dict, columns) -> list[list[tuple[int, float]]]:
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


def search(h, compiled: Compiled, values, bound, options: SolveSettings, control: Control,
           progress: Progress) -> tuple[np.ndarray | None, float | None]:
    """Step 2: branch-and-bound on the whole model from ``values``, at most ``search_nodes`` nodes."""
    columns = np.flatnonzero(compiled.integer)
    set_bounds(h, columns, np.asarray(compiled.lp.col_lower_)[columns], np.asarray(compiled.lp.col_upper_)[columns])
    set_integrality(h, columns, True)
    h.setOptionValue("mip_max_nodes", int(options.search_nodes))
    if values is not None:
        start_from(h, values)
    status = run(h, control)
    found, found_bound = solution_values(h), mip_bound(h)
    if found_bound is not None and (bound is None or found_bound > bound):
        bound, progress.bound_source = found_bound, "HiGHS branch-and-bound"
    if found is not None:
        values = found
    progress.step("search", status, None if values is None else plan_cost(compiled, values), bound)
    return values, bound


def fixed_lp(h, compiled: Compiled, values: np.ndarray, control: Control, progress: Progress) -> np.ndarray:
    """Step 3: the builds held at ``values``, the flows re-solved as an LP (its duals are the results')."""
    columns = np.flatnonzero(compiled.integer)
    fixed = np.round(values[columns])
    set_integrality(h, columns, False)
    set_bounds(h, columns, fixed, fixed)
    start_from(h, values)
    saved = control.interrupted
    control.interrupted = False  # a Ctrl-C before this step still gets the plan's exact flows
    status = run(h, control)
    control.interrupted = control.interrupted or saved
    exact = solution_values(h) if status == "optimal" else None
    if exact is None:
        progress.step("fixed LP", status, None, None)
        return values
    progress.last_status = status
    progress.records.append({"step": "fixed LP", "status": status, "seconds": round(control.elapsed(), 3),
                             "objective_myen": h.getInfo().objective_function_value + compiled.reference})
    return exact


def plan_cost(compiled: Compiled, values: np.ndarray) -> float:
    """Controllable cost of ``values`` (Myen)."""
    return float(np.asarray(compiled.lp.col_cost_) @ values) + compiled.lp.offset_


def model_size(model: pyo.ConcreteModel) -> dict[str, int]:
    """Variables, constraints, nonzeros and integers of ``model`` as HiGHS receives it (no solve)."""
    return compile_model(model).size
